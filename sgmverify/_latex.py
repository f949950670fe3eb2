r"""LaTeX text → an unambiguous text for sympy's LaTeX parser (lark backend), with every leaf in a slot.

Sympy's lark grammar reads ``d h`` as a tuple, ``\log(x) \cdot y`` two ways (``log(x y)`` or
``y log(x)``), ``f(x)`` as a call or a product, and knows neither ``\sigma`` nor ``\tanh`` reliably.  So
before lark sees a formula, :func:`rewrite` replaces every *leaf* by a placeholder symbol ``a_{1}``,
``b_{1}``, ... and keeps what it stands for in a slot:

* a name: a Latin letter or a Greek macro with an optional subscript (``L_{0}`` → ``L_0``,
  ``\varepsilon`` → ``epsilon``, ``\lambda_{\max}`` → ``lambda_max``), or ``\mathrm{KL}`` → ``KL``;
* a number (its text: lark never evaluates ``10^{10^{10}}``);
* a constant: ``\pi``, ``\infty``, ``\mathrm{e}``;
* a function application ``\log(...)``, ``\tanh{...}``, ``\exp x``, ``\operatorname{erf}(...)``,
  ``\max(a, b)``: the function's name and the texts of its arguments (parsed on their own, recursively).

Products are made explicit (``\cdot`` between two factors that touch or are separated by spaces or ``\,``),
``\left``/``\right`` and spacing are dropped, ``*``/``\times`` become ``\cdot`` and ``[ ]`` parentheses.
What is left for lark is ``+ - \cdot / ^ \frac \sqrt | | ( ) { } !`` over placeholders, which it reads one
way.  Relations, unknown macros and stray characters raise :class:`~sgmverify.errors.ExpressionError` with
their position.
"""

from __future__ import annotations

import operator
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from sgmverify.errors import ExpressionError

__all__ = ["Rewritten", "build_latex", "rewrite"]

GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu",
    "nu", "xi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega",
    "Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega",
}  # fmt: skip
_VARIANTS = {  # and lambda -> lamda: sympy's spelling (lambda is a Python keyword; prints as \lambda)
    "lambda": "lamda",
    "varepsilon": "epsilon",
    "vartheta": "theta",
    "varphi": "phi",
    "varrho": "rho",
    "varsigma": "sigma",
}
#: LaTeX function macros → whitelist names (sgmverify.expressions.DEFAULT_FUNCTIONS)
FUNCTIONS = {
    "log": "log", "ln": "log", "exp": "exp", "sin": "sin", "cos": "cos", "tan": "tan", "sinh": "sinh",
    "cosh": "cosh", "tanh": "tanh", "arcsin": "asin", "arccos": "acos", "arctan": "atan", "max": "Max",
    "min": "Min",
}  # fmt: skip
_KEEP = {"frac": r"\frac", "dfrac": r"\frac", "tfrac": r"\frac", "sqrt": r"\sqrt", "cdot": r"\cdot"}
_TIMES = {"times", "ast"}
_RELATION = "is a relation; a bound is an expression (its direction says ≤ or ≥)"
_OPENERS = re.compile(r"\\(?:left|bigl|Bigl|big|Big)(?![A-Za-z])")
_RELATIONS = {
    "le",
    "leq",
    "ge",
    "geq",
    "lt",
    "gt",
    "ne",
    "neq",
    "approx",
    "sim",
    "lesssim",
    "gtrsim",
    "asymp",
}
_SIZES = {"left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr"}
_SPACE = re.compile(r"\s+|\\[,;:! ]|~|\\q?quad(?![A-Za-z])")
_NAMED = re.compile(r"\\(?:mathrm|mathit|text|operatorname|mathbf|mathsf|boldsymbol)\s*\{\s*([A-Za-z]+)\s*\}")
_CMD = re.compile(r"\\([A-Za-z]+)")
_NUM = re.compile(r"\d+(?:\.\d*)?|\.\d+")
_SUB = re.compile(r"_\s*(\{(?:[^{}]|\{[^{}]*\})*\}|[A-Za-z0-9]|\\[A-Za-z]+)")
_LETTERS = "abcfghkmnpqrstuvwxyzABCDFGHJKLMNOPQRSTUVWXYZ"  # placeholders (no d, e, i, E, I: lark reads them)
_OPEN = {"(": ")", "{": "}", "[": "]"}
_NAMED_FUNCTIONS = {*FUNCTIONS, *FUNCTIONS.values(), "erf", "erfc", "gamma", "sign", "Abs"}


