"""Figure of a capability scale (ECI-style, Elo-style, composite) over time."""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.dates as mdates
import numpy as np
import pandas as pd

from irtgap.core import dims as D
from irtgap.plotting.style import SIDE_COLORS, new_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def plot_capabilities(
    capabilities: pd.DataFrame,
    *,
    label: str,
    title: str,
    ax: Axes | None = None,
    label_top: int = 5,
) -> Axes:
    """Values over time, open and closed coloured, running frontiers, intervals.

    Parameters
    ----------
    capabilities : pandas.DataFrame
        A capability table (:data:`irtgap.results.CAPABILITY_COLUMNS`: one row per model with
        ``date, weights, estimate, lower, upper``).
    label, title : str
        The y axis's label (the scale's unit) and the title.
    ax : matplotlib.axes.Axes, optional
        Where to draw.
    label_top : int
        Name the best ``label_top`` models of each side.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.
    """
    ax = new_axes(ax, (10, 6))
    caps, v = capabilities, "estimate"
    for side in D.SIDES:
        c = caps[caps[D.WEIGHTS] == side].sort_values(D.DATE)
        color = SIDE_COLORS[side]
        err = np.vstack([c[v] - c["lower"], c["upper"] - c[v]]).clip(min=0)
        ax.errorbar(
            c[D.DATE],
            c[v],
            yerr=np.nan_to_num(err),
            fmt="o",
            ms=3.5,
            color=color,
            alpha=0.5,
            elinewidth=0.7,
            label=side,
        )
        ax.step(c[D.DATE], c[v].cummax(), where="post", color=color, lw=2, label=f"{side} frontier")
        for name, row in c.sort_values(v, ascending=False).head(label_top).iterrows():
            ax.annotate(
                str(name),
                (row[D.DATE], row[v]),
                xytext=(3, 3),
                textcoords="offset points",
                fontsize=7,
                color=color,
            )
    spread = np.nanpercentile(caps[v], [2, 100])
    pad = 0.08 * (spread[1] - spread[0])
    top = caps["upper"].max()  # NaN-skipping; NaN when there are no intervals
    ax.set_ylim(spread[0] - pad, (spread[1] if pd.isna(top) else max(spread[1], top)) + pad)
    ax.set_ylabel(label)
    ax.set_title(title)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    ax.grid(alpha=0.3)
    ax.legend(frameon=False, loc="upper left")
    return ax
