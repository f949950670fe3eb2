"""Certified inequalities (`sgmverify.hypotheses._certify`): a bank of known-true and known-false
inequalities near their
tightness, with zero wrong verdicts; budgets, domain errors, input errors; and the interval enclosures of the
functions that ``mpmath.iv`` lacks, checked against 50-digit mpmath values.

Each bank entry states the verdict it must get.  ``undecided`` appears only where it is the documented
outcome: an inequality that touches 0 at a point bisection never hits (then ``tol > 0`` proves it), a
removable singularity probed at a tiny scale (the dependency problem beats the Taylor form there), or a
claim about a function that is undefined on part of the box (never proved).  The verdict table with timings
is printed by the slow test ``test_bank_table`` (``pytest -m slow -s tests/test_certify.py``).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import mpmath
import numpy as np
import pytest
import sympy as sp
from mpmath import iv, libmp
from sympy.codegen.cfunctions import expm1, log1p

from sgmverify.errors import ExpressionError, InvalidParameterError
from sgmverify.hypotheses import Certificate, certify
from sgmverify.hypotheses._intervals import MPMATH, Program, Undefined

x, y, z, t = sp.symbols("x y z t")
R = sp.Rational


@dataclass(frozen=True)
class Case:
    name: str
    ineq: Any
    box: dict
    expect: str  # "proved" | "counterexample" | "undecided"
    kw: dict = field(default_factory=dict)


BANK = [
    # ---- true, touching 0 at a point that bisection hits exactly (monotonicity test on both sides)
    Case("exp(x) >= 1+x on [-3,3]", sp.exp(x) >= 1 + x, {x: (-3, 3)}, "proved"),
    Case("1-cos(x) >= 0 on [-1,1]", (1 - sp.cos(x), ">="), {x: (-1, 1)}, "proved"),
    Case("cosh(x) >= 1+x^2/2 on [-2,2]", sp.cosh(x) >= 1 + x**2 / 2, {x: (-2, 2)}, "proved"),  # Taylor form
    Case("x(1-x) <= 1/4 on [0,1]", x * (1 - x) <= R(1, 4), {x: (0, 1)}, "proved"),
    Case("exp(x)+exp(y) >= 2+x+y", sp.exp(x) + sp.exp(y) >= 2 + x + y, {x: (-1, 1), y: (-1, 1)}, "proved"),
    # ---- true, touching at an end of the box
    Case("1-e^-t-t e^-t >= 0 on [0,5]", (1 - sp.exp(-t) - t * sp.exp(-t), ">="), {t: (0, 5)}, "proved"),
    Case("log(1+x) <= x on [0,10]", sp.log(1 + x) <= x, {x: (0, 10)}, "proved"),
    Case("sin(x) <= x on [0,4]", sp.sin(x) <= x, {x: (0, 4)}, "proved"),
    Case("tanh(x) <= x on [0,3]", sp.tanh(x) <= x, {x: (0, 3)}, "proved"),
    Case("atan(x) <= x on [0,5]", sp.atan(x) <= x, {x: (0, 5)}, "proved"),
    Case("sinh(x) >= x on [0,3]", sp.sinh(x) >= x, {x: (0, 3)}, "proved"),
    Case("expm1(t) >= t on [0,5]", expm1(t) >= t, {t: (0, 5)}, "proved"),
    Case("erf(x) <= 2x/sqrt(pi) on [0,3]", sp.erf(x) <= 2 * x / sp.sqrt(sp.pi), {x: (0, 3)}, "proved"),
    Case("1-exp(-2t) <= 2t on [0,10]", 1 - sp.exp(-2 * t) <= 2 * t, {t: (0, 10)}, "proved"),
    # ---- true, exact algebra: sympy's factor exposes a square
    Case("(x-1)^2 >= 0 on [-2,3]", ((x - 1) ** 2, ">="), {x: (-2, 3)}, "proved"),
    Case("x^2+y^2 >= 2xy on [-1,1]^2", x**2 + y**2 >= 2 * x * y, {x: (-1, 1), y: (-1, 1)}, "proved"),
    Case("x^2 y^2 + 1 >= 2xy on [-2,2]^2", x**2 * y**2 + 1 >= 2 * x * y, {x: (-2, 2), y: (-2, 2)}, "proved"),
    # ---- true, strict, sympy alone cannot decide; cancellation-prone
    Case("1-e^-t > 0 on [1e-6,10]", 1 - sp.exp(-t) > 0, {t: (sp.Float(1e-6), 10)}, "proved"),
    Case("1-e^-t > 0 on [1e-12,1]", 1 - sp.exp(-t) > 0, {t: (sp.Float(1e-12), 1)}, "proved"),
    Case("-expm1(-t) > 0 on [1e-300,1]", -expm1(-t) > 0, {t: (sp.Float(1e-300), 1)}, "proved"),
    Case("t-(1-e^-t) > 0 on [1e-6,10]", t - (1 - sp.exp(-t)) > 0, {t: (sp.Float(1e-6), 10)}, "proved"),
    Case(
        "(1-cos x)/x^2 <= 1/2 on [1e-3,1]",
        (1 - sp.cos(x)) / x**2 <= R(1, 2),
        {x: (sp.Float(1e-3), 1)},
        "proved",
    ),
    Case(
        "(1-e^-2t)/(2t) >= e^-2t on [1e-4,5]",
        (1 - sp.exp(-2 * t)) / (2 * t) >= sp.exp(-2 * t),
        {t: (sp.Float(1e-4), 5)},
        "proved",
    ),
    Case(
        "x^2+y^2+z^2+1 >= x+y+z on [-2,2]^3",
        x**2 + y**2 + z**2 + 1 >= x + y + z,
        {x: (-2, 2), y: (-2, 2), z: (-2, 2)},
        "proved",
    ),
    # ---- true, touching at a point bisection never hits: proved with tol, undecided without
    Case("exp(x) >= 1+x on [-3,2], tol", sp.exp(x) >= 1 + x, {x: (-3, 2)}, "proved", {"tol": 1e-12}),
    Case("exp(x) >= 1+x on [-3,2]", sp.exp(x) >= 1 + x, {x: (-3, 2)}, "undecided", {"max_boxes": 300}),
    Case("log1p(x) <= x on [-0.5,3], tol", log1p(x) <= x, {x: (-R(1, 2), 3)}, "proved", {"tol": 1e-12}),
    Case(
        "atan(x) >= x-x^3/3 on [0,1], tol", sp.atan(x) >= x - x**3 / 3, {x: (0, 1)}, "proved", {"tol": 1e-9}
    ),
    Case(
        "cosh(x) >= 1+x^2/2 on [-2,3], tol",
        sp.cosh(x) >= 1 + x**2 / 2,
        {x: (-2, 3)},
        "proved",
        {"tol": 1e-12},
    ),
    Case(
        "e^-x^2 <= 1/(1+x^2) on [-2,3], tol",
        sp.exp(-(x**2)) <= 1 / (1 + x**2),
        {x: (-2, 3)},
        "proved",
        {"tol": 1e-10},
    ),
    Case("sqrt(x) >= x on [0,1], tol", sp.sqrt(x) >= x, {x: (0, 1)}, "proved", {"tol": 1e-9}),
    Case("sin(x) >= 0 on [0,pi], tol", sp.sin(x) >= 0, {x: (0, sp.pi)}, "proved", {"tol": 1e-12}),
    Case(
        "(x+y)/2 >= sqrt(xy) on [0.1,2]^2, tol",
        (x + y) / 2 >= sp.sqrt(x * y),
        {x: (R(1, 10), 2), y: (R(1, 10), 2)},
        "proved",
        {"tol": 1e-4},
    ),
    # ---- false, near tightness
    Case("x^2-0.01 >= 0 on [-1,1]", (x**2 - sp.Float(0.01), ">="), {x: (-1, 1)}, "counterexample"),
    Case("exp(-x) <= 1-x/2 on [0,3]", sp.exp(-x) <= 1 - x / 2, {x: (0, 3)}, "counterexample"),
    Case("x(1-x) <= 0.2499 on [0,1]", x * (1 - x) <= R(2499, 10000), {x: (0, 1)}, "counterexample"),
    Case(
        "cos x <= 1-x^2/2+x^4/25 on [0,2]",
        sp.cos(x) <= 1 - x**2 / 2 + x**4 / 25,
        {x: (0, 2)},
        "counterexample",
    ),
    Case("exp(x) >= 1+x+x^2/2 on [-1,1]", sp.exp(x) >= 1 + x + x**2 / 2, {x: (-1, 1)}, "counterexample"),
    Case(
        "(1-cos x)/x^2 <= 0.4999 on [1e-3,1]",
        (1 - sp.cos(x)) / x**2 <= R(4999, 10000),
        {x: (sp.Float(1e-3), 1)},
        "counterexample",
    ),
    Case("erf(x) >= x on [0,1]", sp.erf(x) >= x, {x: (0, 1)}, "counterexample"),
    Case("log(x) >= 0 on [0.5,2]", sp.log(x) >= 0, {x: (R(1, 2), 2)}, "counterexample"),
    Case(
        "xy <= 0.4999 on [0,1]x[0,0.5]",
        x * y <= R(4999, 10000),
        {x: (0, 1), y: (0, R(1, 2))},
        "counterexample",
    ),
    # ---- false only through strictness: f = 0 exactly at a point
    Case("1-e^-t > 0 on [0,10]", 1 - sp.exp(-t) > 0, {t: (0, 10)}, "counterexample"),
    Case("1-cos(x) > 0 on [-1,1]", (1 - sp.cos(x), ">"), {x: (-1, 1)}, "counterexample"),
    # ---- removable singularity at tiny scale: float64 says "violated" (0.5255 > 1/2), intervals stay honest
    Case(
        "(1-cos x)/x^2 <= 1/2 on [1e-8,1e-7]",
        (1 - sp.cos(x)) / x**2 <= R(1, 2),
        {x: (sp.Float(1e-8), sp.Float(1e-7))},
        "undecided",
        {"max_boxes": 300},
    ),
    Case(
        "sin(x)/x <= 1 on [1e-10,1]",
        sp.sin(x) / x <= 1,
        {x: (sp.Float(1e-10), 1)},
        "undecided",
        {"max_boxes": 300},
    ),
    # ---- undefined on part of the box: never proved
    Case("log(x) >= -10 on [-1,1]", sp.log(x) >= -10, {x: (-1, 1)}, "undecided", {"max_boxes": 200}),
    Case("1/x^2 >= 0 on [-1,1]", (1 / x**2, ">="), {x: (-1, 1)}, "undecided", {"max_boxes": 200}),
    Case("sqrt(x) >= -1 on [-1,1]", sp.sqrt(x) >= -1, {x: (-1, 1)}, "undecided", {"max_boxes": 200}),
]


def _reference_f(case: Case) -> tuple[sp.Expr, bool]:
    """f with ``f >= 0`` (strict: ``f > 0``) meaning the case's inequality, re-derived independently."""
    ineq = case.ineq
    if isinstance(ineq, tuple):
        return (ineq[0] if ineq[1] in (">=", ">") else -ineq[0]), ineq[1] in (">", "<")
    sign = 1 if isinstance(ineq, sp.GreaterThan | sp.StrictGreaterThan) else -1
    return sign * (ineq.lhs - ineq.rhs), isinstance(ineq, sp.StrictGreaterThan | sp.StrictLessThan)


