"""Directional derivative of the score with respect to the data law (Thm 3.1 / Eq. (2), as derived).

The paper's Theorem 3.1 could not be read (only reviewers' descriptions: "closed-form directional
derivatives ... given another external distribution", assuming bounded support).  What is checked is the
exact mathematics it must reduce to, derived from the linearity of ρ ↦ p_t^ρ (notes §2, [D]):
δ_χ s_t = [∇p_t^χ − p_t^χ s_t^ρ]/p_t^ρ, the Möbius finite-ε form, additive = mixture direction, linearity
and χ → χ + cρ invariance, and the first-order relative error ε r_t.  Ground truths: complex step in ε
(h = 1e-30, no cancellation), direct evaluation of the (K+J)-component score, central differences.
"""

from __future__ import annotations

import numpy as np

from sgmverify import Estimate, loglog_slope
from sgmverify.sensitivity import Perturbation, first_order_validity, perturbed_score, score_derivative
from sgmverify.theory import Bound, Scenario, Theorem

from . import _common as C

SECTION = "Score derivative δ_χ s_t"
_N_POINTS = 40


def _scenarios(quick_filter) -> list[Scenario]:
    out = []
    for d in (2, 3, 10, 100):
        for kind in ("gaussian", "point", "signed"):
            for t in (0.05, 0.3, 0.8):
                out.append(
                    Scenario(
                        f"d{d}-{kind}-t{t:g}",
                        data=C.data(d),
                        process=C.PROCESS,
                        params={"d": d, "chi": kind, "t": t},
                        seed=d,
                        quick=quick_filter(d, kind, t),
                    )
                )
    return out


SCENARIOS = _scenarios(lambda d, kind, t: t == 0.3 and d == 3)
# the d = 100 case in quick mode only where it is cheapest and most telling
SCENARIOS_100 = _scenarios(lambda d, kind, t: t == 0.3 and (d == 3 or (d == 100 and kind == "point")))


def _setup(sc: Scenario, rng: np.random.Generator):
    rho, t = sc.data, sc.params["t"]
    chi = C.direction(sc.params["chi"], rho.dim)
    x = C.points(rho, chi, t, _N_POINTS, rng)
    score, logp = C.callables(rho)
    return rho, chi, t, x, score, logp


def _direct(rho, chi: Perturbation, t: float, x: np.ndarray, eps: np.ndarray) -> np.ndarray:
    """Score of ρ + ε_i χ at row i, straight from the components (no perturbation formula)."""
    nr = C.combination(rho).noised(C.PROCESS, t)
    nc = chi.noised(C.PROCESS, t)
    Lr, gr = nr.terms(x)
    Lc, gc = nc.terms(x)
    M = np.maximum(Lr.max(axis=1), Lc.max(axis=1))
    cr = nr.weights[None] * np.exp(Lr - M[:, None])
    cc = eps[:, None] * nc.weights[None] * np.exp(Lc - M[:, None])
    num = np.einsum("nk,nkd->nd", cr, gr) + np.einsum("nk,nkd->nd", cc, gc)
    with np.errstate(divide="ignore", invalid="ignore"):  # p^ρ + εp^χ = 0 rows: callers filter them
        return num / (cr.sum(axis=1) + cc.sum(axis=1))[:, None]


def complex_step(rho, chi: Perturbation, t: float, x: np.ndarray, r: np.ndarray, mixture: bool = False):
    """Im s^{ρ + ihχ}(x)/h (or of (1 − ih)ρ + ihχ), evaluated directly; NaN rows where r > 1e270.

    It equals δs/(1 + h²r²), so h = 1e-30 where |r| < 1e14 and h = 1e-16/|r| beyond (per row).
    """
    out = np.full(x.shape, np.nan)
    h_rows = np.where(np.abs(r) < 1e14, C.H_CS, 1e-16 / np.maximum(np.abs(r), 1e-300))
    for h in np.unique(h_rows):
        if h < 1e-286:
            continue
        rows = h_rows == h
        base = Perturbation.from_distribution(rho, (1 - 1j * h) if mixture else 1.0)
        comb = base + (1j * h) * chi
        out[rows] = comb.noised(C.PROCESS, t).combination_score(x[rows].astype(complex)).imag / h
    return out


