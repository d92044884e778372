"""The score noise forms (Beta, logit-normal): numpy twins against scipy and the PyMC graph."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, special, stats

import irtgap
from irtgap.core import dims as D
from irtgap.methods.bayes import noise
from irtgap.methods.bayes.checks import loo_pit, predictive_checks
from irtgap.methods.bayes.design import CENSOR
from irtgap.methods.bayes.fit import GapFit
from irtgap.methods.bayes.model import GapModel
from irtgap.methods.bayes.replicate import (
    all_sample_params,
    mean_fraction,
    replicate_fractions,
    replicate_scores,
    row_arrays,
    row_precision,
    stacked_posterior,
)


@pytest.fixture(scope="module")
def sim():
    return irtgap.simulate(n_closed=20, n_open=20, n_benchmarks=7, density=0.6, seed=2)


def test_logit_normal_density_cdf_and_draws_agree():
    mu, phi = np.array([0.1, 0.5, 0.93]), np.array([4.0, 25.0, 9.0])
    z = np.array([0.2, 0.47, 0.9])
    sd = 1 / np.sqrt(phi)
    # density on z: the Normal on the log-odds times the Jacobian of the logit
    ref = stats.norm.logpdf(special.logit(z), special.logit(mu), sd) - np.log(z * (1 - z))
    np.testing.assert_allclose(noise.logpdf(z, mu, phi, "logit_normal"), ref)
    for j in range(3):  # the density integrates to the CDF
        f = lambda t, j=j: np.exp(noise.logpdf(t, mu[j], phi[j], "logit_normal"))  # noqa: E731
        area = integrate.quad(f, 1e-12, z[j])[0]
        np.testing.assert_allclose(area, noise.cdf(z[j], mu[j], phi[j], "logit_normal"), rtol=1e-6)
    # the median is mu, and draws follow the CDF
    np.testing.assert_allclose(noise.cdf(mu, mu, phi, "logit_normal"), 0.5)
    draws = noise.sample(
        np.random.default_rng(0), np.full(20000, 0.3), np.full(20000, 4.0), "logit_normal"
    )
    assert stats.kstest(draws, lambda x: noise.cdf(x, 0.3, 4.0, "logit_normal")).pvalue > 0.01
    # censored tails: log P(z <= eps) and log P(z >= 1 - eps)
    low = noise.censored_logp(mu, phi, np.array([True, True, False]), "logit_normal")
    m = special.logit(mu)
    ref = [
        stats.norm.logcdf(special.logit(CENSOR), m[0], sd[0]),
        stats.norm.logcdf(special.logit(CENSOR), m[1], sd[1]),
        stats.norm.logsf(special.logit(1 - CENSOR), m[2], sd[2]),
    ]
    np.testing.assert_allclose(low, ref, rtol=1e-8)


def test_logit_t_density_cdf_tails_and_draws_agree():
    """The robust noise: the log-odds are Student-t (4 df) around logit(mu), scale
    1 / sqrt(precision); density, CDF, censored tails and draws agree with scipy's t."""
    mu, phi = np.array([0.1, 0.5, 0.93]), np.array([4.0, 25.0, 9.0])
    z = np.array([0.2, 0.47, 0.9])
    sd = 1 / np.sqrt(phi)
    m = special.logit(mu)
    ref = stats.t.logpdf(special.logit(z), noise.T_DOF, m, sd) - np.log(z * (1 - z))
    np.testing.assert_allclose(noise.logpdf(z, mu, phi, "logit_t"), ref)
    np.testing.assert_allclose(
        noise.cdf(z, mu, phi, "logit_t"), stats.t.cdf(special.logit(z), noise.T_DOF, m, sd)
    )
    for j in range(3):  # the density integrates to the CDF
        f = lambda t, j=j: np.exp(noise.logpdf(t, mu[j], phi[j], "logit_t"))  # noqa: E731
        area = integrate.quad(f, 1e-12, z[j], limit=200)[0]
        np.testing.assert_allclose(area, noise.cdf(z[j], mu[j], phi[j], "logit_t"), rtol=1e-5)
    eps = np.array([CENSOR, 1 / 30, CENSOR])
    tails = noise.censored_logp(mu, phi, np.array([True, True, False]), "logit_t", eps=eps)
    ref = [
        stats.t.logcdf(special.logit(CENSOR), noise.T_DOF, m[0], sd[0]),
        stats.t.logcdf(special.logit(1 / 30), noise.T_DOF, m[1], sd[1]),
        stats.t.logsf(special.logit(1 - CENSOR), noise.T_DOF, m[2], sd[2]),
    ]
    np.testing.assert_allclose(tails, ref, rtol=1e-8)
    draws = noise.sample(
        np.random.default_rng(0), np.full(20000, 0.3), np.full(20000, 4.0), "logit_t"
    )
    assert stats.kstest(draws, lambda x: noise.cdf(x, 0.3, 4.0, "logit_t")).pvalue > 0.01
    # heavier tails than the logit-normal of the same scale: a far score costs less
    far = np.array([0.999])
    assert noise.logpdf(far, 0.5, 25.0, "logit_t") > noise.logpdf(far, 0.5, 25.0, "logit_normal")


