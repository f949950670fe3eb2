r"""Log-densities of the laws :math:`p_t` and their derivatives.

Two families of formulas live here, as plain functions on arrays (the classes of
:mod:`sgmverify.laws._gaussian` and :mod:`sgmverify.laws._density1d` call them):

* closed forms for a Gaussian (those of a Gaussian mixture are in :mod:`sgmverify.laws._mixture_derivatives`);
* the posterior-cumulant (Tweedie) path for a general 1-D data density :math:`q` noised by
  :math:`X_t = m X_0 + \sigma Z`, with :math:`v = \sigma^2`:

  .. math::

      \partial_x \log p_t(x) = \frac{m\,\mathbb E[X_0 \mid x] - x}{v}, \qquad
      \partial_x^2 \log p_t(x) = -\frac1v + \frac{m^2}{v^2}\operatorname{Var}[X_0 \mid x], \qquad
      \partial_x^3 \log p_t(x) = \frac{m^3}{v^3}\,\kappa_3[X_0 \mid x],

  and :math:`\partial_x^4 \log p_t = (m/v)^4 \kappa_4[X_0 \mid x]` (:func:`noised_1d_derivative`),
  where the posterior is :math:`\pi(x_0 \mid x) \propto q(x_0)\, e^{-(x - m x_0)^2 / (2v)}`.  Its moments
  come from quadrature: scipy's adaptive ``quad_vec`` in float64 for moderate :math:`v`, mpmath's
  tanh-sinh rule at ``working_dps(v)`` digits for small :math:`v`, where :math:`-1/v + m^2 \mathrm{Var}/v^2`
  cancels catastrophically in double precision.

:func:`log_density_derivative` (``law.log_density_derivative(x, k)``, k = 0..4) is the common entry point
for every law; the laws of :mod:`sgmverify.laws._singular` (atoms, box, circle, Hölder cusp) live there.

References
----------
.. [1] B. Efron, "Tweedie's formula and selection bias", JASA 106 (2011), eq. (2.8) and the cumulant
       expansion (2.9)-(2.10).
.. [2] Y. Song et al., "Score-based generative modeling through stochastic differential equations",
       ICLR 2021, eq. (5)-(6) for the perturbation kernel :math:`N(m(t) x_0, \sigma^2(t) I)`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import mpmath
import numpy as np
from scipy.integrate import quad_vec

from sgmverify.errors import InvalidParameterError, InvalidTypeError

__all__ = [
    "Derivatives",
    "Prior1D",
    "gaussian_log_prob",
    "gaussian_precision",
    "gaussian_score",
    "noised_1d_derivatives",
    "posterior_window",
    "quadratic_form",
    "raise_overflow",
    "working_dps",
]

LOG_2PI = math.log(2.0 * math.pi)
#: below this noise variance the 1-D path switches from float64 to mpmath (``method="auto"``)
MPMATH_BELOW_VAR = 1e-2
#: likelihood term (x - m c)^2 / (2v) at the posterior mode above which the float64 integrand is taken in
#: the cancellation-free form (its rounding noise, ~1e-16 times the term, would exceed quad_vec's 1e-12)
_CANCEL_ABOVE = 1e3
#: the loosest relative tolerance the float64 quadrature accepts before refusing a point
_MAX_EPSREL = 1e-6
_EPS = float(np.finfo(float).eps)
#: panel edges around the posterior mode, in units of the posterior width
_WINDOW = (-30.0, -8.0, -3.0, -1.0, 0.0, 1.0, 3.0, 8.0, 30.0)


class Derivatives(NamedTuple):
    r""":math:`\log p` and its first three derivatives at n points (``None`` where not requested).

    Shapes: ``log_prob`` (n,), ``score`` (n, d), ``jacobian`` (n, d, d), ``hessian`` (n, d, d, d) with
    ``hessian[n, a, b, c]`` :math:`= \partial_a \partial_b \partial_c \log p(x_n)`.
    """

    log_prob: np.ndarray
    score: np.ndarray | None = None
    jacobian: np.ndarray | None = None
    hessian: np.ndarray | None = None


# ---------------------------------------------------------------------------------------------------
# Gaussian closed forms (in the covariance eigenbasis: Sigma = V diag(lam) V^T)
# ---------------------------------------------------------------------------------------------------


def gaussian_log_prob(
    x: np.ndarray, mean: np.ndarray, eigvals: np.ndarray, eigvecs: np.ndarray
) -> np.ndarray:
    r"""Gaussian log-density at the rows of ``x`` (n, d).

    .. math::

        \log N(x; \mu, \Sigma) = -\tfrac12 \sum_i \frac{y_i^2}{\lambda_i} - \tfrac12 \sum_i \log \lambda_i
        - \tfrac d2 \log 2\pi, \qquad y = V^\top (x - \mu).
    """
    y = (x - mean) @ eigvecs
    d = mean.shape[-1]
    return -0.5 * (quadratic_form(x, y, eigvals) + np.sum(np.log(eigvals)) + d * LOG_2PI)


def gaussian_score(x: np.ndarray, mean: np.ndarray, eigvals: np.ndarray, eigvecs: np.ndarray) -> np.ndarray:
    r"""Gaussian score :math:`\nabla \log N(x; \mu, \Sigma) = -\Sigma^{-1}(x - \mu)`."""
    y = (x - mean) @ eigvecs
    with np.errstate(over="ignore", invalid="ignore"):
        out = -(y / eigvals) @ eigvecs.T
    if not np.all(np.isfinite(out)):
        raise_overflow(x, out, "the score -Sigma^{-1}(x - mu)")
    return out


def quadratic_form(x: np.ndarray, y: np.ndarray, eigvals: np.ndarray) -> np.ndarray:
    r""":math:`\sum_i y_i^2/\lambda_i` over the last axis (``y`` in the eigenbasis, ``eigvals`` broadcast
    against it); InvalidParameterError naming the point of ``x`` (n, d) where it overflows float64."""
    with np.errstate(over="ignore", invalid="ignore"):
        quad = np.sum(y * y / eigvals, axis=-1)
    if not np.all(np.isfinite(quad)):
        raise_overflow(x, quad, "the quadratic form (x - mu)^T Sigma^{-1} (x - mu)")
    return quad


def raise_overflow(x: np.ndarray, out: np.ndarray, what: str) -> None:
    """Raise InvalidParameterError: ``what`` overflows float64 at the first point (row of ``x`` (n, d))
    where ``out`` (n, ...) is not finite."""
    bad = (~np.isfinite(np.asarray(out))).reshape(np.shape(out)[0], -1).any(axis=1)
    point = np.asarray(x)[int(np.flatnonzero(bad)[0])]
    raise InvalidParameterError(
        f"{what} overflows float64 at x = {point.tolist()!r:.120}: the point lies too far from the law "
        "for float64; pass points of moderate size."
    )


def gaussian_precision(eigvals: np.ndarray, eigvecs: np.ndarray) -> np.ndarray:
    r"""Precision matrix :math:`\Sigma^{-1} = V \Lambda^{-1} V^\top` (batched over leading axes)."""
    return (eigvecs / eigvals[..., None, :]) @ np.swapaxes(eigvecs, -1, -2)


# ---------------------------------------------------------------------------------------------------
# General 1-D densities: posterior cumulants by quadrature
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prior1D:
    """What the quadrature needs to know about an unnormalised 1-D log-density :math:`\\log \\tilde q`.

    Attributes
    ----------
    logq, dlogq, d2logq : callables (float64, vectorised)
        :math:`\\log \\tilde q` and its first two derivatives; must return ``-inf`` (not NaN) outside the
        support.
    logq_mp : callable
        :math:`\\log \\tilde q` on ``mpmath.mpf`` arguments, at the current working precision.
    support : (a, b)
        Endpoints, possibly infinite.
    log_norm : float
        :math:`\\log \\int \\tilde q`.
    breakpoints : tuple of float
        Interior points where the quadrature should split (kinks, bulk of the density).
    bulk_grid : (N,) array
        Points covering the bulk of :math:`q`; candidates for the posterior mode.
    smooth_ends : bool
        False if :math:`q` has an algebraic singularity (non-integer local exponent) at a finite end of the
        support, e.g. :math:`x^{-1/2}`; scipy's Gauss-Kronrod rules then converge slowly while reporting
        success, so ``method="auto"`` uses mpmath's tanh-sinh rule.
    """

    logq: Callable[[np.ndarray], np.ndarray]
    dlogq: Callable[[np.ndarray], np.ndarray]
    d2logq: Callable[[np.ndarray], np.ndarray]
    logq_mp: Callable[[mpmath.mpf], mpmath.mpf]
    support: tuple[float, float]
    log_norm: float
    breakpoints: tuple[float, ...]
    bulk_grid: np.ndarray
    smooth_ends: bool = True


def working_dps(v: float) -> int:
    r"""mpmath digits for noise variance ``v``: :math:`30 + \lceil 2 \log_{10}(1/v) \rceil` (30 if v >= 1).

    The Jacobian :math:`-1/v + m^2\mathrm{Var}/v^2` loses about :math:`\log_{10}(1/v)` digits and the
    third cumulant (a :math:`O(v^3)` combination of moments of size :math:`v^{3/2}`) about
    :math:`1.5 \log_{10}(1/v)`; doubling the first keeps at least 30 digits for the result.
    """
    return 30 + max(0, math.ceil(2.0 * math.log10(1.0 / v)))


def _phi(prior: Prior1D, x0: np.ndarray, x: float, m: float, v: float) -> np.ndarray:
    """Unnormalised log posterior ``log q(x0) - (x - m x0)^2 / (2 v)``; -inf where undefined."""
    with np.errstate(all="ignore"):
        val = prior.logq(x0) - (x - m * x0) ** 2 / (2.0 * v)
    return np.where(np.isfinite(val), val, -np.inf)


def posterior_window(prior: Prior1D, x: float, m: float, v: float) -> tuple[float, float]:
    r"""Mode ``c`` and width ``w`` of the posterior :math:`\pi(x_0 \mid x)`; they place the quadrature panels.

    The mode is the best of the prior's bulk grid and :math:`x/m` (clipped to the support), refined by
    safeguarded Newton steps on :math:`\varphi(x_0) = \log q(x_0) - (x - m x_0)^2/(2v)`; the width is
    :math:`(-\varphi''(c))^{-1/2}`, or :math:`\sqrt v / m` where :math:`\varphi'' \ge 0`.
    """
    a, b = prior.support
    cands = np.append(prior.bulk_grid, np.clip(x / m, a, b))
    vals = _phi(prior, cands, x, m, v)
    if not np.any(np.isfinite(vals)):
        raise InvalidParameterError(
            f"x = {x} is too far out: the posterior of X_0 underflows on the whole grid; pass a smaller |x|"
        )
    c = float(cands[np.argmax(vals)])
    best = float(np.max(vals))
    w_lik = math.sqrt(v) / m
    for _ in range(60):
        with np.errstate(all="ignore"):
            g1 = float(prior.dlogq(c)) + m * (x - m * c) / v
            g2 = float(prior.d2logq(c)) - m * m / v
        if not (np.isfinite(g1) and np.isfinite(g2)) or g2 >= 0:
            break
        step = -g1 / g2
        for _halve in range(30):
            new = min(max(c + step, a), b)
            val = float(_phi(prior, np.array(new), x, m, v))
            if val >= best:
                break
            step /= 2
        else:
            break
        moved = abs(new - c)
        c, best = new, val
        if moved <= 1e-12 * max(abs(c), w_lik):
            break
    with np.errstate(all="ignore"):
        curv = float(prior.d2logq(c)) - m * m / v
    w = 1.0 / math.sqrt(-curv) if np.isfinite(curv) and curv < 0 else w_lik
    return c, w


def _panel_edges(prior: Prior1D, c: float, w: float) -> list[float]:
    """Sorted panel edges from support end to support end, with window points around ``c``."""
    a, b = prior.support
    pts = [c + k * w for k in _WINDOW] + list(prior.breakpoints)
    inner = sorted({p for p in pts if a < p < b})
    edges = [a]
    for p in inner:
        if p - edges[-1] > 1e-13 * max(1.0, abs(p)):
            edges.append(p)
    if b - edges[-1] <= 1e-13 * max(1.0, abs(b)) and len(edges) > 1:
        edges.pop()
    edges.append(b)
    return edges


def _moments_float(prior, x, m, v, c, w, phic, edges, order) -> np.ndarray:
    """Scaled moments ``M_k = int ((x0 - c)/w)^k exp(phi(x0) - phi(c)) dx0`` by scipy ``quad_vec``."""
    powers = np.arange(order + 1)
    epsrel = 1e-12
    if (x - m * c) ** 2 / (2.0 * v) > _CANCEL_ABOVE:
        # far out, phi(x0) - phi(c) cancels: each term is ~ x^2/(2v), so float64 rounding makes the integrand
        # noisy beyond quad_vec's tolerance (it then subdivides for tens of seconds); take the difference
        # exactly, (x - m c)^2 - (x - m x0)^2 = m (x0 - c) (2x - m (x0 + c))
        logq_c = float(prior.logq(np.asarray(c, dtype=float)))
        # log q(x0) - log q(c) still carries rounding ~eps |log q(c)|: ask no more of the quadrature
        epsrel = max(epsrel, 16.0 * _EPS * abs(logq_c))
        if epsrel > _MAX_EPSREL:
            raise InvalidParameterError(
                f"x = {x:.6g} is too far out for the float64 quadrature of the posterior of X_0: log q at "
                f"its mode {c:.6g} is {logq_c:.6g}, so float64 resolves the integrand only to ~{epsrel:.1g} "
                "relative; pass a smaller |x| (or method='mpmath')"
            )

        def log_f(x0: np.ndarray) -> np.ndarray:
            with np.errstate(all="ignore"):
                val = prior.logq(x0) - logq_c + m * (x0 - c) * (2.0 * x - m * (x0 + c)) / (2.0 * v)
            return np.where(np.isfinite(val), val, -np.inf)
    else:

        def log_f(x0: np.ndarray) -> np.ndarray:
            return _phi(prior, x0, x, m, v) - phic

    def integrand(x0: float) -> np.ndarray:
        f = np.exp(log_f(np.asarray(x0, dtype=float)))
        return f * ((x0 - c) / w) ** powers

    # quad_vec maps infinite ends to a finite interval and splits at the interior edges
    res = quad_vec(integrand, edges[0], edges[-1], points=edges[1:-1], epsabs=0.0, epsrel=epsrel, norm="max")
    return res[0]


def _moments_mp(prior, x, m, v, c, w, edges, order) -> tuple[list, mpmath.mpf]:
    """Scaled moments ``M_k = int ((x0 - c)/w)^k exp(phi(x0) - phi(c)) dx0`` at the working precision."""
    X, M, V, C, W = (mpmath.mpf(z) for z in (x, m, v, c, w))
    phic = prior.logq_mp(C) - (X - M * C) ** 2 / (2 * V)
    cache: dict = {}

    def f(x0):
        val = cache.get(x0)
        if val is None:
            lq = mpmath.mpmathify(prior.logq_mp(x0))
            if isinstance(lq, mpmath.mpc):  # a node rounded onto/past an end of the support
                lq = lq.real if lq.imag == 0 else mpmath.ninf
            # non-finite log q only occurs at nodes that rounded onto a support end (weight ~ 10^-dps)
            ok = mpmath.isfinite(lq)
            val = mpmath.exp(lq - (X - M * x0) ** 2 / (2 * V) - phic) if ok else mpmath.mpf(0)
            cache[x0] = val
        return val

    mp_edges = [mpmath.mpf(e) for e in edges]  # mpf handles +-inf
    moments = [
        mpmath.quad(lambda x0, k=k: ((x0 - C) / W) ** k * f(x0), mp_edges) for k in range(1, order + 1)
    ]
    m0, err = mpmath.quad(f, mp_edges, error=True)
    if not err <= 1e-15 * abs(m0):
        warnings.warn(
            f"mpmath quadrature of the posterior at x = {x} reached only relative error "
            f"{mpmath.nstr(err / abs(m0), 3)}; the noised log-density and its derivatives may be inaccurate",
            RuntimeWarning,
            stacklevel=2,
        )
    return [m0, *moments], phic


def _cumulant_derivs(moments, x, m, v, c, w, phic, log_norm, order, log, two_pi) -> list:
    """Scaled moments -> [log p, score, jacobian, third derivative] (float64 or mpmath scalars)."""
    m0 = moments[0]
    out = [phic + log(m0) - log_norm - log(two_pi * v) / 2]
    if order >= 1:
        e1 = moments[1] / m0
        out.append((m * c - x) / v + m * w * e1 / v)
    if order >= 2:
        e2 = moments[2] / m0
        out.append(-1 / v + (m * w / v) ** 2 * (e2 - e1 * e1))
    if order >= 3:
        e3 = moments[3] / m0
        out.append((m * w / v) ** 3 * (e3 - 3 * e2 * e1 + 2 * e1**3))
    if order >= 4:
        e4 = moments[4] / m0
        out.append((m * w / v) ** 4 * (e4 - 4 * e3 * e1 - 3 * e2 * e2 + 12 * e2 * e1 * e1 - 6 * e1**4))
    return out


def _derivs_at(prior: Prior1D, x: float, m: float, v: float, order: int, method: str) -> list[float]:
    c, w = posterior_window(prior, x, m, v)
    edges = _panel_edges(prior, c, w)
    if method == "float":
        phic = float(_phi(prior, np.array(c), x, m, v))
        moments = _moments_float(prior, x, m, v, c, w, phic, edges, order)
        return _cumulant_derivs(moments, x, m, v, c, w, phic, prior.log_norm, order, math.log, 2 * math.pi)
    with mpmath.workdps(working_dps(v)):
        moments, phic = _moments_mp(prior, x, m, v, c, w, edges, order)
        X, M, V, C, W = (mpmath.mpf(z) for z in (x, m, v, c, w))
        vals = _cumulant_derivs(
            moments, X, M, V, C, W, phic, prior.log_norm, order, mpmath.log, 2 * mpmath.pi
        )
        return [float(z) for z in vals]


def noised_1d_derivatives(
    prior: Prior1D, x: Sequence[float] | np.ndarray, m: float, v: float, order: int = 1, method: str = "auto"
) -> Derivatives:
    r""":math:`\log p_t` and its derivatives for a 1-D density noised by :math:`X_t = m X_0 + \sqrt v\, Z`.

    .. math::

        p_t(x) = \int q(x_0)\, N(x; m x_0, v)\, dx_0,

    with score, Jacobian and third derivative from the posterior cumulants (module docstring).

    Parameters
    ----------
    prior : Prior1D
    x : (n,) array of points
    m, v : float
        :math:`m(t) > 0` and :math:`\sigma^2(t) > 0`.
    order : int
        Highest derivative wanted (0 to 3).
    method : {"auto", "float", "mpmath"}
        ``"float"``: scipy ``quad_vec`` in float64 (absolute error of the Jacobian about
        :math:`10^{-12}/v`); ``"mpmath"``: tanh-sinh at :func:`working_dps` digits; ``"auto"``: mpmath when
        :math:`v <` ``MPMATH_BELOW_VAR`` or when ``prior.smooth_ends`` is False.

    Returns
    -------
    Derivatives
        Shapes (n,), (n, 1), (n, 1, 1), (n, 1, 1, 1).
    """
    method = _resolve_method(prior, v, method)
    xs = np.asarray(x, dtype=float).reshape(-1)
    rows = np.array([_derivs_at(prior, float(xi), m, v, order, method) for xi in xs]).reshape(
        len(xs), order + 1
    )
    n = len(xs)
    shapes = [(n,), (n, 1), (n, 1, 1), (n, 1, 1, 1)]
    return Derivatives(*[rows[:, k].reshape(shapes[k]) for k in range(order + 1)])


def _resolve_method(prior: Prior1D, v: float, method: str) -> str:
    if method == "auto":
        return "mpmath" if v < MPMATH_BELOW_VAR or not prior.smooth_ends else "float"
    if method not in ("float", "mpmath"):
        raise ValueError(f"method must be 'auto', 'float' or 'mpmath', got {method!r}")
    return method


def noised_1d_derivative(
    prior: Prior1D, x: Sequence[float] | np.ndarray, m: float, v: float, k: int, method: str = "auto"
) -> np.ndarray:
    r"""The ``k``-th derivative (0 to 4) of :math:`\log p_t` for a noised 1-D density, shape (n,) + (1,)*k.

    Posterior cumulants (module docstring), with the fourth one
    :math:`\partial_x^4 \log p_t = (m/v)^4 \kappa_4[X_0 \mid x]`,
    :math:`\kappa_4 = \mathbb E[c^4] - 4\mathbb E[c^3]\mathbb E[c] - 3 \mathbb E[c^2]^2
    + 12 \mathbb E[c^2]\mathbb E[c]^2 - 6 \mathbb E[c]^4` for the scaled centred variable
    :math:`c = (X_0 - \text{mode})/w`.  ``method`` as in :func:`noised_1d_derivatives`; with ``"auto"``
    the moments are taken by mpmath at :func:`working_dps` digits when :math:`v <` ``MPMATH_BELOW_VAR``.
    """
    method = _resolve_method(prior, v, method)
    xs = np.asarray(x, dtype=float).reshape(-1)
    vals = np.array([_derivs_at(prior, float(xi), m, v, k, method)[k] for xi in xs], dtype=float)
    return vals.reshape((len(xs),) + (1,) * k)


# ---------------------------------------------------------------------------------------------------
# derivatives of any order k <= 4 (the Stephanovitch suite's API)
# ---------------------------------------------------------------------------------------------------


def log_density_derivative(law, x, k: int) -> np.ndarray:
    r""":math:`\nabla^k \log p(x)` for ``k`` = 0..4: alias of ``law.log_density_derivative(x, k)``.

    ``x`` of shape (n, d) gives shape (n,) + (d,)*k (a single point (d,) gives (d,)*k).  ``law`` is any
    sgmverify law with a density, typically a noised law ``data.noised(process, t)``; see each law's
    docstring for how each order is computed and where mpmath is used.
    """
    if isinstance(law, type):
        raise InvalidTypeError(
            f"law must be an sgmverify law (an instance), got the class {law.__name__}; build one, e.g. "
            f"{law.__name__}(...), or pass data.noised(process, t)"
        )
    method = getattr(law, "log_density_derivative", None)
    if method is None:
        raise InvalidParameterError(
            f"{type(law).__name__} has no log_density_derivative; pass an sgmverify law "
            "(e.g. data.noised(process, t))"
        )
    return method(x, k)
