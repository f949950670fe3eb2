"""Where suites live, found without importing them: the sources named by ``--suite`` arguments, the
content package's submodules and the entry points, and the ``.py`` files whose content identifies each.

Importing a suite runs its numerics' imports (numpy, scipy, sympy, torch: seconds); the suite index
(:mod:`._index`) only needs to know *which* suites there are and whether their files changed, which
this module answers with :func:`importlib.util.find_spec`, :func:`pkgutil.iter_modules` and file hashes.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.metadata
import importlib.util
import os
import pkgutil
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from sgmverify.errors import SuiteError, UnknownNameError

__all__ = [
    "DEFAULT_PACKAGE",
    "ENTRY_POINT_GROUP",
    "SuitePathError",
    "SuiteSource",
    "entry_point_sources",
    "files_hash",
    "is_path",
    "package_sources",
    "path_files",
    "resolve_arg",
    "resolve_args",
    "unknown_suite_names",
]

ENTRY_POINT_GROUP = "sgmverify.suites"
DEFAULT_PACKAGE = "proofs_checks"  # where suites named by their Suite.name are looked up
_T = TypeVar("_T")
_SKIP_DIRS = {"__pycache__", ".git", ".venv", "venv", "node_modules", ".tox", ".mypy_cache", ".pytest_cache"}


class SuitePathError(UnknownNameError, SuiteError):
    """A ``--suite`` path that does not exist (a usage error, and a suite error)."""


@dataclass(frozen=True)
class SuiteSource:
    """One place a suite may live.

    ``source`` is what :func:`~sgmverify.run.load_suite` takes; ``required`` False means a module without
    ``SUITE`` is skipped rather than an error; ``package`` marks a package named by module name, whose
    submodules are the suites when it defines no ``SUITE`` itself; ``files`` are the ``.py`` files whose
    content keys the suite index.
    """

    source: str
    required: bool
    files: tuple[str, ...]
    package: bool = False


def is_path(source: str) -> bool:
    """True when ``source`` names a file or folder rather than a module."""
    return source.endswith(".py") or "/" in source or os.sep in source


def _tree(folder: Path) -> list[Path]:
    """Every ``.py`` file under ``folder`` (hidden folders, caches and virtual environments skipped)."""
    out: list[Path] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
        out += [Path(root) / f for f in sorted(files) if f.endswith(".py")]
    return out


def path_files(path: Path) -> list[Path]:
    """The files a suite file or package folder depends on, as far as can be told without importing it.

    A package folder: every ``.py`` file under it.  A file: itself, the ``.py`` files beside it and the
    packages (folders with ``__init__.py``) beside it -- what ``import sibling`` can reach.
    """
    path = path.resolve()
    if path.is_dir():
        return _tree(path)
    folder = path.parent
    files = [path]
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return files
    for e in entries:
        if e.suffix == ".py" and e.is_file() and e != path:
            files.append(e)
        elif e.is_dir() and e.name not in _SKIP_DIRS and (e / "__init__.py").is_file():
            files += _tree(e)
    return files


def _spec_files(spec: importlib.machinery.ModuleSpec) -> list[Path]:
    locations = list(spec.submodule_search_locations or [])
    if locations:
        return [f for loc in locations for f in _tree(Path(loc))]
    return [Path(spec.origin)] if spec.origin and os.path.isfile(spec.origin) else []


def _find_spec(modname: str) -> importlib.machinery.ModuleSpec | None:
    """:func:`importlib.util.find_spec` (which imports the parent packages); failures become SuiteError."""
    try:
        return importlib.util.find_spec(modname)
    except ModuleNotFoundError:
        return None
    except (Exception, SystemExit) as exc:
        raise SuiteError(f"cannot look up suite module {modname}: {type(exc).__name__}: {exc}") from exc


def resolve_arg(arg: str) -> list[SuiteSource]:
    """The sources one ``--suite`` argument names, without importing them.

    A ``.py`` file; a folder with ``__init__.py`` (a package: one suite); a folder without (each of its
    ``.py`` files not starting with ``_`` that defines ``SUITE``); a module, ``module:attribute`` or
    package name.

    Raises
    ------
    SuitePathError
        ``arg`` looks like a path and does not exist.
    UnknownNameError
        ``arg`` is neither a path nor an importable module (it may still be a suite's name).
    """
    p = Path(arg)
    if p.is_dir():
        if (p / "__init__.py").is_file():
            return [SuiteSource(str(p.resolve()), True, tuple(map(str, path_files(p))))]
        return [
            SuiteSource(str(f.resolve()), False, tuple(map(str, path_files(f))))
            for f in sorted(p.glob("*.py"))
            if not f.name.startswith("_")
        ]
    if is_path(arg):
        if not p.is_file():
            raise SuitePathError(
                f"suite file {arg} does not exist; pass an existing .py file, a folder with __init__.py, a "
                "module name or a suite name shown by `sgmverify list`."
            )
        return [SuiteSource(str(p.resolve()), True, tuple(map(str, path_files(p))))]
    modname, _, attr = arg.partition(":")
    spec = _find_spec(modname)
    if spec is None:
        raise UnknownNameError(f"no suite file or module named {arg!r}.")
    files = tuple(map(str, _spec_files(spec)))
    is_pkg = bool(spec.submodule_search_locations) and not attr
    return [SuiteSource(arg, not is_pkg, files, package=is_pkg)]


def resolve_args(
    paths: Sequence[str], resolve: Callable[[str], list[_T]], failures: list[SuiteError]
) -> tuple[list[_T], list[str]]:
    """Sort ``--suite`` arguments by what ``resolve`` (one argument -> its sources) makes of them.

    Returns ``(sources, by_name)``: the sources of every argument ``resolve`` accepts, in order, and the
    arguments it does not know (:class:`UnknownNameError`: possibly a suite's name, looked up once suites are
    loaded).  Any other :class:`SuiteError` is appended to ``failures``.

    Raises
    ------
    SuitePathError
        An argument looks like a path and does not exist (a usage error, never collected).
    """
    sources: list[_T] = []
    by_name: list[str] = []
    for arg in map(os.fspath, paths):
        try:
            sources += resolve(arg)
        except SuitePathError:
            raise
        except UnknownNameError:
            by_name.append(arg)
        except SuiteError as exc:
            failures.append(exc)
    return sources, by_name


def unknown_suite_names(by_name: Sequence[str], known: Collection[str]) -> None:
    """Raise :class:`UnknownNameError` listing the arguments in ``by_name`` (``--suite`` arguments that were
    neither paths nor modules) that are not among the ``known`` suite names."""
    unknown = [a for a in by_name if a not in known]
    if unknown:
        raise UnknownNameError(
            f"no suite file, module or suite named {unknown}; known suites: {sorted(known) or 'none'}."
        )


def package_sources(package: str) -> list[SuiteSource]:
    """Every direct submodule of ``package`` not starting with ``_`` (``[]`` if it is not installed)."""
    spec = _find_spec(package)
    if spec is None:
        return []
    locations = list(spec.submodule_search_locations or [])
    if not locations:
        return [SuiteSource(package, False, tuple(map(str, _spec_files(spec))))]
    out = []
    for m in sorted(pkgutil.iter_modules(locations), key=lambda m: m.name):
        if m.name.startswith("_"):
            continue
        base = Path(getattr(m.module_finder, "path", locations[0])) / m.name
        files = _tree(base) if m.ispkg else [base.with_suffix(".py")]
        out.append(SuiteSource(f"{package}.{m.name}", False, tuple(map(str, files))))
    return out


def entry_point_sources() -> list[SuiteSource]:
    """The modules registered under the ``sgmverify.suites`` entry-point group, by entry-point name."""
    out = []
    for ep in sorted(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        value = ep.value.strip()
        try:
            spec = _find_spec(value.partition(":")[0])
        except SuiteError:
            spec = None
        out.append(SuiteSource(value, True, tuple(map(str, _spec_files(spec))) if spec else ()))
    return out


def files_hash(files: tuple[str, ...], salt: str = "") -> str:
    """SHA-256 of ``salt`` and each file's path and content (a file that cannot be read counts as such)."""
    h = hashlib.sha256(salt.encode())
    for f in sorted(files):
        h.update(b"\0" + f.encode() + b"\0")
        try:
            h.update(Path(f).read_bytes())
        except OSError as exc:
            h.update(f"<unreadable: {exc.errno}>".encode())
    return h.hexdigest()
