"""Checks of the Bayesian fit (irtgap.methods.bayes.checks): pointwise log-likelihood, PSIS-LOO,
integrated LOO, LOO-PIT and posterior predictive checks."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pymc as pm
import pytest
import xarray as xr
from scipy import integrate, special, stats

import irtgap
from irtgap.core import dims as D
from irtgap.core.measurement import mean_score
from irtgap.methods.bayes.checks import (
    ROW_DIM,
    ModelChecks,
    integrated_loo,
    log_likelihood,
    loo,
    loo_pit,
    model_checks,
    pareto_k_table,
    predictive_checks,
)
from irtgap.methods.bayes.fit import GapFit
from irtgap.methods.bayes.model import build_model
from irtgap.methods.bayes.replicate import row_arrays

#: Prior samples here are test scaffolding: compile them fast (no graph rewrites needed).
FAST = {"mode": "FAST_COMPILE"}


@pytest.fixture(scope="module")
def mock_fit():
    """A GapFit whose posterior is a prior sample (world with censored rows): no MCMC."""
    sim = irtgap.simulate(n_closed=15, n_open=15, n_benchmarks=6, density=0.6, seed=4)
    model = irtgap.GapModel()
    design = model.design(sim.data)
    with build_model(design, model.settings):
        prior = pm.sample_prior_predictive(draws=40, random_seed=2, compile_kwargs=FAST)[
            "prior"
        ].to_dataset()
    stats = xr.Dataset({"diverging": ((D.CHAIN, D.DRAW), np.zeros((1, 40), bool))})
    tree = xr.DataTree.from_dict({"posterior": prior, "sample_stats": stats})
    return GapFit(idata=tree, design=design, settings=model.settings, data=sim.data)


def test_one_term_per_modelled_row(mock_fit):
    ll = log_likelihood(mock_fit)
    assert ll.dims == (D.CHAIN, D.DRAW, ROW_DIM)
    assert ll.sizes[ROW_DIM] == len(mock_fit.design.rows)
    assert np.isfinite(ll.to_numpy()).all()


def test_terms_sum_to_the_models_observed_log_probability(mock_fit):
    """The pointwise terms are the model's own: for each draw they add up to the joint
    log-probability of the observed variables at that draw."""
    ll = log_likelihood(mock_fit)
    model = build_model(mock_fit.design, mock_fit.settings)
    logp = model.compile_logp(vars=model.observed_RVs, jacobian=False)
    post = mock_fit.posterior
    for draw in (0, 17, 39):
        point = {}
        for rv in model.free_RVs:
            value = model.rvs_to_values[rv]
            x = post[rv.name].isel(chain=0, draw=draw).to_numpy()
            transform = model.rvs_to_transforms.get(rv)
            if transform is not None:
                x = transform.forward(x, *rv.owner.inputs).eval()
            point[value.name] = x
        expected = float(logp(point))
        got = float(ll.isel(chain=0, draw=draw).sum())
        assert got == pytest.approx(expected, rel=1e-8, abs=1e-6)


def test_censored_rows_hold_probabilities(mock_fit):
    """Rows at the resolution limits contribute log probabilities (<= 0)."""
    ll = log_likelihood(mock_fit)
    design = mock_fit.design
    y = design.scaled_scores
    censored = (y <= 0.005) | (y >= 0.995)
    assert censored.any() and (~censored).any()
    assert (ll.isel({ROW_DIM: np.flatnonzero(censored)}) <= 0).all()


def test_loo_and_pareto_k_table(mock_fit):
    ll = log_likelihood(mock_fit)
    res = loo(mock_fit, log_lik=ll)
    k = np.asarray(res.pareto_k).ravel()
    assert k.size == len(mock_fit.design.rows)  # (a prior sample: most k are large, elpd NaN)
    table = pareto_k_table(mock_fit, res, k_max=-np.inf)  # every row, worst (or NaN) first
    assert len(table) == k.size
    finite = table["pareto_k"].dropna().to_numpy()
    assert np.all(np.diff(finite) <= 0)
    assert table["pareto_k"].isna().sum() == np.isnan(k).sum()
    assert {"model", "benchmark", "pareto_k"} <= set(table.columns)


@pytest.mark.slow
def test_loo_on_a_real_short_fit_names_its_unreliable_rows():
    sim = irtgap.simulate(n_closed=25, n_open=25, n_benchmarks=8, density=0.5, seed=3)
    fit = irtgap.GapModel().fit(sim.data, draws=400, tune=400, chains=2, seed=5, progressbar=False)
    res = loo(fit)
    k = np.asarray(res.pareto_k).ravel()
    assert np.isfinite(res.elpd) and res.se > 0 and np.isfinite(k).all()
    # the checks of the fit: integration leaves fewer unreliable rows, the LOO-PIT of a model
    # fitted to data it generated is inside its 90% band
    checks = fit.check(n_draws=100, seed=0)
    s = checks.summary()
    assert s["k_above_0.7"] <= s["k_above_0.7_plain"]
    assert np.isfinite(s["elpd_loo"])
    assert s["pit_ks_distance"] < s["pit_ks_critical_90"]
    table = pareto_k_table(fit, res)
    assert len(table) == int(((k > 0.7) | np.isnan(k)).sum())
    assert (table["pareto_k"] > 0.7).all()
    # most rows are reliable; the rest are named (a model scored on few benchmarks leans on
    # each of its scores, so leaving one out moves its capability: large k)
    assert (k > 0.7).mean() < 0.5


def test_integrated_loo_refuses_without_shortfall(mock_fit):
    no_short = GapFit(
        idata=mock_fit.idata,
        design=mock_fit.design,
        settings=irtgap.GapModel(shortfall=False).settings,
        data=mock_fit.data,
    )
    with pytest.raises(ValueError, match="shortfall=False"):
        integrated_loo(no_short, rows=np.array([0]))


def _truth_fit(sim, draws=30):
    """A GapFit whose every 'posterior' draw is the simulation's truth (a point mass)."""
    model = irtgap.GapModel()
    design = model.design(sim.data)
    with build_model(design, model.settings):
        prior = pm.sample_prior_predictive(draws=draws, random_seed=1, compile_kwargs=FAST)[
            "prior"
        ].to_dataset()
    tr = sim.truth

    def const(name, values):
        arr = np.broadcast_to(np.asarray(values, float), prior[name].shape).copy()
        return (prior[name].dims, arr)

    units = list(prior["unit"].to_numpy())
    benches = list(prior["benchmark"].to_numpy())
    # each unit's true frontier at its release date: shortfall = frontier - capability
    models = design.models.loc[units]
    fr = sim.frontier(pd.DatetimeIndex(models[D.DATE]))
    f_unit = np.where(models[D.WEIGHTS] == D.OPEN, fr[D.OPEN], fr[D.CLOSED])
    cap = np.array([tr.capability[u] for u in units])
    scale = tr.shortfall_scale
    post = prior.assign(
        shortfall=const("shortfall", f_unit - cap),
        shortfall_std=const("shortfall_std", (f_unit - cap) / scale),
        shortfall_scale=const("shortfall_scale", [scale, scale]),
        capability=const("capability", cap),
        difficulty=const("difficulty", [tr.difficulty[b] for b in benches]),
        slope=const("slope", [tr.slope[b] for b in benches]),
        precision=const("precision", np.full(len(benches), 40.0)),
        public_advantage=const("public_advantage", 0.0),
    )
    if "lapse" in post:  # the simulator's curve reaches the ceiling: no lapse
        post = post.assign(lapse=const("lapse", np.zeros(len(benches))))
    stats_ = xr.Dataset({"diverging": ((D.CHAIN, D.DRAW), np.zeros((1, draws), bool))})
    tree = xr.DataTree.from_dict({"posterior": post, "sample_stats": stats_})
    return GapFit(idata=tree, design=design, settings=model.settings, data=sim.data)


