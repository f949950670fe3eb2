r"""Data laws for the regularity ladder: atoms, a uniform box, the uniform circle, the Hölder-β cusp.

Each law has ``.dim``, ``sample(n, rng)``, ``noised(process, t)`` and, where a density exists, ``log_prob``.
A noised law :math:`p_t` (law of :math:`X_t = m X_0 + \sqrt v Z`, with :math:`m = m(t)`, :math:`v =
\sigma^2(t)`
from the process) serves ``log_density_derivative(x, k)`` for k = 0..4 (shape (n,) + (d,)*k), as well as
``log_prob``, ``score``, ``score_jacobian`` and ``score_hessian``.

How values are computed (formulas in :mod:`sgmverify.laws._derivatives`):

* **float64 closed form first**, vectorised, with an error-amplification estimate ``cond`` (sum of the
  absolute values of the terms that cancel, propagated through each step, over the result);
* **mpmath where float64 cancels**: points with ``cond * eps > FLOAT_TOL`` (or a non-finite value) are
  recomputed one by one in mpmath with the same formulas at ``30 + ceil(log10(1/v)) + ceil(log10(cond))``
  digits, raised again if the mpmath ``cond`` asks for more
  (docs/papers/stephanovitch_2025.md §6 item 13: the
  :math:`-1/v + \mathrm{Cov}/v^2` route, small t near boundaries and atoms).  A value that is zero at the
  working precision (e.g. an odd derivative at a centre of symmetry) is returned as computed there.

Reference: Stéphanovitch notes, ``docs/papers/stephanovitch_2025.md`` §1.4 (Tweedie and posterior cumulants,
[D]) and §5 (the test laws and their closed forms, [D]).
"""

from __future__ import annotations

import math

import mpmath
import numpy as np

from sgmverify.errors import InvalidParameterError, ShapeError, TimeDomainError, WeightsError
from sgmverify.laws import _circle as lc, _derivatives as ld

from ._base import (
    Distribution,
    _validated_weights,
    as_float_array,
    check_sample_args,
    noise_coeffs,
    real_scalar,
)
from ._scores import Derivatives

__all__ = ["Atoms", "HolderCusp", "NoisedLaw", "UniformBox", "UniformCircle"]

#: keep a float64 value when cond * eps is at most this (so its relative error is ~1e-9 or better)
FLOAT_TOL = 1e-9
#: at most this many mpmath digits
MAX_DPS = 400


def base_dps(v: float) -> int:
    r"""mpmath digits before cancellation: :math:`30 + \lceil\log_{10}(1/v)\rceil^+`
    (docs/papers/stephanovitch_2025.md §6 item 13)."""
    return 30 + max(0, math.ceil(math.log10(1.0 / v)))


def _noise(process, t) -> tuple[float, float, float]:
    tf = real_scalar(t, "t")
    if not tf > 0:
        raise TimeDomainError(f"t = {t} must be > 0: this law has no smooth density at t = 0; pass t > 0")
    t, m, v = noise_coeffs(process, tf)
    if not v > 0:
        raise TimeDomainError(
            f"sigma^2(t) = {v} at t = {t}: the noised law needs positive noise; pass a larger t"
        )
    return t, m, v


