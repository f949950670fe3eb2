"""Tests of sgmverify.store: content hashes and the JSON-lines results store (appends, torn lines)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from sgmverify.errors import StoreError
from sgmverify.runner import run_checks, run_one
from sgmverify.store import ResultsStore, StoreWarning, check_hash, code_version
from sgmverify.suites import load_suite

HEADER = """
from sgmverify.claims import Assumption, Bound, Provenance, Reference, Scenario, Suite, Theorem
from sgmverify.estimates import mean_ci

REF = Reference("Textbook", "facts", where="eq. 1", provenance=Provenance.TEXTBOOK)


def one(scenario, rng):
    return 1.0


def mc(scenario, rng):
    return mean_ci(rng.normal(1.0, 0.1, size=200))


def boom(scenario, rng):
    raise ValueError("boom in measure")


def positive(scenario):
    return scenario.params["x"] > 0
"""

TOY = (
    HEADER
    + """
SUITE = Suite("toy", "Toy suite", [
    Theorem("toy.exact", "an exact true claim", REF, Bound("x + 1", "upper", "one"), one,
            assumptions=[Assumption("positive", "x > 0", positive)],
            scenarios=[Scenario("a", params={"x": 1.0}), Scenario("b", params={"x": 3.0}, quick=False),
                       Scenario("neg", params={"x": -1.0})]),
    Theorem("toy.negctl", "a false claim", REF, Bound("1/2", "upper", "one"), one, expect="violated",
            scenarios=[Scenario("a")]),
    Theorem("toy.mc", "a Monte Carlo claim", REF, Bound("2", "upper", "mean"), mc,
            scenarios=[Scenario("a", seed=3)]),
    Theorem("toy.raises", "a check that raises", REF, Bound("1", "upper", "q"), boom,
            scenarios=[Scenario("a")]),
    Theorem("toy.formula", "a formula", REF, Bound("C*sqrt(d)/n", "upper", "err"), one),
])
"""
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


@pytest.fixture
def toy(tmp_path):
    return load_suite(str(write(tmp_path, "toy_suite.py", TOY)), reload=True)


# ------------------------------------------------------------------------------------------- hashing
def test_check_hash_is_mode_independent_and_tracks_code(tmp_path, toy):
    cv = code_version(toy)
    quick = {c.id: check_hash(c, cv) for c in toy.checks("quick")}
    full = {c.id: check_hash(c, cv) for c in toy.checks("full")}
    assert all(full[k] == v for k, v in quick.items())
    assert len(set(full.values())) == len(full)
    path = Path(toy.source)
    path.write_text(path.read_text() + "\n# edited\n")
    assert code_version(str(path)) != cv


# --------------------------------------------------------------------------------------------- store
def test_store_append_load_and_torn_line(tmp_path, toy):
    store = ResultsStore(tmp_path / "out" / "results.jsonl")
    assert store.load() == []
    outcome = run_checks([toy], jobs=1, progress=False, timeout=10)
    for r in outcome.results[:3]:
        store.append(r)
    lines = store.path.read_text().splitlines()
    assert len(lines) == 3 and all(json.loads(line)["check_id"] for line in lines)
    loaded = store.load()
    assert [r.check_id for r in loaded] == [r.check_id for r in outcome.results[:3]]
    assert loaded[0].verdict is outcome.results[0].verdict
    with open(store.path, "a") as fh:  # a killed run: half a line
        fh.write(lines[0][: len(lines[0]) // 2])
    with pytest.warns(StoreWarning, match="torn last line"):
        assert len(store.load()) == 3
    store.append(outcome.results[3])  # removes the torn line first
    assert [r.check_id for r in store.load()] == [r.check_id for r in outcome.results[:4]]
    assert len(store.path.read_text().splitlines()) == 4 and len(store.hashes()) == 4
    with open(store.path, "a") as fh:  # a complete last record without its newline is kept
        fh.write(lines[0])
    store.append(outcome.results[4])
    assert len(store.load(dedupe=False)) == 6 and len(store.load()) == 5


def test_store_write_failure_is_a_store_error(tmp_path, toy):
    res = run_one(toy.checks()[0], {}, 10)
    with pytest.raises(StoreError, match=r"could not write"):
        ResultsStore("/dev/full").append(res)  # ENOSPC
    (tmp_path / "file").write_text("")
    with pytest.raises(StoreError):
        ResultsStore(tmp_path / "file" / "results.jsonl").append(res)
