r"""Linear forward SDEs :math:`dX_t = a(t) X_t\,dt + g(t)\,dW_t` and their named presets.

For a linear SDE started at :math:`X_0`,

.. math::

    X_t \mid X_0 \sim \mathcal N\big(m(t) X_0,\ \sigma^2(t) I\big),\qquad
    m(t) = \exp\Big(\int_0^t a(s)\,ds\Big),\qquad
    \sigma^2(t) = m(t)^2 \int_0^t \frac{g(s)^2}{m(s)^2}\,ds

(Särkkä & Solin 2019, *Applied SDEs*, eq. 6.3; Song et al. 2021, *Score-based generative modeling through
SDEs*, App. B).  Both are derived here with sympy from the user's :math:`a(t), g(t)`; when sympy cannot
integrate, the numeric forms fall back to quadrature and the object's ``repr`` says so.

The reverse process (Anderson 1982; Song et al. 2021, eqs. 6 and 13) has forward-time drift
:math:`a(t)x - g(t)^2 \nabla\log p_t(x)` (SDE) or :math:`a(t)x - \tfrac12 g(t)^2\nabla\log p_t(x)`
(probability-flow ODE), integrated backwards from ``T``.
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
import pickle
import signal
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from .errors import DerivationError, InvalidParameterError, ShapeError, TimeDomainError, UnknownNameError
from .symbolic import (
    check_free_symbols,
    is_mpmath,
    is_torch,
    lambdify_mpmath,
    lambdify_numpy,
    lambdify_torch,
    parse_expr,
    pow_to_exp,
    stable_form,
)

__all__ = [
    "CIFAR10_SCHEDULES",
    "GNZ_PROCESSES",
    "OU",
    "PROCESSES",
    "VE",
    "VP",
    "Cosine",
    "LinearSDE",
    "SchedulePreset",
    "SubVP",
    "get_process",
    "gnz_ou",
    "gnz_ve_const",
    "gnz_ve_exp",
    "gnz_ve_poly",
    "gnz_ve_sqrt",
    "gnz_vp_exp",
    "gnz_vp_linear",
    "gnz_vp_poly",
]

#: The time symbol used by every process (positive so that sympy's integrals simplify).
T_SYMBOL = sp.Symbol("t", positive=True)

_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(48)


#: Seconds sympy's general integrator may spend before the derivation falls back to quadrature.
SYMPY_TIME_LIMIT = 10.0

#: Largest relative float64 error (measured against 50-digit mpmath at probe times) accepted for a closed
#: form of sigma^2; beyond it the numeric path integrates the positive integrand instead.
STABLE_RTOL = 1e-10


def _time_limited(fn: Callable[[], Any], seconds: float) -> Any:
    """Run ``fn()``; raise TimeoutError after ``seconds`` (enforced only in the main thread, via SIGALRM)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        return fn()

    def _raise(signum, frame):
        raise TimeoutError

    old = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return fn()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _antiderivative(expr: sp.Expr, s: sp.Symbol) -> sp.Expr | None:
    """An antiderivative of ``expr`` in ``s``, or None when sympy finds none in time.

    ``manualintegrate`` first (fast, and gives ``log(cos)`` rather than ``log|cos|``), on the expression
    and on its expansion, then sympy's general ``integrate`` under :data:`SYMPY_TIME_LIMIT`.
    """
    from sympy.integrals.manualintegrate import manualintegrate

    def no_tan(e: sp.Expr) -> sp.Expr:
        return e.replace(sp.tan, lambda x: sp.sin(x) / sp.cos(x))

    for attempt in (
        lambda: manualintegrate(expr, s),
        lambda: manualintegrate(sp.expand(expr), s),
        lambda: manualintegrate(no_tan(expr), s),
        lambda: _time_limited(lambda: sp.integrate(expr, s, conds="none"), SYMPY_TIME_LIMIT),
    ):
        try:
            F = attempt()
        except TimeoutError:
            _TIMEOUTS[0] += 1  # a load-dependent failure: the derivation must not be cached on disk
            continue
        except Exception:  # noqa: BLE001  (sympy raises many types; a failure means "not found")
            continue
        if not F.has(sp.Integral):
            return F
    return None


