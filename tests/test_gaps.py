"""The shared gap summary (refusal, support, single draws), the option checks, the refit runner."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

from irtgap.core import dims as D
from irtgap.core.errors import ConvergenceWarning, ScoreDataError
from irtgap.core.gaps import gap_dataarray, summarize_gap
from irtgap.core.validate import check_dates, check_level, check_names, check_number
from irtgap.methods.capability import CapabilityResult, model_draws, run_refits

DATES = pd.to_datetime(["2024-01-01", "2024-06-01", "2025-01-01"])


def _draws(values: np.ndarray) -> xr.DataArray:
    """``values`` of shape (n_draws, n_dates) as gap draws of one group."""
    return gap_dataarray(values[:, None, :], dates=DATES[: values.shape[1]], groups=["all"])


def test_summary_refuses_a_majority_of_undefined_draws():
    rng = np.random.default_rng(0)
    vals = rng.normal(6.0, 1.0, size=(100, 3))
    # at the second date the 60 longest gaps are undefined (as when they reach before the
    # data): the 40 defined ones would give a median far too low
    vals[np.argsort(vals[:, 1])[40:], 1] = np.nan
    vals[:, 2] = np.nan
    with pytest.warns(UserWarning, match=r"fewer than 90% of the 100 draws.*2024-06-01 \(40%\)"):
        table = summarize_gap(_draws(vals), method="test")
    assert np.isfinite(table.loc[0, ["mean", "median", "lower", "upper"]].astype(float)).all()
    for k in (1, 2):
        assert table.loc[k, ["mean", "median", "lower", "upper"]].isna().all()
    assert list(table["n_defined"]) == [100, 40, 0]
    # the rule is a parameter: min_defined=0 summarises whatever is defined
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loose = summarize_gap(_draws(vals[:, :2]), min_defined=0.0)
    assert loose.loc[1, "median"] == pytest.approx(np.nanmedian(vals[:, 1]))


def test_summary_at_the_threshold_share_is_given():
    vals = np.arange(20, dtype=float)[:, None]
    vals[:2] = np.nan  # 90% defined: exactly the default share
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = summarize_gap(_draws(vals))
    assert table.loc[0, "median"] == pytest.approx(np.nanmedian(vals))


def test_single_draw_has_no_interval():
    table = summarize_gap(_draws(np.array([[4.0, 5.0]])))
    assert list(table["median"]) == [4.0, 5.0]
    assert table["lower"].isna().all() and table["upper"].isna().all()


def test_support_gives_nan_and_names_the_dates_with_data():
    vals = np.full((10, 3), 6.0)
    with pytest.warns(UserWarning, match="data from 2024-01-01 to 2024-06-01.*2025-01-01"):
        table = summarize_gap(_draws(vals), support=("2024-01-01", "2024-06-01"), method="x")
    assert table.loc[2, ["mean", "median", "lower", "upper"]].isna().all()
    assert table.loc[2, "n_defined"] == 0
    assert table.loc[1, "median"] == 6.0


def test_prob_grew_is_refused_when_the_reference_is_mostly_undefined():
    vals = np.random.default_rng(1).normal(6.0, 1.0, size=(50, 3))
    vals[:30, 0] = np.nan
    with pytest.warns(UserWarning, match="fewer than 90%"):
        table = summarize_gap(_draws(vals), reference_date="2024-01-01")
    assert table["prob_grew"].isna().all()


def _capability_world(open_values: np.ndarray) -> CapabilityResult:
    """Closed models at 1 (2024-01) and 2 (2024-06); one open model (2024-09) per draw."""
    caps = pd.DataFrame(
        {
            D.DATE: pd.to_datetime(["2024-01-01", "2024-06-01", "2024-09-01"]),
            D.WEIGHTS: ["closed", "closed", "open"],
            "value": [1.0, 2.0, float(np.median(open_values))],
        },
        index=pd.Index(["c1", "c2", "o1"], name=D.MODEL),
    )
    n = len(open_values)
    vals = np.column_stack([np.ones(n), np.full(n, 2.0), open_values])
    return CapabilityResult(caps, model_draws(vals, list(caps.index), "value"))


def test_capability_gap_refuses_when_most_draws_reach_before_the_data():
    # in 6 of 10 draws the open model sits below the first closed model: the closed frontier
    # reached its level before the first date with data, so the gap is undefined there
    res = _capability_world(np.array([0.5] * 6 + [1.5] * 4))
    with pytest.warns(UserWarning, match=r"2024-09-01 \(40%\)"):
        table = res.gap(["2024-09-01"])
    assert np.isnan(table.loc[0, "median"]) and table.loc[0, "n_defined"] == 4


def test_capability_gap_outside_the_data_is_nan():
    res = _capability_world(np.full(10, 1.5))
    with pytest.warns(UserWarning, match="data from 2024-09-01 to 2024-09-01.*2030-01-01"):
        table = res.gap(["2024-09-01", "2030-01-01"])
    assert np.isfinite(table.loc[0, "median"]) and np.isnan(table.loc[1, "median"])
    with pytest.warns(UserWarning, match="2030-01-01"):
        draws = res.gap_draws(["2030-01-01"])
    assert bool(draws.isnull().all())


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 60),
    st.lists(st.integers(0, 60), min_size=2, max_size=4),
    st.floats(0.0, 1.0),
)
def test_no_summary_from_too_few_defined_draws(n_draws, n_undefined, min_defined):
    rng = np.random.default_rng(n_draws)
    vals = rng.normal(0.0, 3.0, size=(n_draws, len(n_undefined)))
    for j, k in enumerate(n_undefined):
        vals[rng.permutation(n_draws)[: min(k, n_draws)], j] = np.nan
    da = gap_dataarray(
        vals[:, None, :],
        dates=pd.date_range("2024-01-01", periods=len(n_undefined), freq="MS"),
        groups=["all"],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = summarize_gap(da, min_defined=min_defined)
    share = table["n_defined"] / n_draws
    refused = (share < min_defined) | (table["n_defined"] == 0)
    assert table.loc[refused, ["mean", "median", "lower", "upper"]].isna().all().all()
    given_rows = table[~refused]
    np.testing.assert_allclose(
        given_rows["median"], np.nanmedian(vals[:, ~refused.to_numpy()], axis=0)
    )
    if n_draws < 2:
        assert table["lower"].isna().all()


def test_option_checks_name_the_option():
    assert check_level("ci_prob", 0.9) == 0.9
    for bad in (0, 1, 1.5, -0.1, "0.9", True, float("nan")):
        with pytest.raises(ScoreDataError, match="ci_prob="):
            check_level("ci_prob", bad)
    with pytest.raises(ScoreDataError, match=r"bandwidth_days=0.*above 0"):
        check_number("bandwidth_days", 0, above=0.0)
    with pytest.raises(ScoreDataError, match="min_coverage=inf"):
        check_number("min_coverage", float("inf"))
    assert check_names("benchmarks", "GPQA", ["GPQA", "MMLU"], what="benchmark") == ["GPQA"]
    with pytest.raises(ScoreDataError, match=r"benchmarks: unknown benchmark.*'GPQ'.*GPQA, MMLU"):
        check_names("benchmarks", ["GPQ", "MMLU"], ["GPQA", "MMLU"], what="benchmark")
    with pytest.raises(ScoreDataError, match="empty"):
        check_names("benchmarks", [], ["GPQA"], what="benchmark")
    with pytest.raises(ScoreDataError, match="dates='R1' is not a date"):
        check_dates("dates", "R1")
    aware = pd.DatetimeIndex(["2025-01-20 00:00"], tz="UTC")
    assert check_dates("dates", aware)[0] == pd.Timestamp("2025-01-20")
    assert list(check_dates("dates", ["2025-02-01", "2025-01-01", "2025-02-01"])) == list(
        pd.to_datetime(["2025-01-01", "2025-02-01"])
    )


def _flaky(k: int) -> int:
    """A refit stand-in: warns on even k, fails on k divisible by 3."""
    if k % 3 == 0:
        raise FloatingPointError(f"refit {k} blew up")
    if k % 2 == 0:
        warnings.warn("solver stopped early", ConvergenceWarning, stacklevel=1)
    return k


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_refit_warnings_and_failures_reach_the_caller(n_jobs):
    with pytest.warns(ConvergenceWarning) as record:
        values, counts = run_refits(_flaky, [(k,) for k in range(1, 10)], n_jobs=n_jobs)
    messages = [str(w.message) for w in record]
    # k = 2, 4, 8 warn (6 fails first); k = 3, 6, 9 fail
    assert any("3 of 9 bootstrap refits stopped before converging" in m for m in messages)
    assert any("3 of 9 bootstrap refits failed" in m and "blew up" in m for m in messages)
    assert values == [1, 2, 4, 5, 7, 8]
    assert counts == {"failed_refits": 3, "unconverged_refits": 3}
