"""The results store (JSON lines, atomic appends) and content hashing of checks.

Every finished check is appended at once to a :class:`ResultsStore` (JSON lines, ``fsync``-ed), keyed by a
content hash (:func:`check_hash`) of the check and the :func:`code_version` of its suite, so an interrupted
run resumes where it stopped.  One run writes a store at a time: :meth:`ResultsStore.lock` (a
:mod:`filelock` lock file next to it) makes a second run wait, then reuse the first run's results.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import filelock
import numpy as np

from sgmverify._version import __version__
from sgmverify.errors import ResultsFormatError, StoreError, StoreWarning
from sgmverify.theory import Check, Result, Suite

from ._sources import (
    is_path as _is_path,  # (not from ._suites: that would close an import cycle)
    path_files,
)

__all__ = ["ResultsStore", "StoreWarning", "check_hash", "code_version"]


def _sgm_version() -> str:

    return __version__


def _source_files(source: str) -> list[Path]:
    if _is_path(source):  # a file and the modules beside it, or every file of a package folder
        return path_files(Path(source))
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
    if getattr(th, "beyond_hypotheses", False):  # opting in changes what the result holds (Result.outside)
        payload["beyond_hypotheses"] = True
    text = json.dumps(payload, sort_keys=True, default=repr)
    text = re.sub(r" at 0x[0-9a-fA-F]+", "", text)  # object addresses differ between runs
    return hashlib.sha256(text.encode()).hexdigest()


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, set | frozenset):
        return sorted(obj, key=repr)
    return repr(obj)


class ResultsStore:
    """Append-only JSON-lines file of :class:`~sgmverify.theory.Result` records (one per line).

    Each :meth:`append` writes one complete line with a single ``os.write`` loop on a descriptor opened
    with ``O_APPEND``, then ``fsync``-s, so a killed run loses at most the line being written.  Such a torn
    last line is skipped by :meth:`load` with a :class:`StoreWarning`, and removed by the next
    :meth:`append` (a record is only ever written whole, so a partial last line is never a result).  A file
    with content but not one readable record is not a store: :meth:`load` raises
    :class:`~sgmverify.errors.ResultsFormatError` rather than letting a run append to it.

    Writers take :meth:`lock` (``<store>.lock``, a :class:`filelock.FileLock`) for the whole run.
    """

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self._lock: filelock.FileLock | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {"path": self.path, "_lock": None}  # a held lock stays with its process

    @property
    def lock_path(self) -> Path:
        """The lock file of the store: ``<store>.lock`` (e.g. ``reports/results.jsonl.lock``)."""
        return self.path.with_name(self.path.name + ".lock")

    @contextlib.contextmanager
    def lock(self, on_wait: Callable[[Path], None] | None = None) -> Iterator[ResultsStore]:
        """Hold the store's lock file for the block: one writer per store (re-entrant in one thread).

        Parameters
        ----------
        on_wait : callable, optional
            Called once with :attr:`lock_path` when another process holds the lock, before waiting for it.

        Raises
        ------
        StoreError
            The lock file cannot be created (no permission, read-only file system, ...).
        """
        if self._lock is None:
            self._lock = filelock.FileLock(self.lock_path)
        lock = self._lock
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                lock.acquire(timeout=0)
            except filelock.Timeout:
                if on_wait is not None:
                    on_wait(self.lock_path)
                lock.acquire()
        except OSError as exc:
            raise StoreError(
                f"could not lock the results store: cannot create {self.lock_path} "
                f"({exc.strerror or exc}); choose a writable output directory (--out)."
            ) from exc
        try:
            yield self
        finally:
            lock.release()

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
            full = exc.errno in (errno.ENOSPC, errno.EDQUOT)
            todo = "free some disk space or choose" if full else "choose"
            raise StoreError(
                f"could not write the results store {self.path}: {exc.strerror or exc}; {todo} another "
                "output directory (--out); results already stored are kept."
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
        """The stored results, in file order; with ``dedupe`` only the last record per content hash.

        An unreadable line (the torn last line of a killed run, a damaged line) is skipped with a
        :class:`StoreWarning` carrying ``path``, ``lineno`` and ``problem`` attributes.

        Raises
        ------
        ResultsFormatError
            The file has content but not one readable record (garbage, binary bytes, a report.json, ...).
        StoreError
            The file cannot be read.
        """
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise StoreError(f"could not read the results store {self.path}: {exc.strerror or exc}.") from exc
        lines = raw.split(b"\n")
        out: list[Result] = []
        bad: list[tuple[int, bool, str]] = []  # (line number, torn, problem)
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                out.append(Result.from_dict(json.loads(line)))
            except Exception as exc:  # noqa: BLE001  (any unreadable line is skipped with a warning)
                bad.append((n, n == len(lines), f"{type(exc).__name__}: {exc}"[:120]))
        if bad and not out:
            n, _, problem = bad[0]
            raise ResultsFormatError(
                f"{self.path} is not a results store: none of its {len(bad)} non-empty line(s) is a result "
                f"record (line {n}: {problem}). Move it away (if a run was killed while writing its first "
                "result, delete it) or choose another output directory (--out)."
            )
        for n, torn, problem in bad:
            what = (
                "a torn last line (the run writing it was interrupted)"
                if torn
                else f"unreadable line {n} ({problem})"
            )
            warning = StoreWarning(f"{self.path}: ignoring {what}; its check will run again.")
            warning.path, warning.lineno = self.path, n
            warning.problem = "torn last line of an interrupted run" if torn else problem
            warnings.warn(warning, stacklevel=2)
        if not dedupe:
            return out
        last = {r.content_hash or r.check_id: i for i, r in enumerate(out)}
        return [r for i, r in enumerate(out) if last[r.content_hash or r.check_id] == i]

    def hashes(self) -> set[str]:
        """Content hashes of the stored results."""
        return {r.content_hash for r in self.load() if r.content_hash}
