r"""Validation study: every method on simulated worlds with a known gap.

:func:`run_replication` draws one world for a named scenario (from :func:`irtgap.simulate`, or
the scenario's own generator such as :func:`irtgap.data.simulate.semi_synthetic`), runs each
method on it and returns one row per (method, date) with the estimate, its interval and the
truth; :func:`summarize_validation` turns many replications into bias, RMSE and interval coverage.
``studies/validation/run_validation.py`` drives both over scenarios and replications through
joblib and writes the tables and figures of ``docs/validation.md``.

Scenarios drawn from the Bayesian model's own generative story (:data:`SCENARIOS`):
``constant`` (the default: a 6-month gap), ``growing`` and ``shrinking`` (2 months per year either
way), ``winners_curse`` (closed models scored three times as often), ``degradation`` (hosted
copies of open models lose 0.6 capability units on private benchmarks), ``contamination`` (open
models gain 0.5 units on public benchmarks), ``realistic`` (:func:`realistic_scenario`: benchmark
count, density, date range and open/closed mix taken from the bundled snapshot).

Worlds the model did not generate (:data:`MISSPECIFIED`; each breaks one assumption of
:mod:`irtgap.methods.bayes.model`, with a constant 6-month gap unless said otherwise):

- ``curved``: the closed frontier accelerates, :math:`F_c(t) = 1.2 t + 0.1 t^2` (slope 0.8
  units a year in 2022, 1.55 late in 2025), not piecewise linear with pooled growth rates;
- ``dip_grow``: the gap dips and then grows, :math:`3 + 2 (t - 0.5)^2` months (5 at 2023-07,
  3 at 2024-07, 5 at 2025-07; :math:`t` in years since 2024);
- ``fame_gamma``: Gamma(2) shortfalls (mean 1, few models right at the frontier) instead of
  exponential ones, scaled by :math:`(n_m / \bar n)^{-0.5}` so models scored on more benchmarks
  sit nearer the frontier, with evaluation propensities spread log-normally (sd 0.8);
- ``heavy_interactions``: model x benchmark interactions :math:`0.4\,t_3` on the logit;
- ``binomial``: scores are shares of 15, 30, 60 or 200 items passed (Binomial, discrete, exact
  0 and 1) instead of Beta draws;
- ``growing_contamination``: the open models' public-benchmark advantage grows 0.3 units a year
  from 0 at 2022-01 (a constant :math:`\gamma` in the model);
- ``self_report``: 30% of first-party scores are self-reported, 0.5 units too high;
- ``semi_synthetic`` (:func:`semi_synthetic_scenario`): the real evaluation pattern of the
  bundled data (its models, dates, sides, benchmarks and who was scored where), scores drawn from
  a known truth (:func:`irtgap.data.simulate.semi_synthetic`).
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from irtgap.core import dims as D
from irtgap.core.options import check_choice
from irtgap.core.parallel import Progress, map_tasks
from irtgap.data.simulate import SimulatedData, semi_synthetic, simulate
from irtgap.methods.bayes.design import match_hosted_versions
from irtgap.methods.bayes.model import INFERENCE, GapModel
from irtgap.methods.bayes.settings import SETTING_NAMES
from irtgap.methods.eci import prepare as prepare_eci
from irtgap.methods.registry import get_method, method_names, run_method

#: Dates at which every method's gap is compared with the truth.
VALIDATION_DATES = pd.DatetimeIndex(
    ["2023-07-01", "2024-01-01", "2024-07-01", "2025-01-01", "2025-07-01"]
)
#: The methods of the study (the Bayesian model first; Epoch's rule, one number per date without
#: an interval, is not in it).
METHODS = ("bayesian", "threshold", "eci", "elo", "composite")


def _growing(t: np.ndarray) -> np.ndarray:
    return 6.0 + 2.0 * t


def _shrinking(t: np.ndarray) -> np.ndarray:
    return 6.0 - 2.0 * t


def _dip_grow(t: np.ndarray) -> np.ndarray:
    return 3.0 + 2.0 * (t - 0.5) ** 2


@dataclass(frozen=True)
class Scenario:
    """A named simulated world: ``generator(**kwargs, seed=...)`` draws one.

    ``generator`` is :func:`irtgap.simulate` unless given (e.g.
    :func:`irtgap.data.simulate.semi_synthetic`); any function taking ``seed`` and returning a
    :class:`~irtgap.data.simulate.SimulatedData` will do (a module-level one, so that the
    scenario pickles for worker processes).
    """

    name: str
    description: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    generator: Callable[..., SimulatedData] = simulate

    def draw(self, seed: int) -> SimulatedData:
        """One world of this scenario."""
        return self.generator(**self.kwargs, seed=seed)


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


#: Worlds the Bayesian model did not generate, by name (see the module docstring).
MISSPECIFIED: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario(
            "curved",
            "accelerating closed frontier 1.2t + 0.1t^2 (not piecewise linear)",
            dict(_BASE, gap_months=6.0, frontier_curvature=0.1),
        ),
        Scenario(
            "dip_grow",
            "gap dips and grows: 3 + 2(t - 0.5)^2 months (5, 3, 5 at 2023-07, 2024-07, 2025-07)",
            dict(_BASE, gap_months=_dip_grow),
        ),
        Scenario(
            "fame_gamma",
            "Gamma(2) shortfalls, shrinking with evaluation count as n^-0.5",
            dict(
                _BASE,
                gap_months=6.0,
                shortfall_dist="gamma",
                gamma_shape=2.0,
                eval_spread=0.8,
                fame_effect=0.5,
            ),
        ),
        Scenario(
            "heavy_interactions",
            "model x benchmark interactions 0.4 t_3 on the logit",
            dict(_BASE, gap_months=6.0, interaction_df=3.0, interaction_scale=0.4),
        ),
        Scenario(
            "binomial",
            "binomial scores on 15, 30, 60 or 200 items",
            dict(_BASE, gap_months=6.0, noise="binomial", n_items=(15, 30, 60, 200)),
        ),
        Scenario(
            "growing_contamination",
            "open models' public-benchmark advantage grows 0.3 units a year from 0 at 2022",
            dict(_BASE, gap_months=6.0, contamination_growth=0.3),
        ),
        Scenario(
            "self_report",
            "30% of first-party scores self-reported, 0.5 units too high",
            dict(_BASE, gap_months=6.0, self_report_share=0.3, self_report_inflation=0.5),
        ),
    )
}


def semi_synthetic_scenario(data: Any = None, **kwargs: Any) -> Scenario:
    """The real evaluation pattern of the bundled data (or ``data``) with a known truth.

    Every world keeps the rows of ``data`` the Bayesian model would use (its models, release
    dates, sides, providers, benchmarks, floors, ceilings and who was scored where) and draws
    their scores from :func:`irtgap.data.simulate.semi_synthetic` (a constant 6-month gap, a
    closed frontier rising one unit a year, Beta noise of precision 30, hosted copies sharing
    their first-party version's capability as
    :func:`~irtgap.methods.bayes.design.match_hosted_versions` says; ``kwargs`` override any of
    these).

    Parameters
    ----------
    data : ScoreData, optional
        The real pattern (default: :func:`irtgap.load_dataset`, Epoch AI's Benchmarking Hub,
        CC-BY 4.0).
    **kwargs
        Options of :func:`~irtgap.data.simulate.semi_synthetic` over the scenario's.

    Returns
    -------
    Scenario
        Named ``semi_synthetic``; its description gives the pattern's size and dates.
    """
    if data is None:
        from irtgap.data.datasets import load_dataset

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            data = load_dataset()
    options = dict(data=data, gap_months=6.0, hosted_base=match_hosted_versions, **kwargs)
    # one draw to describe the world (seed 0; the pattern is the same in every world)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        shape = semi_synthetic(**options, seed=0).data
    gap = options["gap_months"]
    what = f"{gap:g}-month gap" if not callable(gap) else "known gap"
    return Scenario(
        "semi_synthetic",
        f"real pattern: {shape.n_models} models, {shape.n_benchmarks} benchmarks, "
        f"{shape.n_obs} scores, {shape.scores[D.DATE].min().date()} to "
        f"{shape.scores[D.DATE].max().date()}; {what}",
        options,
        generator=semi_synthetic,
    )


def realistic_scenario(data: Any = None, *, n_models: int = 120) -> Scenario:
    """A world shaped like the November 2025 snapshot (or ``data``): density, dates, side mix,
    benchmark count.

    From the snapshot's fraction-scale scores since 2022: the share of (model, benchmark) cells
    scored among benchmarks that existed when the model was released, the first and last release
    dates, the open share of models and the number of benchmarks. ``n_models`` (120) keeps a
    Bayesian fit short; release dates are uniform over the period and benchmark lifetimes follow
    :func:`irtgap.simulate` (harder benchmarks appear later).

    Parameters
    ----------
    data : ScoreData, optional
        The data whose shape the world takes (default: the November 2025 snapshot, the shape of
        the committed study).
    n_models : int
        Models in each world, split between the sides as in ``data``.

    Returns
    -------
    Scenario
        Named ``realistic``, drawn by :func:`irtgap.simulate`.
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
    # a benchmark of unknown release date (real metadata) is not taken for the latest
    return list(meta.loc[ok].sort_values("release_date", na_position="first").index[-k:])


