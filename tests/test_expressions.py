"""Tests of :mod:`sgmverify.expressions`: no user string is ever evaluated as Python (hardening S1),
non-finite and astronomically large values are clear errors (R2/R3), and every whitelisted string parses
to exactly the sympy expression ``sympify`` gave before."""

from __future__ import annotations

import ast
import builtins
import math
import time
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings, strategies as st
from toys import HEADER, write

from sgmverify import cli
from sgmverify.errors import ExpressionError, InvalidParameterError
from sgmverify.expressions import DEFAULT_FUNCTIONS, MAX_DIGITS, NON_FINITE_NAMES, parse_expression
from sgmverify.hypotheses import certify, check_assumption
from sgmverify.laws import Density1D
from sgmverify.sde import LinearSDE, TimeChangedOU, check_marginal_consistency
from sgmverify.symbolic import param_values, parse_expr, parse_log_density
from sgmverify.theory import Bound

ROOT = Path(__file__).resolve().parents[1]
X, Y = sp.Symbol("x"), sp.Symbol("y")
XY = {"x": X, "y": Y}


# ------------------------------------------------------------------------------ S1: nothing is evaluated
def payloads(marker: Path) -> list[str]:
    """Strings that create ``marker`` if anything evaluates them as Python."""
    touch = f"__import__('pathlib').Path({str(marker)!r}).touch()"
    return [
        touch,
        f"x + {touch}",
        f"-x**2 + 0*{touch}",
        f"exp({touch})",
        f"(lambda: {touch})()",
        f"[{touch} for _ in (1,)][0]",
        f"x >= {touch}",
        f"getattr(__import__('os'), 'system')('touch {marker}')",
        f"x.__class__.__init__.__globals__ and {touch}",
    ]


BOX_XY = {"x": (0, 1), "y": (0, 1)}
ENTRY_POINTS = {
    "parse_expression": lambda p: parse_expression(p, XY),
    "parse_expression(relations)": lambda p: parse_expression(p, XY, allow_relations=True),
    "symbolic.parse_expr": lambda p: parse_expr(p, XY),
    "parse_log_density": lambda p: parse_log_density(p),
    "param_values": lambda p: param_values({"mu": p}),
    "Bound": lambda p: Bound(p, "upper", "q"),
    "Bound(params)": lambda p: Bound(p, "upper", "q", params=["x"]),
    "LinearSDE drift": lambda p: LinearSDE(p, "1"),
    "LinearSDE diffusion": lambda p: LinearSDE("-t", p),
    "TimeChangedOU gamma": lambda p: TimeChangedOU(1.0, p, 1.0),
    "Density1D": lambda p: Density1D(p, (-1, 1)),
    "Density1D params": lambda p: Density1D("-(x - mu)**2", (-1, 1), params={"mu": p}),
    "check_assumption log-concave": lambda p: check_assumption("log-concave", p),
    "check_assumption moments": lambda p: check_assumption("moments", p),
    "check_assumption 2-D": lambda p: check_assumption("log-concave", p, vars=["x", "y"], box=BOX_XY),
    "certify inequality": lambda p: certify(p, {"x": (0, 1)}),
    "certify (expr, sense)": lambda p: certify((p, ">="), {"x": (0, 1)}),
    "certify box": lambda p: certify("x >= 0", {"x": (0, p)}),
    "check_marginal_consistency g": lambda p: check_marginal_consistency(a=0, g=p, var="t"),
    "check_marginal_consistency var": lambda p: check_marginal_consistency(a=0, g=1, var=p),
}


@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS))
def test_marker_file_never_appears(entry, tmp_path):
    marker = tmp_path / "pwned"
    for p in payloads(marker):
        with pytest.raises(ExpressionError) as info:
            ENTRY_POINTS[entry](p)
        assert isinstance(info.value, ValueError)
        assert not marker.exists(), f"{entry} evaluated {p!r}"


def run_cli(args, capsys):
    code = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


BOUND = ["bound", "--suite", "gaussian_basics", "basics.coupling_w2"]
TOY_SUITE = (
    HEADER
    + """
SUITE = Suite("exprtoy", "toy", [
    Theorem("exprtoy.formula", "a formula", REF, Bound("C*sqrt(d)/n", "upper", "q"), one),
])
"""
)


def box_for(hi: str) -> list[str]:
    return ["--box-for", "x", "0", hi, "--box-for", "y", "0", "1"]


