"""Running checks: executors, time limits, progress, resume.

:func:`run_checks` expands suites (see :mod:`sgmverify.run._suites`) into checks and runs them through any
:class:`concurrent.futures.Executor` (in-process, a process pool, Dask).  Workers never unpickle theorems:
they receive ``(suite source, check id, mode)``, re-import the suite and run the check.

Every finished check is appended at once to a :class:`~sgmverify.run.ResultsStore`, keyed by its content
hash, so an interrupted run resumes where it stopped.  Only results produced by
:meth:`Check.run <sgmverify.theory.Check.run>` (including a check's exception or its timeout) are
stored; a check whose worker process died is reported as ERROR for this run and retried by the next.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import ctypes
import importlib.metadata
import os
import platform
import re
import signal
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sgmverify._timelimit import TimeLimit
from sgmverify.errors import InvalidParameterError, SgmverifyError, SuiteError
from sgmverify.theory import Check, Result, Suite, Verdict

from ._store import ResultsStore, _sgm_version, check_hash, code_version
from ._suites import _CHECKS, load_suite

__all__ = [
    "DEFAULT_TIMEOUT",
    "RunOutcome",
    "compile_filter",
    "dask_executor",
    "run_checks",
    "run_one",
    "versions",
]


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


# ----------------------------------------------------------------------------------------- filtering
def compile_filter(expr: str | None) -> Callable[..., bool]:
    """A predicate from a ``-k`` expression: words (case-insensitive substrings) with and / or / not / ().

    The predicate takes any number of strings (check id, suite name) and is true when the expression holds
    with each word matching if it is a substring of one of them.

    Raises
    ------
    InvalidParameterError
        The expression does not parse.
    """
    tokens = re.findall(r"\(|\)|[^\s()]+", expr or "")
    if not tokens:
        return lambda *names: True
    pos = 0

    def peek() -> str | None:
        return tokens[pos] if pos < len(tokens) else None

    def take() -> str:
        nonlocal pos
        if pos >= len(tokens):
            raise InvalidParameterError(f"-k expression {expr!r} ends unexpectedly.")
        pos += 1
        return tokens[pos - 1]

    def atom() -> Callable[[str], bool]:
        tok = take()
        if tok == "not":
            inner = atom()
            return lambda s: not inner(s)
        if tok == "(":
            inner = disj()
            if take() != ")":
                raise InvalidParameterError(f"-k expression {expr!r}: missing ')'.")
            return inner
        if tok in ("and", "or", ")"):
            raise InvalidParameterError(f"-k expression {expr!r}: unexpected {tok!r}.")
        word = tok.lower()
        return lambda s: word in s

    def conj() -> Callable[[str], bool]:
        parts = [atom()]
        while peek() == "and":
            take()
            parts.append(atom())
        return lambda s: all(p(s) for p in parts)

    def disj() -> Callable[[str], bool]:
        parts = [conj()]
        while peek() == "or":
            take()
            parts.append(conj())
        return lambda s: any(p(s) for p in parts)

    pred = disj()
    if pos != len(tokens):
        raise InvalidParameterError(f"-k expression {expr!r}: unexpected {tokens[pos]!r}.")
    return lambda *names: pred("\n".join(names).lower())


# ------------------------------------------------------------------------------------------- running
def run_one(check: Check, versions: dict | None = None, timeout: float | None = DEFAULT_TIMEOUT) -> Result:
    """Run one check in this process under a time limit; never raises (timeouts become ERROR)."""
    limit = TimeLimit(timeout)
    result: Result | None = None
    tb = ""
    t0 = time.perf_counter()
    try:
        with limit:
            result = check.run(versions)
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


class _Progress:
    """A tqdm bar on a terminal; plain ``[i/n] id: VERDICT (t s)`` lines otherwise or when ``CI=true``."""

    def __init__(self, total: int, enabled: bool, stream: Any = None) -> None:
        self.stream = stream or sys.stderr
        self.total, self.n, self.bar = total, 0, None
        ci = os.environ.get("CI", "").lower() in ("1", "true", "yes")
        tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.mode = "off" if not enabled or total == 0 else ("bar" if tty and not ci else "lines")
        if self.mode == "bar":
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="check", file=self.stream, dynamic_ncols=True)

    def update(self, r: Result) -> None:
        self.n += 1
        t = r.timings.get("total_s", float("nan"))
        line = f"[{self.n}/{self.total}] {r.check_id}: {r.verdict.value} ({t:.1f} s)"
        if not r.as_expected:
            line += f" — {r.reason}"
        if self.bar is not None:
            self.bar.update(1)
            if not r.as_expected:
                self.bar.write(line, file=self.stream)
        elif self.mode == "lines":
            print(line, file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _exit_with_parent(parent: int) -> None:
    """Pool-worker initializer: end this worker when the run that started it dies (e.g. ``kill -9``)."""
    with contextlib.suppress(Exception):  # Linux: the kernel signals us when the parent dies
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG

    def watch() -> None:  # everywhere: poll the parent's pid
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="sgmverify-parent-watch", daemon=True).start()


def _one_thread_per_worker() -> None:
    """Pool-worker initializer: one BLAS/torch thread per worker process.

    ``jobs`` workers already use the cores; letting each also start a thread per core oversubscribes them
    (a small torch layer ran ~100x slower that way on a loaded 2-core machine).
    """
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = "1"
    torch = sys.modules.get("torch")  # inherited from the parent by fork; otherwise the variables above apply
    if torch is not None:
        with contextlib.suppress(Exception):
            torch.set_num_threads(1)


def _worker_init(parent: int) -> None:
    _exit_with_parent(parent)
    _one_thread_per_worker()


def _new_pool(jobs: int) -> cf.Executor:
    return cf.ProcessPoolExecutor(max_workers=jobs, initializer=_worker_init, initargs=(os.getpid(),))


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
        are skipped and their stored result reused.
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
        The store cannot be written (the run stops; stored results are kept).
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
    stored = {r.content_hash: r for r in store.load()} if store is not None and resume else {}
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


@contextlib.contextmanager
def dask_executor(address: str = "local", n_workers: int | None = None) -> Iterator[cf.Executor]:
    """A :class:`concurrent.futures.Executor` on a Dask cluster (``"local"``: a LocalCluster on 127.0.0.1).

    Suites given by file path must be readable at the same path on the workers.

    Raises
    ------
    SgmverifyError
        ``dask.distributed`` is not installed.
    """
    try:
        import distributed
    except ImportError as exc:
        raise SgmverifyError(
            "--dask needs the optional dependency dask.distributed; install it with "
            "`pip install 'sgmverify[dask]'`, or run with --jobs N instead."
        ) from exc
    with contextlib.ExitStack() as stack:
        if address == "local":
            cluster = stack.enter_context(
                distributed.LocalCluster(
                    host="127.0.0.1",
                    n_workers=n_workers or os.cpu_count() or 1,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                )
            )
            client = stack.enter_context(distributed.Client(cluster))
        else:
            client = stack.enter_context(distributed.Client(address))
        yield client.get_executor(pure=False)