def test_beta_twins_match_scipy():
    mu, phi, z = np.array([0.2, 0.7]), np.array([10.0, 40.0]), np.array([0.25, 0.6])
    a, b = mu * phi, (1 - mu) * phi
    np.testing.assert_allclose(noise.logpdf(z, mu, phi), stats.beta.logpdf(z, a, b))
    np.testing.assert_allclose(noise.cdf(z, mu, phi), stats.beta.cdf(z, a, b))
    np.testing.assert_allclose(
        noise.censored_logp(mu, phi, np.array([True, False])),
        [stats.beta.logcdf(CENSOR, a[0], b[0]), stats.beta.logsf(1 - CENSOR, a[1], b[1])],
        rtol=1e-6,
    )
    with pytest.raises(ValueError, match="noise='gumbel'"):
        noise.logpdf(z, mu, phi, "gumbel")


def test_censored_beta_series_is_accurate_at_coarse_resolutions():
    """The log-space series of the censored Beta tail against scipy's incomplete beta, at the
    resolution of benchmarks of 10 to 200 items and precisions up to its stated limit (40 terms
    would be 2.8 log units off at 0.05, precision 1000 and a mean of 0.001)."""
    for x in (CENSOR, 1 / 60, 1 / 40, 0.05):
        top = 3000.0 if x == CENSOR else noise.SERIES_MAX_PRECISION  # 40 terms at CENSOR
        for phi in (2.0, 50.0, 235.0, 1000.0, top):
            mu = np.array([0.001, 0.05, 0.5, 0.95, 0.999])
            p, q = mu * phi, (1 - mu) * phi
            exact = special.betainc(p, q, x)
            ok = exact > 1e-300
            got = noise._log_betainc_small(p[ok], q[ok], x)
            np.testing.assert_allclose(got, np.log(exact[ok]), rtol=1e-8, atol=1e-8)
    assert noise.series_terms(CENSOR) == noise.SERIES_TERMS
    assert noise.series_terms(0.05) > 3 * noise.SERIES_TERMS