@pytest.mark.parametrize(
    "make",
    [
        lambda p: ["bound", "exprtoy.formula", f"C={p}", "d=4", "n=8"],
        lambda p: ["assumptions", "--density", p],
        lambda p: ["assumptions", f"--density={p}", "--check", "log-concave,moments"],
        lambda p: ["assumptions", "--density=-x**2", "--support", "0", p],
        lambda p: ["assumptions", "--density=-x**2 - y**2", "--vars", "x,y", *box_for(p)],
    ],
    ids=["bound", "density", "density-checks", "support", "box-for"],
)
def test_cli_never_evaluates(make, tmp_path, capsys):
    marker = tmp_path / "pwned"
    suite = ["--suite", write(tmp_path, "exprtoy_suite.py", TOY_SUITE)]
    for p in payloads(marker):
        args = make(p)
        code, _, err = run_cli(args + suite if args[0] == "bound" else args, capsys)
        assert code == 2, (p, err)
        assert err.startswith("sgmverify: error:") and err.count("\n") == 1, err  # one line, no traceback
        assert not marker.exists()


def test_cli_numbers_still_read(tmp_path, capsys):
    rest = ["sigma=0.4", "second_moment=3", "d=2"]
    code, out, _ = run_cli([*BOUND, "m=0.9", *rest], capsys)
    assert code == 0 and "0.59160797831" in out
    marker = tmp_path / "pwned"
    code, _, err = run_cli([*BOUND, f"m={payloads(marker)[0]}", *rest], capsys)  # the example
    assert code == 2 and "value of m must be a number" in err and not marker.exists()
    toy = ["bound", "exprtoy.formula"]
    suite = ["--suite", write(tmp_path, "exprtoy_suite.py", TOY_SUITE)]
    code, out, _ = run_cli([*toy, "C=pi/4", "d=sqrt(2)**2", "n=1e0", *suite], capsys)
    assert code == 0 and "C=0.785398, d=2, n=1" in out
    code, out, _ = run_cli([*toy, "C=-oo", "d=1", "n=1", *suite], capsys)
    assert code == 0 and "-inf" in out
    for bad in ("nan", "x", "1/0", "I", "2j", "C", "(1, 2)"):
        code, _, err = run_cli([*toy, f"C={bad}", "d=1", "n=1", *suite], capsys)
        assert code == 2 and "value of C must be a number" in err and err.count("\n") == 1, err


# ------------------------------------------------------------------------------ R2/R3: non-finite values
NON_FINITE_DENSITIES = ["nan", "oo", "-oo", "zoo", "-x**2 + nan", "-x**2 + 1/0", "log(0)*x", "x - oo"]


@pytest.mark.parametrize("expr", NON_FINITE_DENSITIES)
def test_non_finite_log_density_proves_nothing(expr):
    with pytest.raises(ExpressionError, match="non-finite"):
        check_assumption("log-concave", expr)
    with pytest.raises(ExpressionError, match="non-finite"):
        check_assumption("moments", expr)
    with pytest.raises(ExpressionError, match="non-finite"):
        Density1D(expr, (-1, 1))


@pytest.mark.parametrize("value", [sp.nan, sp.zoo, sp.oo, -sp.oo, X + sp.nan, sp.oo * X])
def test_non_finite_sympy_log_density_is_refused(value):
    with pytest.raises(ExpressionError, match="non-finite"):
        check_assumption("log-concave", value)
    with pytest.raises(ExpressionError, match="non-finite"):
        parse_expression(value)


def test_required_r2_cases():
    for expr in ("nan", "oo", "-oo", "zoo", "-x**2 + nan"):
        with pytest.raises(ExpressionError):
            check_assumption("log-concave", expr)
    with pytest.raises(ExpressionError):
        check_assumption("moments", "zoo")
    with pytest.raises(ExpressionError):
        Density1D("zoo", (-1, 1))
    with pytest.raises(ExpressionError):
        check_assumption("log-concave", "-x**2 - y**2 + nan", vars=["x", "y"], box=BOX_XY)


@pytest.mark.parametrize("density", ["nan", "zoo", "-oo", "1/0"])
def test_cli_non_finite_density_exits_2_with_one_line(density, capsys):
    code, out, err = run_cli(["assumptions", f"--density={density}"], capsys)
    assert code == 2 and out == ""
    assert err.startswith("sgmverify: error:") and err.count("\n") == 1 and "non-finite" in err
    assert "Traceback" not in err


