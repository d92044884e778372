"""Colours and axes helpers shared by every irtgap figure."""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.dates as mdates

from irtgap.core import dims as D

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: Colours shared by the figures: the two sides and the gap groups (``all`` is the threshold
#: method's mix of public and private crossings; ``capability`` the Bayesian latent gap).
SIDE_COLORS = {D.CLOSED: "#1f4e8c", D.OPEN: "#d9541e"}
GROUP_COLORS = {
    "all": "#333333",
    "capability": "#333333",
    "public": "#2a9d8f",
    "private": "#8e44ad",
}
#: One colour per method (the names of :data:`irtgap.results.METHODS`, and ECI's Epoch rule).
METHOD_COLORS = {
    "bayesian": "#1f4e8c",
    "threshold": "#d9541e",
    "eci": "#2a9d8f",
    "eci_epoch": "#52b788",
    "elo": "#8e44ad",
    "composite": "#7f7f7f",
}


def new_axes(ax: Axes | None, figsize: tuple[float, float] = (9, 5)) -> Axes:
    """``ax``, or the Axes of a new figure of ``figsize`` when ``ax`` is None.

    Parameters
    ----------
    ax : matplotlib.axes.Axes or None
        The Axes to draw on.
    figsize : tuple of float
        Width and height of a new figure, in inches.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``, or the new figure's Axes.
    """
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def date_axis(ax: Axes) -> None:
    """Label the x axis of ``ax`` with dates every January and July, with a light grid."""
    ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=(1, 7)))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    ax.grid(alpha=0.3)
