r"""Affine step coefficients of the exact Gaussian sampler laws (:mod:`._gaussian_exact`).

In the data's eigen-coordinates :math:`y = U^\top x` (:math:`\Sigma = U\,\mathrm{diag}(\lambda)\,U^\top`) the
score used by the sampler is the exact score of :math:`p_t = N(m_t\mu, m_t^2\Sigma + \sigma_t^2 I)` plus an
affine error :math:`E_t x + b_t` (``score_matrix``, ``score_bias``):

.. math:: \hat s_t(y) = -S_t\, y + q_t, \qquad S_t = P_t - \tilde E_t, \qquad
          q_t = P_t\, m_t\, \nu + \beta_t,

with :math:`P_t = \mathrm{diag}\big(1/(m_t^2\lambda + \sigma_t^2)\big)`, :math:`\nu = U^\top\mu`,
:math:`\tilde E_t = U^\top E_t U` and :math:`\beta_t = U^\top b_t`.  :math:`S_t` is a vector (a diagonal
matrix) when :math:`\tilde E_t` is diagonal and a :math:`d\times d` matrix otherwise.  With the backward-time
drift :math:`F(y, t) = -f(y, t) = -L_t\, y + r_t`, :math:`L_t = a_t I + c\,g_t^2 S_t`,
:math:`r_t = c\,g_t^2 q_t` (:math:`c = 1` for the reverse SDE, :math:`\tfrac12` for the probability-flow
ODE; Song et al. 2021, eqs. (6), (13)), every scheme of :func:`sgmverify.samplers.sample` is the affine map
:math:`y' = A y + B + \text{noise}` with noise covariance :math:`N I`:

* Euler–Maruyama (Kloeden–Platen 1992, Sect. 10.2), :math:`y' = y + hF(y, t_k) + g_{t_k}\sqrt h\, z`:
  :math:`A = I - h(a_{t_k} I + g_{t_k}^2 S_{t_k})`, :math:`B = h g_{t_k}^2 q_{t_k}`, :math:`N = g_{t_k}^2 h`.
* Exponential integrator (Zhang–Chen 2023), :math:`y' = \rho y + \kappa \hat s(y, t_k) + \sqrt v\, z` with
  :math:`(\rho, \kappa, v)` = ``process.transition(t_k, t_{k+1})``: :math:`A = \rho I - \kappa S_{t_k}`,
  :math:`B = \kappa q_{t_k}`, :math:`N = v`; EI-ODE uses :math:`\kappa/2` and :math:`N = 0`.
* Explicit Runge–Kutta ODE schemes (Euler, Heun, RK4; Butcher tableau :math:`(a, b, c)`), stage times
  :math:`\tau_i = t_k - c_i h`: the stage state :math:`y_i = (I + h\sum_{j<i} a_{ij}\kappa_j)\,y +
  h\sum_{j<i} a_{ij}\rho_j =: \alpha_i y + \beta_i` gives the stage slope
  :math:`K_i = F(y_i, \tau_i) = \kappa_i y + \rho_i` with :math:`\kappa_i = -L_{\tau_i}\alpha_i`,
  :math:`\rho_i = -L_{\tau_i}\beta_i + r_{\tau_i}`; then :math:`A = I + h\sum_i b_i\kappa_i`,
  :math:`B = h\sum_i b_i\rho_i`, :math:`N = 0`.

The same formulas run elementwise on vectors (``full=False``; :math:`O(d)` per step) or as matrix products
on :math:`d\times d` matrices (``full=True``; :math:`O(d^3)` per step), vectorised over a block of steps.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from sgmverify.errors import InvalidParameterError

from ._integrate import broadcast_coefficient as _coef
from ._schemes import get_scheme

__all__ = ["ScoreTerms", "score_affine", "step_coeffs"]

#: ``terms(tau)`` -> ``(E, beta)``: the eigen-coordinate score error at the times ``tau`` (shape (n,)):
#: ``E`` is None (no matrix error), shape (n, d) (diagonal in the eigenbasis) or (n, d, d); ``beta`` (n, d)
#: or (d,) (a constant bias).
ScoreTerms = Callable[[np.ndarray], tuple[np.ndarray | None, np.ndarray]]


def score_affine(process: Any, tau: np.ndarray, lam: np.ndarray, nu: np.ndarray, terms: ScoreTerms):
    r"""``S`` and ``q`` of the affine score :math:`-S y + q` at times ``tau``.

    ``S`` has shape ``(len(tau), d)`` when the score error is diagonal in the eigenbasis (a vector per time)
    and ``(len(tau), d, d)`` otherwise; ``q`` has shape ``(len(tau), d)``.
    """
    m = _coef(process.mean_coeff(tau), tau.shape)[:, None]
    den = m**2 * lam + _coef(process.var(tau), tau.shape)[:, None]
    if np.any(den <= 0):
        raise InvalidParameterError(
            f"the score is infinite at t={float(tau[np.argmax(np.any(den <= 0, axis=1))])}: the data "
            "covariance is singular and this scheme evaluates the score at t_min; use t_min > 0."
        )
    P = 1.0 / den
    E, beta = terms(tau)
    q = P * m * nu + beta
    if E is None:
        return P, q
    if E.ndim == 2:
        return P - E, q
    S = -E
    idx = np.arange(lam.size)
    S[:, idx, idx] += P
    return S, q


class _Ops:
    """Elementwise (diagonal coefficients, shape (n, d)) or matrix (shape (n, d, d)) arithmetic."""

    def __init__(self, full: bool, d: int) -> None:
        self.full = full
        self.eye: Any = np.eye(d) if full else 1.0

    def c(self, x: np.ndarray) -> np.ndarray:
        """A per-step scalar coefficient (n,) broadcast against the coefficients."""
        return x[:, None, None] if self.full else x[:, None]

    def mv(self, x: np.ndarray, v: np.ndarray) -> np.ndarray:
        return np.einsum("nij,nj->ni", x, v) if self.full else x * v


def step_coeffs(process: Any, name: str, t0: np.ndarray, t1: np.ndarray, lam, nu, terms: ScoreTerms):
    """``A, B, N`` of the affine steps ``t0 -> t1`` (formulas in the module docstring).

    ``A`` has shape ``(len(t0), d)`` (diagonal) or ``(len(t0), d, d)``; ``B`` ``(len(t0), d)``; ``N`` is the
    per-step noise variance, shape ``(len(t0), 1)``, or ``0.0`` for the ODE schemes.
    """
    h1 = t0 - t1
    h = h1[:, None]
    if name in ("ei", "ei_ode", "em"):
        S, q = score_affine(process, t0, lam, nu, terms)
        ops = _Ops(S.ndim == 3, lam.size)
        if name == "em":
            g2 = _coef(process.diffusion(t0), t0.shape) ** 2
            a = _coef(process.drift_coeff(t0), t0.shape)
            if ops.full:
                A = ops.eye - ops.c(h1) * (ops.c(a) * ops.eye + ops.c(g2) * S)
            else:  # the historical expression, kept bit for bit
                A = 1.0 - h * (a[:, None] + g2[:, None] * S)
            return A, h * g2[:, None] * q, g2[:, None] * h
        ratio, kappa, nvar = (_coef(c, t0.shape) for c in process.transition(t0, t1))
        kappa = kappa if name == "ei" else 0.5 * kappa
        A = ops.c(ratio) * ops.eye - ops.c(kappa) * S if ops.full else ratio[:, None] - kappa[:, None] * S
        return A, kappa[:, None] * q, (nvar[:, None] if name == "ei" else 0.0)
    tab = get_scheme(name).tableau
    stages = []
    for c_i in tab.c:
        tau = t1 if c_i == 1.0 else t0 - c_i * (t0 - t1)
        half_g2 = 0.5 * _coef(process.diffusion(tau), tau.shape) ** 2
        S, q = score_affine(process, tau, lam, nu, terms)
        stages.append((_coef(process.drift_coeff(tau), tau.shape), half_g2, S, q))
    ops = _Ops(any(s[2].ndim == 3 for s in stages), lam.size)
    kappas: list[np.ndarray] = []  # stage i: K_i = kappas[i] y + rhos[i]
    rhos: list[np.ndarray] = []
    for a_i, (drift, half_g2, S, q) in zip(tab.a, stages):
        beta_i = h * sum(a * r for a, r in zip(a_i, rhos))  # (n, d), or (n, 1) zeros at the first stage
        if ops.full:
            S = S[:, :, None] * ops.eye if S.ndim == 2 else S
            alpha = ops.eye + ops.c(h1) * sum(a * k for a, k in zip(a_i, kappas))
            L = ops.c(drift) * ops.eye + ops.c(half_g2) * S
            kappas.append(-(L @ alpha))
            rhos.append(-ops.mv(L, np.broadcast_to(beta_i, q.shape)) + half_g2[:, None] * q)
        else:  # the historical expressions, kept bit for bit
            alpha = 1.0 + h * sum(a * k for a, k in zip(a_i, kappas))
            L = drift[:, None] + half_g2[:, None] * S
            kappas.append(-L * alpha)
            rhos.append(-L * beta_i + half_g2[:, None] * q)
    A = ops.eye + ops.c(h1) * sum(b * k for b, k in zip(tab.b, kappas))
    return A, h * sum(b * r for b, r in zip(tab.b, rhos)), 0.0
