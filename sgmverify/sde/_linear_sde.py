r"""Linear forward SDEs :math:`dX_t = a(t) X_t\,dt + g(t)\,dW_t`: :class:`LinearSDE` and its numeric forms.

For a linear SDE started at :math:`X_0`,

.. math::

    X_t \mid X_0 \sim \mathcal N\big(m(t) X_0,\ \sigma^2(t) I\big),\qquad
    m(t) = \exp\Big(\int_0^t a(s)\,ds\Big),\qquad
    \sigma^2(t) = m(t)^2 \int_0^t \frac{g(s)^2}{m(s)^2}\,ds

(Särkkä & Solin 2019, *Applied SDEs*, eq. 6.3; Song et al. 2021, *Score-based generative modeling through
SDEs*, App. B).  Both are derived with sympy from the user's :math:`a(t), g(t)` (:mod:`._derivation`);
when sympy cannot integrate, the numeric forms fall back to quadrature and the object's ``repr`` says so.

The reverse process (Anderson 1982; Song et al. 2021, eqs. 6 and 13) has forward-time drift
:math:`a(t)x - g(t)^2 \nabla\log p_t(x)` (SDE) or :math:`a(t)x - \tfrac12 g(t)^2\nabla\log p_t(x)`
(probability-flow ODE), integrated backwards from ``T``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from sgmverify.errors import (
    InvalidParameterError,
    InvalidTypeError,
    ShapeError,
    TimeDomainError,
    UnknownNameError,
)
from sgmverify.symbolic import (
    check_free_symbols,
    is_mpmath,
    is_torch,
    lambdify_mpmath,
    lambdify_numpy,
    lambdify_torch,
    parse_expr,
)

from ._derivation import derive_marginals, stable_form_cached
from ._inputs import col, finite_state, param_dict, state, times

__all__ = ["STABLE_RTOL", "T_SYMBOL", "LinearSDE"]

#: The time symbol used by every process (positive so that sympy's integrals simplify).
T_SYMBOL = sp.Symbol("t", positive=True)

#: largest log of a float64 (exp beyond it overflows)
_LOG_MAX = math.log(np.finfo(float).max)

_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(48)

#: Largest relative float64 error (measured against 50-digit mpmath at probe times) accepted for a closed
#: form of sigma^2; beyond it the numeric path integrates the positive integrand instead.
STABLE_RTOL = 1e-10


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
        params = param_dict(params)
        if isinstance(t_max, bool) or not isinstance(t_max, numbers.Real):
            raise InvalidTypeError(f"t_max must be a real number > 0, got {type(t_max).__name__} {t_max!r}.")
        if isinstance(t_max, numbers.Integral) and abs(t_max) > 2**1000:  # beyond float64: use math.inf
            raise InvalidParameterError(f"t_max = {t_max} is too large for float64; pass math.inf.")
        if name is not None and not isinstance(name, str):
            raise InvalidTypeError(f"name must be a string, got {type(name).__name__} {name!r}.")
        if t is not None and not isinstance(t, sp.Symbol):
            raise InvalidTypeError(f"t must be a sympy Symbol (the time variable), got {type(t).__name__}.")
        if var_override is not None and not isinstance(var_override, sp.Expr):
            raise InvalidTypeError(
                f"var_override must be a sympy expression in t, got {type(var_override).__name__}."
            )
        local = {k: sp.Symbol(k, positive=True) for k in params}
        local["t"] = T_SYMBOL
        a_e, g_e = parse_expr(a, local), parse_expr(g, local)
        user_t = t if t is not None else find_t(a_e, g_e)
        if user_t is not None:
            a_e, g_e = a_e.subs(user_t, T_SYMBOL), g_e.subs(user_t, T_SYMBOL)
        allowed = [T_SYMBOL, *local.values()]
        check_free_symbols(a_e, allowed, "the drift coefficient a(t) =")
        check_free_symbols(g_e, allowed, "the diffusion g(t) =")
        for k, v in params.items():
            ok = isinstance(v, int | float | np.floating | np.integer) and not isinstance(v, bool | np.bool_)
            if not (ok and math.isfinite(float(v))):
                raise InvalidParameterError(f"parameter {k} = {v!r} must be a finite number.")
        if not (t_max > 0):
            raise InvalidParameterError(f"t_max must be > 0, got {t_max}.")
        self.t = T_SYMBOL
        self.a_expr, self.g_expr = a_e, g_e
        self.params = {k: float(v) for k, v in params.items()}
        self.t_max = float(t_max)
        self.name = name or f"LinearSDE(a={a_e}, g={g_e})"
        self._subs = {sym: sp.Float(self.params[str(sym)]) for sym in _param_symbols(a_e, g_e)}
        log_m, var = derive_marginals(a_e, g_e, T_SYMBOL)
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
            stable, err = stable_form_cached(self._expr(what, digits=60), self.t, self._probes())
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
            self._fns[key] = stable_form_cached(self._expr(what), self.t, self._probes())
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
        t_arr = times(t)
        self._check_t(t_arr)
        with np.errstate(all="ignore"):  # an overflow is refused below, naming the coefficient
            try:
                out = self._numeric(what, "numpy")(t_arr)
            except OverflowError:  # a scalar path (math.exp) overflowed: the same refusal as for inf
                out = np.full(np.shape(t_arr), np.inf)
        self._check_finite(what, t_arr, out)
        return float(out) if np.ndim(t) == 0 else out

    def _check_finite(self, what: str, t: np.ndarray, out: Any) -> None:
        """TimeDomainError where a coefficient is NaN or overflows float64 (log m(t) = -inf, i.e. m = 0, is
        a limit and passes)."""
        vals = np.asarray(out, dtype=float)
        bad = np.isnan(vals) | ((vals == np.inf) | ((vals == -np.inf) & (what != "log_m")))
        if not np.any(bad):
            return
        tb = float(np.broadcast_to(t, vals.shape)[bad].ravel()[0])
        vb = float(vals[bad].ravel()[0])
        label = {"log_m": "log m(t)", "var": "sigma^2(t)", "a": "the drift coefficient a(t)"}
        raise TimeDomainError(
            f"{label.get(what, 'the diffusion g(t)')} of {self.name} is {vb} at t = {tb:.6g}: it overflows "
            "float64 (or is undefined) there; pass smaller times (a lower T) or parameters that keep it "
            "finite."
        )

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
        log_m = self.log_mean_coeff(t)
        if not (is_torch(log_m) or is_mpmath(log_m)) and np.any(np.asarray(log_m) > _LOG_MAX):
            raise TimeDomainError(
                f"m(t) = exp(log m(t)) of {self.name} overflows float64 (log m(t) = "
                f"{float(np.max(log_m)):.6g} > {_LOG_MAX:.6g}); pass smaller times."
            )
        return elementwise(log_m, "exp")

    def var(self, t: Any) -> Any:
        r""":math:`\sigma^2(t) = m(t)^2\int_0^t g(s)^2/m(s)^2\,ds` (or the declared variance)."""
        return self._eval("var", t)

    def std(self, t: Any) -> Any:
        r""":math:`\sigma(t)`."""
        return elementwise(self.var(t), "sqrt")

    def drift_coeff(self, t: Any) -> Any:
        """The scalar drift coefficient :math:`a(t)`."""
        return self._eval("a", t)

    def diffusion(self, t: Any) -> Any:
        """The diffusion coefficient :math:`g(t)`."""
        return self._eval("g", t)

    def drift(self, x: Any, t: Any) -> Any:
        """Forward drift :math:`a(t)\\,x` for ``x`` of shape (d,) or (n, d) and scalar or (n,) ``t``.

        ``x`` may be any array-like of finite real numbers (a list is converted to a float array) or a torch
        tensor (NaN or inf raise :class:`~sgmverify.errors.InvalidParameterError`);
        a batch of times needs one time per row of ``x``, otherwise :class:`~sgmverify.errors.ShapeError`.
        """
        x = finite_state(x, "x")
        with np.errstate(over="ignore", invalid="ignore"):
            out = col(self.drift_coeff(t), x, "drift") * x
        if isinstance(out, np.ndarray) and not np.all(np.isfinite(out)):
            raise InvalidParameterError(
                "the drift a(t)·x overflows float64 for these x (largest |x| = "
                f"{float(np.max(np.abs(x))):.3g}); rescale the data."
            )
        return out

    def marginal_prob(self, x0: Any, t: Any) -> tuple[Any, Any]:
        r"""Mean :math:`m(t) x_0` and std :math:`\sigma(t)` of :math:`X_t \mid X_0 = x_0` (shapes as
        :meth:`drift`)."""
        x0 = finite_state(x0, "x0")
        return col(self.mean_coeff(t), x0, "marginal_prob") * x0, self.std(t)

    def prior(self, T: float, dim: int = 1):
        r"""Reference Gaussian a sampler starts from: :math:`\mathcal N(0, \sigma^2(T) I_d)`.

        This is the law of :math:`X_T` started at :math:`X_0 = 0`; it differs from the true :math:`p_T` by the
        forgotten data term :math:`m(T) X_0`, which is the initialisation error the theory bounds.
        """
        from sgmverify.laws import Gaussian, check_dense_size

        if isinstance(dim, bool) or not isinstance(dim, numbers.Real):
            raise InvalidTypeError(f"dim must be a positive integer, got {type(dim).__name__} {dim!r}.")
        whole = isinstance(dim, numbers.Integral) or (math.isfinite(dim) and int(dim) == dim)
        if not (whole and dim >= 1):
            raise ShapeError(f"dim must be a positive integer, got {dim!r}.")
        check_dense_size((int(dim), int(dim)), "the prior's dense covariance")
        T_arr = times(T)
        if T_arr.ndim != 0:
            raise ShapeError(f"T must be a single time (a scalar), got an array of shape {T_arr.shape}.")
        var_T = self.var(float(T_arr))
        return Gaussian(np.zeros(int(dim)), var_T)  # a scalar variance: var_T * I, no dense eigh

    def reverse_drift(self, x: Any, t: Any, score: Any, ode: bool = False) -> Any:
        r"""Forward-time drift of the reverse process.

        .. math:: a(t)x - c\,g(t)^2 s(x, t),\qquad c = 1 \text{ (SDE)},\ c = 1/2 \text{ (ODE)}

        ``score`` is a callable ``score(x, t)`` or an array shaped like ``x``.  A sampler moving from
        :math:`t` to :math:`t - h` steps :math:`x \leftarrow x - h\,\mathrm{reverse\_drift}` (plus
        :math:`g(t)\sqrt h\,z` for the SDE).  NaN or inf in ``x`` or the score pass through to the output
        (the samplers read a non-finite drift as a breakdown, ``Status.NAN``).
        """
        x = state(x, "x")
        s = state(score(x, t) if callable(score) else score, "score")
        if np.shape(s) != np.shape(x):
            raise ShapeError(f"score has shape {np.shape(s)} but x has shape {np.shape(x)}; they must match.")
        if not isinstance(ode, bool | np.bool_):
            raise InvalidTypeError(f"ode must be True or False, got {type(ode).__name__} {ode!r:.40}.")
        c = 0.5 if ode else 1.0
        g = self.diffusion(t)
        with np.errstate(over="ignore", invalid="ignore"):  # non-finite values pass through, by contract
            return col(self.drift_coeff(t), x, "reverse_drift") * x - c * col(g * g, x, "reverse_drift") * s

    def transition(self, t_from: Any, t_to: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        r"""Exponential-integrator coefficients of a backward step ``t_from -> t_to`` (score frozen).

        .. math::
            r = \frac{m(t_{to})}{m(t_{from})},\quad
            c_s = \int_{t_{to}}^{t_{from}} \frac{m(t_{to})}{m(u)} g(u)^2\,du,\quad
            v = \int_{t_{to}}^{t_{from}} \frac{m(t_{to})^2}{m(u)^2} g(u)^2\,du

        so that the SDE step is :math:`x' = r x + c_s s(x, t_{from}) + \sqrt v\,z` and the ODE step
        :math:`x' = r x + \tfrac12 c_s s(x, t_{from})`.  Integrals by 48-point Gauss–Legendre per step.
        """
        t1, t0 = times(t_from), times(t_to)
        try:
            np.broadcast_shapes(t1.shape, t0.shape)
        except ValueError:
            raise ShapeError(
                f"transition: t_from has shape {t1.shape} but t_to has shape {t0.shape}; pass arrays of one "
                "shape (one step each) or scalars."
            ) from None
        if np.any(t0 > t1):
            raise TimeDomainError("transition needs t_to <= t_from (a backward step).")
        self._check_t(t1)
        self._check_t(t0)
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow is refused below
            lm0 = self._numeric("log_m", "numpy")(t0)
            lm1 = self._numeric("log_m", "numpy")(t1)
            half = 0.5 * (t1 - t0)
            u = (0.5 * t1 + 0.5 * t0)[..., None] + half[..., None] * _GL_NODES
            g2 = self._numeric("g", "numpy")(u) ** 2
            e = lm0[..., None] - self._numeric("log_m", "numpy")(u)
            score_coeff = half * np.sum(_GL_WEIGHTS * g2 * np.exp(e), axis=-1)
            noise_var = half * np.sum(_GL_WEIGHTS * g2 * np.exp(2 * e), axis=-1)
            ratio = np.exp(lm0 - lm1)
        bad = ~(np.isfinite(ratio) & np.isfinite(score_coeff) & np.isfinite(noise_var))
        if np.any(bad):
            self._transition_overflow(t1, t0, lm1, lm0, bad)
        return ratio, score_coeff, noise_var

    def _transition_overflow(self, t1: Any, t0: Any, lm1: Any, lm0: Any, bad: np.ndarray) -> None:
        """Raise TimeDomainError for the first step ``t1 -> t0`` whose coefficients overflow float64."""
        i = np.unravel_index(int(np.flatnonzero(np.ravel(bad))[0]), np.shape(bad)) if np.ndim(bad) else ()
        tf, tt = float(np.broadcast_to(t1, np.shape(bad))[i]), float(np.broadcast_to(t0, np.shape(bad))[i])
        with np.errstate(invalid="ignore"):  # inf - inf: the log ratio is undefined (NaN), and says so
            log_ratio = float(np.broadcast_to(lm0, np.shape(bad))[i] - np.broadcast_to(lm1, np.shape(bad))[i])
        raise TimeDomainError(
            f"the backward step {tf:g} -> {tt:g} of {self.name} overflows float64: m(t_to)/m(t_from) = "
            f"exp(int_{{t_to}}^{{t_from}} -a(s) ds) = exp({log_ratio:.6g}), and the noise variance of "
            f"the step carries its square, exp({2 * log_ratio:.6g}); float64 stops at exp(709.8).  Take "
            f"shorter steps (more steps, so that int -a over each step stays below about 350) or a smaller T "
            f"(log m(T) = {float(np.broadcast_to(lm1, np.shape(bad))[i]):.6g} here)."
        )

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


def elementwise(value: Any, fn: str) -> Any:
    """``exp`` or ``sqrt`` of a torch tensor, an mpmath number, or a float / numpy array, in its own kind."""
    if is_torch(value):
        return getattr(value, fn)()
    if is_mpmath(value):
        return getattr(mpmath, fn)(value)
    return getattr(np, fn)(value)


def find_t(*exprs: sp.Expr) -> sp.Symbol | None:
    """The user's own symbol named ``t`` in ``exprs`` (to be replaced by :data:`T_SYMBOL`), if any."""
    for e in exprs:
        for s in e.free_symbols:
            if s.name == "t" and s != T_SYMBOL:
                return s
    return None


def _param_symbols(*exprs: sp.Expr) -> set[sp.Symbol]:
    return {s for e in exprs for s in e.free_symbols if s != T_SYMBOL}
