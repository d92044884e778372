"""Worlds with a second latent dimension (irtgap.simulate_two_factor)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import irtgap
from irtgap.core import dims as D


@pytest.fixture(scope="module")
def world():
    return irtgap.simulate_two_factor(seed=2)


def test_the_general_gap_is_the_lag_and_the_reasoning_benchmarks_show_a_longer_one(world):
    dates = pd.DatetimeIndex(["2024-01-01", "2024-06-01", "2025-06-01"])
    np.testing.assert_allclose(world.true_gap(dates, "capability"), 6.0, atol=1e-6)
    np.testing.assert_allclose(world.true_gap(dates, "public"), 6.0, atol=1e-6)
    private = world.true_gap(dates, "private").to_numpy()
    # before the closed reasoning frontier moves, the private benchmarks show the general gap;
    # once it moves (2024-07) and the open one follows 9 months later, they show a longer one
    np.testing.assert_allclose(private[:2], 6.0, atol=1e-6)
    assert private[2] > 6.5
    with pytest.raises(ValueError, match="group"):
        world.true_gap(dates, "all")


def test_the_data_say_which_benchmarks_load_on_the_second_ability(world):
    meta = world.data.benchmarks
    loads = world.loading[world.loading > 0].index
    assert set(meta.loc[loads, "access"]) == {"private"}
    assert set(meta.loc[meta.index.difference(loads), "access"]) == {"public"}
    assert set(world.data.scores[D.WEIGHTS]) == {D.OPEN, D.CLOSED}
    again = irtgap.simulate_two_factor(seed=2)
    pd.testing.assert_frame_equal(again.data.scores, world.data.scores)


def test_bad_options_are_named():
    with pytest.raises(ValueError, match="n_reasoning"):
        irtgap.simulate_two_factor(n_benchmarks=4, n_reasoning=4)
    with pytest.raises(ValueError, match="density"):
        irtgap.simulate_two_factor(density=0)


def test_fit_refuses_an_unknown_inference_before_compiling(small_data):
    with pytest.raises(ValueError, match="inference='laplace'"):
        irtgap.GapModel().fit(small_data, inference="laplace")
