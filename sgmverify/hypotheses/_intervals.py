"""Interval evaluation of sympy expressions: the arithmetic behind :mod:`sgmverify.hypotheses._certify`.

A :class:`Program` compiles sympy expressions once into straight-line code over a :class:`Backend` (shared
subexpressions computed once per call).  Every intermediate value is checked: an evaluation that leaves the
real domain (log or sqrt of an interval reaching below 0, a non-integer power of a negative base, division by
an interval containing 0, any infinite or NaN enclosure, a complex result) raises :class:`Undefined`, so that
the caller can treat the box as undecided rather than proved.

Backends: ``MPMATH`` (``mpmath.iv``, outward rounding [MKC09, ch. 4]); ``flint_backend()`` (python-flint's
``arb`` ball arithmetic [J17], optional); ``MP_POINT`` (plain mpmath numbers, for reporting values).  Box
endpoints travel as raw mpmath tuples ``(sign, man, exp, bc)`` so that they stay exact.

``mpmath.iv`` has no tanh, sinh, cosh or atan, its erf and erfc raise NoConvergence on intervals, and its
expm1 and log1p drop the Taylor remainder for tiny arguments; so these are enclosed here from rigorous point
enclosures at the endpoints of monotone pieces, computed at raised precision (atan via ``iv.atan2``; erf by
its positive series ``2/sqrt(pi) e^{-x^2} sum (2x^2)^n x/(2n+1)!!`` with a geometric tail bound, and by
``erfc(x) < e^{-x^2}/(x sqrt(pi))`` for large x; erfc as ``1 - erf`` with enough extra bits to keep its
relative accuracy).  The tests check every enclosure against 60-digit mpmath values.

References
----------
.. [MKC09] R. E. Moore, R. B. Kearfott, M. J. Cloud, *Introduction to Interval Analysis*, SIAM, 2009.
.. [J17] F. Johansson, "Arb: efficient arbitrary-precision midpoint-radius interval arithmetic",
   IEEE Trans. Computers 66(8), 2017.
"""

from __future__ import annotations

import contextlib
import functools
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import mpmath
import sympy as sp
from mpmath import iv, libmp
from sympy.codegen.cfunctions import expm1 as _sp_expm1, log1p as _sp_log1p

from sgmverify.errors import ExpressionError, InvalidParameterError

__all__ = ["MPMATH", "MP_POINT", "SUPPORTED_FUNCTIONS", "Backend", "Program", "Undefined", "flint_backend"]

SUPPORTED_FUNCTIONS = (
    "+ - * /, integer powers, real powers of nonnegative bases (sqrt), exp, log, expm1, log1p, "
    "sin, cos, tan, sec, csc, cot, atan, sinh, cosh, tanh, erf, erfc, Abs, Max, Min, pi, E"
)
ZERO, ONE = libmp.fzero, libmp.fone
_BAD = (libmp.finf, libmp.fninf, libmp.fnan)
_FAIL = (ArithmeticError, ValueError, iv.NoConvergence)


class Undefined(Exception):
    """An evaluation left the real domain or produced an infinite or NaN enclosure."""


def mpf_max(a: tuple, b: tuple) -> tuple:
    return b if libmp.mpf_lt(a, b) else a


def mpf_min(a: tuple, b: tuple) -> tuple:
    return a if libmp.mpf_lt(a, b) else b


# ----------------------------------------------------------------------------- mpmath.iv enclosures
@contextlib.contextmanager
def _ivprec(bits: int) -> Iterator[None]:
    old = iv.prec
    iv.prec = bits
    try:
        yield
    finally:
        iv.prec = old


def _pt(a: tuple) -> Any:
    return iv.make_mpf((a, a))


def _neg(r: tuple) -> tuple:
    return libmp.mpf_neg(r[1]), libmp.mpf_neg(r[0])


def _extra(a: tuple) -> int:
    """Bits lost to cancellation in ``exp(a) - 1`` or ``log(1 + a)`` for small ``a``."""
    return 20 + max(0, -(a[2] + a[3])) if a[1] else 20


