"""Symbolic-to-numeric plumbing: parse user expressions, pick numerically stable forms, lambdify once.

Symbolic first, numeric second: every formula in sgmverify is derived as a sympy expression, then turned
into numpy / mpmath / torch callables here, once, and cached.  Stability is *measured*, not hoped for:
:func:`stable_form` rewrites ``exp(x) - 1`` as ``expm1(x)`` and ``log(1 + x)`` as ``log1p(x)`` in several
algebraically equivalent candidate forms and keeps the one whose float64 values agree best with a
50-digit mpmath evaluation at probe points (small t included).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import mpmath
import numpy as np
import sympy as sp
from sympy.codegen.cfunctions import log1p
from sympy.codegen.rewriting import expm1_opt, log1p_opt, optimize
from sympy.core.function import AppliedUndef

from sgmverify.errors import ExpressionError, InvalidParameterError, InvalidTypeError
from sgmverify.expressions import parse_expression

__all__ = [
    "ae_diff",
    "check_free_symbols",
    "is_mpmath",
    "is_torch",
    "lambdify_mpmath",
    "lambdify_numpy",
    "lambdify_torch",
    "param_values",
    "parse_expr",
    "parse_log_density",
    "pow_to_exp",
    "stable_form",
]


def parse_expr(expr: sp.Expr | str | float, local: Mapping[str, sp.Symbol]) -> sp.Expr:
    """Turn ``expr`` (sympy expression, string or number) into a sympy expression, never evaluating code.

    Strings go through :func:`sgmverify.expressions.parse_expression` (a whitelist, no ``eval``) with the
    names of ``local`` declared; any other plain name becomes a plain ``Symbol`` as with sympify, for the
    caller's :func:`check_free_symbols`.  ``oo`` is accepted (a trivial bound ``Bound("oo", ...)``);
    ``nan`` and ``zoo`` are not.  Sympy expressions and numbers pass through after that finiteness check.

    Raises
    ------
    ExpressionError
        If a string cannot be parsed, or uses anything outside the whitelist.
    """
    try:
        return parse_expression(expr, local, auto_symbols=True, allow_infinite=True)
    except ExpressionError as exc:
        if not isinstance(expr, str):
            raise
        raise ExpressionError(
            f"{exc} Declare every parameter name in `params` (E and pi are the constants e and π otherwise)."
        ) from None


def check_free_symbols(expr: sp.Expr, allowed: Iterable[sp.Symbol], what: str) -> None:
    """Raise :class:`ExpressionError` if ``expr`` has free symbols outside ``allowed``."""
    allowed_names = {s.name for s in allowed}
    extra = sorted(s.name for s in expr.free_symbols if s.name not in allowed_names)
    if extra:
        raise ExpressionError(
            f"{what} {expr} has free symbols {extra} that are not declared parameters; "
            f"declare them in `params` (known: {sorted(allowed_names)}) or substitute numbers."
        )


def pow_to_exp(expr: sp.Expr, var: sp.Symbol) -> sp.Expr:
    """Rewrite ``b**e`` with ``var`` in the exponent as ``exp(e*log(b))`` so expm1 can be recognised."""
    return expr.replace(
        lambda e: e.is_Pow and e.exp.has(var) and not e.base.has(var),
        lambda e: sp.exp(e.exp * sp.log(e.base)),
    )


def _exp_rational_form(expr: sp.Expr, var: sp.Symbol) -> sp.Expr | None:
    """Write ``expr`` as a factored rational function of one exponential ``X = exp(E(var))``.

    If every ``var``-dependent exponential in ``expr`` is ``exp(k_i E)`` with rational ``k_i``, substitute
    ``X``, factor (which exposes ``(X - 1)`` factors, i.e. ``expm1(E)``), and substitute back.  Returns
    None when the exponentials have no common base.
    """
    e = sp.powsimp(sp.expand(expr), combine="exp")
    split = {}
    for atom in e.atoms(sp.exp):
        const, dep = atom.args[0].as_independent(var, as_Add=True)
        if dep == 0:
            continue
        split[atom] = (const, dep)
    if not split:
        return None
    deps = [d for _, d in split.values()]
    base = deps[0]
    ratios = [sp.nsimplify(sp.simplify(d / base)) for d in deps]
    if not all(r.is_Rational for r in ratios):
        return None
    q = sp.ilcm(*[r.q for r in ratios]) if len(ratios) > 1 else ratios[0].q
    x = sp.Dummy("X", positive=True)
    repl = {atom: sp.exp(c) * x ** (r * q) for (atom, (c, _)), r in zip(split.items(), ratios)}
    rational = sp.factor(e.xreplace(repl))
    return rational.xreplace({x: sp.exp(base / q)})


def _log1p_form(expr: sp.Expr) -> sp.Expr:
    """``log a - log b`` -> ``log1p((a - b)/b)``, cosine differences written as products."""
    from sympy.simplify.fu import TR9

    e = sp.logcombine(expr, force=True)
    return e.replace(lambda x: isinstance(x, sp.log), lambda x: log1p(TR9(sp.together(x.args[0] - 1))))


def _candidates(expr: sp.Expr, var: sp.Symbol) -> list[sp.Expr]:
    base = pow_to_exp(expr, var)
    forms = [expr, base]
    for rewrite in (lambda e: _exp_rational_form(e, var), _log1p_form):
        try:
            rf = rewrite(base)
        except Exception:  # noqa: BLE001  (a failed rewrite is just not a candidate)
            continue
        if rf is not None:
            forms.append(rf)
    from sympy.simplify.fu import TR9  # cos a - cos b -> -2 sin((a+b)/2) sin((a-b)/2): no cancellation

    for f in (sp.simplify, sp.factor, sp.factor_terms, sp.powsimp, sp.expand, TR9):
        try:
            forms.append(f(base))
        except Exception:  # noqa: BLE001  (a failed rewrite is just not a candidate)
            continue
    out: list[sp.Expr] = []
    for f in forms:
        for g in (f, optimize(f, [expm1_opt, log1p_opt])):
            if not any(g == h for h in out):
                out.append(g)
    return out


def _max_rel_error(f_np: Callable, f_mp: Callable, probes: Sequence[float]) -> float:
    err = 0.0
    with mpmath.workdps(50), np.errstate(all="ignore"):
        for p in probes:
            try:
                ref = complex(f_mp(mpmath.mpf(p)))
                val_c = complex(np.asarray(f_np(np.float64(p))).item())
            except Exception:  # noqa: BLE001  (a form that cannot be evaluated is not a candidate)
                return math.inf
            if abs(val_c.imag) > 0 or abs(ref.imag) > 1e-30 * max(1.0, abs(ref.real)):
                return math.inf  # complex intermediate values: not usable in float64
            ref_f, val = ref.real, val_c.real
            if not math.isfinite(val):
                return math.inf
            denom = abs(ref_f) if ref_f != 0 else 1.0
            err = max(err, abs(val - ref_f) / denom)
    return err


#: In-memory memos of :func:`stable_form` and the ``lambdify_*`` functions, keyed by the exact expressions
#: (sympy's structural equality: a Float's precision and a Symbol's assumptions are part of the key).  A new
#: process instance with the same coefficients reuses them (``stable_form`` costs ~70 ms, ``lambdify`` ~2 ms).
_MEMO_MAX = 4096
_STABLE_MEMO: dict[tuple, tuple[sp.Expr, float]] = {}
_LAMBDIFY_MEMO: dict[tuple, Callable] = {}


def _remember(memo: dict, key: tuple, value: Any) -> Any:
    if len(memo) >= _MEMO_MAX:  # a crude bound: the working set of a run is a few dozen forms
        memo.clear()
    memo[key] = value
    return value


def stable_form(expr: sp.Expr, var: sp.Symbol, probes: Sequence[float]) -> tuple[sp.Expr, float]:
    """The candidate form of ``expr`` (a function of ``var`` only) most accurate in float64.

    Returns the chosen expression and its measured maximum relative error at ``probes`` against the
    original expression evaluated with mpmath at 50 digits.  Memoised in memory on ``(expr, var, probes)``
    (the choice is deterministic); :func:`sgmverify.sde` also keeps it on disk with its derivations.
    """
    key = (expr, var, tuple(float(p) for p in probes))
    hit = _STABLE_MEMO.get(key)
    if hit is None:
        hit = _remember(_STABLE_MEMO, key, _stable_form_uncached(expr, var, probes))
    return hit


def _stable_form_uncached(expr: sp.Expr, var: sp.Symbol, probes: Sequence[float]) -> tuple[sp.Expr, float]:
    f_mp = lambdify_mpmath(var, expr)
    best, best_err = expr, math.inf
    for cand in _candidates(expr, var):
        err = _max_rel_error(lambdify_numpy(var, cand), f_mp, probes)
        if err < best_err:
            best, best_err = cand, err
    return best, best_err


def lambdify_numpy(var: sp.Symbol, expr: sp.Expr) -> Callable[[np.ndarray], np.ndarray]:
    """Vectorised float64 callable; constant expressions broadcast to the shape of the input (memoised)."""
    hit = _LAMBDIFY_MEMO.get(("numpy", var, expr))
    return hit if hit is not None else _remember(_LAMBDIFY_MEMO, ("numpy", var, expr), _numpy_fn(var, expr))


def _numpy_fn(var: sp.Symbol, expr: sp.Expr) -> Callable[[np.ndarray], np.ndarray]:
    f = sp.lambdify(var, expr, modules=["numpy", "scipy"])

    def wrapped(t):
        t_arr = np.asarray(t, dtype=float)
        with np.errstate(over="ignore"):
            return np.asarray(f(t_arr), dtype=float) + np.zeros_like(t_arr)

    return wrapped


def lambdify_mpmath(var: sp.Symbol, expr: sp.Expr) -> Callable:
    """mpmath callable (uses the caller's working precision; memoised)."""
    hit = _LAMBDIFY_MEMO.get(("mpmath", var, expr))
    if hit is None:
        hit = _remember(_LAMBDIFY_MEMO, ("mpmath", var, expr), sp.lambdify(var, expr, modules="mpmath"))
    return hit


def lambdify_torch(var: sp.Symbol, expr: sp.Expr) -> Callable:
    """torch callable (float64 tensors in, tensors out; differentiable; memoised)."""
    hit = _LAMBDIFY_MEMO.get(("torch", var, expr))
    return hit if hit is not None else _remember(_LAMBDIFY_MEMO, ("torch", var, expr), _torch_fn(var, expr))


def _torch_fn(var: sp.Symbol, expr: sp.Expr) -> Callable:
    import torch
    from sympy.printing.pytorch import TorchPrinter

    f = sp.lambdify(
        var,
        _fold_constants(expr),
        modules=[_TORCH_NAMES(torch), "torch"],
        printer=TorchPrinter({"strict": False}),
    )

    def wrapped(t):
        out = f(t)
        if not torch.is_tensor(out):
            out = torch.as_tensor(float(out), dtype=t.dtype, device=t.device)
        return out + 0 * t  # keeps constant outputs attached to t's graph (gradient 0)

    return wrapped


def _TORCH_NAMES(torch) -> dict:
    """Names the torch printer leaves unprefixed inside functions it cannot print (expm1, log1p)."""
    names = ["expm1", "log1p", "sin", "cos", "tan", "exp", "log", "sqrt", "sinh", "cosh", "tanh", "atan"]
    out = {n: getattr(torch, n) for n in names}
    out.update({"erf": torch.special.erf, "erfc": torch.special.erfc, "Abs": torch.abs, "sign": torch.sign})
    return out


def _fold_constants(expr: sp.Expr) -> sp.Expr:
    """Replace every symbol-free, non-number subexpression (``sqrt(2)``, ``cos(pi/7)``) by a 30-digit float.

    torch's functions accept tensors only, so ``torch.sqrt(2)`` would fail in the generated code.
    """
    if expr.is_Number or isinstance(expr, sp.logic.boolalg.BooleanAtom):
        return expr
    if not expr.free_symbols and isinstance(expr, sp.Expr):
        val = expr.evalf(30)
        if val.is_real:
            return sp.Float(val, 30)
        return expr
    if not expr.args:
        return expr
    return expr.func(*[_fold_constants(a) for a in expr.args])


def is_torch(x: object) -> bool:
    """True for a torch tensor (without importing torch)."""
    return type(x).__module__.startswith("torch")


def is_mpmath(x: object) -> bool:
    """True for an mpmath number."""
    return isinstance(x, mpmath.mpf | mpmath.mpc)


# ---------------------------------------------------------------- user log-densities
def param_values(params: Mapping | None) -> dict[str, sp.Expr]:
    """``{name: finite real sympy number}`` from ``params``; strings are parsed without eval (constants only).

    Raises
    ------
    ExpressionError
        A string value outside the whitelist of :func:`sgmverify.expressions.parse_expression`.
    InvalidParameterError
        A value that is not a finite real number (NaN, a symbol, ...).
    """
    if params is not None and not isinstance(params, Mapping):
        raise InvalidTypeError(
            f"params must be a mapping of parameter name -> number (e.g. {{'a': 0.5}}), got "
            f"{type(params).__name__} {params!r:.60}"
        )
    values = {}
    for key, val in (params or {}).items():
        name = key.name if isinstance(key, sp.Symbol) else str(key)
        if isinstance(val, str):  # no eval: a bad string is an ExpressionError naming the parameter
            num = parse_expression(val, what=f"value of parameter {name}")
        else:
            try:
                num = sp.Float(float(val)) if isinstance(val, (float, np.floating)) else parse_expression(val)
            except (ExpressionError, TypeError, ValueError):
                num = sp.nan
        if not (num.is_number and num.is_real and num.is_finite):
            raise InvalidParameterError(f"parameter {name} = {val!r} must be a finite real number")
        values[name] = num
    return values


def parse_log_density(expr, variable=None, params: Mapping | None = None) -> tuple[sp.Expr, sp.Symbol]:
    """Parse ``expr``, substitute ``params``, return it in a real variable; ExpressionError if malformed.

    Strings go through :func:`sgmverify.expressions.parse_expression` (a whitelist, no ``eval``; plain names
    become symbols).  Non-finite values (``nan``, ``oo``, ``-oo``, ``zoo``, ``1/0``) are refused: they would
    otherwise "prove" log-concavity or moments.
    """
    expr = parse_expression(expr, auto_symbols=True, what="log-density")
    if not isinstance(expr, sp.Expr):
        raise ExpressionError(f"the log-density must be a sympy expression, got {type(expr).__name__}")
    values = param_values(params)
    names = {s.name for s in expr.free_symbols}
    if variable is None:
        cands = sorted(names - set(values))
        if len(cands) > 1:
            raise ExpressionError(
                f"the log-density has free symbols {cands}; name the variable (variable='x') and give the "
                "others numeric values in params={...}"
            )
        name = cands[0] if cands else "x"
    else:
        name = variable.name if isinstance(variable, sp.Symbol) else str(variable)
        extra = sorted(names - set(values) - {name})
        if extra:
            raise ExpressionError(
                f"the log-density has free symbols {extra} besides the variable {name!r} and the declared "
                f"params {sorted(values)}; declare them in params={{...}} with numeric values"
            )
    x = sp.Symbol(name, real=True)
    expr = expr.xreplace({s: (x if s.name == name else values[s.name]) for s in expr.free_symbols})
    if expr.atoms(AppliedUndef):
        raise ExpressionError(f"the log-density contains undefined functions {expr.atoms(AppliedUndef)}")
    if expr.has(sp.I):
        raise ExpressionError("the log-density contains the imaginary unit; it must be real-valued")
    return expr, x


def ae_diff(expr: sp.Expr, x: sp.Symbol) -> sp.Expr:
    """Derivative almost everywhere: ``DiracDelta`` terms (from kinks) are dropped."""
    return sp.diff(expr, x).replace(sp.DiracDelta, lambda *args: sp.S.Zero)
