"""The simulator's options each change the world the way their docstrings say; the defaults
reproduce pinned draws; semi-synthetic worlds keep the real evaluation pattern."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.optimize import brentq
from scipy.special import logit

import irtgap
from irtgap.core import dims as D
from irtgap.data import simulate as sim_module
from irtgap.data.simulate import SimulatedData, semi_synthetic, simulate
from irtgap.methods.bayes.design import CENSOR, make_design, match_hosted_versions

DATES = pd.DatetimeIndex(["2022-07-01", "2023-07-01", "2024-07-01", "2025-07-01"])


def _years(dates: pd.DatetimeIndex) -> np.ndarray:
    return np.asarray((dates - pd.Timestamp("2024-01-01")).days, float) / 365.25


def _residual_logit(sim: SimulatedData) -> pd.DataFrame:
    """Per row: the observed above-floor logit minus the truth's alpha (theta - D).

    Needs floors of 0 and precise scores; rows near 0 or the ceiling are left out.
    """
    t = sim.data.scores.copy()
    truth = sim.truth
    kappa = t[D.BENCHMARK].map(truth.ceiling).to_numpy(float)
    alpha = t[D.BENCHMARK].map(truth.slope).to_numpy(float)
    diff = t[D.BENCHMARK].map(truth.difficulty).to_numpy(float)
    theta = t[D.MODEL].map(truth.capability).to_numpy(float)
    z = t[D.SCORE].to_numpy(float) / kappa
    t["alpha"] = alpha
    t["resid"] = logit(np.clip(z, 1e-12, 1 - 1e-12)) - alpha * (theta - diff)
    t["public"] = t[D.BENCHMARK].map(truth.public).astype(bool)
    t["t"] = _years(pd.DatetimeIndex(t[D.DATE]))
    return t[(z > 0.03) & (z < 0.97)]


# ---------------------------------------------------------------- pinned default worlds


@pytest.mark.parametrize(
    ("kwargs", "n", "total", "first"),
    [
        (
            dict(seed=0),
            297,
            172.65173473287763,
            [0.9344943086491555, 0.6247725899154444, 0.42604122990959037],
        ),
        (
            dict(
                seed=3,
                provider_degradation=0.6,
                hosted_share=0.5,
                public_advantage=0.5,
                gap_months=lambda t: 6 + 2 * t,
                n_closed=15,
                n_open=15,
                n_benchmarks=6,
            ),
            52,
            37.44688273892953,
            [0.8114120389627059, 0.7844876157218122, 0.2638913303253659],
        ),
    ],
)
def test_defaults_reproduce_pinned_draws(kwargs, n, total, first):
    # with every option that breaks the model at its default, a seed draws these worlds
    scores = simulate(**kwargs).data.scores[D.SCORE]
    assert len(scores) == n
    assert scores.sum() == pytest.approx(total, rel=1e-12)
    np.testing.assert_allclose(scores.iloc[:3], first, rtol=1e-12)


def test_censor_is_the_models():
    """The simulator's filter and the model read resolution limits from one function."""
    from irtgap.core.measurement import resolution_limits
    from irtgap.methods.bayes import design as design_module

    assert sim_module.resolution_limits is resolution_limits
    assert design_module.resolution_limits is resolution_limits
    assert design_module.CENSOR == CENSOR == 0.005


# ---------------------------------------------------------------- frontiers and the true gap


def _brute_force_gap(closed, gap, t: float, direction: str) -> float:
    def opened(s: float) -> float:
        return closed(s - gap(s) / 12)

    if direction == "backward":
        s = brentq(lambda s: closed(s) - opened(t), t - 5, t + 2)
        return 12 * (t - s)
    s = brentq(lambda s: opened(s) - closed(t), t - 2, t + 3)
    return 12 * (s - t)


