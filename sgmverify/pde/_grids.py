r"""Uniform finite-volume grids for the Fokker–Planck solver (:mod:`sgmverify.pde._fokker_planck`).

A :class:`Grid1D` splits ``[lo, hi]`` into ``n`` equal cells; a :class:`Grid2D` is the tensor product of two
of them.  Densities on a grid are arrays of cell values (cell averages, to second order the values at the
cell centres); in 2-D the array has shape ``(nx, ny)`` with ``rho[i, j]`` the value at ``(x[i], y[j])``
(``indexing="ij"``, so ``X, Y = grid.X, grid.Y`` have that shape too).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from sgmverify._validate import finite_real
from sgmverify.errors import InvalidParameterError

__all__ = ["Grid1D", "Grid2D"]


def _check_axis(lo: object, hi: object, n: object, what: str) -> tuple[float, float, int]:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise InvalidParameterError(f"{what}: the number of cells must be an integer, got {n!r}.")
    if n < 3:
        raise InvalidParameterError(
            f"{what}: the number of cells must be at least 3 (it was {n}); pass a positive cell count >= 3."
        )
    lo_f, hi_f = finite_real(lo, f"{what}: lo"), finite_real(hi, f"{what}: hi")
    if not hi_f > lo_f:
        raise InvalidParameterError(f"{what}: need hi > lo, got lo={lo_f}, hi={hi_f}.")
    return lo_f, hi_f, int(n)


@dataclass(frozen=True)
class Grid1D:
    """``n`` equal cells on ``[lo, hi]``.

    Attributes
    ----------
    lo, hi : float
        Ends of the domain (zero-flux walls for the solver).
    n : int
        Number of cells (>= 3).
    """

    lo: float
    hi: float
    n: int

    def __post_init__(self) -> None:
        lo, hi, n = _check_axis(self.lo, self.hi, self.n, "Grid1D")
        object.__setattr__(self, "lo", lo)
        object.__setattr__(self, "hi", hi)
        object.__setattr__(self, "n", n)

    @property
    def dim(self) -> int:
        return 1

    @property
    def shape(self) -> tuple[int]:
        return (self.n,)

    @property
    def dx(self) -> float:
        """Cell width ``(hi - lo) / n``."""
        return (self.hi - self.lo) / self.n

    @property
    def cell_volume(self) -> float:
        return self.dx

    @cached_property
    def edges(self) -> np.ndarray:
        """The ``n + 1`` cell faces, ``lo`` to ``hi``."""
        return np.linspace(self.lo, self.hi, self.n + 1)

    @cached_property
    def x(self) -> np.ndarray:
        """The ``n`` cell centres."""
        return self.lo + (np.arange(self.n) + 0.5) * self.dx

    @property
    def faces(self) -> np.ndarray:
        """The ``n - 1`` interior faces (where the solver evaluates the drift)."""
        return self.edges[1:-1]

    def mass(self, rho: np.ndarray) -> float:
        """:math:`\\sum_i \\rho_i\\,\\Delta x`."""
        return float(np.sum(rho) * self.dx)


@dataclass(frozen=True)
class Grid2D:
    """Tensor-product grid of ``n = (nx, ny)`` cells on ``[lo[0], hi[0]] x [lo[1], hi[1]]``."""

    lo: tuple[float, float]
    hi: tuple[float, float]
    n: tuple[int, int]

    def __post_init__(self) -> None:
        try:
            lo, hi, n = tuple(self.lo), tuple(self.hi), tuple(self.n)
        except TypeError as exc:
            raise InvalidParameterError("Grid2D: lo, hi and n must be pairs, e.g. lo=(-5, -5).") from exc
        if not (len(lo) == len(hi) == len(n) == 2):
            raise InvalidParameterError(f"Grid2D: lo, hi and n must be pairs, got {lo!r}, {hi!r}, {n!r}.")
        ax = [_check_axis(lo[k], hi[k], n[k], f"Grid2D axis {k}") for k in range(2)]
        object.__setattr__(self, "lo", (ax[0][0], ax[1][0]))
        object.__setattr__(self, "hi", (ax[0][1], ax[1][1]))
        object.__setattr__(self, "n", (ax[0][2], ax[1][2]))

    @property
    def dim(self) -> int:
        return 2

    @property
    def shape(self) -> tuple[int, int]:
        return self.n

    @cached_property
    def axes(self) -> tuple[Grid1D, Grid1D]:
        """The two 1-D factor grids."""
        return (Grid1D(self.lo[0], self.hi[0], self.n[0]), Grid1D(self.lo[1], self.hi[1], self.n[1]))

    @property
    def dx(self) -> float:
        return self.axes[0].dx

    @property
    def dy(self) -> float:
        return self.axes[1].dx

    @property
    def cell_volume(self) -> float:
        return self.dx * self.dy

    @property
    def x(self) -> np.ndarray:
        return self.axes[0].x

    @property
    def y(self) -> np.ndarray:
        return self.axes[1].x

    @property
    def edges_x(self) -> np.ndarray:
        return self.axes[0].edges

    @property
    def edges_y(self) -> np.ndarray:
        return self.axes[1].edges

    @cached_property
    def X(self) -> np.ndarray:
        """Cell-centre x coordinates, shape ``(nx, ny)``."""
        return np.meshgrid(self.x, self.y, indexing="ij")[0]

    @cached_property
    def Y(self) -> np.ndarray:
        """Cell-centre y coordinates, shape ``(nx, ny)``."""
        return np.meshgrid(self.x, self.y, indexing="ij")[1]

    @cached_property
    def x_faces(self) -> tuple[np.ndarray, np.ndarray]:
        """Coordinates of the interior x-faces, each of shape ``(nx - 1, ny)`` (where ``fx`` is evaluated)."""
        return tuple(np.meshgrid(self.edges_x[1:-1], self.y, indexing="ij"))  # type: ignore[return-value]

    @cached_property
    def y_faces(self) -> tuple[np.ndarray, np.ndarray]:
        """Coordinates of the interior y-faces, each of shape ``(nx, ny - 1)`` (where ``fy`` is evaluated)."""
        return tuple(np.meshgrid(self.x, self.edges_y[1:-1], indexing="ij"))  # type: ignore[return-value]

    def mass(self, rho: np.ndarray) -> float:
        return float(np.sum(rho) * self.cell_volume)