def test_infinite_bound_still_allowed_but_not_nan():
    assert Bound("oo", "upper", "q").evaluate({}) == math.inf
    assert parse_expression("-oo", allow_infinite=True) == -sp.oo
    assert parse_expression(float("inf"), allow_infinite=True) == sp.oo
    for bad in ("nan", "zoo", "1/0", "oo - oo"):
        with pytest.raises(ExpressionError, match="non-finite"):
            parse_expression(bad, allow_infinite=True)
    with pytest.raises(ExpressionError, match="non-finite"):
        Bound("nan", "upper", "q")


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -math.inf, sp.nan, sp.oo])
def test_non_finite_python_and_sympy_numbers(value):
    with pytest.raises(ExpressionError):
        parse_expression(value)


# ------------------------------------------------------------------------------ the grammar
@pytest.mark.parametrize(
    ("text", "piece"),
    [
        ("x.real", "attribute"),
        ("x[0]", "subscript"),
        ("lambda: 1", "lambda"),
        ("[x for x in (1, 2)]", "comprehension"),
        ("(x, y)", "tuple"),
        ("x if y else 1", "conditional"),
        ("x and y", "boolean"),
        ("'abc'", "literal"),
        ("b'abc'", "literal"),
        ("True", "literal"),
        ("z", "'z' is not a declared name"),
        ("__import__", "dunder"),
        ("__import__('os')", "'__import__'"),
        ("exp(x, evaluate=False)", "keyword"),
        ("exp(*[x])", "starred"),
        ("open('f')", "'open'"),
        ("eval('1')", "'eval'"),
        ("Symbol('x')", "'Symbol'"),
        ("x % 2", "Mod"),
        ("x // 2", "FloorDiv"),
        ("x @ y", "MatMult"),
        ("x & y", "BitAnd"),
        ("~x", "Invert"),
        ("not x", "Not"),
        ("x > 0", "comparison"),
        ("2j", "complex"),
        ("I*x", "imaginary unit"),
        ("exp", "is a function; call it as exp(...)"),
        ("x(y)", "declared symbol"),
        ("(x := 2)", "assignment"),
        ("f'{x}'", "f-string"),
    ],
)
def test_refusals_name_the_piece(text, piece):
    with pytest.raises(ExpressionError) as info:
        parse_expression(text, XY)
    msg = str(info.value)
    assert piece in msg, msg
    assert repr(text) in msg or repr(text.strip()) in msg


def test_refusal_lists_what_is_allowed():
    with pytest.raises(ExpressionError) as info:
        parse_expression("besselj(0, x)", XY)
    msg = str(info.value)
    assert "'besselj'" in msg and "allowed are numbers" in msg and "['x', 'y']" in msg and "erf" in msg


@pytest.mark.parametrize(
    "text",
    ["x +* )", "-(", "(x", "", "   ", "import os", "x = 1", "1 +"],
)
def test_syntax_errors(text):
    with pytest.raises(ExpressionError, match="could not parse"):
        parse_expression(text, XY)


def test_relations_only_when_asked_and_single():
    assert parse_expression("x >= y", XY, allow_relations=True) == sp.Ge(X, Y)
    assert parse_expression("exp(x) > 1 + x", XY, allow_relations=True) == sp.Gt(sp.exp(X), 1 + X)
    assert parse_expression("1 <= 2", allow_relations=True) is sp.true
    for bad in ("0 <= x <= 1", "x == 1", "x != 1", "(x > 1) + 1"):
        with pytest.raises(ExpressionError):
            parse_expression(bad, XY, allow_relations=True)
    with pytest.raises(ExpressionError, match="comparison"):
        parse_expression("x >= y", XY)


def test_names_constants_and_auto_symbols():
    t = sp.Symbol("t", positive=True)
    assert parse_expression("E**t - pi", {"t": t}) == sp.exp(t) - sp.pi
    assert parse_expression("E*gamma", {"E": X, "gamma": Y}) == X * Y  # declared names win
    assert parse_expression("beta*x", XY, auto_symbols=True) == sp.Symbol("beta") * X
    assert parse_expression("I*x", XY, allow_imaginary=True) == sp.I * X
    assert parse_expression("2j", allow_imaginary=True) == 2 * sp.I
    for name in sorted(NON_FINITE_NAMES):
        with pytest.raises(ExpressionError, match="non-finite"):
            parse_expression(name, auto_symbols=True)
    with pytest.raises(ExpressionError, match="dunder"):
        parse_expression("__x__ + 1", auto_symbols=True)


