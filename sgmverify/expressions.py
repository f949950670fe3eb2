r"""Safe parsing of user expression strings into sympy: a whitelist walk over Python's ``ast``, no eval.

``sympy.sympify`` evaluates its input with ``eval``, so a "formula" such as
``__import__('os').system('id')`` runs code.  :func:`parse_expression` instead parses the text with
``ast.parse(text, mode="eval")`` and builds the sympy expression node by node from a fixed grammar:

* numbers: ``int`` and ``float`` literals (``Integer(text)`` and ``Float(text)``, exactly as sympify's
  ``auto_number``, so ``0.1`` keeps its 15 digits and ``3.14159265358979323846`` its 21), no complex,
  string or bytes literals;
* names: the declared ``symbols`` first, then the constants ``pi`` and ``E`` (``I`` only with
  ``allow_imaginary=True``), then -- only with ``auto_symbols=True`` -- a new plain ``Symbol(name)`` (as
  sympify does; for callers that infer the variable and check the free symbols themselves);
* operators ``+ - * / **`` and ``^`` (power, as sympify's ``convert_xor``), unary ``-`` and ``+``;
* calls ``f(a, b, ...)`` of the functions in ``functions`` (:data:`DEFAULT_FUNCTIONS`), positional
  arguments only;
* with ``allow_relations=True``, one comparison ``<, <=, >, >=`` at the top.

Anything else (attributes, subscripts, lambdas, keywords, comprehensions, undeclared names, dunder names,
strings) raises :class:`~sgmverify.errors.ExpressionError` naming the offending piece and what is allowed.
Every operation is the one sympify's ``eval`` would perform on the same sympy objects, so a whitelisted
string parses to the identical expression.

Finiteness (non-finite values must not "prove" anything): the names ``nan``, ``oo``, ``zoo``, ``inf``
(and their spellings) are refused, and so is any result containing ``nan``, ``oo``, ``-oo`` or ``zoo``
(``1/0``, ``log(0)``); ``allow_infinite=True`` lets ``oo`` and ``-oo`` through (a trivial bound
``Bound("oo", ...)``), never ``nan`` or ``zoo``.

LaTeX: :func:`parse_latex_expression` reads a formula written in LaTeX with sympy's LaTeX parser (lark
backend), after :mod:`sgmverify._latex` has put every leaf (name, number, constant, function call) in a slot
so that lark sees one reading, and rebuilds the tree through the same builder and whitelist as
:func:`parse_expression` (this module is longer than 500 lines because both parsers share that builder).

Size: a numeric power ``b**e`` is refused before it is built when :math:`|e|\,|\log_{10}|b|| > 100`
(``10**10**10``), exact numbers beyond 100 digits are refused, and so is ``gamma``/``loggamma`` of an
exact number beyond 100; texts longer than ``max_length`` or nested deeper than 100 levels are refused, and
building stops after 5 seconds, so a parse never hangs.  Sympy objects and Python numbers pass through after
the same finiteness check.
"""

from __future__ import annotations

import ast
import fractions
import math
import numbers
import operator
import time
import warnings
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import sympy as sp

from sgmverify._latex import build_latex
from sgmverify.errors import ExpressionError, InvalidTypeError

__all__ = [
    "CONSTANTS",
    "DEFAULT_FUNCTIONS",
    "MAX_DIGITS",
    "NON_FINITE_NAMES",
    "parse_expression",
    "parse_latex_expression",
]

