r"""Tabulated forward-process coefficients for batched evaluation in training loops.

DSM training evaluates :math:`m(t)`, :math:`\sigma^2(t)` and :math:`g(t)^2` at a fresh batch of times every
step.  Some processes compute :math:`\sigma^2` by per-point quadrature (where the closed form cancels at
small t; see :class:`~sgmverify.sde.LinearSDE`), about 0.5 ms a point — 100+ ms a step.  This table
evaluates the exact coefficients once on a grid (log-spaced merged with equally spaced times) and
interpolates :math:`\log m`, :math:`\log\sigma^2`, :math:`\log g^2` with cubic splines in :math:`u = \log t`.
It is *validated* against the exact coefficients at every grid midpoint (where spline error peaks); if the
worst relative error there exceeds :data:`RTOL`, the table is refined, and after three refinements the
exact path is used instead.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
from scipy.interpolate import CubicSpline

from sgmverify.errors import TimeDomainError

__all__ = ["RTOL", "CoefficientTable"]

#: Largest accepted relative interpolation error of m, sigma^2, g^2 (validated at every grid midpoint;
#: the quadrature behind some sigma^2 is itself only ~1e-10 smooth, so 1e-9 is not always reachable).
RTOL = 1e-8


def _exact(process: Any, t: np.ndarray) -> np.ndarray:
    m = np.asarray(process.mean_coeff(t), dtype=float) * np.ones_like(t)
    var = np.asarray(process.var(t), dtype=float) * np.ones_like(t)
    g2 = np.asarray(process.diffusion(t), dtype=float) ** 2 * np.ones_like(t)
    return np.stack([m, var, g2])


class CoefficientTable:
    """``table(t) -> (m, var, g2)`` as float64 torch tensors, for t in ``[t_lo, t_hi]``.

    Parameters
    ----------
    process : LinearSDE
    t_lo, t_hi : float
        Range of times (``0 < t_lo < t_hi < process.t_max``).
    n : int
        Initial number of grid points (doubled up to three times until the midpoint check passes).
    """

    def __init__(self, process: Any, t_lo: float, t_hi: float, n: int = 257) -> None:
        if not (0 < t_lo < t_hi < process.t_max):
            raise TimeDomainError(f"need 0 < t_lo < t_hi < {process.t_max}, got [{t_lo}, {t_hi}].")
        self.process, self.t_lo, self.t_hi = process, float(t_lo), float(t_hi)
        self.splines: CubicSpline | None = None
        self.max_rel_error = math.inf
        for _ in range(4):
            # knots: log-spaced (small t) merged with equally spaced (t near t_hi, where log m can turn fast)
            t_knots = np.union1d(np.geomspace(t_lo, t_hi, n), np.linspace(t_lo, t_hi, n))
            u = np.log(t_knots[np.concatenate([[True], np.diff(t_knots) > 1e-12 * t_knots[1:]])])
            vals = _exact(process, np.exp(u))
            if np.any(vals <= 0) or not np.all(np.isfinite(vals)):
                break  # g(t) = 0 somewhere (or a non-finite value): logs are unusable, use the exact path
            spline = CubicSpline(u, np.log(vals), axis=1)
            mid = 0.5 * (u[1:] + u[:-1])  # every midpoint: where the spline's error peaks
            err = np.max(np.abs(np.exp(spline(mid)) / _exact(process, np.exp(mid)) - 1.0))
            if err <= RTOL:
                self.splines, self.max_rel_error, self.n = spline, float(err), n
                break
            n = 2 * n - 1

    @property
    def exact(self) -> bool:
        """True when the table fell back to the exact coefficients."""
        return self.splines is None

    def __call__(self, t: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        tt = t.detach().cpu().to(torch.float64)
        if self.splines is None:
            vals = _exact(self.process, tt.numpy())
        else:
            lo, hi = float(tt.min()), float(tt.max())
            if lo < self.t_lo * (1 - 1e-12) or hi > self.t_hi * (1 + 1e-12):
                raise TimeDomainError(
                    f"times [{lo}, {hi}] leave the table's range [{self.t_lo}, {self.t_hi}]."
                )
            vals = np.exp(self.splines(np.log(tt.numpy())))
        m, var, g2 = (torch.from_numpy(np.ascontiguousarray(v)) for v in vals)
        return m, var, g2
