r"""The samplers' Runge–Kutta method: :class:`ButcherTableau`, :data:`EULER`, :data:`HEUN`, :data:`RK4` and
:func:`rk_step`.

.. math:: k_i = f\Big(t + c_i h,\; x + h\sum_{j<i} a_{ij} k_j\Big), \qquad x' = x + h\sum_i b_i k_i .

The tableau is defined once, in :mod:`sgmverify._tableau` at the bottom of the engine's layers, so that the
PDE wing (below the samplers) steps with the same tableau; here it becomes a public name of the samplers.
The ODE schemes of :data:`~sgmverify.samplers.SCHEMES` carry these tableaux, the exact Gaussian laws compose
their stages, and the sensitivity pass and the paper packages step with :func:`rk_step`.
"""

from __future__ import annotations

from sgmverify._tableau import EULER, HEUN, RK4, ButcherTableau, rk_step

__all__ = ["EULER", "HEUN", "RK4", "ButcherTableau", "rk_step"]