def _run(case: Case) -> Certificate:
    kw = {"max_seconds": 20.0, **case.kw}
    return certify(case.ineq, case.box, **kw)


def _check_verdict(case: Case, cert: Certificate) -> None:
    assert cert.status == case.expect, cert.message
    if cert.status == "counterexample":  # independent check at 60 digits, exact float point, inside the box
        f, strict = _reference_f(case)
        subs = {s: sp.Float(cert.counterexample[s.name], 60) for s in case.box}
        for s, (lo, hi) in case.box.items():
            assert lo <= sp.Rational(cert.counterexample[s.name]) <= hi
        val = f.subs(subs).evalf(60)
        assert (val <= 0) if strict else (val < 0)
        assert abs(mpmath.mpf(cert.value) - mpmath.mpf(str(val))) <= 1e-40 * max(1, abs(cert.value))
    if cert.status == "proved":
        assert cert.lower_bound is not None and cert.lower_bound >= -cert.tol
        assert cert.boxes_left == () and cert.n_boxes_left == 0
    if cert.status == "undecided":
        assert cert.n_boxes_left > 0 and len(cert.boxes_left) <= 20


@pytest.mark.parametrize("case", BANK, ids=[c.name for c in BANK])
def test_bank(case):
    cert = _run(case)
    _check_verdict(case, cert)


