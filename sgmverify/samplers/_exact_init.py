r"""Start laws and score errors of the exact Gaussian sampler laws, in the data's eigenbasis :math:`U`.

Everything is expressed in the coordinates :math:`y = U^\top x` of :mod:`._gaussian_exact`.  A matrix
:math:`C` (a start covariance, a score-error matrix :math:`E_t`) is used in the form :math:`U^\top C U`; when
that is diagonal the recursion stays on vectors (:math:`O(Kd)`), otherwise it carries :math:`d\times d`
matrices.  "Diagonal" means, to the stated relative tolerance :data:`DIAG_RTOL`,

.. math:: \max_{i\ne j} |(U^\top C U)_{ij}| \le \mathtt{DIAG\_RTOL}\cdot \max_{i,j} |(U^\top C U)_{ij}|,

and the dropped off-diagonal entries then perturb the law by at most that relative amount.  A multiple of
the identity is diagonal in every basis and is recognised exactly (no rounding from :math:`U^\top C U`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from sgmverify.errors import InvalidParameterError, InvalidTypeError, ShapeError, UnknownNameError
from sgmverify.laws import EigenGaussian, Gaussian

from ._checks import real_array

__all__ = ["DIAG_RTOL", "check_init", "eigen_form", "resolve_init", "score_terms"]

DIAG_RTOL = 1e-10
"""Relative size of the off-diagonal entries of :math:`U^\\top C U` below which :math:`C` counts as
diagonal in the data's eigenbasis (round-off of :math:`U^\\top C U` is about :math:`d\\,\\epsilon\\,\\lVert C
\\rVert`, 2e-13 relative at d = 1000)."""


def _isotropic(c: np.ndarray) -> float | None:
    """``s`` when the square matrix ``c`` equals ``s I`` exactly, else None."""
    diag = np.diag(c)
    if np.all(diag == diag[0]) and not np.any(c - np.diag(diag)):
        return float(diag[0])
    return None


def eigen_form(ct: np.ndarray) -> tuple[np.ndarray, bool]:
    """``(diag(ct), True)`` when the (d, d) matrix ``ct`` is diagonal to :data:`DIAG_RTOL`, else
    ``(ct, False)``."""
    off = ct - np.diag(np.diag(ct))
    scale = float(np.max(np.abs(ct))) if ct.size else 0.0
    if float(np.max(np.abs(off))) <= DIAG_RTOL * scale:
        return np.diag(ct).copy(), True
    return ct, False


def check_init(init: Any) -> None:
    """Refuse an unknown init name (UnknownNameError) or an init of the wrong type (InvalidTypeError)."""
    if isinstance(init, str):
        if init not in ("prior", "exact"):
            raise UnknownNameError(
                f"unknown init {init!r}; choose 'prior' (N(0, sigma_T^2 I)), 'exact' (p_T), or pass a "
                "sgmverify.laws.Gaussian / EigenGaussian start law such as Gaussian(np.zeros(d), np.eye(d))."
            )
    elif not isinstance(init, Gaussian | EigenGaussian):
        raise InvalidTypeError(
            f"init must be 'prior', 'exact', a sgmverify.laws.Gaussian or an EigenGaussian, got "
            f"{type(init).__name__} {init!r:.60}."
        )


def resolve_init(init: Any, process: Any, T: float, lam: np.ndarray, U: np.ndarray, nu: np.ndarray):
    r"""The start law in eigen-coordinates: ``(M0, V0, C0)`` with exactly one of ``V0`` (variances, the law
    is diagonal in :math:`U`) and ``C0`` (a :math:`d\times d` covariance) not None.

    ``"prior"``: :math:`N(0, \sigma_T^2 I)`; ``"exact"``: :math:`p_T = N(m_T\nu, m_T^2\lambda + \sigma_T^2)`;
    a :class:`~sgmverify.laws.Gaussian` :math:`N(a, C)`: :math:`(U^\top a, U^\top C U)`; an
    :class:`~sgmverify.laws.EigenGaussian` with basis :math:`B`:
    :math:`(U^\top B a, W\,\mathrm{diag}(v)W^\top)` with :math:`W = U^\top B`
    (:math:`v` unchanged when :math:`B = U` or :math:`v` is constant).
    """
    d = lam.size
    check_init(init)
    if isinstance(init, str):
        mT, vT = float(process.mean_coeff(T)), float(process.var(T))
        if init == "prior":
            return np.zeros_like(nu), np.full_like(lam, vT), None
        return mT * nu, mT**2 * lam + vT, None
    if init.dim != d:
        raise ShapeError(f"the init law has dimension {init.dim} but the data have dimension {d}.")
    if isinstance(init, Gaussian):
        mean, cov = U.T @ np.asarray(init.mean, dtype=float), np.asarray(init.cov, dtype=float)
        iso = _isotropic(cov)
        if iso is not None:
            return mean, np.full_like(lam, iso), None
        ct = U.T @ cov @ U
    else:
        var, B = init.var, init.basis
        W = U.T if B is None else (None if B is U or np.array_equal(B, U) else U.T @ B)
        mean = init.mean.copy() if W is None else W @ init.mean
        if W is None or np.all(var == var[0]):
            return mean, var.copy(), None
        ct = (W * var) @ W.T
    form, diagonal = eigen_form(0.5 * (ct + ct.T))
    return (mean, np.maximum(form, 0.0), None) if diagonal else (mean, None, form)


def _matrix_form(value: Any, U: np.ndarray, what: str) -> np.ndarray:
    """A score-error matrix in eigen-coordinates: shape (d,) when diagonal there, else (d, d)."""
    d = U.shape[0]
    e = real_array(value, what)
    if not np.all(np.isfinite(e)):
        raise InvalidParameterError(f"{what} contains NaN or inf.")
    if e.ndim == 0:
        return np.full(d, float(e))
    if e.shape == (d,):
        return e
    if e.shape == (d, d):
        iso = _isotropic(e)
        if iso is not None:
            return np.full(d, iso)
        form, _ = eigen_form(U.T @ e @ U)
        return form
    raise ShapeError(
        f"{what} must be a scalar, a ({d},) vector (diagonal in the data's eigenbasis) or a ({d}, {d}) "
        f"matrix, got shape {e.shape}."
    )


def _bias_vector(value: Any, d: int, what: str) -> np.ndarray:
    b = real_array(value, what)
    if b.shape != (d,):
        raise ShapeError(f"{what} must be a constant vector of shape {(d,)}, got {b.shape}.")
    if not np.all(np.isfinite(b)):
        raise InvalidParameterError(f"{what} contains NaN or inf.")
    return b


def _per_time(fn: Callable, tau: np.ndarray, convert: Callable[[Any, str], np.ndarray]) -> list[np.ndarray]:
    """``convert(fn(t))`` for each time of ``tau`` (each distinct time evaluated once)."""
    times, inverse = np.unique(tau, return_inverse=True)
    values = []
    for t in times:
        t = float(t)
        values.append(convert(fn(t), f"the value at t={t:.6g}"))
    return [values[i] for i in inverse.reshape(-1)]


def score_terms(score_bias: Any, score_matrix: Any, U: np.ndarray):
    r"""``(terms, full)``: the function ``tau -> (E, beta)`` of :mod:`._exact_steps` and whether a constant
    ``score_matrix`` already forces the full path.

    The score used is :math:`s_t(x) + E_t x + b_t`; in eigen-coordinates :math:`\tilde E_t = U^\top E_t U`
    (a vector when diagonal) and :math:`\beta_t = U^\top b_t`.  ``score_bias`` is None, a (d,) vector or a
    callable ``t -> (d,)``; ``score_matrix`` is None, a scalar, a (d,) vector (the diagonal of
    :math:`\tilde E`, i.e. :math:`E = U\,\mathrm{diag}(e)\,U^\top`), a (d, d) matrix :math:`E` in the data's
    coordinates, or a callable of ``t`` returning one of those.  Callables are evaluated once per distinct
    time at which a scheme evaluates the score (``K`` times for EM/EI, up to 4K for RK4).
    """
    d = U.shape[0]
    if score_bias is None:
        zero = np.zeros(d)
        bias: Callable[[np.ndarray], np.ndarray] = lambda tau: zero  # noqa: E731
    elif callable(score_bias):

        def bias(tau: np.ndarray) -> np.ndarray:
            rows = _per_time(score_bias, tau, lambda v, w: _bias_vector(v, d, f"score_bias(t): {w}"))
            return np.stack(rows) @ U

    else:
        beta = U.T @ _bias_vector(score_bias, d, "score_bias")
        bias = lambda tau: beta  # noqa: E731
    if score_matrix is None:
        return (lambda tau: (None, bias(tau))), False
    if callable(score_matrix):

        def terms(tau: np.ndarray):
            forms = _per_time(score_matrix, tau, lambda v, w: _matrix_form(v, U, f"score_matrix(t): {w}"))
            if all(f.ndim == 1 for f in forms):
                return np.stack(forms), bias(tau)
            return np.stack([np.diag(f) if f.ndim == 1 else f for f in forms]), bias(tau)

        return terms, False
    form = _matrix_form(score_matrix, U, "score_matrix")
    return (lambda tau: (np.broadcast_to(form, (tau.size, *form.shape)), bias(tau))), form.ndim == 2