@pytest.mark.parametrize(
    ("shape", "curvature", "gap"),
    [
        ("quadratic", 0.05, lambda t: 3 + (t - 0.5) ** 2),
        ("quadratic", -0.05, lambda t: 6 + 2 * t),
        ("s_curve", 0.4, lambda t: 3 + (t - 0.5) ** 2),
    ],
)
def test_curved_frontier_and_its_true_gap_match_a_brute_force_computation(shape, curvature, gap):
    sim = simulate(
        gap_months=gap, frontier_curvature=curvature, frontier_shape=shape, n_closed=10, seed=1
    )
    g = 1.2
    if shape == "quadratic":

        def closed(t):
            return g * t + curvature * t**2
    else:

        def closed(t):
            return g / curvature * np.tanh(curvature * t)

    t = _years(DATES)
    front = sim.frontier(DATES)
    np.testing.assert_allclose(front[D.CLOSED], closed(t), rtol=1e-12)
    np.testing.assert_allclose(front[D.OPEN], closed(t - gap(t) / 12), rtol=1e-12)
    for direction in ("backward", "forward"):
        got = sim.true_gap(DATES, direction=direction).to_numpy()
        want = [_brute_force_gap(closed, gap, float(x), direction) for x in t]
        np.testing.assert_allclose(got, want, atol=0.01)
    # the backward gap is the gap function whatever the frontier's shape
    np.testing.assert_allclose(sim.true_gap(DATES), gap(t), atol=0.01)
    # a varying gap makes the two directions differ
    assert not np.allclose(sim.true_gap(DATES, direction="forward"), gap(t), atol=0.05)


def test_curvature_is_refused_where_the_frontier_would_not_increase():
    # slope 1.2 + 2 * 0.2 * t is negative before t = -3 (2021), inside the true gap's window
    with pytest.raises(ValueError, match="frontier_curvature"):
        simulate(frontier_curvature=0.2)
    with pytest.raises(ValueError, match="S-curve"):
        simulate(frontier_curvature=-0.1, frontier_shape="s_curve")
    with pytest.raises(ValueError, match="month per month"):
        simulate(gap_months=lambda t: 6 + 14 * t)
    with pytest.raises(ValueError, match="frontier_shape"):
        simulate(frontier_shape="cubic")
    # the dip's gap of 5 years in 2019 reaches back to where 1.2t + 0.1t^2 falls: the backward
    # gap is defined, the forward one (which follows the open frontier) is refused
    sim = simulate(gap_months=lambda t: 3 + 2 * (t - 0.5) ** 2, frontier_curvature=0.1)
    assert np.isfinite(sim.true_gap(DATES)).all()
    with pytest.raises(ValueError, match="open frontier decreases"):
        sim.true_gap(DATES, direction="forward")


def test_accelerating_frontier_raises_late_capabilities():
    flat = simulate(n_closed=60, n_open=60, frontier_softness=0.0, seed=2)
    curved = simulate(frontier_curvature=0.1, n_closed=60, n_open=60, frontier_softness=0, seed=2)
    # same release times and shortfalls: capability differs by 0.1 t^2 (on the closed side)
    t = _years(pd.DatetimeIndex(flat.data.models.loc[[f"closed-{i:03d}" for i in range(60)]].date))
    d = np.array([curved.truth.capability[f"closed-{i:03d}"] for i in range(60)]) - np.array(
        [flat.truth.capability[f"closed-{i:03d}"] for i in range(60)]
    )
    np.testing.assert_allclose(d, 0.1 * t**2, atol=0.01)  # dates are rounded to days


# ---------------------------------------------------------------- shortfalls and fame


