r"""Hypothesis checkers on the distributions a user has (Gaussian, mixture, 1-D sympy density, product).

:func:`check_assumption` dispatches on the kind of hypothesis (strong log-concavity, smoothness, Lipschitz
score, bounded support, density bounds, moments, process consistency) and returns a :class:`CheckResult`
whose ``evidence`` says how strong the verdict is: ``proved`` (closed form, exact sympy decision, interval
certificate), ``counterexample`` (a confirmed point), ``numeric-only`` or ``unknown``.  A sympy ``None`` is
never turned into "holds".  The process-consistency checker lives in :mod:`sgmverify.sde._consistency` and is
re-exported here; the sympy-density checkers (1-D and 2-3-D) live in
:mod:`sgmverify.hypotheses._density_checks`, and
:class:`CheckResult` in :mod:`sgmverify.hypotheses._evidence` (re-exported here).
"""

from __future__ import annotations

import inspect
import math
import numbers
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import sympy as sp

from sgmverify._timelimit import time_limited
from sgmverify.errors import InvalidParameterError
from sgmverify.sde import (
    ConsistencyResult,
    check_marginal_consistency,
    check_process_consistency,
    marginal_consistency_assumption,
)

from ._density_checks import _as_density, _density1d, _density_nd, _holder
from ._evidence import _RANK, CheckResult, _res

__all__ = [
    "EVIDENCE",
    "KINDS",
    "CheckResult",
    "ConsistencyResult",
    "check_assumption",
    "check_marginal_consistency",
    "check_process_consistency",
    "marginal_consistency_assumption",
]
# =====================================================================================================
# Distribution checkers: strong log-concavity, smoothness, support, density bounds, moments
# =====================================================================================================
#: Evidence levels of a :class:`CheckResult` (strongest first).
EVIDENCE = ("proved", "counterexample", "numeric-only", "unknown")
#: Kinds accepted by :func:`check_assumption`.
KINDS = (
    "log-concave",
    "strongly-log-concave",
    "smooth",
    "lipschitz-score",
    "bounded-support",
    "density-bounds",
    "moments",
    "consistency",
    "holder",
)


