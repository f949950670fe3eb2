r"""Claim 1 of the notes (§6): L² controls W1 on a box; the converse fails (notes §2.4 [BACKGROUND]).

On a box Ω: :math:`\|p-q\|_{L^1} \le |\Omega|^{1/2}\|p-q\|_2` (Cauchy–Schwarz) and :math:`W_1 \le
\mathrm{diam}(\Omega)\,\mathrm{TV}`, so :math:`W_1 \le \tfrac12\mathrm{diam}(\Omega)|\Omega|^{1/2}\|p-q\|_2`.
Conversely :math:`p_n = 1 + \sin(2\pi n x)` on [0, 1] has :math:`W_1(p_n, U) = 1/(2\pi n) \to 0` while
:math:`\|p_n - 1\|_2 = 1/\sqrt2` for every n.

Measurements are independent of the closed forms: W1 = ∫|F_p − F_q| by mpmath quadrature at 40 digits (split
at the zeros of the integrand), L² by exact sympy integration.
"""

from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp

from sgmverify import Estimate
from sgmverify.theory import Bound, Scenario, Theorem

from ._numerics import background_ref

SECTION = "Metric relations (claim 1)"
REF1 = background_ref("Cauchy–Schwarz and W1 ≤ diam·TV on a box", "notes §2.4, §6 claim 1")
_X = sp.Symbol("x", real=True)


def _pair(sc: Scenario) -> tuple[sp.Expr, sp.Expr, float, float]:
    """(p, q, lo, hi): sympy densities on the box [lo, hi]."""
    p = sc.params
    if p["kind"] == "sine":
        return 1 + sp.sin(2 * sp.pi * p["n"] * _X), sp.Integer(1), 0.0, 1.0
    a, b = p["a"], p["b"]  # Beta(a, b) vs Beta(b, a) on [0, 1], integer parameters
    beta = sp.gamma(a + b) / (sp.gamma(a) * sp.gamma(b))
    return beta * _X ** (a - 1) * (1 - _X) ** (b - 1), beta * _X ** (b - 1) * (1 - _X) ** (a - 1), 0.0, 1.0


def _w1(p: sp.Expr, q: sp.Expr, lo: float, hi: float, splits: int) -> float:
    diff = sp.integrate(p - q, (_X, lo, _X))
    f = sp.lambdify(_X, sp.Abs(diff), modules="mpmath")
    with mpmath.workdps(40):
        pts = [mpmath.mpf(lo) + (mpmath.mpf(hi) - lo) * j / splits for j in range(splits + 1)]
        return float(mpmath.quad(f, pts))


def _l2(p: sp.Expr, q: sp.Expr, lo: float, hi: float) -> sp.Expr:
    return sp.sqrt(sp.integrate(sp.expand((p - q) ** 2), (_X, lo, hi)))


def measure_w1(sc: Scenario, rng: np.random.Generator) -> Estimate:
    p, q, lo, hi = _pair(sc)
    return Estimate.exact_value(_w1(p, q, lo, hi, sc.params.get("n", 2)), method="mpmath quad of |F_p − F_q|")


def measure_l2(sc: Scenario, rng: np.random.Generator) -> Estimate:
    p, q, lo, hi = _pair(sc)
    return Estimate.exact_value(float(_l2(p, q, lo, hi)), method="sympy: exact integral")


def _control_params(sc: Scenario) -> dict:
    p, q, lo, hi = _pair(sc)
    return {"diam": hi - lo, "vol": hi - lo, "l2": float(_l2(p, q, lo, hi))}


_SINE = [
    Scenario(f"sine-n{n}", params={"kind": "sine", "n": n}, sweep=("n",), quick=n in (1, 4))
    for n in (1, 2, 4, 8, 16)
]
_BETA = [
    Scenario(f"beta{a}{b}", params={"kind": "beta", "a": a, "b": b}, quick=a == 2 and b == 3)
    for a, b in ((2, 3), (2, 5), (1, 4))
]

L2_CONTROLS_W1 = Theorem(
    id="eop.metric.l2_controls_w1",
    title="On a box, W1 ≤ ½ diam(Ω)|Ω|^{1/2} ‖p − q‖₂",
    reference=REF1,
    bound=Bound("diam*sqrt(vol)*l2/2", "upper", "W1(p, q)", params=["diam", "vol", "l2"], rtol=1e-12),
    measure=measure_w1,
    scenarios=_SINE + _BETA,
    bound_params=_control_params,
    section=SECTION,
)

CONVERSE_W1 = Theorem(
    id="eop.metric.converse_w1",
    title="Converse fails: W1(1 + sin(2πnx), U[0,1]) = 1/(2πn) → 0 …",
    reference=REF1,
    bound=Bound("1/(2*pi*n)", "equal", "W1(p_n, U[0,1])", params=["n"], rtol=1e-12),
    measure=measure_w1,
    scenarios=_SINE,
    section=SECTION,
)

CONVERSE_L2 = Theorem(
    id="eop.metric.converse_l2",
    title="… while ‖1 + sin(2πnx) − 1‖₂ = 1/√2 for every n (L² tracking is strictly stronger)",
    reference=REF1,
    bound=Bound("1/sqrt(2)", "equal", "‖p_n − 1‖₂ on [0, 1]", rtol=1e-12),
    measure=measure_l2,
    scenarios=_SINE,
    section=SECTION,
)

THEOREMS = [L2_CONTROLS_W1, CONVERSE_W1, CONVERSE_L2]
