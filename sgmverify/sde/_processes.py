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
from collections.abc import Callable, Mapping
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from sgmverify._cachedir import cache_dir
from sgmverify._timelimit import time_limited
from sgmverify.errors import (
    DerivationError,
    InvalidParameterError,
    ShapeError,
    TimeDomainError,
    UnknownNameError,
    require_positive,
)
from sgmverify.symbolic import (
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

__all__ = ["OU", "PROCESSES", "VE", "VP", "Cosine", "LinearSDE", "SubVP", "TimeChangedOU", "get_process"]

#: The time symbol used by every process (positive so that sympy's integrals simplify).
T_SYMBOL = sp.Symbol("t", positive=True)

_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(48)


#: Seconds sympy's general integrator may spend before the derivation falls back to quadrature.
SYMPY_TIME_LIMIT = 10.0

#: Largest relative float64 error (measured against 50-digit mpmath at probe times) accepted for a closed
#: form of sigma^2; beyond it the numeric path integrates the positive integrand instead.
STABLE_RTOL = 1e-10


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
        lambda: time_limited(lambda: sp.integrate(expr, s, conds="none"), SYMPY_TIME_LIMIT),
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


@functools.lru_cache(maxsize=256)
def _derive(a: sp.Expr, g: sp.Expr, t: sp.Symbol) -> tuple[sp.Expr, sp.Expr | None]:
    """:func:`_derive_uncached` behind an in-memory and an on-disk cache (keyed by the exact expressions)."""
    key = hashlib.sha256(f"{sp.__version__}|{sp.srepr(a)}|{sp.srepr(g)}|{sp.srepr(t)}".encode()).hexdigest()
    path = cache_dir("derivations") / f"{key}.pkl"
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
            # the measured stable form (expm1/log1p rewrites), with 60-digit constants: the naive
            # form cancels at the caller's working precision (e.g. 1 - exp(-2t) = 0 for t < 10**-dps)
            stable, err = stable_form(self._expr(what, digits=60), self.t, self._probes())
            if err > STABLE_RTOL and what == "var":
                return self._var_quadrature("mpmath")
            return lambdify_mpmath(self.t, stable)
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

        one_by_one = np.vectorize(one, otypes=[float])
        x24, w24 = np.polynomial.legendre.leggauss(24)
        x48, w48 = np.polynomial.legendre.leggauss(48)

        def gauss_legendre(tp: np.ndarray, nodes: np.ndarray, weights: np.ndarray) -> np.ndarray:
            half = 0.5 * tp
            u = half[:, None] * (nodes + 1.0)
            with np.errstate(over="ignore", invalid="ignore"):
                vals = np.asarray(g(u)) ** 2 * np.exp(2.0 * (np.asarray(lm(tp))[:, None] - np.asarray(lm(u))))
            return half * (vals @ weights)

        def f_np(t: Any) -> np.ndarray:
            """24- and 48-point Gauss–Legendre on [0, t] (vectorised); where they differ by more than 1e-12
            relative, adaptive ``quad`` at that point (so a hard integrand costs time, never accuracy)."""
            t = np.asarray(t, dtype=float)
            out = np.zeros(t.shape)
            pos = t > 0
            if np.any(pos):
                tp = t[pos]
                v24, v48 = gauss_legendre(tp, x24, w24), gauss_legendre(tp, x48, w48)
                ok = np.isfinite(v48) & (np.abs(v48 - v24) <= 1e-12 * np.abs(v48))
                v48[~ok] = one_by_one(tp[~ok])
                out[pos] = v48
            return out

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
        return _elementwise(self.log_mean_coeff(t), "exp")

    def var(self, t: Any) -> Any:
        r""":math:`\sigma^2(t) = m(t)^2\int_0^t g(s)^2/m(s)^2\,ds` (or the declared variance)."""
        return self._eval("var", t)

    def std(self, t: Any) -> Any:
        r""":math:`\sigma(t)`."""
        return _elementwise(self.var(t), "sqrt")

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
        from sgmverify.laws import Gaussian

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


def _elementwise(value: Any, fn: str) -> Any:
    """``exp`` or ``sqrt`` of a torch tensor, an mpmath number, or a float / numpy array, in its own kind."""
    if is_torch(value):
        return getattr(value, fn)()
    if is_mpmath(value):
        return getattr(mpmath, fn)(value)
    return getattr(np, fn)(value)


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
        require_positive(s=s)
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
        if not (ok and math.isfinite(float(lam)) and float(lam) >= 0):
            raise InvalidParameterError(f"lam must be a finite number >= 0, got {lam!r}.")
        require_positive(sigma=sigma)
        gamma_params = dict(gamma_params or {})
        for reserved in ("t", "lam", "sigma"):
            if reserved in gamma_params:
                raise InvalidParameterError(
                    f"gamma_params may not name {reserved!r} (the time or a family parameter); rename it."
                )
        local = {k: sp.Symbol(k, positive=True) for k in gamma_params}
        local["t"] = _t
        g_e = parse_expr(gamma, local)
        user_t = _find_t(g_e)
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
        r"""The equivalent VE noise level :math:`\tau_t = v_t/m_t^2` (reference §1.4)."""
        return self.var(t) * _elementwise(-2 * self.log_mean_coeff(t), "exp")


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
    key = name.lower().replace("-", "").replace("_", "")
    if key not in PROCESSES:
        raise UnknownNameError(f"unknown process {name!r}; known presets: {sorted(PROCESSES)}.")
    try:
        return PROCESSES[key](**params)
    except TypeError as exc:
        raise InvalidParameterError(f"bad parameters for process {name!r}: {exc}") from exc
