r"""The multivariate normal law :math:`N(\mu, \Sigma)` and its closed-form noised law.

Under :math:`X_t = m(t)\, X_0 + \sigma(t)\, Z` a Gaussian stays Gaussian,
:math:`N(m\mu, m^2\Sigma + \sigma^2 I)`, with the same eigenvectors (Song et al., ICLR 2021, eq. (29)).
Shape conventions and the law contract: :mod:`sgmverify.laws._base`.
"""

from __future__ import annotations

import numpy as np

from sgmverify.errors import NotPSDError, ShapeError

from ._base import Distribution, as_float_array, check_sample_args, noise_coeffs, psd_tol, validated_cov
from ._scores import Derivatives, gaussian_log_prob, gaussian_precision, gaussian_score

__all__ = ["Gaussian"]


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
        if mean.ndim != 1 or mean.shape[0] == 0:
            raise ShapeError(
                f"mean must be a 1-D array of shape (d,) with d >= 1, got shape {mean.shape}; "
                "pass e.g. mean=[0.0] for a 1-D law"
            )
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
        n = check_sample_args(n, rng, self.dim)
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