def test_operators_match_sympify():
    for text in ("x^2", "x**2", "-x", "+x", "x/2", "2**-1", "x - y + 1", "-2**2", "(-2)**2", "abs(x)",
                 "min(1, 2)", "max(3, 2)", "Abs(x) + sign(x)", "log(x, 2)", "atan2(y, x)"):  # fmt: skip
        assert parse_expression(text, XY) == sp.sympify(text, locals=XY), text
    assert parse_expression("max(x, 1)", XY) == sp.Max(X, 1)  # builtin max of symbols fails in sympify


def test_number_literals_keep_their_digits():
    for text in ("0.1", "1e-3", "1.", ".5", "1E5", "3.14159265358979323846264", "1_000.5", "0x1F", "7"):
        new, old = parse_expression(text), sp.sympify(text)
        assert new == old and sp.srepr(new) == sp.srepr(old), text
    with pytest.raises(ExpressionError, match="finite float64"):
        parse_expression("1e400")


def test_python_numbers_and_sympy_objects_pass_through():
    assert parse_expression(3) == sp.Integer(3) and isinstance(parse_expression(3), sp.Integer)
    assert sp.srepr(parse_expression(0.1)) == sp.srepr(sp.sympify(0.1))
    assert parse_expression(X**2 + 1) == X**2 + 1
    for bad in (True, None, [1], "x" * 10_001, sp.true):
        with pytest.raises(ExpressionError):
            parse_expression(bad, XY)


@pytest.mark.parametrize(
    "text",
    [
        "10**10**10",
        "9**9**9**9",
        "2**2**2**2**2**2",
        "(1/3)**100000",
        "sqrt(2)**(10**9)",
        "10**99*10**99*x",
        "x*10**99*10**99",
        "(2*x)**(10**9)",
        "(2*pi)**(10**9)",
        "1" * 200,
        "1" * 5000,
        "gamma(10**9)",
        "loggamma(10**6)",
        "gamma(1000001/2)",
        "-" * 3000 + "x",
        "(" * 300 + "x" + ")" * 300,
        "exp(" * 150 + "x" + ")" * 150,
        "x**" * 150 + "x",
        "+".join(["x"] * 3000),
    ],
)
def test_a_parse_never_hangs(text):
    start = time.perf_counter()
    with pytest.raises(ExpressionError):
        parse_expression(text[:10_000], XY)
    assert time.perf_counter() - start < 10


@pytest.mark.parametrize(
    "text",
    [
        "+".join(f"sqrt(10**99+{k})" for k in range(600)),
        "+".join(f"(10**99+{k})**(1/3)" for k in range(600)),
        "+".join(f"loggamma({k})" for k in range(1, 101)),
        "*".join(f"(x + {k})" for k in range(300)),
        "0.5**1e12",
        "(x + 2)**1000",
        "pi**1000",
    ],
)
def test_long_texts_parse_or_fail_quickly(text):
    start = time.perf_counter()
    try:
        parse_expression(text[:10_000], XY)
    except ExpressionError:
        pass
    assert time.perf_counter() - start < 10


def test_large_but_reasonable_numbers_parse():
    assert parse_expression("10**99") == sp.Integer(10) ** 99
    assert parse_expression("2**300 * 2**-300") == 1
    assert parse_expression("E**1000") == sp.exp(1000)  # symbolic, never expanded
    assert parse_expression("gamma(50)") == sp.factorial(49)
    with pytest.raises(ExpressionError, match=f"{MAX_DIGITS} digits"):
        parse_expression("10**101")


# ------------------------------------------------------------------------------ parity with sympify
UNARY = ["exp", "log", "sqrt", "cbrt", "sin", "cos", "tan", "atan", "sinh", "cosh", "tanh", "asinh", "erf",
         "erfc", "Abs", "abs", "sign", "floor", "ceiling", "Heaviside"]  # fmt: skip
BINARY = ["Max", "Min", "atan2", "log"]
OPS = ["+", "-", "*", "/", "**", "^", "neg", "pos", *UNARY, *(f"{f}/2" for f in BINARY)]
LEAVES = st.one_of(
    st.integers(0, 20).map(str),
    st.sampled_from(["0.5", "2.25", "1e-3", "3.", "0.1", "1.5e2"]),
    st.sampled_from(["x", "y", "z", "pi", "E"]),
)
SMALL_EXPONENTS = st.one_of(st.integers(-3, 3).map(lambda k: f"({k})"), st.sampled_from(["(1/2)", "x", "y"]))