#: Count of sympy integrations cut off by the time limit (so that such results are not cached on disk).
_TIMEOUTS = [0]


def _definite(expr: sp.Expr, s: sp.Symbol, t: sp.Symbol) -> sp.Expr | None:
    F = _antiderivative(expr, s)
    if F is None:
        return None
    lower = F.subs(s, 0)
    if lower.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        lower = sp.limit(F, s, 0, "+")
    return F.subs(s, t) - lower


def _cache_dir() -> Path:
    return Path(os.environ.get("SGMVERIFY_CACHE_DIR", Path.home() / ".cache" / "sgmverify")) / "derivations"


@functools.lru_cache(maxsize=256)
def _derive(a: sp.Expr, g: sp.Expr, t: sp.Symbol) -> tuple[sp.Expr, sp.Expr | None]:
    """:func:`_derive_uncached` behind an in-memory and an on-disk cache (keyed by the exact expressions)."""
    key = hashlib.sha256(f"{sp.__version__}|{sp.srepr(a)}|{sp.srepr(g)}|{sp.srepr(t)}".encode()).hexdigest()
    path = _cache_dir() / f"{key}.pkl"
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)
    except Exception:  # noqa: BLE001  (missing or unreadable cache entry: derive again)
        pass
    timeouts_before = _TIMEOUTS[0]
    result = _derive_uncached(a, g, t)
    if _TIMEOUTS[0] != timeouts_before:
        return result  # cut off by the time limit: may succeed on a less loaded machine, so don't persist
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            pickle.dump(result, fh)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only home only costs the derivation time next run
    return result


def _derive_uncached(a: sp.Expr, g: sp.Expr, t: sp.Symbol) -> tuple[sp.Expr, sp.Expr | None]:
    """Derive ``(log m(t), sigma^2(t))`` symbolically; ``sigma^2`` is None when sympy cannot integrate.

    .. math::
        \\log m(t) = \\int_0^t a,\\qquad
        \\sigma^2(t) = e^{2\\log m(t)}\\int_0^t g(s)^2 e^{-2\\log m(s)} ds
    """
    s = sp.Dummy("s", positive=True)
    log_m = _definite(pow_to_exp(a.subs(t, s), s), s, t)
    if log_m is None:
        raise DerivationError(
            f"sympy could not integrate the drift coefficient a(t) = {a}; pass an a(t) with an elementary "
            "antiderivative (the mean coefficient m(t) = exp(int a) is needed in closed form)."
        )
    log_m = sp.simplify(log_m)
    integrand = sp.simplify(pow_to_exp(g.subs(t, s) ** 2 * sp.exp(-2 * log_m.subs(t, s)), s))
    inner = _definite(integrand, s, t)
    if inner is None:
        return log_m, None
    var = sp.simplify(sp.exp(2 * log_m) * inner)
    return log_m, var


