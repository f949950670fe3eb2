r"""Ground-truth density trajectories: a conservative finite-volume Fokker–Planck solver in 1-D and 2-D.

Solves, for :math:`\tau` from ``t0`` to ``t1``,

.. math::
    \partial_\tau \rho = D(\tau)\,\Delta\rho - \nabla\cdot\bigl(f(x, \tau)\,\rho\bigr)

on a box with zero-flux walls :math:`n\cdot(D\nabla\rho - f\rho) = 0` (the general model
:math:`dX = f\,dt + \sqrt{2D}\,dW` of Elamvazhuthi–Oymak–Pasqualetti, arXiv 2312.07851,
docs/papers/elamvazhuthi_oymak_pasqualetti_2023.md §2.2;
with :math:`D = \eta^2` and :math:`f = y + (1+\eta^2)\nabla\log p_{T-\tau}` it is the law of the η-family of
reverse samplers).

Space: finite volumes on a uniform grid (:mod:`sgmverify.pde._grids`).  The flux through a face is the
Scharfetter–Gummel (exponentially fitted) flux [1]_

.. math::
    F_{j} = \frac{D}{\Delta x}\bigl[B(-w_j)\,\rho_{j-1} - B(w_j)\,\rho_j\bigr],\qquad
    w_j = \frac{f_j\,\Delta x}{D},\qquad B(w) = \frac{w}{e^w - 1},

with the drift :math:`f_j` evaluated at the face.  It is second-order accurate for :math:`D > 0`, exact for
a constant flux between neighbouring centres, and its matrix has non-negative off-diagonals for every cell
Péclet number (so the semi-discrete flow keeps densities non-negative).  ``flux="central"`` gives the plain
central flux :math:`f_j(\rho_{j-1}+\rho_j)/2 - D(\rho_j-\rho_{j-1})/\Delta x`.  Both conserve mass exactly:
every column of the matrix sums to zero.

Time: Crank–Nicolson in 1-D; Peaceman–Rachford ADI in 2-D [2]_ (both second order, both preserving mass to
round-off).  The first ``smoothing_steps`` steps are each replaced by two backward-Euler half steps
(Rannacher start-up [3]_), which damps the high-frequency content of rough initial data that Crank–Nicolson
alone would carry along undamped; it costs no order.  Tridiagonal systems are solved with LAPACK
``gtsv`` (time-dependent coefficients) or factorised once with ``gttrf`` (``autonomous=True``); in 2-D all
rows of a sweep form one block-diagonal tridiagonal system.

D = 0 (the probability-flow ODE, η = 0) is refused: use :func:`transport_density`, which moves the density
along characteristics.  An upwind grid scheme would add numerical diffusion and hide exactly the
high-frequency errors that separate the ODE from the SDE
(docs/papers/elamvazhuthi_oymak_pasqualetti_2023.md §6, "Tips for the ODE side").

References
----------
.. [1] Scharfetter, D. L., & Gummel, H. K. (1969). Large-signal analysis of a silicon Read diode oscillator.
   IEEE Trans. Electron Devices 16(1), 64–77.
.. [2] Peaceman, D. W., & Rachford, H. H. (1955). The numerical solution of parabolic and elliptic
   differential equations. J. SIAM 3(1), 28–41.
.. [3] Rannacher, R. (1984). Finite element solution of diffusion problems with irregular data.
   Numer. Math. 43, 309–327.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.linalg import lapack

from sgmverify._validate import finite_real, real_array
from sgmverify.errors import InvalidParameterError, ShapeError, TimeDomainError

from ._characteristics import transport_density
from ._grids import Grid1D, Grid2D

__all__ = ["FPSolution", "Grid1D", "Grid2D", "solve_fokker_planck", "transport_density"]

Diffusion = float | Callable[[float], float]

#: Most time steps a solve accepts (its time grid stays below 2 GiB).
MAX_STEPS = 2**28


@dataclass
class FPSolution:
    r"""A solved density trajectory.

    Attributes
    ----------
    times : ndarray, shape (k,)
        Times of the stored snapshots (``t0``, the requested ``save_at`` times, ``t1``).
    rho : list of ndarray
        Cell densities at ``times`` (shape ``grid.shape`` each).
    grid : Grid1D or Grid2D
    mass : ndarray, shape (k,)
        :math:`\sum \rho\,|{\rm cell}|` at ``times``.
    n_steps : int
        Number of time steps taken (``save_at`` times off the uniform step grid add steps).
    min_value : float
        Smallest cell value met at any step (negative only through round-off or Crank–Nicolson
        oscillations on rough data).
    max_mass_error : float
        Largest :math:`|m_k - m_0|/m_0` over all steps.
    """

    times: np.ndarray
    rho: list[np.ndarray]
    grid: Grid1D | Grid2D
    mass: np.ndarray
    n_steps: int = 0
    min_value: float = 0.0
    max_mass_error: float = 0.0
    info: dict = field(default_factory=dict)

    @property
    def final(self) -> np.ndarray:
        """The density at the last time."""
        return self.rho[-1]

    def at(self, t: float) -> np.ndarray:
        """The stored snapshot at time ``t`` (must be one of ``times`` up to 1e-9 relative)."""
        k = int(np.argmin(np.abs(self.times - t)))
        if abs(self.times[k] - t) > 1e-9 * max(1.0, abs(t)):
            raise TimeDomainError(
                f"no snapshot at t={t}; stored times are {self.times.tolist()} (use save_at)."
            )
        return self.rho[k]


# ----------------------------------------------------------------------------------------------------
# Tridiagonal operators


def _bernoulli(w: np.ndarray) -> np.ndarray:
    """:math:`B(w) = w/(e^w - 1)`: B(0) = 1; for w > 709 ``expm1`` is inf and B = 0 (true value < 1e-305)."""
    with np.errstate(over="ignore", invalid="ignore"):
        out = w / np.expm1(w)
    zero = w == 0.0
    if zero.any():
        out[zero] = 1.0
    return out


def _face_coefficients(f: np.ndarray, d: float, h: float, flux: str) -> tuple[np.ndarray, np.ndarray]:
    """``(a, b)`` with face flux :math:`F_j = a_j\rho_{j-1} - b_j\rho_j`."""
    if flux == "sg":
        w = f * (h / d)
        b = _bernoulli(w)
        return (d / h) * (b + w), (d / h) * b  # B(-w) = B(w) + w
    return 0.5 * f + d / h, d / h - 0.5 * f


def _tridiag(a: np.ndarray, b: np.ndarray, h: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""(lower, diag, upper) of :math:`A`, :math:`(A\rho)_i = -(F_{i+1/2} - F_{i-1/2})/h`, zero-flux walls.

    ``a, b``: shape ``(..., n - 1)`` (interior faces); outputs ``(..., n-1), (..., n), (..., n-1)``.
    """
    diag = np.zeros((*a.shape[:-1], a.shape[-1] + 1))
    diag[..., :-1] -= a
    diag[..., 1:] -= b
    diag /= h
    return a / h, diag, b / h