def _render(node: tuple[str, list[str], str]) -> str:
    op, (a, b), e = node
    if op in ("+", "-", "*", "/"):
        return f"({a} {op} {b})"
    if op in ("**", "^"):
        return f"({a}){op}{e}"
    if op in ("neg", "pos"):
        return f"{'-' if op == 'neg' else '+'}({a})"
    if op.endswith("/2"):
        return f"{op[:-2]}({a}, {b})"
    return f"{op}({a})"


# each level names its children once, so the strategy's repr stays small
EXPRESSIONS = st.recursive(
    LEAVES,
    lambda children: st.tuples(
        st.sampled_from(OPS), st.lists(children, min_size=2, max_size=2), SMALL_EXPONENTS
    ).map(_render),
    max_leaves=25,
)


BAD_VALUES = (sp.nan, sp.zoo, sp.oo, -sp.oo)


def _non_finite_piece(text: str, symbols: dict) -> bool:
    """Does some sub-expression of ``text`` sympify to nan, zoo or +-oo?"""
    source = text.replace("^", "**")
    for node in ast.walk(ast.parse(source, mode="eval")):
        if isinstance(node, ast.BinOp | ast.Call | ast.UnaryOp):
            try:
                value = sp.sympify(ast.get_source_segment(source, node), locals=dict(symbols))
            except (TypeError, ValueError, ArithmeticError, sp.SympifyError):
                continue
            if any(value.has(b) for b in BAD_VALUES):
                return True
    return False


@settings(max_examples=300, deadline=None)
@given(EXPRESSIONS)
def test_random_whitelisted_trees_round_trip_like_sympify(text):
    """A whitelisted text parses to exactly sympify's expression; or both reject it; or it is non-finite,
    or has a non-finite piece (``log(1, log(0, 1))``: sympify's 0 hides a zoo), which is refused."""
    symbols = {"x": sp.Symbol("x", real=True), "y": sp.Symbol("y", positive=True), "z": sp.Symbol("z")}
    try:
        old = sp.sympify(text, locals=dict(symbols))
    except (TypeError, ValueError, ArithmeticError, sp.SympifyError):
        old = None  # sympify refused (e.g. builtin abs of a non-number); so may we
    if old is None:
        with pytest.raises(ExpressionError):
            parse_expression(text, symbols)
        return
    if any(old.has(b) for b in BAD_VALUES):
        with pytest.raises(ExpressionError, match="non-finite"):
            parse_expression(text, symbols)
        return
    try:
        new = parse_expression(text, symbols)
    except ExpressionError as exc:
        assert "evaluates to the non-finite value" in str(exc), exc
        assert _non_finite_piece(text, symbols), (text, exc)
        return
    assert new == old and sp.srepr(new) == sp.srepr(old)


# every expression string in proofs_checks/ and tests/ (found by walking their syntax trees; a string is
# sympified here only if parse_expression's own whitelist accepts its shape, so nothing unsafe is eval'd)
def _repo_strings() -> dict[str, str]:
    found: dict[str, str] = {}
    for root in ("proofs_checks", "tests"):
        for path in sorted((ROOT / root).rglob("*.py")):
            if path.name == Path(__file__).name:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) < 400:
                    found.setdefault(node.value, str(path.relative_to(ROOT)))
    found.setdefault("-x**2/(2*0.5)", "tests/test_gao_nguyen_zhu_2023_table.py (f-string)")
    return found


_SAFE_NODES = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Call, ast.Name, ast.Load, ast.Constant,
               ast.operator, ast.unaryop, ast.Compare, ast.cmpop)  # fmt: skip


