r"""Check B of the notes (§5): the non-Lipschitz reference drift :math:`f = -\mathrm{sign}(x)`.

:math:`\rho_0 = N(0,1)`, T = 1, smooth approximants :math:`f_n = -\tanh(nx)`.  SDE (D = 1): Fokker–Planck
solutions of both drifts on [−8, 8] with an even number of cells, so that x = 0 is a face.  ODE (D = 0): the
reference flow :math:`X = \mathrm{sign}(x_0)\max(|x_0| - t, 0)` puts an atom of mass
:math:`P(|X_0| \le T)` at 0; the approximant is moved along characteristics.

§4.1b bound [DERIVED] for the SDE: :math:`A = 0`, :math:`\hat g = -\tanh(nx)`, :math:`\|\hat g\|_\infty = 1`,
:math:`a = 1/D`, :math:`\|\hat\rho_T - \rho_T\|^2 \le \frac1D\int_0^T e^{(T-s)/D}\|\rho_s\delta\|^2 ds` with
:math:`\delta = \mathrm{sign}(x) - \tanh(nx)` and :math:`\rho_s` the reference solution (trapezoid over 41
snapshots).
"""

from __future__ import annotations

import functools
import math

import numpy as np

from sgmverify.pde import Grid1D, solve_fokker_planck

from ._laws import normal_logpdf, normal_pdf
from ._numerics import grid_l2, push_norm, push_w1_flow, pushforward, refinement_levels

HALF_WIDTH = 8.0
RES = {
    "quick": {"cells": 1600, "steps": 200, "npart": 4001, "osteps": 200},
    "full": {"cells": 8000, "steps": 500, "npart": 40001, "osteps": 1000},
}
SNAPSHOTS = 41


def sech2(u: np.ndarray) -> np.ndarray:
    """sech²(u) = 4e^{−2|u|}/(1 + e^{−2|u|})², without overflow."""
    e = np.exp(-2.0 * np.abs(u))
    return 4.0 * e / (1.0 + e) ** 2


# shared across checks: every n of a sweep, gronwall's check-B bound and measure, non_lipschitz.sde_l2_rate
@functools.lru_cache(maxsize=16)
def reference(T: float, D: float, cells: int, steps: int):
    g = Grid1D(-HALF_WIDTH, HALF_WIDTH, cells)
    times = np.linspace(0.0, T, SNAPSHOTS)
    sol = solve_fokker_planck(g, normal_pdf(g.x), lambda x, t: -np.sign(x), D, 0.0, T, steps, save_at=times)
    return g, sol


# shared across checks: gronwall.l2_bound (check-B scenarios) and non_lipschitz.sde_l2_rate
@functools.lru_cache(maxsize=128)
def sde_error(n: float, T: float, D: float, cells: int, steps: int) -> float:
    g, ref = reference(T, D, cells, steps)
    sol = solve_fokker_planck(g, normal_pdf(g.x), lambda x, t: -np.tanh(n * x), D, 0.0, T, steps)
    return grid_l2(sol.final, ref.final, g.dx)


def sde_pair(n: float, T: float, D: float, res: str) -> tuple[float, float]:
    """(fine, coarse) of the SDE L² error at T (:func:`levels`)."""
    f, c = (sde_error(n, T, D, r["cells"], r["steps"]) for r in levels(res))
    return f, c


def sde_bound(n: float, T: float, D: float, cells: int, steps: int) -> float:
    """Square root of the §4.1b bound, ρ_s from the reference solver."""
    g, ref = reference(T, D, cells, steps)
    delta2 = (np.sign(g.x) - np.tanh(n * g.x)) ** 2
    forcing = np.array([np.sum(r * r * delta2) * g.dx for r in ref.rho])
    s = ref.times
    return math.sqrt(np.trapezoid(np.exp((T - s) / D) * forcing, s) / D)


# shared across checks: non_lipschitz's ode_leaves_l2, ode_w1_converges and ode_atom_mass
@functools.lru_cache(maxsize=128)
def ode_push(n: float, T: float, npart: int, steps: int) -> dict:
    return pushforward(
        -HALF_WIDTH,
        HALF_WIDTH,
        npart,
        normal_logpdf,
        lambda x, t: -np.tanh(n * x),
        lambda x, t: -n * sech2(n * x),
        T,
        steps,
    )


def ode_norm(n: float, T: float, npart: int, steps: int) -> float:
    """‖ρ̂_n(T)‖₂ of the ODE along characteristics."""
    return push_norm(ode_push(n, T, npart, steps))


def ode_w1(n: float, T: float, npart: int, steps: int) -> float:
    """W1 to the reference flow sign(x0)·max(|x0| − T, 0) (quantile coupling)."""
    p = ode_push(n, T, npart, steps)
    return push_w1_flow(p, {"x": np.sign(p["x0"]) * np.maximum(np.abs(p["x0"]) - T, 0.0)})


def ode_mass_near_zero(n: float, T: float, r: float, npart: int, steps: int) -> float:
    p = ode_push(n, T, npart, steps)
    return float(np.sum(p["w"][np.abs(p["x"]) < r]) / np.sum(p["w"]))


def levels(res: str) -> list[dict]:
    """The fine and the coarse resolution (cells, steps, particles halved)."""
    return refinement_levels(RES[res])
