r"""The suite index: what the suites claim, without importing their numerics.

Importing a suite imports its measures' libraries (numpy, scipy, sympy, torch: seconds per suite), while
``sgmverify list``, ``sgmverify bound`` and the selection of ``run -k`` only need each suite's metadata.
:func:`suite_index` returns that metadata -- per suite its name, title, reference, source and figure ids;
per theorem its id, title, provenance, citation, expectation, section, bound (statement, direction,
symbols, LaTeX, pretty form and ``srepr``), assumption names and descriptions and scenarios (name, quick)
-- from a JSON file in the cache folder (``$SGMVERIFY_CACHE_DIR/suite-index/index.json``, beside the
derivation cache).  Each entry is keyed by the SHA-256 of every ``.py`` file of its suite (the module, the
package folder, or a suite file and its siblings; see :mod:`._sources`) and of the engine files that
shape the metadata: any change re-imports that suite (only that one) and rewrites its entry.  The file is
written atomically (a temporary file renamed over it); a corrupt or foreign index is rebuilt with a
:class:`SuiteIndexWarning` and is never executed -- a bound is read back from its ``srepr`` by a walker that
only builds sympy objects (:func:`bound_expr`).

:func:`select_suites` imports only the suites having a check (``theorem id[scenario]``) or figure that a
``-k`` expression selects.
"""

from __future__ import annotations

import ast
import contextlib
import json
import math
import os
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sgmverify._cachedir import cache_dir
from sgmverify._version import __version__
from sgmverify.errors import SuiteError, UnknownNameError

from ._filter import compile_filter
from ._sources import (
    DEFAULT_PACKAGE,
    SuiteSource,
    entry_point_sources,
    files_hash,
    package_sources,
    resolve_arg,
    resolve_args,
    unknown_suite_names,
)

if TYPE_CHECKING:
    from sgmverify.theory import Suite, Theorem

__all__ = ["SuiteIndexWarning", "bound_expr", "index_path", "select_suites", "suite_index"]

FORMAT, VERSION = "sgmverify-suite-index", 1
_HERE = Path(__file__).resolve().parent
#: Engine files whose code shapes an index record: a change there rebuilds every entry.
_ENGINE_FILES = tuple(
    str(p)
    for p in (
        _HERE / "_index.py",
        _HERE / "_suites.py",
        _HERE.parent / "theory" / "_model.py",
        _HERE.parent / "theory" / "_reference.py",
        _HERE.parent / "theory" / "_scenario.py",
    )
)


class SuiteIndexWarning(UserWarning):
    """The suite index file was unreadable, corrupt or foreign; it was ignored and rebuilt."""


def index_path() -> Path:
    """Where the suite index is stored: ``<cache dir>/suite-index/index.json``."""
    return cache_dir("suite-index") / "index.json"


# ------------------------------------------------------------------------------------------- records
def _plain_name(name: str) -> bool:
    """True for a name sympy would mangle into subscripts although it is a word (``second_moment``)."""
    from sympy.printing.pretty.pretty_symbology import greek_letters

    base = name.partition("_")[0]
    return "_" in name and len(base) > 1 and base.lower() not in {*greek_letters, "lambda"}


def readable_pretty(expr: Any) -> str:
    """``sympy.pretty`` (unicode), except that word-like names (``second_moment``) print as written."""
    from sympy.printing.pretty.pretty import PrettyPrinter
    from sympy.printing.pretty.stringpict import prettyForm

    class _Printer(PrettyPrinter):
        def _print_Symbol(self, e: Any, bold_name: bool = False) -> Any:
            return prettyForm(e.name) if _plain_name(e.name) else super()._print_Symbol(e, bold_name)

    return _Printer({"use_unicode": True}).doprint(expr)


def readable_latex(expr: Any) -> str:
    r"""``sympy.latex``, except that word-like names print as ``\mathrm{second\_moment}``."""
    import sympy as sp

    names = {
        s: r"\mathrm{" + s.name.replace("_", r"\_") + "}" for s in expr.free_symbols if _plain_name(s.name)
    }
    return sp.latex(expr, symbol_names=names)