def test_bank_size():
    assert len(BANK) >= 30
    assert {c.expect for c in BANK} == {"proved", "counterexample", "undecided"}


@pytest.mark.slow
def test_bank_table(capsys):
    rows = []
    for case in BANK:
        t0 = time.perf_counter()
        cert = _run(case)
        rows.append(
            (case.name, case.kw.get("tol", 0), cert.status, cert.boxes_checked, time.perf_counter() - t0)
        )
        _check_verdict(case, cert)
    with capsys.disabled():
        print(f"\n{'inequality':44s} {'tol':>7s} {'verdict':15s} {'boxes':>6s} {'seconds':>8s}")
        for name, tol, status, boxes, secs in rows:
            print(f"{name:44s} {tol:7.0e} {status:15s} {boxes:6d} {secs:8.3f}")


# ------------------------------------------------------------------------------- verdict details
def test_touching_without_tol_is_undecided_and_says_why():
    cert = certify(sp.exp(x) >= 1 + x, {x: (-3, 2)}, max_boxes=200)
    assert cert.status == "undecided"
    assert "tol" in cert.message and cert.lower_bound is not None and -1e-6 < cert.lower_bound < 0
    proved = certify(sp.exp(x) >= 1 + x, {x: (-3, 2)}, tol=1e-10)
    assert proved.proved and proved.tol == 1e-10
    assert ">= -1e-10" in proved.statement and "not f >= 0" in proved.message


