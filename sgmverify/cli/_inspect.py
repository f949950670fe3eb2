"""``sgmverify list · bound · assumptions``: what the suites claim, a theorem's bound evaluated at given
values, and assumption checks (a theorem's checkers on its scenarios, or a density / Gaussian mixture).

``assumptions`` exits 1 when a check FAILS and 0 otherwise (UNKNOWN is printed but exits 0).
"""

from __future__ import annotations

import argparse
import json
import math
import textwrap
from pathlib import Path
from typing import Any

from ._common import (
    UsageError,
    _err,
    _find_record,
    _find_scenario,
    _find_theorem,
    _load_theorem,
    _nonneg_float,
    _parse_value,
    _records,
    _suite_opt,
)

DEFAULT_CHECKS = ("log-concave", "moments")


# ------------------------------------------------------------------------------------------------- list
def cmd_list(args: argparse.Namespace) -> int:
    """``sgmverify list``: suites, theorems (with provenance, claim, assumptions, scenarios), read from
    the suite index (a suite is imported only when it is new or changed)."""
    records, errors = _records(args.suite)
    if not records and not errors:
        print(
            "no suites found (add modules to proofs_checks, register a 'sgmverify.suites' entry point, "
            "or pass --suite PATH)"
        )
    for s in records:
        scens = [sc for t in s["theorems"] for sc in t["scenarios"]]
        n_quick, n_full = sum(bool(sc["quick"]) for sc in scens), len(scens)
        print(f"{s['name']} — {s['title']}  [{s['source']}]  ({n_quick} quick / {n_full} full checks)")
        if s["reference"]:
            print(f"  reference: {s['reference']}")
        for t in s["theorems"]:
            tag = "  [negative control]" if t["expect"] != "holds" else ""
            print(f"  {t['id']}: {t['title']}  ({t['provenance']}){tag}")
            print(f"      source: {t['cite']}")
            print(f"      claim: {t['bound']['statement']}")
            for a in t["assumptions"]:
                print(f"      assumes {a['name']}: {a['description']}")
            scen = (
                ", ".join(sc["name"] + ("" if sc["quick"] else " (full)") for sc in t["scenarios"]) or "none"
            )
            print(textwrap.fill(scen, 110, initial_indent="      scenarios: ", subsequent_indent=" " * 17))
    return 1 if errors else 0


# ------------------------------------------------------------------------------------------------ bound
def cmd_bound(args: argparse.Namespace) -> int:
    """``sgmverify bound``: print a theorem's bound; evaluate it at NAME=VALUE pairs or a scenario.

    The bound is read from the suite index; the theorem's suite is imported only for ``--scenario`` (its
    ``bound_params``) or for a bound the index cannot rebuild.
    """
    from sgmverify.errors import BoundEvaluationError

    records, _ = _records(args.suite)
    rec, th = _find_record(records, args.theorem)
    b = th["bound"]
    symbols = list(b["symbols"])
    print(f"{th['id']}: {th['title']}\n  {th['cite']}")
    print(f"claim: {b['statement']}  ({b['direction']} bound)\n")
    print(b["pretty"] + "\n")
    print(f"LaTeX: {b['latex']}")
    print(f"symbols: {', '.join(symbols) or 'none'}")
    values: dict[str, float] = {}
    theorem = None
    if args.scenario:
        theorem = _load_theorem_from(rec, th["id"])
        sc = _find_scenario(theorem, args.scenario)
        values.update(theorem.bound_params(sc) if theorem.bound_params else sc.params)
    for item in args.values:
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"values are given as name=value, got {item!r}.")
        values[key.strip()] = _parse_value(key.strip(), text.strip())
    extra = sorted(set(values) - set(symbols))
    if extra and args.values:
        print(f"(ignoring values of symbols the bound does not use: {extra})")
    missing = [s for s in symbols if s not in values]
    if missing:
        example = " ".join(f"{m}=..." for m in missing)
        if not args.values and not args.scenario:
            print(f"to evaluate it: sgmverify bound {th['id']} {example}")
            return 0
        raise UsageError(f"the bound needs values for {missing}; add them: {example}")
    try:
        value = _evaluate(rec, th, theorem, values)
    except BoundEvaluationError as exc:
        _err(str(exc))
        return 1
    shown = ", ".join(f"{s}={values[s]:g}" for s in symbols)
    print(f"value{f' at {shown}' if shown else ''}: {value:.12g}")
    return 0


def _load_theorem_from(rec: dict, theorem_id: str) -> Any:
    from sgmverify.run import load_suite

    suite = load_suite(rec["source"])
    return _find_theorem([suite] if suite is not None else [], theorem_id)


