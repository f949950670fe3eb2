r"""The checks on one score model as an in-memory :class:`~sgmverify.theory.Suite` (run it like any suite).

:func:`model_suite` makes three theorems for a model ``s_θ`` of the process ``p`` and a data law with an
exact score (Gaussian, Gaussian mixture, 1-D density):

``model.score_error``
    Accurate score estimates (the hypothesis "E‖s_θ − ∇log p_t‖² ≤ ε²" of convergence theorems, e.g. Gao,
    Nguyen & Zhu, arXiv:2311.11003; docs/papers/gao_nguyen_zhu_2023.md §3), in relative form:
    :math:`\mathbb E_{p_t}\|s_\theta-\nabla\log p_t\|^2/\mathbb E_{p_t}\|\nabla\log p_t\|^2
    \le \varepsilon_{rel}`
    at each time of ``times`` (:func:`sgmverify.nets.score_error`, delta-method CI).
``model.lipschitz``
    Lipschitz score (the hypothesis :math:`\mathrm{Lip}(s_\theta(\cdot,t)) \le L_t`), with :math:`L_t` =
    ``(1 + lip_slack)`` × the exact score's constant (closed form
    :math:`1/\lambda_{\min}(m^2\Sigma+\sigma^2 I)`
    for Gaussian data; the sampled sup of the exact Jacobian's norm otherwise).  Measured: the interval of
    :func:`~sgmverify.nets.model_lipschitz_interval` (the upper end is +inf for a black box, so such a model
    can be caught violating it but never certified).
``model.coupling_w2`` (Gaussian data)
    The coupling bound of :func:`~sgmverify.nets.coupling_w2_bound`, evaluated with this model's measured
    score errors, against the W2 of the network-driven EI sampler's output, one scenario per step count.
    The bound value is the lower end :math:`b_{lo}` of the bound's Monte Carlo band and the measured
    interval's lower end is widened by the band's width :math:`b_{hi}-b_{lo}` (the interval also carries
    the bound's Monte Carlo uncertainty), so HOLDS iff :math:`W2_{hi}\le b_{lo}` and VIOLATED iff
    :math:`W2_{lo} > b_{hi}`; ``extra`` holds ``bound_low``, ``bound_high`` and the measured interval
    before widening.

The model itself is not part of a scenario (it may be large): scenarios carry its fingerprint, and the
model is kept in a registry of this process (:func:`register_model`); run the suite with ``jobs=1``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sgmverify.errors import InvalidParameterError
from sgmverify.estimates import Estimate
from sgmverify.laws import Gaussian
from sgmverify.theory import Bound, Provenance, Reference, Scenario, Suite, Theorem, content_key

from ._model_checks import (
    ModelSampling,
    coupling_verdict_estimate,
    coupling_w2_bound,
    model_lipschitz_interval,
)
from ._score_error import score_error

__all__ = ["model_suite", "registered_model"]

_MODELS: dict[str, Any] = {}
_CHAINS: dict[str, dict] = {}

REF_HYP = Reference(
    "Gao, Nguyen, Zhu",
    "Wasserstein Convergence Guarantees for a General Class of SGMs",
    "2311.11003",
    "docs/papers/gao_nguyen_zhu_2023.md §2: hypotheses (accurate score, Lipschitz score) on the network",
    Provenance.DERIVED,
)
REF_COUPLING = Reference(
    "Gao, Nguyen, Zhu",
    "Wasserstein Convergence Guarantees for a General Class of SGMs",
    "2311.11003",
    "docs/papers/gao_nguyen_zhu_2023.md §3: three-part error structure; the coupling bound is derived here",
    Provenance.DERIVED,
)
SECTION = "Your model"


def register_model(model: Any) -> str:
    """Keep ``model`` in this process's registry; returns its key (the fingerprint)."""
    key = str(model.info.get("fingerprint")) if hasattr(model, "info") else ""
    if not key or key == "None":
        key = content_key({"model": repr(model), "id": id(model)})
    _MODELS[key] = model
    return key


def registered_model(key: str) -> Any:
    """The model registered under ``key``."""
    if key not in _MODELS:
        raise InvalidParameterError(
            f"no score model {key!r} in this process; model suites run in the process that built them "
            "(jobs=1)."
        )
    return _MODELS[key]


def _model(sc: Scenario) -> Any:
    return registered_model(sc.sampler["model"])


# ------------------------------------------------------------------------------------------ measures
def measure_score_error(sc: Scenario, rng: np.random.Generator) -> Estimate:
    """Relative score error at ``t`` with its delta-method CI."""
    model = _model(sc)
    return score_error(model.score, sc.data, sc.process, sc.params["t"], sc.sampler["n"], rng, relative=True)


def _lip(sc: Scenario) -> Any:
    def compute() -> Any:
        rng = np.random.default_rng([sc.seed, 7])
        return model_lipschitz_interval(_model(sc), sc.params["t"], data=sc.data, n=sc.sampler["n"], rng=rng)

    return sc.shared("lipschitz", compute)


def lip_params(sc: Scenario) -> dict:
    iv = _lip(sc)
    return {"L_exact": float(iv.exact), "slack": sc.params["slack"], "t": sc.params["t"]}


def measure_lipschitz(sc: Scenario, rng: np.random.Generator) -> Estimate:
    iv = _lip(sc)
    est = iv.to_estimate()
    return Estimate(
        est.value, est.ci_low, est.ci_high, None, method=est.method, extra={**est.extra, "argmax": iv.argmax}
    )


