"""Engine smoke test: exactly true facts about Gaussian data, and negative controls that must be caught.

Nothing here is from a paper: these are textbook identities (provenance ``textbook``) chosen because the
answer is known exactly, so the suite proves the engine end to end — symbolic bounds, exact and Monte
Carlo measurements, the verdict rule, sweeps for the report's plots — and, through the negative controls
(the same statements with a wrong constant), that a HOLDS verdict means something.

Claims
------
``basics.lip_score``
    For data :math:`N(\\mu,\\Sigma)` noised by a linear SDE, :math:`p_t = N(m\\mu,
m^2\\Sigma+\\sigma^2 I)`, so
    the score is affine with Jacobian :math:`-(m^2\\Sigma+\\sigma^2 I)^{-1}` and
    :math:`\\mathrm{Lip}(s_t) = \\|(m^2\\Sigma+\\sigma^2I)^{-1}\\|_2 = 1/(m^2\\lambda_{\\min}+\\sigma^2)`.
    Measured: spectral norm of a central finite-difference Jacobian of the score (exact for affine maps up
    to round-off).
``basics.coupling_w2``
    Coupling :math:`X_t = mX_0+\\sigma Z` with :math:`X_0` gives
    :math:`W_2(p_t,p_0)^2 \\le (1-m)^2\\,E|X_0|^2 + \\sigma^2 d`.  Measured: the Bures distance.
``basics.em_order``
    The exact law of Euler–Maruyama (exact score, exact initialisation) converges in W2 at the scheme's
    declared order: the fitted slope of :math:`-\\log W_2` against :math:`\\log K` equals it (±0.15).
``basics.em_second_moment``
    Monte Carlo: the mean of :math:`|X|^2` over EM samples (with a Student-t CI) equals the second moment of
    the exact output law from :func:`sgmverify.samplers.sampler_law` (±3%).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from sgmverify import Estimate, loglog_slope, mean_ci
from sgmverify.laws import Gaussian
from sgmverify.metrics import w2_gaussian
from sgmverify.samplers import SCHEMES, sample, sampler_law, sampler_w2, time_grid
from sgmverify.sde import OU, VE, VP
from sgmverify.theory import (
    Assumption,
    AssumptionResult,
    Bound,
    Provenance,
    Reference,
    Scenario,
    SearchSpace,
    Suite,
    Theorem,
)

REF = Reference("textbook", "Gaussian identities (engine smoke test)", provenance=Provenance.TEXTBOOK)
NEG = Reference(
    "negative control", "deliberately false variant (wrong constant)", provenance=Provenance.TEXTBOOK
)


def _random_cov(d: int, seed: int, cond: float = 10.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    lam = np.geomspace(1.0 / cond, 1.0, d) if d > 1 else np.array([0.5])
    return (q * lam) @ q.T


def _data(d: int, seed: int = 0) -> Gaussian:
    mu = np.linspace(-1.0, 1.0, d)
    return Gaussian(mu, _random_cov(d, seed))


_VP = VP(0.1, 20.0)
_PROCESSES = {"VP": _VP, "OU": OU(), "VE": VE(0.01, 50.0)}


# ----------------------------------------------------------------------------- shared helpers
def _is_gaussian(sc: Scenario) -> AssumptionResult:
    ok = isinstance(sc.data, Gaussian) and sc.data.is_positive_definite
    return AssumptionResult(
        "gaussian data",
        "holds" if ok else "fails",
        "data law is a non-degenerate Gaussian",
        "by construction",
    )


GAUSSIAN = Assumption(
    "gaussian data", "the data law is N(mu, Sigma) with Sigma positive definite", _is_gaussian
)


def _noise_params(sc: Scenario) -> dict:
    t = sc.params["t"]
    lam = sc.data.eigh()[0]
    return {
        "t": t,
        "m": float(sc.process.mean_coeff(t)),
        "sigma": float(sc.process.std(t)),
        "lambda_min": float(lam[0]),
        "second_moment": float(sc.data.mean @ sc.data.mean + np.trace(sc.data.cov)),
        "d": sc.data.dim,
    }


# ----------------------------------------------------------------------------- Lipschitz constant
def measure_lip_score(sc: Scenario, rng: np.random.Generator) -> Estimate:
    """Spectral norm of the central finite-difference Jacobian of the noised score at a random point."""
    pt = sc.data.noised(sc.process, sc.params["t"])
    d = pt.dim
    x = pt.mean + rng.standard_normal(d)
    h = 1e-3 * float(np.sqrt(np.max(np.linalg.eigvalsh(pt.cov))))
    eye = np.eye(d)
    jac = np.stack(
        [
            (pt.score((x + h * eye[j])[None])[0] - pt.score((x - h * eye[j])[None])[0]) / (2 * h)
            for j in range(d)
        ],
        axis=1,
    )
    return Estimate.exact_value(
        float(np.linalg.norm(jac, 2)), method="finite-difference Jacobian, spectral norm"
    )


_LIP_SCENARIOS = [
    Scenario(
        f"{pname}-d{d}-t{t:g}",
        data=_data(d, seed=d),
        process=_PROCESSES[pname],
        params={"t": t},
        sweep=("t",),
        quick=(d == 3 and pname == "VP") or t in (0.01, 1.0),
    )
    for pname in ("VP", "VE")
    for d in (1, 3)
    for t in (1e-3, 0.01, 0.1, 0.5, 1.0)
]

LIP_SCORE = Theorem(
    id="basics.lip_score",
    title="Lipschitz constant of the Gaussian score is 1/(m²λ_min + σ²)",
    reference=REF,
    bound=Bound(
        "1/(m**2*lambda_min + sigma**2)",
        "equal",
        "Lip(s_t) (spectral norm of the score Jacobian)",
        params=["m", "lambda_min", "sigma"],
        rtol=1e-6,  # central differences of an affine map: round-off ~ eps/h ~ 1e-12 relative
    ),
    measure=measure_lip_score,
    assumptions=[GAUSSIAN],
    scenarios=_LIP_SCENARIOS,
    bound_params=_noise_params,
)

LIP_SCORE_WRONG = Theorem(
    id="basics.lip_score_wrong_constant",
    title="Negative control: Lip(s_t) = 1/(2(m²λ_min + σ²)) (factor 2 wrong)",
    reference=NEG,
    bound=Bound(
        "1/(2*(m**2*lambda_min + sigma**2))",
        "equal",
        "Lip(s_t)",
        params=["m", "lambda_min", "sigma"],
        rtol=1e-6,
    ),
    measure=measure_lip_score,
    assumptions=[GAUSSIAN],
    scenarios=[s for s in _LIP_SCENARIOS if s.quick][:3],
    bound_params=_noise_params,
    expect="violated",
)


# ----------------------------------------------------------------------------- coupling bound
def measure_w2_to_data(sc: Scenario, rng: np.random.Generator) -> Estimate:
    """Exact W2(p_t, p_0) by the Bures formula."""
    pt = sc.data.noised(sc.process, sc.params["t"])
    return Estimate.exact_value(w2_gaussian(pt.mean, pt.cov, sc.data.mean, sc.data.cov), method="Bures")


_COUPLING_SCENARIOS = [
    Scenario(
        f"VP-d{d}-t{t:g}",
        data=_data(d, seed=d),
        process=_VP,
        params={"t": t, "d": d},
        sweep=("t", "d"),
        quick=d in (1, 8),
    )
    for d in (1, 2, 8)
    for t in (1e-3, 0.01, 0.1, 0.3, 1.0)
]


def _coupling_build(base: Scenario, params: dict) -> Scenario:
    """A search candidate: the data's dimension follows ``d`` (as in the fixed scenarios)."""
    d = int(params["d"])
    return dataclasses.replace(base, data=_data(d, seed=d), params=params)


