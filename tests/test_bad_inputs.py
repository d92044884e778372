"""Inputs that would pass silently as wrong numbers: each is an error or a warning that names
the column and rows (booleans as scores, names spelled two ways, metadata for no benchmark, an
empty subset)."""

from __future__ import annotations

import unicodedata
import warnings

import numpy as np
import pandas as pd
import pytest

import irtgap
from irtgap import InputWarning, ScoreData, ScoreDataError

COLS = dict(model="model", benchmark="benchmark", score="score", date="date", weights="weights")


def build(df: pd.DataFrame, **kw) -> ScoreData:
    return ScoreData.from_frame(df, **{**COLS, **kw})


def test_boolean_scores_are_refused(small_frame):
    df = small_frame.copy()
    df["score"] = df["score"] > 0.3  # a bool column would read as 0 and 1
    with pytest.raises(ScoreDataError, match=r"column 'score' \(score\) holds booleans.*rows 0, 1"):
        build(df)
    mixed = small_frame.copy().astype({"score": object})
    mixed.loc[3, "score"] = True
    mixed.loc[7, "score"] = np.False_
    with pytest.raises(ScoreDataError, match=r"holds booleans \(True/False\) in rows 3, 7:"):
        build(mixed)


def test_names_differing_by_surrounding_spaces_are_one_model_with_a_warning(small_frame):
    df = small_frame.copy()
    df.loc[1, "model"] = " c1 "
    with pytest.warns(
        InputWarning,
        match=r"column 'model' \(model\): 1 name\(s\) differ only by surrounding spaces and were "
        r"read as one: ' c1 ' \(rows 1\) and 'c1' \(rows 0, 2\)",
    ):
        data = build(df)
    assert data.n_models == 4
    assert set(data.scores.loc[data.scores["model"] == "c1", "benchmark"]) == {"A", "B", "C"}


def test_names_differing_by_case_stay_apart_with_a_warning(small_frame):
    df = small_frame.copy()
    df.loc[2, "model"] = "C1"
    with pytest.warns(
        InputWarning,
        match=r"differ only by case or Unicode compatibility form are kept as separate models: "
        r"'C1' \(rows 2\) and 'c1' \(rows 0, 1\)",
    ):
        data = build(df)
    assert data.n_models == 5
    # a model group that ties them: no warning
    df["group"] = df["model"].str.lower()
    with warnings.catch_warnings():
        warnings.simplefilter("error", InputWarning)
        data = build(df, model_group="group")
    assert data.models.loc["C1", "model_group"] == data.models.loc["c1", "model_group"] == "c1"


def test_benchmark_names_differing_by_case_warn(small_frame):
    df = small_frame.copy()
    df.loc[3, "benchmark"] = "a"
    df.loc[8, "benchmark"] = "a"
    with pytest.warns(InputWarning, match=r"column 'benchmark' \(benchmark\).*'A' \(rows 0, 5\)"):
        build(df, sparse_benchmarks="drop")


def test_full_width_letters_warn(small_frame):
    df = small_frame.copy()
    df.loc[[5, 6], "model"] = "\uff4f1"  # full-width 'o' + '1'
    with pytest.warns(InputWarning, match=r"'o1' \(rows 7\)"):
        build(df)


def test_one_name_in_two_unicode_forms_is_refused(small_frame):
    df = small_frame.copy()
    composed = unicodedata.normalize("NFC", "mistral-\u00e9")
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    df.loc[[0, 1], "model"] = composed
    df.loc[2, "model"] = decomposed
    with pytest.raises(
        ScoreDataError,
        match=r"column 'model' \(model\) spells 1 name\(s\) in two Unicode forms that look the "
        r"same: .*\(rows 2\) and .*\(rows 0, 1\).*unicodedata.normalize",
    ):
        build(df)


def test_metadata_for_no_benchmark_of_the_scores_warns(small_frame):
    meta = pd.DataFrame({"benchmark": ["A", "b", "Zed"], "access": ["public", "private", "public"]})
    with pytest.warns(
        InputWarning,
        match=r"benchmarks: 2 metadata row\(s\) name no benchmark of column 'benchmark' of the "
        r"scores, so their metadata is not used: 'b' \(did you mean 'B'\?\), 'Zed'",
    ):
        data = build(small_frame, benchmarks=meta)
    assert data.benchmarks.loc["B", "access"] == "unknown"  # the typo's label was not applied


def test_empty_subset_is_refused(small_data):
    with pytest.raises(
        ScoreDataError, match=r"subset\(start='2030-01-01'\) leaves no scores .*2024-01-01 to"
    ):
        small_data.subset(start="2030-01-01")
    with pytest.raises(ScoreDataError, match=r"subset\(weights='open', models=\['c1'\]\)"):
        small_data.subset(weights="open", models=["c1"])
    assert small_data.subset(end="2024-03-01").n_models == 2  # a non-empty one is fine


def test_bundled_datasets_raise_no_input_warning():
    """Epoch's case-only twins (zai-org/GLM-4.7 via Together, zai-org/glm-4.7 via Novita) share a
    model group, so the bundled data load without an InputWarning."""
    for name in ("epoch-hub-2026-04", "epoch-2025-11"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            warnings.simplefilter("error", InputWarning)
            irtgap.load_dataset(name)