def _shape(text: str) -> tuple[set[str], set[str]] | None:
    """(names, called names) of an expression-shaped text built from whitelisted node types, else None."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError):
        return None
    nodes = list(ast.walk(tree))
    if not all(isinstance(n, _SAFE_NODES) for n in nodes) or isinstance(tree.body, ast.Name | ast.Constant):
        return None
    if any(isinstance(n, ast.Constant) and not isinstance(n.value, int | float) for n in nodes):
        return None
    if any(isinstance(n, ast.Call) and (n.keywords or not isinstance(n.func, ast.Name)) for n in nodes):
        return None
    names = {n.id for n in nodes if isinstance(n, ast.Name)}
    calls = {n.func.id for n in nodes if isinstance(n, ast.Call)}
    if any(n.startswith("_") or (hasattr(builtins, n) and n not in ("abs", "min", "max")) for n in names):
        return None
    return names, calls


#: Called names in labels (table rows, plot titles, quantities), not formulas: never parsed by the engine.
LABEL_FUNCTIONS = {"Bures", "Detected", "K", "Lip", "Missed", "O", "W1", "W2", "eta", "inside", "m_t", "p",
                   "p_", "t", "v_t"}  # fmt: skip


#: sympy class names of ``srepr`` texts kept as test data (tests/cli/test_index.py), not formulas
SREPR_CLASSES = {"Add", "Float", "Integer", "Mul", "Pow", "Rational", "Symbol"}


def test_every_repository_expression_parses_as_before():
    compared = 0
    for text, where in _repo_strings().items():
        shape = _shape(text)
        if shape is None:
            continue
        names, calls = shape
        unknown = calls - set(DEFAULT_FUNCTIONS)
        if unknown & SREPR_CLASSES:  # sympy srepr text (test data), not a formula
            continue
        if unknown:
            assert unknown <= LABEL_FUNCTIONS, f"{where}: {text!r} calls {unknown}, not in DEFAULT_FUNCTIONS"
            continue
        for declared in (False, True):
            plain = names - calls - {"pi", "E", "I"} - NON_FINITE_NAMES
            local = {n: sp.Symbol(n, real=True) for n in plain} if declared else {}
            try:
                old = sp.sympify(text, locals=dict(local))
            except (TypeError, ValueError, sp.SympifyError):  # not a formula (a label such as 'sin k4')
                continue
            if not isinstance(old, sp.Expr | sp.core.relational.Relational):
                continue
            if names & NON_FINITE_NAMES or any(old.has(b) for b in (sp.nan, sp.zoo)):
                with pytest.raises(ExpressionError):
                    parse_expression(text, local, auto_symbols=True, allow_relations=True)
                continue
            new = parse_expression(text, local, auto_symbols=True, allow_relations=True, allow_infinite=True)
            assert new == old and sp.srepr(new) == sp.srepr(old), f"{where}: {text!r}"
            compared += 1
    assert compared > 300  # the scan found the suites' bounds, SDE coefficients and log-densities


@pytest.mark.parametrize(
    ("text", "params"),
    [
        ("sqrt((1 - m)**2*second_moment + sigma**2*d)", ["m", "second_moment", "sigma", "d"]),
        ("Abs(1 - m)*sqrt(second_moment)", ["m", "second_moment"]),
        ("sigma**2/lam*(1 - exp(-2*lam*Gamma))", None),
        ("Max(1, D**2/4)", ["D"]),
        ("beta/(4*s0)", ["beta", "s0"]),
        ("erf((T + r)/sqrt(2))", ["T", "r"]),
    ],
)
def test_suite_bounds_unchanged(text, params):
    local = {p: sp.Symbol(p, real=True) for p in params or []}
    assert Bound(text, "upper", "q", params=params).expr == sp.sympify(text, locals=local)


def test_log_densities_and_sde_strings_unchanged():
    for text in ("-x**4/4 - x**2/2", "-x**2/2 - log(cosh(x))", "-x**2/2 - 2*log(1 + exp(x))",
                 "3*log(Abs(x))/10", "-x**2/2 + 3*cos(2*x)/10", "-x**2/(2*0.5)"):  # fmt: skip
        expr, x = parse_log_density(text)
        assert expr == sp.sympify(text).subs(sp.Symbol("x"), x), text
    sde = LinearSDE("-beta/2", "sqrt(beta)", params={"beta": 2.0})
    beta = sp.Symbol("beta", positive=True)
    assert sde.a_expr == -beta / 2 and sde.g_expr == sp.sqrt(beta)


def test_error_messages_keep_their_advice():
    with pytest.raises(ExpressionError, match="could not parse") as info:
        LinearSDE("-(", "1")
    assert "'-('" in str(info.value) and "params" in str(info.value)
    with pytest.raises(ExpressionError, match="params"):
        LinearSDE("-beta/2", "sqrt(beta)")
    with pytest.raises(ExpressionError, match=r"\['y'\].*not in the box"):
        certify("x + y >= 0", {"x": (0, 1)})
    with pytest.raises(ExpressionError, match="free symbols"):
        check_assumption("log-concave", "-x**2 + y")
    with pytest.raises(InvalidParameterError, match="finite real"):
        param_values({"mu": float("nan")})
    with pytest.raises(ExpressionError, match="imaginary"):
        Density1D("-x**2 + I*x", (-1, 1))


@pytest.mark.parametrize("params", [np.zeros((2, 0)), "a=1", [("a", 1.0)], 1.5])
def test_param_values_needs_a_mapping(params) -> None:
    """Found by tests/test_fuzz.py: an empty array used to raise numpy's ambiguous-truth ValueError."""
    from sgmverify.errors import InvalidTypeError

    with pytest.raises(InvalidTypeError, match="mapping"):
        param_values(params)


