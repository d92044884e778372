"""Data-overview figures and tables: what was scored, when, and by which side.

Each plotting function takes ``ax=None`` (or ``fig=None``) and returns what it drew on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import matplotlib.dates as mdates
import numpy as np
import pandas as pd

from irtgap.core import dims as D
from irtgap.data.scoredata import ScoreData
from irtgap.plotting.style import SIDE_COLORS

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

OPEN_COLOR = SIDE_COLORS[D.OPEN]
CLOSED_COLOR = SIDE_COLORS[D.CLOSED]


def counts_table(data: ScoreData) -> pd.DataFrame:
    """Per benchmark: access, models scored (open / closed), first and last model date."""
    t = data.scores
    g = t.groupby(D.BENCHMARK)
    out = pd.DataFrame(
        {
            "access": data.benchmarks["access"],
            "domain": data.benchmarks.get("domain", pd.Series(pd.NA, index=data.benchmarks.index)),
            "scale": data.benchmarks["scale"],
            "n_models": g[D.MODEL].nunique(),
            "n_open": t[t[D.WEIGHTS] == D.OPEN].groupby(D.BENCHMARK)[D.MODEL].nunique(),
            "n_closed": t[t[D.WEIGHTS] == D.CLOSED].groupby(D.BENCHMARK)[D.MODEL].nunique(),
            "first_model_date": g[D.DATE].min().dt.date,
            "last_model_date": g[D.DATE].max().dt.date,
        }
    )
    out[["n_open", "n_closed"]] = out[["n_open", "n_closed"]].fillna(0).astype(int)
    return out.sort_values("n_models", ascending=False)


def newest_models(data: ScoreData, n: int = 8) -> pd.DataFrame:
    """The ``n`` most recently released models of each side, with how many scores each has.

    Parameters
    ----------
    data : ScoreData
        The scores.
    n : int
        Models per side.

    Returns
    -------
    pandas.DataFrame
        Indexed by model: ``weights``, ``date`` (the release date), ``organization`` and
        ``n_scores``; closed then open, newest first.
    """
    models = data.models
    models = models.assign(n_scores=data.scores.groupby(D.MODEL).size().reindex(models.index))
    out = (
        models.sort_values(D.DATE, ascending=False, kind="stable")
        .groupby(D.WEIGHTS, sort=False)
        .head(n)
        .loc[:, [D.WEIGHTS, D.DATE, D.ORGANIZATION, "n_scores"]]
        .sort_values([D.WEIGHTS, D.DATE], ascending=[True, False], kind="stable")
    )
    out[D.DATE] = out[D.DATE].dt.date
    return out


def plot_coverage(data: ScoreData, ax: Axes | None = None) -> Axes:
    """Coverage matrix: benchmarks (rows, public then private) x models (columns, by date).

    A filled cell means the model was scored on the benchmark, coloured by the model's side.

    Parameters
    ----------
    data : ScoreData
        The scores.
    ax : matplotlib.axes.Axes, optional
        Where to draw (a new figure by default, as tall as the benchmarks need).

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    models = data.models
    bench = data.benchmarks.sort_values(["access", "release_date"], kind="stable")
    order_b = list(bench.index)
    t = data.scores
    mat = np.zeros((len(order_b), len(models)))
    bi = pd.Index(order_b).get_indexer(t[D.BENCHMARK])
    mi = pd.Index(models.index).get_indexer(t[D.MODEL])
    mat[bi, mi] = np.where(t[D.WEIGHTS] == D.OPEN, 2, 1)
    if ax is None:
        _, ax = plt.subplots(figsize=(14, 0.22 * len(order_b) + 2.5), layout="constrained")
    cmap = ListedColormap(["#f4f4f4", CLOSED_COLOR, OPEN_COLOR])
    ax.imshow(mat, aspect="auto", interpolation="nearest", cmap=cmap, vmin=0, vmax=2)
    labels = [f"{b}  ({'pub' if bench.loc[b, 'access'] == 'public' else 'priv'})" for b in order_b]
    ax.set_yticks(range(len(order_b)), labels, fontsize=7)
    n_pub = int((bench["access"] == "private").sum())
    if 0 < n_pub < len(order_b):
        split = list(bench["access"]).index("public") - 0.5
        ax.axhline(split, color="k", lw=0.8)
    dates = pd.DatetimeIndex(models[D.DATE])
    years = sorted(set(dates.year))
    ticks: list[int] = []
    names: list[str] = []
    for y in years:  # a tick where each year starts; crowded early years share one label
        pos = int(np.searchsorted(dates, pd.Timestamp(f"{y}-01-01")))
        if ticks and pos - ticks[-1] < 0.04 * len(models):
            names[-1] = f"{names[-1].split('-')[0]}-{y}"
            continue
        ticks.append(pos)
        names.append(str(y))
    ax.set_xticks(ticks, names)
    ax.set_xlabel(f"{len(models)} models, ordered by release date")
    ax.set_title(
        f"Which model was scored on which benchmark ({data.n_obs} scores, "
        f"{data.describe()['density']:.0%} of the matrix)"
    )
    ax.legend(
        handles=[Patch(color=CLOSED_COLOR, label="closed"), Patch(color=OPEN_COLOR, label="open")],
        loc="upper left",
        frameon=False,
        ncols=2,
    )
    return ax


def plot_scores_over_time(
    data: ScoreData,
    *,
    benchmarks: Sequence[str] | None = None,
    n: int = 12,
    ncols: int = 4,
    fig: Figure | None = None,
) -> Figure:
    """Small multiples: score against release date per benchmark, open and closed coloured.

    Parameters
    ----------
    data : ScoreData
        The scores.
    benchmarks : sequence of str, optional
        The benchmarks, one panel each (default: the ``n`` fraction-scale benchmarks scored by
        the most models).
    n : int
        Panels by default.
    ncols : int
        Panels per row.
    fig : matplotlib.figure.Figure, optional
        Where to draw (a new figure by default).

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn on.
    """
    import matplotlib.pyplot as plt

    if benchmarks is None:
        counts = counts_table(data)
        counts = counts[counts["scale"] == "fraction"]
        benchmarks = list(counts.index[:n])
    nrows = int(np.ceil(len(benchmarks) / ncols))
    if fig is None:
        fig = plt.figure(figsize=(3.4 * ncols, 2.6 * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, sharex=True, squeeze=False).ravel()
    t = data.scores
    for ax, b in zip(axes, benchmarks, strict=False):
        sub = t[t[D.BENCHMARK] == b]
        for side in D.SIDES:
            s = sub[sub[D.WEIGHTS] == side]
            ax.scatter(s[D.DATE], s[D.SCORE], s=10, alpha=0.7, color=SIDE_COLORS[side], label=side)
        access = data.benchmarks.loc[b, "access"]
        ax.set_title(f"{b} ({access})", fontsize=9)
        ax.set_ylim(-0.02, 1.02)
        ax.grid(alpha=0.3)
        ax.xaxis.set_major_locator(mdates.YearLocator())
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    for ax in axes[len(benchmarks) :]:
        ax.set_visible(False)
    axes[0].legend(frameon=False, fontsize=8)
    fig.suptitle("Scores over time (each dot a model version)")
    return fig
