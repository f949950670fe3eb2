r"""Exact checks on Gaussian data (notes §3–§5, §7 C3, C5, C7–C10).

For Gaussian data every EM / EI sampler output is Gaussian and its law is computed exactly (no Monte
Carlo) by :mod:`sgmverify.samplers._step_search` (vectorised) and
:mod:`sgmverify.samplers._gaussian_exact` (step loop).
Schemes: exponential integrator ("ei", the team's unverified recollection of GNZ's scheme) and
Euler–Maruyama ("em"); the paper's scheme is [NF] (§1.4).  Initialisations (§1.4, [NF] which one the theory
uses): ``prior`` = N(0, σ_T² I) (choice (a); for VE it is also the code's N(0, σ_max² I) with σ_max = σ_T,
for VP it differs from N(0, I) by O(e^{−B(T)})) and ``exact`` = the true marginal p_T (isolates the
discretisation error).

Claims
------
``gnz.order_claim`` [D: consistency of the [V] K cells with the §4.3 [D] horizon]
    The exact minimal K with W2 ≤ ε at the row's horizon T(d, ε) (§4.3 [D]) stays ≤ C·K_table(d, ε) over a
    (d, ε) grid, C fitted at the grid's first point (d = 1, ε = 0.1) and held fixed.  Measured: the worst
    ratio K_exact/(C·K_table) over the other grid points.  C9 predicts K_exact ≍ (√d/ε)·T, so the ratio
    falls along the grid (the table is an upper bound, not tight for Gaussians).
``gnz.w2_eta_first_order_ei`` [D, C8; S: Gaussian lower bound read as √d·η]
    EI, exact init: the fitted slope of log W2 against log η is 1.
``gnz.neg.w2_eta_slope_2_ei`` (negative control, expect VIOLATED)
    The same exact-law slope against the wrong claim "slope 2" (a numeric control, not a symbolic one).
``gnz.w2_eta_order_em`` [D]
    EM, exact init: the slope is at least 0.9 (W2 = O(η)); for VE g = √(2at) and (b+at)^c the first-order
    coefficient nearly cancels and W2 is smaller, so the fit may be undecided.
``gnz.w2_sqrt_d`` [D, C8(iii)]
    At fixed η, W2 ∝ √d: slope 1/2 of log W2 against log d (anisotropic spectrum, all eigenvalues distinct).
``gnz.c8_constant`` [D, C8]
    VP with constant β, EI, exact score, T → ∞: W2/(√d η) → β/(4 s₀).
``gnz.score_error_slope`` [D, C10]
    A constant score error M·u shifts the output mean by M·S, S = Σ_k (Π_{j>k} A_j) b_k u, covariance
    unchanged: W2(M)² is a quadratic in M with leading coefficient ‖S‖² (W2 affine in M for large M with
    slope ‖S‖).  Measured with :func:`sgmverify.samplers.sampler_w2` (dense rotated covariance).
``gnz.init_gap`` [D, C3] and ``gnz.init_gap_coupling`` [D, C3]
    W2(p_T, N(0, σ_T² I)) = √d(√(μ_T² s₀² + σ_T²) − σ_T) (isotropic) and ≤ μ_T (E‖x₀‖²)^{1/2}.
``gnz.init_propagation`` [D, C5 generalised here]
    Continuous-time reverse SDE, exact score, prior init: per eigen-direction the variance deviation
    δ = v − λ solves dδ/dr = 2(f − g²/λ)δ, so δ_out = δ_T μ_T² (λ₀/λ_T)², and the mean deviation
    e_out = −μ_T² ν λ₀/λ_T.  Measured: the exact EI law extrapolated to η → 0 (Richardson, K, 2K, 4K).
"""

from __future__ import annotations

import math

import numpy as np

from proofs_checks.gao_nguyen_zhu_2023._schedules import gnz_ou
from sgmverify import Estimate, loglog_slope
from sgmverify.laws import Gaussian
from sgmverify.metrics import w2_gaussian
from sgmverify.run import FigureSpec
from sgmverify.samplers import SpectralLaw, sampler_w2, spectral_law, spectral_w2
from sgmverify.theory import Assumption, AssumptionResult, Bound, Provenance, Scenario, Theorem

