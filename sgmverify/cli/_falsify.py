"""``sgmverify falsify``: search a theorem's scenario space for its worst case (a counterexample).

The search itself is :func:`sgmverify.run.falsify` (badness score: measured/bound for an upper bound,
bound/measured for a lower bound, |measured - bound|/tol otherwise; > 1 is beyond the bound).  Exit status
1 if a claim was found VIOLATED or a negative control was not, 0 otherwise, 2 on usage errors.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ._common import UsageError, _discover, _load_theorem, _positive_int, _suite_opt

if TYPE_CHECKING:
    from sgmverify.run import FalsifyOutcome
    from sgmverify.theory import Suite

#: The search methods of :func:`sgmverify.run.falsify` (kept here so that ``--help`` imports no numpy).
METHODS = ("de", "random")


def register_cli(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``falsify`` command to ``subparsers`` (from ``ArgumentParser.add_subparsers``)."""
    sp = subparsers.add_parser(
        "falsify", help="search a theorem's scenario space for a counterexample (its worst case)"
    )
    _suite_opt(sp)
    sp.add_argument("theorem", nargs="?", help="theorem id (it must declare a search space)")
    sp.add_argument(
        "--all",
        action="store_true",
        help="search every theorem with a search space in the discovered suites (one line each)",
    )
    sp.add_argument(
        "--budget", type=_positive_int, default=200, help="maximum number of checks (default 200)"
    )
    sp.add_argument("--method", choices=list(METHODS), default="de", help="de (default) or random")
    sp.add_argument("--seed", type=int, default=0, help="optimiser seed (default 0)")
    sp.add_argument("--json", action="store_true", help="print the outcome as JSON")
    sp.set_defaults(func=cmd_falsify)
    return sp


def cmd_falsify(args: argparse.Namespace) -> int:
    """``sgmverify falsify``: exit 1 if a claim was found VIOLATED or a negative control was not."""
    from sgmverify.run import falsify

    every = getattr(args, "all", False)
    if every == bool(getattr(args, "theorem", None)):
        raise UsageError("give exactly one of a THEOREM_ID and --all.")
    kw = {
        "budget": getattr(args, "budget", 200),
        "seed": getattr(args, "seed", 0),
        "method": getattr(args, "method", "de"),
    }
    if every:
        suites, _errors = _discover(getattr(args, "suite", None))
        return _falsify_all(suites, kw, getattr(args, "json", False))
    theorem = _load_theorem(getattr(args, "suite", None), args.theorem)  # imports only its suite
    out = falsify(theorem, **kw)
    if getattr(args, "json", False):
        print(json.dumps(out.to_dict(), indent=2, default=str))
    else:
        _print_outcome(out)
    return 0 if out.as_expected else 1


def _falsify_all(suites: Sequence[Suite], kw: dict[str, Any], as_json: bool) -> int:
    """``falsify --all``: :func:`~sgmverify.run.falsify_suite` on every suite; exit 1 if any outcome is
    not as expected."""
    from sgmverify.run import falsify_suite

    outs = {tid: out for s in suites for tid, out in falsify_suite(s, **kw).items()}
    if as_json:
        print(json.dumps({tid: o.to_dict() for tid, o in outs.items()}, indent=2, default=str))
    else:
        for tid, o in outs.items():
            kind = "negative control" if o.expect == "violated" else "claim"
            verdict = o.worst.verdict.value if o.worst is not None else "-"
            ok = "as expected" if o.as_expected else "NOT as expected"
            tag = "OK " if o.as_expected else "BAD"
            print(f"{tag} {tid} ({kind}): {verdict} after {o.evaluations} checks ({ok})")
        if not outs:
            print("no theorem with a search space in the selected suites")
    bad = sum(not o.as_expected for o in outs.values())
    if not as_json:
        print(f"{len(outs)} searched, {bad} not as expected")
    return 1 if bad else 0


def _print_outcome(out: FalsifyOutcome, file: Any = None) -> None:
    """The worst case of one search: scenario, parameters, measured/bound/ratio/score, verdict."""
    file = file or sys.stdout
    kind = "negative control" if out.expect == "violated" else "claim"
    print(f"{out.theorem_id} ({kind}, {out.method}, {out.evaluations} checks)", file=file)
    w = out.worst
    if w is None:
        print(f"  {out.message}", file=file)
        return
    print(f"  worst case : {w.scenario}", file=file)
    print(f"  params     : {json.dumps(w.params, default=str)}", file=file)
    meas = f"{w.measured.value:.6g}" if w.measured is not None else "-"
    bound = f"{w.bound_value:.6g}" if w.bound_value is not None else "-"
    ratio = f"{w.ratio:.6g}" if w.ratio is not None else "-"
    print(
        f"  measured   : {meas}   bound: {bound}   ratio: {ratio}   score: {out.worst_score:.6g}", file=file
    )
    print(f"  verdict    : {w.verdict.value} — {w.reason}", file=file)
    status = "as expected" if out.as_expected else "NOT as expected"
    if out.expect == "violated":
        found = "found violated" if out.violated else "NOT found violated"
    else:
        found = "counterexample found" if out.violated else "no counterexample found"
    print(f"  result     : {found} ({status})", file=file)
