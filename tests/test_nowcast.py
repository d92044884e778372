"""The gap at a date past the data: a projection only where the result can project (the
Bayesian fit), said so with its length in months; NaN with the reason elsewhere; and the
report's first lines."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import irtgap
from irtgap.analyses.nowcast import NOWCAST_COLUMNS, headline_lines, nowcast, read_gap
from irtgap.core import dims as D
from irtgap.report.context import FitRun, ReportContext
from irtgap.report.sections.today import today_lines

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


@pytest.fixture(scope="module")
def sim():
    return irtgap.simulate(seed=2, n_closed=20, n_open=20, n_benchmarks=6, density=0.6)


@pytest.fixture(scope="module")
def composite():
    """On the bundled data, where the composite gap is defined at its last date."""
    return irtgap.composite_index(irtgap.load_dataset(), n_bootstrap=20, seed=1)


@pytest.fixture(scope="module")
def bayes_fit(sim):
    """Prior draws standing in for a posterior (the reading rule, not the numbers, is tested)."""
    import pymc as pm
    import xarray as xr

    from irtgap.methods.bayes.fit import GapFit
    from irtgap.methods.bayes.graph import build_model

    gm = irtgap.GapModel()
    design = gm.design(sim.data)
    with build_model(design, gm.settings):
        prior = pm.sample_prior_predictive(draws=60, random_seed=3)
    stats = xr.Dataset({"diverging": ((D.CHAIN, D.DRAW), np.zeros((1, 60), bool))})
    tree = xr.DataTree.from_dict({"posterior": prior["prior"].to_dataset(), "sample_stats": stats})
    return GapFit(idata=tree, design=design, settings=gm.settings, data=sim.data)


def _months(a, b) -> float:
    return (pd.Timestamp(a) - pd.Timestamp(b)).days / (365.25 / 12)


def test_a_method_that_cannot_project_gives_nan_past_its_data_with_the_reason(composite):
    _, last = composite.group_support()["all"]
    when = last + pd.Timedelta(days=200)
    table = nowcast(composite, date=when)
    assert list(table.columns) == list(NOWCAST_COLUMNS)
    edge, now = table.iloc[0], table.iloc[1]
    assert edge["kind"] == "last data" and edge[D.DATE] == last
    expected = composite.gap([last]).set_index(D.GROUP).loc["all"]
    assert edge["median"] == pytest.approx(expected["median"])
    assert edge["lower"] == pytest.approx(expected["lower"])
    assert now["kind"] == "nowcast" and now[D.DATE] == when and not now["projected"]
    assert np.isnan(now[["median", "lower", "upper"]].astype(float)).all()
    assert now["months_past_data"] == pytest.approx(_months(when, last))
    assert now["note"] == (
        f"the composite result cannot project past its last date with data ({last.date()}): "
        f"no number at {when.date()}, {_months(when, last):.1f} months later"
    )


def test_within_the_data_the_reading_is_the_gap_table(composite):
    first, last = composite.group_support()["all"]
    mid = first + (last - first) / 2
    r = read_gap(composite, mid)
    row = composite.gap([mid]).set_index(D.GROUP).loc["all"]
    assert (r.median, r.lower, r.upper) == pytest.approx(
        (row["median"], row["lower"], row["upper"])
    )
    assert not r.projected and r.months_past_data == 0.0 and r.note == "within the data"
    early = read_gap(composite, first - pd.Timedelta(days=61))
    assert not early.answered and early.note.startswith("before the composite result's first")


def test_the_bayesian_fit_projects_past_its_data_and_says_how_far(bayes_fit):
    _, last = bayes_fit.group_support()["capability"]
    when = last + pd.DateOffset(months=7)
    r = read_gap(bayes_fit, when)
    with pytest.warns(UserWarning):
        row = bayes_fit.gap([when], extrapolate=True).set_index(D.GROUP).loc["capability"]
    assert r.projected and r.median == pytest.approx(row["median"])
    assert r.months_past_data == pytest.approx(_months(when, last))
    assert r.note.startswith(f"projection {_months(when, last):.1f} months past the last date")
    # without projecting there is no number, and the note says it was not asked for
    plain = read_gap(bayes_fit, when, project=False)
    assert not plain.answered and "was not asked to project" in plain.note
    table = nowcast(bayes_fit, date=when)
    assert set(table[D.GROUP]) == {"capability", "public", "private"}
    assert table.loc[table["kind"] == "nowcast", "projected"].all()


def test_headline_lines_for_a_method_without_projection(composite):
    _, last = composite.group_support()["all"]
    lines = headline_lines(nowcast(composite, date="2030-01-01"))
    assert lines[0].startswith("**The gap on 2030-01-01 (composite, all): no number.** The ")
    assert "cannot project past its last date with data" in lines[0]
    edge = composite.gap([last]).set_index(D.GROUP).loc["all", "median"]
    assert lines[1].startswith(f"At the last date with data, {last.date()}: {edge:.1f} months (")


def test_report_today_lines_read_the_bayesian_fit_when_the_report_has_it(
    tmp_path, sim, bayes_fit, monkeypatch
):
    ctx = ReportContext(sim.data, tmp_path, fast=True, sections=("overview", "bayes"))
    monkeypatch.setattr(ctx, "fit_runs", lambda: [FitRun(fit=bayes_fit, convergence=())])
    _, last = bayes_fit.group_support()["capability"]
    when = last + pd.DateOffset(months=5)
    lines = today_lines(ctx, when)
    assert lines == headline_lines(nowcast(bayes_fit, date=when))
    assert lines[0].startswith(f"**The gap on {when.date()} (Bayesian, capability): ")
    assert f"a projection {_months(when, last):.1f} months past the last data" in lines[0]
    none = today_lines(ReportContext(sim.data, tmp_path, sections=("overview",)), when)
    assert none[0].startswith(f"**The gap on {when.date()}:** this report has no Bayesian fit")


def test_report_first_lines_give_the_gap_today(tmp_path, sim):
    from irtgap.report.build import write_report

    path = write_report(
        sim.data,
        tmp_path,
        sections=["threshold"],
        fast=True,
        data_label="simulated",
        cache=False,
        date="2031-05-02",
    )
    lines = path.read_text().splitlines()
    assert lines[0].startswith("# irtgap report")
    assert lines[2].startswith("**The gap on 2031-05-02 (threshold, all): no number.**")
    assert lines[3].startswith("At the last date with data, ")
    with pytest.raises(Exception, match="date"):
        write_report(sim.data, tmp_path, sections=["threshold"], date="not a date")