def _evaluate(rec: dict, th: dict, theorem: Any, values: dict[str, float]) -> float:
    """The bound at ``values``.

    Without an imported theorem, the expression is rebuilt from the suite index (no suite import, no
    engine import: sympy and numpy only) and evaluated as :meth:`sgmverify.theory.Bound.evaluate` does it
    (lambdified, float64, NaN is an error); a bound the index cannot rebuild imports its suite.
    """
    from sgmverify.errors import SuiteError

    if theorem is not None:
        return theorem.bound.evaluate(values)
    fast = _fast_evaluate(th["bound"].get("srepr"), values)
    if fast is not None:
        return fast
    from sgmverify.run import bound_expr

    try:
        expr = bound_expr(th["bound"])
    except SuiteError:
        return _load_theorem_from(rec, th["id"]).bound.evaluate(values)
    return _evaluate_expr(expr, values)


_FAST_FUNCTIONS = {
    "exp": math.exp, "log": math.log, "sin": math.sin, "cos": math.cos, "tan": math.tan, "sinh": math.sinh,
    "cosh": math.cosh, "tanh": math.tanh, "atan": math.atan, "erf": math.erf, "erfc": math.erfc,
    "Abs": abs, "Max": max, "Min": min,
}  # fmt: skip
_FAST_CONSTANTS = {"pi": math.pi, "E": math.e}


def _fast_evaluate(text: str | None, values: dict[str, float]) -> float | None:
    """The bound's ``srepr`` evaluated with :mod:`math` (no sympy import: about 0.5 s saved), or None when it
    uses anything else or any step fails or is not finite (then the sympy path decides, as
    :meth:`~sgmverify.theory.Bound.evaluate` would)."""
    import ast

    def walk(node: ast.AST) -> float:
        if isinstance(node, ast.Name):
            return _FAST_CONSTANTS[node.id]
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            raise KeyError(node)
        f, a = node.func.id, node.args
        if f in ("Symbol", "Integer", "Float", "Rational"):
            lit = [ast.literal_eval(x) for x in a]  # strings and numbers (-1 included) only
            if f == "Symbol":
                return float(values[lit[0]])
            return float(lit[0]) if f != "Rational" else lit[0] / lit[1]
        args = [walk(x) for x in a]
        if f == "Add":
            return math.fsum(args)
        if f == "Mul":
            return math.prod(args)
        if f == "Pow":
            return math.pow(*args)
        return float(_FAST_FUNCTIONS[f](*args))

    if not isinstance(text, str):
        return None
    try:
        val = walk(ast.parse(text, mode="eval").body)
    except (KeyError, IndexError, TypeError, ValueError, ArithmeticError, SyntaxError, RecursionError):
        return None
    return val if math.isfinite(val) else None


def _evaluate_expr(expr: Any, values: dict[str, float]) -> float:
    """``expr`` at ``values`` in float64 (numpy, then numpy + scipy for special functions)."""
    import functools

    import numpy as np
    import sympy as sp
    from sympy.printing.numpy import NumPyPrinter

    from sgmverify.errors import BoundEvaluationError

    syms = sorted(expr.free_symbols, key=lambda s: s.name)
    args = [float(values[s.name]) for s in syms]
    # numpy's printer with numpy itself as the namespace: the code Bound.evaluate runs, without lambdify's
    # `from numpy import *` (which also imports numpy.f2py, 0.3 s); scipy's functions as Bound does.
    first = {"modules": [{"numpy": np, "functools": functools}], "printer": NumPyPrinter}
    for kw in (first, {"modules": ["numpy", "scipy"]}):
        fn = sp.lambdify(syms, expr, **kw)
        try:
            with np.errstate(all="ignore"):
                val = float(fn(*args))
            break
        except NameError:  # a function numpy lacks: try with scipy
            continue
        except (TypeError, ValueError, ZeroDivisionError, OverflowError) as exc:
            raise BoundEvaluationError(f"could not evaluate bound {expr} at {values}: {exc}") from exc
    else:
        raise BoundEvaluationError(
            f"could not evaluate bound {expr}: it uses functions numpy and scipy lack."
        )
    if math.isnan(val):
        raise BoundEvaluationError(f"bound {expr} is NaN at {values}; check the parameters.")
    return val


# ------------------------------------------------------------------------------------------ assumptions
def _load_mixture(path: str) -> Any:
    """A :class:`~sgmverify.laws.GaussianMixture` from ``{"weights", "means", "covs"}`` JSON."""
    from sgmverify.laws import GaussianMixture

    try:
        spec = json.loads(Path(path).read_text())
        return GaussianMixture(spec["weights"], spec["means"], spec["covs"])
    except OSError as exc:
        raise UsageError(f"cannot read the mixture spec {path}: {exc.strerror or exc}.") from exc
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise UsageError(
            f"bad mixture spec {path} ({type(exc).__name__}: {exc}); write JSON "
            '{"weights": [...], "means": [[...], ...], "covs": [[[...]], ...]}.'
        ) from exc