#: Functions a user expression may call (sympy's own objects, so parses equal sympify's).
DEFAULT_FUNCTIONS: Mapping[str, Callable[..., Any]] = MappingProxyType(
    {
        "exp": sp.exp,
        "log": sp.log,
        "sqrt": sp.sqrt,
        "cbrt": sp.cbrt,
        "sin": sp.sin,
        "cos": sp.cos,
        "tan": sp.tan,
        "asin": sp.asin,
        "acos": sp.acos,
        "atan": sp.atan,
        "atan2": sp.atan2,
        "sinh": sp.sinh,
        "cosh": sp.cosh,
        "tanh": sp.tanh,
        "asinh": sp.asinh,
        "acosh": sp.acosh,
        "atanh": sp.atanh,
        "erf": sp.erf,
        "erfc": sp.erfc,
        "gamma": sp.gamma,
        "loggamma": sp.loggamma,
        "Abs": sp.Abs,
        "abs": sp.Abs,
        "sign": sp.sign,
        "Heaviside": sp.Heaviside,
        "Min": sp.Min,
        "min": sp.Min,
        "Max": sp.Max,
        "max": sp.Max,
        "floor": sp.floor,
        "ceiling": sp.ceiling,
    }
)
#: Constant names (a declared symbol of the same name wins, as with sympify's ``locals``).
CONSTANTS: Mapping[str, sp.Expr] = MappingProxyType({"pi": sp.pi, "E": sp.E})
#: Names of non-finite values, always refused.
NON_FINITE_NAMES = frozenset(
    {"nan", "NaN", "oo", "zoo", "inf", "Inf", "infinity", "Infinity", "ComplexInfinity"}
)
#: Largest number of decimal digits of an exact number (and of a numeric power) in a parsed expression.
MAX_DIGITS = 100
_MAX_GAMMA_ARG = 100
_MAX_DEPTH = 100
_MAX_SECONDS = 5.0  # a safety net: every node is bounded, so only a pathological text reaches it
_NAN_LIKE = (sp.nan, sp.zoo)
_INFINITE = (sp.oo, -sp.oo)
_BINOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
    ast.BitXor: operator.pow,  # sympify's convert_xor: x^2 is x**2
}
_RELATIONS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
_NODE_WORDS = {
    ast.Attribute: "an attribute access",
    ast.Subscript: "a subscript",
    ast.Lambda: "a lambda",
    ast.IfExp: "a conditional expression",
    ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a comprehension",
    ast.List: "a list",
    ast.Tuple: "a tuple",
    ast.Set: "a set",
    ast.Dict: "a dict",
    ast.BoolOp: "a boolean operator (and/or)",
    ast.Starred: "a starred argument",
    ast.NamedExpr: "an assignment expression",
    ast.JoinedStr: "an f-string",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
}


def _rational_factors(base: Any) -> list[tuple[sp.Rational, float]]:
    """``(r, k)`` for each factor ``r**k`` of ``base`` with ``r`` rational and ``k`` a number."""
    if isinstance(base, sp.Rational):
        return [(base, 1.0)]
    if isinstance(base, sp.Pow) and isinstance(base.base, sp.Rational) and isinstance(base.exp, sp.Number):
        return [(base.base, float(base.exp))]
    if isinstance(base, sp.Mul):
        return [f for arg in base.args for f in _rational_factors(arg)]
    return []


def _digits(n: int) -> int:
    """Decimal digits of ``|n|`` (within one, without converting to a string)."""
    return int(abs(n).bit_length() * 0.30103) + 1


