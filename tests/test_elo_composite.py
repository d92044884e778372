"""CAISI-style Elo, the composite index and compare(): known answers and the shared shape."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import irtgap
from irtgap.methods.composite import composite_index
from irtgap.methods.elo import ELO_PER_LOGIT, fit_elo


def rasch_table(n: int = 30, shift_days: int = 0) -> tuple[irtgap.ScoreData, dict[str, float]]:
    benches = {"B0": 0.0, "B1": -1.0, "B2": 0.7, "B3": 1.4}
    rows, truth = [], {}
    dates = pd.date_range("2023-03-01", "2025-06-01", periods=n)
    for i, dt in enumerate(dates):
        c = -2.0 + 4.0 * i / (n - 1)
        for side, when in (("closed", dt), ("open", dt + pd.Timedelta(days=shift_days))):
            truth[f"{side}{i}"] = c
            for b, d in benches.items():
                rows.append((f"{side}{i}", b, 1 / (1 + np.exp(-(c - d))), when, side))
    df = pd.DataFrame(rows, columns=["model", "benchmark", "score", "date", "weights"])
    data = irtgap.ScoreData.from_frame(
        df, model="model", benchmark="benchmark", score="score", date="date", weights="weights"
    )
    return data, truth


def test_elo_difference_is_400_log10_odds_ratio():
    data, truth = rasch_table()
    res = fit_elo(data, benchmarks=["B0", "B1", "B2", "B3"], n_bootstrap=0, since=None)
    e = res.capabilities()["estimate"]
    a, b = "closed5", "open20"
    # on any benchmark, the odds ratio of b over a is exp(C_b - C_a)
    expected = 400 * np.log10(np.exp(truth[b] - truth[a]))
    assert e[b] - e[a] == pytest.approx(expected, rel=1e-3)
    assert ELO_PER_LOGIT == pytest.approx(400 / np.log(10))


def test_elo_trend_gap_on_known_shift():
    data, _ = rasch_table(shift_days=183)
    res = fit_elo(data, benchmarks=["B0", "B1", "B2", "B3"], n_bootstrap=20, since=None)
    g = res.gap(["2024-06-01"])
    assert g["median"].item() == pytest.approx(6.0, abs=0.3)
    assert g["method"].item() == "elo"


def test_composite_mean_and_gap():
    data, _ = rasch_table(shift_days=183)
    res = composite_index(data, benchmarks=["B0", "B1"], n_bootstrap=50)
    row = data.scores[
        (data.scores["model"] == "open3") & data.scores["benchmark"].isin(["B0", "B1"])
    ]
    assert res.capabilities().loc["open3", "estimate"] == pytest.approx(row["score"].mean())
    g = res.gap(["2024-06-01"])
    assert g["median"].item() == pytest.approx(6.0, abs=1.0)
    with pytest.raises(irtgap.ScoreDataError, match=r"unknown fraction-scale benchmark.*Nope"):
        composite_index(data, benchmarks=["Nope"])


def test_elo_gap_summarises_its_own_draws():
    """One definition: gap() is the summary of gap_draws() (both the trend-line distance)."""
    data, _ = rasch_table(shift_days=183)
    res = fit_elo(data, benchmarks=["B0", "B1", "B2", "B3"], n_bootstrap=30, since=None)
    dates = ["2024-01-01", "2024-06-01", "2025-01-01"]
    table = res.gap(dates)
    draws = res.gap_draws(dates).stack(s=("chain", "draw")).sel(group="all")
    np.testing.assert_allclose(table["median"], draws.median("s"), rtol=1e-12)
    np.testing.assert_allclose(table["median"], 6.0, atol=0.3)


def test_elo_trend_lines_do_not_run_on_forever():
    data, _ = rasch_table(shift_days=183)
    res = fit_elo(data, benchmarks=["B0", "B1", "B2", "B3"], n_bootstrap=10, since=None)
    _, last = res.support()
    with pytest.warns(UserWarning, match=f"to {last:%Y-%m-%d}, asked for 2030-01-01"):
        g = res.gap(["2024-06-01", "2030-01-01"])
    assert np.isfinite(g["median"].iloc[0]) and np.isnan(g["median"].iloc[1])
    # at the last date the forward gap would read the open line after the data: undefined
    with pytest.warns(UserWarning, match="fewer than 90%"):
        forward = res.gap([last], direction="forward")
    assert forward["median"].isna().all() and (forward["n_defined"] == 0).all()
    assert res.gap(["2024-06-01"], direction="forward")["median"].item() == pytest.approx(
        6.0, abs=0.3
    )


def test_elo_benchmark_names_are_checked():
    data, _ = rasch_table()
    with pytest.raises(irtgap.ScoreDataError, match=r"unknown benchmark.*'B9'.*B0, B1, B2, B3"):
        fit_elo(data, benchmarks=["B0", "B1", "B9"], n_bootstrap=0, since=None)
    with pytest.raises(irtgap.ScoreDataError, match="at least two"):
        fit_elo(data, benchmarks="B0", n_bootstrap=0, since=None)
    with pytest.raises(irtgap.ScoreDataError, match="n_bootstrap="):
        fit_elo(data, benchmarks=["B0", "B1"], n_bootstrap=-5)
    with pytest.raises(irtgap.ScoreDataError, match="ci_prob="):
        fit_elo(data, benchmarks=["B0", "B1"], ci_prob=95)


def test_elo_without_bootstrap_has_no_interval():
    data, _ = rasch_table(shift_days=183)
    res = fit_elo(data, benchmarks=["B0", "B1", "B2", "B3"], n_bootstrap=0, since=None)
    assert res.capabilities()[["lower", "upper"]].isna().all(axis=None)
    g = res.gap(["2024-06-01"])
    assert g["median"].item() == pytest.approx(6.0, abs=0.3)
    assert g[["lower", "upper"]].isna().all(axis=None)


def test_composite_without_bootstrap_and_option_checks():
    data, _ = rasch_table(shift_days=183)
    res = composite_index(data, benchmarks=["B0", "B1"], n_bootstrap=0)
    assert res.capabilities()[["lower", "upper"]].isna().all(axis=None)
    g = res.gap(["2024-06-01"])
    assert g["median"].item() == pytest.approx(6.0, abs=1.0)
    assert g[["lower", "upper"]].isna().all(axis=None)
    one = composite_index(data, benchmarks="B1", n_bootstrap=0)  # one name, not letters
    assert one.settings.benchmarks == ("B1",)
    for kw, message in [
        ({"n_bootstrap": -1}, "n_bootstrap="),
        ({"n_bootstrap": 10.0}, "n_bootstrap="),
        ({"ci_prob": 0}, "ci_prob="),
        ({"min_coverage": 0}, "min_coverage="),
        ({"n_benchmarks": 0}, "n_benchmarks="),
        ({"since": "soon"}, "since="),
    ]:
        with pytest.raises(irtgap.ScoreDataError, match=message):
            composite_index(data, **kw)


def test_compare_takes_one_method_name_and_keeps_n_defined():
    data, _ = rasch_table(shift_days=183)
    table = irtgap.compare(data, ["2024-06-01"], methods="composite", fast=True)
    assert set(table["method"]) == {"composite"}
    assert "n_defined" in table.columns
    assert table["median"].item() == pytest.approx(6.0, abs=1.0)


@pytest.mark.slow
def test_compare_on_bundled_data_has_every_method():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = irtgap.load_dataset()
        table = irtgap.compare(data, fast=True)
    assert set(table["method"]) == {
        "threshold",
        "eci",
        "eci_epoch",
        "elo",
        "composite",
    }
    assert list(table.columns) == list(irtgap.results.GAP_COLUMNS)
    with pytest.raises(ValueError, match="unknown method"):
        irtgap.compare(data, methods=["astrology"])
