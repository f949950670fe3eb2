"""The ``sgmverify`` command line: ``list · run · report · compare · bound · assumptions · falsify``.

Exit status: 0 when every claim was not VIOLATED/ERROR and every negative control was detected
(:attr:`Result.as_expected <sgmverify.theory.Result.as_expected>`) and every suite imported; 1 otherwise
(also for an unwritable output directory or a full disk: results already stored are kept); 2 on usage
errors (bad arguments, unknown theorem, suite or file); 130 when interrupted.

Heavy modules are imported inside the commands so that ``sgmverify --help`` stays fast.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import shutil
import sys
import textwrap
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sgmverify.errors import InvalidParameterError, SgmverifyError, StoreError, SuiteError, UnknownNameError

if TYPE_CHECKING:
    from sgmverify.theory import Result, Scenario, Suite, Theorem

__all__ = ["build_parser", "main", "summary_table"]

DEFAULT_BASELINE = Path("reports") / "baseline.json"


class UsageError(SgmverifyError):
    """Bad command-line usage (exit status 2)."""


def _err(msg: str) -> None:
    print(f"sgmverify: error: {msg}", file=sys.stderr)


# --------------------------------------------------------------------------------------------- helpers
def _discover(suite_args: Sequence[str] | None) -> tuple[list[Suite], list[SuiteError]]:
    """Suites named by ``--suite`` (or all installed ones); import failures are printed and returned."""
    from sgmverify.run import discover_suites

    errors: list[SuiteError] = []
    if suite_args:
        suites = discover_suites(suite_args, entry_points=False, package=None, errors=errors)
    else:
        suites = discover_suites(errors=errors)
    for e in errors:
        _err(f"suite not loaded: {e}")
    return suites, errors


def _find_theorem(suites: Sequence[Suite], theorem_id: str) -> Theorem:
    known = {t.id: t for s in suites for t in s.theorems}
    if theorem_id in known:
        return known[theorem_id]
    close = difflib.get_close_matches(theorem_id, list(known), n=3)
    hint = f"; did you mean {close}?" if close else "; `sgmverify list` shows the theorems."
    raise UnknownNameError(f"unknown theorem {theorem_id!r}{hint}")


def _find_scenario(theorem: Theorem, name: str) -> Scenario:
    for sc in theorem.scenarios:
        if sc.name == name:
            return sc
    names = [s.name for s in theorem.scenarios]
    raise UnknownNameError(f"theorem {theorem.id} has no scenario {name!r}; its scenarios: {names}.")


def _read_results(path: Path) -> list[Result]:
    """Read a report.json (``{"results": [...]}`` or a list) or a results JSON-lines file."""
    from sgmverify.run import ResultsStore
    from sgmverify.theory import Result

    if path.suffix != ".jsonl":
        try:
            data = json.loads(path.read_text())
        except json.JSONDecodeError:
            data = None
        if isinstance(data, dict) and isinstance(data.get("results"), list):
            return [Result.from_dict(d) for d in data["results"]]
        if isinstance(data, list):
            return [Result.from_dict(d) for d in data]
    return ResultsStore(path).load()


def load_any(path: str | os.PathLike) -> list[Result]:
    """Results from a report.json or a results.jsonl (via :func:`sgmverify.report.load_results`)."""
    p = Path(path)
    if not p.exists():
        raise UsageError(f"{p} does not exist; pass a report.json or a results.jsonl.")
    try:
        from sgmverify.report import load_results
    except ImportError:
        return _read_results(p)
    try:
        return load_results(p)
    except Exception as exc:  # noqa: BLE001  (fall back to reading the records ourselves)
        try:
            return _read_results(p)
        except Exception:  # noqa: BLE001
            raise exc from None


def summary_table(results: Sequence[Result]) -> str:
    """Per-suite counts: claims by verdict, negative controls detected / missed."""
    from sgmverify.theory import Verdict

    cols = ["holds", "violated", "inconcl.", "assum.fail", "error", "neg.detected", "neg.missed"]
    verdicts = [
        Verdict.HOLDS,
        Verdict.VIOLATED,
        Verdict.INCONCLUSIVE,
        Verdict.ASSUMPTIONS_FAIL,
        Verdict.ERROR,
    ]
    rows: dict[str, list[int]] = {}
    for r in results:
        row = rows.setdefault(r.suite or "?", [0] * len(cols))
        if r.expect != "holds":
            row[5 if r.as_expected else 6] += 1
        else:
            row[verdicts.index(r.verdict)] += 1
    rows["TOTAL"] = [sum(v[j] for v in rows.values()) for j in range(len(cols))]
    width = max(len(k) for k in [*rows, "suite"])
    head = f"{'suite':<{width}}  " + "  ".join(f"{c:>{len(c)}}" for c in cols)
    lines = [head, "-" * len(head)]
    for name, vals in rows.items():
        if name == "TOTAL":
            lines.append("-" * len(head))
        lines.append(f"{name:<{width}}  " + "  ".join(f"{v:>{len(c)}}" for v, c in zip(vals, cols)))
    return "\n".join(lines)


# -------------------------------------------------------------------------------------------- commands
def cmd_list(args: argparse.Namespace) -> int:
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


def cmd_run(args: argparse.Namespace) -> int:
    from sgmverify.run import (
        DEFAULT_TIMEOUT,
        ResultsStore,
        compile_filter,
        dask_executor,
        run_checks,
        versions,
    )

    t0 = time.perf_counter()
    mode = "full" if args.full else "quick"
    if args.update_baseline and (mode != "quick" or args.k):
        raise UsageError("--update-baseline needs an unfiltered quick run (no --full, no -k).")
    compile_filter(args.k)  # a bad expression is a usage error before anything runs
    out = Path(args.out)
    store = ResultsStore(out / "results.jsonl")
    try:
        out.mkdir(parents=True, exist_ok=True)
        os.close(os.open(store.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644))
    except OSError as exc:
        raise StoreError(f"cannot write to the output directory {out}: {exc.strerror or exc}.") from exc
    suites, errors = _discover(args.suite)
    timeout = DEFAULT_TIMEOUT if args.timeout is None else args.timeout
    kw: dict[str, Any] = dict(
        mode=mode, store=store, filter=args.k, timeout=timeout or None,
        progress=not args.no_progress, resume=not args.no_resume,
    )  # fmt: skip
    if args.dask:
        with dask_executor(args.dask, args.jobs) as ex:
            outcome = run_checks(suites, executor=ex, **kw)
    else:
        outcome = run_checks(suites, jobs=args.jobs, **kw)
    results = outcome.results
    if not results:
        _err("no checks selected" + (f" by -k {args.k!r}" if args.k else "") + "; nothing was verified.")
        return 1
    figures = []
    if not args.no_figures:
        from sgmverify.run import render_figures

        figures = render_figures(
            suites, mode, timeout=timeout or None, progress=not args.no_progress,
            select=compile_filter(args.k) if args.k else None,
        )  # fmt: skip
    print(summary_table(results))
    bad = [r for r in results if not r.as_expected]
    for r in bad:
        print(f"NOT AS EXPECTED  {r.check_id}: {r.verdict.value} — {r.reason}")
    print(
        f"{len(results)} checks ({outcome.n_run} run, {len(outcome.skipped)} reused from {store.path}) "
        f"in {time.perf_counter() - t0:.1f} s"
    )
    meta = {
        "mode": mode, "filter": args.k, "versions": versions(), "elapsed_s": outcome.elapsed_s,
        "n_run": outcome.n_run, "n_reused": len(outcome.skipped), "store": str(store.path),
        "suites": [{"name": s.name, "title": s.title, "source": s.source, "reference": s.reference}
                   for s in suites],
        "suite_errors": [str(e) for e in errors],
    }  # fmt: skip
    from sgmverify.report import write_reports

    paths = write_reports(results, out, meta=meta, figures=figures)
    for f in figures:
        if f.error:
            print(f"FIGURE FAILED  {f.id}: {f.error}")
    print("reports: " + ", ".join(str(p) for p in paths.values()))
    if args.update_baseline:
        src = Path(paths.get("json", out / "report.json"))
        dest = Path(args.baseline)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
        print(f"baseline updated: {dest}" + (f" (with {len(bad)} checks not as expected)" if bad else ""))
    return 1 if bad or errors or any(f.error for f in figures) else 0


def cmd_report(args: argparse.Namespace) -> int:
    results = load_any(args.results)
    out = Path(args.out) if args.out else Path(args.results).parent
    formats = tuple(dict.fromkeys(args.format or ("json", "md", "html")))
    from sgmverify.report import write_reports
    from sgmverify.run import load_figures

    figures = load_figures(Path(args.results).parent)
    paths = write_reports(results, out, formats=formats, meta={"source": str(args.results)}, figures=figures)
    for fmt, p in paths.items():
        print(f"{fmt}: {p}")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from sgmverify.run import compare_results

    cmp = compare_results(
        load_any(args.baseline), load_any(args.new), ratio_rtol=args.ratio_rtol, missing_ok=args.allow_missing
    )
    print(cmp.to_text())
    return 0 if cmp.ok else 1


def _parse_value(key: str, text: str) -> float:
    try:
        return float(text)
    except ValueError:
        pass
    import sympy as sp

    try:
        return float(sp.sympify(text))
    except (sp.SympifyError, TypeError, ValueError, SyntaxError) as exc:
        raise UsageError(f"value of {key} must be a number (e.g. 0.5, 1e-3, pi/2), got {text!r}.") from exc


def cmd_bound(args: argparse.Namespace) -> int:
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


DEFAULT_CHECKS = ("log-concave", "moments")


def _load_mixture(path: str) -> Any:
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


# ---------------------------------------------------------------------------------------------- parser
def _positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}")
    return n


def _nonneg_float(text: str) -> float:
    try:
        x = float(text)
    except ValueError:
        x = -1.0
    if not x >= 0:
        raise argparse.ArgumentTypeError(f"must be a number >= 0, got {text!r}")
    return x


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``sgmverify``."""
    p = argparse.ArgumentParser(
        prog="sgmverify", description="Check the theory of score-based diffusion models."
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def suite_opt(sp: argparse.ArgumentParser) -> None:
        sp.add_argument(
            "--suite",
            action="append",
            metavar="PATH_OR_MODULE",
            help="a suite file, directory, module, package or suite name (repeatable; default: the "
            "proofs_checks package and the sgmverify.run._suites entry points)",
        )

    sp = sub.add_parser("list", help="list suites, theorems (with provenance) and assumptions")
    suite_opt(sp)
    sp.set_defaults(func=cmd_list)

    sp = sub.add_parser("run", help="run the checks, store results, write reports")
    suite_opt(sp)
    mode = sp.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="quick scenarios only (default)")
    mode.add_argument("--full", action="store_true", help="all scenarios")
    sp.add_argument(
        "--jobs", "-j", type=_positive_int, help="worker processes (default: CPU count; 1 = in-process)"
    )
    sp.add_argument("--dask", metavar="ADDRESS", help="run on a Dask scheduler at ADDRESS, or 'local'")
    sp.add_argument("--out", default="reports", metavar="DIR", help="output directory (default: reports/)")
    sp.add_argument("-k", metavar="FILTER", help="select checks: substrings of check ids with and/or/not/()")
    sp.add_argument(
        "--timeout", type=_nonneg_float, metavar="S", help="seconds per check (default 300; 0: none)"
    )
    sp.add_argument("--no-resume", action="store_true", help="run every check even if its result is stored")
    sp.add_argument("--no-progress", action="store_true", help="no progress bar or lines")
    sp.add_argument("--no-figures", action="store_true", help="do not make the suites' figures")
    sp.add_argument("--update-baseline", action="store_true",
                    help="copy this quick run's report.json to --baseline (deliberate only)")  # fmt: skip
    sp.add_argument("--baseline", default=str(DEFAULT_BASELINE), help=argparse.SUPPRESS)
    sp.set_defaults(func=cmd_run)

    sp = sub.add_parser("report", help="render reports from stored results")
    sp.add_argument("results", help="a results.jsonl or report.json")
    sp.add_argument(
        "--format",
        action="append",
        choices=["json", "md", "html", "png"],
        help="repeatable (default: json, md, html)",
    )
    sp.add_argument("--out", metavar="DIR", help="output directory (default: next to RESULTS)")
    sp.set_defaults(func=cmd_report)

    sp = sub.add_parser("compare", help="compare a run against a baseline (exit 1 on regressions)")
    sp.add_argument("baseline", help="baseline report.json or results.jsonl")
    sp.add_argument("new", help="new report.json or results.jsonl")
    sp.add_argument("--ratio-rtol", type=_nonneg_float, default=0.05, help="allowed relative ratio drift")
    sp.add_argument("--allow-missing", action="store_true", help="do not fail on checks missing from NEW")
    sp.set_defaults(func=cmd_compare)

    sp = sub.add_parser("bound", help="show a theorem's bound and evaluate it")
    suite_opt(sp)
    sp.add_argument("theorem", help="theorem id")
    sp.add_argument("values", nargs="*", metavar="NAME=VALUE", help="parameter values")
    sp.add_argument("--scenario", help="take parameter values from this scenario")
    sp.set_defaults(func=cmd_bound)

    sp = sub.add_parser(
        "assumptions",
        help="run a theorem's assumption checkers, or check a density / mixture",
        description="THEOREM_ID [--scenario]: a theorem's checkers on its scenarios.  --density EXPR or "
        "--mixture SPEC.json: check assumptions of a distribution.  Exit status 1 if a check FAILS, 0 "
        "otherwise (UNKNOWN is printed but exits 0), 2 on usage errors (bad expression, missing --m/--L).",
    )
    suite_opt(sp)
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
    from sgmverify.run import register_cli as _register_falsify

    _register_falsify(sub)
    return p