def _chain(sc: Scenario) -> dict:
    key = content_key(sc.describe())
    if key not in _CHAINS:
        s = sc.sampler
        sampling = ModelSampling("ei", s["T"], sc.params["K"], s["t_min"], s["n_samples"])
        _CHAINS[key] = coupling_w2_bound(_model(sc), sc.data, sampling, np.random.default_rng(sc.seed))
    return _CHAINS[key]


def coupling_chain(sc: Scenario) -> dict:
    """The coupled EI chain of a ``model.coupling_w2`` scenario (computed once per process)."""
    return _chain(sc)


def coupling_params(sc: Scenario) -> dict:
    ch = _chain(sc)
    return {"w2_exact": ch["w2_exact"], "score_term": ch["score_term"], "K": sc.params["K"]}


def measure_coupling(sc: Scenario, rng: np.random.Generator) -> Estimate:
    """The measured W2 with its lower end widened by the bound's Monte Carlo band, so HOLDS iff
    W2_hi <= b_lo and VIOLATED iff W2_lo > b_hi (:func:`._model_checks.coupling_verdict_estimate`)."""
    return coupling_verdict_estimate(_chain(sc))


# ------------------------------------------------------------------------------------------ the suite
def model_suite(
    model: Any,
    data: Any,
    *,
    times: Any = (1e-3, 1e-2, 0.1, 0.5),
    rel_tol: float = 0.05,
    lip_slack: float = 0.1,
    n: int = 2048,
    sampling: ModelSampling | None = None,
    steps: Any = (10, 25, 50),
    name: str = "model",
    title: str = "",
) -> Suite:
    """The checks on ``model`` for ``data`` as a :class:`~sgmverify.theory.Suite` (see the module docstring).

    ``times`` must lie in (0, process.t_max); ``n`` points per score-error / Lipschitz measurement;
    ``sampling`` (T, t_min, n) and ``steps`` (the K of each coupling scenario; Gaussian data only).
    """
    process = model.process
    if not (hasattr(data, "noised") and hasattr(data, "sample")):
        raise InvalidParameterError(
            f"data must be a law with an exact score (sgmverify.laws), got {data!r:.60}."
        )
    if int(getattr(data, "dim", model.dim)) != model.dim:
        raise InvalidParameterError(
            f"the data law has dimension {data.dim}; the model has dim = {model.dim}."
        )
    if not (0 <= rel_tol and 0 <= lip_slack):
        raise InvalidParameterError("rel_tol and lip_slack must be >= 0.")
    times = [float(t) for t in times]
    if not times or any(not 0 < t < process.t_max for t in times):
        raise InvalidParameterError(f"times must be non-empty and in (0, {process.t_max}); got {times}.")
    key = register_model(model)
    sp = sampling or ModelSampling()
    base = {"model": key, "n": int(n)}
    label = model.info.get("source", "model") if hasattr(model, "info") else "model"

    def scen(t: float, extra: dict) -> Scenario:
        return Scenario(
            f"t{t:g}", data=data, process=process, sampler=base, params={"t": t, **extra}, sweep=("t",)
        )

    err = Theorem(
        id=f"{name}.score_error",
        title=f"Relative score error <= {rel_tol:g} (accurate-score hypothesis)",
        reference=REF_HYP,
        bound=Bound(
            "eps_rel", "upper", "E|s_theta - grad log p_t|^2 / E|grad log p_t|^2", params=["eps_rel"]
        ),
        measure=measure_score_error,
        scenarios=[scen(t, {"eps_rel": rel_tol}) for t in times],
        notes=f"model: {label}",
        section=SECTION,
    )
    lip = Theorem(
        id=f"{name}.lipschitz",
        title=f"Lip(s_theta(., t)) <= (1 + {lip_slack:g}) Lip(grad log p_t) (Lipschitz-score hypothesis)",
        reference=REF_HYP,
        bound=Bound("(1 + slack)*L_exact", "upper", "Lip(s_theta(., t))", params=["slack", "L_exact"]),
        measure=measure_lipschitz,
        scenarios=[scen(t, {"slack": lip_slack}) for t in times],
        bound_params=lip_params,
        notes="lower end: largest Jacobian norm on draws of p_t; upper end: certified only for own nets",
        section=SECTION,
    )
    theorems = [err, lip]
    if isinstance(data, Gaussian):
        if not sp.T < process.t_max:
            raise InvalidParameterError(f"sampling.T = {sp.T} must be < t_max = {process.t_max}.")
        csamp = {**base, "T": sp.T, "t_min": sp.t_min, "n_samples": sp.n}
        theorems.append(
            Theorem(
                id=f"{name}.coupling_w2",
                title="W2(network EI sampler, data) <= exact-score W2 + propagated measured score error",
                reference=REF_COUPLING,
                bound=Bound(
                    "w2_exact + score_term",
                    "upper",
                    "W2(law of the network-driven EI output, data)",
                    params=["w2_exact", "score_term"],
                ),
                measure=measure_coupling,
                scenarios=[
                    Scenario(
                        f"K{int(k)}",
                        data=data,
                        process=process,
                        sampler=csamp,
                        params={"K": int(k)},
                        sweep=("K",),
                    )
                    for k in steps
                ],
                bound_params=coupling_params,
                notes=(
                    "measured, d = 1: [Bures lower end, quantile-W2 upper end] brackets W2; d > 1: the Bures "
                    "distance of the output's moments, a lower bound of W2 unless the output is Gaussian; "
                    "bound: the low end b_lo of its Monte Carlo band [b_lo, b_hi], the measured lower end "
                    "widened by b_hi - b_lo (HOLDS iff W2_hi <= b_lo, VIOLATED iff W2_lo > b_hi)"
                ),
                section=SECTION,
            )
        )
    return Suite(name, title or f"Checks on {label}", theorems, reference=label, source="sgmverify.nets")
