"""The smoothness ladder: the exponent of sup_x ‖∇^k log p_t‖ in s_t = √v_t as t → 0 (ref. §3.2 hierarchy).

For k = 2, 3 and the OU member of eq. (1) (λ = γ = σ = 1, v_t = 1 − e^{−2t}), the supremum over x (an honest
scan: boundary layers in x/s_t around the law's landmarks, far field, refinement;
:func:`sgmverify.regularity.sup_over_x`) is measured on a log-grid of s_t and its log-log slope fitted by
least squares (:func:`sgmverify.loglog_slope`); the measurement's interval is
the 95% regression interval of that fit (slope ± t_{0.975, n−2}·stderr).  The suprema are exact (no sampling),
so it is a fit interval — how far the points depart from a pure power law — not a statistical sampling
interval.  Expected exponents [D] (exact for these laws: R2/R7/R11 atoms and circle,
R8 uniform, R9/R10 cusp):

* no density (two-point law ±1, unit circle): −2k;
* density with a boundary (uniform on [−1, 1]): −k (for k = 2 the sup is 1/v_t, a limit as |x| → ∞);
* Hölder-β cusp (1 + |y|^β)φ, β ∈ {0.5, 1, 1.5}: β − k.

Tolerance ±0.05 on the exponent: the correction to the leading power is relative O(s^β) (R9), which moves the
slope over s ∈ [1e−4, 1e−2] (quick) by at most 0.02 (β = 0.5, measured: −1.516 vs −1.5) and over
[1e−6, 1e−4] (full) by 0.002; atoms, circle and uniform are exact powers up to O(s²) and e^{−1/s²}.

Negative controls: "Lip(s_t) stays bounded as t → 0 for uniform data" (exponent 0) and the cusp exponent
a = 1 − β (i.e. slope β − 1) must both be VIOLATED.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from sgmverify import Estimate, loglog_slope
from sgmverify.regularity import Landmarks, ScanConfig, landmarks, sup_over_x
from sgmverify.run import FigureOutput, FigureSpec
from sgmverify.theory import Bound, Scenario, Theorem

from ._common import NEGATIVE, OU1, derived, law, t_for_s

SECTION = "Smoothness ladder"

#: (law name, display, expected exponent of the k-th derivative as a function of k)
LADDER_LAWS = {
    "two_point": ("atoms ±1", lambda k: -2 * k),
    "circle": ("circle S¹", lambda k: -2 * k),
    "uniform": ("uniform [−1,1]", lambda k: -k),
    "cusp0.5": ("cusp β=0.5", lambda k: 0.5 - k),
    "cusp1": ("cusp β=1", lambda k: 1.0 - k),
    "cusp1.5": ("cusp β=1.5", lambda k: 1.5 - k),
}
S_GRID = {"quick": np.geomspace(1e-4, 1e-2, 4), "full": np.geomspace(1e-6, 1e-2, 9)}
ATOL = 0.05

#: lean scan for the ladder: the suprema sit within a few s (or v/(mD)) of the landmarks (checked by the
#: full scans of the regularity claims); the far field is kept (k = 2 uniform: the sup is the limit there)
_LEAN = ScanConfig(layer=5.0, layer_step=0.1, far=1e7, far_per_decade=2, bulk=20, n_refine=2, directions=1)


#: the circle's derivatives are mostly mpmath (~15 ms a point): a short layer; the medial layer is kept
_CIRCLE = ScanConfig(layer=3.0, layer_step=0.25, far=1e2, far_per_decade=1, bulk=10, n_refine=1, directions=1)


def _marks(name: str) -> Landmarks:
    if name == "circle":  # the medial set (the centre): steph.circle_centre checks with a full scan that
        return Landmarks(np.zeros((1, 2)), compact=True, scale=2.0)  # the supremum is there
    return landmarks(law(name))


# shared cache: the checks of steph.ladder, steph.neg.uniform_lip_bounded, steph.neg.cusp_exponent and the
# steph.ladder figure read the same suprema; (law name, k, mode) fixes the law, OU1, the scan and the s-grid
@functools.cache
def ladder_points(name: str, k: int, mode: str) -> tuple[tuple[float, float], ...]:
    """``(s_t, sup_x ‖∇^k log p_t‖)`` on the mode's s-grid (cached: checks and figure share it)."""
    out = []
    cfg = _LEAN if name != "circle" else _CIRCLE
    for s in S_GRID[mode]:
        t = t_for_s(float(s))
        res = sup_over_x(law(name), OU1, t, k, config=cfg, marks=_marks(name))
        out.append((math.sqrt(OU1.var(t)), res.value))
    return tuple(out)


def measure_slope(sc: Scenario, rng: np.random.Generator) -> Estimate:
    mode = "full" if sc.params["full"] else "quick"
    pts = ladder_points(sc.params["law"], sc.params["k"], mode)
    s_lo, s_hi = pts[0][0], pts[-1][0]
    return loglog_slope(
        [p[0] for p in pts],
        [p[1] for p in pts],
        n=len(pts),
        method=(
            f"OLS log-log slope over s in [{s_lo:.0e}, {s_hi:.0e}] ({len(pts)} exact suprema), "
            "95% regression interval of the fit (not a sampling interval)"
        ),
    )