def test_counterexample_fields():
    cert = certify((x**2 - sp.Float(0.01), ">="), {x: (-1, 1)})
    assert cert.status == "counterexample" and set(cert.counterexample) == {"x"}
    p = cert.counterexample["x"]
    assert isinstance(cert.value, mpmath.mpf) and cert.value < 0
    with mpmath.workdps(50):
        assert cert.value == mpmath.mpf(p) ** 2 - mpmath.mpf(0.01)
    assert cert.precision == 53 and cert.dps == 15 and cert.boxes_left == ()


def test_counterexample_found_by_bisection_not_probes():
    # (x - 1/3)^2 >= 1e-12 fails only within 1e-6 of 1/3; no random probes, the corners and the centre pass
    f = sp.expand((x - R(1, 3)) ** 2) - R(1, 10**12)
    cert = certify((f, ">="), {x: (0, 1)}, n_random=0)
    assert cert.status == "counterexample" and cert.boxes_checked > 0
    p = sp.Rational(cert.counterexample["x"])
    assert abs(p - R(1, 3)) < R(1, 10**6) and f.subs(x, p) < 0


def test_budget_exhaustion_boxes_and_seconds():
    amgm = ((x + y) / 2 - sp.sqrt(x * y), ">=")
    by_boxes = certify(amgm, {x: (R(1, 10), 2), y: (R(1, 10), 2)}, tol=1e-6, max_boxes=40, keep_boxes=3)
    assert by_boxes.status == "undecided" and by_boxes.boxes_checked == 40
    assert len(by_boxes.boxes_left) == 3 and by_boxes.n_boxes_left > 3
    for b in by_boxes.boxes_left:
        assert 0.1 - 1e-16 <= b["x"][0] < b["x"][1] <= 2 and 0.1 - 1e-16 <= b["y"][0] < b["y"][1] <= 2
    by_time = certify(sp.exp(x) >= 1 + x, {x: (-3, 2)}, max_seconds=1e-9)
    assert by_time.status == "undecided" and "budget" in by_time.message


def test_domain_errors_never_crash_nor_prove():
    for ineq in [
        sp.log(x) >= -10,
        (1 / x, ">="),
        sp.sqrt(x) >= 0,
        x ** R(1, 3) >= -1,
        sp.log(sp.log(x)) <= 5,
    ]:
        cert = certify(ineq, {x: (-1, 1)}, max_boxes=100)
        assert cert.status in ("undecided", "counterexample"), cert.message
    cert = certify(sp.log(x) >= -10, {x: (-1, 1)}, max_boxes=100)
    assert cert.status == "undecided" and "undefined" in cert.message and cert.lower_bound is None


def test_infinite_intermediate_is_not_proved():
    # atan(log(x)) > -pi/2 for x > 0, but at 0 it is undefined although atan(-inf) = -pi/2 is finite: the box
    # containing 0 must stay undecided
    cert = certify(sp.atan(sp.log(x)) >= -2, {x: (0, 1)}, max_boxes=50)
    assert cert.status == "undecided" and "undefined" in cert.message
    assert certify(sp.atan(sp.log(x)) >= -2, {x: (sp.Float(1e-300), 1)}).proved


