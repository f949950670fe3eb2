r"""Named linear forward SDEs: OU, VP, sub-VP, VE, the cosine schedule and the time-changed OU family.

Each preset is a :class:`~sgmverify.sde.LinearSDE` given by its :math:`a(t), g(t)`; its :math:`m(t)` and
:math:`\sigma^2(t)` are derived by sympy like any user's process.  :data:`PROCESSES` maps a name to a preset
and :func:`get_process` builds one by name.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from sgmverify.errors import InvalidParameterError, InvalidTypeError, UnknownNameError, require_positive
from sgmverify.symbolic import check_free_symbols, parse_expr

from ._linear_sde import T_SYMBOL, LinearSDE, elementwise, find_t

__all__ = ["OU", "PROCESSES", "VE", "VP", "Cosine", "SubVP", "TimeChangedOU", "get_process"]

_t = T_SYMBOL


class OU(LinearSDE):
    r"""Ornstein–Uhlenbeck :math:`dX = -X\,dt + \sqrt2\,dW`.

    :math:`m = e^{-t}`, :math:`\sigma^2 = 1-e^{-2t}`; the stationary law is N(0, I).
    """

    def __init__(self) -> None:
        super().__init__(-1, sp.sqrt(2), {}, name="OU")


class VP(LinearSDE):
    r"""Variance-preserving SDE with linear :math:`\beta(t)=\beta_{\min}+t(\beta_{\max}-\beta_{\min})`.

    :math:`a = -\beta/2`, :math:`g = \sqrt\beta`, so :math:`\sigma^2 = 1 - e^{-B(t)}`,
    :math:`B = \int_0^t\beta` (Song et al. 2021, eq. 11).  score-SDE uses ``beta_min=0.1, beta_max=20``
    on :math:`t \in [0, 1]` (:meth:`score_sde`).
    """

    def __init__(self, beta_min: float, beta_max: float) -> None:
        require_positive(beta_min=beta_min, beta_max=beta_max)
        if beta_max < beta_min:
            raise InvalidParameterError(f"beta_max ({beta_max}) must be >= beta_min ({beta_min}).")
        b0, b1 = sp.symbols("beta_min beta_max", positive=True)
        beta = b0 + _t * (b1 - b0)
        super().__init__(-beta / 2, sp.sqrt(beta), {"beta_min": beta_min, "beta_max": beta_max}, name="VP")

    @classmethod
    def score_sde(cls) -> VP:
        """The score-SDE defaults ``beta_min=0.1, beta_max=20``."""
        return cls(0.1, 20.0)


class SubVP(LinearSDE):
    r"""sub-VP SDE (Song et al. 2021, eq. 12): :math:`a=-\beta/2`, :math:`g^2=\beta(1-e^{-2B(t)})`.

    Then :math:`\sigma^2(t) = (1-e^{-B(t)})^2`.
    """

    def __init__(self, beta_min: float, beta_max: float) -> None:
        require_positive(beta_min=beta_min, beta_max=beta_max)
        if beta_max < beta_min:
            raise InvalidParameterError(f"beta_max ({beta_max}) must be >= beta_min ({beta_min}).")
        b0, b1 = sp.symbols("beta_min beta_max", positive=True)
        beta = b0 + _t * (b1 - b0)
        big_b = b0 * _t + (b1 - b0) * _t**2 / 2
        g = sp.sqrt(beta * (1 - sp.exp(-2 * big_b)))
        super().__init__(-beta / 2, g, {"beta_min": beta_min, "beta_max": beta_max}, name="SubVP")


#: Largest log(sigma_max / sigma_min) and sigma_max of a VE process: sigma^2(t) ~ sigma_max^2 and
#: (sigma_max/sigma_min)^(2t) must stay far inside float64 (exp(709.8)) at t = 1.
VE_MAX_LOG_RATIO = 300
VE_MAX_SIGMA = 1e150


class VE(LinearSDE):
    r"""Variance-exploding SDE with geometric noise, :math:`r = \sigma_{\max}/\sigma_{\min}`.

    :math:`a = 0`, :math:`g(t) = \sigma_{\min} r^t\sqrt{2\log r}` (Song et al. 2021, eq. 9).

    ``convention="exact"`` (default): the variance of :math:`X_t` given :math:`X_0`, derived from the SDE,
    :math:`\sigma^2(t) = \sigma_{\min}^2(r^{2t}-1)`.
    ``convention="score_sde"``: the *declared* :math:`\sigma(t) = \sigma_{\min} r^t` used by the original
    score-SDE code (it treats :math:`X_0` as already carrying noise :math:`\sigma_{\min}`), which is not the
    SDE's variance from :math:`X_0`; the difference is :math:`\sigma_{\min}^2` for every t.
    """

    def __init__(self, sigma_min: float, sigma_max: float, convention: str = "exact") -> None:
        require_positive(sigma_min=sigma_min, sigma_max=sigma_max)
        if sigma_max <= sigma_min:
            raise InvalidParameterError(f"sigma_max ({sigma_max}) must be > sigma_min ({sigma_min}).")
        log_r = math.log(sigma_max) - math.log(sigma_min)
        if not (log_r <= VE_MAX_LOG_RATIO and float(sigma_max) <= VE_MAX_SIGMA):
            raise InvalidParameterError(
                f"VE({sigma_min!r}, {sigma_max!r}): the ratio sigma_max/sigma_min = exp({log_r:.6g}) or "
                f"sigma_max exceeds what float64 can square (g(t)^2 and sigma^2(t) ~ sigma_max^2 would "
                f"overflow); pass sigma_max/sigma_min <= exp({VE_MAX_LOG_RATIO}) and sigma_max <= "
                f"{VE_MAX_SIGMA:g}."
            )
        if not isinstance(convention, str) or convention not in ("exact", "score_sde"):
            raise UnknownNameError(f"unknown VE convention {convention!r}; use 'exact' or 'score_sde'.")
        s0, s1 = sp.symbols("sigma_min sigma_max", positive=True)
        g = s0 * (s1 / s0) ** _t * sp.sqrt(2 * sp.log(s1 / s0))
        override = s0**2 * (s1 / s0) ** (2 * _t) if convention == "score_sde" else None
        self.convention = convention
        super().__init__(
            0,
            g,
            {"sigma_min": sigma_min, "sigma_max": sigma_max},
            name="VE" if convention == "exact" else "VE[score_sde]",
            var_override=override,
        )

    @classmethod
    def score_sde(cls, convention: str = "exact") -> VE:
        """The score-SDE CIFAR-10 defaults ``sigma_min=0.01, sigma_max=50``."""
        return cls(0.01, 50.0, convention=convention)


#: Largest cosine offset s: m(t) and sigma^2(t) are then still accurate to about 1e-9 in float64
#: (measured against 50-digit mpmath; 7e-8 at s = 1e6, 2e-5 at s = 1e8, undefined from s ~ 4e16).
COSINE_MAX_S = 1e3


class Cosine(LinearSDE):
    r"""Continuous-time cosine schedule (Nichol & Dhariwal 2021, eq. 17) as a VP SDE on :math:`[0, 1)`.

    :math:`m(t)^2 = \bar\alpha(t) = \cos^2\phi(t)/\cos^2\phi(0)`, :math:`\phi(t) = \frac{t+s}{1+s}\frac\pi2`;
    hence :math:`\beta(t) = -2\,\tfrac{d}{dt}\log m = \frac{\pi}{1+s}\tan\phi(t)`, :math:`a=-\beta/2`,
    :math:`g=\sqrt\beta`, :math:`\sigma^2 = 1-\bar\alpha(t)`.
    :math:`\beta` blows up at t = 1, so ``t_max = 1``.  The offset must satisfy
    :math:`0 < s \le` ``COSINE_MAX_S`` = 1e3 (larger offsets push :math:`\phi(0)` so close to
    :math:`\pi/2` that float64 loses :math:`\cos\phi(0)`).
    """

    def __init__(self, s: float = 0.008) -> None:
        require_positive(s=s)
        if float(s) > COSINE_MAX_S:
            raise InvalidParameterError(
                f"the cosine offset s = {s!r} is too large: phi(0) = s/(1+s) * pi/2 is within "
                f"{math.pi / (2 * (1 + float(s))):.3g} of pi/2, so m(t)^2 = cos^2 phi(t)/cos^2 phi(0) "
                "divides by a cosine that float64 cannot resolve (it is 0 from s ~ 4e16 on, and m(t) loses "
                f"digits beyond s ~ 1e3).  Pass 0 < s <= {COSINE_MAX_S:g} (Nichol & Dhariwal use s = 0.008)."
            )
        s_sym = sp.Symbol("s", positive=True)
        beta = sp.pi / (1 + s_sym) * sp.tan((_t + s_sym) / (1 + s_sym) * sp.pi / 2)
        super().__init__(-beta / 2, sp.sqrt(beta), {"s": s}, t_max=1.0, name="Cosine")


class TimeChangedOU(LinearSDE):
    r"""Time-changed OU family :math:`dX = -\lambda\gamma_t X\,dt + \sqrt{2\gamma_t}\,\sigma\,dB`.

    A drift rate :math:`\lambda \ge 0`, a diffusion coefficient :math:`\sigma > 0` and a deterministic
    schedule :math:`\gamma_t \ge 0` (a sympy expression in ``t``): :math:`a = -\lambda\gamma_t`,
    :math:`g = \sigma\sqrt{2\gamma_t}`.  With :math:`\Gamma_t = \int_0^t \gamma_s\,ds` the derived marginals
    are

    .. math::

        m_t = e^{-\lambda\Gamma_t},\qquad v_t = \frac{\sigma^2}{\lambda}\big(1 - e^{-2\lambda\Gamma_t}\big)
        \quad(\lambda > 0),\qquad m_t = 1,\ v_t = 2\sigma^2\Gamma_t \quad(\lambda = 0,\ \text{VE}),

    so :math:`t` enters only through :math:`\Gamma_t` (a time change of the OU process
    :math:`\lambda = \gamma = \sigma = 1`), and the equivalent VE noise level is
    :math:`\tau_t = v_t/m_t^2 = (\sigma^2/\lambda)(e^{2\lambda\Gamma_t} - 1)`.  OU is ``(1, "1", 1)``;
    Song's VP with rate :math:`\beta(t)` is ``(1, beta(t)/2, 1)``.  Like every preset, :math:`m, v` are
    derived by sympy from :math:`a, g`; the closed forms above are what the tests compare against.

    Parameters
    ----------
    lam : float
        Drift coefficient :math:`\lambda \ge 0` (0 gives a variance-exploding process).
    gamma : sympy expression or str
        The schedule :math:`\gamma_t` in the symbol ``t`` and the names of ``gamma_params``; it must be
        finite and :math:`\ge 0` on the time domain (checked at probe times).
    sigma : float
        Diffusion coefficient :math:`\sigma > 0`.
    gamma_params : mapping of str to float, optional
        Numeric values of the schedule's parameters (names other than ``t``, ``lam``, ``sigma``).
    t_max : float, default inf
        Exclusive end of the time domain.
    """

    def __init__(
        self,
        lam: float,
        gamma: sp.Expr | str | float,
        sigma: float,
        gamma_params: Mapping[str, float] | None = None,
        *,
        t_max: float = math.inf,
    ) -> None:
        ok = isinstance(lam, int | float | np.integer | np.floating) and not isinstance(lam, bool)
        if not (ok and abs(lam) < 2**1000 and math.isfinite(float(lam)) and float(lam) >= 0):
            raise InvalidParameterError(f"lam must be a finite number >= 0, got {lam!r}.")
        require_positive(sigma=sigma)
        if float(sigma) > VE_MAX_SIGMA:  # sigma^2 beyond float64: the variance cannot be represented
            raise InvalidParameterError(
                f"sigma = {sigma!r} is too large: sigma^2 overflows float64; use sigma <= {VE_MAX_SIGMA:g}."
            )
        if gamma_params is not None and not isinstance(gamma_params, Mapping):
            raise InvalidTypeError(
                f"gamma_params must be a mapping of name -> number, got {type(gamma_params).__name__}."
            )
        if isinstance(t_max, bool) or not isinstance(t_max, numbers.Real) or not t_max > 0:
            raise InvalidParameterError(f"t_max must be a real number > 0, got {t_max!r}.")
        if isinstance(t_max, numbers.Integral) and t_max > 2**1000:  # beyond float64: use math.inf
            raise InvalidParameterError(f"t_max = {t_max} is too large for float64; pass math.inf.")
        gamma_params = dict(gamma_params or {})
        for k, v in gamma_params.items():
            ok = isinstance(v, numbers.Real) and not isinstance(v, bool | np.bool_)
            if not (isinstance(k, str) and ok and math.isfinite(float(v))):
                raise InvalidParameterError(f"gamma parameter {k!r} = {v!r} must be a finite number.")
        for reserved in ("t", "lam", "sigma"):
            if reserved in gamma_params:
                raise InvalidParameterError(
                    f"gamma_params may not name {reserved!r} (the time or a family parameter); rename it."
                )
        local = {k: sp.Symbol(k, positive=True) for k in gamma_params}
        local["t"] = _t
        g_e = parse_expr(gamma, local)
        user_t = find_t(g_e)
        if user_t is not None:
            g_e = g_e.subs(user_t, _t)
        check_free_symbols(g_e, [_t, *local.values()], "the schedule gamma(t) =")
        lam_s, sig_s = sp.Symbol("lam", positive=True), sp.Symbol("sigma", positive=True)
        params = {**gamma_params, "sigma": float(sigma)}
        if float(lam) > 0:
            params["lam"] = float(lam)
            a = -lam_s * g_e
        else:
            a = sp.Integer(0)
        self.lam, self.sigma_coeff, self.gamma_expr = float(lam), float(sigma), g_e
        self._check_gamma(g_e, gamma_params, t_max)
        super().__init__(a, sig_s * sp.sqrt(2 * g_e), params, t_max=t_max, name="TimeChangedOU")
        s = sp.Dummy("s", positive=True)
        self.Gamma_expr = -self.log_m_expr / lam_s if float(lam) > 0 else None
        if self.Gamma_expr is None:
            self.Gamma_expr = sp.integrate(g_e.subs(_t, s), (s, 0, _t))

    @staticmethod
    def _check_gamma(g_e: sp.Expr, values: Mapping[str, float], t_max: float) -> None:
        f = sp.lambdify(_t, g_e.subs({sp.Symbol(k, positive=True): v for k, v in values.items()}), "mpmath")
        top = min(0.95 * t_max, 1.0)
        for tt in (1e-6, 1e-3, 0.1 * top, 0.5 * top, top):
            try:
                val = complex(f(mpmath.mpf(tt)))
            except (ZeroDivisionError, ValueError, TypeError, OverflowError):
                val = complex(math.nan)
            if not (
                math.isfinite(val.real) and abs(val.imag) <= 1e-12 * (1 + abs(val.real)) and val.real >= 0
            ):
                raise InvalidParameterError(
                    f"the schedule gamma(t) = {g_e} is {val} at t = {tt}; it must be finite and >= 0 on the "
                    "time domain (pass another schedule or a smaller t_max)."
                )

    def integrated_rate(self, t: Any) -> Any:
        r""":math:`\Gamma_t = \int_0^t \gamma_s\,ds`: :math:`-\log m_t/\lambda`, or :math:`v_t/(2\sigma^2)` if
        :math:`\lambda = 0`."""
        if self.lam > 0:
            return -self.log_mean_coeff(t) / self.lam
        return self.var(t) / (2 * self.sigma_coeff**2)

    def ve_variance(self, t: Any) -> Any:
        r"""The equivalent VE noise level :math:`\tau_t = v_t/m_t^2`
        (docs/papers/stephanovitch_2025.md §1.4)."""
        return self.var(t) * elementwise(-2 * self.log_mean_coeff(t), "exp")


PROCESSES: dict[str, type[LinearSDE]] = {
    "ou": OU,
    "vp": VP,
    "subvp": SubVP,
    "ve": VE,
    "cosine": Cosine,
    "timechangedou": TimeChangedOU,
}


def get_process(name: str, **params: Any) -> LinearSDE:
    """Build a preset by name (``ou``, ``vp``, ``subvp``, ``ve``, ``cosine``, ``timechangedou``).

    Names are case-insensitive and ignore ``-``/``_``.  Published schedules are not presets of the engine:
    a paper's package defines them from :class:`LinearSDE` (e.g. ``proofs_checks.gao_nguyen_zhu_2023``).
    """
    if not isinstance(name, str):
        raise InvalidTypeError(f"the process name must be a string such as 'vp', got {type(name).__name__}.")
    key = name.lower().replace("-", "").replace("_", "")
    if key not in PROCESSES:
        raise UnknownNameError(f"unknown process {name!r}; known presets: {sorted(PROCESSES)}.")
    try:
        return PROCESSES[key](**params)
    except TypeError as exc:
        raise InvalidParameterError(f"bad parameters for process {name!r}: {exc}") from exc
