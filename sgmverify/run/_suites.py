"""Suite discovery: import suites from files, modules, packages and the ``sgmverify.suites`` entry
points.

A *suite* is a :class:`~sgmverify.theory.Suite` exposed as ``SUITE`` by a module of the ``proofs_checks``
package, by a module registered under the ``sgmverify.suites`` entry-point group, or by a file given by
path (the file may import modules beside it) or as a package folder (relative imports work).
:func:`load_suite` imports one (once per process unless asked to reload); :func:`discover_suites`
finds all of them.  A suite's ``source`` is how worker processes re-import it.  Commands that only need
what the suites claim read the suite index instead (:mod:`._index`; sources found by :mod:`._sources`).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import importlib.util
import os
import pkgutil
import re
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sgmverify.errors import SuiteError, UnknownNameError
from sgmverify.theory import Check, Suite

from ._sources import (
    DEFAULT_PACKAGE,
    ENTRY_POINT_GROUP,
    SuitePathError,
    is_path,
    resolve_args,
    unknown_suite_names,
)

__all__ = ["DEFAULT_PACKAGE", "ENTRY_POINT_GROUP", "collect_suite", "discover_suites", "load_suite"]
__all__ += ["load_suite_or_fail"]


_SUITES: dict[str, Suite] = {}  # source -> loaded suite (a worker process reuses it across checks)
_is_path = is_path  # the results store's name for it
# (source, mode) -> {check id: check}: filled by the runner's workers, dropped when a suite is reloaded
_CHECKS: dict[tuple[str, str], dict[str, Check]] = {}


def _where(exc: BaseException, path: str | None, folder: str | None = None) -> str:
    """`` at FILE:LINE (line N)``: where ``exc`` was raised in the suite's own code (empty when unknown).

    A syntax error names its file and line; otherwise the deepest traceback frame in ``path`` or, failing
    that, in a file under ``folder`` (a sibling module the suite imports).
    """
    if isinstance(exc, SyntaxError) and exc.lineno:
        return f" at {exc.filename or path}:{exc.lineno} (line {exc.lineno})"
    frames = traceback.extract_tb(exc.__traceback__)
    mine = [f for f in frames if path and f.filename == path]
    if not mine and folder:
        mine = [f for f in frames if f.filename.startswith(folder + os.sep)]
    if mine:
        return f" at {mine[-1].filename}:{mine[-1].lineno} (line {mine[-1].lineno})"
    return ""


def _module_file(module: Any) -> str:
    return str(getattr(module, "__file__", None) or "")


def _import_path(path: Path) -> Any:
    """Import a suite file, or a suite package given as its folder, under a private module name.

    The folder holding the file (or the package folder) is put first on ``sys.path`` while it imports, so
    ``from helpers import f`` finds a sibling ``helpers.py``; afterwards the folder leaves ``sys.path`` and
    the sibling modules it newly imported leave ``sys.modules`` (the suite keeps its references), so two
    suite files with same-named siblings in different folders do not see each other's.  A package folder
    is imported as a package: its relative imports work.
    """
    if path.is_dir():
        init = path / "__init__.py"
        if not init.is_file():
            raise SuiteError(
                f"suite folder {path} has no __init__.py; make it a package, or pass its .py files."
            )
        file, search = init, [str(path.resolve())]
    elif path.is_file():
        file, search = path, None
    else:
        raise SuitePathError(
            f"suite file {path} does not exist; pass an existing .py file, a folder with __init__.py or a "
            "module name."
        )
    resolved = path.resolve()
    folder = str(resolved.parent)
    tag = hashlib.sha1(str(resolved).encode()).hexdigest()[:10]
    stem = re.sub(r"\W", "_", resolved.stem if search is None else resolved.name)
    name = f"_sgmverify_suite_{stem}_{tag}"
    spec = importlib.util.spec_from_file_location(name, file, submodule_search_locations=search)
    if spec is None or spec.loader is None:
        raise SuiteError(f"suite file {path} cannot be imported (not a Python source file?).")
    module = importlib.util.module_from_spec(spec)
    before = set(sys.modules)
    for key in [k for k in sys.modules if k == name or k.startswith(name + ".")]:
        del sys.modules[key]  # a reload imports the package's submodules afresh
    sys.modules[name] = module  # dataclasses and pickling look modules up here
    sys.path.insert(0, folder)
    importlib.invalidate_caches()
    try:
        spec.loader.exec_module(module)
    except (Exception, SystemExit) as exc:
        sys.modules.pop(name, None)
        raise SuiteError(
            f"suite file {path} failed to import{_where(exc, str(file), folder)}: {type(exc).__name__}: {exc}"
        ) from exc
    finally:
        if folder in sys.path:
            sys.path.remove(folder)
        for key in set(sys.modules) - before:  # sibling modules: out of sys.modules, kept by the suite
            top, mine = key.partition(".")[0], _module_file(sys.modules[key]).startswith(folder + os.sep)
            if top != name and top not in before and mine:
                del sys.modules[key]
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
    """Import the suite named by ``source`` (a ``.py`` path, a package folder, ``module`` or
    ``module:attribute``).

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
        The suite failed to import or ``SUITE`` is not a :class:`~sgmverify.theory.Suite`.
    UnknownNameError
        No such file or module.
    """
    if not reload and source in _SUITES:
        return _SUITES[source]
    if is_path(source):
        module, attr = _import_path(Path(source)), "SUITE"
    else:
        modname, _, attr = source.partition(":")
        module, attr = _import_module(modname), attr or "SUITE"
    obj = getattr(module, attr, None)
    if obj is None:
        if not required:
            return None
        raise SuiteError(f"suite {source} defines no {attr}; expose a sgmverify.theory.Suite as {attr}.")
    if not isinstance(obj, Suite):
        raise SuiteError(f"{attr} in {source} is a {type(obj).__name__}, not a sgmverify.theory.Suite.")
    ids = [t.id for t in obj.theorems]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise SuiteError(f"suite {source} has duplicate theorem ids {dup}; make them unique.")
    obj.source = source
    _SUITES[source] = obj
    for key in [k for k in _CHECKS if k[0] == source]:
        del _CHECKS[key]
    return obj


def load_suite_or_fail(source: str, required: bool, failures: list[SuiteError]) -> tuple[bool, Suite | None]:
    """:func:`load_suite` (``reload=True``) for discovery: ``(True, suite or None)``, or ``(False, None)``
    with the failure appended to ``failures`` (a source that cannot be found as a :class:`SuiteError`)."""
    try:
        return True, load_suite(source, reload=True, required=required)
    except UnknownNameError as exc:
        failures.append(SuiteError(f"registered suite {source!r} cannot be found: {exc}"))
    except SuiteError as exc:
        failures.append(exc)
    return False, None


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
        if (p / "__init__.py").is_file():  # a package folder is one suite
            return [(str(p.resolve()), True)]
        return [(str(f.resolve()), False) for f in sorted(p.glob("*.py")) if not f.name.startswith("_")]
    if is_path(arg):
        if not p.is_file():
            raise SuitePathError(
                f"suite file {arg} does not exist; pass an existing .py file, a folder with __init__.py, "
                "a module name or a suite name shown by `sgmverify list`."
            )
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
    named, by_name = resolve_args(paths, _arg_sources, failures)
    sources += named
    suites: list[Suite] = []
    seen: set[str] = set()
    for source, required in sources:
        if source in seen:
            continue
        seen.add(source)
        loaded, suite = load_suite_or_fail(source, required, failures)
        if loaded and suite is not None:
            suites.append(suite)
    if by_name:
        known = {s.name: s for s in discover_suites(package=DEFAULT_PACKAGE, errors=[])}
        unknown_suite_names(by_name, known)
        suites += [known[a] for a in by_name if known[a].source not in seen]
    if failures and errors is None:
        raise failures[0]
    if errors is not None:
        errors.extend(failures)
    return suites


def collect_suite(
    package: str, *, name: str, title: str, reference: str = "", order: Sequence[str] = ()
) -> Suite:
    """A suite made of the submodules of ``package`` (a paper's claims split over several modules).

    Every submodule whose name does not start with ``_`` is imported — those named in ``order`` first, in
    that order (the report's reading order), the others by name; its module-level
    ``THEOREMS`` (list of :class:`~sgmverify.theory.Theorem`) and ``FIGURES`` (list of
    :class:`~sgmverify.run.FigureSpec`) are gathered.  A module-level ``SECTION`` string becomes the
    report heading of that module's theorems and figures (unless they set their own ``section``).

    Use it as the whole ``__init__.py`` of a suite package::

        from ._suites import collect_suite
        SUITE = collect_suite(__name__, name="my_paper_2025", title="...", reference="arXiv ...")

    Raises
    ------
    SuiteError
        A submodule fails to import, or its ``THEOREMS`` / ``FIGURES`` are not lists of the right type
        (nothing is skipped silently).
    """
    import dataclasses

    from sgmverify.theory import Theorem

    from ._figures import FigureSpec

    pkg = sys.modules.get(package) or _import_module(package)
    paths = getattr(pkg, "__path__", None)
    if paths is None:
        raise SuiteError(f"collect_suite needs a package; {package} is a plain module.")
    theorems: list[Theorem] = []
    figures: list[FigureSpec] = []
    names = sorted(m.name for m in pkgutil.iter_modules(paths) if not m.name.startswith("_"))
    unknown = [n for n in order if n not in names]
    if unknown:
        raise SuiteError(f"collect_suite({package}): order names modules that do not exist: {unknown}.")
    rank = {n: i for i, n in enumerate(order)}
    for mod in sorted(names, key=lambda n: (rank.get(n, len(rank)), n)):
        modname = f"{package}.{mod}"
        module = _import_module(modname)
        section = str(getattr(module, "SECTION", "") or "")
        for attr, kind, sink in (("THEOREMS", Theorem, theorems), ("FIGURES", FigureSpec, figures)):
            items = getattr(module, attr, [])
            if not isinstance(items, list | tuple) or not all(isinstance(x, kind) for x in items):
                raise SuiteError(f"{modname}.{attr} must be a list of {kind.__name__} objects.")
            for x in items:
                if section and not x.section:
                    x = dataclasses.replace(x, section=section)
                sink.append(x)
    return Suite(name=name, title=title, theorems=theorems, reference=reference, figures=figures)
