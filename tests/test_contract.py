"""One contract for every method's result (``irtgap.results.GapResult``): the same draws shape,
gap table, summary, plot, seed name, file round trip, support, capability table, direction,
frozen settings and class properties, checked on each method of ``irtgap.results.METHODS``."""

from __future__ import annotations

import dataclasses
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
from irtgap.methods.epoch_rule import epoch_rule
from irtgap.methods.registry import get_method, method_names
from irtgap.results import (
    CAPABILITY_COLUMNS,
    CI_PROB,
    GAP_COLUMNS,
    METHODS,
    R1_DATE,
    GapResult,
)

#: Prior samples here are test scaffolding: compile them fast (no graph rewrites needed).
FAST = {"mode": "FAST_COMPILE"}

DATES = pd.DatetimeIndex(["2024-06-01", "2025-01-20", "2025-06-01"])
#: Results that give one number per date (no draws to spread: no interval, no prob_grew).
ONE_NUMBER = {"eci_epoch"}


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
        prior = pm.sample_prior_predictive(draws=2 * draws, random_seed=3, compile_kwargs=FAST)[
            "prior"
        ]
    post = prior.to_dataset().isel(chain=0, drop=True)
    post = post.coarsen(draw=draws).construct(draw=("chain", "draw"))
    post = post.assign_coords(chain=[0, 1], draw=np.arange(draws))
    stats = xr.Dataset({"diverging": ((D.CHAIN, D.DRAW), np.zeros((2, draws), bool))})
    tree = xr.DataTree.from_dict({"posterior": post, "sample_stats": stats})
    return GapFit(idata=tree, design=design, settings=model.settings, data=data)


_BUILT: dict[tuple[str, int], GapResult] = {}


def _result(method: str, data: irtgap.ScoreData) -> GapResult:
    key = (method, id(data))
    if key not in _BUILT:
        _BUILT[key] = _build(method, data)
    return _BUILT[key]


def _build(method: str, data: irtgap.ScoreData) -> GapResult:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if method == "eci_epoch":
            eci = _result("eci", data)
            assert isinstance(eci, irtgap.EciResult)
            return epoch_rule(eci)
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
    assert METHODS == ("threshold", "eci", "eci_epoch", "elo", "composite", "bayesian")
    assert method_names() == METHODS


def test_result_is_a_gap_result_named_by_its_method(result):
    assert isinstance(result, GapResult)
    assert result.method in METHODS
    assert type(result) is GapResult.registry[result.method]


def test_gap_draws_have_the_shared_dims(result):
    draws = result.gap_draws()
    assert draws.dims == (D.CHAIN, D.DRAW, D.GROUP, D.DATE)
    assert draws.sizes[D.DRAW] == 1 if result.method in ONE_NUMBER else draws.sizes[D.DRAW] > 1
    expected_chains = 2 if isinstance(result, GapFit) else 1  # bootstrap: one chain
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
    if result.method in ONE_NUMBER:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            table = result.gap(DATES, ci_prob=0.5)
        assert table[["lower", "upper"]].isna().all(axis=None)  # one number: no interval
        assert result.interval_probability() == CI_PROB
        return
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
    if result.method in ONE_NUMBER:  # no draws to compare: prob_grew stays NaN
        assert table["prob_grew"].isna().all()
        return
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
    assert isinstance(comp, CapabilityResult)
    plain = CapabilityResult(comp.capabilities(), comp.capability_draws)
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


# ------------------------------------------------------------------ the closed contract
def test_support_is_the_span_of_the_groups(result):
    first, last = result.support()
    assert isinstance(first, pd.Timestamp) and isinstance(last, pd.Timestamp) and first <= last
    spans = result.group_support()
    assert spans and all(isinstance(g, str) for g in spans)
    assert first == min(a for a, _ in spans.values()) and last == max(b for _, b in spans.values())


