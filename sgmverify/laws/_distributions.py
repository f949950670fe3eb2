r"""Data distributions and their noised laws.

Every law here has ``.dim``, ``sample(n, rng)``, ``log_prob(x)``, ``score(x)``, ``score_jacobian(x)``,
``score_hessian(x)`` (third derivatives of :math:`\log p`) and ``noised(process, t)``, the law of

.. math::

    X_t = m(t)\, X_0 + \sigma(t)\, Z, \qquad Z \sim N(0, I),

where only ``process.mean_coeff(t)`` :math:`= m(t)` and ``process.var(t)`` :math:`= \sigma^2(t)` are used
(see ``docs/CONTRACTS.md``).  Closed forms: a Gaussian stays Gaussian,
:math:`N(m\mu, m^2\Sigma + \sigma^2 I)`, a mixture stays a mixture, a product stays a product.  A 1-D
density from a sympy log-density (:class:`Density1D`, in :mod:`sgmverify.laws._density1d`) is noised by
quadrature.

Points ``x`` are ``(n, d)`` arrays; a single point of shape ``(d,)`` is accepted too and gives outputs
without the leading axis (a scalar log-density, a ``(d,)`` score, ...).  For ``d = 1`` an array of shape
``(n,)`` with ``n > 1`` is ambiguous and raises :class:`~sgmverify.errors.ShapeError`: pass ``(n, 1)``.

References
----------
.. [1] Y. Song et al., "Score-based generative modeling through stochastic differential equations",
       ICLR 2021, eq. (29) (perturbation kernels of linear SDEs).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from sgmverify.errors import InvalidParameterError, NotPSDError, ShapeError, TimeDomainError, WeightsError

from ._scores import (
    Derivatives,
    gaussian_log_prob,
    gaussian_precision,
    gaussian_score,
    mixture_derivatives,
    mixture_fourth_derivative,
)

__all__ = ["Distribution", "Gaussian", "GaussianMixture", "Product"]

#: tolerance on |sum(weights) - 1|
WEIGHTS_TOL = 1e-9


# ---------------------------------------------------------------------------------------------------
# validation helpers (shared with sgmverify.laws._density1d)
# ---------------------------------------------------------------------------------------------------


def as_float_array(value, name: str) -> np.ndarray:
    """``value`` as a float64 array; NaN or infinite entries raise InvalidParameterError."""
    try:
        arr = np.array(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InvalidParameterError(f"{name} must be an array of real numbers: {exc}") from None
    if not np.all(np.isfinite(arr)):
        raise InvalidParameterError(f"{name} contains NaN or infinite entries; pass finite values")
    return arr


def as_points(x, dim: int) -> tuple[np.ndarray, bool]:
    """Points as an (n, dim) float array, and whether a single point of shape (dim,) was passed."""
    arr = np.asarray(x, dtype=float)
    single = (arr.ndim == 1 and arr.shape[0] == dim) or (arr.ndim == 0 and dim == 1)
    if single:
        arr = arr.reshape(1, dim)
    if arr.ndim != 2 or arr.shape[1] != dim:
        hint = " (for a 1-D law pass x of shape (n, 1))" if dim == 1 else ""
        raise ShapeError(f"x must have shape (n, {dim}) or ({dim},); got {np.shape(x)}{hint}")
    if np.isnan(arr).any() or np.isinf(arr).any():
        raise InvalidParameterError("x contains NaN or infinite entries; pass finite points")
    return arr, single


def check_sample_args(n, rng) -> int:
    """Validate ``n`` (a non-negative int) and ``rng`` (a ``numpy.random.Generator``)."""
    if not isinstance(rng, np.random.Generator):
        raise InvalidParameterError(
            f"rng must be a numpy.random.Generator (e.g. numpy.random.default_rng(seed)); "
            f"got {type(rng).__name__}"
        )
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise InvalidParameterError(f"n must be a non-negative integer, got {n!r}")
    return int(n)


#: highest order served by ``log_density_derivative``
MAX_DERIVATIVE_ORDER = 4


def check_order(k) -> int:
    """``k`` as an int in 0..MAX_DERIVATIVE_ORDER; InvalidParameterError otherwise."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise InvalidParameterError(f"k must be an integer 0..{MAX_DERIVATIVE_ORDER}, got {k!r}")
    if not 0 <= k <= MAX_DERIVATIVE_ORDER:
        raise InvalidParameterError(
            f"k = {k} is out of range: derivatives of log p_t are available for k = 0..{MAX_DERIVATIVE_ORDER}"
        )
    return int(k)