# `sgmverify falsify`: t in [1e-4, 2] (log scale), d in 1..16
_COUPLING_SEARCH = SearchSpace(
    base=_COUPLING_SCENARIOS[0],
    ranges={"t": (1e-4, 2.0), "d": (1, 16)},
    log=("t",),
    integer=("d",),
    build=_coupling_build,
)

COUPLING_W2 = Theorem(
    id="basics.coupling_w2",
    title="W2(p_t, p_0) ≤ sqrt((1−m)² E|X₀|² + σ² d) (synchronous coupling)",
    reference=REF,
    bound=Bound(
        "sqrt((1 - m)**2*second_moment + sigma**2*d)",
        "upper",
        "W2(p_t, p_0)",
        params=["m", "second_moment", "sigma", "d"],
        rtol=1e-9,
    ),
    measure=measure_w2_to_data,
    assumptions=[GAUSSIAN],
    scenarios=_COUPLING_SCENARIOS,
    bound_params=_noise_params,
    search=_COUPLING_SEARCH,
)

COUPLING_W2_DROPPED = Theorem(
    id="basics.coupling_w2_noise_dropped",
    title="Negative control: W2(p_t, p_0) ≤ |1−m| sqrt(E|X₀|²) (noise dropped; false at d=8, small t)",
    reference=NEG,
    bound=Bound(
        "Abs(1 - m)*sqrt(second_moment)", "upper", "W2(p_t, p_0)", params=["m", "second_moment"], rtol=1e-9
    ),
    measure=measure_w2_to_data,
    assumptions=[GAUSSIAN],
    scenarios=[s for s in _COUPLING_SCENARIOS if s.params["t"] <= 0.01 and s.params["d"] == 8],
    bound_params=_noise_params,
    search=_COUPLING_SEARCH,
    expect="violated",
)


# ----------------------------------------------------------------------------- EM order
_ORDER_STEPS = (50, 100, 200, 400, 800)


