r"""Chen, Chewi, Li, Li, Salim & Zhang (ICLR 2023): the terms of their DDPM total-variation bound, on
Gaussian data, measured exactly.

Citation
--------
S. Chen, S. Chewi, J. Li, Y. Li, A. Salim, A. R. Zhang, "Sampling is as easy as learning the score: theory
for diffusion models with minimal data assumptions", ICLR 2023, arXiv:2209.11215.

What the paper says, and what is encoded
----------------------------------------
The abstract (verified) states polynomial convergence guarantees for DDPM in total variation, assuming an
L²-accurate score, a Lipschitz score and finite second moments.  The theorem with its constants is not
available here; *from memory* (``Provenance.RECONSTRUCTED``, constants ours) it reads, for the OU process,

.. math:: \mathrm{TV}(\hat p, q) \lesssim \sqrt{\mathrm{KL}(q\Vert\gamma)}\,e^{-T}
          + (L\sqrt{dh} + L m_2 h)\sqrt{T} + \varepsilon_{\rm score}\sqrt T .

Nothing below is presented as that theorem.  Each claim is one term, stated exactly and **derived here**
(``Provenance.DERIVED``) for the OU process :class:`sgmverify.sde.OU`
(:math:`dX = -X\,dt + \sqrt2\,dB`, stationary law :math:`\gamma = N(0, I)`) and Gaussian data
:math:`q = N(\mu, \Sigma)`:

``chen23.init_term`` (derived, explicit constant)
    Two runs of the same sampler (same scheme, grid and exact score), one started from :math:`\gamma`, one
    from the true :math:`p_T`, apply the same Markov kernel to two start laws, so by data processing,
    Pinsker and the Bakry–Émery KL contraction :math:`\mathrm{KL}(p_T\Vert\gamma) \le
    e^{-2T}\mathrm{KL}(q\Vert\gamma)` (γ satisfies a log-Sobolev inequality with constant 1),

    .. math:: \mathrm{TV}(\hat p^{\gamma}, \hat p^{p_T}) \le \mathrm{TV}(\gamma, p_T)
              \le \sqrt{\mathrm{KL}(p_T\Vert\gamma)/2} \le e^{-T}\sqrt{\mathrm{KL}(q\Vert\gamma)/2}.

    Measured: :func:`sgmverify.metrics.tv_distance` between the two exact output laws
    (:func:`sgmverify.samplers.sampler_law_eigen` with ``init=Gaussian(0, I)`` and ``init="exact"``), EM and
    EI, d = 2, 5, 10, T from 0.5 to 8.  :math:`\mathrm{KL}_0 = \mathrm{KL}(q\Vert\gamma)` by
    :func:`sgmverify.metrics.kl_divergence`.
``chen23.forward_mixing`` (derived)
    The middle link alone: :math:`\mathrm{TV}(\gamma, p_T) \le e^{-T}\sqrt{\mathrm{KL}_0/2}`; this one is
    sharp in its rate (a mean offset decays exactly like :math:`e^{-T}`).
``chen23.discretisation_rate`` (derived from the :math:`\sqrt{dh}` term)
    Exact score, exact start: :math:`\mathrm{TV}(\hat p_h, q) = O(h^{1/2})` -- a
    :class:`~sgmverify.theory.Rate` claim: the fitted exponent of TV in :math:`h = T/K` is
    :math:`\ge 1/2` (for Gaussian data EM and EI are in fact first order, exponent ≈ 1).
``chen23.score_error_linear`` (derived from the :math:`\varepsilon\sqrt T` term)
    A constant score error :math:`b = \varepsilon u` (:math:`|u| = 1`) moves the output law's mean
    linearly in ε, so :math:`\mathrm{TV}(\hat p_\varepsilon, \hat p_0) \propto \varepsilon` for small ε
    (exponent 1 ± 0.05; in KL it would be ε²).

Negative controls (deliberately false, must be VIOLATED)
    ``chen23.forward_mixing_wrong_rate``: :math:`e^{-2T}` instead of :math:`e^{-T}` in the middle link.
    ``chen23.init_term_wrong_rate``: :math:`e^{-3T}` for the sampler outputs.  (The outputs' TV itself
    decays like :math:`e^{-2T}` here, because the exact reverse dynamics also contracts a start error, so
    :math:`e^{-2T}` would not be caught there; this is reported, not hidden.)
    ``chen23.discretisation_rate_too_fast``: exponent :math:`\ge 3/2` for EM.
    ``chen23.score_error_quadratic``: TV exponent 2 in ε (the KL exponent).
"""

from __future__ import annotations

import numpy as np

from sgmverify import Estimate
from sgmverify.laws import Gaussian
from sgmverify.metrics import kl_divergence, tv_distance
from sgmverify.samplers import sampler_law_eigen
from sgmverify.sde import OU
from sgmverify.theory import Bound, Provenance, Rate, Reference, Scenario, Suite, Theorem

