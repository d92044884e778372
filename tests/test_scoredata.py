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
    with pytest.raises(
        ScoreDataError,
        match=r"outside \[0, ceiling\].*rows 3: 'A' \(fraction, allowed 0 to 1\): 1 row",
    ):
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
    with pytest.raises(ScoreDataError, match=r"outside \[0, ceiling\].*'Aider polyglot'"):
        build(df)


def test_model_group_is_stripped(small_frame):
    df = small_frame.assign(group=["G\n"] * 3 + ["H"] * 2 + ["O1 "] * 3 + [""] * 2)
    data = build(df, model_group="group")
    groups = data.models["model_group"]
    assert groups["c1"] == "G" and groups["o1"] == "O1"
    assert groups["o2"] == "o2"  # blank group: the model itself


# ---------------------------------------------------------------------- ceilings
def test_scores_above_a_ceiling_are_refused(small_frame):
    meta = pd.DataFrame({"benchmark": ["A"], "ceiling": [0.6]})
    with pytest.raises(ScoreDataError, match=r"rows 3: 'A' \(fraction, allowed 0 to 0.6\)"):
        build(small_frame, benchmarks=meta)  # c2 scored 0.7 on A
    ok = build(small_frame, benchmarks=meta.assign(ceiling=0.7))  # at the ceiling: fine
    assert ok.benchmarks.loc["A", "ceiling"] == pytest.approx(0.7)


@pytest.mark.parametrize("ceiling", [0.0, -1.0, 1.5, 100.0])
def test_fraction_ceiling_must_lie_in_unit_interval(small_frame, ceiling):
    meta = pd.DataFrame({"benchmark": ["A"], "ceiling": [ceiling]})
    with pytest.raises(ScoreDataError, match=rf"'ceiling'.*\(0, 1\].*'A' \({ceiling:g}\)"):
        build(small_frame, benchmarks=meta)


def test_ceiling_and_baseline_must_be_numbers_in_order(small_frame):
    with pytest.raises(ScoreDataError, match=r"'ceiling' is not a number.*A: one"):
        build(small_frame, benchmarks=pd.DataFrame({"benchmark": ["A"], "ceiling": ["one"]}))
    above = pd.DataFrame({"benchmark": ["A"], "ceiling": [0.8], "random_baseline": [0.9]})
    with pytest.raises(ScoreDataError, match=r"'A' \(random_baseline 0.9, ceiling 0.8\)"):
        build(small_frame, benchmarks=above)


def test_non_fraction_scales_keep_their_unit(small_frame):
    meta = pd.DataFrame({"benchmark": ["C"], "scale": ["minutes"], "ceiling": [1.0]})
    df = small_frame.copy()
    df.loc[df["benchmark"] == "C", "score"] = [12.0, 30.0, 45.0]  # above 1: fine in minutes
    assert build(df, benchmarks=meta).n_obs == 10


# ---------------------------------------------------------------------- conflicts
def _with_row(frame: pd.DataFrame, **row) -> pd.DataFrame:
    """The frame with one more row: c1 on benchmark A again, with ``row`` changed."""
    extra = {**frame.iloc[0].to_dict(), **row}
    return pd.concat([frame, pd.DataFrame([extra])], ignore_index=True)


@pytest.mark.parametrize(
    ("change", "pattern"),
    [
        ({"weights": "open"}, r"'weights' \(weights\).*'c1': 'closed' \(rows 0, 1, 2\), 'open'"),
        ({"date": "2024-02-01"}, r"'date' \(date\).*'c1': '2024-01-01' \(rows 0, 1, 2\), '2024-02"),
        ({"provider": "host"}, r"'provider' \(provider\).*'c1': 'first-party' .*'host' \(row 10\)"),
        ({"country": "France"}, r"'country' \(country\).*'c1': 'France' \(row 10\)"),
    ],
)
def test_conflicting_duplicate_rows_are_refused_before_merging(small_frame, change, pattern):
    """A repeated (model, benchmark) pair that disagrees on a per-model column is not merged."""
    df = _with_row(small_frame.assign(provider=None), score=0.9, **change)
    for policy in ("max", "first"):
        with pytest.raises(ScoreDataError, match=pattern):
            build(df, provider="provider", country="country", duplicates=policy)


def test_conflicts_on_rows_without_a_score_do_not_count(small_frame):
    df = _with_row(small_frame, score=None, weights="open", date="2024-02-01")
    with pytest.warns(DroppedRowsWarning, match="without a score"):
        data = build(df)
    assert data.models.loc["c1", "weights"] == "closed"


