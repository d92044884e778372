"""The threshold method: first open vs first closed model to cross each score level.

Reference: H. T. Ihle, "How far behind are open models?" (2026). For each benchmark and each score
threshold (every 0.05 from 0.05 on fraction benchmarks; log-spaced levels on other scales), the
first closed model with a score at or above the threshold and the first open model likewise
(earliest release date; ties on the date go to the higher score, then the model id). The gap is
the open date minus the closed date in months (days / (365.25 / 12)); negative gaps are kept.

Two readings, ``direction=`` of :meth:`ThresholdResult.gap` and :meth:`ThresholdResult.gap_draws`:

* **Backward** (default): each gap is placed at the open model's date and answers "how long-lived
  are the gaps a top open model closes".
* **Forward**: placed at the closed model's date, it answers "how long did open models take to
  catch up with the closed model of that date". Its trend is computed on first use (and kept),
  from the same bootstrap seed.

A threshold the closed side crossed and the open side has not is *open pending* (kept out of the
trend, with the months pending at the data's last date); one the open side crossed first and the
closed side has not is *closed pending*. One datapoint per (benchmark, closed model, open model)
pair is kept, at the highest threshold the pair spans.

**Acceptance rule** (automatic, replacing the reference analysis's judgement by hand): a point is
rejected when a model of either side, released before that side's first crosser and *not*
evaluated on the benchmark, scores at least as high as some model that did cross the threshold on
every one of at least ``min_shared`` (4) benchmarks both were scored on (``dominance``): it would
plausibly have crossed first. Overrides accept or reject points by (benchmark, threshold) or
(benchmark, closed model, open model). The counts each rule removed are in
:attr:`ThresholdResult.acceptance_counts`.

**Trend**: a Gaussian-kernel smoother (sigma ``bandwidth_days``) of the accepted points on a
``grid_days`` grid (plus each group's first and last point date), per group (all, public /
private or coding / math / other), defined from the group's first to its last point date.
Points on benchmarks whose access is ``unknown`` are kept in "all" and out of "public" and
"private" (with a warning naming those benchmarks).

**Band: a cluster bootstrap over benchmarks.** Each of the ``n_bootstrap`` resamples draws the
group's *benchmarks* with replacement (``numpy.random.default_rng(seed)``) and keeps every point
of each benchmark drawn, as often as it is drawn; the smoother of the resample is one draw. The
points are not independent: the thresholds of one benchmark form a ladder whose neighbouring
rungs share a crossing model, and the whole ladder follows that benchmark's own score history,
so resampling points one by one counts one benchmark's story several times as independent
evidence and gives too narrow a band. The benchmark is the unit that carries this dependence
and the unit whose choice the method is criticised for (which benchmarks are in the set). The
alternative cluster, the (closed model, open model) crossing pair, groups only the copies of one
pair across benchmarks and would leave the ladders split; merging both (benchmarks linked by a
shared pair) leaves too few clusters to resample (the counts on the bundled data are in
``docs/model.md``). Pairs repeated across benchmarks therefore stay separate clusters. A group
with points on a single benchmark has no band (NaN, with a warning). Resampling stays vectorised
(one multinomial draw of benchmark counts per resample, expanded to the points;
``timing/bench_threshold.py`` times it).

**Reading the trend**: :meth:`ThresholdResult.gap` interpolates each draw linearly between grid
dates (the grid step, 7 days, is small against the 60-day kernel: the error is negligible);
dates outside a group's first .. last point date give NaN with a warning naming those dates (no
extrapolation), and a date where fewer than ``min_defined`` of the draws are defined is NaN
(see :func:`irtgap.core.gaps.summarize_gap`). Without bootstrap (``n_bootstrap=0``) the draws hold
the point trend once and every interval is NaN.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np
import pandas as pd
import xarray as xr

from irtgap.core import dims as D
from irtgap.core.errors import DroppedRowsWarning, ScoreDataError
from irtgap.core.gaps import (
    Direction,
    gap_dataarray,
    mask_support,
    summarize_gap,
    to_days,
    warn_user,
)
from irtgap.core.validate import (
    check_choice,
    check_count,
    check_date,
    check_dates,
    check_level,
    check_names,
    check_number,
    check_seed,
    show_values,
)
from irtgap.data.elicitation import ElicitationLike, elicited, rule_used
from irtgap.data.scoredata import ScoreData
from irtgap.plotting.threshold import plot_benchmark, plot_points
from irtgap.results import (
    CI_PROB,
    GapResult,
    MethodSettings,
    SavedState,
    check_direction,
    conform_gap_table,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

By = Literal["access", "category", "domain"] | None


def default_thresholds(scale: str, scores: np.ndarray) -> np.ndarray:
    """Every 0.05 from 0.05 to 1 on fractions; powers of two (from the data's range) otherwise.

    Parameters
    ----------
    scale : str
        The benchmark's scale (``"fraction"`` or a unit).
    scores : numpy.ndarray
        Its scores (on other scales, their positive range sets the powers of two).

    Returns
    -------
    numpy.ndarray
        The thresholds, increasing (empty when no score is positive on another scale).
    """
    if scale == "fraction":
        return np.round(np.arange(1, 21) * 0.05, 2)
    pos = scores[scores > 0]
    if pos.size == 0:
        return np.array([])
    lo, hi = np.floor(np.log2(pos.min())), np.ceil(np.log2(pos.max()))
    return 2.0 ** np.arange(lo, hi + 1)


def _crossing_order(sub: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """``sub`` in crossing order (earliest date first; on a tie, the higher score, then the
    model name) with its scores as an array: the first row at or above a level crossed it."""
    ordered = sub.sort_values([D.DATE, D.SCORE, D.MODEL], ascending=[True, False, True])
    return ordered, ordered[D.SCORE].to_numpy(float)


def _first(ordered: pd.DataFrame, scores: np.ndarray, tau: float) -> pd.Series | None:
    """The first row of ``ordered`` (see :func:`_crossing_order`) scoring at least ``tau``."""
    hit = scores >= tau - 1e-12
    if not hit.any():
        return None
    return ordered.iloc[int(np.argmax(hit))]


def _crossings(
    data: ScoreData,
    thresholds: Mapping[str, Sequence[float] | np.ndarray] | None,
    open_models: set[str] | None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows, pending = [], []
    last = data.scores[D.DATE].max()
    t = data.scores
    for b, sub in t.groupby(D.BENCHMARK, sort=True):
        scale = str(data.benchmarks.loc[b, "scale"])
        levels = (
            np.asarray(thresholds[b], float)
            if thresholds and b in thresholds
            else default_thresholds(scale, sub[D.SCORE].to_numpy(float))
        )
        closed = sub[sub[D.WEIGHTS] == D.CLOSED]
        opened = sub[sub[D.WEIGHTS] == D.OPEN]
        if open_models is not None:
            opened = opened[opened[D.MODEL].isin(open_models)]
        closed_sorted, closed_scores = _crossing_order(closed)
        open_sorted, open_scores = _crossing_order(opened)
        for tau in levels:
            c = _first(closed_sorted, closed_scores, tau)
            o = _first(open_sorted, open_scores, tau)
            if c is not None and o is not None:
                rows.append(
                    {
                        D.BENCHMARK: b,
                        "threshold": float(tau),
                        "closed_model": c[D.MODEL],
                        "closed_date": c[D.DATE],
                        "closed_score": c[D.SCORE],
                        "open_model": o[D.MODEL],
                        "open_date": o[D.DATE],
                        "open_score": o[D.SCORE],
                    }
                )
            elif c is not None or o is not None:
                lead = c if c is not None else o
                assert lead is not None
                pending.append(
                    {
                        D.BENCHMARK: b,
                        "threshold": float(tau),
                        "leader": D.CLOSED if c is not None else D.OPEN,
                        "model": lead[D.MODEL],
                        "date": lead[D.DATE],
                        "months_pending": (last - lead[D.DATE]).days / D.DAYS_PER_MONTH,
                    }
                )
    points = pd.DataFrame(rows)
    if not points.empty:
        points["gap_months"] = (
            points["open_date"] - points["closed_date"]
        ).dt.days / D.DAYS_PER_MONTH
        points = (
            points.sort_values("threshold")
            .groupby([D.BENCHMARK, "closed_model", "open_model"], sort=False)
            .tail(1)
            .sort_values([D.BENCHMARK, "threshold"])
            .reset_index(drop=True)
        )
    return points, pd.DataFrame(pending)


def _dominance_reject(
    data: ScoreData, points: pd.DataFrame, min_shared: int
) -> tuple[np.ndarray, list[str]]:
    """Flag points where an unevaluated, earlier model dominates a crosser (see module doc)."""
    wide = data.scores.pivot_table(index=D.MODEL, columns=D.BENCHMARK, values=D.SCORE)
    models = data.models
    reject = np.zeros(len(points), bool)
    reasons = [""] * len(points)
    vals = wide.to_numpy()
    names = wide.index
    side = models[D.WEIGHTS].reindex(names).to_numpy()
    date = models[D.DATE].reindex(names).to_numpy()
    for i, p in points.iterrows():
        col = wide.columns.get_loc(p[D.BENCHMARK])
        crossed = np.flatnonzero(vals[:, col] >= p["threshold"] - 1e-12)
        for s, first_date in ((D.CLOSED, p["closed_date"]), (D.OPEN, p["open_date"])):
            cand = np.flatnonzero(
                (side == s) & (date < np.datetime64(first_date)) & np.isnan(vals[:, col])
            )
            if not cand.size:
                continue
            a = vals[cand][:, None, :]  # (cand, 1, B)
            x = vals[crossed][None, :, :]  # (1, crossers, B)
            shared = ~np.isnan(a) & ~np.isnan(x)
            n_shared = shared.sum(-1)
            ge = np.where(shared, a >= x, True).all(-1)
            hit = ge & (n_shared >= min_shared)
            if hit.any():
                cand_i, xi = np.argwhere(hit)[0]
                reject[i] = True
                reasons[i] = (
                    f"{s} model {names[cand[cand_i]]} (not evaluated here, released earlier) "
                    f"matches or beats crosser {names[crossed[xi]]} on {n_shared[cand_i, xi]} "
                    "shared benchmarks"
                )
                break
    return reject, reasons


def _check_overrides(overrides: Any, data: ScoreData) -> dict[str, list[tuple[Any, ...]]]:
    """Override keys as lists of tuples; unknown kinds, malformed keys or benchmarks raise."""
    if overrides is None:
        return {}
    if not isinstance(overrides, Mapping):
        raise ScoreDataError(
            f"overrides={overrides!r}: give a dict {{'accept': [...], 'reject': [...]}}"
        )
    out: dict[str, list[tuple[Any, ...]]] = {}
    for kind, keys in overrides.items():
        check_choice("overrides key", kind, ("accept", "reject"))
        if isinstance(keys, tuple) and keys and isinstance(keys[0], str):
            keys = [keys]  # one key given alone
        keys = list(keys)
        for key in keys:
            if not isinstance(key, tuple | list) or len(key) not in (2, 3):
                raise ScoreDataError(
                    f"overrides[{kind!r}] key {key!r}: use (benchmark, threshold) or "
                    "(benchmark, closed_model, open_model)"
                )
        if keys:
            names = [str(k[0]) for k in keys]
            check_names(f"overrides[{kind!r}]", names, data.benchmarks.index, what="benchmark")
        out[str(kind)] = [tuple(k) for k in keys]
    return out


def _key_match(points: pd.DataFrame, keys: Iterable[tuple[Any, ...]]) -> np.ndarray:
    out = np.zeros(len(points), bool)
    unmatched = []
    for key in keys:
        if len(key) == 2:
            m = (points[D.BENCHMARK] == key[0]) & np.isclose(points["threshold"], float(key[1]))
        elif len(key) == 3:
            m = (
                (points[D.BENCHMARK] == key[0])
                & (points["closed_model"] == key[1])
                & (points["open_model"] == key[2])
            )
        else:
            raise ValueError(
                f"override key {key!r}: use (benchmark, threshold) or "
                "(benchmark, closed_model, open_model)"
            )
        if not m.any():
            unmatched.append(key)
        out |= m.to_numpy()
    if unmatched:
        warn_user(
            f"override key(s) {show_values(map(repr, unmatched))} match no datapoint (a datapoint "
            "is kept at the highest threshold its crossing pair spans: see result.points); they "
            "change nothing",
            UserWarning,
        )
    return out


def kernel_weights(x_days: np.ndarray, grid_days: np.ndarray, bandwidth_days: float) -> np.ndarray:
    """Gaussian kernel weights of each point at each grid day.

    Parameters
    ----------
    x_days : numpy.ndarray
        The points' days, shape ``(n_points,)``.
    grid_days : numpy.ndarray
        The grid's days, shape ``(n_grid,)``.
    bandwidth_days : float
        The kernel's sigma, in days.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_points, n_grid)``.
    """
    z = (grid_days[None, :] - x_days[:, None]) / bandwidth_days
    return np.exp(-0.5 * z**2)


def smooth(y: np.ndarray, w: np.ndarray, counts: np.ndarray | None = None) -> np.ndarray:
    """Kernel-weighted mean of the points on the grid, for the data or for resamples.

    Parameters
    ----------
    y : numpy.ndarray
        The points' values, shape ``(n_points,)``.
    w : numpy.ndarray
        Their weights, shape ``(n_points, n_grid)`` (:func:`kernel_weights`).
    counts : numpy.ndarray, optional
        How often each point is in each resample, shape ``(n_samples, n_points)``.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_grid,)``, or ``(n_samples, n_grid)`` with ``counts``.
    """
    if counts is None:
        return (y @ w) / w.sum(0)
    return (counts @ (w * y[:, None])) / (counts @ w)


@dataclass(frozen=True)
class ThresholdSettings(MethodSettings):
    """The settings of a :func:`threshold_gap` result (see its parameters).

    ``seed`` is None when the bootstrap was seeded with a ``numpy.random.Generator``;
    ``trend_start`` is an ISO date or None.
    """

    legacy_keys: ClassVar[tuple[str, ...]] = ("direction", "no_band")

    bandwidth_days: float = 60.0
    grid_days: int = 7
    n_bootstrap: int = 5000
    bootstrap: str = "cluster: benchmarks"
    ci_prob: float = CI_PROB
    seed: int | None = 0
    by: str | None = "access"
    acceptance: str | None = "dominance"
    min_shared: int = 4
    trend_start: str | None = "2023-01-01"
    elicitation: str = "best"


@dataclass(frozen=True)
class _Reading:
    """One direction's trend: its table, its draws and the groups without a band."""

    trend: pd.DataFrame
    draws: xr.DataArray
    no_band: tuple[str, ...]

    def support(self) -> dict[str, tuple[pd.Timestamp, pd.Timestamp]]:
        span = self.trend.groupby(D.GROUP, sort=False)[D.DATE].agg(["min", "max"])
        return {
            str(g): (pd.Timestamp(r["min"]), pd.Timestamp(r["max"])) for g, r in span.iterrows()
        }