@pytest.fixture(scope="module")
def truth_fit():
    sim = irtgap.simulate(
        n_closed=40, n_open=40, n_benchmarks=10, density=0.6, hosted_share=0.0, seed=8
    )
    return _truth_fit(sim)


def _equal_weights(fit):
    """A stand-in for a LOO result with equal importance weights (the truth as a point-mass
    posterior: leaving a score out changes nothing). The truth fit sets the deterministic
    terms the PIT reads, not the raw parameters PyMC's log-likelihood would read."""
    ll = log_likelihood(fit)
    return SimpleNamespace(log_weights=xr.zeros_like(ll)), ll


def test_loo_pit_is_uniform_at_the_truth_and_matches_the_beta_cdf(truth_fit):
    """With the truth as the posterior (every weight equal), a row's PIT is the Beta CDF of its
    score under the truth: uniform over rows if the data came from the model."""
    res, ll = _equal_weights(truth_fit)
    pit = loo_pit(truth_fit, loo_result=res, log_lik=ll, seed=0)
    assert len(pit) == len(truth_fit.design.rows)
    assert pit["pit"].between(0, 1).all()
    assert stats.kstest(pit["pit"], "uniform").pvalue > 0.01
    post = truth_fit.posterior.isel(chain=0, draw=0)
    arrays = row_arrays(truth_fit)
    z = truth_fit.design.scaled_scores
    inside = np.flatnonzero((z > 0.005) & (z < 0.995))[:5]
    for r in inside:
        b = arrays["bench"][r]
        mu = mean_score(
            float(post["capability"][arrays["unit"][r]]),
            difficulty=float(post["difficulty"][b]),
            slope=float(post["slope"][b]),
            floor=arrays["floor"][r],
        )
        want = stats.beta.cdf(z[r], mu * 40.0, (1 - mu) * 40.0)
        assert pit["pit"].iloc[r] == pytest.approx(want, rel=1e-6)
    low = pit["censored"] == "low"
    assert (pit.loc[low, "pit"] <= 0.5).all()  # censored low: within P(score <= limit)


