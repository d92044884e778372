"""Leave-one-benchmark-out (irtgap.analyses.sensitivity): the table, the benchmarks a method does
not read, failures, the caller's data, the largest swing, n_jobs, the figure, the Bayesian path
(with a prior-sample fit instead of MCMC) and the report section."""

from __future__ import annotations

import copy
import re
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import xarray as xr

import irtgap
from irtgap.analyses import sensitivity as S
from irtgap.core import dims as D
from irtgap.methods.bayes.fit import GapFit
from irtgap.methods.bayes.model import GapModel
from irtgap.report.context import ReportContext

DATES = ["2024-06-01", "2025-01-20"]
HEADS = {m: irtgap.get_method(m).headline_group for m in irtgap.results.METHODS}
GROUPS = {"threshold": 3, "eci": 1, "elo": 1, "composite": 1}


@pytest.fixture(scope="module")
def data() -> irtgap.ScoreData:
    sim = irtgap.simulate(
        n_closed=25, n_open=25, n_benchmarks=6, density=0.8, benchmark_lifetimes=False, seed=3
    )
    return sim.data


def _kwargs(data: irtgap.ScoreData) -> dict[str, dict]:
    closed = data.scores[data.scores[D.WEIGHTS] == D.CLOSED]
    per = closed.groupby(D.MODEL).agg(n=(D.BENCHMARK, "nunique"), date=(D.DATE, "first"))
    per = per[per["n"] >= 6].sort_values("date")
    return {
        "threshold": {"n_bootstrap": 50},
        "eci": {
            "anchor_benchmark": "bench01",  # the most scored; leaving it out must fail
            "scale_anchors": {str(per.index[0]): 130.0, str(per.index[-1]): 150.0},
            "since": None,
            "min_benchmarks": 3,
            "n_bootstrap": 0,  # point fits: the Monte Carlo error of a change is 0
        },
        "elo": {"benchmarks": ["bench00", "bench01", "bench02", "bench03"], "n_bootstrap": 10},
        "composite": {
            "n_benchmarks": 3,
            "since": "2022-01-01",
            "min_coverage": 0.5,
            "n_bootstrap": 30,
        },
    }


@pytest.fixture(scope="module")
def run(data):
    """The four methods on the simulated world, with the caller's data copied before."""
    before = copy.deepcopy(data)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        lobo = S.leave_one_benchmark_out(data, method_kwargs=_kwargs(data), dates=DATES)
    return lobo, before, [str(w.message) for w in caught]


def test_table_has_one_row_per_method_benchmark_date_and_group(run, data):
    lobo, _, _ = run
    t = lobo.table
    assert tuple(t.columns) == S.LOBO_COLUMNS
    n_expected = sum(GROUPS.values()) * data.n_benchmarks * len(DATES)
    assert len(t) == n_expected
    keys = ["method", "left_out", D.DATE, D.GROUP]
    assert not t.duplicated(keys).any()
    assert set(t["left_out"]) == set(data.benchmarks.index)
    assert list(lobo.dates) == list(pd.DatetimeIndex(DATES))
    ok = t["mean"].notna() & t["baseline_mean"].notna()
    np.testing.assert_allclose(t.loc[ok, "change"], t.loc[ok, "mean"] - t.loc[ok, "baseline_mean"])
    assert t["used"].dtype == bool
    eci = t[(t["method"] == "eci") & t["change"].notna()]
    assert not eci.empty and (eci["mc_se"] == 0).all()  # point fits: no Monte Carlo error
    boot = t[(t["method"] == "composite") & t["used"] & t["change"].notna()]
    assert not boot.empty and (boot["mc_se"] > 0).all()
    assert (
        t.groupby(["method", D.DATE, D.GROUP])["baseline_mean"].nunique(dropna=False) == 1
    ).all()
    ok = t["median"].notna() & t["baseline_median"].notna()
    np.testing.assert_allclose(
        t.loc[ok, "change_median"], t.loc[ok, "median"] - t.loc[ok, "baseline_median"]
    )