@pytest.mark.parametrize(
    "options",
    [
        *({"noise": form} for form in noise.NOISES),
        {"public_advantage_trend": True},
        {"learn_growth_spread": True},
        {"private_effects": True},
        {"second_factor": True},
        {"reasoning_effects": True},
        {"interactions": True},
        {"open_offsets": True, "open_offset_trend": True},
    ],
    ids=lambda o: "-".join(f"{k}={v}" for k, v in o.items()),
)
def test_numpy_likelihood_matches_the_graph(sim, options, prior_fit, assert_likelihoods_equal):
    """The checks' numpy likelihood (integrated LOO) is the graph's, for each noise form and
    with a trending open advantage (the row effect the replicates and checks rebuild)."""
    data = sim.data
    if options.get("open_offset_trend") or options.get("second_factor"):  # three domains
        names = np.array(["maths", "coding", "knowledge"])
        domain = names[np.arange(len(data.benchmarks)) % 3]
        data = irtgap.ScoreData(
            scores=data.scores, benchmarks=data.benchmarks.assign(domain=domain)
        )
    if options.get("reasoning_effects"):  # a third of the versions run with high effort
        names = data.scores[D.MODEL].astype(str)
        pick = names.isin(names.unique()[::3])
        scores = data.scores.assign(**{D.MODEL: names.where(~pick, names + "_high")})
        data = irtgap.ScoreData(scores=scores, benchmarks=data.benchmarks)
    if options.get("interactions"):  # effort variants: families scored twice on a benchmark
        data = _with_effort_variants(data)
    fit = prior_fit(data, GapModel(**options))
    if fit.settings.interactions:  # the interactions move rows, shared within a family
        assert np.abs(fit.posterior["interaction"]).mean() > 0.05
        cells = fit.design.interaction_cells[0]
        assert np.bincount(cells).max() >= 2
    if fit.settings.reasoning_effects:  # the effects move the reasoning rows
        assert np.abs(fit.posterior["reasoning_effect"]).mean() > 0.05
        assert 10 < fit.design.reasoning_rows.sum() < len(fit.design.rows) - 10
    if fit.settings.public_advantage_trend:  # the trend moves rows: the test would see it
        assert np.abs(fit.posterior["public_advantage_trend"]).min() > 0
        assert np.count_nonzero(fit.design.public_time) > 10
    if fit.settings.private_effects:  # the effects move the private rows: the test would see it
        assert np.abs(fit.posterior["private_effect"]).mean() > 0.05
        assert 10 < fit.design.private_rows.sum() < len(fit.design.rows) - 10
    if fit.settings.second_factor:  # the second ability moves every non-anchor row
        post = fit.posterior
        assert float((post["loading"] * np.abs(post["f2_capability"]).mean("unit")).max()) > 0.1
    if fit.settings.open_offset_trend:  # the domains' trends move the open rows
        assert np.abs(fit.posterior["open_domain_trend"]).mean() > 0.05
        assert np.count_nonzero(fit.design.open_time) > 10
    z = fit.design.scaled_scores
    assert ((z <= CENSOR) | (z >= 1 - CENSOR)).any()  # censored rows are compared too
    assert_likelihoods_equal(fit)


def _with_effort_variants(data: irtgap.ScoreData) -> irtgap.ScoreData:
    """``data`` with a ``_low`` effort variant of every third version, 0.05 below it."""
    names = data.scores[D.MODEL].astype(str)
    copy = data.scores[names.isin(names.unique()[::3])]
    copy = copy.assign(
        **{D.MODEL: copy[D.MODEL].astype(str) + "_low", D.SCORE: (copy[D.SCORE] - 0.05).clip(0)}
    )
    scores = pd.concat([data.scores, copy], ignore_index=True)
    return irtgap.ScoreData(scores=scores, benchmarks=data.benchmarks)


def _with_items(data: irtgap.ScoreData, n_items: dict[str, int]) -> irtgap.ScoreData:
    meta = data.benchmarks.assign(n_items=pd.Series(n_items, dtype=float))
    return irtgap.ScoreData(scores=data.scores, benchmarks=meta)


