"""Per-theorem figures (matplotlib, Agg canvas; no pyplot, no global backend switch).

At most one figure per theorem:

* **one swept parameter** (``Result.sweep`` names it, else the single numeric parameter that varies):
  measured value (CI error bars; exact values as plain markers, coloured by verdict) and the bound along
  the parameter, on log axes when everything is positive; and the tightness ratio measured/bound.
  Other varying parameters split the points into series.
* **one swept parameter, an equality or rate claim**: measured − bound (CI error bars) with the
  tolerance band ``atol + rtol·|bound|`` in grey, and the deviation in units of the tolerance (a ratio
  measured/bound near 1 says nothing about an equality).
* **two swept parameters**: a verdict map (a coloured grid over the two parameters, each cell labelled
  with its ratio) and, when ratios exist, a ratio heat map.

Theorems with a single scenario, or a sweep over three or more parameters, get no figure.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sgmverify.theory import Result, Verdict

__all__ = ["VERDICT_COLORS", "Plot", "plot_theorem", "sweep_params"]

#: Colours of verdicts in plots (and in the HTML badges).
VERDICT_COLORS: dict[str, str] = {
    "HOLDS": "#2e7d32",
    "VIOLATED": "#c62828",
    "INCONCLUSIVE": "#f9a825",
    "ASSUMPTIONS_FAIL": "#78909c",
    "ERROR": "#6a1b9a",
}
_SEVERITY = ["HOLDS", "ASSUMPTIONS_FAIL", "INCONCLUSIVE", "VIOLATED", "ERROR"]
_MARKERS = ["o", "s", "^", "D", "v", "P", "X", "<", ">"]
_RC = {"font.size": 9, "axes.grid": True, "grid.alpha": 0.3, "axes.titlesize": 10, "legend.fontsize": 7}


@dataclass(frozen=True)
class Plot:
    """A rendered figure: PNG bytes, its kind (``"sweep"``, ``"equality"`` or ``"verdict_map"``) and swept
    parameters."""

    png: bytes
    kind: str
    params: tuple[str, ...]


def _number(v: Any) -> float | None:
    if isinstance(v, bool) or not isinstance(v, int | float):
        return None
    v = float(v)
    return v if math.isfinite(v) else None


def _finite(v: Any) -> float | None:
    return v if isinstance(v, float | int) and math.isfinite(v) else None


def _verdict(r: Result) -> str:
    return r.verdict.value if isinstance(r.verdict, Verdict) else str(r.verdict)


def _varying_numeric(results: Sequence[Result], name: str) -> bool:
    vals = [_number(r.params.get(name)) for r in results]
    return all(v is not None for v in vals) and len(set(vals)) > 1


def sweep_params(results: Sequence[Result]) -> list[str]:
    """The parameters a theorem's scenarios sweep.

    The names declared in ``Result.sweep`` (in order) that are numeric in every scenario and take more
    than one value; if none are declared, every numeric parameter that varies.
    """
    declared: list[str] = []
    for r in results:
        for name in r.sweep:
            if name not in declared:
                declared.append(name)
    if declared:
        return [p for p in declared if _varying_numeric(results, p)]
    names: list[str] = []
    for r in results:
        for name in r.params:
            if name not in names:
                names.append(name)
    return [p for p in names if _varying_numeric(results, p)]


def _x(r: Result, param: str) -> float | None:
    return _number(r.params.get(param))


def _name_keys(results: Sequence[Result], param: str) -> list[str] | None:
    """Series labels from the scenario names, leaving out the part that encodes the swept value.

    Names such as ``VP-d1-t0.01`` split into tokens; a token position in one-to-one correspondence with
    the swept value (``t0.01`` <-> t) or constant across all names is dropped, the rest (``VP-d1``) is the
    label.  ``None`` when the names do not share one token layout.
    """
    tokens = [[t for t in re.split(r"[-_/,:;|\s]+", r.scenario) if t] for r in results]
    if not tokens or len({len(t) for t in tokens}) != 1:
        return None
    keep = []
    for pos in range(len(tokens[0])):
        pairs = {(t[pos], _x(r, param)) for t, r in zip(tokens, results)}
        toks = {a for a, _ in pairs}
        xs = {b for _, b in pairs}
        if len(toks) == 1 or len(toks) == len(pairs) == len(xs):
            continue
        keep.append(pos)
    return ["-".join(t[p] for p in keep) for t in tokens]


def _series(results: Sequence[Result], param: str) -> tuple[dict[str, list[Result]], bool]:
    """Split results into series along ``param``; return them and whether each has distinct x values.

    Series are told apart by the other parameters that vary; when that leaves two points at the same x in
    one series (scenarios differing in data or process, which are not parameters), by the scenario names.
    """
    others = []
    for r in results:
        for k in r.params:
            if k != param and k not in others and len({repr(x.params.get(k)) for x in results}) > 1:
                others.append(k)
    labels = [", ".join(f"{k}={_short(r.params.get(k))}" for k in others) for r in results]

    def distinct(lab: Sequence[str]) -> bool:
        seen = set()
        for lb, r in zip(lab, results):
            if (lb, _x(r, param)) in seen:
                return False
            seen.add((lb, _x(r, param)))
        return True

    if not distinct(labels):
        names = _name_keys(results, param)
        if names is not None:
            labels = [", ".join(x for x in (lb, nm) if x) for lb, nm in zip(labels, names)]
    out: dict[str, list[Result]] = {}
    for lb, r in zip(labels, results):
        out.setdefault(lb, []).append(r)
    return out, distinct(labels)


def _short(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.3g}"
    text = str(v)
    return text if len(text) <= 20 else text[:19] + "…"


def _use_log(values: Sequence[float]) -> bool:
    """Log axis when every value is positive and they span at least a factor 10."""
    vals = [v for v in values if v is not None and math.isfinite(v)]
    return bool(vals) and min(vals) > 0 and max(vals) / min(vals) >= 10


def _to_png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight", metadata={"Software": None})
    return buf.getvalue()


def _verdict_legend(ax: Any, verdicts: Sequence[str], below: bool = False) -> None:
    from matplotlib.patches import Patch

    handles = [Patch(color=VERDICT_COLORS.get(v, "#999999"), label=v) for v in _SEVERITY if v in verdicts]
    if not handles:
        return
    if below:  # outside the axes, so it hides no cell
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=len(handles))
    else:
        ax.legend(handles=handles, loc="best", title="verdict", title_fontsize=7)


def _plot_sweep(results: Sequence[Result], param: str, title: str) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.ticker import NullLocator

    fig = Figure(figsize=(10, 3.8))
    FigureCanvasAgg(fig)
    ax_val, ax_ratio = fig.subplots(1, 2)
    series, connect = _series(results, param)
    handles = [
        Line2D([], [], color="0.45", lw=1.5, label="bound (line, colour of its series)"),
        Line2D([], [], color="0.45", marker="o", mfc=VERDICT_COLORS["HOLDS"], mec="0.45", ls="none",
               label="measured ± CI (fill: verdict)"),
    ]  # fmt: skip
    all_x, val_y, ratio_y = [], [], []
    for i, (label, rs) in enumerate(series.items()):
        rs = sorted(rs, key=lambda r: _x(r, param) or 0.0)
        color = f"C{i % 10}"
        marker = _MARKERS[i % len(_MARKERS)]
        bx = [(_x(r, param), _finite(r.bound_value)) for r in rs]
        bx = [(x, b) for x, b in bx if b is not None]
        if bx:
            style = {"ls": "-", "lw": 1.5} if connect else {"ls": "none", "marker": "_", "ms": 14, "mew": 2}
            ax_val.plot(*zip(*bx), color=color, **style)
            val_y += [b for _, b in bx]
        if label and i < 8:
            handles.append(Line2D([], [], color=color, marker=marker, mfc=color, label=label))
        elif label and i == 8:
            handles.append(Line2D([], [], ls="none", label=f"… {len(series) - 8} more series"))
        for r in rs:
            x = _x(r, param)
            all_x.append(x)
            vcol = VERDICT_COLORS.get(_verdict(r), "#999999")
            m = r.measured
            if m is None or _finite(m.value) is None:
                ax_val.axvline(x, color=vcol, alpha=0.35, lw=1, ls=":")
                continue
            lo, hi = (m.value, m.value) if m.exact else (m.ci_low, m.ci_high)
            has_ci = not m.exact and math.isfinite(lo) and math.isfinite(hi)
            if has_ci:
                ax_val.errorbar(x, m.value, yerr=[[m.value - lo], [hi - m.value]], fmt="none", ecolor=color)
                val_y += [lo, hi]
            ax_val.plot(x, m.value, marker, mfc=vcol, mec=color, ms=6, ls="none")
            val_y.append(m.value)
            b = _finite(r.bound_value)
            if b is not None and b != 0:
                ratio = m.value / b
                if has_ci:
                    rl, rh = sorted((lo / b, hi / b))
                    ax_ratio.errorbar(x, ratio, yerr=[[ratio - rl], [rh - ratio]], fmt="none", ecolor=color)
                    ratio_y += [rl, rh]
                ax_ratio.plot(x, ratio, marker, mfc=vcol, mec=color, ms=6, ls="none")
                ratio_y.append(ratio)
    ax_ratio.axhline(1.0, color="black", ls="--", lw=1)
    xs = sorted({x for x in all_x if x is not None})
    for ax in (ax_val, ax_ratio):
        ax.set_xlabel(param)
        if _use_log(xs):
            ax.set_xscale("log")
        if len(xs) <= 12:  # label the swept values themselves
            ax.set_xticks(xs, [f"{x:.3g}" for x in xs])
            ax.xaxis.set_minor_locator(NullLocator())
    _y_axis(ax_val, val_y)
    _y_axis(ax_ratio, [*ratio_y, 1.0])
    ax_val.set_ylabel(_quantity(results))
    ax_val.set_title("measured (CI) vs bound")
    ax_val.legend(handles=handles, loc="best")
    ax_ratio.set_ylabel("measured / bound")
    ax_ratio.set_title("tightness ratio (dashed: 1)")
    _verdict_legend(ax_ratio, {_verdict(r) for r in results})
    fig.suptitle(title, fontsize=10)
    return _to_png(fig)


def _quantity(results: Sequence[Result], limit: int = 48) -> str:
    """The measured quantity's name (``Bound.quantity``), shortened for an axis label."""
    from sgmverify.report.view import pretty_tex

    q = pretty_tex(str((results[0].bound or {}).get("quantity", "") or "measured value"))
    return q if len(q) <= limit else q[: limit - 1] + "…"


