"""The Bayesian elicitation terms on a tiny PyMC model of their own, their numpy twin, and the
effort units on a real design."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pymc as pm
import pytest

import irtgap
from irtgap.methods.bayes.design import make_design
from irtgap.methods.bayes.elicitation import (
    ElicitationPriors,
    design_arrays,
    elicitation_arrays,
    elicitation_shift,
    elicitation_term,
    harness_cells,
    with_effort_units,
)
from irtgap.methods.bayes.graph import build_model

TRUE_HARNESS = {"simple": -0.8, "other": 0.4}
TRUE_EFFORT = {"low": -0.5, "high": 0.3}


def world(seed: int = 0, n_models: int = 60) -> tuple[pd.DataFrame, dict[str, float]]:
    """Rows on the logit scale: benchmark T under the reference harness for every model, under
    "simple" for half of them and "other" for a quarter; effort groups ``mNN`` with ``_low`` and
    ``_high`` variants for a third of the models; three benchmarks without harnesses."""
    rng = np.random.default_rng(seed)
    theta = {f"m{i:02d}": float(rng.normal()) for i in range(n_models)}
    difficulty = {"T": 0.3, "A": -0.5, "B": 0.0, "C": 0.8}
    versions = []
    for i, m in enumerate(theta):
        versions.append((m, "default", theta[m]))
        if i % 3 == 0:
            versions += [(f"{m}_{e}", e, theta[m] + v) for e, v in TRUE_EFFORT.items()]
    rows = []
    for v, effort, cap in versions:
        base = v.split("_")[0]
        i = int(base[1:])
        plan = [("T", "ref")] + [(b, "default") for b in "ABC"]
        if i % 2 == 0:
            plan.append(("T", "simple"))
        if i % 4 == 1:
            plan.append(("T", "other"))
        for b, h in plan:
            mean = cap + TRUE_HARNESS.get(h, 0.0) - difficulty[b]
            rows.append((v, b, h, effort, "open" if i % 2 else "closed", mean))
    df = pd.DataFrame(rows, columns=["model", "benchmark", "harness", "effort", "weights", "mean"])
    df["y"] = df["mean"] + rng.normal(0, 0.15, size=len(df))
    return df, difficulty


def tiny_model(df: pd.DataFrame, arrays, priors=None) -> pm.Model:
    """theta per capability unit, a difficulty per benchmark, the elicitation term, Normal
    noise on the logit scale."""
    units = pd.Index(sorted(set(arrays.unit)))
    benches = pd.Index(sorted(df["benchmark"].unique()))
    u = units.get_indexer(df["model"].map(arrays.unit))
    b = benches.get_indexer(df["benchmark"])
    with pm.Model(coords={"unit": list(units), "benchmark": list(benches)}) as model:
        theta = pm.Normal("theta", 0.0, 1.5, dims="unit")
        d = pm.Normal("difficulty", 0.0, 2.0, dims="benchmark")
        eta = theta[u] - d[b] + elicitation_term(arrays, priors)
        pm.Normal("y", eta, 0.15, observed=df["y"].to_numpy())
    return model


def test_arrays_name_the_cells_and_the_effort_groups():
    df, _ = world()
    arrays = elicitation_arrays(df)
    assert arrays.cells[["benchmark", "harness", "reference"]].values.tolist() == [
        ["T", "other", "ref"],
        ["T", "simple", "ref"],
    ]
    # a reference or un-harnessed row has no cell
    assert (arrays.cell[(df["harness"] == "ref") | (df["benchmark"] != "T")] == -1).all()
    assert set(arrays.variants.index) == {
        f"m{i:02d}_{e}" for i in range(0, 60, 3) for e in TRUE_EFFORT
    }
    assert (arrays.variants["representative"] == arrays.variants.index.str[:3]).all()
    assert arrays.levels == ("default", "high", "low")
    assert arrays.unit["m03_low"] == "m03" and arrays.unit["m04"] == "m04"
    cells = harness_cells(arrays, df).set_index("harness")
    assert cells.loc["simple", "n_versions"] == cells.loc["simple", "n_linked"] > 0
    chosen = elicitation_arrays(df, reference={"T": "simple"})
    assert set(chosen.cells["harness"]) == {"ref", "other"}
    with pytest.raises(ValueError, match="reference="):
        elicitation_arrays(df, reference={"A": "ref"})


def test_hosted_copies_take_their_variants_offset():
    df, _ = world(n_models=6)
    hosted = df[df["model"] == "m00_low"].assign(model="host/m00_low")
    rows = pd.concat([df, hosted], ignore_index=True)
    base = pd.Series({m: m for m in rows["model"].unique()})
    base["host/m00_low"] = "m00_low"
    arrays = elicitation_arrays(rows, base)
    k = list(arrays.variants.index).index("m00_low")
    assert (arrays.variant[(rows["model"] == "host/m00_low").to_numpy()] == k).all()
    # after the effort units, the hosted map is read from first_party_base
    models = pd.DataFrame({"base": base.map(arrays.unit).fillna(base), "first_party_base": base})
    again = elicitation_arrays(rows, models)
    np.testing.assert_array_equal(again.variant, arrays.variant)


def test_the_numpy_twin_matches_the_graph():
    df, _ = world(n_models=12)
    arrays = elicitation_arrays(df)
    order = np.random.default_rng(1).permutation(len(df))
    with pm.Model():
        term = elicitation_term(arrays, ElicitationPriors(open_harness=True), order=order)
        names = ["harness_effect", "open_harness_effect", "effort_offset"]
        model = pm.modelcontext(None)
        draws = pm.draw([term, *(model[n] for n in names)], draws=3, random_seed=2)
    total, params = draws[0], dict(zip(names, draws[1:], strict=True))
    np.testing.assert_allclose(total, elicitation_shift(params, arrays)[:, order])
    assert np.abs(total).max() > 0


def test_no_labels_no_term():
    df, _ = world(n_models=6)
    arrays = elicitation_arrays(df.drop(columns=["harness", "effort"]))
    assert arrays.n_cells == 0 and arrays.n_variants == 0
    with pm.Model() as model:
        assert elicitation_term(arrays) == 0.0
    assert not model.free_RVs


def test_a_known_harness_penalty_and_effort_offsets_are_recovered():
    df, _ = world()
    arrays = elicitation_arrays(df)
    with tiny_model(df, arrays):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            point = pm.find_MAP(progressbar=False, seed=0)
    effect = dict(zip(arrays.cells["harness"], point["harness_effect"], strict=True))
    for h, true in TRUE_HARNESS.items():
        assert effect[h] == pytest.approx(true, abs=0.08), h
    offsets = pd.Series(point["effort_offset"], index=arrays.variants.index)
    by_level = offsets.groupby(arrays.variants["effort"]).mean()
    for e, true in TRUE_EFFORT.items():
        assert by_level[e] == pytest.approx(true, abs=0.08), e


def test_effort_variants_share_a_unit_in_the_gap_models_graph():
    sim = irtgap.simulate(seed=0, n_closed=20, n_open=20, hosted_share=0.0)
    rows = sim.data.scores
    variant = rows[rows["model"] == "closed-000"].assign(model="closed-000_high")
    variant["score"] = np.clip(variant["score"] + 0.05, 0, 1)
    table = pd.concat([rows, variant], ignore_index=True)
    table["effort"] = np.where(table["model"].str.endswith("_high"), "high", None)
    table["harness"] = "default"
    data = irtgap.ScoreData.from_frame(
        table,
        model="model",
        benchmark="benchmark",
        score="score",
        date="date",
        weights="weights",
        harness="harness",
        effort="effort",
        benchmarks=sim.data.benchmarks.reset_index(),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        design = make_design(data.elicitation_data(), since=None)
    arrays = design_arrays(design)
    assert list(arrays.variants.index) == ["closed-000_high"]
    shared = with_effort_units(design, arrays)
    assert shared.models.loc["closed-000_high", "base"] == "closed-000"
    assert design.models.loc["closed-000_high", "base"] == "closed-000_high"  # not modified
    # the arrays of the shared design are the same, and a second pass changes nothing
    np.testing.assert_array_equal(design_arrays(shared).variant, arrays.variant)
    pd.testing.assert_frame_equal(with_effort_units(shared).models, shared.models)
    model = build_model(shared)
    assert "closed-000_high" not in model.coords["unit"] and "closed-000" in model.coords["unit"]


@pytest.mark.slow
def test_mcmc_recovers_the_harness_penalty():
    df, _ = world(seed=3)
    arrays = elicitation_arrays(df)
    with tiny_model(df, arrays):
        idata = pm.sample(400, tune=400, chains=2, random_seed=3, progressbar=False)
    post = idata.posterior["harness_effect"].mean(("chain", "draw")).to_numpy()
    effect = dict(zip(arrays.cells["harness"], post, strict=True))
    assert effect["simple"] == pytest.approx(TRUE_HARNESS["simple"], abs=0.1)
    assert effect["other"] == pytest.approx(TRUE_HARNESS["other"], abs=0.1)
