r"""Derivatives of the score with respect to the data distribution.

For a linear forward SDE with kernel :math:`X_t \mid X_0 = y \sim N(\alpha_t y, \sigma_t^2 I)` and any finite
signed measure :math:`\mu`, :math:`p_t^\mu(x) = \int \varphi_{\sigma_t}(x - \alpha_t y)\, d\mu(y)` is *linear*
in :math:`\mu`.  Perturbing the data law :math:`\rho` in a direction :math:`\chi` (a finite signed
combination of Gaussians and point masses: added / removed training points) therefore gives, wherever
:math:`p_t^\rho + \varepsilon p_t^\chi > 0`,

.. math::

    s_t^{\rho+\varepsilon\chi} = \frac{\nabla p_t^\rho + \varepsilon \nabla p_t^\chi}
    {p_t^\rho + \varepsilon p_t^\chi}
    = s_t^\rho + \frac{\varepsilon}{1 + \varepsilon r_t}\, \delta_\chi s_t, \qquad
    \delta_\chi s_t = \frac{\nabla p_t^\chi - p_t^\chi s_t^\rho}{p_t^\rho}
    = r_t\,(s_t^\chi - s_t^\rho), \quad r_t = p_t^\chi / p_t^\rho,

(the last form for :math:`\chi \ge 0`).  The first-order prediction :math:`\varepsilon\,\delta_\chi s_t`
differs from the exact change by the factor :math:`1 + \varepsilon r_t`: its relative error is
:math:`\varepsilon r_t` (the *validity indicator*).

Everything is evaluated in logs: with component log-densities :math:`L_j` of the noised :math:`\chi`,
:math:`\nabla p_t^\chi / p_t^\rho = \sum_j w_j e^{L_j - \log p_t^\rho} g_j`, :math:`g_j` the component
scores, so no density is ever formed.  The evaluation is *complex-safe* (complex weights and points are
allowed in :meth:`Perturbation.combination_score`), which gives the complex-step derivative in
:math:`\varepsilon` without cancellation.

References
----------
.. [1] Scarvelis, Solomon, "Sensitivity Analysis for Diffusion Models", arXiv:2509.23092; the formulas
   here are derived from the linearity of :math:`\rho \mapsto p_t^\rho`
   (``docs/papers/scarvelis_solomon_2025.md`` §2, tag [D]), not quoted from the paper.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sgmverify.errors import InvalidParameterError, InvalidTypeError, NotPSDError, ShapeError, TimeDomainError
from sgmverify.laws import Gaussian, GaussianMixture, as_float_array, noise_coeffs

__all__ = [
    "NoisedCombination",
    "Perturbation",
    "check_time",
    "first_order_validity",
    "mixture_callables",
    "perturbed_score",
    "score_derivative",
]

LOG_2PI = math.log(2.0 * math.pi)

ScoreFn = Callable[[np.ndarray, float], np.ndarray]
LogDensityFn = Callable[[np.ndarray, float], np.ndarray]


def check_time(process, t: float) -> tuple[float, float, float]:
    r"""``(t, alpha_t, sigma_t^2)``; :class:`TimeDomainError` unless :math:`0 < t < t_{\max}`.

    At :math:`t = 0` the noised point masses have no density, so the score derivative is undefined.
    """
    if isinstance(t, np.ndarray) and t.ndim == 0:
        t = t[()]
    if isinstance(t, bool | np.bool_) or not isinstance(t, numbers.Real):
        raise InvalidTypeError(f"t must be a real scalar, got {type(t).__name__} {t!r:.60}")
    try:
        tf = float(t)
    except OverflowError:
        raise TimeDomainError(f"t = {t!r:.60} is beyond the float64 range") from None
    if not tf > 0.0:
        raise TimeDomainError(f"t = {t} must lie in (0, T]: at t <= 0 the perturbed density has no score")
    return noise_coeffs(process, tf)


# ---------------------------------------------------------------------------------------------------
# the perturbation: a finite signed combination of Gaussians and point masses
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoisedCombination:
    r"""A combination :math:`\sum_j w_j N(\alpha\mu_j, \alpha^2\Sigma_j + \sigma^2 I)` at one time.

    ``eigvals`` (J, d) and ``eigvecs`` (J, d, d) diagonalise the noised covariances.
    """

    weights: np.ndarray
    means: np.ndarray
    eigvals: np.ndarray
    eigvecs: np.ndarray

    def terms(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        r"""Component log-densities :math:`L_j(x)` (n, J) and scores :math:`g_j(x)` (n, J, d).

        .. math:: L_j = -\tfrac12 \sum_i y_i^2/\lambda_{ji} - \tfrac12\sum_i\log\lambda_{ji}
                  - \tfrac d2 \log 2\pi, \quad y = V_j^\top(x - m_j), \quad g_j = -V_j (y/\lambda_j).

        Analytic in ``x``: a complex ``x`` gives the analytic continuation.
        """
        d = self.means.shape[1]
        y = np.einsum("nkd,kde->nke", x[:, None, :] - self.means[None], self.eigvecs)
        logdet = np.sum(np.log(self.eigvals), axis=1)
        L = -0.5 * (np.sum(y * y / self.eigvals[None], axis=2) + logdet[None] + d * LOG_2PI)
        g = -np.einsum("nke,kde->nkd", y / self.eigvals[None], self.eigvecs)
        return L, g

    def scaled_weights(self, L: np.ndarray, ref: np.ndarray) -> np.ndarray:
        r""":math:`w_j e^{L_j - \mathrm{ref}}` (n, J), signs kept; ``ref`` is usually :math:`\log p^\rho`."""
        w = self.weights
        if np.iscomplexobj(w) or np.iscomplexobj(L) or np.iscomplexobj(ref):
            return w[None, :] * np.exp(L - ref[:, None])
        with np.errstate(divide="ignore"):
            logw = np.log(np.abs(w))
        return np.sign(w)[None, :] * np.exp(logw[None, :] + L - ref[:, None])

    def log_abs_density(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        r"""Signed log-sum-exp: :math:`(\log|p^\chi(x)|, \operatorname{sign} p^\chi(x))` for real weights."""
        L, _ = self.terms(x)
        with np.errstate(divide="ignore"):
            lw = np.log(np.abs(self.weights))[None, :] + L
        ref = np.max(lw, axis=1)
        ref = np.where(np.isfinite(ref), ref, 0.0)
        tot = np.sum(np.sign(self.weights)[None, :] * np.exp(lw - ref[:, None]), axis=1)
        with np.errstate(divide="ignore"):
            return ref + np.log(np.abs(tot)), np.sign(tot)

    def combination_score(self, x: np.ndarray) -> np.ndarray:
        r"""Score :math:`\nabla p / p` of the combination itself, complex-safe.

        .. math:: \nabla\log p = \frac{\sum_j w_j e^{L_j - M} g_j}{\sum_j w_j e^{L_j - M}},
                  \quad M = \max_j \operatorname{Re} L_j,

        evaluated directly from the components (no perturbation formula): with complex weights
        :math:`(w^\rho, i h w^\chi)` it is the complex-step ground truth for :math:`\delta_\chi s`.
        """
        L, g = self.terms(x)
        M = np.max(L.real, axis=1)
        c = self.weights[None, :] * np.exp(L - M[:, None])
        return np.einsum("nk,nkd->nd", c, g) / np.sum(c, axis=1)[:, None]


class Perturbation:
    r"""A finite signed combination :math:`\chi = \sum_j w_j N(\mu_j, \Sigma_j)`; :math:`\Sigma_j = 0` is a
    point mass :math:`\delta_{\mu_j}`.

    Supports ``chi1 + chi2``, ``chi1 - chi2``, ``c * chi`` (real or complex ``c``), so that
    :math:`\rho + \varepsilon\chi` is ``Perturbation.from_distribution(rho) + eps * chi``.

    Parameters
    ----------
    weights : (J,) array of signed (or complex) weights
    means : (J, d) array
    covs : (J, d, d) array, one (d, d) array, a scalar variance, or None (point masses)
    """

    def __init__(self, weights, means, covs=None):
        try:
            w = np.asarray(weights)
        except (TypeError, ValueError):  # ragged nested lists
            w = np.asarray(None)
        if w.dtype.kind != "c":
            w = as_float_array(w, "weights")
        elif not np.all(np.isfinite(w)):
            raise InvalidParameterError("weights contain NaN or infinite entries; pass finite weights")
        means = as_float_array(means, "means")
        if w.ndim != 1 or means.ndim != 2 or means.shape[0] != w.shape[0] or w.size == 0:
            raise ShapeError(f"need weights (J,) and means (J, d) with J >= 1; got {w.shape}, {means.shape}")
        J, d = means.shape
        if covs is None:
            covs = np.zeros((J, d, d))
        covs = as_float_array(covs, "covs")
        if covs.ndim == 0:
            covs = float(covs) * np.broadcast_to(np.eye(d), (J, d, d))
        elif covs.ndim == 2 and covs.shape == (d, d):
            covs = np.broadcast_to(covs, (J, d, d))
        if covs.shape != (J, d, d):
            raise ShapeError(
                f"covs must have shape ({J}, {d}, {d}), ({d}, {d}) or be a scalar; got {covs.shape}"
            )
        eigvals, eigvecs = [], []
        for j in range(J):
            c = 0.5 * (covs[j] + covs[j].T)
            lam, vec = np.linalg.eigh(c)
            if lam[0] < -1e-10 * max(1.0, abs(lam[-1])) or np.max(np.abs(covs[j] - covs[j].T)) > 1e-10:
                raise NotPSDError(
                    f"covariance {j} is not symmetric positive semi-definite; pass PSD matrices"
                )
            eigvals.append(np.clip(lam, 0.0, None))
            eigvecs.append(vec)
        self.weights, self.means = w, means
        self.eigvals, self.eigvecs = np.stack(eigvals), np.stack(eigvecs)
        self.dim = d

    # -------------------------------------------------------------- constructors and algebra
    @classmethod
    def point_masses(cls, points, weights=None) -> Perturbation:
        r""":math:`\sum_j w_j \delta_{z_j}` (default weights 1): added (w > 0) or removed (w < 0) points."""
        pts = as_float_array(points, "points")
        if pts.ndim == 1:
            pts = pts[None, :]
        w = np.ones(pts.shape[0]) if weights is None else weights
        return cls(w, pts, None)

    @classmethod
    def from_distribution(cls, dist, scale: complex = 1.0) -> Perturbation:
        """``scale`` times a :class:`Gaussian` or :class:`GaussianMixture` as a combination."""
        if isinstance(dist, GaussianMixture):
            return cls(scale * dist.weights, dist.means, dist.covs)
        if isinstance(dist, Gaussian):
            return cls(np.array([scale]), dist.mean[None, :], dist.cov[None])
        raise InvalidParameterError(
            f"from_distribution needs a Gaussian or GaussianMixture, got {type(dist).__name__}"
        )

    def _raw(self, weights) -> Perturbation:
        obj = Perturbation.__new__(Perturbation)
        obj.weights, obj.means, obj.eigvals, obj.eigvecs, obj.dim = (
            weights,
            self.means,
            self.eigvals,
            self.eigvecs,
            self.dim,
        )
        return obj

    def __add__(self, other: Perturbation) -> Perturbation:
        if not isinstance(other, Perturbation):
            return NotImplemented
        if other.dim != self.dim:
            raise ShapeError(f"cannot add perturbations of dimensions {self.dim} and {other.dim}")
        obj = Perturbation.__new__(Perturbation)
        obj.weights = np.concatenate([self.weights, other.weights])
        obj.means = np.concatenate([self.means, other.means])
        obj.eigvals = np.concatenate([self.eigvals, other.eigvals])
        obj.eigvecs = np.concatenate([self.eigvecs, other.eigvecs])
        obj.dim = self.dim
        return obj

    def __mul__(self, c) -> Perturbation:
        if not np.isscalar(c) or not np.isfinite(c):
            raise InvalidParameterError(f"a perturbation can only be scaled by a finite scalar, got {c!r}")
        return self._raw(c * self.weights)

    __rmul__ = __mul__

    def __neg__(self) -> Perturbation:
        return self * -1.0

    def __sub__(self, other: Perturbation) -> Perturbation:
        return self + (-other)

    @property
    def total_mass(self) -> complex | float:
        r""":math:`\chi(\mathbb R^d) = \sum_j w_j`."""
        return self.weights.sum()

    def __repr__(self) -> str:
        return f"Perturbation(J={self.weights.size}, dim={self.dim}, mass={self.total_mass:.4g})"

    def noised(self, process, t: float) -> NoisedCombination:
        r"""Law-level noising: components :math:`N(\alpha_t\mu_j, \alpha_t^2\Sigma_j + \sigma_t^2 I)`."""
        _, a, v = check_time(process, t)
        return NoisedCombination(self.weights, a * self.means, a * a * self.eigvals + v, self.eigvecs)


# ---------------------------------------------------------------------------------------------------
# score derivative and the finite-eps form
# ---------------------------------------------------------------------------------------------------


def _points(x, dim: int) -> np.ndarray:
    arr = as_float_array(x, "x")
    if arr.ndim != 2 or arr.shape[1] != dim:
        raise ShapeError(f"x must have shape (n, {dim}); got {arr.shape}")
    return arr


def _check_inputs(callables: dict[str, object], chi: object) -> None:
    """InvalidTypeError unless the named arguments are callables and ``chi`` a :class:`Perturbation`."""
    for name, fn in callables.items():
        if not callable(fn):
            raise InvalidTypeError(
                f"{name} must be a callable (x, t) -> array, got {type(fn).__name__} {fn!r:.60}"
            )
    if not isinstance(chi, Perturbation):
        raise InvalidTypeError(
            f"chi must be a Perturbation (e.g. Perturbation.point_masses(points)), got {type(chi).__name__}"
        )


def checked_call(fn: Callable, x: np.ndarray, t: float, shape: tuple[int, ...], what: str) -> np.ndarray:
    """``fn(x, t)`` with its type, shape and finiteness checked (InvalidTypeError / ShapeError /
    InvalidParameterError)."""
    raw = fn(x, t)
    try:
        out = np.asarray(raw)
        if out.dtype.kind not in "iuf":
            raise TypeError(f"entries of type {out.dtype}")
        out = out.astype(float)
    except (TypeError, ValueError, OverflowError) as exc:
        raise InvalidTypeError(
            f"{what}(x, t) must return an array of real numbers, got {raw!r:.60} ({exc})"
        ) from None
    if out.shape != shape:
        raise ShapeError(f"{what}(x, t) must return shape {shape}; got {out.shape}")
    if not np.all(np.isfinite(out)):
        raise InvalidParameterError(f"{what}(x, t) returned NaN or inf at t = {t}; check the callable")
    return out


def _ratio_terms(score_rho, log_density_rho, chi: Perturbation, process, t: float, x):
    x = _points(x, chi.dim)
    t, _, _ = check_time(process, t)
    n, d = x.shape
    s = checked_call(score_rho, x, t, (n, d), "score_rho")
    lp = checked_call(log_density_rho, x, t, (n,), "log_density_rho")
    L, g = chi.noised(process, t).terms(x)
    c = chi.noised(process, t).scaled_weights(L, lp)  # w_j N_j / p^rho, (n, J)
    return s, c, g


def score_derivative(
    score_rho: ScoreFn, log_density_rho: LogDensityFn, chi: Perturbation, process, t: float, x
) -> np.ndarray:
    r"""Directional derivative :math:`\delta_\chi s_t(x) = [\nabla p_t^\chi - p_t^\chi s_t^\rho]/p_t^\rho`.

    .. math:: \delta_\chi s_t(x) = \sum_j w_j\, e^{L_j(x) - \log p_t^\rho(x)}\, \big(g_j(x) - s_t^\rho(x)\big)

    (docs/papers/scarvelis_solomon_2025.md §2; derived from linearity of :math:`\rho\mapsto p_t^\rho`).

    Parameters
    ----------
    score_rho, log_density_rho : callables ``(x (n, d), t) -> (n, d)`` and ``-> (n,)``
        Black-box score and log-density of the noised data law (closed forms from
        :func:`mixture_callables`; for a network, its score and
        :func:`sgmverify.sensitivity.likelihood_log_density`, the likelihood ODE).
    chi : Perturbation
    process : LinearSDE
    t : float in (0, T]
    x : (n, d) array
    """
    _check_inputs({"score_rho": score_rho, "log_density_rho": log_density_rho}, chi)
    s, c, g = _ratio_terms(score_rho, log_density_rho, chi, process, t, x)
    return np.einsum("nk,nkd->nd", c, g - s[:, None, :])


def first_order_validity(
    log_density_rho: LogDensityFn, chi: Perturbation, process, t: float, x, eps: float = 1.0
) -> np.ndarray:
    r"""The validity indicator :math:`\varepsilon r_t(x)`, :math:`r_t = p_t^\chi/p_t^\rho` (n,).

    :math:`|\varepsilon r_t|` is exactly the relative error of the first-order prediction
    :math:`\varepsilon\,\delta_\chi s_t` of :math:`s_t^{\rho+\varepsilon\chi} - s_t^\rho`.
    """
    _check_inputs({"log_density_rho": log_density_rho}, chi)
    eps = _check_eps(eps)
    x = _points(x, chi.dim)
    t, _, _ = check_time(process, t)
    lp = checked_call(log_density_rho, x, t, (x.shape[0],), "log_density_rho")
    nc = chi.noised(process, t)
    L, _ = nc.terms(x)
    return eps * np.sum(nc.scaled_weights(L, lp), axis=1)


def _check_eps(eps: object) -> complex | float:
    """``eps`` as a finite real (or complex) number; InvalidTypeError / InvalidParameterError otherwise."""
    if isinstance(eps, np.ndarray) and eps.ndim == 0:
        eps = eps[()]
    if isinstance(eps, bool | np.bool_) or not isinstance(eps, numbers.Number):
        raise InvalidTypeError(f"eps must be a number, got {type(eps).__name__} {eps!r:.60}")
    try:
        ok = np.isfinite(complex(eps))
    except (TypeError, ValueError, OverflowError):
        ok = False
    if not ok:
        raise InvalidParameterError(f"eps must be finite, got {eps!r:.60}")
    return eps


def perturbed_score(
    score_rho: ScoreFn, log_density_rho: LogDensityFn, chi: Perturbation, process, t: float, x, eps: float
) -> tuple[np.ndarray, np.ndarray]:
    r"""Exact perturbed score (the finite-eps, Möbius form of docs/papers/scarvelis_solomon_2025.md §2.1).

    .. math:: s_t^{\rho+\varepsilon\chi} = s_t^\rho + \frac{\varepsilon}{1+\varepsilon r_t}\,\delta_\chi s_t

    Returns ``(score, eps * r)``.  Raises :class:`InvalidParameterError` where
    :math:`p_t^\rho + \varepsilon p_t^\chi \le 0` (i.e. :math:`1 + \varepsilon r_t \le 0`).
    """
    _check_inputs({"score_rho": score_rho, "log_density_rho": log_density_rho}, chi)
    eps = _check_eps(eps)
    s, c, g = _ratio_terms(score_rho, log_density_rho, chi, process, t, x)
    delta = np.einsum("nk,nkd->nd", c, g - s[:, None, :])
    er = eps * np.sum(c, axis=1)
    if np.isrealobj(er):
        bad = ~(1.0 + er > 0)
        if np.any(bad):
            raise InvalidParameterError(
                f"p^rho + eps p^chi <= 0 at {int(bad.sum())} of {er.size} points (min 1 + eps r = "
                f"{float(np.min(1.0 + er)):.3g}); the perturbed measure must stay positive: use a smaller eps"
            )
    return s + (eps / (1.0 + er))[:, None] * delta, er


def mixture_callables(dist, process) -> tuple[ScoreFn, LogDensityFn]:
    r"""Closed-form ``(score(x, t), log_density(x, t))`` of the noised law of a Gaussian (mixture).

    Log-sum-exp over the noised components (:class:`NoisedCombination`), no new eigendecomposition per time.
    """
    comb = Perturbation.from_distribution(dist)

    def score(x: np.ndarray, t: float) -> np.ndarray:
        return comb.noised(process, t).combination_score(np.asarray(x, dtype=float))

    def log_density(x: np.ndarray, t: float) -> np.ndarray:
        return comb.noised(process, t).log_abs_density(np.asarray(x, dtype=float))[0]

    return score, log_density
