r"""Exact output law of a discretised sampler when the data are Gaussian.

For data :math:`N(\mu, \Sigma)` the noised law is :math:`p_t = N(m_t\mu,\; m_t^2\Sigma + \sigma_t^2 I)`
and its score is affine.  The sampler uses it with an affine error,

.. math:: \hat s_t(x) = -(m_t^2\Sigma + \sigma_t^2 I)^{-1}(x - m_t\mu) + E_t x + b_t,

(:math:`b_t` ``score_bias``, a constant or a function of :math:`t`; :math:`E_t` ``score_matrix``).  Every
scheme of :mod:`sgmverify.samplers._integrate` then maps a Gaussian to a Gaussian.  Write
:math:`\Sigma = U\,\mathrm{diag}(\lambda)\,U^\top` and work in the coordinates :math:`y = U^\top x`, where
the exact score is diagonal,

.. math:: \hat s_t(y) = -S_t\, y + q_t, \qquad
          S_t = \mathrm{diag}\Big(\frac{1}{m_t^2\lambda + \sigma_t^2}\Big) - U^\top E_t U,
          \qquad q_t = \frac{m_t\, U^\top\mu}{m_t^2\lambda + \sigma_t^2} + U^\top b_t .

Every step is an affine map :math:`y' = A_k y + B_k + \sqrt{N_k}\, z` (coefficients and their derivation
from each scheme: :mod:`._exact_steps`), so the law stays :math:`N(U M, U C U^\top)` with

.. math:: M_{k+1} = A_k M_k + B_k, \qquad C_{k+1} = A_k C_k A_k^\top + N_k I .

Three regimes, chosen automatically:

* **diagonal** (start law and :math:`E_t` diagonal in :math:`U`, e.g. ``init="prior"`` / ``"exact"`` /
  ``Gaussian(0, I)``, no or a scalar :math:`E_t`): :math:`A_k` and :math:`C = \mathrm{diag}(V)` are vectors,
  :math:`V_{k+1} = A_k^2 V_k + N_k`; cost one eigendecomposition (cached by
  :class:`~sgmverify.laws.Gaussian`) plus :math:`O(Kd)`.
* **full start, diagonal steps** (a start covariance :math:`C_0` not diagonal in :math:`U`): the
  :math:`A_k` are still diagonal, so :math:`C_K = \Phi C_0 \Phi + \mathrm{diag}(V^{(0)}_K)` with
  :math:`\Phi = \prod_k A_k` and :math:`V^{(0)}` the diagonal recursion started from 0: :math:`O(Kd + d^2)`
  (per block of steps), not the :math:`O(Kd^2)` of the step-by-step matrix recursion.
* **full steps** (:math:`U^\top E_t U` not diagonal): :math:`A_k` are :math:`d\times d` matrices,
  :math:`O(Kd^3)`, computed in blocks of steps.

"Diagonal" is decided to the relative tolerance 1e-10 (``DIAG_RTOL`` of :mod:`._exact_init`).
Reference: the exact Gaussian analysis of discretised samplers in Gao, Nguyen, Zhu (2023), "Wasserstein
convergence guarantees for a general class of score-based generative models"
(docs/papers/gao_nguyen_zhu_2023.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import numpy as np

from sgmverify.errors import InvalidParameterError, InvalidTypeError, UnknownNameError
from sgmverify.laws import EigenGaussian, Gaussian

from ._checks import check_process
from ._exact_init import check_init, resolve_init, score_terms
from ._exact_law import EigenLaw
from ._exact_steps import step_coeffs
from ._grids import check_grid, time_grid, uniform_grid
from ._schemes import get_scheme

__all__ = ["EXACT_SCHEMES", "EigenLaw", "sampler_law", "sampler_law_eigen", "sampler_w2"]

EXACT_SCHEMES: tuple[str, ...] = ("em", "ei", "euler_ode", "heun_ode", "rk4_ode", "ei_ode")
"""Schemes whose output law :func:`sampler_law` computes exactly."""

_CHUNK = 2_000_000  # max elements of one (steps, d) or (steps, d, d) coefficient block: bounds memory

Init = Literal["prior", "exact"] | Gaussian | EigenGaussian
Vector = np.ndarray | Callable[[float], np.ndarray] | None
Matrix = float | np.ndarray | Callable[[float], Any] | None


def _grid(process: Any, T: float, steps: int, t_min: float, grid: Any) -> np.ndarray:
    if grid is None:
        return check_grid(uniform_grid(T, steps, t_min), process)
    if isinstance(grid, str):
        return check_grid(time_grid(grid, T, steps, t_min, process=process), process)
    g = check_grid(grid, process)
    uniform_grid(T, steps, t_min)  # validates T, steps, t_min
    if g.size != steps + 1 or g[0] != T or g[-1] != t_min:
        raise InvalidParameterError(
            f"grid runs {g[0]} -> {g[-1]} in {g.size - 1} steps but T={T}, t_min={t_min}, steps={steps}; "
            "make them agree (or pass grid=None / 'uniform' / 'quadratic' / 'karras')."
        )
    return g


def _eigen_data(data: Any):
    if not isinstance(data, Gaussian):
        raise InvalidParameterError(
            f"gaussian_exact needs Gaussian data (sgmverify.Gaussian), got {type(data).__name__}; "
            "for other data run samplers.sample and measure by Monte Carlo."
        )
    lam, U = data.eigh()
    lam = np.maximum(np.asarray(lam, dtype=float), 0.0)  # round-off negatives of a PSD matrix
    U = np.asarray(U, dtype=float)
    return lam, U, U.T @ np.asarray(data.mean, dtype=float)


def _one_step(A, B, N, M, V, C):
    """One affine step of the law ``(M, V)`` (diagonal) or ``(M, C)`` (full); a full ``A`` makes C full."""
    if A.ndim == 1:
        M = A * M + B
        if C is None:
            return M, A * A * V + N, None
        return M, None, A[:, None] * C * A[None, :] + np.diag(N)
    if C is None:
        C = np.diag(V)
    C = A @ C @ A.T
    C[np.diag_indices_from(C)] += N
    return A @ M + B, None, C


def _block(A, B, N, M, V, C):
    """All steps of one block (rows of ``A, B, N``): the three regimes of the module docstring."""
    if A.ndim == 2 and C is None:  # diagonal: the historical loop, bit for bit
        A2 = A * A
        for k in range(A.shape[0]):
            M = A[k] * M + B[k]
            V = A2[k] * V + N[k]
        return M, V, None
    if A.ndim == 2:  # full start, diagonal steps: C <- Phi C Phi + diag(V0)
        V0, phi = np.zeros_like(M), np.ones_like(M)
        for k in range(A.shape[0]):
            M = A[k] * M + B[k]
            V0 = A[k] * A[k] * V0 + N[k]
            phi = A[k] * phi
        C = phi[:, None] * C * phi[None, :] + np.diag(V0)
        return M, None, 0.5 * (C + C.T)
    for k in range(A.shape[0]):
        M, V, C = _one_step(A[k], B[k], N[k], M, V, C)
    return M, None, 0.5 * (C + C.T)


def _finite(M, V, C) -> bool:
    return bool(np.all(np.isfinite(M)) and np.all(np.isfinite(V if C is None else C)))


def sampler_law_eigen(
    process: Any,
    data: Gaussian,
    T: float,
    steps: int,
    scheme: str,
    t_min: float = 0.0,
    init: Init = "prior",
    score_bias: Vector = None,
    grid: np.ndarray | str | None = None,
    target: Literal["data", "marginal"] = "data",
    *,
    score_matrix: Matrix = None,
) -> EigenLaw:
    """Exact output law of ``scheme`` in the data's eigenbasis (no d×d matrix formed after ``eigh`` unless
    the start law or ``score_matrix`` is not diagonal there).

    Arguments as in :func:`sampler_law`; ``target`` chooses the reference law stored in the result:
    the data (``"data"``) or the forward marginal at ``t_min`` (``"marginal"``).

    Returns
    -------
    EigenLaw
        ``cov is None`` (fields ``mean``, ``var`` in eigen-coordinates; ``output()`` an
        :class:`~sgmverify.laws.EigenGaussian` with basis :math:`U`) when the output covariance is diagonal
        in :math:`U`; otherwise ``cov`` holds the full covariance in eigen-coordinates, ``var`` its diagonal,
        and ``output()`` is a dense :class:`~sgmverify.laws.Gaussian`.  ``reference()`` is always an
        EigenGaussian with basis :math:`U`.
    """
    for name, value in (("scheme", scheme), ("target", target)):
        if not isinstance(value, str):
            raise InvalidTypeError(
                f"{name} must be a name (a string), got {type(value).__name__} {value!r:.60}."
            )
    check_init(init)
    check_process(process, ("mean_coeff", "var"))
    if scheme not in EXACT_SCHEMES:
        get_scheme(scheme)  # unknown names: UnknownNameError listing every scheme
        raise UnknownNameError(f"scheme {scheme!r} has no exact Gaussian law; choose one of {EXACT_SCHEMES}.")
    if target not in ("data", "marginal"):
        raise UnknownNameError(f"unknown target {target!r}; choose 'data' or 'marginal' (p at t_min).")
    g = _grid(process, T, steps, t_min, grid)
    lam, U, nu = _eigen_data(data)
    terms, full_steps = score_terms(score_bias, score_matrix, U)
    M, V, C = resolve_init(init, process, g[0], lam, U, nu)
    d = lam.size
    per_step = d * d if (full_steps or callable(score_matrix)) else d
    chunk = max(1, _CHUNK // max(per_step, 1))
    K = g.size - 1
    for start in range(0, K, chunk):
        stop = min(start + chunk, K)
        t0, t1 = g[start:stop], g[start + 1 : stop + 1]
        state = (M, V, C)
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow is refused below, naming the step
            A, B, N = step_coeffs(process, scheme, t0, t1, lam, nu, terms)
            N = np.broadcast_to(N, B.shape)
            M, V, C = _block(A, B, N, M, V, C)
        if not _finite(M, V, C):
            _overflow(scheme, t0, t1, A, B, N, state, start)
    if target == "data":
        ref_mean, ref_var = nu, lam
    else:
        m0, v0 = float(process.mean_coeff(g[-1])), float(process.var(g[-1]))
        ref_mean, ref_var = m0 * nu, m0**2 * lam + v0
    if C is None:
        return EigenLaw(M, V, U, ref_mean, ref_var)
    return EigenLaw(M, np.diag(C).copy(), U, ref_mean, ref_var, cov=C)


def _overflow(scheme, t0, t1, A, B, N, state, start) -> None:
    """Raise InvalidParameterError naming the first step at which the output law overflows float64."""
    M, V, C = state
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(t0.size):
            M, V, C = _one_step(A[k], B[k], N[k], M, V, C)
            if not _finite(M, V, C):
                break
    amp = float(np.max(np.abs(A[k])))
    raise InvalidParameterError(
        f"the exact output law of scheme {scheme!r} overflows float64 at step {start + k + 1} "
        f"(t = {float(t0[k]):.6g} -> {float(t1[k]):.6g}): the step multiplies the law's spread by up to "
        f"|A| = {amp:.4g} and adds noise variance up to {float(np.max(N[k])):.4g}, so the scheme is "
        "unstable at this step size (not a problem of the data).  Take more steps (shorter ones) or a "
        "smaller T."
    )


def sampler_law(
    process: Any,
    data: Gaussian,
    T: float,
    steps: int,
    scheme: str,
    t_min: float = 0.0,
    init: Init = "prior",
    score_bias: Vector = None,
    grid: np.ndarray | str | None = None,
    *,
    score_matrix: Matrix = None,
) -> Gaussian:
    r"""Exact law of ``scheme``'s output when the score is the exact score of Gaussian ``data`` plus an
    affine error :math:`E_t x + b_t`.

    Parameters
    ----------
    process : LinearSDE
        Forward process.
    data : Gaussian
        Data law :math:`N(\mu, \Sigma)`; any (full) covariance.
    T, steps, t_min
        The sampler runs ``steps`` steps from ``T`` down to ``t_min`` (``0 <= t_min < T < process.t_max``).
    scheme : str
        One of :data:`EXACT_SCHEMES`.
    init : {"prior", "exact"}, Gaussian or EigenGaussian
        The start law: :math:`N(0, \sigma_T^2 I)` (= ``process.prior(T, d)``), the true :math:`p_T`, or any
        Gaussian law of dimension d (e.g. ``Gaussian(np.zeros(d), np.eye(d))``, the usual
        :math:`N(0, I)` start).  A start covariance not diagonal in the data's eigenbasis makes the
        computation carry a d×d covariance.
    score_bias : ndarray of shape (d,), or callable, optional
        :math:`b_t`: a constant vector, or a function ``t -> (d,)`` vector (evaluated at every time the
        scheme evaluates the score), added to the exact score.
    grid : None, str or ndarray
        Uniform by default; a grid name for :func:`~sgmverify.samplers.time_grid`; or an explicit
        decreasing array of ``steps + 1`` times from ``T`` to ``t_min``.
    score_matrix : scalar, ndarray of shape (d,) or (d, d), or callable, optional
        :math:`E_t` of the affine score error :math:`E_t x`: a scalar (:math:`e I`), a vector :math:`e`
        meaning :math:`U\,\mathrm{diag}(e)\,U^\top` (diagonal in the *data's eigenbasis*), a d×d
        matrix, or a function of ``t`` returning any of those.  A matrix not diagonal in the eigenbasis
        makes each step cost :math:`O(d^3)`.

    Returns
    -------
    Gaussian
        The exact output law (no Monte Carlo error).
    """
    law = sampler_law_eigen(
        process, data, T, steps, scheme, t_min, init, score_bias, grid, score_matrix=score_matrix
    )
    return law.to_gaussian()


def sampler_w2(
    process: Any,
    data: Gaussian,
    T: float,
    steps: int,
    scheme: str,
    t_min: float = 0.0,
    init: Init = "prior",
    score_bias: Vector = None,
    grid: np.ndarray | str | None = None,
    target: Literal["data", "marginal"] = "data",
    *,
    score_matrix: Matrix = None,
) -> float:
    """W2 (not squared) between the exact output law of ``scheme`` and the data (or the marginal at t_min).

    Computed in the shared eigenbasis (:meth:`EigenLaw.w2_squared`) without forming d×d matrices when the
    law is diagonal there; arguments as in :func:`sampler_law`.
    """
    law = sampler_law_eigen(
        process, data, T, steps, scheme, t_min, init, score_bias, grid, target, score_matrix=score_matrix
    )
    return float(np.sqrt(max(law.w2_squared(), 0.0)))
