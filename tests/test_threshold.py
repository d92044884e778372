"""The threshold method on hand-computed tables and on the bundled snapshot."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import irtgap
from irtgap import ScoreData
from irtgap.methods.threshold import kernel_weights, smooth, threshold_gap

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
    # two benchmarks, two clusters: the band's quantiles can coincide, the draws cannot
    assert not np.allclose(a.trend_draws, c.trend_draws, equal_nan=True)
    assert (
        a.trend_draws.dims == ("chain", "draw", "group", "date")
        and a.trend_draws.sizes["chain"] == 1
    )


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
    res = threshold_gap(table, n_bootstrap=0)
    with pytest.raises(ValueError, match="direction="):
        res.gap(direction="sideways")
    with pytest.raises(TypeError, match="direction"):
        threshold_gap(table, direction="forward")  # a reading of the result: gap(direction=)
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


def _ladders(gap_b_months: int = 10) -> ScoreData:
    """Two benchmarks, five thresholds each, the same open crossers at the same dates.

    On A every open model o_i crosses two months after closed c_i, on B ``gap_b_months`` after
    closed q_i: each benchmark is a ladder of points that share their models.
    """
    rows = []
    for i in range(1, 6):
        t = pd.Timestamp("2024-01-01") + pd.DateOffset(months=2 * i)
        s = round(0.1 * i, 2)
        rows += [
            (f"o{i}", "A", s, t, "open"),
            (f"o{i}", "B", s, t, "open"),
            (f"c{i}", "A", s, t - pd.DateOffset(months=2), "closed"),
            (f"q{i}", "B", s, t - pd.DateOffset(months=gap_b_months), "closed"),
        ]
    meta = pd.DataFrame({"benchmark": ["A", "B"], "access": ["public", "private"]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return make(rows, meta)


def test_bootstrap_resamples_benchmarks_not_points():
    data = _ladders()
    res = threshold_gap(data, n_bootstrap=2000, acceptance=None, trend_start=None, by=None)
    assert res.settings.bootstrap == "cluster: benchmarks"
    pts = res.points
    assert (pts.groupby("benchmark").size() == 5).all()
    g = res.gap(["2024-07-01"])
    # two clusters: a resample holds A twice (gap 2), B twice (10) or both (6); resampling the
    # ten points one by one would give a band of about 6 +- 2
    assert g["median"].item() == pytest.approx(6.0, abs=0.5)
    assert g["lower"].item() == pytest.approx(2.0, abs=0.2)
    assert g["upper"].item() == pytest.approx(10.0, abs=0.3)


def test_gap_outside_the_trend_is_nan_and_inside_is_interpolated():
    data = _ladders()
    res = threshold_gap(data, n_bootstrap=0, acceptance=None, trend_start=None, by=None)
    first, last = res.group_support()["all"]
    assert res.support() == (first, last)  # one group: its span is the result's
    assert (first, last) == (pd.Timestamp("2024-03-01"), pd.Timestamp("2024-11-01"))
    with pytest.warns(UserWarning, match="data from 2024-03-01 to 2024-11-01.*1990-01-01"):
        g = res.gap(["1990-01-01", "2040-01-01"])
    assert g["median"].isna().all() and (g["n_defined"] == 0).all()
    # between grid dates the trend is interpolated, not snapped to the nearest grid date
    pts = res.points
    x = (pts["date"] - pd.Timestamp("1970-01-01")).dt.days.to_numpy(float)
    q = pd.Timestamp("2024-05-04")  # 2024-03-01 + 64 days: half-way between grid dates
    exact = smooth(
        pts["gap_months"].to_numpy(float),
        kernel_weights(x, np.array([(q - pd.Timestamp("1970-01-01")).days], float), 60.0),
    )[0]
    assert res.gap([q])["median"].item() == pytest.approx(exact, abs=2e-3)


def test_no_bootstrap_means_no_interval(table):
    res = threshold_gap(table, n_bootstrap=0, acceptance=None, trend_start=None, by=None)
    g = res.gap(["2024-05-01"])
    assert np.isfinite(g["median"]).all()
    assert g["lower"].isna().all() and g["upper"].isna().all()
    assert res.trend["lower"].isna().all()


def _three_access() -> ScoreData:
    """Benchmarks P (public, gap 2), Q (private, gap 4) and U (access unknown, gap 6)."""
    rows = []
    for b, lag in (("P", 2), ("Q", 4), ("U", 6)):
        for i in range(1, 4):
            t = pd.Timestamp("2024-01-01") + pd.DateOffset(months=3 * i)
            rows += [
                (f"o{i}", b, 0.2 * i, t, "open"),
                (f"c{b}{i}", b, 0.2 * i, t - pd.DateOffset(months=lag), "closed"),
            ]
    meta = pd.DataFrame({"benchmark": ["P", "Q"], "access": ["public", "private"]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return make(rows, meta)


def test_unknown_access_is_neither_public_nor_private():
    data = _three_access()
    assert data.benchmarks.loc["U", "access"] == "unknown"
    with pytest.warns(irtgap.DroppedRowsWarning, match=r"3 trend datapoint\(s\).*\(U\)"):
        res = threshold_gap(data, n_bootstrap=0, acceptance=None, trend_start=None)
    pts = res.points
    g = res.gap(["2024-06-01"]).set_index("group")["median"]
    mean_gap = pts.groupby("benchmark")["gap_months"].mean()
    # public: P only; private: Q only (U would pull it up); all: P, Q and U
    assert g["public"] == pytest.approx(mean_gap["P"], abs=0.05)
    assert g["private"] == pytest.approx(mean_gap["Q"], abs=0.05)
    assert g["all"] == pytest.approx(mean_gap.mean(), abs=0.05)


def test_open_filter_and_override_typos(table):
    with pytest.raises(irtgap.ScoreDataError, match=r"open_filter: unknown model.*'o3'.*c1"):
        threshold_gap(table, open_filter=["o1", "o3"])
    with pytest.raises(irtgap.ScoreDataError, match="'c1' are not open models"):
        threshold_gap(table, open_filter=["o1", "c1"])
    with pytest.raises(irtgap.ScoreDataError, match="empty"):
        threshold_gap(table, open_filter=[])
    kw = dict(n_bootstrap=0, acceptance=None, trend_start=None, by=None)
    one = threshold_gap(table, open_filter="o1", **kw)  # a string is one name, not letters
    assert set(one.points["open_model"]) == {"o1"}
    with pytest.raises(irtgap.ScoreDataError, match="overrides key='accpet'"):
        threshold_gap(table, overrides={"accpet": [("X", 0.4)]})
    with pytest.raises(irtgap.ScoreDataError, match=r"overrides\['reject'\].*'Xx'"):
        threshold_gap(table, overrides={"reject": [("Xx", 0.4)]})
    with pytest.warns(UserWarning, match="match no datapoint"):
        threshold_gap(table, overrides={"reject": [("X", 0.35)]}, **kw)


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("n_bootstrap", -1),
        ("n_bootstrap", 2.5),
        ("ci_prob", 1.5),
        ("bandwidth_days", 0),
        ("grid_days", 0),
        ("seed", -1),
        ("min_shared", 0),
        ("trend_start", "R1"),
        ("by", "acess"),
        ("acceptance", "dominant"),
    ],
)
def test_bad_options_are_named(table, option, value):
    with pytest.raises(irtgap.ScoreDataError, match=f"{option}="):
        threshold_gap(table, **{option: value})
    res = threshold_gap(table, n_bootstrap=10, acceptance=None, trend_start=None, by=None)
    with pytest.raises(irtgap.ScoreDataError, match="dates='R1'"):
        res.gap("R1")


def test_plot_does_not_draw_unknown_access_as_private():
    from matplotlib.markers import MarkerStyle

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = threshold_gap(_three_access(), n_bootstrap=0, acceptance=None, trend_start=None)
    ax = res.plot_points()

    def marker_of(label: str) -> str:
        coll = next(c for c in ax.collections if c.get_label() == label)
        path = coll.get_paths()[0]
        for m in "os^":
            style = MarkerStyle(m)
            ref = style.get_path().transformed(style.get_transform())
            if ref.vertices.shape == path.vertices.shape and np.allclose(
                ref.vertices, path.vertices
            ):
                return m
        return "?"

    assert (marker_of("P"), marker_of("Q"), marker_of("U")) == ("o", "s", "^")


def test_forward_reading_places_gaps_at_the_closed_date_with_the_same_seed(tmp_path):
    """direction='forward' is a reading of the result: computed on first use from the same
    bootstrap seed (an int or a Generator in the same state give the same draws), kept, and
    read again from a saved file."""
    data = _ladders()
    opts = dict(n_bootstrap=200, acceptance=None, trend_start=None, by=None)
    res = threshold_gap(data, seed=3, **opts)
    fwd = res.gap_draws(direction="forward")
    first, last = (fwd["date"].min().item(), fwd["date"].max().item())
    closed = res.points["closed_date"]
    assert pd.Timestamp(first) == closed.min() and pd.Timestamp(last) == closed.max()
    assert res.gap_draws(direction="forward") is not fwd  # a copy of the kept reading
    again = threshold_gap(data, seed=np.random.default_rng(3), **opts)
    xr.testing.assert_equal(again.gap_draws(direction="forward"), fwd)
    xr.testing.assert_equal(again.gap_draws(), res.gap_draws())
    back = irtgap.load_result(res.to_netcdf(tmp_path / "th.nc"))
    when = [pd.Timestamp(first) + pd.Timedelta(days=30)]
    pd.testing.assert_frame_equal(
        back.gap(when, direction="forward"), res.gap(when, direction="forward")
    )
    # early on, only benchmark B's closed crossers (10 months ahead) are placed yet
    assert res.gap(when, direction="forward")["median"].item() == pytest.approx(10.0, abs=0.5)
    assert res.gap(when)["median"].isna().all()  # the backward trend starts later