def test_gamma_shortfalls_follow_their_distribution():
    k = 4.0
    kw = dict(n_closed=300, n_open=300, frontier_softness=0.0, shortfall_scale=1.0, seed=5)
    gam = simulate(shortfall_dist="gamma", gamma_shape=k, **kw)
    exg = simulate(**kw)
    v = np.array(list(gam.truth.shortfall.values()))
    assert stats.kstest(v, stats.gamma(k, scale=1 / k).cdf).pvalue > 0.01
    assert v.mean() == pytest.approx(1.0, abs=0.1) and v.var() == pytest.approx(1 / k, abs=0.06)
    e = np.array(list(exg.truth.shortfall.values()))
    assert e.var() == pytest.approx(1.0, abs=0.2)
    # few models right at the frontier: under Gamma(4) almost none within 0.1 units
    assert (v < 0.1).mean() < 0.01 < (e < 0.1).mean()
    assert gam.truth.shortfall_dist == "gamma" and gam.truth.gamma_shape == k


def test_fame_scales_the_shortfall_by_the_evaluation_count():
    kw = dict(n_closed=80, n_open=80, eval_spread=0.8, hosted_share=0.0, seed=6)
    plain = simulate(**kw)
    famous = simulate(fame_effect=1.0, **kw)
    n = pd.Series(famous.truth.eval_count)
    pd.testing.assert_series_equal(n, pd.Series(plain.truth.eval_count))  # same pattern
    s0, s1 = pd.Series(plain.truth.shortfall), pd.Series(famous.truth.shortfall)
    typical = np.exp(np.log(n).mean())
    np.testing.assert_allclose(s1, s0 * (n / typical) ** -1.0, rtol=1e-10)
    # models scored more often sit nearer the frontier, on average
    assert stats.spearmanr(s1, n).statistic < -0.3
    assert stats.spearmanr(s1, n).statistic < stats.spearmanr(s0, n).statistic - 0.3
    # the counts are the data's
    counts = famous.data.scores.groupby(D.MODEL).size()
    np.testing.assert_array_equal(counts.to_numpy(), n.loc[list(counts.index)].to_numpy())


def test_eval_spread_varies_how_often_models_are_scored():
    kw = dict(n_closed=100, n_open=100, hosted_share=0.0, benchmark_lifetimes=False, seed=7)
    even = pd.Series(simulate(**kw).truth.eval_count)
    spread = simulate(eval_spread=1.0, **kw)
    n = pd.Series(spread.truth.eval_count)
    assert n.var() > 2 * even.var()
    pi = pd.Series(spread.truth.eval_propensity)
    assert stats.spearmanr(pi, n).statistic > 0.5


# ---------------------------------------------------------------- the measurement


def test_heavy_tailed_interactions_enter_the_logit():
    kw = dict(floors=(0.0,), precision=5000.0, hosted_share=0.0, n_closed=80, n_open=80, seed=8)
    plain = _residual_logit(simulate(**kw))
    sim = simulate(interaction_df=2.5, interaction_scale=0.5, **kw)
    heavy = _residual_logit(sim)
    assert stats.kurtosis(heavy["resid"]) > 3 + stats.kurtosis(plain["resid"])
    assert heavy["resid"].std() > 2 * plain["resid"].std()
    u = sim.truth.interaction.stack()
    u_rows = u.reindex(pd.MultiIndex.from_frame(heavy[[D.MODEL, D.BENCHMARK]])).to_numpy()
    assert np.corrcoef(u_rows, heavy["resid"])[0, 1] > 0.95
    assert simulate(**kw).truth.interaction is None


def test_binomial_scores_are_shares_of_items():
    sim = simulate(noise="binomial", n_items=(10, 40), ceilings=(1.0, 0.8, 0.5), seed=9)
    t = sim.data.scores
    items = t[D.BENCHMARK].map(sim.truth.n_items).to_numpy()
    kappa = t[D.BENCHMARK].map(sim.truth.ceiling).to_numpy()
    passed = t[D.SCORE].to_numpy() / kappa * items
    np.testing.assert_allclose(passed, np.round(passed), atol=1e-9)
    assert set(sim.truth.n_items.values()) == {10, 40}
    # the item counts are in the metadata, as a benchmark's documentation gives them
    meta_items = sim.data.benchmarks["n_items"].to_dict()
    assert meta_items == {b: float(n) for b, n in sim.truth.n_items.items()}
    assert "n_items" not in simulate(seed=9).data.benchmarks.columns
    assert sim.truth.precision is None
    # exact 0 and the ceiling occur, unlike Beta draws
    assert ((passed == 0) | (np.round(passed) == items)).any()
    with pytest.raises(ValueError, match="n_items"):
        simulate(noise="binomial", n_items=0)
    with pytest.raises(ValueError, match="noise"):
        simulate(noise="gaussian")


