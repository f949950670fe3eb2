"""Gao–Nguyen–Zhu against trained score networks: the score-error term, measured.

The paper's W2 bound has three parts — initialisation, discretisation, score error (reference §3 [S]); its
exact form and the norm of the score-error level M are [NF] (§2).  What is checked here is a bound
**derived here [D]** with the same structure, on strongly log-concave (Gaussian) data, where every piece
but the network is exact:

Synchronous coupling of the exponential-integrator (EI) chain driven by the network, :math:`\\hat Y_k`,
with the one driven by the exact score, :math:`Y_k` (same prior draw, same noise).  For Gaussian data the
exact score is affine with Jacobian :math:`-A_t`, :math:`A_t = (m_t^2\\Sigma+\\sigma_t^2I)^{-1}`, so
:math:`\\Delta_{k+1} = (r_kI - c_kA_{t_k})\\Delta_k + c_k\\,\\delta_k(\\hat Y_k)` with
:math:`\\delta = s_\\theta - \\nabla\\log p_t` and EI coefficients :math:`r_k, c_k` (``process.transition``).
Minkowski's inequality gives

.. math::
    W_2(\\hat q_\\theta, p_0) \\le W_2(\\hat q, p_0)
    + \\sum_k \\Big(\\prod_{j>k}\\rho_j\\Big) c_k\\,\\varepsilon_k,
    \\qquad \\rho_k = \\max_i |r_k - c_k a_i(t_k)|,\\quad
    \\varepsilon_k = \\big(\\mathbb E\\|\\delta_k(\\hat Y_k)\\|^2\\big)^{1/2},

with :math:`W_2(\\hat q, p_0)` the exact-score sampler's error (initialisation + discretisation), computed
exactly by :mod:`sgmverify.samplers._gaussian_exact`, and :math:`\\varepsilon_k` the network's L² score
error *under the
algorithm's law*, measured (lower 95% ends used, so that a HOLDS is certain: the smallest bound the data
allow).  The measured side is the W2 of the network sampler's output (1-D quantile formula against exact
quantiles, percentile bootstrap).

Also (full mode only) a small analogue of the paper's CIFAR-10 experiment (reference §6.1 [V]): one network
per experiment schedule, the same training and sampling budget, W2 to the data — and the ranking compared
with the ranking of the exact-score samplers, which is what the error decomposition predicts when the score
error is small.  Whether they agree is reported as a Kendall τ with a CI, not assumed.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import stats

from proofs_checks.gao_nguyen_zhu_2023._schedules import CIFAR10_SCHEDULES
from sgmverify import Estimate, content_key, mean_ci, percentile_estimate
from sgmverify.laws import Gaussian, GaussianMixture
from sgmverify.metrics import w2_1d_quantile, w2_empirical
from sgmverify.nets import NetworkConfig, integrated_score_error, torch_threads, train_score_network
from sgmverify.run import FigureOutput, FigureSpec
from sgmverify.samplers import sampler_w2, uniform_grid
from sgmverify.sde import VP
from sgmverify.theory import Bound, Provenance, Reference, Scenario, Theorem

SECTION = "Trained networks"

_PAPER = ("Gao, Nguyen, Zhu", "Wasserstein Convergence Guarantees for a General Class of SGMs", "2311.11003")
REF_COUPLING = Reference(
    *_PAPER,
    "§3 three-part error structure [S]; the coupling bound with a measured score error is derived here",
    Provenance.DERIVED,
)
REF_CIFAR = Reference(
    *_PAPER,
    "§6.1 CIFAR-10 schedules [V]; the synthetic analogue and its predicted ranking are ours",
    Provenance.RECONSTRUCTED,
)

#: Shared tiny configuration (1-D): quick checks train at most three such networks (cached on disk).
NET = NetworkConfig(
    width=32, depth=2, steps=1500, batch_size=256, lr=3e-3, t_min=5e-3, t_max=1.0, t_sampling="log", seed=0
)
UNDER = NET.replace(steps=40)  # deliberately under-trained (negative control, figure)
DATA_1D = Gaussian([0.5], [[0.5]])
PROC = VP(0.1, 20.0)  # DDPM++ original schedule, beta(t) = 0.1 + 19.9 t (reference §6.1 [V])
SAMPLER = {"scheme": "ei", "T": 1.0, "K": 40, "t_min": 0.01, "n": 20000}


# ------------------------------------------------------------------------------------ coupled chains
# keyed by the scenario's content: shared by the bound and the measurement of a check, and by
# gnz.trained.coupling_bound and gnz.trained.no_score_term_control on their common scenario
# gauss1d-undertrained
_CHAINS: dict[str, dict] = {}


def network_chain(data: Gaussian, process: Any, net: Any, sampler: dict, seed: int) -> dict:
    """Run the EI chain with the network; record ε_k (mean_ci of |δ|² at each step), ρ_k, c_k."""
    T, K, t_min, n = sampler["T"], sampler["K"], sampler["t_min"], sampler["n"]
    grid = uniform_grid(T, K, t_min)
    rng = np.random.default_rng(seed)
    y = process.prior(T, data.dim).sample(n, rng)
    lam = data.eigh()[0]
    rho, coef, eps = [], [], []
    for k in range(K):
        t0, t1 = float(grid[k]), float(grid[k + 1])
        ratio, c, nv = (float(v) for v in process.transition(t0, t1))
        s_hat = net.score(y, t0)
        err = np.sum((s_hat - data.noised(process, t0).score(y)) ** 2, axis=1)
        eps.append(mean_ci(err))
        a = 1.0 / (float(process.mean_coeff(t0)) ** 2 * lam + float(process.var(t0)))
        rho.append(float(np.max(np.abs(ratio - c * a))))
        coef.append(c)
        y = ratio * y + c * s_hat + math.sqrt(nv) * rng.standard_normal(y.shape)
    tail = np.append(np.cumprod(np.asarray(rho)[::-1])[::-1][1:], 1.0)  # prod_{j>k} rho_j
    # lower 95% ends of the Monte Carlo score errors: the bound is the smallest the data allow, so HOLDS is
    # certain (the upper ends would round an undecided comparison into HOLDS)
    eps_lo = np.sqrt([max(e.ci_low, 0.0) for e in eps])
    score_term = float(np.sum(tail * np.asarray(coef) * eps_lo))
    exact = sampler_w2(process, data, T, K, sampler["scheme"], t_min, init="prior")
    return {"x": y, "score_term": score_term, "w2_exact": exact, "eps": eps, "grid": grid}


def _chain(sc: Scenario) -> dict:
    key = content_key(sc.describe())
    if key not in _CHAINS:
        net = train_score_network(sc.data, sc.process, sc.sampler["net"])
        _CHAINS[key] = network_chain(sc.data, sc.process, net, sc.sampler, sc.seed)
        _CHAINS[key]["net"] = net
    return _CHAINS[key]


def w2_to_gaussian_1d(x: np.ndarray, data: Gaussian, rng: np.random.Generator, n_boot: int = 200) -> Estimate:
    """W2 between the sample ``x`` (n, 1) and 1-D Gaussian ``data`` by the quantile formula.

    The data side is the exact quantile function at M = 20000 midpoints (no sampling noise there); the
    interval is a percentile bootstrap over ``x``.  The empirical W2 is biased upwards (conservative for an
    upper-bound claim)."""
    mu, sd = float(data.mean[0]), math.sqrt(float(data.cov[0, 0]))
    ref = mu + sd * stats.norm.ppf((np.arange(20000) + 0.5) / 20000)
    value = w2_1d_quantile(x[:, 0], ref)
    boots = [w2_1d_quantile(x[rng.integers(0, len(x), len(x)), 0], ref) for _ in range(n_boot)]
    return percentile_estimate(value, boots, n=len(x), method="1-D quantile W2, bootstrap")


@torch_threads(1)  # tiny networks: one thread (see networks.torch_threads)
def measure_network_w2(sc: Scenario, rng: np.random.Generator) -> Estimate:
    """W2 of the network-driven EI sampler's output to the data, with the score-error levels in ``extra``."""
    ch = _chain(sc)
    est = w2_to_gaussian_1d(ch["x"], sc.data, rng)
    integ = integrated_score_error(
        ch["net"], sc.data, sc.process, SAMPLER["t_min"], 0.99, "likelihood", n_t=8, n=512, rng=rng
    )
    extra = {
        "score_term": ch["score_term"],
        "w2_exact_score": ch["w2_exact"],
        "eps_along_chain_max": max(math.sqrt(max(e.value, 0)) for e in ch["eps"]),
        "int_g2_score_error": integ.value,
        "int_g2_score_error_ci": [integ.ci_low, integ.ci_high],
    }
    return Estimate(est.value, est.ci_low, est.ci_high, est.level, n=est.n, method=est.method, extra=extra)