def _expm1_pt(a: tuple) -> tuple:
    if a == ZERO:
        return ZERO, ZERO
    with _ivprec(iv.prec + _extra(a)):
        return (iv.exp(_pt(a)) - 1)._mpi_


def _log1p_pt(a: tuple) -> tuple:
    with _ivprec(iv.prec + _extra(a)):
        return iv.log(1 + _pt(a))._mpi_


def _tanh_pt(a: tuple) -> tuple:
    if a == ZERO:
        return ZERO, ZERO
    if a[0]:
        return _neg(_tanh_pt(libmp.mpf_neg(a)))
    big = libmp.from_int(iv.prec + 64)  # 1 - tanh(big) < 2 e^{-2 big}: clamp, keeping 1 as the upper end
    if libmp.mpf_gt(a, big):
        return _tanh_pt(big)[0], ONE
    e = iv.make_mpf(_expm1_pt(libmp.mpf_shift(a, 1)))
    with _ivprec(iv.prec + 10):
        return (e / (e + 2))._mpi_  # tanh(a) = expm1(2a) / (expm1(2a) + 2)


def _sinh_pt(a: tuple) -> tuple:
    e1, e2 = iv.make_mpf(_expm1_pt(a)), iv.make_mpf(_expm1_pt(libmp.mpf_neg(a)))
    with _ivprec(iv.prec + 10):
        return ((e1 - e2) / 2)._mpi_


def _cosh_pt(a: tuple) -> tuple:
    with _ivprec(iv.prec + 10):
        return ((iv.exp(_pt(a)) + iv.exp(-_pt(a))) / 2)._mpi_


def _erf_pt(a: tuple) -> tuple:
    """erf(a) = 2/sqrt(pi) e^{-a^2} sum_n t_n, t_0 = a, t_{n+1} = t_n 2a^2/(2n+3): positive terms."""
    if a == ZERO:
        return ZERO, ZERO
    if a[0]:
        return _neg(_erf_pt(libmp.mpf_neg(a)))
    with _ivprec(iv.prec + 20):
        x = _pt(a)
        if libmp.mpf_gt(a, libmp.from_float(math.sqrt((iv.prec + 10) * math.log(2)) + 1)):
            tail = iv.exp(-x * x) / (x * iv.sqrt(iv.pi))  # erfc(x) < e^{-x^2}/(x sqrt(pi)), x > 0
            return libmp.mpf_sub(ONE, tail._mpi_[1], iv.prec, libmp.round_floor), ONE
        x2, s, t, n = 2 * x * x, x, x, 0
        eps = libmp.mpf_shift(ONE, -iv.prec)
        while True:
            t = t * x2 / (2 * n + 3)
            n += 1
            decaying = libmp.mpf_lt(x2._mpi_[1], libmp.from_int(n + 1))  # all later ratios are < 1/2
            if decaying and libmp.mpf_lt(t._mpi_[1], libmp.mpf_mul(s._mpi_[0], eps)):
                break
            s = s + t
        s = s + iv.make_mpf((ZERO, libmp.mpf_shift(t._mpi_[1], 1)))  # tail <= t / (1 - 1/2)
        r = 2 / iv.sqrt(iv.pi) * iv.exp(-x * x) * s
        return r._mpi_[0], mpf_min(r._mpi_[1], ONE)


