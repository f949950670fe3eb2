r"""Exact output law of a discretised sampler when the data are Gaussian.

For data :math:`N(\mu, \Sigma)` the noised law is :math:`p_t = N(m_t\mu,\; m_t^2\Sigma + \sigma_t^2 I)`
and its score is affine,

.. math:: s_t(x) = -(m_t^2\Sigma + \sigma_t^2 I)^{-1}(x - m_t\mu) + b,

(:math:`b` an optional constant score error, ``score_bias``).  Every scheme of
:mod:`sgmverify.samplers._integrate`
then maps a Gaussian to a Gaussian.  Write :math:`\Sigma = U\,\mathrm{diag}(\lambda)\,U^\top` and work in
the coordinates :math:`y = U^\top x`, where the score is diagonal,

.. math:: s_t(y) = -P_t\, y + q_t, \qquad P_t = \frac{1}{m_t^2\lambda + \sigma_t^2}, \qquad
          q_t = P_t\, m_t\, U^\top\mu + U^\top b \quad\text{(elementwise)}.

Both inits are diagonal there (prior :math:`N(0, \sigma_T^2 I)` is isotropic; the exact
:math:`p_T` shares :math:`U`), and every step is an affine map :math:`y' = A_k y + B_k + \sqrt{N_k}\, z`
with vectors :math:`A_k, B_k, N_k`, so the law stays :math:`N(U M, U\,\mathrm{diag}(V)\,U^\top)` with

.. math:: M_{k+1} = A_k M_k + B_k, \qquad V_{k+1} = A_k^2 V_k + N_k .

Cost: one eigendecomposition (cached by :class:`~sgmverify.laws.Gaussian`) plus
:math:`O(K d)`.  With :math:`F(y, t) = -L_t\, y + r_t`, :math:`L_t = a_t + c\,g_t^2 P_t`,
:math:`r_t = c\,g_t^2 q_t` (:math:`c = 1` SDE, :math:`\tfrac12` ODE):

* EM: :math:`A = 1 - hL_{t_k}`, :math:`B = h r_{t_k}`, :math:`N = g_{t_k}^2 h`.
* EI (``process.transition`` gives :math:`\rho, \kappa, v`): :math:`A = \rho - \kappa P_{t_k}`,
  :math:`B = \kappa q_{t_k}`, :math:`N = v`; EI-ODE uses :math:`\kappa/2` and :math:`N = 0`.
* Runge–Kutta ODE schemes (Euler, Heun, RK4): each stage :math:`K_i = \alpha_i y + \beta_i` is affine and
  the step composes them with the scheme's Butcher tableau; :math:`N = 0`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from sgmverify.errors import InvalidParameterError, InvalidTypeError, ShapeError, UnknownNameError
from sgmverify.laws import Gaussian

from ._checks import check_process, real_array
from ._grids import check_grid, time_grid, uniform_grid
from ._integrate import broadcast_coefficient as _coef
from ._schemes import get_scheme

__all__ = ["EXACT_SCHEMES", "EigenLaw", "sampler_law", "sampler_law_eigen", "sampler_w2"]

EXACT_SCHEMES: tuple[str, ...] = ("em", "ei", "euler_ode", "heun_ode", "rk4_ode", "ei_ode")
"""Schemes whose output law :func:`sampler_law` computes exactly."""

_CHUNK = 2_000_000  # max elements of one (steps, d) coefficient block: bounds memory for large K * d


@dataclass(frozen=True)
class EigenLaw:
    """A sampler's output law :math:`N(U M, U\\,\\mathrm{diag}(V)\\,U^\\top)` in the data's eigenbasis.

    Attributes
    ----------
    mean, var : ndarray, shape (d,)
        :math:`M` and :math:`V`, in eigen-coordinates.
    eigvecs : ndarray, shape (d, d)
        :math:`U` (columns), from ``data.eigh()``.
    ref_mean, ref_var : ndarray, shape (d,)
        Mean and variances of the reference law (data, or the marginal at ``t_min``) in the same basis.
    """

    mean: np.ndarray
    var: np.ndarray
    eigvecs: np.ndarray
    ref_mean: np.ndarray
    ref_var: np.ndarray

    def to_gaussian(self) -> Gaussian:
        """The output law as a :class:`~sgmverify.laws.Gaussian` (forms the d×d covariance)."""
        U = self.eigvecs
        cov = (U * self.var) @ U.T
        return Gaussian(U @ self.mean, 0.5 * (cov + cov.T))

    def w2_squared(self) -> float:
        r"""Squared W2 to the reference law; both share the eigenbasis :math:`U`, so

        .. math:: W_2^2 = \lVert M - \nu\rVert^2 + \sum_i \big(\sqrt{V_i} - \sqrt{\lambda_i}\big)^2,

        with the square-root difference taken as :math:`(V - \lambda)/(\sqrt V + \sqrt\lambda)` (no
        cancellation when the law is close to the reference).
        """
        den = np.sqrt(self.var) + np.sqrt(self.ref_var)
        diff = np.divide(self.var - self.ref_var, den, out=np.zeros_like(den), where=den > 0)
        return float(np.sum((self.mean - self.ref_mean) ** 2) + np.sum(diff**2))


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


def _score_affine(process: Any, tau: np.ndarray, lam: np.ndarray, nu: np.ndarray, beta: np.ndarray):
    """``P`` and ``q`` (shape ``(len(tau), d)``) of the affine score :math:`-P y + q` at times ``tau``."""
    m = _coef(process.mean_coeff(tau), tau.shape)[:, None]
    den = m**2 * lam + _coef(process.var(tau), tau.shape)[:, None]
    if np.any(den <= 0):
        raise InvalidParameterError(
            f"the score is infinite at t={float(tau[np.argmax(np.any(den <= 0, axis=1))])}: the data "
            "covariance is singular and this scheme evaluates the score at t_min; use t_min > 0."
        )
    P = 1.0 / den
    return P, P * m * nu + beta


def _step_coeffs(process: Any, name: str, t0: np.ndarray, t1: np.ndarray, lam, nu, beta):
    """Vectors ``A, B, N`` (shape ``(len(t0), d)``; N may be 0) of the affine steps ``t0 -> t1``."""
    h = (t0 - t1)[:, None]
    if name in ("ei", "ei_ode"):
        ratio, kappa, nvar = (_coef(c, t0.shape)[:, None] for c in process.transition(t0, t1))
        kappa = kappa if name == "ei" else 0.5 * kappa
        P, q = _score_affine(process, t0, lam, nu, beta)
        return ratio - kappa * P, kappa * q, (nvar if name == "ei" else 0.0)
    if name == "em":
        g2 = _coef(process.diffusion(t0), t0.shape)[:, None] ** 2
        P, q = _score_affine(process, t0, lam, nu, beta)
        a = _coef(process.drift_coeff(t0), t0.shape)[:, None]
        return 1.0 - h * (a + g2 * P), h * g2 * q, g2 * h
    tab = get_scheme(name).tableau
    kappas: list[np.ndarray] = []  # stage i: K_i = kappas[i] * y + rhos[i]
    rhos: list[np.ndarray] = []
    for c_i, a_i in zip(tab.c, tab.a):
        tau = t1 if c_i == 1.0 else t0 - c_i * (t0 - t1)
        alpha = 1.0 + h * sum(a * k for a, k in zip(a_i, kappas))
        beta_i = h * sum(a * r for a, r in zip(a_i, rhos))
        half_g2 = 0.5 * _coef(process.diffusion(tau), tau.shape)[:, None] ** 2
        P, q = _score_affine(process, tau, lam, nu, beta)
        L = _coef(process.drift_coeff(tau), tau.shape)[:, None] + half_g2 * P
        kappas.append(-L * alpha)
        rhos.append(-L * beta_i + half_g2 * q)
    A = 1.0 + h * sum(b * k for b, k in zip(tab.b, kappas))
    return A, h * sum(b * r for b, r in zip(tab.b, rhos)), 0.0


def _eigen_data(data: Any, score_bias: Any):
    if not isinstance(data, Gaussian):
        raise InvalidParameterError(
            f"gaussian_exact needs Gaussian data (sgmverify.Gaussian), got {type(data).__name__}; "
            "for other data run samplers.sample and measure by Monte Carlo."
        )
    lam, U = data.eigh()
    lam = np.maximum(np.asarray(lam, dtype=float), 0.0)  # round-off negatives of a PSD matrix
    U = np.asarray(U, dtype=float)
    nu = U.T @ np.asarray(data.mean, dtype=float)
    if score_bias is None:
        return lam, U, nu, np.zeros_like(nu)
    b = real_array(score_bias, "score_bias")
    if b.shape != nu.shape:
        raise ShapeError(f"score_bias must be a constant vector of shape {nu.shape}, got {b.shape}.")
    if not np.all(np.isfinite(b)):
        raise InvalidParameterError("score_bias contains NaN or inf.")
    return lam, U, nu, U.T @ b


def sampler_law_eigen(
    process: Any,
    data: Gaussian,
    T: float,
    steps: int,
    scheme: str,
    t_min: float = 0.0,
    init: Literal["prior", "exact"] = "prior",
    score_bias: np.ndarray | None = None,
    grid: np.ndarray | str | None = None,
    target: Literal["data", "marginal"] = "data",
) -> EigenLaw:
    """Exact output law of ``scheme`` in the data's eigenbasis (no d×d matrix formed after ``eigh``).

    Arguments as in :func:`sampler_law`; ``target`` chooses the reference law stored in the result:
    the data (``"data"``) or the forward marginal at ``t_min`` (``"marginal"``).
    """
    for name, value in (("scheme", scheme), ("init", init), ("target", target)):
        if not isinstance(value, str):
            raise InvalidTypeError(
                f"{name} must be a name (a string), got {type(value).__name__} {value!r:.60}."
            )
    check_process(process, ("mean_coeff", "var"))
    if scheme not in EXACT_SCHEMES:
        get_scheme(scheme)  # unknown names: UnknownNameError listing every scheme
        raise UnknownNameError(f"scheme {scheme!r} has no exact Gaussian law; choose one of {EXACT_SCHEMES}.")
    if init not in ("prior", "exact"):
        raise UnknownNameError(f"unknown init {init!r}; choose 'prior' (N(0, sigma_T^2 I)) or 'exact' (p_T).")
    if target not in ("data", "marginal"):
        raise UnknownNameError(f"unknown target {target!r}; choose 'data' or 'marginal' (p at t_min).")
    g = _grid(process, T, steps, t_min, grid)
    lam, U, nu, beta = _eigen_data(data, score_bias)
    mT, vT = float(process.mean_coeff(g[0])), float(process.var(g[0]))
    M = mT * nu if init == "exact" else np.zeros_like(nu)
    V = mT**2 * lam + vT if init == "exact" else np.full_like(lam, vT)
    chunk = max(1, _CHUNK // max(lam.size, 1))
    K = g.size - 1
    for start in range(0, K, chunk):
        stop = min(start + chunk, K)
        t0, t1 = g[start:stop], g[start + 1 : stop + 1]
        M_start, V_start = M, V
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow is refused below, naming the step
            A, B, N = _step_coeffs(process, scheme, t0, t1, lam, nu, beta)
            A2 = A * A
            N = np.broadcast_to(N, A.shape)
            for k in range(t0.size):
                M = A[k] * M + B[k]
                V = A2[k] * V + N[k]
        if not (np.all(np.isfinite(M)) and np.all(np.isfinite(V))):
            _overflow(scheme, t0, t1, A, B, N, M_start, V_start, start)
    if target == "data":
        return EigenLaw(M, V, U, nu, lam)
    m0, v0 = float(process.mean_coeff(g[-1])), float(process.var(g[-1]))
    return EigenLaw(M, V, U, m0 * nu, m0**2 * lam + v0)


def _overflow(scheme, t0, t1, A, B, N, M, V, start) -> None:
    """Raise InvalidParameterError naming the first step at which the output law overflows float64."""
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(t0.size):
            M, V = A[k] * M + B[k], A[k] * A[k] * V + N[k]
            if not (np.all(np.isfinite(M)) and np.all(np.isfinite(V))):
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
    init: Literal["prior", "exact"] = "prior",
    score_bias: np.ndarray | None = None,
    grid: np.ndarray | str | None = None,
) -> Gaussian:
    """Exact law of ``scheme``'s output when the score is the exact score of Gaussian ``data`` (+ a bias).

    Parameters
    ----------
    process : LinearSDE
        Forward process.
    data : Gaussian
        Data law :math:`N(\\mu, \\Sigma)`; any (full) covariance.
    T, steps, t_min
        The sampler runs ``steps`` steps from ``T`` down to ``t_min`` (``0 <= t_min < T < process.t_max``).
    scheme : str
        One of :data:`EXACT_SCHEMES`.
    init : {"prior", "exact"}
        Start from :math:`N(0, \\sigma_T^2 I)` (= ``process.prior(T, d)``) or from the true :math:`p_T`.
    score_bias : ndarray, shape (d,), optional
        Constant vector added to the exact score (a score error of known size).
    grid : None, str or ndarray
        Uniform by default; a grid name for :func:`~sgmverify.samplers.time_grid`; or an explicit
        decreasing array of ``steps + 1`` times from ``T`` to ``t_min``.

    Returns
    -------
    Gaussian
        The exact output law (no Monte Carlo error).
    """
    return sampler_law_eigen(process, data, T, steps, scheme, t_min, init, score_bias, grid).to_gaussian()


def sampler_w2(
    process: Any,
    data: Gaussian,
    T: float,
    steps: int,
    scheme: str,
    t_min: float = 0.0,
    init: Literal["prior", "exact"] = "prior",
    score_bias: np.ndarray | None = None,
    grid: np.ndarray | str | None = None,
    target: Literal["data", "marginal"] = "data",
) -> float:
    """W2 (not squared) between the exact output law of ``scheme`` and the data (or the marginal at t_min).

    Computed in the shared eigenbasis (:meth:`EigenLaw.w2_squared`) without forming d×d matrices; arguments
    as in :func:`sampler_law`.
    """
    law = sampler_law_eigen(process, data, T, steps, scheme, t_min, init, score_bias, grid, target)
    return float(np.sqrt(max(law.w2_squared(), 0.0)))
