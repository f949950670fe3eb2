r"""1-D data densities given by a sympy log-density, and their noised laws.

:class:`Density1D` takes an unnormalised :math:`\log \tilde q(x)` and a support :math:`[a, b]` (ends may be
infinite), normalises it by quadrature (scipy ``quad`` per panel; mpmath if scipy reports trouble), and
samples from a tabulated inverse CDF.  Its derivatives come from sympy (almost everywhere: the
``DiracDelta`` terms of kinks are dropped).  :meth:`Density1D.noised` returns :class:`NoisedDensity1D`,
whose log-density and derivatives come from the posterior cumulants of :mod:`sgmverify.laws._scores`.

Both are public names of :mod:`sgmverify.laws`; the base class and the validation helpers are in
:mod:`sgmverify.laws._base`.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Mapping, Sequence

import mpmath
import numpy as np
import sympy as sp
from scipy import integrate

from sgmverify._timelimit import time_limited
from sgmverify.errors import (
    ExpressionError,
    InvalidParameterError,
    InvalidTypeError,
    ShapeError,
    TimeDomainError,
)
from sgmverify.symbolic import ae_diff, parse_log_density

from ._base import Distribution, _real_array, check_sample_args, noise_coeffs, real_scalar
from ._scores import Derivatives, Prior1D, noised_1d_derivative, noised_1d_derivatives

__all__ = ["Density1D", "NoisedDensity1D", "validated_support"]

#: a density below exp(-LOG_FLOOR) times its maximum counts as outside the bulk
LOG_FLOOR = 60.0
#: cells of the inverse-CDF table used for sampling
SAMPLE_CELLS = 16384


# ---------------------------------------------------------------------------------------------------
# sympy handling
# ---------------------------------------------------------------------------------------------------


def kinks(expr: sp.Expr, x: sp.Symbol) -> list[float]:
    """Real points where ``Abs``, ``sign``, ``Heaviside`` or a ``Piecewise`` condition switches."""
    args = [a.args[0] for a in expr.atoms(sp.Abs, sp.sign, sp.Heaviside)]
    args += [r.lhs - r.rhs for r in expr.atoms(sp.Rel)]
    pts = set()
    for arg in args:
        try:
            sol = sp.solveset(arg, x, sp.S.Reals)
            if isinstance(sol, sp.FiniteSet):
                pts |= {float(s) for s in sol}
        except (TypeError, ValueError, NotImplementedError):
            continue
    return sorted(pts)


def _numpy_fn(expr: sp.Expr, x: sp.Symbol, nan_to: float | None = None):
    """Vectorised float64 evaluation of ``expr``; optionally NaN -> ``nan_to``; warnings silenced."""
    fn = sp.lambdify(x, expr, modules=["numpy", "scipy"])

    def f(z):
        z = np.asarray(z, dtype=float)
        with np.errstate(all="ignore"):
            try:
                val = np.broadcast_to(np.asarray(fn(z), dtype=float), z.shape).copy()
            except OverflowError:  # an exact constant beyond float64 (e.g. 10**400)
                val = np.full(z.shape, np.inf)
        if nan_to is not None:
            val[np.isnan(val)] = nan_to
        return val

    return f


# ---------------------------------------------------------------------------------------------------
# locating the bulk, normalising, tabulating the CDF
# ---------------------------------------------------------------------------------------------------


def _scan_points(a: float, b: float, extra: Sequence[float]) -> np.ndarray:
    if math.isfinite(a) and math.isfinite(b):
        rel = np.geomspace(1e-12, 0.5, 200)
        pts = [np.linspace(a, b, 4001), a + (b - a) * rel, b - (b - a) * rel]
    else:
        anchor = a if math.isfinite(a) else b if math.isfinite(b) else 0.0
        offs = np.geomspace(1e-8, 1e30, 381)
        pts = [[anchor], anchor + offs, anchor - offs]
    pts = np.concatenate([*pts, np.asarray(extra, dtype=float)])
    return np.unique(pts[(pts >= a) & (pts <= b)])


def _sinh_grid(mode: float, scale: float, lo: float, hi: float, n: int) -> np.ndarray:
    """``n`` points from ``lo`` to ``hi``, dense near ``mode`` (spacing ~ scale), geometric far out."""
    u = np.linspace(math.asinh((lo - mode) / scale), math.asinh((hi - mode) / scale), n)
    grid = mode + scale * np.sinh(u)
    grid[0], grid[-1] = lo, hi
    return np.maximum.accumulate(grid)


def _bulk(logq, pts: np.ndarray, support: tuple[float, float]) -> tuple[float, float, float, float, float]:
    """(max log q, mode, scale, lo, hi) from values on ``pts``: [lo, hi] holds log q >= max - LOG_FLOOR."""
    vals = logq(pts)
    finite = np.isfinite(vals)
    if not finite.any():
        raise ExpressionError(f"the log-density is not finite anywhere on the support {support}")
    i_mode = int(np.argmax(np.where(finite, vals, -np.inf)))
    shift, mode = float(vals[i_mode]), float(pts[i_mode])
    idx = np.flatnonzero(vals >= shift - LOG_FLOOR)
    lo, hi = float(pts[max(idx[0] - 1, 0)]), float(pts[min(idx[-1] + 1, len(pts) - 1)])
    for end, at_edge in ((support[0], idx[0] == 0), (support[1], idx[-1] == len(pts) - 1)):
        if math.isinf(end) and at_edge:
            raise ExpressionError(
                f"exp(log-density) does not decay towards {end}: it is not integrable on {support}; "
                "check the sign of the expression or pass a bounded support"
            )
    near = pts[vals >= shift - 2.0]
    gaps = np.diff(pts)
    scale = max(float(near.max() - mode), float(mode - near.min()), float(np.min(gaps[gaps > 0])))
    return shift, mode, scale, lo, hi


def _log_normaliser(logq, logq_mp, edges: list[float], shift: float) -> float:
    r""":math:`\log \int \tilde q`: scipy ``quad`` per panel; mpmath (30 digits) if scipy is unsure."""
    total = err = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error", integrate.IntegrationWarning)
        try:
            for lo, hi in itertools.pairwise(edges):
                val, e = integrate.quad(
                    lambda z: math.exp(float(logq(z)) - shift), lo, hi, epsabs=0.0, epsrel=1e-11
                )
                total, err = total + val, err + e
        except (integrate.IntegrationWarning, OverflowError):  # overflow: log q grows without bound
            total = math.nan
    if math.isfinite(total) and total > 0 and err <= 1e-9 * total:
        return shift + math.log(total)
    with mpmath.workdps(30):
        try:
            val, e = mpmath.quad(
                lambda z: mpmath.exp(logq_mp(z) - shift), [mpmath.mpf(p) for p in edges], error=True
            )
        except (ArithmeticError, ValueError, TypeError) as exc:
            raise ExpressionError(
                f"could not normalise the density ({exc!r}): exp(log q) is not integrable on the support, or "
                "log q is not finite there; check the expression and the support"
            ) from None
        val, e = mpmath.mpmathify(val), mpmath.mpmathify(e)
        if isinstance(val, mpmath.mpc):
            val = val.real if val.imag == 0 else mpmath.nan
        if not (mpmath.isfinite(val) and val > 0 and e <= 1e-8 * val):
            raise ExpressionError(
                f"could not normalise the density: integral of exp(log q) = {mpmath.nstr(val, 6)} "
                f"(error {mpmath.nstr(e, 3)}); check that it is integrable on the support"
            )
        return shift + float(mpmath.log(val))


def _singular_points(expr: sp.Expr, x: sp.Symbol, a: float, b: float) -> list[float]:
    """Real points of [a, b] where sympy finds ``expr`` singular (poles, log singularities), within 2 s."""
    try:
        sing = time_limited(lambda: sp.singularities(expr, x, sp.Interval(a, b)), 2.0)
        return sorted(float(p) for p in sing) if isinstance(sing, sp.FiniteSet) else []
    except Exception:  # noqa: BLE001  (sympy raises many types; a failure only means "no candidates")
        return []


def _check_integrable(
    logq, dlogq, support: tuple[float, float], scale: float, extra: Sequence[float], singular: Sequence[float]
) -> None:
    r"""ExpressionError where :math:`q = e^{\log q}` has a non-integrable singularity.

    Candidates are the finite ends of the support, the points of the scan (kinks and breakpoints
    included) where :math:`\log q = +\infty`, and the ``singular`` points sympy found.  Near such a point
    c, :math:`q \sim |x - c|^\kappa` with the
    local exponent :math:`\kappa = (x - c)\,(\log q)'(x)`, and :math:`\int |x - c|^\kappa` converges iff
    :math:`\kappa > -1`; :math:`\kappa \le -1` at both :math:`|x - c| = 10^{-9}` and :math:`10^{-12}` times
    the
    bulk's scale (e.g. :math:`\log q = 1/x` at 0, :math:`\kappa = -1/x`) raises.
    """
    a, b = support
    pts = _scan_points(a, b, extra)
    with np.errstate(all="ignore"):
        vals = logq(pts)
    cands = [(c, side) for c, side in ((a, 1.0), (b, -1.0)) if math.isfinite(c)]
    inner = [*pts[(vals == np.inf) & (pts > a) & (pts < b)], *(c for c in singular if a < c < b)]
    cands += [(float(c), side) for c in inner for side in (1.0, -1.0)]
    width = min(scale, b - a)
    for c, side in cands:
        kappas = []
        for rel in (1e-9, 1e-12):
            delta = side * rel * width
            with np.errstate(all="ignore"):
                kappas.append(float(delta * dlogq(np.array(c + delta))))
        if all(k <= -1.0 for k in kappas):  # NaN (undefined there) decides nothing
            raise ExpressionError(
                f"exp(log-density) is not integrable near x = {c:g}: it behaves like |x - {c:g}|^kappa with "
                f"kappa = {kappas[-1]:.3g} <= -1 there (the log-density is not finite on the support); "
                "restrict the support away from that point or fix the expression"
            )


def smooth_ends(dlogq, support: tuple[float, float], scale: float) -> bool:
    r"""True unless :math:`q \sim |x - e|^\kappa`, :math:`\kappa` non-integer or negative, at a finite end e.

    The local exponent is read off as :math:`\kappa = (x - e)\,(\log q)'(x)` at :math:`x = e \pm 10^{-9}`
    scale; polynomial behaviour (Beta(2, 5), a truncated normal) gives an integer :math:`\kappa \ge 0`.
    """
    for end, sign in ((support[0], 1.0), (support[1], -1.0)):
        if math.isfinite(end):
            delta = sign * 1e-9 * min(scale, support[1] - support[0])
            kappa = float(delta * dlogq(np.array(end + delta)))
            if not (np.isfinite(kappa) and kappa > -1e-6 and abs(kappa - round(kappa)) < 1e-6):
                return False
    return True


def _cdf_table(logq, edges: np.ndarray, shift: float) -> np.ndarray:
    """Cumulative masses of the cells ``[edges[i], edges[i+1]]`` (8-point Gauss-Legendre per cell)."""
    nodes, weights = np.polynomial.legendre.leggauss(8)
    half = 0.5 * np.diff(edges)
    mid = 0.5 * (edges[1:] + edges[:-1])
    x = mid[:, None] + half[:, None] * nodes[None, :]
    with np.errstate(over="ignore"):
        dens = np.exp(logq(x) - shift)
    dens[~np.isfinite(dens)] = 0.0  # an integrable endpoint singularity is never a node
    return np.concatenate([[0.0], np.cumsum(half * (dens @ weights))])


# ---------------------------------------------------------------------------------------------------
# the classes
# ---------------------------------------------------------------------------------------------------


class Density1D(Distribution):
    r"""1-D density :math:`q(x) = \tilde q(x) / Z` on ``support`` from a sympy :math:`\log \tilde q`.

    .. math::

        Z = \int_a^b e^{\log \tilde q(x)}\, dx, \qquad \log q = \log \tilde q - \log Z, \qquad
        \text{score} = (\log \tilde q)'.

    Parameters
    ----------
    logdensity_expr : sympy expression (or string)
        Unnormalised log-density; its free symbols are the variable and the keys of ``params``.
    support : (a, b)
        ``a < b``, either may be infinite.
    variable : sympy Symbol or str, optional
        Needed when the expression has several free symbols not in ``params``.
    params : mapping name -> number, optional
        Values of the other symbols.
    breakpoints : sequence of float, optional
        Extra points where quadratures should split (kinks of ``Abs``/``sign``/``Heaviside``/``Piecewise``
        are found automatically).

    Notes
    -----
    Sampling uses an inverse-CDF table of ``SAMPLE_CELLS`` cells on a sinh-spaced grid over the region
    where :math:`q \ge e^{-60} \max q`, linear within each cell (piecewise-constant density).  Outside the
    support ``log_prob`` is ``-inf`` and the derivatives are NaN.
    """

    dim = 1

    def __init__(
        self, logdensity_expr, support, variable=None, params=None, breakpoints: Sequence[float] = ()
    ):
        if params is not None and not isinstance(params, Mapping):
            raise InvalidTypeError(
                f"params must be a mapping of symbol name -> number (e.g. {{'mu': 1.5}}), got "
                f"{type(params).__name__}"
            )
        self.expr, self.variable = parse_log_density(logdensity_expr, variable, params)
        self.support = validated_support(support)
        breakpoints = _real_array(breakpoints, "breakpoints").ravel()
        if not np.all(np.isfinite(breakpoints)):
            raise InvalidParameterError(f"breakpoints must be finite numbers, got {breakpoints.tolist()}")
        x = self.variable
        exprs = [self.expr]
        for _ in range(4):
            exprs.append(ae_diff(exprs[-1], x))
        self._fns = [_numpy_fn(exprs[0], x, nan_to=-np.inf)] + [_numpy_fn(e, x) for e in exprs[1:]]
        self._logq_mp = sp.lambdify(x, self.expr, modules="mpmath")
        a, b = self.support
        # kinks and breakpoints outside the support play no part (they would stretch the bulk beyond it)
        extra = sorted(p for p in set(kinks(self.expr, x)) | {float(p) for p in breakpoints} if a <= p <= b)
        logq = self._fns[0]
        _, mode, scale, lo, hi = _bulk(logq, _scan_points(a, b, extra), self.support)
        _check_integrable(
            logq, self._fns[1], self.support, scale, extra, _singular_points(self.expr, x, a, b)
        )
        shift, mode, scale, lo, hi = _bulk(
            logq, np.union1d(_sinh_grid(mode, scale, lo, hi, 4097), extra), self.support
        )
        self.mode, self._scale, self._bulk_range, self._shift = mode, scale, (lo, hi), shift
        inner = [
            p for p in [*extra, mode, *(mode + k * scale for k in (-10, -1, 1, 10)), lo, hi] if a < p < b
        ]
        edges = [a, *sorted(set(inner)), b]
        self.log_norm = _log_normaliser(logq, self._logq_mp, edges, shift)
        if not math.isfinite(self.log_norm):
            raise ExpressionError(
                f"the normalising constant of exp({self.expr}) on {self.support} is beyond float64 "
                f"(log Z = {self.log_norm}); rescale the expression or restrict the support"
            )
        bulk_grid = np.union1d(_sinh_grid(mode, scale, lo, hi, 257), [p for p in extra if a <= p <= b])
        self._prior = Prior1D(
            logq=logq,
            dlogq=self._fns[1],
            d2logq=self._fns[2],
            logq_mp=self._logq_mp,
            support=self.support,
            log_norm=self.log_norm,
            breakpoints=tuple(sorted(set(inner))),
            bulk_grid=bulk_grid,
            smooth_ends=smooth_ends(self._fns[1], self.support, scale),
        )
        self._table: tuple[np.ndarray, np.ndarray] | None = None

    def __repr__(self) -> str:
        return f"Density1D(log q = {self.expr}, support={self.support})"

    def _derivs(self, x: np.ndarray, order: int) -> Derivatives:
        z = x[:, 0]
        n = len(z)
        a, b = self.support
        inside = (z >= a) & (z <= b)
        out = []
        for k in range(order + 1):
            val = np.full(n, -np.inf if k == 0 else np.nan)
            val[inside] = self._fns[k](z[inside]) - (self.log_norm if k == 0 else 0.0)
            out.append(val.reshape((n,) + (1,) * k))
        return Derivatives(*out)

    def _dk(self, x: np.ndarray, k: int) -> np.ndarray:
        """k-th derivative of log q from sympy (float64); -inf (k = 0) or NaN outside the support."""
        if k <= 3:
            return super()._dk(x, k)
        z = x[:, 0]
        inside = (z >= self.support[0]) & (z <= self.support[1])
        val = np.full(len(z), np.nan)
        val[inside] = self._fns[k](z[inside])
        return val.reshape((len(z),) + (1,) * k)

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` draws, shape (n, 1), from the inverse-CDF table (see Notes)."""
        n = check_sample_args(n, rng, 1)
        if self._table is None:
            lo, hi = self._bulk_range
            edges = _sinh_grid(self.mode, self._scale, lo, hi, SAMPLE_CELLS + 1)
            self._table = (edges, _cdf_table(self._fns[0], edges, self._shift))
        edges, cum = self._table
        u = rng.uniform(0.0, cum[-1], size=n)
        i = np.clip(np.searchsorted(cum, u, side="right") - 1, 0, len(edges) - 2)
        mass = cum[i + 1] - cum[i]
        frac = np.divide(u - cum[i], mass, out=np.full(n, 0.5), where=mass > 0)
        return (edges[i] + np.clip(frac, 0.0, 1.0) * (edges[i + 1] - edges[i])).reshape(n, 1)

    def noised(self, process, t: float, method: str = "auto") -> Density1D | NoisedDensity1D:
        r"""Law of :math:`X_t = m X_0 + \sigma Z`, :math:`p_t(x) = \int q(x_0) N(x; m x_0, \sigma^2)\,dx_0`.

        ``method`` ("auto", "float", "mpmath") selects the quadrature, see
        :func:`sgmverify.laws.noised_1d_derivatives`.  At :math:`\sigma^2(t) = 0` the law is ``self``
        when the support is the whole line; for a bounded support the score is singular at the boundary
        and :class:`~sgmverify.errors.TimeDomainError` is raised.
        """
        t, m, v = noise_coeffs(process, t)
        if v == 0.0:
            if math.isfinite(self.support[0]) or math.isfinite(self.support[1]):
                raise TimeDomainError(
                    f"sigma^2(t) = 0 at t = {t}: the law is q itself, with support {self.support}, whose "
                    "score is singular at the boundary; pass t > 0"
                )
            if m != 1.0:
                raise TimeDomainError(f"sigma^2(t) = 0 and m(t) = {m} != 1 at t = {t}; pass t > 0")
            return self
        return NoisedDensity1D(self, t, m, v, method)


