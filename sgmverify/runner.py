"""Running checks: suite discovery, the results store, executors, time limits, resume.

A *suite* is a :class:`~sgmverify.claims.Suite` exposed as ``SUITE`` by a module of the ``proofs_checks``
package, by a module registered under the ``sgmverify.suites`` entry-point group, or by a file given by
path.  :func:`run_checks` expands suites into checks and runs them through any
:class:`concurrent.futures.Executor` (in-process, a process pool, Dask).  Workers never unpickle theorems:
they receive ``(suite source, check id, mode)``, re-import the suite and run the check.

Every finished check is appended at once to a :class:`ResultsStore` (JSON lines, ``fsync``-ed), keyed by a
content hash (:func:`check_hash`), so an interrupted run resumes where it stopped.  Only results produced
by :meth:`Check.run <sgmverify.claims.Check.run>` (including a check's exception or its timeout) are
stored; a check whose worker process died is reported as ERROR for this run and retried by the next.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import ctypes
import hashlib
import importlib
import importlib.metadata
import importlib.util
import json
import os
import pkgutil
import platform
import re
import signal
import sys
import threading
import time
import traceback
import warnings
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .claims import Check, Result, Suite, Verdict
from .errors import (
    CheckTimeoutError,
    InvalidParameterError,
    SgmverifyError,
    StoreError,
    SuiteError,
    UnknownNameError,
)

__all__ = [
    "DEFAULT_PACKAGE",
    "DEFAULT_TIMEOUT",
    "ENTRY_POINT_GROUP",
    "ResultsStore",
    "RunOutcome",
    "StoreWarning",
    "TimeLimit",
    "check_hash",
    "code_version",
    "compile_filter",
    "dask_executor",
    "discover_suites",
    "load_suite",
    "run_checks",
    "run_one",
    "versions",
]

ENTRY_POINT_GROUP = "sgmverify.suites"
DEFAULT_PACKAGE = "proofs_checks"  # where suites named by their Suite.name are looked up
DEFAULT_TIMEOUT = 300.0  # seconds per check


class StoreWarning(UserWarning):
    """A results-store line could not be read (e.g. the torn last line of a killed run) and was skipped."""


# ---------------------------------------------------------------------------------------------- suites
_SUITES: dict[str, Suite] = {}  # source -> loaded suite (a worker process reuses it across checks)
_CHECKS: dict[tuple[str, str], dict[str, Check]] = {}  # (source, mode) -> {check id: check}


def _sgm_version() -> str:
    from . import __version__  # at call time: sgmverify/__init__.py may import this module

    return __version__


def _is_path(source: str) -> bool:
    return source.endswith(".py") or "/" in source or os.sep in source


def _where(exc: BaseException, path: str | None) -> str:
    """`` (line N)`` of the failing line of ``path`` in ``exc`` (empty when unknown)."""
    if isinstance(exc, SyntaxError) and exc.lineno:
        return f" (line {exc.lineno})"
    if path:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == path]
        if frames:
            return f" (line {frames[-1].lineno})"
    return ""


def _import_path(path: Path) -> Any:
    if not path.is_file():
        raise UnknownNameError(
            f"suite file {path} does not exist; pass an existing .py file or a module name."
        )
    tag = hashlib.sha1(str(path).encode()).hexdigest()[:10]
    stem = re.sub(r"\W", "_", path.stem)
    name = f"_sgmverify_suite_{stem}_{tag}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise SuiteError(f"suite file {path} cannot be imported (not a Python source file?).")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look modules up here
    try:
        spec.loader.exec_module(module)
    except (Exception, SystemExit) as exc:
        sys.modules.pop(name, None)
        raise SuiteError(
            f"suite file {path} failed to import{_where(exc, str(path))}: {type(exc).__name__}: {exc}"
        ) from exc
    return module


def _import_module(modname: str) -> Any:
    try:
        return importlib.import_module(modname)
    except ModuleNotFoundError as exc:
        if exc.name and (modname == exc.name or modname.startswith(exc.name + ".")):
            raise UnknownNameError(
                f"no suite module or file named {modname!r}; pass a path to a .py file, an importable module "
                "name, or a suite name shown by `sgmverify list`."
            ) from exc
        err = exc
    except (Exception, SystemExit) as exc:  # noqa: BLE001  (any failure of user code is reported)
        err = exc
    try:
        spec = importlib.util.find_spec(modname)
        origin = spec.origin if spec else None
    except Exception:  # noqa: BLE001  (only for the message)
        origin = None
    raise SuiteError(
        f"suite module {modname} ({origin or 'file unknown'}) failed to import{_where(err, origin)}: "
        f"{type(err).__name__}: {err}"
    ) from err


def load_suite(source: str, *, reload: bool = False, required: bool = True) -> Suite | None:
    """Import the suite named by ``source`` (a ``.py`` path, ``module`` or ``module:attribute``).

    Parameters
    ----------
    source : str
        Where the suite lives; recorded in ``Suite.source``.
    reload : bool
        Import again even if this process already loaded ``source``.
    required : bool
        If False, a module without ``SUITE`` gives ``None`` instead of raising.

    Raises
    ------
    SuiteError
        The suite failed to import or ``SUITE`` is not a :class:`~sgmverify.claims.Suite`.
    UnknownNameError
        No such file or module.
    """
    if not reload and source in _SUITES:
        return _SUITES[source]
    if _is_path(source):
        module, attr = _import_path(Path(source)), "SUITE"
    else:
        modname, _, attr = source.partition(":")
        module, attr = _import_module(modname), attr or "SUITE"
    obj = getattr(module, attr, None)
    if obj is None:
        if not required:
            return None
        raise SuiteError(f"suite {source} defines no {attr}; expose a sgmverify.claims.Suite as {attr}.")
    if not isinstance(obj, Suite):
        raise SuiteError(f"{attr} in {source} is a {type(obj).__name__}, not a sgmverify.claims.Suite.")
    ids = [t.id for t in obj.theorems]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise SuiteError(f"suite {source} has duplicate theorem ids {dup}; make them unique.")
    obj.source = source
    _SUITES[source] = obj
    for key in [k for k in _CHECKS if k[0] == source]:
        del _CHECKS[key]
    return obj


def _package_sources(package: str) -> list[tuple[str, bool]]:
    """``(module, required=False)`` for every direct submodule of ``package`` (not starting with ``_``)."""
    pkg = _import_module(package)
    paths = getattr(pkg, "__path__", None)
    if paths is None:
        return [(package, False)]
    names = sorted(m.name for m in pkgutil.iter_modules(paths) if not m.name.startswith("_"))
    return [(f"{package}.{n}", False) for n in names]


def _arg_sources(arg: str) -> list[tuple[str, bool]]:
    """Sources named by one ``--suite`` argument: a file, a directory of files, a module or a package."""
    p = Path(arg)
    if p.is_dir():
        return [(str(f.resolve()), False) for f in sorted(p.glob("*.py")) if not f.name.startswith("_")]
    if _is_path(arg):
        if not p.is_file():
            raise UnknownNameError(f"suite file {arg} does not exist.")
        return [(str(p.resolve()), True)]
    modname, _, attr = arg.partition(":")
    module = _import_module(modname)
    if attr or hasattr(module, "SUITE") or not hasattr(module, "__path__"):
        return [(arg, True)]
    return _package_sources(modname)


def discover_suites(
    paths: Sequence[str] = (),
    entry_points: bool = True,
    package: str | None = "proofs_checks",
    *,
    errors: list[SuiteError] | None = None,
) -> list[Suite]:
    """Find suites: ``package``'s modules, the ``sgmverify.suites`` entry points, and ``paths``.

    Parameters
    ----------
    paths : sequence of str
        Files, directories, module or package names, or names of suites found the other two ways.
    entry_points : bool
        Include modules registered under the ``sgmverify.suites`` entry-point group
        (``name = "module"`` or ``"module:attribute"``).
    package : str or None
        Package whose submodules exposing ``SUITE`` are suites (modules without it are skipped).
    errors : list, optional
        If given, a suite that fails to import is appended here as a :class:`SuiteError` and discovery
        goes on; otherwise the first failure raises.

    Raises
    ------
    UnknownNameError
        An entry of ``paths`` names no file, module or suite.
    """
    sources: list[tuple[str, bool]] = []
    failures: list[SuiteError] = []
    if package:
        try:
            sources += _package_sources(package)
        except UnknownNameError:
            pass  # the content package is not installed: no suites from it
        except SuiteError as exc:
            failures.append(exc)
    if entry_points:
        for ep in sorted(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            sources.append((ep.value.strip(), True))
    by_name: list[str] = []
    for arg in map(os.fspath, paths):
        try:
            sources += _arg_sources(arg)
        except UnknownNameError:
            by_name.append(arg)
        except SuiteError as exc:
            failures.append(exc)
    suites: list[Suite] = []
    seen: set[str] = set()
    for source, required in sources:
        if source in seen:
            continue
        seen.add(source)
        try:
            suite = load_suite(source, reload=True, required=required)
        except UnknownNameError as exc:
            failures.append(SuiteError(f"registered suite {source!r} cannot be found: {exc}"))
            continue
        except SuiteError as exc:
            failures.append(exc)
            continue
        if suite is not None:
            suites.append(suite)
    if by_name:
        known = {s.name: s for s in discover_suites(package=DEFAULT_PACKAGE, errors=[])}
        unknown = [a for a in by_name if a not in known]
        if unknown:
            raise UnknownNameError(
                f"no suite file, module or suite named {unknown}; known suites: {sorted(known) or 'none'}."
            )
        suites += [known[a] for a in by_name if known[a].source not in seen]
    if failures and errors is None:
        raise failures[0]
    if errors is not None:
        errors.extend(failures)
    return suites


def _source_files(source: str) -> list[Path]:
    if _is_path(source):
        return [Path(source)]
    module = sys.modules.get(source.partition(":")[0])
    file = getattr(module, "__file__", None)
    if not file:
        return []
    if hasattr(module, "__path__"):  # a package: every source file in it
        return sorted(Path(file).parent.rglob("*.py"))
    return [Path(file)]


def code_version(suite: Suite | str) -> str:
    """``"<sgmverify version>+<hash of the suite's source files>"`` (part of every content hash)."""
    source = suite if isinstance(suite, str) else suite.source
    h = hashlib.sha256()
    for f in _source_files(source):
        with contextlib.suppress(OSError):
            h.update(f.read_bytes())
    return f"{_sgm_version()}+{h.hexdigest()[:12]}"


def check_hash(check: Check, code_version: str) -> str:
    """Content hash of a check: theorem id, bound, scenario description and code version (not the mode)."""
    th = check.theorem
    payload = {
        "theorem": th.id,
        "bound": th.bound.to_dict(),
        "expect": th.expect,
        "scenario": check.scenario.describe(),
        "code_version": code_version,
    }
    text = json.dumps(payload, sort_keys=True, default=repr)
    text = re.sub(r" at 0x[0-9a-fA-F]+", "", text)  # object addresses differ between runs
    return hashlib.sha256(text.encode()).hexdigest()


def versions() -> dict[str, str]:
    """Versions of sgmverify, Python and the numerical libraries (recorded in every result)."""
    out = {"sgmverify": _sgm_version(), "python": platform.python_version()}
    for name in ("numpy", "scipy", "sympy", "torch"):
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


# ----------------------------------------------------------------------------------------------- store
def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, set | frozenset):
        return sorted(obj, key=repr)
    return repr(obj)


class ResultsStore:
    """Append-only JSON-lines file of :class:`~sgmverify.claims.Result` records (one per line).

    Each :meth:`append` writes one complete line with a single ``os.write`` loop on a descriptor opened
    with ``O_APPEND``, then ``fsync``-s, so a killed run loses at most the line being written.  Such a torn
    last line is skipped by :meth:`load` with a :class:`StoreWarning`, and removed by the next
    :meth:`append` (a record is only ever written whole, so a partial last line is never a result).
    """

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)

    def append(self, result: Result) -> None:
        """Write ``result`` as one line, durably.

        Raises
        ------
        StoreError
            The file cannot be written (full disk, no permission, ...); lines already stored are kept.
        """
        data = (json.dumps(result.to_dict(), default=_json_default) + "\n").encode()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                size = os.fstat(fd).st_size
                if size and os.pread(fd, 1, size - 1) != b"\n":
                    data = self._repair_tail(fd, size) + data
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            raise StoreError(
                f"could not write the results store {self.path}: {exc.strerror or exc}; free some disk space "
                "or choose another output directory (results already stored are kept)."
            ) from exc

    @staticmethod
    def _repair_tail(fd: int, size: int) -> bytes:
        """Drop a torn last line left by a killed run; a complete one lacking its newline gets one."""
        start = max(0, size - (1 << 20))
        tail = os.pread(fd, size - start, start)
        cut = tail.rfind(b"\n") + 1
        try:
            json.loads(tail[cut:])
        except ValueError:
            if cut or start == 0:
                os.ftruncate(fd, start + cut)
                return b""
        return b"\n"

    def load(self, dedupe: bool = True) -> list[Result]:
        """The stored results, in file order; with ``dedupe`` only the last record per content hash."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise StoreError(f"could not read the results store {self.path}: {exc.strerror or exc}.") from exc
        lines = raw.split(b"\n")
        out: list[Result] = []
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                out.append(Result.from_dict(json.loads(line)))
            except Exception as exc:  # noqa: BLE001  (any unreadable line is skipped with a warning)
                what = (
                    "a torn last line (the run writing it was interrupted)"
                    if n == len(lines)
                    else f"unreadable line {n} ({type(exc).__name__}: {exc})"
                )
                warnings.warn(
                    f"{self.path}: ignoring {what}; its check will run again.", StoreWarning, stacklevel=2
                )
        if not dedupe:
            return out
        last = {r.content_hash or r.check_id: i for i, r in enumerate(out)}
        return [r for i, r in enumerate(out) if last[r.content_hash or r.check_id] == i]

    def hashes(self) -> set[str]:
        """Content hashes of the stored results."""
        return {r.content_hash for r in self.load() if r.content_hash}


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
class TimeLimit:
    """Context manager raising :class:`CheckTimeoutError` in the calling thread after ``seconds``.

    A watchdog thread waits for the deadline, then interrupts the thread that entered, and again every
    0.5 s until the block exits (so a timeout swallowed by a broad ``except`` in user code still ends
    the check).  In the main thread it sends ``SIGALRM`` with :func:`signal.pthread_kill` (which also
    interrupts ``time.sleep`` and blocking waits); it does not use ``setitimer``, so code that arms its
    own ``ITIMER_REAL`` (e.g. :func:`sgmverify.processes._time_limited`) cannot cancel it.  In any other
    thread (e.g. a Dask worker thread) it injects the exception asynchronously, which takes effect at
    the next Python bytecode.  ``fired`` tells whether the deadline passed.
    """

    exception = CheckTimeoutError

    def __init__(self, seconds: float | None) -> None:
        self.seconds = float(seconds) if seconds else 0.0
        self.fired = False
        self._armed = False
        self._thread: threading.Thread | None = None

    def _handler(self, signum: int, frame: Any) -> None:
        if self._armed and self.fired:
            raise CheckTimeoutError(f"timed out after {self.seconds:g} s")
        if callable(self._old):  # someone else's SIGALRM (e.g. their own setitimer): pass it on
            self._old(signum, frame)

    def _interrupt(self) -> None:
        if self._main:
            signal.pthread_kill(self._tid, signal.SIGALRM)
        else:
            ctypes.pythonapi.PyThreadState_SetAsyncExc(
                ctypes.c_ulong(self._tid), ctypes.py_object(CheckTimeoutError)
            )

    def _watch(self) -> None:
        if self._stop.wait(self.seconds):
            return
        self.fired = True
        while self._armed:
            self._interrupt()
            if self._stop.wait(0.5):
                return

    def __enter__(self) -> TimeLimit:
        if self.seconds <= 0:
            return self
        self._tid = threading.get_ident()
        self._main = threading.current_thread() is threading.main_thread() and hasattr(signal, "pthread_kill")
        if self._main:
            self._old = signal.signal(signal.SIGALRM, self._handler)
        self._stop = threading.Event()
        self._armed = True
        self._thread = threading.Thread(target=self._watch, name="sgmverify-timeout", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        if self._thread is None:
            return
        while True:  # a last interrupt may land while disarming: disarm again
            try:
                self._armed = False
                self._stop.set()
                self._thread.join()
                if self._main:
                    signal.signal(signal.SIGALRM, self._old if self._old is not None else signal.SIG_DFL)
                else:  # drop an exception injected but not yet raised
                    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self._tid), None)
                break
            except CheckTimeoutError:
                continue
        self._thread = None


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


def _new_pool(jobs: int) -> cf.Executor:
    return cf.ProcessPoolExecutor(max_workers=jobs, initializer=_exit_with_parent, initargs=(os.getpid(),))


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
