r"""Lipschitz interval of a trained score :math:`x\mapsto s_\theta(x, t)` at a fixed time.

The network (:mod:`sgmverify.nets._networks`) is :math:`s_\theta(x,t) = -c_{in}^2 x - c_{out} F(c_{in}x,
e(t))`
with an
MLP :math:`F` whose time input :math:`e(t)` is a constant at fixed ``t``: only the x-path matters.

* **Upper end** (a proof, up to float round-off): with :math:`W_0^x` the x-columns of the first layer,
  :math:`W_1,\dots,W_{D-1}` the hidden layers, :math:`W_D` the output layer and activation slopes in
  :math:`[a, b]`, the chain rule gives
  :math:`\nabla_x F = W_D\,\Delta_{D-1}W_{D-1}\cdots\Delta_0 W_0^x c_{in}`
  with diagonal :math:`\Delta_k` whose entries lie in :math:`[a,b]`, so
  :math:`\mathrm{Lip}(s_\theta(\cdot,t)) \le c_{in}^2 + c_{out}c_{in}\max(|a|,|b|)^{D}\prod_k\|W_k\|_2`
  (Szegedy et al. 2014, §4.3; Virmaux & Scaman 2018, *Lipschitz regularity of deep neural networks*, eq. 3).
* **Lower end** (attained): :math:`\max_x\|\nabla_x s_\theta(x,t)\|_2` over a cloud of points, with the
  best starts refined by gradient ascent on the spectral norm (``torch.func.jacrev`` + ``vmap``).  Any
  point's Jacobian norm is a valid lower bound of the Lipschitz constant over :math:`\mathbb R^d`.

Verdict for an assumption "Lip ≤ L" (:meth:`LipschitzInterval.decide`): holds only if upper ≤ L, fails only if
lower > L, otherwise unknown — never rounded towards "holds".
"""

from __future__ import annotations

import copy
import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from sgmverify.errors import (
    InvalidParameterError,
    InvalidTypeError,
    ShapeError,
    TimeDomainError,
    UnknownNameError,
)
from sgmverify.estimates import Estimate
from sgmverify.laws import as_float_array
from sgmverify.theory import AssumptionResult

from ._networks import TrainedScoreNetwork

#: Most points of the cloud and most ascent steps / starts (beyond: hours of work or no memory).
MAX_POINTS = 10**6
MAX_ASCENT = 10**6

__all__ = [
    "SLOPES",
    "LipschitzInterval",
    "exact_score_lipschitz",
    "lipschitz_interval",
    "lipschitz_lower",
    "lipschitz_profile",
    "lipschitz_upper",
]

#: Range [a, b] of the activation's derivative, rounded outwards (5 decimals).
#:
#: * SiLU :math:`\phi(x) = x\,s(x)`, :math:`s` the logistic function:
#:   :math:`\phi'(x) = s(x)\,(1 + x(1 - s(x)))`, :math:`\phi''(x) = s(x)(1-s(x))\,(2 + x(1 - 2s(x)))`.
#:   The extremes of :math:`\phi'` sit at the roots of :math:`2 + x(1-2s(x)) = 0`,
#:   :math:`x^\ast = \pm 2.3993573`,
#:   where :math:`\phi'(x^\ast) = 1.0998393` and :math:`\phi'(-x^\ast) = -0.0998393` (limits 1 and 0 at ±∞).
#: * GELU (exact, erf form) :math:`\phi(x) = x\Phi(x)`: :math:`\phi' = \Phi + x\varphi`,
#:   :math:`\phi'' = \varphi(2 - x^2)`, extremes at :math:`x = \pm\sqrt2`: :math:`[-0.1289041, 1.1289041]`.
#: * tanh: :math:`\phi' = 1 - \tanh^2 \in (0, 1]`;  softplus: :math:`\phi' = s(x) \in (0, 1)`.
#:
#: ``tests/test_lipschitz.py`` recomputes each to 1e-6 by root finding.
SLOPES: dict[str, tuple[float, float]] = {
    "silu": (-0.09984, 1.09984),
    "gelu": (-0.12891, 1.12891),
    "tanh": (0.0, 1.0),
    "softplus": (0.0, 1.0),
}