def _theorem_record(t: Theorem) -> dict[str, Any]:
    import sympy as sp

    b = t.bound
    text = sp.srepr(b.expr)
    try:
        same = bound_expr({"srepr": text}) == b.expr
    except Exception:  # noqa: BLE001  (a form the walker does not rebuild: `bound` imports the suite)
        same = False
    return {
        "id": t.id,
        "title": t.title,
        "provenance": t.reference.provenance.value,
        "cite": t.reference.cite(),
        "expect": t.expect,
        "section": t.section,
        "searchable": t.search is not None,
        "bound": {
            "statement": b.statement(),
            "direction": b.direction.value,
            "quantity": b.quantity,
            "symbols": list(b.symbols),
            "latex": readable_latex(b.expr),
            "pretty": readable_pretty(b.expr),
            "srepr": text if same else None,
            "rtol": b.rtol,
            "atol": b.atol,
        },
        "assumptions": [{"name": a.name, "description": a.description} for a in t.assumptions],
        "scenarios": [{"name": s.name, "quick": bool(s.quick)} for s in t.scenarios],
    }


def suite_record(suite: Suite) -> dict[str, Any]:
    """The index record of a loaded suite (plain JSON data)."""
    return {
        "name": suite.name,
        "title": suite.title,
        "reference": suite.reference,
        "source": suite.source,
        "figures": [str(getattr(f, "id", "")) for f in suite.figures],
        "theorems": [_theorem_record(t) for t in suite.theorems],
    }


_SUITE_KEYS = {"name", "title", "reference", "source", "figures", "theorems"}
_THEOREM_KEYS = {"id", "title", "provenance", "cite", "expect", "section", "bound", "assumptions"} | {
    "scenarios"
}


def _valid_record(rec: Any) -> bool:
    if rec is None:
        return True
    if not isinstance(rec, dict) or not _SUITE_KEYS <= set(rec):
        return False
    ths = rec["theorems"]
    return isinstance(ths, list) and all(
        isinstance(t, dict)
        and _THEOREM_KEYS <= set(t)
        and isinstance(t["bound"], dict)
        and isinstance(t["scenarios"], list)
        and all(isinstance(s, dict) and "name" in s and "quick" in s for s in t["scenarios"])
        for t in ths
    )


# ------------------------------------------------------------------------------- reading back a bound
_MAX_NODES = 5_000  # a bound's srepr tree larger than this is not read back (its suite is imported instead)
_MAX_INT = 10**6  # integer literals beyond this are refused: sympy evaluates integer arithmetic eagerly
_MAX_DIGITS = 10_000  # an integer power with more digits than this is refused (Pow(10, Pow(10, 6)), ...)
#: sympy functions that evaluate eagerly on integers and can take unbounded time (never in a bound's srepr
#: that the walker needs; such a bound is read by importing its suite).
_EAGER = frozenset(
    {
        "factorial",
        "factorial2",
        "subfactorial",
        "binomial",
        "RisingFactorial",
        "FallingFactorial",
        "fibonacci",
        "lucas",
        "tribonacci",
        "bell",
        "bernoulli",
        "euler",
        "catalan",
        "harmonic",
        "genocchi",
        "partition",
        "primorial",
        "prime",
        "primepi",
        "multinomial_coefficients",
        "stirling",
    }
)