def _flatten_rows(lower: np.ndarray, diag: np.ndarray, upper: np.ndarray) -> tuple[np.ndarray, ...]:
    """Block-diagonal tridiagonal system of all rows (shape (m, n)) as one system of size m*n."""
    if diag.ndim == 1:
        return lower, diag, upper
    m = diag.shape[0]
    zero = np.zeros((m, 1))
    lo = np.concatenate([lower, zero], axis=1).ravel()[:-1]
    up = np.concatenate([upper, zero], axis=1).ravel()[:-1]
    return lo, diag.ravel(), up


class _Operator:
    """A tridiagonal (or block-diagonal tridiagonal) matrix ``A`` stored by its three diagonals."""

    def __init__(self, lower: np.ndarray, diag: np.ndarray, upper: np.ndarray) -> None:
        self.lower, self.diag, self.upper = _flatten_rows(lower, diag, upper)
        self._factors: dict[float, tuple] = {}

    def apply(self, v: np.ndarray, c: float) -> np.ndarray:
        """:math:`(I + cA)v` for a flat vector ``v``."""
        out = v + c * (self.diag * v)
        out[1:] += c * (self.lower * v[:-1])
        out[:-1] += c * (self.upper * v[1:])
        return out

    def solve(self, rhs: np.ndarray, c: float, cache: bool) -> np.ndarray:
        """Solve :math:`(I - cA)x = rhs`."""
        dl, d, du = -c * self.lower, 1.0 - c * self.diag, -c * self.upper
        if not cache:
            _, _, _, x, info = lapack.dgtsv(dl, d, du, rhs[:, None], overwrite_b=1)
        else:
            if c not in self._factors:
                self._factors[c] = lapack.dgttrf(dl, d, du)[:5]
            x, info = lapack.dgttrs(*self._factors[c], rhs[:, None])
        if info != 0:  # pragma: no cover - the matrix is an M-matrix, diagonally dominant by columns
            raise InvalidParameterError(
                f"tridiagonal solve failed (LAPACK info={info}); reduce the time step."
            )
        return x[:, 0]