class _Builder:
    """Builds the sympy expression of one parsed text; every refusal names the piece and what is allowed."""

    def __init__(self, text: str, symbols: Mapping[str, Any], functions: Mapping[str, Callable], **opts: Any):
        self.text, self.symbols, self.functions = text, symbols, functions
        self.allow_relations: bool = opts["allow_relations"]
        self.allow_imaginary: bool = opts["allow_imaginary"]
        self.allow_infinite: bool = opts["allow_infinite"]
        self.auto_symbols: bool = opts["auto_symbols"]
        self.what: str = opts["what"]
        self.deadline = time.perf_counter() + _MAX_SECONDS

    # ----------------------------------------------------------------------------------------- messages
    def allowed(self) -> str:
        names = f"the names {sorted(self.symbols)}" if self.symbols else "no names"
        if self.auto_symbols:
            names = "plain names (as symbols)"
        consts = "pi, E, I" if self.allow_imaginary else "pi, E"
        rel = ", one comparison <, <=, >, >=" if self.allow_relations else ""
        return (
            f"allowed are numbers, {names}, the constants {consts}, + - * / ** ^, unary - and +{rel}, "
            f"and calls of {', '.join(sorted(self.functions))}"
        )

    def fail(self, node: ast.AST | None, why: str, grammar: bool = True) -> ExpressionError:
        """``why`` completes a sentence about the offending piece; ``grammar``: also say what is allowed."""
        piece = ast.get_source_segment(self.text, node) if node is not None else None
        tail = f"; {self.allowed()}." if grammar else "."
        if piece and piece != self.text:
            return ExpressionError(f"in the {self.what} {self.text!r}, {piece!r} {why}{tail}")
        return ExpressionError(f"the {self.what} {self.text!r} {why}{tail}")

    # ----------------------------------------------------------------------------------------- checks
    def checked(self, node: ast.AST, value: Any) -> Any:
        """Refuse non-finite and astronomically large exact results of ``node``."""
        if value in _non_finite(self.allow_infinite):
            raise self.fail(node, f"evaluates to the non-finite value {value}", False)
        coeff = value.as_coeff_Mul()[0] if isinstance(value, sp.Mul) else value
        if isinstance(coeff, sp.Rational) and max(_digits(coeff.p), _digits(coeff.q)) > MAX_DIGITS:
            raise self.fail(node, f"is an exact number of more than {MAX_DIGITS} digits", False)
        return value

    def check_power(self, node: ast.AST, base: Any, exp: Any) -> None:
        r"""Refuse ``base**exp`` when sympy would build an exact number of more than MAX_DIGITS digits.

        Sympy evaluates a rational ``r**e`` exactly and distributes a power over the factors of a product
        (``(2*x)**e = 2**e * x**e``, ``sqrt(2)**e = 2**(e/2)``), so the digits are bounded by
        :math:`|e \cdot k|\,\log_{10}\max(|p|, q)` over the rational factors ``(p/q)**k`` of ``base``; sums,
        functions, symbols and floats are left alone (not expanded, or cheap).
        """
        if not isinstance(exp, sp.Number):
            return
        size = 0.0
        for r, k in _rational_factors(base):
            digits = max(math.log10(abs(r.p)) if r.p else 0.0, math.log10(r.q))
            size = max(size, abs(float(exp) * k) * digits if digits else 0.0)
        if not size <= MAX_DIGITS:
            raise self.fail(
                node, f"is a power of more than {MAX_DIGITS} digits (|exponent|·log10|base|)", False
            )

    # ----------------------------------------------------------------------------------------- the walk
    def top(self, node: ast.AST) -> Any:
        if isinstance(node, ast.Compare):
            if not self.allow_relations:
                raise self.fail(node, "is a comparison, which is not allowed here")
            if len(node.ops) != 1 or type(node.ops[0]) not in _RELATIONS:
                raise self.fail(node, "must be a single comparison <, <=, > or >= (no chains, no == or !=)")
            lhs, rhs = self.build(node.left, 1), self.build(node.comparators[0], 1)
            return self.apply(node, _RELATIONS[type(node.ops[0])], lhs, rhs)
        return self.build(node, 0)

    def build(self, node: ast.AST, depth: int) -> Any:
        if depth > _MAX_DEPTH:
            raise self.fail(node, f"is nested more than {_MAX_DEPTH} levels deep", False)
        if time.perf_counter() > self.deadline:
            raise self.fail(None, f"takes more than {_MAX_SECONDS:g} s to build; simplify it", False)
        if isinstance(node, ast.Constant):
            return self.checked(node, self.constant(node))
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            v = self.build(node.operand, depth + 1)
            return self.checked(node, -v if isinstance(node.op, ast.USub) else +v)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            return self.binop(node, depth)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        if isinstance(node, ast.BinOp | ast.UnaryOp):
            op = type(node.op).__name__
            raise self.fail(node, f"uses the operator {op}, which is not allowed")
        if isinstance(node, ast.Compare):
            raise self.fail(node, "is a comparison inside an expression, which is not allowed")
        word = _NODE_WORDS.get(type(node), f"a {type(node).__name__} node")
        raise self.fail(node, f"is {word}, which is not allowed")

    def constant(self, node: ast.Constant) -> Any:
        v = node.value
        if isinstance(v, bool) or v is None or v is Ellipsis or isinstance(v, str | bytes):
            raise self.fail(node, f"is the literal {v!r}; only numbers are allowed")
        if isinstance(v, complex):
            if not self.allow_imaginary:
                raise self.fail(node, "is a complex literal; the expression must be real-valued")
            seg = (ast.get_source_segment(self.text, node) or repr(v.imag))[:-1]
            return self.real_literal(node, seg) * sp.I  # as sympify: 2j is 2*I
        return self.real_literal(node, ast.get_source_segment(self.text, node) or repr(v))

    def real_literal(self, node: ast.AST, seg: str) -> sp.Number:
        """``Integer`` or ``Float(<the literal's text>)``, as sympify's ``auto_number`` decides."""
        seg = seg.replace("_", "")
        if seg.lower().startswith(("0x", "0o", "0b")) or not ("." in seg or "e" in seg.lower()):
            return sp.Integer(int(seg, 0))
        if not math.isfinite(float(seg)):
            raise self.fail(node, "is not a finite float64 number", False)
        return sp.Float(seg)

    def name(self, node: ast.Name) -> Any:
        n = node.id
        if n in self.symbols:
            return self.symbols[n]
        if n.startswith("__"):
            raise self.fail(node, "is a dunder name (never allowed)")
        if n == "oo" and self.allow_infinite:
            return sp.oo
        if n in NON_FINITE_NAMES:
            raise self.fail(node, "is a non-finite value, which is not allowed", False)
        if n in CONSTANTS:
            return CONSTANTS[n]
        if n == "I":
            if self.allow_imaginary:
                return sp.I
            raise self.fail(
                node,
                "is the imaginary unit; the expression must be real-valued (declare I to use it as a symbol)",
            )
        if n in self.functions:
            raise self.fail(node, f"is a function; call it as {n}(...)")
        if self.auto_symbols:
            return sp.Symbol(n)
        raise self.fail(node, "is not a declared name")

    def binop(self, node: ast.BinOp, depth: int) -> Any:
        # a left-nested chain a + b - c + ... is folded left to right without recursion (Python's order)
        chain: list[ast.BinOp] = []
        left: ast.AST = node
        while (
            isinstance(left, ast.BinOp)
            and type(left.op) in _BINOPS
            and not isinstance(left.op, ast.Pow | ast.BitXor)
        ):
            chain.append(left)
            left = left.left
        if not chain:  # a power: right-associative, recursion bounded by _MAX_DEPTH
            base, exp = self.build(node.left, depth + 1), self.build(node.right, depth + 1)
            self.check_power(node, base, exp)
            return self.checked(node, self.apply(node, operator.pow, base, exp))
        acc = self.build(left, depth + 1)
        for op_node in reversed(chain):
            rhs = self.build(op_node.right, depth + 1)
            acc = self.checked(op_node, self.apply(op_node, _BINOPS[type(op_node.op)], acc, rhs))
        return acc

    def apply(self, node: ast.AST, fn: Callable, *args: Any) -> Any:
        try:
            return fn(*args)
        except (TypeError, ValueError, ArithmeticError) as exc:
            raise self.fail(node, f"cannot be evaluated ({type(exc).__name__}: {exc})") from None

    def call(self, node: ast.Call, depth: int) -> Any:
        if not isinstance(node.func, ast.Name):
            raise self.fail(node.func, "is not a plain function name, which is not allowed")
        fname = node.func.id
        if fname in self.symbols:
            raise self.fail(node, f"calls {fname!r}, a declared symbol, not a function")
        if fname not in self.functions:
            raise self.fail(node, f"calls the function {fname!r}, which is not allowed")
        if node.keywords:
            raise self.fail(node, "passes keyword arguments; only positional arguments are allowed")
        args = [self.build(a, depth + 1) for a in node.args]
        if fname in ("gamma", "loggamma") and any(
            isinstance(a, sp.Rational) and abs(a) > _MAX_GAMMA_ARG for a in args
        ):
            raise self.fail(node, f"calls {fname} of an exact number beyond {_MAX_GAMMA_ARG}", False)
        return self.checked(node, self.apply(node, self.functions[fname], *args))


