r"""The one explicit Runge–Kutta method of the engine: a Butcher tableau and its generic step.

An explicit :math:`s`-stage Runge–Kutta method for :math:`\dot x = f(t, x)` is its Butcher tableau
:math:`(c, A, b)` with :math:`A` strictly lower triangular (Hairer, Nørsett, Wanner 1993, *Solving Ordinary
Differential Equations I*, §II.1); one step of size :math:`h` from :math:`(t, x)` is

.. math::

    k_i = f\Big(t + c_i h,\; x + h\sum_{j<i} a_{ij} k_j\Big),\quad i = 1, \dots, s,\qquad
    x' = x + h\sum_{i=1}^{s} b_i k_i .

:func:`rk_step` is that formula and nothing else, for numpy arrays (real or complex), torch tensors and
tuples of them (an augmented state such as ``(x, log q)``); :math:`h < 0` steps backward in time.  The
tableaux :data:`EULER`, :data:`HEUN` and :data:`RK4` declare their classical order, which
:class:`ButcherTableau` checks against the order conditions up to order 4 (ibid., Table II.2.1).

This module sits at the bottom of the engine's layers (beside ``_timelimit``) so that both the samplers and
the PDE wing step with the same tableau; ``sgmverify.samplers`` re-exports it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from sgmverify.errors import InvalidParameterError, ShapeError

__all__ = ["EULER", "HEUN", "RK4", "ButcherTableau", "rk_step"]

#: Absolute tolerance of the row-sum and order conditions (the coefficients are floats).
_ATOL = 1e-12


def _order_conditions(c: np.ndarray, A: np.ndarray, b: np.ndarray) -> dict[int, list[tuple[float, float]]]:
    r"""``{p: [(value, required), ...]}``: the conditions a method of order :math:`p \le 4` must meet.

    .. math::
        p=1{:}\ \textstyle\sum b = 1;\quad p=2{:}\ b\cdot c = \tfrac12;\quad
        p=3{:}\ b\cdot c^2 = \tfrac13,\ b\cdot Ac = \tfrac16;\\
        p=4{:}\ b\cdot c^3 = \tfrac14,\ b\cdot(c\,Ac) = \tfrac18,\ b\cdot Ac^2 = \tfrac1{12},\
        b\cdot A^2c = \tfrac1{24}.
    """
    Ac = A @ c
    return {
        1: [(float(b.sum()), 1.0)],
        2: [(float(b @ c), 1 / 2)],
        3: [(float(b @ c**2), 1 / 3), (float(b @ Ac), 1 / 6)],
        4: [
            (float(b @ c**3), 1 / 4),
            (float(b @ (c * Ac)), 1 / 8),
            (float(b @ (A @ c**2)), 1 / 12),
            (float(b @ (A @ Ac)), 1 / 24),
        ],
    }


@dataclass(frozen=True)
class ButcherTableau:
    r"""Butcher tableau :math:`(c, A, b)` of an explicit Runge–Kutta method and the order it declares.

    Attributes
    ----------
    c : tuple of float
        Nodes :math:`c_i` (stage :math:`i` is evaluated at :math:`t + c_i h`).
    a : tuple of tuples of float
        Rows of the strictly lower triangular :math:`A`: row :math:`i` holds :math:`a_{i1}, \dots,
        a_{i,i-1}` (the first row is empty).
    b : tuple of float
        Weights :math:`b_i` of the step :math:`x' = x + h\sum_i b_i k_i`.
    order : int
        Classical order :math:`p` (global error :math:`O(h^p)`); for :math:`p \le 4` the order conditions
        are checked, and the row-sum condition :math:`c_i = \sum_j a_{ij}` always.
    name : str
        Label used in reports.

    Raises
    ------
    InvalidParameterError
        Shapes that are not an explicit tableau, non-finite coefficients, or a declared order whose
        conditions fail.
    """

    c: tuple[float, ...]
    a: tuple[tuple[float, ...], ...]
    b: tuple[float, ...]
    order: int
    name: str = ""

    def __post_init__(self) -> None:
        try:
            c = tuple(float(x) for x in self.c)
            a = tuple(tuple(float(x) for x in row) for row in self.a)
            b = tuple(float(x) for x in self.b)
        except (TypeError, ValueError) as exc:
            raise InvalidParameterError(f"Butcher tableau coefficients must be real numbers: {exc}") from exc
        s = len(b)
        if s < 1 or len(c) != s or len(a) != s or any(len(row) != i for i, row in enumerate(a)):
            raise InvalidParameterError(
                f"an explicit s-stage tableau needs s >= 1 nodes c, s weights b and rows a_i of length i - 1 "
                f"(strictly lower triangular); got {len(c)} nodes, {s} weights, row lengths "
                f"{[len(row) for row in a]}."
            )
        if not all(math.isfinite(x) for x in (*c, *b, *(x for row in a for x in row))):
            raise InvalidParameterError("Butcher tableau coefficients must be finite.")
        if isinstance(self.order, bool) or not isinstance(self.order, int | np.integer) or self.order < 1:
            raise InvalidParameterError(f"order must be a positive integer, got {self.order!r}.")
        object.__setattr__(self, "c", c)
        object.__setattr__(self, "a", a)
        object.__setattr__(self, "b", b)
        object.__setattr__(self, "order", int(self.order))
        for i, (c_i, row) in enumerate(zip(c, a, strict=True)):
            if abs(c_i - math.fsum(row)) > _ATOL:
                raise InvalidParameterError(
                    f"row-sum condition c_{i + 1} = sum_j a_{i + 1}j fails: {c_i} != {math.fsum(row)}."
                )
        conditions = _order_conditions(np.array(c), self.matrix, np.array(b))
        for p in range(1, min(self.order, 4) + 1):
            for value, required in conditions[p]:
                if abs(value - required) > _ATOL:
                    raise InvalidParameterError(
                        f"tableau {self.name or '(unnamed)'} declares order {self.order} but an order-{p} "
                        f"condition fails: {value!r} != {required!r}."
                    )

    @property
    def stages(self) -> int:
        """Number of stages :math:`s` (function evaluations per step)."""
        return len(self.b)

    @property
    def matrix(self) -> np.ndarray:
        """:math:`A` as a dense ``(s, s)`` array (zeros on and above the diagonal)."""
        A = np.zeros((self.stages, self.stages))
        for i, row in enumerate(self.a):
            A[i, : len(row)] = row
        return A


#: Explicit Euler, order 1.
EULER = ButcherTableau(c=(0.0,), a=((),), b=(1.0,), order=1, name="euler")
#: Heun's method (explicit trapezoid): Euler predictor, trapezoidal corrector; order 2.
HEUN = ButcherTableau(c=(0.0, 1.0), a=((), (1.0,)), b=(0.5, 0.5), order=2, name="heun")
#: The classical Runge–Kutta method (Kutta 1901), order 4.
RK4 = ButcherTableau(
    c=(0.0, 0.5, 0.5, 1.0),
    a=((), (0.5,), (0.0, 0.5), (0.0, 0.0, 1.0)),
    b=(1 / 6, 1 / 3, 1 / 3, 1 / 6),
    order=4,
    name="rk4",
)


def _combine(x: Any, h: Any, coeffs: tuple[float, ...], ks: list[Any]) -> Any:
    r""":math:`x + h\sum_j w_j k_j` over the non-zero weights (``x`` itself when there are none)."""
    terms = [(w, k) for w, k in zip(coeffs, ks) if w != 0.0]
    if not terms:
        return x
    if isinstance(x, tuple):
        return tuple(xj + h * sum(w * k[j] for w, k in terms) for j, xj in enumerate(x))
    return x + h * sum(w * k for w, k in terms)


def rk_step(
    f: Callable[[Any, Any], Any],
    t: Any,
    x: Any,
    h: Any,
    tableau: ButcherTableau,
    *,
    t_next: Any = None,
) -> Any:
    r"""One explicit Runge–Kutta step of :math:`\dot x = f(t, x)` from ``(t, x)`` with step ``h``.

    .. math::
        k_i = f\Big(t_i,\; x + h\sum_{j<i} a_{ij} k_j\Big),\qquad t_i = t + c_i h,\qquad
        x' = x + h \sum_i b_i k_i .

    Parameters
    ----------
    f : callable
        ``f(t, x)``, returning an object of the same kind and shape as ``x``.
    t : float
        Time of ``x``.
    x : ndarray, torch.Tensor, or tuple of them
        The state: real or complex numpy arrays, torch tensors (autograd flows through the step), or a
        tuple of such components for an augmented state (``f`` then returns a tuple of the same length).
    h : float
        Step size; negative for a step backward in time.
    tableau : ButcherTableau
        E.g. :data:`EULER`, :data:`HEUN`, :data:`RK4`.
    t_next : float, optional
        The grid time the step lands on; stages with :math:`c_i = 1` are evaluated exactly there instead
        of at the rounded :math:`t + h`.

    Returns
    -------
    The state at :math:`t + h` (same kind as ``x``).  Zero coefficients :math:`a_{ij}` are skipped, so a
    stage never touches the :math:`k_j` it does not use.

    Raises
    ------
    InvalidParameterError
        ``tableau`` is not a :class:`ButcherTableau`.
    ShapeError
        ``x`` is a tuple and ``f`` does not return a tuple of the same length.
    """
    if not isinstance(tableau, ButcherTableau):
        raise InvalidParameterError(
            f"tableau must be a ButcherTableau (e.g. EULER, HEUN, RK4), got {type(tableau).__name__}."
        )
    if isinstance(h, np.generic):
        h = h.item()  # a Python number, so that h * tensor stays a torch tensor
    ks: list[Any] = []
    for c_i, a_i in zip(tableau.c, tableau.a, strict=True):
        t_i = t_next if (t_next is not None and c_i == 1.0) else t + c_i * h
        k = f(t_i, _combine(x, h, a_i, ks))
        if isinstance(x, tuple) and not (isinstance(k, tuple) and len(k) == len(x)):
            raise ShapeError(
                f"the state is a tuple of {len(x)} components, so f(t, x) must return a tuple of "
                f"{len(x)}; got {type(k).__name__}."
            )
        ks.append(k)
    return _combine(x, h, tableau.b, ks)
