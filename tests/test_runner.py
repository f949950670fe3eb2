"""Tests of the runner (sgmverify.run._runner, _executors, _progress, _filter): runs, resume, errors,
timeouts, executors, progress."""

from __future__ import annotations

import io
import os
import sys
import threading
import time

import pytest
from toys import HEADER, TOY, write

from sgmverify._timelimit import TimeLimit, time_limited
from sgmverify.errors import CheckTimeoutError, InvalidParameterError, ResultsFormatError, StoreWarning
from sgmverify.run import (
    ResultsStore,
    _executors,
    _progress,
    compile_filter,
    load_suite,
    run_checks,
    run_one,
    versions,
)
from sgmverify.theory import Verdict

# the shared toy header with the measures of the slow and the crashing suites
RUNNER_HEADER = (
    HEADER
    + """

import os
import time


def sleepy(scenario, rng):
    time.sleep(scenario.params["s"])
    return 0.0


def sleepy_loop(scenario, rng):
    end = time.monotonic() + scenario.params["s"]
    while time.monotonic() < end:
        time.sleep(0.02)
    return 0.0


def crash(scenario, rng):
    os._exit(3)
"""
)

SLOW = (
    RUNNER_HEADER
    + """
SUITE = Suite("slow", "Slow suite", [
    Theorem("slow.sleep", "sleeps", REF, Bound("1", "upper", "q"), sleepy,
            scenarios=[Scenario("long", params={"s": 30.0}), Scenario("short", params={"s": 0.0})]),
    Theorem("slow.loop", "sleeps in a loop", REF, Bound("1", "upper", "q"), sleepy_loop,
            scenarios=[Scenario("long", params={"s": 30.0})]),
])
"""
)

CRASH = (
    RUNNER_HEADER
    + """
SUITE = Suite("crashy", "Crashing suite", [
    Theorem("crashy.ok", "fine", REF, Bound("2", "upper", "q"), one,
            scenarios=[Scenario(f"s{i}", params={"i": i}) for i in range(4)]),
    Theorem("crashy.die", "kills its worker", REF, Bound("2", "upper", "q"), crash,
            scenarios=[Scenario("a")]),
])
"""
)


@pytest.fixture
def toy(tmp_path):
    return load_suite(str(write(tmp_path, "toy_suite.py", TOY)), reload=True)


def by_id(results):
    return {r.check_id: r for r in results}


# ------------------------------------------------------------------------------------------ versions
def test_versions():
    v = versions()
    assert set(v) >= {"sgmverify", "numpy", "scipy", "sympy", "torch", "python"}


def test_run_namespace_exports_the_store_and_discovery():
    import sgmverify.run as run

    for name in ["DEFAULT_PACKAGE", "ENTRY_POINT_GROUP", "discover_suites", "load_suite", "ResultsStore"]:
        assert name in run.__all__ and getattr(run, name) is not None


# ----------------------------------------------------------------------------------------- running
def test_serial_run_verdicts_and_error_traceback(toy, capsys):
    outcome = run_checks([toy], jobs=1, timeout=10)
    res = by_id(outcome.results)
    assert list(res) == [c.id for c in toy.checks("quick")]
    assert res["toy.exact[a]"].verdict is Verdict.HOLDS and res["toy.exact[a]"].ratio == pytest.approx(0.5)
    assert res["toy.exact[neg]"].verdict is Verdict.ASSUMPTIONS_FAIL
    assert res["toy.negctl[a]"].verdict is Verdict.VIOLATED and res["toy.negctl[a]"].as_expected
    mc = res["toy.mc[a]"]
    assert mc.verdict is Verdict.HOLDS and mc.measured.ci_low < 1.0 < mc.measured.ci_high
    err = res["toy.raises[a]"]
    assert err.verdict is Verdict.ERROR and "boom in measure" in err.reason
    assert "Traceback" in err.traceback and "boom" in err.traceback
    assert all(r.suite == "toy" and len(r.content_hash) == 64 and r.versions for r in outcome.results)
    lines = capsys.readouterr().err.splitlines()  # not a tty: plain lines
    assert lines[0].startswith("[1/5] toy.exact[a]: HOLDS (") and lines[0].endswith(" s)")


