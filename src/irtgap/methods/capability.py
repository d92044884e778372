"""Results that score each model on one capability scale, with bootstrap draws.

:class:`CapabilityResult` is shared by the ECI-style, Elo-style and composite methods: a
capability table (:meth:`CapabilityResult.capabilities`, one row per model: date, weights,
estimate, interval, benchmarks) and ``capability_draws`` with dimensions ``(chain, draw,
model)``. Its gap is the time shift between the two sides' running
frontiers (best value released so far), per draw, in the shared gap table.

Support: a gap is given from the first date both sides have a model to the last model's release
date; dates outside give NaN with a warning naming those dates (the running frontiers would
otherwise be held flat into the future). The frontiers are computed on a daily grid from the
first model's date, so a backward gap is defined wherever the closed frontier of the data reached
the open level; draws where it did so before the first model are undefined, and a date where
more than 10% of the draws are undefined is NaN (see :func:`irtgap.core.gaps.summarize_gap`).

Bootstrap refits (ECI, Elo) run through :func:`run_refits`, which collects each refit's warnings
in the worker (joblib processes do not pass warnings back) and re-emits them once in the caller,
counted ("k of n bootstrap refits stopped before converging"); a refit that raises is counted in
``dropped["failed_refits"]`` and left out of the draws, with a warning. With ``n_bootstrap=0``
the draws hold the point estimate once and every interval is NaN.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd
import xarray as xr

from irtgap.core import dims as D
from irtgap.core.errors import ConvergenceWarning, ScoreDataError
from irtgap.core.gaps import (
    Direction,
    date_grid,
    gap_dataarray,
    mask_support,
    running_frontier,
    summarize_gap,
    time_shift_gap,
    to_days,
    warn_user,
)
from irtgap.core.parallel import Progress, map_tasks
from irtgap.core.validate import check_date, check_dates
from irtgap.data.scoredata import ScoreData
from irtgap.plotting.capability import plot_capabilities
from irtgap.results import (
    GapResult,
    MethodSettings,
    SavedState,
    check_direction,
    conform_capability_table,
    conform_gap_table,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def model_draws(values: np.ndarray, models: list[str], name: str) -> xr.DataArray:
    """Bootstrap draws ``(n_draws, n_models)`` in the shared shape ``(chain=1, draw, model)``.

    Parameters
    ----------
    values : numpy.ndarray
        The draws, shape ``(n_draws, n_models)``.
    models : list of str
        The models of the last dimension.
    name : str
        The array's name.

    Returns
    -------
    xarray.DataArray
        Dimensions ``(chain, draw, model)`` with one chain.
    """
    values = np.asarray(values, float)
    return xr.DataArray(
        values[None],
        dims=(D.CHAIN, D.DRAW, D.MODEL),
        coords={D.CHAIN: [0], D.DRAW: np.arange(len(values)), D.MODEL: list(models)},
        name=name,
    )


def _guarded(fn: Callable[..., Any], *args: Any) -> tuple[Any, list[tuple[type, str]], str]:
    """Run ``fn(*args)``, returning (value or None, the warnings it raised, the error or "")."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            value, error = fn(*args), ""
        except Exception as err:  # a failed refit is counted by run_refits, not fatal
            value, error = None, f"{type(err).__name__}: {err}"
    return value, [(w.category, str(w.message)) for w in caught], error