from . import _common as C
from ._rows import ROWS as TABLE_ROWS

SECTION = "Exact checks on Gaussian data"

GAUSSIAN = Assumption(
    "gaussian data",
    "the data law is a non-degenerate Gaussian (given by its spectrum)",
    lambda sc: AssumptionResult("gaussian data", "holds", "Gaussian by construction", "by construction"),
)


# ============================================================================ order claim
QUICK_GRID, FULL_GRID, K_CAP = C.QUICK_GRID, C.FULL_GRID, C.K_CAP
order_sweep, slope_c10, _score_case = C.order_sweep, C.slope_c10, C.score_case
init_propagation_closed_form = C.init_propagation_closed_form


def measure_order(sc: Scenario, rng: np.random.Generator) -> Estimate:
    p = sc.params
    pts = [r for r in order_sweep(p["row"], p["kind"], p["scheme"], p["init"], p["mode"]) if r["K"]]
    if len(pts) < 2:
        raise RuntimeError("fewer than two grid points reached; enlarge the K cap")
    c_fit = pts[0]["K"] / pts[0]["K_table"]
    ratios = [r["K"] / (c_fit * r["K_table"]) for r in pts[1:]]
    x = np.array([[1.0, math.log(r["d"]), math.log(1 / r["eps"])] for r in pts])
    y = np.log([r["K"] / r["T"] for r in pts])
    coef = np.linalg.lstsq(x, y, rcond=None)[0] if len(pts) >= 3 else [np.nan] * 3
    worst = int(np.argmax(ratios))
    return Estimate(
        max(ratios),
        max(ratios),
        max(ratios),
        level=None,
        exact=True,
        method=(
            f"exact minimal K (bisection to 2%) at {len(pts)} grid points; C = {c_fit:.3g} fitted at "
            f"(d, ε) = ({pts[0]['d']}, {pts[0]['eps']}); worst at (d, ε) = ({pts[worst + 1]['d']}, "
            f"{pts[worst + 1]['eps']}); fit K/T ∝ d^{coef[1]:.2f} ε^-{coef[2]:.2f} (C9 predicts d^0.5 ε^-1)"
        ),
        extra={
            "C": c_fit,
            "d_exponent_of_K_over_T": float(coef[1]),
            "inv_eps_exponent_of_K_over_T": float(coef[2]),
            "points": [dict(r) for r in pts],
        },
    )


ORDER_SCENARIOS = [
    Scenario(
        f"{row}-{kind}-{scheme}-{init}-{mode}",
        process=C.process(row),
        sampler=scheme,
        params={"row": row, "kind": kind, "scheme": scheme, "init": init, "mode": mode},
        quick=mode == "quick",
        description=f"K column {TABLE_ROWS[row].K_text}",
    )
    for row in C.ROWS
    for kind in ("iso", "aniso")
    for scheme in ("ei", "em")
    for init in ("prior", "exact")
    for mode in ("quick", "full")
    if mode == "full" or (kind, scheme, init) == ("iso", "ei", "prior")
]

ORDER_CLAIM = Theorem(
    id="gnz.order_claim",
    title="Exact minimal K for W2 ≤ ε stays ≤ C·K_table(d, ε) (C fitted at the first grid point)",
    reference=C.ref("consistency of the [V] K cell with the §4.3 [D] reconstruction", Provenance.DERIVED),
    bound=Bound("1", "upper", "max over held-out (d, ε) of K_exact / (C·K_table)", rtol=0.02),
    measure=measure_order,
    assumptions=[GAUSSIAN],
    scenarios=ORDER_SCENARIOS,
    notes=(
        "rtol 2%: K_exact is the upper end of a 2% bisection bracket at every point, including the fitting "
        "point; grid points whose predicted K exceeds the cap (2e4 quick, 5e4 full) are skipped and listed. "
        "The K cells are the table's [V], but what is tested is our derived horizon T(d, ε) (unit "
        "constants, §4.3 [D]) against them, hence DERIVED provenance, not a verification of the paper."
    ),
)


