r"""Sampling schemes as data: :class:`Scheme` declares a scheme's kind, its orders and, for the explicit
Runge–Kutta ODE schemes, its Butcher tableau; :data:`SCHEMES` is the registry and :func:`get_scheme` the
look-up.

References
----------
.. [2] Kloeden, Platen (1992), "Numerical Solution of Stochastic Differential Equations", Springer:
   Euler–Maruyama §10.2; strong order 1 for additive noise §10.3 / §11.1.
.. [3] Zhang, Chen (2023), "Fast sampling of diffusion models with exponential integrator", ICLR (DEIS);
   Hochbruck, Ostermann (2010), "Exponential integrators", Acta Numerica 19.
.. [4] Karras, Aittala, Aila, Laine (2022), "Elucidating the design space of diffusion-based generative
   models", NeurIPS: Heun sampler (Alg. 1).
.. [5] Dormand, Prince (1980), "A family of embedded Runge–Kutta formulae", J. Comp. Appl. Math. 6
   (scipy's ``RK45``, the default of ``scipy.integrate.solve_ivp``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sgmverify.errors import InvalidParameterError, UnknownNameError

from ._tableau import EULER, HEUN, RK4, ButcherTableau

__all__ = ["SCHEMES", "Scheme", "get_scheme"]


@dataclass(frozen=True)
class Scheme:
    """A sampling scheme and what it promises.

    Attributes
    ----------
    name : str
        Registry key.
    kind : {"sde", "ode"}
        Whether the scheme samples the reverse SDE (needs noise) or integrates the probability-flow ODE.
    order : float or None
        Convergence order of the output law in ``h``: the weak order for SDE schemes, the global order for
        ODE schemes; ``None`` for the tolerance-controlled adaptive solver.
    strong_order : float or None
        Pathwise (strong) order for SDE schemes.  The noise of every reverse linear SDE is additive
        (:math:`g` depends on ``t`` only), so Euler–Maruyama has strong order 1, not 1/2 ([2]_ §10.3).
    nfe_per_step : int
        Score evaluations per step (0 for adaptive: see ``SamplerResult.nfe``).
    tableau : ButcherTableau or None
        Butcher tableau of the explicit Runge–Kutta ODE schemes (its declared order is ``order``; reused by
        :mod:`sgmverify.samplers._gaussian_exact`).
    reference : str
        Where the scheme comes from.
    """

    name: str
    kind: Literal["sde", "ode"]
    order: float | None
    strong_order: float | None
    nfe_per_step: int
    tableau: ButcherTableau | None
    reference: str

    def __post_init__(self) -> None:
        if self.tableau is not None and self.order != self.tableau.order:
            raise InvalidParameterError(
                f"scheme {self.name!r} declares order {self.order} but its tableau "
                f"{self.tableau.name!r} has order {self.tableau.order}."
            )


SCHEMES: dict[str, Scheme] = {
    s.name: s
    for s in (
        Scheme("em", "sde", 1.0, 1.0, 1, None, "Euler–Maruyama, [2] §10.2"),
        Scheme("ei", "sde", 1.0, 1.0, 1, None, "exponential integrator, score frozen [3]"),
        Scheme("euler_ode", "ode", 1.0, None, 1, EULER, "explicit Euler on the probability-flow ODE"),
        Scheme("heun_ode", "ode", 2.0, None, 2, HEUN, "Heun (explicit trapezoid), [4] Alg. 1"),
        Scheme("rk4_ode", "ode", 4.0, None, 4, RK4, "classical Runge–Kutta (Kutta 1901)"),
        Scheme("ei_ode", "ode", 1.0, None, 1, None, "exponential integrator on the ODE, score frozen [3]"),
        Scheme("adaptive_ode", "ode", None, None, 0, None, "scipy OdeSolver, RK45 by default [5]"),
    )
}
"""Registry of schemes; orders measured in ``tests/test_samplers.py`` and ``tests/test_gaussian_exact.py``."""


def get_scheme(name: str) -> Scheme:
    """Look up a scheme by name; raise :class:`~sgmverify.errors.UnknownNameError` listing the known ones."""
    try:
        return SCHEMES[name]
    except (KeyError, TypeError):
        msg = f"unknown sampling scheme {name!r}; choose one of {sorted(SCHEMES)}."
        raise UnknownNameError(msg) from None
