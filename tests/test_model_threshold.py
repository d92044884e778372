"""The model-based threshold gap: the threshold method's definition on posterior frontiers."""

from __future__ import annotations

import numpy as np
import pytest

import irtgap
from irtgap.analyses.model_threshold import crossing_days, model_threshold_gap, smooth_points
from irtgap.core import dims as D
from irtgap.methods.bayes.fit import GapFit

#: Prior samples here are test scaffolding: compile them fast (no graph rewrites needed).
FAST = {"mode": "FAST_COMPILE"}


def test_crossing_days_interpolates_and_refuses_levels_outside_the_curve():
    days = np.array([0.0, 10.0, 20.0, 30.0])
    index = np.array([[0.0, 1.0, 2.0, 3.0]])
    need = np.array([[0.5, 2.5, -1.0, 4.0]])
    out = crossing_days(days, index, need, np.ones((1, 4), bool))
    # 0.5 is reached halfway to day 10; 2.5 halfway between days 20 and 30; -1 was already
    # reached at the first day (no crossing seen); 4 is never reached
    np.testing.assert_allclose(out, [[5.0, 25.0, np.nan, np.nan]])
    unusable = crossing_days(days, index, need, np.zeros((1, 4), bool))
    assert np.isnan(unusable).all()


def test_smooth_points_is_the_kernel_mean_inside_each_draws_points():
    days = np.array([[0.0, 100.0, np.nan], [50.0, 60.0, 70.0]])
    gaps = np.array([[2.0, 4.0, np.nan], [1.0, 1.0, 1.0]])
    at = np.array([-10.0, 50.0, 100.0, 200.0])
    out = smooth_points(days, gaps, at, bandwidth_days=60.0)
    # draw 0: symmetric at day 50 -> the mean 3; outside 0..100 NaN
    assert np.isnan(out[0, 0]) and np.isnan(out[0, 3])
    assert out[0, 1] == pytest.approx(3.0)
    assert 3.0 < out[0, 2] < 4.0
    # draw 1: constant points -> constant trend inside 50..70 only
    assert out[1, 1] == pytest.approx(1.0)
    assert np.isnan(out[1, 2])


@pytest.fixture(scope="module")
def shifted_fit():
    """A fit whose every draw has straight frontiers, the open one exactly six months behind
    the closed one, and a known open advantage on public benchmarks."""
    import pymc as pm
    import xarray as xr

    from irtgap.methods.bayes.graph import build_model

    sim = irtgap.simulate(n_closed=20, n_open=20, n_benchmarks=8, density=0.5, seed=3)
    model = irtgap.GapModel(upper_asymptote=False)
    design = model.design(sim.data)
    with build_model(design, model.settings):
        prior = pm.sample_prior_predictive(draws=20, random_seed=1, compile_kwargs=FAST)
    post = prior["prior"].to_dataset()
    years = np.asarray(design.knots)
    closed = 1.5 * years
    opened = 1.5 * (years - 0.5)
    frontier = np.broadcast_to(np.stack([closed, opened]), post["frontier"].shape).copy()
    post["frontier"] = (post["frontier"].dims, frontier)
    post["public_advantage"] = (post["public_advantage"].dims, np.full((1, 20), 0.15))
    stats = xr.Dataset({"diverging": ((D.CHAIN, D.DRAW), np.zeros((1, 20), bool))})
    tree = xr.DataTree.from_dict({"posterior": post, "sample_stats": stats})
    return GapFit(idata=tree, design=design, settings=model.settings, data=sim.data)


