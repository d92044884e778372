"""The vintages of a backtest: each cutoff's gap curve drawn over the final one."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from irtgap.core import dims as D

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def plot_vintages(
    curves: pd.DataFrame, *, title: str = "", ax: Axes | None = None, ci_prob: float = 0.9
) -> Axes:
    """Each vintage's median gap over time (dashed past its data), over the final estimate.

    Parameters
    ----------
    curves : pandas.DataFrame
        Columns ``cutoff`` (NaT for the final estimate), ``date``, ``median``, ``lower``,
        ``upper``, ``projected``.
    title : str
        The title.
    ax : matplotlib.axes.Axes, optional
        Where to draw (a new figure otherwise).
    ci_prob : float
        The probability of the final estimate's band (for the legend).

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(9, 4.8))
    final = curves[curves["cutoff"].isna()].sort_values(D.DATE)
    vintages = curves[curves["cutoff"].notna()]
    cutoffs = sorted(vintages["cutoff"].unique())
    colours = plt.get_cmap("viridis")(np.linspace(0.0, 0.9, max(len(cutoffs), 1)))
    if not final.empty:
        ax.fill_between(
            final[D.DATE],
            final["lower"],
            final["upper"],
            color="0.85",
            label=f"final {ci_prob:.0%}",
        )
        ax.plot(final[D.DATE], final["median"], color="black", lw=2.2, label="final estimate")
    for colour, cutoff in zip(colours, cutoffs, strict=False):
        part = vintages[vintages["cutoff"] == cutoff].sort_values(D.DATE)
        label = f"as of {pd.Timestamp(cutoff).date()}"
        inside = part[~part["projected"].astype(bool)]
        ax.plot(inside[D.DATE], inside["median"], color=colour, lw=1.2, label=label)
        ahead = part[part["projected"].astype(bool)]
        if not ahead.empty:
            joined = pd.concat([inside.tail(1), ahead])
            ax.plot(joined[D.DATE], joined["median"], color=colour, lw=1.2, ls="--")
        ax.axvline(pd.Timestamp(cutoff), color=colour, lw=0.6, alpha=0.5)
    ax.axhline(0.0, color="0.5", lw=0.6)
    ax.set_ylabel("gap (months)")
    ax.set_title(title or "Real-time vintages of the gap (dashed: projection past the data)")
    ax.legend(fontsize=7, ncol=2, loc="upper left")
    return ax
