"""One contract for every method's result (``irtgap.results.GapResult``): the same draws shape,
gap table, summary, plot, seed name and file round trip, checked on each of the five methods."""

from __future__ import annotations

import inspect
import json
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pymc as pm
import pytest
import xarray as xr

import irtgap
from irtgap.core import dims as D
from irtgap.methods.bayes.fit import GapFit
from irtgap.methods.bayes.model import build_model
from irtgap.results import CI_PROB, GAP_COLUMNS, METHODS, R1_DATE, GapResult

DATES = pd.DatetimeIndex(["2024-06-01", "2025-01-20", "2025-06-01"])


@pytest.fixture(scope="module")
def sim():
    return irtgap.simulate(n_closed=30, n_open=30, n_benchmarks=8, density=0.6, seed=11)


def _anchors(data: irtgap.ScoreData) -> dict[str, float]:
    closed = data.scores[data.scores[D.WEIGHTS] == D.CLOSED]
    per = closed.groupby(D.MODEL).agg(n=(D.BENCHMARK, "nunique"), date=(D.DATE, "first"))
    per = per[per["n"] >= 5].sort_values("date")
    return {str(per.index[0]): 130.0, str(per.index[-1]): 150.0}


def _mock_bayes(data: irtgap.ScoreData, draws: int = 60) -> GapFit:
    """A GapFit whose posterior is a prior sample (two chains): the contract without MCMC."""
    model = irtgap.GapModel()
    design = model.design(data)
    with build_model(design, model.settings):
        prior = pm.sample_prior_predictive(draws=2 * draws, random_seed=3)["prior"]
    post = prior.to_dataset().isel(chain=0, drop=True)
    post = post.coarsen(draw=draws).construct(draw=("chain", "draw"))
    post = post.assign_coords(chain=[0, 1], draw=np.arange(draws))
    stats = xr.Dataset({"diverging": ((D.CHAIN, D.DRAW), np.zeros((2, draws), bool))})
    tree = xr.DataTree.from_dict({"posterior": post, "sample_stats": stats})
    return GapFit(idata=tree, design=design, settings=model.settings, data=data)


def _result(method: str, data: irtgap.ScoreData) -> GapResult:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if method == "threshold":
            return irtgap.threshold_gap(data, n_bootstrap=40, seed=1)
        if method == "eci":
            anchor = str(data.scores[D.BENCHMARK].value_counts().index[0])
            return irtgap.fit_eci(
                data,
                anchor_benchmark=anchor,
                scale_anchors=_anchors(data),
                since=None,
                n_bootstrap=8,
                seed=1,
            )
        if method == "elo":
            names = list(data.benchmarks.index[:6])
            return irtgap.fit_elo(data, benchmarks=names, since=None, n_bootstrap=8, seed=1)
        if method == "composite":
            return irtgap.composite_index(
                data, n_benchmarks=4, since="2022-01-01", min_coverage=0.5, n_bootstrap=20, seed=1
            )
        return _mock_bayes(data)


@pytest.fixture(scope="module", params=METHODS)
def result(request, sim):
    return _result(request.param, sim.data)


def test_every_method_is_covered():
    assert set(METHODS) == set(GapResult.registry)
    assert METHODS == ("threshold", "eci", "elo", "composite", "bayesian")


def test_result_is_a_gap_result_named_by_its_method(result):
    assert isinstance(result, GapResult)
    assert result.method in METHODS
    assert type(result) is GapResult.registry[result.method]


def test_gap_draws_have_the_shared_dims(result):
    draws = result.gap_draws()
    assert draws.dims == (D.CHAIN, D.DRAW, D.GROUP, D.DATE)
    assert draws.sizes[D.DRAW] > 1
    expected_chains = 2 if result.method == "bayesian" else 1  # bootstrap: one chain
    assert draws.sizes[D.CHAIN] == expected_chains
    assert np.issubdtype(draws[D.DATE].dtype, np.datetime64)
    assert np.isfinite(draws.to_numpy()).any()


def test_gap_table_has_the_shared_columns_and_method(result):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = result.gap(DATES)
    assert tuple(table.columns) == GAP_COLUMNS
    assert (table["method"] == result.method).all()
    assert table["prob_grew"].isna().all()  # no reference date: NaN, never absent
    assert set(table[D.DATE]) <= set(DATES)


