"""Shared fixtures and the ``--runslow`` switch (slow tests: real MCMC fits)."""

from __future__ import annotations

import matplotlib
import pandas as pd
import pytest

import irtgap

#: Prior samples here are test scaffolding: compile them fast (no graph rewrites needed).
FAST = {"mode": "FAST_COMPILE"}

matplotlib.use("Agg")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--runslow", action="store_true", help="also run tests marked slow")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--runslow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --runslow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def small_frame() -> pd.DataFrame:
    """4 models (2 open, 2 closed) x 3 benchmarks, connected, one row per pair."""
    return pd.DataFrame(
        {
            "model": ["c1", "c1", "c1", "c2", "c2", "o1", "o1", "o1", "o2", "o2"],
            "benchmark": ["A", "B", "C", "A", "B", "A", "B", "C", "B", "C"],
            "score": [0.50, 0.30, 0.20, 0.70, 0.50, 0.40, 0.20, 0.10, 0.45, 0.30],
            "date": ["2024-01-01"] * 3
            + ["2024-06-01"] * 2
            + ["2024-03-01"] * 3
            + ["2024-09-01"] * 2,
            "weights": ["closed"] * 5 + ["open"] * 5,
            "country": ["United States of America"] * 5 + ["China"] * 3 + ["France"] * 2,
        }
    )


@pytest.fixture
def small_data(small_frame: pd.DataFrame) -> irtgap.ScoreData:
    return irtgap.ScoreData.from_frame(
        small_frame,
        model="model",
        benchmark="benchmark",
        score="score",
        date="date",
        weights="weights",
        country="country",
    )


@pytest.fixture
def prior_fit():
    """A factory ``prior_fit(data, gap_model, draws=40, seed=1)``: a GapFit whose 'posterior' is
    one chain of prior draws, to exercise every method of a fit without MCMC."""
    import numpy as np
    import pymc as pm
    import xarray as xr

    from irtgap.core import dims as D
    from irtgap.methods.bayes.fit import GapFit
    from irtgap.methods.bayes.graph import build_model

    def make(data, gap_model, draws: int = 40, seed: int = 1) -> GapFit:
        design = gap_model.design(data)
        with build_model(design, gap_model.settings):
            prior = pm.sample_prior_predictive(draws=draws, random_seed=seed, compile_kwargs=FAST)
        stats = xr.Dataset({"diverging": ((D.CHAIN, D.DRAW), np.zeros((1, draws), bool))})
        tree = xr.DataTree.from_dict(
            {"posterior": prior["prior"].to_dataset(), "sample_stats": stats}
        )
        return GapFit(idata=tree, design=design, settings=gap_model.settings, data=data)

    return make


@pytest.fixture
def assert_likelihoods_equal():
    """``assert_likelihoods_equal(fit)``: the checks' numpy log-likelihood of every modelled row
    (the mean fraction the replicates and the integrated LOO rebuild, and the noise twins)
    equals the graph's own pointwise log-likelihood at every posterior draw."""
    import numpy as np

    from irtgap.core import dims as D
    from irtgap.methods.bayes.checks import _row_loglik, log_likelihood
    from irtgap.methods.bayes.replicate import (
        all_sample_params,
        mean_fraction,
        row_arrays,
        row_precision,
        stacked_posterior,
    )

    def check(fit) -> None:
        arrays = row_arrays(fit)
        params = all_sample_params(stacked_posterior(fit))
        mu = mean_fraction(params, arrays)
        phi = row_precision(params, arrays)
        z = fit.design.scaled_scores
        mine = _row_loglik(mu, phi, z, fit.design.row_resolution, fit.settings.noise)
        graph = log_likelihood(fit).stack(sample=(D.CHAIN, D.DRAW)).transpose("sample", ...)
        graph = graph.to_numpy()
        # the same rows are finite (the censored Beta tail by the graph's series, not scipy's
        # incomplete beta, which underflows far in the tail) and equal
        np.testing.assert_array_equal(np.isfinite(mine), np.isfinite(graph))
        assert np.isfinite(graph).mean() > 0.98
        both = np.isfinite(graph)
        np.testing.assert_allclose(mine[both], graph[both], rtol=1e-6, atol=1e-6)

    return check