CITATION = (
    "S. Chen, S. Chewi, J. Li, Y. Li, A. Salim, A. R. Zhang, “Sampling is as easy as learning the score: "
    "theory for diffusion models with minimal data assumptions”, ICLR 2023"
)
DERIVED = Reference(
    "Chen, Chewi, Li, Li, Salim, Zhang (2023)",
    "Sampling is as easy as learning the score",
    arxiv="2209.11215",
    where="derived from the reconstructed DDPM TV bound (not the paper's statement)",
    provenance=Provenance.DERIVED,
)
NEG = Reference(
    "negative control",
    "deliberately false variant of a derived term (wrong rate)",
    provenance=Provenance.DERIVED,
)

_OU = OU()


def gaussian_data(d: int) -> Gaussian:
    """Gaussian data with a non-zero mean and a rotated covariance, eigenvalues log-spaced in [0.2, 3]."""
    rng = np.random.default_rng(d)
    q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    lam = np.geomspace(0.2, 3.0, d)
    return Gaussian(np.linspace(-1.0, 1.0, d) + 0.5, (q * lam) @ q.T)


def standard_normal(d: int) -> Gaussian:
    return Gaussian(np.zeros(d), np.eye(d))


def _kl0(sc: Scenario) -> dict:
    """``KL_0 = KL(q || N(0, I))`` and ``T`` for the bound."""
    d = sc.data.dim
    return {"KL_0": kl_divergence(sc.data, standard_normal(d)), "T": sc.params["T"]}


# ----------------------------------------------------------------------------- (a) initialisation term
def measure_init_tv(sc: Scenario, rng: np.random.Generator) -> Estimate:
    """TV between the exact output laws of one sampler started from N(0, I) and from the true p_T."""
    p = sc.params
    kw = dict(t_min=0.0)
    law_gamma = sampler_law_eigen(
        sc.process, sc.data, p["T"], p["K"], sc.sampler, init=standard_normal(sc.data.dim), **kw
    )
    law_exact = sampler_law_eigen(sc.process, sc.data, p["T"], p["K"], sc.sampler, init="exact", **kw)
    return tv_distance(law_gamma, law_exact)


def measure_forward_tv(sc: Scenario, rng: np.random.Generator) -> Estimate:
    """TV(N(0, I), p_T) for the OU marginal p_T (exact Gaussian)."""
    pT = sc.data.noised(sc.process, sc.params["T"])
    return tv_distance(standard_normal(sc.data.dim), pT)


_INIT_SCENARIOS = [
    Scenario(
        f"{scheme}-d{d}-T{T:g}",
        data=gaussian_data(d),
        process=_OU,
        sampler=scheme,
        params={"T": T, "K": 50},
        sweep=("T",),
        quick=(d == 5 and T in (1.0, 8.0)),
    )
    for scheme in ("em", "ei")
    for d in (2, 5, 10)
    for T in (0.5, 1.0, 2.0, 4.0, 8.0)
]
_LARGE_T = [s for s in _INIT_SCENARIOS if s.params["T"] >= 4.0]
_OUT_TV = "TV(output from N(0,I), output from p_T)"
_FWD_TV = "TV(N(0,I), p_T)"

INIT_TERM = Theorem(
    id="chen23.init_term",
    title="Derived from Chen et al. (2023): TV(sampler from γ, sampler from p_T) ≤ e^{−T}·√(KL(q‖γ)/2)",
    reference=DERIVED,
    bound=Bound.from_latex(r"e^{-T}\sqrt{\mathrm{KL}_0/2}", "upper", _OUT_TV, params=["T", "KL_0"]),
    measure=measure_init_tv,
    scenarios=_INIT_SCENARIOS,
    bound_params=_kl0,
    notes="Data processing + Pinsker + Bakry–Émery KL contraction (derived here; constant explicit).",
)

FORWARD_MIXING = Theorem(
    id="chen23.forward_mixing",
    title="Derived from Chen et al. (2023): TV(γ, p_T) ≤ e^{−T}·√(KL(q‖γ)/2) for OU",
    reference=DERIVED,
    bound=Bound.from_latex(r"e^{-T}\sqrt{\mathrm{KL}_0/2}", "upper", _FWD_TV, params=["T", "KL_0"]),
    measure=measure_forward_tv,
    scenarios=[s for s in _INIT_SCENARIOS if s.sampler == "em"],
    bound_params=_kl0,
)

FORWARD_MIXING_WRONG = Theorem(
    id="chen23.forward_mixing_wrong_rate",
    title="Negative control: TV(γ, p_T) ≤ e^{−2T}·√(KL(q‖γ)/2) (rate doubled; false at large T)",
    reference=NEG,
    bound=Bound.from_latex(r"e^{-2T}\sqrt{\mathrm{KL}_0/2}", "upper", _FWD_TV, params=["T", "KL_0"]),
    measure=measure_forward_tv,
    scenarios=[s for s in _LARGE_T if s.sampler == "em"],
    bound_params=_kl0,
    expect="violated",
)