class NoisedDensity1D(Distribution):
    r"""The law :math:`p_t` of :math:`m X_0 + \sqrt v Z`, :math:`X_0 \sim` a :class:`Density1D`.

    .. math::

        \log p_t(x) = \log \int q(x_0) N(x; m x_0, v)\, dx_0, \qquad
        \partial_x \log p_t = \frac{m \mathbb E[X_0|x] - x}{v}, \qquad
        \partial_x^2 \log p_t = -\frac1v + \frac{m^2}{v^2}\mathrm{Var}[X_0|x], \qquad
        \partial_x^3 \log p_t = \frac{m^3}{v^3}\kappa_3[X_0|x], \qquad
        \partial_x^4 \log p_t = \frac{m^4}{v^4}\kappa_4[X_0|x].

    ``log_density_derivative(x, k)`` (k = 0..4): the posterior moments by scipy ``quad_vec`` (float64)
    when :math:`v \ge 10^{-2}`, by mpmath tanh-sinh at ``working_dps(v)``
    :math:`= 30 + 2\lceil\log_{10}(1/v)\rceil` digits when :math:`v < 10^{-2}` (or for an algebraic end
    singularity); a product of such laws (:class:`~sgmverify.laws.Product`) gives block-diagonal
    tensors.

    Each point costs one quadrature (float64 ``quad_vec``, about 5 ms; mpmath at small ``v``, about
    0.2 s), so evaluate on modest batches.
    """

    dim = 1

    def __init__(self, base: Density1D, t: float, m: float, v: float, method: str = "auto"):
        if method not in ("auto", "float", "mpmath"):
            raise InvalidParameterError(f"method must be 'auto', 'float' or 'mpmath', got {method!r}")
        self.base, self.t, self.m, self.v, self.method = base, t, m, v, method

    def __repr__(self) -> str:
        return f"NoisedDensity1D({self.base!r}, t={self.t}, m={self.m:.6g}, var={self.v:.6g})"

    def _derivs(self, x: np.ndarray, order: int) -> Derivatives:
        return noised_1d_derivatives(self.base._prior, x[:, 0], self.m, self.v, order, self.method)

    def _dk(self, x: np.ndarray, k: int) -> np.ndarray:
        """Posterior cumulant of order k (quadrature; mpmath at ``working_dps(v)`` digits when v < 1e-2)."""
        return noised_1d_derivative(self.base._prior, x[:, 0], self.m, self.v, k, self.method)

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` draws, shape (n, 1): :math:`m X_0 + \\sqrt v Z`."""
        x0 = self.base.sample(n, rng)
        return self.m * x0 + math.sqrt(self.v) * rng.standard_normal((x0.shape[0], 1))


def validated_support(support) -> tuple[float, float]:
    if isinstance(support, str | bytes | dict) or support is None:
        raise InvalidTypeError(f"support must be a pair of numbers (a, b), got {type(support).__name__}")
    try:
        ends = list(support)
    except TypeError:
        raise ShapeError(f"support must be a pair (a, b), got {support!r}") from None
    if len(ends) != 2:
        raise ShapeError(f"support must be a pair (a, b), got {support!r}")
    a, b = (real_scalar(s, "each end of the support") for s in ends)
    if math.isnan(a) or math.isnan(b):
        raise InvalidParameterError(f"support {support!r} contains NaN")
    if not a < b:
        raise InvalidParameterError(f"support must satisfy a < b, got ({a}, {b})")
    return a, b