def _generator(state: dict[str, Any]) -> np.random.Generator:
    """A generator in the saved ``bit_generator.state``."""
    bit = getattr(np.random, str(state["bit_generator"]))()
    bit.state = state
    return np.random.Generator(bit)


def _read_at(draws: xr.DataArray, dates: pd.DatetimeIndex, groups: list[str]) -> xr.DataArray:
    """Trend draws at ``dates``, linear between grid dates (NaN off the grid's range)."""
    grid = to_days(draws[D.DATE].to_numpy())
    vals = (
        draws.sel({D.GROUP: groups})
        .stack(sample=(D.CHAIN, D.DRAW))
        .transpose("sample", D.GROUP, D.DATE)
        .to_numpy()
    )
    q = to_days(dates)
    k = np.searchsorted(grid, q, side="left")
    hi = np.clip(k, 1, grid.size - 1)
    lo = hi - 1
    w = (q - grid[lo]) / (grid[hi] - grid[lo]) if grid.size > 1 else np.zeros(q.size)
    with np.errstate(invalid="ignore"):
        out = vals[..., lo] * (1 - w) + vals[..., hi] * w
    exact = (k < grid.size) & (grid[np.minimum(k, grid.size - 1)] == q)
    out[..., exact] = vals[..., k[exact]]
    out[..., (q < grid[0]) | (q > grid[-1])] = np.nan
    return gap_dataarray(out, dates=dates, groups=groups, chains=1)