@pytest.mark.parametrize("form", noise.NOISES)
def test_numpy_likelihood_matches_the_graph_with_item_counts(
    sim, form, prior_fit, assert_likelihoods_equal
):
    """Benchmarks with a known item count are censored at half an item (coarser than 0.005):
    the graph and the numpy twins read the same rows as censored, at the same limits."""
    # bench00 and bench01 reach 0.99 of the ceiling, bench03 has a score near 0
    items = {"bench00": 12, "bench01": 20, "bench03": 12, "bench02": 5000}
    fit = prior_fit(_with_items(sim.data, items), GapModel(noise=form))
    eps = fit.design.row_resolution
    np.testing.assert_allclose(
        fit.design.resolution[:6], [1 / 24, 1 / 40, CENSOR, 1 / 24, CENSOR, CENSOR]
    )  # 5000 items: never finer than CENSOR
    z = fit.design.scaled_scores
    coarse = (eps > CENSOR) & ((z <= eps) | (z >= 1 - eps)) & (z > CENSOR) & (z < 1 - CENSOR)
    assert coarse.sum() >= 3  # rows censored only because of their item count
    assert fit.design.low_censored[coarse].any() and fit.design.high_censored[coarse].any()
    assert_likelihoods_equal(fit)


def test_logit_normal_replicates_and_checks_use_the_fit_noise(sim, prior_fit):
    fit = prior_fit(sim.data, GapModel(noise="logit_normal"))
    assert fit.settings.noise == "logit_normal"
    params = all_sample_params(stacked_posterior(fit).isel(sample=[0]))
    arrays = row_arrays(fit)
    one = {k: v[0] for k, v in params.items()}
    # the replicate is exactly a Normal shift of the mean's log-odds, sd 1 / sqrt(precision)
    mu = mean_fraction(one, arrays)
    phi = one["precision"][arrays["bench"]]
    eps = np.random.default_rng(4).standard_normal(mu.shape)
    z = special.expit(special.logit(mu) + eps / np.sqrt(phi))
    z = np.where(z <= CENSOR, 0.0, np.where(z >= 1 - CENSOR, 1.0, z))
    rep = replicate_scores(one, arrays, np.random.default_rng(4), noise="logit_normal")
    np.testing.assert_allclose(rep, z * arrays.get("ceiling", 1.0))
    # the checks read the fit's noise: the same posterior with the other setting differs
    as_beta = GapFit(
        idata=fit.idata,
        design=fit.design,
        settings=dataclasses.replace(fit.settings, noise="beta"),
        data=fit.data,
    )
    kw = {"n_draws": 20, "seed": 0, "groupings": ("side",)}
    ln_table, beta_table = predictive_checks(fit, **kw), predictive_checks(as_beta, **kw)
    assert not np.allclose(ln_table["replicated"], beta_table["replicated"])
    ln_pit, beta_pit = loo_pit(fit)["pit"], loo_pit(as_beta)["pit"]
    assert not np.allclose(ln_pit, beta_pit, equal_nan=True)


def test_noise_setting_is_checked():
    with pytest.raises(ValueError, match="noise='normal'"):
        GapModel(noise="normal")


def _measured(data: irtgap.ScoreData, items: dict[str, float]) -> irtgap.ScoreData:
    """``data`` whose benchmarks ``items`` have a measurement noise of that many items (as the
    loader's ``stderr_items``); bench00 also declares 200 items, which the errors override."""
    meta = data.benchmarks.assign(
        stderr_items=pd.Series(items, dtype=float), n_items=pd.Series({"bench00": 200.0})
    )
    return irtgap.ScoreData(scores=data.scores, benchmarks=meta)


