r"""Density transport along characteristics: the continuity equation (D = 0) without a grid.

For :math:`\partial_\tau q + \nabla\cdot(v\,q) = 0` (the law of the ODE :math:`\dot X = v(X, \tau)`, e.g. the
probability-flow ODE, η = 0 of the η-family in ``docs/papers/elamvazhuthi_oymak_pasqualetti_2023.md`` §2.2),
particles move along characteristics and carry their log-density:

.. math::
    \frac{dX_\tau}{d\tau} = v(X_\tau, \tau),\qquad
    \frac{d}{d\tau}\log q_\tau(X_\tau) = -(\nabla\cdot v)(X_\tau, \tau),

so :math:`\log q_{t_1}(X_{t_1}) = \log q_{t_0}(X_{t_0}) - \int_{t_0}^{t_1} \nabla\cdot v(X_s, s)\,ds`
(docs/papers/elamvazhuthi_oymak_pasqualetti_2023.md §6, "Tips for the ODE side"; in 1-D
:math:`q_{t_1} = q_{t_0}/J`).  No grid is involved, so there is
no numerical diffusion: an upwind grid scheme would smear exactly the high-frequency structure under
study.  The augmented ODE is integrated with fixed-step RK4 (default), Heun or Euler: the engine's one
Butcher tableau and step (:mod:`sgmverify._tableau`, re-exported by :mod:`sgmverify.samplers`).

If the starting points are samples of :math:`q_{t_0}`, the end points are samples of :math:`q_{t_1}` and
:math:`\exp(\text{logq}_1)` is the exact (up to the ODE error) density at them — the input that
:func:`sgmverify.metrics.l2_squared_particles` needs for an L² distance without density estimation.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable

import numpy as np

from sgmverify._tableau import EULER, HEUN, RK4, rk_step
from sgmverify._validate import finite_real, real_array
from sgmverify.errors import InvalidParameterError, ShapeError, TimeDomainError

__all__ = ["fd_divergence", "transport_density"]

_METHODS = {"euler": EULER, "heun": HEUN, "rk4": RK4}
#: Order each method declares (its Butcher tableau's).
ORDER = {name: tab.order for name, tab in _METHODS.items()}


def fd_divergence(velocity: Callable, h: float = 1e-5) -> Callable:
    r"""Divergence of ``velocity`` by central differences.

    :math:`\nabla\cdot v(x) \approx \sum_k (v_k(x + h e_k) - v_k(x - h e_k))/2h`.

    The step is scaled with the point, :math:`h(1 + |x_k|)`; the error is :math:`O(h^2 \|\partial^3 v\|)` plus
    round-off :math:`O(\epsilon |v| / h)` (about 1e-10 for the default h and unit-size fields).  2d velocity
    evaluations per call.
    """

    def divergence(x: np.ndarray, t: float) -> np.ndarray:
        n, d = x.shape
        out = np.zeros(n)
        for k in range(d):
            step = h * (1.0 + np.abs(x[:, k]))
            xp, xm = x.copy(), x.copy()
            xp[:, k] += step
            xm[:, k] -= step
            out += (np.asarray(velocity(xp, t))[:, k] - np.asarray(velocity(xm, t))[:, k]) / (2 * step)
        return out

    return divergence


def _eval(fn: Callable, x: np.ndarray, t: float, shape: tuple[int, ...], what: str) -> np.ndarray:
    arr = real_array(fn(x, t), f"{what} at τ={t:g}")
    if arr.shape != shape:
        raise ShapeError(f"{what} at τ={t:g} returned shape {arr.shape}; it must return shape {shape}.")
    if not np.all(np.isfinite(arr)):
        raise InvalidParameterError(
            f"{what} at τ={t:g} returned NaN or inf; the field must be finite along the trajectories."
        )
    return arr


def transport_density(
    x0: np.ndarray,
    logq0: np.ndarray,
    velocity: Callable,
    divergence: Callable | None,
    t0: float,
    t1: float,
    n_steps: int,
    method: str = "rk4",
) -> tuple[np.ndarray, np.ndarray]:
    r"""Move particles and their log-density along the characteristics of :math:`\dot X = v(X, \tau)`.

    Parameters
    ----------
    x0 : ndarray, shape (n, d) or (n,)
        Starting points (a 1-D array means d = 1; the output then has shape (n,) too).
    logq0 : ndarray, shape (n,)
        :math:`\log q_{t_0}(x_0)`.
    velocity : callable
        ``velocity(x, τ)`` with ``x`` of shape (n, d), returns shape (n, d).
    divergence : callable or None
        ``divergence(x, τ)`` -> (n,), :math:`\nabla\cdot v`.  ``None`` uses central differences
        (:func:`fd_divergence`).
    t0, t1 : float
        Start and end times; ``t1 > t0``.
    n_steps : int
        Number of fixed steps.
    method : {"rk4", "heun", "euler"}
        Runge–Kutta scheme of order 4, 2, 1 (for positions and log-densities alike).

    Returns
    -------
    x1 : ndarray, same shape as ``x0``
    logq1 : ndarray, shape (n,)
        :math:`\log q_{t_1}(x_1) = \log q_{t_0}(x_0) - \int_{t_0}^{t_1}\nabla\cdot v\,d\tau`.
    """
    if not isinstance(method, str) or method not in _METHODS:
        raise InvalidParameterError(f"method must be one of {sorted(_METHODS)}, got {method!r:.60}.")
    x = real_array(x0, "x0")
    squeeze = x.ndim == 1
    if squeeze:
        x = x[:, None]
    if x.ndim != 2 or x.shape[0] < 1:
        raise ShapeError(f"x0 must have shape (n, d) or (n,), got {np.shape(x0)}.")
    lq = real_array(logq0, "logq0")
    if lq.shape != (x.shape[0],):
        raise ShapeError(f"logq0 must have shape ({x.shape[0]},) to match x0, got {lq.shape}.")
    if not np.all(np.isfinite(x)):
        raise InvalidParameterError("x0 contains NaN or inf.")
    if np.any(np.isnan(lq)) or np.any(lq == np.inf):
        raise InvalidParameterError("logq0 contains NaN or +inf; pass log-densities (-inf is allowed).")
    t0, t1 = finite_real(t0, "t0", TimeDomainError), finite_real(t1, "t1", TimeDomainError)
    if not t1 > t0:
        raise TimeDomainError(f"need t1 > t0, got t0={t0}, t1={t1}.")
    if isinstance(n_steps, bool) or not isinstance(n_steps, numbers.Integral) or n_steps < 1:
        raise InvalidParameterError(f"n_steps must be a positive integer, got {n_steps!r}.")
    if not callable(velocity):
        raise InvalidParameterError("velocity must be a callable velocity(x, τ) -> (n, d).")
    if divergence is not None and not callable(divergence):
        raise InvalidParameterError("divergence must be None or a callable divergence(x, τ) -> (n,).")
    div = fd_divergence(velocity) if divergence is None else divergence
    x, lq = _integrate(x, lq, velocity, div, float(t0), float(t1), int(n_steps), method)
    return (x[:, 0] if squeeze else x), lq


def _integrate(
    x: np.ndarray,
    lq: np.ndarray,
    velocity: Callable,
    div: Callable,
    t0: float,
    t1: float,
    n_steps: int,
    method: str,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Explicit Runge–Kutta (:func:`sgmverify._tableau.rk_step`) on the augmented state :math:`(X, \log q)`
    with right-hand side :math:`(v, -\nabla\cdot v)`, ``n_steps`` equal steps."""
    tableau = _METHODS[method]
    h = (t1 - t0) / n_steps
    shape = x.shape

    def rhs(ts: float, state: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        xs = state[0]
        return (
            _eval(velocity, xs, ts, shape, "velocity(x, τ)"),
            -_eval(div, xs, ts, (shape[0],), "divergence(x, τ)"),
        )

    for k in range(n_steps):
        x, lq = rk_step(rhs, t0 + k * h, (x, lq), h, tableau)
    return x, lq
