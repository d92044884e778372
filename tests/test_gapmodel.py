"""The Bayesian gap model: design, likelihood, result methods (fast) and real fits (slow)."""

from __future__ import annotations

import dataclasses
import json
import warnings

import numpy as np
import pandas as pd
import pymc as pm
import pytensor.tensor as pt
import pytest
import xarray as xr
from scipy import stats
from scipy.special import betainc

import irtgap
from irtgap.analyses.winners_curse import threshold_bias
from irtgap.core import dims as D
from irtgap.core.errors import ConvergenceWarning, DroppedRowsWarning
from irtgap.methods.bayes.design import (
    CENSOR,
    frontier_reference,
    make_design,
    match_hosted_versions,
)
from irtgap.methods.bayes.fit import GapFit
from irtgap.methods.bayes.model import GapModel, build_model, censored_beta_logp

#: Prior samples here are test scaffolding: compile them fast (no graph rewrites needed).
FAST = {"mode": "FAST_COMPILE"}


@pytest.fixture(scope="module")
def sim():
    return irtgap.simulate(n_closed=25, n_open=25, n_benchmarks=8, density=0.5, seed=3)


def _mock_fit(data, settings_model: GapModel, *, draws: int = 200, seed: int = 0) -> GapFit:
    """A GapFit whose 'posterior' is a prior sample: exercises every method without MCMC."""
    design = settings_model.design(data)
    model = build_model(design, settings_model.settings)
    with model:
        prior = pm.sample_prior_predictive(draws=draws, random_seed=seed, compile_kwargs=FAST)
    post = prior["prior"].to_dataset()
    stats = xr.Dataset({"diverging": ((D.CHAIN, D.DRAW), np.zeros((1, draws), bool))})
    tree = xr.DataTree.from_dict({"posterior": post, "sample_stats": stats})
    return GapFit(idata=tree, design=design, settings=settings_model.settings, data=data)


def test_censored_beta_logp_matches_scipy():
    a = np.array([0.05, 0.5, 2.0, 0.3, 5.0, 1.5])
    b = np.array([150.0, 20.0, 40.0, 100.0, 3.0, 60.0])
    low = np.array([True, True, True, False, False, True])
    ours = censored_beta_logp(pt.as_tensor(a), pt.as_tensor(b), low).eval()
    eps = 0.005
    ref = np.where(low, np.log(betainc(a, b, eps)), np.log1p(-betainc(a, b, 1 - eps)))
    finite = np.isfinite(ref)
    np.testing.assert_allclose(ours[finite], ref[finite], rtol=1e-6)
    assert ours[3] < -100  # a right-censored score far from the mean is very unlikely


def test_hosted_versions_map_to_first_party_base():
    models = pd.DataFrame(
        {
            D.PROVIDER: ["first-party", "chutes", "first-party", "parasail", "fireworks"],
            D.MODEL_GROUP: ["QwQ-32B", "QwQ-32B", "Qwen3", "Qwen3", "Kimi"],
        },
        index=["QwQ-32B", "chutes/QwQ-32B", "Qwen3-235B-A22B", "parasail-qwen3-235b-a22b", "fw/x"],
    )
    base = match_hosted_versions(models)
    assert base["chutes/QwQ-32B"] == "QwQ-32B"
    assert base["parasail-qwen3-235b-a22b"] == "Qwen3-235B-A22B"
    assert base["fw/x"] == "fw/x"  # no first-party version in its group: stands for itself
    assert base["QwQ-32B"] == "QwQ-32B"


def test_design_on_real_data_reports_what_it_leaves_out():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = irtgap.load_dataset("epoch-2025-11")
    with pytest.warns(DroppedRowsWarning, match="METR time horizon"):
        design = make_design(data)
    assert design.dropped["non_fraction_rows"] == 29
    assert design.anchor_benchmark == "GPQA diamond"
    hosted = design.models[design.models[D.PROVIDER] != D.FIRST_PARTY]
    matched = (hosted["base"] != hosted.index).sum()
    assert matched >= 10  # chutes/QwQ-32B -> QwQ-32B and friends
    assert design.models.loc["chutes/DeepSeek-R1-0528", "base"] == "DeepSeek-R1-0528"


def test_build_is_pure_and_has_named_terms(sim):
    m1 = GapModel().build(sim.data)
    m2 = GapModel().build(sim.data)
    names = {v.name for v in m1.free_RVs}
    assert {"public_advantage", "provider_degradation", "shortfall_std"} <= names
    assert m1.coords[D.WEIGHTS] == (D.CLOSED, D.OPEN)
    assert [v.name for v in m1.free_RVs] == [v.name for v in m2.free_RVs]
    off = GapModel(public_advantage=False, provider_degradation=False, shortfall=False)
    names_off = {v.name for v in off.build(sim.data).free_RVs}
    assert not {"public_advantage", "provider_degradation", "shortfall_std"} & names_off


def test_frontier_is_non_decreasing_and_scale_fixed_by_anchor_benchmark(sim):
    fit = _mock_fit(sim.data, GapModel())
    fr = fit.frontier_draws()
    diffs = fr.diff(D.DATE)
    assert float(diffs.min()) >= -1e-9
    anchor = fit.design.anchor_benchmark
    post = fit.posterior
    np.testing.assert_allclose(post["difficulty"].sel(benchmark=anchor).to_numpy(), 0.0)
    np.testing.assert_allclose(post["slope"].sel(benchmark=anchor).to_numpy(), 1.0)
    others = post["slope"].drop_sel(benchmark=anchor)
    assert float(others.std()) > 0.05  # the other slopes are free
    # the level parameter is each side's frontier averaged over the knots
    np.testing.assert_allclose(
        post["frontier"].mean("knot").to_numpy(), post["frontier_level"].to_numpy(), atol=1e-9
    )


