r"""Checks on any score model (a :class:`~sgmverify.nets.LoadedScoreModel` or a trained network).

* :func:`model_lipschitz_interval` — the interval for :math:`\mathrm{Lip}(s_\theta(\cdot,t))`: the lower end
  is the largest Jacobian spectral norm found on a cloud of points (autograd, one backward pass per output
  coordinate; any point's Jacobian norm is a valid lower bound of the Lipschitz constant over
  :math:`\mathbb R^d`); the upper end is certified only for the toolkit's own networks
  (:func:`~sgmverify.nets.lipschitz_upper`, a product of layer norms) and is :math:`+\infty` for a black box.
* :func:`model_sampler_w2` — :math:`W_2` of the network-driven sampler's output against the data law, with a
  bootstrap CI, next to the exact-score sampler's :math:`W_2` (Gaussian data,
  :func:`sgmverify.samplers.sampler_w2`)
  and the Gaussian KL of the fitted output law.
* :func:`coupling_w2_bound` — a bound that takes the measured score error as input, for Gaussian data and
  the exponential-integrator (EI) chain: with :math:`A_t = (m_t^2\Sigma+\sigma_t^2 I)^{-1}`, EI coefficients
  :math:`r_k, c_k` (``process.transition``), :math:`\rho_k = \max_i|r_k - c_k a_i(t_k)|` and
  :math:`\varepsilon_k = (\mathbb E\|s_\theta(\hat Y_k,t_k) - \nabla\log p_{t_k}(\hat Y_k)\|^2)^{1/2}`
  under the algorithm's own law, synchronous coupling with the exact-score chain and Minkowski's inequality
  give

  .. math::
      W_2(\hat q_\theta, p_0) \le W_2(\hat q, p_0) + \sum_k \Big(\prod_{j>k}\rho_j\Big) c_k\,\varepsilon_k,

  where :math:`W_2(\hat q, p_0)` is the exact-score sampler's error (computed exactly).  This is the
  three-part structure (initialisation + discretisation + score error) of Gao, Nguyen & Zhu, *Wasserstein
  convergence guarantees for a general class of score-based generative models* (arXiv:2311.11003; notes:
  docs/papers/gao_nguyen_zhu_2023.md §3, whose theorem statement is not found in the available text); the
  coupling form is derived in this toolkit.

  The :math:`\varepsilon_k^2` are Monte Carlo means with 95% intervals, so the bound is a band
  :math:`[b_{lo}, b_{hi}]`: :math:`b_{lo}` from the lower ends of every :math:`\varepsilon_k^2`,
  :math:`b_{hi}` from the upper ends (the sum of per-step ends is at least as wide as an interval for the
  sum: the standard deviation of a sum is at most the sum of the standard deviations).  The verdict must be
  honest both ways — HOLDS only when the measured :math:`W_2` lies below :math:`b_{lo}`, VIOLATED only
  when it lies above :math:`b_{hi}` — so :func:`coupling_verdict_estimate` takes :math:`b_{lo}` as the
  bound value and widens the measured interval's lower end by :math:`b_{hi} - b_{lo}` (the interval also
  carries the bound's Monte Carlo uncertainty); with the upper-bound rule of
  :func:`sgmverify.theory.decide`, HOLDS :math:`\iff W2_{hi} \le b_{lo}` and VIOLATED
  :math:`\iff W2_{lo} > b_{hi}`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from scipy import stats

from sgmverify.errors import InvalidParameterError, InvalidTypeError
from sgmverify.estimates import Estimate, mean_ci
from sgmverify.laws import Gaussian
from sgmverify.metrics import kl_gaussian, w2_1d_quantile, w2_gaussian
from sgmverify.samplers import SCHEMES, sample, sampler_w2, uniform_grid

from ._lipschitz import LipschitzInterval, exact_score_lipschitz, lipschitz_interval
from ._networks import TrainedScoreNetwork
from ._score_error import noised_points

__all__ = [
    "ModelSampling",
    "coupling_verdict_estimate",
    "coupling_w2_bound",
    "model_lipschitz_interval",
    "model_sampler_w2",
]


@dataclass(frozen=True)
class ModelSampling:
    """The sampler run with the network: ``scheme`` (a key of :data:`sgmverify.samplers.SCHEMES`), ``K``
    steps on the uniform grid from ``T`` down to ``t_min``, ``n`` samples from the prior."""

    scheme: str = "ei"
    T: float = 1.0
    K: int = 50
    t_min: float = 1e-3
    n: int = 4000

    def __post_init__(self) -> None:
        if self.scheme not in SCHEMES:
            raise InvalidParameterError(f"unknown scheme {self.scheme!r}; choose one of {sorted(SCHEMES)}.")
        for name in ("K", "n"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int | np.integer) or v < 2:
                raise InvalidParameterError(f"ModelSampling.{name} must be an integer >= 2, got {v!r}.")
        if not (0 < self.t_min < self.T and math.isfinite(self.T)):
            raise InvalidParameterError(f"need 0 < t_min < T < inf, got t_min={self.t_min}, T={self.T}.")


def _check_model(model: Any) -> None:
    if not (callable(getattr(model, "score", None)) and callable(getattr(model, "torch_score", None))):
        raise InvalidTypeError(
            f"model must be a score model with .score and .torch_score (load_score_model), got "
            f"{type(model).__name__}."
        )


# ------------------------------------------------------------------------------------------ Lipschitz
def jacobian_norms(model: Any, t: float, x: np.ndarray) -> np.ndarray:
    """Spectral norms of :math:`\\nabla_x s_\\theta(x_i, t)` at each row of ``x`` (autograd, d backward
    passes; rows must not interact inside the network, as in any per-sample model)."""
    X = torch.as_tensor(np.asarray(x, dtype=float), dtype=torch.float64).requires_grad_(True)
    with torch.enable_grad():
        out = model.torch_score(X, float(t))
        rows = []
        for j in range(out.shape[1]):
            (g,) = torch.autograd.grad(out[:, j].sum(), X, retain_graph=j + 1 < out.shape[1])
            rows.append(g)
    jac = torch.stack(rows, dim=1).detach()  # (n, d_out, d_in)
    return torch.linalg.matrix_norm(jac, 2).numpy()


def model_lipschitz_interval(
    model: Any,
    t: float,
    *,
    data: Any = None,
    points: np.ndarray | None = None,
    n: int = 256,
    rng: np.random.Generator | int | None = None,
) -> LipschitzInterval:
    """``lower <= Lip(s_theta(., t)) <= upper`` (upper = inf unless the network's structure is known), with
    the exact score's constant when ``data`` is given (closed form for Gaussian data)."""
    _check_model(model)
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    if isinstance(model, TrainedScoreNetwork):
        return lipschitz_interval(model, t, data=data, points=points, n=n, rng=gen)
    if points is None:
        if data is None:
            raise InvalidParameterError("pass points=, or data= to draw the cloud from p_t.")
        points = noised_points(data, model.process, t, n, gen)
    points = np.asarray(points, dtype=float)
    norms = jacobian_norms(model, t, points)
    if not np.all(np.isfinite(norms)):
        raise InvalidParameterError(
            f"the network's Jacobian is NaN/inf at t = {t}; its score is unusable there."
        )
    i = int(np.argmax(norms))
    exact, kind = (None, "") if data is None else exact_score_lipschitz(data, model.process, t, points)
    extra = {"n_points": len(points), "upper": "not certified for a black-box network"}
    return LipschitzInterval(float(t), float(norms[i]), math.inf, exact, kind, points[i].tolist(), extra)


# ------------------------------------------------------------------------------------------ sampling
def _bootstrap(
    x: np.ndarray, stat: Any, rng: np.random.Generator, n_boot: int, basic: bool = False
) -> tuple[float, float, float]:
    """Value and 95% bootstrap interval: percentile, or ``basic`` (reverse percentile,
    :math:`[2\\hat\theta - q_{97.5}, 2\\hat\theta - q_{2.5}]`, which undoes the upward small-sample bias of
    a distance of estimated moments instead of doubling it; Davison & Hinkley 1997, eq. 5.6)."""
    n = x.shape[0]
    boots = [stat(x[rng.integers(0, n, n)]) for _ in range(n_boot)]
    lo, hi = (float(v) for v in np.percentile(boots, [2.5, 97.5]))
    value = float(stat(x))
    if basic:
        lo, hi = max(2 * value - hi, 0.0), 2 * value - lo
    return value, min(lo, value), max(hi, value)


def _w2_to_data(
    x: np.ndarray, data: Any, rng: np.random.Generator, n_boot: int = 200, bracket: bool = False
) -> Estimate:
    """W2 of the sample ``x`` to the data law with a percentile-bootstrap CI.

    Gaussian data: the Bures distance between the sample's moments and the data law — the exact W2 when the
    output is Gaussian (any affine score, e.g. the exact one) and a lower bound otherwise (Gelbrich 1990,
    *On a formula for the L2 Wasserstein metric between measures on Euclidean and Hilbert spaces*).
    With ``bracket`` and 1-D Gaussian data, the interval runs from the Bures bootstrap's lower end (Gelbrich:
    below W2) to the upper end of the quantile-formula W2 against the exact quantiles at 20000 midpoints
    (the empirical W2 is biased upwards), so that an upper-bound verdict is decided only when both agree.
    Other data in 1-D: the quantile formula against an equally large data sample.  Otherwise: the Gelbrich
    lower bound against the data sample's moments.
    """
    n = x.shape[0]
    if isinstance(data, Gaussian):

        def bures(xs: np.ndarray) -> float:
            return w2_gaussian(xs.mean(0), np.atleast_2d(np.cov(xs.T)), data.mean, data.cov)

        value, lo, hi = _bootstrap(x, bures, rng, n_boot, basic=True)
        method = "Bures distance of the output's moments to the data law (exact W2 for Gaussian output)"
        if bracket and x.shape[1] == 1:
            mu, sd = float(data.mean[0]), math.sqrt(float(data.cov[0, 0]))
            ref = mu + sd * stats.norm.ppf((np.arange(20000) + 0.5) / 20000)
            _, _, hi = _bootstrap(x, lambda xs: w2_1d_quantile(xs[:, 0], ref), rng, n_boot)
            hi = max(hi, value)
            method = (
                "[Bures lower end (Gelbrich: <= W2), upper end of the 1-D quantile W2 to exact quantiles "
                "(biased upwards)]"
            )
        return Estimate(value, lo, hi, 0.95, n=n, method=method + "; basic bootstrap")
    y = np.asarray(data.sample(n, rng), dtype=float).reshape(n, -1)
    if x.shape[1] == 1:
        value, lo, hi = _bootstrap(x, lambda xs: w2_1d_quantile(xs[:, 0], y[:, 0]), rng, n_boot)
        method = "1-D quantile W2 against a data sample of the same size"
    else:
        value, lo, hi = _bootstrap(
            x, lambda xs: w2_gaussian(xs.mean(0), np.cov(xs.T), y.mean(0), np.cov(y.T)), rng, n_boot
        )
        method = "Gelbrich lower bound of W2 (moments of output and of a data sample)"
    return Estimate(value, lo, hi, 0.95, n=n, method=method + "; percentile bootstrap")


def model_sampler_w2(
    model: Any, data: Any, sampling: ModelSampling | None = None, rng: np.random.Generator | int | None = None
) -> dict:
    """Run ``sampling.scheme`` driven by ``model.score``; W2 of its output to ``data`` with a bootstrap CI.

    Returns a dict: ``measured`` (Estimate), ``samples``, ``status`` (the sampler's), and for Gaussian data
    ``exact_w2`` (the exact-score sampler's W2, :func:`sgmverify.samplers.sampler_w2`) and ``kl`` (KL of the
    output's fitted Gaussian to the data law, :func:`sgmverify.metrics.kl_gaussian`).
    """
    _check_model(model)
    sp = sampling or ModelSampling()
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    process = model.process
    if not sp.T < process.t_max:
        raise InvalidParameterError(f"sampling.T = {sp.T} must be < the process's t_max = {process.t_max}.")
    grid = uniform_grid(sp.T, sp.K, sp.t_min)
    x0 = process.prior(sp.T, model.dim).sample(sp.n, gen)
    res = sample(process, model.score, x0, grid, sp.scheme, rng=gen)
    x = np.asarray(res.x, dtype=float)
    out: dict[str, Any] = {"status": str(res.status), "message": res.message, "samples": x}
    if not np.all(np.isfinite(x)):
        raise InvalidParameterError(f"the sampler driven by the network broke down: {res.message}")
    out["measured"] = _w2_to_data(x, data, gen)
    if isinstance(data, Gaussian):
        out["exact_w2"] = sampler_w2(process, data, sp.T, sp.K, sp.scheme, sp.t_min, init="prior", grid=grid)
        out["kl"] = kl_gaussian(x.mean(0), np.atleast_2d(np.cov(x.T)), data.mean, data.cov)
    return out


# ------------------------------------------------------------------------------------------ coupling
def coupling_w2_bound(
    model: Any,
    data: Gaussian,
    sampling: ModelSampling | None = None,
    rng: np.random.Generator | int | None = None,
) -> dict:
    """The EI chain driven by ``model``: the coupling bound (module docstring) and the chain's output.

    Returns a dict: ``bound`` (:math:`b_{lo}` = ``w2_exact`` + ``score_term``, from the lower CI ends of
    the :math:`\\varepsilon_k^2`), ``bound_high`` (:math:`b_{hi}` = ``w2_exact`` + ``score_term_high``, from
    the upper ends), ``w2_exact``, ``score_term``, ``score_term_high``, ``eps`` (per-step Estimates of
    :math:`\\varepsilon_k^2`), ``grid``, ``samples`` (the chain's output) and ``measured`` (its W2 to the
    data law, bootstrap CI; :func:`coupling_verdict_estimate` turns it into the estimate a verdict is
    drawn from).
    """
    _check_model(model)
    if not isinstance(data, Gaussian):
        raise InvalidTypeError(f"the coupling bound needs Gaussian data, got {type(data).__name__}.")
    sp = sampling or ModelSampling()
    if sp.scheme != "ei":
        raise InvalidParameterError(f"the coupling bound is for the EI scheme; got scheme {sp.scheme!r}.")
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    process = model.process
    grid = uniform_grid(sp.T, sp.K, sp.t_min)
    y = process.prior(sp.T, data.dim).sample(sp.n, gen)
    lam = data.eigh()[0]
    rho, coef, eps = [], [], []
    for k in range(sp.K):
        t0, t1 = float(grid[k]), float(grid[k + 1])
        ratio, c, nv = (float(v) for v in process.transition(t0, t1))
        s_hat = model.score(y, t0)
        err = np.sum((s_hat - data.noised(process, t0).score(y)) ** 2, axis=1)
        eps.append(mean_ci(err))
        a = 1.0 / (float(process.mean_coeff(t0)) ** 2 * lam + float(process.var(t0)))
        rho.append(float(np.max(np.abs(ratio - c * a))))
        coef.append(c)
        y = ratio * y + c * s_hat + math.sqrt(nv) * gen.standard_normal(y.shape)
    tail = np.append(np.cumprod(np.asarray(rho)[::-1])[::-1][1:], 1.0)  # prod_{j>k} rho_j
    weight = tail * np.asarray(coef)
    score_term = float(np.sum(weight * np.sqrt([max(e.ci_low, 0.0) for e in eps])))
    score_term_high = float(np.sum(weight * np.sqrt([max(e.ci_high, 0.0) for e in eps])))
    exact = sampler_w2(process, data, sp.T, sp.K, "ei", sp.t_min, init="prior", grid=grid)
    return {
        "bound": exact + score_term,
        "bound_high": exact + score_term_high,
        "w2_exact": exact,
        "score_term": score_term,
        "score_term_high": score_term_high,
        "eps": eps,
        "grid": grid,
        "samples": y,
        "measured": _w2_to_data(y, data, gen, bracket=True),
    }


def coupling_verdict_estimate(chain: dict) -> Estimate:
    """The measured W2 of a :func:`coupling_w2_bound` chain as the estimate to hold against ``bound``
    (:math:`b_{lo}`): its lower CI end widened by :math:`b_{hi} - b_{lo}` (module docstring; the interval
    also carries the bound's Monte Carlo uncertainty), so that the upper-bound verdict rule gives HOLDS iff
    :math:`W2_{hi} \\le b_{lo}` and VIOLATED iff :math:`W2_{lo} > b_{hi}`.

    ``extra`` keeps ``bound_low``, ``bound_high``, the measured interval before widening
    (``measured_ci_low``, ``measured_ci_high``), ``w2_exact_score``, ``score_term`` and
    ``eps_along_chain_max`` (the largest :math:`\\varepsilon_k` point estimate).
    """
    m = chain["measured"]
    b_lo, b_hi = float(chain["bound"]), float(chain["bound_high"])
    extra = {
        "bound_low": b_lo,
        "bound_high": b_hi,
        "measured_ci_low": m.ci_low,
        "measured_ci_high": m.ci_high,
        "w2_exact_score": chain["w2_exact"],
        "score_term": chain["score_term"],
        "eps_along_chain_max": float(np.sqrt(max(max(e.value for e in chain["eps"]), 0.0))),
    }
    lo = max(m.ci_low - (b_hi - b_lo), 0.0)  # W2 >= 0; clipping keeps the rule (b_lo >= 0)
    method = m.method + "; lower end widened by the bound's Monte Carlo band b_hi - b_lo"
    return Estimate(m.value, min(lo, m.value), m.ci_high, m.level, n=m.n, method=method, extra=extra)