#: Options whose value is a formula that may start with "-" (argparse would read it as an option).
_EXPRESSION_OPTIONS = ("--density",)


def _glue_expression_values(argv: list[str]) -> list[str]:
    """``--density -x**4/4`` -> ``--density=-x**4/4`` so a log-density may start with a minus sign."""
    out: list[str] = []
    i = 0
    while i < len(argv):
        a = argv[i]
        nxt = argv[i + 1] if i + 1 < len(argv) else None
        if a in _EXPRESSION_OPTIONS and nxt is not None and nxt.startswith("-") and not nxt.startswith("--"):
            out.append(f"{a}={nxt}")
            i += 2
            continue
        out.append(a)
        i += 1
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``sgmverify`` command; returns the exit status."""
    parser = build_parser()
    argv = _glue_expression_values(sys.argv[1:] if argv is None else list(argv))
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        return exc.code if isinstance(exc.code, int) else 2
    try:
        return int(args.func(args))
    except (UsageError, UnknownNameError, InvalidParameterError) as exc:
        _err(str(exc))
        return 2
    except (StoreError, OSError) as exc:
        _err(f"{exc} (results already stored are kept)" if not isinstance(exc, StoreError) else str(exc))
        return 1
    except ImportError as exc:
        _err(f"{exc}; is sgmverify fully installed?")
        return 1
    except SgmverifyError as exc:
        _err(str(exc))
        return 1
    except KeyboardInterrupt:
        _err("interrupted; finished checks are stored, rerun to resume.")
        return 130


if __name__ == "__main__":
    sys.exit(main())
