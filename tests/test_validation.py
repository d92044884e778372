"""Validation study plumbing (fast) and its quick mode end to end (slow)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from irtgap.analyses.validation import (
    SCENARIOS,
    realistic_scenario,
    run_replication,
    summarize_validation,
)
from irtgap.core import dims as D

ROOT = Path(__file__).resolve().parents[1]


def test_summary_bias_rmse_coverage_by_hand():
    rows = pd.DataFrame(
        {
            "scenario": "s",
            "replication": [0, 1, 2, 3],
            "method": "m",
            D.DATE: pd.Timestamp("2024-01-01"),
            "truth": 6.0,
            "estimate": [7.0, 5.0, 9.0, np.nan],
            "lower": [5.0, 4.0, 8.0, np.nan],
            "upper": [8.0, 5.5, 10.0, np.nan],
            "covered": [1.0, 0.0, 0.0, np.nan],
        }
    )
    s = summarize_validation(rows)
    one = s[s[D.DATE].notna()].iloc[0]
    assert one["bias"] == pytest.approx((1 - 1 + 3) / 3)
    assert one["rmse"] == pytest.approx(np.sqrt((1 + 1 + 9) / 3))
    assert one["coverage"] == pytest.approx(1 / 3)
    assert one["n"] == 3 and one["n_failed"] == 1
    assert s[D.DATE].isna().sum() == 1  # the pooled row


def test_replication_rows_and_failures_are_reported():
    res = run_replication("constant", 0, methods=["threshold", "no-such-method"], quick=True)
    assert set(res["method"]) == {"threshold", "no-such-method"}
    bad = res[res["method"] == "no-such-method"]
    assert bad["estimate"].isna().all() and bad["error"].str.contains("unknown method").all()
    ok = res[res["method"] == "threshold"]
    np.testing.assert_allclose(ok["truth"], 6.0, atol=1e-9)
    assert ok["estimate"].notna().any()
    again = run_replication("constant", 0, methods=["threshold"], quick=True)
    np.testing.assert_allclose(again["estimate"], ok["estimate"])


def test_scenarios_and_realistic_shape():
    assert {"constant", "growing", "shrinking", "winners_curse", "degradation"} <= set(SCENARIOS)
    real = realistic_scenario()
    assert 0.05 < real.kwargs["density"] < 0.9
    assert real.kwargs["n_open"] > 0 and real.kwargs["n_closed"] > 0


@pytest.mark.slow
def test_quick_validation_script_runs(tmp_path):
    spec = importlib.util.spec_from_file_location(
        "run_validation", ROOT / "benchmarks" / "validation" / "run_validation.py"
    )
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    rc = mod.main(["--quick", "--scenarios", "winners_curse", "--out", str(tmp_path)])
    assert rc == 0
    res = pd.read_csv(tmp_path / "results.csv")
    summary = pd.read_csv(tmp_path / "summary.csv")
    assert set(res["method"]) == {"bayesian", "threshold", "eci", "elo", "composite"}
    bayes = res[res["method"] == "bayesian"]
    assert bayes["estimate"].notna().all()
    assert (bayes["lower"] <= bayes["upper"]).all()
    assert {"bias", "rmse", "coverage", "n", "n_failed"} <= set(summary.columns)
    for name in ("bias.png", "rmse.png", "coverage.png"):
        assert (tmp_path / name).stat().st_size > 10_000
