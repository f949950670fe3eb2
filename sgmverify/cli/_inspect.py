"""``sgmverify list · bound · assumptions``: what the suites claim, a theorem's bound evaluated at given
values, and assumption checks (a theorem's checkers on its scenarios, or a density / Gaussian mixture).

``assumptions`` exits 1 when a check FAILS and 0 otherwise (UNKNOWN is printed but exits 0).
"""

from __future__ import annotations

import argparse
import json
import textwrap
from pathlib import Path
from typing import Any

from ._common import (
    UsageError,
    _discover,
    _err,
    _find_scenario,
    _find_theorem,
    _nonneg_float,
    _parse_value,
    _suite_opt,
)

DEFAULT_CHECKS = ("log-concave", "moments")


# ------------------------------------------------------------------------------------------------- list
def cmd_list(args: argparse.Namespace) -> int:
    """``sgmverify list``: suites, theorems (with provenance, claim, assumptions, scenarios)."""
    suites, errors = _discover(args.suite)
    if not suites and not errors:
        print(
            "no suites found (add modules to proofs_checks, register a 'sgmverify.suites' entry point, "
            "or pass --suite PATH)"
        )
    for s in suites:
        n_quick, n_full = len(s.checks("quick")), len(s.checks("full"))
        print(f"{s.name} — {s.title}  [{s.source}]  ({n_quick} quick / {n_full} full checks)")
        if s.reference:
            print(f"  reference: {s.reference}")
        for t in s.theorems:
            tag = "  [negative control]" if t.is_negative_control else ""
            print(f"  {t.id}: {t.title}  ({t.reference.provenance.value}){tag}")
            print(f"      source: {t.reference.cite()}")
            print(f"      claim: {t.bound.statement()}")
            for a in t.assumptions:
                print(f"      assumes {a.name}: {a.description}")
            scen = ", ".join(sc.name + ("" if sc.quick else " (full)") for sc in t.scenarios) or "none"
            print(textwrap.fill(scen, 110, initial_indent="      scenarios: ", subsequent_indent=" " * 17))
    return 1 if errors else 0


# ------------------------------------------------------------------------------------------------ bound
def cmd_bound(args: argparse.Namespace) -> int:
    """``sgmverify bound``: print a theorem's bound; evaluate it at NAME=VALUE pairs or a scenario."""
    from sgmverify.errors import BoundEvaluationError

    suites, _ = _discover(args.suite)
    th = _find_theorem(suites, args.theorem)
    b = th.bound
    print(f"{th.id}: {th.title}\n  {th.reference.cite()}")
    print(f"claim: {b.statement()}  ({b.direction.value} bound)\n")
    print(b.pretty() + "\n")
    print(f"LaTeX: {b.latex()}")
    print(f"symbols: {', '.join(b.symbols) or 'none'}")
    values: dict[str, float] = {}
    if args.scenario:
        sc = _find_scenario(th, args.scenario)
        values.update(th.bound_params(sc) if th.bound_params else sc.params)
    for item in args.values:
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"values are given as name=value, got {item!r}.")
        values[key.strip()] = _parse_value(key.strip(), text.strip())
    extra = sorted(set(values) - set(b.symbols))
    if extra and args.values:
        print(f"(ignoring values of symbols the bound does not use: {extra})")
    missing = [s for s in b.symbols if s not in values]
    if missing:
        example = " ".join(f"{m}=..." for m in missing)
        if not args.values and not args.scenario:
            print(f"to evaluate it: sgmverify bound {th.id} {example}")
            return 0
        raise UsageError(f"the bound needs values for {missing}; add them: {example}")
    try:
        value = b.evaluate(values)
    except BoundEvaluationError as exc:
        _err(str(exc))
        return 1
    shown = ", ".join(f"{s}={values[s]:g}" for s in b.symbols)
    print(f"value{f' at {shown}' if shown else ''}: {value:.12g}")
    return 0


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
    suites, _ = _discover(args.suite)
    th = _find_theorem(suites, args.theorem)
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