def test_difficulty_prior_is_unchanged_by_the_frontier_reference(sim):
    """Difficulties are sampled relative to the frontier where each benchmark was used; the
    prior on the difficulty itself must still be N(difficulty_mean, difficulty_sd)."""
    design = GapModel().design(sim.data)
    w = frontier_reference(design)
    assert w.shape == (len(design.benchmarks), 2 * len(design.knot_dates))
    assert (w >= 0).all()
    anchor = np.asarray(design.benchmarks.index == design.anchor_benchmark)
    np.testing.assert_allclose(w.sum(axis=1), np.where(anchor, 0.0, 1.0))
    # a frontier linear in time: the reference is the mean frontier at the scored models' dates
    frontier = np.stack([1.0 + 2.0 * design.knots, -1.0 + 3.0 * design.knots])
    t_row = np.clip(design.t_models[design.model_idx], design.knots[0], design.knots[-1])
    side_row = design.side_idx[design.model_idx]
    level_row = np.where(side_row == 0, 1.0 + 2.0 * t_row, -1.0 + 3.0 * t_row)
    expected = pd.Series(level_row).groupby(design.benchmark_idx).mean().to_numpy()
    np.testing.assert_allclose((w @ frontier.ravel())[~anchor], expected[~anchor])

    model = build_model(design, GapModel().settings)
    point = model.initial_point()
    rng = np.random.default_rng(0)
    for name in ("difficulty_rel", "log_growth", "frontier_level"):
        point[name] = rng.normal(0, 1, point[name].shape)
    point["difficulty_mean"] = np.array(0.4)
    point["difficulty_sd_log__"] = np.array(np.log(1.3))
    outs = model.replace_rvs_by_values([model["frontier"], model["difficulty"]])
    fn = model.compile_fn(outs, inputs=model.value_vars, on_unused_input="ignore")
    values = fn(point)
    fr, difficulty = (np.asarray(v) for v in values)
    raw = w @ fr.ravel() + point["difficulty_rel"]
    free = np.asarray(design.benchmarks.index != design.anchor_benchmark)
    np.testing.assert_allclose(difficulty[free], raw[free])
    assert (difficulty[~free] == 0).all()
    term = model.compile_fn(
        model.logp(vars=[model["difficulty_rel"]], jacobian=False),
        inputs=model.value_vars,
        on_unused_input="ignore",
    )(point)
    np.testing.assert_allclose(term, stats.norm.logpdf(raw, 0.4, 1.3).sum())


def test_design_leaves_out_benchmarks_without_uncensored_scores(sim):
    df = sim.data.scores.copy()
    flat = df[df[D.BENCHMARK] == df[D.BENCHMARK].iloc[0]].assign(
        **{D.BENCHMARK: "all-zero", D.SCORE: 0.0}
    )
    meta = sim.data.benchmarks.reset_index()
    meta = pd.concat([meta, meta.iloc[[0]].assign(benchmark="all-zero")], ignore_index=True)
    data = irtgap.ScoreData.from_frame(
        pd.concat([df, flat], ignore_index=True),
        model=D.MODEL,
        benchmark=D.BENCHMARK,
        score=D.SCORE,
        date=D.DATE,
        weights=D.WEIGHTS,
        provider=D.PROVIDER,
        model_group=D.MODEL_GROUP,
        benchmarks=meta,
    )
    with pytest.warns(DroppedRowsWarning, match="all-zero"):
        design = make_design(data)
    assert "all-zero" not in design.benchmarks.index
    assert design.dropped["rows_on_censored_benchmarks"] == len(flat)


def test_item_counts_set_each_benchmarks_resolution(sim):
    """A benchmark of n items reads scores to half an item: n/n is censored at 1 - 1/(2n),
    (n-1)/n is not; unknown counts keep 0.005; counts below 10 and non-counts are refused,
    naming the benchmark and the column."""
    bench = sim.data.scores[D.BENCHMARK].iloc[0]
    scores = sim.data.scores.copy()
    on = np.flatnonzero(scores[D.BENCHMARK] == bench)
    ceiling = sim.data.benchmarks.loc[bench, "ceiling"]
    scores.loc[on[0], D.SCORE] = ceiling  # 15/15
    scores.loc[on[1], D.SCORE] = ceiling * 14 / 15
    scores.loc[on[2], D.SCORE] = 0.0
    meta = sim.data.benchmarks.assign(n_items=np.nan)
    meta.loc[bench, "n_items"] = 15
    data = irtgap.ScoreData(scores=scores, benchmarks=meta)
    design = make_design(data)
    k = list(design.benchmarks.index).index(bench)
    np.testing.assert_allclose(design.resolution[k], 1 / 30)
    assert (np.delete(design.resolution, k) == CENSOR).all()
    rows = design.rows.index[
        (design.rows[D.MODEL].isin(scores.loc[on[:3], D.MODEL]))
        & (design.rows[D.BENCHMARK] == bench)
    ]
    # the design keeps the row order of the data it modelled
    row_of = {m: i for i, m in zip(rows, design.rows.loc[rows, D.MODEL], strict=True)}
    top, below, zero = (row_of[m] for m in scores.loc[on[:3], D.MODEL])
    assert design.high_censored[top] and not design.high_censored[below]
    assert design.low_censored[zero] and not design.low_censored[below]
    # the same score without the count is only censored at 0.995
    plain = make_design(irtgap.ScoreData(scores=scores, benchmarks=sim.data.benchmarks))
    assert plain.high_censored[top] and not plain.high_censored[below]
    assert plain.row_resolution[top] == CENSOR
    meta.loc[bench, "n_items"] = 8
    with pytest.raises(irtgap.ScoreDataError, match=f"n_items.*{bench}.*fewer than 10"):
        make_design(irtgap.ScoreData(scores=scores, benchmarks=meta))
    meta.loc[bench, "n_items"] = 15.5
    with pytest.raises(irtgap.ScoreDataError, match=f"'n_items'.*whole number.*{bench}"):
        make_design(irtgap.ScoreData(scores=scores, benchmarks=meta))
    with pytest.raises(irtgap.ScoreDataError, match=f"'n_items'.*whole number.*{bench}"):
        irtgap.ScoreData.from_frame(
            scores,
            model=D.MODEL,
            benchmark=D.BENCHMARK,
            score=D.SCORE,
            date=D.DATE,
            weights=D.WEIGHTS,
            benchmarks=meta.assign(n_items=meta["n_items"].astype(object)).reset_index(),
        )


