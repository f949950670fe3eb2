r"""Fast exact noised score of a 1-D density, for Monte Carlo runs of samplers on product data.

For :math:`X_t = m X_0 + \sqrt v\, Z` with :math:`X_0 \sim q` (1-D), Tweedie's formula gives

.. math:: \partial_x \log p_t(x) = \frac{m\,\mathbb E[X_0 \mid X_t = x] - x}{v}, \qquad
          \mathbb E[X_0 \mid x] = \frac{\int x_0\, q(x_0)\, e^{-(x - m x_0)^2/(2v)}\,dx_0}
                                       {\int q(x_0)\, e^{-(x - m x_0)^2/(2v)}\,dx_0}.

:class:`NoisedScore1D` evaluates both integrals with the trapezoid rule on a fixed uniform grid of nodes
covering the bulk of q (log-sum-exp weights), which is spectrally accurate while the posterior width
:math:`\sqrt v/m` spans several nodes (checked: otherwise :class:`InvalidParameterError`).  Many points are
served by a table of the score on ``table_size`` points over their range, linearly interpolated.  This costs
O(table_size · nodes) per time, independent of the number of samples — against one adaptive quadrature per
point in :class:`~sgmverify.laws.NoisedDensity1D` (about 5 ms each), which is the reference the
tests compare with.  Accuracy needs the posterior of :math:`X_0` to lie inside the node range (where
:math:`\log q` is within ``LOG_FLOOR`` of its maximum), i.e. points x in the bulk of :math:`p_t`; far-tail
points (beyond the data's e^{-60} level) get a truncated posterior.  :meth:`NoisedScore1D.quantile` gives
q's quantile function (for W2 by the 1-D quantile formula).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from scipy.special import logsumexp

from sgmverify.errors import InvalidParameterError

__all__ = ["NoisedScore1D"]

LOG_FLOOR = 60.0  # nodes where log q < max log q - LOG_FLOOR carry no mass at float64 precision


class NoisedScore1D:
    """Score of the noised law of a 1-D density q (see the module docstring).

    Parameters
    ----------
    log_density : callable
        Vectorised :math:`\\log q` (unnormalised is fine), ``-inf`` outside the support.
    lo, hi : float
        A finite interval holding the bulk of q; it is trimmed to where :math:`\\log q` is within
        ``LOG_FLOOR`` of its maximum.
    n_nodes : int
        Trapezoid nodes (default 801).
    """

    def __init__(
        self, log_density: Callable[[np.ndarray], np.ndarray], lo: float, hi: float, n_nodes: int = 801
    ):
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise InvalidParameterError(f"need finite lo < hi, got {lo}, {hi}.")
        if int(n_nodes) < 16:
            raise InvalidParameterError(f"n_nodes must be >= 16, got {n_nodes}.")
        scan = np.linspace(lo, hi, 20001)
        with np.errstate(all="ignore"):
            lq = np.asarray(log_density(scan), dtype=float)
        ok = np.isfinite(lq) & (lq > np.nanmax(lq) - LOG_FLOOR)
        if not np.any(ok):
            raise InvalidParameterError("log_density is not finite anywhere on [lo, hi].")
        a, b = scan[ok][0], scan[ok][-1]
        self.nodes = np.linspace(a, b, int(n_nodes))
        self.spacing = float(self.nodes[1] - self.nodes[0])
        with np.errstate(all="ignore"):
            lw = np.asarray(log_density(self.nodes), dtype=float)
        lw = np.where(np.isfinite(lw), lw, -np.inf)
        lw[[0, -1]] += math.log(0.5)  # trapezoid end weights (the ends carry ~e^-60 of the mass anyway)
        self.log_weights = lw - logsumexp(lw)
        # fine CDF for quantiles (trapezoid on the scan grid)
        dens = np.exp(np.where(ok, lq, -np.inf) - np.nanmax(lq))
        cdf = np.concatenate([[0.0], np.cumsum(0.5 * (dens[1:] + dens[:-1]))])
        self._scan, self._cdf = scan, cdf / cdf[-1]

    def posterior_mean(self, x: np.ndarray, m: float, v: float) -> np.ndarray:
        r""":math:`\mathbb E[X_0 \mid m X_0 + \sqrt v Z = x]` at the points ``x`` (any shape)."""
        if not (v > 0 and math.isfinite(v) and math.isfinite(m)):
            raise InvalidParameterError(f"need v > 0 and finite m, got m={m}, v={v}.")
        if math.sqrt(v) < 3.0 * abs(m) * self.spacing:
            raise InvalidParameterError(
                f"posterior width sqrt(v)/m = {math.sqrt(v) / abs(m):.3g} is below 3 node spacings "
                f"({self.spacing:.3g}); use more nodes or stop the sampler at a larger time."
            )
        xf = np.asarray(x, dtype=float).reshape(-1)
        logits = self.log_weights - (xf[:, None] - m * self.nodes) ** 2 / (2.0 * v)
        w = np.exp(logits - logits.max(axis=1, keepdims=True))
        return ((w @ self.nodes) / w.sum(axis=1)).reshape(np.shape(x))

    def score(self, x: np.ndarray, m: float, v: float, table_size: int = 512) -> np.ndarray:
        r""":math:`\partial_x \log p_t(x)`; through a linearly interpolated table when ``x`` has more than
        ``table_size`` points (set ``table_size=0`` for direct evaluation)."""
        xf = np.asarray(x, dtype=float)
        if table_size <= 0 or xf.size <= table_size:
            return (m * self.posterior_mean(xf, m, v) - xf) / v
        lo, hi = float(xf.min()), float(xf.max())
        grid = np.linspace(lo, hi, int(table_size)) if hi > lo else np.array([lo])
        tab = (m * self.posterior_mean(grid, m, v) - grid) / v
        return np.interp(xf, grid, tab) if grid.size > 1 else np.full_like(xf, tab[0])

    def quantile(self, u: np.ndarray) -> np.ndarray:
        """Quantile function of q (inverse of the trapezoid CDF on a 20001-point grid)."""
        return np.interp(np.asarray(u, dtype=float), self._cdf, self._scan)