@dataclass
class Rewritten:
    """The text for lark, what each placeholder stands for, and the map back to source positions."""

    text: str
    slots: dict[str, tuple] = field(default_factory=dict)
    positions: list[tuple[int, int]] = field(default_factory=list)  # (offset in text, offset in source)

    def source_position(self, offset: int) -> int:
        """The source position of an offset in :attr:`text` (the last chunk starting at or before it)."""
        best = 0
        for out, src in self.positions:
            if out <= offset:
                best = src
        return best


def _error(source: str, pos: int, why: str) -> ExpressionError:
    caret = " " * min(pos, 200) + "^"
    return ExpressionError(
        f"could not read the LaTeX {source!r} at position {pos}: {why}\n  {source}\n  {caret}"
    )


def _subscript(source: str, body: str, pos: int) -> str:
    """A subscript's body as name characters: ``{\\mathrm{score}}`` → ``score``, ``{\\max}`` → ``max``."""
    inner = body[1:-1] if body.startswith("{") else body
    inner = re.sub(r"\\(?:mathrm|mathit|text|operatorname|mathbf)\s*\{([^{}]*)\}", r"\1", inner)
    inner = re.sub(r"\\([A-Za-z]+)", lambda m: _VARIANTS.get(m.group(1), m.group(1)), inner)
    inner = re.sub(r"[\s,]+", "", inner)
    if not re.fullmatch(r"[A-Za-z0-9]+", inner):
        raise _error(source, pos, f"the subscript {body!r} must be letters and digits (e.g. L_{{0}})")
    return inner


def _matching(source: str, pos: int) -> int:
    """Index of the bracket closing the one at ``pos`` (brackets of all kinds nest)."""
    stack = []
    for j in range(pos, len(source)):
        ch = source[j]
        if ch in _OPEN:
            stack.append(_OPEN[ch])
        elif ch in ")}]":
            if not stack or ch != stack.pop():
                break
            if not stack:
                return j
    raise _error(source, pos, f"the bracket {source[pos]!r} is not closed")


def _split_args(text: str) -> list[str]:
    """Split at top-level commas."""
    out, depth, start = [], 0, 0
    for j, ch in enumerate(text):
        depth += 1 if ch in "({[" else (-1 if ch in ")}]" else 0)
        if ch == "," and depth == 0:
            out.append(text[start:j])
            start = j + 1
    return [*out, text[start:]]