def summand_scale(chi: Perturbation, t: float, x: np.ndarray, logp, s: np.ndarray) -> np.ndarray:
    """Σ_j |w_j| e^{L_j − log p^ρ} (‖g_j‖ + ‖s‖): the size of the summands of δ_χ s (roundoff scale)."""
    nc = chi.noised(C.PROCESS, t)
    L, g = nc.terms(x)
    c = np.abs(nc.scaled_weights(L, logp(x, t)))
    return np.einsum("nk,nk->n", c, np.linalg.norm(g, axis=2) + np.linalg.norm(s, axis=1)[:, None])


def _cancel_scale(rho, t: float, x: np.ndarray) -> np.ndarray:
    """Σ_k resp_k ‖g_k‖ ≥ ‖s‖: the size of the summands that cancel in δ_ρ s = Σ_k resp_k (g_k − s) = 0,
    so roundoff in δ_{χ+cρ} is u·|c|·(this); used to normalise the errors of exact identities."""
    nr = C.combination(rho).noised(C.PROCESS, t)
    L, g = nr.terms(x)
    resp = nr.scaled_weights(L, nr.log_abs_density(x)[0])
    return np.einsum("nk,nk->n", resp, np.linalg.norm(g, axis=2))


# ------------------------------------------------------------------------------------ complex step
def measure_complex_step(sc: Scenario, rng: np.random.Generator) -> Estimate:
    """max over points of ‖δ_χ s (closed form) − Im s^{ρ+ihχ}/h‖ / (‖δ_χ s‖ + summand scale).

    For a positive χ the summand scale is O(‖δ_χ s‖); for a signed χ whose removed mass matches ρ locally
    the summands cancel, and both evaluations then carry roundoff u·(summand scale).
    """
    rho, chi, t, x, score, logp = _setup(sc, rng)
    ds = score_derivative(score, logp, chi, C.PROCESS, t, x)
    r = first_order_validity(logp, chi, C.PROCESS, t, x)
    cs = complex_step(rho, chi, t, x, r)
    scale = np.linalg.norm(ds, axis=1) + summand_scale(chi, t, x, logp, score(x, t))
    ok = np.isfinite(cs).all(axis=1) & (scale > 1e-250)  # rows where everything underflows carry no digits
    err = np.linalg.norm(ds[ok] - cs[ok], axis=1) / scale[ok]
    return Estimate.exact_value(float(np.max(err)), method="complex step h=1e-30 (h=1e-16/r where r>1e14)")


COMPLEX_STEP = Theorem(
    id="sens.complex_step",
    title="Closed-form δ_χ s_t = [∇p^χ − p^χ s^ρ]/p^ρ equals the exact ε-derivative (complex step)",
    reference=C.REF,
    # both sides are O(1) ulps computations of the same quantity; 1e-11 leaves room for d = 100 sums
    bound=Bound("1e-11", "upper", "max relative deviation from the complex-step derivative", rtol=0),
    measure=measure_complex_step,
    assumptions=[C.EXACT],
    scenarios=SCENARIOS_100,
    notes="Ground truth: score of the (K+J)-component combination ρ + ihχ evaluated directly, Im/h.",
)


# ------------------------------------------------------------------------------------ central differences
_FACTORS = (0.3, 0.1, 0.03)


def measure_central_factor(sc: Scenario, rng: np.random.Generator) -> Estimate:
    """Fraction of the central-difference error not explained by the exact factor 1/(1 − ε²r²).

    Per point, ε = c/|r| with c ∈ {0.3, 0.1, 0.03}; FD = [s^{ρ+εχ} − s^{ρ−εχ}]/(2ε) from the direct
    (K+J)-component score.  Measured: max ‖FD − δs/(1 − c²)‖ / ‖FD − δs‖ (points whose predicted truncation
    error is below 1e-6·‖s‖/ε, i.e. under roundoff, are skipped).
    """
    rho, chi, t, x, score, logp = _setup(sc, rng)
    ds = score_derivative(score, logp, chi, C.PROCESS, t, x)
    r = np.abs(first_order_validity(logp, chi, C.PROCESS, t, x))
    s = score(x, t)
    worst = 0.0
    live = r > 1e-250  # where r underflows there is nothing to difference
    x, ds, r, s = x[live], ds[live], r[live], s[live]
    for c in _FACTORS:
        eps = c / r
        fd = (_direct(rho, chi, t, x, eps) - _direct(rho, chi, t, x, -eps)) / (2 * eps)[:, None]
        pred = ds / (1 - c * c)
        trunc = np.linalg.norm(pred - ds, axis=1)
        ok = trunc * eps > 1e-10 * np.linalg.norm(s, axis=1)  # roundoff u|s|/eps below 1e-6 of it
        if np.any(ok):
            dev = np.linalg.norm(fd - pred, axis=1)[ok] / np.linalg.norm(fd - ds, axis=1)[ok]
            worst = max(worst, float(np.max(dev)))
    return Estimate.exact_value(worst, method="central differences at εr = 0.3, 0.1, 0.03")


