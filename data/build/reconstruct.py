"""Integer supplier counts per country that reproduce published concentration figures.

The source publishes, per substance and role, only aggregates: the number of suppliers ``n``, the
countries, the top country and its share, the Herfindahl-Hirschman index over countries and the
EU/EEA share. :func:`reconstruct` searches the (small) space of integer splits exhaustively and
returns the first split, in a fixed order, that reproduces every figure within the published
rounding — or, if none does, the closest one and how far it is off.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import combinations

HHI_TOLERANCE = 0.05 + 1e-9  # the HHI is published with one decimal
SHARE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Published:
    n: int
    countries: tuple[str, ...]
    top: str
    top_share: float
    hhi: float
    eu_eea_share: float


@dataclass(frozen=True)
class Split:
    counts: dict[str, int]
    exact: bool
    hhi: float
    eu_eea_share: float

    def deviation(self, published: Published) -> str:
        return (f"no integer split reproduces every published figure; closest has HHI {self.hhi:.1f} "
                f"(published {published.hhi}) and EU/EEA share {self.eu_eea_share:.4f} "
                f"(published {published.eu_eea_share:.4f})")


def _partitions(total: int, parts: int, largest: int) -> Iterator[tuple[int, ...]]:
    """Non-increasing tuples of ``parts`` integers in [1, largest] summing to ``total``."""
    if parts == 0:
        if total == 0:
            yield ()
        return
    low = max(1, total - largest * (parts - 1)) if parts > 1 else total
    high = min(largest, total - (parts - 1))
    for first in range(high, low - 1, -1):
        if parts == 1 and first != total:
            continue
        for rest in _partitions(total - first, parts - 1, first):
            yield (first,) + rest


def reconstruct(p: Published, eea: set[str]) -> Split:
    """The per-country counts (top country first in the search) matching ``p`` best."""
    top_count = max(1, round(p.top_share * p.n))
    others = sorted(c for c in p.countries if c != p.top)
    eu_others = [c for c in others if c in eea]
    non_eu_others = [c for c in others if c not in eea]
    eu_target = round(p.eu_eea_share * p.n) - (top_count if p.top in eea else 0)
    best: tuple[float, Split] | None = None
    for parts in _partitions(p.n - top_count, len(others), top_count):
        hhi = 10000 * (top_count ** 2 + sum(x * x for x in parts)) / p.n ** 2
        assignment = _assign(parts, len(eu_others), eu_target)
        eu_total = eu_target if assignment is not None else None
        if assignment is None:
            # fall back to the split of parts that comes closest to the EU/EEA target
            chosen = _closest_subset(parts, len(eu_others), eu_target)
            eu_total = sum(parts[i] for i in chosen)
        else:
            chosen = assignment
        eu_share = (eu_total + (top_count if p.top in eea else 0)) / p.n
        counts = {p.top: top_count}
        eu_parts = sorted((parts[i] for i in chosen), reverse=True)
        rest = list(parts)
        for i in sorted(chosen, reverse=True):
            rest.pop(i)
        counts.update(zip(eu_others, eu_parts))
        counts.update(zip(non_eu_others, sorted(rest, reverse=True)))
        exact = abs(hhi - p.hhi) <= HHI_TOLERANCE and abs(eu_share - p.eu_eea_share) <= 1e-6
        split = Split(counts, exact, hhi, eu_share)
        if exact:
            return split
        score = abs(hhi - p.hhi) / 100 + abs(eu_share - p.eu_eea_share)
        if best is None or score < best[0]:
            best = (score, split)
    if best is None:  # no partition at all (e.g. inconsistent n and country count)
        counts = {c: 0 for c in p.countries}
        counts[p.top] = p.n
        return Split(counts, False, 10000.0, 1.0 if p.top in eea else 0.0)
    return best[1]


def _assign(parts: tuple[int, ...], k: int, target: int) -> tuple[int, ...] | None:
    """Indices of ``k`` parts summing to ``target`` (first in lexicographic order), or None."""
    for chosen in combinations(range(len(parts)), k):
        if sum(parts[i] for i in chosen) == target:
            return chosen
    return None


def _closest_subset(parts: tuple[int, ...], k: int, target: int) -> tuple[int, ...]:
    return min(combinations(range(len(parts)), k), key=lambda ch: (abs(sum(parts[i] for i in ch) - target), ch))
