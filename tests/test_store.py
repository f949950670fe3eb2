"""Tests of sgmverify.run._store: content hashes and the JSON-lines results store (appends, torn lines)."""

from __future__ import annotations

import errno
import json
import threading
import time
from pathlib import Path

import pytest
from toys import TOY, write

from sgmverify.errors import ResultsFormatError, StoreError, StoreWarning
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


# ------------------------------------------------------------------------------- not a store; the lock
@pytest.mark.parametrize("content", [b"garbage\nmore\n", b"null", b"{}\n[]\n", bytes(range(256)), b'{"a": 1'])
def test_a_file_without_any_record_is_not_a_store(tmp_path, content):
    store = ResultsStore(tmp_path / "results.jsonl")
    store.path.write_bytes(content)
    with pytest.raises(ResultsFormatError, match=r"is not a results store: none of its .* line\(s\)") as info:
        store.load()
    assert isinstance(info.value, StoreError) and "--out" in str(info.value)
    assert store.path.read_bytes() == content
    store.path.write_bytes(b"\n\n")  # blank lines only: an empty store
    assert store.load() == []


def test_skipped_lines_warn_with_their_line_numbers(tmp_path, toy):
    store = ResultsStore(tmp_path / "results.jsonl")
    res = run_one(toy.checks()[0], {}, 10)
    store.append(res)
    with open(store.path, "a") as fh:
        fh.write("garbage\n" + json.dumps(res.to_dict())[:30])
    with pytest.warns(StoreWarning) as rec:
        assert len(store.load()) == 1
    got = [(w.message.path, w.message.lineno, w.message.problem) for w in rec]
    assert got[0][:2] == (store.path, 2) and "JSONDecodeError" in got[0][2]
    assert got[1] == (store.path, 3, "torn last line of an interrupted run")


def test_lock_makes_a_second_holder_wait(tmp_path):
    first = ResultsStore(tmp_path / "out" / "results.jsonl")
    second = ResultsStore(first.path)
    waited: list[Path] = []
    got = threading.Event()

    def other() -> None:
        with second.lock(on_wait=waited.append):
            got.set()

    with first.lock(), first.lock():  # re-entrant in one thread
        assert first.lock_path == tmp_path / "out" / "results.jsonl.lock" and first.lock_path.exists()
        thread = threading.Thread(target=other)
        thread.start()
        deadline = time.monotonic() + 30
        while not waited and time.monotonic() < deadline:
            time.sleep(0.01)
        assert waited == [first.lock_path] and not got.is_set()
    thread.join(30)
    assert got.is_set() and waited == [first.lock_path]  # told once
    with second.lock(on_wait=waited.append):  # free now: no waiting
        pass
    assert len(waited) == 1


def test_lock_in_an_unusable_directory_is_a_store_error(tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(StoreError, match=r"could not lock the results store.*--out"):
        with ResultsStore(tmp_path / "file" / "results.jsonl").lock():
            pass


def test_append_error_says_the_os_text_once(tmp_path, toy, monkeypatch):
    res = run_one(toy.checks()[0], {}, 10)

    def denied(*args, **kwargs):
        raise PermissionError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr("sgmverify.run._store.os.open", denied)
    with pytest.raises(StoreError) as info:
        ResultsStore(tmp_path / "results.jsonl").append(res)
    msg = str(info.value)
    assert msg.lower().count("operation not permitted") == 1 and "disk space" not in msg
    assert "choose another output directory (--out)" in msg