# ----------------------------------------------------------------------------------------------------
# Input checks


def _diffusion_at(diffusion: Diffusion, t: float) -> float:
    d = diffusion(t) if callable(diffusion) else diffusion
    d = finite_real(d, f"diffusion D(τ={t:g}) (a float or a callable returning one)")
    if d < 0:
        raise InvalidParameterError(f"diffusion D(τ={t:g}) = {d} must be finite and positive.")
    if d == 0:
        raise InvalidParameterError(
            f"diffusion D(τ={t:g}) = 0: the grid solver needs D > 0.  For the continuity equation (the "
            "probability-flow ODE) use transport_density, which follows characteristics without "
            "numerical diffusion."
        )
    return d


def _checked(values: object, shape: tuple[int, ...], what: str, t: float) -> np.ndarray:
    arr = real_array(values, f"{what} at τ={t:g}")
    if arr.ndim == 0:
        arr = np.full(shape, float(arr))
    if arr.shape != shape:
        raise ShapeError(f"{what} at τ={t:g} returned shape {arr.shape}; it must return shape {shape}.")
    if not np.all(np.isfinite(arr)):
        raise InvalidParameterError(
            f"{what} at τ={t:g} returned NaN or inf; the drift must be finite on the grid."
        )
    return arr


def _check_rho0(grid: Grid1D | Grid2D, rho0: object) -> np.ndarray:
    if callable(rho0):
        rho0 = rho0(grid.x) if grid.dim == 1 else rho0(grid.X, grid.Y)
    r = real_array(rho0, "rho0")
    if r.shape != grid.shape:
        raise ShapeError(f"rho0 has shape {r.shape}; the grid needs shape {grid.shape} (one value per cell).")
    if not np.all(np.isfinite(r)):
        raise InvalidParameterError("rho0 contains NaN or inf; pass finite cell densities.")
    if np.any(r < 0):
        raise InvalidParameterError(f"rho0 has negative values (min {r.min():.3g}); a density must be >= 0.")
    return r


def _time_nodes(
    t0: float, t1: float, n_steps: int, save_at: Sequence[float] | None
) -> tuple[np.ndarray, list]:
    t0, t1 = finite_real(t0, "t0", TimeDomainError), finite_real(t1, "t1", TimeDomainError)
    if not t1 > t0:
        raise TimeDomainError(f"need t1 > t0, got t0={t0}, t1={t1} (the solver runs forward in τ).")
    if isinstance(n_steps, bool) or not isinstance(n_steps, numbers.Integral) or n_steps < 1:
        raise InvalidParameterError(f"n_steps must be a positive integer, got {n_steps!r}.")
    if n_steps > MAX_STEPS:
        raise InvalidParameterError(
            f"n_steps = {n_steps} exceeds {MAX_STEPS} (the time grid alone would not fit)."
        )
    nodes = np.linspace(t0, t1, int(n_steps) + 1)
    saves = [] if save_at is None else sorted(float(s) for s in real_array(save_at, "save_at").ravel())
    tol = 1e-9 * (t1 - t0)
    for s in saves:
        if not (t0 - tol <= s <= t1 + tol):
            raise TimeDomainError(f"save_at time {s} lies outside [t0, t1] = [{t0}, {t1}].")
    extra = [s for s in saves if np.min(np.abs(nodes - s)) > tol]
    if extra:
        nodes = np.union1d(nodes, extra)
    keep = sorted({0, len(nodes) - 1} | {int(np.argmin(np.abs(nodes - s))) for s in saves})
    return nodes, keep


# ----------------------------------------------------------------------------------------------------
# Assembly of A(τ)