def rewrite(source: str, offset: int = 0) -> Rewritten:
    """Rewrite ``source`` (see the module docstring); ``offset`` is its position in an enclosing text."""
    out = Rewritten("")
    names: dict[tuple, str] = {}
    prev_end = False  # the previous piece ends a factor (a product follows if a factor starts next)
    bars = 0  # open |...| pairs
    depth = 0  # open brackets ( [ { and |...| pairs
    div_depth: int | None = None  # the depth of a "/" whose denominator is still being read
    i, n = 0, len(source)

    def emit(piece: str, pos: int, starts: bool, ends: bool, nest: int = 0) -> None:
        r"""``nest``: +1 for an opening bracket, -1 for a closing one, 2 for ``/``, 3 for ``+ - \cdot``."""
        nonlocal prev_end, depth, div_depth
        if starts and prev_end:
            if div_depth == depth:
                raise _error(
                    source,
                    pos,
                    "a product right after a '/' denominator is ambiguous (a/bc: a/(bc) or (a/b)c?); write "
                    "\\frac{a}{bc}, or brackets: a/(bc) or (a/b)c",
                )
            out.text += r" \cdot "
        if nest == 1:
            depth += 1
        elif nest == -1:
            depth -= 1
            if div_depth is not None and div_depth > depth:
                div_depth = None
        elif nest == 2:
            div_depth = depth
        elif nest == 3 and div_depth == depth:
            div_depth = None
        out.positions.append((len(out.text), offset + pos))
        out.text += piece
        prev_end = ends

    def slot(value: tuple, pos: int) -> None:
        key = value if value[0] != "call" else (*value, pos)
        if key not in names:
            k = len(names)
            if k >= 10 * len(_LETTERS):
                raise _error(
                    source, pos, f"more than {10 * len(_LETTERS)} distinct leaves; split the formula"
                )
            names[key] = f"{_LETTERS[k % len(_LETTERS)]}_{{{k // len(_LETTERS)}}}"
            out.slots[names[key]] = value
        emit(" " + names[key] + " ", pos, True, True)

    literal_close: set[int] = set()  # the ] of \sqrt[n]{...}
    while i < n:
        ch = source[i]
        m = _SPACE.match(source, i)
        if m:
            i = m.end()
            continue
        m = _NAMED.match(source, i)
        if m:  # \mathrm{KL}, \operatorname{erf}, \mathrm{e}
            word, end = m.group(1), m.end()
            if source.startswith("\\operatorname", i) or word in _NAMED_FUNCTIONS:
                i = _function(source, i, end, FUNCTIONS.get(word, word), slot, offset)
            elif word == "e":
                slot(("const", "E"), i)
                i = end
            else:
                i = _name(source, word, end, i, slot)
            continue
        cmd = _CMD.match(source, i)
        if cmd:
            word, end = cmd.group(1), cmd.end()
            if word in _SIZES:
                i = end
            elif word in FUNCTIONS:
                i = _function(source, i, end, FUNCTIONS[word], slot, offset)
            elif word in _KEEP:
                emit(_KEEP[word] + " ", i, word != "cdot", False, 3 if word == "cdot" else 0)
                if word == "sqrt" and source[end : end + 1] == "[":
                    literal_close.add(_matching(source, end))
                    emit("[", end, False, False, 1)
                    end += 1
                i = end
            elif word in _TIMES or word == "div":
                emit(r" \cdot " if word in _TIMES else " / ", i, False, False, 3 if word in _TIMES else 2)
                i = end
            elif word in GREEK or word in _VARIANTS:
                i = _name(source, _VARIANTS.get(word, word), end, i, slot)
            elif word in ("pi", "infty"):
                slot(("const", word), i)
                i = end
            elif word in _RELATIONS:
                raise _error(source, i, f"\\{word} {_RELATION}")
            else:
                raise _error(source, i, f"unknown LaTeX macro \\{word}")
            continue
        if ch == "\\":
            raise _error(source, i, f"unknown LaTeX command {source[i : i + 2]!r}")
        m = _NUM.match(source, i)
        if m:
            _no_e_notation(source, m)
            slot(("number", m.group()), i)
            i = m.end()
            continue
        if ch.isascii() and ch.isalpha():
            i = _name(source, ch, i + 1, i, slot)
            continue
        if ch in "+-/^":
            emit(f" {ch} ", i, False, False, {"/": 2, "^": 0}.get(ch, 3))
        elif ch == "*":
            emit(r" \cdot ", i, False, False, 3)
        elif ch == "]" and i in literal_close:
            emit("]", i, False, False, -1)
        elif ch in "([":
            emit("(", i, True, False, 1)
        elif ch in ")]":
            emit(")", i, False, True, -1)
        elif ch == "{":
            emit("{", i, False, False, 1)
        elif ch == "}":
            emit("}", i, False, True, -1)
        elif ch == "!":
            emit("!", i, False, True)
        elif ch == "|":
            closing = bars > 0 and prev_end
            bars += -1 if closing else 1
            emit("|", i, not closing, closing, -1 if closing else 1)
        elif ch in "<>=":
            raise _error(source, i, f"{ch!r} {_RELATION}")
        else:
            raise _error(source, i, f"unexpected character {ch!r}")
        i += 1
    return out


_E_NOTATION = re.compile(r"[eE][+-]?\d+")


def _no_e_notation(source: str, number: re.Match) -> None:
    """Refuse ``1.5e-3``: LaTeX has no scientific notation, and read as text it is ``1.5·e − 3``."""
    m = _E_NOTATION.match(source, number.end())
    if m:
        mant, exp = number.group(), m.group()[1:].lstrip("+")
        raise _error(
            source,
            number.start(),
            f"{number.group()}{m.group()} looks like scientific notation, which LaTeX does not have (it "
            f"would read as {mant}·e{m.group()[1:]}); write {mant}\\times10^{{{exp}}} or "
            f"{mant} \\cdot 10^{{{exp}}}",
        )


def _name(source: str, base: str, end: int, start: int, slot) -> int:
    """Emit the slot of the name ``base`` (with its subscript after ``end``, if any); return the end."""
    sub = _SUB.match(source, end)
    name = base + ("_" + _subscript(source, sub.group(1), end) if sub else "")
    slot(("name", name), start)
    return sub.end() if sub else end


def _function(source: str, start: int, end: int, fname: str, slot, offset: int) -> int:
    """Emit the slot of a function application starting at ``start`` (macro ends at ``end``); return the
    index after its argument: ``(...)``, ``{...}`` or one following letter / number / Greek name."""
    j = end
    while True:
        m = _SPACE.match(source, j) or _OPENERS.match(source, j)
        if not m:
            break
        j = m.end()
    if j < len(source) and source[j] in "^_":
        raise _error(source, j, f"write a power or base of {fname} with brackets, e.g. (\\log x)^{{2}}")
    if j < len(source) and source[j] in "({[":
        close = _matching(source, j)
        inner = source[j + 1 : close]
        inner = re.sub(r"\\(?:right|bigr|Bigr|big|Big)\s*$", "", inner)
        args = tuple((a, offset + j + 1) for a in _split_args(inner))
        slot(("call", fname, args), start)
        return close + 1
    m = _NUM.match(source, j)
    if m:
        _no_e_notation(source, m)
    m = m or re.compile(r"[A-Za-z](?:_\{[A-Za-z0-9]*\}|_[A-Za-z0-9])?").match(source, j)
    m = m or re.compile(r"\\[A-Za-z]+(?:_\{[A-Za-z0-9]*\}|_[A-Za-z0-9])?").match(source, j)
    if not m:
        raise _error(source, j, f"{fname} needs an argument: {fname}(x) or {fname} x")
    slot(("call", fname, ((m.group(), offset + j),)), start)
    return m.end()