def _tolerance(r: Result) -> float | None:
    """The equality tolerance of a result: ``atol + rtol·|bound|`` (``None`` without a finite bound)."""
    b = _finite(r.bound_value)
    if b is None:
        return None
    bound = r.bound or {}
    return float(bound.get("atol", 0.0) or 0.0) + float(bound.get("rtol", 0.0) or 0.0) * abs(b)


def _plot_equality(results: Sequence[Result], param: str, title: str) -> bytes:
    """An equality (or rate) claim along ``param``: measured − bound with its CI, and the tolerance band."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    fig = Figure(figsize=(10, 3.8))
    FigureCanvasAgg(fig)
    ax, ax_rel = fig.subplots(1, 2)
    band = []
    for i, (label, rs) in enumerate(_series(results, param)[0].items()):
        color = f"C{i % 10}"
        for r in sorted(rs, key=lambda r: _x(r, param) or 0.0):
            x, b, m, tol = _x(r, param), _finite(r.bound_value), r.measured, _tolerance(r)
            if x is None or b is None or m is None or _finite(m.value) is None:
                continue
            vcol = VERDICT_COLORS.get(_verdict(r), "#999999")
            d = m.value - b
            lo, hi = (d, d) if m.exact or not math.isfinite(m.ci_low) else (m.ci_low - b, m.ci_high - b)
            ax.errorbar(x, d, yerr=[[max(d - lo, 0)], [max(hi - d, 0)]], fmt="o", mfc=vcol, mec=color,
                        ecolor=color, label=label if label and r is rs[0] else None)  # fmt: skip
            if tol is not None:
                band.append((x, tol))
                if tol > 0:
                    ax_rel.plot(x, d / tol, "o", mfc=vcol, mec=color)
    if band:
        band.sort()
        xs, ts = zip(*band)
        ax.fill_between(xs, [-t for t in ts], ts, color="0.85", step="mid", label="tolerance band")
    ax.axhline(0.0, color="black", lw=1)
    for bound in (-1.0, 1.0):
        ax_rel.axhline(bound, color="black", ls="--", lw=1)
    xs_all = sorted({_x(r, param) for r in results if _x(r, param) is not None})
    for a in (ax, ax_rel):
        a.set_xlabel(param)
        if _use_log(xs_all):
            a.set_xscale("log")
    ax.set_ylabel(f"measured − bound ({_quantity(results, 30)})")
    ax.set_title("deviation from the claimed value (grey: tolerance)")
    handles, _labels = ax.get_legend_handles_labels()
    verdicts = [v for v in _SEVERITY if v in {_verdict(r) for r in results}]
    handles += [Patch(color=VERDICT_COLORS[v], label=v) for v in verdicts]
    ax.legend(handles=handles, loc="best")
    ax_rel.set_ylabel("(measured − bound) / tolerance")
    ax_rel.set_title("in units of the tolerance (dashed: ±1)")
    fig.suptitle(title, fontsize=10)
    return _to_png(fig)


def _y_axis(ax: Any, values: Sequence[float]) -> None:
    """Log scale over a decade or more; otherwise linear, without offset notation, at least ±5% tall."""
    vals = [v for v in values if v is not None and math.isfinite(v)]
    if _use_log(vals):
        ax.set_yscale("log")
        return
    ax.ticklabel_format(axis="y", useOffset=False, style="plain")
    if vals:
        lo, hi = min(vals), max(vals)
        mid, half = (lo + hi) / 2, max((hi - lo) / 2 * 1.1, 0.05 * abs((lo + hi) / 2), 1e-12)
        ax.set_ylim(mid - half, mid + half)


def _plot_verdict_map(results: Sequence[Result], px: str, py: str, title: str) -> bytes:
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.colors import ListedColormap, LogNorm, Normalize
    from matplotlib.figure import Figure

    xs = sorted({_number(r.params[px]) for r in results})
    ys = sorted({_number(r.params[py]) for r in results})
    cells: dict[tuple[int, int], list[Result]] = {}
    for r in results:
        cells.setdefault((ys.index(_number(r.params[py])), xs.index(_number(r.params[px]))), []).append(r)
    grid = np.full((len(ys), len(xs)), np.nan)
    ratios = np.full((len(ys), len(xs)), np.nan)
    for (j, i), rs in cells.items():
        grid[j, i] = max(_SEVERITY.index(_verdict(r)) if _verdict(r) in _SEVERITY else 4 for r in rs)
        rr = [r.ratio for r in rs if _finite(r.ratio) is not None]
        if rr:
            ratios[j, i] = max(rr)
    has_ratio = bool(np.isfinite(ratios).any())
    fig = Figure(figsize=(10 if has_ratio else 5.5, 4.2))
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, 2 if has_ratio else 1, squeeze=False)[0]
    cmap = ListedColormap([VERDICT_COLORS[v] for v in _SEVERITY]).with_extremes(bad="#eeeeee")
    ax = axes[0]
    ax.imshow(np.ma.masked_invalid(grid), origin="lower", aspect="auto", cmap=cmap, vmin=-0.5, vmax=4.5)
    annotate = len(xs) * len(ys) <= 144
    for (j, i), rs in cells.items():
        if annotate:
            text = f"{ratios[j, i]:.3g}" if math.isfinite(ratios[j, i]) else _verdict(rs[0])[:5]
            ax.text(i, j, text, ha="center", va="center", fontsize=9, color="white", fontweight="bold")
    if has_ratio:
        pos = ratios[np.isfinite(ratios)]
        if _use_log(pos.tolist()):
            norm = LogNorm(vmin=float(pos.min()), vmax=float(max(pos.max(), pos.min() * 1.0001)))
        else:
            norm = Normalize(vmin=float(pos.min()), vmax=float(max(pos.max(), pos.min() + 1e-12)))
        im = axes[1].imshow(
            np.ma.masked_invalid(ratios), origin="lower", aspect="auto", cmap="viridis", norm=norm
        )
        fig.colorbar(im, ax=axes[1], label="measured / bound")
        axes[1].set_title("tightness ratio")
    for a in axes:
        a.grid(False)
        a.set_xticks(range(len(xs)), [f"{v:.3g}" for v in xs], rotation=45 if len(xs) > 6 else 0)
        a.set_yticks(range(len(ys)), [f"{v:.3g}" for v in ys])
        a.set_xlabel(px)
        a.set_ylabel(py)
    ax.set_title("verdict map (cells: ratio)")
    _verdict_legend(ax, {_verdict(r) for r in results}, below=True)
    fig.suptitle(title, fontsize=10)
    return _to_png(fig)


def plot_theorem(results: Sequence[Result], title: str = "") -> Plot | None:
    """The figure of one theorem's results, or ``None`` when there is nothing to plot.

    Parameters
    ----------
    results : sequence of Result
        The results of one theorem (one per scenario).
    title : str
        Figure title.

    Returns
    -------
    Plot or None
        ``None`` for fewer than two scenarios, no swept numeric parameter, or three or more.
    """
    if len(results) < 2:
        return None
    swept = sweep_params(results)
    import matplotlib

    with matplotlib.rc_context(_RC):
        if len(swept) == 1:
            if str((results[0].bound or {}).get("direction", "")) in ("equal", "rate"):
                return Plot(_plot_equality(results, swept[0], title), "equality", tuple(swept))
            return Plot(_plot_sweep(results, swept[0], title), "sweep", tuple(swept))
        if len(swept) == 2:
            return Plot(_plot_verdict_map(results, swept[0], swept[1], title), "verdict_map", tuple(swept))
    return None