def test_unused_benchmarks_repeat_the_baseline_and_a_refit_agrees(run, data):
    lobo, _, _ = run
    t = lobo.table
    kw = _kwargs(data)
    comp = t[t["method"] == "composite"]
    unused = sorted(comp.loc[~comp["used"], "left_out"].unique())
    assert len(unused) == data.n_benchmarks - 3  # the index reads three benchmarks
    rows = comp[~comp["used"] & comp["baseline_mean"].notna()]
    assert (rows["change"] == 0.0).all() and (rows["mean"] == rows["baseline_mean"]).all()
    assert set(t.loc[(t["method"] == "elo") & ~t["used"], "left_out"]) == {"bench04", "bench05"}
    assert t.loc[t["method"] == "threshold", "used"].all()  # it reads every benchmark
    # the rule is right: a real refit without an unused benchmark gives the baseline's gap
    for method, fn in (("composite", irtgap.composite_index), ("elo", irtgap.fit_elo)):
        name = sorted(t.loc[(t["method"] == method) & ~t["used"], "left_out"])[0]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            full = fn(data, seed=0, **kw[method]).gap(DATES)
            refit = fn(data.subset(exclude_benchmarks=[name]), seed=0, **kw[method]).gap(DATES)
        pd.testing.assert_frame_equal(full, refit)


def test_a_failed_fit_is_nan_with_its_error_and_a_warning(run):
    lobo, _, messages = run
    t = lobo.table
    bad = t[(t["method"] == "eci") & (t["left_out"] == "bench01")]
    assert len(bad) == len(DATES)
    assert bad[["mean", "lower", "upper", "change", "mc_se"]].isna().all().all()
    assert bad["error"].str.contains("anchor_benchmark='bench01'").all()
    assert bad["used"].all()
    assert any("leave-one-benchmark-out fits failed" in m and "eci" in m for m in messages)
    others = t[(t["left_out"] != "bench01") | (t["method"] != "eci")]
    assert (others["error"] == "").all()


def test_the_callers_data_is_not_changed(run, data):
    _, before, _ = run
    pd.testing.assert_frame_equal(data.scores, before.scores)
    pd.testing.assert_frame_equal(data.benchmarks, before.benchmarks)
    assert data.log == before.log


