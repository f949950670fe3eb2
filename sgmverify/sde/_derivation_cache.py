"""The on-disk cache of symbolic derivations: sympy expressions as JSON trees, never code.

A cached derivation is a JSON file whose expressions are trees of whitelisted sympy classes
(``{"f": "Add", "args": [...]}``), symbols with their assumptions, and exact numbers.  Reading one builds
the expression from those classes alone: no ``pickle``, no ``eval``/``sympify`` of stored text, so a file
planted in the cache directory cannot run code.  A missing, corrupt, foreign or wrong-shaped entry is
ignored (with a :class:`~sgmverify.errors.DerivationCacheWarning` when it exists but cannot be used) and the
caller derives again and overwrites it; writes are atomic (temporary file, then ``os.replace``).
Stable forms (:func:`read_stable_entry`, :func:`write_stable_entry`) are stored the same way, with
sympy's ``expm1``/``log1p`` (``sympy.codegen.cfunctions``) added to the whitelist.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import sympy as sp
from sympy.codegen.cfunctions import expm1, log1p
from sympy.functions.elementary.piecewise import ExprCondPair

from sgmverify.errors import DerivationCacheWarning

__all__ = [
    "FORMAT",
    "from_tree",
    "read_entry",
    "read_stable_entry",
    "to_tree",
    "write_entry",
    "write_stable_entry",
]

FORMAT = 1

#: The classes a cached tree may name: sympy's own expression classes (arithmetic, functions, Min/Max,
#: relations, boolean connectives), looked up by name in this fixed table -- never imported or evaluated.
_CLASSES: dict[str, type] = {
    name: cls
    for name, cls in vars(sp).items()
    if isinstance(cls, type) and issubclass(cls, sp.Basic) and not name.startswith("_")
}
_CLASSES.update({"ExprCondPair": ExprCondPair, "Tuple": sp.Tuple, "expm1": expm1, "log1p": log1p})
_CONSTANTS: dict[str, sp.Basic] = {
    "pi": sp.pi,
    "E": sp.E,
    "I": sp.I,
    "EulerGamma": sp.EulerGamma,
    "Catalan": sp.Catalan,
    "oo": sp.oo,
    "-oo": -sp.oo,
    "zoo": sp.zoo,
    "nan": sp.nan,
    "true": sp.true,
    "false": sp.false,
}
_T = TypeVar("_T")
_CONSTANT_NAMES = {id(v): k for k, v in _CONSTANTS.items()}


class _Unserialisable(Exception):
    """An expression holds something the cache does not store (a Dummy, an unlisted class)."""


def to_tree(expr: sp.Basic) -> Any:
    """A JSON-able tree of ``expr``; raises :class:`_Unserialisable` for anything outside the whitelist."""
    if id(expr) in _CONSTANT_NAMES:
        return {"c": _CONSTANT_NAMES[id(expr)]}
    if isinstance(expr, sp.Dummy):
        raise _Unserialisable(f"dummy symbol {expr}")
    if isinstance(expr, sp.Symbol):
        given = getattr(expr, "_assumptions_orig", expr.assumptions0)  # as declared, not all that follow
        return {"s": expr.name, "a": {k: bool(v) for k, v in given.items() if v is not None}}
    if isinstance(expr, sp.Integer):
        return {"i": str(int(expr))}
    if isinstance(expr, sp.Rational):
        return {"q": [str(int(expr.p)), str(int(expr.q))]}
    if isinstance(expr, sp.Float):
        return {"m": [str(int(v)) for v in expr._mpf_], "p": expr._prec}
    name = type(expr).__name__
    if _CLASSES.get(name) is not type(expr):
        raise _Unserialisable(f"class {name}")
    return {"f": name, "args": [to_tree(a) for a in expr.args]}


def from_tree(tree: Any) -> sp.Basic:
    """The expression of a tree made by :func:`to_tree`; ValueError on anything else."""
    if not isinstance(tree, dict):
        raise ValueError(f"not an expression node: {type(tree).__name__}")
    if "c" in tree:
        return _CONSTANTS[str(tree["c"])]
    if "s" in tree:
        assumptions = tree.get("a", {})
        if not (isinstance(tree["s"], str) and isinstance(assumptions, dict)):
            raise ValueError("malformed symbol")
        if not all(isinstance(k, str) and isinstance(v, bool) for k, v in assumptions.items()):
            raise ValueError("malformed symbol assumptions")
        return sp.Symbol(tree["s"], **assumptions)
    if "i" in tree:
        return sp.Integer(int(str(tree["i"])))
    if "q" in tree:
        p, q = (int(str(v)) for v in tree["q"])
        return sp.Rational(p, q)
    if "m" in tree:
        sign, man, exp, bc = (int(str(v)) for v in tree["m"])
        return sp.Float._new((sign, man, exp, bc), int(tree["p"]))
    cls = _CLASSES.get(str(tree.get("f")))
    if cls is None or not isinstance(tree.get("args"), list):
        raise ValueError(f"unknown or malformed node {tree.get('f')!r}")
    args = [from_tree(a) for a in tree["args"]]
    try:
        return cls(*args, evaluate=False)
    except TypeError:
        return cls(*args)


def _read_json(path: Path, key: str, what: str, decode: Callable[[dict], _T]) -> _T | None:
    """``decode(entry)`` of the JSON entry stored under ``key`` at ``path``, or None (missing or unusable).

    A file that exists but is not a ``what`` of this key and format, or that ``decode`` rejects (ValueError,
    KeyError, TypeError, RecursionError), warns :class:`DerivationCacheWarning` at the reader's caller.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return None
    try:
        entry = json.loads(text)
        if not (isinstance(entry, dict) and entry.get("format") == FORMAT and entry.get("key") == key):
            raise ValueError(f"not a {what} of this key and format")
        return decode(entry)
    except (ValueError, KeyError, TypeError, RecursionError) as exc:
        warnings.warn(
            f"ignoring the derivation cache entry {path} ({exc}); deriving again.",
            DerivationCacheWarning,
            stacklevel=4,  # the caller of the derivation that called read_entry / read_stable_entry
        )
        return None