def noise_coeffs(process, t) -> tuple[float, float, float]:
    r"""``(t, m(t), sigma^2(t))`` from ``process``; TimeDomainError outside :math:`[0, t_{\max})`."""
    try:
        t = float(t)
    except (TypeError, ValueError):
        raise InvalidParameterError(f"t must be a real scalar, got {t!r}") from None
    if math.isnan(t):
        raise InvalidParameterError("t is NaN; pass a time in the process's domain")
    t_max = float(getattr(process, "t_max", math.inf))
    if not 0.0 <= t < t_max:
        raise TimeDomainError(f"t = {t} is outside the process's time domain [0, {t_max}); pass t in it")
    m, v = float(process.mean_coeff(t)), float(process.var(t))
    if not (math.isfinite(m) and math.isfinite(v)) or m <= 0.0 or v < 0.0:
        raise TimeDomainError(f"at t = {t} the process gives m(t) = {m}, sigma^2(t) = {v}; pick a smaller t")
    return t, m, v


def validated_cov(cov, dim: int, name: str = "cov") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Symmetric PSD check of a (dim, dim) covariance; returns (cov, eigvals ascending, eigvecs)."""
    cov = as_float_array(cov, name)
    if cov.ndim == 0:
        if cov < 0:
            raise NotPSDError(f"{name} = {float(cov)} is a negative variance; pass a variance >= 0")
        cov = float(cov) * np.eye(dim)
    if cov.shape != (dim, dim):
        raise ShapeError(f"{name} must have shape ({dim}, {dim}) to match the mean; got {cov.shape}")
    scale = float(np.max(np.abs(cov))) if cov.size else 0.0
    asym = float(np.max(np.abs(cov - cov.T))) if cov.size else 0.0
    if asym > 1e-10 * max(scale, 1e-300):
        raise NotPSDError(f"{name} is not symmetric (max |C - C^T| = {asym:.3g}); pass (C + C.T) / 2")
    cov = 0.5 * (cov + cov.T)
    eigvals, eigvecs = np.linalg.eigh(cov)
    if eigvals[0] < -psd_tol(eigvals):
        raise NotPSDError(
            f"{name} is not positive semi-definite: smallest eigenvalue {eigvals[0]:.6g} "
            f"(largest {eigvals[-1]:.6g}); pass a PSD matrix, e.g. A @ A.T"
        )
    return cov, np.clip(eigvals, 0.0, None), eigvecs


def psd_tol(eigvals: np.ndarray) -> float:
    """Eigenvalues within this of zero count as zero: ``max(d, 10) * eps * max |lambda|``."""
    return max(len(eigvals), 10) * np.finfo(float).eps * float(np.max(np.abs(eigvals), initial=0.0))


# ---------------------------------------------------------------------------------------------------
# base class
# ---------------------------------------------------------------------------------------------------


class Distribution:
    """Base class: shape handling around ``_derivs(x, order) -> Derivatives`` (``x`` of shape (n, d))."""

    dim: int

    def _derivs(self, x: np.ndarray, order: int) -> Derivatives:  # pragma: no cover - abstract
        raise NotImplementedError

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def noised(self, process, t: float) -> Distribution:
        """Law of ``m(t) X + sigma(t) Z``; subclasses with a closed form or quadrature override this."""
        raise NotImplementedError(f"{type(self).__name__} has no noised law; noise the data law instead")

    def _eval(self, x, order: int) -> np.ndarray:
        pts, single = as_points(x, self.dim)
        out = self._derivs(pts, order)[order]
        return out[0] if single else out

    def log_prob(self, x) -> np.ndarray:
        r""":math:`\log p(x)`: (n, d) -> (n,), or (d,) -> scalar."""
        return self._eval(x, 0)

    def score(self, x) -> np.ndarray:
        r""":math:`\nabla \log p(x)`: (n, d) -> (n, d)."""
        return self._eval(x, 1)

    def score_jacobian(self, x) -> np.ndarray:
        r""":math:`\nabla^2 \log p(x)`, the Jacobian of the score: (n, d) -> (n, d, d)."""
        return self._eval(x, 2)

    def score_hessian(self, x) -> np.ndarray:
        r""":math:`\partial_a \partial_b \partial_c \log p(x)`: (n, d) -> (n, d, d, d)."""
        return self._eval(x, 3)

    def log_density_derivative(self, x, k: int) -> np.ndarray:
        r""":math:`\nabla^k \log p(x)` for ``k`` = 0..4.

        ``x`` of shape (n, d) gives an array of shape (n,) + (d,)*k (``k = 0``: :math:`\log p`, 1: the score,
        2: the Hessian, ...); a single point (d,) gives (d,)*k.  How each order is computed (closed form,
        float64 or mpmath) is documented on each law.
        """
        k = check_order(k)
        pts, single = as_points(x, self.dim)
        out = self._dk(pts, k)
        return out[0] if single else out

    def _dk(self, x: np.ndarray, k: int) -> np.ndarray:
        """The k-th derivative at (n, d) points; laws serving k = 4 override this."""
        if k <= 3:
            return self._derivs(x, k)[k]
        raise NotImplementedError(f"{type(self).__name__} does not provide derivatives of order {k}")

    def derivatives(self, x, order: int = 3) -> Derivatives:
        """log p and its derivatives up to ``order`` (0 to 3) in one pass; always with the leading axis n."""
        if order not in (0, 1, 2, 3):
            raise InvalidParameterError(f"order must be 0, 1, 2 or 3, got {order!r}")
        pts, _ = as_points(x, self.dim)
        return self._derivs(pts, order)


# ---------------------------------------------------------------------------------------------------
# Gaussian
# ---------------------------------------------------------------------------------------------------


class Gaussian(Distribution):
    r"""Multivariate normal :math:`N(\mu, \Sigma)`.

    .. math::

        \log p(x) = -\tfrac12 (x-\mu)^\top \Sigma^{-1} (x-\mu) - \tfrac12 \log\det(2\pi\Sigma), \qquad
        \nabla \log p(x) = -\Sigma^{-1}(x - \mu).

    Parameters
    ----------
    mean : (d,) array
    cov : (d, d) symmetric positive semi-definite array, or a scalar variance (times the identity).
        A singular covariance is allowed for sampling; ``log_prob`` and the score need it positive
        definite and raise :class:`~sgmverify.errors.NotPSDError` otherwise.
    """

    def __init__(self, mean, cov):
        mean = as_float_array(mean, "mean")
        if mean.ndim == 0:
            mean = mean.reshape(1)
        if mean.ndim != 1:
            raise ShapeError(f"mean must be a 1-D array of shape (d,), got shape {mean.shape}")
        self.mean = mean
        self.dim = mean.shape[0]
        self.cov, self._eigvals, self._eigvecs = validated_cov(cov, self.dim)

    @classmethod
    def _from_eigh(cls, mean: np.ndarray, eigvals: np.ndarray, eigvecs: np.ndarray) -> Gaussian:
        """Build from a known eigendecomposition (no re-validation, no new eigh)."""
        obj = cls.__new__(cls)
        obj.mean, obj.dim = mean, mean.shape[0]
        obj._eigvals, obj._eigvecs = eigvals, eigvecs
        cov = (eigvecs * eigvals) @ eigvecs.T
        obj.cov = 0.5 * (cov + cov.T)
        return obj

    def __repr__(self) -> str:
        return f"Gaussian(dim={self.dim}, eigvals in [{self._eigvals[0]:.4g}, {self._eigvals[-1]:.4g}])"

    def eigh(self) -> tuple[np.ndarray, np.ndarray]:
        """``(eigvals ascending, eigvecs)`` of the covariance (computed once, at construction)."""
        return self._eigvals, self._eigvecs

    @property
    def is_positive_definite(self) -> bool:
        return bool(self._eigvals[0] > psd_tol(self._eigvals))

    def _require_pd(self) -> None:
        if not self.is_positive_definite:
            raise NotPSDError(
                f"the covariance is singular (smallest eigenvalue {self._eigvals[0]:.3g}); log_prob and "
                "the score need a positive-definite covariance: add eps * I or use noised(process, t > 0)"
            )

    def precision(self) -> np.ndarray:
        r""":math:`\Sigma^{-1}` (requires a positive-definite covariance)."""
        self._require_pd()
        return gaussian_precision(self._eigvals, self._eigvecs)

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        r"""``n`` draws :math:`\mu + V \Lambda^{1/2} z`, shape (n, d); works for singular covariances."""
        n = check_sample_args(n, rng)
        z = rng.standard_normal((n, self.dim))
        return self.mean + (z * np.sqrt(self._eigvals)) @ self._eigvecs.T

    def _derivs(self, x: np.ndarray, order: int) -> Derivatives:
        self._require_pd()
        n, d = x.shape
        out = [gaussian_log_prob(x, self.mean, self._eigvals, self._eigvecs)]
        if order >= 1:
            out.append(gaussian_score(x, self.mean, self._eigvals, self._eigvecs))
        if order >= 2:
            out.append(np.broadcast_to(-self.precision(), (n, d, d)).copy())
        if order >= 3:
            out.append(np.zeros((n, d, d, d)))
        return Derivatives(*out)

    def _dk(self, x: np.ndarray, k: int) -> np.ndarray:
        """Closed form (float64 is exact here): derivatives of order >= 3 vanish."""
        if k == 4:
            self._require_pd()
            return np.zeros((x.shape[0],) + (self.dim,) * 4)
        return super()._dk(x, k)

    def noised(self, process, t: float) -> Gaussian:
        r"""Law of :math:`m X_0 + \sigma Z`: :math:`N(m\mu, m^2 \Sigma + \sigma^2 I)`, same eigenvectors."""
        _, m, v = noise_coeffs(process, t)
        return Gaussian._from_eigh(m * self.mean, m * m * self._eigvals + v, self._eigvecs)


# ---------------------------------------------------------------------------------------------------
# Gaussian mixture
# ---------------------------------------------------------------------------------------------------


class GaussianMixture(Distribution):
    r"""Mixture :math:`p = \sum_k w_k N(\mu_k, \Sigma_k)` with full covariances.

    Derivatives of :math:`\log p` use log-sum-exp responsibilities
    (:func:`sgmverify.laws.mixture_derivatives`), so points far in the tails give finite values.

    Parameters
    ----------
    weights : (K,) array
        Non-negative, summing to one within ``WEIGHTS_TOL`` = 1e-9 (then renormalised exactly).
    means : (K, d) array
    covs : (K, d, d) array, or one (d, d) covariance shared by all components.
    """

    def __init__(self, weights, means, covs):
        weights = _validated_weights(weights)
        means = as_float_array(means, "means")
        if means.ndim != 2 or means.shape[0] != weights.shape[0]:
            raise ShapeError(f"means must have shape (K, d) = ({weights.shape[0]}, d); got {means.shape}")
        covs = as_float_array(covs, "covs")
        k, d = means.shape
        if covs.ndim == 2:
            covs = np.broadcast_to(covs, (k, *covs.shape))
        if covs.shape != (k, d, d):
            raise ShapeError(
                f"covs must have shape (K, d, d) = ({k}, {d}, {d}) or ({d}, {d}); got {covs.shape}"
            )
        comps = []
        for i in range(k):
            try:
                comps.append(Gaussian(means[i], covs[i]))
            except InvalidParameterError as exc:
                raise type(exc)(f"component {i}: {exc}") from None
        self._set(weights, comps)

    def _set(self, weights: np.ndarray, components: list[Gaussian]) -> None:
        self.weights = weights
        with np.errstate(divide="ignore"):
            self.log_weights = np.log(weights)
        self.components = components
        self.dim = components[0].dim
        self.means = np.stack([c.mean for c in components])
        self.covs = np.stack([c.cov for c in components])
        self._eigvals = np.stack([c.eigh()[0] for c in components])
        self._eigvecs = np.stack([c.eigh()[1] for c in components])

    def __repr__(self) -> str:
        return f"GaussianMixture(n_components={len(self.components)}, dim={self.dim})"

    @property
    def n_components(self) -> int:
        return len(self.components)

    @property
    def mean(self) -> np.ndarray:
        r"""Mean of the mixture, :math:`\sum_k w_k \mu_k`."""
        return self.weights @ self.means

    @property
    def cov(self) -> np.ndarray:
        r"""Mixture covariance :math:`\sum_k w_k (\Sigma_k + \mu_k\mu_k^\top) - \bar\mu\bar\mu^\top`."""
        centred = self.means - self.mean
        return np.einsum("k,kab->ab", self.weights, self.covs) + (centred.T * self.weights) @ centred

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` draws, shape (n, d): a component index from the weights, then that Gaussian."""
        n = check_sample_args(n, rng)
        labels = rng.choice(self.n_components, size=n, p=self.weights)
        out = np.empty((n, self.dim))
        for k, comp in enumerate(self.components):
            idx = np.flatnonzero(labels == k)
            out[idx] = comp.sample(idx.size, rng)
        return out

    def _derivs(self, x: np.ndarray, order: int) -> Derivatives:
        for k, comp in enumerate(self.components):
            if self.weights[k] > 0 and not comp.is_positive_definite:
                raise NotPSDError(
                    f"covariance of component {k} is singular (smallest eigenvalue {comp.eigh()[0][0]:.3g}); "
                    "log_prob and the score need positive-definite covariances (or use noised(process, t>0))"
                )
        keep = self.weights > 0
        return mixture_derivatives(
            x, self.log_weights[keep], self.means[keep], self._eigvals[keep], self._eigvecs[keep], order
        )

    def _dk(self, x: np.ndarray, k: int) -> np.ndarray:
        """Orders 0-3 from :func:`~sgmverify.laws.mixture_derivatives`, order 4 from
        :func:`~sgmverify.laws.mixture_fourth_derivative` (log-sum-exp responsibilities, float64)."""
        if k < 4:
            return super()._dk(x, k)
        self._derivs(x[:0], 0)  # the positive-definiteness checks
        keep = self.weights > 0
        return mixture_fourth_derivative(
            x, self.log_weights[keep], self.means[keep], self._eigvals[keep], self._eigvecs[keep]
        )

    def noised(self, process, t: float) -> GaussianMixture:
        r"""Law of :math:`m X_0 + \sigma Z`: :math:`\sum_k w_k N(m\mu_k, m^2\Sigma_k + \sigma^2 I)`."""
        comps = [c.noised(process, t) for c in self.components]
        obj = GaussianMixture.__new__(GaussianMixture)
        obj._set(self.weights, comps)
        return obj