class _Assembler:
    """Builds the direction-split operators ``[A_x]`` (1-D) or ``[A_x, A_y]`` (2-D) at a time τ."""

    def __init__(self, grid: Grid1D | Grid2D, drift: Callable, diffusion: Diffusion, flux: str) -> None:
        self.grid, self.drift, self.diffusion, self.flux = grid, drift, diffusion, flux

    def __call__(self, t: float) -> list[_Operator]:
        d = _diffusion_at(self.diffusion, t)
        g = self.grid
        if isinstance(g, Grid1D):
            f = _checked(self.drift(g.faces, t), (g.n - 1,), "drift(x, τ)", t)
            return [_Operator(*_tridiag(*_face_coefficients(f, d, g.dx, self.flux), g.dx))]
        (xf, yf), (xg, yg) = g.x_faces, g.y_faces
        fx = self._component(xf, yf, t, 0)
        fy = self._component(xg, yg, t, 1)
        # x-sweep works on rho.T (rows = fixed y, contiguous in x); y-sweep on rho (rows = fixed x).
        op_x = _Operator(*_tridiag(*_face_coefficients(fx.T, d, g.dx, self.flux), g.dx))
        op_y = _Operator(*_tridiag(*_face_coefficients(fy, d, g.dy, self.flux), g.dy))
        return [op_x, op_y]

    def _component(self, xs: np.ndarray, ys: np.ndarray, t: float, k: int) -> np.ndarray:
        out = self.drift(xs, ys, t)
        if not (isinstance(out, tuple | list) and len(out) == 2):
            raise ShapeError(
                f"drift(X, Y, τ) must return a pair (fx, fy); got {type(out).__name__} at τ={t:g}."
            )
        return _checked(out[k], xs.shape, f"drift(X, Y, τ)[{k}]", t)


# ----------------------------------------------------------------------------------------------------
# Time stepping


def _step_1d(
    rho: np.ndarray, ops_now, ops_next, ops_half, dt: float, cache: bool, smooth: bool
) -> np.ndarray:
    (a_next,) = ops_next
    if smooth:  # two backward-Euler half steps (Rannacher)
        (a_half,) = ops_half
        return a_next.solve(a_half.solve(rho, dt / 2, cache), dt / 2, cache)
    (a_now,) = ops_now
    return a_next.solve(a_now.apply(rho, dt / 2), dt / 2, cache)


def _step_2d(rho: np.ndarray, ops_half, ops_next, dt: float, cache: bool, smooth: bool) -> np.ndarray:
    """Peaceman–Rachford: (I - h Ax) r* = (I + h Ay) r ; (I - h Ay) r' = (I + h Ax) r*, h = dt/2."""
    nx, ny = rho.shape
    h = dt / 2
    if smooth:  # backward-Euler half steps, Lie-split: (I - h Ay)^-1 (I - h Ax)^-1, twice
        for ax, ay in (ops_half, ops_next):
            rho = ax.solve(rho.T.ravel(), h, cache).reshape(ny, nx).T
            rho = ay.solve(np.ascontiguousarray(rho).ravel(), h, cache).reshape(nx, ny)
        return rho
    ax, ay = ops_half
    rhs = ay.apply(rho.ravel(), h).reshape(nx, ny)
    star = ax.solve(np.ascontiguousarray(rhs.T).ravel(), h, cache)  # x-direction, layout (ny, nx)
    rhs2 = ax.apply(star, h).reshape(ny, nx).T
    return ay.solve(np.ascontiguousarray(rhs2).ravel(), h, cache).reshape(nx, ny)