def run_refits(
    fn: Callable[..., Any],
    tasks: Iterable[tuple[Any, ...]],
    *,
    n_jobs: int = 1,
    what: str = "bootstrap refits",
    backend: str | None = None,
    progress: Progress | None = None,
) -> tuple[list[Any], dict[str, int]]:
    """Run ``fn(*task)`` for every task (through joblib), keeping their warnings and failures.

    Each call runs with its warnings recorded (in the joblib worker, whose warnings would
    otherwise never reach the caller); here they are re-emitted once per kind, counted: a
    :class:`~irtgap.core.errors.ConvergenceWarning` as "k of n bootstrap refits stopped before
    converging", any other warning as "k of n ...: message". A call that raises is left out and
    counted, with one ConvergenceWarning giving the count and the first error.

    The calls go through :func:`irtgap.core.parallel.map_tasks`; each task carries its own seed,
    so the values do not depend on ``n_jobs`` or ``backend``.

    Parameters
    ----------
    fn : callable
        A module-level function (pickled to the workers).
    tasks : iterable of tuple
        Positional arguments of each call.
    n_jobs : int
        joblib workers on this machine (1: in this process, -1: every core).
    what : str
        What the calls are, for the warnings and progress messages.
    backend : {None, "loky", "dask", "ray"}
        Where the calls run: None for joblib's active back end (an enclosing
        ``joblib.parallel_config`` is respected), ``"dask"`` for the current
        ``dask.distributed`` Client's workers, ``"ray"`` for Ray's joblib back end.
    progress : callable, optional
        ``progress(done, total, message)`` as refits finish, in batches; nothing is printed
        without it.

    Returns
    -------
    values : list
        Results of the calls that did not raise, in task order.
    counts : dict
        ``{"failed_refits": ..., "unconverged_refits": ...}``.
    """
    results = map_tasks(
        partial(_guarded, fn), tasks, n_jobs=n_jobs, backend=backend, progress=progress, what=what
    )
    n = len(results)
    values = [v for v, _, err in results if not err]
    errors = [err for _, _, err in results if err]
    unconverged = [
        next(m for c, m in ws if issubclass(c, ConvergenceWarning))
        for _, ws, _ in results
        if any(issubclass(c, ConvergenceWarning) for c, _ in ws)
    ]
    if unconverged:
        warn_user(
            f"{len(unconverged)} of {n} {what} stopped before converging (first: "
            f"{unconverged[0]}); their draws are kept, so the intervals may be off",
            ConvergenceWarning,
        )
    others = Counter(
        (c, m)
        for _, ws, _ in results
        for c, m in dict.fromkeys(ws)
        if not issubclass(c, ConvergenceWarning)
    )
    for (category, message), k in others.items():
        warn_user(f"{k} of {n} {what}: {message}", category)
    if errors:
        warn_user(
            f"{len(errors)} of {n} {what} failed and were left out of the intervals (first "
            f"error: {errors[0]}); the count is in dropped['failed_refits']",
            ConvergenceWarning,
        )
    return values, {"failed_refits": len(errors), "unconverged_refits": len(unconverged)}


