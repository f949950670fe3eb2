r"""Hypothesis checkers on the distributions a user has (Gaussian, mixture, 1-D sympy density, product).

:func:`check_assumption` dispatches on the kind of hypothesis (strong log-concavity, smoothness, Lipschitz
score, bounded support, density bounds, moments, process consistency) and returns a :class:`CheckResult`
whose ``evidence`` says how strong the verdict is: ``proved`` (closed form, exact sympy decision, interval
certificate), ``counterexample`` (a confirmed point), ``numeric-only`` or ``unknown``.  A sympy ``None`` is
never turned into "holds".

Ties of the closed-form Gaussian checks (the rule, see :data:`TIE_RTOL`): a float64 margin clear of the
rounding band decides ("proved").  Otherwise the inequality is decided exactly (the covariance and the
constant as exact rationals of their float64 values, sympy, d <= 4): True is "holds" and an exact equality
"holds (with equality)", both "proved"; False is "fails", "proved" -- unless the constant is within
``tie_rtol`` (relative) of the sharp one, where the float64 values cannot say whether the constant *as the
user meant it* (``1/0.7``, a sharp constant computed in float64) is on the right side: such a tie reads
"holds (with equality, within tie_rtol)" with evidence "numeric-only" (never "proved").  A tie that cannot be
decided exactly (d > 4, sympy undecided) reads the same way.  With ``tie_rtol=0`` only the exact decision on
the float64 values counts (an undecided tie is "unknown").

The process-consistency checker lives in :mod:`sgmverify.sde._consistency` and is re-exported here; the
sympy-density checkers (1-D and 2-3-D) live in :mod:`sgmverify.hypotheses._density_checks`, and
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
from ._params import _validated_params

__all__ = [
    "EVIDENCE",
    "KINDS",
    "TIE_RTOL",
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
#: Default relative tie tolerance of the closed-form checks (Gaussians, shared-covariance mixtures): a
#: constant within ``TIE_RTOL·max(|best|, |claimed|)`` of the sharp one is a tie, about 4500 float64 ulps --
#: the rounding of a constant written or computed in float64, not a real slack (a constant off by 1e-10
#: relative is decided).  A tie is "holds" when the exact check on the float64 values says so ("proved"),
#: else "holds (with equality, within tie_rtol)" on "numeric-only" evidence (module docstring).  Pass
#: ``tie_rtol=`` to :func:`check_assumption` to change it (0: only exact decisions count).
TIE_RTOL = 1e-12
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


def check_assumption(kind: str, dist: Any, *, tie_rtol: float | None = None, **params: Any) -> CheckResult:
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
    tie_rtol : float, optional
        Relative tie tolerance of the closed-form decisions (Gaussians, shared-covariance mixtures; default
        :data:`TIE_RTOL` = 1e-12).  With ``best`` the sharpest constant of the law (``lambda_min`` of the
        precision for ``m``, ``lambda_max`` for ``L``, the Popoviciu bound for mixtures) and ``c`` the
        claimed one, the float64 margin ``best - m`` (resp. ``L - best``) decides when it is clear of
        ``1e-9·(1 + |margin|)`` and of the band ``tie_rtol·max(|best|, |c|)``: "holds"/"fails", "proved".
        Otherwise a Gaussian is decided exactly when sympy can (the covariance and the constant as exact
        rationals of their float64 values, d <= 4): "holds" if true, "holds (with equality)" if the margin
        is exactly 0 (both "proved"), "fails" ("proved") if false and outside the band.  A tie (inside the
        band) that is false on the float64 values, or that cannot be decided exactly, reads "holds (with
        equality)" -- the claim is a non-strict inequality and its constant is the sharp one up to float64
        rounding -- with evidence "numeric-only"; ``tie_rtol=0`` keeps only exact decisions ("unknown" when
        undecided).  A mixture's Popoviciu bound is evaluated in float64: a claim within the band of it is
        "holds", "numeric-only".
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
    tie = TIE_RTOL if tie_rtol is None else tie_rtol
    if isinstance(tie, bool) or not isinstance(tie, numbers.Real) or not 0.0 <= float(tie) < 1e-3:
        raise InvalidParameterError(
            f"tie_rtol must be a real number in [0, 1e-3) (a relative rounding tolerance), got {tie!r:.60}."
        )
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
    params = {**params, "tie_rtol": float(tie)}
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
    tie = params.get("tie_rtol", TIE_RTOL)
    if kind == "log-concave":
        m = params["m"]
        best = 1.0 / ev.max()
        # -Hess log p = Sigma^{-1} (constant): holds iff lambda_min(P) = 1/lambda_max(Sigma) >= m,
        # i.e. iff I - m Sigma is positive semidefinite
        mq = sp.Rational(m)
        build = lambda S, d: sp.eye(d) - mq * S  # noqa: E731
        what = f"-Hess log p = Sigma^-1 everywhere; lambda_min(Sigma^-1) = {best:.12g} vs m = {m:.12g}"
        margin, claimed = best - m, m
    else:
        L = params["L"]
        best = 1.0 / ev.min()
        Lq = sp.Rational(L)
        build = lambda S, d: Lq * S - sp.eye(d)  # noqa: E731  (L Sigma - I >= 0 iff ||Sigma^-1|| <= L)
        what = f"Hess log p = -Sigma^-1 everywhere; ||Sigma^-1|| = lambda_max = {best:.12g} vs L = {L:.12g}"
        margin, claimed = L - best, L
    ok, equal, exact = _exact_psd(build, g.cov, margin, best, claimed, tie)
    is_tie = abs(margin) <= tie * max(abs(best), abs(claimed))
    if ok is False and exact and tie > 0 and is_tie:  # exactly false on the float64 values, but a tie
        return _res(
            "holds",
            "numeric-only",
            what + f" (holds with equality, within tie_rtol = {tie:g}: on the float64 values the inequality "
            f"fails by |margin| = {abs(margin):.3g}, within rounding of the sharp constant; read as the "
            "non-strict inequality holding with equality, on float64 evidence only -- pass tie_rtol=0 to "
            "decide on the float64 values exactly)",
            value=best,
        )
    if ok is None:  # the exact decision is unavailable (d > 4, or sympy undecided / out of time)
        if tie > 0 and is_tie:
            return _res(
                "holds",
                "numeric-only",
                what + f" (a tie within tie_rtol = {tie:g}: |margin| = {abs(margin):.3g} <= tie_rtol times "
                "the constants, which could not be decided exactly (d > 4 or sympy undecided); read as the "
                "non-strict inequality holding with equality, on float64 evidence only)",
                value=best,
            )
        why = (
            " (an exact tie that the exact check did not decide; tie_rtol=0)"
            if tie == 0
            else f" (|margin| = {abs(margin):.3g} is too small for float64 to decide and the exact check did "
            "not decide it)"
        )
        return _res("unknown", "unknown", what + why)
    if equal:
        note = " (closed form, decided exactly in rational arithmetic: holds with equality)"
    elif exact:
        note = (
            f" (closed form; the float margin {margin:.3g} is within the tie band, so it was decided exactly "
            "in rational arithmetic on the given float64 values)"
        )
    else:
        note = " (closed form)"
    return _res("holds" if ok else "fails", "proved", what + note, value=best)


def _exact_psd(
    build: Callable, cov: np.ndarray, margin: float, best: float, claimed: float, tie: float
) -> tuple[bool | None, bool, bool]:
    """``(ok, equal, exact)``: decide by the float margin when clear of the tie band (``exact`` False), else
    exactly when d <= 4: ``build(S, d)`` with ``S`` the covariance as exact rationals (the float64 values
    themselves, no rounding) must be positive semidefinite (sympy; ``equal`` when it is also singular, i.e.
    the inequality holds with equality).  ``ok`` None: undecided.  The band is ``tie·max(|best|,
    |claimed|)``, and at least the historical ``1e-9·(1 + |margin|)`` so that ``tie_rtol=0`` still sends
    float near-ties to the exact check."""
    band = max(tie * max(abs(best), abs(claimed)), 1e-9 * (1 + abs(margin)))
    if abs(margin) > band:
        return margin > 0, False, False
    d = cov.shape[0]
    if d > 4:
        return None, False, False
    try:
        S = sp.Matrix(d, d, [sp.Rational(float(v)) for v in cov.ravel()])
        M = build(S, d)
        psd = time_limited(lambda: M.is_positive_semidefinite, 5.0)
        if psd is None:
            return None, False, False
        equal = bool(psd) and time_limited(lambda: M.det() == 0, 5.0)
    except Exception:  # noqa: BLE001  (undecided)
        return None, False, False
    return bool(psd), bool(equal), True


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
    if bound.status == "holds":
        return bound
    n = params.get("n_search", 400)
    return _res(
        "unknown",
        "numeric-only",
        f"no violation found at {n}+ search points, but no certified bound: {bound.detail}",
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


def _shared_cov_bound(kind: str, mix: Any, params: Mapping[str, Any]) -> CheckResult:
    """The closed-form (Popoviciu) bound for components with one shared covariance: "holds" when it proves
    the claim, else "unknown" with the real reason in ``detail`` (covariances differ, or the bound is weaker
    than the claimed constant)."""
    if not all(np.allclose(c, mix.covs[0], rtol=0, atol=0) for c in mix.covs):
        return _res(
            "unknown",
            "unknown",
            "the closed-form bound needs components with one shared covariance, and these covariances differ",
        )
    tie = params.get("tie_rtol", TIE_RTOL)
    lam = 1.0 / np.asarray(mix.components[0].eigh()[0], dtype=float)  # eigenvalues of P
    diffs = mix.means[:, None, :] - mix.means[None, :, :]
    q = float(np.max(np.sum(diffs**2, axis=-1))) / 4.0  # D^2 / 4
    if kind == "log-concave":
        m, m_low = params["m"], float(np.min(lam - q * lam**2))
        if not m_low >= m - tie * max(abs(m), abs(m_low)):
            return _res(
                "unknown",
                "unknown",
                "the covariance is shared, but the closed-form bound -Hess log p >= P - (D^2/4) P^2 only "
                f"gives m >= {m_low:.6g} < {m:g} (too weak to decide; D^2/4 = {q:.6g})",
            )
        eq = f" (with equality, within tie_rtol = {tie:g}; not decided exactly)" if m_low < m else ""
        eq_f = " (with equality, in float64)" if m_low == m else ""
        detail = (
            f"shared covariance: -Hess log p >= P - (D^2/4) P^2 with D^2/4 = {q:.6g}, so m >= {m_low:.6g} >= "
            f"{m:g}{eq or eq_f} (closed form, Popoviciu; float64 evaluation of the bound)"
        )
        return _res("holds", "numeric-only" if eq else "proved", detail, value=m_low)
    L, L_up = params["L"], float(np.max(np.maximum(lam, np.abs(q * lam**2 - lam))))
    if not L_up <= L + tie * max(abs(L), abs(L_up)):
        return _res(
            "unknown",
            "unknown",
            f"the covariance is shared, but the closed-form bound -P <= Hess log p <= -P + (D^2/4) P^2 only "
            f"gives ||Hess log p|| <= {L_up:.6g} > L = {L:g} (too weak to decide; D^2/4 = {q:.6g})",
        )
    eq = f" (with equality, within tie_rtol = {tie:g}; not decided exactly)" if L_up > L else ""
    eq_f = " (with equality, in float64)" if L_up == L else ""
    detail = (
        f"shared covariance: -P <= Hess log p <= -P + (D^2/4) P^2, so ||Hess log p|| <= {L_up:.6g} <= "
        f"L = {L:g}{eq or eq_f} (closed form; float64 evaluation of the bound)"
    )
    return _res("holds", "numeric-only" if eq else "proved", detail, value=L_up)


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