class NoisedLaw(Distribution):
    r"""Base of the noised laws here: float64 values with an error estimate, mpmath where it is too large.

    Subclasses define ``_dk_float(x, k) -> (values (n,)+(d,)*k, cond (n,))`` and ``_dk_mp(x_row, k) ->
    (object array of mpf (d,)*k, cond)``.  Attributes ``base`` (the data law), ``t``, ``m``, ``v``; the
    optional ``process`` lets the error for a value beyond float64 (t too small: derivatives scale like
    :math:`(m/v)^k`) name the smallest usable t.  An empty batch gives an empty result.
    """

    def __init__(self, base, t: float, m: float, v: float, process=None):
        self.base, self.t, self.m, self.v = base, t, m, v
        self._process = process  # private: not part of the law's description (content hashes)
        self.dim = base.dim

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.base!r}, t={self.t}, m={self.m:.6g}, var={self.v:.6g})"

    @property
    def s(self) -> float:
        r""":math:`s_t = \sqrt{v_t}`, the noise scale."""
        return math.sqrt(self.v)

    def _dk(self, x: np.ndarray, k: int) -> np.ndarray:
        n = x.shape[0]
        if n == 0:  # an empty batch: an empty result of the right shape, like every law
            return np.zeros((0,) + (self.dim,) * k)
        try:
            with np.errstate(all="ignore"):  # overflow far out gives non-finite values: recomputed below
                val, cond = self._dk_float(x, k)
        except (OverflowError, ZeroDivisionError):  # a Python float power (m/v)^k beyond float64 (tiny v)
            val, cond = np.full((n,) + (self.dim,) * k, np.nan), np.full(n, np.inf)
        val = np.array(val, dtype=float)
        cond = np.asarray(cond, dtype=float)
        flat = val.reshape(n, -1)
        finite = np.all(np.isfinite(flat), axis=1)
        if k == 0:  # log p_t = -inf only where |x|^2 / (2v) overflows: the float64 answer is -inf
            finite |= flat[:, 0] == -np.inf
            cond = np.where(flat[:, 0] == -np.inf, 1.0, cond)
        bad = ~finite | ~np.isfinite(cond) | (cond * ld.EPS > FLOAT_TOL)
        for i in np.flatnonzero(bad):
            try:
                val[i] = self._mp_point(x[i], k, float(cond[i]))
            except InvalidParameterError:  # already says what is wrong (t too small, x too far out)
                raise
            except (OverflowError, ZeroDivisionError, ValueError) as exc:
                raise InvalidParameterError(
                    f"x = {x[i].tolist()} is too far out for order {k} at t = {self.t} (mpmath: {exc!r}); "
                    "pass a point closer to the data"
                ) from None
        return val

    def _mp_point(self, xi: np.ndarray, k: int, cond: float) -> np.ndarray:
        extra = math.ceil(math.log10(cond)) if math.isfinite(cond) and cond > 1 else 20
        dps = min(base_dps(self.v) + max(extra, 0), MAX_DPS)
        for _attempt in range(3):
            with mpmath.workdps(dps):
                out, c = self._dk_mp(xi, k)
                res = np.array([float(z) for z in np.ravel(out)]).reshape(np.shape(out))
                if k > 0 and not np.all(np.isfinite(res)):  # (k = 0: log p_t = -inf far out is right)
                    self._beyond_float64(xi, k, max(np.ravel(out), key=abs))
                digits = float(mpmath.log10(c)) if mpmath.isfinite(c) and c > 0 else math.inf
            if digits > dps - 10 or digits + 15 <= dps or dps >= MAX_DPS:
                # accurate, or zero at this precision (the value is below 10^-(dps-10) of its terms)
                return res
            dps = min(math.ceil(digits) + 25, MAX_DPS)
        return res

    def _beyond_float64(self, xi: np.ndarray, k: int, value) -> None:
        """The exact order-k derivative at ``xi`` is beyond float64: TimeDomainError when t is too small
        (the scale (m/v)^k itself is beyond 1e300), InvalidParameterError when x is too far out."""
        scale = mpmath.mpf(self.m) / mpmath.mpf(self.v)
        if scale**k <= mpmath.mpf(10) ** 300:
            raise InvalidParameterError(
                f"x = {np.asarray(xi).tolist()} is too far out for order {k} at t = {self.t:g}: the "
                f"derivative is {mpmath.nstr(value, 4)}, beyond float64's largest number 1.8e308; pass a "
                "point closer to the data"
            )
        t_min = self._smallest_t(k)
        hint = (
            f"the smallest t at which (m/v)^{k} <= 1e300 is about {t_min:.3g}; pass t >= that"
            if t_min is not None
            else f"pass a larger t (one with v = sigma^2(t) >= about m * 1e-{300 // k})"
        )
        raise TimeDomainError(
            f"t = {self.t:g} is too small for float64: at x = {np.asarray(xi).tolist()} the order-{k} "
            f"derivative of log p_t is {mpmath.nstr(value, 4)} (these derivatives scale like (m/v)^{k} = "
            f"{mpmath.nstr(scale**k, 3)}), beyond float64's largest number 1.8e308; {hint}, or a lower order"
        )

    def _smallest_t(self, k: int) -> float | None:
        """Smallest t >= self.t with (m(t)/v(t))^k <= 1e300, by bisection in log t (None if unknown)."""
        p = self._process
        if p is None:
            return None

        def excess(t: float) -> float:  # log10 (m/v)^k - 300
            return k * math.log10(float(p.mean_coeff(t)) / float(p.var(t))) - 300.0

        lo, hi = math.log(self.t), math.log(min(1.0, 0.99 * float(getattr(p, "t_max", math.inf))))
        try:
            if not (lo < hi and excess(math.exp(hi)) <= 0):
                return None
            for _ in range(60):
                mid = 0.5 * (lo + hi)
                lo, hi = (mid, hi) if excess(math.exp(mid)) > 0 else (lo, mid)
        except (ArithmeticError, ValueError):
            return None
        return math.exp(hi)

    def _derivs(self, x: np.ndarray, order: int) -> Derivatives:
        return Derivatives(*[self._dk(x, j) for j in range(order + 1)])

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        r"""``n`` draws :math:`m X_0 + \sqrt v Z`, shape (n, d)."""
        x0 = self.base.sample(n, rng)
        return self.m * x0 + math.sqrt(self.v) * rng.standard_normal(x0.shape)


