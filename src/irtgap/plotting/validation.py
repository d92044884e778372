"""Figure of the validation study: a metric per scenario and method."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from irtgap.core import dims as D
from irtgap.plotting.style import METHOD_COLORS, new_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def plot_validation(summary: pd.DataFrame, *, metric: str = "bias", ax: Axes | None = None) -> Axes:
    """Dot plot of ``metric`` (pooled over dates) per scenario (rows) and method (colours).

    Parameters
    ----------
    summary : pandas.DataFrame
        The table of :func:`irtgap.analyses.validation.summarize_validation` (its pooled rows,
        ``date`` empty, are drawn).
    metric : str
        A column of it: ``"bias"``, ``"rmse"``, ``"coverage"``, ...
    ax : matplotlib.axes.Axes, optional
        Where to draw (a new figure by default).

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.
    """
    s = summary[summary[D.DATE].isna()]
    ax = new_axes(ax, (9, 0.55 * s["scenario"].nunique() + 1.5))
    scen = list(dict.fromkeys(s["scenario"]))
    methods = list(dict.fromkeys(s["method"]))
    for j, m in enumerate(methods):
        sm = s[s["method"] == m].set_index("scenario").reindex(scen)
        y = np.arange(len(scen)) + (j - (len(methods) - 1) / 2) * 0.13
        ax.plot(sm[metric], y, "o", color=METHOD_COLORS.get(m), label=m)
    ax.set_yticks(np.arange(len(scen)), scen)
    ax.invert_yaxis()
    ref = {"bias": 0.0, "coverage": 0.9}.get(metric)
    if ref is not None:
        ax.axvline(ref, color="k", lw=0.8)
    if metric == "coverage":
        ax.axvspan(0.8, 0.97, color="#2a9d8f", alpha=0.08, lw=0)
    label = {"bias": "bias (months)", "rmse": "RMSE (months)", "coverage": "90% interval coverage"}
    ax.set_xlabel(label.get(metric, metric))
    ax.grid(alpha=0.3, axis="x")
    ax.legend(frameon=False, ncols=len(methods), loc="upper center", bbox_to_anchor=(0.5, -0.1))
    return ax