# ============================================================================ first order in η, √d
ETA_STEPS = (50, 100, 200, 400, 800)


def measure_eta_slope(sc: Scenario, rng: np.random.Generator) -> Estimate:
    p = sc.params
    T = C.horizon(p["row"], 1, 0.1)
    w = np.array([C.w2_exact(p["row"], p["kind"], 4, T, K, p["scheme"], "exact") for K in ETA_STEPS])
    return loglog_slope(
        T / np.array(ETA_STEPS),
        w,
        method=f"LS slope of log W2 vs log η, K = {ETA_STEPS}, T = {T:.3g}, d = 4",
        extra={"w2": w.tolist()},
    )


def _eta_scenarios(scheme: str) -> list[Scenario]:
    return [
        Scenario(
            f"{row}-{kind}-{scheme}",
            process=C.process(row),
            sampler=scheme,
            params={"row": row, "kind": kind, "scheme": scheme},
            quick=kind == "iso" and row in ("ve_exp", "vp_linear"),
        )
        for row in C.ROWS
        for kind in ("iso", "aniso")
    ]


ETA_EI = Theorem(
    id="gnz.w2_eta_first_order_ei",
    title="Gaussian data, EI, exact init: W2 is first order in η (slope 1)",
    reference=C.ref("§5 Gaussian lower bound √d·η [S, Arsenyan et al.]; C8 [D]", Provenance.DERIVED),
    bound=Bound("1", "rate", "d log W2 / d log η", atol=0.1),
    measure=measure_eta_slope,
    assumptions=[GAUSSIAN],
    scenarios=_eta_scenarios("ei"),
    notes=(
        "atol 0.1: the O(η²) term moves the local slope by O(η·rate) — at most 0.04 on this grid for every "
        "row — and the interval is the fit's 95% Student-t interval. The paper's lower-bound formula is [NF]."
    ),
)

ETA_EM = Theorem(
    id="gnz.w2_eta_order_em",
    title="Gaussian data, EM, exact init: W2 decays at least at first order in η (slope ≥ 0.9)",
    reference=C.ref("C6/C7 [D]", Provenance.DERIVED),
    bound=Bound("0.9", "lower", "d log W2 / d log η"),
    measure=measure_eta_slope,
    assumptions=[GAUSSIAN],
    scenarios=_eta_scenarios("em"),
    notes="For VE g = √(2at) and (b+at)^c the first-order coefficient of EM nearly cancels (W2 ~ 1e-5 at "
    "K ≥ 200): the fit can be undecided there, and is reported so.",
)

ETA_EI_SLOPE2_CONTROL = Theorem(
    id="gnz.neg.w2_eta_slope_2_ei",
    title="Negative control: 'EI W2 slope in η equals 2' on the exact Gaussian laws (must be VIOLATED)",
    reference=C.ref("negative control: a deliberately wrong order (C8 gives slope 1)", Provenance.TEXTBOOK),
    bound=Bound("2", "rate", "d log W2 / d log η", atol=0.1),
    measure=measure_eta_slope,
    assumptions=[GAUSSIAN],
    scenarios=[
        Scenario(
            f"{row}-iso-ei",
            process=C.process(row),
            sampler="ei",
            params={"row": row, "kind": "iso", "scheme": "ei"},
            quick=row in ("ve_exp", "vp_linear"),
        )
        for row in C.ROWS
    ],
    expect="violated",
    notes="The same numeric measurement as gnz.w2_eta_first_order_ei (exact output laws, LS slope with its "
    "95% interval) against a wrong slope: a numeric check must be able to fail.",
)

D_GRID = (10, 30, 100, 300, 1000)


def measure_d_slope(sc: Scenario, rng: np.random.Generator) -> Estimate:
    p = sc.params
    T = C.horizon(p["row"], 1, 0.1)
    w = []
    for d in D_GRID:
        lam = np.geomspace(*C.ANISO_RANGE, d)
        w.append(
            spectral_w2(
                C.process(p["row"]), lam, T, 200, p["scheme"], mean=np.full(d, C.ANISO_MEAN), init="exact"
            )
        )
    return loglog_slope(
        D_GRID, w, method=f"LS slope of log W2 vs log d, d = {D_GRID}, K = 200", extra={"w2": w}
    )


