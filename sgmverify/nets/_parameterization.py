r"""What a score network outputs and what it gets as time: conversions to the score :math:`\nabla\log p_t`.

The forward process is linear, :math:`X_t = m_t X_0 + \sigma_t\varepsilon` with :math:`\varepsilon\sim N(0,I)`
(``process.mean_coeff``, ``process.var``).  Tweedie's formula,
:math:`\nabla\log p_t(x) = (m_t\,\mathbb E[X_0\mid X_t=x] - x)/\sigma_t^2
= -\mathbb E[\varepsilon\mid X_t=x]/\sigma_t`, turns each common network output into the score:

* ``"score"``: the network outputs :math:`s(x,t)`; score :math:`= s`;
* ``"eps"``: :math:`\hat\varepsilon(x,t)`; score :math:`= -\hat\varepsilon/\sigma_t`;
* ``"x0"``: :math:`\hat x_0(x,t)`; score :math:`= (m_t\hat x_0 - x)/\sigma_t^2`;
* ``"v"``: :math:`\hat v` with :math:`v = m_t\varepsilon - \sigma_t x_0`;
  score :math:`= -\hat\varepsilon/\sigma_t`,
  :math:`\hat\varepsilon = (\sigma_t x + m_t\hat v)/(m_t^2+\sigma_t^2)`;
* ``"edm"``: :math:`D(\hat x;\hat\sigma)` with :math:`\hat x = x/m_t`, :math:`\hat\sigma = \sigma_t/m_t`;
  score :math:`= (m_t D - x)/\sigma_t^2`

(Ho et al. 2020 for ε; Salimans & Ho 2022, *Progressive distillation*, §4 and App. D for v; Karras et al.
2022, *EDM*, eq. 3 and Table 1 for D.)  The v row:
:math:`[x; v] = [[m, \sigma], [-\sigma, m]]\,[x_0;\varepsilon]` has determinant :math:`m^2+\sigma^2`, so
:math:`\varepsilon = (\sigma x + m v)/(m^2+\sigma^2)` for *any* linear process; Salimans & Ho state it for
VP processes, where :math:`m^2+\sigma^2 = 1`.  ``v_convention="vp"`` (the default) therefore requires
:math:`|m_t^2+\sigma_t^2-1|\le 10^{-6}` on the process and refuses others;
``v_convention="general"`` accepts any process with the formula above.

Time inputs (what the network receives next to x): ``"t"``; ``"sigma"`` (:math:`\sigma_t`, or
:math:`\hat\sigma` for edm); ``"log_sigma_over_4"`` (EDM's :math:`c_{noise} = \tfrac14\log\sigma`, Karras et
al. 2022, Table 1; :math:`\hat\sigma` for edm); ``"index"`` (the integer step :math:`i` of a discrete schedule
whose times are ``schedule[i]``, the nearest to t); ``"concat"`` (t appended to x as one more column; the
network is called with that one argument).  All coefficients are float64 from the process (its stable
forms, e.g. :math:`\sigma^2 = -\mathrm{expm1}(\cdot)` at small t); the combination is done in float64.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from sgmverify.errors import InvalidParameterError, TimeDomainError, UnknownNameError

__all__ = ["PARAMETERIZATIONS", "TIME_INPUTS", "Parameterization", "discrete_schedule"]

PARAMETERIZATIONS = ("score", "eps", "x0", "v", "edm")
TIME_INPUTS = ("t", "sigma", "log_sigma_over_4", "index", "concat")
V_CONVENTIONS = ("vp", "general")
#: Largest |m^2 + sigma^2 - 1| for a process to count as variance preserving (v_convention="vp").
VP_ATOL = 1e-6


def discrete_schedule(
    schedule: Any = None, num_steps: int | None = None, T: float = 1.0
) -> np.ndarray | None:
    """The times of a discrete schedule: ``schedule`` (increasing, > 0), or ``T (i+1)/N`` for
    ``num_steps=N``."""
    if schedule is None and num_steps is None:
        return None
    if schedule is not None and num_steps is not None:
        raise InvalidParameterError("pass either schedule= (the times of the steps) or num_steps=, not both.")
    if schedule is None:
        if isinstance(num_steps, bool) or not isinstance(num_steps, int | np.integer) or num_steps < 1:
            raise InvalidParameterError(f"num_steps must be an integer >= 1, got {num_steps!r}.")
        if not (isinstance(T, int | float) and math.isfinite(T) and T > 0):
            raise InvalidParameterError(f"T must be a finite number > 0, got {T!r}.")
        return float(T) * np.arange(1, int(num_steps) + 1) / int(num_steps)
    try:
        s = np.asarray(schedule, dtype=float).reshape(-1)
    except (TypeError, ValueError) as exc:
        raise InvalidParameterError(f"schedule must be an array of times, got {schedule!r:.60}.") from exc
    if s.size < 1 or not np.all(np.isfinite(s)) or np.any(s <= 0) or np.any(np.diff(s) <= 0):
        raise InvalidParameterError(
            "schedule must be a non-empty, strictly increasing array of finite times > 0 (the time of each "
            "step index)."
        )
    return s


@dataclass(frozen=True)
class Parameterization:
    """How to read a network: its output ``kind`` and its ``time_input`` (see the module docstring)."""

    kind: str
    time_input: str
    schedule: tuple[float, ...] | None = None
    v_convention: str = "vp"

    def __post_init__(self) -> None:
        if self.kind not in PARAMETERIZATIONS:
            raise UnknownNameError(
                f"unknown parameterization {self.kind!r}; choose one of {list(PARAMETERIZATIONS)}."
            )
        if self.time_input not in TIME_INPUTS:
            raise UnknownNameError(
                f"unknown time_input {self.time_input!r}; choose one of {list(TIME_INPUTS)}."
            )
        if self.v_convention not in V_CONVENTIONS:
            raise UnknownNameError(
                f"unknown v_convention {self.v_convention!r}; choose one of {list(V_CONVENTIONS)}."
            )
        if self.time_input == "index" and self.schedule is None:
            raise InvalidParameterError(
                "time_input='index' needs the discrete schedule: pass schedule=[t_0, t_1, ...] or "
                "num_steps=N "
                "(times T (i+1)/N)."
            )

    def check_process(self, process: Any) -> None:
        """Refuse a v-network declared VP (``v_convention="vp"``) on a process with m² + σ² ≠ 1."""
        if self.kind != "v" or self.v_convention == "general":
            return
        t = np.geomspace(1e-4, min(float(process.t_max) * (1 - 1e-6), 1.0), 40)  # the usual training span
        gap = np.abs(np.asarray(process.mean_coeff(t)) ** 2 + np.asarray(process.var(t)) - 1.0)
        i = int(np.argmax(gap))
        if gap[i] > VP_ATOL:
            raise InvalidParameterError(
                "parameterization 'v' is declared for a variance-preserving process (m^2 + sigma^2 = 1), "
                f"but {getattr(process, 'name', process)} has m^2 + sigma^2 = {gap[i] + 1:.6g} at "
                f"t = {t[i]:.4g}. "
                "If the network was trained with v = m*eps - sigma*x0 on this process, pass "
                "v_convention='general'; otherwise declare the process it was trained on."
            )

    # ------------------------------------------------------------------------------------------ inputs
    def network_inputs(
        self, x: torch.Tensor, t: torch.Tensor, m: torch.Tensor, var: torch.Tensor, dtype: torch.dtype
    ) -> tuple[torch.Tensor, ...]:
        """The arguments of the network call: ``(x_in, time)`` or ``(cat[x_in, t],)`` for "concat".

        ``x`` (n, d) float64, ``t``, ``m``, ``var`` (n,) float64 on the network's device.
        """
        x_in = x / m[:, None] if self.kind == "edm" else x
        if self.time_input == "index":
            sched = torch.as_tensor(self.schedule, dtype=torch.float64, device=t.device)
            time = torch.argmin(torch.abs(t[:, None] - sched[None, :]), dim=1)
            return x_in.to(dtype), time
        if self.time_input in ("t", "concat"):
            time = t
        else:
            sigma = torch.sqrt(var) / m if self.kind == "edm" else torch.sqrt(var)
            time = sigma if self.time_input == "sigma" else 0.25 * torch.log(sigma)
        if self.time_input == "concat":
            return (torch.cat([x_in, time[:, None]], dim=1).to(dtype),)
        return x_in.to(dtype), time.to(dtype)

    # ------------------------------------------------------------------------------------------ output
    def to_score(
        self, out: torch.Tensor, x: torch.Tensor, m: torch.Tensor, var: torch.Tensor
    ) -> torch.Tensor:
        """The score from the network's output ``out`` (all float64; ``m``, ``var`` of shape (n,))."""
        m, var = m[:, None], var[:, None]
        if self.kind == "score":
            return out
        if self.kind == "eps":
            return -out / torch.sqrt(var)
        if self.kind in ("x0", "edm"):
            return (m * out - x) / var
        sigma = torch.sqrt(var)  # v
        eps = (sigma * x + m * out) / (m**2 + var)
        return -eps / sigma


def checked_times(t: Any, n: int, t_max: float) -> np.ndarray:
    """``t`` (a float or n floats) as an (n,) float64 array in (0, t_max); TimeDomainError otherwise."""
    tt = np.asarray(t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else t, dtype=float).reshape(-1)
    if tt.size not in (1, n):
        raise InvalidParameterError(f"t must be a float or have shape ({n},); got {tt.size} times.")
    if not np.all(np.isfinite(tt)) or np.any(tt <= 0) or np.any(tt >= t_max):
        raise TimeDomainError(
            f"the score model is defined for t in (0, {t_max}); got t in "
            f"[{np.min(tt):.4g}, {np.max(tt):.4g}] "
            "(sigma(0) = 0 makes every parameterization but 'score' singular at t = 0)."
        )
    return np.broadcast_to(tt, (n,)).copy()
