"""``sgmverify model SOURCE``: check your own score network and write the usual report.

The network is loaded by :func:`sgmverify.nets.load_score_model`; the checks are the in-memory suite of
:func:`sgmverify.nets.model_suite` (relative score error and Lipschitz interval over t against the exact
score of ``--data``; for Gaussian data the coupling W2 bound evaluated with the measured score errors against
the network-driven EI sampler's W2), run by the normal runner into ``<out>/results.jsonl``, then figures and
``report.json`` / ``report.md`` / ``report.html``.

``--process NAME[:k=v,...]``: a preset of :mod:`sgmverify.sde` (``vp`` = VP(0.1, 20), ``subvp`` =
SubVP(0.1, 20), ``ve`` = VE(0.01, 50), ``cosine`` = Cosine(0.008), ``ou``), parameters overriding
the defaults, e.g. ``vp:beta_min=0.1,beta_max=20``.

``--data SPEC``: ``std-normal[:d=D]`` (N(0, I)); ``gaussian:d=D,mean=M,var=V`` (N(M·1, V·I));
``gaussian:FILE.json`` with ``{"mean": [...], "cov": [[...]]}``; ``mixture:FILE.json`` (or a bare
``FILE.json``) with ``{"weights", "means", "covs"}`` as for ``sgmverify assumptions --mixture``;
``density:EXPR[@A,B]`` (a 1-D unnormalised log-density in ``x`` on ``[A, B]``, default ``[-10, 10]``).

Exit status: 0 when every check ran (whatever the verdicts: they describe the model), 1 when a check or a
figure ended in ERROR, 2 on bad input (unknown process, unreadable data spec, a model that cannot be
loaded: missing file, not TorchScript, wrong output shape, NaN outputs, ...).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from ._common import UsageError, _positive_int

#: Choices of --parameterization / --time-input (the same as sgmverify.nets.PARAMETERIZATIONS / TIME_INPUTS,
#: repeated here so that ``sgmverify --help`` does not import torch; a test keeps them equal).
PARAMETERIZATIONS = ("score", "eps", "x0", "v", "edm")
TIME_INPUTS = ("t", "sigma", "log_sigma_over_4", "index", "concat")

PROCESS_DEFAULTS: dict[str, dict[str, float]] = {
    "vp": {"beta_min": 0.1, "beta_max": 20.0},
    "subvp": {"beta_min": 0.1, "beta_max": 20.0},
    "ve": {"sigma_min": 0.01, "sigma_max": 50.0},
    "cosine": {"s": 0.008},
    "ou": {},
}


def _kv(text: str, what: str) -> dict[str, str]:
    out = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        k, sep, v = part.partition("=")
        if not sep or not k.strip():
            raise UsageError(f"bad {what} {text!r}: write key=value pairs separated by commas.")
        out[k.strip()] = v.strip()
    return out


def _num(v: str, what: str) -> float:
    try:
        return float(v)
    except ValueError:
        raise UsageError(f"{what}: {v!r} is not a number.") from None


def parse_process(spec: str) -> Any:
    """``NAME[:k=v,...]`` -> a preset process (defaults in :data:`PROCESS_DEFAULTS`)."""
    from sgmverify.sde import get_process

    name, _, rest = spec.partition(":")
    key = name.lower().replace("-", "").replace("_", "")
    params: dict[str, Any] = dict(PROCESS_DEFAULTS.get(key, {}))
    params.update({k: _num(v, f"--process {spec}") for k, v in _kv(rest, "--process parameters").items()})
    return get_process(name, **params)


def _read_json(path: str) -> dict:
    try:
        spec = json.loads(Path(path).read_text())
    except OSError as exc:
        raise UsageError(f"cannot read the data spec {path}: {exc.strerror or exc}.") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"the data spec {path} is not JSON: {exc}.") from exc
    if not isinstance(spec, dict):
        raise UsageError(f"the data spec {path} must be a JSON object.")
    return spec


def parse_data(spec: str, dim: int | None) -> Any:
    """A data law from ``--data SPEC`` (see the module docstring)."""
    import numpy as np

    from sgmverify.laws import Density1D, Gaussian, GaussianMixture

    kind, sep, rest = spec.partition(":")
    kind = kind.lower()
    if not sep and kind.endswith(".json"):
        kind, rest = "mixture", spec
    if kind in ("std-normal", "gaussian") and not rest.endswith(".json"):
        kv = _kv(rest, f"--data {spec}")
        unknown = set(kv) - ({"d"} if kind == "std-normal" else {"d", "mean", "var"})
        if unknown:
            raise UsageError(f"--data {spec}: unknown key(s) {sorted(unknown)}.")
        d = int(_num(kv["d"], "d")) if "d" in kv else dim
        if d is None or d < 1:
            raise UsageError(f"--data {spec}: give the dimension (d=D in the spec, or --dim).")
        mean, var = _num(kv.get("mean", "0"), "mean"), _num(kv.get("var", "1"), "var")
        return Gaussian(np.full(d, mean), var * np.eye(d))
    if kind == "gaussian":
        js = _read_json(rest)
        if "mean" not in js or "cov" not in js:
            raise UsageError(f"the Gaussian spec {rest} needs keys 'mean' and 'cov'.")
        return Gaussian(js["mean"], js["cov"])
    if kind == "mixture":
        js = _read_json(rest)
        try:
            return GaussianMixture(js["weights"], js["means"], js["covs"])
        except (KeyError, TypeError) as exc:
            raise UsageError(
                f"bad mixture spec {rest} ({type(exc).__name__}: {exc}); write JSON "
                '{"weights": [...], "means": [[...], ...], "covs": [[[...]], ...]}.'
            ) from exc
    if kind == "density":
        expr, _, support = rest.partition("@")
        lo, hi = (-10.0, 10.0) if not support else (_num(s, "support") for s in support.split(","))
        return Density1D(expr, (lo, hi))
    raise UsageError(
        f"unknown --data {spec!r}; use std-normal[:d=D], gaussian:d=D,mean=M,var=V, gaussian:FILE.json, "
        "mixture:FILE.json or density:EXPR[@A,B]."
    )


# ------------------------------------------------------------------------------------------ figures
def _figures(box: list, gaussian: bool) -> list:
    """Figures made from the results in ``box`` (filled after the checks ran)."""
    from sgmverify.run import FigureOutput, FigureSpec

    def rows(theorem_suffix: str) -> list:
        return [r for r in box if r.theorem_id.endswith(theorem_suffix) and r.measured is not None]

    def score_error(mode: str, rng: Any) -> Any:
        import matplotlib.pyplot as plt

        rs = sorted(rows(".score_error"), key=lambda r: r.params["t"])
        t = [r.params["t"] for r in rs]
        fig, ax = plt.subplots(figsize=(5, 3.4))
        ax.plot(t, [r.measured.value for r in rs], "o-", label="measured")
        ax.fill_between(t, [r.measured.ci_low for r in rs], [r.measured.ci_high for r in rs], alpha=0.3,
                        label="95% CI")  # fmt: skip
        if rs:
            ax.axhline(rs[0].bound_value, color="k", ls="--", label="tolerance")
        ax.set(xscale="log", yscale="symlog", xlabel="t", ylabel="relative score error")
        ax.legend()
        table = [{"t": r.params["t"], "value": r.measured.value, "ci_low": r.measured.ci_low,
                  "ci_high": r.measured.ci_high, "verdict": r.verdict.value} for r in rs]  # fmt: skip
        return FigureOutput(fig, table, "E|s_theta - grad log p_t|^2 / E|grad log p_t|^2 over t.")

    def lipschitz(mode: str, rng: Any) -> Any:
        import matplotlib.pyplot as plt

        rs = sorted(rows(".lipschitz"), key=lambda r: r.params["t"])
        t = [r.params["t"] for r in rs]
        fig, ax = plt.subplots(figsize=(5, 3.4))
        ax.plot(t, [r.measured.value for r in rs], "o-", label="network: lower end (max Jacobian norm)")
        ax.plot(t, [r.bound_params.get("L_exact", float("nan")) for r in rs], "s--", label="exact score")
        ax.set(xscale="log", yscale="log", xlabel="t", ylabel="Lip(score(., t))")
        ax.legend()
        table = [{"t": r.params["t"], "lower": r.measured.ci_low, "upper": r.measured.ci_high,
                  "exact": r.bound_params.get("L_exact"), "verdict": r.verdict.value}
                 for r in rs]  # fmt: skip
        return FigureOutput(fig, table, "Lipschitz interval of the network vs the exact score's constant.")

    def w2(mode: str, rng: Any) -> Any:
        import matplotlib.pyplot as plt

        rs = sorted(rows(".coupling_w2"), key=lambda r: r.params["K"])
        K = [r.params["K"] for r in rs]
        ex = [r.measured.extra or {} for r in rs]
        m_lo = [e.get("measured_ci_low", r.measured.ci_low) for e, r in zip(ex, rs, strict=True)]
        b_lo = [e.get("bound_low", r.bound_value) for e, r in zip(ex, rs, strict=True)]
        b_hi = [e.get("bound_high", r.bound_value) for e, r in zip(ex, rs, strict=True)]
        fig, ax = plt.subplots(figsize=(5, 3.4))
        ax.errorbar(K, [r.measured.value for r in rs],
                    yerr=[[max(r.measured.value - lo, 0) for r, lo in zip(rs, m_lo, strict=True)],
                          [max(r.measured.ci_high - r.measured.value, 0) for r in rs]],
                    fmt="o", label="measured W2 (95% CI)")  # fmt: skip
        ax.plot(K, b_lo, "s--", label="predicted (coupling bound)")
        ax.fill_between(K, b_lo, b_hi, alpha=0.3, label="bound's Monte Carlo band")
        ax.plot(K, [r.bound_params.get("w2_exact") for r in rs], "^:", label="exact-score sampler")
        ax.set(xscale="log", yscale="log", xlabel="steps K", ylabel="W2 to the data")
        ax.legend()
        table = [{"K": r.params["K"], "measured": r.measured.value, "ci_low": lo,
                  "ci_high": r.measured.ci_high, "bound_low": bl, "bound_high": bh,
                  "w2_exact": r.bound_params.get("w2_exact"), "verdict": r.verdict.value}
                 for r, lo, bl, bh in zip(rs, m_lo, b_lo, b_hi, strict=True)]  # fmt: skip
        return FigureOutput(
            fig,
            table,
            "Network-driven EI sampler: predicted vs measured W2 (the bound's "
            "band: its value from the lower / upper CI ends of the measured score errors).",
        )

    specs = [
        FigureSpec("model.score_error_vs_t", "Score error vs t (95% CI band)", score_error),
        FigureSpec("model.lipschitz_profile", "Lipschitz profile", lipschitz),
    ]
    if gaussian:  # the coupling W2 checks exist for Gaussian data only
        specs.append(FigureSpec("model.w2_predicted_vs_measured", "Predicted vs measured W2", w2))
    return specs


# ------------------------------------------------------------------------------------------ command
def cmd_model(args: argparse.Namespace) -> int:
    """``sgmverify model``: load, check, report."""
    import torch

    from sgmverify.nets import ModelSampling, load_score_model, model_suite, torch_threads
    from sgmverify.report import write_reports
    from sgmverify.run import ResultsStore, render_figures, run_checks, versions

    from ._run import summary_table

    t0 = time.perf_counter()
    process = parse_process(args.process)
    data = parse_data(args.data, args.dim)
    dim = args.dim if args.dim is not None else int(data.dim)
    dtypes = {"float32": torch.float32, "float64": torch.float64, "float16": torch.float16,
              "bfloat16": torch.bfloat16}  # fmt: skip
    times = [_num(t, "--times") for t in args.times.split(",")]
    steps = [int(_num(k, "--steps")) for k in args.steps.split(",")]
    with torch_threads(args.threads):
        model = load_score_model(
            args.source, args.parameterization, process, dim=dim, device=args.device,
            dtype=dtypes[args.dtype], time_input=args.time_input, weights=args.weights,
            num_steps=args.num_steps, T=args.T, v_convention=args.v_convention,
        )  # fmt: skip
        T = min(args.T, 0.999 * process.t_max)  # the cosine schedule's t_max is 1
        sampling = ModelSampling("ei", T, max(steps), args.t_min, args.samples)
        suite = model_suite(model, data, times=times, rel_tol=args.rel_tol, lip_slack=args.lip_slack,
                            n=args.n, sampling=sampling, steps=steps)  # fmt: skip
        box: list = []
        if not args.no_figures:
            suite.figures = _figures(box, any(t.id.endswith(".coupling_w2") for t in suite.theorems))
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        store = ResultsStore(out / "results.jsonl")
        outcome = run_checks([suite], jobs=1, store=store, progress=False, timeout=None)
        box.extend(outcome.results)
        figures = render_figures([suite], "quick", timeout=None, progress=False) if suite.figures else []
    results = outcome.results
    print(f"model: {model!r}")
    print(summary_table(results))
    for r in results:
        print(f"{r.verdict.value:<16} {r.check_id}: {r.reason}")
    meta = {
        "mode": "quick", "command": "model", "versions": versions(), "elapsed_s": outcome.elapsed_s,
        "model": {"source": model.info.get("source"), "fingerprint": model.info.get("fingerprint"),
                  "parameterization": args.parameterization, "time_input": model.parameterization.time_input,
                  "process": repr(process), "data": args.data, "dim": dim, "device": str(model.device)},
        "suites": [{"name": suite.name, "title": suite.title, "source": suite.source,
                    "reference": suite.reference}],
    }  # fmt: skip
    paths = write_reports(results, out, meta=meta, figures=figures)
    print("reports: " + ", ".join(str(p) for p in paths.values()))
    print(f"{len(results)} checks in {time.perf_counter() - t0:.1f} s")
    errors = [r for r in results if r.verdict.value == "ERROR"] + [f for f in figures if f.error]
    return 1 if errors else 0


def register_model(sub: Any) -> None:
    """Add ``model`` to ``sub`` (from ``ArgumentParser.add_subparsers``)."""
    sp = sub.add_parser(
        "model",
        help="check your own score network (docs/own_model.md)",
        description="Load a score network and check the theory's hypotheses and bounds on it.",
    )
    sp.add_argument("source", help="TorchScript file, FILE.py:factory or package.module:factory")
    sp.add_argument("--parameterization", "-p", required=True, choices=PARAMETERIZATIONS)
    sp.add_argument("--process", required=True, help="NAME[:k=v,...], e.g. vp or ve:sigma_max=80")
    sp.add_argument(
        "--data", required=True, help="std-normal[:d=D], gaussian:..., mixture:FILE.json, density:EXPR"
    )
    sp.add_argument("--out", default="reports/model", metavar="DIR", help="output directory")
    sp.add_argument("--dim", type=_positive_int, help="data dimension (default: from --data)")
    sp.add_argument("--weights", help="state-dict file loaded into the factory's module")
    sp.add_argument(
        "--time-input", choices=TIME_INPUTS, help="what the network gets as time (default t; edm: sigma)"
    )
    sp.add_argument("--num-steps", type=_positive_int, help="time_input=index: N discrete steps at T(i+1)/N")
    sp.add_argument("--v-convention", default="vp", choices=["vp", "general"])
    sp.add_argument("--device", default="cpu", help="cpu (default), cuda, cuda:N or auto")
    sp.add_argument("--dtype", default="float32", choices=["float32", "float64", "float16", "bfloat16"])
    sp.add_argument("--times", default="0.001,0.01,0.1,0.5", help="comma-separated times of the checks")
    sp.add_argument("--steps", default="10,25,50", help="EI step counts of the W2 checks (Gaussian data)")
    sp.add_argument("--T", type=float, default=1.0, help="sampler start time (default 1)")
    sp.add_argument("--t-min", type=float, default=1e-3, help="sampler end time (default 1e-3)")
    sp.add_argument("--samples", type=_positive_int, default=4000, help="sampler draws (default 4000)")
    sp.add_argument("--n", type=_positive_int, default=2048, help="points per score-error/Lipschitz check")
    sp.add_argument("--rel-tol", type=float, default=0.05, help="relative score-error tolerance (0.05)")
    sp.add_argument("--lip-slack", type=float, default=0.1, help="Lipschitz slack over the exact constant")
    sp.add_argument("--threads", type=_positive_int, default=1, help="torch threads (default 1)")
    sp.add_argument("--no-figures", action="store_true", help="do not make figures")
    sp.set_defaults(func=cmd_model)
