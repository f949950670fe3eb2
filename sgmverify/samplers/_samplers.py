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
from typing import Any, Literal

import numpy as np
from scipy.integrate import BDF, DOP853, LSODA, RK23, RK45, Radau

from sgmverify.errors import InvalidParameterError, ShapeError, TimeDomainError, UnknownNameError

__all__ = [
    "SCHEMES",
    "SamplerResult",
    "Scheme",
    "Status",
    "Tableau",
    "broadcast_coefficient",
    "check_grid",
    "coarsen_noise",
    "draw_noise",
    "eta_reverse_drift",
    "get_scheme",
    "karras_grid",
    "quadratic_grid",
    "sample",
    "sample_eta",
    "time_grid",
    "uniform_grid",
]

ScoreFn = Callable[[np.ndarray, float], np.ndarray]


# ----------------------------------------------------------------------------------------------------------
# Schemes as data
# ----------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Tableau:
    """Butcher tableau of an explicit Runge–Kutta method, applied in backward time.

    Stage :math:`i` is evaluated at :math:`t_k - c_i h` on the state :math:`x + h\\sum_j a_{ij} K_j`;
    the step is :math:`x' = x + h \\sum_i b_i K_i` with :math:`K_i = F(\\cdot, t_k - c_i h)`.
    """

    c: tuple[float, ...]
    a: tuple[tuple[float, ...], ...]
    b: tuple[float, ...]


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
    tableau : Tableau or None
        Butcher tableau of the explicit Runge–Kutta ODE schemes (reused by
        :mod:`sgmverify.samplers._gaussian_exact`).
    reference : str
        Where the scheme comes from.
    """

    name: str
    kind: Literal["sde", "ode"]
    order: float | None
    strong_order: float | None
    nfe_per_step: int
    tableau: Tableau | None
    reference: str


_EULER = Tableau(c=(0.0,), a=((),), b=(1.0,))
_HEUN = Tableau(c=(0.0, 1.0), a=((), (1.0,)), b=(0.5, 0.5))
_RK4 = Tableau(
    c=(0.0, 0.5, 0.5, 1.0), a=((), (0.5,), (0.0, 0.5), (0.0, 0.0, 1.0)), b=(1 / 6, 1 / 3, 1 / 3, 1 / 6)
)

SCHEMES: dict[str, Scheme] = {
    s.name: s
    for s in (
        Scheme("em", "sde", 1.0, 1.0, 1, None, "Euler–Maruyama, [2] §10.2"),
        Scheme("ei", "sde", 1.0, 1.0, 1, None, "exponential integrator, score frozen [3]"),
        Scheme("euler_ode", "ode", 1.0, None, 1, _EULER, "explicit Euler on the probability-flow ODE"),
        Scheme("heun_ode", "ode", 2.0, None, 2, _HEUN, "Heun (explicit trapezoid), [4] Alg. 1"),
        Scheme("rk4_ode", "ode", 4.0, None, 4, _RK4, "classical Runge–Kutta (Kutta 1901)"),
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
# Time grids (decreasing, from T to t_min)
# ----------------------------------------------------------------------------------------------------------
def _check_span(T: float, steps: int, t_min: float) -> tuple[float, int, float]:
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise InvalidParameterError(f"steps must be a positive integer, got {steps!r}.")
    T, t_min = float(T), float(t_min)
    if not (math.isfinite(T) and math.isfinite(t_min)):
        raise InvalidParameterError(f"T and t_min must be finite, got T={T}, t_min={t_min}.")
    if t_min < 0:
        raise TimeDomainError(f"t_min must be >= 0 (the forward process starts at 0), got t_min={t_min}.")
    if not T > t_min:
        raise InvalidParameterError(
            f"need T > t_min (samplers run backward from T), got T={T}, t_min={t_min}."
        )
    return T, int(steps), t_min


def uniform_grid(T: float, steps: int, t_min: float = 0.0) -> np.ndarray:
    r"""Equal steps: :math:`t_i = T - (T - t_{\min})\, i / K`, ``K + 1`` points from ``T`` to ``t_min``."""
    T, K, t_min = _check_span(T, steps, t_min)
    grid = T - (T - t_min) * (np.arange(K + 1) / K)
    grid[-1] = t_min
    return grid


def quadratic_grid(T: float, steps: int, t_min: float = 0.0) -> np.ndarray:
    r"""Steps shrinking linearly towards ``t_min``: :math:`t_i = t_{\min} + (T - t_{\min}) (1 - i/K)^2`."""
    T, K, t_min = _check_span(T, steps, t_min)
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
    T, K, t_min = _check_span(T, steps, t_min)
    if not (math.isfinite(rho) and rho > 0):
        raise InvalidParameterError(f"rho must be a positive number (EDM uses 7), got {rho}.")
    check_grid([T, t_min], process)  # T inside the process's time domain
    s_hi, s_lo = _edm_sigma(process, np.array([T, t_min]))
    frac = np.arange(K + 1) / K
    target = (s_hi ** (1 / rho) + frac * (s_lo ** (1 / rho) - s_hi ** (1 / rho))) ** rho
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
    g = np.asarray(grid, dtype=float)
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
    if process is not None and g[0] >= process.t_max:
        raise TimeDomainError(
            f"grid starts at T={g[0]}, outside the process's time domain [0, {process.t_max}); lower T."
        )
    return g


# ----------------------------------------------------------------------------------------------------------
# Brownian increments
# ----------------------------------------------------------------------------------------------------------
def draw_noise(rng: np.random.Generator | int, steps: int, n: int, dim: int) -> np.ndarray:
    """Pre-draw standard normal increments of shape ``(steps, n, dim)`` to share between samplers.

    Passing the same array as ``noise=`` to two SDE runs couples them (synchronous coupling): EM uses
    :math:`\\sqrt{h_k} z_k`, EI uses :math:`\\sqrt{\\mathrm{noise\\_var}_k}\\, z_k`.
    """
    _, K, _ = _check_span(1.0, steps, 0.0)
    for name, v in (("n", n), ("dim", dim)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise InvalidParameterError(f"{name} must be a positive integer, got {v!r}.")
    return _as_rng(rng).standard_normal((K, int(n), int(dim)))


def coarsen_noise(noise: np.ndarray, fine_grid: np.ndarray, factor: int) -> np.ndarray:
    r"""Standard normals of the coarse grid ``fine_grid[::factor]`` on the same Brownian path.

    .. math:: z^{\text{coarse}}_j = \sum_{k \in \text{block } j} \sqrt{h_k}\, z_k
              \Big/ \sqrt{\textstyle\sum_{k \in \text{block } j} h_k}

    (the Brownian increment over the block, normalised), so EM on the coarse grid is strongly coupled to EM
    on the fine one.
    """
    g = check_grid(fine_grid)
    z = np.asarray(noise, dtype=float)
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
        s = np.asarray(self.fn(x, float(t)), dtype=float)
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


_coef = broadcast_coefficient  # the former private name, still used inside the engine


def _start(x_init: Any, score: Any) -> tuple[np.ndarray, _Score]:
    """A validated float copy of the initial states ``(n, d)`` and the counting score wrapper."""
    x = np.array(x_init, dtype=float)
    if x.ndim != 2:
        raise ShapeError(f"x_init must have shape (n, d), got {x.shape}; for one point use x[None, :].")
    if not np.all(np.isfinite(x)):
        raise InvalidParameterError("x_init contains NaN or inf; draw it from process.prior(T, d).")
    if not callable(score):
        raise InvalidParameterError(f"score must be a callable score(x, t), got {type(score).__name__}.")
    return x, _Score(score, x.shape)


def _stochastic_noise(what: str, rng: Any, noise: Any, shape: tuple[int, ...]) -> Callable[[int], np.ndarray]:
    """Per-step normals of a stochastic run, which needs exactly one of ``rng`` / ``noise``."""
    if (rng is None) == (noise is None):
        raise InvalidParameterError(
            f"{what} is stochastic: pass exactly one of rng=numpy.random.default_rng(seed) "
            "or noise=draw_noise(rng, steps, n, d)."
        )
    return _noise_source(rng, noise, shape)


def _rk_step(process: Any, score: _Score, tab: Tableau, x: np.ndarray, t0: float, t1: float) -> np.ndarray:
    r"""One explicit Runge–Kutta step of the probability-flow ODE in backward time.

    .. math:: K_i = F\Big(x + h\sum_{j<i} a_{ij}K_j,\; t_k - c_i h\Big), \qquad x' = x + h \sum_i b_i K_i,

    with :math:`F(x, t) = -f_{\text{ODE}}(x, t)`.  Euler: one stage; Heun: Euler predictor, then the average
    of :math:`F(x, t_k)` and :math:`F(x_{\text{pred}}, t_{k+1})`; RK4: the classical tableau.
    """
    h = t0 - t1
    ks: list[np.ndarray] = []
    for c_i, a_i in zip(tab.c, tab.a):
        xi = x + h * sum(a * k for a, k in zip(a_i, ks)) if ks else x
        ti = t1 if c_i == 1.0 else t0 - c_i * h  # land exactly on t_{k+1}
        ks.append(-np.asarray(process.reverse_drift(xi, ti, score(xi, ti), ode=True), dtype=float))
    return x + h * sum(b * k for b, k in zip(tab.b, ks))


def _fixed_step(process: Any, score: _Score, sch: Scheme, x: np.ndarray, grid: np.ndarray, z: Callable):
    r"""Run a fixed-step scheme; returns ``(x, steps_done, finite)``.

    EM:   :math:`x' = x + h F_{\text{SDE}}(x, t_k) + g(t_k)\sqrt h\, z`.
    EI:   :math:`x' = \rho_k x + \kappa_k s(x, t_k) + \sqrt{v_k}\, z` and, for the ODE,
    :math:`x' = \rho_k x + \tfrac12\kappa_k s(x, t_k)`, with :math:`(\rho_k, \kappa_k, v_k)` =
    ``process.transition(t_k, t_{k+1})``.  ``z(k)`` returns the standard normals of step ``k``.
    """
    K = grid.size - 1
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
        else:
            x = _rk_step(process, score, sch.tableau, x, t0, t1)
        if not np.all(np.isfinite(x)):
            return x, k + 1, False
    return x, K, True


class _Stop(Exception):
    def __init__(self, status: Status, t: float) -> None:
        super().__init__(status.value)
        self.status, self.t = status, t


_ODE_METHODS = {"RK45": RK45, "RK23": RK23, "DOP853": DOP853, "Radau": Radau, "BDF": BDF, "LSODA": LSODA}


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
    z = np.asarray(noise, dtype=float)
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
    g = check_grid(grid, process)
    x, sc = _start(x_init, score)
    z: Callable[[int], np.ndarray] | None = None
    if sch.kind == "sde":
        z = _stochastic_noise(f"scheme {scheme!r}", rng, noise, (g.size - 1, *x.shape))
    with np.errstate(all="ignore"):  # breakdowns are detected and reported as a Status
        if sch.name == "adaptive_ode":
            if method not in _ODE_METHODS:
                raise UnknownNameError(
                    f"unknown ODE method {method!r}; choose one of {sorted(_ODE_METHODS)}."
                )
            opts = {"rtol": rtol, "atol": atol, "method": method, "max_nfe": max_nfe}
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


# ----------------------------------------------------------------------------------------------------------
# The η-family between the probability-flow ODE (η = 0) and the reverse SDE (η = 1)
# ----------------------------------------------------------------------------------------------------------
def eta_reverse_drift(process: Any, x: np.ndarray, t: float, score: Any, eta: float) -> np.ndarray:
    r"""Forward-time drift of the η-family of reverse processes.

    .. math:: f_\eta(x, t) = a(t)\,x - \tfrac{1+\eta^2}{2}\, g(t)^2\, s(x, t),
              \qquad \text{diffusion } \eta\, g(t),

    so that in reverse time :math:`\tau = T - t` the sampler is
    :math:`dY = -f_\eta(Y, T-\tau)\,d\tau + \eta\, g\, dB`.  For OU (:math:`a = -1, g = \sqrt2`) this is
    :math:`dY = [Y + (1+\eta^2)\nabla\log p_{T-\tau}]d\tau + \eta\sqrt2\,dB` of the
    Elamvazhuthi–Oymak–Pasqualetti digest §2.2 (arXiv 2312.07851; background, not the paper's text), whose
    Fokker–Planck equation has the exact marginals :math:`p_{T-\tau}` for every :math:`\eta \ge 0` when
    :math:`s` is the exact score.  η = 0 is ``reverse_drift(..., ode=True)``, η = 1 is ``ode=False``.
    ``score`` is a callable ``score(x, t)`` or an array like ``x``.
    """
    eta = _check_eta(eta)
    s = score(x, t) if callable(score) else score
    if np.shape(s) != np.shape(x):
        raise ShapeError(f"score has shape {np.shape(s)} but x has shape {np.shape(x)}; they must match.")
    g = float(process.diffusion(t))
    return np.asarray(process.drift(x, t), dtype=float) - 0.5 * (1.0 + eta * eta) * g * g * np.asarray(s)


def _check_eta(eta: Any) -> float:
    if isinstance(eta, bool) or not isinstance(eta, (int, float, np.integer, np.floating)):
        raise InvalidParameterError(f"eta must be a real number >= 0, got {eta!r}.")
    eta = float(eta)
    if not (math.isfinite(eta) and eta >= 0):
        raise InvalidParameterError(
            f"eta must be finite and >= 0 (0: probability-flow ODE, 1: reverse SDE), got {eta}."
        )
    return eta


def sample_eta(
    process: Any,
    score: ScoreFn,
    x_init: np.ndarray,
    grid: np.ndarray,
    eta: float,
    *,
    method: Literal["em", "heun"] = "em",
    rng: np.random.Generator | int | None = None,
    noise: np.ndarray | None = None,
) -> SamplerResult:
    r"""Sample the η-family (:func:`eta_reverse_drift`) from ``grid[0] = T`` down to ``grid[-1] = t_min``.

    ``method="em"`` (Euler–Maruyama, [2]_ §10.2):
    :math:`x' = x - h f_\eta(x, t_k) + \eta g(t_k)\sqrt{h}\,z_k`; at η = 1 it is the ``"em"`` scheme of
    :func:`sample` step for step, at η = 0 the explicit Euler ODE step.
    ``method="heun"`` (stochastic Heun for additive noise, [2]_ §15.1): predictor
    :math:`\tilde x = x - h f_\eta(x, t_k) + \eta g(t_k)\sqrt h z_k`, corrector
    :math:`x' = x - \tfrac h2[f_\eta(x,t_k) + f_\eta(\tilde x, t_{k+1})] + \eta\tfrac{g(t_k)+g(t_{k+1})}{2}
    \sqrt h z_k`; at η = 0 it is ``"heun_ode"``.  For η > 0 pass exactly one of ``rng`` / ``noise``
    (shape ``(K, n, d)``, see :func:`draw_noise`); η = 0 is deterministic and ignores both.
    The returned ``scheme`` is ``"eta_em(eta=...)"`` or ``"eta_heun(eta=...)"``.
    """
    eta = _check_eta(eta)
    if method not in ("em", "heun"):
        raise UnknownNameError(f"unknown η-family method {method!r}; choose 'em' or 'heun'.")
    g = check_grid(grid, process)
    x, sc = _start(x_init, score)
    K = g.size - 1
    name = f"eta_{method}(eta={eta:g})"
    z = _stochastic_noise(f"eta={eta:g} > 0", rng, noise, (K, *x.shape)) if eta > 0 else None
    diff = eta * broadcast_coefficient(process.diffusion(g), (K + 1,))
    done = K
    with np.errstate(all="ignore"):  # breakdowns are reported as a Status
        for k in range(K):
            t0, t1 = float(g[k]), float(g[k + 1])
            h = t0 - t1
            f0 = eta_reverse_drift(process, x, t0, sc(x, t0), eta)
            dw = math.sqrt(h) * z(k) if z is not None else 0.0
            pred = x - h * f0 + diff[k] * dw
            if method == "em":
                x = pred
            else:
                f1 = eta_reverse_drift(process, pred, t1, sc(pred, t1), eta)
                x = x - 0.5 * h * (f0 + f1) + 0.5 * (diff[k] + diff[k + 1]) * dw
            if not np.all(np.isfinite(x)):
                done = k + 1
                break
    if done == K and np.all(np.isfinite(x)):
        return SamplerResult(x, Status.OK, "", K, sc.nfe, float(g[-1]), name)
    msg = f"{name}: NaN/inf at step {done} of {K} (t={g[done]:.6g}); check the score and the step size."
    return SamplerResult(x, Status.NAN, msg, done, sc.nfe, float(g[done]), name)
