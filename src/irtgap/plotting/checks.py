"""Figures of the model checks: LOO-PIT and posterior predictive checks by group."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats

from irtgap.core import dims as D
from irtgap.plotting.style import SIDE_COLORS, new_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def plot_loo_pit(pit: pd.DataFrame, *, ax: Axes | None = None, band: float = 0.9) -> Axes:
    """ECDF of the LOO-PIT values minus the uniform CDF (all rows, and per side), with the
    simultaneous ``band`` envelope of a uniform sample of the same size (Kolmogorov-Smirnov).

    Inside the band: no evidence of miscalibration at that level. Above zero at small PIT
    values: too many scores below the predictions.

    Parameters
    ----------
    pit : pandas.DataFrame
        Columns ``pit`` and ``weights`` (a table of :func:`irtgap.methods.bayes.checks.loo_pit`).
    ax : matplotlib.axes.Axes, optional
        Where to draw (a new figure by default).
    band : float
        Probability of the simultaneous band.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.
    """
    ax = new_axes(ax, figsize=(8, 4.5))
    u = np.linspace(0, 1, 401)
    values = pit["pit"].to_numpy(float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        ax.text(0.5, 0.5, "no PIT values", ha="center", transform=ax.transAxes)
        return ax
    crit = float(stats.kstwo.ppf(band, values.size))
    ax.fill_between(u, -crit, crit, color="0.85", label=f"{band:.0%} simultaneous band (all rows)")
    ax.axhline(0, color="0.4", lw=0.8)
    ecdf = np.searchsorted(np.sort(values), u, side="right") / values.size
    ax.plot(u, ecdf - u, color="black", lw=2, label=f"all rows (n={values.size})")
    for side, color in SIDE_COLORS.items():
        v = pit.loc[pit[D.WEIGHTS] == side, "pit"].to_numpy(float)
        v = v[np.isfinite(v)]
        if v.size:
            e = np.searchsorted(np.sort(v), u, side="right") / v.size
            ax.plot(u, e - u, color=color, lw=1.2, label=f"{side} models (n={v.size})")
    ax.set_xlim(0, 1)
    ax.set_xlabel("LOO-PIT value")
    ax.set_ylabel("ECDF minus uniform CDF")
    ax.set_title("Leave-one-out PIT: is each score where its predictive distribution puts it?")
    ax.legend(loc="best", fontsize=8, frameon=False)
    return ax


def plot_ppc(sub: pd.DataFrame, *, ax: Axes | None = None, title: str = "") -> Axes:
    """One row per group level: the replicated interval (bar) and median (tick) of a statistic,
    and the observed value (dot; red when outside the interval).

    Parameters
    ----------
    sub : pandas.DataFrame
        The part of :func:`irtgap.methods.bayes.checks.predictive_checks`' table for one
        grouping and statistic (columns ``level``, ``n``, ``observed``, ``replicated``,
        ``lower``, ``upper``).
    ax : matplotlib.axes.Axes, optional
        Where to draw (a new figure by default, as tall as the levels need).
    title : str
        The title (default: "posterior predictive check").

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.
    """
    sub = sub.sort_values("replicated").reset_index(drop=True)
    height = max(3.0, 0.22 * len(sub) + 1.2)
    ax = new_axes(ax, figsize=(8, height))
    y = np.arange(len(sub))
    ax.hlines(y, sub["lower"], sub["upper"], color="0.6", lw=4, label="replicated interval")
    ax.plot(sub["replicated"], y, "|", color="0.2", ms=10, label="replicated median")
    outside = (sub["observed"] < sub["lower"]) | (sub["observed"] > sub["upper"])
    ax.plot(sub.loc[~outside, "observed"], y[~outside], "o", color="black", ms=5, label="observed")
    ax.plot(
        sub.loc[outside, "observed"],
        y[outside],
        "o",
        color="#c0392b",
        ms=6,
        label="observed, outside the interval",
    )
    ax.set_yticks(y, [f"{lv} ({n})" for lv, n in zip(sub["level"], sub["n"], strict=True)])
    ax.tick_params(axis="y", labelsize=8)
    ax.set_xlabel("score as a fraction of the benchmark's ceiling")
    ax.set_title(title or "posterior predictive check")
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    return ax