class _NoDensity(Distribution):
    def _derivs(self, x, order):
        raise InvalidParameterError(
            f"{type(self).__name__} has no density on R^{self.dim}; use law.noised(process, t) with t > 0"
        )

    def _dk(self, x, k):
        return self._derivs(x, k)


# ---------------------------------------------------------------------------------------------------
# atoms (and the two-point law)
# ---------------------------------------------------------------------------------------------------


class Atoms(_NoDensity):
    r"""Finite atomic law :math:`\sum_i w_i \delta_{y_i}` (no density).

    Parameters
    ----------
    points : (K, d) array (a (K,) array means K points on the line)
    weights : (K,) positive weights summing to 1 (default: uniform)
    """

    def __init__(self, points, weights=None):
        pts = as_float_array(points, "points")
        if pts.ndim == 1:
            pts = pts[:, None]
        if pts.ndim != 2 or pts.shape[0] == 0:
            raise ShapeError(f"points must have shape (K, d) with K >= 1; got {np.shape(points)}")
        if weights is None:
            weights = np.full(pts.shape[0], 1.0 / pts.shape[0])
        w = _validated_weights(weights)
        if w.shape[0] != pts.shape[0]:
            raise ShapeError(
                f"weights have {w.shape[0]} entries for {pts.shape[0]} points; pass one per point"
            )
        if np.any(w <= 0):
            raise WeightsError(f"weights must be > 0 (drop atoms of zero weight); got min {w.min():.3g}")
        self.points, self.weights, self.dim = pts, w, pts.shape[1]

    @classmethod
    def two_point(cls, a: float = 1.0) -> Atoms:
        r"""The symmetric two-point law :math:`\tfrac12(\delta_{-a} + \delta_a)` on the line
        (docs/papers/stephanovitch_2025.md §3.2 R2, R11)."""
        a = real_scalar(a, "a")
        if not (math.isfinite(a) and a > 0):
            raise InvalidParameterError(f"a = {a} must be a finite number > 0")
        return cls([[-a], [a]])

    def __repr__(self) -> str:
        return f"Atoms(K={len(self.weights)}, dim={self.dim})"

    @property
    def diameter(self) -> float:
        """Largest distance between two atoms."""
        diff = self.points[:, None, :] - self.points[None, :, :]
        return float(np.sqrt(np.max(np.sum(diff * diff, axis=-1))))

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        n = check_sample_args(n, rng, self.dim)
        return self.points[rng.choice(len(self.weights), size=n, p=self.weights)]

    def noised(self, process, t: float) -> NoisedAtoms:
        return NoisedAtoms(self, *_noise(process, t), process=process)


