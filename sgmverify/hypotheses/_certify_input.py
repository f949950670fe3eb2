"""The inputs of :func:`~sgmverify.hypotheses.certify`: the inequality, the box and the options.

Strings are parsed with :func:`sgmverify.expressions.parse_expression` (a whitelist walk, never ``eval``).
Every option is checked for its kind and range before any work starts: a precision, Taylor order or
number of random probes beyond ``MAX_PREC``, ``MAX_TAYLOR_ORDER``, ``MAX_RANDOM`` would run for hours or
exhaust memory, so it is refused with :class:`~sgmverify.errors.InvalidParameterError`.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Any

import sympy as sp

from sgmverify.errors import ExpressionError, InvalidParameterError
from sgmverify.expressions import parse_expression

__all__ = ["MAX_PREC", "MAX_RANDOM", "MAX_TAYLOR_ORDER", "check_options", "parse_box", "parse_inequality"]

_SENSES = {">=": (1, False), ">": (1, True), "<=": (-1, False), "<": (-1, True)}
_RELS = {sp.GreaterThan: ">=", sp.StrictGreaterThan: ">", sp.LessThan: "<=", sp.StrictLessThan: "<"}


def parse_inequality(ineq: Any, local: Mapping[str, sp.Symbol]) -> tuple[sp.Expr, bool]:
    """Return ``(f, strict)`` meaning ``f >= 0`` (or ``f > 0``)."""
    if isinstance(ineq, tuple) and len(ineq) == 2 and isinstance(ineq[1], str) and ineq[1] in _SENSES:
        sign, strict = _SENSES[ineq[1]]
        return sign * parse_expression(ineq[0], local, auto_symbols=True, what="inequality"), strict
    if isinstance(ineq, str):  # whitelist parse, no eval; other names are reported as "not in the box"
        rel = parse_expression(ineq, local, allow_relations=True, auto_symbols=True, what="inequality")
    else:
        rel = ineq
    if isinstance(rel, sp.logic.boolalg.BooleanAtom):
        raise ExpressionError(
            f"sympy already evaluated the inequality to {rel}; pass (lhs - rhs, '>=') to have it certified."
        )
    if type(rel) in _RELS:
        sign, strict = _SENSES[_RELS[type(rel)]]
        return sign * (rel.lhs - rel.rhs), strict
    if isinstance(rel, sp.Expr):
        return rel, False
    raise ExpressionError(
        f"cannot read {ineq!r} as an inequality: give a sympy relational (Ge, Gt, Le, Lt), "
        "a plain expression (meaning expr >= 0), or a tuple (expr, sense) with sense in '>=', '>', '<=', '<'."
    )


def parse_box(box: Mapping[Any, Any]) -> tuple[list[str], list[tuple[sp.Expr, sp.Expr]]]:
    if not isinstance(box, Mapping) or not box:
        raise InvalidParameterError("the box is empty: give {variable: (lo, hi)} for every variable of f.")
    names, bounds = [], []
    for key, lohi in box.items():
        name = key.name if isinstance(key, sp.Symbol) else str(key)
        try:
            lo, hi = lohi
        except (TypeError, ValueError) as exc:
            raise InvalidParameterError(f"box entry {name}: expected (lo, hi), got {lohi!r}.") from exc
        lo, hi = (parse_expression(v, what=f"box bound of {name}") for v in (lo, hi))  # no eval; finite
        if name in names or not all(v.is_real and v.is_finite and not v.free_symbols for v in (lo, hi)):
            raise InvalidParameterError(
                f"box entry {name}: bounds ({lo}, {hi}) must be finite real numbers, one entry per variable."
            )
        if bool((hi - lo).evalf(50) < 0):
            raise InvalidParameterError(f"box entry {name}: lower bound {lo} exceeds upper bound {hi}.")
        if isinstance(key, sp.Symbol):
            for test, ok in (("positive", lo > 0), ("nonnegative", lo >= 0), ("negative", hi < 0)):
                if getattr(key, f"is_{test}") and not bool(ok):
                    raise InvalidParameterError(
                        f"symbol {name} is declared {test} but the box is [{lo}, {hi}]."
                    )
        names.append(name)
        bounds.append((lo, hi))
    return names, bounds


#: Upper limits of certify's options: beyond them a call would run for hours or exhaust memory.
MAX_PREC = 10_000
MAX_TAYLOR_ORDER = 12
MAX_RANDOM = 100_000


def check_options(**opts: Any) -> None:
    """InvalidParameterError unless certify's options are numbers of the right kind and range."""

    def real(name: str) -> float:
        v = opts[name]
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            raise InvalidParameterError(f"{name} must be a real number, got {v!r:.60}.")
        try:
            return float(v)
        except OverflowError:
            return math.inf

    for name, lo, hi in (
        ("max_boxes", 1, None),
        ("prec", 20, MAX_PREC),
        ("taylor_order", None, MAX_TAYLOR_ORDER),
        ("n_random", 0, MAX_RANDOM),
        ("seed", 0, None),
        ("keep_boxes", 0, None),
    ):
        v = opts[name]
        if isinstance(v, bool) or not isinstance(v, numbers.Integral):
            raise InvalidParameterError(f"{name} must be an integer, got {v!r:.60}.")
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            lo_s, hi_s = ("-inf" if lo is None else lo), ("inf" if hi is None else hi)
            raise InvalidParameterError(f"{name} must lie in [{lo_s}, {hi_s}], got {v}.")
    tol = real("tol")
    if not (math.isfinite(tol) and tol >= 0):
        raise InvalidParameterError(f"tol must be a finite number >= 0, got {opts['tol']!r}.")
    if not real("max_seconds") > 0:
        raise InvalidParameterError(f"max_seconds must be > 0, got {opts['max_seconds']!r}.")
    if not (isinstance(opts["backend"], str) and opts["backend"] in ("mpmath", "flint")):
        raise InvalidParameterError(f"backend must be 'mpmath' or 'flint', got {opts['backend']!r:.60}.")
