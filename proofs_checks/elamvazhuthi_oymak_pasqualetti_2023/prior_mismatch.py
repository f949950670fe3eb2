r"""Claim 12 of the notes (§6): the prior-mismatch term ‖γ − p_T‖₂.

Data: the Gaussian mixture ½N(−1, 0.5) + ½N(1, 0.5) under OU; γ = N(0, 1).

``eop.prior.l2_closed_form`` [background] ‖γ − p_T‖²₂ in closed form (∫N(x;a,A)N(x;b,B) = N(a; b, A+B))
                                          equals a
                             trapezoid quadrature on [−12, 12].
``eop.prior.mismatch_bound`` [derived, §4.1c with δ = 0] starting the reverse SDE (η = 1, exact score) from γ
                             instead of p_T changes the squared L² error by at most e^{∫a}‖γ − p_T‖²₂: the
                             Fokker–Planck equation is linear, so the difference of the two solutions solves
                             it
                             with no forcing and the §4.1b estimate applies with
                             a(τ) = −(1 − 2c(T−τ)) + 4‖h(·, T−τ)‖²_∞, where the exact score is s = −c x + h,
                             c = 1/v_t, v_t = m²v + σ², ‖h‖_∞ = m max|μ_i|/v_t.
"""

from __future__ import annotations

import math

import numpy as np

from sgmverify import Estimate
from sgmverify.theory import Bound, Scenario, Theorem

from ._laws import GaussMix, normal_pdf, ou_coeffs
from ._numerics import background_ref, derived_ref, fp_final, gauss_legendre, grid_l2, two_level

SECTION = "Prior mismatch (claim 12)"
MIX = GaussMix(weights=(0.5, 0.5), means=(-1.0, 1.0), variances=(0.5, 0.5))
RES = {"quick": (800, 200), "full": (3200, 800)}


def measure_closed_form(sc: Scenario, rng: np.random.Generator) -> Estimate:
    x = np.linspace(-12, 12, 400_001)
    T = sc.params["T"]
    val = float(np.trapezoid((np.exp(MIX.logpdf(x, T)) - normal_pdf(x)) ** 2, x))
    return Estimate.exact_value(val, method="trapezoid on [−12, 12], 400 001 nodes")


CLOSED_FORM = Theorem(
    id="eop.prior.l2_closed_form",
    title="‖γ − p_T‖²₂ for Gaussian-mixture data in closed form",
    reference=background_ref("Gaussian product integral", "notes §6 claim 12"),
    bound=Bound("gap2", "equal", "‖γ − p_T‖²₂ (quadrature)", params=["gap2"], rtol=1e-8),
    measure=measure_closed_form,
    scenarios=[Scenario(f"T{T:g}", params={"T": T}, sweep=("T",)) for T in (0.5, 1.0, 2.0)],
    bound_params=lambda sc: {"gap2": MIX.l2_sq_to_std_normal(sc.params["T"])},
    section=SECTION,
)


def _diff(T: float, t_min: float, cells: int, steps: int) -> float:
    """‖q̂^γ − q̂^{p_T}‖₂ at τ = T − t_min (η = 1, exact score), same grid."""

    def drift(y: np.ndarray, tau: float) -> np.ndarray:
        return y + 2.0 * MIX.score(y, T - tau)

    g, a = fp_final(-10, 10, cells, normal_pdf, drift, 1.0, T - t_min, steps)
    _, b = fp_final(-10, 10, cells, lambda x: np.exp(MIX.logpdf(x, T)), drift, 1.0, T - t_min, steps)
    return grid_l2(a, b, g.dx)


def measure_mismatch(sc: Scenario, rng: np.random.Generator) -> Estimate:
    p = sc.params
    cells, steps = RES[p["res"]]
    f, c = _diff(p["T"], p["t_min"], cells, steps), _diff(p["T"], p["t_min"], cells // 2, steps // 2)
    return two_level(f, c, "grid L² between the runs from γ and from p_T")


def exponent(T: float, t_min: float) -> float:
    """∫_0^{T − t_min} a(τ) dτ by 64-point Gauss–Legendre in t = T − τ."""

    def rate(t: float) -> float:
        m, s = ou_coeffs(t)
        v = m * m * MIX.variances[0] + s * s
        c, hsup = 1.0 / v, m * max(abs(u) for u in MIX.means) / v
        return -(1.0 - 2.0 * c) + 4.0 * hsup**2

    return gauss_legendre(rate, t_min, T, 64)


def _mismatch_params(sc: Scenario) -> dict:
    p = sc.params
    return {
        "bound": math.exp(0.5 * exponent(p["T"], p["t_min"])) * math.sqrt(MIX.l2_sq_to_std_normal(p["T"]))
    }


MISMATCH = Theorem(
    id="eop.prior.mismatch_bound",
    title="Starting from γ instead of p_T adds at most e^{∫a/2}‖γ − p_T‖₂ to the L² error (η = 1, exact "
    "score)",
    reference=derived_ref("notes §4.1c with zero score error, §6 claim 12"),
    bound=Bound("bound", "upper", "‖q̂^γ_τ − q̂^{p_T}_τ‖₂ at t_min", params=["bound"]),
    measure=measure_mismatch,
    scenarios=[
        Scenario(
            f"T{T:g}-tmin{tm:g}-{res}",
            params={"T": T, "t_min": tm, "res": res},
            sweep=("T",),
            quick=res == "quick",
        )
        for res in ("quick", "full")
        for T, tm in ((1.0, 0.2), (2.0, 0.2), (3.0, 0.2))
    ],
    bound_params=_mismatch_params,
    section=SECTION,
    notes="The bound is loose (the sup-norm term 4‖h‖²_∞ dominates a); see the ratio.",
)

THEOREMS = [CLOSED_FORM, MISMATCH]