@torch_threads(1)  # tiny networks: one thread (see networks.torch_threads)
def coupling_params(sc: Scenario) -> dict:
    ch = _chain(sc)
    return {"W2_exact": ch["w2_exact"], "score_term": ch["score_term"]}


def _scenario(name: str, cfg: NetworkConfig, quick: bool = True) -> Scenario:
    return Scenario(
        name,
        data=DATA_1D,
        process=PROC,
        sampler={**SAMPLER, "net": cfg},
        params={"train_steps": cfg.steps},
        seed=1,
        quick=quick,
        description="1-D N(0.5, 0.5), VP beta 0.1->20, EI K=40 from N(0, sigma_T^2) to t=0.01",
    )


COUPLING = Theorem(
    id="gnz.trained.coupling_bound",
    title="[D] W2(network sampler, data) ≤ W2(exact-score sampler, data) + propagated measured score error",
    reference=REF_COUPLING,
    bound=Bound(
        "W2_exact + score_term",
        "upper",
        "W2(output of EI driven by the trained network, data)",
        params=["W2_exact", "score_term"],
    ),
    measure=measure_network_w2,
    scenarios=[_scenario("gauss1d-trained", NET), _scenario("gauss1d-undertrained", UNDER)],
    bound_params=coupling_params,
    notes=(
        "Derived here, not the paper's theorem (its statement is [NF]): synchronous coupling + Minkowski; "
        "score_term = sum_k prod_{j>k} rho_j c_k eps_k with eps_k the upper 95% end of the measured L2 score "
        "error along the network chain (the algorithm's law — GNZ's norm for M is [NF]).  W2_exact is exact "
        "(gaussian_exact).  Measured W2: 1-D quantile formula, bootstrap CI."
    ),
)