class NoisedAtoms(NoisedLaw):
    r"""Noised atoms: posterior over the atoms (docs/papers/stephanovitch_2025.md §1.4, R2, R7, R11).

    k = 0: log-sum-exp; k = 1: :math:`(m\bar y - x)/v`; k = 2: :math:`-I/v + (m/v)^2\mathrm{Cov}`; k = 3, 4:
    :math:`(m/v)^k\kappa_k` of the posterior :math:`r_i \propto w_i e^{-|x - m y_i|^2/(2v)}`, all in float64,
    mpmath where the estimated error exceeds ``FLOAT_TOL`` (near zero crossings; at small v where the
    logits :math:`m x\cdot y/v` are so large that the responsibilities lose digits).
    """

    def _dk_float(self, x, k):
        b = self.base
        return ld.atoms_float(x, b.points, np.log(b.weights), self.m, self.v, k)

    def _dk_mp(self, xi, k):
        return ld.atoms_mp(xi, self.base.points, self.base.weights, self.m, self.v, k)


# ---------------------------------------------------------------------------------------------------
# uniform on a box
# ---------------------------------------------------------------------------------------------------


class UniformBox(Distribution):
    r"""Uniform law on the box :math:`\prod_j [low_j, high_j]` (an interval when d = 1).

    ``log_prob`` is :math:`-\sum_j\log(high_j - low_j)` inside and ``-inf`` outside; the derivatives of the
    data law are 0 inside and NaN outside.
    """

    def __init__(self, low, high):
        lo, hi = np.atleast_1d(as_float_array(low, "low")), np.atleast_1d(as_float_array(high, "high"))
        if lo.ndim != 1 or lo.shape != hi.shape:
            raise ShapeError(
                f"low and high must be scalars or (d,) arrays of one shape; got {lo.shape}, {hi.shape}"
            )
        if np.any(lo >= hi):
            j = int(np.flatnonzero(lo >= hi)[0])
            raise InvalidParameterError(
                f"low must be < high in every coordinate; coordinate {j}: {lo[j]} >= {hi[j]}"
            )
        self.low, self.high, self.dim = lo, hi, lo.shape[0]

    def __repr__(self) -> str:
        return f"UniformBox(low={self.low.tolist()}, high={self.high.tolist()})"

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        n = check_sample_args(n, rng, self.dim)
        return self.low + (self.high - self.low) * rng.uniform(size=(n, self.dim))

    def _derivs(self, x, order):
        return Derivatives(*[self._dk(x, j) for j in range(order + 1)])

    def _dk(self, x, k):
        """log p (k = 0: a constant inside, -inf outside); 0 inside and NaN outside for k >= 1."""
        inside = np.all((x >= self.low) & (x <= self.high), axis=1)
        n, d = x.shape
        if k == 0:
            return np.where(inside, -float(np.sum(np.log(self.high - self.low))), -np.inf)
        return np.where(inside.reshape((n,) + (1,) * k), 0.0, np.nan) * np.ones((n,) + (d,) * k)

    def noised(self, process, t: float) -> NoisedUniformBox:
        return NoisedUniformBox(self, *_noise(process, t), process=process)