def _erfc_pt(a: tuple) -> tuple:
    """erfc(a) = 1 - erf(a) at raised precision (erfc(a) ~ e^{-a^2} needs a^2/log 2 more bits).

    For a > 30, with c = 2e^{-a^2}/sqrt(pi): c/(a + sqrt(a^2 + 2)) < erfc(a) <= c/(a + sqrt(a^2 + 4/pi))
    (Abramowitz & Stegun 7.1.13).
    """
    v = libmp.to_float(a)
    if v > 30:
        with _ivprec(iv.prec + 10):
            x = _pt(a)
            c = 2 * iv.exp(-x * x) / iv.sqrt(iv.pi)
            lo, hi = c / (x + iv.sqrt(x * x + 2)), c / (x + iv.sqrt(x * x + 4 / iv.pi))
            return lo._mpi_[0], hi._mpi_[1]
    with _ivprec(iv.prec + 10 + int(1.5 * max(v, 0.0) ** 2)):
        return (1 - iv.make_mpf(_erf_pt(a)))._mpi_


def _increasing(point: Callable[[tuple], tuple]) -> Callable[[Any], Any]:
    def f(x: Any) -> Any:
        a, b = x._mpi_
        return iv.make_mpf((point(a)[0], point(b)[1]))

    return f


def _iv_erfc(x: Any) -> Any:
    a, b = x._mpi_
    return iv.make_mpf((_erfc_pt(b)[0], _erfc_pt(a)[1]))


def _iv_cosh(x: Any) -> Any:
    a, b = x._mpi_
    ca, cb = _cosh_pt(a), _cosh_pt(b)
    if not a[0]:
        return iv.make_mpf((ca[0], cb[1]))
    if b[0] or b == ZERO:
        return iv.make_mpf((cb[0], ca[1]))
    return iv.make_mpf((ONE, mpf_max(ca[1], cb[1])))


def _iv_minmax(pick: Callable[[tuple, tuple], tuple]) -> Callable[..., Any]:
    def f(*xs: Any) -> Any:
        return iv.make_mpf(tuple(functools.reduce(pick, [x._mpi_[k] for x in xs]) for k in (0, 1)))

    return f


def _iv_check(x: Any) -> Any:
    r = getattr(x, "_mpi_", None)  # complex results (ivmpc) have no _mpi_
    if r is None or r[0] in _BAD or r[1] in _BAD:
        raise Undefined
    return x


def _iv_pow_real(b: Any, e: Any) -> Any:
    lo = b._mpi_[0]
    if lo[0] and lo != ZERO:  # negative base, non-integer exponent: complex in sympy
        raise Undefined
    return b**e


def _iv_const(e: sp.Expr) -> Any:
    if e.is_Integer:
        return iv.mpf(int(e))
    if e.is_Rational:
        return iv.mpf(int(e.p)) / int(e.q)
    if e.is_Float:
        return iv.make_mpf((e._mpf_, e._mpf_))
    return +{sp.pi: iv.pi, sp.E: iv.e}[e]


_FUNCS: dict[type, str] = {
    sp.exp: "exp", sp.log: "log", sp.sin: "sin", sp.cos: "cos", sp.tan: "tan", sp.atan: "atan",
    sp.sinh: "sinh", sp.cosh: "cosh", sp.tanh: "tanh", sp.erf: "erf", sp.erfc: "erfc", sp.Abs: "abs",
    sp.Max: "max", sp.Min: "min", _sp_expm1: "expm1", _sp_log1p: "log1p", sp.sec: "sec", sp.csc: "csc",
    sp.cot: "cot",
}  # fmt: skip
_IV_FUNCS: dict[str, Callable[..., Any]] = {
    "exp": iv.exp, "log": iv.log, "sqrt": iv.sqrt, "sin": iv.sin, "cos": iv.cos, "tan": iv.tan, "abs": abs,
    "atan": lambda x: iv.atan2(x, iv.mpf(1)), "sinh": _increasing(_sinh_pt), "cosh": _iv_cosh,
    "tanh": _increasing(_tanh_pt), "erf": _increasing(_erf_pt), "erfc": _iv_erfc,
    "expm1": _increasing(_expm1_pt), "log1p": _increasing(_log1p_pt), "max": _iv_minmax(mpf_max),
    "min": _iv_minmax(mpf_min), "sec": lambda x: 1 / iv.cos(x), "csc": lambda x: 1 / iv.sin(x),
    "cot": lambda x: iv.cos(x) / iv.sin(x),
}  # fmt: skip


