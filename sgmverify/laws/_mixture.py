r"""Gaussian mixtures :math:`p = \sum_k w_k N(\mu_k, \Sigma_k)` and their closed-form noised laws.

Under :math:`X_t = m(t)\, X_0 + \sigma(t)\, Z` a mixture stays a mixture,
:math:`\sum_k w_k N(m\mu_k, m^2\Sigma_k + \sigma^2 I)`.  Shape conventions and the law contract:
:mod:`sgmverify.laws._base`.
"""

from __future__ import annotations

import numpy as np

from sgmverify.errors import InvalidParameterError, NotPSDError, ShapeError

from ._base import Distribution, _validated_weights, as_float_array, check_dense_size, check_sample_args
from ._gaussian import Gaussian
from ._mixture_derivatives import mixture_derivatives, mixture_fourth_derivative, refine_mixture_derivative
from ._scores import Derivatives

__all__ = ["GaussianMixture"]


class GaussianMixture(Distribution):
    r"""Mixture :math:`p = \sum_k w_k N(\mu_k, \Sigma_k)` with full covariances.

    Derivatives of :math:`\log p` use log-sum-exp responsibilities
    (:func:`sgmverify.laws.mixture_derivatives`), so points far in the tails give finite values.  The third
    and fourth derivatives carry an error estimate; where float64 cancels (nearly Gaussian mixtures, far
    tails) they are recomputed in mpmath (:mod:`sgmverify.laws._mixture_derivatives`), to about 1e-9
    relative.

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
        check_dense_size((k, d, d), f"the covariances of {k} components in dimension {d}")
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
        n = check_sample_args(n, rng, self.dim)
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
        parts = (self.log_weights[keep], self.means[keep], self._eigvals[keep], self._eigvecs[keep])
        out = mixture_derivatives(x, *parts, order)
        if order == 3:
            out = out._replace(hessian=refine_mixture_derivative(x, out.hessian, *parts, 3))
        return out

    def _dk(self, x: np.ndarray, k: int) -> np.ndarray:
        """Orders 0-3 from :func:`~sgmverify.laws.mixture_derivatives`, order 4 from
        :func:`~sgmverify.laws.mixture_fourth_derivative` (log-sum-exp responsibilities, float64); orders 3
        and 4 are recomputed in mpmath at the points where float64 cancels (:mod:`._mixture_derivatives`)."""
        if k < 4:
            return super()._dk(x, k)
        self._derivs(x[:0], 0)  # the positive-definiteness checks
        keep = self.weights > 0
        parts = (self.log_weights[keep], self.means[keep], self._eigvals[keep], self._eigvecs[keep])
        return refine_mixture_derivative(x, mixture_fourth_derivative(x, *parts), *parts, 4)

    def noised(self, process, t: float) -> GaussianMixture:
        r"""Law of :math:`m X_0 + \sigma Z`: :math:`\sum_k w_k N(m\mu_k, m^2\Sigma_k + \sigma^2 I)`."""
        comps = [c.noised(process, t) for c in self.components]
        obj = GaussianMixture.__new__(GaussianMixture)
        obj._set(self.weights, comps)
        return obj