def test_swings_pick_the_benchmark_with_a_fake_closed_advantage(data):
    """Every closed model scores 0.95 on an added benchmark, open models climb slowly over the
    whole period: its threshold points say open models are years behind, so leaving it out must
    shorten the threshold gap more than leaving out any other benchmark."""
    scores = data.scores
    extra = scores.drop_duplicates(D.MODEL).assign(benchmark="Skewed")
    days = (extra[D.DATE] - extra[D.DATE].min()).dt.days.to_numpy()
    extra[D.SCORE] = np.where(extra[D.WEIGHTS] == D.CLOSED, 0.95, 0.05 + 0.9 * days / days.max())
    meta = data.benchmarks.reset_index()
    meta = pd.concat([meta, meta.iloc[[0]].assign(benchmark="Skewed", access="public")])
    skewed = irtgap.ScoreData.from_frame(
        pd.concat([scores, extra], ignore_index=True),
        model=D.MODEL,
        benchmark=D.BENCHMARK,
        score=D.SCORE,
        date=D.DATE,
        weights=D.WEIGHTS,
        benchmarks=meta,
        registry=False,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lobo = S.leave_one_benchmark_out(
            skewed,
            methods="threshold",
            method_kwargs={"threshold": {"n_bootstrap": 50}},
            benchmarks=["bench00", "Skewed", "bench01"],
            dates=["2024-06-01"],
        )
    swings = lobo.swings().set_index(D.GROUP)
    top = swings.loc["all"]
    assert top["left_out"] == "Skewed"
    assert top["change"] < -4  # months: the fake closed lead is gone
    t = lobo.table[lobo.table[D.GROUP] == "all"]
    assert top["abs_change"] == t["change"].abs().max()
    assert top["change"] == t.loc[t["left_out"] == "Skewed", "change"].item()
    assert top["n_used"] == 3 and top["n_failed"] == 0
    assert np.isclose(top["ratio"], top["abs_change"] / top["half_width"])
    with pytest.raises(ValueError, match="give one date of the table"):
        lobo.swings(date="2024-01-01")


def test_swings_per_method_and_group(run):
    lobo, _, _ = run
    s = lobo.swings()
    assert list(s["method"]) == ["threshold"] * 3 + ["eci", "elo", "composite"]
    t = lobo.table
    for _, row in s.iterrows():
        sub = t[(t["method"] == row["method"]) & (t[D.GROUP] == row[D.GROUP])]
        sub = sub[(sub[D.DATE] == lobo.dates[-1]) & sub["change"].notna()]
        if sub.empty:
            assert row["left_out"] == "" and np.isnan(row["change"])
        else:
            assert row["abs_change"] == sub["change"].abs().max()
            assert row["left_out"] in set(
                sub.loc[sub["change"].abs() == row["abs_change"], "left_out"]
            )
    assert s.loc[s["method"] == "eci", "n_failed"].item() == 1
    med = lobo.swings(statistic="median")
    assert {"baseline_median", "median"} <= set(med.columns) and med["mc_se"].isna().all()
    for _, row in med.dropna(subset=["change"]).iterrows():
        sub = t[(t["method"] == row["method"]) & (t[D.GROUP] == row[D.GROUP])]
        sub = sub[sub[D.DATE] == lobo.dates[-1]]
        assert row["abs_change"] == sub["change_median"].abs().max()
    with pytest.raises(ValueError, match="statistic"):
        lobo.swings(statistic="mode")


def test_n_jobs_2_gives_the_same_table(data):
    kw = {m: _kwargs(data)[m] for m in ("elo", "composite")}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        one = S.leave_one_benchmark_out(data, methods=list(kw), method_kwargs=kw, n_jobs=1)
        two = S.leave_one_benchmark_out(data, methods=list(kw), method_kwargs=kw, n_jobs=2)
    pd.testing.assert_frame_equal(one.table, two.table)
    # default dates: R1's release and the last date where every method has data
    assert one.dates[0] == pd.Timestamp("2025-01-20") and len(one.dates) == 2


def test_progress_reports_both_phases(data):
    seen: list[str] = []
    kw = {"composite": _kwargs(data)["composite"]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        S.leave_one_benchmark_out(
            data,
            methods="composite",
            method_kwargs=kw,
            benchmarks=["bench00", "bench01"],
            progress=lambda done, total, msg: seen.append(msg),
        )
    assert seen[0] == "0/1 baseline fits" and seen[-1] == "1/1 leave-one-benchmark-out fits"


def test_plot_returns_axes_with_one_row_per_benchmark(run, data):
    lobo, _, _ = run
    ax = lobo.plot(date="2024-06-01")
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert sorted(labels) == sorted(data.benchmarks.index)
    assert ax.get_legend() is not None
    assert "left out" in ax.get_xlabel()
    plt.close(ax.figure)
    ax = lobo.plot(top=2, statistic="median")
    assert len(ax.get_yticklabels()) >= 2 and "not shown" in ax.get_xlabel()
    plt.close(ax.figure)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"methods": ["nope"]}, "unknown method"),
        ({"methods": "composite", "budget": "huge"}, "budget='huge'"),
        ({"benchmarks": ["nope"]}, "nope"),
        ({"method_kwargs": {"elo": {}}, "methods": "composite"}, "not in methods"),
        ({"method_kwargs": {"composite": {"seed": 1}}, "methods": "composite"}, "sets"),
        ({"n_jobs": 0, "methods": "composite"}, "n_jobs"),
        ({"backend": "spark", "methods": "composite"}, "backend"),
    ],
)
def test_bad_options_raise_naming_them(data, kwargs, match):
    with pytest.raises(ValueError, match=match):
        S.leave_one_benchmark_out(data, **kwargs)