NO_SCORE_TERM = Theorem(
    id="gnz.trained.no_score_term_control",
    title="Negative control: an under-trained network samples as well as the exact score (no score term)",
    reference=Reference(
        "negative control", "the coupling bound without its score-error term", provenance=Provenance.DERIVED
    ),
    bound=Bound("W2_exact", "upper", "W2(output of EI driven by the network, data)", params=["W2_exact"]),
    measure=measure_network_w2,
    scenarios=[_scenario("gauss1d-undertrained", UNDER)],
    bound_params=coupling_params,
    expect="violated",
)


# ------------------------------------------------------------------------------------ figure
def make_predicted_vs_measured(mode: str, rng: np.random.Generator) -> FigureOutput:
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullFormatter

    steps = [40, 150, 1500] if mode == "quick" else [40, 150, 500, 1500, 4000]
    rows = []
    for s in steps:
        sc = _scenario(f"gauss1d-{s}", NET.replace(steps=s))
        est = measure_network_w2(sc, rng)
        p = coupling_params(sc)
        rows.append(
            {
                "train_steps": s,
                "measured_w2": est.value,
                "ci_low": est.ci_low,
                "ci_high": est.ci_high,
                "predicted_bound": p["W2_exact"] + p["score_term"],
                "w2_exact_score": p["W2_exact"],
                "int_g2_score_error": est.extra["int_g2_score_error"],
            }
        )
    fig, ax = plt.subplots(figsize=(6, 4))
    xs = [r["int_g2_score_error"] for r in rows]
    ax.errorbar(
        xs,
        [r["measured_w2"] for r in rows],
        yerr=[
            [r["measured_w2"] - r["ci_low"] for r in rows],
            [r["ci_high"] - r["measured_w2"] for r in rows],
        ],
        fmt="o",
        label="measured W2 (95% CI)",
    )
    ax.plot(xs, [r["predicted_bound"] for r in rows], "s--", label="predicted bound [D]")
    ax.axhline(rows[0]["w2_exact_score"], color="gray", lw=0.8, label="exact-score sampler")
    ax.set(xscale="log", yscale="log", xlabel="∫ g² E|s_θ − ∇log p_t|² dt (measured)", ylabel="W2 to data")
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xticks(xs, [f"{x:.3g}" for x in xs])  # the data span < a decade: label each measured point
    ax.legend(fontsize=8)
    notes = (
        "1-D Gaussian data, VP 0.1→20, EI sampler K=40; networks trained for the listed steps (MLP 32x2). "
        "Measured: W2 of 4000 network samples to the exact law (quantile formula, bootstrap CI). Predicted: "
        "the derived coupling bound (exact-score W2 + propagated upper-CI score errors along the chain)."
    )
    return FigureOutput(fig, rows, notes)


