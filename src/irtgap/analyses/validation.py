"""Validation study: every method on simulated worlds with a known gap.

:func:`run_replication` draws one world from :func:`irtgap.simulate` for a named scenario, runs
each method on it and returns one row per (method, date) with the estimate, its interval and the
truth; :func:`summarize_validation` turns many replications into bias, RMSE and interval coverage.
``benchmarks/validation/run_validation.py`` drives both over scenarios and replications through
joblib and writes the tables and figures of ``docs/validation.md``.

Scenarios (:data:`SCENARIOS`): ``constant`` (the default: a 6-month gap), ``growing`` and
``shrinking`` (2 months per year either way), ``winners_curse`` (closed models scored three times
as often), ``degradation`` (hosted copies of open models lose 0.6 capability units on private
benchmarks), ``contamination`` (open models gain 0.5 units on public benchmarks), ``realistic``
(benchmark count, density, date range and open/closed mix taken from the bundled snapshot).
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from irtgap.core import dims as D
from irtgap.core.parallel import Progress, map_tasks
from irtgap.data.simulate import SimulatedData, simulate
from irtgap.methods.bayes.model import GapModel
from irtgap.methods.composite import composite_index
from irtgap.methods.eci import fit_eci
from irtgap.methods.elo import fit_elo
from irtgap.methods.threshold import threshold_gap
from irtgap.results import METHODS as RESULT_METHODS

#: Dates at which every method's gap is compared with the truth.
VALIDATION_DATES = pd.DatetimeIndex(
    ["2023-07-01", "2024-01-01", "2024-07-01", "2025-01-01", "2025-07-01"]
)
#: The methods of the study (those of :data:`irtgap.results.METHODS`, the Bayesian model first).
METHODS = ("bayesian", *(m for m in RESULT_METHODS if m != "bayesian"))


def _growing(t: np.ndarray) -> np.ndarray:
    return 6.0 + 2.0 * t


def _shrinking(t: np.ndarray) -> np.ndarray:
    return 6.0 - 2.0 * t


@dataclass(frozen=True)
class Scenario:
    """A named simulated world: keyword arguments of :func:`irtgap.simulate`."""

    name: str
    description: str
    kwargs: dict[str, Any] = field(default_factory=dict)


_BASE: dict[str, Any] = dict(
    n_closed=40, n_open=40, n_benchmarks=12, density=0.35, precision=40.0, hosted_share=0.0
)

#: The scenarios of the study by name (see the module docstring).
SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario("constant", "constant 6-month gap (default)", dict(_BASE, gap_months=6.0)),
        Scenario(
            "growing", "gap grows 2 months per year (6 at 2024)", dict(_BASE, gap_months=_growing)
        ),
        Scenario(
            "shrinking",
            "gap shrinks 2 months per year (6 at 2024)",
            dict(_BASE, gap_months=_shrinking),
        ),
        Scenario(
            "winners_curse",
            "closed models scored 3x as often as open ones",
            dict(_BASE, gap_months=6.0, density=0.2, closed_eval_factor=3.0),
        ),
        Scenario(
            "degradation",
            "hosted copies of half the open models lose 0.6 units on private benchmarks",
            dict(_BASE, gap_months=6.0, provider_degradation=0.6, hosted_share=0.5),
        ),
        Scenario(
            "contamination",
            "open models gain 0.5 units on public benchmarks",
            dict(_BASE, gap_months=6.0, public_advantage=0.5),
        ),
    )
}


def realistic_scenario(data: Any = None, *, n_models: int = 120) -> Scenario:
    """A world shaped like the November 2025 snapshot (or ``data``): density, dates, side mix,
    benchmark count.

    From the snapshot's fraction-scale scores since 2022: the share of (model, benchmark) cells
    scored among benchmarks that existed when the model was released, the first and last release
    dates, the open share of models and the number of benchmarks. ``n_models`` (120) keeps a
    Bayesian fit short; release dates are uniform over the period and benchmark lifetimes follow
    :func:`irtgap.simulate` (harder benchmarks appear later).
    """
    if data is None:
        from irtgap.data.datasets import SNAPSHOT, load_dataset

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            data = load_dataset(SNAPSHOT)  # the committed study's shape; pass data for another
    t = data.scores
    frac = data.benchmarks.index[data.benchmarks["scale"] == "fraction"]
    t = t[t[D.BENCHMARK].isin(frac) & (t[D.DATE] >= pd.Timestamp("2022-01-01"))]
    first = t.groupby(D.BENCHMARK)[D.DATE].min()
    models = t.groupby(D.MODEL).agg(date=(D.DATE, "first"), side=(D.WEIGHTS, "first"))
    existing = (models["date"].to_numpy()[:, None] >= first.to_numpy()[None, :]).sum()
    density = float(len(t.drop_duplicates([D.MODEL, D.BENCHMARK])) / max(existing, 1))
    open_share = float((models["side"] == D.OPEN).mean())
    n_open = round(n_models * open_share)
    kwargs = dict(
        _BASE,
        gap_months=6.0,
        n_closed=n_models - n_open,
        n_open=n_open,
        n_benchmarks=int(min(len(first), 30)),
        density=round(min(density, 0.9), 3),
        start=str(models["date"].min().date()),
        end=str(models["date"].max().date()),
    )
    return Scenario(
        "realistic",
        f"snapshot-like: density {kwargs['density']:.2f}, {kwargs['n_benchmarks']} benchmarks, "
        f"{open_share:.0%} open, {kwargs['start']} to {kwargs['end']}",
        kwargs,
    )


def _hard_recent(sim: SimulatedData, k: int) -> list[str]:
    """The ``k`` latest-released benchmarks with at least 10 models (a CAISI-like set)."""
    meta = sim.data.benchmarks
    counts = sim.data.scores.groupby(D.BENCHMARK)[D.MODEL].nunique()
    ok = counts.index[counts >= 10]
    return list(meta.loc[ok].sort_values("release_date").index[-k:])


def _scale_anchors(sim: SimulatedData, *, min_benchmarks: int) -> dict[str, float]:
    """The earliest and the latest closed model scored on ``min_benchmarks`` (130 and 150)."""
    t = sim.data.scores[sim.data.scores[D.WEIGHTS] == D.CLOSED]
    per = t.groupby(D.MODEL).agg(n=(D.BENCHMARK, "nunique"), date=(D.DATE, "first"))
    per = per[per["n"] >= min_benchmarks + 1].sort_values("date")
    return {str(per.index[0]): 130.0, str(per.index[-1]): 150.0}


def _estimate(
    method: str, sim: SimulatedData, dates: pd.DatetimeIndex, quick: bool, seed: int
) -> pd.DataFrame:
    """The shared gap table of one method (group ``all``) at ``dates``."""
    n_boot = 100 if quick else 300
    if method == "bayesian":
        n = 300 if quick else 600
        fit = GapModel().fit(
            sim.data,
            draws=n,
            tune=n,
            chains=2,
            seed=seed,
            progressbar=False,
            cores=1,
        )
        table = fit.gap(dates, reference_date=None)
        diag = fit.diagnostics(warn=False)
        table["max_rhat"] = diag["max_rhat"]
        table["divergences"] = diag["divergences"]
        return table
    if method == "threshold":
        res = threshold_gap(sim.data, n_bootstrap=n_boot, seed=seed, by=None)
        return res.gap(dates)
    if method == "eci":
        anchor = str(sim.data.scores[D.BENCHMARK].value_counts().index[0])
        eci = fit_eci(
            sim.data,
            anchor_benchmark=anchor,
            scale_anchors=_scale_anchors(sim, min_benchmarks=4),
            since=None,
            n_bootstrap=n_boot,
            seed=seed,
        )
        return eci.gap(dates)
    if method == "elo":
        elo = fit_elo(
            sim.data, benchmarks=_hard_recent(sim, 6), since=None, n_bootstrap=n_boot, seed=seed
        )
        return elo.gap(dates, ci_prob=0.9)
    if method == "composite":
        # the fairest composite a sparse table allows: the 4 most-scored benchmarks, half covered
        comp = composite_index(
            sim.data,
            n_benchmarks=4,
            since="2022-01-01",
            min_coverage=0.5,
            n_bootstrap=n_boot,
            seed=seed,
        )
        return comp.gap(dates)
    raise ValueError(f"unknown method {method!r}: use one of {METHODS}")


def run_replication(
    scenario: Scenario | str,
    replication: int,
    *,
    methods: Sequence[str] = METHODS,
    dates: Sequence[Any] | None = None,
    quick: bool = False,
    seed: int = 0,
) -> pd.DataFrame:
    """Simulate one world of ``scenario`` and run ``methods`` on it.

    Returns one row per (method, date): ``scenario, replication, method, date, truth, estimate``
    (posterior or bootstrap median), ``lower, upper`` (90% interval), ``covered``, ``seconds``,
    and ``error`` (the exception text when a method failed on this world; its estimate is NaN).
    """
    sc = SCENARIOS[scenario] if isinstance(scenario, str) else scenario
    dates = VALIDATION_DATES if dates is None else pd.DatetimeIndex(pd.to_datetime(dates))
    rep_seed = int(np.random.SeedSequence([seed, replication]).generate_state(1)[0] % 2**31)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sim = simulate(**sc.kwargs, seed=rep_seed)
    truth = sim.true_gap(dates).to_numpy()
    out = []
    pymc_log = logging.getLogger("pymc")
    level = pymc_log.level
    pymc_log.setLevel(logging.WARNING)  # one "NUTS[nutpie]: [...]" line per fit is noise here
    for method in methods:
        t0 = time.perf_counter()
        err = ""
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                table = _estimate(method, sim, dates, quick, rep_seed)
            # the threshold and capability methods' "all" pools every benchmark; the Bayesian
            # model's "capability" is its gap without the public-benchmark advantage
            group = "capability" if method == "bayesian" else "all"
            table = table[table[D.GROUP] == group].set_index(D.DATE).reindex(dates)
            est, lo, hi = (table[c].to_numpy(float) for c in ("median", "lower", "upper"))
            extra = {c: table[c].to_numpy() for c in ("max_rhat", "divergences") if c in table}
        except Exception as exc:  # a method that cannot run on a world is a result, not a crash
            err = f"{type(exc).__name__}: {exc}"
            est = lo = hi = np.full(len(dates), np.nan)
            extra = {}
        frame = pd.DataFrame(
            {
                "scenario": sc.name,
                "replication": replication,
                "method": method,
                D.DATE: dates,
                "truth": truth,
                "estimate": est,
                "lower": lo,
                "upper": hi,
                "seconds": time.perf_counter() - t0,
                "error": err,
                **extra,
            }
        )
        out.append(frame)
    pymc_log.setLevel(level)
    res = pd.concat(out, ignore_index=True)
    inside = (res["lower"] <= res["truth"]) & (res["truth"] <= res["upper"])
    res["covered"] = np.where(res["estimate"].isna(), np.nan, inside.astype(float))
    return res


def summarize_validation(results: pd.DataFrame) -> pd.DataFrame:
    """Bias, RMSE and 90% coverage per scenario, method and date (and over all dates).

    ``n`` counts replications with a defined estimate; ``n_failed`` those without (the method
    raised, or its gap was undefined at that date), so nothing is dropped silently.
    """
    r = results.assign(err=results["estimate"] - results["truth"])
    keys = ["scenario", "method", D.DATE]

    def agg(g: pd.DataFrame) -> pd.Series:
        ok = g["err"].notna()
        e = g.loc[ok, "err"]
        return pd.Series(
            {
                "bias": e.mean(),
                "rmse": float(np.sqrt((e**2).mean())) if len(e) else np.nan,
                "coverage": g.loc[ok, "covered"].astype(float).mean(),
                "mean_width": (g.loc[ok, "upper"] - g.loc[ok, "lower"]).mean(),
                "n": int(ok.sum()),
                "n_failed": int((~ok).sum()),
            }
        )

    by_date = r.groupby(keys, sort=False)[["err", "covered", "upper", "lower"]].apply(agg)
    overall = (
        r.assign(**{D.DATE: pd.NaT})
        .groupby(keys, sort=False, dropna=False)[["err", "covered", "upper", "lower"]]
        .apply(agg)
    )
    return pd.concat([by_date, overall]).reset_index()


def run_study(
    scenarios: Sequence[Scenario],
    replications: dict[str, int] | int,
    *,
    methods: Sequence[str] = METHODS,
    quick: bool = False,
    seed: int = 0,
    n_jobs: int = 1,
    backend: str | None = None,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Run every (scenario, replication) world of the study; return the stacked rows.

    The worlds are independent tasks for :func:`irtgap.core.parallel.map_tasks`: on this
    machine (``n_jobs`` joblib worker processes) or on a Dask or Ray cluster (``backend``).
    Each world's seed comes from ``(seed, replication)`` alone (see :func:`run_replication`), so
    the rows are the same whichever back end and ``n_jobs`` run them, apart from the
    ``seconds`` column (timings).

    Parameters
    ----------
    scenarios : sequence of Scenario
        The scenarios (e.g. ``SCENARIOS.values()`` and :func:`realistic_scenario`).
    replications : int or dict
        Worlds per scenario, or per scenario name (a name left out gets none).
    methods : sequence of str
        Methods run on every world (see :data:`METHODS`).
    quick : bool
        Fewer bootstrap resamples and MCMC draws.
    seed : int
        Study seed; world ``r`` of a scenario is the same for every run with this seed.
    n_jobs : int
        joblib workers on this machine (1: in this process, -1: every core).
    backend : {None, "loky", "dask", "ray"}
        None: joblib's active back end (respects an enclosing ``joblib.parallel_config``).
        ``"dask"``: the workers of the current ``dask.distributed`` Client (every worker
        thread, whatever ``n_jobs``); ``"ray"``: Ray's joblib back end.
    progress : callable, optional
        ``progress(done, total, message)`` as worlds finish (message like
        ``"12/40 replications over 6 scenarios"``); nothing is printed without it.

    Returns
    -------
    pandas.DataFrame
        The rows of :func:`run_replication` for every world, in task order (scenario as
        given, then replication).

    Examples
    --------
    On a Dask cluster: start a local one with ``Client()`` or join a running one with
    ``Client("scheduler-address:8786")``, then run the study on its workers. Process workers
    (Dask's default) keep each world's warnings to itself; a 1,000-world study needs nothing
    more than the scheduler address:

    >>> from distributed import Client  # doctest: +SKIP
    >>> from irtgap.analyses.validation import SCENARIOS, run_study
    >>> client = Client()  # doctest: +SKIP
    >>> rows = run_study(  # doctest: +SKIP
    ...     [SCENARIOS["constant"]], 1000, methods=("threshold", "composite"),
    ...     backend="dask", progress=lambda done, total, msg: print(msg),
    ... )
    """
    tasks = []
    for sc in scenarios:
        n = replications if isinstance(replications, int) else replications.get(sc.name, 0)
        tasks += [(sc, r) for r in range(n)]
    parts = map_tasks(
        partial(run_replication, methods=tuple(methods), quick=quick, seed=seed),
        tasks,
        n_jobs=n_jobs,
        backend=backend,
        progress=progress,
        what=f"replications over {len(scenarios)} scenario{'s' * (len(scenarios) != 1)}",
    )
    return pd.concat(parts, ignore_index=True)