def _non_finite(allow_infinite: bool) -> tuple[sp.Expr, ...]:
    return _NAN_LIKE if allow_infinite else _NAN_LIKE + _INFINITE


def _passthrough(value: Any, allow_relations: bool, allow_infinite: bool, what: str) -> Any:
    """A sympy object or a Python number, after the finiteness check."""
    if isinstance(value, sp.Basic):
        if isinstance(value, sp.Expr) or (
            allow_relations and isinstance(value, sp.core.relational.Relational)
        ):
            bad = [b for b in _non_finite(allow_infinite) if value.has(b)]
            if bad:
                raise ExpressionError(f"the {what} {value} contains the non-finite value {bad[0]}.")
            return value
        raise ExpressionError(f"the {what} must be a sympy expression, got {type(value).__name__} {value}.")
    if isinstance(value, bool):
        raise ExpressionError(f"the {what} must be a number or an expression, got the bool {value!r}.")
    if isinstance(value, numbers.Integral):
        return sp.Integer(int(value))
    if isinstance(value, fractions.Fraction):
        return sp.Rational(value.numerator, value.denominator)
    if isinstance(value, numbers.Real):
        v = float(value)
        if math.isinf(v) and allow_infinite:
            return sp.oo if v > 0 else -sp.oo  # as sympify(float("inf"))
        if not math.isfinite(v):
            raise ExpressionError(f"the {what} {value!r} is not a finite number.")
        return sp.Float(v)
    raise ExpressionError(
        f"the {what} must be a string, a sympy expression or a real number, got {type(value).__name__}."
    )