def test_filter(toy):
    pred = compile_filter("exact and not neg or (negctl)")
    assert pred("toy.exact[a]") and not pred("toy.exact[neg]") and pred("toy.negctl[a]")
    assert not pred("toy.mc[a]") and compile_filter(None)("anything") and compile_filter("TOY")("toy.x")
    for bad in ("a and", "(a", "a )", "or a"):
        with pytest.raises(InvalidParameterError):
            compile_filter(bad)
    outcome = run_checks([toy], jobs=1, filter="mc or raises", progress=False)
    assert [r.check_id for r in outcome.results] == ["toy.mc[a]", "toy.raises[a]"]


def test_resume_skips_stored_and_reruns_missing(tmp_path, toy):
    store = ResultsStore(tmp_path / "results.jsonl")
    first = run_checks([toy], jobs=1, store=store, progress=False)
    assert first.n_run == 5 and first.skipped == []
    assert len(store.path.read_text().splitlines()) == 5
    second = run_checks([toy], jobs=1, store=store, progress=False)
    assert second.n_run == 0 and len(second.skipped) == 5
    assert [r.verdict for r in second.results] == [r.verdict for r in first.results]
    # a killed run: two complete lines and a torn third one
    lines = store.path.read_text().splitlines(keepends=True)
    store.path.write_text("".join(lines[:2]) + lines[2][:40])
    with pytest.warns(StoreWarning):
        third = run_checks([toy], jobs=1, store=store, progress=False)
    assert third.skipped == [r.check_id for r in first.results[:2]] and third.n_run == 3
    # full mode reuses the quick results (the hash does not depend on the mode)
    full = run_checks([toy], mode="full", jobs=1, store=store, progress=False)
    assert full.n_run == 1 and [r.check_id for r in full.results if r.check_id not in full.skipped] == [
        "toy.exact[b]"
    ]
    again = run_checks([toy], jobs=1, store=store, progress=False, resume=False)
    assert again.n_run == 5


def test_timeout_serial(tmp_path):
    slow = load_suite(str(write(tmp_path, "slow_suite.py", SLOW)), reload=True)
    t0 = time.perf_counter()
    outcome = run_checks([slow], jobs=1, timeout=1, progress=False)
    assert time.perf_counter() - t0 < 8
    res = by_id(outcome.results)
    assert res["slow.sleep[long]"].verdict is Verdict.ERROR
    assert res["slow.sleep[long]"].reason.startswith("timed out after 1 s")
    assert "sleepy" in res["slow.sleep[long]"].traceback
    assert res["slow.sleep[short]"].verdict is Verdict.HOLDS
    assert res["slow.loop[long]"].reason.startswith("timed out after 1 s")


def test_timeout_in_a_thread_and_not_cancelled_by_nested_itimer(tmp_path):

    slow = load_suite(str(write(tmp_path, "slow_suite.py", SLOW)), reload=True)
    check = next(c for c in slow.checks() if c.id == "slow.loop[long]")
    out = {}
    th = threading.Thread(target=lambda: out.setdefault("r", run_one(check, {}, 0.5)))
    th.start()
    th.join(10)
    assert out["r"].verdict is Verdict.ERROR and out["r"].reason.startswith("timed out after 0.5 s")
    # sympy's own SIGALRM timer (time_limited) must not cancel the check's limit
    t0 = time.perf_counter()
    with pytest.raises(CheckTimeoutError), TimeLimit(0.5):
        time_limited(lambda: None, 5.0)
        time.sleep(10)
    assert time.perf_counter() - t0 < 3
    with TimeLimit(5):  # disarmed cleanly: nothing fires later
        pass
    time.sleep(0.1)


def test_process_pool_matches_serial_and_survives_worker_crash(tmp_path, toy):
    crashy = load_suite(str(write(tmp_path, "crash_suite.py", CRASH)), reload=True)
    slow = load_suite(str(write(tmp_path, "slow_suite.py", SLOW)), reload=True)
    store = ResultsStore(tmp_path / "results.jsonl")
    outcome = run_checks([toy, crashy, slow], jobs=2, store=store, timeout=1, progress=False)
    res = by_id(outcome.results)
    serial = by_id(run_checks([toy], jobs=1, progress=False).results)
    for cid, r in serial.items():
        assert res[cid].verdict is r.verdict and res[cid].ratio == r.ratio
    assert all(res[f"crashy.ok[s{i}]"].verdict is Verdict.HOLDS for i in range(4))
    died = res["crashy.die[a]"]
    assert died.verdict is Verdict.ERROR and "worker process died" in died.reason
    assert res["slow.sleep[long]"].reason.startswith("timed out after 1 s")
    stored = {r.check_id for r in store.load()}
    assert "crashy.die[a]" not in stored and len(stored) == len(outcome.results) - 1


