"""The threshold method: first open vs first closed model to cross each score level.

Reference: H. T. Ihle, "How far behind are open models?" (2026). For each benchmark and each score
threshold (every 0.05 from 0.05 on fraction benchmarks; log-spaced levels on other scales), the
first closed model with a score at or above the threshold and the first open model likewise
(earliest release date; ties on the date go to the higher score, then the model id). The gap is
the open date minus the closed date in months (days / (365.25 / 12)); negative gaps are kept.

* **Backward** (default): each gap is placed at the open model's date and answers "how long-lived
  are the gaps a top open model closes".
* **Forward**: placed at the closed model's date, it answers "how long did open models take to
  catch up with the closed model of that date".

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
``grid_days`` grid, per group (public / private / all), with a band from ``n_bootstrap`` resamples
of the points (with replacement, within each group; ``numpy.random.default_rng(seed)``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
import xarray as xr

from irtgap import _dims as D
from irtgap.gaps import Direction, gap_dataarray, summarize_gap, to_days
from irtgap.scoredata import ScoreData

if TYPE_CHECKING:
    from matplotlib.axes import Axes

By = Literal["access", "category"] | None


def default_thresholds(scale: str, scores: np.ndarray) -> np.ndarray:
    """Every 0.05 from 0.05 to 1 on fractions; powers of two (from the data's range) otherwise."""
    if scale == "fraction":
        return np.round(np.arange(1, 21) * 0.05, 2)
    pos = scores[scores > 0]
    if pos.size == 0:
        return np.array([])
    lo, hi = np.floor(np.log2(pos.min())), np.ceil(np.log2(pos.max()))
    return 2.0 ** np.arange(lo, hi + 1)


def _first(sub: pd.DataFrame) -> pd.Series | None:
    if sub.empty:
        return None
    return sub.sort_values([D.DATE, D.SCORE, D.MODEL], ascending=[True, False, True]).iloc[0]


def _crossings(
    data: ScoreData, thresholds: dict[str, Sequence[float]] | None, open_models: set[str] | None
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
        for tau in levels:
            c = _first(closed[closed[D.SCORE] >= tau - 1e-12])
            o = _first(opened[opened[D.SCORE] >= tau - 1e-12])
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
                ci, xi = np.argwhere(hit)[0]
                reject[i] = True
                reasons[i] = (
                    f"{s} model {names[cand[ci]]} (not evaluated here, released earlier) "
                    f"matches or beats crosser {names[crossed[xi]]} on {n_shared[ci, xi]} "
                    "shared benchmarks"
                )
                break
    return reject, reasons


def _key_match(points: pd.DataFrame, keys: Iterable[tuple[Any, ...]]) -> np.ndarray:
    out = np.zeros(len(points), bool)
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
        out |= m.to_numpy()
    return out


def kernel_weights(x_days: np.ndarray, grid_days: np.ndarray, bandwidth_days: float) -> np.ndarray:
    """Gaussian kernel weights, shape (n_points, n_grid)."""
    z = (grid_days[None, :] - x_days[:, None]) / bandwidth_days
    return np.exp(-0.5 * z**2)


def smooth(y: np.ndarray, w: np.ndarray, counts: np.ndarray | None = None) -> np.ndarray:
    """Kernel-weighted mean on the grid; ``counts`` (n_samples, n_points) gives resamples."""
    if counts is None:
        return (y @ w) / w.sum(0)
    return (counts @ (w * y[:, None])) / (counts @ w)


@dataclass
class ThresholdResult:
    """Result of :func:`threshold_gap` (see the module docstring for the method).

    Attributes
    ----------
    points : DataFrame
        One row per deduplicated (benchmark, closed model, open model) datapoint.
    pending : DataFrame
        Thresholds crossed by one side only, with the months pending at the last date.
    trend : DataFrame
        ``date, group, gap, lower, upper, n_points`` (point smoother and bootstrap band).
    draws : xarray.DataArray
        Bootstrap trend draws ``(chain=1, draw, group, date)``, the shared result shape.
    acceptance_counts : dict
        Points removed by each rule.
    """

    points: pd.DataFrame
    pending: pd.DataFrame
    trend: pd.DataFrame
    draws: xr.DataArray
    acceptance_counts: dict[str, int]
    settings: dict[str, Any] = field(default_factory=dict)
    data: ScoreData | None = field(default=None, repr=False)

    def gap(
        self, dates: Any = None, *, ci: float | None = None, reference_date: Any = None
    ) -> pd.DataFrame:
        """The shared gap table at ``dates`` (nearest grid date; all grid dates by default)."""
        da = self.draws
        if dates is not None:
            da = da.sel({D.DATE: pd.DatetimeIndex(pd.to_datetime(dates))}, method="nearest")
            da = da.assign_coords({D.DATE: pd.DatetimeIndex(pd.to_datetime(dates))})
        return summarize_gap(
            da,
            ci=ci or self.settings.get("ci", 0.9),
            reference_date=reference_date,
            method="threshold",
        )

    def summary(self) -> pd.DataFrame:
        """Smoothed gap at the last grid date per group, with counts."""
        last = self.trend.sort_values(D.DATE).groupby(D.GROUP).tail(1).set_index(D.GROUP)
        return last[[D.DATE, "gap", "lower", "upper", "n_points"]]

    def plot_gaps(self, ax: Axes | None = None) -> Axes:
        """Gaps over time: points by benchmark (marker by access), trends with bands."""
        from irtgap.threshold_plots import plot_gaps

        return plot_gaps(self, ax=ax)

    def plot_benchmark(self, benchmark: str, ax: Axes | None = None) -> Axes:
        """Per-benchmark delay timeline, one row per threshold."""
        from irtgap.threshold_plots import plot_benchmark

        return plot_benchmark(self, benchmark, ax=ax)


def threshold_gap(
    data: ScoreData,
    *,
    thresholds: dict[str, Sequence[float]] | None = None,
    direction: Direction = "backward",
    bandwidth_days: float = 60.0,
    grid_days: int = 7,
    n_bootstrap: int = 5000,
    ci: float = 0.9,
    seed: int | np.random.Generator = 0,
    by: By = "access",
    acceptance: Literal["dominance"] | None = "dominance",
    min_shared: int = 4,
    overrides: dict[str, Iterable[tuple[Any, ...]]] | None = None,
    open_filter: Iterable[str] | None = None,
    trend_start: str | None = "2023-01-01",
) -> ThresholdResult:
    """Run the threshold method on ``data`` (see the module docstring).

    Parameters
    ----------
    thresholds : dict, optional
        Per-benchmark threshold lists overriding the defaults.
    direction : {"backward", "forward"}
        Where a gap is placed in time (open model's date, or closed model's date).
    bandwidth_days, grid_days : float, int
        Kernel sigma (60 days) and grid step (7 days), as in the reference.
    n_bootstrap, ci, seed
        Bootstrap resamples of the points (5,000; 0 gives the point trend only, with NaN
        intervals and the point as the single draw), band level (0.9), seed (0).
    by : {"access", "category", None}
        Trend groups besides "all": public / private, or coding / math / other.
    acceptance : {"dominance", None}
        The automatic rejection rule (None: accept every point).
    overrides : dict, optional
        ``{"accept": [...], "reject": [...]}`` keys ``(benchmark, threshold)`` or
        ``(benchmark, closed_model, open_model)``; applied after the rule.
    open_filter : iterable of str, optional
        Only these open models count (e.g. open models from China:
        ``data.subset(weights="open", country="China").models.index``).
    trend_start : str or None
        Points placed before this date stay in :attr:`ThresholdResult.points` but out of the trend
        (default 2023-01-01, the reference's period: before it, a handful of points far apart
        would each make their own trend).
    """
    if direction not in ("backward", "forward"):
        raise ValueError(f"direction={direction!r}: use 'backward' or 'forward'")
    if by not in ("access", "category", None):
        raise ValueError(f"by={by!r}: use 'access', 'category' or None")
    if not 0 < ci < 1:
        raise ValueError(f"ci={ci}: must lie in (0, 1)")
    if thresholds:
        unknown = sorted(set(thresholds) - set(data.benchmarks.index))
        if unknown:
            raise ValueError(f"thresholds given for unknown benchmark(s) {unknown}")
    data.check(connected=False, both_sides=True)
    points, pending = _crossings(data, thresholds, set(open_filter) if open_filter else None)
    counts = {"dominance": 0, "override_reject": 0, "override_accept": 0}
    if points.empty:
        raise ValueError("no threshold was crossed by both an open and a closed model")
    access = data.benchmarks["access"]
    points["access"] = points[D.BENCHMARK].map(access).to_numpy()
    points["accepted"] = True
    points["reason"] = ""
    if acceptance == "dominance":
        rej, reasons = _dominance_reject(data, points, min_shared)
        points.loc[rej, "accepted"] = False
        points.loc[rej, "reason"] = np.asarray(reasons, dtype=object)[rej]
        counts["dominance"] = int(rej.sum())
    elif acceptance is not None:
        raise ValueError(f"acceptance={acceptance!r}: use 'dominance' or None")
    overrides = overrides or {}
    rej = _key_match(points, overrides.get("reject", [])) & points["accepted"].to_numpy()
    points.loc[rej, ["accepted", "reason"]] = [False, "rejected by override"]
    counts["override_reject"] = int(rej.sum())
    acc = _key_match(points, overrides.get("accept", [])) & ~points["accepted"].to_numpy()
    points.loc[acc, ["accepted", "reason"]] = [True, "accepted by override"]
    counts["override_accept"] = int(acc.sum())

    points["date"] = points["open_date" if direction == "backward" else "closed_date"]
    groups = _groups(points, data, by)
    if trend_start is not None:
        late = (points["date"] >= pd.Timestamp(trend_start)).to_numpy()
        groups = {k: v & late for k, v in groups.items() if (v & late).sum() >= 2}
    if "all" not in groups:
        raise ValueError("fewer than two accepted datapoints for the trend")
    trend, draws = _trend(points, groups, bandwidth_days, grid_days, n_bootstrap, ci, seed)
    settings = dict(
        direction=direction,
        bandwidth_days=bandwidth_days,
        grid_days=grid_days,
        n_bootstrap=n_bootstrap,
        ci=ci,
        seed=seed if isinstance(seed, int) else None,
        by=by,
    )
    return ThresholdResult(points, pending, trend, draws, counts, settings, data)


def _groups(points: pd.DataFrame, data: ScoreData, by: By) -> dict[str, np.ndarray]:
    ok = points["accepted"].to_numpy()
    out = {"all": ok}
    if by == "access":
        for a in ("public", "private"):
            out[a] = ok & (points["access"] == a).to_numpy()
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
    return {k: v for k, v in out.items() if v.sum() >= 2}


def _trend(
    points: pd.DataFrame,
    groups: dict[str, np.ndarray],
    bandwidth_days: float,
    grid_days: int,
    n_bootstrap: int,
    ci: float,
    seed: int | np.random.Generator,
) -> tuple[pd.DataFrame, xr.DataArray]:
    rng = np.random.default_rng(seed)
    x_all = to_days(points["date"])
    y_all = points["gap_months"].to_numpy(float)
    start = pd.Timestamp(points.loc[groups["all"], "date"].min())
    end = pd.Timestamp(points.loc[groups["all"], "date"].max())
    grid = pd.date_range(start, end, freq=f"{grid_days}D")
    g_days = to_days(grid)
    # without bootstrap, the draws hold the point trend once (intervals are then NaN)
    draws = np.full((max(n_bootstrap, 1), len(groups), len(grid)), np.nan)
    rows = []
    for k, (name, mask) in enumerate(groups.items()):
        x, y = x_all[mask], y_all[mask]
        w = kernel_weights(x, g_days, bandwidth_days)
        inside = (g_days >= x.min()) & (g_days <= x.max())
        point = smooth(y, w)
        counts = rng.multinomial(len(y), np.full(len(y), 1 / len(y)), size=n_bootstrap)
        with np.errstate(invalid="ignore", divide="ignore"):
            boot = smooth(y, w, counts.astype(float))
        boot[:, ~inside] = np.nan
        if n_bootstrap:
            draws[:, k, :] = boot
            lo, hi = np.nanquantile(boot[:, inside], [(1 - ci) / 2, 1 - (1 - ci) / 2], axis=0)
        else:
            draws[0, k, inside] = point[inside]
            lo = hi = np.full(int(inside.sum()), np.nan)
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
    da = gap_dataarray(draws, dates=grid, groups=list(groups), chains=1)
    return pd.concat(rows, ignore_index=True), da


def report_section(data: ScoreData, out_dir: Any, *, fast: bool = False, seed: int = 0) -> str:
    """Threshold section of ``irtgap report``: the two figures and the current-gap table."""
    from irtgap.report import _save, _table

    res = threshold_gap(data, n_bootstrap=500 if fast else 5000, seed=seed)
    gaps_png = _save(res.plot_gaps(), out_dir / "threshold_gaps.png")
    bench = (
        "GPQA diamond" if "GPQA diamond" in data.benchmarks.index else data.coords[D.BENCHMARK][0]
    )
    bench_png = _save(res.plot_benchmark(bench), out_dir / "threshold_gpqa.png")
    last = res.trend.sort_values(D.DATE).groupby(D.GROUP).tail(1).set_index(D.GROUP)
    at_r1 = res.gap(["2025-01-20"]).set_index(D.GROUP)
    table = pd.DataFrame(
        {
            "gap at last date": last["gap"],
            "lower": last["lower"],
            "upper": last["upper"],
            "last date": last[D.DATE].dt.date,
            "bootstrap median at 2025-01-20": at_r1["median"],
        }
    )
    c = res.acceptance_counts
    n_open_pending = int((res.pending.get("leader") == D.CLOSED).sum()) if len(res.pending) else 0
    return "\n\n".join(
        [
            "## Threshold method (Ihle, 2026)",
            "First closed vs first open model to reach each score level on each benchmark; the gap "
            "is the difference of their release dates, placed at the open model's date, smoothed "
            "with a 60-day Gaussian kernel; 90% band from bootstrap resamples of the points.",
            _table(table),
            f"{len(res.points)} datapoints, {int(res.points['accepted'].sum())} accepted; "
            f"rejected by the dominance rule: {c['dominance']}, by override: "
            f"{c['override_reject']}; thresholds still open-pending: {n_open_pending}.",
            f"![threshold gaps]({gaps_png})",
            f"![{bench} timeline]({bench_png})",
        ]
    )
