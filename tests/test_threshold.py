"""The threshold method on hand-computed tables and on the bundled snapshot."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import irtgap
from irtgap import ScoreData
from irtgap.threshold import kernel_weights, smooth, threshold_gap

MONTH = 365.25 / 12


def make(rows, meta=None) -> ScoreData:
    df = pd.DataFrame(rows, columns=["model", "benchmark", "score", "date", "weights"])
    return ScoreData.from_frame(
        df,
        model="model",
        benchmark="benchmark",
        score="score",
        date="date",
        weights="weights",
        benchmarks=meta,
    )


@pytest.fixture
def table() -> ScoreData:
    # closed c1 (Jan) 0.42, c2 (Jan, same day) 0.52; open o1 (Apr) 0.41, o2 (Jul) 0.61;
    # benchmark Y links them (and gives the open side a lead: negative gaps).
    return make(
        [
            ("c1", "X", 0.42, "2024-01-01", "closed"),
            ("c2", "X", 0.52, "2024-01-01", "closed"),
            ("o1", "X", 0.41, "2024-04-01", "open"),
            ("o2", "X", 0.61, "2024-07-01", "open"),
            ("c1", "Y", 0.10, "2024-01-01", "closed"),
            ("o1", "Y", 0.30, "2024-04-01", "open"),
            ("c3", "Y", 0.20, "2024-09-01", "closed"),
            ("c2", "Y", 0.05, "2024-01-01", "closed"),
        ]
    )


def test_first_crossers_ties_pending_and_dedup(table):
    res = threshold_gap(table, n_bootstrap=50, acceptance=None, trend_start=None)
    x = res.points[res.points["benchmark"] == "X"].set_index("threshold")
    # 0.05..0.40: c2 wins the date tie on score; o1 crosses first: one pair, kept at 0.40
    assert x.loc[0.40, "closed_model"] == "c2" and x.loc[0.40, "open_model"] == "o1"
    assert 0.35 not in x.index  # deduplicated to the highest threshold of the pair
    assert x.loc[0.40, "gap_months"] == pytest.approx(91 / MONTH)
    assert x.loc[0.50, "open_model"] == "o2"
    assert x.loc[0.50, "gap_months"] == pytest.approx(182 / MONTH)
    pend = res.pending[res.pending["benchmark"] == "X"].set_index("threshold")
    assert list(pend.index) == [0.55, 0.6]  # o2 (0.61) leads; no closed model reaches 0.55
    assert set(pend["leader"]) == {"open"}
    y = res.points[res.points["benchmark"] == "Y"].set_index("threshold")
    # open o1 (Apr) 0.30 first at 0.15..0.20 vs closed c3 (Sep): negative gap kept
    assert y.loc[0.20, "gap_months"] == pytest.approx(-(153 / MONTH))
    closed_pending = res.pending[(res.pending["benchmark"] == "Y")]
    assert set(closed_pending["leader"]) == {"open"}


def test_smoother_on_known_input():
    x = np.array([0.0, 100.0])
    y = np.array([2.0, 6.0])
    grid = np.array([0.0, 50.0, 100.0])
    w = kernel_weights(x, grid, 60.0)
    s = smooth(y, w)
    w0 = np.exp(-0.5 * (100 / 60) ** 2)
    assert s[1] == pytest.approx(4.0)
    assert s[0] == pytest.approx((2 + 6 * w0) / (1 + w0))
    assert np.allclose(smooth(np.full(5, 3.0), kernel_weights(np.arange(5.0), grid, 60)), 3.0)


def test_bootstrap_band_is_reproducible(table):
    a = threshold_gap(table, n_bootstrap=200, seed=1, acceptance=None, trend_start=None, by=None)
    b = threshold_gap(table, n_bootstrap=200, seed=1, acceptance=None, trend_start=None, by=None)
    c = threshold_gap(table, n_bootstrap=200, seed=2, acceptance=None, trend_start=None, by=None)
    pd.testing.assert_frame_equal(a.trend, b.trend)
    assert not np.allclose(a.trend["lower"], c.trend["lower"])
    assert a.draws.dims == ("chain", "draw", "group", "date") and a.draws.sizes["chain"] == 1


def test_acceptance_rule_and_overrides():
    # c0 was never run on X but beats c1 (who crossed 0.5 on X) on every shared benchmark
    rows = [
        ("c1", "X", 0.55, "2024-03-01", "closed"),
        ("o1", "X", 0.60, "2024-09-01", "open"),
        ("c0", "X", np.nan, "2024-01-01", "closed"),
    ]
    for k, bench in enumerate(["A", "B", "C", "D"]):
        rows += [
            ("c0", bench, 0.8, "2024-01-01", "closed"),
            ("c1", bench, 0.6 + 0.01 * k, "2024-03-01", "closed"),
            ("o1", bench, 0.5, "2024-09-01", "open"),
        ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = make(rows)
    res = threshold_gap(data, n_bootstrap=20, trend_start=None, by=None)
    x = res.points[res.points["benchmark"] == "X"]
    assert not x["accepted"].any() and "c0" in x["reason"].iloc[0]
    assert res.acceptance_counts["dominance"] == len(x)
    ok = threshold_gap(
        data,
        n_bootstrap=20,
        trend_start=None,
        by=None,
        overrides={"accept": [("X", "c1", "o1")]},
    )
    assert ok.points[ok.points["benchmark"] == "X"]["accepted"].all()
    assert ok.acceptance_counts["override_accept"] == len(x)


def test_bad_arguments(table):
    with pytest.raises(ValueError, match="direction="):
        threshold_gap(table, direction="sideways")
    with pytest.raises(ValueError, match="unknown benchmark"):
        threshold_gap(table, thresholds={"Nope": [0.5]})


def test_worked_example_o1_mini_to_deepseek_r1():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = irtgap.load_dataset("epoch-2025-11")
    res = threshold_gap(data, n_bootstrap=200)
    p = res.points.set_index(["benchmark", "threshold"]).loc[("GPQA diamond", 0.6)]
    assert p["closed_model"].startswith("o1-mini-2024-09-12")
    assert p["open_model"] == "DeepSeek-R1"
    assert p["gap_months"] == pytest.approx(4.27, abs=0.01)
    assert p["accepted"]
    table = res.gap(["2025-01-20"])
    assert set(table["group"]) == {"all", "public", "private"}
    assert (table["lower"] < table["upper"]).all()