def test_input_forms_agree():
    forms = [
        sp.exp(x) >= 1 + x,
        1 + x <= sp.exp(x),
        (sp.exp(x) - 1 - x, ">="),
        (1 + x - sp.exp(x), "<="),
        sp.exp(x) - 1 - x,
        "exp(x) >= 1 + x",
    ]
    for ineq in forms:
        box = {"x": (-3, 3)} if isinstance(ineq, str) else {x: (-3, 3)}
        assert certify(ineq, box).proved


def test_rational_and_symbolic_bounds_are_enclosed_outward():
    # sin(x) >= 0 on [0, pi]: the upper end is pi rounded up, where sin < 0 by 1e-16: needs tol
    assert certify(sp.sin(x) >= 0, {x: (0, sp.pi)}, max_boxes=300).status == "undecided"
    cert = certify(sp.sin(x) >= 0, {x: (0, sp.pi)}, tol=1e-12)
    assert cert.proved
    # a counterexample reported for a box with a rational bound lies inside the exact box
    cert = certify(x <= R(1, 3) - R(1, 10**9), {x: (0, R(1, 3))}, n_random=0)
    assert cert.status == "counterexample" and cert.counterexample["x"] <= R(1, 3)


def test_global_precision_is_restored():
    iv.prec, mpmath.mp.prec = 53, 53
    certify(sp.exp(x) >= 1 + x, {x: (-3, 3)}, prec=113)
    with pytest.raises(ExpressionError):
        certify(sp.gamma(x) >= 0, {x: (1, 2)}, prec=80)
    assert iv.prec == 53 and mpmath.mp.prec == 53


def test_higher_precision_reported():
    cert = certify(1 - sp.exp(-t) > 0, {t: (sp.Float(1e-6), 10)}, prec=113)
    assert cert.proved and cert.precision == 113 and cert.dps == 33


# ------------------------------------------------------------------------------- input errors
def test_unknown_symbol():
    with pytest.raises(ExpressionError, match=r"\['y'\].*not in the box"):
        certify(x + y >= 0, {x: (0, 1)})


def test_unsupported_function_listed():
    with pytest.raises(ExpressionError, match="gamma") as info:
        certify(sp.gamma(x) + sp.besselj(0, x) >= 0, {x: (1, 2)})
    assert "besselj" in str(info.value) and "supported" in str(info.value)


@pytest.mark.parametrize(
    "box",
    [{}, {x: (1, 0)}, {x: (0, sp.oo)}, {x: (-math.inf, 0)}, {x: (math.nan, 1)}, {x: (0, 1, 2)}, {x: (0, y)}],
)
def test_invalid_boxes(box):
    with pytest.raises(InvalidParameterError):
        certify(x >= -1, box)


def test_box_violating_symbol_assumptions():
    p = sp.Symbol("p", positive=True)
    with pytest.raises(InvalidParameterError, match="positive"):
        certify(p >= -1, {p: (-1, 1)})


def test_not_an_inequality():
    with pytest.raises(ExpressionError):
        certify(sp.Eq(x, 1), {x: (0, 1)})
    with pytest.raises(ExpressionError, match="already evaluated"):
        certify(sp.Symbol("r", real=True) ** 2 >= 0, {"r": (0, 1)})


@pytest.mark.parametrize("kw", [{"tol": -1.0}, {"tol": math.nan}, {"max_boxes": 0}, {"prec": 8}])
def test_invalid_options(kw):
    with pytest.raises(InvalidParameterError):
        certify(x >= -1, {x: (0, 1)}, **kw)


def test_flint_backend_missing_or_working():
    try:
        import flint  # noqa: F401
    except ImportError:
        with pytest.raises(InvalidParameterError, match="python-flint"):
            certify(x >= -1, {x: (0, 1)}, backend="flint")
        return
    for case in BANK:
        if case.expect != "undecided":
            _check_verdict(case, certify(case.ineq, case.box, backend="flint", **case.kw))