#: fit_eci's options in the study (besides the anchors): every date, variants merged into their
#: model group, Epoch's benchmark set (fit_eci's defaults apart from ``since``).
_ECI_OPTIONS: dict[str, Any] = dict(since=None, merge_variants=True, benchmarks="eci")


def _scale_anchors(sim: SimulatedData, *, anchor: str, min_benchmarks: int) -> dict[str, float]:
    """The earliest and the latest closed model scored on more than ``min_benchmarks``
    benchmarks (130 and 150), among the models :func:`fit_eci` fits.

    Chosen on the data's own rows; when either is not fitted (on a real pattern, where variants
    merge into their model group and filters drop models), on the rows ``fit_eci`` keeps.
    """

    def pick(t: pd.DataFrame) -> tuple[str, str]:
        t = t[t[D.WEIGHTS] == D.CLOSED]
        per = t.groupby(D.MODEL).agg(n=(D.BENCHMARK, "nunique"), date=(D.DATE, "first"))
        per = per[per["n"] >= min_benchmarks + 1].sort_values("date")
        return str(per.index[0]), str(per.index[-1])

    first, last = pick(sim.data.scores)
    kept, models, _ = prepare_eci(
        sim.data, anchor_benchmark=anchor, min_benchmarks=min_benchmarks, **_ECI_OPTIONS
    )
    if first not in models.index or last not in models.index:
        first, last = pick(kept)
    return {first: 130.0, last: 150.0}