@dataclass(frozen=True)
class LipschitzInterval:
    """``lower <= Lip(s_theta(., t)) <= upper``, next to the exact score's constant ``exact``.

    ``exact_kind``: "closed form" (Gaussian data), "sampled sup" (max of the exact score-Jacobian norm over
    the same cloud: a lower estimate), or "" when not computed.
    """

    t: float
    lower: float
    upper: float
    exact: float | None = None
    exact_kind: str = ""
    argmax: list[float] | None = None
    extra: dict = field(default_factory=dict)

    def decide(self, L: float) -> str:
        """``"holds"`` iff upper <= L, ``"fails"`` iff lower > L, else ``"unknown"``."""
        if not math.isfinite(L):
            raise InvalidParameterError(f"the Lipschitz level L must be finite, got {L}.")
        if self.upper <= L:
            return "holds"
        if self.lower > L:
            return "fails"
        return "unknown"

    def assumption(self, L: float, name: str = "Lipschitz score") -> AssumptionResult:
        """The assumption "Lip(s_theta(., t)) <= L" as an :class:`AssumptionResult` (interval in detail)."""
        status = self.decide(L)
        detail = f"Lip(s_theta(., t={self.t:g})) in [{self.lower:.4g}, {self.upper:.4g}] vs L = {L:.4g}" + (
            f"; exact score: {self.exact:.4g} ({self.exact_kind})" if self.exact is not None else ""
        )
        evidence = "certified" if status == "holds" else "numeric"
        return AssumptionResult(name, status, detail, evidence)

    def to_estimate(self) -> Estimate:
        """An :class:`Estimate` whose 'interval' is [lower, upper] (value = lower, the attained end).

        With ``claims.decide`` and an upper bound L this gives exactly the rule of :meth:`decide`.
        """
        return Estimate(
            self.lower,
            self.lower,
            self.upper,
            level=None,
            method="Lipschitz interval: [max Jacobian norm found, product of layer norms]",
            extra={"t": self.t, "exact": self.exact, "exact_kind": self.exact_kind},
        )


def _slope(activation: str) -> float:
    if activation not in SLOPES:
        raise UnknownNameError(f"no slope bound for activation {activation!r}; known: {sorted(SLOPES)}.")
    a, b = SLOPES[activation]
    return max(abs(a), abs(b))


def lipschitz_upper(net: Any, t: float) -> float:
    """:math:`c_{in}^2 + c_{out}c_{in}\\,\\mathrm{slope}^D\\prod_k\\|W_k\\|_2` (spectral norms in float64)."""
    c_in, c_out = (float(v[0]) for v in net.scales(t))
    with torch.no_grad():
        norms = [
            float(torch.linalg.matrix_norm(w.detach().double().cpu(), 2)) for w in net.module.x_path_weights()
        ]
    path = math.prod(norms) * _slope(net.config.activation) ** net.config.depth
    return (c_in**2 + c_out * c_in * path) * (1 + 1e-12)  # relative slack for the SVD's round-off


def _float64(net: Any) -> Any:
    if net.dtype == torch.float64:
        return net
    twin = copy.copy(net)
    twin.module = copy.deepcopy(net.module).to(dtype=torch.float64)
    twin.dtype = torch.float64
    return twin