class NoisedUniformBox(NoisedLaw):
    r"""Noised box: product over coordinates of :math:`[\Phi(\beta_j) - \Phi(\alpha_j)]/(m(high_j - low_j))`.

    Per coordinate, :math:`\partial^k` is :math:`(-1/s)^k` times the k-th cumulant of the derivative ratios of
    :math:`\Phi(\beta + u) - \Phi(\alpha + u)` (Hermite polynomials times :math:`\varphi`, ``log_ndtr``;
    :func:`~sgmverify.laws._derivatives.interval_float`); tensors are diagonal.  float64, with mpmath
    (``ncdf``) where it cancels: far outside the box (:math:`|x - \text{edge}| \gg s`, where
    :math:`(\log\Phi)^{(k)}` is a small difference of large terms) and near zero crossings.
    """

    def _coords(self, fn, x, k):
        b = self.base
        return [fn(x[..., j], b.low[j], b.high[j], self.m, self.v, k) for j in range(self.dim)]

    def _dk_float(self, x, k):
        parts = self._coords(ld.interval_float, x, k)
        vals = np.stack([p[0] for p in parts], axis=1)
        with np.errstate(invalid="ignore"):
            errs = np.stack([np.where(np.isfinite(p[1]), p[1] * np.abs(p[0]), np.inf) for p in parts], axis=1)
        n = x.shape[0]
        if k == 0:
            val = vals.sum(axis=1)
            return val, ld._ratio(errs.sum(axis=1), val)
        out = np.zeros((n,) + (self.dim,) * k)
        for j in range(self.dim):
            out[(slice(None),) + (j,) * k] = vals[:, j]
        return out, ld._ratio(errs.max(axis=1), np.abs(vals).max(axis=1))

    def _dk_mp(self, xi, k):
        parts = self._coords(ld.interval_mp, xi, k)
        vals = [p[0][()] for p in parts]
        errs = [p[1] * abs(p[0][()]) if mpmath.isfinite(p[1]) else mpmath.inf for p in parts]
        if k == 0:
            val = sum(vals)
            return np.array(val), ld._mp_ratio(sum(errs), val)
        out = np.full((self.dim,) * k, mpmath.mpf(0), dtype=object)
        for j in range(self.dim):
            out[(j,) * k] = vals[j]
        return out, ld._mp_ratio(max(errs), max(abs(z) for z in vals))


# ---------------------------------------------------------------------------------------------------
# uniform on a circle
# ---------------------------------------------------------------------------------------------------


class UniformCircle(_NoDensity):
    r"""Uniform law on the circle of radius ``radius`` centred at 0 in :math:`\mathbb R^2` (no density)."""

    dim = 2

    def __init__(self, radius: float = 1.0):
        radius = real_scalar(radius, "radius")
        if not (math.isfinite(radius) and radius > 0):
            raise InvalidParameterError(f"radius = {radius} must be a finite number > 0")
        self.radius = radius

    def __repr__(self) -> str:
        return f"UniformCircle(radius={self.radius})"

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        n = check_sample_args(n, rng, 2)
        th = rng.uniform(0.0, 2 * math.pi, size=n)
        return self.radius * np.stack([np.cos(th), np.sin(th)], axis=1)

    def noised(self, process, t: float) -> NoisedUniformCircle:
        return NoisedUniformCircle(self, *_noise(process, t), process=process)


class NoisedUniformCircle(NoisedLaw):
    r"""Noised circle: :math:`p_t(x) = (2\pi v)^{-1}e^{-(|x|^2 + m^2R^2)/(2v)} I_0(mR|x|/v)`
    (docs/papers/stephanovitch_2025.md §5, R7).

    Derivatives of the radial part from the cumulants of :math:`\cos\theta` under the von Mises posterior
    (``scipy.special.ive`` ratios) assembled into radial tensors
    (:func:`~sgmverify.laws._circle.circle_float`; Taylor series of :math:`\log I_0` near the centre);
    mpmath (``besseli``) where float64 cancels: near the circle at small v (the von Mises cumulants are tiny
    differences of O(1) moments) and near zero crossings.
    """

    def _dk_float(self, x, k):
        return lc.circle_float(x, self.base.radius, self.m, self.v, k)

    def _dk_mp(self, xi, k):
        return lc.circle_mp(xi, self.base.radius, self.m, self.v, k)


# ---------------------------------------------------------------------------------------------------
# the Hölder-beta cusp
# ---------------------------------------------------------------------------------------------------