def test_loo_pit_shows_a_biased_model(truth_fit):
    """Scores shifted up by 0.1 against the truth: the PIT piles up near 1."""
    rows = truth_fit.design.rows.copy()
    ceiling = truth_fit.design.ceiling[truth_fit.design.benchmark_idx]
    rows[D.SCORE] = np.clip(rows[D.SCORE] + 0.1 * ceiling, 0, ceiling)
    import dataclasses

    shifted = GapFit(
        idata=truth_fit.idata,
        design=dataclasses.replace(truth_fit.design, rows=rows),
        settings=truth_fit.settings,
        data=truth_fit.data,
    )
    res, ll = _equal_weights(truth_fit)
    pit = loo_pit(shifted, loo_result=res, log_lik=ll, seed=0)["pit"]
    assert stats.kstest(pit, "uniform").pvalue < 1e-6
    assert pit.mean() > 0.6


def test_predictive_checks_at_the_truth_and_under_a_misfit(truth_fit):
    ppc = predictive_checks(truth_fit, n_draws=200, seed=1)
    assert {"grouping", "level", "statistic", "n", "observed", "lower", "upper", "ppp"} <= set(
        ppc.columns
    )
    n_rows = len(truth_fit.design.rows)
    for grouping in ("benchmark", "side", "access", "side_access", "year"):
        means = ppc[(ppc["grouping"] == grouping) & (ppc["statistic"] == "mean")]
        assert means["n"].sum() == n_rows
    assert ppc["ppp"].between(0, 1).all()
    # the truth generated the data: few of the group statistics are extreme
    extreme = ((ppc["ppp"] < 0.01) | (ppc["ppp"] > 0.99)).mean()
    assert extreme < 0.1
    # one benchmark's scores pushed up: its mean is flagged, with ppp near 0
    rows = truth_fit.design.rows.copy()
    bench = rows[D.BENCHMARK].value_counts().index[0]
    hit = rows[D.BENCHMARK] == bench
    ceiling = truth_fit.design.ceiling[truth_fit.design.benchmark_idx]
    rows.loc[hit, D.SCORE] = np.minimum(rows.loc[hit, D.SCORE] + 0.15 * ceiling[hit], ceiling[hit])
    import dataclasses

    bad = GapFit(
        idata=truth_fit.idata,
        design=dataclasses.replace(truth_fit.design, rows=rows),
        settings=truth_fit.settings,
        data=truth_fit.data,
    )
    ppc_bad = predictive_checks(bad, n_draws=30, seed=1)
    row = ppc_bad[
        (ppc_bad["grouping"] == "benchmark")
        & (ppc_bad["level"] == bench)
        & (ppc_bad["statistic"] == "mean")
    ].iloc[0]
    assert row["ppp"] < 0.01 and row["observed"] > row["upper"]
    with pytest.raises(ValueError, match="groupings"):
        predictive_checks(truth_fit, groupings=("country",))
    for bad in (0, 1, 2.5, True):
        with pytest.raises(ValueError, match="n_draws"):
            predictive_checks(truth_fit, n_draws=bad)


