"""Certified inequalities: prove or refute ``f(x) >= 0`` on a box by interval branch and bound.

The claim is compiled once from sympy into straight-line interval code
(:mod:`sgmverify.hypotheses._intervals`:
``mpmath.iv`` by default, python-flint's ``arb`` balls optionally).  Every operation is rounded outward, so
the interval computed for a box encloses every value of ``f`` on it [MKC09, ch. 5].  A box is *proved* when
the lower end of an enclosure clears the threshold; otherwise it is bisected along its widest side (relative
to the initial box) and both halves are queued, smallest lower bound first [MKC09, ch. 6; HW04].  The lower
bound of a box is the largest of four rigorous ones:

1. the natural extension of ``f``, and of ``factor(f)`` when sympy factors it (``x**2 + y**2 - 2*x*y``
   becomes ``(x - y)**2``, whose enclosure is ``>= 0`` on every box);
2. the mean-value (centred) form ``f(c) + sum_i G_i(X) (X_i - c_i)``, ``G`` the interval gradient of
   sympy's derivative: its overestimate shrinks like ``width**2``, which fights the dependency problem;
3. the monotonicity test [HW04]: where ``G_i(X)`` has one sign, ``x_i`` is pinned at the end where ``f`` is
   smallest, so a touching point that bisection hits exactly (``exp(x) >= 1 + x`` at 0 on ``[-3, 3]``) is
   proved;
4. in one variable, the Taylor form of order ``taylor_order`` (derivatives at the centre, an interval
   remainder), which defeats cancellation such as ``(1 - cos(x))/x**2`` near 0.

A box on which an evaluation leaves the real domain (log or sqrt of an interval reaching below 0, division
by an interval containing 0, any infinite or NaN intermediate) is bisected again, never proved.
Derivatives are not used when ``f`` has Abs, Max or Min (their derivatives involve sign or Heaviside), which
keeps the mean-value theorem valid.  Counterexamples are searched at the corners, at ``n_random`` seeded
random points and at every box centre; one is reported only when an interval evaluation at that (float)
point, at >= 192 bits, lies entirely beyond the threshold.  Its value is also given as a plain 50-digit
mpmath value.

Touching inequalities.  If ``f`` attains 0 (``exp(x) >= 1 + x`` on ``[-3, 2]``) at a point that bisection
does not hit exactly, the enclosures near that point stay slightly negative and the result is ``undecided``.
Pass ``tol > 0`` to certify the weaker ``f >= -tol`` instead.  The ``statement`` and ``message`` of the
certificate then say so, and a counterexample must then violate ``f >= -tol``.

Limits.  Near a removable singularity at a tiny scale (``sin(x)/x <= 1`` on ``[1e-10, 1]``) the terms of
``f`` and of its derivatives are huge and cancel, and enclosures overestimate by far more than ``f`` itself:
expect ``undecided``; raise ``prec`` against rounding, shrink the box, or rewrite ``f`` (e.g. with a series).
Proving ``(1 - cos(x))/x**2 <= 1/2`` on ``[1e-3, 1]`` takes about 200 boxes.

Rigour rests on mpmath's directed rounding of exp, log, sqrt, sin, cos, tan, atan2 and powers (or on Arb).
``mpmath.iv.prec`` is process-global state: run one certification per thread at a time.

References
----------
.. [MKC09] R. E. Moore, R. B. Kearfott, M. J. Cloud, *Introduction to Interval Analysis*, SIAM, 2009.
.. [HW04] E. Hansen, G. W. Walster, *Global Optimization Using Interval Analysis*, 2nd ed., Dekker, 2004.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import mpmath
import numpy as np
import sympy as sp
from mpmath import libmp

from sgmverify.errors import ExpressionError

from ._certify_input import check_options, parse_box, parse_inequality
from ._intervals import MP_POINT, MPMATH, ZERO, Backend, Program, Undefined, flint_backend, mpf_max, mpf_min

__all__ = ["Certificate", "certify"]


@dataclass(frozen=True)
class Certificate:
    """Outcome of :func:`certify`.

    Attributes
    ----------
    status : {"proved", "counterexample", "undecided"}
        ``proved``: the ``statement`` holds on the whole box (rigorous).  ``counterexample``: it fails at
        ``counterexample`` (rigorous).  ``undecided``: the budget ran out, or part of the box is undefined.
    statement : str
        What was certified, e.g. ``"exp(x) - x - 1 >= 0 for x in [-3, 3]"`` (``>= -tol`` when ``tol > 0``).
    boxes_checked : int
        Boxes evaluated by the branch and bound.
    boxes_left : tuple of dict
        Up to ``keep_boxes`` undecided boxes ``{name: (lo, hi)}`` (floats, rounded outward), lowest first.
    n_boxes_left : int
        How many undecided boxes remained in all.
    precision : int
        Working precision of the interval arithmetic in bits (see :attr:`dps`).
    counterexample : dict of str to float or None
        A point of the box where the statement fails.
    value : mpmath.mpf or None
        ``f`` at ``counterexample``, plain mpmath at 50 digits (the failure itself is verified by intervals).
    lower_bound : float or None
        A certified lower bound of ``f`` on the box (rounded down), when every remaining box is defined.
    tol, elapsed, message, backend
        Tolerance used, wall-clock seconds, human-readable summary, arithmetic used.
    """

    status: Literal["proved", "counterexample", "undecided"]
    statement: str
    boxes_checked: int
    boxes_left: tuple[dict[str, tuple[float, float]], ...]
    n_boxes_left: int
    precision: int
    counterexample: dict[str, float] | None
    value: Any
    lower_bound: float | None
    tol: float
    elapsed: float
    message: str
    backend: str = "mpmath"
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def proved(self) -> bool:
        return self.status == "proved"

    @property
    def dps(self) -> int:
        return libmp.prec_to_dps(self.precision)


# ----------------------------------------------------------------------------- branch and bound
class _Search:
    """The compiled claim ``f >= thr`` (``f > thr`` if strict) on a box, and the per-box bounding step."""

    def __init__(self, f: sp.Expr, strict: bool, names: list[str], exact: list[tuple[sp.Expr, sp.Expr]],
                 tol: float, be: Backend, taylor_order: int) -> None:  # fmt: skip
        syms = [sp.Symbol(n, real=True) for n in names]
        self.strict, self.names, self.exact, self.be = strict, names, exact, be
        self.thr = libmp.from_float(-tol)
        self.notes: list[str] = []
        self.prog = Program([f], syms, be)
        self.point_prog = Program([f], syms, MP_POINT)
        self.alt = self.grad = self.grad_alt = self.taylor = None
        try:  # factor(f) is equal to f wherever f is defined; used only where f itself evaluates
            g = sp.factor(f) if sp.count_ops(f) <= 300 else f
            if g != f and sp.cancel(f - g) == 0:
                self.alt = Program([g], syms, be)
        except (sp.PolynomialError, ExpressionError, TypeError, ValueError):
            pass
        try:
            ders = [sp.diff(f, s) for s in syms]
            self.grad = Program(ders, syms, be)
            alt = [sp.factor_terms(d) if sp.count_ops(d) <= 300 else d for d in ders]
            if alt != ders:  # e.g. c - c*exp(-x**2) -> c*(1 - exp(-x**2)): its sign is then visible
                self.grad_alt = Program(alt, syms, be)
        except ExpressionError:
            self.notes.append("no mean-value form or monotonicity test: f' uses functions without enclosures")
        if self.grad is not None and len(names) == 1 and taylor_order >= 2:
            ders = [f]
            for _ in range(taylor_order):
                ders.append(sp.diff(ders[-1], syms[0]))
            with contextlib.suppress(ExpressionError):
                self.taylor = (Program(ders[:-1], syms, be), Program(ders[-1:], syms, be))
        enclose = lambda v: be.bounds(Program([v], [], be)([])[0])  # noqa: E731
        self.box0 = [(enclose(lo)[0], enclose(hi)[1]) for lo, hi in exact]
        self.width0 = [libmp.mpf_sub(b, a, 64, "u") for a, b in self.box0]

    def passes(self, lo: tuple) -> bool:
        return libmp.mpf_gt(lo, self.thr) if self.strict else libmp.mpf_ge(lo, self.thr)

    def fails(self, hi: tuple) -> bool:
        return libmp.mpf_le(hi, self.thr) if self.strict else libmp.mpf_lt(hi, self.thr)

    def point_upper(self, pt: Sequence[tuple]) -> tuple:
        return self.be.bounds(self.prog([self.be.interval(v, v) for v in pt])[0])[1]

    def evaluate(self, box: list[tuple]) -> tuple[tuple | None, list[tuple]]:
        """A certified lower bound of f on ``box`` (None: undefined there) and (point, upper) candidates."""
        be = self.be
        X = [be.interval(a, b) for a, b in box]
        try:
            lower = be.bounds(self.prog(X)[0])[0]
        except Undefined:
            return None, []
        if self.alt is not None and not self.passes(lower):
            with contextlib.suppress(Undefined):
                lower = mpf_max(lower, be.bounds(self.alt(X)[0])[0])
        if self.passes(lower):
            return lower, []
        mids = [libmp.mpf_shift(libmp.mpf_add(a, b, 0), -1) for a, b in box]  # exact, so inside the box
        cands: list[tuple] = []
        try:
            cands.append((mids, self.point_upper(mids)))
            if self.grad is None:
                return lower, cands
            gb = [be.bounds(g) for g in self.grad(X)]
        except Undefined:
            return lower, cands
        if self.grad_alt is not None:  # intersect with an algebraically equal form of the gradient
            with contextlib.suppress(Undefined):
                alt = [be.bounds(g) for g in self.grad_alt(X)]
                gb = [(mpf_max(g[0], h[0]), mpf_min(g[1], h[1])) for g, h in zip(gb, alt)]
        # monotonicity test: where df/dx_i has one sign on the box, pin x_i at the end where f is smallest
        pin = [a if not g[0][0] else b if g[1][0] or g[1] == ZERO else None for g, (a, b) in zip(gb, box)]
        if any(p is not None for p in pin):
            box = [(p, p) if p is not None else ab for p, ab in zip(pin, box)]
            mids = [p if p is not None else m for p, m in zip(pin, mids)]
            X = [be.interval(a, b) for a, b in box]
            with contextlib.suppress(Undefined):
                lower = mpf_max(lower, be.bounds(self.prog(X)[0])[0])
                cands.append((mids, self.point_upper(mids)))
        try:  # mean-value form f(c) + G(X) . (X - c), G over the original box
            mv = self.prog([be.interval(m, m) for m in mids])[0]
            for (glo, ghi), x, m in zip(gb, X, mids):
                mv = mv + be.interval(glo, ghi) * (x - be.interval(m, m))
            lower = mpf_max(lower, be.bounds(be.check(mv))[0])
            if self.taylor is not None and pin[0] is None and not self.passes(lower):
                lower = mpf_max(lower, self._taylor(X[0], mids[0]))
        except Undefined:
            pass
        return lower, cands

    def _taylor(self, x: Any, m: tuple) -> tuple:
        """Order-k Taylor form: sum_{j<k} f^(j)(c) d^j/j! + f^(k)(X) d^k/k!, d = X - c."""
        be, (at_c, rem) = self.be, self.taylor
        c = be.interval(m, m)
        d = x - c
        terms = at_c([c]) + rem([x])
        t = terms[0]
        for j, a in enumerate(terms[1:], start=1):
            t = t + a * d**j / math.factorial(j)
        return be.bounds(be.check(t))[0]

    def confirm(self, point: Sequence[tuple]) -> tuple[dict[str, float], Any] | None:
        """Interval-verify a failure at the nearest float point (>= 192 bits); return it, f there (50 dps)."""
        pt = [libmp.to_float(p) for p in point]
        if not all(math.isfinite(p) for p in pt) or not all(
            bool(lo <= sp.Rational(p) <= hi) for p, (lo, hi) in zip(pt, self.exact)
        ):
            return None
        try:
            with self.be.precision(max(192, self.be.get_prec())):
                hi = self.point_upper([libmp.from_float(p) for p in pt])
        except Undefined:
            return None
        if not self.fails(hi):
            return None
        with mpmath.workdps(50):
            try:
                value = self.point_prog([mpmath.mpf(p) for p in pt])[0]
            except Undefined:  # plain mpmath failed where intervals did not: report the verified upper bound
                value = +mpmath.mp.make_mpf(hi)
        return dict(zip(self.names, pt)), value


def _bisect(box: list[tuple], width0: list[tuple]) -> list[list[tuple]] | None:
    """Halve the widest side relative to the initial box (exact midpoint); None if the box is a point."""
    widths = [
        libmp.to_float(libmp.mpf_div(libmp.mpf_sub(b, a, 64), w0, 64)) if w0 != ZERO else -1.0
        for (a, b), w0 in zip(box, width0)
    ]
    i = int(np.argmax(widths))
    if widths[i] <= 0:
        return None
    (a, b), m = box[i], libmp.mpf_shift(libmp.mpf_add(*box[i], 0), -1)
    return [[*box[:i], (a, m), *box[i + 1 :]], [*box[:i], (m, b), *box[i + 1 :]]]


def certify(
    inequality: Any,
    box: Mapping[sp.Symbol | str, tuple[Any, Any]],
    *,
    tol: float = 0.0,
    max_boxes: int = 20_000,
    max_seconds: float = 10.0,
    prec: int = 53,
    taylor_order: int = 4,
    n_random: int = 32,
    seed: int = 0,
    keep_boxes: int = 20,
    backend: Literal["mpmath", "flint"] = "mpmath",
) -> Certificate:
    """Prove or refute ``f >= 0`` (or ``f > 0``) on a box by interval branch and bound.

    See the module docstring for the algorithm.  ``proved`` is rigorous (outward rounding; undefined boxes
    are never accepted), and so is ``counterexample`` (interval evaluation at the reported point).

    Parameters
    ----------
    inequality : sympy relational, expression, str, or tuple (expr, sense)
        ``Ge/Gt/Le/Lt(lhs, rhs)``, or ``(expr, ">=")`` meaning ``expr >= 0`` (senses ``>=``, ``>``, ``<=``,
        ``<``); a plain expression means ``expr >= 0``.  Strings are parsed with the box's names as symbols.
    box : mapping
        ``{symbol or name: (lo, hi)}`` with finite real bounds (``pi``, ``1/3``: enclosed outward).  Every
        free symbol of the inequality must be in the box.
    tol : float
        Certify ``f >= -tol`` (``f > -tol``) instead: for inequalities that touch 0 (see the module notes).
    max_boxes, max_seconds : int, float
        Budget.  When it runs out the result is ``undecided`` and lists the boxes left.
    prec : int
        Working precision of the interval arithmetic in bits (53: double precision).
    taylor_order : int
        Order of the Taylor form in one variable (below 2: off).
    n_random, seed : int
        Seeded random probe points for the counterexample search (corners and box centres are always probed).
    keep_boxes : int
        How many undecided boxes the certificate lists.
    backend : {"mpmath", "flint"}
        ``mpmath.iv`` intervals, or python-flint ``arb`` balls (needs python-flint).

    Returns
    -------
    Certificate

    Raises
    ------
    ExpressionError
        Free symbols outside the box, functions without an interval enclosure, or not an inequality.
    InvalidParameterError
        Empty, inverted or non-finite box; invalid budget, tolerance or precision; python-flint missing.

    Examples
    --------
    >>> import sympy as sp
    >>> x = sp.Symbol("x")
    >>> certify(sp.exp(x) >= 1 + x, {x: (-3, 3)}).status
    'proved'
    >>> certify((x**2 - sp.Rational(1, 100), ">="), {x: (-1, 1)}).status
    'counterexample'
    """
    start = time.perf_counter()
    check_options(
        tol=tol, max_boxes=max_boxes, max_seconds=max_seconds, prec=prec, taylor_order=taylor_order,
        n_random=n_random, seed=seed, keep_boxes=keep_boxes, backend=backend,
    )  # fmt: skip
    names, exact = parse_box(box)
    local = {n: sp.Symbol(n, real=True) for n in names}
    f, strict = parse_inequality(inequality, local)
    extra = sorted(s.name for s in f.free_symbols if s.name not in local)
    if extra:
        raise ExpressionError(
            f"the inequality has free symbols {extra} that are not in the box {names}; "
            "add them to the box with bounds, or substitute numbers."
        )
    f = f.xreplace({s: local[s.name] for s in f.free_symbols})
    be = flint_backend() if backend == "flint" else MPMATH
    bound = f"{-tol}" if tol else "0"
    where = ", ".join(f"{n} in [{lo}, {hi}]" for n, (lo, hi) in zip(names, exact))
    statement = f"{sp.sstr(f)} {'>' if strict else '>='} {bound} for {where}"
    op = (">" if strict else ">=", "<=" if strict else "<")

    def done(status, checked, boxes, n_left, point, value, lb, msg) -> Certificate:
        return Certificate(status, statement, checked, boxes, n_left, prec, point, value, lb, tol,
                           time.perf_counter() - start, msg + ".", be.name, tuple(search.notes))  # fmt: skip

    with be.precision(prec):
        search = _Search(f, strict, names, exact, tol, be, taylor_order)
        rng = np.random.default_rng(seed)
        lo_f = [libmp.to_float(a, rnd="u") for a, _ in search.box0]
        hi_f = [libmp.to_float(b, rnd="d") for _, b in search.box0]
        probes = list(itertools.product(*search.box0)) if len(names) <= 8 else []
        probes += [[libmp.from_float(v) for v in rng.uniform(lo_f, hi_f)] for _ in range(n_random)]
        checked, heap, stuck = 0, [(-math.inf, 0, search.box0)], []
        cands = [(p, None) for p in probes]
        min_lower, n_undefined, counter = None, 0, 0
        while True:
            for pt, hi in cands:
                if time.perf_counter() - start > max_seconds:
                    break
                with contextlib.suppress(Undefined):
                    hi = search.point_upper(pt) if hi is None else hi
                    if search.fails(hi) and (found := search.confirm(pt)):
                        point, value = found
                        where_cx = ", ".join(f"{k}={v!r}" for k, v in point.items())
                        msg = f"counterexample: f({where_cx}) = {mpmath.nstr(value, 15)} {op[1]} {bound}"
                        return done("counterexample", checked, (), 0, point, value, None, msg)
            if not heap or checked >= max_boxes or time.perf_counter() - start > max_seconds:
                break
            _, _, bx = heapq.heappop(heap)
            checked += 1
            lower, cands = search.evaluate(bx)
            if lower is not None and search.passes(lower):
                min_lower = lower if min_lower is None or libmp.mpf_lt(lower, min_lower) else min_lower
                continue
            n_undefined += lower is None
            key = -math.inf if lower is None else libmp.to_float(lower, rnd="d")
            children = _bisect(bx, search.width0)
            if children is None:
                stuck.append((key, counter, bx))
            for child in children or ():
                counter += 1
                heapq.heappush(heap, (key, counter, child))
    left = sorted(heap + stuck)
    if not left:
        lb = libmp.to_float(min_lower, rnd="d")
        msg = f"proved: {statement}; f >= {lb} certified ({checked} boxes, {prec}-bit {be.name} intervals)"
        if tol:
            msg += f". Only f >= -{tol} is certified (tol > 0), not f >= 0"
        return done("proved", checked, (), 0, None, None, lb, msg)
    lb = None
    if all(k > -math.inf for k, _, _ in left):
        lb = min(k for k, _, _ in left)
        lb = lb if min_lower is None else min(lb, libmp.to_float(min_lower, rnd="d"))
    why = "budget exhausted" if heap else f"boxes too small to bisect at {prec} bits"
    msg = f"undecided ({why}): {len(left)} boxes left after {checked}"
    if n_undefined:
        msg += f"; f is undefined (domain error or pole) on {n_undefined} boxes"
    if lb is not None and lb > -1e-6:
        msg += "; if f touches 0, retry with tol > 0"
    boxes = tuple(
        {n: (libmp.to_float(a, rnd="d"), libmp.to_float(b, rnd="u")) for n, (a, b) in zip(names, bx)}
        for _, _, bx in left[:keep_boxes]
    )
    return done("undecided", checked, boxes, len(left), None, None, lb, msg)