def _check_names(symbols: Any, functions: Any) -> None:
    """InvalidTypeError unless ``symbols`` maps names to sympy objects, ``functions`` names to callables."""
    for what, table, ok in (("symbols", symbols, sp.Basic), ("functions", functions, None)):
        if not isinstance(table, Mapping):
            raise InvalidTypeError(
                f"{what} must be a mapping of names, got {type(table).__name__} {table!r:.60}"
            )
        for k, v in table.items():
            if not isinstance(k, str) or not (isinstance(v, ok) if ok else callable(v)):
                kind = "sympy symbols or expressions" if ok else "callables"
                raise InvalidTypeError(f"{what} must map names (str) to {kind}; got {k!r:.40}: {v!r:.40}")


def parse_expression(
    text: str | sp.Basic | float,
    symbols: Mapping[str, sp.Symbol] = MappingProxyType({}),
    *,
    functions: Mapping[str, Callable[..., Any]] = DEFAULT_FUNCTIONS,
    allow_relations: bool = False,
    allow_imaginary: bool = False,
    allow_infinite: bool = False,
    auto_symbols: bool = False,
    max_length: int = 10_000,
    what: str = "expression",
) -> sp.Expr:
    """Parse ``text`` into a sympy expression from a whitelist of ``ast`` nodes; nothing is evaluated.

    Parameters
    ----------
    text : str, sympy expression, or real number
        The expression (see the module docstring for the grammar).  Sympy expressions and Python numbers
        are returned (numbers as ``Integer``/``Rational``/``Float``) after the finiteness check.
    symbols : mapping of str to sympy.Symbol
        The names the text may use; a declared name wins over a constant (``E``) or a function name.
    functions : mapping of str to callable
        The callable functions (default :data:`DEFAULT_FUNCTIONS`).
    allow_relations : bool
        Accept one top-level comparison ``<, <=, >, >=`` (a sympy relational, or ``true``/``false`` when
        sympy decides it at once, exactly as sympify).
    allow_imaginary : bool
        Accept ``I`` and complex literals (``2j``).
    allow_infinite : bool
        Accept ``oo`` and ``-oo`` (a trivial bound ``Bound("oo", ...)``); ``nan`` and ``zoo`` never.
    auto_symbols : bool
        An undeclared plain name becomes ``sympy.Symbol(name)`` (as sympify does) instead of an error;
        for callers that check the free symbols themselves (``Bound(..., params=None)``).
    max_length : int
        Longest text accepted, in characters.
    what : str
        What the text is, in error messages (``"log-density"``).

    Returns
    -------
    sympy.Expr (or a relational with ``allow_relations``)

    Raises
    ------
    ExpressionError
        Unparseable text, a node outside the whitelist, an undeclared name, a non-finite or astronomically
        large value; the message names the offending piece and what is allowed.

    Examples
    --------
    >>> import sympy as sp
    >>> x = sp.Symbol("x")
    >>> parse_expression("-x**2/2 + log(cosh(x))", {"x": x})
    -x**2/2 + log(cosh(x))
    >>> parse_expression("__import__('os').system('id')")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sgmverify.errors.ExpressionError: in the expression "__import__('os').system('id')", ... not allowed; ...
    """
    if not isinstance(text, str):
        return _passthrough(text, allow_relations, allow_infinite, what)
    _check_names(symbols, functions)
    if len(text) > max_length:
        raise ExpressionError(
            f"the {what} is {len(text)} characters long; at most {max_length} are accepted."
        )
    # sympify's convert_xor turns the token ^ into ** before parsing, so x - y^2 is x - y**2 (not (x - y)^2);
    # a ^ inside a string literal is harmless: strings are refused anyway
    source = text.strip().replace("^", "**")
    try:
        with warnings.catch_warnings():  # e.g. "1if x else 2": an error here, not a stray SyntaxWarning
            warnings.simplefilter("error", SyntaxWarning)
            tree = ast.parse(source, mode="eval")
    except (SyntaxError, SyntaxWarning, ValueError, RecursionError, MemoryError) as exc:
        why = exc.msg if isinstance(exc, SyntaxError) else f"{type(exc).__name__}: too long or too deep"
        why = str(exc) if isinstance(exc, SyntaxWarning) else why
        raise ExpressionError(
            f"could not parse the {what} {text!r} ({why}); write it as a formula such as "
            "'-x**2/2 + log(cosh(x))' (Python / sympy syntax; ^ is a power)."
        ) from None
    opts = {"allow_relations": allow_relations, "allow_imaginary": allow_imaginary}
    opts["allow_infinite"] = allow_infinite
    builder = _Builder(source, symbols, functions, auto_symbols=auto_symbols, what=what, **opts)
    try:
        out = builder.top(tree.body)
    except RecursionError:
        raise ExpressionError(f"the {what} {text!r} is nested too deeply to parse.") from None
    bad = [b for b in _non_finite(allow_infinite) if isinstance(out, sp.Basic) and out.has(b)]
    if bad:
        raise builder.fail(None, f"contains the non-finite value {bad[0]}", False)
    return out


