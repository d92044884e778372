"""The oracle gap and the information floor of the validation worlds (fast)."""

from __future__ import annotations

import numpy as np
import pytest

import irtgap
from irtgap.analyses.oracle import fit_oracle_frontier, information_floor, oracle_gap
from irtgap.analyses.validation import MISSPECIFIED, VALIDATION_DATES


def test_oracle_recovers_the_gap_when_a_world_has_many_models():
    # with 1,000 models a side the frontiers are pinned: the oracle's gap is the true one
    sim = irtgap.simulate(n_closed=1000, n_open=1000, n_benchmarks=4, gap_months=6.0, seed=3)
    err = oracle_gap(sim, VALIDATION_DATES).to_numpy() - sim.true_gap(VALIDATION_DATES).to_numpy()
    assert np.abs(err).max() < 0.6, err


def test_oracle_error_falls_with_the_number_of_models():
    def rmse(n: int) -> float:
        errs = []
        for seed in range(6):
            sim = irtgap.simulate(n_closed=n, n_open=n, n_benchmarks=4, gap_months=6.0, seed=seed)
            est = oracle_gap(sim, VALIDATION_DATES).to_numpy()
            errs.append(est - sim.true_gap(VALIDATION_DATES).to_numpy())
        return float(np.sqrt(np.nanmean(np.square(errs))))

    small, large = rmse(40), rmse(640)
    assert large < small / 2.5, (small, large)  # 1/sqrt(16) = 1/4 expected


def test_oracle_needs_the_true_form_on_a_curved_world():
    sim = MISSPECIFIED["curved"].draw(5)
    truth = sim.true_gap(VALIDATION_DATES).to_numpy()
    quad = oracle_gap(sim, VALIDATION_DATES, degree=2).to_numpy()
    assert np.isfinite(quad).all()
    assert np.sqrt(np.mean((quad - truth) ** 2)) < 4.0


def test_oracle_frontier_recovers_a_quadratic_and_refuses_too_few_models():
    rng = np.random.default_rng(2)
    t = rng.uniform(-2, 2, 6000)
    shortfall = rng.exponential(size=t.size) + 0.4 * rng.normal(size=t.size)
    theta = 0.3 + 1.2 * t + 0.1 * t**2 - shortfall
    coef = fit_oracle_frontier(t, theta, degree=2)
    np.testing.assert_allclose(coef, [0.1, 1.2, 0.3], atol=0.06)
    with pytest.raises(ValueError, match="at least degree \\+ 3 models"):
        fit_oracle_frontier(t[:3], theta[:3], degree=1)
    with pytest.raises(ValueError, match="degree=0"):
        fit_oracle_frontier(t, theta, degree=0)


def test_information_floor_counts_undefined_errors_and_uses_the_spread():
    floor = information_floor([2.0, 4.0, np.nan, np.nan])
    assert floor["n"] == 2 and floor["n_undefined"] == 2
    assert floor["bias"] == pytest.approx(3.0)
    assert floor["rmse"] == pytest.approx(np.sqrt(10.0))
    # the width of a calibrated interval follows the errors' spread, not their bias
    assert floor["floor_width"] == pytest.approx(2 * 1.6448536 * 1.0, rel=1e-6)
    empty = information_floor([np.nan])
    assert empty["n"] == 0 and np.isnan(empty["rmse"])


def test_oracle_refuses_dates_outside_the_world_and_bad_degrees():
    sim = irtgap.simulate(n_closed=30, n_open=30, n_benchmarks=4, seed=2)
    with pytest.raises(ValueError, match="outside the world's release dates"):
        oracle_gap(sim, ["2024-01-01", "2030-01-01"])
    for bad in (1.5, True, "1"):
        with pytest.raises(ValueError, match="degree="):
            oracle_gap(sim, ["2024-01-01"], degree=bad)