def test_contamination_grows_with_the_release_date():
    kw = dict(floors=(0.0,), precision=5000.0, hosted_share=0.0, n_closed=60, n_open=120, seed=10)
    sim = simulate(contamination_growth=0.4, public_advantage=0.2, **kw)
    r = _residual_logit(sim)
    adv = r["resid"] / r["alpha"]  # capability units
    op = r[(r[D.WEIGHTS] == D.OPEN) & r["public"]]
    others = r[~((r[D.WEIGHTS] == D.OPEN) & r["public"])]
    assert np.abs(adv[others.index]).max() < 0.2
    t_start = _years(pd.DatetimeIndex(["2022-01-01"]))[0]
    slope, intercept = np.polyfit(op["t"] - t_start, adv[op.index], 1)
    assert slope == pytest.approx(0.4, abs=0.05)
    assert intercept == pytest.approx(0.2, abs=0.05)
    late = adv[op.index][op["t"] > 1.0].mean()
    early = adv[op.index][op["t"] < -1.0].mean()
    assert late > early + 0.8


def test_self_reported_scores_are_inflated():
    kw = dict(floors=(0.0,), precision=5000.0, hosted_share=0.0, n_closed=60, n_open=60, seed=11)
    sim = simulate(self_report_share=0.3, self_report_inflation=0.5, **kw)
    flagged = sim.truth.self_reported
    pairs = pd.MultiIndex.from_frame(sim.data.scores[[D.MODEL, D.BENCHMARK]])
    assert pd.MultiIndex.from_frame(flagged).isin(pairs).all()
    assert len(flagged) / len(pairs) == pytest.approx(0.3, abs=0.06)
    r = _residual_logit(sim)
    is_flagged = pd.MultiIndex.from_frame(r[[D.MODEL, D.BENCHMARK]]).isin(
        pd.MultiIndex.from_frame(flagged)
    )
    units = r["resid"] / r["alpha"]
    assert units[is_flagged].mean() == pytest.approx(0.5, abs=0.05)
    assert np.abs(units[~is_flagged]).max() < 0.2
    # the same seed without inflation: the flags are drawn, the scores not raised
    plain = simulate(self_report_share=0.3, self_report_inflation=0.0, **kw)
    pd.testing.assert_frame_equal(plain.truth.self_reported, flagged)
    assert simulate(**kw).truth.self_reported.empty


# ---------------------------------------------------------------- semi-synthetic worlds


@pytest.fixture(scope="module")
def hub() -> irtgap.ScoreData:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return irtgap.load_dataset()


