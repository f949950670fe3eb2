r"""Propagated convexity and the contraction of two synchronously coupled reverse SDEs.

If :math:`m_0 I \preceq -\nabla^2\log p_0 \preceq L_0 I` then (Brascamp–Lieb / Cramér–Rao on the posterior
of :math:`X_0` given :math:`X_t`, equality for Gaussian data) :math:`-\nabla^2\log p_t \succeq
1/(\mu_t^2/m_0 + \sigma_t^2)` and :math:`\preceq 1/(\mu_t^2/L_0 + \sigma_t^2)`, with :math:`\mu_t = m(t)` the
mean coefficient.  Two synchronously coupled reverse SDEs contract at rate :math:`c(t) = m(t)g(t)^2 - f(t)`
(:math:`f = -a`), and because :math:`D = \mu^2/m_0 + \sigma^2` solves :math:`D' = -2fD + g^2`,

.. math:: \exp\Big(-\int_0^T c\Big) = \frac{\mu_T}{\mu_T^2 + m_0\sigma_T^2}

(VE: :math:`1/(1+m_0\sigma_T^2)`; VP: :math:`e^{B/2}/(m_0e^B + 1 - m_0)`).  The section numbers below are
those of the derivations [D] in ``docs/papers/gao_nguyen_zhu_2023.md`` (§2, §3, §7 C4).
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp

from sgmverify.errors import DerivationError, InvalidParameterError

__all__ = [
    "contraction_rate_expr",
    "damping_closed_form",
    "damping_expr",
    "propagated_convexity",
    "propagated_smoothness",
]


def propagated_convexity(process, m0: float, t) -> np.ndarray | float:
    r"""Lower bound :math:`1/(\mu_t^2/m_0 + \sigma_t^2)` on :math:`\lambda_{\min}(-\nabla^2\log p_t)`
    (docs/papers/gao_nguyen_zhu_2023.md §2 [D])."""
    if not m0 > 0:
        raise InvalidParameterError(f"m0 must be > 0 (strong log-concavity constant), got {m0}.")
    mu = process.mean_coeff(t)
    return 1.0 / (mu * mu / m0 + process.var(t))


def propagated_smoothness(process, L0: float, t) -> np.ndarray | float:
    r"""Upper bound :math:`1/(\mu_t^2/L_0 + \sigma_t^2)` on :math:`\lambda_{\max}(-\nabla^2\log p_t)`
    (docs/papers/gao_nguyen_zhu_2023.md §2 [D]).

    ``L0 = inf`` (no smoothness at time 0) gives the Cramér–Rao bound :math:`1/\sigma_t^2`.
    """
    if not L0 > 0:
        raise InvalidParameterError(f"L0 must be > 0, got {L0}.")
    mu = process.mean_coeff(t)
    inv = 0.0 if math.isinf(L0) else 1.0 / L0
    return 1.0 / (mu * mu * inv + process.var(t))


def contraction_rate_expr(process, m0: sp.Expr) -> sp.Expr:
    r"""Sympy :math:`c(t) = m(t)g(t)^2 - f(t) = g^2/(\mu^2/m_0 + \sigma^2) + a(t)`
    (docs/papers/gao_nguyen_zhu_2023.md §3 [D])."""
    if process.var_expr is None:
        raise DerivationError(
            f"{process.name}: sigma^2(t) has no closed form; the contraction rate needs one."
        )
    return process.g_expr**2 / (process.m_expr**2 / m0 + process.var_expr) + process.a_expr


def damping_expr(process, m0: sp.Expr) -> sp.Expr:
    r"""Sympy closed form :math:`\exp(-\int_0^t c) = \mu_t/(\mu_t^2 + m_0\sigma_t^2)` (time symbol
    ``process.t``)."""
    if process.var_expr is None:
        raise DerivationError(f"{process.name}: sigma^2(t) has no closed form; the damping needs one.")
    return process.m_expr / (process.m_expr**2 + m0 * process.var_expr)


def damping_closed_form(process, m0: float, T) -> np.ndarray | float:
    r"""Numeric :math:`\mu_T/(\mu_T^2 + m_0\sigma_T^2)` (reference C4 in general form [D])."""
    if not m0 > 0:
        raise InvalidParameterError(f"m0 must be > 0, got {m0}.")
    mu = process.mean_coeff(T)
    return mu / (mu * mu + m0 * process.var(T))
