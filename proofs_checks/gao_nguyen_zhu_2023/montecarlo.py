r"""Monte Carlo on non-Gaussian strongly log-concave data (notes §2, §3, §1.4).

Data: a product of two 1-D strongly log-concave, smooth densities (known constants, checked by
:func:`sgmverify.hypotheses.check_assumption`, not asserted):

* ``logcosh``:  log q = −x²/2 − log cosh x,        −(log q)'' = 1 + sech² x ∈ [1, 2];
* ``softplus``: log q = −x²/2 − 2 log(1 + eˣ),      −(log q)'' = 1 + 2σ(x)(1 − σ(x)) ∈ [1, 1.5] (skewed).

The forward noise is isotropic and the data a product, so the exact score is coordinate-wise and each
coordinate of an EM / EI run evolves independently: the output is a product law and
W2² = Σ_j W2²(coordinate j), each by the 1-D quantile formula against the data's exact quantile function.
The exact noised score comes from :class:`sgmverify.laws.NoisedScore1D` (Tweedie by quadrature).
Initialisation: the true marginal p_T (sampled as μ_T X₀ + σ_T Z), so the error is the discretisation's;
the sampler stops at t_min = 0.01 (W2(p_{0.01}, data) ≲ 2e-3 for these processes).

W2 estimate: :math:`\hat W_2^2 = \sum_j \frac1n \sum_i (x^{(j)}_{(i)} - Q_j((i - \frac12)/n))^2` minus its
null value (the same statistic on n exact data draws, averaged over ``NULL_REPS`` = 32 replicates: the
finite-n floor, ≈ c·log log n / n).  CI by the percentile bootstrap: each replicate resamples the output
samples *and* the floor (the mean of a resample, with replacement, of the 32 null replicates), so the
floor's own sampling error is in the interval.  The b-th floor draw is shared by every K of a slope fit (the
floor is a common offset at one n), so the slope's interval sees it coherently.

Claims
------
``gnz.mc_eta_order`` [S: discretisation error of order η^{1/2}; Arsenyan et al. on GNZ]
    The W2 error decays at least at the claimed order in η: the fitted slope of log Ŵ2 against log η is
    ≥ 1/2, with a bootstrap CI (INCONCLUSIVE when the CI straddles 1/2).
``gnz.mc_nonlogconcave_control`` (negative control of the hypothesis)
    The same claim on a well-separated 1-D Gaussian mixture: the log-concavity hypothesis must fail
    (ASSUMPTIONS_FAIL, decided by the engine's checker, which finds a counterexample point).
"""

from __future__ import annotations

import functools
import math

import numpy as np

from sgmverify import Estimate, loglog_slope
from sgmverify.hypotheses import check_assumption
from sgmverify.laws import Density1D, GaussianMixture, NoisedScore1D, Product
from sgmverify.samplers import sample, uniform_grid
from sgmverify.theory import Assumption, AssumptionResult, Bound, Provenance, Scenario, Theorem

from . import _common as C

SECTION = "Monte Carlo on non-Gaussian log-concave data"

COMPONENTS = {
    "logcosh": ("-x**2/2 - log(cosh(x))", 1.0, 2.0),
    "softplus": ("-x**2/2 - 2*log(1 + exp(x))", 1.0, 1.5),
}
M0_CHECK, L0_CHECK = 0.99, 2.01  # constants handed to the checker (m0 = 1 is attained only at infinity)
T_MIN = 0.01
MC_STEPS = (4, 8, 16, 32)
N_SAMPLES = {"quick": 40_000, "full": 160_000}
N_BOOT = 60
NULL_REPS = 32


@functools.lru_cache(maxsize=1)  # one data object for every MC check here and in reconstructed.py
def product_data() -> Product:
    return Product([Density1D(expr, (-math.inf, math.inf)) for expr, _, _ in COMPONENTS.values()])


@functools.lru_cache(maxsize=1)  # shared by every MC run (gnz.mc_eta_order, gnz.reconstructed_bound_mc)
def tables() -> tuple[NoisedScore1D, ...]:
    return tuple(
        NoisedScore1D(lambda z, c=c: c.log_prob(z[:, None]), -30.0, 30.0) for c in product_data().components
    )


def second_moment() -> float:
    """E‖X₀‖² of the product data, by the trapezoid rule on the score tables' nodes."""
    return float(sum(np.sum(np.exp(t.log_weights) * t.nodes**2) for t in tables()))