def check_assumption(kind: str, dist: Any, **params: Any) -> CheckResult:
    r"""Check one assumption on a data distribution (or, for ``"consistency"``, a forward process).

    Parameters
    ----------
    kind : str
        ``"log-concave"`` (:math:`-\nabla^2\log p \succeq m I`, ``m >= 0``, default 0),
        ``"strongly-log-concave"`` (the same with ``m > 0`` required), ``"smooth"`` /
        ``"lipschitz-score"`` (:math:`\|\nabla^2 \log p\| \le L`, ``L`` required), ``"bounded-support"``,
        ``"density-bounds"`` (:math:`0 < c \le p \le C` on the support), ``"moments"`` (``k``, default 2:
        :math:`E|X|^k < \infty`), ``"consistency"`` (``dist`` is a ``LinearSDE``; keywords go to
        :func:`check_process_consistency`), ``"holder"`` (1-D: :math:`|q(x)-q(y)| \le C|x-y|^\beta`, ``beta``
        and ``C`` required; ``log=False`` when ``dist`` is q itself; see :func:`_holder`).
    dist : Gaussian, GaussianMixture, Density1D, Product, or a sympy expression / string
        A string or expression is an unnormalised 1-D log-density; give ``var`` (default: its only symbol)
        and ``support`` (default the real line), and ``params`` for other symbols.
    m, L, k : float
        The constants.
    box : (lo, hi), optional
        Check a 1-D density only on this box ("box only" in the detail).  Without it the whole support is
        checked: exactly for polynomial conditions, else certified on ``[-R, R]`` (``R``, default 10) with
        the tails by a symbolic limit.
    vars : list of 2 or 3 names, optional
        A 2-3-D log-density: ``box={name: (lo, hi)}`` is required; log-concave / smooth are certified on
        the box through all principal minors of the Hessian matrix (see :func:`_density_nd`); "box only"
        unless ``support`` is the same mapping (the whole support).
    max_seconds : float
        Budget of each interval certificate / sympy call (default 5).
    seed, n_search : int
        Random search for mixture counterexamples.

    Notes
    -----
    A sympy ``None`` or an undecided certificate is never turned into "holds".  Gaussians are decided in
    closed form (the eigenvalues of the precision).  Mixtures: a numeric search for a point where the
    Hessian of :math:`\log p` violates the inequality, confirmed by finite differences of ``log_prob``
    ("fails", "counterexample"); "holds" only from the closed-form bound for components with a shared
    covariance :math:`\Sigma = P^{-1}`: :math:`\nabla^2\log p = -P + P\,C(x)\,P` with
    :math:`0 \preceq C(x) \preceq (D^2/4) I`, D the diameter of the means (Popoviciu).
    """
    if not isinstance(kind, str) or kind not in KINDS:
        raise InvalidParameterError(f"unknown assumption kind {kind!r:.60}; choose from {list(KINDS)}.")
    params = _validated_params(params)
    if kind == "consistency":
        return _consistency(dist, params)
    from sgmverify.laws import Gaussian, GaussianMixture, Product

    if kind == "holder":
        out = _holder(_as_density(dist, params), params)
        return CheckResult(kind, out.status, out.evidence, out.detail, out.point, out.value)
    if kind == "strongly-log-concave":
        m = params.get("m")
        if m is None or not float(m) > 0:
            raise InvalidParameterError("strongly-log-concave needs m > 0 (pass m=...).")
    if kind in ("log-concave", "strongly-log-concave"):
        m = params.get("m", 0.0) or 0.0
        if not (math.isfinite(m) and m >= 0):
            raise InvalidParameterError(f"m must be a finite number >= 0, got {m!r}.")
        params = {**params, "m": m}
    if kind in ("smooth", "lipschitz-score"):
        L = params.get("L")
        if L is None or not L >= 0:
            raise InvalidParameterError(f"{kind} needs a finite L >= 0 (pass L=...), got {L!r}.")
        params = {**params, "L": float(L)}
    if kind == "moments":
        k = params.get("k", 2.0)
        if not (math.isfinite(k) and k >= 0):
            raise InvalidParameterError(f"k must be a finite number >= 0, got {k!r}.")
        params = {**params, "k": k}
    kind_ = (
        "smooth" if kind == "lipschitz-score" else ("log-concave" if kind.startswith("strongly") else kind)
    )
    if isinstance(dist, Gaussian):
        out = _gaussian(kind_, dist, params)
    elif isinstance(dist, GaussianMixture):
        out = _mixture(kind_, dist, params)
    elif isinstance(dist, Product):
        out = _product(kind_, dist, params)
    elif params.get("vars") is not None and len(params["vars"]) > 1:
        out = _density_nd(kind_, dist, params)
    else:
        out = _density1d(kind_, _as_density(dist, params), params)
    return CheckResult(kind, out.status, out.evidence, out.detail, out.point, out.value)


#: numeric options: name -> (integer?, lowest value, whether the lowest value itself is allowed)
_NUMERIC = {
    "m": (False, 0.0, True),
    "L": (False, 0.0, True),
    "k": (False, 0.0, True),
    "beta": (False, 0.0, False),
    "C": (False, 0.0, True),
    "max_seconds": (False, 0.0, False),
    "R": (False, 0.0, False),
    "n_search": (True, 1, True),
    "seed": (True, 0, True),
    "max_boxes": (True, 1, True),
}
#: most random search points of the mixture search (each is a Hessian evaluation)
MAX_SEARCH = 10**6