CENTRAL_FACTOR = Theorem(
    id="sens.central_difference_factor",
    title="Central differences in ε equal δ_χ s /(1 − ε²r²) exactly (truncation error (εr)²/(1−(εr)²))",
    reference=C.REF,
    # the unexplained part is roundoff u‖s‖/ε over a truncation error ≥ 1e-10‖s‖/ε: at most ~1e-6
    bound=Bound("1e-5", "upper", "unexplained fraction of the central-difference error", rtol=0),
    measure=measure_central_factor,
    assumptions=[C.EXACT],
    scenarios=SCENARIOS,
)


def measure_central_rate(sc: Scenario, rng: np.random.Generator) -> Estimate:
    """Slope of log ‖FD_ε − δs‖ against log ε at the point of largest r, ε = c/r, c = 0.2 … 0.0125."""
    rho, chi, t, x, score, logp = _setup(sc, rng)
    ds = score_derivative(score, logp, chi, C.PROCESS, t, x)
    r = np.abs(first_order_validity(logp, chi, C.PROCESS, t, x))
    i = int(np.argmax(r))
    xi, di = x[i : i + 1], ds[i]
    eps = np.array([0.2, 0.1, 0.05, 0.025, 0.0125]) / r[i]
    errs = []
    for e in eps:
        fd = (_direct(rho, chi, t, xi, np.array([e])) - _direct(rho, chi, t, xi, np.array([-e])))[0] / (2 * e)
        errs.append(np.linalg.norm(fd - di))
    slope = loglog_slope(eps, errs, level=None).value
    return Estimate.exact_value(slope, method="log-log fit, 5 values of ε")


CENTRAL_RATE = Theorem(
    id="sens.central_difference_rate",
    title="Central differences of the score in ε converge at order 2",
    reference=C.REF,
    # exact error ∝ c²/(1−c²): the fitted slope over c ≤ 0.2 is 2 + O(c²) ≈ 2.02 at most
    bound=Bound("2", "rate", "d log|FD − δs| / d log ε", atol=0.05),
    measure=measure_central_rate,
    assumptions=[C.EXACT],
    scenarios=SCENARIOS,
)


# ------------------------------------------------------------------------------------ finite-eps form
def measure_moebius(sc: Scenario, rng: np.random.Generator) -> Estimate:
    """max ‖s^ρ + ε δs/(1+εr) − s^{ρ+εχ}(direct)‖ / max(1, ‖s‖) over ε ∈ {1e-3, 0.1, 1} with 1 + εr > 0.05."""
    rho, chi, t, x, score, logp = _setup(sc, rng)
    r = first_order_validity(logp, chi, C.PROCESS, t, x)
    worst = 0.0
    for eps in (1e-3, 0.1, 1.0):
        keep = 1 + eps * r > 0.05
        xs = x[keep]
        ps, _ = perturbed_score(score, logp, chi, C.PROCESS, t, xs, eps)
        direct = _direct(rho, chi, t, xs, np.full(xs.shape[0], eps))
        err = np.linalg.norm(ps - direct, axis=1) / np.maximum(1.0, np.linalg.norm(direct, axis=1))
        worst = max(worst, float(np.max(err)))
    return Estimate.exact_value(worst, method="direct (K+J)-component score")


MOEBIUS = Theorem(
    id="sens.finite_eps_exact",
    title="Exact finite-ε form s^{ρ+εχ} = s^ρ + [εr/(1+εr)](s^χ − s^ρ) (Möbius in ε)",
    reference=C.REF,
    bound=Bound("1e-12", "upper", "max error / max(1, |s|)", rtol=0),  # reference measured 1.2e-15
    measure=measure_moebius,
    assumptions=[C.EXACT, C.POSITIVE],
    scenarios=SCENARIOS,
)


