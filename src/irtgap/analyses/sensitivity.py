r"""Leave-one-benchmark-out (LOBO): which benchmarks drive each method's gap.

Every method's gap rests on a set of benchmarks, and the criticism levelled at CAISI's Elo
reading (a handful of benchmarks, some partially run, private or scored differently) is that
one benchmark can swing the answer. :func:`leave_one_benchmark_out` measures that for every
method (threshold, ECI, Elo, composite, and the Bayesian model on request): it runs the method
on all the data (the *baseline*, with the settings :func:`irtgap.compare` uses), then once more
per benchmark :math:`b` with :math:`b`'s scores removed, and reports at each date :math:`t` and
gap group

.. math::

    \Delta_b(t) = \bar g_{-b}(t) - \bar g(t),

the change of the gap's mean (bootstrap or posterior mean, in months) when :math:`b` is left
out, and the same for the median (``change_median``). :meth:`LoboResult.swings` gives, per
method, the largest :math:`|\Delta_b(t)|` and the benchmark behind it; :meth:`LoboResult.plot`
draws every change against the baseline's interval.

What the numbers mean, and their limits:

- A swing is not an error bar. It shows how much the answer leans on single benchmarks; it is
  not a probability statement, and the changes of different benchmarks are not independent (two
  benchmarks that tell the same story each move the gap little when left out on their own).
- Leaving a benchmark out changes more than its scores. Models scored only on it leave the data,
  so a method's date range can shrink (a date outside it gives a NaN gap with a warning, kept in
  the ``warnings`` column), the composite's default set takes the next most-scored benchmark in,
  and the IRT methods (ECI, Elo, Bayesian) are refitted, so their capability scale, which every
  benchmark helps to define, moves too. The change is the total of all of these.
- A benchmark a method never reads (outside ECI's set, Elo's or the composite's benchmark set,
  left out by the Bayesian design as non-fraction, thin or censored) is not refitted: its rows
  repeat the baseline, ``change`` is exactly 0 and ``used`` is False. A change of 0 with
  ``used`` True is a measured 0: e.g. the threshold method reads every benchmark (its dominance
  rule compares models on all of them), but one without crossing points often moves nothing.
- A benchmark whose removal makes a method fail (e.g. ECI's anchor benchmark, or too few
  benchmarks left for Elo) gives NaN rows with the error in the ``error`` column and one warning
  counting them; nothing is dropped.
- Mean or median: the capability methods' gap is a time shift between step-shaped frontiers,
  so its draws cluster on the release dates of a few models, and a few far-out draws can put
  the mean outside its own interval (an interval whose ends both sit on one release date is
  narrow, while the mean moves with every far-out draw). The mean's change then
  mostly says whether those draws stay; the median's change (``statistic="median"``) says
  whether the bulk moves. The report quotes medians, so its LOBO section ranks the median.
- Bootstrap and posterior means carry Monte Carlo error: ``mc_se`` is the standard error of the
  change from the finite number of draws (:math:`\sqrt{s_{-b}^2/n_{-b} + s^2/n}`, draw standard
  deviations :math:`s` over :math:`n` defined draws; for MCMC draws it ignores autocorrelation,
  so it is a lower bound). A change within about two ``mc_se`` of 0 is noise.

Every fit uses the same ``seed``, so the table does not depend on ``n_jobs`` or ``backend``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from irtgap.analyses.compare import last_with_data
from irtgap.core import dims as D
from irtgap.core.parallel import Progress, check_backend, map_tasks
from irtgap.core.validate import (
    check_dates,
    check_n_jobs,
    check_names,
    check_number,
    check_seed,
)
from irtgap.data.scoredata import ScoreData
from irtgap.methods.registry import gap_table, get_method, run_method, used_benchmarks
from irtgap.plotting.sensitivity import plot_lobo
from irtgap.results import METHODS, R1_DATE, GapResult

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: Columns of :attr:`LoboResult.table`, in order.
LOBO_COLUMNS = (
    "method",
    "left_out",
    D.DATE,
    D.GROUP,
    "baseline_mean",
    "baseline_median",
    "baseline_lower",
    "baseline_upper",
    "mean",
    "median",
    "lower",
    "upper",
    "change",
    "change_median",
    "mc_se",
    "n_defined",
    "used",
    "error",
    "warnings",
)
#: The summary whose change :meth:`LoboResult.swings` ranks and :meth:`LoboResult.plot` draws.
Statistic = Literal["mean", "median"]
#: Options :func:`leave_one_benchmark_out` sets itself, refused in ``method_kwargs``.
_RESERVED = ("seed", "n_jobs", "backend", "progress", "progressbar")


# ------------------------------------------------------------------------------ one method
def method_gap(result: GapResult, dates: Any, *, min_defined: float = 0.9) -> pd.DataFrame:
    """The result's gap table at ``dates`` (as :func:`irtgap.compare` reads it), plus ``mc_se``.

    Every group the result gives (:func:`irtgap.methods.registry.gap_table`: the Bayesian fit
    gives ``capability``, ``public`` and ``private``).

    Parameters
    ----------
    result : GapResult
        Any method's result.
    dates : date or list of dates
        Where to read the gap.
    min_defined : float
        Goes to the result's ``gap()`` (a cell where fewer draws are defined is NaN).

    Returns
    -------
    pandas.DataFrame
        The gap table plus ``mc_se``, the Monte Carlo standard error of ``mean`` (draw standard
        deviation over the square root of the number of defined draws; 0 for a single draw,
        the point estimate of ``n_bootstrap=0``; NaN where the mean is NaN).
    """
    when = check_dates("dates", dates)
    table = gap_table(result, when, min_defined=min_defined)
    draws = result.gap_draws(when).stack(sample=(D.CHAIN, D.DRAW))
    n = draws.count("sample")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # cells with fewer than two draws
        sd = draws.std("sample", ddof=1) if draws.sizes["sample"] > 1 else 0 * draws.isel(sample=0)
        se = (sd / np.sqrt(n.where(n > 0))).where(n != 1, 0.0)
    se_table = se.rename("mc_se").to_dataframe().reset_index()[[D.DATE, D.GROUP, "mc_se"]]
    table = table.merge(se_table, on=[D.DATE, D.GROUP], how="left")
    table.loc[table["mean"].isna(), "mc_se"] = np.nan
    return table


# ------------------------------------------------------------------------------ the result
@dataclass
class LoboResult:
    """The result of :func:`leave_one_benchmark_out`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per (method, left_out, date, group), columns :data:`LOBO_COLUMNS`: the
        baseline's mean, median and interval (``baseline_*``), the gap without the benchmark
        (``mean``, ``median``, ``lower``, ``upper``, ``n_defined``), ``change = mean -
        baseline_mean`` and ``change_median = median - baseline_median`` (months), ``mc_se``
        (Monte Carlo standard error of ``change``), ``used`` (False: the method never
        reads the benchmark, so its rows repeat the baseline and ``change`` is 0), ``error``
        (why the fit without it failed; empty otherwise) and ``warnings`` (what the fit warned,
        e.g. a date outside its data).
    baseline : pandas.DataFrame
        Every method's gap on all the data at the dates (the shared gap table plus ``mc_se``).
    settings : dict
        Methods, dates, seed, ``fast``, the budget tier, the methods' options and the
        benchmarks left out.
    """

    table: pd.DataFrame
    baseline: pd.DataFrame
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def dates(self) -> pd.DatetimeIndex:
        """The dates of the table."""
        return pd.DatetimeIndex(sorted(self.table[D.DATE].unique()))

    def _date(self, date: Any) -> pd.Timestamp:
        dates = self.dates
        if date is None:
            return pd.Timestamp(dates[-1])
        when = check_dates("date", date)
        if len(when) != 1 or when[0] not in dates:
            shown = ", ".join(str(d.date()) for d in dates)
            raise ValueError(f"date={date!r}: give one date of the table ({shown})")
        return pd.Timestamp(when[0])

    def swings(self, date: Any = None, *, statistic: Statistic = "mean") -> pd.DataFrame:
        """The largest change per method and group at ``date`` (default: the last date).

        The mean of a gap's draws can sit outside its own interval when a few draws are far out
        (the capability methods' frontier time shift jumps from one model's release date to
        another's), and then its change mostly says whether those draws stay; the median's
        change says whether the bulk moves.

        Parameters
        ----------
        date : date, optional
            One date of the table (default: the last).
        statistic : {"mean", "median"}
            The summary whose change is ranked: ``"mean"`` (``change``, the default) or
            ``"median"`` (``change_median``).

        Returns
        -------
        pandas.DataFrame
            One row per (method, group): ``left_out`` (the benchmark whose removal moves the
            gap most; empty when no fit without a benchmark gave a number), ``change`` (signed,
            months), ``abs_change``, ``baseline_<statistic>`` and ``<statistic>`` (with all the
            data, and without the benchmark), ``half_width`` (half the baseline's interval
            width), ``ratio`` (``abs_change / half_width``: above 1, one benchmark moves the gap
            by more than the baseline's own interval half-width), ``mc_se`` (for the mean; NaN
            for the median), ``n_used`` (benchmarks the method reads), ``n_failed`` (fits
            without a benchmark that failed) and ``n_nan`` (that ran but gave no number at
            ``date``). The largest swing is over the fits with a number: with many failed or NaN
            fits it is a lower bound (a NaN fit may hide a larger change).

        Examples
        --------
        >>> import irtgap
        >>> from irtgap.analyses.sensitivity import leave_one_benchmark_out
        >>> lobo = leave_one_benchmark_out(
        ...     irtgap.load_dataset(), methods=["composite"], method_kwargs={
        ...         "composite": {"n_bootstrap": 50}})
        >>> lobo.swings()[["method", "left_out", "n_used", "n_nan"]]  # at the last date
              method      left_out  n_used  n_nan
        0  composite  MATH level 5       6      5

        Five of the six fits without one of the index's benchmarks give no number there
        (fewer than 90% of their 50 bootstrap draws define the gap), so this swing is a lower
        bound.
        """
        if statistic not in ("mean", "median"):
            raise ValueError(f"statistic={statistic!r}: use 'mean' or 'median'")
        change = "change" if statistic == "mean" else "change_median"
        when = self._date(date)
        t = self.table[self.table[D.DATE] == when]
        rows = []
        for (method, group), sub in t.groupby(["method", D.GROUP], sort=False):
            used = sub[sub["used"]]
            ok = used[used[change].notna()]
            base = sub.iloc[0]
            row: dict[str, Any] = {
                "method": method,
                D.GROUP: group,
                D.DATE: when,
                "left_out": "",
                "change": np.nan,
                "abs_change": np.nan,
                f"baseline_{statistic}": base[f"baseline_{statistic}"],
                statistic: np.nan,
                "half_width": (base["baseline_upper"] - base["baseline_lower"]) / 2,
                "ratio": np.nan,
                "mc_se": np.nan,
                "n_used": len(used),
                "n_failed": int((used["error"] != "").sum()),
                "n_nan": int(((used["error"] == "") & used[statistic].isna()).sum()),
            }
            if not ok.empty:
                best = ok.loc[ok[change].abs().idxmax()]
                row.update(
                    {
                        "left_out": best["left_out"],
                        "change": best[change],
                        "abs_change": abs(best[change]),
                        statistic: best[statistic],
                        "mc_se": best["mc_se"] if statistic == "mean" else np.nan,
                    }
                )
                if row["half_width"] > 0:
                    row["ratio"] = row["abs_change"] / row["half_width"]
            rows.append(row)
        return pd.DataFrame(rows)

    def plot(
        self,
        *,
        date: Any = None,
        ax: Axes | None = None,
        groups: Mapping[str, str] | None = None,
        top: int | None = 20,
        statistic: Statistic = "mean",
    ) -> Axes:
        """Every benchmark's change at ``date`` (default: the last date), per method.

        One row per benchmark (largest swing on top), a dot per method at its change of
        ``statistic``, over a light bar spanning the baseline's interval around the baseline's
        ``statistic`` (a dot outside the bar: one benchmark moves the gap by more than the
        baseline's uncertainty). No dot: the method does not read the benchmark; "failed": the
        fit without it failed. See :func:`irtgap.plotting.sensitivity.plot_lobo`.

        Parameters
        ----------
        date : date, optional
            One date of the table (default: the last).
        ax : matplotlib.axes.Axes, optional
            Where to draw.
        groups : dict, optional
            ``{method: group}`` (default: each method's headline group,
            :attr:`irtgap.methods.registry.Method.headline_group`).
        top : int or None
            Show the ``top`` benchmarks (None: all).
        statistic : {"mean", "median"}
            The summary whose change is drawn (see :meth:`swings`).

        Returns
        -------
        matplotlib.axes.Axes
            The Axes drawn on.
        """
        if statistic not in ("mean", "median"):
            raise ValueError(f"statistic={statistic!r}: use 'mean' or 'median'")
        when = self._date(date)
        t = self.table[self.table[D.DATE] == when]
        pick = {m: get_method(m).headline_group for m in t["method"].unique()}
        pick.update(groups or {})
        t = t[t[D.GROUP] == t["method"].map(pick)]
        t = t.assign(
            change=t["change" if statistic == "mean" else "change_median"],
            baseline=t[f"baseline_{statistic}"],
        )
        level = self.settings.get("ci_prob", 0.9)
        return plot_lobo(
            t,
            ax=ax,
            top=top,
            title=f"Leave one benchmark out: change of the gap's {statistic} at {when.date()}",
            band_label=f"baseline {level:.0%} interval (around its {statistic})",
        )


# ------------------------------------------------------------------------------ the tasks
def _captured(caught: list[warnings.WarningMessage]) -> list[tuple[type[Warning], str]]:
    return list(dict.fromkeys((w.category, str(w.message)) for w in caught))


def _baseline_task(
    data: ScoreData, method: str, seed: int, budget: str, kwargs: dict[str, Any]
) -> tuple[GapResult, list[tuple[type[Warning], str]]]:
    """The method on all the data, with the warnings it raised (workers do not pass them on)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = run_method(method, data, budget=budget, seed=seed, **kwargs)
    return result, _captured(caught)


def _lobo_task(
    data: ScoreData,
    method: str,
    left_out: str,
    seed: int,
    budget: str,
    kwargs: dict[str, Any],
    dates: pd.DatetimeIndex,
    min_defined: float,
) -> tuple[pd.DataFrame | None, list[tuple[type[Warning], str]], str]:
    """The method without ``left_out``: its gap table, its warnings, and the error if it failed."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            sub = data.subset(exclude_benchmarks=[left_out])
            options = _without(kwargs, left_out, sub)
            result = run_method(method, sub, budget=budget, seed=seed, **options)
            table, error = method_gap(result, dates, min_defined=min_defined), ""
        except Exception as err:  # one failed fit is a NaN row with its error, not fatal
            table, error = None, f"{type(err).__name__}: {err}"
    return table, _captured(caught), error


def _without(kwargs: dict[str, Any], left_out: str, data: ScoreData) -> dict[str, Any]:
    """Options naming ``left_out`` without it (benchmark sets, thresholds, overrides), and an
    open-model filter without the models that had scores only on it."""
    kw = dict(kwargs)
    benches = kw.get("benchmarks")
    if isinstance(benches, str) and benches == left_out:
        kw["benchmarks"] = []
    elif benches is not None and not isinstance(benches, str):
        kw["benchmarks"] = [b for b in benches if b != left_out]
    if isinstance(kw.get("thresholds"), Mapping):
        kw["thresholds"] = {b: v for b, v in kw["thresholds"].items() if b != left_out}
    if isinstance(kw.get("overrides"), Mapping):
        kw["overrides"] = {
            kind: [k for k in keys if not (isinstance(k, tuple | list) and k[0] == left_out)]
            for kind, keys in kw["overrides"].items()
        }
    opens = kw.get("open_filter")
    if opens is not None:
        names = [opens] if isinstance(opens, str) else list(opens)
        kw["open_filter"] = [m for m in names if m in set(data.models.index)]
    return kw


def _check_kwargs(method_kwargs: Any, methods: list[str]) -> dict[str, dict[str, Any]]:
    if method_kwargs is None:
        return {m: {} for m in methods}
    if not isinstance(method_kwargs, Mapping):
        raise ValueError(
            f"method_kwargs={method_kwargs!r}: give a dict {{method: {{option: value}}}}"
        )
    extra = sorted(set(map(str, method_kwargs)) - set(methods))
    if extra:
        raise ValueError(
            f"method_kwargs has options for {extra}, which are not in methods={methods}"
        )
    out = {}
    for m in methods:
        kw = method_kwargs.get(m) or {}
        if not isinstance(kw, Mapping):
            raise ValueError(f"method_kwargs[{m!r}]={kw!r}: give a dict of options")
        reserved = sorted(set(kw) & set(_RESERVED))
        if reserved:
            raise ValueError(
                f"method_kwargs[{m!r}] sets {reserved}: leave_one_benchmark_out sets these "
                "itself (pass seed=, n_jobs=, backend=, progress= to it)"
            )
        out[m] = dict(kw)
    return out


def _row_block(
    method: str,
    left_out: str,
    base: pd.DataFrame,
    table: pd.DataFrame | None,
    *,
    used: bool,
    error: str,
    notes: str,
) -> pd.DataFrame:
    """The rows of one (method, left_out): the baseline's cells and the fit without it."""
    block = pd.DataFrame(
        {
            "method": method,
            "left_out": left_out,
            D.DATE: base[D.DATE].to_numpy(),
            D.GROUP: base[D.GROUP].to_numpy(),
            "baseline_mean": base["mean"].to_numpy(float),
            "baseline_median": base["median"].to_numpy(float),
            "baseline_lower": base["lower"].to_numpy(float),
            "baseline_upper": base["upper"].to_numpy(float),
        }
    )
    if not used:
        for col in ("mean", "median", "lower", "upper"):
            block[col] = block[f"baseline_{col}"]
        block["change"] = np.where(block["baseline_mean"].notna(), 0.0, np.nan)
        block["change_median"] = np.where(block["baseline_median"].notna(), 0.0, np.nan)
        block["mc_se"] = np.where(block["baseline_mean"].notna(), 0.0, np.nan)
        block["n_defined"] = base["n_defined"].to_numpy()
    elif table is None:
        for col in ("mean", "median", "lower", "upper", "change", "change_median", "mc_se"):
            block[col] = np.nan
        block["n_defined"] = 0
    else:
        cols = [D.DATE, D.GROUP, "mean", "median", "lower", "upper", "n_defined", "mc_se"]
        block = block.merge(
            table[cols].rename(columns={"mc_se": "_se"}), on=[D.DATE, D.GROUP], how="left"
        )
        missing = block["n_defined"].isna()
        if missing.any():
            gone = ", ".join(map(repr, dict.fromkeys(block.loc[missing, D.GROUP])))
            notes = "; ".join(filter(None, [notes, f"no group {gone} without this benchmark"]))
        block["n_defined"] = block["n_defined"].fillna(0).astype(int)
        block["change"] = block["mean"] - block["baseline_mean"]
        block["change_median"] = block["median"] - block["baseline_median"]
        base_se = base["mc_se"].to_numpy(float)
        block["mc_se"] = np.sqrt(block.pop("_se").to_numpy(float) ** 2 + base_se**2)
        block.loc[block["change"].isna(), "mc_se"] = np.nan
    block["used"] = used
    block["error"] = error
    block["warnings"] = notes
    return block[list(LOBO_COLUMNS)]


# ------------------------------------------------------------------------------ the analysis
def leave_one_benchmark_out(
    data: ScoreData,
    *,
    methods: Sequence[str] | str = ("threshold", "eci", "elo", "composite"),
    benchmarks: Sequence[str] | str | None = None,
    dates: Any = None,
    method_kwargs: Mapping[str, Mapping[str, Any]] | None = None,
    seed: int = 0,
    fast: bool = False,
    budget: str | None = None,
    min_defined: float = 0.9,
    n_jobs: int = 1,
    backend: str | None = None,
    progress: Progress | None = None,
) -> LoboResult:
    """Each method's gap with each benchmark left out in turn (see the module docstring).

    Parameters
    ----------
    data : ScoreData
        Not modified: each fit runs on ``data.subset(exclude_benchmarks=[b])``.
    methods : str or sequence of str
        From :data:`irtgap.results.METHODS` (``"eci_epoch"``: Epoch's rule on each ECI
        refit). ``"bayesian"`` is opt-in: one MCMC fit per benchmark it models.
    benchmarks : str or sequence of str, optional
        The benchmarks to leave out, one at a time (default: every benchmark of ``data``;
        unknown names raise).
    dates : date or list of dates, optional
        Where to read the gaps. Default: DeepSeek R1's release (2025-01-20) and the last date at
        which every method's baseline has data in every group (the rule of
        :func:`irtgap.compare`, so that every method answers at the same date).
    method_kwargs : dict, optional
        ``{method: {option: value}}`` over the method's budget for the baseline and
        every fit without a benchmark (e.g. ``{"eci": {"n_bootstrap": 50}}``). An option that
        names benchmarks (``benchmarks``, ``thresholds``, ``overrides``) loses the left-out one
        in its fit. For ``"bayesian"`` the options go to :meth:`GapModel.fit
        <irtgap.GapModel.fit>`, and ``"model"`` gives the model: a :class:`~irtgap.GapModel` or
        a dict of its settings (default ``GapModel()``).
    seed : int
        Every fit's seed (the same for all, so that the table does not depend on ``n_jobs``).
    fast : bool
        :func:`irtgap.compare`'s short runs (budget ``"fast"`` of
        :mod:`irtgap.methods.registry`): 100 bootstrap resamples per method (the ``"full"``
        budgets are 5,000 / 500 / 200 / 1,000 for threshold / ECI / Elo / composite; ECI's
        refits dominate the time, one fit of 500 refits per benchmark in its set), and 300
        draws, 300 tuning steps and 2 chains for the Bayesian fit.
    budget : str, optional
        A budget tier of :data:`irtgap.methods.registry.TIERS` instead (e.g.
        ``"report_lobo"``, the report's); default ``"fast"`` with ``fast``, else ``"full"``.
    min_defined : float
        Share of a fit's draws that must define the gap for a number (0.9, as everywhere in
        irtgap; see :func:`irtgap.core.gaps.summarize_gap`). Bootstrap draws of a fit without a
        benchmark are more often undefined (e.g. a backward gap reaching before the first model),
        which makes NaN rows, counted in a warning and in :meth:`LoboResult.swings`; 0 reads
        whatever draws are defined.
    n_jobs, backend, progress
        The fits (one baseline per method, then one per method and benchmark it reads) run
        through :func:`irtgap.core.parallel.map_tasks`: ``n_jobs`` joblib workers (1), or a
        cluster (``backend="dask"`` / ``"ray"``); ``progress(done, total, message)`` is called
        as they finish. Each fit runs its own bootstrap in its worker.

    Returns
    -------
    LoboResult
        ``.table`` (one row per method, left-out benchmark, date and group), ``.swings()``,
        ``.plot()``.

    Raises
    ------
    ValueError
        An unknown method or benchmark, ``method_kwargs`` for a method not run or setting an
        option this function sets (``seed``, ``n_jobs``, ...), or a bad ``n_jobs`` /
        ``backend``. A baseline fit that fails raises its error.

    Warns
    -----
    UserWarning
        Once, counting the fits without a benchmark that failed (their rows are NaN, the error
        is in ``error``), once counting the rows that are NaN although the fit ran (a date
        outside the method's data once the benchmark is gone, too few defined draws), and once
        counting the fits that raised warnings (kept in ``warnings``). The baselines' own
        warnings are passed on as they are.

    Examples
    --------
    The composite index on the bundled data (it reads six benchmarks, so only six refits):

    >>> import irtgap
    >>> from irtgap.analyses.sensitivity import leave_one_benchmark_out
    >>> data = irtgap.load_dataset()
    >>> lobo = leave_one_benchmark_out(
    ...     data, methods="composite", method_kwargs={"composite": {"n_bootstrap": 50}})
    >>> int(lobo.table["used"].sum() // 2), data.n_benchmarks  # six benchmarks x two dates
    (6, 48)
    >>> top = lobo.swings(date="2025-01-20", statistic="median").iloc[0]
    >>> top["left_out"], round(float(top["change"]), 1)  # months
    ('ARC-AGI-2', -4.6)
    """
    methods = [methods] if isinstance(methods, str) else list(dict.fromkeys(methods))
    if not methods:
        raise ValueError(f"methods: give at least one of {list(METHODS)}")
    tier = budget if budget is not None else ("fast" if fast else "full")
    for m in methods:
        get_method(m).budget(tier)  # an unknown method or tier raises, naming it
    kwargs = _check_kwargs(method_kwargs, methods)
    seed = check_seed("seed", seed)
    min_defined = check_number("min_defined", min_defined, minimum=0.0, maximum=1.0)
    n_jobs = check_n_jobs(n_jobs)
    check_backend(backend)
    names = (
        sorted(map(str, data.benchmarks.index))
        if benchmarks is None
        else check_names("benchmarks", benchmarks, data.benchmarks.index, what="benchmark")
    )
    when = None if dates is None else check_dates("dates", dates)
    fan: dict[str, Any] = dict(n_jobs=n_jobs, backend=backend, progress=progress)
    results = _baselines(data, methods, seed, tier, kwargs, fan)
    if when is None:
        last = min(last_with_data(r) for r in results.values())
        when = check_dates("dates", [R1_DATE, last])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        baseline = {m: method_gap(r, when, min_defined=min_defined) for m, r in results.items()}
    for category, message in _captured(caught):
        warnings.warn(f"baseline: {message}", category, stacklevel=2)
    used = {m: used_benchmarks(r) for m, r in results.items()}

    todo = [(m, b) for m in methods for b in names if b in used[m]]
    out = map_tasks(
        _lobo_task,
        [(data, m, b, seed, tier, kwargs[m], when, min_defined) for m, b in todo],
        what="leave-one-benchmark-out fits",
        **fan,
    )
    done = dict(zip(todo, out, strict=True))
    table = _blocks(methods, names, baseline, done)
    _warn_counts(table, done)
    settings: dict[str, Any] = {
        "methods": methods,
        "dates": [str(d.date()) for d in when],
        "seed": seed,
        "fast": fast,
        "budget": tier,
        "min_defined": min_defined,
        "method_kwargs": kwargs,
        "benchmarks": names,
        "ci_prob": _level(results),
    }
    base_table = pd.concat(baseline.values(), ignore_index=True)
    return LoboResult(table=table, baseline=base_table, settings=settings)


def _baselines(
    data: ScoreData,
    methods: list[str],
    seed: int,
    tier: str,
    kwargs: dict[str, dict[str, Any]],
    fan: dict[str, Any],
) -> dict[str, GapResult]:
    """Each method on all the data (through the fan-out), its warnings passed on."""
    base_out = map_tasks(
        _baseline_task,
        [(data, m, seed, tier, kwargs[m]) for m in methods],
        what="baseline fits",
        **fan,
    )
    results: dict[str, GapResult] = {}
    for m, (result, caught) in zip(methods, base_out, strict=True):
        results[m] = result
        for category, message in caught:
            warnings.warn(f"baseline {m}: {message}", category, stacklevel=3)
    return results


def _blocks(
    methods: list[str],
    names: list[str],
    baseline: dict[str, pd.DataFrame],
    done: Mapping[tuple[str, str], tuple[pd.DataFrame | None, list[Any], str]],
) -> pd.DataFrame:
    """The table's rows: per method and benchmark, its fit without it or the baseline."""
    blocks = []
    for m in methods:
        for b in names:
            if (m, b) in done:
                table, notes, error = done[m, b]
                text = "; ".join(dict.fromkeys(msg for _, msg in notes))
                blocks.append(
                    _row_block(m, b, baseline[m], table, used=True, error=error, notes=text)
                )
            else:
                blocks.append(_row_block(m, b, baseline[m], None, used=False, error="", notes=""))
    return pd.concat(blocks, ignore_index=True)


def _level(results: Mapping[str, GapResult]) -> float:
    """The interval probability of the baselines (0.9 unless a method was told otherwise)."""
    levels = {float(r.interval_probability(None)) for r in results.values()}
    return levels.pop() if len(levels) == 1 else float("nan")


def _warn_counts(
    table: pd.DataFrame, done: Mapping[tuple[str, str], tuple[Any, list[Any], str]]
) -> None:
    """One warning per kind of trouble, with counts and where the details are."""
    failed = [(m, b, err) for (m, b), (_, _, err) in done.items() if err]
    if failed:
        shown = "; ".join(f"{m} without {b!r}: {err}" for m, b, err in failed[:3])
        more = f" (and {len(failed) - 3} more)" if len(failed) > 3 else ""
        warnings.warn(
            f"{len(failed)} of {len(done)} leave-one-benchmark-out fits failed; their rows are "
            f"NaN with the error in column 'error': {shown}{more}",
            UserWarning,
            stacklevel=3,
        )
    ran = table["used"] & (table["error"] == "")
    nan = ran & table["mean"].isna() & table["baseline_mean"].notna()
    if nan.any():
        keys = table.loc[nan, ["method", "left_out"]].drop_duplicates()
        shown = ", ".join(f"{m} without {b!r}" for m, b in keys.head(4).itertuples(index=False))
        warnings.warn(
            f"{int(nan.sum())} row(s) of {len(keys)} leave-one-benchmark-out fit(s) have no gap "
            f"although the fit ran ({shown}{', ...' if len(keys) > 4 else ''}): a date outside "
            "the method's data once the benchmark is left out, a group left without data, or "
            "too few defined draws; see column 'warnings'",
            UserWarning,
            stacklevel=3,
        )
    warned = [k for k, (_, notes, err) in done.items() if notes and not err]
    if warned:
        warnings.warn(
            f"{len(warned)} of {len(done)} leave-one-benchmark-out fits raised warnings (kept "
            "in column 'warnings')",
            UserWarning,
            stacklevel=3,
        )


__all__ = [
    "LOBO_COLUMNS",
    "LoboResult",
    "leave_one_benchmark_out",
    "method_gap",
]