@pytest.mark.parametrize("method", METHODS)
def test_capabilities_table_or_a_clear_error(method, sim):
    result = _result(method, sim.data)
    assert isinstance(type(result).has_capabilities, bool)
    if not result.has_capabilities:
        with pytest.raises(ValueError, match="no capability scale"):
            result.capabilities()
        return
    assert isinstance(result.capability_unit, str) and result.capability_unit
    assert not isinstance(inspect.getattr_static(result, "capabilities"), pd.DataFrame)
    caps = result.capabilities()
    assert tuple(caps.columns) == CAPABILITY_COLUMNS and caps.index.name == "model"
    est = caps["estimate"].dropna().to_numpy()
    assert len(est) and (np.diff(est) <= 0).all()  # highest first
    assert caps.index.is_unique and set(caps[D.WEIGHTS]) <= set(D.SIDES)
    narrow = result.capabilities(ci_prob=0.5)
    assert tuple(narrow.columns) == CAPABILITY_COLUMNS
    both = caps["lower"].notna() & narrow["lower"].reindex(caps.index).notna()
    assert both.any()
    assert (narrow["lower"].reindex(caps.index)[both] >= caps["lower"][both] - 1e-9).all()
    assert (narrow["upper"].reindex(caps.index)[both] <= caps["upper"][both] + 1e-9).all()
    pd.testing.assert_series_equal(narrow["estimate"], caps["estimate"])


def test_direction_is_an_option_of_every_reading(result):
    for name in ("gap", "gap_draws"):
        param = inspect.signature(getattr(result, name)).parameters["direction"]
        assert param.kind is inspect.Parameter.KEYWORD_ONLY and param.default == "backward"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        backward = result.gap(DATES, direction="backward")
        pd.testing.assert_frame_equal(backward, result.gap(DATES))
        for name in ("gap", "gap_draws"):
            with pytest.raises(ValueError, match="direction="):
                getattr(result, name)(DATES, direction="sideways")
            if result.method in ONE_NUMBER:  # no forward reading: the error says what to use
                with pytest.raises(ValueError, match=r"direction='forward'.*result\.eci\.gap"):
                    getattr(result, name)(DATES, direction="forward")
                continue
            forward = getattr(result, name)(DATES, direction="forward")
            if name == "gap":
                assert tuple(forward.columns) == GAP_COLUMNS
            else:
                assert forward.dims == (D.CHAIN, D.DRAW, D.GROUP, D.DATE)


def test_settings_are_a_frozen_dataclass_that_round_trips(result, tmp_path):
    settings = result.settings
    assert dataclasses.is_dataclass(settings) and not isinstance(settings, type)
    field = dataclasses.fields(settings)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(settings, field, getattr(settings, field))
    assert result.settings_dict() == dataclasses.asdict(settings)
    back = irtgap.load_result(result.to_netcdf(tmp_path / f"{result.method}.nc"))
    assert type(back.settings) is type(settings) and back.settings == settings


def test_censored_draws_is_a_class_property(result):
    assert isinstance(type(result).censored_draws, bool)
    if not result.censored_draws:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            draws = result.gap_draws(DATES).to_numpy()
        assert not np.isinf(draws).any()


def test_plot_gap_draws_open_ends_by_the_property(result, monkeypatch):
    import irtgap.results as results_module

    seen = {}
    real = results_module.plot_gap_table

    def spy(table, **kwargs):
        seen.update(kwargs)
        return real(table, **kwargs)

    monkeypatch.setattr(results_module, "plot_gap_table", spy)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ax = result.plot_gap()
    plt.close(ax.figure)
    assert seen["open_ends"] is type(result).censored_draws


@pytest.mark.parametrize("method", METHODS)
def test_the_registry_agrees_with_the_result_class(method, sim):
    result = _result(method, sim.data)
    spec = get_method(method)
    assert spec.name == result.method == method
    assert spec.headline_group == result.headline_group
    assert spec.has_capabilities == result.has_capabilities
    assert spec.censored_draws == result.censored_draws
    assert dict(spec.summary_options) == dict(result.summary_options)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        groups = set(result.gap(DATES)[D.GROUP])
    assert result.headline_group in groups
    assert set(spec.budgets) == set(get_method("threshold").budgets)  # every tier
