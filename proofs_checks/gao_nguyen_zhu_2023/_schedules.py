"""Published noise schedules as forward-process presets: the Gao–Nguyen–Zhu table rows and CIFAR-10 schedules.

Each preset is a :class:`~sgmverify.sde.LinearSDE` whose m(t), σ²(t) are derived by sympy like any
other; this module only fixes the drift and diffusion each publication uses, with the provenance tag of the
math reference (``docs/papers/gao_nguyen_zhu_2023.md``): [V] verified, [D] derived here, [NF] not found.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import sympy as sp

from sgmverify.errors import InvalidParameterError, UnknownNameError, require_positive
from sgmverify.sde import T_SYMBOL, LinearSDE

_t = T_SYMBOL

__all__ = [
    "CIFAR10_SCHEDULES",
    "GNZ_PROCESSES",
    "SchedulePreset",
    "cifar10_ddpmpp_original",
    "cifar10_ddpmpp_v1",
    "cifar10_ddpmpp_v2",
    "cifar10_ddpmpp_v2_deep",
    "cifar10_ddpmpp_v3",
    "cifar10_ncsnpp_original",
    "cifar10_ncsnpp_v1",
    "cifar10_ncsnpp_v2",
    "cifar10_ncsnpp_v3",
    "cifar10_ncsnpp_v3_deep",
    "get_schedule",
    "gnz_ou",
    "gnz_ve_const",
    "gnz_ve_exp",
    "gnz_ve_poly",
    "gnz_ve_sqrt",
    "gnz_vp_exp",
    "gnz_vp_linear",
    "gnz_vp_poly",
]


# ---------------------------------------------------------------------- Gao–Nguyen–Zhu forward processes
# Gao, Nguyen, Zhu, "Wasserstein convergence guarantees for a general class of score-based generative
# models", arXiv 2311.11003 (JMLR 26(43), 2025).  Their forward SDE is dx = -f(t) x dt + g(t) dB
# [V + inference: the table's VP rows have f = beta/2 > 0]; here a(t) = -f(t).  Tags: [V] verified from the
# authors' README table / code, [D] derived here, [NF] not found (see docs/papers/gao_nguyen_zhu_2023.md).

_GNZ_SOURCE = "Gao, Nguyen, Zhu, arXiv 2311.11003, complexity table (authors' README assets/theory.jpg)"
_GNZ_CODE = "HoangNguyenM/score-based-model-w-new-SDE: sde_lib.py, configs/ (CIFAR-10, T = 1)"
_A, _B, _C, _RHO, _ALPHA, _SIGMA = sp.symbols("a b c rho alpha sigma", positive=True)


class SchedulePreset(LinearSDE):
    """A :class:`LinearSDE` taken from a paper, carrying where it comes from.

    Attributes
    ----------
    key : str
        Registry name (``get_process(key, ...)``).
    tag : str
        Provenance of the schedule: ``[V]`` verified from a primary source, ``[S]`` secondary, ``[D]``
        derived here, ``[NF]`` not found.
    source : str
        Where the schedule (and its parameters) come from.
    code_params : dict
        Configuration values a concrete schedule was built from (empty for a table row).
    convention : str
        ``"exact"``: sigma^2(t) is the SDE's variance from X_0 (derived).  ``"score_sde"``: the code's
        declared marginal std (it includes sigma_min at t = 0), as for :class:`VE`.
    """

    def __init__(
        self,
        a: sp.Expr | float,
        g: sp.Expr,
        params: Mapping[str, float],
        *,
        key: str,
        name: str,
        tag: str,
        source: str,
        code_params: Mapping[str, float] | None = None,
        convention: str = "exact",
        var_override: sp.Expr | None = None,
    ) -> None:
        self.key, self.tag, self.source = key, tag, source
        self.code_params = dict(code_params or {})
        self.convention = convention
        super().__init__(a, g, params, name=name, var_override=var_override)

    def __repr__(self) -> str:
        base = super().__repr__()[:-1]
        return f"{base}; {self.tag}>"


def _nonneg(**kw: float) -> None:
    for k, v in kw.items():
        ok = isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool)
        if not (ok and math.isfinite(float(v)) and float(v) >= 0):
            raise InvalidParameterError(f"{k} must be a finite number >= 0, got {v!r}.")


#: key -> (a(t) = -f(t), g(t), label).  Parameter symbols are positive; b = 0 is allowed where noted.
_GNZ_ROWS: dict[str, tuple[sp.Expr, sp.Expr, str]] = {
    "gnz_ve_exp": (sp.Integer(0), _A * sp.exp(_B * _t), "VE g=a*exp(b*t)"),
    "gnz_ve_const": (sp.Integer(0), _A, "VE g=a"),
    "gnz_ve_sqrt": (sp.Integer(0), sp.sqrt(2 * _A * _t), "VE g=sqrt(2*a*t)"),
    "gnz_ve_poly": (sp.Integer(0), (_B + _A * _t) ** _C, "VE g=(b+a*t)**c"),
    "gnz_ou": (-_ALPHA, _SIGMA, "OU f=alpha, g=sigma"),
    "gnz_vp_linear": (-(_B + _A * _t) / 2, sp.sqrt(_B + _A * _t), "VP beta=b+a*t"),
    "gnz_vp_poly": (-((_B + _A * _t) ** _RHO) / 2, sp.sqrt((_B + _A * _t) ** _RHO), "VP beta=(b+a*t)**rho"),
    "gnz_vp_exp": (-_A * sp.exp(_B * _t) / 2, sp.sqrt(_A * sp.exp(_B * _t)), "VP beta=a*exp(b*t)"),
}


def _gnz(row: str, params: Mapping[str, float], **meta: Any) -> SchedulePreset:
    """The GNZ table row ``row`` with numeric ``params``; ``meta``: key, name, tag, source, ... overrides."""
    a_e, g_e, label = _GNZ_ROWS[row]
    meta.setdefault("key", row)
    meta.setdefault("name", f"GNZ {label}")
    meta.setdefault("tag", "[V]")
    meta.setdefault("source", _GNZ_SOURCE)
    return SchedulePreset(a_e, g_e, {k: float(v) for k, v in params.items()}, **meta)


def gnz_ve_exp(*, a: float, b: float) -> SchedulePreset:
    r"""GNZ VE row :math:`f = 0,\ g(t) = a e^{bt}` (the NCSN/SMLD geometric schedule) [V].

    Closed form derived by sympy: :math:`\sigma^2 = a^2(e^{2bt}-1)/(2b)` [D, reference C1].  a, b > 0.
    """
    require_positive(a=a, b=b)
    return _gnz("gnz_ve_exp", {"a": a, "b": b})


def gnz_ve_const(*, a: float) -> SchedulePreset:
    r"""GNZ VE row :math:`f = 0,\ g = a` (Brownian motion) [V].  :math:`\sigma^2 = a^2 t` [D, C1].  a > 0."""
    require_positive(a=a)
    return _gnz("gnz_ve_const", {"a": a})


def gnz_ve_sqrt(*, a: float) -> SchedulePreset:
    r"""GNZ VE row :math:`f = 0,\ g = \sqrt{2at}` [V].  :math:`\sigma^2 = a t^2` [D, C1].  a > 0."""
    require_positive(a=a)
    return _gnz("gnz_ve_sqrt", {"a": a})


def gnz_ve_poly(*, a: float, b: float, c: float) -> SchedulePreset:
    r"""GNZ VE row :math:`f = 0,\ g = (b+at)^c` (polynomial; new in GNZ) [V].

    :math:`\sigma^2 = ((b+at)^{2c+1} - b^{2c+1})/(a(2c+1))` [D, C1], derived by sympy with the exponent ``c``
    kept symbolic.  a > 0, b >= 0, c > 0 (the symbols are positive, so sympy needs no case split at
    2c + 1 = 0; the table's exponents need 2c + 1 > 0).  The row g = sqrt(2at) is c = 1/2, b = 0, up to the
    constant.
    """
    require_positive(a=a, c=c)
    _nonneg(b=b)
    return _gnz("gnz_ve_poly", {"a": a, "b": b, "c": c})


def gnz_ou(*, alpha: float, sigma: float) -> SchedulePreset:
    r"""GNZ row :math:`f = \alpha,\ g = \sigma` (general constant-coefficient OU; g^2 = 2f not required) [V].

    :math:`m = e^{-\alpha t}`, :math:`\sigma^2 = \sigma^2(1-e^{-2\alpha t})/(2\alpha)` [D, C1].
    alpha, sigma > 0.
    """
    require_positive(alpha=alpha, sigma=sigma)
    return _gnz("gnz_ou", {"alpha": alpha, "sigma": sigma})


def gnz_vp_linear(*, a: float, b: float) -> SchedulePreset:
    r"""GNZ VP row :math:`\beta = b + at`, :math:`f = \beta/2,\ g = \sqrt\beta` [V].

    :math:`m = e^{-B/2}`, :math:`\sigma^2 = 1 - e^{-B}`, :math:`B = bt + at^2/2` [D, C1].  a > 0, b >= 0.
    """
    require_positive(a=a)
    _nonneg(b=b)
    return _gnz("gnz_vp_linear", {"a": a, "b": b})


def gnz_vp_poly(*, a: float, b: float, rho: float) -> SchedulePreset:
    r"""GNZ VP row :math:`\beta = (b+at)^\rho` (polynomial; new in GNZ) [V].

    :math:`B = ((b+at)^{\rho+1} - b^{\rho+1})/(a(\rho+1))` [D, C1], derived by sympy with ``rho`` symbolic.
    a > 0, b >= 0, rho > 0.
    """
    require_positive(a=a, rho=rho)
    _nonneg(b=b)
    return _gnz("gnz_vp_poly", {"a": a, "b": b, "rho": rho})


def gnz_vp_exp(*, a: float, b: float) -> SchedulePreset:
    r"""GNZ VP row :math:`\beta = a e^{bt}` (exponential; new in GNZ), :math:`g = \sqrt a e^{bt/2}` [V].

    :math:`B = a(e^{bt} - 1)/b` [D, C1].  a, b > 0.
    """
    require_positive(a=a, b=b)
    return _gnz("gnz_vp_exp", {"a": a, "b": b})


#: The eight forward processes of the GNZ complexity table [V], as factories with keyword parameters.
GNZ_PROCESSES: dict[str, Callable[..., SchedulePreset]] = {
    "gnz_ve_exp": gnz_ve_exp,
    "gnz_ve_const": gnz_ve_const,
    "gnz_ve_sqrt": gnz_ve_sqrt,
    "gnz_ve_poly": gnz_ve_poly,
    "gnz_ou": gnz_ou,
    "gnz_vp_linear": gnz_vp_linear,
    "gnz_vp_poly": gnz_vp_poly,
    "gnz_vp_exp": gnz_vp_exp,
}


# ---------------------------------------------------------------------- GNZ CIFAR-10 schedules (ref. §6.1)
# Every schedule [V] from the authors' sde_lib.py / configs (defaults beta_min = 0.1, beta_max = 20,
# sigma_min = 0.01, sigma_max = 50, T = 1), written as an instance of a GNZ table row; the row parameters are
# computed here from the code's [D].  VE: g is the *true* g = sqrt(d sigma^2/dt) of the code's sigma(t) [D];
# the code's sde() uses sigma(t) sqrt(2 log(sigma_max/sigma_min)) for every VE type, which is right only for
# 'original' (reference C11).  convention="score_sde" declares the code's marginal std (sigma(0) = sigma_min).
def _vp(key: str, row: str, params: dict, code: dict, what: str) -> SchedulePreset:
    return _gnz(row, params, key=key, name=f"CIFAR-10 {what}", source=_GNZ_CODE, code_params=code)


def _ve(key: str, row: str, params: dict, code: dict, what: str, convention: str, declared) -> SchedulePreset:
    if convention not in ("exact", "score_sde"):
        raise UnknownNameError(f"unknown VE convention {convention!r}; use 'exact' or 'score_sde'.")
    override = declared if convention == "score_sde" else None
    name = f"CIFAR-10 {what}" + ("[score_sde]" if override is not None else "")
    return _gnz(
        row,
        params,
        key=key,
        name=name,
        source=_GNZ_CODE,
        code_params=code,
        convention=convention,
        var_override=override,
    )


def _vp_poly_code(key: str, rho: float, config: str) -> SchedulePreset:
    bmin, bmax = 0.1, 20.0
    b = bmin ** (1 / rho)
    a = bmax ** (1 / rho) - b
    code = {"beta_min": bmin, "beta_max": bmax, "rho": rho}
    return _vp(key, "gnz_vp_poly", {"a": a, "b": b, "rho": rho}, code, f"DDPM++ v2 ({config})")


def _ve_poly_code(key: str, rho: float, config: str, convention: str) -> SchedulePreset:
    # code: sigma(t) = (b+at)^rho, b = smin^(1/rho), a = smax^(1/rho) - b; so g = k (b+at)^(rho-1/2) with
    # k = sqrt(2 rho a), i.e. (k^(1/c) b + k^(1/c) a t)^c with c = rho - 1/2: the GNZ row (b'+a't)^c.
    smin, smax = 0.01, 50.0
    b = smin ** (1 / rho)
    a = smax ** (1 / rho) - b
    c = rho - 0.5
    scale = math.sqrt(2 * rho * a) ** (1 / c)
    code = {"sigma_min": smin, "sigma_max": smax, "rho": rho, "a": a, "b": b, "c": math.sqrt(2 * rho * a)}
    declared = (_B + _A * _t) ** (2 * _C + 1) / (_A * (2 * _C + 1))  # = (b+at)^(2 rho), the code's sigma^2
    params = {"a": scale * a, "b": scale * b, "c": c}
    return _ve(key, "gnz_ve_poly", params, code, f"NCSN++ v3 ({config})", convention, declared)


def cifar10_ddpmpp_original() -> SchedulePreset:
    """DDPM++ original: VP, beta(t) = 0.1 + 19.9 t [V] (GNZ row ``gnz_vp_linear``)."""
    return _vp(
        "ddpmpp_original",
        "gnz_vp_linear",
        {"a": 20.0 - 0.1, "b": 0.1},
        {"beta_min": 0.1, "beta_max": 20.0},
        "DDPM++ original",
    )


def cifar10_ddpmpp_v1() -> SchedulePreset:
    """DDPM++ v1: VP with constant beta = (0.1 + 10)/2 = 5.05 [V] (GNZ row ``gnz_ou``, alpha = beta/2)."""
    beta = (0.1 + 10.0) / 2
    code = {"beta_min": 0.1, "beta_max": 10.0}
    return _vp("ddpmpp_v1", "gnz_ou", {"alpha": beta / 2, "sigma": math.sqrt(beta)}, code, "DDPM++ v1")


def cifar10_ddpmpp_v2() -> SchedulePreset:
    """DDPM++ v2: VP, beta = (b+at)^2 from 0.1 to 20 [V] (config ``continuous_v2``; row ``gnz_vp_poly``)."""
    return _vp_poly_code("ddpmpp_v2", 2.0, "continuous_v2")


def cifar10_ddpmpp_v2_deep() -> SchedulePreset:
    """DDPM++ v2 deep: VP, beta = (b+at)^5 from 0.1 to 20 [V] (config ``deep_continuous_v2``)."""
    return _vp_poly_code("ddpmpp_v2_deep", 5.0, "deep_continuous_v2")


def cifar10_ddpmpp_v3() -> SchedulePreset:
    """DDPM++ v3: VP, beta(t) = 0.1 * 300^t (config beta_max = 30) [V] (GNZ row ``gnz_vp_exp``)."""
    params = {"a": 0.1, "b": math.log(300.0)}
    return _vp("ddpmpp_v3", "gnz_vp_exp", params, {"beta_min": 0.1, "beta_max": 30.0}, "DDPM++ v3")


def cifar10_ncsnpp_original(convention: str = "exact") -> SchedulePreset:
    """NCSN++ original: VE, sigma(t) = 0.01 * 5000^t, g = sigma(t) sqrt(2 ln 5000) [V] (row ``gnz_ve_exp``).

    Same process as ``VE(0.01, 50.0, convention)``.  Declared (score_sde) sigma^2 = a^2 e^{2bt}/(2b).
    """
    smin, smax = 0.01, 50.0
    lr = math.log(smax / smin)
    params = {"a": smin * math.sqrt(2 * lr), "b": lr}
    declared = _A**2 * sp.exp(2 * _B * _t) / (2 * _B)
    code = {"sigma_min": smin, "sigma_max": smax}
    return _ve("ncsnpp_original", "gnz_ve_exp", params, code, "NCSN++ original", convention, declared)


def cifar10_ncsnpp_v1(convention: str = "exact") -> SchedulePreset:
    """NCSN++ v1: VE, code sigma^2(t) = smin^2 + (smax^2 - smin^2) t [V]; g = sqrt(2499.9999) [D]."""
    smin, smax = 0.01, 50.0
    declared = sp.Float(smin**2) + _A**2 * _t
    code = {"sigma_min": smin, "sigma_max": smax}
    params = {"a": math.sqrt(smax**2 - smin**2)}
    return _ve("ncsnpp_v1", "gnz_ve_const", params, code, "NCSN++ v1", convention, declared)


def cifar10_ncsnpp_v2(convention: str = "exact") -> SchedulePreset:
    """NCSN++ v2: VE, code sigma^2(t) = smin^2 + (smax^2 - smin^2) t^2 [V]; g = sqrt(2ct), c = 2499.9999."""
    smin, smax = 0.01, 50.0
    declared = sp.Float(smin**2) + _A * _t**2
    code = {"sigma_min": smin, "sigma_max": smax}
    return _ve("ncsnpp_v2", "gnz_ve_sqrt", {"a": smax**2 - smin**2}, code, "NCSN++ v2", convention, declared)


def cifar10_ncsnpp_v3(convention: str = "exact") -> SchedulePreset:
    """NCSN++ v3: VE, code sigma(t) = (b+at)^2, b = 0.1, a = 6.9710678 [V]; g = sqrt(4a) (b+at)^{3/2} [D]."""
    return _ve_poly_code("ncsnpp_v3", 2.0, "v3", convention)


def cifar10_ncsnpp_v3_deep(convention: str = "exact") -> SchedulePreset:
    """NCSN++ v3 deep: VE, code sigma(t) = (b+at)^7 (the EDM sigma schedule) [V] (config ``deep_v3``)."""
    return _ve_poly_code("ncsnpp_v3_deep", 7.0, "deep_v3", convention)


#: The CIFAR-10 forward processes of the GNZ experiments (reference §6.1) [V]; VE ones take ``convention``.
CIFAR10_SCHEDULES: dict[str, Callable[..., SchedulePreset]] = {
    "ddpmpp_original": cifar10_ddpmpp_original,
    "ddpmpp_v1": cifar10_ddpmpp_v1,
    "ddpmpp_v2": cifar10_ddpmpp_v2,
    "ddpmpp_v2_deep": cifar10_ddpmpp_v2_deep,
    "ddpmpp_v3": cifar10_ddpmpp_v3,
    "ncsnpp_original": cifar10_ncsnpp_original,
    "ncsnpp_v1": cifar10_ncsnpp_v1,
    "ncsnpp_v2": cifar10_ncsnpp_v2,
    "ncsnpp_v3": cifar10_ncsnpp_v3,
    "ncsnpp_v3_deep": cifar10_ncsnpp_v3_deep,
}


def get_schedule(name: str, **params: Any) -> SchedulePreset:
    """Build a Gao–Nguyen–Zhu table row or a CIFAR-10 schedule by name (case-insensitive, ``-``/``_``
    ignored)."""
    registry = {k.replace("_", ""): v for k, v in {**GNZ_PROCESSES, **CIFAR10_SCHEDULES}.items()}
    key = name.lower().replace("-", "").replace("_", "")
    if key not in registry:
        known = sorted(GNZ_PROCESSES) + sorted(CIFAR10_SCHEDULES)
        raise UnknownNameError(f"unknown schedule {name!r}; known: {known}.")
    try:
        return registry[key](**params)
    except TypeError as exc:
        raise InvalidParameterError(f"bad parameters for schedule {name!r}: {exc}") from exc
