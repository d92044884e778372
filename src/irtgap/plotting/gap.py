"""The shared gap figure: median and band per group of a gap table, for every method."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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
    open_ends: bool = False,
) -> Axes:
    """Median and interval band per group of a shared gap table (see
    :func:`~irtgap.core.gaps.summarize_gap`).

    Dates where the table is NaN (outside the data, or too few defined draws) are left blank.

    Parameters
    ----------
    table : pandas.DataFrame
        A gap table (columns ``date, group, median, lower, upper``).
    ax : matplotlib.axes.Axes, optional
        Where to draw (a new figure by default).
    title : str, optional
        The title.
    label_prefix : str
        Put before each group's legend label.
    open_ends : bool
        Whether the table comes from draws that can be censored
        (:attr:`irtgap.results.GapResult.censored_draws`): then an interval end that is NaN
        beside a median is open (it fell among censored draws: a gap shorter or longer than any
        the data can measure) and the band runs, hatched, to the edge of the axes. Otherwise a
        missing end means no interval and is left blank.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.
    """
    ax = new_axes(ax)
    groups = table[D.GROUP].unique() if D.GROUP in table else ["all"]
    parts = [table[table[D.GROUP] == g] if D.GROUP in table else table for g in groups]
    for g, t in zip(groups, parts, strict=True):
        color = GROUP_COLORS.get(str(g))
        ax.fill_between(t[D.DATE], t["lower"], t["upper"], alpha=0.18, color=color, lw=0)
        ax.plot(t[D.DATE], t["median"], color=color, lw=2, label=f"{label_prefix}{g}")
    ax.axhline(0, color="k", lw=0.8)
    if open_ends:
        _open_bands(ax, groups, parts)
    ax.set_ylabel("months behind the closed frontier")
    ax.set_title(title or "Gap over time")
    ax.legend(frameon=False, loc="upper left")
    date_axis(ax)
    return ax


def _open_bands(ax: Axes, groups: Any, parts: list[pd.DataFrame]) -> None:
    """Hatched bands from a median's finite end to the axes' edge where the other end is open."""
    y0, y1 = ax.get_ylim()
    shown = False
    for g, t in zip(groups, parts, strict=True):
        has = t["median"].notna()
        open_lo, open_hi = has & t["lower"].isna(), has & t["upper"].isna()
        if not (open_lo | open_hi).any():
            continue
        lo = t["lower"].where(~open_lo, y0).where(has)
        hi = t["upper"].where(~open_hi, y1).where(has)
        ax.fill_between(
            t[D.DATE],
            lo.to_numpy(float),
            hi.to_numpy(float),
            where=(open_lo | open_hi).to_numpy(),
            facecolor="none",
            edgecolor=GROUP_COLORS.get(str(g), "0.5"),
            hatch="///",
            alpha=0.35,
            lw=0,
            label=None if shown else "open band: beyond what the data can measure",
        )
        shown = True
    ax.set_ylim(y0, y1)