# ------------------------------------------------------------------------------------ additive vs mixture
def measure_mixture_direction(sc: Scenario, rng: np.random.Generator) -> Estimate:
    """Complex-step derivative of the score of (1 − ε)ρ + εχ vs the additive δ_χ s, relative to the terms
    summands that cancel (‖δ_χ s‖ + Σ_k resp_k‖g_k‖)."""
    rho, chi, t, x, score, logp = _setup(sc, rng)
    ds = score_derivative(score, logp, chi, C.PROCESS, t, x)
    r = first_order_validity(logp, chi, C.PROCESS, t, x)
    cs = complex_step(rho, chi, t, x, r, mixture=True)
    scale = np.linalg.norm(ds, axis=1) + _cancel_scale(rho, t, x)
    ok = np.isfinite(cs).all(axis=1)
    err = np.linalg.norm(cs[ok] - ds[ok], axis=1) / scale[ok]
    return Estimate.exact_value(float(np.max(err)), method="complex step")


MIXTURE_DIRECTION = Theorem(
    id="sens.additive_equals_mixture",
    title="Additive (ρ + εχ) and mixture ((1−ε)ρ + εχ) perturbations have the same first derivative",
    reference=C.REF,
    bound=Bound("1e-12", "upper", "relative difference of the two derivatives", rtol=0),
    measure=measure_mixture_direction,
    assumptions=[C.EXACT],
    scenarios=SCENARIOS,
    notes="Reason: d/dε of (1−ε)ρ + εχ is δ_{χ−ρ} = δ_χ − δ_ρ and δ_ρ s = (∇p^ρ − p^ρ s^ρ)/p^ρ = 0.",
)


# ------------------------------------------------------------------------------------ linearity, invariance
def measure_linearity(sc: Scenario, rng: np.random.Generator) -> Estimate:
    """‖δ_{aχ₁+bχ₂} − aδ_{χ₁} − bδ_{χ₂}‖ / (|a|‖δ_{χ₁}‖ + |b|‖δ_{χ₂}‖), a = 0.7, b = −1.3."""
    rho, chi, t, x, score, logp = _setup(sc, rng)
    chi2 = C.direction("remove", rho.dim)
    a, b = 0.7, -1.3
    d1 = score_derivative(score, logp, chi, C.PROCESS, t, x)
    d2 = score_derivative(score, logp, chi2, C.PROCESS, t, x)
    d12 = score_derivative(score, logp, a * chi + b * chi2, C.PROCESS, t, x)
    scale = abs(a) * np.linalg.norm(d1, axis=1) + abs(b) * np.linalg.norm(d2, axis=1)
    ok = scale > 0  # rows where both derivatives underflow to 0 carry no digits
    err = np.linalg.norm(d12 - a * d1 - b * d2, axis=1)[ok] / scale[ok]
    return Estimate.exact_value(float(np.max(err)))


LINEARITY = Theorem(
    id="sens.linearity",
    title="δ_χ s is linear in χ",
    reference=C.REF,
    bound=Bound("1e-13", "upper", "relative deviation from linearity", rtol=0),
    measure=measure_linearity,
    assumptions=[C.EXACT],
    scenarios=SCENARIOS,
)


def measure_invariance(sc: Scenario, rng: np.random.Generator) -> Estimate:
    """max over c ∈ {−0.5, 0.7, 3} of ‖δ_{χ+cρ} − δ_χ‖ / (‖δ_χ‖ + |c| Σ_k resp_k‖g_k‖)."""
    rho, chi, t, x, score, logp = _setup(sc, rng)
    d0 = score_derivative(score, logp, chi, C.PROCESS, t, x)
    scale0 = _cancel_scale(rho, t, x)
    worst = 0.0
    for c in (-0.5, 0.7, 3.0):
        dc = score_derivative(score, logp, chi + Perturbation.from_distribution(rho, c), C.PROCESS, t, x)
        err = np.linalg.norm(dc - d0, axis=1) / (np.linalg.norm(d0, axis=1) + abs(c) * scale0)
        worst = max(worst, float(np.max(err)))
    return Estimate.exact_value(worst)


INVARIANCE = Theorem(
    id="sens.invariance",
    title="δ_{χ+cρ} s = δ_χ s for every scalar c",
    reference=C.REF,
    bound=Bound("1e-13", "upper", "relative change under χ → χ + cρ", rtol=0),
    measure=measure_invariance,
    assumptions=[C.EXACT],
    scenarios=SCENARIOS,
)