class LinearSDE:
    r"""Forward SDE :math:`dX = a(t)X\,dt + g(t)\,dW` on :math:`[0, t_{\max})`.

    Parameters
    ----------
    a, g : sympy expression or str
        Drift coefficient :math:`a(t)` and diffusion :math:`g(t)` as functions of the symbol ``t`` and the
        parameters named in ``params``.
    params : mapping of str to float, optional
        Numeric values of the parameter symbols.  Every free symbol other than ``t`` must be named here.
    t_max : float, default inf
        Exclusive end of the time domain (e.g. 1 for the cosine schedule, whose drift blows up at t = 1).
    name : str, optional
        Human-readable name used in reports.
    var_override : sympy expression, optional
        A *declared* marginal variance replacing the derived one (for published conventions that differ
        from the SDE's exact variance from :math:`X_0`, e.g. score-SDE's VE).  The repr says so.
    t : sympy Symbol, optional
        The time symbol used in ``a`` and ``g`` (default: the symbol named ``t``).
    """

    def __init__(
        self,
        a: sp.Expr | str | float,
        g: sp.Expr | str | float,
        params: Mapping[str, float] | None = None,
        *,
        t_max: float = math.inf,
        name: str | None = None,
        var_override: sp.Expr | None = None,
        t: sp.Symbol | None = None,
    ) -> None:
        params = dict(params or {})
        local = {k: sp.Symbol(k, positive=True) for k in params}
        local["t"] = T_SYMBOL
        a_e, g_e = parse_expr(a, local), parse_expr(g, local)
        user_t = t if t is not None else _find_t(a_e, g_e)
        if user_t is not None:
            a_e, g_e = a_e.subs(user_t, T_SYMBOL), g_e.subs(user_t, T_SYMBOL)
        allowed = [T_SYMBOL, *local.values()]
        check_free_symbols(a_e, allowed, "the drift coefficient a(t) =")
        check_free_symbols(g_e, allowed, "the diffusion g(t) =")
        for k, v in params.items():
            if not (isinstance(v, int | float | np.floating | np.integer) and math.isfinite(float(v))):
                raise InvalidParameterError(f"parameter {k} = {v!r} must be a finite number.")
        if not (t_max > 0):
            raise InvalidParameterError(f"t_max must be > 0, got {t_max}.")
        self.t = T_SYMBOL
        self.a_expr, self.g_expr = a_e, g_e
        self.params = {k: float(v) for k, v in params.items()}
        self.t_max = float(t_max)
        self.name = name or f"LinearSDE(a={a_e}, g={g_e})"
        self._subs = {sym: sp.Float(self.params[str(sym)]) for sym in _param_symbols(a_e, g_e)}
        log_m, var = _derive(a_e, g_e, T_SYMBOL)
        self.log_m_expr = log_m
        self.m_expr = sp.exp(log_m)
        self.declared_var = var_override is not None
        if var_override is not None:
            var = var_override
        self.var_expr = var
        self.var_by_quadrature = var is None
        self._fns: dict[tuple[str, str], Callable] = {}

    # ------------------------------------------------------------------ numeric forms
    def _numeric(self, what: str, backend: str) -> Callable:
        key = (what, backend)
        if key not in self._fns:
            self._fns[key] = self._build(what, backend)
        return self._fns[key]

    def _probes(self) -> list[float]:
        top = min(self.t_max * 0.95, 1.0)
        return [1e-9, 1e-7, 1e-5, 1e-3, 1e-2, 0.1 * top, 0.3 * top, 0.6 * top, top]

    def _expr(self, what: str, digits: int | None = None) -> sp.Expr:
        """The expression with parameter values substituted (``digits``: precision of the substituted floats,
        default double; the mpmath path uses 60 so that constants are folded beyond double precision)."""
        exprs = {"a": self.a_expr, "g": self.g_expr, "log_m": self.log_m_expr, "var": self.var_expr}
        subs = self._subs if digits is None else {k: sp.Float(v, digits) for k, v in self._subs.items()}
        return exprs[what].subs(subs)

    def _build(self, what: str, backend: str) -> Callable:
        if what == "var" and self.var_by_quadrature:
            return self._var_quadrature(backend)
        if backend == "numpy":
            stable, err = self._stable(what)
            if err > STABLE_RTOL and what == "var":
                self.var_by_quadrature = True  # the closed form is not accurate in float64: say so
                return self._var_quadrature("numpy")
            return lambdify_numpy(self.t, stable)
        if backend == "mpmath":
            return lambdify_mpmath(self.t, self._expr(what, digits=60))
        if backend == "torch":
            stable, err = self._stable(what)
            if err > STABLE_RTOL and what == "var":
                return self._var_quadrature("torch")
            return lambdify_torch(self.t, stable)
        raise UnknownNameError(f"unknown backend {backend!r}; use 'numpy', 'mpmath' or 'torch'.")

    def _stable(self, what: str) -> tuple[sp.Expr, float]:
        key = (what, "stable")
        if key not in self._fns:
            self._fns[key] = stable_form(self._expr(what), self.t, self._probes())
        return self._fns[key]

    def _var_quadrature(self, backend: str) -> Callable:
        """sigma^2(t) = int_0^t g(s)^2 exp(2 (log m(t) - log m(s))) ds by quadrature."""
        if backend == "mpmath":
            g = lambdify_mpmath(self.t, self._expr("g", digits=60))
            lm = lambdify_mpmath(self.t, self._expr("log_m", digits=60))
            return lambda t: mpmath.quad(lambda s: g(s) ** 2 * mpmath.exp(2 * (lm(t) - lm(s))), [0, t])
        from scipy.integrate import quad

        g = lambdify_numpy(self.t, self._expr("g"))
        lm = self._numeric("log_m", "numpy")

        def one(tt: float) -> float:
            if tt == 0:
                return 0.0
            val, _ = quad(
                lambda s: float(g(s)) ** 2 * math.exp(2 * (lm(tt) - lm(s))),
                0.0,
                tt,
                epsabs=0,
                epsrel=1e-13,
                limit=200,
            )
            return val

        f_np = np.vectorize(one, otypes=[float])
        if backend == "torch":
            import torch

            return lambda t: torch.as_tensor(f_np(t.detach().cpu().numpy()), dtype=t.dtype)
        return f_np

    def _eval(self, what: str, t: Any) -> Any:
        if is_torch(t):
            self._check_t(t.detach().cpu().numpy())
            return self._numeric(what, "torch")(t)
        if is_mpmath(t):
            self._check_t(float(t))
            return self._numeric(what, "mpmath")(t)
        t_arr = np.asarray(t, dtype=float)
        self._check_t(t_arr)
        out = self._numeric(what, "numpy")(t_arr)
        return float(out) if np.ndim(t) == 0 else out

    def _check_t(self, t: np.ndarray) -> None:
        t = np.asarray(t, dtype=float)
        if np.any(np.isnan(t)):
            raise InvalidParameterError("time t contains NaN; pass finite times in [0, t_max).")
        if np.any(t < 0) or np.any(t >= self.t_max):
            bad = t[(t < 0) | (t >= self.t_max)].ravel()[0]
            raise TimeDomainError(
                f"t = {bad} lies outside the domain [0, {self.t_max}) of {self.name}; "
                "pass times with 0 <= t < t_max."
            )

    # ------------------------------------------------------------------ public API (contract)
    def log_mean_coeff(self, t: Any) -> Any:
        r""":math:`\log m(t) = \int_0^t a(s)\,ds`."""
        return self._eval("log_m", t)

    def mean_coeff(self, t: Any) -> Any:
        r""":math:`m(t) = \exp\int_0^t a(s)\,ds`."""
        lm = self.log_mean_coeff(t)
        if is_torch(lm):
            return lm.exp()
        if is_mpmath(lm):
            return mpmath.exp(lm)
        return np.exp(lm)

    def var(self, t: Any) -> Any:
        r""":math:`\sigma^2(t) = m(t)^2\int_0^t g(s)^2/m(s)^2\,ds` (or the declared variance)."""
        return self._eval("var", t)

    def std(self, t: Any) -> Any:
        r""":math:`\sigma(t)`."""
        v = self.var(t)
        if is_torch(v):
            return v.sqrt()
        if is_mpmath(v):
            return mpmath.sqrt(v)
        return np.sqrt(v)

    def drift_coeff(self, t: Any) -> Any:
        """The scalar drift coefficient :math:`a(t)`."""
        return self._eval("a", t)

    def diffusion(self, t: Any) -> Any:
        """The diffusion coefficient :math:`g(t)`."""
        return self._eval("g", t)

    def drift(self, x: Any, t: Any) -> Any:
        """Forward drift :math:`a(t)\\,x` for ``x`` of shape (d,) or (n, d) and scalar or (n,) ``t``."""
        return _col(self.drift_coeff(t), x) * x

    def marginal_prob(self, x0: Any, t: Any) -> tuple[Any, Any]:
        r"""Mean :math:`m(t) x_0` and std :math:`\sigma(t)` of :math:`X_t \mid X_0 = x_0`."""
        return _col(self.mean_coeff(t), x0) * x0, self.std(t)

    def prior(self, T: float, dim: int = 1):
        r"""Reference Gaussian a sampler starts from: :math:`\mathcal N(0, \sigma^2(T) I_d)`.

        This is the law of :math:`X_T` started at :math:`X_0 = 0`; it differs from the true :math:`p_T` by the
        forgotten data term :math:`m(T) X_0`, which is the initialisation error the theory bounds.
        """
        from .distributions import Gaussian

        if int(dim) != dim or dim < 1:
            raise ShapeError(f"dim must be a positive integer, got {dim!r}.")
        return Gaussian(np.zeros(int(dim)), self.var(float(T)) * np.eye(int(dim)))

    def reverse_drift(self, x: Any, t: Any, score: Any, ode: bool = False) -> Any:
        r"""Forward-time drift of the reverse process.

        .. math:: a(t)x - c\,g(t)^2 s(x, t),\qquad c = 1 \text{ (SDE)},\ c = 1/2 \text{ (ODE)}

        ``score`` is a callable ``score(x, t)`` or an array shaped like ``x``.  A sampler moving from
        :math:`t` to :math:`t - h` steps :math:`x \leftarrow x - h\,\mathrm{reverse\_drift}` (plus
        :math:`g(t)\sqrt h\,z` for the SDE).
        """
        s = score(x, t) if callable(score) else score
        if np.shape(s) != np.shape(x):
            raise ShapeError(f"score has shape {np.shape(s)} but x has shape {np.shape(x)}; they must match.")
        c = 0.5 if ode else 1.0
        g = self.diffusion(t)
        return self.drift(x, t) - c * _col(g * g, x) * s

    def transition(self, t_from: Any, t_to: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        r"""Exponential-integrator coefficients of a backward step ``t_from -> t_to`` (score frozen).

        .. math::
            r = \frac{m(t_{to})}{m(t_{from})},\quad
            c_s = \int_{t_{to}}^{t_{from}} \frac{m(t_{to})}{m(u)} g(u)^2\,du,\quad
            v = \int_{t_{to}}^{t_{from}} \frac{m(t_{to})^2}{m(u)^2} g(u)^2\,du

        so that the SDE step is :math:`x' = r x + c_s s(x, t_{from}) + \sqrt v\,z` and the ODE step
        :math:`x' = r x + \tfrac12 c_s s(x, t_{from})`.  Integrals by 48-point Gauss–Legendre per step.
        """
        t1 = np.asarray(t_from, dtype=float)
        t0 = np.asarray(t_to, dtype=float)
        if np.any(t0 > t1):
            raise TimeDomainError("transition needs t_to <= t_from (a backward step).")
        self._check_t(t1)
        self._check_t(t0)
        lm0 = self._numeric("log_m", "numpy")(t0)
        half = 0.5 * (t1 - t0)
        u = (0.5 * (t1 + t0))[..., None] + half[..., None] * _GL_NODES
        g2 = self._numeric("g", "numpy")(u) ** 2
        e = lm0[..., None] - self._numeric("log_m", "numpy")(u)
        score_coeff = half * np.sum(_GL_WEIGHTS * g2 * np.exp(e), axis=-1)
        noise_var = half * np.sum(_GL_WEIGHTS * g2 * np.exp(2 * e), axis=-1)
        ratio = np.exp(lm0 - self._numeric("log_m", "numpy")(t1))
        return ratio, score_coeff, noise_var

    def __repr__(self) -> str:
        p = ", ".join(f"{k}={v:g}" for k, v in self.params.items())
        if self.var_expr is None:
            how = "sigma^2 by quadrature (sympy could not integrate)"
        elif self.var_by_quadrature:
            how = "closed form (sympy); float64 sigma^2 by quadrature (the closed form cancels at small t)"
        else:
            how = "closed form"
        if self.declared_var:
            how = "declared marginal variance (not the SDE's variance from X_0)"
        return f"<{self.name}({p}): a(t)={self.a_expr}, g(t)={self.g_expr}; {how}>"


def _find_t(*exprs: sp.Expr) -> sp.Symbol | None:
    for e in exprs:
        for s in e.free_symbols:
            if s.name == "t" and s != T_SYMBOL:
                return s
    return None


def _param_symbols(*exprs: sp.Expr) -> set[sp.Symbol]:
    return {s for e in exprs for s in e.free_symbols if s != T_SYMBOL}


def _col(c: Any, x: Any) -> Any:
    """Reshape a per-sample coefficient (n,) to (n, 1) so it broadcasts against x of shape (n, d)."""
    if np.ndim(c) == 1 and np.ndim(x) == 2:
        return c[:, None]
    return c


# ---------------------------------------------------------------------- presets
def _pos(**kw: float) -> None:
    for k, v in kw.items():
        ok = isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool)
        if not (ok and math.isfinite(float(v)) and float(v) > 0):
            raise InvalidParameterError(f"{k} must be a finite number > 0, got {v!r}.")


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
        _pos(beta_min=beta_min, beta_max=beta_max)
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
        _pos(beta_min=beta_min, beta_max=beta_max)
        if beta_max < beta_min:
            raise InvalidParameterError(f"beta_max ({beta_max}) must be >= beta_min ({beta_min}).")
        b0, b1 = sp.symbols("beta_min beta_max", positive=True)
        beta = b0 + _t * (b1 - b0)
        big_b = b0 * _t + (b1 - b0) * _t**2 / 2
        g = sp.sqrt(beta * (1 - sp.exp(-2 * big_b)))
        super().__init__(-beta / 2, g, {"beta_min": beta_min, "beta_max": beta_max}, name="SubVP")


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
        _pos(sigma_min=sigma_min, sigma_max=sigma_max)
        if sigma_max <= sigma_min:
            raise InvalidParameterError(f"sigma_max ({sigma_max}) must be > sigma_min ({sigma_min}).")
        if convention not in ("exact", "score_sde"):
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