def cmd_check_distribution(args: argparse.Namespace) -> int:
    """``assumptions --density/--mixture``: exit 1 if a check fails, else 0 (unknown is printed, exit 0)."""
    from sgmverify.hypotheses import KINDS, check_assumption

    if (args.density is None) == (args.mixture is None):
        raise UsageError("give exactly one of --density EXPR and --mixture SPEC.json (or a THEOREM_ID).")
    if args.mixture is not None and (args.var or args.support or args.box or args.vars or args.box_for):
        raise UsageError("--var, --vars, --support, --box and --box-for apply to --density only.")
    names = [v.strip() for v in (args.vars or "").split(",") if v.strip()]
    if args.vars is not None and len(names) not in (2, 3):
        raise UsageError(f"--vars takes 2 or 3 comma-separated names, got {args.vars!r}.")
    if names and (args.var or args.support or args.box):
        raise UsageError("with --vars give the box by --box-for NAME LO HI, not --var/--support/--box.")
    if args.box_for and not names:
        raise UsageError("--box-for needs --vars x,y[,z].")
    default = ("log-concave",) if names else DEFAULT_CHECKS
    kinds = [k.strip() for k in (args.check or "").split(",") if k.strip()] or list(default)
    if args.L is not None and not args.check:
        kinds.append("smooth")
    bad = [k for k in kinds if k not in KINDS or k == "consistency"]
    if bad:
        raise UsageError(f"unknown check(s) {bad}; choose from {[k for k in KINDS if k != 'consistency']}.")
    if names:
        boxes = {
            n: (_parse_value("--box-for", lo), _parse_value("--box-for", hi))
            for n, lo, hi in args.box_for or []
        }
        if set(boxes) != set(names):
            raise UsageError(f"give --box-for NAME LO HI for each of {names} (got {sorted(boxes)}).")
        dist: Any = args.density
        base = {"vars": names, "box": boxes}
        label = f"log q({', '.join(names)}) = {args.density} on " + " x ".join(
            f"[{boxes[n][0]:g}, {boxes[n][1]:g}]" for n in names
        )
    elif args.density is not None:
        dist = args.density
        support = tuple(_parse_value("--support", v) for v in args.support) if args.support else None
        box = tuple(_parse_value("--box", v) for v in args.box) if args.box else None
        base = {"var": args.var, "support": support, "box": box}
        label = f"log q({args.var or 'x'}) = {args.density}" + (f" on {support}" if support else "")
    else:
        dist = _load_mixture(args.mixture)
        base = {}
        label = f"mixture {args.mixture} ({dist.n_components} components, d = {dist.dim})"
    given = {"m": args.m, "L": args.L, "k": args.k, "beta": args.beta, "C": args.C}
    results = []
    for kind in kinds:
        kw = {**base, **{n: v for n, v in given.items() if v is not None}}
        if kind in ("smooth", "lipschitz-score") and args.L is None:
            raise UsageError(f"--check {kind} needs --L.")
        if kind == "holder" and (args.beta is None or args.C is None or args.density is None):
            raise UsageError("--check holder needs --density, --beta and --C.")
        if kind == "strongly-log-concave" and args.m is None:
            raise UsageError("--check strongly-log-concave needs --m (> 0).")
        results.append(check_assumption(kind, dist, **kw))
    if args.json:
        print(json.dumps({"distribution": label, "results": [r.to_dict() for r in results]}, indent=2))
    else:
        print(label)
        width = max(len(r.kind) for r in results)
        for r in results:
            print(f"  {r.status.upper():8s} {r.kind:<{width}} [{r.evidence}] {r.detail}")
        if any(r.status == "unknown" for r in results):
            print("UNKNOWN: not decided either way (exit status 0; only FAILS gives 1)")
    return 1 if any(r.status == "fails" for r in results) else 0