INIT_TERM_WRONG = Theorem(
    id="chen23.init_term_wrong_rate",
    title="Negative control: TV(sampler from γ, sampler from p_T) ≤ e^{−3T}·√(KL(q‖γ)/2)",
    reference=NEG,
    bound=Bound.from_latex(r"e^{-3T}\sqrt{\mathrm{KL}_0/2}", "upper", _OUT_TV, params=["T", "KL_0"]),
    measure=measure_init_tv,
    scenarios=_LARGE_T,
    bound_params=_kl0,
    expect="violated",
    notes="e^{-2T} is not a control here: the reverse dynamics contracts the start error by another e^{-T}.",
)


# ----------------------------------------------------------------------------- (b) discretisation rate
def measure_tv_to_data(sc: Scenario, rng: np.random.Generator) -> Estimate:
    """TV(exact output law with exact score and exact start, q) at K = params["K"] steps (t_min = 0)."""
    p = sc.params
    law = sampler_law_eigen(sc.process, sc.data, p["T"], int(p["K"]), sc.sampler, t_min=0.0, init="exact")
    return tv_distance(law, sc.data)


def step_size(sc: Scenario) -> float:
    """The regression abscissa h = T / K."""
    return sc.params["T"] / sc.params["K"]


_STEPS = (10, 20, 40, 80, 160)
_RATE_SCENARIOS = [
    Scenario(
        f"{scheme}-d{d}-T2",
        data=gaussian_data(d),
        process=_OU,
        sampler=scheme,
        params={"T": 2.0},
        quick=(d == 5 and scheme == "em"),
    )
    for scheme in ("em", "ei")
    for d in (2, 5, 10)
]


def _h_rate(exponent: str, direction: str) -> Rate:
    return Rate(
        measure_tv_to_data, "K", _STEPS, exponent, direction, what="TV(sampler output, q)", abscissa=step_size
    )


DISCRETISATION_RATE = _h_rate("1/2", "lower").theorem(
    "chen23.discretisation_rate",
    "Derived from Chen et al. (2023), the √(dh) term: TV(sampler, q) = O(h^{1/2}) (exponent in h ≥ 1/2)",
    DERIVED,
    scenarios=_RATE_SCENARIOS,
    notes="Exact score, exact start; h = T/K for K in " + str(list(_STEPS)) + ".",
)

DISCRETISATION_TOO_FAST = _h_rate("3/2", "lower").theorem(
    "chen23.discretisation_rate_too_fast",
    "Negative control: TV(EM output, q) = O(h^{3/2}) (exponent in h ≥ 3/2)",
    NEG,
    scenarios=[s for s in _RATE_SCENARIOS if s.sampler == "em"],
    expect="violated",
)


# ----------------------------------------------------------------------------- (c) score error
def measure_bias_tv(sc: Scenario, rng: np.random.Generator) -> Estimate:
    """TV(output with score bias ε·u, output with the exact score), u = (1, ..., 1)/√d.

    Same scheme, grid and (exact) start; only the score differs.
    """
    p = sc.params
    d = sc.data.dim
    bias = p["epsilon"] * np.ones(d) / np.sqrt(d)
    kw = dict(t_min=0.0, init="exact")
    biased = sampler_law_eigen(sc.process, sc.data, p["T"], p["K"], sc.sampler, score_bias=bias, **kw)
    exact = sampler_law_eigen(sc.process, sc.data, p["T"], p["K"], sc.sampler, **kw)
    return tv_distance(biased, exact)


_EPS = (0.005, 0.01, 0.02, 0.04)
_BIAS_SCENARIOS = [
    Scenario(
        f"{scheme}-d{d}-T2-K40",
        data=gaussian_data(d),
        process=_OU,
        sampler=scheme,
        params={"T": 2.0, "K": 40},
        quick=(d == 5 and scheme == "em"),
    )
    for scheme in ("em", "ei")
    for d in (2, 5, 10)
]

SCORE_ERROR_LINEAR = Rate(
    measure_bias_tv, "epsilon", _EPS, 1, "equal", what="TV(biased output, exact-score output)", tol=0.05
).theorem(
    "chen23.score_error_linear",
    "Derived from Chen et al. (2023), the ε√T term: TV grows linearly in a constant score error (exponent 1)",
    DERIVED,
    scenarios=_BIAS_SCENARIOS,
)

SCORE_ERROR_QUADRATIC = Rate(
    measure_bias_tv, "epsilon", _EPS, 2, "equal", what="TV(biased output, exact-score output)", tol=0.05
).theorem(
    "chen23.score_error_quadratic",
    "Negative control: TV grows like ε² in a constant score error (the KL exponent)",
    NEG,
    scenarios=[s for s in _BIAS_SCENARIOS if s.quick],
    expect="violated",
)


SUITE = Suite(
    name="chen_et_al_2023_ddpm",
    title="Chen et al. (2023), DDPM in TV: the terms of the bound, derived and measured exactly",
    theorems=[
        INIT_TERM,
        FORWARD_MIXING,
        DISCRETISATION_RATE,
        SCORE_ERROR_LINEAR,
        FORWARD_MIXING_WRONG,
        INIT_TERM_WRONG,
        DISCRETISATION_TOO_FAST,
        SCORE_ERROR_QUADRATIC,
    ],
    reference=CITATION + ", arXiv:2209.11215",
)
