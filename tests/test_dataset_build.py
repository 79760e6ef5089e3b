"""The default-dataset build is reproducible and the committed extracts are what it makes.

Needs the raw sources (``$MEDSUPPLY_RAW_DATA`` or ``../shared/data/raw``); skipped without them.
Also checks the two pieces of the build that carry judgement: the supplier reconstruction and the
substance matcher (which must never guess).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT) not in sys.path:  # `data` is not an installed package (pyproject includes reasoner*, api*)
    sys.path.insert(0, str(PROJECT))

from data.build.context import BuildContext, raw_data_dir
from data.build.pipeline import build_dataset
from data.build.reconstruct import Published, reconstruct

COMMITTED = PROJECT / "data" / "default"
RAW = raw_data_dir()
needs_raw = pytest.mark.skipif(not (RAW / "SOURCES.md").is_file(),
                               reason=f"raw sources not found at {RAW} (set MEDSUPPLY_RAW_DATA)")


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, bytes], dict[str, bytes]]:
    first, second = tmp_path_factory.mktemp("build-1"), tmp_path_factory.mktemp("build-2")
    build_dataset(RAW, first / "default", first / "ATTRIBUTION.md")
    build_dataset(RAW, second / "default", second / "ATTRIBUTION.md")
    return ({**_files(first / "default"), "ATTRIBUTION.md": (first / "ATTRIBUTION.md").read_bytes()},
            {**_files(second / "default"), "ATTRIBUTION.md": (second / "ATTRIBUTION.md").read_bytes()})


@needs_raw
def test_build_twice_gives_byte_identical_files(built: tuple[dict[str, bytes], dict[str, bytes]]) -> None:
    first, second = built
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []


@needs_raw
def test_committed_default_dataset_is_what_the_build_makes(built: tuple[dict[str, bytes], dict[str, bytes]]) -> None:
    first, _ = built
    committed = {**_files(COMMITTED), "ATTRIBUTION.md": (PROJECT / "data" / "ATTRIBUTION.md").read_bytes()}
    assert sorted(committed) == sorted(first), "run `make data` and commit data/default"
    assert [name for name in first if first[name] != committed[name]] == [], "run `make data`"


def test_every_file_is_small_enough_to_commit() -> None:
    sizes = {p.name: p.stat().st_size for p in COMMITTED.iterdir()}
    assert sizes and max(sizes.values()) < 10_000_000, sizes


def test_reconstruction_reproduces_amoxicillin_cep_holders() -> None:
    eea = {"AT", "ES", "IT", "DE", "FR", "NL"}
    published = Published(n=19, countries=("AT", "CN", "ES", "GB", "IL", "IN", "IT", "MN", "OM"), top="CN",
                          top_share=0.2631578947368421, hhi=1634.3, eu_eea_share=0.2631578947368421)
    split = reconstruct(published, eea)
    assert split.exact
    assert sum(split.counts.values()) == 19 and split.counts["CN"] == 5
    assert set(split.counts) == set(published.countries) and min(split.counts.values()) >= 1
    assert sum(v for c, v in split.counts.items() if c in eea) == 5


def test_reconstruction_reports_the_closest_split_when_none_is_exact() -> None:
    published = Published(n=4, countries=("CN", "IN"), top="CN", top_share=0.75, hhi=9000.0, eu_eea_share=0.0)
    split = reconstruct(published, set())
    assert not split.exact
    assert split.counts == {"CN": 3, "IN": 1}
    assert "closest" in split.deviation(published)


@needs_raw
def test_matcher_maps_dutch_spelling_to_who_names_and_records_how() -> None:
    index = BuildContext(raw=RAW).substances
    match = index.match("Amoxicilline")
    assert match is not None and match.substance.key == "amoxicillin" and match.method == "spelling-rules"
    combination = index.match("Abacavir/lamivudine")
    assert combination is not None and combination.substance.key == "abacavir|lamivudine"


@needs_raw
def test_matcher_refuses_unknown_names_instead_of_guessing() -> None:
    index = BuildContext(raw=RAW).substances
    assert index.match("Zzyzxoline") is None
    assert index.match("") is None