def _jac_norms(net: Any, t: float, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Spectral norms of the Jacobians at each row of x (differentiable in x), and the Jacobians."""
    m, var = net.coefficients(t)

    def f(xi: torch.Tensor) -> torch.Tensor:
        return net._apply(xi[None], m, var)[0]

    jac = torch.func.vmap(torch.func.jacrev(f))(x)
    return torch.linalg.matrix_norm(jac, 2), jac


def lipschitz_lower(
    net: Any, t: float, points: np.ndarray, n_starts: int = 8, ascent_steps: int = 40, step: float = 0.05
) -> tuple[float, list[float]]:
    """Largest :math:`\\|\\nabla_x s_\\theta(x,t)\\|_2` over ``points``, refined by gradient ascent (Adam)
    from the
    ``n_starts`` best points.  Returns ``(value, argmax)``; computed in float64."""
    net64 = _float64(net)
    x = torch.as_tensor(np.asarray(points, dtype=float), dtype=torch.float64)
    with torch.no_grad():
        norms, _ = _jac_norms(net64, t, x)
    best_i = int(torch.argmax(norms))
    best, arg = float(norms[best_i]), x[best_i].tolist()
    if ascent_steps <= 0:
        return best, arg
    scale = float(x.std()) if x.shape[0] > 1 else 1.0
    starts = x[torch.argsort(norms, descending=True)[:n_starts]].clone().requires_grad_(True)
    opt = torch.optim.Adam([starts], lr=step * scale)
    for _ in range(ascent_steps):
        vals, _ = _jac_norms(net64, t, starts)
        v = vals.detach()
        i = int(torch.argmax(v))
        if float(v[i]) > best:
            best, arg = float(v[i]), starts[i].detach().tolist()
        opt.zero_grad()
        (-vals.sum()).backward()
        opt.step()
    with torch.no_grad():
        vals, _ = _jac_norms(net64, t, starts)
    i = int(torch.argmax(vals))
    if float(vals[i]) > best:
        best, arg = float(vals[i]), starts[i].tolist()
    return best, arg


def exact_score_lipschitz(
    data: Any, process: Any, t: float, points: np.ndarray | None = None
) -> tuple[float, str]:
    """The true score's Lipschitz constant at t: closed form for Gaussian data,
    :math:`1/\\lambda_{\\min}(m^2\\Sigma + \\sigma^2 I)`; otherwise the max of ``score_jacobian``'s spectral
    norm
    over ``points`` (a lower estimate of the sup)."""
    pt = data.noised(process, t)
    if hasattr(pt, "eigh") and not hasattr(pt, "components"):
        lam = pt.eigh()[0]
        return float(1.0 / lam[0]), "closed form"
    if points is None:
        raise InvalidParameterError(
            "a non-Gaussian law needs points to scan the exact score's Jacobian over."
        )
    jac = np.asarray(pt.score_jacobian(points), dtype=float)
    return float(np.max(np.linalg.norm(jac, 2, axis=(1, 2)))), "sampled sup"


def lipschitz_interval(
    net: Any,
    t: float,
    *,
    data: Any = None,
    process: Any = None,
    points: np.ndarray | None = None,
    n: int = 512,
    rng: np.random.Generator | int | None = None,
    n_starts: int = 8,
    ascent_steps: int = 40,
) -> LipschitzInterval:
    """The interval [lower, upper] for :math:`\\mathrm{Lip}(s_\\theta(\\cdot,t))` and the exact score's
    constant.

    The cloud is ``points``, or ``n`` draws of :math:`X_t` from ``data`` through ``process`` (default: the
    network's process).  ``data`` (optional) also gives the exact score's constant.
    """
    if not isinstance(net, TrainedScoreNetwork):
        raise InvalidTypeError(f"net must be a TrainedScoreNetwork, got {type(net).__name__} {net!r:.60}")
    t = _time(net, t)
    for name, v, low in (("n_starts", n_starts, 1), ("ascent_steps", ascent_steps, 0)):
        if isinstance(v, bool) or not isinstance(v, int | np.integer) or not low <= v <= MAX_ASCENT:
            raise InvalidParameterError(f"{name} must be an integer in [{low}, {MAX_ASCENT}], got {v!r:.60}.")
    process = process if process is not None else net.process
    if data is not None and not (
        callable(getattr(data, "sample", None)) and callable(getattr(data, "noised", None))
    ):
        raise InvalidTypeError(
            f"data must be a data law of sgmverify.laws, got {type(data).__name__} {data!r:.60}"
        )
    if points is None:
        if data is None:
            raise InvalidParameterError("pass points=, or data= to draw the cloud from p_t.")
        from sgmverify.laws import noise_coeffs

        from ._score_error import noised_points

        noise_coeffs(process, t)  # the process and t, checked
        if not isinstance(n, int | np.integer) or isinstance(n, bool) or not 2 <= n <= MAX_POINTS:
            raise InvalidParameterError(f"n must be an integer in [2, {MAX_POINTS}], got {n!r:.60}.")
        if rng is not None and not isinstance(rng, np.random.Generator):
            if isinstance(rng, bool) or not isinstance(rng, int | np.integer) or rng < 0:
                raise InvalidTypeError(
                    f"rng must be a numpy Generator, an integer seed >= 0 or None, got {rng!r:.60}"
                )
        gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
        points = noised_points(data, process, t, n, gen)
    points = as_float_array(points, "points")
    if points.ndim != 2 or points.shape[0] < 1 or points.shape[1] != net.dim:
        raise ShapeError(f"points must have shape (n, {net.dim}) with n >= 1, got {points.shape}.")
    lower, arg = lipschitz_lower(net, t, points, n_starts=n_starts, ascent_steps=ascent_steps)
    upper = lipschitz_upper(net, t)
    exact, kind = (None, "") if data is None else exact_score_lipschitz(data, process, t, points)
    extra = {"n_points": len(points), "consistent": lower <= upper}  # False would be a bug (lower > upper)
    return LipschitzInterval(float(t), lower, upper, exact, kind, arg, extra)


def _time(net: Any, t: Any) -> float:
    """``t`` as a float in (0, t_max) of the network's process; InvalidTypeError / TimeDomainError."""
    if isinstance(t, np.ndarray) and t.ndim == 0:
        t = t[()]
    if isinstance(t, bool | np.bool_) or not isinstance(t, numbers.Real):
        raise InvalidTypeError(f"t must be a real number, got {type(t).__name__} {t!r:.60}")
    try:
        tf = float(t)
    except OverflowError:
        tf = math.inf
    if not (math.isfinite(tf) and 0 < tf < net.process.t_max):
        raise TimeDomainError(
            f"t = {t!r:.60} must lie in (0, {net.process.t_max}) (the score is singular at 0)."
        )
    return tf


def lipschitz_profile(net: Any, times: Sequence[float], **kwargs: Any) -> list[LipschitzInterval]:
    """:func:`lipschitz_interval` at each time (same keyword arguments)."""
    rng = kwargs.pop("rng", None)
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    return [lipschitz_interval(net, float(t), rng=gen, **kwargs) for t in times]