# ----------------------------------------------------------------------------- backends
@dataclass(frozen=True)
class Backend:
    """An arithmetic for :class:`Program`: function table, constants, checks, and raw-endpoint conversion."""

    name: str
    funcs: Mapping[str, Callable[..., Any]]
    const: Callable[[sp.Expr], Any]
    pow_real: Callable[[Any, Any], Any]
    check: Callable[[Any], Any]
    interval: Callable[[tuple, tuple], Any]
    bounds: Callable[[Any], tuple[tuple, tuple]]
    get_prec: Callable[[], int]
    set_prec: Callable[[int], None]

    @contextlib.contextmanager
    def precision(self, bits: int) -> Iterator[None]:
        old = self.get_prec()
        self.set_prec(bits)
        try:
            yield
        finally:
            self.set_prec(old)


MPMATH = Backend(
    "mpmath", _IV_FUNCS, _iv_const, _iv_pow_real, _iv_check, lambda a, b: iv.make_mpf((a, b)),
    lambda x: x._mpi_, lambda: iv.prec, lambda p: setattr(iv, "prec", p),
)  # fmt: skip


def flint_backend() -> Backend:
    """Ball arithmetic from python-flint's ``arb`` [J17]; ball ends are converted exactly to mpmath tuples."""
    try:
        import flint
    except ImportError as exc:
        raise InvalidParameterError(
            "backend='flint' needs python-flint (`pip install python-flint`); or use backend='mpmath'."
        ) from exc
    arb = flint.arb

    def exact(a: Any) -> tuple:
        man, exp = a.man_exp()
        return libmp.from_man_exp(int(man), int(exp))

    def check(x: Any) -> Any:
        if not isinstance(x, arb) or not x.is_finite():
            raise Undefined
        return x

    def pow_real(b: Any, e: Any) -> Any:
        if b.lower() < 0:  # also when a ball's radius reaches just below 0: conservative, never wrong
            raise Undefined
        return b**e

    def sqrt(b: Any) -> Any:
        if b.lower() < 0:
            raise Undefined
        return b.sqrt()

    def const(e: sp.Expr) -> Any:
        if e.is_Integer:
            return arb(int(e))
        if e.is_Rational:
            return arb(flint.fmpq(int(e.p), int(e.q)))
        if e.is_Float:
            return arb(mpmath.mp.make_mpf(e._mpf_))  # exact
        return {sp.pi: arb.pi, sp.E: arb.const_e}[e]()

    funcs: dict[str, Callable[..., Any]] = {
        n: (lambda m: lambda x: getattr(x, m)())(n) for n in set(_FUNCS.values()) - {"abs", "max", "min"}
    }
    funcs.update(
        abs=abs, max=lambda *a: functools.reduce(arb.max, a), min=lambda *a: functools.reduce(arb.min, a)
    )
    funcs["sqrt"] = sqrt
    return Backend(
        "flint", funcs, const, pow_real, check,
        lambda a, b: arb(mpmath.mp.make_mpf(a)).union(arb(mpmath.mp.make_mpf(b))),
        lambda x: (exact(x.lower()), exact(x.upper())),
        lambda: flint.ctx.prec, lambda p: setattr(flint.ctx, "prec", p),
    )  # fmt: skip


def _mp_check(x: Any) -> Any:
    if not isinstance(x, mpmath.mpf) or not mpmath.isfinite(x):
        raise Undefined
    return x


def _mp_pow_real(b: Any, e: Any) -> Any:
    if b < 0:
        raise Undefined
    return b**e


def _mp_const(e: sp.Expr) -> Any:
    if e.is_Rational:
        return mpmath.mpf(int(e.p)) / int(e.q)
    if e.is_Float:
        return mpmath.mp.make_mpf(e._mpf_)
    return +{sp.pi: mpmath.pi, sp.E: mpmath.e}[e]