class HolderCusp(Distribution):
    r"""1-D density :math:`q(y) = (1 + a|y|^\beta)\varphi(y)/Z`, :math:`Z = 1 + a c_\beta`,
    :math:`c_\beta = E|N(0,1)|^\beta = 2^{\beta/2}\Gamma((\beta+1)/2)/\sqrt\pi`
    (docs/papers/stephanovitch_2025.md §5, R9, R10).

    Hölder-β at 0 (:math:`\beta \in (0, 2)`; β = 1 is a kink), full support, sub-Gaussian.  Sampling: with
    probability :math:`1/Z` a standard normal, else :math:`\pm\sqrt{\chi^2_{\beta+1}}` (density
    :math:`\propto |y|^\beta\varphi(y)`).
    """

    dim = 1

    def __init__(self, beta: float, a: float = 1.0):
        beta, a = real_scalar(beta, "beta"), real_scalar(a, "a")
        if not 0 < beta < 2:
            raise InvalidParameterError(
                f"beta = {beta} must lie in (0, 2) (the Hölder exponent of the cusp at 0)"
            )
        if not (math.isfinite(a) and a >= 0):
            raise InvalidParameterError(
                f"a = {a} must be a finite number >= 0 (the density must stay positive)"
            )
        self.beta, self.a = beta, a
        self.c_beta = 2 ** (beta / 2) * math.gamma((beta + 1) / 2) / math.sqrt(math.pi)
        self.log_z = math.log1p(a * self.c_beta)

    def __repr__(self) -> str:
        return f"HolderCusp(beta={self.beta}, a={self.a})"

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        n = check_sample_args(n, rng, 1)
        cusp = rng.uniform(size=n) < self.a * self.c_beta / (1 + self.a * self.c_beta)
        y = rng.standard_normal(n)
        r = np.sqrt(rng.chisquare(self.beta + 1, size=n)) * rng.choice([-1.0, 1.0], size=n)
        return np.where(cusp, r, y)[:, None]

    def _derivs(self, x, order):
        if order > 0:
            raise InvalidParameterError(
                "the cusp density is not differentiable at 0; use law.noised(process, t) for derivatives"
            )
        y = x[:, 0]
        return Derivatives(
            np.log1p(self.a * np.abs(y) ** self.beta) - 0.5 * y * y - 0.5 * ld.LOG_2PI - self.log_z
        )

    def _dk(self, x, k):
        return self._derivs(x, k)[k]  # k > 0 raises: not differentiable at 0

    def noised(self, process, t: float) -> NoisedHolderCusp:
        return NoisedHolderCusp(self, *_noise(process, t), process=process)


class NoisedHolderCusp(NoisedLaw):
    r"""Noised cusp: :math:`p_t(x) = \varphi_{S}(x)\,[1 + a c_\beta V^{\beta/2}\,{}_1F_1(-\beta/2; 1/2;
    -m^2x^2/(2vS))]/Z` with :math:`S = m^2 + v`, :math:`V = v/S`
    (docs/papers/stephanovitch_2025.md §5; VE: S = 1 + τ).

    Derivatives: Gaussian part plus the cumulants of the derivative ratios of the ₁F₁ factor
    (:func:`~sgmverify.laws._derivatives.cusp_float`, ``scipy.special.hyp1f1``); mpmath (``hyp1f1``) where
    float64 cancels or :math:`|w| > 10^4` (far out, :math:`|x| \gtrsim 140 s`).  At x = 0 and k = 2 this is
    docs/papers/stephanovitch_2025.md §3.2 R9: :math:`-1/S + a\beta c_\beta V^{\beta/2}/v \cdot (\ldots)`.
    """

    def _dk_float(self, x, k):
        b = self.base
        val, cond = ld.cusp_float(x[:, 0], self.m, self.v, b.beta, b.a, b.log_z, k)
        return val.reshape((x.shape[0],) + (1,) * k), cond

    def _dk_mp(self, xi, k):
        b = self.base
        val, cond = ld.cusp_mp(xi[0], self.m, self.v, b.beta, b.a, b.log_z, k)
        return np.asarray(val, dtype=object).reshape((1,) * k), cond