def test_measurement_noise_likelihood_matches_the_graph(sim, prior_fit, assert_likelihoods_equal):
    """The persistent effect is integrated out alike in the graph and the numpy twins: each
    measured row's log-odds variance is 1/phi_b + s_i^2, s_i^2 = 1/(m_b y (1 - y))."""
    data = _measured(sim.data, {"bench00": 300.0, "bench02": 40.0})
    fit = prior_fit(data, GapModel(noise="logit_normal", measurement_noise="known"))
    design = fit.design
    np.testing.assert_array_equal(
        np.isfinite(design.measurement_items), design.benchmarks.index.isin(["bench00", "bench02"])
    )
    assert design.measurement_items[0] == 300.0  # the export's errors win over n_items
    b = design.benchmark_idx
    y = np.clip(design.scaled_scores, design.row_resolution, 1 - design.row_resolution)
    expect = np.where(design.measured_rows, 1 / (design.measurement_items[b] * y * (1 - y)), 0)
    np.testing.assert_allclose(np.nan_to_num(design.row_measurement_var), expect)
    assert design.measured_rows.sum() > 10 and (~design.measured_rows).sum() > 10
    params = all_sample_params(stacked_posterior(fit))
    arrays = row_arrays(fit)
    plain = params["precision"][:, arrays["bench"]]
    phi = row_precision(params, arrays)
    np.testing.assert_allclose(phi[:, ~design.measured_rows], plain[:, ~design.measured_rows])
    assert (phi[:, design.measured_rows] < plain[:, design.measured_rows]).all()
    z = design.scaled_scores
    assert (design.measured_rows & ((z <= CENSOR) | (z >= 1 - CENSOR))).any()
    assert_likelihoods_equal(fit)


def test_measurement_noise_replicates_keep_the_persistent_effects(sim, prior_fit):
    """A measured row's replicate is logit mu + k r + N(0, (1 + k) s^2), k = tau^2/(tau^2 + s^2),
    r its observed residual: the persistent effect is kept, only the measurement redrawn; rows
    without a known measurement noise redraw the whole residual (sd tau)."""
    data = _measured(sim.data, {"bench00": 300.0, "bench02": 40.0})
    fit = prior_fit(data, GapModel(noise="logit_normal", measurement_noise="known"))
    params = all_sample_params(stacked_posterior(fit).isel(sample=[3]))
    one = {k: v[0] for k, v in params.items()}
    arrays = row_arrays(fit)
    mu = mean_fraction(one, arrays)
    tau2 = 1 / one["precision"][arrays["bench"]]
    s2 = arrays["measurement_var"]
    z_obs = arrays["observed"]
    inside = (z_obs > CENSOR) & (z_obs < 1 - CENSOR)
    rng = np.random.default_rng(5)
    reps = np.stack(
        [replicate_fractions(one, arrays, rng, noise="logit_normal") for _ in range(3000)]
    )
    # uncensored replicates only: the logit of a replicate at 0 or 1 is not defined
    ok = inside & ((reps > 0) & (reps < 1)).all(axis=0)
    measured, other = ok & arrays["measured"], ok & ~arrays["measured"]
    assert measured.sum() > 10 and other.sum() > 10
    logit = special.logit(reps)
    k = tau2 / (tau2 + s2)
    r = special.logit(z_obs) - special.logit(mu)
    mean_expect = np.where(arrays["measured"], special.logit(mu) + k * r, special.logit(mu))
    var_expect = np.where(arrays["measured"], (1 + k) * s2, tau2)
    sd_mean = np.sqrt(var_expect / len(reps))
    np.testing.assert_array_less(np.abs(logit.mean(0) - mean_expect)[ok], (5 * sd_mean)[ok])
    np.testing.assert_allclose(logit.var(0)[ok], var_expect[ok], rtol=0.12)
    # the persistent part moves the measured replicates towards the observed scores
    near = np.abs(np.median(reps, 0) - z_obs)[measured]
    far = np.abs(mu - z_obs)[measured]
    assert np.mean(near < far) > 0.9