class Cosine(LinearSDE):
    r"""Continuous-time cosine schedule (Nichol & Dhariwal 2021, eq. 17) as a VP SDE on :math:`[0, 1)`.

    :math:`m(t)^2 = \bar\alpha(t) = \cos^2\phi(t)/\cos^2\phi(0)`, :math:`\phi(t) = \frac{t+s}{1+s}\frac\pi2`;
    hence :math:`\beta(t) = -2\,\tfrac{d}{dt}\log m = \frac{\pi}{1+s}\tan\phi(t)`, :math:`a=-\beta/2`,
    :math:`g=\sqrt\beta`, :math:`\sigma^2 = 1-\bar\alpha(t)`.
    :math:`\beta` blows up at t = 1, so ``t_max = 1``.
    """

    def __init__(self, s: float = 0.008) -> None:
        _pos(s=s)
        s_sym = sp.Symbol("s", positive=True)
        beta = sp.pi / (1 + s_sym) * sp.tan((_t + s_sym) / (1 + s_sym) * sp.pi / 2)
        super().__init__(-beta / 2, sp.sqrt(beta), {"s": s}, t_max=1.0, name="Cosine")


PROCESSES: dict[str, type[LinearSDE]] = {"ou": OU, "vp": VP, "subvp": SubVP, "ve": VE, "cosine": Cosine}