# shared by every check on the same data and constants (gnz.mc_eta_order, gnz.reconstructed_bound_mc)
@functools.lru_cache(maxsize=8)
def _assumption_result(key: str, m0: float, L0: float) -> AssumptionResult:
    data = product_data() if key == "product" else MIXTURE
    parts = [check_assumption("strongly-log-concave", data, m=m0), check_assumption("smooth", data, L=L0)]
    worst = min(parts, key=lambda r: {"fails": 0, "unknown": 1, "holds": 2}[r.status])
    detail = "; ".join(f"{r.kind}: {r.status} [{r.evidence}] {r.detail[:160]}" for r in parts)
    return AssumptionResult("strongly log-concave and smooth data", worst.status, detail, worst.evidence)


LOGCONCAVE = Assumption(
    "strongly log-concave and smooth data",
    "m0 I ≼ −∇² log p0 ≼ L0 I (reference §2: [V] in substance / [S]); decided by check_assumption",
    lambda sc: _assumption_result(sc.params["data_key"], sc.params["m0"], sc.params["L0"]),
)

MIXTURE = GaussianMixture([0.5, 0.5], [[-3.0], [3.0]], [[[0.5]], [[0.5]]])


def mc_run(row: str, scheme: str, K: int, n: int, seed: int) -> np.ndarray:
    """n output samples (n, 2) of ``scheme`` with K uniform steps from T = T(1, 0.1) down to T_MIN."""
    proc, tabs = C.process(row), tables()
    T = C.horizon(row, 1, 0.1)
    rng = np.random.default_rng(seed)
    u = rng.uniform(size=(n, len(tabs)))
    x0 = np.stack([t.quantile(u[:, j]) for j, t in enumerate(tabs)], axis=1)
    xT = float(proc.mean_coeff(T)) * x0 + float(proc.std(T)) * rng.standard_normal(x0.shape)

    def score(x: np.ndarray, t: float) -> np.ndarray:
        m, v = float(proc.mean_coeff(t)), float(proc.var(t))
        return np.stack([tab.score(x[:, j], m, v) for j, tab in enumerate(tabs)], axis=1)

    out = sample(proc, score, xT, uniform_grid(T, K, T_MIN), scheme, rng=rng)
    if not out.ok:
        raise RuntimeError(f"sampler failed: {out.status} {out.message}")
    return out.x


def _w2sq_sorted(xs: np.ndarray, q: np.ndarray) -> float:
    return float(np.mean((xs - q) ** 2))


@functools.lru_cache(maxsize=8)  # per n: shared by every MC check (and every K) at that sample size
def _ref_quantiles(n: int) -> tuple[np.ndarray, ...]:
    u = (np.arange(n) + 0.5) / n
    return tuple(t.quantile(u) for t in tables())


@functools.lru_cache(maxsize=8)  # per n: shared by every MC check (and every K) at that sample size
def null_replicates(n: int, reps: int = NULL_REPS, seed: int = 12345) -> tuple[float, ...]:
    """The W2² statistic on ``reps`` independent sets of n exact data draws (null replicates)."""
    rng, qs = np.random.default_rng(seed), _ref_quantiles(n)
    return tuple(
        sum(_w2sq_sorted(np.sort(t.quantile(rng.uniform(size=n))), q) for t, q in zip(tables(), qs))
        for _ in range(reps)
    )


def null_floor(n: int) -> float:
    """Mean of :func:`null_replicates` (the finite-n floor of the estimator)."""
    return float(np.mean(null_replicates(n)))


@functools.lru_cache(maxsize=8)  # per n: the common floor draws of every MC check at that sample size
def floor_boot(n: int, n_boot: int = N_BOOT, seed: int = 54321) -> np.ndarray:
    """Bootstrap draws of the floor: means of resamples (with replacement) of the null replicates.

    One fixed set per n, so the b-th draw is the same for every run at that n (a common offset)."""
    reps = np.asarray(null_replicates(n))
    idx = np.random.default_rng(seed).integers(0, reps.size, size=(n_boot, reps.size))
    return reps[idx].mean(axis=1)


def w2_boot(x: np.ndarray, rng: np.random.Generator, n_boot: int = N_BOOT) -> tuple[float, np.ndarray]:
    """Debiased Ŵ2 of samples ``x`` (n, 2) against the product data and its bootstrap replicates (output
    samples and floor both resampled)."""
    n = x.shape[0]
    qs, floor, floors = _ref_quantiles(n), null_floor(n), floor_boot(n, n_boot)
    cols = [np.sort(x[:, j]) for j in range(x.shape[1])]

    def stat(idx: np.ndarray | None, fl: float) -> float:
        tot = sum(_w2sq_sorted(c if idx is None else c[idx], q) for c, q in zip(cols, qs))
        return math.sqrt(max(tot - fl, 0.0))

    # resampling rows of a product law = resampling each sorted column independently (coordinates independent)
    boots = np.array([stat(np.sort(rng.integers(0, n, size=n)), floors[b]) for b in range(n_boot)])
    return stat(None, floor), boots