def test_measurement_noise_replicates_of_censored_rows_stay_censored(sim, prior_fit):
    """With a tiny measurement noise a censored row keeps its residual beyond the limit (drawn
    from the truncated Normal), so its replicates stay at or beyond that limit; the others stay
    at their observed scores."""
    data = _measured(sim.data, dict.fromkeys(sim.data.benchmarks.index, 1e8))
    fit = prior_fit(data, GapModel(noise="logit_normal", measurement_noise="known"))
    one = {k: v[0] for k, v in all_sample_params(stacked_posterior(fit).isel(sample=[0])).items()}
    arrays = row_arrays(fit)
    z_obs = arrays["observed"]
    low, high = z_obs <= CENSOR, z_obs >= 1 - CENSOR
    assert low.sum() + high.sum() >= 3
    rng = np.random.default_rng(0)
    reps = np.stack(
        [replicate_fractions(one, arrays, rng, noise="logit_normal") for _ in range(200)]
    )
    # at the limit itself or beyond it (the truncated draws crowd at a limit far in the tail)
    assert (reps[:, low] <= 2 * CENSOR).all() and (reps[:, high] >= 1 - 2 * CENSOR).all()
    assert (reps[:, low] == 0).mean() > 0.3 and (reps[:, high] == 1).mean() > 0.3
    inside = ~low & ~high
    np.testing.assert_allclose(np.median(reps, 0)[inside], z_obs[inside], atol=0.01)


def test_bad_measurement_items_are_named(sim):
    data = _measured(sim.data, {"bench01": -3.0})
    design = GapModel(noise="logit_normal", measurement_noise="known").design(data)
    with pytest.raises(ValueError, match=r"'stderr_items'.*\['bench01'\].*not a positive"):
        _ = design.measurement_items


def test_measurement_noise_needs_logit_normal_noise_and_a_measured_benchmark(sim):
    with pytest.raises(ValueError, match="measurement_noise='known' with noise='beta'"):
        GapModel(measurement_noise="known")
    with pytest.raises(ValueError, match="no modelled benchmark has a known measurement noise"):
        GapModel(noise="logit_normal", measurement_noise="known").fit(sim.data, draws=5, tune=5)


def test_pooled_measurement_share_for_benchmarks_without_errors(sim, prior_fit):
    """With ``"pooled"`` a row of a benchmark without a known measurement noise keeps the share
    1 - q of its residual, q the measured rows' median measurement share; measured rows are
    replicated as under ``"known"``."""
    data = _measured(sim.data, {"bench00": 300.0, "bench02": 40.0})
    fit = prior_fit(data, GapModel(noise="logit_normal", measurement_noise="pooled"))
    one = {k: v[0] for k, v in all_sample_params(stacked_posterior(fit).isel(sample=[2])).items()}
    arrays = row_arrays(fit)
    np.testing.assert_array_equal(arrays["pooled"], ~arrays["measured"])
    mu = mean_fraction(one, arrays)
    tau2 = 1 / one["precision"][arrays["bench"]]
    s2, measured, z_obs = arrays["measurement_var"], arrays["measured"], arrays["observed"]
    q = np.median((s2 / (tau2 + s2))[measured])
    assert 0 < q < 1
    rng = np.random.default_rng(8)
    reps = np.stack(
        [replicate_fractions(one, arrays, rng, noise="logit_normal") for _ in range(3000)]
    )
    inside = (z_obs > CENSOR) & (z_obs < 1 - CENSOR)
    ok = inside & ~measured & ((reps > 0) & (reps < 1)).all(axis=0)
    assert ok.sum() > 10
    r = special.logit(z_obs) - special.logit(mu)
    expect = special.logit(mu) + (1 - q) * r
    var = (1 - q) * q * tau2 + q * tau2
    logit = special.logit(reps)
    sd_mean = np.sqrt(var / len(reps))
    np.testing.assert_array_less(np.abs(logit.mean(0) - expect)[ok], (5 * sd_mean)[ok])
    np.testing.assert_allclose(logit.var(0)[ok], var[ok], rtol=0.12)
    # the measured rows: as under "known", their own measurement share
    ok_m = inside & measured & ((reps > 0) & (reps < 1)).all(axis=0)
    assert ok_m.sum() > 10
    k = tau2 / (tau2 + s2)
    expect_m = special.logit(mu) + k * r
    sd_m = np.sqrt((1 + k) * s2 / len(reps))
    np.testing.assert_array_less(np.abs(logit.mean(0) - expect_m)[ok_m], (5 * sd_m)[ok_m])
