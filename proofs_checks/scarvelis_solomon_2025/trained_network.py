"""Sample sensitivities predicted with a *trained* score network (Sec. 4.2, reconstructed).

Reviewers report a d = 10 bimodal Gaussian mixture with a learned score, compared with the exact score by
a correlation (notes §4–5); architecture, training and threshold were not recovered.  Here: a small
MLP trained by denoising score matching (:func:`sgmverify.nets.train_score_network`, log-uniform training
times), its sensitivities computed by the same augmented ODE with forward-mode JVPs and an exact divergence
(:class:`~sgmverify.sensitivity.TorchScoreModel`), ℓ(T) started at the exact log p_T^ρ, and compared
with the exact-score sensitivities from the same x_T.  The hypothesis "relative score error along the paths
≤ 0.3" is *checked* (it is what makes the prediction meaningful); the threshold 0.8 is ours.
"""

from __future__ import annotations

import functools

import numpy as np

from sgmverify import bootstrap_ci
from sgmverify.nets import NetworkConfig, torch_threads, train_score_network
from sgmverify.sensitivity import TorchScoreModel, sample_sensitivity
from sgmverify.theory import Assumption, AssumptionResult, Bound, Scenario, Theorem

from . import _common as C

SECTION = "Trained score network"
SCORE_ERROR_MAX = 0.3

CONFIGS = {
    "tiny": NetworkConfig(width=32, depth=2, steps=500, dtype="float64", t_sampling="log", seed=0),
    "small": NetworkConfig(width=64, depth=3, steps=1000, dtype="float64", t_sampling="log", seed=0),
    "medium": NetworkConfig(width=64, depth=3, steps=3000, dtype="float64", t_sampling="log", seed=0),
}


# shared cache: one trained network per config name for both theorems (measures and hypothesis) and the
# sens.network figure; C.data(10), C.PROCESS and CONFIGS[name] are fixed, so the name is the whole key
@functools.lru_cache(maxsize=4)
def network(name: str):
    """The trained network (cached on disk by config hash, and in memory)."""
    return train_score_network(C.data(10), C.PROCESS, CONFIGS[name], cache=True)


# shared cache: the hypothesis (accurate network) and the measures of sens.network_correlation and
# sens.network_magnitude on the same scenario, and the sens.network figure, read the same comparison;
# (network name, paths, steps, seed) is the whole key (data, direction and grid are fixed)
@functools.lru_cache(maxsize=8)
def compare(name: str, n: int, steps: int, seed: int) -> dict:
    """Exact vs network sensitivities from the same x_T; score error along the exact paths.

    Runs torch on one thread: in the runner's worker processes several multi-threaded torch instances
    oversubscribe the cores (measured: 5 s in-process vs 100–200 s per check with 2 workers).
    """
    with torch_threads(1):
        return _compare(name, n, steps, seed)


def _compare(name: str, n: int, steps: int, seed: int) -> dict:
    rho = C.data(10)
    chi = C.direction("gaussian", 10)
    rng = np.random.default_rng(seed)
    x_T = rho.noised(C.PROCESS, C.T_END).sample(n, rng)
    g = C.grid(steps)
    m = C.model(rho)
    lp = m.log_density(x_T, C.T_END)
    exact = sample_sensitivity(C.PROCESS, m, chi, x_T, g, lp, keep_path=True)
    net = network(name)
    pred = sample_sensitivity(C.PROCESS, TorchScoreModel(net.torch_score, 10, "exact"), chi, x_T, g, lp)
    num = den = 0.0
    for k, t in enumerate(g[1:], start=1):
        xk = exact.x_path[k]
        s = m.score(xk, t)
        num += float(np.sum((net.score(xk, t) - s) ** 2))
        den += float(np.sum(s**2))
    return {
        "y_exact": exact.y,
        "y_net": pred.y,
        "score_rel_error": float(np.sqrt(num / den)),
        "sens_rel_error": float(np.median(C.rel_rows(pred.y, exact.y))),
        "log_p_error": float(np.max(np.abs(pred.log_p - exact.log_p))),
    }