def measure_em_order(sc: Scenario, rng: np.random.Generator) -> Estimate:
    """Least-squares slope of -log W2(exact EM law, p_{t_min}) against log K (exact laws, no MC)."""
    p = sc.params
    w2 = [
        sampler_w2(
            sc.process, sc.data, p["T"], k, sc.sampler, t_min=p["t_min"], init="exact", target="marginal"
        )
        for k in _ORDER_STEPS
    ]
    slope = -loglog_slope(_ORDER_STEPS, w2, level=None).value
    return Estimate.exact_value(slope, method=f"log-log fit over K={list(_ORDER_STEPS)}")


def _order_params(sc: Scenario) -> dict:
    return {"p": SCHEMES[sc.sampler].order}


_ORDER_SCENARIOS = [
    Scenario(
        f"{pname}-{scheme}-d3",
        data=_data(3, seed=3),
        process=_PROCESSES[pname],
        sampler=scheme,
        params={"T": 1.0, "t_min": 0.05},
        quick=pname == "VP",
    )
    for pname in ("VP", "OU")
    for scheme in ("em", "heun_ode")
]

EM_ORDER = Theorem(
    id="basics.scheme_order",
    title="Exact sampler laws converge in W2 at the scheme's declared order",
    reference=REF,
    bound=Bound("p", "rate", "-d log W2 / d log K", params=["p"], atol=0.15),
    measure=measure_em_order,
    assumptions=[GAUSSIAN],
    scenarios=_ORDER_SCENARIOS,
    bound_params=_order_params,
)

EM_ORDER_WRONG = Theorem(
    id="basics.scheme_order_wrong",
    title="Negative control: the declared order plus one",
    reference=NEG,
    bound=Bound("p + 1", "rate", "-d log W2 / d log K", params=["p"], atol=0.15),
    measure=measure_em_order,
    assumptions=[GAUSSIAN],
    scenarios=[s for s in _ORDER_SCENARIOS if s.quick],
    bound_params=_order_params,
    expect="violated",
)


# ----------------------------------------------------------------------------- Monte Carlo second moment
def measure_em_second_moment(sc: Scenario, rng: np.random.Generator) -> Estimate:
    """Mean of |X|^2 over n EM samples with a Student-t 95% CI."""
    p = sc.params
    d = sc.data.dim
    pT = sc.data.noised(sc.process, p["T"])
    grid = time_grid("uniform", p["T"], p["K"], p["t_min"])

    def score(x: np.ndarray, t: float) -> np.ndarray:
        return sc.data.noised(sc.process, t).score(x)

    x0 = pT.sample(p["n"], rng)
    out = sample(sc.process, score, x0, grid, "em", rng=rng)
    if not out.ok:
        raise RuntimeError(f"sampler failed: {out.status} {out.message}")
    assert out.x.shape == (p["n"], d)
    return mean_ci(np.sum(out.x**2, axis=1))


def _moment_params(sc: Scenario) -> dict:
    p = sc.params
    law = sampler_law(sc.process, sc.data, p["T"], p["K"], "em", t_min=p["t_min"], init="exact")
    return {"exact_second_moment": float(law.mean @ law.mean + np.trace(law.cov)), "K": p["K"]}


def _data_moment_params(sc: Scenario) -> dict:
    return {"data_second_moment": float(sc.data.mean @ sc.data.mean + np.trace(sc.data.cov))}


_MOMENT_SCENARIOS = [
    Scenario(
        f"VP-d2-K{k}",
        data=_data(2, seed=2),
        process=_VP,
        params={"T": 1.0, "t_min": 1e-3, "K": k, "n": 4000},
        seed=k,
        sweep=("K",),
        quick=k in (5, 50),
    )
    for k in (5, 20, 50, 200)
]

EM_SECOND_MOMENT = Theorem(
    id="basics.em_second_moment",
    title="Monte Carlo EM second moment equals the exact recursion's (±3%)",
    reference=REF,
    bound=Bound(
        "exact_second_moment", "equal", "E|X_out|² (Monte Carlo)", params=["exact_second_moment"], rtol=0.03
    ),
    measure=measure_em_second_moment,
    assumptions=[GAUSSIAN],
    scenarios=_MOMENT_SCENARIOS,
    bound_params=_moment_params,
)

EM_SECOND_MOMENT_DATA = Theorem(
    id="basics.em_second_moment_is_data",
    title="Negative control: 5-step EM output has the data's second moment (±3%)",
    reference=NEG,
    bound=Bound(
        "data_second_moment", "equal", "E|X_out|² (Monte Carlo)", params=["data_second_moment"], rtol=0.03
    ),
    measure=measure_em_second_moment,
    assumptions=[GAUSSIAN],
    scenarios=[s for s in _MOMENT_SCENARIOS if s.params["K"] == 5],
    bound_params=_data_moment_params,
    expect="violated",
)


SUITE = Suite(
    name="gaussian_basics",
    title="Gaussian basics (engine smoke test)",
    theorems=[
        LIP_SCORE,
        COUPLING_W2,
        EM_ORDER,
        EM_SECOND_MOMENT,
        LIP_SCORE_WRONG,
        COUPLING_W2_DROPPED,
        EM_ORDER_WRONG,
        EM_SECOND_MOMENT_DATA,
    ],
    reference="textbook identities; no paper",
)