def bound_expr(bound: dict[str, Any]) -> Any:
    """The sympy expression of an index record's bound, rebuilt from its ``srepr`` without ``eval``.

    Only calls of sympy classes (``Add``, ``Symbol``, ``Float``, ...) on literals and on such calls, and
    sympy constants (``pi``, ``oo``), are accepted; anything else raises :class:`SuiteError`.
    """
    import sympy as sp

    text = bound.get("srepr")
    if not isinstance(text, str):
        raise SuiteError("this bound is not stored in a form that can be rebuilt; import its suite.")

    def bad(node: ast.AST) -> SuiteError:
        return SuiteError(
            f"the suite index holds a bound that is not a sympy expression: {ast.dump(node):.80}"
        )

    nodes = 0

    def walk(node: ast.AST) -> Any:
        nonlocal nodes
        nodes += 1
        if nodes > _MAX_NODES:
            raise SuiteError(f"the suite index holds a bound of over {_MAX_NODES} nodes; import its suite.")
        if isinstance(node, ast.Constant) and isinstance(node.value, int) and abs(node.value) > _MAX_INT:
            raise bad(node)  # a huge literal (Pow(10, 10**9), factorial(...)) would hang an evaluation
        if isinstance(node, ast.Constant) and isinstance(node.value, str | int | float | bool | type(None)):
            return node.value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            v = walk(node.operand)
            if isinstance(v, int | float) and not isinstance(v, bool):
                return -v
            raise bad(node)
        if isinstance(node, ast.Tuple | ast.List):
            return tuple(walk(e) for e in node.elts)
        if isinstance(node, ast.Name):
            if node.id in _EAGER:
                raise bad(node)
            obj = getattr(sp, node.id, None)
            if isinstance(obj, sp.Basic) or (isinstance(obj, type) and issubclass(obj, sp.Basic)):
                return obj
            raise bad(node)
        if isinstance(node, ast.Call):
            fn = walk(node.func)
            if not (isinstance(fn, type) and issubclass(fn, sp.Basic)):
                raise bad(node)
            args = [walk(a) for a in node.args]
            if fn is sp.Pow and len(args) == 2 and all(isinstance(a, sp.Integer) for a in args):
                base, exp = (int(a) for a in args)
                if abs(base) > 1 and exp > 0 and exp * math.log10(abs(base)) > _MAX_DIGITS:
                    raise bad(node)
            return fn(*args, **{k.arg: walk(k.value) for k in node.keywords if k.arg})
        raise bad(node)

    if len(text) > 100 * _MAX_NODES:
        raise SuiteError("the suite index holds an oversized bound; import its suite.")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise SuiteError(f"the suite index holds an unreadable bound: {exc}") from exc
    return walk(tree.body)


# --------------------------------------------------------------------------------------- the index file
def _salt() -> str:
    return f"{FORMAT}/{VERSION}/{__version__}/" + files_hash(_ENGINE_FILES)


def _read(path: Path) -> dict[str, dict[str, Any]]:
    """The entries of the index file (empty, with a warning, if it is corrupt or foreign)."""
    try:
        raw = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):  # no index yet (or no cache folder can exist)
        return {}
    except OSError as exc:
        warnings.warn(f"suite index {path} cannot be read ({exc}); rebuilding it.", SuiteIndexWarning, 3)
        return {}
    try:
        data = json.loads(raw)
        ok = isinstance(data, dict) and data.get("format") == FORMAT and isinstance(data.get("entries"), dict)
    except (ValueError, UnicodeDecodeError):
        ok = False
    if not ok:
        warnings.warn(f"suite index {path} is corrupt or foreign; rebuilding it.", SuiteIndexWarning, 3)
        return {}
    if data.get("version") != VERSION:
        return {}  # an index of another version of sgmverify: rebuilt silently
    entries = {
        k: v
        for k, v in data["entries"].items()
        if isinstance(v, dict) and isinstance(v.get("hash"), str) and _valid_record(v.get("suite"))
    }
    if len(entries) != len(data["entries"]):
        warnings.warn(f"suite index {path} has corrupt entries; rebuilding them.", SuiteIndexWarning, 3)
    return entries


