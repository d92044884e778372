"""Figures of the gap by domain: small multiples over time, and a forest of benchmark offsets."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from irtgap.core import dims as D
from irtgap.plotting.style import GROUP_COLORS, date_axis, new_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: Colour of a domain's gap in its own panel (the shared gap is drawn in grey behind it).
DOMAIN_COLOR = "#1f4e8c"
#: One colour per domain where several share an Axes.
PALETTE = ("#1f4e8c", "#d9541e", "#2a9d8f", "#8e44ad", "#7f7f7f", "#b8860b", "#c2185b", "#333")


def plot_domain_gaps(
    table: pd.DataFrame,
    *,
    shared: pd.DataFrame | None = None,
    ax: Any = None,
    ncols: int = 3,
    ci_prob: float = 0.9,
) -> Any:
    """The gap of each domain over time (median and ``ci_prob`` band).

    Parameters
    ----------
    table : pandas.DataFrame
        A gap table with one group per domain (``GapFit.gap(by="domain")``).
    shared : pandas.DataFrame, optional
        A gap table of one group (e.g. the capability gap), drawn in grey for reference.
    ax : matplotlib.axes.Axes or sequence of Axes, optional
        None: small multiples in a new figure, one panel per domain on shared axes (a domain
        without numbers says so in its panel); a sequence of Axes (at least one per domain):
        the same panels there; one Axes: every domain in it, one colour each.
    ncols : int
        Panels per row of a new figure.
    ci_prob : float
        The bands' probability, for the labels.

    Returns
    -------
    numpy.ndarray or matplotlib.axes.Axes
        The panels' Axes (as given, or of the new figure), or the one Axes given.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"date": pd.to_datetime(["2025-01-01", "2025-06-01"] * 2),
    ...                   "group": ["math", "math", "agents", "agents"],
    ...                   "median": [3.0, 4.0, 8.0, 9.0], "lower": [1.0, 2.0, 6.0, 7.0],
    ...                   "upper": [5.0, 6.0, 10.0, 11.0]})
    >>> axes = plot_domain_gaps(t)
    >>> [ax.get_title() for ax in axes[:2]]
    ['agents', 'math']
    """
    groups = sorted(table[D.GROUP].astype(str).unique())
    if ax is not None and not isinstance(ax, Sequence | np.ndarray):
        return _overlay(table, groups, shared, ax)
    axes = ax
    if axes is None:
        import matplotlib.pyplot as plt

        nrows = max(1, int(np.ceil(len(groups) / ncols)))
        fig, grid = plt.subplots(
            nrows,
            ncols,
            figsize=(3.6 * ncols, 2.6 * nrows),
            sharex=True,
            sharey=True,
            layout="constrained",
            squeeze=False,
        )
        axes = grid.ravel()
        for ax in axes[len(groups) :]:
            ax.set_visible(False)
        fig.supylabel("open models behind (months)")
    axes = np.asarray(axes).ravel()
    for ax, g in zip(axes, groups, strict=False):
        sub = table[table[D.GROUP].astype(str) == g].sort_values(D.DATE)
        if shared is not None:
            ref = shared.sort_values(D.DATE)
            ax.plot(ref[D.DATE], ref["median"], color=GROUP_COLORS["capability"], alpha=0.35, lw=1)
        if sub["median"].notna().any():
            ax.fill_between(sub[D.DATE], sub["lower"], sub["upper"], color=DOMAIN_COLOR, alpha=0.2)
            ax.plot(sub[D.DATE], sub["median"], color=DOMAIN_COLOR, lw=1.8)
        else:
            ax.text(0.5, 0.5, "too little data", transform=ax.transAxes, ha="center", va="center")
        ax.axhline(0, color="black", lw=0.6)
        ax.set_title(g, fontsize=10)
        date_axis(ax)
        ax.tick_params(axis="x", labelsize=7, rotation=30)
    if len(axes):
        axes[0].annotate(
            f"median, {ci_prob:.0%} band" + ("; grey: shared" if shared is not None else ""),
            xy=(0.02, 0.96),
            xycoords="axes fraction",
            fontsize=7,
            va="top",
        )
    return axes


def _overlay(table: pd.DataFrame, groups: list[str], shared: pd.DataFrame | None, ax: Axes) -> Axes:
    """Every domain's median and band in one Axes."""
    if shared is not None:
        ref = shared.sort_values(D.DATE)
        ax.plot(ref[D.DATE], ref["median"], color="grey", lw=2, alpha=0.5, label="shared")
    for k, g in enumerate(groups):
        sub = table[table[D.GROUP].astype(str) == g].sort_values(D.DATE)
        color = PALETTE[k % len(PALETTE)]
        ax.fill_between(sub[D.DATE], sub["lower"], sub["upper"], color=color, alpha=0.12)
        ax.plot(sub[D.DATE], sub["median"], color=color, lw=1.6, label=g)
    ax.axhline(0, color="black", lw=0.6)
    ax.set_ylabel("open models behind (months)")
    date_axis(ax)
    ax.legend(fontsize=8)
    return ax