# ------------------------------------------------------------------------------- interval enclosures
FUNCS = {  # name: (sympy function, 60-digit mpmath reference)
    "exp": (sp.exp, mpmath.exp), "log": (sp.log, mpmath.log), "expm1": (expm1, mpmath.expm1),
    "log1p": (log1p, mpmath.log1p), "sin": (sp.sin, mpmath.sin), "cos": (sp.cos, mpmath.cos),
    "tan": (sp.tan, mpmath.tan), "atan": (sp.atan, mpmath.atan), "sinh": (sp.sinh, mpmath.sinh),
    "cosh": (sp.cosh, mpmath.cosh), "tanh": (sp.tanh, mpmath.tanh), "erf": (sp.erf, mpmath.erf),
    "erfc": (sp.erfc, mpmath.erfc), "sqrt": (sp.sqrt, mpmath.sqrt), "abs": (sp.Abs, abs),
    "cube root": (lambda u: u ** R(1, 3), mpmath.cbrt),
}  # fmt: skip
POINTS = [0.0, 1e-300, -1e-300, 1e-12, -1e-12, 1e-3, -0.7, 0.5, 1.0, 2.5, -3.0, 6.0, -9.0, 30.0, 200.0]


def _enclose(expr, lo, hi, prec=53):
    with MPMATH.precision(prec):
        prog = Program([expr], [x], MPMATH)
        r = prog([iv.make_mpf((libmp.from_float(lo), libmp.from_float(hi)))])[0]
        return mpmath.mp.make_mpf(r._mpi_[0]), mpmath.mp.make_mpf(r._mpi_[1])  # exact


@pytest.mark.parametrize("name", sorted(FUNCS))
def test_enclosures_contain_true_values(name):
    """Point and interval enclosures contain the 60-digit value at the points (and the samples) they cover."""
    fn, ref = FUNCS[name]
    rng = np.random.default_rng(1)
    for a in POINTS:
        for width in (0.0, 1e-9, 0.3, 4.0):
            lo, hi = a, a + width
            try:
                elo, ehi = _enclose(fn(x), lo, hi)
            except Undefined:
                continue
            samples = [lo, hi, *rng.uniform(lo, hi, 5)]
            with mpmath.workdps(60):
                for s in samples:
                    v = ref(mpmath.mpf(s))  # s is exact in mpf; the reference has 60 digits
                    if isinstance(v, mpmath.mpf):
                        slack = 1e-55 * abs(v)
                        assert elo - slack <= v <= ehi + slack, (name, lo, hi, s)
            if width == 0.0 and abs(a) < 50:  # tight at points (pow: log(1e-300) ~ -690 amplifies rounding)
                assert ehi - elo <= 1e-12 * max(abs(elo), abs(ehi), 1e-300), (name, a, elo, ehi)


def test_enclosures_undefined_outside_the_real_domain():
    for expr, lo, hi in [
        (sp.log(x), -1, 1),
        (sp.log(x), 0, 1),
        (sp.sqrt(x), -1e-300, 1),
        (1 / x, -1, 1),
        (x ** R(1, 3), -1, -0.5),
        (x**x, -1, 1),
        (log1p(x), -2, 0),
        (sp.tan(x), 1, 2),
        (sp.atan(sp.log(x)), 0, 1),
    ]:
        with pytest.raises(Undefined):
            _enclose(expr, lo, hi)


def test_enclosures_tight_where_cancellation_bites():
    lo, hi = _enclose(expm1(x), 1e-20, 1e-20)
    with mpmath.workdps(60):
        assert lo <= mpmath.mpf(1e-20) + mpmath.mpf(1e-20) ** 2 / 2 <= hi and hi - lo < 1e-34
    lo, hi = _enclose(log1p(x), -1e-20, -1e-20)
    assert hi - lo < 1e-34
    lo, hi = _enclose(sp.tanh(x), 1e-200, 1e-200)
    assert lo <= mpmath.mpf(1e-200) <= hi and hi - lo < 1e-214
    lo, hi = _enclose(sp.erf(x), 10.0, 10.0)
    assert hi == 1 and 1 - lo < 1e-15
    for a in (6.0, 27.0, 40.0):  # erfc is enclosed with relative (not absolute) accuracy in the tail
        lo, hi = _enclose(sp.erfc(x), a, a)
        with mpmath.workdps(40):
            assert lo <= mpmath.erfc(a) <= hi and hi - lo < (1e-14 if a < 30 else 1e-3) * hi
    lo, hi = _enclose(sp.tanh(x), 1e6, 1e6)
    assert hi == 1 and 1 - lo < 1e-15


