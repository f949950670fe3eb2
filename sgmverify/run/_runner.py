"""Running checks: serial or through an executor, time limits, resume.

:func:`run_checks` expands suites (see :mod:`sgmverify.run._suites`) into checks and runs them through any
:class:`concurrent.futures.Executor` (in-process, a process pool, Dask: :mod:`sgmverify.run._executors`).
Workers never unpickle theorems: they receive ``(suite source, check id, mode)``, re-import the suite and run
the check with :func:`run_one` (the pipeline :func:`~sgmverify.run.run_check` under a time limit).

Every finished check is appended at once to a :class:`~sgmverify.run.ResultsStore`, keyed by its content
hash, so an interrupted run resumes where it stopped.  A run holds the store's lock
(:meth:`ResultsStore.lock <sgmverify.run.ResultsStore.lock>`) from reading it to its last append: a second
run on the same store waits, then reuses the first one's results.  Only results produced by
:func:`~sgmverify.run.run_check` (including a check's exception or its timeout) are stored; a check whose
worker process died is reported as ERROR for this run and retried by the next.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import importlib.metadata
import os
import platform
import sys
import time
import traceback
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sgmverify._timelimit import TimeLimit
from sgmverify.errors import InvalidParameterError, SuiteError
from sgmverify.theory import Check, Result, Suite, Verdict

from ._executors import _new_pool
from ._filter import compile_filter
from ._pipeline import run_check
from ._progress import _Progress
from ._store import ResultsStore, _sgm_version, check_hash, code_version
from ._suites import _CHECKS, load_suite

__all__ = ["DEFAULT_TIMEOUT", "RunOutcome", "run_checks", "run_one", "versions"]


DEFAULT_TIMEOUT = 300.0  # seconds per check


def versions() -> dict[str, str]:
    """Versions of sgmverify, Python and the numerical libraries (recorded in every result)."""
    out = {"sgmverify": _sgm_version(), "python": platform.python_version()}
    for name in ("numpy", "scipy", "sympy", "torch"):
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def run_one(check: Check, versions: dict | None = None, timeout: float | None = DEFAULT_TIMEOUT) -> Result:
    """Run one check in this process under a time limit; never raises (timeouts become ERROR)."""
    limit = TimeLimit(timeout)
    result: Result | None = None
    tb = ""
    t0 = time.perf_counter()
    try:
        with limit:
            result = run_check(check, versions)
    except limit.exception:
        tb = traceback.format_exc()
    if limit.fired or result is None:
        if result is None:
            result = Result.empty(check)
            result.versions = dict(versions or {})
        result.traceback = result.traceback or tb
        result.verdict = Verdict.ERROR
        result.reason = f"timed out after {timeout:g} s (raise --timeout or make the scenario cheaper)"
        result.timings["total_s"] = time.perf_counter() - t0
    return result


def _worker_task(source: str, check_id: str, mode: str, vers: dict, timeout: float | None) -> dict:
    """Executor task: re-import the suite (once per process), find the check, run it."""
    key = (source, mode)
    if key not in _CHECKS:
        suite = load_suite(source)
        assert suite is not None
        _CHECKS[key] = {c.id: c for c in suite.checks(mode)}
    check = _CHECKS[key].get(check_id)
    if check is None:
        raise SuiteError(f"check {check_id} is not in suite {source} ({mode} mode); did the suite change?")
    return run_one(check, vers, timeout).to_dict()


def _failure_result(check: Check, vers: dict, exc: BaseException, what: str) -> Result:
    res = Result.empty(check)
    res.versions = dict(vers)
    res.verdict = Verdict.ERROR
    res.reason = f"{what}: {type(exc).__name__}: {exc}".splitlines()[0][:300]
    res.traceback = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return res


@dataclass
class RunOutcome:
    """What :func:`run_checks` did: ``results`` of every selected check (in order, stored ones reused),
    ``skipped`` (ids of checks whose stored result was reused) and the wall time."""

    results: list[Result]
    skipped: list[str] = field(default_factory=list)
    elapsed_s: float = 0.0

    @property
    def n_run(self) -> int:
        return len(self.results) - len(self.skipped)

    def to_dataframe(self):  # a pandas DataFrame (pandas is optional, so no annotation)
        """The results as a pandas DataFrame (:func:`sgmverify.report.results_to_dataframe`; needs the
        ``[pandas]`` extra)."""
        from sgmverify.report import results_to_dataframe

        return results_to_dataframe(self.results)


def run_checks(
    suites: Sequence[Suite],
    mode: str = "quick",
    jobs: int | None = None,
    executor: cf.Executor | None = None,
    store: ResultsStore | None = None,
    filter: str | Callable[..., bool] | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
    progress: bool = True,
    resume: bool = True,
) -> RunOutcome:
    """Run the checks of ``suites``.

    Parameters
    ----------
    suites : sequence of Suite
        From :func:`discover_suites` (their ``source`` is how workers re-import them).
    mode : {"quick", "full"}
        Which scenarios to run.
    jobs : int, optional
        Without ``executor``: 1 runs in this process; N > 1 uses a process pool of N workers (default:
        ``os.cpu_count()``).
    executor : concurrent.futures.Executor, optional
        Run through this executor instead (e.g. :func:`dask_executor`); it is not shut down.
    store : ResultsStore, optional
        Each finished check is appended at once; with ``resume``, checks whose content hash is stored
        are skipped and their stored result reused.  The store is locked for the run (another run on it
        is waited for first, then its results are reused).
    filter : str or callable, optional
        A ``-k`` expression (see :func:`compile_filter`) or a predicate ``f(check_id, suite_name)``.
    timeout : float or None
        Seconds per check; a check running longer becomes ERROR "timed out after ... s".
    progress : bool
        Show progress on stderr.
    resume : bool
        Reuse stored results.

    Raises
    ------
    StoreError
        The store cannot be written or locked (the run stops; stored results are kept).
    ResultsFormatError
        The store file holds no readable result (it is not a store); nothing is appended to it.
    """
    t0 = time.perf_counter()
    if mode not in ("quick", "full"):
        raise InvalidParameterError(f"mode must be 'quick' or 'full', got {mode!r}.")
    if jobs is not None and jobs < 1:
        raise InvalidParameterError(f"jobs must be >= 1, got {jobs}.")
    match = compile_filter(filter) if filter is None or isinstance(filter, str) else filter
    vers = versions()
    items: list[tuple[Suite, Check, str]] = []
    for suite in suites:
        cv = code_version(suite)
        items += [(suite, c, check_hash(c, cv)) for c in suite.checks(mode) if match(c.id, suite.name)]
    with store.lock(_say_waiting if progress else None) if store is not None else contextlib.nullcontext():
        return _run_items(items, mode, vers, jobs, executor, store, timeout, progress, resume, t0)


def _say_waiting(lock_path: os.PathLike) -> None:
    print(f"waiting for another run holding {lock_path} to finish...", file=sys.stderr, flush=True)


def _run_items(
    items: list[tuple[Suite, Check, str]],
    mode: str,
    vers: dict,
    jobs: int | None,
    executor: cf.Executor | None,
    store: ResultsStore | None,
    timeout: float | None,
    progress: bool,
    resume: bool,
    t0: float,
) -> RunOutcome:
    """Run ``items`` (under the store's lock): reuse stored results, run and store the others."""
    loaded = store.load() if store is not None else []  # read even without resume: is it a store at all?
    stored = {r.content_hash: r for r in loaded} if resume else {}
    results: dict[int, Result] = {}
    skipped = [items[i][1].id for i in range(len(items)) if items[i][2] in stored]
    for i, (_, _, h) in enumerate(items):
        if h in stored:
            results[i] = stored[h]
    pending = [i for i in range(len(items)) if i not in results]
    bar = _Progress(len(pending), progress)

    def finish(i: int, res: Result, persist: bool = True) -> None:
        res.suite, res.content_hash = items[i][0].name, items[i][2]
        results[i] = res
        if store is not None and persist:
            store.append(res)
        bar.update(res)

    try:
        if executor is None and (jobs or os.cpu_count() or 1) == 1:
            for i in pending:
                finish(i, run_one(items[i][1], vers, timeout))
        elif pending:
            _run_pooled(items, pending, mode, vers, timeout, jobs, executor, finish)
    finally:
        bar.close()
    return RunOutcome([results[i] for i in range(len(items))], skipped, time.perf_counter() - t0)


def _run_pooled(
    items: list[tuple[Suite, Check, str]],
    pending: list[int],
    mode: str,
    vers: dict,
    timeout: float | None,
    jobs: int | None,
    executor: cf.Executor | None,
    finish: Callable[..., None],
) -> None:
    """Submit checks through an executor, a bounded window at a time.

    When a process pool breaks (a worker died), the checks it had in flight are retried one at a time
    in a fresh pool; the one that kills its worker again is reported as ERROR (and not stored).
    """
    own = executor is None
    workers = jobs or getattr(executor, "_max_workers", None) or os.cpu_count() or 1
    pool = _new_pool(workers) if own else executor
    assert pool is not None
    queue, suspects = deque(pending), deque[int]()
    inflight: dict[cf.Future, tuple[int, bool]] = {}  # future -> (item, ran alone)
    fresh = True  # no work accepted yet by this pool

    def submit(i: int, alone: bool) -> None:
        nonlocal fresh
        suite, check, _ = items[i]
        inflight[pool.submit(_worker_task, suite.source, check.id, mode, vers, timeout)] = (i, alone)
        fresh = False

    def fail_rest(exc: BaseException) -> None:
        for i in [*suspects, *queue]:
            finish(i, _failure_result(items[i][1], vers, exc, "executor unusable"), False)
        suspects.clear()
        queue.clear()

    try:
        while queue or suspects or inflight:
            try:
                if suspects and not inflight:
                    submit(suspects[0], True)
                    suspects.popleft()
                while queue and not suspects and len(inflight) < 2 * workers:
                    submit(queue[0], False)
                    queue.popleft()
            except (cf.BrokenExecutor, RuntimeError) as exc:  # the executor refuses new work
                if not own or fresh:
                    fail_rest(exc)
                elif not inflight:  # (otherwise the in-flight futures fail and the pool is replaced below)
                    pool.shutdown(wait=True, cancel_futures=True)
                    pool, fresh = _new_pool(workers), True
                if not inflight:
                    continue
            done, _ = cf.wait(list(inflight), return_when=cf.FIRST_COMPLETED)
            broken = False
            for fut in done:
                i, alone = inflight.pop(fut)
                try:
                    res = Result.from_dict(fut.result())
                except cf.BrokenExecutor as exc:
                    broken = True
                    if alone:
                        finish(i, _failure_result(items[i][1], vers, exc, "worker process died"), False)
                    else:
                        suspects.append(i)
                except Exception as exc:  # noqa: BLE001  (a worker failure must not stop the run)
                    finish(i, _failure_result(items[i][1], vers, exc, "worker failed"), False)
                else:
                    finish(i, res)
            if broken and own:
                cf.wait(list(inflight))
                for fut, (i, _) in list(inflight.items()):
                    try:
                        finish(i, Result.from_dict(fut.result()))
                    except Exception:  # noqa: BLE001  (died with the pool: retry alone)
                        suspects.append(i)
                inflight.clear()
                pool.shutdown(wait=True, cancel_futures=True)
                pool, fresh = _new_pool(workers), True
    except BaseException:
        for fut in inflight:
            fut.cancel()
        raise
    finally:
        if own:
            pool.shutdown(wait=True, cancel_futures=True)