def test_gap_table_shape_and_public_shift(sim):
    fit = _mock_fit(sim.data, GapModel())
    table = fit.gap(["2024-06-01", "2025-01-01"], by="access")
    assert list(table.columns) == [
        D.DATE,
        D.GROUP,
        "mean",
        "median",
        "lower",
        "upper",
        "n_defined",
        "prob_grew",
        "method",
    ]
    assert set(table[D.GROUP]) == {"public", "private"}
    ok = table.dropna(subset=["median"])
    assert not ok.empty
    assert (ok["lower"].isna() | (ok["lower"] <= ok["median"])).all()
    assert (ok["upper"].isna() | (ok["median"] <= ok["upper"])).all()
    # an interval end is NaN only where it falls among censored draws (a frontier that does
    # not reach the level within the data): draws without a value, so n_defined is short
    n_draws = fit.posterior.sizes["chain"] * fit.posterior.sizes["draw"]
    open_end = ok["lower"].isna() | ok["upper"].isna()
    assert (ok.loc[open_end, "n_defined"] < n_draws).all()
    # private is the reference category: identical to the capability gap
    cap = fit.gap(["2024-06-01", "2025-01-01"])
    assert set(cap[D.GROUP]) == {"capability"}
    p = table[table[D.GROUP] == "private"]["median"].to_numpy()
    np.testing.assert_allclose(cap["median"].to_numpy(), p)
    with pytest.raises(ValueError, match="by="):
        fit.gap(by="country")


def test_gap_from_known_frontiers_is_exact(sim):
    """Overwrite the posterior frontier with two lines 6 months apart: the gap must be 6."""
    fit = _mock_fit(sim.data, GapModel(public_advantage=False), draws=20)
    post = fit.posterior
    knots = pd.DatetimeIndex(post["knot"].to_numpy())
    years = ((knots - pd.Timestamp("2024-01-01")).days / 365.25).to_numpy()
    closed = 1.0 * years
    opened = 1.0 * (years - 0.5)
    frontier = np.broadcast_to(np.stack([closed, opened]), post["frontier"].shape).copy()
    new_post = post.assign(frontier=(post["frontier"].dims, frontier))
    tree = fit.idata.copy()
    tree["posterior"] = new_post
    fit2 = GapFit(idata=tree, design=fit.design, settings=fit.settings, data=fit.data)
    table = fit2.gap(["2024-06-01", "2025-03-01"])
    np.testing.assert_allclose(table["median"], 6.0, atol=0.05)
    fwd = fit2.gap(["2024-06-01"], direction="forward")
    np.testing.assert_allclose(fwd["median"], 6.0, atol=0.05)


def test_terms_and_diagnostics_warn_on_bad_chains(sim):
    fit = _mock_fit(sim.data, GapModel())
    terms = fit.terms()
    assert "public_advantage" in terms.index
    assert {"mean", "lower", "upper", "prior_sd", "informed"} <= set(terms.columns)
    # prior draws as one chain: ESS is fine but build a two-chain copy with shifted chains
    post = fit.posterior
    two = xr.concat([post, post + 1.0], dim=D.CHAIN).assign_coords({D.CHAIN: [0, 1]})
    tree = fit.idata.copy()
    tree["posterior"] = two
    stats = xr.Dataset({"diverging": ((D.CHAIN, D.DRAW), np.ones((2, post.sizes[D.DRAW]), bool))})
    tree["sample_stats"] = stats
    bad = GapFit(idata=tree, design=fit.design, settings=fit.settings, data=fit.data)
    with pytest.warns(ConvergenceWarning, match="R-hat"):
        diag = bad.diagnostics()
    assert diag["divergences"] == 2 * post.sizes[D.DRAW]
    assert diag["max_rhat"] > 1.01


def _with_sample_stats(fit, **stats):
    """``fit`` with one chain's sample_stats replaced by ``stats`` (name: values per draw)."""
    n = fit.posterior.sizes[D.DRAW]
    ds = xr.Dataset({k: ((D.CHAIN, D.DRAW), np.asarray(v).reshape(1, n)) for k, v in stats.items()})
    tree = fit.idata.copy()
    tree["sample_stats"] = ds
    return GapFit(idata=tree, design=fit.design, settings=fit.settings, data=fit.data)


