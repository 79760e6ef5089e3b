"""Which rule version applies on a date under a regime, and the check that versions never overlap.

Regimes: ``in-force`` uses only versions whose regime is ms:InForce; ``proposed`` adds the
ms:Proposed versions, and a proposed version valid on the date supersedes the in-force one. A
proposed version without a date of application applies from the check date (with a note).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from reasoner.errors import InputError, RuleDataError
from reasoner.rules.model import REGIMES, Obligation, RuleSet, Version


@dataclass(frozen=True)
class Applicable:
    """The version that applies (or None) and any note about how it was chosen."""

    version: Version | None
    note: str | None = None


def check_regime(regime: str) -> str:
    if regime not in REGIMES:
        raise InputError(f"unknown regime {regime!r}; use one of {sorted(REGIMES)}", where="regime")
    return regime


def _covers(version: Version, on: date) -> bool:
    if version.valid_from is not None and on < version.valid_from:
        return False
    return version.valid_until is None or on <= version.valid_until


def _tier(obligation: Obligation, regime_of_versions: str) -> list[Version]:
    return [v for v in obligation.versions if v.regime == regime_of_versions]


def applicable(obligation: Obligation, on: date, regime: str) -> Applicable:
    """The version of ``obligation`` that applies on ``on`` under ``regime``."""
    check_regime(regime)
    if regime == "proposed":
        proposed = [v for v in _tier(obligation, "proposed") if _covers(v, on)]
        if proposed:
            chosen = proposed[0]
            note = None
            if chosen.valid_from is None:
                note = chosen.application_date_note or (
                    f"proposed version with no known date of application: applied from the check date {on.isoformat()}")
            return Applicable(chosen, note)
    in_force = [v for v in _tier(obligation, "in-force") if _covers(v, on)]
    return Applicable(in_force[0] if in_force else None)


def versions_covering(obligation: Obligation, on: date, regime_of_versions: str) -> list[Version]:
    """Every version of one regime tier valid on ``on`` (the sweep test expects at most one)."""
    return [v for v in _tier(obligation, regime_of_versions) if _covers(v, on)]


def _overlap(a: Version, b: Version) -> bool:
    a_from, b_from = a.valid_from or date.min, b.valid_from or date.min
    a_until, b_until = a.valid_until or date.max, b.valid_until or date.max
    return a_from <= b_until and b_from <= a_until


def check_overlaps(ruleset: RuleSet) -> None:
    """Raise :class:`RuleDataError` naming both versions when two versions of one obligation overlap in one regime."""
    for ob in ruleset.obligations:
        for tier in REGIMES:
            versions = _tier(ob, tier)
            for i, a in enumerate(versions):
                if a.valid_from and a.valid_until and a.valid_until < a.valid_from:
                    raise RuleDataError(f"version <{a.iri}> ends before it starts", where=a.iri)
                for b in versions[i + 1:]:
                    if _overlap(a, b):
                        raise RuleDataError(
                            f"versions <{a.iri}> and <{b.iri}> of {ob.id} overlap in regime {tier}",
                            where=ob.iri, details=[{"version": a.iri}, {"version": b.iri}])


def boundaries(ruleset: RuleSet) -> list[date]:
    """Every version boundary (first day, last day, day before, day after) for sweeps and tables."""
    days: set[date] = set()
    from datetime import timedelta

    for ob in ruleset.obligations:
        for v in ob.versions:
            for d in (v.valid_from, v.valid_until):
                if d is not None:
                    days.update({d - timedelta(days=1), d, d + timedelta(days=1)})
    return sorted(days)