# the same runs serve gnz.mc_eta_order (all K of a slope) and gnz.reconstructed_bound_mc (one K per check)
@functools.lru_cache(maxsize=64)
def mc_w2(row: str, scheme: str, K: int, n: int, seed: int) -> tuple[float, tuple[float, ...]]:
    w, b = w2_boot(mc_run(row, scheme, K, n, seed), np.random.default_rng(seed + 1))
    return w, tuple(b)


def measure_mc_slope(sc: Scenario, rng: np.random.Generator) -> Estimate:
    p = sc.params
    T = C.horizon(p["row"], 1, 0.1)
    runs = [mc_w2(p["row"], p["scheme"], K, p["n"], sc.seed + K) for K in MC_STEPS]
    return loglog_slope(
        (T - T_MIN) / np.array(MC_STEPS),
        [r[0] for r in runs],
        y_boot=np.array([r[1] for r in runs]),  # (len(K), n_boot)
        drop_invalid_replicates=True,  # a replicate with Ŵ2 = 0 (floor above it) has no log
        n=p["n"],
        method=f"slope of log Ŵ2 vs log η over K = {MC_STEPS} (n = {p['n']}, debiased), bootstrap percentile",
        extra={"w2": [r[0] for r in runs], "floor_w2": math.sqrt(null_floor(p["n"]))},
    )


def _mc_scenarios() -> list[Scenario]:
    out = []
    for row in ("vp_linear", "ou", "ve_exp"):
        for scheme in ("ei", "em"):
            for mode in ("quick", "full"):
                if mode == "quick" and (row, scheme) != ("vp_linear", "ei"):
                    continue
                params = {
                    "row": row,
                    "scheme": scheme,
                    "n": N_SAMPLES[mode],
                    "data_key": "product",
                    "m0": M0_CHECK,
                    "L0": L0_CHECK,
                }
                out.append(
                    Scenario(
                        f"{row}-{scheme}-n{N_SAMPLES[mode]}",
                        data=product_data(),
                        process=C.process(row),
                        sampler=scheme,
                        params=params,
                        seed=11,
                        quick=mode == "quick",
                    )
                )
    return out


MC_SCENARIOS = _mc_scenarios()

MC_ETA_ORDER = Theorem(
    id="gnz.mc_eta_order",
    title="Non-Gaussian log-concave data: Monte Carlo W2 decays at least like η^{1/2}",
    reference=C.ref(
        "discretisation term h^{1/2} [S, Arsenyan et al. Remark 1]; theorem text [NF]", Provenance.SECONDARY
    ),
    bound=Bound("1/2", "lower", "d log W2 / d log η (Monte Carlo, bootstrap CI)"),
    measure=measure_mc_slope,
    assumptions=[LOGCONCAVE],
    scenarios=MC_SCENARIOS,
    notes="Exact noised score by quadrature (Tweedie); exact init p_T; 1-D quantile W2 per coordinate, "
    "debiased by the null floor (mean of 32 null replicates); percentile bootstrap (60 replicates) of the "
    "fitted slope, resampling both the output samples and the floor (its uncertainty is in the CI).",
)

MC_MIXTURE_CONTROL = Theorem(
    id="gnz.mc_nonlogconcave_control",
    title="Hypothesis control: a well-separated mixture is not log-concave (must be ASSUMPTIONS_FAIL)",
    reference=C.ref("negative control of the log-concavity hypothesis (§2)", Provenance.TEXTBOOK),
    bound=Bound("1/2", "lower", "d log W2 / d log η (Monte Carlo, bootstrap CI)"),
    measure=measure_mc_slope,
    assumptions=[LOGCONCAVE],
    scenarios=[
        Scenario(
            "mixture-pm3-var0.5",
            data=MIXTURE,
            process=C.process("vp_linear"),
            sampler="ei",
            params={
                "row": "vp_linear",
                "scheme": "ei",
                "n": 1000,
                "data_key": "mixture",
                "m0": 0.5,
                "L0": 4.0,
            },
        )
    ],
    expect="assumptions_fail",
    notes="A negative control of the hypothesis: it comes out as expected only as ASSUMPTIONS_FAIL "
    "(the measurement never runs).",
)

THEOREMS = [MC_ETA_ORDER, MC_MIXTURE_CONTROL]