def _validated_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """The keyword options with their numbers checked (finite reals / integers in range) and converted;
    InvalidParameterError for anything else.  Non-numeric options (box, support, vars, ...) pass as given."""
    out = dict(params)
    for name, (integer, low, closed) in _NUMERIC.items():
        v = out.get(name)
        if v is None:
            continue
        if isinstance(v, np.ndarray) and v.ndim == 0:
            v = v[()]
        kind = numbers.Integral if integer else numbers.Real
        if isinstance(v, bool | np.bool_) or not isinstance(v, kind):
            what = "an integer" if integer else "a real number"
            raise InvalidParameterError(f"{name} must be {what}, got {type(v).__name__} {v!r:.60}.")
        try:
            f = int(v) if integer else float(v)
        except OverflowError:
            f = math.inf
        if not (math.isfinite(f) and (f >= low if closed else f > low)) or (
            name == "n_search" and f > MAX_SEARCH
        ):
            bound = f">= {low}" if closed else f"> {low}"
            raise InvalidParameterError(f"{name} must be finite and {bound}, got {v!r:.60}.")
        out[name] = f
    names = out.get("vars")
    if names is not None and not (
        isinstance(names, list | tuple) and all(isinstance(v, str | sp.Symbol) for v in names)
    ):
        raise InvalidParameterError(f"vars must be a list of 2 or 3 variable names, got {names!r:.60}.")
    if isinstance(out.get("support"), tuple | list) and not out["support"]:
        out["support"] = None  # the real line (the default)
    if "log" in out and not isinstance(out["log"], bool | np.bool_):
        raise InvalidParameterError(f"log must be True or False, got {out['log']!r:.60}.")
    box = out.get("box")
    if isinstance(box, Mapping) and out.get("vars") is None:
        raise InvalidParameterError(
            f"box must be a pair (lo, hi) for a 1-D density; a mapping box {box!r:.60} needs vars=[...]."
        )
    if box is not None and not isinstance(box, Mapping):
        try:
            lo, hi = (float(b) for b in box)  # a 1-D box (lo, hi)
        except (TypeError, ValueError, OverflowError):
            raise InvalidParameterError(
                f"box must be a pair (lo, hi) of real numbers, got {box!r:.60}."
            ) from None
        out["box"] = (lo, hi)
    return out


def _consistency(process: Any, params: Mapping[str, Any]) -> CheckResult:
    if not hasattr(process, "g_expr"):
        raise InvalidParameterError("the consistency check needs a LinearSDE (sgmverify.sde._processes).")
    kw = {k: v for k, v in params.items() if k not in ("m", "L", "k")}
    allowed = set(inspect.signature(check_marginal_consistency).parameters) - {
        "g",
        "a",
        "f",
        "std",
        "var",
        "t",
    }
    allowed -= {"params"}  # the process's own parameters
    unknown = sorted(set(kw) - allowed)
    if unknown:
        raise InvalidParameterError(
            f"the consistency check takes the keywords {sorted(allowed)}; got {unknown}."
        )
    r = check_process_consistency(process, **kw)
    if r.status == "unknown":
        ev = "unknown"
    elif r.evidence == "symbolic":
        ev = "counterexample" if (r.status == "fails" and r.witness_t is not None) else "proved"
    else:
        ev = "numeric-only"
    pt = None if r.witness_t is None else (r.witness_t,)
    return CheckResult("consistency", r.status, ev, r.message, pt)


# ---------------------------------------------------------------------------------------- Gaussian
def _gaussian(kind: str, g: Any, params: Mapping[str, Any]) -> CheckResult:
    if kind == "bounded-support":
        return _res("fails", "proved", "a Gaussian has support R^d (closed form)")
    if kind == "moments":
        return _res("holds", "proved", f"a Gaussian has all moments (k = {params['k']:g}; by construction)")
    if kind == "density-bounds":
        return _res(
            "fails",
            "proved",
            "a probability density on an unbounded support has inf p = 0 (no c > 0 lower bound)",
        )
    if not g.is_positive_definite:
        return _res("unknown", "unknown", "singular covariance: the Gaussian has no Lebesgue density")
    ev = np.asarray(g.eigh()[0], dtype=float)  # covariance eigenvalues; precision's are 1/ev
    if kind == "log-concave":
        m = params["m"]
        best = 1.0 / ev.max()
        # -Hess log p = Sigma^{-1} (constant): holds iff lambda_min(P) = 1/lambda_max(Sigma) >= m
        ok = _exact_psd(lambda S, d: (sp.eye(d) - m * S) if m > 0 else sp.eye(d), g.cov, best - m)
        what = f"-Hess log p = Sigma^-1 everywhere; lambda_min(Sigma^-1) = {best:.12g} vs m = {m:g}"
    else:
        L = params["L"]
        best = 1.0 / ev.min()
        ok = _exact_psd(lambda S, d: L * S - sp.eye(d), g.cov, L - best)
        what = f"Hess log p = -Sigma^-1 everywhere; ||Sigma^-1|| = lambda_max = {best:.12g} vs L = {L:g}"
    if ok is None:
        return _res(
            "unknown", "unknown", what + " (a tie within rounding that the exact check did not decide)"
        )
    return _res("holds" if ok else "fails", "proved", what + " (closed form)", value=best)