def get_process(name: str, **params: Any) -> LinearSDE:
    """Build a preset by name (``ou``, ``vp``, ``subvp``, ``ve``, ``cosine``) with explicit parameters.

    Also the Gao–Nguyen–Zhu table rows (:data:`GNZ_PROCESSES`, e.g. ``gnz_vp_poly``) and the CIFAR-10
    schedules of their experiments (:data:`CIFAR10_SCHEDULES`, e.g. ``ddpmpp_v2``).
    """
    key = name.lower().replace("-", "").replace("_", "")
    extra = {**GNZ_PROCESSES, **CIFAR10_SCHEDULES}
    registry: dict[str, Callable[..., LinearSDE]] = {
        **PROCESSES,
        **{k.replace("_", ""): v for k, v in extra.items()},
    }
    if key not in registry:
        raise UnknownNameError(f"unknown process {name!r}; known: {sorted(PROCESSES) + sorted(extra)}.")
    try:
        return registry[key](**params)
    except TypeError as exc:
        raise InvalidParameterError(f"bad parameters for process {name!r}: {exc}") from exc


# ---------------------------------------------------------------------- Gao–Nguyen–Zhu forward processes
# Gao, Nguyen, Zhu, "Wasserstein convergence guarantees for a general class of score-based generative
# models", arXiv 2311.11003 (JMLR 26(43), 2025).  Their forward SDE is dx = -f(t) x dt + g(t) dB
# [V + inference: the table's VP rows have f = beta/2 > 0]; here a(t) = -f(t).  Tags: [V] verified from the
# authors' README table / code, [D] derived here, [NF] not found (see docs/papers/gao_nguyen_zhu.md).

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
    _pos(a=a, b=b)
    return _gnz("gnz_ve_exp", {"a": a, "b": b})