def cmd_assumptions(args: argparse.Namespace) -> int:
    """``sgmverify assumptions``: a theorem's checkers on its scenarios, or a distribution's checks."""
    opt = getattr(args, "theorem_opt", None)
    if opt is not None:
        if args.theorem and args.theorem != opt:
            raise UsageError(f"two theorem ids given ({args.theorem!r} and --theorem {opt!r}).")
        args.theorem = opt
    if args.density is not None or args.mixture is not None:
        if args.theorem:
            raise UsageError("give a THEOREM_ID or --density/--mixture, not both.")
        return cmd_check_distribution(args)
    if not args.theorem:
        raise UsageError("give a THEOREM_ID, or --density EXPR / --mixture SPEC.json.")
    th = _load_theorem(args.suite, args.theorem)
    scenarios = [_find_scenario(th, args.scenario)] if args.scenario else th.scenarios
    print(f"{th.id}: {th.title}")
    if not th.assumptions:
        print("  no assumptions")
        return 0
    for a in th.assumptions:
        print(f"  {a.name}: {a.description}")
    status = 0
    for sc in scenarios:
        print(f"scenario {sc.name}:")
        for a in th.assumptions:
            try:
                r = a.evaluate(sc)
            except Exception as exc:  # noqa: BLE001  (a faulty checker is reported, not fatal)
                print(f"  {'ERROR':8s} {a.name}: {type(exc).__name__}: {exc}")
                status = 1
                continue
            detail = f" — {r.detail}" if r.detail else ""
            print(f"  {r.status.upper():8s} {a.name} [{r.evidence}]{detail}")
    return status


# --------------------------------------------------------------------------------------------- parsers
def register_list(sub: Any) -> None:
    """Add ``list`` to ``sub`` (from ``ArgumentParser.add_subparsers``)."""
    sp = sub.add_parser("list", help="list suites, theorems (with provenance) and assumptions")
    _suite_opt(sp)
    sp.set_defaults(func=cmd_list)


def register_bound(sub: Any) -> None:
    """Add ``bound`` to ``sub``."""
    sp = sub.add_parser("bound", help="show a theorem's bound and evaluate it")
    _suite_opt(sp)
    sp.add_argument("theorem", help="theorem id")
    sp.add_argument("values", nargs="*", metavar="NAME=VALUE", help="parameter values")
    sp.add_argument("--scenario", help="take parameter values from this scenario")
    sp.set_defaults(func=cmd_bound)


def register_assumptions(sub: Any) -> None:
    """Add ``assumptions`` to ``sub``."""
    sp = sub.add_parser(
        "assumptions",
        help="run a theorem's assumption checkers, or check a density / mixture",
        description="THEOREM_ID [--scenario]: a theorem's checkers on its scenarios.  --density EXPR or "
        "--mixture SPEC.json: check assumptions of a distribution.  Exit status 1 if a check FAILS, 0 "
        "otherwise (UNKNOWN is printed but exits 0), 2 on usage errors (bad expression, missing --m/--L).",
    )
    _suite_opt(sp)
    sp.add_argument("theorem", nargs="?", help="theorem id")
    sp.add_argument("--theorem", dest="theorem_opt", metavar="ID", help="theorem id (same as THEOREM_ID)")
    sp.add_argument("--scenario", help="only this scenario")
    sp.add_argument(
        "--density",
        metavar="EXPR",
        help="unnormalised 1-D log-density; write --density='-x**4/4 - x**2/2' when it starts with '-'",
    )
    sp.add_argument("--var", help="its variable (default: its only symbol)")
    sp.add_argument(
        "--support", nargs=2, metavar=("LO", "HI"), help="support (default: the real line; -oo, oo)"
    )
    sp.add_argument("--box", nargs=2, metavar=("LO", "HI"), help="check only on this box ('box only')")
    sp.add_argument(
        "--vars", metavar="x,y[,z]", help="2-3-D --density: its variables (checks are certified on a box)"
    )
    sp.add_argument(
        "--box-for",
        nargs=3,
        action="append",
        metavar=("NAME", "LO", "HI"),
        help="the box of one variable of --vars (repeat for each)",
    )
    sp.add_argument("--mixture", metavar="SPEC.json", help='Gaussian mixture {"weights", "means", "covs"}')
    sp.add_argument(
        "--check",
        metavar="KINDS",
        help="comma-separated: log-concave, strongly-log-concave, smooth, lipschitz-score, bounded-support, "
        f"density-bounds, moments, holder (default: {', '.join(DEFAULT_CHECKS)}, plus smooth with --L)",
    )
    sp.add_argument("--m", type=_nonneg_float, help="log-concavity constant m (default 0)")
    sp.add_argument("--L", type=_nonneg_float, help="smoothness / score-Lipschitz constant L")
    sp.add_argument("--k", type=_nonneg_float, help="moment order k (default 2)")
    sp.add_argument("--beta", type=_nonneg_float, help="Hölder exponent (--check holder)")
    sp.add_argument("--C", type=_nonneg_float, help="Hölder constant (--check holder)")
    sp.add_argument("--json", action="store_true", help="JSON output")
    sp.set_defaults(func=cmd_assumptions)