def _exact_psd(build: Callable, cov: np.ndarray, margin: float) -> bool | None:
    """Decide by the float margin when clear, else exactly (rational covariance, sympy) when d <= 4."""
    if abs(margin) > 1e-9 * (1 + abs(margin)):
        return margin > 0
    d = cov.shape[0]
    if d > 4:
        return None
    try:
        S = sp.Matrix(d, d, [sp.Rational(float(v)) for v in cov.ravel()])
        return time_limited(lambda: build(S, d).is_positive_semidefinite, 5.0)
    except Exception:  # noqa: BLE001  (undecided)
        return None


# ---------------------------------------------------------------------------------------- mixtures
def _mixture(kind: str, mix: Any, params: Mapping[str, Any]) -> CheckResult:
    from sgmverify.laws import Gaussian

    if kind in ("bounded-support", "moments", "density-bounds"):
        return _gaussian(kind, Gaussian(mix.means[0], mix.covs[0]), params)
    if len(mix.components) == 1 or all(
        np.array_equal(mix.means[0], mu) and np.array_equal(mix.covs[0], c)
        for mu, c in zip(mix.means, mix.covs)
    ):
        return _gaussian(kind, mix.components[0], params)
    found = _mixture_search(kind, mix, params)
    if found is not None:
        return found
    bound = _shared_cov_bound(kind, mix, params)
    if bound is not None:
        return bound
    n = params.get("n_search", 400)
    return _res(
        "unknown",
        "numeric-only",
        f"no violation found at {n}+ search points, but no certified bound (components do not share one "
        "covariance, or the closed-form bound is too weak)",
    )


def _mixture_points(mix: Any, n: int, seed: int) -> np.ndarray:
    means = mix.means[:20]
    pts = [means]
    ts = np.linspace(0.0, 1.0, 41)[:, None]
    for i in range(len(means)):
        for j in range(i + 1, len(means)):
            pts.append(means[i] + ts * (means[j] - means[i]))
    pts.append(mix.sample(n, np.random.default_rng(seed)))
    return np.concatenate(pts)


def _violation(kind: str, H: np.ndarray, params: Mapping[str, Any]) -> np.ndarray:
    """How much each Hessian of log p violates the inequality (> 0: violated)."""
    eig = np.linalg.eigvalsh(H)
    if kind == "log-concave":
        return eig[..., -1] + params["m"]  # need max eig(H) <= -m
    return np.abs(eig).max(axis=-1) - params["L"]


def _fd_hessian(mix: Any, x: np.ndarray) -> np.ndarray:
    d = x.size
    h = 1e-4 * (1 + np.abs(x).max())
    H = np.empty((d, d))
    for i in range(d):
        e = np.zeros(d)
        e[i] = h
        H[i] = np.reshape(np.asarray(mix.score(x + e)) - np.asarray(mix.score(x - e)), -1) / (2 * h)
    f0 = float(mix.log_prob(x).ravel()[0])
    if d == 1:  # independent of the score too: second difference of log p
        H[0, 0] = (
            float(mix.log_prob(x + h).ravel()[0]) - 2 * f0 + float(mix.log_prob(x - h).ravel()[0])
        ) / h**2
    return 0.5 * (H + H.T)