def test_diagnostics_warn_on_low_ebfmi_and_max_treedepth_hits(sim):
    from irtgap.methods.bayes.diagnostics import EBFMI_MIN, TREEDEPTH_HITS_MAX

    fit = _mock_fit(sim.data, GapModel())
    n = fit.posterior.sizes[D.DRAW]
    rng = np.random.default_rng(0)
    walk = np.cumsum(rng.normal(size=n))  # energy as a slow random walk: E-BFMI far below 0.3
    hits = np.zeros(n, bool)
    hits[:3] = True
    for flag, depth in (("maxdepth_reached", "depth"), ("reached_max_treedepth", "tree_depth")):
        bad = _with_sample_stats(
            fit, diverging=np.zeros(n, bool), energy=walk, **{flag: hits, depth: np.full(n, 10)}
        )
        with pytest.warns(ConvergenceWarning) as caught:
            diag = bad.diagnostics()
        text = " ".join(str(w.message) for w in caught)
        assert diag["min_ebfmi"] < EBFMI_MIN and f"< {EBFMI_MIN}" in text
        assert diag["max_treedepth_hits"] == 3 > TREEDEPTH_HITS_MAX
        assert "3 transitions hit the maximum tree depth" in text
        assert diag["max_tree_depth"] == 10
    good = _with_sample_stats(
        fit, diverging=np.zeros(n, bool), energy=rng.normal(size=n), maxdepth_reached=hits & False
    )
    diag = good.diagnostics(warn=False)
    assert diag["min_ebfmi"] > EBFMI_MIN and diag["max_treedepth_hits"] == 0
    from irtgap.methods.bayes.diagnostics import diagnostic_problems

    assert not [p for p in diagnostic_problems(diag) if "E-BFMI" in p or "tree depth" in p]
    # statistics the sampler did not record are not passed: they are said to be unchecked
    assert any("E-BFMI not checked" in p for p in diagnostic_problems(fit.diagnostics(warn=False)))


def test_capabilities_eci_anchors_land_exactly(sim):
    fit = _mock_fit(sim.data, GapModel())
    caps = fit.capabilities()
    first, second = caps.index[0], caps.index[-1]
    mapped = fit.capabilities(eci_anchors={second: 130.0, first: 150.0})
    assert mapped.loc[second, "estimate"] == pytest.approx(130.0)
    assert mapped.loc[first, "lower"] == pytest.approx(150.0)
    with pytest.raises(ValueError, match="not among"):
        fit.capabilities(eci_anchors={"nope": 1.0, first: 2.0})


def test_capabilities_follow_the_result_contract(sim):
    """capabilities(): index model, the contract's columns, estimate = posterior mean, sorted
    by it; capability_table() adds provider and model group to the same numbers."""
    fit = _mock_fit(sim.data, GapModel())
    caps = fit.capabilities(ci_prob=0.8)
    assert caps.index.name == "model"
    assert tuple(caps.columns) == ("date", "weights", "estimate", "lower", "upper", "n_benchmarks")
    assert caps["estimate"].is_monotonic_decreasing
    table = fit.capability_table(ci_prob=0.8)
    assert {"provider", "model_group", "mean"} <= set(table.columns)
    pd.testing.assert_series_equal(
        caps["estimate"], table.loc[caps.index, "mean"], check_names=False
    )
    pd.testing.assert_frame_equal(
        caps[["lower", "upper", "n_benchmarks"]],
        table.loc[caps.index, ["lower", "upper", "n_benchmarks"]],
    )
    base = fit.design.models.loc[caps.index[0], "base"]  # a hosted copy shares its base's
    unit = fit.posterior["capability"].sel(unit=base)
    assert caps["estimate"].iloc[0] == pytest.approx(float(unit.mean()))
    assert fit.has_capabilities and fit.censored_draws and fit.headline_group == "capability"
    assert fit.capability_unit == "capability (logits of the anchor benchmark)"
    from irtgap import results

    assert tuple(caps.columns) == tuple(results.CAPABILITY_COLUMNS)


def test_netcdf_round_trip(sim, tmp_path):
    fit = _mock_fit(sim.data, GapModel())
    path = fit.to_netcdf(tmp_path / "fit.nc")
    back = GapFit.from_netcdf(path)
    pd.testing.assert_frame_equal(
        fit.gap(["2024-06-01"], by="access"), back.gap(["2024-06-01"], by="access")
    )
    assert back.settings == fit.settings
    assert back.data.n_obs == fit.data.n_obs


def test_plots_return_axes(sim):
    import matplotlib

    matplotlib.use("Agg")
    fit = _mock_fit(sim.data, GapModel())
    assert fit.plot_gap().get_ylabel().startswith("months")
    assert fit.plot_frontier() is not None