def parse_latex_expression(
    latex: str,
    symbols: Mapping[str, sp.Symbol] = MappingProxyType({}),
    *,
    functions: Mapping[str, Callable[..., Any]] = DEFAULT_FUNCTIONS,
    allow_infinite: bool = False,
    auto_symbols: bool = False,
    max_length: int = 10_000,
    what: str = "expression",
) -> sp.Expr:
    r"""Parse a LaTeX formula with sympy's LaTeX parser (lark backend) through the whitelist; no eval.

    The leaves are read by :func:`sgmverify._latex.rewrite`: names (``L_{0}`` → ``L_0``, ``\epsilon`` and
    ``\varepsilon`` → ``epsilon``, ``\lambda`` → ``lamda`` (sympy's spelling; ``lambda`` is a keyword),
    ``\sigma_{\min}`` → ``sigma_min``,
    ``\mathrm{KL}`` → ``KL``), numbers, ``\pi``, ``\mathrm{e}`` (and a bare ``e`` unless ``e`` is declared),
    ``\infty`` (only with ``allow_infinite``), and calls ``\log``/``\ln``, ``\exp``, ``\sin`` ... ``\tanh``,
    ``\max``, ``\min``, ``\operatorname{erf}``.  Spaces, ``\,`` and juxtaposition are products;
    ``\frac``, ``\sqrt``, ``\sqrt[n]``, ``^``, ``|x|``, ``\cdot``, ``\times`` are read by lark.  Every node
    of lark's tree is then rebuilt as :func:`parse_expression` builds its own: names from ``symbols`` (or
    new symbols with ``auto_symbols``), calls only of ``functions`` (``x!``, sums and integrals are refused),
    the same finiteness and size limits.

    Raises
    ------
    ExpressionError
        LaTeX that does not parse (the message gives the position and marks it), or anything outside the
        whitelist.

    Examples
    --------
    >>> parse_latex_expression(r"\sqrt{d h}\,L + \epsilon \sqrt{T}", auto_symbols=True)
    L*sqrt(d*h) + sqrt(T)*epsilon
    """
    if not isinstance(latex, str):
        raise InvalidTypeError(f"the LaTeX {what} must be a string, got {type(latex).__name__}.")
    _check_names(symbols, functions)
    if len(latex) > max_length:
        raise ExpressionError(f"the LaTeX {what} is {len(latex)} characters long; at most {max_length}.")
    opts = {"allow_relations": False, "allow_imaginary": False, "allow_infinite": allow_infinite}
    builder = _Builder(latex, symbols, functions, auto_symbols=auto_symbols, what=f"LaTeX {what}", **opts)
    out = build_latex(latex, builder, max_depth=_MAX_DEPTH, max_gamma=_MAX_GAMMA_ARG)
    bad = [b for b in _non_finite(allow_infinite) if out.has(b)]
    if bad:
        raise builder.fail(None, f"contains the non-finite value {bad[0]}", False)
    return out
