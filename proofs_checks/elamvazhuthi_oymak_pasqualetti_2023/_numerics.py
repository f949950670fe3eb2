r"""Shared numerics of the Elamvazhuthi–Oymak–Pasqualetti suite: references, density-level runs, metrics.

Ground truth is the engine's conservative Fokker–Planck solver (:func:`sgmverify.pde.solve_fokker_planck`)
for D > 0 and transport along characteristics (:func:`sgmverify.pde.transport_density`) for D = 0 — never an
upwind grid scheme (notes §6, "Tips for the ODE side").

Metrics
-------
* grid: :math:`\|a-b\|_2^2 = \sum (a-b)^2\Delta x`, :math:`W_1 = \int|F_a - F_b|` from cumulative sums.
* characteristics (1-D): particles :math:`X(x_0)` on a uniform :math:`x_0` grid with trapezoid weights
  :math:`w = q_0(x_0)\Delta x_0`; :math:`\|\hat q - q\|_2^2 = \int (\hat q - q)^2 dy
  = \sum w\,(\hat q(X) - q(X))^2/\hat q(X)` (the particle formula :math:`E_{\hat q}[\hat q - 2q] + \|q\|^2`
  of notes §6 with :math:`\|q\|^2` taken over the same image, so nothing cancels), and
  :math:`W_1 = \int |\hat F - F|dy` with :math:`\hat F(X(x_0)) = F_0(x_0)` (1-D flows are monotone).

Discretisation error
--------------------
Every density-level number is computed at two resolutions (cells and steps doubled); the reported interval is
``fine ± |fine − coarse|``, a conservative error bar for second-order schemes (the error of the fine level is
about a third of the difference).  It is labelled a discretisation interval, not a statistical one.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from sgmverify import Estimate, InvalidParameterError, loglog_slope
from sgmverify.pde import Grid1D, solve_fokker_planck, transport_density
from sgmverify.theory import Provenance, Reference

AUTHORS = "Elamvazhuthi, Oymak, Pasqualetti"
TITLE = "Noise in the reverse process improves the approximation capabilities of diffusion models"
ARXIV = "2312.07851"


def instance_ref(claim: str, extra: str = "") -> Reference:
    """Our construction illustrating an abstract-level claim of the paper (DERIVED, not its statement).

    Only the paper's abstract was available (notes §0), so a check built on one of its claims C3–C5 is an
    instance we designed; it is tagged DERIVED and never presented as checked against the paper's text.
    """
    where = f"an instance illustrating abstract claim {claim} (our construction; notes §1)" + (
        f"; {extra}" if extra else ""
    )
    return Reference(AUTHORS + " (abstract only; instance ours)", TITLE, ARXIV, where, Provenance.DERIVED)


def derived_ref(where: str) -> Reference:
    """A statement derived in the notes (not the paper's theorem: its body was not available)."""
    return Reference(AUTHORS + " (notes; derived here)", TITLE, ARXIV, where, Provenance.DERIVED)


def background_ref(what: str, where: str) -> Reference:
    """Standard mathematics written out in the notes ([BACKGROUND])."""
    return Reference(f"textbook: {what}", "", "", where, Provenance.TEXTBOOK)


NEGATIVE = Reference(
    "negative control", "deliberately false statement the checker must catch", "", "", Provenance.TEXTBOOK
)


# ------------------------------------------------------------------------------------------ estimates
def refinement_levels(fine: dict[str, int]) -> list[dict[str, int]]:
    """The fine resolution and the coarse one with cells, steps and particles halved (``npart`` stays odd)."""
    coarse = {
        "cells": fine["cells"] // 2,
        "steps": fine["steps"] // 2,
        "npart": fine["npart"] // 2 + 1,
        "osteps": fine["osteps"] // 2,
    }
    return [fine, coarse]


def two_level(fine: float, coarse: float, method: str) -> Estimate:
    """``fine ± |fine − coarse|``: a discretisation interval from two resolutions (see module doc)."""
    d = abs(fine - coarse)
    return Estimate(
        fine, fine - d, fine + d, level=None, method=f"{method}; discretisation interval ±{d:.2g}"
    )


def observed_order(fine: float, coarse: float) -> Estimate:
    """Observed order of convergence log2(e_coarse/e_fine) of an error at two resolutions (grid and steps
    doubled from coarse to fine), reported as an exact number with both errors."""
    return Estimate.exact_value(
        math.log2(coarse / fine), method=f"log2(e_coarse/e_fine), L² errors {coarse:.3g} -> {fine:.3g}"
    )


def max_log_increase(values: list[tuple[float, float]], what: str) -> Estimate:
    r"""Largest consecutive :math:`r_j = \log(e_{j+1}/e_j)` over a sweep, with a discretisation interval.

    ``values`` are ``(fine, coarse)`` pairs; each value lies in its bracket ``fine ± |fine − coarse|``, so
    :math:`r_j \in [\ell_j, u_j]`, :math:`\ell_j = \log(\mathrm{lo}_{j+1}/\mathrm{hi}_j)`,
    :math:`u_j = \log(\mathrm{hi}_{j+1}/\mathrm{lo}_j)`.
    The maximum over j of quantities known only up to these intervals lies in
    :math:`[\max_j \ell_j, \max_j u_j]` (every step, not just the arg-max of the point values, can be the
    true maximiser), so a change smaller than the solver's own error is never read as monotone.
    """
    if len(values) < 2:
        raise InvalidParameterError(f"max_log_increase needs ≥ 2 values of {what}; got {len(values)}")
    lo_hi = [_bracket(f, c) for f, c in values]
    pts = [math.log(values[j + 1][0] / values[j][0]) for j in range(len(values) - 1)]
    his = [math.log(lo_hi[j + 1][1] / lo_hi[j][0]) for j in range(len(values) - 1)]
    los = [math.log(lo_hi[j + 1][0] / lo_hi[j][1]) for j in range(len(values) - 1)]
    point = max(pts)
    return Estimate(
        point,
        min(max(los), point),
        max(max(his), point),
        level=None,
        method=f"max consecutive log-ratio of {what}",
    )


def min_log_increase(values: list[tuple[float, float]], what: str) -> Estimate:
    r"""Smallest consecutive log-ratio, interval :math:`[\min_j \ell_j, \min_j u_j]` (the mirror of
    :func:`max_log_increase`, computed as minus the maximum for the reciprocals)."""
    neg = max_log_increase([(1 / f, 1 / c) for f, c in values], what)
    return Estimate(
        -neg.value, -neg.ci_high, -neg.ci_low, level=None, method=f"min consecutive log-ratio of {what}"
    )


def _bracket(fine: float, coarse: float) -> tuple[float, float]:
    d = abs(fine - coarse)
    return max(fine - d, 1e-300), fine + d


def fitted_slope(xs: list[float], values: list[tuple[float, float]], what: str) -> Estimate:
    """Least-squares slope of log value vs log x of the fine values (:func:`sgmverify.loglog_slope`);
    interval: the extreme slopes with every value at an end of its bracket ``fine ± |fine − coarse|``
    (deterministic brackets, so no confidence level)."""
    lo, hi = zip(*[_bracket(f, c) for f, c in values])
    return loglog_slope(
        xs, [f for f, _ in values], y_lo=lo, y_hi=hi, level=None, method=f"fitted log-log slope of {what}"
    )


def gauss_legendre(fn: Callable[[float], float], lo: float, hi: float, n: int) -> float:
    """∫_lo^hi fn(t) dt by n-point Gauss–Legendre (nodes mapped affinely from [−1, 1]), fn called per node."""
    nodes, weights = np.polynomial.legendre.leggauss(n)
    ts = lo + (hi - lo) * (nodes + 1) / 2
    return float(np.sum(weights * np.array([fn(t) for t in ts])) * (hi - lo) / 2)


# ------------------------------------------------------------------------------------------ grid metrics
def grid_l2(a: np.ndarray, b: np.ndarray, dx: float) -> float:
    return float(math.sqrt(np.sum((a - b) ** 2) * dx))


def grid_w1(a: np.ndarray, b: np.ndarray, dx: float) -> float:
    return float(np.sum(np.abs(np.cumsum(a - b) * dx)) * dx)


def fp_final(
    lo: float, hi: float, cells: int, rho0: Callable, drift: Callable, diffusion: float, t1: float, steps: int
) -> tuple[Grid1D, np.ndarray]:
    """Final density of ∂ρ = DΔρ − ∂(fρ) on [lo, hi] from τ = 0 to t1 (zero flux, Crank–Nicolson)."""
    g = Grid1D(lo, hi, cells)
    sol = solve_fokker_planck(g, rho0(g.x), drift, diffusion, 0.0, t1, steps)
    return g, sol.final


# ------------------------------------------------------------------------------------------ characteristics
def pushforward(
    lo: float,
    hi: float,
    n: int,
    logq0: Callable,
    velocity: Callable,
    divergence: Callable,
    t1: float,
    steps: int,
) -> dict:
    """Move a uniform x0 grid and its log-density along characteristics (RK4) from 0 to ``t1``."""
    x0 = np.linspace(lo, hi, n)
    lq0 = logq0(x0)
    x1, lq1 = transport_density(
        x0,
        lq0,
        lambda x, t: velocity(x[:, 0], t)[:, None],
        lambda x, t: divergence(x[:, 0], t),
        0.0,
        t1,
        steps,
        method="rk4",
    )
    w = np.exp(lq0) * (x0[1] - x0[0])
    w[[0, -1]] *= 0.5
    return {"x0": x0, "x": x1, "logq": lq1, "w": w}


def push_l2(p: dict, target_logpdf: Callable) -> float:
    """‖q̂ − q‖₂ from characteristics: Σ w (q̂ − q)²/q̂ (see module doc)."""
    return push_l2_density(p, np.exp(target_logpdf(p["x"])))


def push_l2_density(p: dict, q: np.ndarray) -> float:
    """:func:`push_l2` with the target density ``q`` given by its values at the particles ``p["x"]`` (any
    dimension: ``p`` needs ``logq`` and the weights ``w``)."""
    qh = np.exp(p["logq"])
    return float(math.sqrt(np.sum(p["w"] * (qh - q) ** 2 / qh)))


def push_norm(p: dict) -> float:
    """‖q̂‖₂ = (Σ w q̂)^{1/2}."""
    return float(math.sqrt(np.sum(p["w"] * np.exp(p["logq"]))))


def push_w1_cdf(p: dict, target_cdf: Callable) -> float:
    """W1 = ∫|F̂ − F| dy with F̂(X(x0)) = F0(x0) (trapezoid on the moving nodes)."""
    f_hat = np.cumsum(p["w"]) - 0.5 * p["w"]
    f_hat /= f_hat[-1] + 0.5 * p["w"][-1]
    return float(np.trapezoid(np.abs(f_hat - target_cdf(p["x"])), p["x"]))


def push_w1_flow(p: dict, q: dict) -> float:
    """W1 between two flows of the same initial law: Σ w |X − X'| (monotone maps: the quantile coupling)."""
    return float(np.sum(p["w"] * np.abs(p["x"] - q["x"])) / np.sum(p["w"]))


def cdf_on(logpdf: Callable, lo: float, hi: float, n: int = 200_001) -> Callable:
    """The CDF of a density known by its log, by cumulative trapezoid on [lo, hi], as an interpolant."""
    y = np.linspace(lo, hi, n)
    p = np.exp(logpdf(y))
    c = np.concatenate([[0.0], np.cumsum(0.5 * (p[1:] + p[:-1]) * (y[1] - y[0]))])
    c /= c[-1]
    return lambda x: np.interp(x, y, c)