@dataclass
class CapabilityResult(GapResult):
    """Per-model capability values with bootstrap draws, and the frontier gap they imply.

    The capability table (:meth:`capabilities`, columns
    :data:`~irtgap.results.CAPABILITY_COLUMNS`) is kept as ``_table``; ``capability_draws``
    holds the bootstrap draws ``(chain=1, draw, model)`` (the point estimate once when there
    was no bootstrap); :meth:`gap_draws` the gap draws ``(chain=1, draw, group=["all"], date)``.
    The gap is defined on :meth:`support`; see the module docstring. The result contract (gap
    table, summary, plot, saving) is :class:`~irtgap.results.GapResult`.
    """

    #: A generic label; the ECI, Elo and composite results set their method's name.
    method: ClassVar[str] = "capability"
    has_capabilities: ClassVar[bool] = True
    capability_unit: ClassVar[str] = "capability"
    #: Title of :meth:`plot_capabilities` (``{level}``: the interval probability).
    plot_title: ClassVar[str] = "Capability over time"

    _table: pd.DataFrame
    capability_draws: xr.DataArray
    dropped: dict[str, int] = field(default_factory=dict)
    settings: Any = field(default_factory=MethodSettings)
    data: ScoreData | None = field(default=None, repr=False)

    def capabilities(self, *, ci_prob: float | None = None) -> pd.DataFrame:
        """One row per model: ``date, weights, estimate, lower, upper, n_benchmarks``
        (:data:`~irtgap.results.CAPABILITY_COLUMNS`), sorted by ``estimate``, highest first.

        Parameters
        ----------
        ci_prob : float, optional
            Probability of the equal-tailed bootstrap interval ``lower`` .. ``upper`` (default:
            the level the result was computed with); NaN without bootstrap draws.

        Returns
        -------
        pandas.DataFrame
            The table, indexed by ``model``; ``estimate`` is the point fit.
        """
        level = self.interval_probability(ci_prob)
        table = self._table.copy()
        if level != self.interval_probability():
            draws = self._draws()
            if draws.shape[0] >= 2:
                table["lower"], table["upper"] = np.quantile(
                    draws, [(1 - level) / 2, 1 - (1 - level) / 2], axis=0
                )
        return conform_capability_table(table)

    def _draws(self) -> np.ndarray:
        """Bootstrap draws ``(n_draws, n_models)`` in the order of the table (none: 0 rows)."""
        stacked = self.capability_draws.stack(sample=(D.CHAIN, D.DRAW)).transpose("sample", D.MODEL)
        return stacked.sel({D.MODEL: list(self._table.index)}).to_numpy()

    def _values(self) -> np.ndarray:
        """Draws ``(n_samples, n_models)`` in the order of the table (the point if none)."""
        vals = self._draws()
        if vals.shape[0] == 0:
            vals = self._table["estimate"].to_numpy(float)[None, :]
        return vals

    def frontiers(self, dates: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray]:
        """Running frontiers (closed, open) per draw on ``dates``: shape (n_draws, n_dates)."""
        caps = self._table
        vals = self._values()
        days, grid = to_days(caps[D.DATE]), to_days(dates)
        out = []
        for side in D.SIDES:
            mask = (caps[D.WEIGHTS] == side).to_numpy()
            if not mask.any():
                raise ScoreDataError(self._no_side(side))
            out.append(running_frontier(days[mask], vals[:, mask], grid))
        return out[0], out[1]

    def _no_side(self, side: str) -> str:
        return (
            f"no {side} model has a {self.method} value (after the method's filters): the gap "
            "is undefined"
        )

    def support(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        """First date both sides have a model, and the last model's release date."""
        caps = self._table
        firsts = []
        for side in D.SIDES:
            first = caps.loc[caps[D.WEIGHTS] == side, D.DATE].min()
            if pd.isna(first):
                raise ScoreDataError(self._no_side(side))
            firsts.append(pd.Timestamp(first))
        return max(firsts), pd.Timestamp(caps[D.DATE].max())

    def group_support(self) -> dict[str, tuple[pd.Timestamp, pd.Timestamp]]:
        """The one group, ``all``, and its :meth:`support`."""
        return {"all": self.support()}

    def dates(self, dates: Any = None) -> pd.DatetimeIndex:
        """``dates`` as a sorted index; by default weekly from 2023-06 (or the first date both
        sides have a model, if later) to the last model's date."""
        if dates is None:
            first, last = self.support()
            return date_grid(max(first, pd.Timestamp("2023-06-01")), last, step_days=7)
        return check_dates("dates", dates)

    def fine_grid(self, dates: pd.DatetimeIndex) -> pd.DatetimeIndex:
        """Daily grid from the first model's date to the last of ``dates`` and the data."""
        caps = self._table
        end = max(dates.max(), pd.Timestamp(caps[D.DATE].max()))
        return date_grid(caps[D.DATE].min(), end, step_days=1).union(dates)

    def _gap_values(self, dates: pd.DatetimeIndex, direction: str) -> xr.DataArray:
        """Gap draws at ``dates``, before the support is applied."""
        fine = self.fine_grid(dates)
        f_closed, f_open = self.frontiers(fine)
        shift = time_shift_gap(to_days(fine), f_open, f_closed, direction=direction)  # type: ignore[arg-type]
        return gap_dataarray(shift[:, None, :], dates=fine, groups=["all"]).sel({D.DATE: dates})

    def gap_draws(self, dates: Any = None, *, direction: Direction = "backward") -> xr.DataArray:
        """Gap draws ``(chain=1, draw, group=["all"], date)`` in months (frontier time shift).

        Parameters
        ----------
        dates : date or list of dates, optional
            Where to read the gap (see :meth:`dates`).
        direction : {"backward", "forward"}
            The reading (see :mod:`irtgap.core.gaps`).

        Returns
        -------
        xarray.DataArray
            The draws; NaN (with a warning) at dates outside :meth:`support`.
        """
        check_direction(direction)
        dates = self.dates(dates)
        return mask_support(
            self._gap_values(dates, direction), self.support(), label=f"{self.method} gap"
        )

    def gap(
        self,
        dates: Any = None,
        *,
        ci_prob: float | None = None,
        reference_date: Any = None,
        min_defined: float = 0.9,
        direction: Direction = "backward",
    ) -> pd.DataFrame:
        """The shared gap table (:data:`~irtgap.results.GAP_COLUMNS`) of :meth:`gap_draws`.

        Dates outside :meth:`support` and dates where fewer than ``min_defined`` of the draws
        have a defined gap are NaN, with a warning.

        Parameters
        ----------
        dates : date or list of dates, optional
            Where to read the gap (see :meth:`dates`).
        ci_prob : float, optional
            Interval probability (default: the level the result was computed with).
        reference_date : date, optional
            Fills ``prob_grew``: the share of draws whose gap exceeds the gap at that date.
        min_defined : float
            Share of the draws that must define the gap for a number (0.9).
        direction : {"backward", "forward"}
            The reading (see :mod:`irtgap.core.gaps`).

        Returns
        -------
        pandas.DataFrame
            The gap table, group ``all``.
        """
        check_direction(direction)
        ci_prob = self.interval_probability(ci_prob)
        dates = self.dates(dates)
        ref = None if reference_date is None else check_date("reference_date", reference_date)
        at = dates if ref is None else dates.union(pd.DatetimeIndex([ref]))
        table = summarize_gap(
            self._gap_values(at, direction),
            ci_prob=ci_prob,
            reference_date=ref,
            method=self.method,
            min_defined=min_defined,
            support=self.support(),
        )
        table = table[table[D.DATE].isin(dates)]
        return conform_gap_table(table, self.method)

    def top_models(self, n: int = 10) -> pd.DataFrame:
        """The top ``n`` closed and top ``n`` open models by ``estimate`` (the rows of
        :meth:`capabilities`)."""
        caps = self.capabilities()
        return pd.concat([caps[caps[D.WEIGHTS] == s].head(n) for s in D.SIDES])

    def plot_capabilities(self, *, ax: Axes | None = None, label_top: int = 5) -> Axes:
        """Values over time, open and closed coloured, running frontiers, intervals.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Where to draw.
        label_top : int
            Name the best ``label_top`` models of each side.

        Returns
        -------
        matplotlib.axes.Axes
            The Axes drawn on.
        """
        return plot_capabilities(
            self._table,
            label=self.capability_unit,
            # "{level}" in a title is the interval probability the result was computed with
            title=self.plot_title.format(level=self.interval_probability()),
            ax=ax,
            label_top=label_top,
        )

    # -------------------------------------------------------------- persistence
    def _extra_state(self) -> SavedState:
        """What a subclass saves beside the capability table and draws."""
        return SavedState()

    def _saved_state(self) -> SavedState:
        extra = self._extra_state()
        return SavedState(
            tables={"capabilities": self._table, **extra.tables},
            arrays={"capability_draws": self.capability_draws, **extra.arrays},
            values={"dropped": self.dropped, **extra.values},
        )

    @classmethod
    def _settings_class(cls) -> type[MethodSettings]:
        return MethodSettings

    @classmethod
    def _extra_fields(cls, state: SavedState) -> dict[str, Any]:
        """Keyword arguments of a subclass rebuilt from its :meth:`_extra_state`."""
        return {}

    @classmethod
    def _from_saved_state(
        cls, state: SavedState, data: ScoreData | None, tree: xr.DataTree
    ) -> CapabilityResult:
        table = state.tables["capabilities"]
        old = state.values.get("value_column")  # files that named the columns by the method
        if old is not None and old in table.columns:
            table = table.rename(columns={old: "estimate", "ci_low": "lower", "ci_high": "upper"})
        return cls(
            table,
            state.arrays["capability_draws"],
            dropped=state.values["dropped"],
            settings=cls._settings_class().from_dict(state.values["settings"]),
            data=data,
            **cls._extra_fields(state),
        )


def capability_table(
    models: pd.DataFrame,
    estimate: np.ndarray,
    draws: np.ndarray,
    n_benchmarks: Any,
    *,
    ci_prob: float,
    n_refits: int,
) -> pd.DataFrame:
    """The capability table of a bootstrap method (columns
    :data:`~irtgap.results.CAPABILITY_COLUMNS`, sorted by ``estimate``).

    Parameters
    ----------
    models : pandas.DataFrame
        One row per model (index: the model), with ``date`` and ``weights``.
    estimate : numpy.ndarray
        The point value per model.
    draws : numpy.ndarray
        Bootstrap values ``(n_draws, n_models)``.
    n_benchmarks : array-like
        Benchmarks (or scores) behind each model's value.
    ci_prob : float
        Interval probability.
    n_refits : int
        Bootstrap draws made (fewer than 2: NaN intervals).

    Returns
    -------
    pandas.DataFrame
        The table.
    """
    caps = models[[D.DATE, D.WEIGHTS]].copy()
    caps["estimate"] = estimate
    if n_refits >= 2:
        caps["lower"], caps["upper"] = np.quantile(
            draws, [(1 - ci_prob) / 2, 1 - (1 - ci_prob) / 2], axis=0
        )
    else:
        caps["lower"] = caps["upper"] = np.nan
    caps["n_benchmarks"] = np.asarray(n_benchmarks)
    return conform_capability_table(caps)