# ------------------------------------------------------------------------------- random claims, near tight
def _random_claim(rng: np.random.Generator, dim: int) -> tuple[sp.Expr, dict]:
    syms = [x, y][:dim]
    c = [sp.Rational(int(v), 8) for v in rng.integers(-16, 17, size=8)]
    u = syms[0]
    w = syms[-1]
    f = c[0] * u + c[1] * u**2 + c[2] * sp.exp(c[3] * u / 4) + c[4] * sp.sin(c[5] * w) + c[6] * u * w
    box = {
        s: (sp.Rational(int(rng.integers(-8, 0)), 4), sp.Rational(int(rng.integers(1, 9)), 4)) for s in syms
    }
    # shift so that the sampled minimum sits just above or just below 0: a tight claim either way
    grid = np.meshgrid(*[np.linspace(float(lo), float(hi), 201) for lo, hi in box.values()])
    vals = sp.lambdify(syms, f, "numpy")(*grid) + np.zeros_like(grid[0])
    shift = float(vals.min()) + float(rng.choice([-1e-3, 1e-3, -1e-6, 1e-6]))
    return f - sp.nsimplify(shift, rational=True), box


@pytest.mark.parametrize("dim", [1, 2])
def test_random_tight_claims_never_wrong(dim):
    """Random near-tight claims: every 'proved' survives dense 30-digit sampling, every counterexample is
    confirmed independently with sympy at 60 digits; most claims are decided."""
    rng = np.random.default_rng(20240 + dim)
    decided = 0
    for _ in range(12):
        f, box = _random_claim(rng, dim)
        cert = certify((f, ">="), box, max_boxes=1500, max_seconds=3.0, n_random=8)
        syms = list(box)
        if cert.status == "proved":
            fn = sp.lambdify(syms, f, "mpmath")
            pts = [[rng.uniform(float(lo), float(hi)) for lo, hi in box.values()] for _ in range(300)]
            with mpmath.workdps(30):
                assert min(fn(*[mpmath.mpf(v) for v in p]) for p in pts) >= 0, (f, box)
        elif cert.status == "counterexample":
            val = f.subs({s: sp.Rational(cert.counterexample[s.name]) for s in syms}).evalf(60)
            assert val < 0, (f, box, cert.counterexample)
        decided += cert.status != "undecided"
    assert decided >= 9


def test_strings_are_parsed_without_eval(tmp_path):
    """Inequality strings and box bounds go through the whitelist parser (hardening S1); none is eval'd."""
    marker = tmp_path / "pwned"
    touch = f"__import__('pathlib').Path({str(marker)!r}).touch()"
    for inequality, box in [
        (f"x >= {touch}", {"x": (0, 1)}),
        ((f"x + {touch}", ">="), {"x": (0, 1)}),
        ("x >= 0", {"x": (0, touch)}),
    ]:
        with pytest.raises(ExpressionError):
            certify(inequality, box)
    assert not marker.exists()
    assert certify("sin(x) <= x", {"x": ("0", "pi/2")}).proved  # string bounds: enclosed outward
    for bad in ("nan", "oo", "1/0", "y"):
        with pytest.raises(InvalidParameterError):
            certify("x >= -1", {"x": (0, bad)})
    with pytest.raises(ExpressionError, match="non-finite"):
        certify("x >= -oo", {"x": (0, 1)})
    with pytest.raises(ExpressionError, match="single comparison"):
        certify("0 <= x <= 1", {"x": (0, 1)})


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("max_seconds", "nan"),
        ("prec", "__import__('os')"),
        ("prec", 56575804641),
        ("n_random", 6487811469036),
        ("n_random", 1.5),
        ("taylor_order", 10**9),
        ("keep_boxes", float("inf")),
        ("seed", -1),
        ("tol", 10**400),
        ("backend", ["mpmath"]),
        ("max_boxes", None),
    ],
)
def test_junk_options_are_refused_before_any_work(option: str, value: Any) -> None:
    """Found by tests/test_fuzz.py: huge budgets used to run for hours, strings to raise bare TypeErrors."""
    start = time.perf_counter()
    with pytest.raises(InvalidParameterError, match=option):
        certify("exp(x) >= 1 + x", {"x": (-2, 2)}, **{option: value})
    assert time.perf_counter() - start < 1.0


def test_unhashable_sense_is_an_expression_error() -> None:
    with pytest.raises(ExpressionError):
        certify(("x**2 + 1", [">="]), {"x": (-1, 1)})