def test_semi_synthetic_keeps_the_pattern_the_bayesian_model_uses(hub):
    before = hub.scores.copy()
    sim = semi_synthetic(hub, hosted_base=match_hosted_versions, seed=3)
    pd.testing.assert_frame_equal(hub.scores, before)  # the caller's data untouched
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        design = make_design(hub)
    cols = [D.MODEL, D.BENCHMARK, D.DATE, D.WEIGHTS, D.PROVIDER, D.MODEL_GROUP]
    key = [D.MODEL, D.BENCHMARK]
    real = design.rows[cols].sort_values(key).reset_index(drop=True)
    synth = sim.data.scores[cols].sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(synth, real, check_dtype=False)
    assert sim.truth.dropped == design.dropped
    meta = sim.data.benchmarks
    for col in ("random_baseline", "ceiling", "access"):
        pd.testing.assert_series_equal(meta[col], design.benchmarks.loc[meta.index, col])
    # a constant gap, and each benchmark's mean score near its real one
    np.testing.assert_allclose(sim.true_gap(DATES[1:]), 6.0, atol=1e-6)
    real_mean = design.rows.groupby(D.BENCHMARK)[D.SCORE].mean()
    synth_mean = sim.data.scores.groupby(D.BENCHMARK)[D.SCORE].mean()
    assert np.abs(synth_mean - real_mean.loc[synth_mean.index]).median() < 0.02
    # hosted copies share their first-party version's capability
    base = pd.Series(sim.truth.base)
    hosted = base[base.index != base.to_numpy()]
    assert len(hosted) > 5
    cap = pd.Series(sim.truth.capability)
    np.testing.assert_array_equal(cap[hosted.index], cap[hosted.to_numpy()])


def test_semi_synthetic_truth_follows_its_options(small_frame):
    data = irtgap.ScoreData.from_frame(
        small_frame,
        model="model",
        benchmark="benchmark",
        score="score",
        date="date",
        weights="weights",
        registry=False,
    )
    kw = dict(min_models_per_benchmark=2, min_uncensored_per_benchmark=1)
    sim = semi_synthetic(data, gap_months=lambda t: 6 + 2 * t, seed=1, **kw)
    pairs = sim.data.scores.set_index(key := [D.MODEL, D.BENCHMARK]).index
    assert set(pairs) == set(data.scores.set_index(key).index)
    t = _years(DATES)
    np.testing.assert_allclose(sim.true_gap(DATES), 6 + 2 * t, atol=0.01)
    front = sim.frontier(DATES)
    np.testing.assert_allclose(front[D.CLOSED], t, rtol=1e-12)  # one unit a year
    # capability = the side's frontier at the release date minus the shortfall
    models = sim.data.models
    tm = _years(pd.DatetimeIndex(models[D.DATE]))
    at = np.where(models[D.WEIGHTS] == D.OPEN, tm - (6 + 2 * tm) / 12, tm)
    cap = pd.Series(sim.truth.capability)[models.index]
    short = pd.Series(sim.truth.shortfall)[models.index]
    np.testing.assert_allclose(cap + short, at, atol=1e-9)
    binom = semi_synthetic(data, noise="binomial", n_items=20, seed=1, **kw)
    np.testing.assert_allclose(binom.data.scores[D.SCORE] * 20 % 1, 0, atol=1e-9)
    assert (binom.data.benchmarks["n_items"] == 20).all()
    again = semi_synthetic(data, gap_months=lambda t: 6 + 2 * t, seed=1, **kw)
    pd.testing.assert_frame_equal(again.data.scores, sim.data.scores)
    with pytest.raises(ValueError, match="no open or no closed"):
        semi_synthetic(data, since="2024-07-01", **kw)


def test_the_truth_is_a_typed_frozen_record():
    import dataclasses

    from irtgap.data.simulate import SemiSyntheticTruth, SimulationTruth, SyntheticTruth

    sim = simulate(n_closed=10, n_open=10, n_benchmarks=5, seed=3)
    assert isinstance(sim.truth, SyntheticTruth) and isinstance(sim.truth, SimulationTruth)
    assert set(sim.truth.capability) == set(sim.truth.shortfall) == set(sim.truth.eval_count)
    assert sim.truth.origin == pd.Timestamp("2024-01-01") and sim.truth.interaction is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        sim.truth.start = pd.Timestamp("2020-01-01")  # type: ignore[misc]
    common = {f.name for f in dataclasses.fields(SimulationTruth)}
    assert {"origin", "start", "end", "capability", "difficulty", "slope"} <= common
    assert {"since", "dropped", "real_mean_score", "base"} == (
        {f.name for f in dataclasses.fields(SemiSyntheticTruth)} - common
    )