def test_model_checks_summary_and_plots(mock_fit):
    checks = model_checks(mock_fit, n_draws=20, seed=0)
    assert isinstance(checks, ModelChecks)
    s = checks.summary()
    for key in ("elpd_loo", "p_loo", "k_above_0.7", "k_above_0.7_plain", "pit_ks_distance"):
        assert key in s.index
    assert s["rows"] == len(mock_fit.design.rows)
    assert checks.plot_pit().get_lines()
    assert checks.plot_ppc(grouping="side_access", statistic="max").get_lines()
    with pytest.raises(ValueError, match="grouping"):
        checks.plot_ppc(grouping="nope")
    assert set(checks.flagged()["ppp"].index) <= set(checks.ppc.index)


def _unit_integral(fit, draw, unit, rows, cdf_row=None):
    """log of the integral over v of prod_{rows} p(y_r | theta(v)) p(v), by adaptive quadrature
    (scipy), at one draw of the mock posterior: the reference for integrated_loo."""
    post = fit.posterior.isel(chain=0, draw=draw)
    arrays = row_arrays(fit)
    side = fit.design.side_idx[fit.design.base_idx == np.arange(len(fit.design.models))][unit]
    f = float(post["capability"][unit] + post["shortfall"][unit])
    s = float(post["shortfall_scale"][side])
    tau = fit.settings.frontier_softness
    z = fit.design.scaled_scores

    def integrand(v):
        total = stats.exponnorm.pdf(v, 1 / tau, scale=tau)
        for r in rows:
            b = arrays["bench"][r]
            eff = f - s * v + float(post["public_advantage"]) * arrays["open_public"][r]
            mu = float(
                mean_score(
                    eff,
                    difficulty=float(post["difficulty"][b]),
                    slope=float(post["slope"][b]),
                    floor=arrays["floor"][r],
                )
            )
            phi = float(post["precision"][b])
            a, bb = mu * phi, (1 - mu) * phi
            if z[r] <= 0.005:
                total *= special.betainc(a, bb, 0.005)
            elif z[r] >= 0.995:
                total *= special.betainc(bb, a, 0.005)
            else:
                total *= stats.beta.pdf(z[r], a, bb)
        return total

    if cdf_row is not None:  # times the CDF of cdf_row's score (its integrated predictive CDF)
        b = arrays["bench"][cdf_row]
        plain = integrand

        def integrand(v):
            eff = f - s * v + float(post["public_advantage"]) * arrays["open_public"][cdf_row]
            mu = float(
                mean_score(
                    eff,
                    difficulty=float(post["difficulty"][b]),
                    slope=float(post["slope"][b]),
                    floor=arrays["floor"][cdf_row],
                )
            )
            phi = float(post["precision"][b])
            return plain(v) * stats.beta.cdf(
                min(max(z[cdf_row], 0.005), 0.995), mu * phi, (1 - mu) * phi
            )

    val, _ = integrate.quad(integrand, -6, 30, limit=400, points=[0.0, 2.0, 5.0])
    return np.log(val)