D_SLOPE = Theorem(
    id="gnz.w2_sqrt_d",
    title="Gaussian data: W2 ∝ √d at fixed η (anisotropic, distinct eigenvalues)",
    reference=C.ref("§5 √d·η [S]; C8(iii) [D]", Provenance.DERIVED),
    bound=Bound("1/2", "rate", "d log W2 / d log d", atol=0.05),
    measure=measure_d_slope,
    assumptions=[GAUSSIAN],
    scenarios=[
        Scenario(
            f"{row}-{scheme}",
            process=C.process(row),
            sampler=scheme,
            params={"row": row, "scheme": scheme},
            quick=(row, scheme) == ("vp_linear", "ei"),
        )
        for row in C.ROWS
        for scheme in ("ei", "em")
    ],
    notes="Spectrum geomspace(0.1, 0.8, d): W2² is a Riemann sum d·∫w, so the slope is 1/2 up to the O(1/d) "
    "change of the sum (atol 0.05).",
)


# ============================================================================ C8 constant
def measure_c8(sc: Scenario, rng: np.random.Generator) -> Estimate:
    p = sc.params
    proc = gnz_ou(alpha=p["beta"] / 2, sigma=math.sqrt(p["beta"]))
    r = [
        spectral_w2(proc, [p["s0"] ** 2], p["T"], K, "ei", init="exact") / (p["T"] / K)
        for K in (p["K"], 2 * p["K"])
    ]
    return Estimate.exact_value(
        2 * r[1] - r[0], method=f"W2/(√d η) at K = {p['K']}, {2 * p['K']}, Richardson"
    )


C8 = Theorem(
    id="gnz.c8_constant",
    title="VP constant β, EI, T → ∞: W2 = √d·βη/(4 s₀) + O(η²)",
    reference=C.ref("C8 [D] (sympy derivation in the reference)", Provenance.DERIVED),
    bound=Bound("beta/(4*s0)", "equal", "lim W2/(√d η)", params=["beta", "s0"], rtol=2e-3),
    measure=measure_c8,
    assumptions=[GAUSSIAN],
    scenarios=[
        Scenario(
            f"beta{b:g}-s0{s:g}",
            params={"beta": b, "s0": s, "T": 20.0, "K": 4000},
            quick=(b, s) == (1.0, 0.5),
        )
        for b in (1.0, 2.0)
        for s in (0.5, 2.0)
    ],
    notes="T = 20 (e^{−βT/2} ≤ 5e-5 relative); Richardson on K, 2K removes the O(η) term; rtol 2e-3 "
    "covers the "
    "O(η²) remainder (η = 5e-3).",
)


# ============================================================================ score-error channel (C10)
def _slope_c10(sc: Scenario) -> float:
    """The C10 slope ‖S‖ of the scenario, computed once per check (its bound and its measurement)."""
    row, scheme = sc.params["row"], sc.params["scheme"]
    return sc.shared(("gnz.slope_c10", row, scheme), lambda: slope_c10(row, scheme))


def measure_score_slope(sc: Scenario, rng: np.random.Generator) -> Estimate:
    row, scheme = sc.params["row"], sc.params["scheme"]
    d, lam, nu, u, T, K = _score_case(row, scheme)
    q, _ = np.linalg.qr(np.random.default_rng(7).standard_normal((d, d)))
    data = Gaussian(q @ nu, (q * lam) @ q.T)
    Ms = np.array([0.0, 0.5, 1.0])
    w2sq = [
        sampler_w2(C.process(row), data, T, K, scheme, init="prior", score_bias=M * (q @ u)) ** 2 for M in Ms
    ]
    coef = np.polyfit(Ms, w2sq, 2)[0]
    env = max(abs(math.sqrt(w2sq[i]) - math.sqrt(w2sq[0])) / Ms[i] for i in (1, 2)) / _slope_c10(sc)
    return Estimate.exact_value(
        math.sqrt(max(coef, 0.0)),
        method=f"√(leading coefficient of W2(M)² at M = 0, 0.5, 1); "
        f"envelope |W2(M) − W2(0)|/(M‖S‖) = {env:.3f} ≤ 1",
    )


