"""``sgmverify run · report · compare``: run the checks and write reports, re-render stored results,
compare a run with a baseline.

``run`` exits 1 when a check is not as expected (:attr:`Result.as_expected
<sgmverify.theory.Result.as_expected>`), a suite failed to import or a figure failed; ``compare`` exits 1
on a regression (a verdict flip, or a tightness ratio measured/bound drifting by more than
``--ratio-rtol``, relative).  Unreadable input (a corrupt, truncated, binary or empty store, report or
baseline; one holding no results) exits 2 and writes nothing.

``run`` holds the lock of its results store (``<out>/results.jsonl.lock``) from reading the store to the
last report: a second ``run`` on the same ``--out`` says once that it waits, waits, then reuses the first
run's results (it resumes) instead of running every check again.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sgmverify.errors import StoreError

from ._common import (
    UsageError,
    _discover,
    _err,
    _nonneg_float,
    _positive_int,
    _suite_opt,
    load_any,
    summarised_store_warnings,
)

if TYPE_CHECKING:
    from sgmverify.errors import SuiteError
    from sgmverify.run import ResultsStore
    from sgmverify.theory import Result, Suite

DEFAULT_BASELINE = Path("reports") / "baseline.json"


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


def provenance_table(results: Sequence[Result]) -> str:
    """Per provenance tag (verified, derived, ...): claims by verdict, negative controls; then the banner
    saying in words what kind of statements were checked."""
    from sgmverify.report.summary import summarize
    from sgmverify.report.view import banner_text

    summary = summarize(results)
    cols = ["holds", "violated", "inconcl.", "assum.fail", "error", "controls"]
    keys = ["HOLDS", "VIOLATED", "INCONCLUSIVE", "ASSUMPTIONS_FAIL", "ERROR", "controls"]
    prov = summary["overall"]["provenance"]
    width = max(len(k) for k in [*prov, "provenance"])
    head = f"{'provenance':<{width}}  " + "  ".join(cols)
    lines = [head, "-" * len(head)]
    for name, counts in prov.items():
        cells = "  ".join(f"{counts.get(k, 0):>{len(c)}}" for k, c in zip(keys, cols))
        lines.append(f"{name:<{width}}  {cells}")
    overall = summary["overall"]
    notes = []
    if overall["holds_unverified"]:
        notes.append(f"{overall['holds_unverified']} HOLDS with an unverified assumption (counted in holds)")
    if overall["loose"]:
        notes.append(f"{overall['loose']} loose (ratio < 0.01: cannot detect an error smaller than x100)")
    if summary["by_design"]:
        n = len(summary["by_design"])
        notes.append(f"{n} claims outside their hypotheses or not derivable (by design)")
    lines += notes
    lines.append(banner_text(summary))
    return "\n".join(lines)


def _use_colour(stream: Any = None) -> bool:
    """Colour only on a terminal, and never when ``NO_COLOR`` is set (https://no-color.org)."""
    stream = stream or sys.stdout
    return not os.environ.get("NO_COLOR") and hasattr(stream, "isatty") and stream.isatty()


_STYLES = {
    "holds": "green",
    "violated": "bold red",
    "inconcl.": "yellow",
    "assum.fail": "bright_black",
    "error": "bold magenta",
    "neg.detected": "green",
    "neg.missed": "bold red",
    "controls": "cyan",
}


def print_summary(results: Sequence[Result]) -> None:
    """Print :func:`summary_table` and :func:`provenance_table`, coloured with rich on a terminal."""
    plain = summary_table(results) + "\n\n" + provenance_table(results)
    if not _use_colour():
        print(plain)
        return
    from rich.console import Console
    from rich.text import Text

    console = Console(highlight=False)
    for block in plain.split("\n\n"):
        lines = block.splitlines()
        header = lines[0].split()
        for k, line in enumerate(lines):
            text = Text(line)
            if k > 1 and line and not line.startswith("-") and len(line.split()) == len(header):
                pos = 0
                for name, token in zip(header, line.split()):
                    start = line.index(token, pos)
                    pos = start + len(token)
                    if name in _STYLES and token != "0":
                        text.stylize(_STYLES[name], start, pos)
            elif k == 0:
                text.stylize("bold")
            elif line.startswith("None of") or "verified statement" in line:
                text.stylize("bold yellow")
            console.print(text)
        console.print()


def cmd_run(args: argparse.Namespace) -> int:
    """``sgmverify run``: run the selected checks, store the results, make figures, write the reports."""
    from sgmverify.run import ResultsStore, compile_filter

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
    suites, errors = _discover(args.suite, args.k)  # with -k: imports only the matching suites
    with store.lock(on_wait=_say_waiting):  # one run per store; the lock is re-entered by run_checks
        return _run_locked(args, suites, errors, store, mode, t0)


def _say_waiting(lock_path: Path) -> None:
    print(
        f"sgmverify: another run holds {lock_path}; waiting for it to finish, then its results are reused "
        "(Ctrl-C to stop) ...",
        file=sys.stderr,
        flush=True,
    )


def _run_locked(
    args: argparse.Namespace,
    suites: list[Suite],
    errors: list[SuiteError],
    store: ResultsStore,
    mode: str,
    t0: float,
) -> int:
    """``run`` under the store's lock: the checks, figures, reports and the baseline."""
    from sgmverify.run import DEFAULT_TIMEOUT, compile_filter, dask_executor, run_checks, versions

    out = Path(args.out)
    timeout = DEFAULT_TIMEOUT if args.timeout is None else args.timeout
    kw: dict[str, Any] = dict(
        mode=mode, store=store, filter=args.k, timeout=timeout or None,
        progress=not args.no_progress, resume=not args.no_resume,
    )  # fmt: skip
    with summarised_store_warnings("a check whose only record was there runs again"):
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
    t_fig = time.perf_counter()
    if not args.no_figures:
        from sgmverify.run import render_figures

        figures = render_figures(
            suites, mode, timeout=timeout or None, progress=not args.no_progress,
            select=compile_filter(args.k) if args.k else None, reuse=None if args.no_resume else out,
        )  # fmt: skip
    figures_s = time.perf_counter() - t_fig
    print_summary(results)
    bad = [r for r in results if not r.as_expected]
    for r in bad:
        print(f"NOT AS EXPECTED  {r.check_id}: {r.verdict.value} — {r.reason}")
    total_s = time.perf_counter() - t0
    checks_cpu = sum(float(r.timings.get("total_s", 0.0) or 0.0) for r in results)
    print(
        f"{len(results)} checks ({outcome.n_run} run, {len(outcome.skipped)} reused from {store.path}) "
        f"in {total_s:.1f} s: checks {outcome.elapsed_s:.1f} s wall ({checks_cpu:.1f} s summed over the "
        f"checks), figures {figures_s:.1f} s, rest (discovery, store) "
        f"{total_s - outcome.elapsed_s - figures_s:.1f} s"
    )
    meta = {
        "mode": mode, "filter": args.k, "versions": versions(), "elapsed_s": outcome.elapsed_s,
        "figures_s": figures_s, "total_s": total_s,
        "n_run": outcome.n_run, "n_reused": len(outcome.skipped), "store": str(store.path),
        "suites": [{"name": s.name, "title": s.title, "source": s.source, "reference": s.reference}
                   for s in suites],
        "suite_errors": [str(e) for e in errors],
    }  # fmt: skip
    from sgmverify.report import write_reports

    t_rep = time.perf_counter()
    paths = write_reports(results, out, meta=meta, figures=figures)
    for f in figures:
        if f.error:
            print(f"FIGURE FAILED  {f.id}: {f.error}")
    print("reports: " + ", ".join(str(p) for p in paths.values()))
    now = time.perf_counter()
    print(f"reports written in {now - t_rep:.1f} s; whole command {now - t0:.1f} s")
    if args.update_baseline:
        from sgmverify.report.atomic import atomic_write_bytes, ensure_dir

        src = Path(paths.get("json", out / "report.json"))
        dest = Path(args.baseline)
        ensure_dir(dest.parent)
        try:
            data = src.read_bytes()
        except OSError as exc:
            raise StoreError(f"could not read the new report {src}: {exc.strerror or exc}.") from exc
        atomic_write_bytes(dest, data)  # the old baseline stays whole if this fails
        print(f"baseline updated: {dest}" + (f" (with {len(bad)} checks not as expected)" if bad else ""))
    return 1 if bad or errors or any(f.error for f in figures) else 0


def cmd_report(args: argparse.Namespace) -> int:
    """``sgmverify report``: render reports (and the stored figures) from a results file.

    Unreadable input or a file holding no results exits 2 before any report file is touched.
    """
    if Path(args.results).is_dir():
        d = Path(args.results)
        raise UsageError(
            f"{d} is a directory; pass the results file in it, e.g. `sgmverify report {d / 'results.jsonl'}`."
        )
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
    """``sgmverify compare``: print the comparison of NEW with BASELINE; exit 1 on a regression."""
    from sgmverify.run import compare_results

    baseline = load_any(args.baseline, role="baseline")  # unreadable or empty: exit 2, never "OK"
    new = load_any(args.new, role="new run")
    cmp = compare_results(baseline, new, ratio_rtol=args.ratio_rtol, missing_ok=args.allow_missing)
    print(cmp.to_text())
    return 0 if cmp.ok else 1


def register_run_commands(sub: Any) -> None:
    """Add ``run``, ``report`` and ``compare`` to ``sub`` (from ``ArgumentParser.add_subparsers``)."""
    sp = sub.add_parser("run", help="run the checks, store results, write reports")
    _suite_opt(sp)
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
        choices=["json", "md", "html", "png", "latex"],
        help="repeatable (default: json, md, html); latex: report.tex, booktabs verdict tables per suite",
    )
    sp.add_argument("--out", metavar="DIR", help="output directory (default: next to RESULTS)")
    sp.set_defaults(func=cmd_report)

    sp = sub.add_parser("compare", help="compare a run against a baseline (exit 1 on regressions)")
    sp.add_argument("baseline", help="baseline report.json or results.jsonl")
    sp.add_argument("new", help="new report.json or results.jsonl")
    sp.add_argument("--ratio-rtol", type=_nonneg_float, default=0.05, help="allowed relative ratio drift")
    sp.add_argument("--allow-missing", action="store_true", help="do not fail on checks missing from NEW")
    sp.set_defaults(func=cmd_compare)
