"""Figures of the threshold method (matplotlib; each takes ``ax`` and returns it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.dates as mdates
import numpy as np
import pandas as pd

from irtgap.core import dims as D
from irtgap.plotting.style import GROUP_COLORS, SIDE_COLORS, new_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def plot_points(points: pd.DataFrame, trend: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Accepted gaps over time (colour: benchmark, marker: access) with smoothed trends.

    Markers: circle public, square private, triangle unknown access (never drawn as private).

    Parameters
    ----------
    points : pandas.DataFrame
        ``points`` of :class:`~irtgap.methods.threshold.ThresholdResult` (the accepted ones are
        drawn).
    trend : pandas.DataFrame
        Its ``trend``: ``date, group, gap, lower, upper``.
    ax : matplotlib.axes.Axes, optional
        Where to draw (a new figure by default).

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.
    """
    import matplotlib.pyplot as plt

    ax = new_axes(ax, (11, 6))
    pts = points[points["accepted"]]
    benches = sorted(pts[D.BENCHMARK].unique())
    cmap = plt.get_cmap("tab20")
    for i, b in enumerate(benches):
        sub = pts[pts[D.BENCHMARK] == b]
        access = set(sub["access"])
        marker = "o" if access == {"public"} else "s" if access == {"private"} else "^"
        ax.scatter(
            sub["date"],
            sub["gap_months"],
            s=18,
            alpha=0.6,
            color=cmap(i % 20),
            marker=marker,
            label=b,
        )
    for g, t in trend.groupby(D.GROUP, sort=False):
        color = GROUP_COLORS.get(str(g), "k")
        ax.fill_between(t[D.DATE], t["lower"], t["upper"], color=color, alpha=0.15, lw=0)
        ax.plot(t[D.DATE], t["gap"], color=color, lw=2.5, label=f"trend: {g}")
    ax.axhline(0, color="k", lw=0.8)
    ax.set_ylabel("months behind (open date - closed date)")
    ax.set_title(
        "Threshold method: gaps closed by open models (circles public, squares private, "
        "triangles access unknown)"
    )
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncols=1, frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))
    return ax


def plot_benchmark(
    points: pd.DataFrame,
    pending: pd.DataFrame,
    benchmark: str,
    *,
    last_date: pd.Timestamp | None = None,
    ax: Axes | None = None,
) -> Axes:
    """One row per threshold: closed and open first crossers, the gap bar labelled in months,
    rejected rows greyed, pending thresholds as dashed arrows to the data's last date.

    Parameters
    ----------
    points, pending : pandas.DataFrame
        ``points`` and ``pending`` of :class:`~irtgap.methods.threshold.ThresholdResult`.
    benchmark : str
        The benchmark drawn.
    last_date : pandas.Timestamp, optional
        Where the pending arrows end (default: the benchmark's last open crossing).
    ax : matplotlib.axes.Axes, optional
        Where to draw (a new figure by default, as tall as the thresholds need).

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.

    Raises
    ------
    ValueError
        The benchmark has no threshold datapoint.
    """
    pts = points[points[D.BENCHMARK] == benchmark].sort_values("threshold")
    pend = pending
    pend = pend[pend[D.BENCHMARK] == benchmark] if len(pend) else pend
    if pts.empty and len(pend) == 0:
        raise ValueError(f"no threshold datapoints for benchmark {benchmark!r}")
    ax = new_axes(ax, (11, 0.42 * (len(pts) + len(pend)) + 2))
    last = last_date if last_date is not None else pts["open_date"].max()
    labels = []
    for y, (_, p) in enumerate(pts.iterrows()):
        grey = not p["accepted"]
        cc = "0.7" if grey else SIDE_COLORS[D.CLOSED]
        oc = "0.7" if grey else SIDE_COLORS[D.OPEN]
        ax.plot(
            [p["closed_date"], p["open_date"]],
            [y, y],
            color="0.6" if grey else "0.3",
            lw=3,
            alpha=0.5,
        )
        ax.plot(p["closed_date"], y, "o", color=cc, ms=7)
        ax.plot(p["open_date"], y, "D", color=oc, ms=6)
        mid = p["closed_date"] + (p["open_date"] - p["closed_date"]) / 2
        ax.annotate(
            f"{p['gap_months']:.1f} mo",
            (mid, y),
            xytext=(0, 4),
            textcoords="offset points",
            ha="center",
            fontsize=7,
            color="0.5" if grey else "k",
        )
        labels.append(f"≥{p['threshold']:g}: {p['closed_model'][:22]} → {p['open_model'][:22]}")
    y0 = len(pts)
    for k, (_, p) in enumerate(pend.sort_values("threshold").iterrows() if len(pend) else []):
        y = y0 + k
        color = SIDE_COLORS[p["leader"]]
        ax.annotate(
            "",
            xy=(last, y),
            xytext=(p["date"], y),
            arrowprops=dict(arrowstyle="->", ls="--", color=color),
        )
        ax.plot(p["date"], y, "o" if p["leader"] == D.CLOSED else "D", color=color, ms=6)
        other = "open" if p["leader"] == D.CLOSED else "closed"
        labels.append(
            f"≥{p['threshold']:g}: {p['model'][:22]}, {other} pending {p['months_pending']:.1f} mo"
        )
    ax.set_yticks(np.arange(len(labels)), labels, fontsize=7)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    ax.grid(alpha=0.3, axis="x")
    ax.set_title(
        f"{benchmark}: first closed (●) and first open (◆) model at each threshold (grey: rejected)"
    )
    ax.set_xlim(right=pd.Timestamp(last) + pd.Timedelta(days=20))
    return ax
