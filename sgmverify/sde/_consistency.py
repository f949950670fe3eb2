r"""Process consistency: does a declared marginal std solve the variance ODE of a linear SDE?

For the linear SDE :math:`dX = a(t) X\,dt + g(t)\,dW` (equivalently :math:`a = -f`), the conditional variance
:math:`\sigma^2(t) = \operatorname{Var}(X_t \mid X_0)` solves

.. math::

    \frac{d\sigma^2}{dt} = 2a(t)\,\sigma^2(t) + g(t)^2 \;(= -2f\sigma^2 + g^2),\qquad \sigma^2(0) = 0

(Särkkä & Solin 2019, *Applied SDEs*, eq. 6.2 for the covariance of a linear SDE).  A *declared* marginal
std (a paper's formula, a code's ``marginal_prob``) is consistent with the SDE's coefficients iff it solves
the ODE; the initial value says which start it describes (score-SDE's VE declares
:math:`\sigma(0) = \sigma_{\min}`: the law of :math:`X_0 + \sigma_{\min} Z` pushed through the SDE, not of
:math:`X_0`).  :func:`check_marginal_consistency` checks both:

1. symbolically (all inputs sympy): the residual :math:`R = (\sigma^2)' - 2a\sigma^2 - g^2` is simplified,
   first with the parameters symbolic, then with their exact values; zero means "holds".  Otherwise ``R`` is
   evaluated exactly (30 digits) at a few times: a clearly non-zero value is a witness for "fails".  A
   simplification that decides nothing is "unknown", never "holds";
2. numerically, on a time grid: the relative residual :math:`|R| / (|(\sigma^2)'| + |2a\sigma^2| + g^2)`
   (mpmath at 30 digits for sympy inputs; float64 and a fourth-order central difference for callables);
3. the initial value :math:`\sigma^2(0)` against 0, reported as an offset.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from sgmverify._timelimit import time_limited
from sgmverify.errors import InvalidParameterError
from sgmverify.symbolic import check_free_symbols, parse_expr
from sgmverify.theory import Assumption, AssumptionResult

__all__ = [
    "ConsistencyResult",
    "check_marginal_consistency",
    "check_process_consistency",
    "marginal_consistency_assumption",
]

#: Relative threshold above which an exactly evaluated residual counts as a witness of "fails".
WITNESS_RTOL = 1e-20
#: The same when the expressions contain floats: sympy rounds e.g. ``sqrt(2.0*t)`` to ``1.414...*sqrt(t)``,
#: so an exactly consistent declaration can leave a residual of a few ulp; only larger ones are witnesses.
FLOAT_WITNESS_RTOL = 1e-12


@dataclass(frozen=True)
class ConsistencyResult:
    """Outcome of a marginal-consistency check.

    Attributes
    ----------
    status : str
        ``"holds"``, ``"fails"`` or ``"unknown"``: does the declared variance solve the variance ODE (and,
        with ``require_zero_start``, start at 0)?
    evidence : str
        ``"symbolic"`` (sympy proof, or an exactly evaluated witness) or ``"numeric"`` (grid residual).
    max_residual : float
        Largest relative ODE residual on the time grid.
    initial_var : float
        The declared :math:`\\sigma^2(0)`; the SDE started at :math:`X_0` has 0 (NaN if not evaluable).
    message : str
        What was found, in words.
    symbolic, numeric : str
        The verdict of each stage (``"holds"``, ``"fails"``, ``"unknown"``, or ``"not applicable"``).
    witness_t : float or None
        A time at which the residual was shown non-zero.
    """

    status: str
    evidence: str
    max_residual: float
    initial_var: float
    message: str
    symbolic: str = "not applicable"
    numeric: str = "unknown"
    witness_t: float | None = None

    def to_assumption_result(self, name: str) -> AssumptionResult:
        """The :class:`~sgmverify.theory.AssumptionResult` for an :class:`~sgmverify.theory.Assumption`."""
        return AssumptionResult(name, self.status, self.message, evidence=self.evidence)


def _default_times(t_max: float) -> np.ndarray:
    end = min(1.0, 0.99 * t_max)
    return np.concatenate([end * np.geomspace(1e-6, 1e-2, 5), end * np.linspace(0.02, 1.0, 25)])


def _fd(fun: Callable[[float], float], t: float) -> float:
    """Fourth-order central difference with h = 1e-3 t (stays inside (0, t_max) on the grid)."""
    h = 1e-3 * t
    return (-fun(t + 2 * h) + 8 * fun(t + h) - 8 * fun(t - h) + fun(t - 2 * h)) / (12 * h)


def check_marginal_consistency(
    *,
    g: Any,
    a: Any = None,
    f: Any = None,
    std: Any = None,
    var: Any = None,
    params: Mapping[str, float] | None = None,
    t: sp.Symbol | None = None,
    times: Sequence[float] | None = None,
    t_max: float = math.inf,
    rtol: float = 1e-8,
    fail_rtol: float = 1e-4,
    require_zero_start: bool = False,
    initial_atol: float = 1e-12,
    time_limit: float = 10.0,
) -> ConsistencyResult:
    r"""Does the declared marginal std solve :math:`(\sigma^2)' = 2a\sigma^2 + g^2` for this SDE?

    Parameters
    ----------
    g : sympy expression, str, number or callable
        Diffusion :math:`g(t)`.
    a, f : sympy expression, str, number or callable
        Drift coefficient :math:`a(t)`, or :math:`f(t) = -a(t)`; exactly one.
    std, var : sympy expression, str, number or callable
        The declared marginal std :math:`\sigma(t)` or variance :math:`\sigma^2(t)`; exactly one.
    params : mapping of str to float, optional
        Values of the parameter symbols (matched by name).
    t : sympy Symbol, optional
        The time symbol (default: the free symbol named ``t``).
    times : sequence of float, optional
        Grid for the numeric check, inside (0, t_max).  Default: 5 geometric points in
        [1e-6 T, 1e-2 T] and 25 linear points in [0.02 T, T], T = min(1, 0.99 t_max).
    t_max : float
        End of the time domain.
    rtol, fail_rtol : float
        Numeric verdict: max relative residual <= rtol holds, > fail_rtol fails, in between unknown.
    require_zero_start : bool
        If True a declared :math:`\sigma^2(0) \ne 0` (beyond ``initial_atol``) makes the status "fails"; if
        False (default) the offset is only reported.
    time_limit : float
        Seconds each sympy simplification may take (enforced in the main thread only).
    """
    if (a is None) == (f is None):
        raise InvalidParameterError("pass exactly one of a (drift coefficient) and f = -a.")
    if (std is None) == (var is None):
        raise InvalidParameterError("pass exactly one of std and var (the declared marginal).")
    if not (rtol > 0 and fail_rtol >= rtol):
        raise InvalidParameterError(f"need 0 < rtol <= fail_rtol, got rtol={rtol}, fail_rtol={fail_rtol}.")
    params = {k: float(v) for k, v in (params or {}).items()}
    grid = np.asarray(_default_times(t_max) if times is None else times, dtype=float)
    if grid.ndim != 1 or grid.size == 0 or np.any(~(grid > 0)) or np.any(grid >= t_max):
        raise InvalidParameterError(f"times must be a non-empty 1-D grid inside (0, {t_max}); got {grid}.")

    raw = {"a": a if a is not None else f, "g": g, "decl": std if std is not None else var}
    if any(callable(v) and not isinstance(v, sp.Basic) for v in raw.values()):
        fns = _callables(raw, a is None, std is not None, params, t)
        sym_status, witness, sym_msg = "not applicable", None, "symbolic check not applicable (callables)"
        max_rel = _max_residual(fns, [float(tt) for tt in grid])
        v0 = _initial_callable(fns[2])
    else:
        a_e, g_e, v_e, t_sym = _exprs(raw, a is None, std is not None, params, t)
        sym_status, witness, sym_msg = _symbolic(a_e, g_e, v_e, t_sym, params, grid, time_limit)
        fns = _mp_callables(a_e, g_e, v_e, t_sym, params)
        with mpmath.workdps(30):
            max_rel = _max_residual(fns, [mpmath.mpf(float(tt)) for tt in grid])
        v0 = _initial_symbolic(v_e, t_sym, params)

    num_status = "holds" if max_rel <= rtol else ("fails" if max_rel > fail_rtol else "unknown")
    span = f"{grid.size} times in [{grid.min():.3g}, {grid.max():.3g}]"
    num_msg = f"max relative residual {max_rel:.3g} on {span}"
    if math.isnan(max_rel):
        num_msg = f"the residual could not be evaluated (non-finite, complex or an error) on {span}"
    if sym_status in ("holds", "fails"):
        status, evidence = sym_status, "symbolic"
        if sym_status == "holds" and num_status == "fails":
            status = "unknown"  # a proof under the symbols' assumptions that the numbers contradict
            sym_msg += (
                " but the numeric residual contradicts it (do the values violate the symbols' assumptions?)"
            )
    else:
        status, evidence = num_status, "numeric"
    ode_msg = f"d(sigma^2)/dt = 2 a sigma^2 + g^2: {status} ({sym_msg}; {num_msg})"

    if not math.isfinite(v0):
        init_msg = "declared sigma^2(0) could not be evaluated"
        if require_zero_start and status == "holds":
            status = "unknown"
    elif abs(v0) <= initial_atol:
        init_msg = f"declared sigma^2(0) = {v0:.3g}: starts at X_0 (offset 0)"
    else:
        init_msg = (
            f"declared sigma^2(0) = {v0:.6g} (sigma(0) = {math.sqrt(abs(v0)):.6g}): the SDE started at X_0 "
            f"has sigma^2(0) = 0, offset {v0:.6g}"
        )
        if require_zero_start and status != "fails":
            status, evidence = "fails", ("symbolic" if sym_status != "not applicable" else "numeric")
            init_msg += " -- a zero start is required: fails"
    return ConsistencyResult(
        status=status,
        evidence=evidence,
        max_residual=max_rel,
        initial_var=v0,
        message=f"{ode_msg}; {init_msg}.",
        symbolic=sym_status,
        numeric=num_status,
        witness_t=witness,
    )


def check_process_consistency(process: Any, **kw: Any) -> ConsistencyResult:
    """:func:`check_marginal_consistency` for a :class:`~sgmverify.sde.LinearSDE`'s own marginal.

    Uses its ``a_expr``, ``g_expr``, ``params`` and ``var_expr`` (derived or declared); when the variance
    has no closed form, its numeric ``var`` (quadrature) is checked numerically.
    """
    kw.setdefault("t_max", process.t_max)
    if process.var_expr is None:
        p = process.params
        t = process.t
        a_fn = sp.lambdify(
            t, process.a_expr.subs({s: p[s.name] for s in process.a_expr.free_symbols if s != t})
        )
        g_fn = sp.lambdify(
            t, process.g_expr.subs({s: p[s.name] for s in process.g_expr.free_symbols if s != t})
        )
        return check_marginal_consistency(a=a_fn, g=g_fn, var=process.var, **kw)
    return check_marginal_consistency(
        a=process.a_expr, g=process.g_expr, var=process.var_expr, params=process.params, t=process.t, **kw
    )


def marginal_consistency_assumption(
    name: str = "declared marginal solves the variance ODE", **kw: Any
) -> Assumption:
    """An :class:`~sgmverify.theory.Assumption` checking ``scenario.process`` with
    :func:`check_process_consistency` (keyword arguments passed on, e.g. ``require_zero_start=True``)."""

    def check(scenario: Any) -> AssumptionResult:
        process = getattr(scenario, "process", None)
        if process is None:
            return AssumptionResult(name, "unknown", "the scenario has no forward process to check")
        return check_process_consistency(process, **kw).to_assumption_result(name)

    desc = "d(sigma^2)/dt = 2 a(t) sigma^2 + g(t)^2" + (
        " and sigma^2(0) = 0" if kw.get("require_zero_start") else ""
    )
    return Assumption(name, desc, check)


# ---------------------------------------------------------------------- internals
def _exprs(raw: dict, is_f: bool, is_std: bool, params: Mapping[str, float], t: sp.Symbol | None):
    local = {k: sp.Symbol(k, positive=True) for k in params}
    exprs = {k: parse_expr(v, {**local, "t": sp.Symbol("t", positive=True)}) for k, v in raw.items()}
    if t is None:
        named = [s for e in exprs.values() for s in e.free_symbols if s.name == "t"]
        t = named[0] if named else sp.Symbol("t", positive=True)
    for k, e in exprs.items():
        allowed = [t] + [s for s in e.free_symbols if s.name in params]
        check_free_symbols(
            e, allowed, {"a": "the drift", "g": "the diffusion", "decl": "the declared marginal"}[k]
        )
    a_e = -exprs["a"] if is_f else exprs["a"]
    v_e = exprs["decl"] ** 2 if is_std else exprs["decl"]
    return a_e, exprs["g"], v_e, t


def _values(exprs: Sequence[sp.Expr], t: sp.Symbol, params: Mapping[str, float], exact: bool) -> dict:
    syms = {s for e in exprs for s in e.free_symbols if s != t}
    return {s: (sp.Rational(params[s.name]) if exact else sp.Float(params[s.name])) for s in syms}


def _exact(expr: sp.Expr, t: sp.Symbol, params: Mapping[str, float]) -> sp.Expr:
    """``expr`` with the parameter values and every Float replaced by exact (binary-valued) rationals."""
    return sp.nsimplify(
        expr.subs(_values([expr], t, params, exact=True)), rational=True, rational_conversion="exact"
    )


def _residual(a_e: sp.Expr, g_e: sp.Expr, v_e: sp.Expr, t: sp.Symbol) -> tuple[sp.Expr, sp.Expr]:
    dv = sp.diff(v_e, t)
    return dv - 2 * a_e * v_e - g_e**2, abs(dv) + abs(2 * a_e * v_e) + g_e**2


def _is_zero(expr: sp.Expr, time_limit: float) -> bool:
    """True when ``expr`` is proved identically 0: the trigonometric reduction (:func:`_trig_zero`, cheap)
    first, then sympy's ``simplify`` (which can take seconds on trigonometric expressions, e.g. the cosine
    schedule's residual, and still fail); each under ``time_limit``."""
    for attempt in (lambda: _trig_zero(expr), lambda: sp.simplify(expr) == 0):
        try:
            if time_limited(attempt, time_limit):
                return True
        except Exception:  # noqa: BLE001  (a timeout or a sympy failure decides nothing)
            continue
    return False