SCORE_SLOPE = Theorem(
    id="gnz.score_error_slope",
    title="Constant score error M·u: W2 is affine in M for large M with the exact slope ‖S‖ (C10)",
    reference=C.ref("C10 [D]; the paper's M-term is [NF]", Provenance.DERIVED),
    bound=Bound("slope", "equal", "√(d²W2²/dM² / 2)", params=["slope"], rtol=1e-6),
    measure=measure_score_slope,
    assumptions=[GAUSSIAN],
    scenarios=[
        Scenario(
            f"{row}-{scheme}",
            process=C.process(row),
            sampler=scheme,
            params={"row": row, "scheme": scheme},
            quick=(row, scheme) in (("ve_exp", "ei"), ("vp_linear", "em")),
        )
        for row in C.ROWS
        for scheme in ("ei", "em")
    ],
    bound_params=lambda sc: {"slope": _slope_c10(sc)},
    notes="Measured with the step-loop engine on a rotated dense covariance; the bound is the explicit C10 "
    "sum. rtol 1e-6: a 3-point quadratic fit of an exact quadratic (round-off only).",
)


# ============================================================================ initialisation (C3, C5)
def _init_case(sc: Scenario):
    p = sc.params
    sp_ = C.spectrum(p["kind"], p["d"])
    proc = C.process(p["row"])
    T = C.horizon(p["row"], 1, p["eps_T"])
    return proc, T, sp_, float(proc.mean_coeff(T)), float(proc.var(T))


def _init_params(sc: Scenario) -> dict:
    _, _, s, mu, v = _init_case(sc)
    second = C.spectrum_second_moment(s)
    return {
        "d": sc.params["d"],
        "mu": mu,
        "sigma": math.sqrt(v),
        "s0": math.sqrt(s["eigvals"][0]),
        "second_moment": second,
    }


def measure_init_gap(sc: Scenario, rng: np.random.Generator) -> Estimate:
    _, _, s, mu, v = _init_case(sc)
    lam = np.repeat(s["eigvals"], s["multiplicity"].astype(int))
    nu = np.repeat(s["mean"], s["multiplicity"].astype(int))
    d = lam.size
    q, _ = np.linalg.qr(np.random.default_rng(3).standard_normal((d, d)))
    cov_T = mu**2 * (q * lam) @ q.T + v * np.eye(d)
    return Estimate.exact_value(
        w2_gaussian(mu * q @ nu, cov_T, np.zeros(d), v * np.eye(d)), method="Bures (dense)"
    )


def _init_scenarios(kinds: tuple[str, ...]) -> list[Scenario]:
    return [
        Scenario(
            f"{row}-{kind}-d{d}",
            process=C.process(row),
            params={"row": row, "kind": kind, "d": d, "eps_T": 0.3},
            quick=d == 4,
        )
        for row in C.ROWS
        for kind in kinds
        for d in (4, 64)
    ]


INIT_GAP = Theorem(
    id="gnz.init_gap",
    title="Initialisation gap W2(p_T, N(0, σ_T² I)) = √d(√(μ_T² s₀² + σ_T²) − σ_T) (isotropic)",
    reference=C.ref("C3 [D]; the paper's p̂_T is [NF]", Provenance.DERIVED),
    bound=Bound(
        "sqrt(d)*(sqrt(mu**2*s0**2 + sigma**2) - sigma)",
        "equal",
        "W2(p_T, N(0, σ_T² I))",
        params=["d", "mu", "s0", "sigma"],
        rtol=1e-7,
    ),
    measure=measure_init_gap,
    assumptions=[GAUSSIAN],
    scenarios=_init_scenarios(("iso",)),
    bound_params=_init_params,
    notes="rtol 1e-7: the dense Bures formula (eigh, matrix square root) carries ~1e-8 relative round-off.",
)

