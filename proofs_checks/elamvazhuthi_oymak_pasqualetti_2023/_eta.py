r"""The η-family of reverse samplers at the density level (notes §2.2 [BACKGROUND], §5 Check C).

OU forward process; reverse time τ = T − t.  For η > 0 the law solves

.. math:: \partial_\tau q = \eta^2 \Delta q - \partial_y\big((y + (1+\eta^2)\hat s_{T-\tau}(y))\,q\big),
          \qquad q_0 = p_T,

solved with the engine's Fokker–Planck solver; for η = 0 (probability-flow ODE) the density moves along the
characteristics of :math:`\dot y = y + \hat s_{T-\tau}(y)` with :math:`d\log q = -(1 + \hat s') d\tau`.  The
score
is :math:`\hat s = \nabla\log p_t + \varepsilon\sin(ky)` (ε = 0: the exact score).  Errors are measured at
τ = T − t_min against the closed form :math:`p_{t_{\min}}` (grid L² and CDF W1 for η > 0; the characteristic
formulas of :mod:`._numerics` for η = 0).
"""

from __future__ import annotations

import functools
import math

import numpy as np

from sgmverify.pde import Grid1D

from ._laws import GaussMix, Laplace, UniformMixture
from ._numerics import (
    cdf_on,
    fp_final,
    grid_l2,
    grid_w1,
    push_l2,
    push_w1_cdf,
    pushforward,
    refinement_levels,
)

LAWS = {"laplace": Laplace(), "two-uniform": UniformMixture(), "gauss-mix": GaussMix()}
#: [−16, 16]: the Laplace tails carry mass e^{−10} ≈ 4.5e-5 beyond ±10, which on [−10, 10] gives an
#: L² / W1 floor of 5.6e-5 / 3.8e-4 that no grid refinement removes (the "discretisation floor" of notes §5)
HALF_WIDTH = 16.0
RES = {
    "quick": {"cells": 1600, "steps": 250, "npart": 2001, "osteps": 200},
    "full": {"cells": 6400, "steps": 1000, "npart": 8001, "osteps": 500},
}


def levels(res: str) -> list[dict]:
    """The fine and the coarse resolution (cells, steps, particles halved)."""
    return refinement_levels(RES[res])


# shared across checks: eta_errors (below) and laplace_data's sde_reaches / sde_to_data (same η = 1 solves)
@functools.lru_cache(maxsize=256)
def eta_density(
    law: str, eta: float, eps: float, k: float, T: float, t_min: float, cells: int, steps: int
) -> tuple[Grid1D, np.ndarray]:
    """Grid and density of the η-sampler (η > 0, Fokker–Planck solver) at τ = T − t_min, from q_0 = p_T."""
    p, L = LAWS[law], HALF_WIDTH
    c = 1.0 + eta * eta

    def drift(y: np.ndarray, tau: float) -> np.ndarray:
        return y + c * (p.score(y, T - tau) + eps * np.sin(k * y))

    return fp_final(-L, L, cells, lambda x: np.exp(p.logpdf(x, T)), drift, eta * eta, T - t_min, steps)


# shared across checks: eta.marginals_converge, noise.l2_falls / w1_falls (one call serves both),
# laplace.sde_reaches and the eta_sweep figure
@functools.lru_cache(maxsize=512)
def eta_errors(
    law: str,
    eta: float,
    eps: float,
    k: float,
    T: float,
    t_min: float,
    cells: int,
    steps: int,
    npart: int,
    osteps: int,
) -> tuple[float, float]:
    """(L², W1) between the η-sampler's density at t_min and p_{t_min}."""
    p, L = LAWS[law], HALF_WIDTH
    if eta > 0:
        g, q = eta_density(law, eta, eps, k, T, t_min, cells, steps)
        target = np.exp(p.logpdf(g.x, t_min))
        return grid_l2(q, target, g.dx), grid_w1(q, target, g.dx)
    push = pushforward(
        -L,
        L,
        npart,
        lambda x: p.logpdf(x, T),
        lambda y, tau: y + p.score(y, T - tau) + eps * np.sin(k * y),
        lambda y, tau: 1.0 + p.dscore(y, T - tau) + eps * k * np.cos(k * y),
        T - t_min,
        osteps,
    )
    return push_l2(push, lambda y: p.logpdf(y, t_min)), push_w1_cdf(push, _cdf(law, t_min))


def laplace_data_pair(eta: float, T: float, t_min: float, res: str) -> tuple[float, float]:
    """(fine, coarse) of ‖q̂_{t_min} − p_0‖₂: the η-sampler's density at t_min (exact score, η > 0) against
    the Laplace data density p_0 = ½e^{−|x|} itself, not against p_{t_min}."""
    out = []
    for r in levels(res):
        g, q = eta_density("laplace", eta, 0.0, 1.0, T, t_min, r["cells"], r["steps"])
        out.append(grid_l2(q, 0.5 * np.exp(-np.abs(g.x)), g.dx))
    return out[0], out[1]


# shared across checks: the η = 0 W1 of eta_errors and eta_family's PIT checks (laplace, t_min = 0.02)
@functools.lru_cache(maxsize=32)
def _cdf(law: str, t: float):
    p = LAWS[law]
    return cdf_on(lambda y: p.logpdf(y, t), -HALF_WIDTH - 5, HALF_WIDTH + 5)


def eta_pair(law: str, eta: float, eps: float, k: float, T: float, t_min: float, res: str, which: int):
    """(fine, coarse) of the L² (which=0) or W1 (which=1) error."""
    out = [
        eta_errors(law, eta, eps, k, T, t_min, r["cells"], r["steps"], r["npart"], r["osteps"])[which]
        for r in levels(res)
    ]
    return out[0], out[1]


def forcing_coefficient(eta: float) -> float:
    """(1 + η²)²/η², the forcing coefficient of the §4.1c bound."""
    return (1.0 + eta * eta) ** 2 / (eta * eta) if eta > 0 else math.inf