def test_model_threshold_gap_reads_the_frontiers_time_shift(shifted_fit):
    """Straight frontiers six months apart: every crossing is six months apart, whatever the
    benchmark's difficulty or slope, so the private trend is 6; on public benchmarks the open
    side is raised by 0.15 units, a tenth of a year at 1.5 units a year: 4.8 months."""
    first, last = shifted_fit.support()
    dates = [first + (last - first) * 0.5, first + (last - first) * 0.7]
    table = model_threshold_gap(shifted_fit, dates, n_draws=20, min_defined=0.5)
    by = table.set_index(["group", "date"])["median"]
    np.testing.assert_allclose(by["private"].to_numpy(), 6.0, atol=0.02)
    np.testing.assert_allclose(by["public"].to_numpy(), 6.0 - 1.2, atol=0.02)
    assert (by["all"].to_numpy() > 4.8).all() and (by["all"].to_numpy() < 6.0).all()
    assert set(table["method"]) == {"model_threshold"}
    assert list(table.columns) == list(irtgap.results.GAP_COLUMNS)


def test_model_threshold_gap_refuses_bad_options(shifted_fit):
    with pytest.raises(ValueError, match="direction"):
        model_threshold_gap(shifted_fit, direction="sideways")
    with pytest.raises(ValueError, match="n_draws"):
        model_threshold_gap(shifted_fit, n_draws=1)
    with pytest.raises(ValueError, match="ci_prob"):
        model_threshold_gap(shifted_fit, ci_prob=1.5)


def test_report_readings_table_puts_the_three_readings_side_by_side(shifted_fit):
    """The report's readings table: per threshold group and date, the model-based threshold
    and the Bayesian gap of the same fit (six months on private benchmarks, 4.8 on public),
    the threshold method's own reading beside them, and P(grew) as a probability."""
    import pandas as pd

    from irtgap.report.sections.readings import readings_table

    first, last = shifted_fit.support()
    dates = pd.DatetimeIndex([first + (last - first) * 0.5, first + (last - first) * 0.7])
    th = irtgap.run_method("threshold", shifted_fit.data)
    table = readings_table(shifted_fit, th, dates.normalize())
    assert list(table.index.get_level_values(0).unique()) == ["all", "public", "private"]
    for d in dates.normalize().date:
        assert table.loc[("private", d), "model-based threshold"].startswith("6.0 (")
        assert table.loc[("private", d), "Bayesian gap"].startswith("6.0 (")
        assert table.loc[("public", d), "Bayesian gap"].startswith("4.8 (")
        assert table.loc[("all", d), "Bayesian gap"].startswith("6.0 (")  # capability
        p = float(table.loc[("private", d), "P(grew), model-based threshold"])
        assert 0.0 <= p <= 1.0
    thr = th.gap(dates.normalize()).set_index(["group", "date"])["median"]
    expected = f"{thr[('public', dates.normalize()[1])]:.1f} ("
    assert table.loc[("public", dates.normalize().date[1]), "threshold method"].startswith(expected)


def test_report_readings_paragraph_states_each_crossings_check(shifted_fit):
    """The paragraph quotes the crossings check per statistic: the private mean, the private
    median (the statistic less swayed by one version's several crossings), the private and
    public points (counts, without decimals) and the public mean, each with its own observed
    value, interval and ppp."""
    import pandas as pd

    from irtgap.report.sections.readings import readings_md

    rows = []
    for k, (group, stat) in enumerate(
        [
            (g, s)
            for g in ("all", "public", "private")
            for s in ("n_points", "mean_gap", "median_gap")
        ]
    ):
        rows.append(
            dict(
                group=group,
                statistic=stat,
                observed=10.0 + k,
                replicated=1.0 + k,
                lower=0.4 + k,
                upper=1.6 + k,
                ppp=k / 100,
            )
        )
    crossings = pd.DataFrame(rows)
    th = irtgap.run_method("threshold", shifted_fit.data)
    text = readings_md(shifted_fit, th, crossings)
    # (group, statistic) -> its row's index k, so each check cites its own numbers
    assert "private mean crossing gap 17.0 observed against 8.0 replicated" in text
    assert "crossings, 18.0 observed against 9.0 replicated" in text  # the private median
    assert "(90%: 8.4 to 9.6; ppp 0.08)" in text
    assert "private crossing points 16 observed against 7 replicated (90%: 6 to 8;" in text
    assert "public crossing points 13 observed" in text
    assert "public mean crossing gap 14.0 observed" in text
