"""The shared gap figure: median and band per group of a gap table, for every method."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from irtgap.core import dims as D
from irtgap.plotting.style import GROUP_COLORS, date_axis, new_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def plot_gap_table(
    table: pd.DataFrame,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    label_prefix: str = "",
) -> Axes:
    """Median and interval band per group of a shared gap table (see
    :func:`~irtgap.core.gaps.summarize_gap`).

    Dates where the table is NaN (outside the data, or too few defined draws) are left blank.
    """
    ax = new_axes(ax)
    groups = table[D.GROUP].unique() if D.GROUP in table else ["all"]
    for g in groups:
        t = table[table[D.GROUP] == g] if D.GROUP in table else table
        color = GROUP_COLORS.get(str(g))
        ax.fill_between(t[D.DATE], t["lower"], t["upper"], alpha=0.18, color=color, lw=0)
        ax.plot(t[D.DATE], t["median"], color=color, lw=2, label=f"{label_prefix}{g}")
    ax.axhline(0, color="k", lw=0.8)
    ax.set_ylabel("months behind the closed frontier")
    ax.set_title(title or "Gap over time")
    ax.legend(frameon=False, loc="upper left")
    date_axis(ax)
    return ax
