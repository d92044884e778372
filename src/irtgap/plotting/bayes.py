"""Figures of the Bayesian fit: frontiers, terms, the threshold method's bias (each takes
``ax`` and returns it; inputs are the fit's tables, so this layer never imports a method)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from irtgap.core import dims as D
from irtgap.plotting.style import GROUP_COLORS, SIDE_COLORS, date_axis, new_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def plot_frontier(
    frontier: pd.DataFrame,
    capabilities: pd.DataFrame,
    *,
    ax: Axes | None = None,
    ci_prob: float = 0.9,
    anchor: str = "the anchor benchmark",
    label_top: int = 6,
) -> Axes:
    """Frontier bands per side with each model's posterior capability.

    Parameters
    ----------
    frontier : pandas.DataFrame
        Columns ``date, weights, median, lower, upper``.
    capabilities : pandas.DataFrame
        One row per model (index: its name), columns ``date, weights, provider, mean, lower,
        upper``; the first-party ones are drawn, the first ``label_top`` of each side named.
    ax : matplotlib.axes.Axes, optional
        Where to draw (a new figure by default).
    ci_prob : float
        The bands' probability, for the title.
    anchor : str
        The benchmark that fixes the scale, for the y label.
    label_top : int
        Models named per side.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.
    """
    ax = new_axes(ax, (10, 6))
    fr = frontier
    caps = capabilities
    caps = caps[caps[D.PROVIDER] == D.FIRST_PARTY]
    for side in D.SIDES:
        color = SIDE_COLORS[side]
        c = caps[caps[D.WEIGHTS] == side]
        ax.errorbar(
            c[D.DATE],
            c["mean"],
            yerr=[c["mean"] - c["lower"], c["upper"] - c["mean"]],
            fmt="o",
            ms=3,
            color=color,
            alpha=0.35,
            elinewidth=0.6,
            label=f"{side} models",
        )
        f = fr[fr[D.WEIGHTS] == side]
        ax.fill_between(f[D.DATE], f["lower"], f["upper"], color=color, alpha=0.25, lw=0)
        ax.plot(f[D.DATE], f["median"], color=color, lw=2.2, label=f"{side} frontier")
        for name, row in c.head(label_top).iterrows():
            ax.annotate(
                str(name)[:28],
                (row[D.DATE], row["mean"]),
                xytext=(4, 3),
                textcoords="offset points",
                fontsize=7,
                color=color,
            )
    lo = np.nanpercentile(caps["mean"], 5)
    ax.set_ylim(bottom=lo)
    ax.set_xlim(fr[D.DATE].min(), fr[D.DATE].max())
    ax.set_ylabel(f"latent capability (logits of {anchor}, difficulty = 0)")
    ax.set_title(f"Frontiers and model capabilities (posterior median, {ci_prob:.0%} bands)")
    ax.legend(frameon=False, loc="upper left", ncols=2)
    date_axis(ax)
    return ax


def plot_terms(terms: pd.DataFrame, *, ax: Axes | None = None, ci_prob: float = 0.9) -> Axes:
    """Posterior intervals of the named terms.

    Parameters
    ----------
    terms : pandas.DataFrame
        One row per term (index: its name), columns ``mean, lower, upper``.
    ax : matplotlib.axes.Axes, optional
        Where to draw (a new figure by default).
    ci_prob : float
        The intervals' probability, for the label.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.
    """
    ax = new_axes(ax, (7, 3.5))
    terms = terms.iloc[::-1]
    y = np.arange(len(terms))
    ax.hlines(y, terms["lower"], terms["upper"], color="#1f4e8c", lw=3)
    ax.plot(terms["mean"], y, "o", color="#1f4e8c")
    ax.set_yticks(y, terms.index)
    ax.axvline(0, color="k", lw=0.8)
    ax.set_xlabel(f"capability units (posterior mean, {ci_prob:.0%} interval)")
    ax.set_title("Effects in the Bayesian model")
    ax.grid(alpha=0.3, axis="x")
    return ax


def plot_threshold_bias(
    table: pd.DataFrame,
    *,
    ax: Axes | None = None,
    groups: tuple[str, ...] = ("public", "private"),
    ci_prob: float = 0.9,
    n_replications: int | None = None,
) -> Axes:
    """Per group: threshold trend (dashed), debiased threshold gap (band) and the model's gap.

    Parameters
    ----------
    table : pandas.DataFrame
        The table of :class:`~irtgap.analyses.winners_curse.ThresholdBias` (columns ``date,
        group, threshold, debiased, debiased_lower, debiased_upper, model_gap``).
    ax : matplotlib.axes.Axes, optional
        Where to draw (a new figure by default).
    groups : tuple of str
        The groups drawn (a group without a threshold trend is skipped).
    ci_prob : float
        The bands' probability, for the title.
    n_replications : int, optional
        Replicates behind the bias, for the title.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.
    """
    ax = new_axes(ax)
    t = table
    for g in groups:
        s = t[t[D.GROUP] == g].dropna(subset=["threshold"])
        if s.empty:
            continue
        color = GROUP_COLORS.get(g)
        ax.plot(s[D.DATE], s["threshold"], "--", color=color, lw=1.5, label=f"threshold, {g}")
        ax.fill_between(
            s[D.DATE], s["debiased_lower"], s["debiased_upper"], color=color, alpha=0.18, lw=0
        )
        ax.plot(s[D.DATE], s["debiased"], color=color, lw=2, label=f"debiased threshold, {g}")
        ax.plot(s[D.DATE], s["model_gap"], ":", color=color, lw=1.5, label=f"Bayesian model, {g}")
    ax.axhline(0, color="k", lw=0.8)
    ax.set_ylabel("months behind the closed frontier")
    ax.set_title(
        f"Threshold method: as measured, and minus its winner's-curse bias "
        f"({n_replications} posterior replicates, {ci_prob:.0%} band)"
    )
    ax.legend(frameon=False, loc="upper left", ncols=2, fontsize=8)
    date_axis(ax)
    return ax