def _threshold_options(sim: SimulatedData, model: dict[str, Any] | None) -> dict[str, Any]:
    return {"by": None}


def _eci_options(sim: SimulatedData, model: dict[str, Any] | None) -> dict[str, Any]:
    anchor = str(sim.data.scores[D.BENCHMARK].value_counts().index[0])
    return dict(
        anchor_benchmark=anchor,
        scale_anchors=_scale_anchors(sim, anchor=anchor, min_benchmarks=4),
        min_benchmarks=4,
        **_ECI_OPTIONS,
    )


def _elo_options(sim: SimulatedData, model: dict[str, Any] | None) -> dict[str, Any]:
    return dict(benchmarks=_hard_recent(sim, 6), since=None)


def _composite_options(sim: SimulatedData, model: dict[str, Any] | None) -> dict[str, Any]:
    # the fairest composite a sparse table allows: the 4 most-scored benchmarks, half covered
    return dict(n_benchmarks=4, since="2022-01-01", min_coverage=0.5)


def _bayesian_options(sim: SimulatedData, model: dict[str, Any] | None) -> dict[str, Any]:
    return dict(model=GapModel(**(model or {})), cores=1)


#: Each method's options in the study (besides its budget and seed), from the world drawn and
#: the Bayesian model's settings.
STUDY_OPTIONS: dict[str, Callable[[SimulatedData, dict[str, Any] | None], dict[str, Any]]] = {
    "bayesian": _bayesian_options,
    "threshold": _threshold_options,
    "eci": _eci_options,
    "elo": _elo_options,
    "composite": _composite_options,
}