def test_blank_descriptive_cells_take_the_models_value(small_frame):
    df = small_frame.copy()
    df.loc[1, "country"] = None  # c1's other rows say United States of America
    data = build(df, country="country")
    assert (data.scores.loc[data.scores["model"] == "c1", "country"].nunique()) == 1
    assert data.models.loc["c1", "country"] == "United States of America"


# ---------------------------------------------------------------------- options
@pytest.mark.parametrize(
    ("kw", "pattern"),
    [
        ({"duplicates": "maximum"}, r"duplicates='maximum' is not an option.*'max'"),
        ({"sparse_benchmarks": "ignore"}, r"sparse_benchmarks='ignore'.*'raise', 'drop'"),
        ({"min_models_per_benchmark": 0}, r"min_models_per_benchmark=0: must be at least 1"),
        ({"min_models_per_benchmark": 1.5}, r"min_models_per_benchmark=1.5: give a whole"),
        ({"min_models_per_benchmark": "2"}, r"min_models_per_benchmark='2'"),
        ({"min_models_per_benchmark": True}, r"min_models_per_benchmark=True"),
        ({"registry": "no"}, r"registry='no': use True or False"),
        ({"require_both_sides": None}, r"require_both_sides=None"),
        ({"reference": "eci.csv"}, r"reference: expected a pandas DataFrame"),
    ],
)
def test_invalid_from_frame_options_name_the_option(small_frame, kw, pattern):
    with pytest.raises(ScoreDataError, match=pattern):
        build(small_frame, **kw)


@pytest.mark.parametrize(
    ("kw", "pattern"),
    [
        ({"weights": "half"}, r"weights='half' is not an option.*'closed', 'open'"),
        ({"countries_apply_to": "opne"}, r"countries_apply_to='opne'.*'open', 'closed', 'both'"),
        ({"access": "secret"}, r"access='secret' is not an option.*'private', 'public'"),
        ({"scale": "fractoin"}, r"scale='fractoin' is not an option"),
        ({"min_models_per_benchmark": 0}, r"min_models_per_benchmark=0"),
        ({"start": "R1"}, r"start='R1' is not a date"),
        ({"end": 2024.5}, r"end=2024.5 is not a date"),
        ({"country": "Chnia"}, r"country: no model of the data is from 'Chnia'.*China"),
        ({"benchmarks": 3}, r"benchmarks=3: give a name or a list of names"),
        ({"models": ["c1", 2]}, r"models: names must be strings, got 2"),
    ],
)
def test_invalid_subset_options_name_the_option(small_data, kw, pattern):
    with pytest.raises(ScoreDataError, match=pattern):
        small_data.subset(**kw)


def test_other_literal_options_are_checked(small_data):
    with pytest.raises(ScoreDataError, match=r"by='sources' is not an option.*None, 'source'"):
        small_data.describe(by="sources")
    with pytest.raises(ScoreDataError, match=r"how='median' is not an option"):
        small_data.merge_groups(how="median")  # type: ignore[arg-type]


def test_a_string_is_one_name_not_its_letters(small_frame):
    df = _renamed(small_frame, {"A": "MMLU", "B": "GSM", "C": "HLE"})
    data = build(df, registry=False)
    assert set(data.subset(exclude_benchmarks="MMLU").scores["benchmark"]) == {"GSM", "HLE"}
    assert set(data.subset(benchmarks="MMLU").scores["benchmark"]) == {"MMLU"}
    assert set(data.subset(models="c1").models.index) == {"c1"}
    with pytest.raises(ScoreDataError, match=r"exclude_benchmarks: unknown benchmark.*'MMLU-Pro'"):
        data.subset(exclude_benchmarks="MMLU-Pro")


@pytest.mark.parametrize("scale", ["fractoin", "percent", "minute"])
def test_scale_typo_in_metadata_names_the_benchmark_and_known_scales(small_frame, scale):
    meta = pd.DataFrame({"benchmark": ["B"], "scale": [scale]})
    with pytest.raises(
        ScoreDataError, match=rf"'scale' has '{scale}' for benchmark\(s\) B; known scales: fraction"
    ):
        build(small_frame, benchmarks=meta)


@pytest.mark.parametrize("scale", ["minutes", "hours", "tokens", "elo", "rating", " Fraction "])
def test_known_scales_are_accepted(small_frame, scale):
    meta = pd.DataFrame({"benchmark": ["C"], "scale": [scale]})
    data = build(small_frame, benchmarks=meta)
    assert data.benchmarks.loc["C", "scale"] == scale.strip().lower()


