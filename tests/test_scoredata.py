"""Boundary validation of ScoreData: each rule fed bad input, with the message checked."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import irtgap
from irtgap import DroppedRowsWarning, ScoreData, ScoreDataError

COLS = dict(model="model", benchmark="benchmark", score="score", date="date", weights="weights")


def build(df: pd.DataFrame, **kw) -> ScoreData:
    return ScoreData.from_frame(df, **{**COLS, **kw})


def test_valid_small_table(small_data):
    assert small_data.n_models == 4 and small_data.n_benchmarks == 3
    d = small_data.describe()
    assert (d["n_open_models"], d["n_closed_models"]) == (2, 2)
    assert "4 models (2 open, 2 closed)" in repr(small_data)


def test_missing_required_column(small_frame):
    with pytest.raises(ScoreDataError, match=r"missing column\(s\): 'date' \(date\)"):
        build(small_frame.drop(columns="date"))


def test_scores_outside_unit_interval_name_the_benchmark(small_frame):
    df = small_frame.copy()
    df.loc[3, "score"] = 70.0  # a percent slipped in on benchmark A
    with pytest.raises(ScoreDataError, match=r"outside \[0, 1\].*rows 3.*'A': 1 row"):
        build(df)


def test_minutes_scale_allows_large_but_not_negative(small_frame):
    meta = pd.DataFrame({"benchmark": ["C"], "scale": ["minutes"]})
    df = small_frame.copy()
    df.loc[df["benchmark"] == "C", "score"] = [12.0, 30.0, 45.0]
    assert build(df, benchmarks=meta).benchmarks.loc["C", "scale"] == "minutes"
    df.loc[2, "score"] = -1.0
    with pytest.raises(ScoreDataError, match="'C'"):
        build(df, benchmarks=meta)


def test_unparseable_dates_name_rows_and_values(small_frame):
    df = small_frame.copy()
    df.loc[4, "date"] = "soon"
    with pytest.raises(ScoreDataError, match=r"unparseable dates in rows 4: soon"):
        build(df)


def test_unknown_weights_label(small_frame):
    df = small_frame.copy()
    df.loc[0, "weights"] = "semi-open"
    with pytest.raises(ScoreDataError, match=r"unknown labels semi-open in rows 0"):
        build(df)


def test_epoch_accessibility_labels_map_to_sides(small_frame):
    df = small_frame.copy()
    df["weights"] = ["API access"] * 3 + ["Unreleased"] * 2 + ["Open weights (unrestricted)"] * 5
    data = build(df)
    assert set(data.models.loc[["c1", "c2"], "weights"]) == {"closed"}
    assert set(data.models.loc[["o1", "o2"], "weights"]) == {"open"}


def test_rows_without_date_or_weights_dropped_with_counts(small_frame):
    df = small_frame.copy()
    extra = pd.DataFrame(
        {
            "model": ["x", "x", "y"],
            "benchmark": ["A", "B", "A"],
            "score": [0.1, 0.2, 0.3],
            "date": [None, None, "2024-02-02"],
            "weights": ["open", "open", "unknown"],
            "country": [None] * 3,
        }
    )
    df = pd.concat([df, extra], ignore_index=True)
    with pytest.warns(DroppedRowsWarning) as rec:
        data = build(df)
    messages = " | ".join(str(w.message) for w in rec)
    assert "dropped 2 row(s) without a release date" in messages
    assert "dropped 1 row(s) without a weights label" in messages
    d = data.describe()
    assert (d["n_dropped_no_date"], d["n_dropped_no_weights"], d["n_raw_rows"]) == (2, 1, 13)
    assert data.n_obs == 10


def test_benchmark_scored_by_one_model(small_frame):
    df = pd.concat(
        [small_frame, pd.DataFrame([{**small_frame.iloc[0].to_dict(), "benchmark": "Lonely"}])],
        ignore_index=True,
    )
    with pytest.raises(ScoreDataError, match=r"'Lonely' \(1 model\)"):
        build(df)
    with pytest.warns(DroppedRowsWarning, match="Lonely"):
        data = build(df, sparse_benchmarks="drop")
    assert "Lonely" not in data.benchmarks.index
    assert data.describe()["dropped_benchmarks"] == "Lonely (1)"


def test_disconnected_graph_lists_the_pieces(small_frame):
    island = pd.DataFrame(
        {
            "model": ["p", "p", "q", "q"],
            "benchmark": ["Z1", "Z2", "Z1", "Z2"],
            "score": [0.1, 0.2, 0.3, 0.4],
            "date": ["2024-01-01"] * 4,
            "weights": ["open", "open", "closed", "closed"],
            "country": [None] * 4,
        }
    )
    with pytest.raises(
        ScoreDataError, match=r"2 disconnected pieces.*piece 2: benchmarks \[Z1, Z2\]"
    ):
        build(pd.concat([small_frame, island], ignore_index=True))


@pytest.mark.parametrize("side", ["open", "closed"])
def test_no_models_of_one_side(small_frame, side):
    df = small_frame.copy()
    df["weights"] = "closed" if side == "open" else "open"
    with pytest.raises(ScoreDataError, match=f"no {side} models"):
        build(df)


def test_duplicates_policies(small_frame):
    dup = pd.concat([small_frame, small_frame.iloc[[0]].assign(score=0.9)], ignore_index=True)
    data = build(dup)
    assert data.describe()["n_duplicate_rows_merged"] == 1
    row = data.scores.query("model == 'c1' and benchmark == 'A'")
    assert row["score"].item() == pytest.approx(0.9)
    mean = build(dup, duplicates="mean").scores.query("model == 'c1' and benchmark == 'A'")
    assert mean["score"].item() == pytest.approx(0.7)
    with pytest.raises(ScoreDataError, match=r"repeat an existing \(model, benchmark\) pair.*c1"):
        build(dup, duplicates="raise")


def test_caller_frame_is_never_mutated(small_frame):
    before = small_frame.copy(deep=True)
    data = build(small_frame, country="country")
    data.subset(weights="open")
    data.merge_groups()
    pd.testing.assert_frame_equal(small_frame, before)


def test_subset_and_unknown_names(small_data):
    assert set(small_data.subset(weights="open").models.index) == {"o1", "o2"}
    assert set(small_data.subset(benchmarks=["A"]).scores["benchmark"]) == {"A"}
    assert small_data.subset(start="2024-05-01").n_models == 2
    china = small_data.subset(country="China", countries_apply_to="open")
    assert set(china.models.index) == {"c1", "c2", "o1"}
    with pytest.raises(ScoreDataError, match="unknown benchmark"):
        small_data.subset(benchmarks=["Nope"])
    with pytest.raises(ScoreDataError, match="weights='half'"):
        small_data.subset(weights="half")


def test_merge_groups_takes_max_and_earliest_date(small_frame):
    df = small_frame.copy()
    df["group"] = df["model"].replace({"c2": "c1"})
    data = build(df, model_group="group")
    merged = data.merge_groups()
    assert set(merged.models.index) == {"c1", "o1", "o2"}
    a = merged.scores.query("model == 'c1' and benchmark == 'A'")["score"].item()
    assert a == pytest.approx(0.7)
    assert merged.models.loc["c1", "date"] == pd.Timestamp("2024-01-01")
    df.loc[df["model"] == "o1", "group"] = "c1"
    with pytest.raises(ScoreDataError, match="mix open and closed"):
        build(df, model_group="group").merge_groups()


def test_normalized_scores_and_index_arrays(small_frame):
    meta = pd.DataFrame({"benchmark": ["A", "B", "C"], "random_baseline": [0.25, 0.0, 0.5]})
    data = build(small_frame, benchmarks=meta)
    norm = data.normalized_scores()
    a = data.scores["benchmark"] == "A"
    expected = (data.scores.loc[a, "score"] - 0.25) / 0.75
    np.testing.assert_allclose(norm[a], expected)
    m, b = data.index_arrays()
    coords = data.coords
    assert all(coords["model"][i] == name for i, name in zip(m, data.scores["model"], strict=True))
    assert all(
        coords["benchmark"][i] == name for i, name in zip(b, data.scores["benchmark"], strict=True)
    )
    with pytest.raises(ScoreDataError, match="random_baseline"):
        build(small_frame, benchmarks=meta.assign(random_baseline=[1.5, 0, 0]))


def test_bad_access_label(small_frame):
    meta = pd.DataFrame({"benchmark": ["A"], "access": ["secret"]})
    with pytest.raises(ScoreDataError, match=r"'access'.*A"):
        build(small_frame, benchmarks=meta)


def test_bundled_snapshot_counts():
    with pytest.warns(DroppedRowsWarning, match="dropped 81 row"):
        data = irtgap.load_epoch_snapshot("epoch-2025-11")
    d = data.describe()
    assert d["n_raw_rows"] == 2525
    assert d["n_dropped_no_date"] == 81
    assert d["n_duplicate_rows_merged"] == 589
    assert d["n_observations"] == 1878
    assert (d["n_models"], d["n_benchmarks"]) == (442, 42)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        data.check()


def _renamed(small_frame: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    return small_frame.assign(benchmark=small_frame["benchmark"].map(names))


def test_registry_fills_metadata_of_known_benchmarks(small_frame):
    df = _renamed(small_frame, {"A": "GPQA diamond", "B": "WeirdML", "C": "MyBench"})
    data = build(df)
    meta = data.benchmarks
    assert meta.loc["GPQA diamond", "access"] == "public"
    assert meta.loc["GPQA diamond", "random_baseline"] == pytest.approx(0.25)
    assert meta.loc["WeirdML", "access"] == "private"
    assert meta.loc["WeirdML", "domain"] == "reasoning-ood"
    assert meta.loc["MyBench", "access"] == "unknown"  # not in the registry: defaults
    assert sorted(data.log["metadata_from_registry"]) == ["GPQA diamond", "WeirdML"]
    # the caller's metadata wins where given; the registry fills the columns it leaves out
    mine = pd.DataFrame({"benchmark": ["GPQA diamond"], "access": ["private"]})
    data = build(df, benchmarks=mine)
    assert data.benchmarks.loc["GPQA diamond", "access"] == "private"
    assert data.benchmarks.loc["GPQA diamond", "domain"] == "knowledge-qa"
    assert data.log["metadata_from_registry"] == ["WeirdML"]
    # registry=False: only the caller's metadata and defaults
    plain = build(df, registry=False)
    assert plain.benchmarks.loc["GPQA diamond", "access"] == "unknown"


def test_registry_scale_catches_percent_scores(small_frame):
    """Aider polyglot is a fraction benchmark once loaded: percent given by hand is refused."""
    df = _renamed(small_frame, {"A": "Aider polyglot", "B": "B", "C": "C"})
    df.loc[df["benchmark"] == "Aider polyglot", "score"] *= 100
    with pytest.raises(ScoreDataError, match=r"outside \[0, 1\].*'Aider polyglot'"):
        build(df)


def test_model_group_is_stripped(small_frame):
    df = small_frame.assign(group=["G\n"] * 3 + ["H"] * 2 + ["O1 "] * 3 + [""] * 2)
    data = build(df, model_group="group")
    groups = data.models["model_group"]
    assert groups["c1"] == "G" and groups["o1"] == "O1"
    assert groups["o2"] == "o2"  # blank group: the model itself
