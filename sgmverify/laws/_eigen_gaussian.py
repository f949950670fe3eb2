r"""A Gaussian given in an orthonormal eigenbasis: :class:`EigenGaussian`.

.. math:: N\big(U\,\mu_U,\; U\,\mathrm{diag}(v)\,U^\top\big),

with :math:`U` orthogonal (``basis``) or the identity (``basis=None``: a diagonal Gaussian of any dimension,
no :math:`d\times d` matrix is ever formed).  It is the common currency of the exact sampler laws
(:mod:`sgmverify.samplers`) and the divergences (:mod:`sgmverify.metrics`): two laws that share a basis are
compared coordinate by coordinate in :math:`O(d)`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sgmverify.errors import InvalidParameterError, InvalidTypeError, ShapeError

from ._base import as_float_array
from ._gaussian import Gaussian

__all__ = ["EigenGaussian"]


@dataclass(frozen=True, eq=False)
class EigenGaussian:
    r"""The Gaussian :math:`N(U\,\mathrm{mean},\; U\,\mathrm{diag}(\mathrm{var})\,U^\top)`.

    Parameters
    ----------
    mean : array, shape (d,)
        Mean in the eigen-coordinates :math:`y = U^\top x`.
    var : array, shape (d,)
        Variances (eigenvalues of the covariance), all :math:`\ge 0`.
    basis : array, shape (d, d), optional
        :math:`U`, orthonormal columns; ``None`` means the identity (the law is diagonal in the
        standard basis).

    Raises
    ------
    ShapeError
        When the shapes disagree.
    InvalidParameterError
        For a non-finite entry or a negative variance.
    """

    mean: np.ndarray
    var: np.ndarray
    basis: np.ndarray | None = None

    def __post_init__(self) -> None:
        mean = as_float_array(self.mean, "mean").reshape(-1)
        var = as_float_array(self.var, "var").reshape(-1)
        if mean.shape != var.shape or mean.size == 0:
            raise ShapeError(
                f"mean and var must be 1-D of the same length d >= 1, got {mean.shape}, {var.shape}."
            )
        if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(var))):
            raise InvalidParameterError("EigenGaussian mean and var must be finite (found NaN or inf).")
        if np.any(var < 0):
            raise InvalidParameterError(
                f"EigenGaussian variances must be >= 0, got min {float(var.min()):.4g}; "
                "clip round-off negatives of a PSD matrix before building the law."
            )
        basis = self.basis
        if basis is not None:
            basis = as_float_array(basis, "basis")
            if basis.shape != (mean.size, mean.size):
                raise ShapeError(f"basis must be a ({mean.size}, {mean.size}) matrix, got {basis.shape}.")
        object.__setattr__(self, "mean", mean)
        object.__setattr__(self, "var", var)
        object.__setattr__(self, "basis", basis)

    @property
    def dim(self) -> int:
        """The dimension d."""
        return int(self.mean.size)

    @classmethod
    def from_gaussian(cls, g: Gaussian) -> EigenGaussian:
        """The same law in the eigenbasis of its covariance (``g.eigh()``, cached by :class:`Gaussian`)."""
        if isinstance(g, EigenGaussian):
            return g
        if not isinstance(g, Gaussian):
            raise InvalidTypeError(f"expected a Gaussian, got {type(g).__name__}.")
        lam, U = g.eigh()
        U = np.asarray(U, dtype=float)
        return cls(U.T @ np.asarray(g.mean, dtype=float), np.maximum(np.asarray(lam, dtype=float), 0.0), U)

    def to_gaussian(self) -> Gaussian:
        """The law as a dense :class:`Gaussian` (forms the :math:`d\\times d` covariance)."""
        if self.basis is None:
            return Gaussian(self.mean.copy(), np.diag(self.var))
        U = self.basis
        cov = (U * self.var) @ U.T
        return Gaussian(U @ self.mean, 0.5 * (cov + cov.T))

    def shares_basis(self, other: EigenGaussian) -> bool:
        """True when both laws are diagonal in the same basis (the same array, or equal entries)."""
        a, b = self.basis, other.basis
        if a is None or b is None:
            return a is None and b is None
        return a is b or (a.shape == b.shape and np.array_equal(a, b))

    def __repr__(self) -> str:
        where = "diagonal" if self.basis is None else "in a given eigenbasis"
        return (
            f"EigenGaussian(dim={self.dim}, {where}, var in [{float(self.var.min()):.4g}, "
            f"{float(self.var.max()):.4g}])"
        )