_MP_FUNCS = {n: getattr(mpmath, n) for n in set(_FUNCS.values()) - {"abs", "max", "min"}}
_MP_FUNCS.update(abs=abs, max=max, min=min, sqrt=mpmath.sqrt)
MP_POINT = Backend(
    "mp", _MP_FUNCS, _mp_const, _mp_pow_real, _mp_check, lambda a, b: mpmath.mp.make_mpf(a),
    lambda x: (x._mpf_, x._mpf_), lambda: mpmath.mp.prec, lambda p: setattr(mpmath.mp, "prec", p),
)  # fmt: skip


# ----------------------------------------------------------------------------- sympy -> straight-line code
def _add(*v: Any) -> Any:
    return functools.reduce(lambda u, w: u + w, v)


def _mul(*v: Any) -> Any:
    return functools.reduce(lambda u, w: u * w, v)


class Program:
    """Straight-line code evaluating ``exprs`` at values of ``symbols`` in the arithmetic of ``be``.

    Raises
    ------
    ExpressionError
        If some function has no enclosure in this arithmetic (the message lists them all).
    """

    def __init__(self, exprs: Sequence[sp.Expr], symbols: Sequence[sp.Symbol], be: Backend) -> None:
        self.be, self.slots = be, {s: i for i, s in enumerate(symbols)}
        self.n_inputs = len(symbols)
        self.const_code: list[tuple] = []
        self.code: list[tuple] = []
        self.unsupported: set[str] = set()
        self.outputs = [self._slot(e) for e in exprs]
        if self.unsupported:
            raise ExpressionError(
                f"cannot evaluate {sorted(self.unsupported)} in interval arithmetic; supported: "
                f"{SUPPORTED_FUNCTIONS}. Rewrite the expression, or substitute a proven numeric bound."
            )
        self._key: int | None = None
        self._consts: list[tuple] = []

    def _slot(self, e: sp.Basic) -> int:
        if e in self.slots:
            return self.slots[e]
        args: tuple = ()
        if e.is_Number or e in (sp.pi, sp.E):
            if not (e.is_finite and e.is_real):
                self.unsupported.add(str(e))
            fn: Any = functools.partial(self.be.const, e)
        elif e.is_Add or e.is_Mul:
            fn, args = (_add if e.is_Add else _mul), e.args
        elif e.is_Pow:
            b, ex = e.args
            if ex.is_Number and ex.is_finite and sp.Rational(ex).is_Integer:
                fn, args = functools.partial(pow, exp=int(sp.Rational(ex))), (b,)
            elif ex == sp.S.Half:
                fn, args = self.be.funcs["sqrt"], (b,)
            else:
                fn, args = self.be.pow_real, (b, ex)
        elif type(e) in _FUNCS:
            fn, args = self.be.funcs[_FUNCS[type(e)]], e.args
        else:
            self.unsupported.add(type(e).__name__)
            return -1
        arg_slots = tuple(self._slot(a) for a in args)
        slot = self.slots[e] = len(self.slots)
        (self.code if e.free_symbols else self.const_code).append((slot, fn, arg_slots))
        return slot

    def __call__(self, inputs: Sequence[Any]) -> list[Any]:
        """Evaluate at ``inputs``; raises :class:`Undefined` if any intermediate value is undefined."""
        vals: list[Any] = list(inputs) + [None] * (len(self.slots) - self.n_inputs)
        check = self.be.check
        try:
            if self._key != self.be.get_prec():  # constants are evaluated once per precision
                for s, fn, args in self.const_code:
                    vals[s] = check(fn(*[vals[a] for a in args]))
                self._consts = [(s, vals[s]) for s, _, _ in self.const_code]
                self._key = self.be.get_prec()
            for s, v in self._consts:
                vals[s] = v
            for s, fn, args in self.code:
                vals[s] = check(fn(*[vals[a] for a in args]))
        except _FAIL as exc:
            raise Undefined from exc
        return [vals[i] for i in self.outputs]