def test_integrated_loo_matches_quadrature(truth_fit):
    """For a model with one score, the integrated term is log of the integral of its likelihood
    over the shortfall prior; for a model with two, the ratio of two such integrals. Draws
    differ (open advantage, shortfall scales, frontiers), so the sample order is tested too;
    the integrated predictive CDF of a row is checked the same way."""
    from irtgap.methods.bayes.checks import _integrate

    post = truth_fit.posterior
    n = post.sizes[D.DRAW]
    ramp = xr.DataArray(np.linspace(0, 1, n), dims=D.DRAW)
    varied = post.assign(
        public_advantage=post["public_advantage"] + 0.2 + 0.3 * ramp,
        shortfall_scale=post["shortfall_scale"] * (0.7 + 0.6 * ramp),
        shortfall=post["shortfall"] + 0.5 * ramp,
    )
    tree = truth_fit.idata.copy()
    tree["posterior"] = varied
    fit = GapFit(
        idata=tree, design=truth_fit.design, settings=truth_fit.settings, data=truth_fit.data
    )
    arrays = row_arrays(fit)
    sizes = np.bincount(arrays["unit"])
    hosted = fit.design.provider_idx >= 0
    op = arrays["open_public"]
    one = [u for u in np.flatnonzero(sizes == 1) if not hosted[arrays["unit"] == u].any()]
    two = [
        u
        for u in np.flatnonzero(sizes == 2)
        if not hosted[arrays["unit"] == u].any() and op[arrays["unit"] == u].any()
    ]
    assert one and two  # the pair has an open model's public-benchmark score: gamma matters
    r1 = int(np.flatnonzero(arrays["unit"] == one[0])[0])
    pair = np.flatnonzero(arrays["unit"] == two[0])
    ll = log_likelihood(fit)
    out, cdfs = _integrate(fit, log_lik=ll, rows=np.array([r1, pair[0]]))
    for draw in (3, 21):
        got = float(out.isel(chain=0, draw=draw, row=r1))
        assert got == pytest.approx(_unit_integral(fit, draw, one[0], [r1]), abs=1e-4)
        want = _unit_integral(fit, draw, two[0], pair) - _unit_integral(fit, draw, two[0], pair[1:])
        got = float(out.isel(chain=0, draw=draw, row=pair[0]))
        assert got == pytest.approx(want, abs=1e-4)
        # the integrated CDF: E[F(y_i | theta)] over theta given the model's other scores
        rest = pair[1:]
        want_cdf = np.exp(
            _unit_integral(fit, draw, two[0], rest, cdf_row=pair[0])
            - _unit_integral(fit, draw, two[0], rest)
        )
        assert cdfs[int(pair[0])][draw] == pytest.approx(want_cdf, abs=1e-4)
    # the other rows keep their plain terms
    keep = np.setdiff1d(np.arange(ll.sizes[ROW_DIM]), [r1, pair[0]])
    np.testing.assert_array_equal(out.isel(row=keep).to_numpy(), ll.isel(row=keep).to_numpy())


def test_prior_sensitivity_has_a_row_per_prior_and_quantity(mock_fit):
    from irtgap.methods.bayes.checks import PRIOR_TERMS, prior_sensitivity

    table = prior_sensitivity(mock_fit)
    assert {"prior", "quantity", "prior_sensitivity", "likelihood_sensitivity", "diagnosis"} <= set(
        table.columns
    )
    free = {v.name for v in build_model(mock_fit.design, mock_fit.settings).free_RVs}
    expected = {k for k, names in PRIOR_TERMS.items() if set(names) & free}
    assert set(table["prior"]) == expected
    n_quantities = table["quantity"].nunique()
    assert len(table) == len(expected) * n_quantities
    assert any("frontier distance" in q for q in table["quantity"])
    # latent population terms are not power-scaled (they are the model, not its prior)
    assert not {"shortfall_std", "difficulty_rel"} & {n for v in PRIOR_TERMS.values() for n in v}


def test_integrated_loo_adds_the_private_effect_to_the_capability_it_integrates(prior_fit):
    """On data whose benchmarks are all private, a unit's private effect is a shift of its
    capability on every row: the integrated LOO of a fit with the effects equals that of the
    same posterior with each effect moved into the capability (and the frontier with it)."""
    sim = irtgap.simulate(n_closed=15, n_open=15, n_benchmarks=6, density=0.6, seed=4)
    meta = sim.data.benchmarks.assign(**{D.ACCESS: "private"})
    data = irtgap.ScoreData(scores=sim.data.scores, benchmarks=meta)
    fit = prior_fit(data, irtgap.GapModel(private_effects=True))
    post = fit.posterior
    assert fit.design.private_rows.all()
    assert float(np.abs(post["private_effect"]).mean()) > 0.05
    moved = post.assign(
        capability=post["capability"] + post["private_effect"],
        private_effect=post["private_effect"] * 0.0,
    )
    tree = fit.idata.copy()
    tree["posterior"] = moved
    folded = GapFit(idata=tree, design=fit.design, settings=fit.settings, data=fit.data)
    units = row_arrays(fit)["unit"]
    rows = np.flatnonzero(np.bincount(units)[units] >= 2)[:12]
    with_effect = integrated_loo(fit, rows=rows)
    without = integrated_loo(folded, rows=rows)
    a = with_effect.isel({ROW_DIM: rows}).to_numpy()
    b = without.isel({ROW_DIM: rows}).to_numpy()
    np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9)
    # and the effect matters: without moving it, the values differ
    dropped = post.assign(private_effect=post["private_effect"] * 0.0)
    tree["posterior"] = dropped
    other = GapFit(idata=tree, design=fit.design, settings=fit.settings, data=fit.data)
    c = integrated_loo(other, rows=rows).isel({ROW_DIM: rows}).to_numpy()
    assert np.abs(a - c).max() > 0.01