def test_ci_prob_is_the_interval_probability(result):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wide = result.gap(DATES, ci_prob=0.5, min_defined=0)
        narrow = result.gap(DATES, ci_prob=0.2, min_defined=0)
    # an interval end is NaN where it falls among censored draws (the mock Bayesian posterior, a
    # prior sample, puts the open frontier ahead of the data in a third of its draws): compare
    # the ends that both levels have
    lo = wide["lower"].notna() & narrow["lower"].notna()
    hi = wide["upper"].notna() & narrow["upper"].notna()
    assert hi.any()
    assert (narrow.loc[lo, "lower"] >= wide.loc[lo, "lower"] - 1e-9).all()
    assert (narrow.loc[hi, "upper"] <= wide.loc[hi, "upper"] + 1e-9).all()
    assert (wide.loc[hi, "upper"] > narrow.loc[hi, "upper"]).any()
    for name in ("gap", "summary", "plot_gap"):
        params = inspect.signature(getattr(result, name)).parameters
        # None: the level the result was computed with (CI_PROB unless the method was told)
        assert params["ci_prob"].default is None and "ci" not in params
    assert result.interval_probability() == CI_PROB
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        default = result.gap(DATES, ci_prob=CI_PROB, min_defined=0)
        pd.testing.assert_frame_equal(result.gap(DATES, min_defined=0), default)


@pytest.mark.parametrize("method", ["threshold", "composite"])
def test_the_methods_ci_prob_is_the_gaps_default(method, sim):
    """A result computed at ci_prob=0.8 reports 80% intervals unless asked otherwise."""
    data = sim.data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if method == "threshold":
            res = irtgap.threshold_gap(data, n_bootstrap=40, seed=1, ci_prob=0.8)
        else:
            res = irtgap.composite_index(
                data,
                n_benchmarks=4,
                since="2022-01-01",
                min_coverage=0.5,
                n_bootstrap=20,
                seed=1,
                ci_prob=0.8,
            )
        assert res.interval_probability() == 0.8
        pd.testing.assert_frame_equal(res.gap(DATES), res.gap(DATES, ci_prob=0.8))
        assert not res.gap(DATES).equals(res.gap(DATES, ci_prob=0.9))


def test_reference_date_gives_prob_grew(result):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = result.gap(DATES, reference_date=DATES[0], min_defined=0)
    p = table["prob_grew"].dropna()
    assert len(p) and p.between(0, 1).all()


def test_summary_is_the_gap_at_r1_and_the_last_date(result):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = result.summary()
    assert tuple(table.columns) == GAP_COLUMNS
    last = min(end for _, end in result.group_support().values())
    assert set(table[D.DATE]) == {R1_DATE, pd.Timestamp(last).normalize()}


def test_plots_take_ax_by_keyword_and_return_it(result):
    fig, ax = plt.subplots()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert result.plot_gap(ax=ax) is ax
    plt.close(fig)
    for name, fn in inspect.getmembers(result, inspect.ismethod):
        if name.startswith("plot"):
            param = inspect.signature(fn).parameters.get("ax")
            assert param is not None and param.kind is inspect.Parameter.KEYWORD_ONLY, name
            assert param.default is None, name


def test_round_trip_through_netcdf(result, tmp_path):
    path = result.to_netcdf(tmp_path / f"{result.method}.nc")
    again = irtgap.load_result(path)
    assert type(again) is type(result)
    same_class = type(result).from_netcdf(path)
    assert type(same_class) is type(result)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pd.testing.assert_frame_equal(result.gap(DATES), again.gap(DATES))
    xr.testing.assert_allclose(result.gap_draws(), again.gap_draws())
    assert again.data is not None
    pd.testing.assert_frame_equal(result.data.scores, again.data.scores)
    tree = xr.open_datatree(path, engine="h5netcdf")
    assert tree.attrs["irtgap_method"] == result.method
    assert tree.attrs["irtgap_version"] == irtgap.__version__
    assert isinstance(json.loads(tree.attrs["irtgap_settings"]), dict)
    assert tree["gap"]["gap_months"].dims == (D.CHAIN, D.DRAW, D.GROUP, D.DATE)


def test_loading_as_another_method_names_the_right_class(result, tmp_path):
    path = result.to_netcdf(tmp_path / "r.nc")
    other = next(c for m, c in GapResult.registry.items() if m != result.method)
    with pytest.raises(ValueError, match=type(result).__name__):
        other.from_netcdf(path)


def test_only_registered_methods_save(sim, tmp_path):
    from irtgap.methods.capability import CapabilityResult

    comp = _result("composite", sim.data)
    plain = CapabilityResult(comp.capabilities, comp.capability_draws, value_column="composite")
    with pytest.raises(ValueError, match="cannot be saved"):
        plain.to_netcdf(tmp_path / "x.nc")


def test_one_name_for_the_seed():
    entries = {
        "threshold_gap": irtgap.threshold_gap,
        "fit_eci": irtgap.fit_eci,
        "fit_elo": irtgap.fit_elo,
        "composite_index": irtgap.composite_index,
        "GapModel.fit": irtgap.GapModel.fit,
        "threshold_bias": irtgap.threshold_bias,
        "simulate": irtgap.simulate,
        "compare": irtgap.compare,
    }
    for name, fn in entries.items():
        params = inspect.signature(fn).parameters
        assert "seed" in params and "random_seed" not in params, name


def test_compare_methods_match_the_table_labels(sim):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = irtgap.compare(sim.data, methods=["threshold"], fast=True)
    assert set(table["method"]) == {"threshold"}
    assert tuple(table.columns) == GAP_COLUMNS
