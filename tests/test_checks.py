"""Pointwise log-likelihood and PSIS-LOO of the Bayesian fit (irtgap.analyses.checks)."""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytest
import xarray as xr

import irtgap
from irtgap.analyses.checks import ROW_DIM, log_likelihood, loo, pareto_k_table
from irtgap.core import dims as D
from irtgap.methods.bayes.fit import GapFit
from irtgap.methods.bayes.model import build_model


@pytest.fixture(scope="module")
def mock_fit():
    """A GapFit whose posterior is a prior sample (world with censored rows): no MCMC."""
    sim = irtgap.simulate(n_closed=15, n_open=15, n_benchmarks=6, density=0.6, seed=4)
    model = irtgap.GapModel()
    design = model.design(sim.data)
    with build_model(design, model.settings):
        prior = pm.sample_prior_predictive(draws=40, random_seed=2)["prior"].to_dataset()
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
    table = pareto_k_table(fit, res)
    assert len(table) == int(((k > 0.7) | np.isnan(k)).sum())
    assert (table["pareto_k"] > 0.7).all()
    # most rows are reliable; the rest are named (a model scored on few benchmarks leans on
    # each of its scores, so leaving one out moves its capability: large k)
    assert (k > 0.7).mean() < 0.5