def solve_fokker_planck(
    grid: Grid1D | Grid2D,
    rho0: np.ndarray | Callable,
    drift: Callable,
    diffusion: Diffusion,
    t0: float,
    t1: float,
    n_steps: int,
    save_at: Sequence[float] | None = None,
    *,
    autonomous: bool = False,
    flux: str = "sg",
    smoothing_steps: int = 2,
) -> FPSolution:
    r"""Solve :math:`\partial_\tau\rho = D(\tau)\Delta\rho - \nabla\cdot(f(x,\tau)\rho)` with zero-flux walls.

    Parameters
    ----------
    grid : Grid1D or Grid2D
    rho0 : ndarray of shape ``grid.shape``, or callable
        Initial cell densities (non-negative); a callable is evaluated at the cell centres
        (``rho0(x)`` in 1-D, ``rho0(X, Y)`` in 2-D).
    drift : callable
        1-D: ``drift(x, τ)`` with ``x`` the ``n - 1`` interior faces, returns shape ``(n - 1,)``.
        2-D: ``drift(X, Y, τ) -> (fx, fy)``; it is called on the interior x-faces (``fx`` used) and on the
        interior y-faces (``fy`` used), arrays of shape ``(nx - 1, ny)`` and ``(nx, ny - 1)``.  A scalar
        return value is broadcast.
    diffusion : float or callable
        :math:`D > 0`, or :math:`\tau \mapsto D(\tau) > 0`.
    t0, t1 : float
        Start and end times, ``t1 > t0``.
    n_steps : int
        Number of uniform steps (each ``save_at`` time not on that grid adds a node).
    save_at : sequence of float, optional
        Extra snapshot times in ``[t0, t1]``; ``t0`` and ``t1`` are always stored.
    autonomous : bool, optional
        Promise that drift and diffusion do not depend on τ: they are evaluated once at ``t0`` and the
        matrices are factorised once per step size.
    flux : {"sg", "central"}, optional
        Scharfetter–Gummel (default; keeps the matrix an M-matrix) or central flux.
    smoothing_steps : int, optional
        Number of initial steps done as two backward-Euler half steps (Rannacher start-up; default 2).

    Returns
    -------
    FPSolution
    """
    if not isinstance(grid, Grid1D | Grid2D):
        raise InvalidParameterError(f"grid must be a Grid1D or Grid2D, got {type(grid).__name__}.")
    if not isinstance(autonomous, bool | np.bool_):
        raise InvalidParameterError(f"autonomous must be True or False, got {autonomous!r:.60}.")
    if not isinstance(flux, str) or flux not in ("sg", "central"):
        raise InvalidParameterError(f"flux must be 'sg' or 'central', got {flux!r}.")
    if not callable(drift):
        raise InvalidParameterError("drift must be a callable drift(x, τ) (1-D) or drift(X, Y, τ) (2-D).")
    if (
        isinstance(smoothing_steps, bool)
        or not isinstance(smoothing_steps, numbers.Integral)
        or smoothing_steps < 0
    ):
        raise InvalidParameterError(
            f"smoothing_steps must be a non-negative integer, got {smoothing_steps!r}."
        )
    rho = _check_rho0(grid, rho0)
    nodes, keep = _time_nodes(t0, t1, n_steps, save_at)
    assemble = _Assembler(grid, drift, diffusion, flux)
    fixed = assemble(float(nodes[0])) if autonomous else None

    def ops(t: float) -> list[_Operator]:
        return fixed if fixed is not None else assemble(t)

    cell = grid.cell_volume
    m0 = float(rho.sum() * cell)
    times, snaps, masses = [float(nodes[0])], [rho.copy()], [m0]
    min_value, max_mass_err = float(rho.min()), 0.0
    ops_now = ops(float(nodes[0])) if grid.dim == 1 else None
    keep_set = set(keep)
    for k in range(len(nodes) - 1):
        t, t_next = float(nodes[k]), float(nodes[k + 1])
        dt = t_next - t
        smooth = k < smoothing_steps
        ops_half = ops(t + dt / 2) if (smooth or grid.dim == 2) else None
        ops_next = ops(t_next) if (grid.dim == 1 or smooth) else None
        if grid.dim == 1:
            rho = _step_1d(rho, ops_now, ops_next, ops_half, dt, fixed is not None, smooth)
            ops_now = ops_next
        else:
            rho = _step_2d(rho, ops_half, ops_next, dt, fixed is not None, smooth)
        min_value = min(min_value, float(rho.min()))
        m = float(rho.sum() * cell)
        if not math.isfinite(m):
            raise InvalidParameterError(f"the solution became non-finite at τ={t_next:g}; check drift and D.")
        if m0 > 0:
            max_mass_err = max(max_mass_err, abs(m - m0) / m0)
        if k + 1 in keep_set:
            times.append(t_next)
            snaps.append(rho.copy())
            masses.append(m)
    return FPSolution(
        times=np.array(times),
        rho=snaps,
        grid=grid,
        mass=np.array(masses),
        n_steps=len(nodes) - 1,
        min_value=min_value,
        max_mass_error=max_mass_err,
        info={"flux": flux, "scheme": "crank-nicolson" if grid.dim == 1 else "peaceman-rachford-adi"},
    )