# ------------------------------------------------------------------ Bayesian, without MCMC
def _known_gap_fit(self: GapModel, data: irtgap.ScoreData, **kwargs) -> GapFit:
    """A GapFit without sampling: straight frontiers (1.2 units a year), the open one behind by
    ``2 + n`` months, n the number of modelled benchmarks (so leaving a modelled benchmark out
    shortens the gap by exactly one month), plus a little spread across 2 x 20 draws."""
    design = self.design(data)
    rng = np.random.default_rng(kwargs["seed"])
    gap = 2.0 + len(design.benchmarks) + rng.normal(0, 0.3, size=(2, 20, 1))
    knots = np.asarray(design.knots, float)
    frontier = np.stack(
        [np.broadcast_to(1.2 * knots, (2, 20, knots.size)), 1.2 * (knots - gap / 12)], axis=2
    )
    post = xr.Dataset(
        {
            "frontier": ((D.CHAIN, D.DRAW, D.WEIGHTS, "knot"), frontier),
            "public_advantage": ((D.CHAIN, D.DRAW), np.zeros((2, 20))),
        },
        coords={D.CHAIN: [0, 1], D.DRAW: np.arange(20), D.WEIGHTS: [D.CLOSED, D.OPEN]},
    )
    stats = xr.Dataset({"diverging": ((D.CHAIN, D.DRAW), np.zeros((2, 20), bool))})
    tree = xr.DataTree.from_dict({"posterior": post, "sample_stats": stats})
    _known_gap_fit.calls.append((self.knot_months, kwargs))  # type: ignore[attr-defined]
    return GapFit(idata=tree, design=design, settings=self.settings, data=data)