def plot_open_offsets(
    offsets: pd.DataFrame, *, ax: Axes | None = None, ci_prob: float = 0.9, months: bool = True
) -> Axes:
    """Forest plot: each benchmark's gap in months (``months``; else its open shift in
    capability units) with its ``ci_prob`` interval, grouped by domain.

    Each label gives the benchmark's access and how many open models were scored on it (with
    none, its offset is its domain's and the prior's, not a measurement). In months, benchmarks
    where open models do better than their capability predicts sit left (a shorter gap); in
    capability units, right.

    Parameters
    ----------
    offsets : pandas.DataFrame
        ``GapFit.open_offsets()``: per benchmark its domain, access, ``n_open``, the shift's
        ``median, lower, upper`` and the gap's ``gap_median, gap_lower, gap_upper``.
    ax : matplotlib.axes.Axes, optional
        Where to draw (a new figure by default, as tall as the benchmarks need).
    ci_prob : float
        The intervals' probability, for the label.
    months : bool
        Draw the gap in months (else the open shift in capability units).

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.
    """
    cols = ("gap_median", "gap_lower", "gap_upper") if months else ("median", "lower", "upper")
    t = offsets.sort_values([D.DOMAIN, cols[0]], ascending=[True, not months]).reset_index()
    ax = new_axes(ax, figsize=(8, max(3.0, 0.22 * len(t) + 1)))
    y = np.arange(len(t))[::-1]
    colors = {d: PALETTE[k % len(PALETTE)] for k, d in enumerate(sorted(t[D.DOMAIN].unique()))}
    for d, sub in t.groupby(D.DOMAIN, sort=True):
        yy = y[sub.index]
        ax.errorbar(
            sub[cols[0]],
            yy,
            xerr=[sub[cols[0]] - sub[cols[1]], sub[cols[2]] - sub[cols[0]]],
            fmt="o",
            ms=4,
            color=colors.get(str(d), "#333"),
            label=str(d),
            lw=1,
        )
    n_open = t["n_open"] if "n_open" in t else pd.Series(np.nan, index=t.index)
    labels = [
        f"{b} ({'pub' if a == 'public' else 'priv'}"
        + ("" if pd.isna(n) else f", {int(n)} open")
        + ")"
        for b, a, n in zip(t[D.BENCHMARK], t[D.ACCESS], n_open, strict=True)
    ]
    ax.set_yticks(y, labels, fontsize=7)
    ax.axvline(0, color="black", lw=0.6)
    when = offsets.attrs.get("date")
    if months:
        at = f" at {pd.Timestamp(when):%Y-%m-%d}" if when is not None else ""
        ax.set_xlabel(f"gap this benchmark shows{at} (months; median, {ci_prob:.0%} interval)")
    else:
        ax.set_xlabel("open shift on the benchmark (capability units; > 0: open models do better)")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(
        fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1), title="domain", title_fontsize=7
    )
    return ax