def gnz_ve_const(*, a: float) -> SchedulePreset:
    r"""GNZ VE row :math:`f = 0,\ g = a` (Brownian motion) [V].  :math:`\sigma^2 = a^2 t` [D, C1].  a > 0."""
    _pos(a=a)
    return _gnz("gnz_ve_const", {"a": a})


def gnz_ve_sqrt(*, a: float) -> SchedulePreset:
    r"""GNZ VE row :math:`f = 0,\ g = \sqrt{2at}` [V].  :math:`\sigma^2 = a t^2` [D, C1].  a > 0."""
    _pos(a=a)
    return _gnz("gnz_ve_sqrt", {"a": a})


def gnz_ve_poly(*, a: float, b: float, c: float) -> SchedulePreset:
    r"""GNZ VE row :math:`f = 0,\ g = (b+at)^c` (polynomial; new in GNZ) [V].

    :math:`\sigma^2 = ((b+at)^{2c+1} - b^{2c+1})/(a(2c+1))` [D, C1], derived by sympy with the exponent ``c``
    kept symbolic.  a > 0, b >= 0, c > 0 (the symbols are positive, so sympy needs no case split at
    2c + 1 = 0; the table's exponents need 2c + 1 > 0).  The row g = sqrt(2at) is c = 1/2, b = 0, up to the
    constant.
    """
    _pos(a=a, c=c)
    _nonneg(b=b)
    return _gnz("gnz_ve_poly", {"a": a, "b": b, "c": c})