@pytest.mark.parametrize("symbols", [7.1e-209, {b"x": 1}, np.array([]), {"x": "y"}])
def test_parse_expression_checks_its_symbol_table(symbols) -> None:
    """Found by tests/test_fuzz.py: a junk symbol table used to raise bare TypeError / ValueError."""
    from sgmverify.errors import InvalidTypeError

    with pytest.raises(InvalidTypeError, match="symbols"):
        parse_expression("x + 1", symbols)


def test_no_stray_syntax_warning(recwarn) -> None:
    """Found by tests/test_fuzz.py: '1if x else 2' leaked Python's SyntaxWarning before being refused."""
    with pytest.raises(ExpressionError, match="invalid decimal literal"):
        parse_expression("1if x else 2", {"x": sp.Symbol("x")})
    assert not [w for w in recwarn if issubclass(w.category, SyntaxWarning)]


# ------------------------------------------------------------------------------------------------ LaTeX
def test_latex_bound_parses_to_the_same_expression_as_text() -> None:
    from sgmverify.expressions import parse_latex_expression
    from sgmverify.theory import Bound

    names = ["d", "h", "L", "epsilon", "T"]
    b = Bound.from_latex(r"\sqrt{d h}\,L + \epsilon \sqrt{T}", "upper", "W2", params=names)
    ref = Bound("sqrt(d*h)*L + epsilon*sqrt(T)", "upper", "W2", params=names)
    assert b.expr == ref.expr and b.params == names  # same real symbols as a text bound
    assert b.to_dict()["latex_source"] == r"\sqrt{d h}\,L + \epsilon \sqrt{T}"
    assert "latex_source" not in ref.to_dict() and b.latex() == ref.latex()
    assert b.evaluate({"d": 4, "h": 1, "L": 1, "epsilon": 1, "T": 4}) == 4.0
    x = {n: sp.Symbol(n) for n in ("x", "y", "L_0", "lamda", "sigma_0", "t", "epsilon_score")}
    cases = {
        r"\frac{L_{0}}{2} \cdot \lambda e^{-t}": "L_0*lamda*exp(-t)/2",
        r"\log(1+\sigma_{0}^2) + \exp(x)": "log(1 + sigma_0**2) + exp(x)",
        r"\tanh(x) y": "tanh(x)*y",
        r"\log(x) \cdot y": "y*log(x)",  # lark alone also reads log(x*y)
        r"x^{2} y + |x|\,|y|": "x**2*y + Abs(x)*Abs(y)",
        r"\varepsilon_{\mathrm{score}} + \max(x, 2\pi)": "epsilon_score + Max(x, 2*pi)",
        r"\sqrt[3]{x} + \operatorname{erf}(y) + 0.1": "x**(1/3) + erf(y) + 0.1",
    }
    for latex, text in cases.items():
        assert parse_latex_expression(latex, x) == parse_expression(text, x), latex


def test_latex_misread_looking_cases() -> None:
    """Sympy's lark grammar alone reads 'd h' as a tuple and '\\sqrt{d h}' not at all; here both are d*h."""
    from sgmverify.expressions import parse_latex_expression

    d, h, a, b, c = sp.symbols("d h a b c")
    assert parse_latex_expression(r"d h", auto_symbols=True) == d * h
    assert parse_latex_expression(r"\sqrt{d h}", auto_symbols=True) == sp.sqrt(d * h)
    assert parse_latex_expression(r"a (b + c)", auto_symbols=True) == a * (b + c)  # not a call a(b + c)
    assert parse_latex_expression(r"\mathrm{e}^{a}", auto_symbols=True) == sp.exp(a)
    assert parse_latex_expression(r"e^{a}", {"e": sp.Symbol("e"), "a": a}) == sp.Symbol("e") ** a