@dataclass
class ThresholdResult(GapResult):
    """Result of :func:`threshold_gap` (see the module docstring for the method).

    Attributes
    ----------
    points : DataFrame
        One row per deduplicated (benchmark, closed model, open model) datapoint; ``date`` is
        the open model's (where the backward reading places the gap).
    pending : DataFrame
        Thresholds crossed by one side only, with the months pending at the last date.
    trend : DataFrame
        ``date, group, gap, lower, upper, n_points`` (point smoother and bootstrap band) of the
        backward reading, from each group's first to its last point date.
    trend_draws : xarray.DataArray
        Bootstrap trend draws ``(chain=1, draw, group, date)`` of the backward reading on the
        trend's grid, the shared result shape (the point trend once without bootstrap); NaN
        outside each group's points. :meth:`gap_draws` reads them at other dates.
    acceptance_counts : dict
        Points removed by each rule.
    settings : ThresholdSettings
        The method's settings.
    no_band : tuple of str
        Groups of the backward reading whose points lie on a single benchmark (no band).
    rng_state : dict or None
        The bootstrap generator's ``bit_generator.state`` before its first draw: the forward
        reading (``direction="forward"``) resamples from it, so both readings use the same seed.
    """

    method: ClassVar[str] = "threshold"

    points: pd.DataFrame
    pending: pd.DataFrame
    trend: pd.DataFrame
    trend_draws: xr.DataArray
    acceptance_counts: dict[str, int]
    settings: ThresholdSettings = field(default_factory=ThresholdSettings)
    data: ScoreData | None = field(default=None, repr=False)
    no_band: tuple[str, ...] = ()
    rng_state: dict[str, Any] | None = field(default=None, repr=False)
    _readings: dict[str, _Reading] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    # -------------------------------------------------------------- the two readings
    def _reading(self, direction: Any) -> _Reading:
        """The trend of ``direction`` (the forward one computed on first use, then kept)."""
        direction = check_direction(direction)
        if direction == "backward":
            return _Reading(self.trend, self.trend_draws, tuple(self.no_band))
        if direction not in self._readings:
            self._readings[direction] = self._forward()
        return self._readings[direction]

    def _forward(self) -> _Reading:
        """The forward trend: every gap placed at the closed model's date, same bootstrap seed."""
        if self.data is None or self.rng_state is None:
            raise ValueError(
                "direction='forward': this threshold result keeps no data or no bootstrap state "
                "(a file written by an earlier irtgap); refit it with irtgap.threshold_gap to "
                "read the forward gap"
            )
        s = self.settings
        points = self.points.assign(date=self.points["closed_date"])
        late = np.ones(len(points), bool)
        if s.trend_start is not None:
            late = (points["date"] >= pd.Timestamp(s.trend_start)).to_numpy()
        groups = _groups(points, self.data, s.by, late)  # type: ignore[arg-type]
        if "all" not in groups:
            raise ScoreDataError(
                "direction='forward': fewer than two accepted datapoints for the forward trend"
                + (f" on or after trend_start={s.trend_start!r}" if s.trend_start else "")
            )
        trend, draws, no_band = _trend(
            points,
            groups,
            s.bandwidth_days,
            s.grid_days,
            s.n_bootstrap,
            s.ci_prob,
            _generator(self.rng_state),
        )
        return _Reading(trend, draws, tuple(no_band))

    def group_support(self) -> dict[str, tuple[pd.Timestamp, pd.Timestamp]]:
        """Per group, the first and last date of its trend points (the backward trend is
        defined there)."""
        return self._reading("backward").support()

    def gap_draws(self, dates: Any = None, *, direction: Direction = "backward") -> xr.DataArray:
        """Trend draws ``(chain=1, draw, group, date)`` in months: on the trend's grid by
        default, else read at ``dates`` (linear between grid dates; NaN with a warning outside
        each group's first .. last point date).

        Parameters
        ----------
        dates : date or list of dates, optional
            Where to read the trend.
        direction : {"backward", "forward"}
            Each gap placed at the open model's date (backward) or at the closed model's
            (forward: the trend is computed on first use, with the same bootstrap seed).

        Returns
        -------
        xarray.DataArray
            The draws.
        """
        reading = self._reading(direction)
        if dates is None:
            return reading.draws.copy()
        support = reading.support()
        return mask_support(
            _read_at(reading.draws, check_dates("dates", dates), list(support)),
            support,
            label=_label(direction),
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
        """The shared gap table (:data:`~irtgap.results.GAP_COLUMNS`) of the trend draws.

        Parameters
        ----------
        dates : date or list of dates, optional
            Where to read the trend (sorted, duplicates dropped): each draw is interpolated
            linearly between grid dates. Dates outside a group's first .. last point date give
            NaN for that group, with a warning naming them (no extrapolation). Default: each
            group's grid dates where its trend is defined.
        ci_prob : float, optional
            Probability of the equal-tailed interval (default: the level the result was
            computed with, 0.9 unless ``threshold_gap(ci_prob=...)`` said otherwise).
        reference_date : date, optional
            Fills ``prob_grew``: share of draws whose gap at ``date`` exceeds that at this date.
        min_defined : float
            Share of draws that must be defined for a summary (0.9).
        direction : {"backward", "forward"}
            Each gap placed at the open model's date (backward: "how long-lived are the gaps a
            top open model closes") or at the closed model's (forward: "how long did open
            models take to catch up with the closed model of that date").

        Returns
        -------
        pandas.DataFrame
            The gap table, one row per date and group.
        """
        reading = self._reading(direction)
        level = self.interval_probability(ci_prob)
        ref = None if reference_date is None else check_date("reference_date", reference_date)
        support = reading.support()
        if dates is None:
            trend = reading.trend
            tables = [
                self._table(
                    reading,
                    pd.DatetimeIndex(trend.loc[trend[D.GROUP] == g, D.DATE]),
                    [g],
                    (level, ref, min_defined),
                    direction,
                )
                for g in support
            ]
            return pd.concat(tables, ignore_index=True)
        when = check_dates("dates", dates)
        return self._table(reading, when, list(support), (level, ref, min_defined), direction)

    def _table(
        self,
        reading: _Reading,
        dates: pd.DatetimeIndex,
        groups: list[str],
        options: tuple[float, pd.Timestamp | None, float],
        direction: str,
    ) -> pd.DataFrame:
        ci_prob, ref, min_defined = options
        at = dates if ref is None else dates.union(pd.DatetimeIndex([ref]))
        support = reading.support()
        table = summarize_gap(
            _read_at(reading.draws, at, groups),
            ci_prob=ci_prob,
            reference_date=ref,
            method=self.method,
            min_defined=min_defined,
            support={g: support[g] for g in groups},
        )
        no_band = [g for g in reading.no_band if g in groups]
        if no_band:
            # one benchmark's points: no resampling spread, so no interval and no prob_grew
            cols = ["lower", "upper", "prob_grew"] if "prob_grew" in table else ["lower", "upper"]
            table.loc[table[D.GROUP].isin(no_band), cols] = np.nan
        return conform_gap_table(table[table[D.DATE].isin(dates)], self.method)

    def plot_points(self, *, ax: Axes | None = None) -> Axes:
        """Gaps over time: points by benchmark (marker by access), trends with bands."""
        return plot_points(self.points, self.trend, ax=ax)

    def plot_benchmark(self, benchmark: str, *, ax: Axes | None = None) -> Axes:
        """Per-benchmark delay timeline, one row per threshold.

        Parameters
        ----------
        benchmark : str
            The benchmark.
        ax : matplotlib.axes.Axes, optional
            Where to draw.

        Returns
        -------
        matplotlib.axes.Axes
            The Axes drawn on.
        """
        last = self.data.scores[D.DATE].max() if self.data is not None else None
        return plot_benchmark(self.points, self.pending, benchmark, last_date=last, ax=ax)

    # -------------------------------------------------------------- persistence
    def _saved_state(self) -> SavedState:
        return SavedState(
            tables={"points": self.points, "pending": self.pending, "trend": self.trend},
            arrays={"trend_draws": self.trend_draws},
            values={
                "acceptance_counts": self.acceptance_counts,
                "no_band": list(self.no_band),
                "rng_state": self.rng_state,
            },
        )

    @classmethod
    def _from_saved_state(
        cls, state: SavedState, data: ScoreData | None, tree: xr.DataTree
    ) -> ThresholdResult:
        saved = dict(state.values["settings"])
        if saved.get("direction", "backward") != "backward":
            raise ValueError(
                "this file holds a forward threshold trend written by an earlier irtgap; refit "
                "with irtgap.threshold_gap and read it with gap(direction='forward')"
            )
        no_band: list[str] = state.values.get("no_band", saved.get("no_band")) or []
        return cls(
            points=state.tables["points"],
            pending=state.tables["pending"],
            trend=state.tables["trend"],
            trend_draws=state.arrays["trend_draws"],
            acceptance_counts=state.values["acceptance_counts"],
            settings=ThresholdSettings.from_dict(saved),
            data=data,
            no_band=tuple(no_band),
            rng_state=state.values.get("rng_state"),
        )


def _label(direction: str) -> str:
    return "threshold gap" if direction == "backward" else f"threshold {direction} gap"


def _check_thresholds(thresholds: Any, data: ScoreData) -> dict[str, np.ndarray] | None:
    if thresholds is None:
        return None
    if not isinstance(thresholds, Mapping):
        raise ScoreDataError(f"thresholds={thresholds!r}: give a dict {{benchmark: [levels]}}")
    check_names("thresholds", list(thresholds), data.benchmarks.index, what="benchmark")
    out = {}
    for b, levels in thresholds.items():
        try:
            arr = np.atleast_1d(np.asarray(levels, float))
        except (TypeError, ValueError) as err:
            raise ScoreDataError(
                f"thresholds[{b!r}]={levels!r}: give a number or a list of numbers"
            ) from err
        if arr.ndim != 1 or not np.isfinite(arr).all():
            raise ScoreDataError(f"thresholds[{b!r}]={levels!r}: give finite numbers")
        out[str(b)] = arr
    return out


def _check_open_filter(open_filter: Any, data: ScoreData) -> set[str] | None:
    if open_filter is None:
        return None
    names = check_names("open_filter", open_filter, data.models.index, what="model")
    closed = [n for n in names if data.models.loc[n, D.WEIGHTS] != D.OPEN]
    if closed:
        raise ScoreDataError(
            f"open_filter: {show_values(map(repr, closed))} are not open models; list open models "
            "only (e.g. data.subset(weights='open', country='China').models.index)"
        )
    return set(names)


def threshold_gap(
    data: ScoreData,
    *,
    thresholds: dict[str, Sequence[float]] | None = None,
    bandwidth_days: float = 60.0,
    grid_days: int = 7,
    n_bootstrap: int = 5000,
    ci_prob: float = 0.9,
    seed: int | np.random.Generator = 0,
    by: By = "access",
    acceptance: Literal["dominance"] | None = "dominance",
    min_shared: int = 4,
    overrides: dict[str, Iterable[tuple[Any, ...]]] | None = None,
    open_filter: Iterable[str] | str | None = None,
    trend_start: str | None = "2023-01-01",
    elicitation: ElicitationLike | None = None,
) -> ThresholdResult:
    """Run the threshold method on ``data`` (see the module docstring).

    Parameters
    ----------
    data : ScoreData
        The scores.
    thresholds : dict, optional
        Per-benchmark threshold lists overriding the defaults (unknown benchmarks raise).
    bandwidth_days, grid_days : float, int
        Kernel sigma (60 days) and grid step (7 days), as in the reference.
    n_bootstrap, ci_prob, seed
        Cluster-bootstrap resamples of the benchmarks (5,000; 0 gives the point trend only, with
        NaN intervals and the point as the single draw), band level (0.9), seed (0).
    by : {"access", "category", "domain", None}
        Trend groups besides "all": public / private (benchmarks of unknown access stay in
        "all" only, with a warning), coding / math / other, or one group per domain of the
        benchmark metadata (a domain with fewer than two accepted trend points gets no trend,
        with a warning naming it and its count).
    acceptance : {"dominance", None}
        The automatic rejection rule (None: accept every point).
    min_shared : int
        Shared benchmarks the dominance rule needs (4).
    overrides : dict, optional
        ``{"accept": [...], "reject": [...]}`` keys ``(benchmark, threshold)`` or
        ``(benchmark, closed_model, open_model)``; applied after the rule. Unknown benchmarks
        raise; keys that match no datapoint are reported with a warning.
    open_filter : str or iterable of str, optional
        Only these open models count (e.g. open models from China:
        ``data.subset(weights="open", country="China").models.index``). A single string is one
        model; names that are not open models of the data raise.
    trend_start : str or None
        Points placed before this date stay in :attr:`ThresholdResult.points` but out of the trend
        (default 2023-01-01, the reference's period: before it, a handful of points far apart
        would each make their own trend).
    elicitation : str, mapping or ElicitationRule, optional
        Which harness's score of a pair the method reads (``"best"``, ``"reference"``, a
        harness name, ``{benchmark: harness}``; None: the data as given), as
        :func:`~irtgap.data.elicitation.elicited` says; kept as ``settings.elicitation``.

    Returns
    -------
    ThresholdResult
        The points, the backward trend and its draws; ``gap(direction="forward")`` reads the
        forward trend (computed on first use with the same bootstrap seed).

    Raises
    ------
    ScoreDataError
        An invalid option (named in the message), or too few datapoints for a trend.

    Examples
    --------
    On the bundled data, with 50 bootstrap resamples instead of 5,000 to keep it quick:

    >>> import irtgap
    >>> data = irtgap.load_dataset()
    >>> th = irtgap.threshold_gap(data, n_bootstrap=50, seed=0)
    >>> table = th.gap(["2025-01-20"])  # the shared gap table, one row per group
    >>> table[["date", "group", "n_defined", "method"]]
            date    group  n_defined     method
    0 2025-01-20      all         50  threshold
    1 2025-01-20   public         50  threshold
    2 2025-01-20  private         50  threshold
    >>> bool(((table["lower"] <= table["median"]) & (table["median"] <= table["upper"])).all())
    True
    """
    check_choice("by", by, ("access", "category", "domain", None))
    check_choice("acceptance", acceptance, ("dominance", None))
    bandwidth_days = check_number("bandwidth_days", bandwidth_days, above=0.0)
    grid_days = check_count("grid_days", grid_days, minimum=1)
    n_bootstrap = check_count("n_bootstrap", n_bootstrap, minimum=0)
    ci_prob = check_level("ci_prob", ci_prob)
    seed = check_seed("seed", seed, generator=True)
    min_shared = check_count("min_shared", min_shared, minimum=1)
    start = None if trend_start is None else check_date("trend_start", trend_start)
    data = elicited(data, elicitation, method="threshold_gap")
    levels = _check_thresholds(thresholds, data)
    opens = _check_open_filter(open_filter, data)
    keys = _check_overrides(overrides, data)
    data.check(connected=False, both_sides=True)
    points, pending = _crossings(data, levels, opens)
    counts = {"dominance": 0, "override_reject": 0, "override_accept": 0}
    if points.empty:
        raise ScoreDataError("no threshold was crossed by both an open and a closed model")
    access = data.benchmarks["access"]
    points["access"] = points[D.BENCHMARK].map(access).to_numpy()
    points["accepted"] = True
    points["reason"] = ""
    if acceptance == "dominance":
        rej, reasons = _dominance_reject(data, points, min_shared)
        points.loc[rej, "accepted"] = False
        points.loc[rej, "reason"] = np.asarray(reasons, dtype=object)[rej]
        counts["dominance"] = int(rej.sum())
    rej = _key_match(points, keys.get("reject", [])) & points["accepted"].to_numpy()
    points.loc[rej, ["accepted", "reason"]] = [False, "rejected by override"]
    counts["override_reject"] = int(rej.sum())
    acc = _key_match(points, keys.get("accept", [])) & ~points["accepted"].to_numpy()
    points.loc[acc, ["accepted", "reason"]] = [True, "accepted by override"]
    counts["override_accept"] = int(acc.sum())

    points["date"] = points["open_date"]  # the backward reading; gap(direction=) reads both
    late = np.ones(len(points), bool) if start is None else (points["date"] >= start).to_numpy()
    groups = _groups(points, data, by, late)
    if "all" not in groups:
        raise ScoreDataError(
            "fewer than two accepted datapoints for the trend"
            + (f" on or after trend_start={trend_start!r}" if start is not None else "")
        )
    rng = np.random.default_rng(seed)
    rng_state = dict(rng.bit_generator.state)  # a copy: the forward reading starts from it too
    trend, draws, no_band = _trend(
        points, groups, bandwidth_days, grid_days, n_bootstrap, ci_prob, rng
    )
    settings = ThresholdSettings(
        bandwidth_days=bandwidth_days,
        grid_days=grid_days,
        n_bootstrap=n_bootstrap,
        ci_prob=ci_prob,
        seed=seed if isinstance(seed, int) else None,
        by=by,
        acceptance=acceptance,
        min_shared=min_shared,
        trend_start=None if start is None else str(start.date()),
        elicitation=rule_used(data),
    )
    return ThresholdResult(
        points, pending, trend, draws, counts, settings, data, tuple(no_band), rng_state
    )


def _groups(
    points: pd.DataFrame, data: ScoreData, by: By, late: np.ndarray
) -> dict[str, np.ndarray]:
    ok = points["accepted"].to_numpy() & late
    out = {"all": ok}
    if by == "access":
        for a in ("public", "private"):
            out[a] = ok & (points["access"] == a).to_numpy()
        unknown = ok & ~points["access"].isin(["public", "private"]).to_numpy()
        if unknown.any():
            names = sorted(points.loc[unknown, D.BENCHMARK].unique())
            warn_user(
                f"{int(unknown.sum())} trend datapoint(s) on benchmark(s) of unknown access "
                f"({show_values(names)}) are in group 'all' but in neither 'public' nor 'private'; "
                "declare their access (public / private) in the benchmark metadata",
                DroppedRowsWarning,
            )
    elif by == "category":
        meta = data.benchmarks
        domain = meta.get("domain", pd.Series(pd.NA, index=meta.index, dtype="object"))
        # the snapshot's is_coding / is_math flags where given, else the registry's domain
        coding = meta.get("is_coding", domain == "coding-agents").fillna(domain == "coding-agents")
        math = meta.get("is_math", domain == "math").fillna(domain == "math")
        cat = np.where(coding.astype(bool), "coding", np.where(math.astype(bool), "math", "other"))
        cats = pd.Series(cat, index=meta.index).reindex(points[D.BENCHMARK]).to_numpy()
        for c in ("coding", "math", "other"):
            out[c] = ok & (cats == c)
    elif by == "domain":
        domain = data.benchmarks.get(D.DOMAIN)
        if domain is None or domain.isna().all():
            raise ScoreDataError(
                "by='domain': the benchmark metadata have no 'domain' column; give one "
                "(ScoreData.from_frame(benchmarks=...)) or use by='category'"
            )
        dom = domain.reindex(points[D.BENCHMARK]).to_numpy()
        names = sorted(str(d) for d in pd.unique(domain.dropna()))
        if "all" in names:
            raise ScoreDataError(
                "by='domain': a domain is named 'all', the name of the overall trend; rename it "
                "in the benchmark metadata's 'domain' column"
            )
        for d in names:
            out[d] = ok & (dom == d)
        few = {d: int(out[d].sum()) for d in names if out[d].sum() < 2}
        if few:
            warn_user(
                "threshold_gap(by='domain'): no trend for "
                + ", ".join(
                    f"{d!r} ({n} accepted point(s) in the trend period)" for d, n in few.items()
                )
                + "; a trend needs at least 2",
                UserWarning,
            )
    return {k: v for k, v in out.items() if v.sum() >= 2}


def _trend(
    points: pd.DataFrame,
    groups: dict[str, np.ndarray],
    bandwidth_days: float,
    grid_days: int,
    n_bootstrap: int,
    ci_prob: float,
    seed: int | np.random.Generator,
) -> tuple[pd.DataFrame, xr.DataArray, list[str]]:
    rng = np.random.default_rng(seed)
    x_all = to_days(points["date"])
    y_all = points["gap_months"].to_numpy(float)
    bench_all = points[D.BENCHMARK].to_numpy()
    dates = points["date"]
    start = pd.Timestamp(dates[groups["all"]].min())
    end = pd.Timestamp(dates[groups["all"]].max())
    ends = [pd.Timestamp(dates[m].agg(f)) for m in groups.values() for f in ("min", "max")]
    grid = pd.date_range(start, end, freq=f"{grid_days}D").union(pd.DatetimeIndex(ends).unique())
    g_days = to_days(grid)
    # without bootstrap, the draws hold the point trend once (intervals are then NaN)
    draws = np.full((max(n_bootstrap, 1), len(groups), len(grid)), np.nan)
    rows, no_band = [], []
    for k, (name, mask) in enumerate(groups.items()):
        x, y = x_all[mask], y_all[mask]
        w = kernel_weights(x, g_days, bandwidth_days)
        inside = (g_days >= x.min()) & (g_days <= x.max())
        point = smooth(y, w)
        codes, clusters = pd.factorize(bench_all[mask])
        lo = hi = np.full(int(inside.sum()), np.nan)
        if n_bootstrap and len(clusters) >= 2:
            n_c = len(clusters)
            picks = rng.multinomial(n_c, np.full(n_c, 1 / n_c), size=n_bootstrap)
            with np.errstate(invalid="ignore", divide="ignore"):
                boot = smooth(y, w, picks[:, codes].astype(float))
            boot[:, ~inside] = np.nan
            draws[:, k, :] = boot
            lo, hi = np.nanquantile(
                boot[:, inside], [(1 - ci_prob) / 2, 1 - (1 - ci_prob) / 2], axis=0
            )
        else:
            draws[:, k, inside] = point[inside]
            if n_bootstrap:
                no_band.append(str(name))
        eff = w.sum(0)
        rows.append(
            pd.DataFrame(
                {
                    D.DATE: grid[inside],
                    D.GROUP: name,
                    "gap": point[inside],
                    "lower": lo,
                    "upper": hi,
                    "n_points": eff[inside],
                }
            )
        )
    if no_band:
        warn_user(
            f"trend group(s) {no_band} have datapoints on a single benchmark: the cluster "
            "bootstrap over benchmarks cannot give them a band, so lower and upper are NaN",
            UserWarning,
        )
    da = gap_dataarray(draws, dates=grid, groups=list(groups), chains=1)
    return pd.concat(rows, ignore_index=True), da, no_band