def test_broken_user_executor_gives_errors_and_the_run_ends(toy):
    import concurrent.futures as cf

    class Breaks(cf.ThreadPoolExecutor):
        n = 0

        def submit(self, *args, **kwargs):
            self.n += 1
            if self.n > 2:
                raise cf.BrokenExecutor("gone")
            return super().submit(*args, **kwargs)

    with Breaks(max_workers=1) as ex:
        outcome = run_checks([toy], executor=ex, progress=False, timeout=10)
    res = [r.reason for r in outcome.results]
    assert len(res) == 5 and res[2:] == ["executor unusable: BrokenExecutor: gone"] * 3
    assert outcome.results[0].verdict is Verdict.HOLDS


def test_progress_modes(monkeypatch, toy):
    class TTY(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setenv("CI", "true")
    assert _progress._Progress(3, True, TTY()).mode == "lines"
    monkeypatch.delenv("CI")
    p = _progress._Progress(3, True, TTY())
    assert p.mode == "bar"
    p.close()
    assert _progress._Progress(3, False, TTY()).mode == "off"


def test_dask_local(tmp_path, toy):
    pytest.importorskip("distributed")
    with _executors.dask_executor("local", n_workers=1) as ex:
        outcome = run_checks([toy], executor=ex, progress=False, timeout=10)
    assert by_id(outcome.results)["toy.exact[a]"].verdict is Verdict.HOLDS


def test_dask_missing_gives_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(Exception, match="sgmverify\\[dask\\]"), _executors.dask_executor("local"):
        pass


def _threads_in_worker() -> tuple[str, int]:
    import torch

    return os.environ.get("OMP_NUM_THREADS", ""), torch.get_num_threads()


def test_pool_workers_use_one_thread_each():
    pool = _executors._new_pool(1)
    try:
        assert pool.submit(_threads_in_worker).result(timeout=120) == ("1", 1)
    finally:
        pool.shutdown()


# ---------------------------------------------------------------------- a file that is not a store; the lock
@pytest.mark.parametrize("resume", [True, False])
def test_run_refuses_to_append_to_a_file_that_is_not_a_store(tmp_path, toy, resume):
    store = ResultsStore(tmp_path / "results.jsonl")
    store.path.write_text('{\n "schema_version": "1.1",\n "results": [\n')  # a truncated report.json
    with pytest.raises(ResultsFormatError, match="is not a results store"):
        run_checks([toy], jobs=1, store=store, progress=False, resume=resume)
    assert store.path.read_text() == '{\n "schema_version": "1.1",\n "results": [\n'


def test_a_second_run_waits_for_the_store_lock_then_reuses(tmp_path, toy, capsys):
    """Run B (a thread) waits while A holds the store's lock, then reuses every result A stored."""
    holder, other = ResultsStore(tmp_path / "results.jsonl"), ResultsStore(tmp_path / "results.jsonl")
    outcome: list = []
    thread = threading.Thread(
        target=lambda: outcome.append(run_checks([toy], jobs=1, store=other, timeout=None, progress=True))
    )
    err = ""
    with holder.lock():
        thread.start()
        deadline = time.monotonic() + 30
        while "waiting for another run" not in err and time.monotonic() < deadline:
            time.sleep(0.02)
            err += capsys.readouterr().err
        assert "waiting for another run holding" in err and str(holder.lock_path) in err
        first = run_checks([toy], jobs=1, store=holder, timeout=None, progress=False)  # re-enters the lock
        assert first.n_run == 5 and not outcome
    thread.join(60)
    assert outcome[0].n_run == 0 and len(outcome[0].skipped) == 5
    assert len(holder.path.read_text().splitlines()) == 5