def _key(sc: Scenario) -> tuple:
    p = sc.params
    return p["net"], p["n"], p["steps"], sc.seed


def _accurate(sc: Scenario) -> AssumptionResult:
    err = compare(*_key(sc))["score_rel_error"]
    ok = err <= SCORE_ERROR_MAX
    return AssumptionResult(
        "accurate network",
        "holds" if ok else "fails",
        f"relative L2 score error along the exact paths = {err:.3g} (need ≤ {SCORE_ERROR_MAX})",
        "numeric",
    )


ACCURATE = Assumption(
    "accurate network", f"relative score error along the paths ≤ {SCORE_ERROR_MAX}", _accurate
)


def measure_correlation(sc: Scenario, rng: np.random.Generator):
    """Pearson correlation of all coordinates of y_net and y_exact; bootstrap CI over paths (a direction
    check: it is blind to scale, see :func:`measure_magnitude`)."""
    out = compare(*_key(sc))
    ye, yn = out["y_exact"], out["y_net"]

    def corr(idx: np.ndarray) -> float:
        return float(np.corrcoef(ye[idx].ravel(), yn[idx].ravel())[0, 1])

    est = bootstrap_ci(corr, ye.shape[0], rng, n_boot=200)
    est.extra.update(
        score_rel_error=out["score_rel_error"],
        sens_rel_error=out["sens_rel_error"],
        log_p_error=out["log_p_error"],
    )
    return est


CORRELATION = Theorem(
    id="sens.network_correlation",
    title="With a DSM network of score error ≤ 0.3, predicted and exact sample sensitivities correlate ≥ 0.8",
    reference=C.REF_NET,
    bound=Bound("0.8", "lower", "Pearson correlation of y_network with y_exact (all coordinates)", rtol=0),
    measure=measure_correlation,
    assumptions=[ACCURATE],
    scenarios=[
        Scenario(
            f"d10-{name}",
            data=C.data(10),
            process=C.PROCESS,
            sampler="rk4_ode",
            params={"net": name, "n": 32, "steps": 100},
            seed=1,
            quick=False,  # training + 2 × 32 network paths: ~10–40 s; full mode only
        )
        for name in CONFIGS
    ],
    notes="Reported with each result: score_rel_error (√(Σ|s_θ − s|²/Σ|s|²) along the exact paths), "
    "sens_rel_error (median over paths of |y_net − y|/|y|) and log_p_error (max |ℓ_net − ℓ| at t_min). "
    "The network's ℓ error enters r = p^χ/p^ρ exponentially.",
)


def measure_magnitude(sc: Scenario, rng: np.random.Generator):
    """Least-squares slope through the origin of y_net on y_exact, Σ y_net·y / Σ |y|²; bootstrap CI (paths).

    Pearson correlation is blind to scale (y_net = 2y correlates perfectly); an error in the network's
    log-density along the path multiplies r = p^χ/p^ρ, hence y, by a per-path factor — this catches it."""
    out = compare(*_key(sc))
    ye, yn = out["y_exact"], out["y_net"]

    def slope(idx: np.ndarray) -> float:
        return float(np.sum(yn[idx] * ye[idx]) / np.sum(ye[idx] * ye[idx]))

    return bootstrap_ci(slope, ye.shape[0], rng, n_boot=200)


MAGNITUDE = Theorem(
    id="sens.network_magnitude",
    title="DSM network with score error ≤ 0.3: predicted sensitivities have the right size (slope 1 ± 25%)",
    reference=C.REF_NET,
    bound=Bound("1", "equal", "slope of y_network on y_exact through the origin", rtol=0.25),
    measure=measure_magnitude,
    assumptions=[ACCURATE],
    scenarios=CORRELATION.scenarios,
    notes="The scale-sensitive companion of sens.network_correlation (a correlation cannot see a wrong "
    "magnitude). The ±25% band is our choice, like the 0.8 correlation threshold (reconstructed, not the "
    "paper's).",
)

THEOREMS = [CORRELATION, MAGNITUDE]