# ---------------------------------------------------------------------- never mutate
def test_caller_frames_are_never_mutated_even_in_awkward_shapes(small_frame):
    """Repeated index labels, tz-aware dates, metadata indexed by name: all left as given."""
    df = small_frame.assign(
        date=pd.to_datetime(small_frame["date"]).dt.tz_localize("Europe/Paris"),
        provider=[" host "] * 2 + [None] * 8,
        group=[""] * 10,
    )
    df = _with_row(df, score=0.1).set_axis([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5])
    df.loc[:, "model"] = df["model"].where(df["provider"].isna(), "c1-host")
    meta = pd.DataFrame(
        {"access": ["public", "private"], "ceiling": [1.0, 0.9], "scale": ["Fraction", "fraction"]},
        index=pd.Index(["A ", "B"], name="benchmark"),
    )
    before, meta_before = df.copy(deep=True), meta.copy(deep=True)
    data = build(df, benchmarks=meta, provider="provider", model_group="group", country="country")
    data.subset(exclude_benchmarks="C").merge_groups()
    pd.testing.assert_frame_equal(df, before)
    pd.testing.assert_frame_equal(meta, meta_before)
    assert data.benchmarks.loc["A", "access"] == "public"


# ---------------------------------------------------------------------- vague errors
def _probe(frame: pd.DataFrame, case: str) -> tuple[pd.DataFrame, dict]:
    """Bad or awkward input a user can feed from_frame: (frame, extra keyword arguments)."""
    df = frame.copy()
    if case == "duplicate score column":
        return pd.concat([df, df[["score"]]], axis=1), {}
    if case == "meta without benchmark column":
        return df, {"benchmarks": pd.DataFrame({"access": ["public"] * 3})}
    if case == "meta as a dict":
        return df, {"benchmarks": {"benchmark": ["A"], "access": ["public"]}}
    if case == "meta with a blank name":
        return df, {
            "benchmarks": pd.DataFrame({"benchmark": ["A", np.nan], "access": ["public"] * 2})
        }
    if case == "blank benchmark name":
        df.loc[2, "benchmark"] = np.nan
        return df, {}
    if case == "inf on a minutes benchmark":
        df.loc[df["benchmark"] == "C", "score"] = [12.0, np.inf, 4.0]
        return df, {"benchmarks": pd.DataFrame({"benchmark": ["C"], "scale": ["minutes"]})}
    if case == "-inf score":
        df.loc[0, "score"] = -np.inf
        return df, {}
    if case == "years as numbers":
        return df.assign(date=2024), {}
    if case == "complex scores":
        return df.assign(score=df["score"] + 0j), {}
    if case == "no rows":
        return df.iloc[:0], {}
    if case == "every date blank":
        return df.assign(date=None), {}
    if case == "repeated index labels":
        df.loc[9, "score"] = 7.0
        return df.set_axis([0] * len(df)), {}
    if case == "placeholder benchmark release date":
        return df, {
            "benchmarks": pd.DataFrame({"benchmark": ["A"], "release_date": ["1970-01-01"]})
        }
    raise AssertionError(case)


PROBES = {
    "duplicate score column": r"'score' \(score\) appear more than once",
    "meta without benchmark column": r"needs a 'benchmark' column.*it has columns access",
    "meta as a dict": r"benchmarks= table: expected a pandas DataFrame, got dict",
    "meta with a blank name": r"blank benchmark names in rows \(by position\) 1",
    "blank benchmark name": r"column 'benchmark' \(benchmark\) is empty in rows 2",
    "inf on a minutes benchmark": r"infinite values in rows 7 \(benchmarks C\)",
    "-inf score": r"infinite values in rows 0 \(benchmarks A\)",
    "years as numbers": r"column 'date' \(date\) holds numbers",
    "complex scores": r"holds complex numbers",
    "no rows": r"no scores left.*of the source's 0 row",
    "every date blank": r"no scores left.*10 no release date",
    "repeated index labels": r"outside \[0, ceiling\].* rows 9: 'C'",
    "placeholder benchmark release date": r"metadata column 'release_date' has dates before 2000",
}


@pytest.mark.parametrize("case", list(PROBES))
def test_bad_input_gets_a_score_data_error_saying_what_to_fix(small_frame, case):
    df, kw = _probe(small_frame, case)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DroppedRowsWarning)
        with pytest.raises(ScoreDataError, match=PROBES[case]):
            build(df, **kw)


def test_awkward_but_valid_input_is_handled(small_frame):
    """Integer model ids, categorical columns and padded labels read as text."""
    ids = {"c1": 1, "c2": 2, "o1": 3, "o2": 4}
    data = build(small_frame.assign(model=small_frame["model"].map(ids)))
    assert sorted(data.models.index) == ["1", "2", "3", "4"]
    cat = small_frame.assign(
        model=small_frame["model"].astype("category"),
        weights=small_frame["weights"].astype("category"),
        date=small_frame["date"].astype("category"),
    )
    assert build(cat).n_models == 4
