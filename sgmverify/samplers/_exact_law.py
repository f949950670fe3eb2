r"""The exact output law of a sampler on Gaussian data, in the data's eigenbasis: :class:`EigenLaw`.

The law is :math:`N(U M,\; U C\, U^\top)` with :math:`U` the data's eigenvectors and, in the common case,
:math:`C = \mathrm{diag}(V)` (no :math:`d\times d` matrix is kept); when the start law or the score error is
not diagonal in :math:`U` the covariance :math:`C` in eigen-coordinates is a full matrix (field ``cov``).
The reference law (the data, or the forward marginal at ``t_min``) is always :math:`N(U\nu, U\,
\mathrm{diag}(\lambda)\,U^\top)`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sgmverify.laws import EigenGaussian, Gaussian

__all__ = ["EigenLaw"]


@dataclass(frozen=True)
class EigenLaw:
    """A sampler's output law :math:`N(U M, U\\,C\\,U^\\top)` in the data's eigenbasis.

    Attributes
    ----------
    mean, var : ndarray, shape (d,)
        :math:`M` and the variances along the eigenvectors, :math:`V = \\mathrm{diag}(C)`.
    eigvecs : ndarray, shape (d, d)
        :math:`U` (columns), from ``data.eigh()``.
    ref_mean, ref_var : ndarray, shape (d,)
        Mean and variances of the reference law (data, or the marginal at ``t_min``) in the same basis.
    cov : ndarray, shape (d, d), or None
        :math:`C` when it is not diagonal (a start law or a score error not diagonal in :math:`U`); None
        when :math:`C = \\mathrm{diag}(V)`.
    """

    mean: np.ndarray
    var: np.ndarray
    eigvecs: np.ndarray
    ref_mean: np.ndarray
    ref_var: np.ndarray
    cov: np.ndarray | None = None

    @property
    def is_diagonal(self) -> bool:
        """True when the output covariance is diagonal in the data's eigenbasis (``cov is None``)."""
        return self.cov is None

    def to_gaussian(self) -> Gaussian:
        """The output law as a :class:`~sgmverify.laws.Gaussian` (forms the d×d covariance)."""
        U = self.eigvecs
        cov = (U * self.var) @ U.T if self.cov is None else U @ self.cov @ U.T
        return Gaussian(U @ self.mean, 0.5 * (cov + cov.T))

    def output(self) -> EigenGaussian | Gaussian:
        """The output law: an :class:`~sgmverify.laws.EigenGaussian` with ``basis`` :math:`U` when it is
        diagonal in the data's eigenbasis, else a dense :class:`~sgmverify.laws.Gaussian`
        (:meth:`to_gaussian`)."""
        if self.cov is None:
            return EigenGaussian(self.mean, self.var, self.eigvecs)
        return self.to_gaussian()

    def as_eigen_gaussian(self) -> EigenGaussian | Gaussian:
        """Same as :meth:`output` (the hook read by :func:`sgmverify.metrics.kl_divergence` and friends)."""
        return self.output()

    def reference(self) -> EigenGaussian:
        """The reference law :math:`N(U\\nu, U\\,\\mathrm{diag}(\\lambda)\\,U^\\top)` as an
        :class:`~sgmverify.laws.EigenGaussian` with ``basis`` :math:`U`."""
        return EigenGaussian(self.ref_mean, self.ref_var, self.eigvecs)

    def w2_squared(self) -> float:
        r"""Squared W2 to the reference law.  When both share the eigenbasis :math:`U`,

        .. math:: W_2^2 = \lVert M - \nu\rVert^2 + \sum_i \big(\sqrt{V_i} - \sqrt{\lambda_i}\big)^2,

        with the square-root difference taken as :math:`(V - \lambda)/(\sqrt V + \sqrt\lambda)` (no
        cancellation when the law is close to the reference).  For a full :math:`C` the Bures formula in
        eigen-coordinates (Givens–Shortt 1984, "A class of Wasserstein metrics for probability
        distributions", Michigan Math. J. 31),

        .. math:: W_2^2 = \lVert M - \nu\rVert^2 + \operatorname{tr} C + \sum_i\lambda_i
                  - 2\operatorname{tr}\big(\Lambda^{1/2} C \Lambda^{1/2}\big)^{1/2}.
        """
        mean_part = float(np.sum((self.mean - self.ref_mean) ** 2))
        if self.cov is not None:
            r = np.sqrt(self.ref_var)
            inner = r[:, None] * self.cov * r[None, :]
            ev = np.linalg.eigvalsh(0.5 * (inner + inner.T))
            cross = float(np.sum(np.sqrt(np.maximum(ev, 0.0))))
            return mean_part + float(np.trace(self.cov) + np.sum(self.ref_var)) - 2.0 * cross
        den = np.sqrt(self.var) + np.sqrt(self.ref_var)
        diff = np.divide(self.var - self.ref_var, den, out=np.zeros_like(den), where=den > 0)
        return float(mean_part + np.sum(diff**2))
