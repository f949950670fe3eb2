r"""Distances between Gaussian laws in closed form (no Monte Carlo error).

Names say what a number is: ``w2_*`` returns the 2-Wasserstein distance :math:`W_2` itself,
``w2_squared_*`` its square :math:`W_2^2`.

Closed forms
    :func:`w2_gaussian`, :func:`w2_squared_gaussian` (Bures–Wasserstein formula [1]_, [2]_),
    :func:`w2_gaussian_commuting`, :func:`w2_squared_gaussian_commuting` (covariances that commute,
    e.g. both diagonal or both functions of one data covariance), :func:`kl_gaussian`.

The sample-based distances :func:`~sgmverify.metrics.w2_empirical`,
:func:`~sgmverify.metrics.w2_1d_quantile` and :func:`~sgmverify.metrics.sliced_w2` live in
:mod:`sgmverify.metrics._empirical` (both are exported by :mod:`sgmverify.metrics`).

Covariances are validated: they must be finite, symmetric and positive semi-definite up to a relative
tolerance ``rtol`` (default ``1e-10``); eigenvalues in ``[-rtol * max|eig|, 0)`` are round-off and are
clamped to zero.  Matrix square roots are symmetric ones computed with :func:`numpy.linalg.eigh` (never
``scipy.linalg.sqrtm``, which is slower and may return complex round-off for PSD input).

References
----------
.. [1] Givens, C. R., & Shortt, R. M. (1984). A class of Wasserstein metrics for probability
   distributions. Michigan Mathematical Journal, 31(2), 231–240.
.. [2] Dowson, D. C., & Landau, B. V. (1982). The Fréchet distance between multivariate normal
   distributions. Journal of Multivariate Analysis, 12(3), 450–455.
.. [3] Bhatia, R., Jain, T., & Lim, Y. (2019). On the Bures–Wasserstein distance between positive
   definite matrices. Expositiones Mathematicae, 37(2), 165–191.
"""

from __future__ import annotations

import math

import numpy as np

from sgmverify.errors import InvalidParameterError, NotPSDError, ShapeError

from ._checks import finite_array, finite_result, real_number

__all__ = [
    "kl_gaussian",
    "w2_gaussian",
    "w2_gaussian_commuting",
    "w2_squared_gaussian",
    "w2_squared_gaussian_commuting",
]

#: Default relative tolerance for symmetry / positive semi-definiteness of covariances.
PSD_RTOL = 1e-10


# ----------------------------------------------------------------------------------------------------
# validation helpers
# ----------------------------------------------------------------------------------------------------


_finite_array = finite_array


def _mean(m: object, name: str) -> np.ndarray:
    mean = _finite_array(m, f"mean {name}")
    if mean.ndim == 0:
        mean = mean.reshape(1)
    if mean.ndim != 1:
        raise ShapeError(
            f"mean {name} must be a scalar or a 1-D array of shape (d,), got shape {mean.shape}."
        )
    return mean