def _validated_weights(weights) -> np.ndarray:
    try:
        w = np.array(weights, dtype=float)
    except (TypeError, ValueError) as exc:
        raise WeightsError(f"weights must be real numbers: {exc}") from None
    if w.ndim != 1 or w.size == 0:
        raise ShapeError(f"weights must be a non-empty 1-D array of shape (K,); got shape {w.shape}")
    if not np.all(np.isfinite(w)):
        raise WeightsError(f"weights contain NaN or infinite entries: {w}; pass finite probabilities")
    if np.any(w < 0):
        raise WeightsError(f"weights must be >= 0; got min {w.min():.6g}")
    if abs(w.sum() - 1.0) > WEIGHTS_TOL:
        raise WeightsError(f"weights must sum to 1 (tolerance {WEIGHTS_TOL}); they sum to {w.sum():.12g}")
    return w / w.sum()


# ---------------------------------------------------------------------------------------------------
# Product of independent blocks
# ---------------------------------------------------------------------------------------------------


class Product(Distribution):
    r"""Independent blocks :math:`p(x) = \prod_j p_j(x_{(j)})`, coordinates concatenated in order.

    .. math::

        \log p = \sum_j \log p_j, \qquad \nabla \log p = (\nabla \log p_1, \dots), \qquad
        \nabla^2 \log p, \; \nabla^3 \log p \text{ block-diagonal}.

    The forward noise is isotropic, so the noised law is the product of the noised blocks.

    Parameters
    ----------
    components : sequence of distributions (e.g. several :class:`Density1D`); ``dim`` is the sum.
    """

    def __init__(self, components: Sequence[Distribution]):
        comps = list(components)
        if not comps:
            raise InvalidParameterError("Product needs at least one component")
        for i, c in enumerate(comps):
            if not isinstance(c, Distribution):
                raise InvalidParameterError(
                    f"component {i} is a {type(c).__name__}, not an sgmverify distribution; wrap it in one"
                )
        self.components = comps
        self.dim = sum(c.dim for c in comps)
        self._slices = []
        start = 0
        for c in comps:
            self._slices.append(slice(start, start + c.dim))
            start += c.dim

    def __repr__(self) -> str:
        return f"Product({', '.join(repr(c) for c in self.components)})"

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` draws, shape (n, dim): each block drawn in turn from the same generator."""
        n = check_sample_args(n, rng)
        return np.concatenate([c.sample(n, rng) for c in self.components], axis=1)

    def _derivs(self, x: np.ndarray, order: int) -> Derivatives:
        n, d = x.shape
        out = [np.zeros(n), np.zeros((n, d)), np.zeros((n, d, d)), np.zeros((n, d, d, d))][: order + 1]
        for comp, sl in zip(self.components, self._slices):
            parts = comp._derivs(x[:, sl], order)
            out[0] += parts[0]
            if order >= 1:
                out[1][:, sl] = parts[1]
            if order >= 2:
                out[2][:, sl, sl] = parts[2]
            if order >= 3:
                out[3][:, sl, sl, sl] = parts[3]
        return Derivatives(*out)

    def _dk(self, x: np.ndarray, k: int) -> np.ndarray:
        """Sum of the blocks' log-densities (k = 0); block-diagonal tensors (k >= 1)."""
        n, d = x.shape
        out = np.zeros((n,) + (d,) * k)
        for comp, sl in zip(self.components, self._slices):
            part = comp._dk(x[:, sl], k)
            if k == 0:
                out += part
            else:
                out[(slice(None),) + (sl,) * k] = part
        return out

    def noised(self, process, t: float) -> Product:
        """Product of the noised components."""
        return Product([c.noised(process, t) for c in self.components])