def _mixture_search(kind: str, mix: Any, params: Mapping[str, Any]) -> CheckResult | None:
    pts = _mixture_points(mix, int(params.get("n_search", 400)), int(params.get("seed", 0)))
    H = np.asarray(mix.score_jacobian(pts), dtype=float).reshape(len(pts), mix.dim, mix.dim)
    viol = _violation(kind, 0.5 * (H + np.swapaxes(H, 1, 2)), params)
    i = int(np.nanargmax(viol))
    if not viol[i] > 1e-6 * (1 + abs(params.get("m", params.get("L", 0.0)))):
        return None
    x = pts[i]
    v_fd = float(_violation(kind, _fd_hessian(mix, x)[None], params)[0])
    if not v_fd > 0:
        return None
    what = (
        f"lambda_max(Hess log p) = {viol[i] - params['m']:.6g} > -m = {-params['m']:g}"
        if kind == "log-concave"
        else f"||Hess log p|| = {viol[i] + params['L']:.6g} > L = {params['L']:g}"
    )
    return _res(
        "fails",
        "counterexample",
        f"at x = {np.array2string(x, precision=6)}: {what} (score_jacobian; confirmed by finite differences: "
        f"violation {v_fd:.3g})",
        point=x,
    )


def _shared_cov_bound(kind: str, mix: Any, params: Mapping[str, Any]) -> CheckResult | None:
    if not all(np.allclose(c, mix.covs[0], rtol=0, atol=0) for c in mix.covs):
        return None
    lam = 1.0 / np.asarray(mix.components[0].eigh()[0], dtype=float)  # eigenvalues of P
    diffs = mix.means[:, None, :] - mix.means[None, :, :]
    q = float(np.max(np.sum(diffs**2, axis=-1))) / 4.0  # D^2 / 4
    if kind == "log-concave":
        m_low = float(np.min(lam - q * lam**2))
        ok = m_low >= params["m"] * (1 + 1e-12) + 1e-300
        if not ok:
            return None
        detail = (
            f"shared covariance: -Hess log p >= P - (D^2/4) P^2 with D^2/4 = {q:.6g}, so m >= {m_low:.6g} >= "
            f"{params['m']:g} (closed form, Popoviciu; float64 evaluation of the bound)"
        )
        return _res("holds", "proved", detail, value=m_low)
    L_up = float(np.max(np.maximum(lam, np.abs(q * lam**2 - lam))))
    if L_up > params["L"] * (1 - 1e-12):
        return None
    detail = (
        f"shared covariance: -P <= Hess log p <= -P + (D^2/4) P^2, so ||Hess log p|| <= {L_up:.6g} <= "
        f"L = {params['L']:g} (closed form; float64 evaluation of the bound)"
    )
    return _res("holds", "proved", detail, value=L_up)


# ---------------------------------------------------------------------------------------- products


def _product(kind: str, prod: Any, params: Mapping[str, Any]) -> CheckResult:
    from sgmverify.laws import Gaussian, GaussianMixture, Product

    subs = []
    for c in prod.components:
        if isinstance(c, Gaussian):
            subs.append(_gaussian(kind, c, params))
        elif isinstance(c, GaussianMixture):
            subs.append(_mixture(kind, c, params))
        elif isinstance(c, Product):
            subs.append(_product(kind, c, params))
        else:
            subs.append(_density1d(kind, _as_density(c, params), params))
    worst = min(subs, key=lambda r: _RANK[r.status])
    if worst.status == "holds":  # the weakest evidence among the factors
        ev = "numeric-only" if any(r.evidence == "numeric-only" for r in subs) else "proved"
    else:
        ev = worst.evidence
    j = subs.index(worst)
    why = (
        "the Hessian of log p is block diagonal, one block per factor"
        if kind in ("log-concave", "smooth")
        else "factor by factor"
    )
    detail = f"product of {len(subs)} factors ({why}); " + "; ".join(
        f"factor {i}: {r.status} [{r.evidence}] {r.detail}" for i, r in enumerate(subs)
    )
    point = None
    if worst.status == "fails" and worst.point is not None:
        off = sum(getattr(c, "dim", 1) for c in prod.components[:j])
        full = np.zeros(prod.dim)
        full[off : off + len(worst.point)] = worst.point
        point = full
    return _res(worst.status, ev, detail, point=point)
