r"""Honest suprema over :math:`x` of the derivatives of :math:`\log p_t`.

For a noised law :math:`p_t` (data :math:`X_0 \sim p`, :math:`X_t = m_t X_0 + \sqrt{v_t} Z`) this module
computes

.. math::

    \sup_x \|\nabla^k \log p_t(x)\|, \qquad \sup_x \lambda_{\max}\big(\nabla^2 \log p_t(x)\big), \qquad
    \inf_x \lambda_{\min}\big(\nabla^2 \log p_t(x)\big),

with the norm stated in the result: Euclidean for :math:`k = 1`, the operator (spectral) norm for
:math:`k = 2` (so :math:`\sup_x\|\nabla^2\log p_t\|_{op} = \mathrm{Lip}(s_t)`), the Frobenius norm for
:math:`k \ge 3` (an upper bound on the injective norm, within a factor :math:`d^{(k-1)/2}`); for
:math:`d = 1` all are :math:`|\cdot|`.

*Why a plain grid is not enough* (math reference ``docs/papers/stephanovitch.md`` §6 item 13): near an atom,
a support boundary or a cusp the derivatives vary on the scale :math:`s_t = \sqrt{v_t}` in :math:`x`,
i.e. :math:`\sqrt{\tau_t} = s_t/m_t` in the data variable :math:`x/m_t`, which is :math:`10^{-6}` at the
bottom of the ladder; and some suprema are limits never attained (for compact support
:math:`\nabla^2\log p_t(re) \to -I/v_t` as :math:`r \to \infty`, R3).  So the scan is

1. **boundary layers**: along lines through every landmark :math:`m_t p` (atoms, their midpoints — the medial
   set —, support ends, box faces, circle points, cusps, means), in the scaled variable
   :math:`u = (x - m_t p)/s_t` with spacing ``layer_step`` on :math:`|u| \le` ``layer``;
2. **far field**: the same lines continued geometrically to :math:`|u| =` ``far`` (``far_per_decade`` points
   per decade);
3. **bulk**: segments between pairs of landmarks, ``bulk`` points each;
4. **refinement**: around the best grid candidates, ``scipy.optimize.minimize_scalar`` (bounded, on the line)
   and, for :math:`d > 1`, Nelder–Mead in :math:`\mathbb R^d`.

If the best value sits at the outer end of a far-field ray the supremum is reported as a **limit** (kind
``"limit"``), with the last two far-field values as evidence of convergence (``far_field_gap``); otherwise
as **attained** at ``location``.  Points where the law's derivative cannot be evaluated (non-finite, or a
raised error far out) are dropped and counted (``failures``); a ray stops at its first failure.

Derivatives come from ``pt.log_density_derivative(x, k)`` (the contract of :mod:`sgmverify.laws._scores`), or,
for laws without it, from ``score`` / ``score_jacobian`` / ``score_hessian`` (:math:`k \le 3`).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize, minimize_scalar

from sgmverify.errors import InvalidParameterError, ShapeError
from sgmverify.estimates import Estimate

__all__ = ["Landmarks", "ScanConfig", "SupResult", "derivative", "landmarks", "scan_sup", "sup_over_x"]

#: evaluation batch size (points per call of the law's derivative)
BATCH = 2048


@dataclass(frozen=True)
class ScanConfig:
    """Resolution of the scan (all lengths in the scaled variable :math:`u = (x - m_t p)/s_t`).

    Attributes
    ----------
    layer, layer_step : float
        Half-width and spacing of the boundary layer around each landmark.
    far : float
        Outer end of the far-field rays; :math:`10^7` resolves a limit :math:`-1/v_t` to relative
        :math:`\\sim u^{-2} = 10^{-14}` for compact support (R3).
    far_per_decade : int
        Geometric far-field points per decade.
    bulk : int
        Points on each segment between two landmarks.
    n_refine : int
        Grid candidates refined locally.
    directions : int
        For :math:`d \\ge 2`: lines per landmark (axes, diagonals, then fixed pseudo-random directions).
    """

    layer: float = 8.0
    layer_step: float = 0.05
    far: float = 1e7
    far_per_decade: int = 6
    bulk: int = 200
    n_refine: int = 3
    directions: int = 4

    def __post_init__(self) -> None:
        if not (self.layer > 0 and 0 < self.layer_step < self.layer and self.far > self.layer):
            raise InvalidParameterError(
                f"need 0 < layer_step < layer < far, got {self.layer_step}, {self.layer}, {self.far}."
            )
        if min(self.far_per_decade, self.bulk, self.directions) < 1 or self.n_refine < 0:
            raise InvalidParameterError("far_per_decade, bulk and directions must be >= 1, n_refine >= 0.")

    @classmethod
    def coarse(cls) -> ScanConfig:
        """A cheap scan (for laws evaluated with mpmath): spacing 0.1 on |u| <= 6, 4 points per decade."""
        return cls(layer=6.0, layer_step=0.1, far_per_decade=4, bulk=60, n_refine=2, directions=3)


@dataclass(frozen=True)
class Landmarks:
    """Points of the data space around which the derivatives vary fastest, and what the law is like.

    ``points`` (L, d) are in the data variable (they are mapped to :math:`m_t p` for the scan); ``compact``
    says the support is bounded (so the far field holds a limit, R3); ``scale`` is the data's size.
    """

    points: np.ndarray
    compact: bool = False
    scale: float = 1.0
    pairs: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class SupResult:
    """A supremum over :math:`x` with its evidence.

    Attributes
    ----------
    value : float
        The supremum (for ``side="min"``: the infimum of :math:`\\lambda_{\\min}`).
    location : (d,) array
        Where it is attained, or the last far-field point of the ray along which it is approached.
    kind : str
        ``"attained"`` or ``"limit"`` (approached as :math:`|x| \\to \\infty`, never attained).
    quantity : str
        What was maximised, with the norm.
    n_evals, n_lines, failures : int
        Points evaluated, scan lines, points dropped (non-finite or raising).
    refine_gain : float
        Improvement of the refinement over the best grid value (0 when not refined).
    far_field_gap : float
        For a limit: |last - previous| far-field value (how converged the limit is); else NaN.
    """

    value: float
    location: np.ndarray
    kind: str
    quantity: str
    n_evals: int
    n_lines: int
    failures: int = 0
    refine_gain: float = 0.0
    far_field_gap: float = math.nan
    scaled_location: float = math.nan
    extra: dict = field(default_factory=dict)

    @property
    def evidence(self) -> str:
        """One line: how the value was found."""
        where = np.array2string(np.asarray(self.location), precision=6)
        if self.kind == "limit":
            how = f"limit as |x|→∞ along a ray (far-field gap {self.far_field_gap:.2g})"
        else:
            how = (
                f"attained at x = {where} (|u| = {self.scaled_location:.3g}; "
                f"refinement gained {self.refine_gain:.2g})"
            )
        fails = f", {self.failures} points dropped" if self.failures else ""
        return f"{self.quantity}: {how}; {self.n_evals} evaluations on {self.n_lines} lines{fails}"

    def estimate(self) -> Estimate:
        """The value as an exact :class:`~sgmverify.estimates.Estimate` whose method is the evidence."""
        return Estimate.exact_value(self.value, method=self.evidence)


# ------------------------------------------------------------------------------------------------ derivatives
def derivative(pt, x: np.ndarray, k: int) -> np.ndarray:
    r""":math:`\nabla^k \log p_t(x)` at the rows of ``x`` (n, d): shape (n,) + (d,)*k.

    Uses ``pt.log_density_derivative`` when the law has it, else ``log_prob`` / ``score`` /
    ``score_jacobian`` / ``score_hessian`` (:math:`k \le 3`).
    """
    if hasattr(pt, "log_density_derivative"):
        return np.asarray(pt.log_density_derivative(x, k), dtype=float)
    names = {0: "log_prob", 1: "score", 2: "score_jacobian", 3: "score_hessian"}
    if k not in names:
        raise InvalidParameterError(
            f"{type(pt).__name__} has no log_density_derivative; only orders 0-3 are available, got k = {k}."
        )
    return np.asarray(getattr(pt, names[k])(x), dtype=float)


def _functional(k: int, d: int, side: str | None, norm: str) -> Callable[[np.ndarray], np.ndarray]:
    """Array (n,)+(d,)*k -> the (n,) values to maximise."""
    if side is not None:
        if k != 2:
            raise InvalidParameterError(f"side={side!r} (an eigenvalue) needs k = 2, got k = {k}.")
        if side == "max":
            return lambda a: np.linalg.eigvalsh(a)[:, -1]
        if side == "min":
            return lambda a: -np.linalg.eigvalsh(a)[:, 0]
        raise InvalidParameterError(f"side must be None, 'max' or 'min', got {side!r}.")
    if d == 1 or k == 0:
        return lambda a: np.abs(a.reshape(a.shape[0]))
    if k == 1:
        return lambda a: np.linalg.norm(a, axis=1)
    if k == 2 and norm == "op":
        return lambda a: np.max(np.abs(np.linalg.eigvalsh(a)), axis=1)
    if norm == "fro":
        return lambda a: np.sqrt(np.sum(a.reshape(a.shape[0], -1) ** 2, axis=1))
    raise InvalidParameterError(f"norm {norm!r} is not available for k = {k}; use 'op' (k = 2) or 'fro'.")


def _quantity(k: int, d: int, side: str | None, norm: str) -> str:
    if side == "max":
        return "sup_x λ_max(∇² log p_t)"
    if side == "min":
        return "inf_x λ_min(∇² log p_t)"
    bars = "|·|" if d == 1 else {"op": "‖·‖_op", "fro": "‖·‖_F"}.get(norm, "‖·‖_2")
    return f"sup_x {bars} of ∇^{k} log p_t"


# ------------------------------------------------------------------------------------------------ landmarks
def landmarks(law) -> Landmarks:
    """Landmarks of a data law, by its type (atoms, boxes, circle, cusp, Gaussian, mixture, 1-D density)."""
    name = type(law).__name__
    d = int(law.dim)
    if hasattr(law, "points") and name.lower().startswith("atom"):
        pts = np.asarray(law.points, dtype=float).reshape(-1, d)
        mids = [(pts[i] + pts[j]) / 2 for i, j in itertools.combinations(range(len(pts)), 2)]
        allp = np.vstack([pts, *mids]) if mids else pts
        pairs = tuple(itertools.combinations(range(len(pts)), 2))
        return Landmarks(allp, compact=True, scale=_spread(pts), pairs=pairs)
    if hasattr(law, "low") and hasattr(law, "high"):
        lo = np.asarray(law.low, dtype=float).reshape(d)
        hi = np.asarray(law.high, dtype=float).reshape(d)
        c, half = (lo + hi) / 2, (hi - lo) / 2
        faces = [c + sgn * half[i] * np.eye(d)[i] for i in range(d) for sgn in (-1, 1)]
        pts = np.vstack([c, *faces])
        return Landmarks(
            pts, compact=True, scale=float(np.max(hi - lo)), pairs=tuple((0, j) for j in range(1, len(pts)))
        )
    if hasattr(law, "radius") and d == 2:  # rotation invariant: the centre and one point of the circle
        r = float(law.radius)
        pts = np.array([[0.0, 0.0], [r, 0.0]])
        return Landmarks(pts, compact=True, scale=2 * r, pairs=((0, 1),))
    if hasattr(law, "beta") and d == 1:  # the cusp at 0; full support, bounded far field
        return Landmarks(np.zeros((1, 1)), compact=False, scale=1.0)
    if hasattr(law, "means"):
        pts = np.asarray(law.means, dtype=float)
        mids = [(pts[i] + pts[j]) / 2 for i, j in itertools.combinations(range(len(pts)), 2)]
        allp = np.vstack([pts, *mids]) if mids else pts
        scale = _spread(pts) + float(np.sqrt(np.max(np.linalg.eigvalsh(np.asarray(law.covs)))))
        return Landmarks(allp, scale=scale, pairs=tuple(itertools.combinations(range(len(pts)), 2)))
    if hasattr(law, "mean") and hasattr(law, "cov"):
        return Landmarks(
            np.asarray(law.mean, dtype=float).reshape(1, d), scale=float(np.sqrt(np.max(np.diag(law.cov))))
        )
    if hasattr(law, "support") and d == 1:
        a, b = (float(z) for z in law.support)
        pts = [z for z in (a, b) if math.isfinite(z)]
        pts += [float(z) for z in getattr(law, "breakpoints", ())]
        if not pts or not all(math.isfinite(z) for z in (a, b)):
            pts.append(0.0)
        pts = sorted(set(pts))
        compact = math.isfinite(a) and math.isfinite(b)
        arr = np.array(pts).reshape(-1, 1)
        return Landmarks(
            arr,
            compact=compact,
            scale=max(1.0, pts[-1] - pts[0]),
            pairs=tuple(zip(range(len(pts) - 1), range(1, len(pts)))),
        )
    return Landmarks(np.zeros((1, d)))


def _spread(pts: np.ndarray) -> float:
    return float(np.max(np.ptp(pts, axis=0))) if len(pts) > 1 else 1.0


def _directions(d: int, n: int) -> np.ndarray:
    if d == 1:
        return np.ones((1, 1))
    dirs = list(np.eye(d))
    dirs += [np.ones(d) / math.sqrt(d), np.r_[1.0, -np.ones(d - 1)] / math.sqrt(d)]
    rng = np.random.default_rng(12345)  # fixed: the scan is deterministic
    while len(dirs) < n:
        z = rng.standard_normal(d)
        dirs.append(z / np.linalg.norm(z))
    return np.array(dirs[: max(n, d)])


# ------------------------------------------------------------------------------------------------ the scan
@dataclass
class _Line:
    origin: np.ndarray
    direction: np.ndarray
    u: np.ndarray  # scaled coordinates along the line (x = origin + scale * u * direction)
    scale: float
    far_ends: tuple[bool, bool]  # whether the first / last point is a far-field end

    def points(self) -> np.ndarray:
        return self.origin + self.scale * self.u[:, None] * self.direction


def _lines(marks: Landmarks, m: float, s: float, cfg: ScanConfig) -> list[_Line]:
    d = marks.points.shape[1]
    layer = np.arange(-cfg.layer, cfg.layer + cfg.layer_step / 2, cfg.layer_step)
    n_far = max(2, math.ceil(math.log10(cfg.far / cfg.layer) * cfg.far_per_decade) + 1)
    far = np.geomspace(cfg.layer, cfg.far, n_far)[1:]
    # medial layer: near atoms / the medial set the posterior tilts on the scale v/(m*scale), i.e.
    # u = s/(m*scale) * w; add |w| in [1e-2, 30] when that scale is below the layer spacing
    inner = s / (m * max(marks.scale, 1e-300))
    extra = inner * np.geomspace(1e-2, 30.0, 24) if inner < cfg.layer_step else np.empty(0)
    u = np.unique(np.concatenate([-far[::-1], layer, far, extra, -extra]))
    lines = [
        _Line(m * p, e, u, s, (True, True)) for p in marks.points for e in _directions(d, cfg.directions)
    ]
    for i, j in marks.pairs:
        a, b = m * marks.points[i], m * marks.points[j]
        length = float(np.linalg.norm(b - a))
        if length <= 0:
            continue
        ub = np.linspace(0.0, length / s, cfg.bulk)
        lines.append(_Line(a, (b - a) / length, ub, s, (False, False)))
    return lines


def _evaluate(f: Callable[[np.ndarray], np.ndarray], x: np.ndarray) -> tuple[np.ndarray, int]:
    """Values at the rows of x; NaN where the law fails (counted)."""
    out = np.full(len(x), np.nan)
    for start in range(0, len(x), BATCH):
        chunk = x[start : start + BATCH]
        try:
            with np.errstate(all="ignore"):
                out[start : start + BATCH] = f(chunk)
        except (ArithmeticError, ValueError, RuntimeError, InvalidParameterError):
            for i in range(len(chunk)):  # isolate the failing points
                try:
                    with np.errstate(all="ignore"):
                        out[start + i] = f(chunk[i : i + 1])[0]
                except (ArithmeticError, ValueError, RuntimeError, InvalidParameterError):
                    pass
    bad = ~np.isfinite(out)
    out[bad] = np.nan
    return out, int(bad.sum())


def _truncate_rays(vals: np.ndarray, line: _Line) -> np.ndarray:
    """Far-field rays stop at their first failed point (NaN from there outwards)."""
    n = len(vals)
    centre = int(np.argmin(np.abs(line.u)))
    for idx in (range(centre, n), range(centre, -1, -1)):
        dead = False
        for i in idx:
            dead = dead or np.isnan(vals[i])
            if dead:
                vals[i] = np.nan
    return vals


def scan_sup(
    pt,
    k: int,
    m: float,
    v: float,
    marks: Landmarks,
    *,
    side: str | None = None,
    norm: str | None = None,
    config: ScanConfig | None = None,
) -> SupResult:
    r"""Supremum over :math:`x` of a functional of :math:`\nabla^k \log p_t` (module docstring).

    Parameters
    ----------
    pt : noised law
        Anything :func:`derivative` can differentiate.
    k : int
        Derivative order (1 to 4).
    m, v : float
        :math:`m_t > 0` and :math:`v_t > 0` of the forward process at the time of ``pt``.
    marks : Landmarks
        Where to put boundary layers (:func:`landmarks` of the data law).
    side : {None, "max", "min"}
        None: a norm of :math:`\nabla^k \log p_t`; ``"max"``/``"min"``: :math:`\sup\lambda_{\max}` /
        :math:`\inf\lambda_{\min}` of the Hessian (k = 2).
    norm : {"op", "fro"}, optional
        Default ``"op"`` for k = 2, ``"fro"`` for k >= 3 (ignored for d = 1 and for ``side``).
    config : ScanConfig, optional
    """
    if not (isinstance(k, int | np.integer) and 1 <= k <= 4):
        raise InvalidParameterError(f"k must be an integer in 1..4, got {k!r}.")
    if not (m > 0 and v > 0 and math.isfinite(m) and math.isfinite(v)):
        raise InvalidParameterError(f"need m > 0 and v > 0 (t > 0), got m = {m}, v = {v}.")
    pts = np.asarray(marks.points, dtype=float)
    if pts.ndim != 2 or pts.shape[1] != pt.dim:
        raise ShapeError(f"landmarks must have shape (L, {pt.dim}), got {pts.shape}.")
    cfg = config or ScanConfig()
    norm = norm or ("op" if k == 2 else "fro")
    d = int(pt.dim)
    func = _functional(k, d, side, norm)

    def f(x: np.ndarray) -> np.ndarray:
        return func(derivative(pt, x, k))

    s = math.sqrt(v)
    lines = _lines(marks, m, s, cfg)
    vals_all, fails, n_evals = [], 0, 0
    for line in lines:
        vals, nf = _evaluate(f, line.points())
        n_evals += len(vals)
        fails += nf
        vals_all.append(_truncate_rays(vals, line) if any(line.far_ends) else vals)
    sign = -1.0 if side == "min" else 1.0
    quantity = _quantity(k, d, side, norm)
    interior: list[tuple[float, int, int]] = []
    ends: list[tuple[float, int, int, int]] = []  # (value, line, index, inward neighbour)
    for li, vals in enumerate(vals_all):
        finite = np.flatnonzero(~np.isnan(vals))
        if len(finite) == 0:
            continue
        outer = set()
        if lines[li].far_ends[0] and len(finite) >= 2:
            outer.add(int(finite[0]))
            ends.append((float(vals[finite[0]]), li, int(finite[0]), int(finite[1])))
        if lines[li].far_ends[1] and len(finite) >= 2:
            outer.add(int(finite[-1]))
            ends.append((float(vals[finite[-1]]), li, int(finite[-1]), int(finite[-2])))
        interior += [(float(vals[i]), li, i) for i in _local_maxima(vals) if i not in outer]
    if not interior and not ends:
        raise InvalidParameterError("the law's derivatives could not be evaluated at any scan point.")
    interior.sort(key=lambda c: -c[0])
    if interior:  # among near-ties, the point nearest its landmark (a constant Hessian is attained anywhere)
        top = interior[0][0]
        ties = [c for c in interior if c[0] >= top - 1e-12 * abs(top)]
        first = min(ties, key=lambda c: abs(lines[c[1]].u[c[2]]))
        interior.remove(first)
        interior.insert(0, first)
    ends.sort(key=lambda c: -c[0])
    best_int = interior[0][0] if interior else -math.inf
    if ends and ends[0][0] > best_int + 1e-12 * abs(best_int):
        val, li, i, j = ends[0]
        line = lines[li]
        if vals_all[li][j] < val:  # still increasing outwards: approached as |x| -> infinity
            return SupResult(
                sign * val,
                line.points()[i],
                "limit",
                quantity,
                n_evals,
                len(lines),
                fails,
                far_field_gap=abs(val - float(vals_all[li][j])),
                scaled_location=float(abs(line.u[i])),
            )
        interior.insert(0, (val, li, i))
    best_val, best_line, best_i = interior[0]
    grid_best = best_val
    x_best = lines[best_line].points()[best_i]
    u_best = float(lines[best_line].u[best_i])
    for _val, li, i in _distinct(interior, cfg.n_refine):
        xv, fv, uv = _refine_line(f, lines[li], vals_all[li], i)
        if d > 1:
            xv, fv = _refine_nd(f, xv, fv, s * cfg.layer_step)
        if fv > best_val:
            best_val, x_best, u_best = fv, xv, uv
    return SupResult(
        sign * best_val,
        x_best,
        "attained",
        quantity,
        n_evals,
        len(lines),
        fails,
        refine_gain=best_val - grid_best,
        scaled_location=abs(u_best),
    )


def _local_maxima(vals: np.ndarray) -> list[int]:
    v = np.where(np.isnan(vals), -np.inf, vals)
    left = np.r_[-np.inf, v[:-1]]
    right = np.r_[v[1:], -np.inf]
    idx = np.flatnonzero((v >= left) & (v >= right) & np.isfinite(v))
    return idx.tolist()


def _distinct(cands: list[tuple[float, int, int]], n: int) -> list[tuple[float, int, int]]:
    out, seen = [], set()
    for c in cands:
        key = (c[1], c[2])
        if key not in seen:
            out.append(c)
            seen.add(key)
        if len(out) >= n:
            break
    return out


def _refine_line(f, line: _Line, vals: np.ndarray, i: int) -> tuple[np.ndarray, float, float]:
    """Bounded 1-D maximisation on the line between the neighbours of grid point ``i``."""
    lo = line.u[max(i - 1, 0)]
    hi = line.u[min(i + 1, len(line.u) - 1)]
    x0 = line.points()[i]
    if hi <= lo:
        return x0, float(vals[i]), float(line.u[i])

    def neg(u: float) -> float:
        x = line.origin + line.scale * u * line.direction
        with np.errstate(all="ignore"):
            val = f(x[None])[0]
        return -val if np.isfinite(val) else math.inf

    try:
        res = minimize_scalar(
            neg, bounds=(lo, hi), method="bounded", options={"xatol": 1e-10 * max(1.0, abs(hi))}
        )
    except (ArithmeticError, ValueError, RuntimeError, InvalidParameterError):
        return x0, float(vals[i]), float(line.u[i])
    if np.isfinite(res.fun) and -res.fun > vals[i]:
        return line.origin + line.scale * res.x * line.direction, float(-res.fun), float(res.x)
    return x0, float(vals[i]), float(line.u[i])


def _refine_nd(f, x0: np.ndarray, f0: float, step: float) -> tuple[np.ndarray, float]:
    """Nelder–Mead in R^d from ``x0`` with an initial simplex of size ``step``."""

    def neg(x: np.ndarray) -> float:
        with np.errstate(all="ignore"):
            val = f(np.asarray(x)[None])[0]
        return -val if np.isfinite(val) else math.inf

    simplex = np.vstack([x0, x0 + step * np.eye(len(x0))])
    try:
        res = minimize(
            neg,
            x0,
            method="Nelder-Mead",
            options={
                "initial_simplex": simplex,
                "xatol": 1e-6 * step,
                "fatol": 1e-13 * abs(f0),
                "maxfev": 200,
            },
        )
    except (ArithmeticError, ValueError, RuntimeError, InvalidParameterError):
        return x0, f0
    if np.isfinite(res.fun) and -res.fun > f0:
        return np.asarray(res.x), float(-res.fun)
    return x0, f0


def sup_over_x(
    law,
    process,
    t: float,
    k: int,
    *,
    side: str | None = None,
    norm: str | None = None,
    config: ScanConfig | None = None,
    marks: Landmarks | None = None,
) -> SupResult:
    r"""Supremum over :math:`x` for ``law`` noised by ``process`` at time ``t`` (see :func:`scan_sup`).

    Example
    -------
    >>> from sgmverify.laws._distributions import Gaussian
    >>> from sgmverify.sde._processes import OU
    >>> r = sup_over_x(Gaussian([0.0], [[2.0]]), OU(), 0.5, 2)
    >>> round(r.value, 6), r.kind      # 1/(m² Σ + v), the same at every x
    (0.731059, 'attained')
    """
    from sgmverify.laws import noise_coeffs

    _, m, v = noise_coeffs(process, t)
    pt = law.noised(process, t)
    res = scan_sup(pt, k, m, v, marks or landmarks(law), side=side, norm=norm, config=config)
    return dataclasses.replace(res, extra={**res.extra, "t": float(t), "m": m, "v": v})
