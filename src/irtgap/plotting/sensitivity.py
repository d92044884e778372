"""Figure of a leave-one-benchmark-out table: how far each benchmark moves each method's gap."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from irtgap.plotting.style import METHOD_COLORS, new_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: Marker per method (colour from :data:`irtgap.plotting.style.METHOD_COLORS`).
METHOD_MARKERS = {"threshold": "o", "eci": "s", "elo": "D", "composite": "^", "bayesian": "P"}

_NEEDED = (
    "method",
    "left_out",
    "change",
    "used",
    "error",
    "baseline",
    "baseline_lower",
    "baseline_upper",
)


def plot_lobo(
    table: pd.DataFrame,
    *,
    ax: Axes | None = None,
    top: int | None = 20,
    title: str | None = None,
    band_label: str = "baseline interval (around its mean)",
) -> Axes:
    """A dot chart of leave-one-benchmark-out changes: one row per benchmark, one dot per method.

    Each method's dot sits at its change (months; right of the zero line: the gap is longer
    without the benchmark), over a light bar in its colour spanning the baseline's interval
    around the baseline's summary, so a dot outside its bar is a benchmark that moves the gap by
    more than the method's own uncertainty. No dot: the method does not read the benchmark (or
    has no gap on all the data at that date, said in the legend); "failed": the fit without it
    failed; "no gap": it ran but gave no number at that date.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per (method, left-out benchmark) at one date and one group per method, with
        columns ``method, left_out, change, used, error, baseline, baseline_lower,
        baseline_upper``: the change of a summary of the gap (months), and the baseline's
        summary and interval (a slice of :attr:`irtgap.analyses.sensitivity.LoboResult.table`,
        ``baseline`` being its ``baseline_mean`` or ``baseline_median``).
    ax : matplotlib.axes.Axes, optional
        Where to draw (a new figure by default).
    top : int or None
        Show the ``top`` benchmarks with the largest change of any method (None: all), plus any
        benchmark whose removal made a method fail; the x label says how far the others move.
    title, band_label : str
        The title, and the legend's label of the light bars.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.

    Raises
    ------
    ValueError
        The table lacks a column the chart needs.

    Examples
    --------
    >>> import pandas as pd
    >>> from irtgap.plotting.sensitivity import plot_lobo
    >>> t = pd.DataFrame({"method": ["elo", "elo"], "left_out": ["A", "B"],
    ...                   "change": [2.0, -0.5], "used": [True, True], "error": ["", ""],
    ...                   "baseline": 6.0, "baseline_lower": 4.0, "baseline_upper": 9.0})
    >>> [t.get_text() for t in plot_lobo(t).get_yticklabels()]
    ['A', 'B']
    """
    missing = [c for c in _NEEDED if c not in table.columns]
    if missing:
        raise ValueError(f"plot_lobo: the table has no column(s) {missing}")
    t = table.copy()
    t["left_out"] = t["left_out"].astype(str)
    methods = list(dict.fromkeys(t["method"].astype(str)))
    # a method without a baseline gap at this date has nothing to compare a change with
    blank = {m for m in methods if t.loc[t["method"] == m, "baseline"].isna().all()}
    t["used"] = t["used"] & ~t["method"].isin(blank)
    t["abs"] = t["change"].abs().where(t["used"])
    t["failed"] = t["used"] & (t["error"].astype(str) != "")
    rank = t.groupby("left_out")["abs"].max().fillna(-1.0)
    order = list(rank.sort_values(ascending=False, kind="stable").index)
    shown = order if top is None else order[: max(int(top), 0)]
    failed = set(t.loc[t["failed"], "left_out"])
    shown = [b for b in order if b in set(shown) | failed]
    hidden = [b for b in order if b not in set(shown)]

    n = len(shown)
    ax = new_axes(ax, (10, max(3.0, 1.2 + 0.42 * n)))
    offsets = np.linspace(-0.3, 0.3, len(methods)) if len(methods) > 1 else np.zeros(1)
    row = {b: i for i, b in enumerate(shown)}
    for i in range(1, n, 2):
        ax.axhspan(i - 0.5, i + 0.5, color="#f2f2f2", zorder=0, lw=0)
    for k, method in enumerate(methods):
        sub = t[(t["method"] == method) & t["left_out"].isin(row)]
        _dots(ax, sub, method, {b: y + offsets[k] for b, y in row.items()})
    ax.axvline(0, color="k", lw=0.9, zorder=2)
    ends = pd.concat(
        [
            t.loc[t["left_out"].isin(row), "abs"],
            (t["baseline_lower"] - t["baseline"]).abs(),
            (t["baseline_upper"] - t["baseline"]).abs(),
        ]
    )
    reach = float(np.nanmax(ends.to_numpy(float))) if np.isfinite(ends).any() else 1.0
    ax.set_xlim(-1.12 * max(reach, 0.5), 1.12 * max(reach, 0.5))
    ax.set_yticks(range(n), shown, fontsize=8)
    ax.set_ylim(n - 0.5, -0.5)
    ax.grid(axis="x", alpha=0.3)
    xlabel = "change of the gap (months) when the benchmark is left out"
    if hidden:
        rest = float(rank[hidden].max())
        xlabel += (
            f"\n{len(hidden)} other benchmark(s), not shown, move no method by more than "
            f"{max(rest, 0.0):.2g} months"
            if rest >= 0
            else f"\n{len(hidden)} other benchmark(s), not shown, give no number"
        )
    ax.set_xlabel(xlabel)
    ax.set_title(title or "Leave one benchmark out: change of the gap")
    _legend(ax, methods, band_label, blank)
    return ax


def _dots(ax: Axes, sub: pd.DataFrame, method: str, rows: dict[str, float]) -> None:
    """One method's dots (and baseline bars) at the heights ``rows`` of its benchmarks."""
    color = METHOD_COLORS.get(method, "#333333")
    for _, r in sub.iterrows():
        y = rows[r["left_out"]]
        if not r["used"]:
            continue
        lo = r["baseline_lower"] - r["baseline"]
        hi = r["baseline_upper"] - r["baseline"]
        if np.isfinite(lo) and np.isfinite(hi):
            ax.hlines(y, lo, hi, color=color, lw=5, alpha=0.22, zorder=1)
        if r["failed"] or not np.isfinite(r["change"]):
            text = "failed" if r["failed"] else "no gap"
            ax.text(0, y, f" {text}", color=color, fontsize=7, style="italic", va="center")
            continue
        ax.plot(
            r["change"],
            y,
            marker=METHOD_MARKERS.get(method, "o"),
            color=color,
            ms=6.5,
            mec="white",
            mew=0.6,
            ls="none",
            zorder=3,
        )


def _legend(ax: Axes, methods: list[str], band_label: str, blank: set[str]) -> None:
    from matplotlib.lines import Line2D

    handles = [
        Line2D(
            [],
            [],
            marker=METHOD_MARKERS.get(m, "o"),
            color=METHOD_COLORS.get(m, "#333333"),
            ls="none",
            ms=6.5,
            label=f"{m} (no gap on all the data here)" if m in blank else m,
        )
        for m in methods
    ]
    handles.append(Line2D([], [], color="#888888", lw=5, alpha=0.35, label=band_label))
    handles.append(Line2D([], [], ls="none", label="no dot: the method does not read it"))
    ax.legend(
        handles=handles,
        frameon=False,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize=8,
    )