@pytest.mark.parametrize(
    ("latex", "match"),
    [
        (r"x!", "function 'factorial'"),
        (r"\operatorname{foo}(x)", "function 'foo'"),
        (r"\int_0^1 x", r"position 0: unknown LaTeX macro \\int"),
        (r"x \le 1", "position 2: .* is a relation"),
        (r"x +", "at its end"),
        (r"\frac{1}{0}", "non-finite"),
        (r"10^{10^{10}}", "more than 100 digits"),
        (r"\infty", "infty"),
        (r"y", "not declared"),
        (r"x # 1", "position 2: unexpected character"),
    ],
)
def test_latex_refusals_are_expression_errors(latex, match) -> None:
    from sgmverify.expressions import parse_latex_expression

    with pytest.raises(ExpressionError, match=match):
        parse_latex_expression(latex, {"x": sp.Symbol("x")})


def test_latex_bound_checks_its_params() -> None:
    from sgmverify.theory import Bound

    with pytest.raises(ExpressionError, match="not among its declared parameters"):
        Bound.from_latex(r"\epsilon \sqrt{T}", "upper", "W2", params=["T"])
    assert Bound.from_latex(r"\lambda_{\max} T", "upper", "W2").params == ["T", "lamda_max"]


@pytest.mark.parametrize(
    ("latex", "pos"),
    [
        (r"1.5e-3", 0),  # was read as 1.5·e − 3 ≈ 1.077, silently
        (r"x + 2E5", 4),
        (r"3e+2 x", 0),
        (r"\log 1e-3", 5),  # a function's bare numeric argument too
        (r"x \cdot 7e10", 8),
    ],
)
def test_latex_scientific_notation_is_refused_with_its_position(latex, pos) -> None:
    from sgmverify.expressions import parse_latex_expression

    with pytest.raises(ExpressionError, match=rf"position {pos}: .*scientific notation.*\\times10\^"):
        parse_latex_expression(latex, {"x": sp.Symbol("x")})


def test_latex_e_after_a_number_that_is_not_an_exponent_still_means_e() -> None:
    from sgmverify.expressions import parse_latex_expression

    x = sp.Symbol("x")
    assert parse_latex_expression(r"2e", {"x": x}) == 2 * sp.E
    assert parse_latex_expression(r"2e^{x}", {"x": x}) == 2 * sp.exp(x)
    assert parse_latex_expression(r"2e - x", {"x": x}) == 2 * sp.E - x
    assert parse_latex_expression(r"1.5\times10^{-3}", {"x": x}) == pytest.approx(1.5e-3, rel=1e-15)
    assert float(parse_latex_expression(r"1.5 \cdot 10^{-3} x", {"x": x}).coeff(x)) == pytest.approx(1.5e-3)


@pytest.mark.parametrize(
    ("latex", "pos"),
    [
        (r"a/bc", 3),
        (r"a/b c", 4),
        (r"x/2 \log x", 4),
        (r"a/b^{2} c", 8),
        (r"a/\sqrt{b} c", 11),
        (r"(a + 1)/b (c + 1)", 10),
        (r"a + a/2\pi", 7),
    ],
)
def test_latex_implicit_product_after_a_slash_is_refused(latex, pos) -> None:
    """a/bc reads a·c/b or a/(b·c) depending on convention; the parser asks for \\frac or brackets."""
    from sgmverify.expressions import parse_latex_expression

    with pytest.raises(ExpressionError, match=rf"position {pos}: .*ambiguous.*\\frac"):
        parse_latex_expression(latex, auto_symbols=True)


def test_latex_unambiguous_divisions_still_parse() -> None:
    from sgmverify.expressions import parse_latex_expression

    a, b, c, x = sp.symbols("a b c x")
    P = lambda t: parse_latex_expression(t, auto_symbols=True)  # noqa: E731
    assert P(r"a/(bc)") == a / (b * c)
    assert P(r"\frac{a}{bc}") == a / (b * c)
    assert P(r"(a/b) c") == a * c / b
    assert P(r"c\,a/b") == a * c / b  # the product is before the slash
    assert P(r"a/b \cdot c") == a * c / b  # an explicit product reads left to right
    assert P(r"a/b/c") == a / (b * c)
    assert P(r"a/b + c x") == a / b + c * x  # the denominator ends at +
    assert P(r"e^{-x/2} c") == c * sp.exp(-x / 2)  # the slash is inside the braces
    assert P(r"\sqrt[3]{a/b} c") == c * (a / b) ** sp.Rational(1, 3)
    assert P(r"a/|b c|") == a / sp.Abs(b * c)
    assert P(r"\frac{1}{m^{2}/\alpha + \sigma^{2}}") == 1 / (
        sp.Symbol("m") ** 2 / sp.Symbol("alpha") + sp.Symbol("sigma") ** 2
    )
