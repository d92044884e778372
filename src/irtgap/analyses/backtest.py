"""Real-time vintages of every method's gap, and how far the gap today can be trusted.

Like real-time data vintages in macroeconomic nowcasting, :func:`backtest` refits every method
on the data *as known* at past cutoffs and compares what it said then with what it says on all
the data (the *later* estimate):

* the **vintage** at cutoff ``c`` (:func:`vintage`) keeps the models released by ``c`` and the
  benchmarks released by ``c`` (a benchmark whose release date is unknown is kept), then the
  benchmarks scored by at least two of those models and the largest connected piece of the
  model x benchmark graph;
* each method is refitted on it through the method registry
  (:func:`irtgap.methods.registry.run_method`, the ``budget`` tier; Epoch's rule is read from
  the same ECI fit), and its headline gap read (:func:`irtgap.analyses.nowcast.read_gap`) at
  four dates: ``lookback`` (``horizon_months`` before ``c``), ``edge`` (the vintage's last date
  with data), ``nowcast`` (``c`` itself, past the last model released before it: a projection
  for the Bayesian fit, NaN with the reason for the methods that cannot project) and
  ``forecast`` (``horizon_months`` after ``c``: likewise);
* the same method on all the data gives the later median at each date (NaN where the date lies
  outside the full data: no later estimate to compare with);
* per row: the **revision** (real-time median minus later median), whether the real-time
  interval **covers** the later median, and whether the method **answered** (gave a number).

**Leakage.** The export carries release dates, not evaluation dates: the scores of a model
released before a cutoff include evaluations run after it (an old model scored on a benchmark
later), so a vintage knows more than anyone knew at its cutoff, and its revisions are smaller
than real-time ones were (:data:`CAVEAT`, also in :attr:`BacktestResult.caveat`).

ECI-style fits need two scale anchors (Claude 3.5 Sonnet = 130, GPT-5 = 150 on Epoch's scale).
Where a vintage lacks one (GPT-5 before its release), the closed model with the lowest (for 130)
or the highest (for 150) point-fit capability in the vintage stands in, and the row's note says
so; an affine scale with a positive slope does not change the gap in months. Where the anchor
benchmark (Winogrande) has no scores, the benchmark scored by most models anchors instead.

The fits fan out through :func:`irtgap.core.parallel.map_tasks` (``n_jobs``, ``backend``),
the Bayesian ones last; every fit's warnings are kept in :attr:`BacktestResult.fits`.

Examples
--------
>>> import irtgap
>>> sim = irtgap.simulate(seed=2, n_closed=20, n_open=20, n_benchmarks=6, density=0.6)
>>> bt = irtgap.backtest(sim.data, cutoffs=["2024-06-01", "2025-01-01"],
...                      methods=["threshold", "composite"], budget="fast")
>>> sorted(bt.table["kind"].unique())
['edge', 'forecast', 'lookback', 'nowcast']
>>> list(bt.summary().columns)
['n', 'answered', 'n_compared', 'revision_rmse', 'mean_revision', 'coverage', 'mean_width']
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd

from irtgap.analyses.nowcast import can_project, read_gap
from irtgap.core import dims as D
from irtgap.core.errors import ScoreDataError
from irtgap.core.parallel import Progress, check_backend, map_tasks
from irtgap.core.score_table import benchmark_components
from irtgap.core.validate import check_count, check_date, check_dates
from irtgap.data.scoredata import ScoreData
from irtgap.methods.registry import (
    TIERS,
    base_method,
    derived_result,
    get_method,
    method_names,
    run_method,
)
from irtgap.plotting.backtest import plot_vintages as _plot_vintages
from irtgap.results import GapResult

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: What a vintage cannot undo (see the module docstring).
CAVEAT: Final = (
    "The export has release dates, not evaluation dates: a vintage keeps the models and "
    "benchmarks released by its cutoff, but their scores include evaluations run after it (old "
    "models scored on a benchmark later), so each vintage knows more than was known at its "
    "cutoff and the revisions and coverage here are more favourable than real time was."
)
#: The readings of each vintage, in order.
KINDS: Final = ("lookback", "edge", "nowcast", "forecast")
#: Columns of :attr:`BacktestResult.table`, in order.
TABLE_COLUMNS: Final = (
    "method",
    "cutoff",
    D.DATE,
    "kind",
    "realtime_median",
    "realtime_lower",
    "realtime_upper",
    "later_median",
    "revision",
    "covered",
    "answered",
    "note",
)
#: The methods run by default (the Bayesian fit is opt-in: it takes minutes per vintage).
DEFAULT_METHODS: Final = ("threshold", "eci", "eci_epoch", "elo", "composite")


# ------------------------------------------------------------------------------ vintages
def vintage(data: ScoreData, cutoff: Any) -> tuple[ScoreData, str]:
    """The data as known at ``cutoff`` (see the module docstring), and what was left out.

    Parameters
    ----------
    data : ScoreData
        All the data.
    cutoff : date-like
        The cutoff.

    Returns
    -------
    tuple
        The vintage (a :class:`ScoreData`) and a sentence saying what it holds.

    Raises
    ------
    ScoreDataError
        No model released by the cutoff.
    """
    when = check_date("cutoff", cutoff)
    released = pd.to_datetime(data.benchmarks.get("release_date"), errors="coerce")
    later = [] if released is None else list(data.benchmarks.index[released > when])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # what is left out is counted below
        sub = data.subset(end=when)
        if later:
            keep = sorted(set(sub.benchmarks.index) - set(later))
            sub = sub.subset(benchmarks=keep) if keep else sub.subset(benchmarks=[])
        sub = sub.subset(min_models_per_benchmark=2)
        pieces = benchmark_components(sub.scores)
        if len(pieces) > 1:
            sub = sub.subset(benchmarks=pieces[0]["benchmarks"])
    note = (
        f"models released by {when.date()}: {sub.n_models} of {data.n_models}; benchmarks: "
        f"{sub.n_benchmarks} of {data.n_benchmarks} ({len(later)} released later"
        + (f", {len(pieces) - 1} disconnected piece(s) left out" if len(pieces) > 1 else "")
        + ")"
    )
    return sub, note


def _warn_late_cutoffs(data: ScoreData, cutoffs: pd.DatetimeIndex) -> None:
    """Warn about cutoffs on or after the data's last release: their vintage is all the data."""
    last = pd.Timestamp(data.models[D.DATE].max())
    late = cutoffs[cutoffs >= last]
    if len(late):
        warnings.warn(
            f"backtest: cutoff(s) {', '.join(str(c.date()) for c in late)} on or after the "
            f"last release in the data ({last.date()}): their vintage is all the data, so "
            "their revisions are 0 and their intervals cover the full-data estimate by "
            f"construction; choose cutoffs before {last.date()} (as default_cutoffs does)",
            UserWarning,
            stacklevel=3,
        )


