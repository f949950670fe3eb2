r"""Claim 6 of the notes (§6): the noise level η of the reverse process (Check C, §5).

Laplace data, OU with T = 2 from the exact :math:`p_T`, stop at :math:`t_{\min} = 0.02`, score
:math:`\nabla\log p_t + \varepsilon\sin(kx)` with ε = 0.1; η-family of §2.2 at the density level
(Fokker–Planck
for η > 0, characteristics for η = 0), errors against the closed form :math:`p_{t_{\min}}`.

``eop.noise.l2_falls`` / ``eop.noise.w1_falls``  [derived] the errors fall as η goes 0 → 1.5: the largest
    consecutive log-ratio over η ∈ {0, 0.25, …, 1.5} is ≤ 0 (discretisation interval from two resolutions),
    although the drift error (1+η²)ε sin(kx) grows with η.
``eop.noise.forcing_min`` / ``eop.noise.forcing_argmin``  [derived, exact] the §4.1c forcing coefficient
    (1+η²)²/η² is minimal at η = 1 with value 4 (sympy).
Figure ``eop.eta_sweep``: L² and W1 vs η (up to η = 3 in full mode) with the table and the measured optimum,
which need not be η = 1.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from sgmverify import Estimate
from sgmverify.run import FigureOutput, FigureSpec
from sgmverify.theory import Bound, Scenario, Theorem

from . import _eta as E
from ._numerics import derived_ref, max_log_increase

SECTION = "Noise level η (claim 6)"
EPS, T_END, T_MIN = 0.1, 2.0, 0.02
ETAS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5)
REF6 = derived_ref("notes §4.1c and §6 claim 6 (§5 Check C)")


def _pairs(p: dict, which: int) -> list[tuple[float, float]]:
    return [E.eta_pair("laplace", eta, EPS, p["k"], T_END, T_MIN, p["res"], which) for eta in ETAS]


def measure_l2_increase(sc: Scenario, rng: np.random.Generator) -> Estimate:
    """Largest consecutive log-ratio of the L² error at t_min over the η grid."""
    return max_log_increase(_pairs(sc.params, 0), "L² error at t_min over η")


def measure_w1_increase(sc: Scenario, rng: np.random.Generator) -> Estimate:
    return max_log_increase(_pairs(sc.params, 1), "W1 error at t_min over η")


_SCEN = [
    Scenario(f"k{k}-{res}", params={"k": k, "res": res, "eps": EPS}, quick=res == "quick")
    for k, res in ((4, "quick"), (4, "full"), (16, "full"))
]

L2_FALLS = Theorem(
    id="eop.noise.l2_falls",
    title="L² error at t_min falls as the noise level η goes 0 → 1.5 (fixed score error ε sin(kx))",
    reference=REF6,
    bound=Bound("0", "upper", "max_j log(e_{j+1}/e_j) over η ∈ {0, 0.25, …, 1.5}, e = ‖q̂ − p_{t_min}‖₂"),
    measure=measure_l2_increase,
    scenarios=_SCEN,
    section=SECTION,
)

W1_FALLS = Theorem(
    id="eop.noise.w1_falls",
    title="W1 error at t_min falls as η goes 0 → 1.5",
    reference=REF6,
    bound=Bound("0", "upper", "max_j log(e_{j+1}/e_j) over η, e = W1(q̂, p_{t_min})"),
    measure=measure_w1_increase,
    scenarios=_SCEN,
    section=SECTION,
)

_U = sp.Symbol("u", positive=True)
_COEF = (1 + _U) ** 2 / _U  # u = η²


def measure_forcing_min(sc: Scenario, rng: np.random.Generator) -> Estimate:
    """min over u = η² > 0 of (1+u)²/u, by sympy (critical points of the derivative (1+u)(u−1)/u²)."""
    crit = sp.solve(sp.diff(_COEF, _U), _U)
    vals = [_COEF.subs(_U, c) for c in crit]
    best = min(vals)
    return Estimate.exact_value(float(best), method=f"sympy: critical points u = {crit}")


def measure_forcing_argmin(sc: Scenario, rng: np.random.Generator) -> Estimate:
    crit = sp.solve(sp.diff(_COEF, _U), _U)
    ends = (sp.limit(_COEF, _U, 0, "+"), sp.limit(_COEF, _U, sp.oo))
    if len(crit) != 1 or ends != (sp.oo, sp.oo):
        return Estimate.exact_value(float("nan"), method=f"unexpected: critical points {crit}, limits {ends}")
    return Estimate.exact_value(float(sp.sqrt(crit[0])), method="sympy: η* = sqrt(u*), limits +∞ at 0 and ∞")


FORCING_MIN = Theorem(
    id="eop.noise.forcing_min",
    title="The §4.1c forcing coefficient (1+η²)²/η² has minimum 4",
    reference=REF6,
    bound=Bound("4", "equal", "min_η (1+η²)²/η²", rtol=1e-12),
    measure=measure_forcing_min,
    scenarios=[Scenario("sympy")],
    section=SECTION,
)

FORCING_ARGMIN = Theorem(
    id="eop.noise.forcing_argmin",
    title="… attained at η = 1, the standard reverse SDE (and → ∞ as η → 0)",
    reference=REF6,
    bound=Bound("1", "equal", "argmin_η (1+η²)²/η²", rtol=1e-12),
    measure=measure_forcing_argmin,
    scenarios=[Scenario("sympy")],
    section=SECTION,
)

THEOREMS = [L2_FALLS, W1_FALLS, FORCING_MIN, FORCING_ARGMIN]


# ------------------------------------------------------------------------------------------ figure
def eta_sweep_table(mode: str) -> list[dict]:
    etas = ETAS if mode == "quick" else (*ETAS, 2.0, 3.0)
    ks = (4,) if mode == "quick" else (4, 16)
    rows = []
    for k in ks:
        for eta in etas:
            f = [E.eta_pair("laplace", eta, EPS, k, T_END, T_MIN, mode, w) for w in (0, 1)]
            rows.append(
                {
                    "k": k,
                    "eta": eta,
                    "L2": f[0][0],
                    "L2_coarse": f[0][1],
                    "W1": f[1][0],
                    "W1_coarse": f[1][1],
                    "forcing_coef": E.forcing_coefficient(eta) if eta > 0 else "inf",
                }
            )
    return rows


def make_eta_sweep(mode: str, rng: np.random.Generator) -> FigureOutput:
    import matplotlib.pyplot as plt

    rows = eta_sweep_table(mode)
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    optima = []
    for k in sorted({r["k"] for r in rows}):
        rk = [r for r in rows if r["k"] == k]
        etas = [r["eta"] for r in rk]
        for ax, key in zip(axes, ("L2", "W1")):
            ax.semilogy(etas, [r[key] for r in rk], "o-", label=f"k = {k}")
        optima.append(
            (k, etas[int(np.argmin([r["L2"] for r in rk]))], etas[int(np.argmin([r["W1"] for r in rk]))])
        )
    for ax, key in zip(axes, ("L² error at t_min", "W1 error at t_min")):
        ax.axvline(1.0, color="grey", ls=":", lw=1)
        ax.set_xlabel("η (0: probability-flow ODE, 1: reverse SDE)")
        ax.set_title(key)
        ax.legend(fontsize=8)
    opt = "; ".join(f"k = {k}: L² minimal at η = {a:g}, W1 at η = {b:g}" for k, a, b in optima)
    notes = (
        "Check C (notes §5): Laplace data, T = 2, t_min = 0.02, score error 0.1·sin(kx), η-family of "
        "§2.2 at the "
        f"density level on [−16, 16] (resolution {E.RES[mode]}). Measured optimum over the grid: {opt}. The "
        "§4.1c forcing coefficient (1+η²)²/η² is minimal at η = 1; the measured error keeps falling "
        "past η = 1, "
        "so the bound's optimum is not the measured one."
    )
    return FigureOutput(figure=fig, table=rows, notes=notes)


FIGURES = [
    FigureSpec(
        "eop.eta_sweep",
        "L² and W1 errors at t_min vs the noise level η (fixed score error)",
        make_eta_sweep,
        caption="Dotted line: η = 1, where the derived bound's forcing coefficient is smallest.",
    )
]