def test_bayesian_path_with_a_mocked_fit(data, monkeypatch):
    _known_gap_fit.calls = []  # type: ignore[attr-defined]
    monkeypatch.setattr(GapModel, "fit", _known_gap_fit)
    kw = {"bayesian": {"model": {"knot_months": 6}, "draws": 20, "tune": 10}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lobo = S.leave_one_benchmark_out(
            data,
            methods="bayesian",
            method_kwargs=kw,
            benchmarks=["bench00", "bench01"],
            dates=DATES,
            seed=5,
        )
    calls = _known_gap_fit.calls  # type: ignore[attr-defined]
    assert len(calls) == 3  # the baseline and one fit per benchmark left out
    assert all(k == 6 for k, _ in calls)
    # the "full" budget (4 chains) with the caller's draws and tuning steps on top
    want = {"draws": 20, "tune": 10, "chains": 4, "seed": 5, "progressbar": False}
    assert all(c == want for _, c in calls)
    t = lobo.table
    assert set(t[D.GROUP]) == {"capability", "public", "private"}
    assert len(t) == 2 * 3 * len(DATES) and t["used"].all() and (t["error"] == "").all()
    np.testing.assert_allclose(t["change"], -1.0, atol=1e-6)  # one modelled benchmark fewer
    assert (t["mc_se"] > 0).all()
    s = lobo.swings()
    assert set(s[D.GROUP]) == {"capability", "public", "private"}
    np.testing.assert_allclose(s["abs_change"], 1.0, atol=1e-6)
    with pytest.raises(ValueError, match="GapModel or a dict"):
        S.leave_one_benchmark_out(
            data, methods="bayesian", method_kwargs={"bayesian": {"model": 3}}
        )


def test_budgets_come_from_the_registry(data, monkeypatch):
    """leave_one_benchmark_out runs each method with the registry's budget of ``budget`` (or
    of ``fast``), the caller's options on top."""
    from irtgap.methods import registry

    seen = []
    real = registry.run_method

    def spy(name, data_, *, budget, seed, **options):
        seen.append((name, budget, options))
        return real(name, data_, budget=budget, seed=seed, **options)

    monkeypatch.setattr(S, "run_method", spy)
    kw = {"composite": _kwargs(data)["composite"]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lobo = S.leave_one_benchmark_out(
            data, methods="composite", method_kwargs=kw, budget="report_lobo", dates=DATES
        )
    assert {b for _, b, _ in seen} == {"report_lobo"} and lobo.settings["budget"] == "report_lobo"
    assert all(o["n_bootstrap"] == 30 for _, _, o in seen)  # the caller's, over the budget's
    assert registry.get_method("composite").budget("report_lobo") == {"n_bootstrap": 1000}


# ------------------------------------------------------------------ the report section
def test_report_section_writes_figures_table_and_reading(run, data, tmp_path, monkeypatch):
    from irtgap.report.sections import sensitivity as section

    lobo, _, _ = run
    asked = {}

    def fake(data_, **kwargs):
        asked.update(kwargs)
        return lobo

    monkeypatch.setattr(section, "leave_one_benchmark_out", fake)
    lines: list[str] = []
    ctx = ReportContext(data, tmp_path, fast=True, seed=2, log=lines.append)
    md = section.sensitivity_section(ctx)
    assert asked["methods"] == ["threshold", "eci", "elo", "composite"] and asked["seed"] == 2
    assert asked["budget"] == "report_lobo_fast"
    assert "(ECI: point fits, so no interval)" in md  # its n_bootstrap there is 0
    assert "## Leave one benchmark out" in md and "**Reading:**" in md
    assert "| method | date | benchmark (median) | change (median) |" in md
    assert "eci without bench01: ScoreDataError" in md
    for png in ("lobo_last.png", "lobo_r1.png"):
        assert (tmp_path / png).read_bytes()[:4] == b"\x89PNG"
    assert not re.search(r"\bnan\b", md)  # a missing number is a blank cell
    table = section.swing_table(lobo)
    assert list(table.index) == [m for m in ("threshold", "eci", "elo", "composite") for _ in DATES]
    assert list(table[D.DATE]) == DATES * 4
    monkeypatch.setattr(section, "leave_one_benchmark_out", fake)
    md = section.sensitivity_section(ReportContext(data, tmp_path), bayesian=True)
    assert asked["methods"][-1] == "bayesian" and asked["budget"] == "report_lobo"
    assert "bayesian 300" in md and "point fits" not in md


def test_dependence_paragraph_ranks_method_benchmark_set_and_model_form(run):
    """The report's paragraph: the methods' spread against the largest one-benchmark swing on
    this data, the committed model-form evidence (labelled as the bundled data's, read from the
    file the package ships), and the Bayesian section's fit when given."""
    from irtgap.report.sections import sensitivity as section

    lobo, _, _ = run
    text = section.dependence(lobo)  # no Bayesian fit: the four methods only
    when = lobo.dates[-1]
    base = lobo.baseline[
        (lobo.baseline[D.DATE] == when)
        & (lobo.baseline[D.GROUP] == lobo.baseline["method"].map(HEADS))
    ].dropna(subset=["median"])
    spread = base["median"].max() - base["median"].min()
    assert f"a spread of {spread:.1f} months" in text
    swings = lobo.swings(when, statistic="median")
    heads = swings[swings[D.GROUP] == swings["method"].map(HEADS)]
    top = heads["change"].abs().max()
    more = "method" if spread >= top else "benchmark set"
    assert f"On this data the answer depends more on the {more}" in text
    assert "Model form: on the bundled April 2026 export" in text
    assert "(measured there, not on this data)" in text and "bayesian" not in text
    best = max(section.MODEL_FORMS, key=lambda k: section.MODEL_FORMS[k][0])
    assert best in text
    assert f"the default form, an {section.DEFAULT_FORM} (ELPD-LOO +15.3" in text
    assert "a learned growth spread (ELPD-LOO -2.0, SE 2.4) moves it by +0.29 and +0.25" in text

    class FakeFit:  # stands in for the Bayesian section's fit
        def gap(self, dates, by):
            return pd.DataFrame(
                {D.DATE: [when] * 2, D.GROUP: ["private", "public"], "median": [99.0, 98.0]}
            )

    text = section.dependence(lobo, FakeFit())
    assert "bayesian private 99.0" in text and "to 99.0 (bayesian private)" in text
    assert "depends more on the method" in text
    assert "(the Bayesian model's from the fit of the Bayesian section)" in text