# ------------------------------------------------------------------------------------ CIFAR-10 analogue
def _cifar_targets() -> dict[str, Any]:
    d = 8
    means = np.zeros((4, d))
    means[0, 0], means[1, 0], means[2, 1], means[3, 1] = 1.5, -1.5, 1.5, -1.5
    cov = np.diag(np.geomspace(0.2, 1.0, d))
    return {
        "mixture8d": GaussianMixture(np.full(4, 0.25), means, 0.3 * np.eye(d)),
        "gauss8d": Gaussian(np.linspace(-0.5, 0.5, d), cov),
    }


CIFAR_NET = NetworkConfig(
    width=64, depth=3, steps=2000, batch_size=256, lr=2e-3, t_min=1e-3, t_sampling="log"
)
CIFAR_SAMPLER = {"scheme": "ei", "T": 1.0, "K": 100, "t_min": 1e-3, "n": 600}
# per target: shared by gnz.trained.cifar_analogue_ranking[<target>-10-schedules] and the figure
# gnz.trained.cifar_analogue; the bootstrap intervals use the first caller's rng (networks, samples seeded)
_CIFAR: dict[str, list[dict]] = {}


def _run_schedule(data: Any, process: Any, seed: int, rng: np.random.Generator) -> dict:
    net = train_score_network(data, process, CIFAR_NET.replace(t_max=0.999 if process.t_max > 1 else 0.99))
    s = CIFAR_SAMPLER
    grid = uniform_grid(s["T"], s["K"], s["t_min"])
    g = np.random.default_rng(seed)
    y = process.prior(s["T"], data.dim).sample(s["n"], g)
    y_exact = y.copy()
    for k in range(s["K"]):
        t0, t1 = float(grid[k]), float(grid[k + 1])
        ratio, c, nv = (float(v) for v in process.transition(t0, t1))
        z = g.standard_normal(y.shape)
        y = ratio * y + c * net.score(y, t0) + math.sqrt(nv) * z
        y_exact = ratio * y_exact + c * data.noised(process, t0).score(y_exact) + math.sqrt(nv) * z
    ref = data.sample(s["n"], g)
    return {
        "measured": w2_empirical(y, ref, n_boot=20, rng=rng),
        "predicted": w2_empirical(y_exact, ref, n_boot=20, rng=rng),
    }


def cifar_results(target: str, rng: np.random.Generator) -> list[dict]:
    """One network per CIFAR-10 schedule (reference §6.1 [V]) on a synthetic 8-D target (cached per run)."""
    if target not in _CIFAR:
        data = _cifar_targets()[target]
        rows = []
        for name, factory in CIFAR10_SCHEDULES.items():
            r = _run_schedule(data, factory(), 7, rng)
            rows.append({"schedule": name, **r})
        _CIFAR[target] = rows
    return _CIFAR[target]


def _tau_with_ci(pred: list[Estimate], meas: list[Estimate], rng: np.random.Generator) -> Estimate:
    """Kendall τ between predicted and measured W2; CI from a parametric bootstrap (normal per schedule,
    sd = CI half-width / 1.96, both sides resampled)."""
    pv, mv = np.array([p.value for p in pred]), np.array([m.value for m in meas])
    tau = float(stats.kendalltau(pv, mv).statistic)
    psd, msd = (np.array([max(e.half_width, 1e-12) for e in es]) / 1.96 for es in (pred, meas))
    draws = [
        stats.kendalltau(
            pv + psd * rng.standard_normal(pv.size), mv + msd * rng.standard_normal(mv.size)
        ).statistic
        for _ in range(400)
    ]
    return percentile_estimate(tau, draws, n=pv.size, method="Kendall tau, parametric bootstrap")


@torch_threads(1)  # tiny networks: one thread (see networks.torch_threads)
def measure_rank_agreement(sc: Scenario, rng: np.random.Generator) -> Estimate:
    rows = cifar_results(sc.params["target"], rng)
    return _tau_with_ci([r["predicted"] for r in rows], [r["measured"] for r in rows], rng)