def read_entry(path: Path, key: str) -> tuple[sp.Expr, sp.Expr | None] | None:
    """The cached ``(log m, sigma^2)`` stored under ``key`` at ``path``, or None (missing or unusable)."""

    def decode(entry: dict) -> tuple[sp.Expr, sp.Expr | None]:
        log_m = from_tree(entry["log_m"])
        var = None if entry["var"] is None else from_tree(entry["var"])
        if not isinstance(log_m, sp.Expr) or not (var is None or isinstance(var, sp.Expr)):
            raise ValueError("entries are not expressions")
        return log_m, var

    return _read_json(path, key, "derivation", decode)


def write_entry(path: Path, key: str, log_m: sp.Expr, var: sp.Expr | None) -> bool:
    """Store a derivation atomically; False (nothing written) when it cannot be stored."""
    try:
        entry = {
            "format": FORMAT,
            "key": key,
            "sympy": sp.__version__,
            "log_m": to_tree(log_m),
            "var": None if var is None else to_tree(var),
        }
    except (_Unserialisable, RecursionError):
        return False
    return _write_json(path, entry)


def read_stable_entry(path: Path, key: str) -> tuple[sp.Expr, float] | None:
    """The cached ``(stable form, measured relative error)`` stored under ``key``, or None (missing or
    unusable; a file that exists but cannot be used warns as :func:`read_entry` does)."""

    def decode(entry: dict) -> tuple[sp.Expr, float]:
        expr, err = from_tree(entry["stable"]), entry["err"]
        if not isinstance(expr, sp.Expr) or isinstance(err, bool) or not isinstance(err, int | float):
            raise ValueError("entries are not an expression and a number")
        return expr, float(err)

    return _read_json(path, key, "stable form", decode)


def write_stable_entry(path: Path, key: str, expr: sp.Expr, err: float) -> bool:
    """Store a stable form and its measured error atomically; False (nothing written) when it cannot be."""
    try:
        entry = {"format": FORMAT, "key": key, "sympy": sp.__version__, "stable": to_tree(expr), "err": err}
    except (_Unserialisable, RecursionError):
        return False
    return _write_json(path, entry)


def _write_json(path: Path, entry: dict) -> bool:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(entry), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        return False  # a read-only home only costs the derivation time next run
    return True