def _mean_cov(m: object, S: object, mname: str, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Validate a Gaussian's mean and covariance; return them as float arrays of shape (d,), (d, d)."""
    mean = _mean(m, mname)
    cov = _finite_array(S, f"covariance {name}")
    if cov.ndim == 0 or (cov.ndim == 1 and cov.size == 1):
        cov = cov.reshape(1, 1)
    elif cov.ndim == 1:
        raise ShapeError(
            f"covariance {name} is a 1-D array of length {cov.size}; pass a (d, d) matrix "
            "(np.diag(v) for a diagonal covariance), or use w2_gaussian_commuting, which accepts "
            "variance vectors."
        )
    elif cov.ndim != 2 or cov.shape[0] != cov.shape[1]:
        raise ShapeError(f"covariance {name} must be a square (d, d) matrix, got shape {cov.shape}.")
    if mean.shape[0] != cov.shape[0]:
        raise ShapeError(
            f"mean {mname} has dimension {mean.shape[0]} but covariance {name} is "
            f"{cov.shape[0]}x{cov.shape[1]}; they must agree."
        )
    return mean, cov


def _same_dim(m1: np.ndarray, m2: np.ndarray) -> None:
    if m1.shape != m2.shape:
        raise ShapeError(
            f"the two Gaussians live in different dimensions ({m1.shape[0]} and {m2.shape[0]}); "
            "W2 / KL need laws on the same space."
        )


def _check_rtol(rtol: float, name: str = "rtol") -> None:
    r = real_number(rtol, name)
    if not (math.isfinite(r) and 0 <= r < 1):
        raise InvalidParameterError(f"{name} must lie in [0, 1), got {rtol}.")


def _psd_eigh(S: np.ndarray, name: str, rtol: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Check symmetry and PSD of ``S``; return (symmetrised S, clamped eigenvalues, eigenvectors)."""
    scale = float(np.max(np.abs(S))) if S.size else 0.0
    asym = float(np.max(np.abs(S - S.T))) if S.size else 0.0
    if asym > rtol * scale:
        raise NotPSDError(
            f"covariance {name} is not symmetric: max|S - S.T| = {asym:.3g} (relative {asym / scale:.3g} "
            f"> rtol = {rtol:g}). If the asymmetry is round-off, symmetrise it first: S = (S + S.T) / 2."
        )
    S = 0.5 * S + 0.5 * S.T  # (no overflow near the float64 limit)
    try:
        w, V = np.linalg.eigh(S)
    except np.linalg.LinAlgError:
        raise InvalidParameterError(f"covariance {name} is too large for float64; rescale it.") from None
    tol = rtol * float(np.max(np.abs(w))) if w.size else 0.0
    if w.size and w[0] < -tol:
        raise NotPSDError(
            f"covariance {name} is not positive semi-definite: smallest eigenvalue {w[0]:.6g} "
            f"(largest {w[-1]:.6g}; tolerance {-tol:.3g}). A covariance must have eigenvalues >= 0; if this "
            "comes from round-off, symmetrise with S = (S + S.T) / 2 and clip the eigenvalues at 0 "
            "(or add a small jitter eps * I)."
        )
    return S, np.clip(w, 0.0, None), V


def _sqrtm_psd(w: np.ndarray, V: np.ndarray) -> np.ndarray:
    """Symmetric PSD square root ``V diag(sqrt w) V^T`` from an eigendecomposition."""
    R = (V * np.sqrt(w)) @ V.T
    return 0.5 * (R + R.T)


def _is_diagonal(S: np.ndarray) -> bool:
    return not np.any(S[~np.eye(S.shape[0], dtype=bool)])


# ----------------------------------------------------------------------------------------------------
# Gaussian closed forms
# ----------------------------------------------------------------------------------------------------


def w2_squared_gaussian(m1: object, S1: object, m2: object, S2: object, *, rtol: float = PSD_RTOL) -> float:
    r"""Squared 2-Wasserstein distance between :math:`N(m_1, S_1)` and :math:`N(m_2, S_2)`.

    Bures–Wasserstein formula (Givens & Shortt 1984 [1]_, Dowson & Landau 1982 [2]_):

    .. math::
        W_2^2 = \lVert m_1 - m_2 \rVert^2 + \operatorname{tr} S_1 + \operatorname{tr} S_2
                - 2 \operatorname{tr}\bigl(S_1^{1/2} S_2 S_1^{1/2}\bigr)^{1/2}.

    It is evaluated in the equivalent Procrustes form (Bhatia, Jain & Lim 2019 [3]_, Thm. 1)

    .. math::
        \operatorname{tr} S_1 + \operatorname{tr} S_2 - 2 \operatorname{tr}\bigl(S_1^{1/2} S_2
        S_1^{1/2}\bigr)^{1/2} = \min_{U U^\top = I} \lVert S_1^{1/2} - S_2^{1/2} U \rVert_F^2,
        \qquad U = Q P^\top \text{ where } S_1^{1/2} S_2^{1/2} = P \Sigma Q^\top,

    because :math:`\operatorname{tr}(S_1^{1/2} S_2 S_1^{1/2})^{1/2} = \lVert S_1^{1/2} S_2^{1/2}
    \rVert_*` (nuclear norm).  The Frobenius norm of a difference has no cancellation, so nearly equal
    laws give a distance accurate to round-off instead of the :math:`\sqrt{\varepsilon}` error
    (about 1e-8) left by subtracting the traces.  Square roots are symmetric ones from
    :func:`numpy.linalg.eigh`, with round-off eigenvalues clamped to 0.  When both covariances are
    diagonal, the closed form :math:`\sum_i (\sqrt{a_i} - \sqrt{b_i})^2` is used.

    Parameters
    ----------
    m1, m2 : array_like, shape (d,) or scalar
        Means.  Scalars (d = 1) are accepted.
    S1, S2 : array_like, shape (d, d), or scalar / shape (1,) for d = 1
        Covariances (a scalar is a variance, not a standard deviation).
    rtol : float, optional
        Relative tolerance for symmetry and for negative round-off eigenvalues (clamped to 0).

    Returns
    -------
    float
        :math:`W_2^2 \ge 0`.

    Raises
    ------
    ShapeError
        Shapes do not fit (non-square covariance, mean/covariance or the two dimensions disagree).
    NotPSDError
        A covariance is not symmetric or has an eigenvalue below ``-rtol * max|eig|``.
    InvalidParameterError
        NaN or inf in the input.
    """
    _check_rtol(rtol)
    m1, S1 = _mean_cov(m1, S1, "m1", "S1")
    m2, S2 = _mean_cov(m2, S2, "m2", "S2")
    _same_dim(m1, m2)
    with np.errstate(over="ignore", invalid="ignore"):
        mean_part = float(np.sum((m1 - m2) ** 2))
        S1, w1, V1 = _psd_eigh(S1, "S1", rtol)
        S2, w2, V2 = _psd_eigh(S2, "S2", rtol)
        if _is_diagonal(S1) and _is_diagonal(S2):
            a = np.clip(np.diag(S1), 0.0, None)
            b = np.clip(np.diag(S2), 0.0, None)
            return finite_result(mean_part + float(np.sum((np.sqrt(a) - np.sqrt(b)) ** 2)), "W2^2")
        A = _sqrtm_psd(w1, V1)
        B = _sqrtm_psd(w2, V2)
        try:
            P, _, Qt = np.linalg.svd(A @ B)
        except np.linalg.LinAlgError:  # non-finite entries: the covariances overflow float64
            return finite_result(math.inf, "W2^2")
        U = Qt.T @ P.T
        bures_sq = float(np.sum((A - B @ U) ** 2))
    return max(0.0, finite_result(mean_part + bures_sq, "W2^2"))


def w2_gaussian(m1: object, S1: object, m2: object, S2: object, *, rtol: float = PSD_RTOL) -> float:
    r"""2-Wasserstein distance (not squared) between :math:`N(m_1, S_1)` and :math:`N(m_2, S_2)`.

    .. math::
        W_2 = \Bigl(\lVert m_1 - m_2 \rVert^2 + \operatorname{tr} S_1 + \operatorname{tr} S_2
              - 2 \operatorname{tr}\bigl(S_1^{1/2} S_2 S_1^{1/2}\bigr)^{1/2}\Bigr)^{1/2}

    See :func:`w2_squared_gaussian` for the evaluation, parameters and errors (Givens & Shortt 1984 [1]_).
    In d = 1 this is :math:`\sqrt{(m_1 - m_2)^2 + (s_1 - s_2)^2}` with standard deviations :math:`s_i`.
    """
    return math.sqrt(w2_squared_gaussian(m1, S1, m2, S2, rtol=rtol))


def _commuting_cov(S: object, name: str, d: int, rtol: float) -> tuple[np.ndarray, np.ndarray]:
    """(covariance, square root) on the commuting path: both (d,) for a variance vector, else (d, d)."""
    cov = _finite_array(S, f"covariance {name}")
    if cov.ndim == 0:
        cov = cov.reshape(1)
    if cov.ndim == 1:
        if cov.shape[0] != d:
            raise ShapeError(f"variance vector {name} has length {cov.shape[0]}, expected d = {d}.")
        tol = rtol * float(np.max(np.abs(cov)))
        if cov.min() < -tol:
            raise NotPSDError(
                f"variance vector {name} has a negative entry {cov.min():.6g}; variances must be >= 0."
            )
        return cov, np.sqrt(np.clip(cov, 0.0, None))
    if cov.ndim != 2 or cov.shape != (d, d):
        raise ShapeError(f"covariance {name} must have shape ({d},) or ({d}, {d}), got {cov.shape}.")
    cov, w, V = _psd_eigh(cov, name, rtol)
    return cov, _sqrtm_psd(w, V)


def w2_squared_gaussian_commuting(
    m1: object, S1: object, m2: object, S2: object, *, rtol: float = PSD_RTOL, commute_rtol: float = 1e-8
) -> float:
    r"""Squared W2 between Gaussians whose covariances commute (fast path, no cancellation).

    When :math:`S_1 S_2 = S_2 S_1` the two matrices share an eigenbasis, and with eigenvalues
    :math:`a_i, b_i` in that basis (Givens & Shortt 1984 [1]_)

    .. math::
        W_2^2 = \lVert m_1 - m_2 \rVert^2 + \lVert S_1^{1/2} - S_2^{1/2} \rVert_F^2
              = \lVert m_1 - m_2 \rVert^2 + \sum_i \bigl(\sqrt{a_i} - \sqrt{b_i}\bigr)^2 .

    Typical use: laws computed in the eigenbasis of one data covariance (``gaussian_exact``), passed as
    variance vectors (O(d) cost, no eigendecomposition).

    Parameters
    ----------
    m1, m2 : array_like, shape (d,) or scalar
        Means.
    S1, S2 : array_like, shape (d,) or (d, d)
        Each either a vector of variances (a diagonal covariance) or a covariance matrix; the two
        covariances must commute.
    rtol : float, optional
        Tolerance for symmetry / negative round-off eigenvalues, as in :func:`w2_squared_gaussian`.
    commute_rtol : float, optional
        Matrices are accepted when :math:`\lVert S_1 S_2 - S_2 S_1 \rVert_F \le` ``commute_rtol``
        :math:`\cdot \lVert S_1 \rVert_F \lVert S_2 \rVert_F`.

    Raises
    ------
    InvalidParameterError
        The covariances do not commute (use :func:`w2_squared_gaussian`), or NaN / inf in the input.
    ShapeError, NotPSDError
        As in :func:`w2_squared_gaussian`.
    """
    _check_rtol(rtol)
    commute_rtol = real_number(commute_rtol, "commute_rtol")
    if not (math.isfinite(commute_rtol) and commute_rtol >= 0):
        raise InvalidParameterError(f"commute_rtol must be finite and >= 0, got {commute_rtol}.")
    mean1, mean2 = _mean(m1, "m1"), _mean(m2, "m2")
    _same_dim(mean1, mean2)
    d = mean1.shape[0]
    with np.errstate(over="ignore", invalid="ignore"):
        C1, R1 = _commuting_cov(S1, "S1", d, rtol)
        C2, R2 = _commuting_cov(S2, "S2", d, rtol)
        mean_part = float(np.sum((mean1 - mean2) ** 2))
        if C1.ndim == 1 and C2.ndim == 1:
            return finite_result(mean_part + float(np.sum((R1 - R2) ** 2)), "W2^2")
        C1, R1 = (np.diag(C1), np.diag(R1)) if C1.ndim == 1 else (C1, R1)
        C2, R2 = (np.diag(C2), np.diag(R2)) if C2.ndim == 1 else (C2, R2)
        comm = float(np.linalg.norm(C1 @ C2 - C2 @ C1))
        ref = float(np.linalg.norm(C1) * np.linalg.norm(C2))
    if not (math.isfinite(comm) and math.isfinite(ref)):
        finite_result(math.inf, "the commutator of S1 and S2")
    if comm > commute_rtol * ref:
        raise InvalidParameterError(
            f"S1 and S2 do not commute (||S1 S2 - S2 S1||_F = {comm:.3g}, relative {comm / ref:.3g} > "
            f"commute_rtol = {commute_rtol:g}); use w2_squared_gaussian for general covariances."
        )
    return finite_result(mean_part + float(np.sum((R1 - R2) ** 2)), "W2^2")


def w2_gaussian_commuting(
    m1: object, S1: object, m2: object, S2: object, *, rtol: float = PSD_RTOL, commute_rtol: float = 1e-8
) -> float:
    r"""W2 (not squared) between Gaussians with commuting covariances.

    .. math:: W_2 = \bigl(\lVert m_1 - m_2 \rVert^2 + \lVert S_1^{1/2} - S_2^{1/2} \rVert_F^2\bigr)^{1/2}

    See :func:`w2_squared_gaussian_commuting`.
    """
    return math.sqrt(w2_squared_gaussian_commuting(m1, S1, m2, S2, rtol=rtol, commute_rtol=commute_rtol))


def kl_gaussian(m1: object, S1: object, m2: object, S2: object, *, rtol: float = PSD_RTOL) -> float:
    r"""Kullback–Leibler divergence :math:`\mathrm{KL}(N(m_1, S_1) \,\Vert\, N(m_2, S_2))` in nats.

    .. math::
        \mathrm{KL} = \tfrac12 \Bigl[\operatorname{tr}(S_2^{-1} S_1)
            + (m_2 - m_1)^\top S_2^{-1} (m_2 - m_1) - d + \ln\det S_2 - \ln\det S_1\Bigr]

    Evaluated with ``slogdet`` and linear solves (no explicit inverse); round-off below zero is clamped
    to 0.  A covariance is treated as singular when its smallest eigenvalue is at most
    ``rtol * max eig``.  If exactly one of the two is singular the laws are mutually singular and the
    result is ``inf``.

    Parameters
    ----------
    m1, S1, m2, S2, rtol
        As in :func:`w2_squared_gaussian`.

    Returns
    -------
    float
        KL divergence, in ``[0, inf]``.

    Raises
    ------
    InvalidParameterError
        Both covariances are singular (the divergence depends on their supports; restrict to the
        common support first), or NaN / inf in the input.
    ShapeError, NotPSDError
        As in :func:`w2_squared_gaussian`.
    """
    _check_rtol(rtol)
    m1, S1 = _mean_cov(m1, S1, "m1", "S1")
    m2, S2 = _mean_cov(m2, S2, "m2", "S2")
    _same_dim(m1, m2)
    S1, w1, _ = _psd_eigh(S1, "S1", rtol)
    S2, w2, _ = _psd_eigh(S2, "S2", rtol)
    sing1 = bool(w1[0] <= rtol * w1[-1])
    sing2 = bool(w2[0] <= rtol * w2[-1])
    if sing1 and sing2:
        raise InvalidParameterError(
            f"both covariances are singular (smallest eigenvalues {w1[0]:.3g}, {w2[0]:.3g}); KL between "
            "degenerate Gaussians depends on their supports. Restrict both to the common support, or add "
            "a jitter eps * I."
        )
    if sing1 or sing2:
        return math.inf
    d = m1.shape[0]
    with np.errstate(over="ignore", invalid="ignore"):
        dm = m2 - m1
        _, logdet1 = np.linalg.slogdet(S1)
        _, logdet2 = np.linalg.slogdet(S2)
        trace_term = float(np.trace(np.linalg.solve(S2, S1)))
        maha = float(dm @ np.linalg.solve(S2, dm))
        kl = 0.5 * (trace_term + maha - d + float(logdet2) - float(logdet1))
    return max(0.0, finite_result(kl, "KL"))


# ----------------------------------------------------------------------------------------------------
