"""Shared pieces of the command line: the usage error, suite and theorem look-up, result files, argument
types.

Heavy modules are imported inside the functions so that ``sgmverify --help`` stays fast.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import json
import math
import os
import sys
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sgmverify.errors import SgmverifyError, SuiteError, UnknownNameError

if TYPE_CHECKING:
    from sgmverify.theory import Result, Scenario, Suite, Theorem


class UsageError(SgmverifyError):
    """Bad command-line usage (exit status 2)."""


def _err(msg: str) -> None:
    print(f"sgmverify: error: {msg}", file=sys.stderr)


# ------------------------------------------------------------------------------------ suites and theorems
def _discover(suite_args: Sequence[str] | None, k: str | None = None) -> tuple[list[Suite], list[SuiteError]]:
    """Suites named by ``--suite`` (or all installed ones); import failures are printed and returned.

    With a ``-k`` expression ``k``, only the suites having a selected check or figure are imported (the
    others are known from the suite index).
    """
    from sgmverify.run import discover_suites, select_suites

    errors: list[SuiteError] = []
    kw: dict = {"entry_points": False, "package": None} if suite_args else {}
    if k:
        suites = select_suites(suite_args or (), select=k, errors=errors, **kw)
    else:
        suites = discover_suites(suite_args or (), errors=errors, **kw)
    for e in errors:
        _err(f"suite not loaded: {e}")
    return suites, errors


def _records(suite_args: Sequence[str] | None) -> tuple[list[dict], list[SuiteError]]:
    """The suite index records of the suites named by ``--suite`` (or of all installed ones), importing
    only suites not indexed yet or changed since; import failures are printed and returned."""
    from sgmverify.run import suite_index

    errors: list[SuiteError] = []
    kw: dict = {"entry_points": False, "package": None} if suite_args else {}
    records = suite_index(suite_args or (), errors=errors, **kw)
    for e in errors:
        _err(f"suite not loaded: {e}")
    return records, errors


def _find_record(records: Sequence[dict], theorem_id: str) -> tuple[dict, dict]:
    """``(suite record, theorem record)`` of ``theorem_id``; unknown: UnknownNameError with close matches."""
    known = {t["id"]: (r, t) for r in records for t in r["theorems"]}
    if theorem_id in known:
        return known[theorem_id]
    close = difflib.get_close_matches(theorem_id, list(known), n=3)
    hint = f"; did you mean {close}?" if close else "; `sgmverify list` shows the theorems."
    raise UnknownNameError(f"unknown theorem {theorem_id!r}{hint}")


def _load_theorem(suite_args: Sequence[str] | None, theorem_id: str) -> Theorem:
    """The theorem ``theorem_id``, importing only the suite that holds it (found in the suite index)."""
    from sgmverify.run import load_suite

    records, _ = _records(suite_args)
    rec, _ = _find_record(records, theorem_id)
    suite = load_suite(rec["source"])
    return _find_theorem([suite] if suite is not None else [], theorem_id)


def _find_theorem(suites: Sequence[Suite], theorem_id: str) -> Theorem:
    """The theorem with id ``theorem_id``; an unknown id raises UnknownNameError with close matches."""
    known = {t.id: t for s in suites for t in s.theorems}
    if theorem_id in known:
        return known[theorem_id]
    close = difflib.get_close_matches(theorem_id, list(known), n=3)
    hint = f"; did you mean {close}?" if close else "; `sgmverify list` shows the theorems."
    raise UnknownNameError(f"unknown theorem {theorem_id!r}{hint}")


def _find_scenario(theorem: Theorem, name: str) -> Scenario:
    """The scenario of ``theorem`` called ``name``; an unknown name raises UnknownNameError."""
    for sc in theorem.scenarios:
        if sc.name == name:
            return sc
    names = [s.name for s in theorem.scenarios]
    raise UnknownNameError(f"theorem {theorem.id} has no scenario {name!r}; its scenarios: {names}.")


# ------------------------------------------------------------------------------------------ result files
def _read_results(path: Path) -> list[Result]:
    """Read a report.json (``{"results": [...]}`` or a list) or a results JSON-lines file (the fallback
    reader when :mod:`sgmverify.report` is not available; as strict: unreadable input raises)."""
    from sgmverify.errors import ResultsFormatError
    from sgmverify.run import ResultsStore
    from sgmverify.theory import Result

    if path.suffix != ".jsonl":
        try:
            data = json.loads(path.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError):
            data = None
        try:
            if isinstance(data, dict) and isinstance(data.get("results"), list):
                return [Result.from_dict(d) for d in data["results"]]
            if isinstance(data, list):
                return [Result.from_dict(d) for d in data]
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            raise ResultsFormatError(f"{path} holds a record that is not a result ({exc}).") from exc
    return ResultsStore(path).load()


def load_any(path: str | os.PathLike, *, role: str | None = None) -> list[Result]:
    """Results from a report.json or a results.jsonl (via :func:`sgmverify.report.load_results`).

    A missing file, a file holding no result, and unreadable input (corrupt, truncated, binary, empty:
    :class:`~sgmverify.errors.ResultsFormatError`) raise -- one error, no per-line warnings.  A store with
    some unreadable lines (a killed run's torn last line) loads its good lines and prints one warning.
    ``role`` names the file at the start of error messages ("baseline", "new run").
    """
    from sgmverify.errors import ResultsFormatError

    p = Path(path)
    said = f"{role}: " if role else ""
    if not p.exists():
        raise UsageError(f"{said}{p} does not exist; pass a report.json or a results.jsonl.")
    try:
        with summarised_store_warnings("those checks are left out"):
            try:
                from sgmverify.report import load_results
            except ImportError:
                results = _read_results(p)
            else:
                try:
                    results = load_results(p)
                except ImportError:  # a partial installation: read the records ourselves
                    results = _read_results(p)
    except ResultsFormatError as exc:
        if not role:
            raise
        raise ResultsFormatError(f"{said}{exc}") from exc
    if not results:
        raise UsageError(
            f"{said}{p} holds no results (a report of a run that selected no checks?); pass a report.json "
            "or a results.jsonl of a run that ran checks."
        )
    return results


@contextlib.contextmanager
def summarised_store_warnings(consequence: str) -> Iterator[None]:
    """Collect the :class:`~sgmverify.errors.StoreWarning` s of the block (one per skipped line) and print
    one line per file: ``warning: FILE: skipped N unreadable line(s) (line 7: ...); CONSEQUENCE``.

    If the block raises, its store warnings are dropped (the error says it all); other warnings pass.
    """
    from sgmverify.errors import StoreWarning

    caught: list[StoreWarning] = []
    with warnings.catch_warnings():
        warnings.simplefilter("always", StoreWarning)
        shown = warnings.showwarning

        def show(message, category, filename, lineno, file=None, line=None):
            if issubclass(category, StoreWarning):
                caught.append(message)
            else:
                shown(message, category, filename, lineno, file, line)

        warnings.showwarning = show
        yield
    by_file: dict[str, list[StoreWarning]] = {}
    for w in caught:
        by_file.setdefault(str(getattr(w, "path", "")), []).append(w)
    for file, ws in by_file.items():
        if not file:  # a StoreWarning without its line attributes: shown as is
            for w in ws:
                print(f"warning: {w}", file=sys.stderr)
            continue
        where = "; ".join(f"line {getattr(w, 'lineno', '?')}: {getattr(w, 'problem', w)}" for w in ws[:3])
        more = f"; and {len(ws) - 3} more" if len(ws) > 3 else ""
        print(
            f"warning: {file}: skipped {len(ws)} unreadable line(s) ({where}{more}); {consequence}.",
            file=sys.stderr,
        )


# ------------------------------------------------------------------------------------- argument types
def _positive_int(text: str) -> int:
    """An integer n >= 1 (argparse type)."""
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}")
    return n


def _nonneg_float(text: str) -> float:
    """A number x >= 0 (argparse type; NaN is refused)."""
    try:
        x = float(text)
    except ValueError:
        x = -1.0
    if not x >= 0:
        raise argparse.ArgumentTypeError(f"must be a number >= 0, got {text!r}")
    return x


def _parse_value(key: str, text: str) -> float:
    """A number for ``key``: numeric CLI parameters are numbers, not expressions.

    Accepted: a float literal (``0.5``, ``1e-3``, ``inf``), ``oo`` / ``-oo``, or a constant made of numbers,
    ``pi``, ``E`` and the whitelisted functions (``pi/2``, ``sqrt(2)``), read by
    :func:`sgmverify.expressions.parse_expression` -- nothing is evaluated as Python.  NaN, names and
    anything else raise a UsageError naming ``key``.
    """
    hint = f"value of {key} must be a number (e.g. 0.5, 1e-3, pi/2), got {text!r}"
    try:
        x = float(text)
    except ValueError:
        x = None
    if x is None and text.strip() in ("oo", "+oo", "-oo"):
        x = float(text.strip().replace("oo", "inf"))
    if x is None:
        import sympy as sp

        from sgmverify.errors import ExpressionError
        from sgmverify.expressions import parse_expression

        try:
            e = parse_expression(text, what=f"value of {key}", max_length=200)
            x = float(e) if isinstance(e, sp.Expr) and e.is_number and e.is_real else math.nan
        except (ExpressionError, TypeError, ValueError, OverflowError):
            raise UsageError(
                f"{hint}; numeric parameters are numbers, not expressions (constants such as pi/2 are read)."
            ) from None
    if math.isnan(x):
        raise UsageError(f"{hint} (it is not a real number).")
    return x


def _suite_opt(sp: argparse.ArgumentParser) -> None:
    """Add the repeatable ``--suite PATH_OR_MODULE`` option to a subcommand."""
    sp.add_argument(
        "--suite",
        action="append",
        metavar="PATH_OR_MODULE",
        help="only these suites, not the built-in ones: a .py file (it may import modules beside it), a "
        "folder of suite files, a package folder (with __init__.py), a module, a package or a suite name "
        "(repeatable; without --suite: the suites of the proofs_checks package and of the "
        "'sgmverify.suites' entry points)",
    )
