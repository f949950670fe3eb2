"""Tests of sgmverify.run._store: content hashes and the JSON-lines results store (appends, torn lines)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from toys import TOY, write

from sgmverify.errors import StoreError, StoreWarning
from sgmverify.run import ResultsStore, check_hash, code_version, load_suite, run_checks, run_one


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
