"""The methods under an elicitation rule, the paired best-versus-reference analysis, and the
simulator's harness worlds."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import irtgap
from irtgap import DroppedRowsWarning, ScoreData, ScoreDataError
from irtgap.analyses.elicitation import ELICITATION_COLUMNS
from irtgap.methods.registry import run_method


@pytest.fixture(scope="module")
def hub() -> ScoreData:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return irtgap.load_dataset()


@pytest.fixture(scope="module")
def lowered() -> ScoreData:
    """A simulated world where every score also comes under a "simple" harness, on which open
    models score 0.1 lower and closed ones the same."""
    world = irtgap.simulate(
        seed=0, hosted_share=0.0, density=0.9, n_benchmarks=8, benchmark_lifetimes=False
    )
    rows = world.data.scores
    simple = rows.assign(
        score=np.where(
            rows["weights"] == "open", (rows["score"] - 0.1).clip(lower=0), rows["score"]
        )
    )
    table = pd.concat([rows.assign(h="maker"), simple.assign(h="simple")], ignore_index=True)
    return ScoreData.from_frame(
        table,
        model="model",
        benchmark="benchmark",
        score="score",
        date="date",
        weights="weights",
        harness="h",
        benchmarks=world.data.benchmarks.reset_index(),
    )


def test_best_reproduces_the_loaded_data(hub):
    plain = irtgap.composite_index(hub, n_bootstrap=20, seed=1)
    best = run_method("composite", hub, n_bootstrap=20, seed=1, elicitation="best")
    np.testing.assert_array_equal(plain.capability_draws.values, best.capability_draws.values)
    assert best.settings.elicitation == "best" and best.data is hub
    with pytest.warns(DroppedRowsWarning, match="'Terminus 2'"):
        ref = hub.select_elicitation({"Terminal Bench": "Terminus 2"})
    back = irtgap.composite_index(ref, n_bootstrap=20, seed=1, elicitation="best")
    np.testing.assert_array_equal(plain.capability_draws.values, back.capability_draws.values)
    pd.testing.assert_frame_equal(back.data.scores, hub.scores)


def test_a_reference_rule_is_recorded_with_the_rows_it_used(lowered):
    res = irtgap.composite_index(lowered, n_bootstrap=10, elicitation="simple")
    assert res.settings.elicitation == "simple (missing: drop)"
    rec = res.data.log["elicitation"]
    assert rec["n_pairs_dropped"] == 0 and rec["n_pairs"] == len(lowered.scores)
    opened = res.data.scores[res.data.scores["weights"] == "open"]
    assert (opened["harness"] == "simple").all()
    th = irtgap.threshold_gap(lowered, n_bootstrap=0, elicitation="maker")
    assert th.settings.elicitation == "maker (missing: drop)"


def test_methods_refuse_several_rows_per_pair(lowered):
    every = lowered.elicitation_data()
    with pytest.raises(ScoreDataError, match="composite_index: the data hold several rows"):
        irtgap.composite_index(every, n_bootstrap=0)
    with pytest.raises(ScoreDataError, match="threshold: the data hold several rows"):
        run_method("threshold", every, n_bootstrap=0)
    # a rule makes them one row per pair again
    ok = run_method("composite", every, n_bootstrap=0, elicitation="best")
    assert not ok.data.scores.duplicated(["model", "benchmark"]).any()


def test_elicitation_gap_pairs_the_draws(lowered):
    res = irtgap.elicitation_gap(
        lowered, ["composite"], reference="simple", dates=["2024-06-01", "2025-06-01"]
    )
    t = res.table
    assert tuple(t.columns) == ELICITATION_COLUMNS and len(t) == 2
    # open models score lower under the reference: per draw the gap can only grow
    best, ref = res.results["best"]["composite"], res.results["reference"]["composite"]
    diff = ref.gap_draws(t["date"]) - best.gap_draws(t["date"])
    assert float(diff.min()) >= 0 and (t["difference"] > 0).all() and (t["lower"] >= 0).all()
    np.testing.assert_allclose(t["difference"], diff.median(["chain", "draw"]).values.ravel())
    assert (t["reference"] > t["best"]).all()
    used = res.rows_used()
    assert res.rule == "simple (missing: drop)" and len(used) == 8
    assert (used["harness"] == "simple").all() and (used["n_pairs_missing"] == 0).all()


def test_elicitation_gap_without_draws_takes_the_points(lowered):
    res = irtgap.elicitation_gap(
        lowered,
        "composite",
        reference="maker",
        dates=["2025-01-01"],
        method_kwargs={"composite": {"n_bootstrap": 0}},
    )
    row = res.table.iloc[0]
    assert row["difference"] == 0.0 and np.isnan(row["lower"]) and row["n_defined"] == 1
    with pytest.raises(ValueError, match="unknown method"):
        irtgap.elicitation_gap(lowered, ["nope"])


# ------------------------------------------------------------------------- the simulator
def test_worlds_without_harnesses_are_unchanged():
    plain = irtgap.simulate(seed=3)
    again = irtgap.simulate(seed=3, harness_penalty=5.0, simple_share=0.9, open_maker_share=0.1)
    pd.testing.assert_frame_equal(plain.data.scores, again.data.scores)
    assert "harness" not in plain.data.scores.columns and plain.data.elicitation is None
    assert plain.truth.harness_benchmarks == () and plain.truth.maker_harness == {}


def test_open_models_lose_the_penalty_under_the_simple_harness():
    sim = irtgap.simulate(
        seed=4,
        harness_share=0.5,
        harness_penalty=2.0,
        simple_share=1.0,
        open_maker_share=0.6,
        n_closed=60,
        n_open=60,
        hosted_share=0.0,
    )
    rows, truth = sim.data.elicitation, sim.truth
    agentic = rows["benchmark"].isin(truth.harness_benchmarks)
    assert len(truth.harness_benchmarks) == 6 and set(rows.loc[~agentic, "harness"]) == {"default"}
    assert set(rows.loc[agentic, "harness"]) == {"maker", "simple"}
    makers = {m for m, has in truth.maker_harness.items() if has}
    under_maker = set(rows.loc[rows["harness"] == "maker", "model"])
    assert under_maker <= makers and all(
        truth.maker_harness[m] for m in sim.data.models.index if m.startswith("closed")
    )
    wide = rows[agentic].pivot_table(index=["model", "weights"], columns="harness", values="score")
    both = wide.dropna()
    loss = (both["maker"] - both["simple"]).groupby(level="weights").mean()
    assert loss["open"] > 0.15 and abs(loss["closed"]) < 0.03
    # best keeps the makers' row where there is one, so open versions without one look worse
    best = sim.data.scores[sim.data.scores["benchmark"].isin(truth.harness_benchmarks)]
    assert set(best.loc[best["model"].isin(makers) & (best["weights"] == "open"), "harness"]) <= {
        "maker",
        "simple",
    }
    with pytest.raises(ScoreDataError, match="harness_share"):
        irtgap.simulate(harness_share=1.5)


def test_closed_models_can_lose_under_the_simple_harness_too():
    sim = irtgap.simulate(
        seed=5,
        harness_share=1.0,
        harness_penalty=0.0,
        harness_penalty_closed=2.0,
        simple_share=1.0,
        hosted_share=0.0,
    )
    wide = sim.data.elicitation.pivot_table(
        index=["model", "weights"], columns="harness", values="score"
    ).dropna()
    loss = (wide["maker"] - wide["simple"]).groupby(level="weights").mean()
    assert loss["closed"] > 0.15 and abs(loss["open"]) < 0.03
