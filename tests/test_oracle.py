"""The oracle gap and the information floor of the validation worlds (fast)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import irtgap
from irtgap.analyses.oracle import (
    fit_oracle_frontier,
    information_floor,
    oracle_gap,
    oracle_interval,
)
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


def test_oracle_interval_narrows_as_one_over_root_n_and_holds_the_estimate():
    def width(n: int) -> float:
        widths = []
        for seed in range(3):
            sim = irtgap.simulate(n_closed=n, n_open=n, n_benchmarks=4, gap_months=6.0, seed=seed)
            iv = oracle_interval(sim, ["2024-07-01"], n_boot=60, seed=seed)
            assert np.isfinite(iv.to_numpy()).all()
            assert (iv["lower"] < iv["estimate"]).all() and (iv["estimate"] < iv["upper"]).all()
            # the estimate is the oracle's point estimate, not a bootstrap summary
            np.testing.assert_allclose(iv["estimate"], oracle_gap(sim, ["2024-07-01"]))
            widths.append(float((iv["upper"] - iv["lower"]).iloc[0]))
        return float(np.mean(widths))

    small, large = width(40), width(640)
    assert 0.15 < large / small < 0.4, (small, large)  # 1/sqrt(16) = 0.25 expected


def test_oracle_interval_is_reproducible_and_refuses_bad_settings():
    sim = irtgap.simulate(n_closed=40, n_open=40, n_benchmarks=4, seed=4)
    a = oracle_interval(sim, VALIDATION_DATES, n_boot=30, seed=7)
    b = oracle_interval(sim, VALIDATION_DATES, n_boot=30, seed=np.random.default_rng(7))
    pd.testing.assert_frame_equal(a, b)
    with pytest.raises(ValueError, match="n_boot=10"):
        oracle_interval(sim, VALIDATION_DATES, n_boot=10)
    with pytest.raises(ValueError, match=r"min_defined=1\.5"):
        oracle_interval(sim, VALIDATION_DATES, min_defined=1.5)
    with pytest.raises(ValueError, match=r"level=1\.5"):
        oracle_interval(sim, VALIDATION_DATES, level=1.5)
    with pytest.raises(ValueError, match="outside the world's release dates"):
        oracle_interval(sim, ["2030-01-01"])


def test_oracle_interval_is_nan_with_a_warning_when_too_few_draws_are_defined():
    # a quadratic oracle on a world with few models: many refits turn the closed frontier over
    sim = MISSPECIFIED["curved"].draw(5)
    with pytest.warns(RuntimeWarning, match="bootstrap draws had a defined gap"):
        iv = oracle_interval(sim, VALIDATION_DATES, degree=2, n_boot=40, seed=0, min_defined=1.0)
    short = iv["n_defined"] < 40
    assert short.any()
    assert iv.loc[short, ["lower", "upper"]].isna().all().all()
    assert iv.loc[~short, ["lower", "upper"]].notna().all().all()
