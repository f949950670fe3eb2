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

*Why a plain grid is not enough* (notes ``docs/papers/stephanovitch_2025.md`` §6 item 13): near an atom,
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

Where the lines go (landmarks, layers, far field, bulk): :mod:`sgmverify.regularity._landmarks`.
Derivatives come from ``pt.log_density_derivative(x, k)`` (the contract of :mod:`sgmverify.laws._scores`), or,
for laws without it, from ``score`` / ``score_jacobian`` / ``score_hessian`` (:math:`k \le 3`).
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize, minimize_scalar

from sgmverify.errors import InvalidParameterError, InvalidTypeError, ShapeError
from sgmverify.estimates import Estimate

from ._landmarks import Landmarks, ScanConfig, _Line, _lines, landmarks

__all__ = ["SupResult", "derivative", "scan_sup", "sup_over_x"]

#: evaluation batch size (points per call of the law's derivative)
BATCH = 2048


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
        For a limit: ``|last - previous|`` far-field value (how converged the limit is); else NaN.
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


# ------------------------------------------------------------------------------------------------ the scan
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
    if isinstance(k, bool) or not (isinstance(k, int | np.integer) and 1 <= k <= 4):
        raise InvalidParameterError(f"k must be an integer in 1..4, got {k!r:.60}.")
    if side is not None and not isinstance(side, str):
        raise InvalidParameterError(f"side must be None, 'max' or 'min', got {side!r:.60}.")
    if norm is not None and not isinstance(norm, str):
        raise InvalidParameterError(f"norm must be None, 'op' or 'fro', got {norm!r:.60}.")
    if config is not None and not isinstance(config, ScanConfig):
        raise InvalidTypeError(f"config must be a ScanConfig or None, got {type(config).__name__}.")
    if not isinstance(marks, Landmarks):
        raise InvalidTypeError(f"marks must be Landmarks (see landmarks(law)), got {type(marks).__name__}.")
    if not isinstance(getattr(pt, "dim", None), int):
        raise InvalidTypeError(f"pt must be a noised law (with .dim), got {type(pt).__name__} {pt!r:.60}")
    real = all(isinstance(z, numbers.Real) and not isinstance(z, bool) for z in (m, v))
    if not (real and m > 0 and v > 0 and math.isfinite(m) and math.isfinite(v)):
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
    if ends and (not interior or ends[0][0] > best_int + 1e-12 * abs(best_int)):
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

    Examples
    --------
    >>> from sgmverify.laws import Gaussian
    >>> from sgmverify.sde import OU
    >>> r = sup_over_x(Gaussian([0.0], [[2.0]]), OU(), 0.5, 2)
    >>> round(r.value, 6), r.kind      # 1/(m² Σ + v), the same at every x
    (0.731059, 'attained')
    """
    from sgmverify.laws import noise_coeffs

    if not (callable(getattr(law, "noised", None)) and isinstance(getattr(law, "dim", None), int)):
        raise InvalidTypeError(
            f"law must be a data law of sgmverify.laws (with .dim and .noised(process, t)), got "
            f"{type(law).__name__} {law!r:.60}"
        )
    _, m, v = noise_coeffs(process, t)
    pt = law.noised(process, t)
    res = scan_sup(pt, k, m, v, marks or landmarks(law), side=side, norm=norm, config=config)
    return dataclasses.replace(res, extra={**res.extra, "t": float(t), "m": m, "v": v})
