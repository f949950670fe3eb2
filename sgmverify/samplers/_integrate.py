r"""Reverse-time samplers: the reverse SDE and the probability-flow ODE of a linear forward SDE.

The forward process :math:`dX = a(t) X\,dt + g(t)\,dW` runs on :math:`[0, T]`; a sampler runs backward on a
decreasing time grid :math:`T = t_0 > t_1 > \dots > t_K = t_{\min} \ge 0` with steps
:math:`h_k = t_k - t_{k+1} > 0`.  With the forward-time drift of the reverse process
(``process.reverse_drift``, Song et al. 2021 [1]_ eqs. (6) and (13))

.. math:: f(x, t) = a(t) x - c\, g(t)^2 s(x, t), \qquad c = 1 \text{ (SDE)}, \; c = \tfrac12 \text{ (ODE)},

every scheme steps with the backward-time drift :math:`F = -f`.  Schemes are data: :data:`SCHEMES` maps a name
to a :class:`Scheme` that declares its kind and its order; :func:`sample` is the one entry point.  A run that
breaks down (NaN/inf, adaptive step-size underflow) is reported as a :class:`Status` in the
:class:`SamplerResult`; only bad input raises.

References
----------
.. [1] Song, Sohl-Dickstein, Kingma, Kumar, Ermon, Poole (2021), "Score-based generative modeling through
   stochastic differential equations", ICLR.  Reverse SDE eq. (6), probability-flow ODE eq. (13).
.. [2] Kloeden, Platen (1992), "Numerical Solution of Stochastic Differential Equations", Springer:
   Euler–Maruyama §10.2; strong order 1 for additive noise §10.3 / §11.1.
.. [3] Zhang, Chen (2023), "Fast sampling of diffusion models with exponential integrator", ICLR (DEIS);
   Hochbruck, Ostermann (2010), "Exponential integrators", Acta Numerica 19.
.. [4] Karras, Aittala, Aila, Laine (2022), "Elucidating the design space of diffusion-based generative
   models", NeurIPS: Heun sampler (Alg. 1) and the rho time grid, eq. (5).
.. [5] Dormand, Prince (1980), "A family of embedded Runge–Kutta formulae", J. Comp. Appl. Math. 6
   (scipy's ``RK45``, the default of ``scipy.integrate.solve_ivp``).
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.integrate import BDF, DOP853, LSODA, RK23, RK45, Radau

from sgmverify.errors import InvalidParameterError, ShapeError, UnknownNameError

from ._checks import check_process, finite_real, real_array
from ._grids import MAX_STEPS, check_grid, check_span
from ._schemes import Scheme, get_scheme
from ._tableau import rk_step

__all__ = [
    "SamplerResult",
    "Status",
    "broadcast_coefficient",
    "coarsen_noise",
    "draw_noise",
    "sample",
]

ScoreFn = Callable[[np.ndarray, float], np.ndarray]


# ----------------------------------------------------------------------------------------------------------
# Results
# ----------------------------------------------------------------------------------------------------------
class Status(enum.Enum):
    """How a sampler run ended."""

    OK = "ok"
    NAN = "nan"  #: NaN or inf appeared in the state or the score
    STEP_UNDERFLOW = "step_underflow"  #: adaptive step size fell below the spacing of floats
    MAX_NFE = "max_nfe"  #: the adaptive solver used up its budget of score evaluations
    SOLVER_FAILED = "solver_failed"  #: any other failure reported by the adaptive solver


@dataclass(frozen=True)
class SamplerResult:
    """Outcome of :func:`sample`.

    Attributes
    ----------
    x : ndarray, shape (n, d)
        State at ``t_final``: for fixed-step schemes the state after the last step (holding the NaN/inf
        when the run broke down); for the adaptive solver the last accepted state.
    status : Status
    message : str
        Human-readable account of a failure ("" when OK).
    n_steps : int
        Steps taken (accepted steps for the adaptive solver).
    nfe : int
        Score evaluations.
    t_final : float
        Time the run reached (``t_min`` when OK).
    scheme : str
    """

    x: np.ndarray
    status: Status
    message: str
    n_steps: int
    nfe: int
    t_final: float
    scheme: str

    @property
    def ok(self) -> bool:
        """True when the run reached ``t_min`` with finite values."""
        return self.status is Status.OK


# ----------------------------------------------------------------------------------------------------------
# Brownian increments
# ----------------------------------------------------------------------------------------------------------
def draw_noise(rng: np.random.Generator | int, steps: int, n: int, dim: int) -> np.ndarray:
    """Pre-draw standard normal increments of shape ``(steps, n, dim)`` to share between samplers.

    Passing the same array as ``noise=`` to two SDE runs couples them (synchronous coupling): EM uses
    :math:`\\sqrt{h_k} z_k`, EI uses :math:`\\sqrt{\\mathrm{noise\\_var}_k}\\, z_k`.
    """
    _, K, _ = check_span(1.0, steps, 0.0)
    for name, v in (("n", n), ("dim", dim)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise InvalidParameterError(f"{name} must be a positive integer, got {v!r}.")
    if float(K) * float(n) * float(dim) > MAX_STEPS:
        raise InvalidParameterError(
            f"draw_noise(steps={K}, n={n}, dim={dim}) would need {8.0 * K * n * dim / 2**30:.3g} GiB "
            "(limit 2 GiB); draw fewer or pass rng= to the sampler instead (it draws step by step)."
        )
    return _as_rng(rng).standard_normal((K, int(n), int(dim)))


def coarsen_noise(noise: np.ndarray, fine_grid: np.ndarray, factor: int) -> np.ndarray:
    r"""Standard normals of the coarse grid ``fine_grid[::factor]`` on the same Brownian path.

    .. math:: z^{\text{coarse}}_j = \sum_{k \in \text{block } j} \sqrt{h_k}\, z_k
              \Big/ \sqrt{\textstyle\sum_{k \in \text{block } j} h_k}

    (the Brownian increment over the block, normalised), so EM on the coarse grid is strongly coupled to EM
    on the fine one.
    """
    g = check_grid(fine_grid)
    z = real_array(noise, "noise")
    K = g.size - 1
    if z.ndim != 3 or z.shape[0] != K:
        raise ShapeError(f"noise must have shape ({K}, n, d) for a grid of {K} steps, got {z.shape}.")
    if not isinstance(factor, (int, np.integer)) or factor < 1 or K % factor:
        raise InvalidParameterError(f"factor must be a positive divisor of the {K} fine steps, got {factor}.")
    sqrt_h = np.sqrt(-np.diff(g))
    incr = (z * sqrt_h[:, None, None]).reshape(K // factor, factor, *z.shape[1:]).sum(axis=1)
    return incr / np.sqrt((sqrt_h**2).reshape(-1, factor).sum(axis=1))[:, None, None]


def _as_rng(rng: np.random.Generator | int) -> np.random.Generator:
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        return np.random.default_rng(int(rng))
    raise InvalidParameterError(
        f"rng must be a numpy.random.Generator or an integer seed, got {type(rng).__name__}; "
        "use numpy.random.default_rng(seed)."
    )


# ----------------------------------------------------------------------------------------------------------
# Stepping
# ----------------------------------------------------------------------------------------------------------
class _Score:
    """Counts evaluations and checks the shape of a user score callable."""

    def __init__(self, fn: ScoreFn, shape: tuple[int, ...]) -> None:
        self.fn, self.shape, self.nfe = fn, shape, 0

    def __call__(self, x: np.ndarray, t: float) -> np.ndarray:
        s = real_array(self.fn(x, float(t)), "score(x, t)")
        self.nfe += 1
        if s.shape != self.shape:
            raise ShapeError(f"score(x, t) must return an array of shape {self.shape} like x, got {s.shape}.")
        return s


def broadcast_coefficient(values: Any, shape: tuple[int, ...]) -> np.ndarray:
    """A process coefficient evaluated on an array of times, as a float array of ``shape``.

    Lambdified constant coefficients come back as scalars; broadcasting gives every caller the array shape
    of the times (a read-only view: copy it before writing).
    """
    return np.broadcast_to(np.asarray(values, dtype=float), shape)


def checked_start(x_init: Any, score: Any) -> tuple[np.ndarray, _Score]:
    """A validated float copy of the initial states ``(n, d)`` and the counting score wrapper."""
    x = real_array(x_init, "x_init")
    if x.ndim != 2:
        raise ShapeError(f"x_init must have shape (n, d), got {x.shape}; for one point use x[None, :].")
    if not np.all(np.isfinite(x)):
        raise InvalidParameterError("x_init contains NaN or inf; draw it from process.prior(T, d).")
    if not callable(score):
        raise InvalidParameterError(f"score must be a callable score(x, t), got {type(score).__name__}.")
    return x, _Score(score, x.shape)


def stochastic_noise(what: str, rng: Any, noise: Any, shape: tuple[int, ...]) -> Callable[[int], np.ndarray]:
    """Per-step normals of a stochastic run, which needs exactly one of ``rng`` / ``noise``."""
    if (rng is None) == (noise is None):
        raise InvalidParameterError(
            f"{what} is stochastic: pass exactly one of rng=numpy.random.default_rng(seed) "
            "or noise=draw_noise(rng, steps, n, d)."
        )
    return _noise_source(rng, noise, shape)


def _fixed_step(process: Any, score: _Score, sch: Scheme, x: np.ndarray, grid: np.ndarray, z: Callable):
    r"""Run a fixed-step scheme; returns ``(x, steps_done, finite)``.

    EM:   :math:`x' = x + h F_{\text{SDE}}(x, t_k) + g(t_k)\sqrt h\, z`.
    EI:   :math:`x' = \rho_k x + \kappa_k s(x, t_k) + \sqrt{v_k}\, z` and, for the ODE,
    :math:`x' = \rho_k x + \tfrac12\kappa_k s(x, t_k)`, with :math:`(\rho_k, \kappa_k, v_k)` =
    ``process.transition(t_k, t_{k+1})``.  ``z(k)`` returns the standard normals of step ``k``.
    """
    K = grid.size - 1

    def pf_drift(t: float, y: np.ndarray) -> np.ndarray:  # forward-time drift f_ODE of the flow
        return np.asarray(process.reverse_drift(y, t, score(y, t), ode=True), dtype=float)

    if sch.name in ("ei", "ei_ode"):
        ratio, kappa, nvar = (broadcast_coefficient(c, (K,)) for c in process.transition(grid[:-1], grid[1:]))
    if sch.name == "em":
        g = broadcast_coefficient(process.diffusion(grid[:-1]), (K,))
    for k in range(K):
        t0, t1 = float(grid[k]), float(grid[k + 1])
        h = t0 - t1
        if sch.name == "em":
            drift = np.asarray(process.reverse_drift(x, t0, score(x, t0), ode=False), dtype=float)
            x = x - h * drift + g[k] * math.sqrt(h) * z(k)
        elif sch.name == "ei":
            x = ratio[k] * x + kappa[k] * score(x, t0) + math.sqrt(nvar[k]) * z(k)
        elif sch.name == "ei_ode":
            x = ratio[k] * x + 0.5 * kappa[k] * score(x, t0)
        else:  # explicit Runge–Kutta, backward: step h = t_{k+1} - t_k < 0 landing exactly on t_{k+1}
            x = rk_step(pf_drift, t0, x, t1 - t0, sch.tableau, t_next=t1)
        if not np.all(np.isfinite(x)):
            return x, k + 1, False
    return x, K, True


class _Stop(Exception):
    def __init__(self, status: Status, t: float) -> None:
        super().__init__(status.value)
        self.status, self.t = status, t


_ODE_METHODS = {"RK45": RK45, "RK23": RK23, "DOP853": DOP853, "Radau": Radau, "BDF": BDF, "LSODA": LSODA}


def _adaptive_options(rtol: Any, atol: Any, method: Any, max_nfe: Any) -> dict:
    """Validated options of the adaptive solver (tolerances, scipy method name, score budget)."""
    if not isinstance(method, str) or method not in _ODE_METHODS:
        raise UnknownNameError(f"unknown ODE method {method!r:.60}; choose one of {sorted(_ODE_METHODS)}.")
    rtol, atol = finite_real(rtol, "rtol"), finite_real(atol, "atol")
    if not (0 < rtol < 1 and atol >= 0):
        raise InvalidParameterError(f"need 0 < rtol < 1 and atol >= 0, got rtol={rtol}, atol={atol}.")
    if max_nfe is not None and (
        isinstance(max_nfe, bool) or not isinstance(max_nfe, int | np.integer) or max_nfe < 1
    ):
        raise InvalidParameterError(f"max_nfe must be None or a positive integer, got {max_nfe!r:.60}.")
    return {"rtol": rtol, "atol": atol, "method": method, "max_nfe": max_nfe}


def _adaptive(process: Any, score: _Score, x: np.ndarray, grid: np.ndarray, opts: dict) -> SamplerResult:
    """Probability-flow ODE :math:`dx/dt = f_{\\text{ODE}}(x, t)` integrated from T down to t_min (scipy)."""
    shape, max_nfe = x.shape, opts["max_nfe"]

    def fun(t: float, y: np.ndarray) -> np.ndarray:
        if max_nfe is not None and score.nfe >= max_nfe:
            raise _Stop(Status.MAX_NFE, t)
        xx = y.reshape(shape)
        out = np.asarray(process.reverse_drift(xx, t, score(xx, t), ode=True), dtype=float)
        if not np.all(np.isfinite(out)):
            raise _Stop(Status.NAN, t)
        return out.ravel()

    solver = _ODE_METHODS[opts["method"]](
        fun, float(grid[0]), x.ravel(), float(grid[-1]), rtol=opts["rtol"], atol=opts["atol"]
    )
    n_steps, status, msg = 0, Status.OK, ""
    try:
        while solver.status == "running":
            err = solver.step()
            if solver.status == "failed":
                status = Status.STEP_UNDERFLOW if "step size" in str(err) else Status.SOLVER_FAILED
                msg = f"adaptive_ode failed at t={solver.t:.6g}: {err}"
                break
            n_steps += 1
    except _Stop as stop:
        status = stop.status
        what = "NaN/inf in the ODE drift" if stop.status is Status.NAN else f"max_nfe={max_nfe} reached"
        msg = f"adaptive_ode stopped at t={stop.t:.6g} ({what}); x is the last accepted state."
    xf = solver.y.reshape(shape).copy()
    return SamplerResult(xf, status, msg, n_steps, score.nfe, float(solver.t), "adaptive_ode")


def _noise_source(rng: Any, noise: Any, shape: tuple[int, ...]) -> Callable[[int], np.ndarray]:
    """Per-step standard normals: rows of ``noise``, or fresh draws from ``rng`` (never all K at once)."""
    if noise is None:
        gen = _as_rng(rng)
        return lambda k: gen.standard_normal(shape[1:])  # same stream as draw_noise(gen, ...)
    z = real_array(noise, "noise")
    if z.shape != shape:
        raise ShapeError(f"noise must have shape (steps, n, d) = {shape}, got {z.shape}.")
    if not np.all(np.isfinite(z)):
        raise InvalidParameterError("noise contains NaN or inf; draw it with draw_noise.")
    return z.__getitem__


def sample(
    process: Any,
    score: ScoreFn,
    x_init: np.ndarray,
    grid: np.ndarray,
    scheme: str = "em",
    *,
    rng: np.random.Generator | int | None = None,
    noise: np.ndarray | None = None,
    rtol: float = 1e-6,
    atol: float = 1e-9,
    method: str = "RK45",
    max_nfe: int | None = 1_000_000,
) -> SamplerResult:
    """Run a sampler from ``x_init`` at ``grid[0] = T`` down to ``grid[-1] = t_min``.

    Parameters
    ----------
    process : LinearSDE
        Forward process (``reverse_drift``, ``diffusion``, ``transition``, ``t_max``).
    score : callable
        ``score(x, t)`` with ``x`` of shape ``(n, d)`` and float ``t``, returning ``(n, d)``.
    x_init : ndarray, shape (n, d)
        Initial states at ``T`` (e.g. ``process.prior(T, d).sample(n, rng)``).
    grid : ndarray, shape (K + 1,)
        Strictly decreasing times from ``T`` to ``t_min >= 0`` (see :func:`time_grid`).  The adaptive
        solver uses only its end points.
    scheme : str
        A key of :data:`SCHEMES`.
    rng, noise
        SDE schemes need exactly one: a generator / integer seed, or pre-drawn standard normals of shape
        ``(K, n, d)`` from :func:`draw_noise` (to couple runs).  ODE schemes are deterministic and ignore
        both.
    rtol, atol, method, max_nfe
        Options of the adaptive solver: tolerances and a scipy ``OdeSolver`` name ("RK45", "DOP853",
        "RK23", "Radau", "BDF", "LSODA"); ``max_nfe`` caps score evaluations.

    Returns
    -------
    SamplerResult
        Status ``OK`` or the way the run broke down (NaN/inf, step-size underflow, budget exhausted).

    Raises
    ------
    UnknownNameError, InvalidParameterError, ShapeError, TimeDomainError
        On bad input (unknown scheme, bad grid, wrong shapes, NaN initial values, missing randomness).
    """
    sch = get_scheme(scheme)
    g = check_grid(grid, check_process(process))
    x, sc = checked_start(x_init, score)
    z: Callable[[int], np.ndarray] | None = None
    if sch.kind == "sde":
        z = stochastic_noise(f"scheme {scheme!r}", rng, noise, (g.size - 1, *x.shape))
    if sch.name == "adaptive_ode":
        opts = _adaptive_options(rtol, atol, method, max_nfe)
    with np.errstate(all="ignore"):  # breakdowns are detected and reported as a Status
        if sch.name == "adaptive_ode":
            return _adaptive(process, sc, x, g, opts)
        x, done, finite = _fixed_step(process, sc, sch, x, g, z)
    if finite:
        return SamplerResult(x, Status.OK, "", done, sc.nfe, float(g[-1]), sch.name)
    bad = int(np.sum(~np.all(np.isfinite(x), axis=1)))
    msg = (
        f"{sch.name}: NaN/inf appeared at step {done} of {g.size - 1} (t={g[done]:.6g}) in {bad} of "
        f"{x.shape[0]} samples; check the score and the step size."
    )
    return SamplerResult(x, Status.NAN, msg, done, sc.nfe, float(g[done]), sch.name)