def _estimate(
    method: str,
    sim: SimulatedData,
    dates: pd.DatetimeIndex,
    quick: bool,
    seed: int,
    model_options: dict[str, Any] | None = None,
    inference: str = "nuts",
) -> pd.DataFrame:
    """The method's gap table in its headline group at ``dates`` (with the sampler's
    ``max_rhat`` and ``divergences`` for a result that has diagnostics). ``inference`` other
    than ``"nuts"`` runs the Bayesian model in that mode with its own schedule."""
    if method not in STUDY_OPTIONS:
        raise ValueError(f"unknown method {method!r}: use one of {METHODS}")
    options = STUDY_OPTIONS[method](sim, model_options)
    if inference != "nuts" and get_method(method).censored_draws:
        options.update(inference=inference, draws=None, tune=None, chains=None)
    res = run_method(
        method, sim.data, budget="fast" if quick else "validation", seed=seed, **options
    )
    table = res.gap(dates)
    table = table[table[D.GROUP] == get_method(method).headline_group]
    diagnostics = getattr(res, "diagnostics", None)
    if diagnostics is not None:
        diag = diagnostics(warn=False)
        table = table.assign(max_rhat=diag["max_rhat"], divergences=diag["divergences"])
    return table


def check_model_options(options: dict[str, Any] | None) -> None:
    """Raise a ValueError naming the option when ``options`` are not valid
    :class:`~irtgap.GapModel` settings."""
    if not options:
        return
    known = set(SETTING_NAMES)
    unknown = sorted(set(options) - known)
    if unknown:
        raise ValueError(
            f"model_options: unknown GapModel setting(s) {unknown}; use any of {sorted(known)}"
        )
    GapModel(**options)  # each value is checked by GapSettings (a ValueError naming it)


def _scenario(name: str) -> Scenario:
    known = {**SCENARIOS, **MISSPECIFIED}
    if name not in known:
        raise KeyError(
            f"unknown scenario {name!r}: use one of {', '.join(known)}, or pass a Scenario "
            "(realistic_scenario(), semi_synthetic_scenario())"
        )
    return known[name]


def run_replication(
    scenario: Scenario | str,
    replication: int,
    *,
    methods: Sequence[str] = METHODS,
    dates: Sequence[Any] | None = None,
    quick: bool = False,
    seed: int = 0,
    model_options: dict[str, Any] | None = None,
    inference: str = "nuts",
) -> pd.DataFrame:
    """Simulate one world of ``scenario`` and run ``methods`` on it.

    Parameters
    ----------
    scenario : Scenario or str
        A :class:`Scenario` or the name of one in :data:`SCENARIOS` or :data:`MISSPECIFIED`.
    replication : int
        The world's number: its seed comes from ``(seed, replication)`` alone.
    methods : sequence of str
        Methods run on the world (see :data:`METHODS`).
    dates : sequence of dates, optional
        Where the gaps are compared with the truth (default :data:`VALIDATION_DATES`).
    quick : bool
        The registry's ``"fast"`` budgets instead of ``"validation"``.
    seed : int
        Study seed.
    model_options : dict, optional
        :class:`~irtgap.GapModel` settings for the Bayesian method (its defaults otherwise;
        checked before the world is drawn).
    inference : {"nuts", "fast"}
        The Bayesian method's inference mode (:meth:`GapModel.fit <irtgap.GapModel.fit>`;
        ``"fast"`` with the fast mode's own schedule instead of the study budget).

    Returns
    -------
    pandas.DataFrame
        One row per (method, date): ``scenario, replication, method, date, truth, estimate``
        (posterior or bootstrap median), ``lower, upper`` (90% interval), ``covered``,
        ``seconds``, and ``error`` (the exception text when a method failed on this world; its
        estimate is NaN).
    """
    sc = _scenario(scenario) if isinstance(scenario, str) else scenario
    check_model_options(model_options)
    check_choice("inference", inference, tuple(INFERENCE))
    dates = VALIDATION_DATES if dates is None else pd.DatetimeIndex(pd.to_datetime(dates))
    rep_seed = int(np.random.SeedSequence([seed, replication]).generate_state(1)[0] % 2**31)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sim = sc.draw(rep_seed)
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
                table = _estimate(
                    method, sim, dates, quick, rep_seed, model_options, inference=inference
                )
            # the threshold and capability methods' "all" pools every benchmark; the Bayesian
            # model's "capability" is its gap without the public-benchmark advantage
            table = table.set_index(D.DATE).reindex(dates)
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
    res["covered"] = covered(res)
    return res