def test_simulate_truth_and_seed():
    a = irtgap.simulate(seed=5, n_closed=10, n_open=10, n_benchmarks=5)
    b = irtgap.simulate(seed=5, n_closed=10, n_open=10, n_benchmarks=5)
    c = irtgap.simulate(seed=6, n_closed=10, n_open=10, n_benchmarks=5)
    pd.testing.assert_frame_equal(a.data.scores, b.data.scores)
    assert not a.data.scores[D.SCORE].equals(c.data.scores[D.SCORE])
    gap = a.true_gap(pd.date_range("2023-01-01", "2025-06-01", freq="90D"))
    np.testing.assert_allclose(gap, 6.0, atol=0.01)
    growing = irtgap.simulate(gap_months=lambda t: 6 + 2 * t, seed=1, n_closed=10, n_open=10)
    g = growing.true_gap(["2024-01-01", "2025-01-01"])
    np.testing.assert_allclose(g.to_numpy(), [6.0, 8.0], atol=0.1)


# ---------------------------------------------------------------------- slow: real MCMC
@pytest.mark.slow
def test_recovers_known_gap_on_simulated_data():
    sim = irtgap.simulate(
        gap_months=6.0, n_closed=40, n_open=40, n_benchmarks=10, density=0.5, seed=11
    )
    fit = GapModel().fit(sim.data, draws=500, tune=500, chains=2, seed=2, progressbar=False)
    dates = pd.date_range("2023-01-01", "2025-06-01", freq="180D")
    table = fit.gap(dates)
    truth = sim.true_gap(dates).to_numpy()
    covered = (table["lower"].to_numpy() <= truth) & (truth <= table["upper"].to_numpy())
    assert covered.mean() >= 0.8, table.assign(truth=truth)