RANKING = Theorem(
    id="gnz.trained.cifar_analogue_ranking",
    title="Synthetic CIFAR-10 analogue: the trained-network ranking of schedules agrees with the exact-score "
    "one (τ > 0)",
    reference=REF_CIFAR,
    bound=Bound("0", "lower", "Kendall tau(exact-score W2 ranking, trained-network W2 ranking)"),
    measure=measure_rank_agreement,
    scenarios=[
        Scenario(f"{t}-10-schedules", params={"target": t}, quick=False, seed=7)
        for t in ("mixture8d", "gauss8d")
    ],
    notes=(
        "Reconstructed experiment, not the paper's (its FID numbers are [NF]). One network per schedule of "
        "schedules.CIFAR10_SCHEDULES, identical training (2000 Adam steps, MLP 64x3) and sampling budget "
        "(EI, "
        "K=100, T=1, t_min=1e-3, prior N(0, sigma_T^2 I)); W2 by POT (n=600, biased upwards equally for "
        "both rankings). 'Predicted' = the exact-score sampler with the same noise: the error decomposition "
        "predicts this ranking when the score error is small. tau > 0 HOLDS only if the CI lies above 0. "
        "Caveat: in 8-D with n=600 the POT W2 has a bias floor (~1.1, see the figure) that masks differences "
        "between the better schedules; agreement is driven by the clearly worse VE schedules."
    ),
)


def make_cifar_figure(mode: str, rng: np.random.Generator) -> FigureOutput:
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    table = []
    for ax, target in zip(axes, ("mixture8d", "gauss8d"), strict=True):
        rows = cifar_results(target, rng)
        names = [r["schedule"] for r in rows]
        x = np.arange(len(rows))
        for off, key in ((-0.18, "predicted"), (0.18, "measured")):
            v = np.array([r[key].value for r in rows])
            err = [v - [r[key].ci_low for r in rows], [r[key].ci_high for r in rows] - v]
            ax.errorbar(x + off, v, yerr=err, fmt="o", label=f"{key} W2")
        data = _cifar_targets()[target]
        n = CIFAR_SAMPLER["n"]
        floor = w2_empirical(data.sample(n, rng), data.sample(n, rng), n_boot=0).value  # estimator bias
        ax.axhline(floor, color="gray", lw=0.8, ls=":", label="two data samples (POT bias floor)")
        ax.set_yscale("log")
        ax.set_xticks(x, names, rotation=60, fontsize=7)
        ax.set_title(target)
        ax.legend(fontsize=8)
        pr = stats.rankdata([r["predicted"].value for r in rows])
        mr = stats.rankdata([r["measured"].value for r in rows])
        for r, a, b in zip(rows, pr, mr, strict=True):
            table.append(
                {
                    "target": target,
                    "schedule": r["schedule"],
                    "predicted_w2": r["predicted"].value,
                    "measured_w2": r["measured"].value,
                    "measured_ci": f"[{r['measured'].ci_low:.3g}, {r['measured'].ci_high:.3g}]",
                    "predicted_rank": int(a),
                    "measured_rank": int(b),
                    "bias_floor": floor,
                }
            )
    fig.tight_layout()
    notes = (
        "Each schedule: one MLP (64x3, 2000 steps) trained by DSM, EI sampler K=100; W2 (POT, n=600, "
        "bootstrap "
        "CI) of the trained-network sampler ('measured') and of the exact-score sampler with the same noise "
        "('predicted'). The ranks are compared in gnz.trained.cifar_analogue_ranking. Dotted line: W2 "
        "between two independent data samples of the same size, the estimator's bias floor. Values near it "
        "are dominated by that bias, so the rank agreement is carried mostly by the schedules that are "
        "clearly worse at this step budget (NCSN++ v1 g = const, v2 g = sqrt(2ct))."
    )
    return FigureOutput(fig, table, notes)


THEOREMS = [COUPLING, NO_SCORE_TERM, RANKING]
FIGURES = [
    FigureSpec(
        "gnz.trained.predicted_vs_measured",
        "Predicted (derived coupling bound) vs measured W2 for trained networks",
        make_predicted_vs_measured,
        caption="Measured W2 of the network sampler (95% CI) vs the derived bound, against the score error.",
    ),
    FigureSpec(
        "gnz.trained.cifar_analogue",
        "Synthetic CIFAR-10 analogue: W2 per experiment schedule",
        make_cifar_figure,
        caption="Exact-score vs trained-network sampler W2 for the ten CIFAR-10 schedules (full mode only).",
        quick=False,
    ),
]
