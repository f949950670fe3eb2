r"""Benton, De Bortoli, Doucet & Deligiannidis (ICLR 2024): nearly d-linear convergence, on Gaussian data,
measured exactly in KL.

Citation
--------
J. Benton, V. De Bortoli, A. Doucet, G. Deligiannidis, "Nearly d-linear convergence bounds for diffusion
models via stochastic localization", ICLR 2024, arXiv:2308.03686.

What the paper says, and what is encoded
----------------------------------------
The abstract (verified) states that, assuming only finite second moments of the data, diffusion models
need :math:`O(d\log^2(1/\delta)/\varepsilon^2)` steps to approximate, to within :math:`\varepsilon^2` in
KL divergence, the data distribution corrupted by Gaussian noise of variance δ -- the first bound linear
(up to logarithms) in the dimension d.  The theorem with its constants is not available here.  What is
encoded are consequences **derived here** (``Provenance.DERIVED``, not the paper's statement) at a fixed
step schedule of the kind the paper uses, on Gaussian data where the sampler's output law is exact:

Setting
    OU process :class:`sgmverify.sde.OU` (:math:`dX = -X\,dt + \sqrt2\,dB`), start :math:`N(0, I)`,
    exponential-integrator scheme ``"ei"`` with the exact score, stopped at forward time
    :math:`t_{\min} = \delta` (the noised data :math:`p_\delta` is the target).  The step schedule
    (:func:`schedule`, an explicit grid array) has steps :math:`\gamma_k \le \kappa\min(1, \tau_k)` in the
    forward time :math:`\tau_k`: steps κ down to :math:`\tau = 1`, then geometric,
    :math:`\tau_{k+1} = (1-\kappa)\tau_k`, down to δ -- so :math:`K \approx (T - 1 + \log(1/\delta))/\kappa`.
    Data :math:`N(\mu, \mathrm{diag}(\lambda))` with :math:`\lambda` log-spaced in [0.05, 2] (a spectrum
    that is not the same in every coordinate) and :math:`\mu` spread in [-1, 1].
    Measured: :math:`\mathrm{KL}(p_\delta \Vert \hat p)` by :func:`sgmverify.metrics.kl_divergence` between
    ``EigenLaw.reference()`` and ``EigenLaw.output()`` of :func:`sgmverify.samplers.sampler_law_eigen`
    (``target="marginal"``), O(d) in the data's eigenbasis.

``benton24.kl_linear_in_d`` (derived)
    At a fixed schedule, KL grows linearly in d: a :class:`~sgmverify.theory.Rate` claim, fitted exponent
    of KL in d (d = 8 ... 512) equal to 1 within 0.05.  (Checked as an equality, not "≤ 1": here KL =
    A·d + B exactly with a small B < 0 from the spectrum's end points, so the log-log slope tends to 1 from
    above -- about 1.002 -- and the one-sided claim "exponent ≤ 1" would be decided on that finite-d
    offset, not on the d-dependence.)
``benton24.kl_rate_in_steps`` (derived)
    At fixed d, shrinking κ makes KL decrease at least like 1/K: fitted exponent of KL in the number of
    steps K is ≤ −1 (for Gaussian data the EI scheme is first order in law, so KL ≈ K⁻²).

Negative controls (deliberately false, must be VIOLATED)
    ``benton24.kl_sqrt_d``: the fitted exponent in d is ≤ 1/2 (a √d bound).
    ``benton24.kl_rate_k_cubed``: KL decreases like K⁻³ (exponent ≤ −3).
"""

from __future__ import annotations

import functools
import math

import numpy as np

from sgmverify.errors import InvalidParameterError
from sgmverify.laws import EigenGaussian, Gaussian
from sgmverify.metrics import kl_divergence
from sgmverify.samplers import sampler_law_eigen
from sgmverify.sde import OU
from sgmverify.theory import Provenance, Rate, Reference, Scenario, Suite

CITATION = (
    "J. Benton, V. De Bortoli, A. Doucet, G. Deligiannidis, “Nearly d-linear convergence bounds for "
    "diffusion models via stochastic localization”, ICLR 2024"
)
DERIVED = Reference(
    "Benton, De Bortoli, Doucet, Deligiannidis (2024)",
    "Nearly d-linear convergence bounds for diffusion models via stochastic localization",
    arxiv="2308.03686",
    where="derived from the abstract's O(d log²(1/δ)/ε²) statement (not the paper's theorem)",
    provenance=Provenance.DERIVED,
)
NEG = Reference(
    "negative control", "deliberately false variant of a derived rate", provenance=Provenance.DERIVED
)

_OU = OU()


def schedule(T: float, delta: float, kappa: float) -> np.ndarray:
    r"""Decreasing forward times from ``T`` to ``delta`` with steps :math:`\le \kappa\min(1, \tau)`.

    Uniform steps κ while :math:`\tau > 1`, then :math:`\tau \mapsto (1-\kappa)\tau` until the next time
    would pass δ, and a last (shorter) step to δ exactly.
    """
    if not (0 < delta < 1 < T and 0 < kappa < 1):
        raise InvalidParameterError(
            f"the schedule needs 0 < delta < 1 < T and 0 < kappa < 1, got {T=}, {delta=}, {kappa=}."
        )
    n_uniform = math.ceil((T - 1.0) / kappa - 1e-12)
    uniform = np.linspace(T, 1.0, n_uniform + 1)
    n_geom = max(1, math.ceil(math.log(delta) / math.log1p(-kappa) - 1e-12))
    geom = (1.0 - kappa) ** np.arange(1, n_geom + 1)
    return np.concatenate([uniform, geom[geom > delta], [delta]])