INIT_GAP_COUPLING = Theorem(
    id="gnz.init_gap_coupling",
    title="Initialisation gap ≤ μ_T (E‖x₀‖²)^{1/2} (coupling x_T = μ_T x₀ + σ_T z vs σ_T z)",
    reference=C.ref("C3 [D]", Provenance.DERIVED),
    bound=Bound("mu*sqrt(second_moment)", "upper", "W2(p_T, N(0, σ_T² I))", params=["mu", "second_moment"]),
    measure=measure_init_gap,
    assumptions=[GAUSSIAN],
    scenarios=_init_scenarios(("iso", "aniso")),
    bound_params=_init_params,
)


def measure_init_propagation(sc: Scenario, rng: np.random.Generator) -> Estimate:
    p = sc.params
    _, T, s, _, _ = _init_case(sc)
    K = p["K"]
    laws = [
        spectral_law(C.process(p["row"]), T=T, steps=k, scheme="ei", init="prior", **s)
        for k in (K, 2 * K, 4 * K)
    ]

    def rich(a: list[np.ndarray]) -> np.ndarray:  # removes the O(1/K) and O(1/K²) terms
        return (8 * a[2] - 6 * a[1] + a[0]) / 3

    law = SpectralLaw(
        rich([x.mean for x in laws]),
        rich([x.var for x in laws]),
        laws[0].ref_mean,
        laws[0].ref_var,
        laws[0].mult,
    )
    return Estimate.exact_value(
        math.sqrt(law.w2_squared()),
        method=f"exact EI law (means, variances) at K = {K}, {2 * K}, {4 * K}, Richardson (2nd order), "
        "then W2",
    )


INIT_PROPAGATION = Theorem(
    id="gnz.init_propagation",
    title="Prior-init error after the exact reverse SDE: δ_out = δ_T μ_T² (λ₀/λ_T)² (C5, generalised)",
    reference=C.ref("C5 [D] (VE/VP forms in the reference; any linear SDE derived here)", Provenance.DERIVED),
    bound=Bound(
        "w2_closed_form", "equal", "W2(continuous-time output, data)", params=["w2_closed_form"], rtol=1e-5
    ),
    measure=measure_init_propagation,
    assumptions=[GAUSSIAN],
    scenarios=[
        Scenario(
            f"{row}-{kind}-d{d}",
            process=C.process(row),
            params={"row": row, "kind": kind, "d": d, "eps_T": 0.3, "K": 4000},
            quick=row in ("ve_sqrt", "ou"),
        )
        for row in C.ROWS
        for kind in ("iso", "aniso")
        for d in (8,)
    ],
    bound_params=lambda sc: {
        "w2_closed_form": init_propagation_closed_form(
            sc.params["row"],
            sc.params["kind"],
            sc.params["d"],
            C.horizon(sc.params["row"], 1, sc.params["eps_T"]),
        )
    },
    notes="T = T(1, 0.3) so the initialisation error is large; rtol 1e-5 covers the O(η³) Richardson "
    "remainder.",
)


# ============================================================================ figures
FIGURES = [  # pictures: makers in _common (K needed vs ε, W2 vs η)
    FigureSpec(
        "gnz.k_vs_eps",
        "Exact K needed vs ε, all eight forward processes",
        C.make_k_vs_eps,
        caption="Which forward process is cheapest for Gaussian data (exact sampler laws, EI).",
    ),
    FigureSpec(
        "gnz.w2_vs_eta",
        "W2 vs step size: first order",
        C.make_w2_vs_eta,
        caption="Exact W2 of the EI output against η for every forward process (slope-1 guide).",
    ),
]

THEOREMS = [
    ORDER_CLAIM,
    ETA_EI,
    ETA_EM,
    ETA_EI_SLOPE2_CONTROL,
    D_SLOPE,
    C8,
    SCORE_SLOPE,
    INIT_GAP,
    INIT_GAP_COUPLING,
    INIT_PROPAGATION,
]