def _censored(method: str) -> bool:
    """Whether ``method``'s gap draws can be censored (False for a name the registry does not
    know: a NaN end then holds nothing)."""
    return method in method_names() and get_method(method).censored_draws


def covered(results: pd.DataFrame) -> np.ndarray:
    """1.0 where the interval holds the truth, 0.0 where not, NaN without an estimate.

    For a method whose draws can be censored
    (:attr:`irtgap.methods.registry.Method.censored_draws`: the Bayesian fit), an interval end
    that is NaN beside a finite estimate is *open*: it fell among censored draws
    (:func:`irtgap.core.gaps.summarize_gap`), e.g. a lower end below the shortest gap the data
    can measure, so it holds any truth on its side. Every other NaN end (no interval at all,
    e.g. a threshold group with one benchmark) holds nothing.
    """
    est = results["estimate"].notna()
    censored = results["method"].map(_censored).astype(bool)
    low_open = censored & est & results["lower"].isna()
    high_open = censored & est & results["upper"].isna()
    above = low_open | (results["lower"] <= results["truth"])
    below = high_open | (results["truth"] <= results["upper"])
    return np.where(est, (above & below).astype(float), np.nan)


def summarize_validation(results: pd.DataFrame) -> pd.DataFrame:
    """Bias, RMSE and 90% coverage per scenario, method and date (and over all dates).

    ``n`` counts replications with a defined estimate; ``n_failed`` those without (the method
    raised, or its gap was undefined at that date), so nothing is dropped silently.
    ``mean_width`` is over the intervals with both ends; ``n_open`` counts the estimates whose
    interval has an open or missing end (:func:`covered`), left out of the width.
    """
    r = results.assign(err=results["estimate"] - results["truth"])
    keys = ["scenario", "method", D.DATE]

    def agg(g: pd.DataFrame) -> pd.Series:
        ok = g["err"].notna()
        e = g.loc[ok, "err"]
        width = g.loc[ok, "upper"] - g.loc[ok, "lower"]
        return pd.Series(
            {
                "bias": e.mean(),
                "rmse": float(np.sqrt((e**2).mean())) if len(e) else np.nan,
                "coverage": g.loc[ok, "covered"].astype(float).mean(),
                "mean_width": width.mean(),
                "n": int(ok.sum()),
                "n_failed": int((~ok).sum()),
                "n_open": int(width.isna().sum()),
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
    model_options: dict[str, Any] | None = None,
    inference: str = "nuts",
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
        The scenarios (e.g. ``SCENARIOS.values()`` and :func:`realistic_scenario`, or
        ``MISSPECIFIED.values()`` and :func:`semi_synthetic_scenario`).
    replications : int or dict
        Worlds per scenario, or per scenario name (a name left out gets none).
    methods : sequence of str
        Methods run on every world (see :data:`METHODS`).
    quick : bool
        Fewer bootstrap resamples and MCMC draws: the registry's ``"fast"`` budgets instead of
        ``"validation"`` (:mod:`irtgap.methods.registry`: 100 instead of 300 resamples, 300
        instead of 600 draws and tuning steps on 2 chains).
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
    model_options : dict, optional
        :class:`~irtgap.GapModel` settings for the Bayesian method (e.g.
        ``{"public_advantage_trend": True}``), checked before any world runs.
    inference : {"nuts", "fast"}
        The Bayesian method's inference mode (``"fast"``: its own short schedule, see
        :data:`irtgap.methods.bayes.model.INFERENCE`).

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
    check_model_options(model_options)
    check_choice("inference", inference, tuple(INFERENCE))
    tasks = []
    for sc in scenarios:
        n = replications if isinstance(replications, int) else replications.get(sc.name, 0)
        tasks += [(sc, r) for r in range(n)]
    parts = map_tasks(
        partial(
            run_replication,
            methods=tuple(methods),
            quick=quick,
            seed=seed,
            model_options=model_options,
            inference=inference,
        ),
        tasks,
        n_jobs=n_jobs,
        backend=backend,
        progress=progress,
        what=f"replications over {len(scenarios)} scenario{'s' * (len(scenarios) != 1)}",
    )
    return pd.concat(parts, ignore_index=True)
