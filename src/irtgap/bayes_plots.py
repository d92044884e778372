"""Figures for gap tables and the Bayesian fit (matplotlib; each takes ``ax`` and returns it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.dates as mdates
import numpy as np
import pandas as pd

from irtgap import _dims as D

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from irtgap.gapfit import GapFit
    from irtgap.winners_curse import ThresholdBias

#: Colours shared by the figures: the two sides and the gap groups (``all`` is the threshold
#: method's mix of public and private crossings; ``capability`` the Bayesian latent gap).
SIDE_COLORS = {D.CLOSED: "#1f4e8c", D.OPEN: "#d9541e"}
GROUP_COLORS = {
    "all": "#333333",
    "capability": "#333333",
    "public": "#2a9d8f",
    "private": "#8e44ad",
}


def _axes(ax: Axes | None, figsize: tuple[float, float] = (9, 5)) -> Axes:
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _date_axis(ax: Axes) -> None:
    ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=(1, 7)))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    ax.grid(alpha=0.3)


def plot_gap_table(
    table: pd.DataFrame,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    label_prefix: str = "",
) -> Axes:
    """Median and interval band per group of a shared gap table (see :func:`summarize_gap`).

    Dates where the table is NaN (outside the data, or too few defined draws) are left blank.
    """
    ax = _axes(ax)
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
    _date_axis(ax)
    return ax


def plot_frontier(
    fit: GapFit, *, ax: Axes | None = None, ci: float = 0.9, label_top: int = 6
) -> Axes:
    """Frontier bands per side with the posterior capability of every modelled model."""
    ax = _axes(ax, (10, 6))
    fr = fit.frontier(ci=ci)
    caps = fit.capabilities(ci=ci)
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
    ax.set_ylabel(f"latent capability (logits of {fit.design.anchor_benchmark}, difficulty = 0)")
    ax.set_title(f"Frontiers and model capabilities (posterior median, {ci:.0%} bands)")
    ax.legend(frameon=False, loc="upper left", ncols=2)
    _date_axis(ax)
    return ax


def plot_terms(fit: GapFit, *, ax: Axes | None = None) -> Axes:
    """Posterior intervals of the named terms beside their prior sd."""
    ax = _axes(ax, (7, 3.5))
    terms = fit.terms().iloc[::-1]
    y = np.arange(len(terms))
    ax.hlines(y, terms["lower"], terms["upper"], color="#1f4e8c", lw=3)
    ax.plot(terms["mean"], y, "o", color="#1f4e8c")
    ax.set_yticks(y, terms.index)
    ax.axvline(0, color="k", lw=0.8)
    ax.set_xlabel("capability units (posterior mean, 90% interval)")
    ax.set_title("Effects in the Bayesian model")
    ax.grid(alpha=0.3, axis="x")
    return ax


def plot_threshold_bias(
    result: ThresholdBias,
    *,
    ax: Axes | None = None,
    groups: tuple[str, ...] = ("public", "private"),
) -> Axes:
    """Per group: threshold trend (dashed), debiased threshold gap (band) and the model's gap."""
    ax = _axes(ax)
    t = result.table
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
    ci = result.settings.get("ci", 0.9)
    n = result.settings.get("n_replications")
    ax.set_ylabel("months behind the closed frontier")
    ax.set_title(
        f"Threshold method: as measured, and minus its winner's-curse bias "
        f"({n} posterior replicates, {ci:.0%} band)"
    )
    ax.legend(frameon=False, loc="upper left", ncols=2, fontsize=8)
    _date_axis(ax)
    return ax