# ------------------------------------------------------------------------------------ first-order error
def _safe_norm(v: np.ndarray) -> np.ndarray:
    """Row norms without overflow of the squares."""
    m = np.max(np.abs(v), axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(m > 0, m * np.linalg.norm(v / np.where(m > 0, m, 1.0)[:, None], axis=1), 0.0)


def first_order_relerr(rho, chi, t: float, x: np.ndarray, eps: float):
    """(relative error of ε δs against the exact change, ε r, resolvable mask) at the rows of x."""
    score, logp = C.callables(rho)
    ds = score_derivative(score, logp, chi, C.PROCESS, t, x)
    er = first_order_validity(logp, chi, C.PROCESS, t, x, eps)
    s = score(x, t)
    exact = _direct(rho, chi, t, x, np.full(x.shape[0], eps)) - s
    diff = eps * ds - exact
    with np.errstate(divide="ignore", invalid="ignore"):
        num, den = _safe_norm(diff), _safe_norm(exact)  # eps δs can exceed 1e154 (r ~ 1e170 at d = 100)
        rel = num / den
    ok = np.isfinite(rel) & (num > 1e-7 * np.linalg.norm(s, axis=1)) & (1 + er > 0.05)  # above roundoff
    return rel, er, ok


def measure_first_order(sc: Scenario, rng: np.random.Generator) -> Estimate:
    """max | relerr / |εr| − 1 | over ε ∈ {1e-3, 0.1, 1} and the resolvable points."""
    rho, chi, t, x, _, _ = _setup(sc, rng)
    worst = 0.0
    for eps in (1e-3, 0.1, 1.0):
        rel, er, ok = first_order_relerr(rho, chi, t, x, eps)
        if np.any(ok):
            worst = max(worst, float(np.max(np.abs(rel[ok] / np.abs(er[ok]) - 1))))
    return Estimate.exact_value(worst, method="exact change from the direct score")


FIRST_ORDER = Theorem(
    id="sens.first_order_relative_error",
    title="The first-order prediction ε δ_χ s has relative error exactly |ε r_t|, r_t = p_t^χ/p_t^ρ",
    reference=C.REF,
    # resolvable points have |difference| > 1e-7|s|: roundoff u|s| / that ≤ 1e-9
    bound=Bound("1e-6", "upper", "max |relerr/|εr| − 1|", rtol=0),
    measure=measure_first_order,
    assumptions=[C.EXACT, C.POSITIVE],
    scenarios=SCENARIOS_100,
)


def measure_memorisation(sc: Scenario, rng: np.random.Generator) -> Estimate:
    """Median relative error of the first-order score change for one added training point (weight 1/N,
    N = 1000) at points drawn around it, at small t."""
    rho, t = sc.data, sc.params["t"]
    chi = (1.0 / 1000) * C.direction("point", rho.dim)
    a, s = float(C.PROCESS.mean_coeff(t)), float(C.PROCESS.std(t))
    x = a * chi.means[0] + s * rng.standard_normal((30, rho.dim))
    rel, _, _ = first_order_relerr(rho, chi, t, x, 1.0)
    return Estimate.exact_value(float(np.median(rel)), method="30 points within σ_t of the new point")


MEMORISATION = Theorem(
    id="sens.first_order_fails_memorisation",
    title="First order fails near an added training point at small t (relative error > 100%)",
    reference=C.REF,
    bound=Bound("1", "lower", "median relative error of ε δ_χ s near the new point", rtol=0),
    measure=measure_memorisation,
    assumptions=[C.EXACT],
    scenarios=[
        Scenario(
            f"d{d}-t{t:g}",
            data=C.data(d),
            process=C.PROCESS,
            params={"d": d, "t": t},
            quick=d == 2 and t == 0.01,
        )
        for d in (2, 10, 100)
        for t in (1e-3, 0.01)
    ],
    notes="Where p_t^ρ is tiny but p_t^χ is not (a new mode at small t) r = p^χ/p^ρ is huge and ε r ≫ 1 even "
    "for ε = 1/N; see the validity-map figure for where first order is trustworthy.",
)

THEOREMS = [
    COMPLEX_STEP,
    CENTRAL_FACTOR,
    CENTRAL_RATE,
    MOEBIUS,
    MIXTURE_DIRECTION,
    LINEARITY,
    INVARIANCE,
    FIRST_ORDER,
    MEMORISATION,
]