def default_cutoffs(data: ScoreData, *, horizon_months: int = 6, n: int = 8) -> pd.DatetimeIndex:
    """``n`` quarter starts ending at least ``horizon_months`` before the data's last date.

    Parameters
    ----------
    data : ScoreData
        The data.
    horizon_months : int
        Months that must remain after the last cutoff (so that forecasts have a later estimate).
    n : int
        How many cutoffs.

    Returns
    -------
    pandas.DatetimeIndex
    """
    last = data.scores[D.DATE].max() - pd.DateOffset(months=horizon_months)
    end = pd.Timestamp(year=last.year, month=3 * ((last.month - 1) // 3) + 1, day=1)
    return pd.date_range(end=end, periods=n, freq="3MS")


# ------------------------------------------------------------------------------ ECI anchors
def eci_vintage_options(data: ScoreData) -> tuple[dict[str, Any], str]:
    """ECI options for a vintage that may lack the anchor benchmark or the scale anchors.

    Parameters
    ----------
    data : ScoreData
        The vintage.

    Returns
    -------
    tuple
        ``fit_eci`` options (empty when the defaults exist) and a note saying what stood in.
    """
    from irtgap.methods.eci import SCALE_ANCHORS, build_problem

    fixed: dict[str, Any] = {"min_benchmarks": 4, "since": "2023-01-01", "merge_variants": True}
    fixed.update(regularization=0.1, benchmarks="eci")
    options: dict[str, Any] = {}
    notes = []
    anchor = "Winogrande"
    try:
        prob, _, models, _ = build_problem(data, anchor_benchmark=anchor, **fixed)
    except ScoreDataError:
        frac = data.scores[data.scores[D.BENCHMARK].isin(data.fraction_benchmarks())]
        anchor = str(frac.groupby(D.BENCHMARK)[D.MODEL].nunique().idxmax())
        prob, _, models, _ = build_problem(data, anchor_benchmark=anchor, **fixed)
        options["anchor_benchmark"] = anchor
        notes.append(f"ECI anchor benchmark {anchor} (no Winogrande scores)")
    present = {m: v for m, v in SCALE_ANCHORS.items() if m in models.index}
    if len(present) == len(SCALE_ANCHORS):
        return options, "; ".join(notes)
    c = pd.Series(prob.unpack(prob.solve(max_iter=200))[0], index=models.index)
    closed = c[models[D.WEIGHTS] == D.CLOSED].sort_values()
    (low, v_low), (high, v_high) = sorted(SCALE_ANCHORS.items(), key=lambda kv: kv[1])
    low = low if low in present else str(closed.index[0])
    high = high if high in present else str(closed.drop(low, errors="ignore").index[-1])
    if not c[high] > c[low]:  # a present anchor above every other closed model
        high = str(closed.index[-1]) if closed.index[-1] != low else high
    missing = [m for m in SCALE_ANCHORS if m not in present]
    options["scale_anchors"] = {low: v_low, high: v_high}
    notes.append(
        f"ECI scale anchors {low} = {v_low:g}, {high} = {v_high:g} ({', '.join(missing)} not in "
        "this vintage; the gap in months does not depend on the anchors)"
    )
    return options, "; ".join(notes)


def _method_options(base: str, data: ScoreData) -> tuple[dict[str, Any], str]:
    """Options a vintage needs beyond the budget's (the ECI fit's anchors), with a note."""
    if base == "eci":
        return eci_vintage_options(data)
    return {}, ""


# ------------------------------------------------------------------------------ one fit
@dataclass
class _Fit:
    """What one task returns: per method, its result (the final fit) or its readings."""

    base: str
    cutoff: pd.Timestamp | None
    results: dict[str, GapResult] = field(default_factory=dict)
    readings: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    curves: dict[str, pd.DataFrame] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)


def _curve(result: GapResult, group: str, until: pd.Timestamp | None) -> pd.DataFrame:
    """The headline gap on a monthly grid over the data (and projected to ``until``)."""
    first, last = (pd.Timestamp(t) for t in result.group_support()[group])
    grid = pd.date_range(first.normalize(), last, freq="MS").union(pd.DatetimeIndex([last]))
    parts = [(grid, False)]
    if until is not None and until > last and can_project(result):
        ahead = pd.date_range(last + pd.Timedelta(days=1), until, freq="MS")
        parts.append((ahead.union(pd.DatetimeIndex([until])), True))
    frames = []
    for dates, projected in parts:
        extra: dict[str, Any] = {"extrapolate": True} if projected else {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            table = result.gap(dates, **extra)
        if group not in set(table[D.GROUP]):
            table = result.gap(dates, **{**extra, **get_method(result.method).summary_options})
        table = table[table[D.GROUP] == group]
        frames.append(table[[D.DATE, "median", "lower", "upper"]].assign(projected=projected))
    return pd.concat(frames, ignore_index=True)


def _readings(result: GapResult, cutoff: pd.Timestamp, horizon: int) -> list[dict[str, Any]]:
    group = get_method(result.method).headline_group
    edge = pd.Timestamp(result.group_support()[group][1])
    dates = {
        "lookback": cutoff - pd.DateOffset(months=horizon),
        "edge": edge,
        "nowcast": cutoff,
        "forecast": cutoff + pd.DateOffset(months=horizon),
    }
    rows = []
    for kind, when in dates.items():
        r = read_gap(result, when, group=group)
        rows.append({"kind": kind, D.DATE: when, "median": r.median, "lower": r.lower})
        rows[-1].update(upper=r.upper, note=r.note)
    return rows


def _no_readings(cutoff: pd.Timestamp, horizon: int, why: str) -> list[dict[str, Any]]:
    """The four readings of a vintage without a fit: NaN, with the reason."""
    nan = float("nan")
    dates = {
        "lookback": cutoff - pd.DateOffset(months=horizon),
        "edge": cutoff,
        "nowcast": cutoff,
        "forecast": cutoff + pd.DateOffset(months=horizon),
    }
    return [
        {"kind": k, D.DATE: d, "median": nan, "lower": nan, "upper": nan, "note": why}
        for k, d in dates.items()
    ]


def _read(out: _Fit, name: str, res: GapResult, horizon: int) -> None:
    """Keep ``res`` (all the data) or its readings (a vintage), with its curve; a result that
    cannot be read (no open model after the method's filters, ...) gets NaN with the reason."""
    cutoff = out.cutoff
    try:
        until = None if cutoff is None else cutoff + pd.DateOffset(months=horizon)
        out.curves[name] = _curve(res, get_method(name).headline_group, until)
        if cutoff is None:
            out.results[name] = res
        else:
            out.readings[name] = _readings(res, cutoff, horizon)
    except (ScoreDataError, ValueError) as exc:
        why = f"no reading: {type(exc).__name__}: {exc}"
        out.info.setdefault("errors", {})[name] = why
        if cutoff is not None:
            out.readings[name] = _no_readings(cutoff, horizon, why)


def _run(
    base: str,
    names: tuple[str, ...],
    data: ScoreData,
    cutoff: pd.Timestamp | None,
    plan: tuple[str, int, int],
    options: dict[str, Any],
) -> _Fit:
    """Fit ``base`` on ``data`` (a vintage, or all the data when ``cutoff`` is None) and read
    each method of ``names`` from it (``plan``: budget tier, seed, horizon in months)."""
    budget, seed, horizon = plan
    out = _Fit(base, cutoff)
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            extra, out.info["note"] = _method_options(base, data)
            fit = run_method(base, data, budget=budget, seed=seed, **{**extra, **options})
            results = {n: derived_result(n, fit) for n in names}
        except Exception as exc:  # a vintage a method cannot fit: NaN with the reason
            why = f"fit failed: {type(exc).__name__}: {exc}"
            out.info["errors"] = dict.fromkeys(names, why)
            results = {}
            if cutoff is not None:
                out.readings = {n: _no_readings(cutoff, horizon, why) for n in names}
        for name, res in results.items():
            _read(out, name, res, horizon)
    out.info["seconds"] = time.perf_counter() - t0
    out.info["warnings"] = list(
        dict.fromkeys(f"{w.category.__name__}: {w.message}" for w in caught)
    )
    return out


# ------------------------------------------------------------------------------ the result
@dataclass(frozen=True)
class BacktestSettings:
    """The settings of a :func:`backtest` run."""

    cutoffs: tuple[str, ...]
    methods: tuple[str, ...]
    horizon_months: int
    seed: int
    budget: str
    bayesian_budget: str
    bayesian_options: tuple[tuple[str, Any], ...] = ()


@dataclass
class BacktestResult:
    """The readings of every vintage beside the later estimate.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per (method, cutoff, date, kind), columns :data:`TABLE_COLUMNS`.
    vintages : pandas.DataFrame
        Each fit's headline gap over time: ``method, cutoff`` (NaT for the fit on all the
        data), ``date, median, lower, upper, projected``.
    fits : pandas.DataFrame
        One row per fit: ``method, cutoff, n_models, n_benchmarks, seconds, note, error,
        warnings`` (the warnings the fit raised, as text).
    settings : BacktestSettings
    caveat : str
        What the vintages cannot undo (:data:`CAVEAT`).
    """

    table: pd.DataFrame
    vintages: pd.DataFrame
    fits: pd.DataFrame
    settings: BacktestSettings
    caveat: str = CAVEAT

    def summary(self) -> pd.DataFrame:
        """Per method and reading: share answered, revision RMSE, mean revision, coverage.

        Returns
        -------
        pandas.DataFrame
            Indexed by ``(method, kind)``: ``n`` (cutoffs), ``answered`` (share with a
            number), ``n_compared`` (with a number and a later estimate), ``revision_rmse``
            and ``mean_revision`` (months, over the compared rows), ``coverage`` (share of the
            compared rows whose real-time interval covers the later median; NaN for a method
            without intervals) and ``mean_width`` (of the real-time interval).
        """
        t = self.table
        rows = {}
        for (method, kind), g in t.groupby(["method", "kind"], sort=False):
            rev = g["revision"].astype(float)
            ok = rev.notna()
            cov = g.loc[ok, "covered"].astype("boolean")
            width = (g["realtime_upper"] - g["realtime_lower"]).astype(float)
            rows[(method, kind)] = {
                "n": len(g),
                "answered": float(g["answered"].mean()),
                "n_compared": int(ok.sum()),
                "revision_rmse": float(np.sqrt((rev[ok] ** 2).mean())) if ok.any() else np.nan,
                "mean_revision": float(rev[ok].mean()) if ok.any() else np.nan,
                "coverage": float(cov.dropna().mean()) if cov.notna().any() else np.nan,
                "mean_width": float(width[g["answered"]].mean()) if g["answered"].any() else np.nan,
            }
        out = pd.DataFrame.from_dict(rows, orient="index")
        out.index = out.index.set_names(["method", "kind"])
        out.attrs["caveat"] = self.caveat
        return out

    def plot_vintages(self, method: str | None = None, *, ax: Axes | None = None) -> Axes:
        """Each cutoff's gap curve over the final one, for one method; returns the Axes.

        Parameters
        ----------
        method : str, optional
            A method of the backtest (default: the Bayesian fit if run, else the first).
        ax : matplotlib.axes.Axes, optional
            Where to draw.

        Returns
        -------
        matplotlib.axes.Axes
        """
        methods = list(self.settings.methods)
        method = method or ("bayesian" if "bayesian" in methods else methods[0])
        if method not in methods:
            raise ValueError(f"method={method!r} is not in this backtest; it ran {methods}")
        curves = self.vintages[self.vintages["method"] == method]
        label = get_method(method).label or method
        title = f"{label}: the gap as each vintage saw it (dashed: projection past its data)"
        return _plot_vintages(curves, title=title, ax=ax)


# ------------------------------------------------------------------------------ backtest
def _check_methods(methods: Sequence[str] | str) -> tuple[str, ...]:
    names = [methods] if isinstance(methods, str) else list(methods)
    unknown = sorted(set(map(str, names)) - set(method_names()))
    if unknown or not names:
        raise ValueError(f"unknown method(s) {unknown or names}; known: {list(method_names())}")
    return tuple(dict.fromkeys(names))


def _tasks(
    data: ScoreData,
    cutoffs: pd.DatetimeIndex,
    methods: tuple[str, ...],
    plan: dict[str, tuple[str, int, int]],
    options: Mapping[str, dict[str, Any]],
) -> tuple[list[tuple[Any, ...]], dict[pd.Timestamp, str]]:
    """One task per (base method, vintage or all data), the Bayesian ones last."""
    by_base: dict[str, tuple[str, ...]] = {}
    for name in methods:
        by_base[base_method(name)] = (*by_base.get(base_method(name), ()), name)
    notes: dict[pd.Timestamp, str] = {}
    views: list[tuple[pd.Timestamp | None, ScoreData | None]] = [(None, data)]
    for c in cutoffs:
        try:
            sub, notes[c] = vintage(data, c)
        except ScoreDataError as exc:
            sub, notes[c] = None, f"no vintage: {exc}"
        views.append((c, sub))
    tasks = []
    order = sorted(by_base, key=lambda b: b == "bayesian")
    for base in order:
        for c, sub in views:
            if sub is not None:
                tasks.append((base, by_base[base], sub, c, plan[base], dict(options.get(base, {}))))
    return tasks, notes


def _compare(
    fits: list[_Fit],
    final: dict[str, GapResult | str],
    notes: dict[pd.Timestamp, str],
    methods: tuple[str, ...],
    horizon: int,
) -> pd.DataFrame:
    """The table of readings beside the later estimate (a cutoff without a vintage: NaN)."""
    for c, note in notes.items():
        if note.startswith("no vintage"):
            for base in dict.fromkeys(base_method(n) for n in methods):
                names = [n for n in methods if base_method(n) == base]
                empty = _Fit(base, c, readings={n: _no_readings(c, horizon, note) for n in names})
                fits = [*fits, empty]
    rows = [
        _row(name, fit, r, final.get(name, "not run"), get_method(name).headline_group)
        for fit in fits
        if fit.cutoff is not None
        for name, readings in fit.readings.items()
        for r in readings
    ]
    table = pd.DataFrame(rows, columns=list(TABLE_COLUMNS))
    order = {k: i for i, k in enumerate(KINDS)}
    table = table.sort_values(
        ["method", "cutoff", "kind"], key=lambda s: s.map(order) if s.name == "kind" else s
    )
    table["method"] = pd.Categorical(table["method"], categories=list(methods))
    table = table.sort_values(["method", "cutoff"], kind="stable")
    table["method"] = table["method"].astype(str)
    return table.reset_index(drop=True)


def _row(
    name: str, fit: _Fit, r: dict[str, Any], later: GapResult | str, group: str
) -> dict[str, Any]:
    """One row of the table: the real-time reading ``r`` beside the later estimate (``later``:
    the fit on all the data, or why there is none)."""
    note = "; ".join(s for s in (r["note"], fit.info.get("note", "")) if s)
    if isinstance(later, str):
        later_median, why = (
            np.nan,
            f"no later estimate: the fit on all the data gave none ({later})",
        )
    else:
        back = read_gap(later, r[D.DATE], group=group, project=False)
        later_median, why = (
            back.median,
            ("" if back.answered else f"no later estimate ({back.note})"),
        )
    note = "; ".join(s for s in (note, why) if s)
    answered = bool(np.isfinite(r["median"]))
    revision = r["median"] - later_median if answered else np.nan
    covered: Any = pd.NA
    if answered and np.isfinite(later_median) and np.isfinite(r["lower"]):
        covered = bool(r["lower"] <= later_median <= r["upper"])
    return {
        "method": name,
        "cutoff": fit.cutoff,
        D.DATE: r[D.DATE],
        "kind": r["kind"],
        "realtime_median": r["median"],
        "realtime_lower": r["lower"],
        "realtime_upper": r["upper"],
        "later_median": later_median,
        "revision": revision,
        "covered": covered,
        "answered": answered,
        "note": note,
    }


def backtest(
    data: ScoreData,
    cutoffs: Any = None,
    *,
    methods: Sequence[str] | str = DEFAULT_METHODS,
    horizon_months: int = 6,
    seed: int = 0,
    budget: str = "fast",
    bayesian_budget: str = "fast",
    bayesian_options: Mapping[str, Any] | None = None,
    method_options: Mapping[str, Mapping[str, Any]] | None = None,
    n_jobs: int = 1,
    backend: str | None = None,
    progress: Progress | None = None,
) -> BacktestResult:
    """Refit every method on the data as known at each cutoff and compare with all the data.

    See the module docstring for the vintages, the four readings (``lookback``, ``edge``,
    ``nowcast``, ``forecast``), the comparison and what leaks into a vintage.

    Parameters
    ----------
    data : ScoreData
        All the data.
    cutoffs : date or list of dates, optional
        The cutoffs (default :func:`default_cutoffs`: eight quarter starts ending
        ``horizon_months`` before the data's last date).
    methods : str or sequence of str
        Methods of :func:`irtgap.methods.registry.method_names`; the Bayesian fit
        (``"bayesian"``) is opt-in.
    horizon_months : int
        Months between a cutoff and its lookback and forecast dates.
    seed : int
        Every fit's seed.
    budget : str
        The registry's budget tier of the bootstrap methods (``"fast"``: 100 resamples).
    bayesian_budget : str
        The Bayesian fit's tier (``"fast"``: 300 draws and tuning steps, 2 chains).
    bayesian_options : dict, optional
        Options of :meth:`GapModel.fit <irtgap.GapModel.fit>` (and ``model``) over the budget,
        e.g. another inference mode once there is one.
    method_options : dict, optional
        ``{method: {option: value}}`` over the budgets of the other methods.
    n_jobs, backend, progress
        Where the fits run (:func:`irtgap.core.parallel.map_tasks`) and a progress callback.

    Returns
    -------
    BacktestResult
        ``.table``, ``.summary()``, ``.plot_vintages()``, ``.fits``, ``.caveat``.
    """
    names = _check_methods(methods)
    horizon = check_count("horizon_months", horizon_months, minimum=1)
    for option, tier in (("budget", budget), ("bayesian_budget", bayesian_budget)):
        if tier not in TIERS:
            raise ValueError(f"{option}={tier!r} is not a budget tier: use one of {list(TIERS)}")
    check_backend(backend)
    when = (
        default_cutoffs(data, horizon_months=horizon)
        if cutoffs is None
        else check_dates("cutoffs", cutoffs)
    )
    _warn_late_cutoffs(data, when)
    plan = {base_method(n): (budget, seed, horizon) for n in names}
    options = {k: dict(v) for k, v in (method_options or {}).items()}
    if "bayesian" in plan:
        plan["bayesian"] = (bayesian_budget, seed, horizon)
        options["bayesian"] = {**options.get("bayesian", {}), **dict(bayesian_options or {})}
    tasks, notes = _tasks(data, when, names, plan, options)
    fits: list[_Fit] = map_tasks(
        _run, tasks, n_jobs=n_jobs, backend=backend, progress=progress, what="backtest fits"
    )
    final: dict[str, GapResult | str] = {}
    for f in (f for f in fits if f.cutoff is None):
        final.update(f.info.get("errors", {}))
        final.update(f.results)
    table = _compare(fits, final, notes, names, horizon)
    settings = BacktestSettings(
        cutoffs=tuple(str(c.date()) for c in when),
        methods=names,
        horizon_months=horizon,
        seed=seed,
        budget=budget,
        bayesian_budget=bayesian_budget,
        bayesian_options=tuple(sorted(dict(bayesian_options or {}).items())),
    )
    return BacktestResult(
        table=table,
        vintages=_vintage_table(fits),
        fits=_fit_table(fits, notes, tasks),
        settings=settings,
    )


def _vintage_table(fits: list[_Fit]) -> pd.DataFrame:
    frames = [
        curve.assign(method=name, cutoff=fit.cutoff)
        for fit in fits
        for name, curve in fit.curves.items()
    ]
    cols = ["method", "cutoff", D.DATE, "median", "lower", "upper", "projected"]
    if not frames:
        return pd.DataFrame(columns=cols)
    out = pd.concat(frames, ignore_index=True)[cols]
    out["cutoff"] = pd.to_datetime(out["cutoff"])
    return out


def _fit_table(
    fits: list[_Fit], notes: dict[pd.Timestamp, str], tasks: list[tuple[Any, ...]]
) -> pd.DataFrame:
    rows = []
    for fit, task in zip(fits, tasks, strict=True):
        sub = task[2]
        rows.append(
            {
                "method": fit.base,
                "cutoff": fit.cutoff,
                "n_models": sub.n_models,
                "n_benchmarks": sub.n_benchmarks,
                "seconds": fit.info.get("seconds", np.nan),
                "note": "; ".join(
                    s for s in (notes.get(fit.cutoff, "all the data"), fit.info.get("note")) if s
                ),
                "error": "; ".join(dict.fromkeys(fit.info.get("errors", {}).values())),
                "warnings": " | ".join(fit.info.get("warnings", [])),
            }
        )
    return pd.DataFrame(rows)


__all__ = [
    "CAVEAT",
    "DEFAULT_METHODS",
    "KINDS",
    "TABLE_COLUMNS",
    "BacktestResult",
    "BacktestSettings",
    "backtest",
    "default_cutoffs",
    "eci_vintage_options",
    "vintage",
]
