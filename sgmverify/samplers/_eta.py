r"""The η-family of reverse processes between the probability-flow ODE (η = 0) and the reverse SDE (η = 1).

.. math:: f_\eta(x, t) = a(t)\,x - \tfrac{1+\eta^2}{2}\, g(t)^2\, s(x, t),
          \qquad \text{diffusion } \eta\, g(t),

its drift (:func:`eta_reverse_drift`) and its sampler (:func:`sample_eta`, Euler–Maruyama or stochastic
Heun), which reports breakdowns as a :class:`~sgmverify.samplers.Status` like
:func:`~sgmverify.samplers.sample`.

References
----------
.. [2] Kloeden, Platen (1992), "Numerical Solution of Stochastic Differential Equations", Springer:
   Euler–Maruyama §10.2; stochastic Heun for additive noise §15.1.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np

from sgmverify.errors import InvalidParameterError, ShapeError, UnknownNameError

from ._grids import check_grid
from ._integrate import (
    SamplerResult,
    ScoreFn,
    Status,
    broadcast_coefficient,
    checked_start,
    stochastic_noise,
)

__all__ = ["eta_reverse_drift", "sample_eta"]


def eta_reverse_drift(process: Any, x: np.ndarray, t: float, score: Any, eta: float) -> np.ndarray:
    r"""Forward-time drift of the η-family of reverse processes.

    .. math:: f_\eta(x, t) = a(t)\,x - \tfrac{1+\eta^2}{2}\, g(t)^2\, s(x, t),
              \qquad \text{diffusion } \eta\, g(t),

    so that in reverse time :math:`\tau = T - t` the sampler is
    :math:`dY = -f_\eta(Y, T-\tau)\,d\tau + \eta\, g\, dB`.  For OU (:math:`a = -1, g = \sqrt2`) this is
    :math:`dY = [Y + (1+\eta^2)\nabla\log p_{T-\tau}]d\tau + \eta\sqrt2\,dB` of the
    Elamvazhuthi–Oymak–Pasqualetti notes (docs/papers/elamvazhuthi_oymak_pasqualetti_2023.md §2.2;
    arXiv 2312.07851; background, not the paper's text), whose
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
    x, sc = checked_start(x_init, score)
    K = g.size - 1
    name = f"eta_{method}(eta={eta:g})"
    z = stochastic_noise(f"eta={eta:g} > 0", rng, noise, (K, *x.shape)) if eta > 0 else None
    diff = eta * broadcast_coefficient(process.diffusion(g), (K + 1,))
    done = K
    with np.errstate(all="ignore"):  # breakdowns are reported as a Status
        for k in range(K):
            t0, t1 = float(g[k]), float(g[k + 1])
            h = t0 - t1
            f0 = eta_reverse_drift(process, x, t0, sc(x, t0), eta)
            dw = math.sqrt(h) * z(k) if z is not None else 0.0
            pred = x - h * f0 + diff[k] * dw
            if method == "em" or not np.all(np.isfinite(pred)):  # a blown-up predictor: report it as a Status
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
