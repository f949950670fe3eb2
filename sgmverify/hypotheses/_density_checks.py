r"""Hypothesis checkers on sympy log-densities: 1-D (whole support or a box) and 2-3-D (a box).

1-D (:func:`_density1d`): log-concavity / smoothness via :func:`_nonneg` (exact for polynomials, else an
interval certificate on ``[-R, R]`` plus symbolic tail limits), :func:`_moments`, :func:`_density_bounds`
and the Holder condition :func:`_holder`.  2-3-D (:func:`_density_nd`): all principal minors of the
Hessian matrix certified on a box.  :func:`sgmverify.hypotheses.check_assumption` dispatches here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from sgmverify._timelimit import time_limited
from sgmverify.errors import InvalidParameterError

from ._evidence import _RANK, CheckResult, _res


# ---------------------------------------------------------------------------------------- 1-D sympy
@dataclass(frozen=True)
class _Dens:
    V: sp.Expr  # unnormalised log-density
    x: sp.Symbol
    support: tuple[float, float]
    log_norm: float | None = None


def _as_density(dist: Any, params: Mapping[str, Any]) -> _Dens:
    from sgmverify.laws import Density1D, validated_support
    from sgmverify.symbolic import parse_log_density

    if isinstance(dist, Density1D):
        return _Dens(dist.expr, dist.variable, tuple(dist.support), float(dist.log_norm))
    if isinstance(dist, str | sp.Basic):
        V, x = parse_log_density(dist, params.get("var"), params.get("params"))
        sup = params.get("support")  # (an empty support means the default, as before: see _validated_params)
        return _Dens(V, x, validated_support((-math.inf, math.inf) if sup is None else sup))
    raise InvalidParameterError(
        f"cannot check assumptions of {type(dist).__name__}; pass a Gaussian, GaussianMixture, Density1D, "
        "Product, or a 1-D log-density expression."
    )


def _density1d(kind: str, d: _Dens, params: Mapping[str, Any]) -> CheckResult:
    a, b = d.support
    finite = math.isfinite(a) and math.isfinite(b)
    if kind == "bounded-support":
        st = "holds" if finite else "fails"
        return _res(
            st, "proved", f"support [{a:g}, {b:g}] ({'bounded' if finite else 'unbounded'}; declared)"
        )
    if kind == "moments":
        return _moments(d, params["k"], params)
    if kind == "density-bounds":
        return _density_bounds(d, params)
    x = d.x
    from sgmverify.symbolic import ae_diff

    V2 = sp.simplify(ae_diff(ae_diff(d.V, x), x))
    if kind == "log-concave":
        m = params["m"]
        conds = [(-V2 - sp.nsimplify(m, rational=True), f"-(log q)'' - m >= 0 ((log q)'' = {V2}, m = {m:g})")]
    else:
        L = sp.nsimplify(params["L"], rational=True)
        conds = [
            (L - V2, f"L - (log q)'' >= 0 ((log q)'' = {V2}, L = {params['L']:g})"),
            (L + V2, "L + (log q)'' >= 0"),
        ]
    results = [_nonneg(f, x, d.support, params, what) for f, what in conds]
    worst = min(results, key=lambda r: _RANK[r.status])
    if worst.status == "holds":
        ev = "numeric-only" if any(r.evidence == "numeric-only" for r in results) else "proved"
        return _res("holds", ev, "; ".join(r.detail for r in results))
    return _res(worst.status, worst.evidence, worst.detail, worst.point)


def _limit(f: sp.Expr, x: sp.Symbol, to: Any, seconds: float) -> sp.Expr | None:
    try:
        lim = time_limited(lambda: sp.limit(f, x, to), seconds)
    except Exception:  # noqa: BLE001  (timeout or sympy failure: no limit)
        return None
    if lim is None or lim.has(sp.nan, sp.zoo, sp.AccumBounds) or lim.free_symbols:
        return None
    return lim


def _is_true(rel: Any) -> bool:
    return rel is sp.true or rel is True


def _exact_negative(f: sp.Expr, x: sp.Symbol, pt: float) -> bool:
    try:
        v = f.subs(x, sp.Rational(pt)).evalf(30)
        return bool(v.is_real) and float(v) < 0 and abs(float(v)) > 1e-25
    except Exception:  # noqa: BLE001
        return False


def _nonneg(f: sp.Expr, x: sp.Symbol, support, params: Mapping[str, Any], what: str) -> CheckResult:
    """Decide f(x) >= 0 on the support (or ``box``): exact for polynomials, else certify + tail limits."""
    a, b = support
    seconds = float(params.get("max_seconds", 5.0))
    box = params.get("box")
    if box is not None:
        lo, hi = max(a, float(box[0])), min(b, float(box[1]))
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise InvalidParameterError(f"box {box!r} must be finite and meet the support {support}.")
        scope = f"box only [{lo:g}, {hi:g}]"
    else:
        lo, hi = a, b
        scope = f"whole support [{a:g}, {b:g}]"
    fq = sp.nsimplify(f, rational=True)
    if fq.is_polynomial(x):
        r = _poly_nonneg(fq, x, lo, hi, seconds)
        if r is not None:
            ok, pt = r
            if ok:
                return _res(
                    "holds", "proved", f"{what} on {scope} (exact: real roots of a polynomial, sympy)"
                )
            return _res("fails", "counterexample", f"{what} violated at x = {pt:.6g} ({scope}; exact)", pt)
    R = float(params.get("R", 10.0))
    blo, bhi = (lo if math.isfinite(lo) else min(-R, hi - 1)), (hi if math.isfinite(hi) else max(R, lo + 1))
    from ._certify import certify

    cert = certify(
        (f, ">="), {x: (blo, bhi)}, max_seconds=seconds, max_boxes=int(params.get("max_boxes", 20000))
    )
    where = f"[{blo:g}, {bhi:g}]"
    if cert.status == "counterexample":
        pt = cert.counterexample[x.name]
        return _res("fails", "counterexample", f"{what} violated at x = {pt:.6g} (interval-certified)", pt)
    if cert.status != "proved":
        return _res("unknown", "unknown", f"{what}: certificate undecided on {where} ({cert.message})")
    tails = []
    for end, to in ((lo, -sp.oo), (hi, sp.oo)):
        if math.isfinite(end):
            continue
        lim = _limit(f, x, to, seconds)
        if lim is None:
            return _res("unknown", "unknown", f"{what}: certified on {where}; the limit at {to} is undecided")
        if _is_true(lim > 0):
            tails.append(f"limit {lim} > 0 at {to}")
            continue
        if _is_true(lim < 0):
            sgn = -1.0 if to == -sp.oo else 1.0
            for k in range(1, 40):
                pt = sgn * (R * 2.0**k)
                if _exact_negative(f, x, pt):
                    return _res(
                        "fails", "counterexample", f"{what} violated at x = {pt:.6g} (limit {lim})", pt
                    )
            return _res("fails", "proved", f"{what} fails for large |x|: limit {lim} < 0 at {to} (sympy)")
        return _res(
            "unknown", "unknown", f"{what}: certified on {where}; limit {lim} at {to} decides nothing"
        )
    if not tails:
        return _res("holds", "proved", f"{what} on {scope} (interval-certified on {where})")
    return _res(
        "holds",
        "numeric-only",
        f"{what}: interval-certified on {where}; tails by symbolic limit ({'; '.join(tails)}) -- the tail "
        "beyond the box is not certified",
    )


def _poly_nonneg(f: sp.Expr, x: sp.Symbol, lo: float, hi: float, seconds: float):
    """(True, None) if the polynomial f >= 0 on [lo, hi], (False, point) with f(point) < 0 exactly, None if
    sympy did not decide."""
    dom = sp.Interval(
        sp.Rational(lo) if math.isfinite(lo) else -sp.oo, sp.Rational(hi) if math.isfinite(hi) else sp.oo
    )
    try:
        bad = time_limited(lambda: sp.solveset(f < 0, x, dom), seconds)
    except Exception:  # noqa: BLE001
        return None
    if bad is sp.S.EmptySet:
        return True, None
    for piece in bad.args if isinstance(bad, sp.Union) else (bad,):
        if isinstance(piece, sp.Interval):
            s, e = piece.start, piece.end
            if s == -sp.oo and e == sp.oo:
                cand = 0.0
            elif s == -sp.oo:
                cand = float(e) - 1.0
            elif e == sp.oo:
                cand = float(s) + 1.0
            else:
                cand = 0.5 * (float(s) + float(e))
            if _exact_negative(f, x, cand):
                return False, cand
    return None


def _moments(d: _Dens, k: float, params: Mapping[str, Any]) -> CheckResult:
    a, b = d.support
    if math.isfinite(a) and math.isfinite(b):
        return _res("holds", "proved", f"bounded support [{a:g}, {b:g}]: every moment is finite (k = {k:g})")
    x, seconds = d.x, float(params.get("max_seconds", 5.0))
    kq = sp.nsimplify(k, rational=True)
    proofs = []
    for end, to in ((a, -sp.oo), (b, sp.oo)):
        if math.isfinite(end):
            continue
        # |x|^(k+2) q(x) -> 0  =>  |x|^k q <= C/x^2 in the tail: integrable.
        lim = _limit(sp.Abs(x) ** (kq + 2) * sp.exp(d.V), x, to, seconds)
        if lim is not None and lim == 0:
            proofs.append(f"|x|^(k+2) q(x) -> 0 at {to}")
            continue
        # |x|^(k+1) q(x) -> c > 0 (or oo)  =>  |x|^k q >= c'/|x|: not integrable.
        lim1 = _limit(sp.Abs(x) ** (kq + 1) * sp.exp(d.V), x, to, seconds)
        if lim1 is not None and _is_true(lim1 > 0):
            return _res(
                "fails", "proved", f"E|X|^{k:g} = oo: |x|^(k+1) q(x) -> {lim1} > 0 at {to} (sympy limit)"
            )
        return _numeric_moment(d, k, f"no symbolic tail decision at {to}")
    return _res(
        "holds", "proved", f"E|X|^{k:g} < oo: " + "; ".join(proofs) + " (sympy limit; tail comparison)"
    )


def _numeric_moment(d: _Dens, k: float, why: str) -> CheckResult:
    fn = sp.lambdify(d.x, d.V, modules="mpmath")
    a, b = d.support
    try:
        with mpmath.workdps(20):
            parts = [
                mpmath.quad(lambda t: abs(t) ** k * mpmath.exp(fn(t)), [lo, hi])
                for lo, hi in ((a, 0), (0, b))
                if lo < hi
            ]
        val = float(sum(parts))
    except Exception:  # noqa: BLE001
        val = math.nan
    if math.isfinite(val):
        return _res("holds", "numeric-only", f"{why}; quadrature of |x|^{k:g} q(x) converged to {val:.6g}")
    return _res("unknown", "unknown", f"{why}; the quadrature did not converge")


def _density_bounds(d: _Dens, params: Mapping[str, Any]) -> CheckResult:
    a, b = d.support
    if not (math.isfinite(a) and math.isfinite(b)):
        return _res(
            "fails",
            "proved",
            "a probability density on an unbounded support has inf p = 0 (no c > 0 lower bound)",
        )
    from ._certify import certify

    fn = sp.lambdify(d.x, d.V, modules="numpy")
    grid = np.linspace(a, b, 2001)
    with np.errstate(all="ignore"):
        vals = np.broadcast_to(np.asarray(fn(grid), dtype=float), grid.shape)
    if not np.all(np.isfinite(vals)):
        i = int(np.argmax(~np.isfinite(vals)))
        return _res(
            "fails",
            "counterexample",
            f"log q is not finite at x = {grid[i]:.6g}: q is 0 or unbounded there",
            grid[i],
        )
    vmin, vmax = float(vals.min()), float(vals.max())
    pad = 1e-3 * (1 + abs(vmax - vmin))
    lo_c, hi_c = vmin - pad, vmax + pad
    seconds = float(params.get("max_seconds", 5.0))
    c1 = certify((d.V - sp.Rational(lo_c), ">="), {d.x: (a, b)}, max_seconds=seconds)
    c2 = certify((sp.Rational(hi_c) - d.V, ">="), {d.x: (a, b)}, max_seconds=seconds)
    shift = d.log_norm
    scale = "p" if shift is not None else "q (unnormalised)"
    sh = shift or 0.0
    if c1.proved and c2.proved:
        return _res(
            "holds",
            "proved",
            f"{math.exp(lo_c - sh):.6g} <= {scale}(x) <= {math.exp(hi_c - sh):.6g} on [{a:g}, {b:g}] "
            "(interval-certified bounds on log q"
            + ("; log Z by quadrature" if shift is not None else "")
            + ")",
        )
    return _res(
        "holds",
        "numeric-only",
        f"{scale} in [{math.exp(vmin - sh):.6g}, {math.exp(vmax - sh):.6g}] on a 2001-point grid; "
        f"certificates: {c1.status}, {c2.status}",
    )


# ---------------------------------------------------------------------------------------- 2-3-D sympy
def _density_nd(kind: str, dist: Any, params: Mapping[str, Any]) -> CheckResult:
    r"""Strong log-concavity / smoothness of a 2-D or 3-D sympy log-density, certified on a box.

    The matrices :math:`M = -\nabla^2\log q - mI` (log-concave) or :math:`LI \mp \nabla^2\log q` (smooth)
    are PSD iff *all* their principal minors are :math:`\ge 0` (leading minors alone are not enough);
    each minor is certified :math:`\ge 0` on the box with :func:`~sgmverify.hypotheses.certify`.  A certified
    negative minor is a counterexample once the smallest eigenvalue of ``M`` there is confirmed negative
    (numpy, then mpmath at 30 digits).  Scope: the box ("box only"), unless ``support`` equals the box.
    """
    from itertools import combinations

    from sgmverify.symbolic import param_values

    from ._certify import certify

    if kind not in ("log-concave", "smooth"):
        raise InvalidParameterError(
            f"{kind} is not available for 2-3-D densities; use log-concave, strongly-log-concave, smooth or "
            "lipschitz-score."
        )
    names = [str(v) for v in params["vars"]]
    if len(names) not in (2, 3) or len(set(names)) != len(names):
        raise InvalidParameterError(f"vars must name 2 or 3 distinct variables, got {names!r}.")
    box, support = params.get("box"), params.get("support")
    if box is None and isinstance(support, Mapping):
        box = support
    if not isinstance(box, Mapping) or set(map(str, box)) != set(names):
        raise InvalidParameterError(f"give box={{name: (lo, hi)}} for every variable of {names}.")
    box = {str(k): (float(v[0]), float(v[1])) for k, v in box.items()}
    if not all(math.isfinite(lo) and math.isfinite(hi) and lo < hi for lo, hi in box.values()):
        raise InvalidParameterError(f"the box {box!r} must be finite with lo < hi.")
    whole = (
        isinstance(support, Mapping)
        and {str(k): (float(v[0]), float(v[1])) for k, v in support.items()} == box
    )
    syms = [sp.Symbol(n, real=True) for n in names]
    from sgmverify.expressions import parse_expression
    from sgmverify.symbolic import check_free_symbols

    values = param_values(params.get("params"))  # no eval; nan, oo, zoo refused
    V = parse_expression(dist, dict(zip(names, syms)), auto_symbols=True, what="log-density")
    if not isinstance(V, sp.Expr):
        raise InvalidParameterError(f"the log-density must be a sympy expression, got {type(V).__name__}")
    V = V.xreplace({s: values[s.name] for s in V.free_symbols if s.name in values})
    V = V.xreplace({s: syms[names.index(s.name)] for s in V.free_symbols if s.name in names})
    check_free_symbols(V, syms, "the log-density")
    d = len(syms)
    H = sp.hessian(V, syms)
    if kind == "log-concave":
        m = params["m"]
        mats = [(-H - sp.nsimplify(m, rational=True) * sp.eye(d), f"-Hess log q - {m:g} I")]
    else:
        Lq = sp.nsimplify(params["L"], rational=True)
        mats = [
            (Lq * sp.eye(d) - H, f"{params['L']:g} I - Hess log q"),
            (Lq * sp.eye(d) + H, f"{params['L']:g} I + Hess log q"),
        ]
    scope = "whole support" if whole else "box only"
    where = ", ".join(f"{n} in [{lo:g}, {hi:g}]" for n, (lo, hi) in box.items())
    seconds, max_boxes = float(params.get("max_seconds", 5.0)), int(params.get("max_boxes", 20000))
    undecided = []
    for M, label in mats:
        fM = sp.lambdify(syms, M, modules="numpy")
        fMp = sp.lambdify(syms, M, modules="mpmath")
        for k in range(1, d + 1):
            for S in combinations(range(d), k):
                minor = M.extract(list(S), list(S)).det(method="berkowitz")
                cert = certify(
                    (minor, ">="), {s: box[s.name] for s in syms}, max_seconds=seconds, max_boxes=max_boxes
                )
                if cert.status == "proved":
                    continue
                if cert.status == "counterexample":
                    pt = [cert.counterexample[n] for n in names]
                    lam = float(np.linalg.eigvalsh(np.asarray(fM(*pt), dtype=float))[0])
                    with mpmath.workdps(30):
                        lam_mp = min(mpmath.eigsy(mpmath.matrix(fMp(*[mpmath.mpf(p) for p in pt])))[0])
                    if lam < 0 and lam_mp < 0:
                        return _res(
                            "fails",
                            "counterexample",
                            f"principal minor {tuple(n for n in (names[i] for i in S))} of {label} is "
                            f"{float(cert.value):.6g} < 0 at {dict(zip(names, pt))} (interval-certified); "
                            f"lambda_min({label}) = {float(lam_mp):.6g} < 0 there (numpy, mpmath 30 digits)",
                            point=pt,
                            value=float(lam_mp),
                        )
                undecided.append(f"minor {tuple(names[i] for i in S)} of {label}: {cert.status}")
    if not undecided:
        return _res(
            "holds",
            "proved",
            f"all principal minors of {' and '.join(lb for _, lb in mats)} (Sylvester, all {2**d - 1} "
            f"principal minors) interval-certified >= 0 on {where} ({scope})",
        )
    return _res(
        "unknown",
        "unknown",
        f"certificates undecided on {where} ({scope}): " + "; ".join(undecided),
    )


# ---------------------------------------------------------------------------------------- Holder
def _holder(d: _Dens, params: Mapping[str, Any]) -> CheckResult:
    r"""``|q(x) - q(y)| <= C |x - y|^beta`` for a 1-D density (``log=False``: ``dist`` is q itself).

    q is the unnormalised ``exp(log q)`` for an expression, the normalised density for a ``Density1D``.
    Proof (bounded support of diameter D, :math:`0 < \beta \le 1`): by the mean-value theorem
    :math:`|q(x)-q(y)| \le \sup|q'|\,|x-y| \le \sup|q'|\,D^{1-\beta}|x-y|^\beta`, so certifying
    :math:`|q'| \le C D^{\beta-1}` on the support (interval arithmetic, both signs) proves the claim.
    Otherwise pairs are searched (a grid, and each grid point against geometric offsets
    :math:`10^{-9}..D`) for :math:`|q(x)-q(y)| > C|x-y|^\beta`; the worst pair is confirmed with mpmath at
    30 digits ("counterexample"), else "numeric-only" (no violation found, no proof).
    """
    from ._certify import certify

    beta, C = params.get("beta"), params.get("C")
    if beta is None or C is None:
        raise InvalidParameterError("holder needs beta and C (pass beta=..., C=...).")
    beta, C = float(beta), float(C)
    if not (math.isfinite(beta) and beta > 0 and math.isfinite(C) and C >= 0):
        raise InvalidParameterError(f"holder needs beta > 0 and a finite C >= 0, got {beta!r}, {C!r}.")
    x = d.x
    if params.get("log", True):
        q = sp.exp(d.V - sp.Float(d.log_norm, 30)) if d.log_norm is not None else sp.exp(d.V)
    else:
        q = d.V
    a, b = d.support
    box = params.get("box")
    if box is not None:
        a, b = max(a, float(box[0])), min(b, float(box[1]))
    finite = math.isfinite(a) and math.isfinite(b)
    scope = f"[{a:g}, {b:g}]" + ("" if box is None else " (box only)")
    if finite and beta <= 1:
        D = b - a
        K = sp.nsimplify(C, rational=True) * sp.nsimplify(D, rational=True) ** (
            sp.nsimplify(beta, rational=True) - 1
        )
        dq = sp.diff(q, x)
        seconds = float(params.get("max_seconds", 5.0))
        try:
            c1 = certify((K - dq, ">="), {x: (a, b)}, max_seconds=seconds)
            c2 = certify((K + dq, ">="), {x: (a, b)}, max_seconds=seconds) if c1.proved else c1
        except Exception:  # noqa: BLE001  (no interval enclosure of q': fall back to the search)
            c1 = c2 = None
        if c1 is not None and c1.proved and c2.proved:
            return _res(
                "holds",
                "proved",
                f"|q'| <= C*D^(beta-1) = {float(K):.6g} interval-certified on {scope} (q' = {dq}); "
                "sufficient "
                f"condition: |q(x)-q(y)| <= sup|q'| D^(1-beta) |x-y|^beta with D = {D:g}, beta = {beta:g}, "
                f"C = {C:g} (mean-value theorem)",
                value=float(K),
            )
    R = float(params.get("R", 10.0))
    lo, hi = (a if math.isfinite(a) else -R), (b if math.isfinite(b) else R)
    fq = sp.lambdify(x, q, modules="numpy")
    grid = np.linspace(lo, hi, 401)
    offs = np.geomspace(1e-9, hi - lo, 60)
    xs = np.repeat(grid, 2 * len(offs))
    ys = (grid[:, None] + np.concatenate([offs, -offs])[None, :]).ravel()
    iu, ju = np.triu_indices(grid.size, 1)
    xs, ys = np.concatenate([xs, grid[iu]]), np.concatenate([ys, grid[ju]])
    ok = (ys >= lo) & (ys <= hi) & (xs != ys)
    xs, ys = xs[ok], ys[ok]
    with np.errstate(all="ignore"):
        qx = np.broadcast_to(np.asarray(fq(xs), dtype=float), xs.shape)
        qy = np.broadcast_to(np.asarray(fq(ys), dtype=float), ys.shape)
        ratio = np.abs(qx - qy) / np.abs(xs - ys) ** beta
    ratio = np.where(np.isfinite(ratio), ratio, -np.inf)
    fmp = sp.lambdify(x, q, modules="mpmath")
    for i in np.argsort(ratio)[::-1][:5]:
        if not ratio[i] > C:
            break
        with mpmath.workdps(30):
            u, v = mpmath.mpf(float(xs[i])), mpmath.mpf(float(ys[i]))
            try:
                gap = abs(fmp(u) - fmp(v)) - C * abs(u - v) ** beta
            except Exception:  # noqa: BLE001
                continue
        if gap > 0:
            return _res(
                "fails",
                "counterexample",
                f"|q(x)-q(y)| / |x-y|^{beta:g} = {float(ratio[i]):.6g} > C = {C:g} at (x, y) = "
                f"({xs[i]:.6g}, {ys[i]:.6g}) on {scope} (grid + geometric offsets; confirmed with mpmath, "
                "30 digits)",
                point=(xs[i], ys[i]),
                value=float(ratio[i]),
            )
    best = float(np.max(ratio)) if ratio.size else math.nan
    why = (
        "no certified bound (unbounded support)"
        if not finite
        else ("beta > 1: no certified bound" if beta > 1 else "|q'| <= C*D^(beta-1) not certified")
    )
    return _res(
        "holds" if math.isfinite(best) else "unknown",
        "numeric-only" if math.isfinite(best) else "unknown",
        f"{why}; largest |q(x)-q(y)|/|x-y|^{beta:g} over {xs.size} pairs on [{lo:g}, {hi:g}] is {best:.6g} "
        f"<= C = {C:g} (a search, not a proof)",
        value=best,
    )