def _scenarios(names, ks) -> list[Scenario]:
    return [
        Scenario(
            f"{name}-k{k}-{mode}",
            params={"law": name, "k": k, "full": mode == "full", "expected": LADDER_LAWS[name][1](k)},
            quick=mode == "quick",
        )
        for name in names
        for k in ks
        for mode in ("quick", "full")
    ]


def _expected(sc: Scenario) -> dict:
    p = sc.params
    return {
        "expected": p["expected"],
        "beta": {"cusp0.5": 0.5, "cusp1": 1.0, "cusp1.5": 1.5}.get(p["law"], 0),
        "k": p["k"],
    }


LADDER = Theorem(
    id="steph.ladder",
    title="Exponent of sup_x‖∇^k log p_t‖ in s_t: −2k (no density), −k (boundary), β − k (Hölder-β cusp)",
    reference=derived("§3.2 hierarchy; R2, R7, R8, R9, R10, R11"),
    bound=Bound(
        "expected",
        "equal",
        "fitted exponent of sup_x‖∇^k log p_t‖ against s_t",
        params=["expected"],
        atol=ATOL,
    ),
    measure=measure_slope,
    scenarios=_scenarios(LADDER_LAWS, (2, 3)),
    bound_params=_expected,
    notes="Exponent fits of the measured suprema; the ladder figure shows the curves.",
)

UNIFORM_BOUNDED = Theorem(
    id="steph.neg.uniform_lip_bounded",
    title="Negative control: Lip(s_t) stays bounded as t → 0 for uniform data (exponent 0)",
    reference=NEGATIVE,
    bound=Bound("0", "equal", "fitted exponent of Lip(s_t) against s_t", atol=ATOL),
    measure=measure_slope,
    scenarios=[s for s in _scenarios(["uniform"], (2,))],
    expect="violated",
)

CUSP_WRONG = Theorem(
    id="steph.neg.cusp_exponent",
    title="Negative control: sup_x‖∇² log p_t‖ ≍ s_t^{−(1−β)} for the Hölder-β cusp (true: s_t^{β−2})",
    reference=NEGATIVE,
    bound=Bound("beta - 1", "equal", "fitted exponent of sup_x‖∇² log p_t‖", params=["beta"], atol=ATOL),
    measure=measure_slope,
    scenarios=_scenarios(["cusp0.5", "cusp1.5"], (2,)),
    bound_params=_expected,
    expect="violated",
)

THEOREMS = [LADDER, UNIFORM_BOUNDED, CUSP_WRONG]


# --------------------------------------------------------------------------------------------- figure
def make_ladder(mode: str, rng: np.random.Generator) -> FigureOutput:
    """All ladder curves (s_t^{−expected}·sup, normalised, would hide the slopes: plot sup itself)."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), sharex=True)
    rows = []
    for ax, k in zip(axes, (2, 3)):
        for name, (label, expected) in LADDER_LAWS.items():
            pts = ladder_points(name, k, mode)
            s = np.array([p[0] for p in pts])
            val = np.array([p[1] for p in pts])
            fit = loglog_slope(s, val)
            slope, lo, hi = fit.value, fit.ci_low, fit.ci_high
            ax.loglog(s, val, "o-", label=f"{label}: {slope:.3f} (exp. {expected(k):g})")
            rows.append(
                {
                    "law": label,
                    "k": k,
                    "expected": expected(k),
                    "slope": round(slope, 4),
                    "ci_low": round(lo, 4),
                    "ci_high": round(hi, 4),
                    "s_min": float(s[0]),
                    "s_max": float(s[-1]),
                }
            )
        ax.set_title(f"k = {k}: sup_x |∇^{k} log p_t|")
        ax.set_xlabel("s_t = √v_t")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    axes[0].set_ylabel("supremum over x")
    fig.tight_layout()
    notes = (
        "Suprema over x of |∇^k log p_t| (operator norm for k = 2 on the circle, Frobenius for k = 3 "
        "in d = 2) "
        "for the OU member of eq. (1), measured by an honest scan (boundary layers in x/s_t, far field, "
        "local refinement) on a log-grid of s_t; slopes are least-squares fits with the 95% regression "
        "intervals of the fit (the suprema are exact: fit intervals, not sampling intervals). "
        "Expected [D]: −2k without a density, −k with a boundary, β − k for the Hölder-β cusp."
    )
    return FigureOutput(fig, table=rows, notes=notes)


FIGURES = [
    FigureSpec(
        id="steph.ladder",
        title="Smoothness ladder: sup_x ‖∇^k log p_t‖ against s_t",
        make=make_ladder,
        caption="Fitted exponents against the expected −2k / −k / β − k (ref. §3.2).",
        quick=True,
    )
]