def build_latex(text: str, builder: Any, *, max_depth: int, max_gamma: int) -> Any:
    """Parse ``text`` with lark after :func:`rewrite` and rebuild the tree with ``builder`` (the whitelist
    builder of :mod:`sgmverify.expressions`: its ``symbols``, ``functions``, ``apply``, ``checked``,
    ``check_power``, ``real_literal`` and ``fail``)."""
    builder.max_depth, builder.max_gamma = max_depth, max_gamma
    return _latex_tree(text, 0, builder, 0)


def _latex_tree(text: str, offset: int, b: Any, depth: int) -> Any:
    """Rewrite, parse with lark, rebuild (recursively for function arguments)."""
    from sympy.parsing.latex import parse_latex

    rw = rewrite(text, offset)
    if not rw.text.strip():
        raise b.fail(None, f"has an empty part at position {offset}", False)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = parse_latex(rw.text, backend="lark")
    except Exception as exc:  # noqa: BLE001  (lark's errors have no common base we can name here)
        at = getattr(exc, "pos_in_stream", None)
        where = f" near position {rw.source_position(at)}" if isinstance(at, int) and at >= 0 else ""
        where = " at its end (unfinished)" if type(exc).__name__ == "UnexpectedEOF" else where
        raise ExpressionError(
            f"could not parse the LaTeX {b.what.removeprefix('LaTeX ')} {b.text!r}{where} "
            f"({type(exc).__name__}); check the braces, and write products of brackets with \\cdot."
        ) from None
    if not isinstance(tree, sp.Basic):
        raise b.fail(None, "can be read more than one way; add brackets or \\cdot", False)
    return _rebuild(tree, rw.slots, b, depth)


def _rebuild(node: sp.Basic, slots: Mapping[str, tuple], b: Any, depth: int) -> Any:
    """Build lark's tree again node by node with ``b``'s operations and whitelist."""
    if depth > b.max_depth:
        raise b.fail(None, f"is nested more than {b.max_depth} levels deep", False)
    if isinstance(node, sp.Symbol):
        return _leaf(slots[str(node.name)], b, depth)
    if isinstance(node, sp.Rational):  # lark's own -1 (minus, division) and 1/2 (square root)
        return node
    args = [_rebuild(a, slots, b, depth + 1) for a in node.args]
    if isinstance(node, sp.Add | sp.Mul):
        op = operator.add if isinstance(node, sp.Add) else operator.mul
        acc = args[0]
        for a in args[1:]:
            acc = b.checked(None, b.apply(None, op, acc, a))
        return acc
    if isinstance(node, sp.Pow):
        b.check_power(None, *args)
        return b.checked(None, b.apply(None, operator.pow, *args))
    if isinstance(node, sp.Abs) and "Abs" in b.functions:
        return b.checked(None, b.apply(None, b.functions["Abs"], *args))
    name = getattr(node.func, "__name__", type(node).__name__)
    raise b.fail(None, f"calls the function {name!r} (as LaTeX reads it), which is not allowed")


def _leaf(value: tuple, b: Any, depth: int) -> Any:
    kind, arg = value[0], value[1]
    if kind == "number":
        return b.checked(None, b.real_literal(None, arg))
    if kind == "const":
        if arg == "infty":
            if not b.allow_infinite:
                raise b.fail(None, "contains \\infty, which is not allowed", False)
            return sp.oo
        return {"pi": sp.pi, "E": sp.E}[arg]
    if kind == "name":
        if arg in b.symbols:
            return b.symbols[arg]
        if arg == "e":
            return sp.E
        if b.auto_symbols:
            return sp.Symbol(arg)
        raise b.fail(None, f"uses the name {arg!r}, which is not declared")
    if arg not in b.functions:
        raise b.fail(None, f"calls the function {arg!r}, which is not allowed")
    vals = [_latex_tree(text, off, b, depth + 1) for text, off in value[2]]
    if arg in ("gamma", "loggamma") and any(
        isinstance(v, sp.Rational) and abs(v) > b.max_gamma for v in vals
    ):
        raise b.fail(None, f"calls {arg} of an exact number beyond {b.max_gamma}", False)
    return b.checked(None, b.apply(None, b.functions[arg], *vals))