#: largest multiple k in trig(k X) that :func:`_trig_zero` expands (higher multiples: left to simplify)
_MAX_TRIG_MULTIPLE = 12


def _trig_zero(expr: sp.Expr) -> bool:
    r"""Prove ``expr == 0`` for a rational function of sines and cosines, or return False (undecided).

    ``tan``, ``cot``, ``sec``, ``csc`` are written with ``sin`` and ``cos``; the arguments are grouped by
    rational ratio and each written as :math:`k X` for a base angle :math:`X` of its group (``|k| <=
    12``), so that ``sin(k X)``, ``cos(k X)`` expand into polynomials in :math:`S = \sin X`, :math:`C = \cos
    X`.  The numerator of the result is then reduced modulo :math:`S^2 + C^2 - 1` (replacing :math:`S^2` by
    :math:`1 - C^2`); a zero remainder proves the identity wherever the denominator is defined.  Sound but
    incomplete: False means "not shown", never "non-zero".
    """
    expr = expr.replace(sp.tan, lambda x: sp.sin(x) / sp.cos(x)).replace(
        sp.cot, lambda x: sp.cos(x) / sp.sin(x)
    )
    expr = expr.replace(sp.sec, lambda x: 1 / sp.cos(x)).replace(sp.csc, lambda x: 1 / sp.sin(x))
    args = sorted({f.args[0] for f in expr.atoms(sp.sin, sp.cos)}, key=sp.default_sort_key)
    if not args:
        return expr == 0
    groups: list[list[sp.Expr]] = []
    for arg in args:
        for grp in groups:
            if sp.cancel(arg / grp[0]).is_Rational:
                grp.append(arg)
                break
        else:
            groups.append([arg])
    subs, pairs = {}, []
    for grp in groups:
        ratios = [sp.Rational(sp.cancel(a / grp[0])) for a in grp]
        den = functools.reduce(sp.ilcm, [q.q for q in ratios], 1)
        ks = [int(q * den) for q in ratios]
        common = functools.reduce(math.gcd, [abs(k) for k in ks])
        ks = [k // common for k in ks]
        if max(abs(k) for k in ks) > _MAX_TRIG_MULTIPLE:
            return False
        x, sin_x, cos_x = sp.Dummy("X"), sp.Dummy("S"), sp.Dummy("C")
        pairs.append((sin_x, cos_x))
        for a, k in zip(grp, ks):
            for f in (sp.sin, sp.cos):
                subs[f(a)] = sp.expand_trig(f(k * x)).xreplace({sp.sin(x): sin_x, sp.cos(x): cos_x})
    reduced = expr.xreplace(subs)
    if reduced.atoms(sp.sin, sp.cos, sp.tan):
        return False
    num = sp.expand(sp.together(reduced).as_numer_denom()[0])
    for sin_x, cos_x in pairs:
        poly = sp.Poly(num, sin_x)
        num = sp.expand(sum(c * sin_x ** (k % 2) * (1 - cos_x**2) ** (k // 2) for (k,), c in poly.terms()))
    return num == 0


def _symbolic(a_e, g_e, v_e, t, params, grid, time_limit) -> tuple[str, float | None, str]:
    """Find a time where R is exactly non-zero (cheap, first), else prove R = 0 (parameters symbolic, then
    their exact values); neither: unknown."""
    res, scale = _residual(a_e, g_e, v_e, t)
    res_q, scale_q = _exact(res, t, params), _exact(scale, t, params)
    floats = any(e.has(sp.Float) for e in (a_e, g_e, v_e))
    threshold = FLOAT_WITNESS_RTOL if floats else WITNESS_RTOL
    for tt in (grid[len(grid) // 2], grid[-1], grid[0]):
        t_q = sp.Rational(float(tt))
        try:
            r = complex(res_q.subs(t, t_q).evalf(30))
            s = abs(complex(scale_q.subs(t, t_q).evalf(30)))
        except Exception:  # noqa: BLE001  (not evaluable here: try another time)
            continue
        if math.isfinite(abs(r)) and abs(r) > threshold * max(s, 1e-300):
            msg = f"the residual is {r.real:.6g} != 0 at t = {float(tt):g} (exact evaluation, 30 digits)"
            return "fails", float(tt), msg
    if _is_zero(res, time_limit):
        return (
            "holds",
            None,
            "the residual simplifies to 0 for all parameter values (under the symbols' assumptions)",
        )
    if _is_zero(res_q, time_limit):
        return "holds", None, "the residual simplifies to 0 at these parameter values"
    why = (
        " (the expressions contain floats: residuals below 1e-12 relative count as rounding)"
        if floats
        else ""
    )
    return "unknown", None, "sympy could neither simplify the residual to 0 nor find a non-zero value" + why


def _mp_callables(a_e, g_e, v_e, t, params) -> tuple[Callable, ...]:
    vals = _values([a_e, g_e, v_e], t, params, exact=False)
    dv = sp.diff(v_e, t)
    return tuple(sp.lambdify(t, e.subs(vals), modules="mpmath") for e in (a_e, g_e, v_e, dv))


def _callables(raw: dict, is_f: bool, is_std: bool, params, t) -> tuple[Callable, ...]:
    def as_fn(v: Any) -> Callable[[float], float]:
        if callable(v) and not isinstance(v, sp.Basic):
            return lambda s: float(v(s))
        local = {k: sp.Symbol(k, positive=True) for k in params}
        e = parse_expr(v, {**local, "t": sp.Symbol("t", positive=True)})
        ts = t if t is not None else next((s for s in e.free_symbols if s.name == "t"), sp.Symbol("t"))
        fn = sp.lambdify(ts, e.subs(_values([e], ts, params, exact=False)), modules="math")
        return lambda s: float(fn(s))

    a_fn, g_fn, d_fn = (as_fn(raw[k]) for k in ("a", "g", "decl"))
    a_out = (lambda s: -a_fn(s)) if is_f else a_fn
    v_out = (lambda s: d_fn(s) ** 2) if is_std else d_fn
    return a_out, g_fn, v_out, lambda s: _fd(v_out, s)


def _max_residual(fns: Sequence[Callable], times: Sequence[Any]) -> float:
    """Largest relative residual on the grid; NaN if any point cannot be evaluated (never a silent skip)."""
    worst = 0.0
    for tt in times:
        try:
            r = float(_rel_residual(*fns, tt))
        except Exception:  # noqa: BLE001  (a point where the inputs are undefined or complex)
            return math.nan
        if not math.isfinite(r):
            return math.nan
        worst = max(worst, r)
    return worst


def _rel_residual(a_fn, g_fn, v_fn, dv_fn, tt) -> Any:
    a, g, v, dv = a_fn(tt), g_fn(tt), v_fn(tt), dv_fn(tt)
    scale = abs(dv) + abs(2 * a * v) + g * g
    r = abs(dv - 2 * a * v - g * g)
    return r / scale if scale > 0 else r


def _initial_symbolic(v_e: sp.Expr, t: sp.Symbol, params: Mapping[str, float]) -> float:
    try:
        v = _exact(v_e, t, params)
        v0 = v.subs(t, 0)
        if v0.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
            v0 = sp.limit(v, t, 0, "+")
        return float(v0.evalf(30))
    except Exception:  # noqa: BLE001  (not evaluable at 0)
        return math.nan


def _initial_callable(v_fn: Callable[[float], float]) -> float:
    try:
        return float(v_fn(0.0))
    except Exception:  # noqa: BLE001  (a declared marginal undefined at 0)
        return math.nan