@functools.lru_cache(maxsize=64)
def spread_data(d: int) -> Gaussian:
    """N(μ, diag(λ)): λ log-spaced in [0.05, 2], μ evenly spread in [-1, 1]."""
    lam = np.geomspace(0.05, 2.0, d)
    mu = np.linspace(-1.0, 1.0, d) if d > 1 else np.zeros(1)
    return Gaussian(mu, np.diag(lam))


def kl_to_noised_data(sc: Scenario, rng: np.random.Generator) -> float:
    """KL(p_δ ‖ exact EI output law), exact, at ``params`` d, T, delta, kappa (start N(0, I))."""
    p = sc.params
    d = int(p["d"])
    grid = schedule(p["T"], p["delta"], p["kappa"])
    law = sampler_law_eigen(
        _OU,
        spread_data(d),
        p["T"],
        grid.size - 1,
        "ei",
        t_min=p["delta"],
        init=EigenGaussian(np.zeros(d), np.ones(d)),
        grid=grid,
        target="marginal",
    )
    return kl_divergence(law.reference(), law.output())


def steps_of(sc: Scenario) -> float:
    """The regression abscissa of the step sweep: the number of steps K of the schedule."""
    p = sc.params
    return float(schedule(p["T"], p["delta"], p["kappa"]).size - 1)


_DIMS = (8, 16, 32, 64, 128, 256, 512)
_KAPPAS = (0.2, 0.1, 0.05, 0.025)

_D_SCENARIOS = [
    Scenario(
        f"ei-T8-delta{delta:g}-kappa{kappa:g}",
        process=_OU,
        sampler="ei",
        params={"T": 8.0, "delta": delta, "kappa": kappa},
        quick=(delta == 1e-3 and kappa == 0.1),
    )
    for delta in (1e-3, 1e-2)
    for kappa in (0.1, 0.05)
]
_K_SCENARIOS = [
    Scenario(
        f"ei-d{d}-T{T:g}-delta{delta:g}",
        process=_OU,
        sampler="ei",
        params={"d": d, "T": T, "delta": delta},
        quick=(d == 64 and T == 8.0 and delta == 1e-3),
    )
    for d in (16, 64)
    for T in (8.0, 12.0)
    for delta in (1e-3, 1e-2)
]


def _d_rate(exponent: str, direction: str, tol: float = 1e-9) -> Rate:
    return Rate(kl_to_noised_data, "d", _DIMS, exponent, direction, what="KL(p_δ ‖ EI output)", tol=tol)


def _k_rate(exponent: str) -> Rate:
    return Rate(
        kl_to_noised_data, "kappa", _KAPPAS, exponent, "upper", what="KL(p_δ ‖ EI output)", abscissa=steps_of
    )


KL_LINEAR_IN_D = _d_rate("1", "equal", tol=0.05).theorem(
    "benton24.kl_linear_in_d",
    "Derived from Benton et al. (2024): at a fixed schedule KL(p_δ ‖ output) grows linearly in d "
    "(exponent 1 ± 0.05)",
    DERIVED,
    scenarios=_D_SCENARIOS,
    notes="Checked as an equality: a finite-d offset puts the fitted slope just above 1 (see the module).",
)

KL_RATE_IN_STEPS = _k_rate("-1").theorem(
    "benton24.kl_rate_in_steps",
    "Derived from Benton et al. (2024): KL(p_δ ‖ output) decreases at least like 1/K (exponent in K ≤ −1)",
    DERIVED,
    scenarios=_K_SCENARIOS,
    notes="K = number of steps of the κ-schedule, κ in " + str(list(_KAPPAS)) + ".",
)

KL_SQRT_D = _d_rate("1/2", "upper").theorem(
    "benton24.kl_sqrt_d",
    "Negative control: KL(p_δ ‖ output) grows at most like √d (exponent in d ≤ 1/2)",
    NEG,
    scenarios=[s for s in _D_SCENARIOS if s.quick],
    expect="violated",
)

KL_RATE_K_CUBED = _k_rate("-3").theorem(
    "benton24.kl_rate_k_cubed",
    "Negative control: KL(p_δ ‖ output) decreases like K⁻³ (exponent in K ≤ −3)",
    NEG,
    scenarios=[s for s in _K_SCENARIOS if s.quick],
    expect="violated",
)


SUITE = Suite(
    name="benton_et_al_2024_dlinear",
    title="Benton et al. (2024), nearly d-linear bounds: KL linear in d, at least 1/K in the steps (derived)",
    theorems=[KL_LINEAR_IN_D, KL_RATE_IN_STEPS, KL_SQRT_D, KL_RATE_K_CUBED],
    reference=CITATION + ", arXiv:2308.03686",
)
