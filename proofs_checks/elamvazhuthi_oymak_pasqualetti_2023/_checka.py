r"""Check A of the notes (§5): a bounded high-frequency drift error, SDE (D > 0) against ODE (D = 0).

Reference :math:`f = -x`; approximant :math:`\hat f = -x + \varepsilon w(kx)` with :math:`w = \sin`
(Lipschitz constant :math:`\varepsilon k`) or the square wave :math:`w = \mathrm{sign}\sin` (not Lipschitz at
all).  Initial laws differ by side: the SDE (diffusion D) starts at its stationary law
:math:`\rho_0 = N(0, D)` (:func:`sde_errors`), the ODE at :math:`\rho_0 = N(0, 1)` (:func:`ode_errors`).
SDE: both Fokker–Planck equations on the same grid.  ODE: the reference flow is :math:`X = x_0 e^{-\tau}` with
law :math:`N(0, e^{-2\tau})`; the perturbed one is moved along characteristics.

The §4.1b bound [DERIVED] for the SDE, with :math:`A = -1`, :math:`\hat g = \varepsilon w`,
:math:`\|\hat g\|_\infty = \varepsilon`, :math:`a = 1 + \varepsilon^2/D` and the stationary
:math:`\rho_s = N(0, D)` (the SDE starts at its stationary law :math:`\rho_0 = N(0, D)`):

.. math:: \|\hat\rho_T - \rho_T\|_2^2 \le \frac{e^{aT} - 1}{aD}\,\|\rho\,\delta\|_2^2,
          \qquad \|\rho\delta\|_2^2 = \varepsilon^2 \int \varphi_D(x)^2 w(kx)^2 dx,

evaluated by quadrature; for :math:`w = \sin` it is :math:`\varepsilon^2(1 - e^{-k^2})/(4\sqrt\pi)`.  No
Lipschitz constant of :math:`\delta` enters.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from ._laws import normal_logpdf, normal_pdf
from ._numerics import fp_final, grid_l2, grid_w1, push_l2, push_w1_flow, pushforward, refinement_levels

HALF_WIDTH = 8.0
RES = {
    "quick": {"cells": 800, "steps": 200, "npart": 4001, "osteps": 200},
    "full": {"cells": 4000, "steps": 500, "npart": 40001, "osteps": 1000},
}


def wave(kind: str, u: np.ndarray) -> np.ndarray:
    return np.sin(u) if kind == "sin" else np.sign(np.sin(u))


def _sde_solutions(k: float, eps: float, T: float, D: float, kind: str, cells: int, steps: int):
    """Grid, reference and perturbed Fokker–Planck solutions at T, both from ρ₀ = N(0, D)."""
    L = HALF_WIDTH
    rho0 = functools.partial(normal_pdf, var=D)
    g, ref = fp_final(-L, L, cells, rho0, lambda x, t: -x, D, T, steps)
    _, pert = fp_final(-L, L, cells, rho0, lambda x, t: -x + eps * wave(kind, k * x), D, T, steps)
    return g, ref, pert


# shared across checks: gronwall (l2_bound, sup_norm_cap, horizon.*), high_frequency's SDE checks and figures
@functools.lru_cache(maxsize=256)
def sde_errors(
    k: float, eps: float, T: float, D: float, kind: str, cells: int, steps: int
) -> tuple[float, float]:
    """(L², W1) between the perturbed and the reference Fokker–Planck solutions at T (same grid), both started
    from ρ₀ = N(0, D), the reference's stationary law (so ρ_T = N(0, D) for every T)."""
    g, ref, pert = _sde_solutions(k, eps, T, D, kind, cells, steps)
    return grid_l2(pert, ref, g.dx), grid_w1(pert, ref, g.dx)


def sde_snapshot(k: float, eps: float, T: float, D: float, cells: int, steps: int):
    """(x, reference, perturbed) densities at T for the sine perturbation (the snapshot figure)."""
    g, ref, pert = _sde_solutions(k, eps, T, D, "sin", cells, steps)
    return g.x, ref, pert


# shared across checks: high_frequency's ODE checks (through ode_errors) and its snapshot figure
@functools.lru_cache(maxsize=256)
def ode_push(k: float, eps: float, T: float, n: int, steps: int) -> dict:
    L = HALF_WIDTH
    return pushforward(
        -L,
        L,
        n,
        normal_logpdf,
        lambda x, t: -x + eps * np.sin(k * x),
        lambda x, t: -1.0 + eps * k * np.cos(k * x),
        T,
        steps,
    )


# shared across checks: high_frequency's ode_l2_growing, ode_w1_bounded, neg.ode_under_sde_bound, figures
@functools.lru_cache(maxsize=256)
def ode_errors(k: float, eps: float, T: float, n: int, steps: int) -> tuple[float, float]:
    """(L², W1) of the perturbed ODE flow of ρ₀ = N(0, 1) against the reference law N(0, e^{-2T})."""
    p = ode_push(k, eps, T, n, steps)
    v = math.exp(-2 * T)
    l2 = push_l2(p, functools.partial(normal_logpdf, var=v))
    return l2, push_w1_flow(p, {"x": p["x0"] * math.exp(-T)})


def levels(res: str) -> list[dict]:
    """The fine and the coarse resolution (cells, steps, particles halved)."""
    return refinement_levels(RES[res])


def sde_pair(
    k: float, eps: float, T: float, D: float, kind: str, res: str, which: int
) -> tuple[float, float]:
    """(fine, coarse) of the SDE L² (which=0) or W1 (which=1)."""
    f, c = (sde_errors(k, eps, T, D, kind, r["cells"], r["steps"])[which] for r in levels(res))
    return f, c


def ode_pair(k: float, eps: float, T: float, res: str, which: int) -> tuple[float, float]:
    f, c = (ode_errors(k, eps, T, r["npart"], r["osteps"])[which] for r in levels(res))
    return f, c


def weighted_forcing(k: float, eps: float, kind: str, D: float = 1.0) -> float:
    """‖ρδ‖²₂ = ε² ∫ φ_D² w(kx)² dx (ρ = N(0, D), stationary) by the trapezoid rule on [−12, 12]."""
    x = np.linspace(-12, 12, 400_001)
    return float(eps * eps * np.trapezoid(normal_pdf(x, D) ** 2 * wave(kind, k * x) ** 2, x))


def gronwall_bound(k: float, eps: float, T: float, D: float, kind: str) -> float:
    """Square root of the §4.1b bound with the stationary reference ρ_s = N(0, D)."""
    return stationary_bound(weighted_forcing(k, eps, kind, D), eps, T, D)


def stationary_bound(forcing: float, eps: float, T: float, D: float) -> float:
    """√(forcing·(e^{aT} − 1)/(aD)), a = 1 + ε²/D: the §4.1b bound for A = −1, sup|ĝ| = ε and a stationary
    reference, whose forcing ‖ρδ‖²₂ is constant in time (module docstring)."""
    a = 1.0 + eps * eps / D
    return math.sqrt(forcing * math.expm1(a * T) / (a * D))