def test_integrated_loo_adds_the_reasoning_effect_to_the_rows_it_integrates(prior_fit):
    """When every version reasons, a benchmark's reasoning effect shifts all of its rows: the
    integrated LOO of a fit with the effects equals that of the same posterior with each
    effect moved into the benchmark's difficulty, and differs from it with the effects dropped."""
    sim = irtgap.simulate(n_closed=15, n_open=15, n_benchmarks=6, density=0.6, seed=4)
    names = sim.data.scores[D.MODEL].astype(str) + "_high"
    data = irtgap.ScoreData(
        scores=sim.data.scores.assign(**{D.MODEL: names}), benchmarks=sim.data.benchmarks
    )
    fit = prior_fit(data, irtgap.GapModel(reasoning_effects=True))
    post = fit.posterior
    assert fit.design.reasoning_rows.all()
    assert float(np.abs(post["reasoning_effect"]).mean()) > 0.05

    def with_posterior(new: xr.Dataset) -> GapFit:
        tree = fit.idata.copy()
        tree["posterior"] = new
        return GapFit(idata=tree, design=fit.design, settings=fit.settings, data=fit.data)

    rho = post["reasoning_effect"]
    folded = with_posterior(
        post.assign(difficulty=post["difficulty"] - rho, reasoning_effect=rho * 0)
    )
    dropped = with_posterior(post.assign(reasoning_effect=rho * 0))
    units = row_arrays(fit)["unit"]
    rows = np.flatnonzero(np.bincount(units)[units] >= 2)[:12]
    a, b, c = (
        integrated_loo(f, rows=rows).isel({ROW_DIM: rows}).to_numpy()
        for f in (fit, folded, dropped)
    )
    np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9)
    assert np.abs(a - c).max() > 0.01


def test_integrated_loo_integrates_a_one_row_cells_interaction_over_its_prior(prior_fit):
    """With interactions, a row alone in its (family, benchmark) cell has its interaction
    integrated over its prior: its integrated LOO value does not depend on the posterior draw
    of that interaction (a row whose cell has other rows does), and it differs from the value
    conditional on the draw. (The model's other rows keep their draws, as every parameter
    but the shortfall: the rows compared belong to different models.)"""
    sim = irtgap.simulate(n_closed=15, n_open=15, n_benchmarks=6, density=0.6, seed=4)
    names = sim.data.scores[D.MODEL].astype(str)
    copy = sim.data.scores[names.isin(names.unique()[::4])]
    copy = copy.assign(**{D.MODEL: copy[D.MODEL].astype(str) + "_low"})
    data = irtgap.ScoreData(
        scores=pd.concat([sim.data.scores, copy], ignore_index=True),
        benchmarks=sim.data.benchmarks,
    )
    fit = prior_fit(data, irtgap.GapModel(interactions=True))
    cells = fit.design.interaction_cells[0]
    counts = np.bincount(cells)[cells]
    units = row_arrays(fit)["unit"]
    one_row = np.flatnonzero(counts == 1)
    # one row per model: a row's value conditions on the interactions of its model's other rows
    single = one_row[np.unique(units[one_row], return_index=True)[1]][:8]
    shared = np.flatnonzero(counts >= 2)[:8]
    assert single.size == 8 and shared.size == 8
    post = fit.posterior

    def moved(rows: np.ndarray) -> GapFit:
        u = post["interaction"].copy()
        u[..., np.unique(cells[rows])] += 0.7
        tree = fit.idata.copy()
        tree["posterior"] = post.assign(interaction=u)
        return GapFit(idata=tree, design=fit.design, settings=fit.settings, data=fit.data)

    def values(f: GapFit, rows: np.ndarray) -> np.ndarray:
        return integrated_loo(f, rows=rows).isel({ROW_DIM: rows}).to_numpy()

    base = values(fit, single)
    np.testing.assert_allclose(values(moved(single), single), base, rtol=1e-9, atol=1e-9)
    assert np.abs(values(moved(shared), shared) - values(fit, shared)).max() > 0.01
    plain = log_likelihood(fit).isel({ROW_DIM: single}).to_numpy()
    assert np.abs(base - plain).max() > 0.01