@pytest.mark.slow
def test_degradation_term_removes_bias():
    """Hosted copies score lower: a model without the term mistakes that for lower capability."""
    sim = irtgap.simulate(
        gap_months=6.0,
        provider_degradation=1.5,
        hosted_share=0.6,
        n_closed=30,
        n_open=30,
        n_benchmarks=8,
        density=0.5,
        seed=4,
    )
    kw = dict(draws=400, tune=400, chains=2, seed=3, progressbar=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with_term = GapModel().fit(sim.data, **kw)
        without = GapModel(provider_degradation=False).fit(sim.data, **kw)
    # The true penalty is 1.5 capability units of the simulator, about 1.9 in the model's units
    # (the anchor benchmark's slope is their unit). Its HalfNormal(0.5) prior (median 0.34, 90th
    # percentile 0.82) shrinks it (the 41 hosted scores are all on private benchmarks, so the
    # term is partly confounded with the public advantage), but the data must pull it well above
    # the prior.
    delta = with_term.terms().loc["provider_degradation[host]"]
    assert delta["mean"] > 0.82 and delta["lower"] > 0.34
    # without the term, the hosted copies' low scores drag their open models down
    hosted_bases = {m.split("/", 1)[1] for m in sim.data.models.index if m.startswith("host/")}
    a = with_term.capabilities().loc[sorted(hosted_bases), "estimate"]
    b = without.capabilities().loc[sorted(hosted_bases), "estimate"]
    assert (b - a).mean() < -0.1


def test_replicated_scores_follow_the_posterior_mean():
    """Replicates from one posterior sample average to that sample's mean score per row."""
    from irtgap.methods.bayes.replicate import (
        replicate_scores,
        row_arrays,
        sample_params,
        stacked_posterior,
    )

    sim = irtgap.simulate(
        n_closed=10, n_open=10, n_benchmarks=6, density=0.6, hosted_share=0.5, seed=4
    )
    fit = _mock_fit(sim.data, GapModel(), draws=5, seed=2)
    arrays = row_arrays(fit)
    rng = np.random.default_rng(0)
    params = sample_params(stacked_posterior(fit), 3)
    reps = np.stack([replicate_scores(params, arrays, rng, noise="beta") for _ in range(4000)])
    post = fit.posterior.isel(chain=0, draw=3)
    rows = fit.design.rows
    units = list(post["unit"].to_numpy())
    expected = []
    for _, row in rows.iterrows():
        base = fit.design.models.loc[row[D.MODEL], "base"]
        theta = float(post["capability"].to_numpy()[units.index(base)])
        if row[D.WEIGHTS] == D.OPEN and row[D.ACCESS] == "public":
            theta += float(post["public_advantage"])
        if row[D.PROVIDER] != D.FIRST_PARTY:
            theta -= float(post["provider_degradation"].sel(provider=row[D.PROVIDER]))
        b = row[D.BENCHMARK]
        c = float(fit.design.benchmarks.loc[b, "random_baseline"])
        a, d = float(post["slope"].sel(benchmark=b)), float(post["difficulty"].sel(benchmark=b))
        lapse = float(post["lapse"].sel(benchmark=b)) if "lapse" in post else 0.0
        expected.append(c + (1 - lapse - c) / (1 + np.exp(-a * (theta - d))))
    assert "lapse" in post and (post["lapse"] > 0).any()  # the default curve has a lapse
    # censoring at 0.005 / 0.995 moves means by at most that much
    np.testing.assert_allclose(reps.mean(0), np.clip(expected, 1e-6, 1 - 1e-6), atol=0.02)
    assert set(np.unique(reps[(reps <= 0.005) | (reps >= 0.995)])) <= {0.0, 1.0}


def _truth_fit(sim, draws: int = 30) -> GapFit:
    """A GapFit whose every 'posterior' draw is the simulation's truth."""
    fit = _mock_fit(sim.data, GapModel(), draws=draws)
    post = fit.posterior
    tr = sim.truth

    def const(name, values):
        arr = np.broadcast_to(np.asarray(values, float), post[name].shape).copy()
        return (post[name].dims, arr)

    units = list(post["unit"].to_numpy())
    benches = list(post["benchmark"].to_numpy())
    fr = sim.frontier(pd.DatetimeIndex(post["knot"].to_numpy()))
    new = post.assign(
        capability=const("capability", [tr.capability[u] for u in units]),
        difficulty=const("difficulty", [tr.difficulty[b] for b in benches]),
        slope=const("slope", [tr.slope[b] for b in benches]),
        precision=const("precision", np.full(len(benches), 40.0)),
        public_advantage=const("public_advantage", 0.0),
        frontier=const("frontier", np.stack([fr[D.CLOSED], fr[D.OPEN]])),
    )
    tree = fit.idata.copy()
    tree["posterior"] = new
    return GapFit(idata=tree, design=fit.design, settings=fit.settings, data=fit.data)


def test_threshold_bias_table_and_draws():
    sim = irtgap.simulate(n_closed=30, n_open=30, n_benchmarks=8, density=0.6, seed=3)
    fit = _truth_fit(sim)
    res = threshold_bias(fit, n_replications=3, seed=1, dates=["2024-06-01", "2025-01-01"])
    t = res.table
    assert list(t.columns[:4]) == [D.DATE, D.GROUP, "threshold", "model_gap"]
    assert set(t[D.GROUP]) == {"all", "public", "private"}
    assert res.bias_draws.dims == (D.CHAIN, D.DRAW, D.GROUP, D.DATE)
    assert res.bias_draws.sizes[D.DRAW] == 3
    ok = t.dropna(subset=["bias", "threshold"])
    assert len(ok) > 0
    # debiased = threshold - bias draws: its median is the threshold minus the bias median
    med = res.bias_draws.median(D.DRAW).sel(chain=0)
    for _, row in ok.iterrows():
        b = float(med.sel({D.GROUP: row[D.GROUP], D.DATE: row[D.DATE]}))
        assert row["debiased"] == pytest.approx(row["threshold"] - b)
    again = threshold_bias(fit, n_replications=3, seed=1, dates=["2024-06-01", "2025-01-01"])
    pd.testing.assert_frame_equal(t, again.table)
    with pytest.raises(ValueError, match="n_bootstrap"):
        threshold_bias(fit, n_replications=3, threshold_kwargs={"n_bootstrap": 5})
    ax = res.plot()
    assert ax.get_lines()
    # the replicated first crossings against the observed ones
    cr = res.crossings
    assert len(cr) == 3 * 3 and set(cr[D.GROUP]) == {"all", "public", "private"}
    rows = fit.design.rows.drop(columns=D.ACCESS).reset_index(drop=True)
    real = irtgap.threshold_gap(
        irtgap.ScoreData(scores=rows, benchmarks=fit.data.benchmarks), n_bootstrap=0
    )
    accepted = real.points[real.points["accepted"]]
    obs = cr.set_index([D.GROUP, "statistic"])["observed"]
    assert obs["all", "n_points"] == len(accepted)
    assert obs["all", "mean_gap"] == pytest.approx(accepted["gap_months"].mean())
    assert cr["ppp"].dropna().between(0, 1).all()
    assert (cr["n_replicates"] <= 3).all()


@pytest.mark.slow
def test_fit_is_reproducible_for_a_fixed_seed(sim):
    kw = dict(draws=60, tune=60, chains=2, seed=7, progressbar=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = GapModel().fit(sim.data, **kw)
        b = GapModel().fit(sim.data, **kw)
    np.testing.assert_array_equal(
        a.posterior["frontier"].to_numpy(), b.posterior["frontier"].to_numpy()
    )


def test_fit_passes_cores_and_nutpie_defaults(sim, monkeypatch):
    """fit runs one chain per CPU, targets acceptance 0.85 and doubles nutpie's trajectories,
    unless the caller says else."""
    import os

    from irtgap.methods.bayes.model import NUTPIE_DEFAULTS

    seen: list[dict] = []
    mock = _mock_fit(sim.data, GapModel(), draws=10)

    def fake_sample(**kwargs):
        seen.append(kwargs)
        return mock.idata

    monkeypatch.setattr(pm, "sample", fake_sample)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        GapModel().fit(sim.data, chains=4, progressbar=False)
        GapModel().fit(sim.data, chains=1, progressbar=False, sampler="pymc")
        GapModel().fit(
            sim.data,
            cores=1,
            sampler_kwargs={"nuts": {"extra_doublings": 0, "maxdepth": 8}, "target_accept": 0.9},
        )
    assert seen[0]["cores"] == min(4, os.cpu_count() or 1)
    assert seen[0]["target_accept"] == seen[1]["target_accept"] == 0.85
    assert seen[0]["nuts"] == NUTPIE_DEFAULTS == {"extra_doublings": 1}
    assert seen[1]["cores"] == 1 and "nuts" not in seen[1]
    assert seen[2]["cores"] == 1
    assert seen[2]["nuts"] == {"extra_doublings": 0, "maxdepth": 8}
    assert seen[2]["target_accept"] == 0.9


def test_upper_asymptote_adds_a_lapse_on_saturating_benchmarks(sim):
    from irtgap.methods.bayes.graph import SATURATION, saturating_benchmarks

    plain = GapModel(upper_asymptote=False).build(sim.data)
    model = GapModel()  # the 4PL curve is the default
    assert model.upper_asymptote and model.lapse_threshold == SATURATION == 0.6
    four = model.build(sim.data)
    assert "lapse" not in plain.named_vars
    design = model.design(sim.data)
    sat = saturating_benchmarks(design, SATURATION)
    best = pd.Series(design.scaled_scores).groupby(design.benchmark_idx).max()
    np.testing.assert_array_equal(sat, (best >= SATURATION).to_numpy())
    assert sat.any() and (~sat).any()
    assert "lapse_logit_mean" in four.named_vars  # partially pooled by default
    assert list(four.coords["saturating_benchmark"]) == list(design.benchmarks.index[sat])
    lapse = four["lapse"].eval()
    assert (lapse[~sat] == 0).all() and (lapse[sat] > 0).all()
    with pytest.raises(ValueError, match="upper_asymptote"):
        GapModel(upper_asymptote="yes")
    # lapse_threshold: the benchmarks whose best score reaches it (>=), whatever its value
    ordered = np.sort(best.to_numpy())
    for t in (0.0, float(ordered[1]), float(ordered[1:3].mean())):
        m = GapModel(upper_asymptote=True, lapse_threshold=t).build(sim.data)
        want = list(design.benchmarks.index[(best >= t).to_numpy()])
        assert list(m.coords["saturating_benchmark"]) == want
        assert 0 < len(want) <= len(design.benchmarks)
    every = GapModel(upper_asymptote=True, lapse_threshold=0.0).build(sim.data)
    assert list(every.coords["saturating_benchmark"]) == list(design.benchmarks.index)
    assert (every["lapse"].eval() > 0).all()
    # ignored without the asymptote
    off = GapModel(upper_asymptote=False, lapse_threshold=0.0)
    assert "lapse" not in off.build(sim.data).named_vars
    for bad in (-0.1, 1.5, float("nan"), float("inf"), "0.8", True, np.True_):
        with pytest.raises(ValueError, match="lapse_threshold"):
            GapModel(lapse_threshold=bad)
    for ok in (0, 1, 1.0, np.float64(0.5)):
        assert GapModel(lapse_threshold=ok).lapse_threshold == ok


def test_saved_lapse_rates_must_match_the_lapse_threshold(sim, tmp_path):
    fit = _mock_fit(sim.data, GapModel(upper_asymptote=True, lapse_threshold=0.0), draws=20)
    back = GapFit.from_netcdf(fit.to_netcdf(tmp_path / "every.nc"))
    assert back.settings.lapse_threshold == 0.0
    wrong = dataclasses.replace(fit.settings, lapse_threshold=0.8)
    with pytest.raises(ValueError, match=r"lapse_threshold=0\.8 gives"):
        GapFit._rebuild(fit.idata, fit.data, wrong, tmp_path / "every.nc")


def test_lapse_pooling_ties_the_lapse_rates_on_the_log_odds_scale(sim):
    """partial: lapse_b = sigmoid(m + s z_b), m ~ N(logit 0.05, 1), s ~ HN(1), z_b ~ N(0, 1);
    none: independent Beta(1, 20); anything else is refused, naming the option."""
    from scipy import special, stats

    from irtgap.methods.bayes.graph import LAPSE_HYPERPRIOR

    pooled = GapModel(upper_asymptote=True, lapse_threshold=0.0)
    assert pooled.lapse_pooling == "partial"
    m = pooled.build(sim.data)
    free = {v.name for v in m.free_RVs}
    assert {"lapse_logit_mean", "lapse_logit_sd", "lapse_std"} <= free
    assert "lapse_saturating" not in free  # a deterministic of the three
    point = {
        "lapse_logit_mean": -2.0,
        "lapse_logit_sd_log__": np.log(0.7),
        "lapse_std": np.linspace(-1, 1, m.dim_lengths["saturating_benchmark"].eval()),
    }
    lapse = m.replace_rvs_by_values([m["lapse"]])[0]
    got = m.compile_fn(lapse, inputs=m.value_vars, on_unused_input="ignore")(
        {**m.initial_point(), **point}
    )
    np.testing.assert_allclose(got, special.expit(-2.0 + 0.7 * point["lapse_std"]))
    # the hyperpriors are the documented ones
    lp = m.compile_fn(
        m.logp(vars=[m["lapse_logit_mean"]], sum=True),
        inputs=m.value_vars,
        on_unused_input="ignore",
    )
    want = stats.norm(*LAPSE_HYPERPRIOR["mean"]).logpdf(-2.0)
    assert lp({**m.initial_point(), **point}) == pytest.approx(want)
    assert LAPSE_HYPERPRIOR["mean"][0] == pytest.approx(np.log(0.05 / 0.95))
    none = GapModel(upper_asymptote=True, lapse_threshold=0.0, lapse_pooling="none")
    indep = none.build(sim.data)
    assert indep["lapse_saturating"].owner.op.name == "beta"
    assert "lapse_logit_mean" not in indep.named_vars
    for bad in ("full", None, 1, "Partial"):
        with pytest.raises(ValueError, match="lapse_pooling"):
            GapModel(lapse_pooling=bad)


def test_saved_settings_must_name_every_setting_and_no_other():
    """A file's settings rebuild GapSettings only when they are complete: a missing or unknown
    setting is named, never filled with a default."""
    from irtgap.methods.bayes.settings import GapSettings

    now = dataclasses.asdict(GapSettings(lapse_pooling="none", lapse_threshold=0.3))
    assert GapSettings.from_saved(now) == GapSettings(lapse_pooling="none", lapse_threshold=0.3)
    old = {k: v for k, v in now.items() if k not in ("lapse_pooling", "noise")}
    with pytest.raises(ValueError, match=r"the file lacks the setting\(s\) \['noise', "):
        GapSettings.from_saved(old)
    with pytest.raises(ValueError, match=r"has setting\(s\) \['trend'\] that GapSettings"):
        GapSettings.from_saved({**now, "trend": True})
    with pytest.raises(ValueError, match=r"^knot_months=0"):
        GapSettings.from_saved({**now, "knot_months": 0})


def test_a_file_without_every_setting_is_refused_naming_them(sim, tmp_path):
    fit = _mock_fit(sim.data, GapModel(), draws=20)
    tree = fit.to_datatree()
    settings = json.loads(tree.attrs["irtgap_settings"])
    del settings["lapse_pooling"]
    tree.attrs["irtgap_settings"] = json.dumps(settings)
    path = tmp_path / "old.nc"
    tree.to_netcdf(path, engine="h5netcdf")
    with pytest.raises(ValueError, match=r"old\.nc' lacks the setting\(s\) \['lapse_pooling'\]"):
        GapFit.from_netcdf(path)


def test_a_file_without_the_needed_posterior_variables_is_refused(sim, tmp_path):
    fit = _mock_fit(sim.data, GapModel(), draws=20)
    old = fit.idata.copy()
    old["posterior"] = xr.DataTree(fit.posterior.drop_vars("difficulty_rel"))
    path = GapFit(idata=old, design=fit.design, settings=fit.settings, data=fit.data).to_netcdf(
        tmp_path / "old.nc"
    )
    with pytest.raises(ValueError, match=r"lacks \['difficulty_rel'\]"):
        GapFit.from_netcdf(path)


def test_a_file_of_a_format_without_method_is_refused(sim, tmp_path):
    """A posterior with irtgap_* tables but none of the shared format's attributes is not read
    by guess: every loader refuses it, naming the file."""
    from irtgap.core.frames import encode_frame

    fit = _mock_fit(sim.data, GapModel(), draws=20)
    tree = xr.DataTree.from_dict(
        {
            "posterior": fit.posterior,
            "irtgap_scores": encode_frame(fit.data.scores),
            "irtgap_benchmarks": encode_frame(fit.data.benchmarks),
        }
    )
    tree.attrs["irtgap_settings"] = json.dumps(dataclasses.asdict(fit.settings))
    path = tmp_path / "old.nc"
    tree.to_netcdf(path, engine="h5netcdf")
    for load in (GapFit.from_netcdf, irtgap.load_result):
        with pytest.raises(ValueError, match=r"old\.nc' was not written by"):
            load(path)


def test_decode_frame_refuses_a_table_it_did_not_write():
    from irtgap.core.frames import decode_frame

    with pytest.raises(ValueError, match="no 'irtgap_codec' attribute"):
        decode_frame(xr.Dataset({"a": ("row", [1, 2])}))


@pytest.mark.slow
def test_trending_open_advantage_is_recovered_and_keeps_the_private_gap():
    """Open models' public-benchmark advantage grows 0.6 simulator units a year
    (contamination): the trend term finds it, and the private gap (the capability gap) stays at
    the true 6 months."""
    sim = irtgap.simulate(
        gap_months=6.0,
        contamination_growth=0.6,
        n_closed=40,
        n_open=40,
        n_benchmarks=10,
        density=0.5,
        seed=11,
    )
    model = GapModel(public_advantage_trend=True)
    fit = model.fit(sim.data, draws=400, tune=400, chains=2, seed=2, progressbar=False)
    terms = fit.terms().loc["public_advantage_trend"]
    # the model's unit is one logit of its anchor benchmark: the simulator's 0.6 units a year
    # times that benchmark's true slope
    truth = 0.6 * sim.truth.slope[fit.design.anchor_benchmark]
    assert terms["lower"] <= truth <= terms["upper"], (truth, terms)
    assert terms["lower"] > 0.3, terms  # found, not the prior (sd 0.5 around 0)
    dates = ["2023-07-01", "2024-07-01", "2025-07-01"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        private = fit.gap(dates, by="access").query("group == 'private'")
    assert ((private["lower"] <= 6.0) & (6.0 <= private["upper"])).all(), private


def test_gap_model_holds_its_settings():
    """Keyword construction works; the settings are one frozen GapSettings; a GapSettings
    can seed a model; unknown or invalid settings are refused by name."""
    from irtgap.methods.bayes.settings import SETTING_NAMES, GapSettings

    model = GapModel(open_offsets=True, knot_months=6)
    assert model.settings == GapSettings(open_offsets=True, knot_months=6)
    assert model.open_offsets is True and model.knot_months == 6
    assert GapModel(model.settings, noise="logit_t").settings == dataclasses.replace(
        model.settings, noise="logit_t"
    )
    assert GapModel() == GapModel(GapSettings()) != model
    assert repr(GapModel()).startswith("GapModel(since='2022-01-01', knot_months=12,")
    assert set(SETTING_NAMES) <= set(dir(model))
    with pytest.raises(TypeError, match=r"unknown setting\(s\) \['trend'\]"):
        GapModel(trend=True)
    with pytest.raises(TypeError, match="give a GapSettings"):
        GapModel("2023-01-01")
    with pytest.raises(ValueError, match=r"^growth_spread=-1"):
        GapModel(growth_spread=-1)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = model.nope
    import pickle

    assert pickle.loads(pickle.dumps(model)) == model
