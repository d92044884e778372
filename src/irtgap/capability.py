"""Results that score each model on one capability scale, with bootstrap draws.

:class:`CapabilityResult` is shared by the ECI-style, Elo-style and composite methods: a
``capabilities`` table (one row per model: date, weights, value, interval) and ``draws`` with
dimensions ``(chain, draw, model)``. Its gap is the time shift between the two sides' running
frontiers (best value released so far), per draw, in the shared gap table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
import xarray as xr

from irtgap import _dims as D
from irtgap.errors import ScoreDataError
from irtgap.gaps import (
    date_grid,
    gap_dataarray,
    running_frontier,
    summarize_gap,
    time_shift_gap,
    to_days,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def model_draws(values: np.ndarray, models: list[str], name: str) -> xr.DataArray:
    """Bootstrap draws ``(n_draws, n_models)`` in the shared shape ``(chain=1, draw, model)``."""
    values = np.asarray(values, float)
    return xr.DataArray(
        values[None],
        dims=(D.CHAIN, D.DRAW, D.MODEL),
        coords={D.CHAIN: [0], D.DRAW: np.arange(len(values)), D.MODEL: list(models)},
        name=name,
    )


@dataclass
class CapabilityResult:
    """Per-model capability values with bootstrap draws, and the frontier gap they imply."""

    capabilities: pd.DataFrame
    draws: xr.DataArray
    dropped: dict[str, int] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    value_column: str = "value"
    label: str = "capability"
    title: str = "Capability over time"

    def frontiers(self, dates: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray]:
        """Running frontiers (closed, open) per draw on ``dates``: shape (n_draws, n_dates)."""
        caps = self.capabilities
        stacked = self.draws.stack(sample=(D.CHAIN, D.DRAW)).transpose("sample", D.MODEL)
        vals = stacked.sel({D.MODEL: list(caps.index)}).to_numpy()
        days, grid = to_days(caps[D.DATE]), to_days(dates)
        out = []
        for side in D.SIDES:
            mask = (caps[D.WEIGHTS] == side).to_numpy()
            if not mask.any():
                raise ScoreDataError(
                    f"no {side} model has a {self.value_column} value (after the method's "
                    "filters): the gap is undefined"
                )
            out.append(running_frontier(days[mask], vals[:, mask], grid))
        return out[0], out[1]

    def dates(self, dates: Any = None) -> pd.DatetimeIndex:
        """``dates`` as an index; by default weekly from 2023-06 to the last model's date."""
        if dates is None:
            return date_grid("2023-06-01", self.capabilities[D.DATE].max(), step_days=7)
        return pd.DatetimeIndex(pd.to_datetime(dates))

    def gap_draws(
        self, dates: Any = None, *, direction: Literal["backward", "forward"] = "backward"
    ) -> xr.DataArray:
        """Frontier-shift gap draws ``(chain=1, draw, group=["all"], date)`` in months."""
        dates = self.dates(dates)
        fine = date_grid("2023-01-01", dates.max(), step_days=1).union(dates)
        f_closed, f_open = self.frontiers(fine)
        shift = time_shift_gap(to_days(fine), f_open, f_closed, direction=direction)
        return gap_dataarray(shift[:, None, :], dates=fine, groups=["all"]).sel({D.DATE: dates})

    def gap(
        self,
        dates: Any = None,
        *,
        direction: Literal["backward", "forward"] = "backward",
        ci: float = 0.9,
    ) -> pd.DataFrame:
        """The shared gap table from the frontier time shift."""
        da = self.gap_draws(dates, direction=direction)
        return summarize_gap(da, ci=ci, method=self.value_column)

    def summary(self) -> pd.DataFrame:
        """Top ten closed and top ten open models."""
        caps = self.capabilities.sort_values(self.value_column, ascending=False)
        return pd.concat([caps[caps[D.WEIGHTS] == s].head(10) for s in D.SIDES])

    def plot_capabilities(self, ax: Axes | None = None, *, label_top: int = 5) -> Axes:
        """Values over time, open and closed coloured, running frontiers, intervals."""
        import matplotlib.dates as mdates
        import matplotlib.pyplot as plt

        from irtgap.bayes_plots import SIDE_COLORS

        if ax is None:
            _, ax = plt.subplots(figsize=(10, 6), layout="constrained")
        caps, v = self.capabilities, self.value_column
        for side in D.SIDES:
            c = caps[caps[D.WEIGHTS] == side].sort_values(D.DATE)
            color = SIDE_COLORS[side]
            err = np.vstack([c[v] - c["ci_low"], c["ci_high"] - c[v]]).clip(min=0)
            ax.errorbar(
                c[D.DATE],
                c[v],
                yerr=np.nan_to_num(err),
                fmt="o",
                ms=3.5,
                color=color,
                alpha=0.5,
                elinewidth=0.7,
                label=side,
            )
            ax.step(
                c[D.DATE], c[v].cummax(), where="post", color=color, lw=2, label=f"{side} frontier"
            )
            for name, row in c.sort_values(v, ascending=False).head(label_top).iterrows():
                ax.annotate(
                    str(name),
                    (row[D.DATE], row[v]),
                    xytext=(3, 3),
                    textcoords="offset points",
                    fontsize=7,
                    color=color,
                )
        spread = np.nanpercentile(caps[v], [2, 100])
        pad = 0.08 * (spread[1] - spread[0])
        ax.set_ylim(spread[0] - pad, max(spread[1], np.nanmax(caps["ci_high"])) + pad)
        ax.set_ylabel(self.label)
        ax.set_title(self.title)
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
        ax.grid(alpha=0.3)
        ax.legend(frameon=False, loc="upper left")
        return ax