def gnz_ou(*, alpha: float, sigma: float) -> SchedulePreset:
    r"""GNZ row :math:`f = \alpha,\ g = \sigma` (general constant-coefficient OU; g^2 = 2f not required) [V].

    :math:`m = e^{-\alpha t}`, :math:`\sigma^2 = \sigma^2(1-e^{-2\alpha t})/(2\alpha)` [D, C1].
    alpha, sigma > 0.
    """
    _pos(alpha=alpha, sigma=sigma)
    return _gnz("gnz_ou", {"alpha": alpha, "sigma": sigma})


def gnz_vp_linear(*, a: float, b: float) -> SchedulePreset:
    r"""GNZ VP row :math:`\beta = b + at`, :math:`f = \beta/2,\ g = \sqrt\beta` [V].

    :math:`m = e^{-B/2}`, :math:`\sigma^2 = 1 - e^{-B}`, :math:`B = bt + at^2/2` [D, C1].  a > 0, b >= 0.
    """
    _pos(a=a)
    _nonneg(b=b)
    return _gnz("gnz_vp_linear", {"a": a, "b": b})


def gnz_vp_poly(*, a: float, b: float, rho: float) -> SchedulePreset:
    r"""GNZ VP row :math:`\beta = (b+at)^\rho` (polynomial; new in GNZ) [V].

    :math:`B = ((b+at)^{\rho+1} - b^{\rho+1})/(a(\rho+1))` [D, C1], derived by sympy with ``rho`` symbolic.
    a > 0, b >= 0, rho > 0.
    """
    _pos(a=a, rho=rho)
    _nonneg(b=b)
    return _gnz("gnz_vp_poly", {"a": a, "b": b, "rho": rho})


def gnz_vp_exp(*, a: float, b: float) -> SchedulePreset:
    r"""GNZ VP row :math:`\beta = a e^{bt}` (exponential; new in GNZ), :math:`g = \sqrt a e^{bt/2}` [V].

    :math:`B = a(e^{bt} - 1)/b` [D, C1].  a, b > 0.
    """
    _pos(a=a, b=b)
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
