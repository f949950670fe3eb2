r"""Decreasing time grids :math:`T = t_0 > t_1 > \dots > t_K = t_{\min} \ge 0` for the samplers: uniform,
quadratic and the EDM/Karras grid, chosen by name with :func:`time_grid` and validated by :func:`check_grid`.

References
----------
.. [4] Karras, Aittala, Aila, Laine (2022), "Elucidating the design space of diffusion-based generative
   models", NeurIPS: the rho time grid, eq. (5).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sgmverify.errors import InvalidParameterError, ShapeError, TimeDomainError, UnknownNameError

from ._checks import check_process, finite_real, real_array

__all__ = ["check_grid", "check_span", "karras_grid", "quadratic_grid", "time_grid", "uniform_grid"]

#: Most steps a grid may have (its times stay below 2 GiB).
MAX_STEPS = 2**28


def check_span(T: float, steps: int, t_min: float) -> tuple[float, int, float]:
    """Validated ``(T, steps, t_min)``: a positive integer number of steps and finite ``T > t_min >= 0``."""
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise InvalidParameterError(f"steps must be a positive integer, got {steps!r}.")
    if steps > MAX_STEPS:
        raise InvalidParameterError(
            f"steps = {steps} exceeds {MAX_STEPS} (the grid alone would not fit in memory)."
        )
    T, t_min = finite_real(T, "T"), finite_real(t_min, "t_min")
    if t_min < 0:
        raise TimeDomainError(f"t_min must be >= 0 (the forward process starts at 0), got t_min={t_min}.")
    if not T > t_min:
        raise InvalidParameterError(
            f"need T > t_min (samplers run backward from T), got T={T}, t_min={t_min}."
        )
    return T, int(steps), t_min


def uniform_grid(T: float, steps: int, t_min: float = 0.0) -> np.ndarray:
    r"""Equal steps: :math:`t_i = T - (T - t_{\min})\, i / K`, ``K + 1`` points from ``T`` to ``t_min``."""
    T, K, t_min = check_span(T, steps, t_min)
    grid = T - (T - t_min) * (np.arange(K + 1) / K)
    grid[-1] = t_min
    return grid


def quadratic_grid(T: float, steps: int, t_min: float = 0.0) -> np.ndarray:
    r"""Steps shrinking linearly towards ``t_min``: :math:`t_i = t_{\min} + (T - t_{\min}) (1 - i/K)^2`."""
    T, K, t_min = check_span(T, steps, t_min)
    grid = t_min + (T - t_min) * (1.0 - np.arange(K + 1) / K) ** 2
    grid[0], grid[-1] = T, t_min
    return grid


def _edm_sigma(process: Any, t: np.ndarray) -> np.ndarray:
    """EDM noise level sigma(t)/m(t); its square is int_0^t g^2/m^2, monotone for every linear SDE."""
    t = np.asarray(t, dtype=float)
    return np.broadcast_to(np.asarray(process.std(t) / process.mean_coeff(t), dtype=float), t.shape)


def karras_grid(process: Any, T: float, steps: int, t_min: float = 0.0, rho: float = 7.0) -> np.ndarray:
    r"""EDM/Karras grid [4]_ eq. (5), mapped into the process's own time.

    The rho-spacing is applied to the EDM noise level :math:`\tilde\sigma(t) = \sigma(t)/m(t)` (the noise
    of the rescaled state :math:`X_t/m(t) = X_0 + \tilde\sigma(t) Z`), which is monotone for every linear
    SDE because :math:`\tilde\sigma(t)^2 = \int_0^t g(u)^2/m(u)^2\,du`:

    .. math:: \tilde\sigma_i = \Big(\tilde\sigma(T)^{1/\rho} + \tfrac{i}{K}
              \big(\tilde\sigma(t_{\min})^{1/\rho} - \tilde\sigma(T)^{1/\rho}\big)\Big)^{\rho},
              \qquad t_i = \tilde\sigma^{-1}(\tilde\sigma_i),

    the inverse taken numerically by vectorised bisection on :math:`[t_{\min}, T]` (64 halvings: to the
    spacing of floats).  For VE, :math:`\tilde\sigma = \sigma`; for VP it is EDM's
    :math:`\sqrt{e^{\int\beta} - 1}`.
    """
    T, K, t_min = check_span(T, steps, t_min)
    if not finite_real(rho, "rho") > 0:
        raise InvalidParameterError(f"rho must be a positive number (EDM uses 7), got {rho}.")
    check_process(process, ("t_max", "mean_coeff", "std"))
    check_grid([T, t_min], process)  # T inside the process's time domain
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        s_hi, s_lo = _edm_sigma(process, np.array([T, t_min]))
    if not (np.isfinite(s_hi) and np.isfinite(s_lo)):
        raise TimeDomainError(
            f"the EDM noise level sigma(t)/m(t) of the process is not finite at T={T:g} "
            f"(sigma/m = {s_hi:.3g}); lower T."
        )
    frac = np.arange(K + 1) / K
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        target = (s_hi ** (1 / rho) + frac * (s_lo ** (1 / rho) - s_hi ** (1 / rho))) ** rho
    if not np.all(np.isfinite(target)):
        raise InvalidParameterError(
            f"rho = {rho:g} is too far from EDM's 7 for these noise levels: sigma^(1/rho) overflows float64."
        )
    lo, hi = np.full(K + 1, t_min), np.full(K + 1, T)
    for _ in range(64):
        mid = 0.5 * (lo + hi)
        below = _edm_sigma(process, mid) < target
        lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
    grid = 0.5 * (lo + hi)
    grid[0], grid[-1] = T, t_min
    return check_grid(grid, process)


def time_grid(
    kind: str, T: float, steps: int, t_min: float = 0.0, *, process: Any = None, rho: float = 7.0
) -> np.ndarray:
    """Grid by name: ``"uniform"``, ``"quadratic"`` or ``"karras"`` (which needs ``process``)."""
    if not isinstance(kind, str):
        raise UnknownNameError(
            f"the grid kind must be a name ('uniform', 'quadratic' or 'karras'), got {kind!r:.60}."
        )
    if kind == "uniform":
        return uniform_grid(T, steps, t_min)
    if kind == "quadratic":
        return quadratic_grid(T, steps, t_min)
    if kind == "karras":
        if process is None:
            raise InvalidParameterError("the 'karras' grid is defined through the process; pass process=...")
        return karras_grid(process, T, steps, t_min, rho)
    raise UnknownNameError(f"unknown time grid {kind!r}; choose 'uniform', 'quadratic' or 'karras'.")


def check_grid(grid: Any, process: Any = None) -> np.ndarray:
    """Validate a sampler grid: 1-D, finite, strictly decreasing, ``t_min >= 0``, ``T < process.t_max``."""
    g = real_array(grid, "grid")
    if g.ndim != 1 or g.size < 2:
        raise ShapeError(f"grid must be a 1-D array of at least 2 times (T ... t_min), got shape {g.shape}.")
    if not np.all(np.isfinite(g)):
        raise InvalidParameterError("grid contains NaN or inf; build it with uniform_grid/time_grid.")
    if not np.all(np.diff(g) < 0):
        k = int(np.argmax(np.diff(g) >= 0))
        raise InvalidParameterError(
            f"grid must be strictly decreasing from T to t_min (samplers run backward), but grid[{k}]="
            f"{g[k]} <= grid[{k + 1}]={g[k + 1]}; reverse it or remove repeated times."
        )
    if g[-1] < 0:
        raise TimeDomainError(f"grid ends at t_min={g[-1]} < 0; the forward process starts at t=0.")
    if process is not None and g[0] >= check_process(process, ("t_max",)).t_max:
        raise TimeDomainError(
            f"grid starts at T={g[0]}, outside the process's time domain [0, {process.t_max}); lower T."
        )
    return g
