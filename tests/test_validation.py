"""Validation study plumbing (fast) and its quick mode end to end (slow)."""

from __future__ import annotations

import importlib.util
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import irtgap
from irtgap.analyses.validation import (
    MISSPECIFIED,
    SCENARIOS,
    VALIDATION_DATES,
    Scenario,
    realistic_scenario,
    run_replication,
    semi_synthetic_scenario,
    summarize_validation,
)
from irtgap.core import dims as D
from irtgap.data.simulate import semi_synthetic

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


def test_misspecified_scenarios_break_one_assumption_each():
    assert list(MISSPECIFIED) == [
        "curved",
        "dip_grow",
        "fame_gamma",
        "heavy_interactions",
        "binomial",
        "growing_contamination",
        "self_report",
    ]
    assert not set(MISSPECIFIED) & set(SCENARIOS)
    for sc in MISSPECIFIED.values():
        sim = sc.draw(1)
        gap = sim.true_gap(VALIDATION_DATES).to_numpy()
        if sc.name == "dip_grow":  # dips to 3 months in mid-2024, back to 5 by mid-2025
            np.testing.assert_allclose(gap, [5.0, 3.5, 3.0, 3.5, 5.0], atol=0.05)
        else:
            np.testing.assert_allclose(gap, 6.0, atol=1e-4)
    assert MISSPECIFIED["curved"].draw(1).truth.frontier_curvature == 0.1
    assert MISSPECIFIED["binomial"].draw(1).truth.n_items is not None
    assert not MISSPECIFIED["self_report"].draw(1).truth.self_reported.empty


def test_replication_on_a_misspecified_world_with_the_fast_methods():
    res = run_replication("binomial", 0, methods=("threshold", "composite"), quick=True)
    assert set(res["scenario"]) == {"binomial"}
    assert set(res["method"]) == {"threshold", "composite"}
    assert (res["error"] == "").all()
    np.testing.assert_allclose(res["truth"], 6.0, atol=1e-4)
    assert res.loc[res["method"] == "threshold", "estimate"].notna().any()
    by_name = run_replication(MISSPECIFIED["binomial"], 0, methods=("threshold",), quick=True)
    np.testing.assert_allclose(
        by_name["estimate"], res.loc[res["method"] == "threshold", "estimate"]
    )
    with pytest.raises(KeyError, match="unknown scenario"):
        run_replication("no-such-world", 0, methods=("threshold",))


def test_semi_synthetic_scenario_draws_on_the_real_pattern(small_frame):
    data = irtgap.ScoreData.from_frame(
        small_frame,
        model="model",
        benchmark="benchmark",
        score="score",
        date="date",
        weights="weights",
        registry=False,
    )
    sc = semi_synthetic_scenario(data, min_models_per_benchmark=2, min_uncensored_per_benchmark=1)
    assert sc.name == "semi_synthetic" and sc.generator is semi_synthetic
    assert "4 models, 3 benchmarks, 10 scores" in sc.description
    again = pickle.loads(pickle.dumps(sc))  # worker processes receive it pickled
    a, b = sc.draw(5), again.draw(5)
    pd.testing.assert_frame_equal(a.data.scores, b.data.scores)
    key = [D.MODEL, D.BENCHMARK]
    assert set(a.data.scores.set_index(key).index) == set(data.scores.set_index(key).index)
    res = run_replication(sc, 0, methods=("threshold",), dates=["2024-06-01"], quick=True)
    np.testing.assert_allclose(res["truth"], 6.0, atol=1e-6)
    assert set(res["scenario"]) == {"semi_synthetic"}


def test_scenario_generator_defaults_to_simulate():
    sc = Scenario("tiny", "a small world", dict(n_closed=8, n_open=8, n_benchmarks=5))
    assert sc.generator is irtgap.simulate
    pd.testing.assert_frame_equal(
        sc.draw(3).data.scores,
        irtgap.simulate(n_closed=8, n_open=8, n_benchmarks=5, seed=3).data.scores,
    )