def _write(path: Path, changed: dict[str, dict[str, Any]]) -> None:
    """Merge the ``changed`` entries into the index file as it is now (another process may have written
    it meanwhile) and write it atomically; entries of suite files that no longer exist are dropped.  A
    cache that cannot be written is not an error (the next command rebuilds what it needs)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SuiteIndexWarning)  # already said when it was read
        entries = {**_read(path), **changed}
    keep = {k: v for k, v in entries.items() if not os.path.isabs(k) or os.path.exists(k)}
    text = json.dumps({"format": FORMAT, "version": VERSION, "entries": keep}, sort_keys=True)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".index.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
        tmp = None
    except OSError:
        pass
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


# ---------------------------------------------------------------------------------------------- public
def _sources(
    paths: Sequence[str], entry_points: bool, package: str | None, failures: list[SuiteError]
) -> tuple[list[SuiteSource], list[str]]:
    sources: list[SuiteSource] = []
    if package:
        try:
            sources += package_sources(package)
        except SuiteError as exc:
            failures.append(exc)
    if entry_points:
        sources += entry_point_sources()
    named, by_name = resolve_args(paths, resolve_arg, failures)
    return sources + named, by_name


def suite_index(
    paths: Sequence[str] = (),
    entry_points: bool = True,
    package: str | None = DEFAULT_PACKAGE,
    *,
    errors: list[SuiteError] | None = None,
) -> list[dict[str, Any]]:
    """The index records of the suites :func:`~sgmverify.run.discover_suites` would find (same arguments).

    Suites whose files are unchanged since they were indexed are not imported; the others are imported
    once and their entries rewritten.  A suite that fails to import is not indexed (it is tried again next
    time) and is reported like :func:`~sgmverify.run.discover_suites` does.

    Raises
    ------
    UnknownNameError
        An entry of ``paths`` names no file, module or suite (a missing path: :class:`SuitePathError`).
    SuiteError
        A suite failed to import and ``errors`` is None.
    """
    failures: list[SuiteError] = []
    sources, by_name = _sources(paths, entry_points, package, failures)
    path = index_path()
    entries = _read(path)
    salt, changed = _salt(), {}
    records: list[dict[str, Any]] = []
    seen: set[str] = set()
    queue = list(sources)
    while queue:
        src = queue.pop(0)
        if src.source in seen:
            continue
        seen.add(src.source)
        key = files_hash(src.files, salt)
        entry = entries.get(src.source)
        if entry is not None and entry["hash"] == key:
            rec = entry["suite"]
        else:
            from ._suites import load_suite_or_fail  # imports the engine (numpy, sympy): only to rebuild

            loaded, suite = load_suite_or_fail(src.source, src.required and not src.package, failures)
            if not loaded:
                continue
            rec = suite_record(suite) if suite is not None else None
            changed[src.source] = {"hash": key, "suite": rec}
        if rec is not None:
            records.append(rec)
        elif src.package:  # a package without SUITE: its submodules are the suites
            try:
                queue[:0] = package_sources(src.source)
            except SuiteError as exc:
                failures.append(exc)
    if changed:
        _write(path, changed)
    if by_name:
        known = {r["name"]: r for r in suite_index(package=DEFAULT_PACKAGE, errors=[])}
        unknown_suite_names(by_name, known)
        records += [known[a] for a in by_name if known[a]["source"] not in seen]
    if failures and errors is None:
        raise failures[0]
    if errors is not None:
        errors.extend(failures)
    return records


def check_ids(record: dict[str, Any], mode: str = "full") -> list[str]:
    """The check ids (``theorem id[scenario]``) of a suite record in ``mode``."""
    return [
        f"{t['id']}[{s['name']}]"
        for t in record["theorems"]
        for s in t["scenarios"]
        if mode == "full" or s["quick"]
    ]


def select_suites(
    paths: Sequence[str] = (),
    entry_points: bool = True,
    package: str | None = DEFAULT_PACKAGE,
    *,
    select: str | None = None,
    errors: list[SuiteError] | None = None,
) -> list[Suite]:
    """The suites of :func:`suite_index` having a check or figure that the ``-k`` expression ``select``
    accepts, imported (the others are not).  ``select=None`` imports them all.

    Raises
    ------
    InvalidParameterError
        ``select`` does not parse.
    """
    from ._suites import load_suite

    pred = compile_filter(select)
    failures: list[SuiteError] = []
    records = suite_index(paths, entry_points, package, errors=failures)
    suites = []
    for rec in records:
        ids = [*check_ids(rec), *rec["figures"]]
        if select is not None and not any(pred(i, rec["name"]) for i in ids):
            continue
        try:
            suite = load_suite(rec["source"])
        except (SuiteError, UnknownNameError) as exc:
            failures.append(exc if isinstance(exc, SuiteError) else SuiteError(str(exc)))
            continue
        if suite is not None:
            suites.append(suite)
    if failures and errors is None:
        raise failures[0]
    if errors is not None:
        errors.extend(failures)
    return suites