def _script():
    spec = importlib.util.spec_from_file_location(
        "run_validation", ROOT / "studies" / "validation" / "run_validation.py"
    )
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_script_scenario_sets(tmp_path, capsys):
    mod = _script()
    assert mod.SETS["default"] == [*SCENARIOS, "realistic"]
    assert mod.SETS["misspecified"] == [*MISSPECIFIED, "semi_synthetic"]
    assert mod.SETS["all"] == mod.SETS["default"] + mod.SETS["misspecified"]
    with pytest.raises(SystemExit):
        mod.main(["--set", "default", "--scenarios", "curved", "--out", str(tmp_path)])
    assert "unknown scenario" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        mod.main(["--scenarios", "no-such-world", "--out", str(tmp_path)])
    assert "curved" in capsys.readouterr().err  # without --set, names come from every set


@pytest.mark.slow
def test_quick_validation_script_runs(tmp_path):
    mod = _script()
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


def test_an_open_bayesian_interval_end_covers_its_side_and_is_left_out_of_the_width():
    """A Bayesian end that fell among censored draws (NaN beside an estimate) holds any truth on
    its side; a missing end of another method (no interval) holds nothing."""
    from irtgap.analyses.validation import covered

    rows = pd.DataFrame(
        {
            "scenario": "s",
            "replication": [0, 1, 2, 3],
            "method": ["bayesian", "bayesian", "threshold", "bayesian"],
            D.DATE: pd.Timestamp("2025-07-01"),
            "truth": 6.0,
            "estimate": [1.0, 1.0, 5.0, np.nan],
            "lower": [np.nan, np.nan, np.nan, np.nan],
            "upper": [7.0, 5.0, np.nan, np.nan],
        }
    )
    np.testing.assert_array_equal(covered(rows), [1.0, 0.0, 0.0, np.nan])
    rows["covered"] = covered(rows)
    s = summarize_validation(rows)
    pooled = s[s[D.DATE].isna()].set_index("method")
    assert pooled.loc["bayesian", "n"] == 2 and pooled.loc["bayesian", "n_open"] == 2
    assert np.isnan(pooled.loc["bayesian", "mean_width"])
    assert pooled.loc["bayesian", "coverage"] == 0.5
    assert pooled.loc["threshold", "coverage"] == 0.0


def test_model_options_reach_the_bayesian_fit_and_are_checked(monkeypatch, tmp_path, capsys):
    import irtgap.analyses.validation as validation

    with pytest.raises(ValueError, match=r"unknown GapModel setting\(s\) \['trend'\]"):
        run_replication("constant", 0, methods=["threshold"], model_options={"trend": True})
    with pytest.raises(ValueError, match=r"^growth_spread=-1"):
        validation.run_study([SCENARIOS["constant"]], 1, model_options={"growth_spread": -1})
    seen = []

    class Spy(validation.GapModel):  # records the settings, then stops before sampling
        def fit(self, data, **kwargs):
            seen.append(self.settings)
            raise RuntimeError("stop")

    monkeypatch.setattr(validation, "GapModel", Spy)
    res = run_replication(
        "constant", 0, methods=["bayesian"], quick=True, model_options={"learn_growth_spread": True}
    )
    assert res["error"].str.contains("stop").all()  # the fit was reached ...
    assert [s.learn_growth_spread for s in seen] == [True]  # ... with the option
    mod = _script()
    assert mod._model_options(["public_advantage_trend=true", "growth_spread=0.2"]) == {
        "public_advantage_trend": True,
        "growth_spread": 0.2,
    }
    for bad, said in (
        ("public_advantage_trend", "give NAME=VALUE"),
        ("growth_spread=abc", "the value is not JSON"),
        ("nope=1", "unknown GapModel setting(s) ['nope']"),
    ):
        with pytest.raises(SystemExit):
            mod.main(["--model-option", bad, "--out", str(tmp_path)])
        assert said in capsys.readouterr().err
