"""Elicitation in the data: harness and effort labels, the selection rules, the Hub export's
counts."""

from __future__ import annotations

import re
import warnings

import pandas as pd
import pytest

import irtgap
from irtgap import DroppedRowsWarning, ScoreData, ScoreDataError
from irtgap.data import elicitation as E
from irtgap.data.datasets import dataset_path
from irtgap.data.registry import merge_registry

HUB = dataset_path("epoch-hub-2026-04")
COLS = dict(model="model", benchmark="benchmark", score="score", date="date", weights="weights")


@pytest.fixture(scope="module")
def hub() -> ScoreData:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return irtgap.load_dataset()


def agent_frame() -> pd.DataFrame:
    """Two closed and two open models on A (agentic: harnesses H1, H2) and B (no harness)."""
    rows = [
        ("c1", "A", 0.60, "H1"),
        ("c1", "A", 0.70, "H2"),
        ("c1", "A", 0.65, "H2"),  # a repeated run of (c1, A, H2)
        ("c2", "A", 0.50, "H1"),
        ("o1", "A", 0.40, "H1"),
        ("o1", "A", 0.20, "H2"),
        ("o2", "A", 0.30, "H2"),  # no H1 row
        ("c1", "B", 0.50, None),
        ("c2", "B", 0.40, None),
        ("o1", "B", 0.30, None),
        ("o2", "B", 0.35, None),
    ]
    df = pd.DataFrame(rows, columns=["model", "benchmark", "score", "harness"])
    df["date"] = df["model"].map(
        {"c1": "2024-01-01", "c2": "2024-03-01", "o1": "2024-06-01", "o2": "2024-09-01"}
    )
    df["weights"] = df["model"].str[0].map({"c": "closed", "o": "open"})
    return df


def build(df: pd.DataFrame, **kw) -> ScoreData:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DroppedRowsWarning)
        return ScoreData.from_frame(df, **{**COLS, "harness": "harness", **kw})


# ------------------------------------------------------------------------- labels
@pytest.mark.parametrize(
    ("version", "effort"),
    [
        ("gpt-5-2025-08-07_high", "high"),
        ("gpt-5.2-2025-12-11_xhigh", "xhigh"),
        ("o3-2025-04-16_MEDIUM", "medium"),
        ("claude-3-7-sonnet-20250219_16k", "16K"),
        ("claude-opus-4-20250514_32K", "32K"),
        ("glm-4.5_thinking", "thinking"),
        ("o1-mini-2024-09-12_unknown", "unknown"),
        ("gpt-5.1-2025-11-13_none", "none"),
        ("phi-1_5", "default"),
        ("Qwen-1_8B", "default"),
        ("open_llama_7b", "default"),
        ("VideoChat-Flash-Qwen2-7B_res448", "default"),
        ("gpt-4o", "default"),
    ],
)
def test_effort_parsed_from_the_version_name(version, effort):
    assert E.parse_effort(version) == effort


def test_effort_base_strips_only_the_effort_suffix():
    assert E.effort_base("claude-3-7-sonnet-20250219_16k", "16K") == "claude-3-7-sonnet-20250219"
    assert E.effort_base("gpt-4o", "default") == "gpt-4o"
    table = E.effort_table(pd.Series(["o3_low", "o3_high", "o3"]))
    assert table["effort_base"].tolist() == ["o3", "o3", "o3"]
    assert table["effort"].tolist() == ["low", "high", "default"]


def test_harness_readers():
    df = pd.DataFrame(
        {
            "Agent": [" Terminus  2", "o3 (100 steps)", None, "Claude Opus 4.5"],
            "Shots": ["5.0", "0-shot", "few", "0\n"],
            "Name": ["OpenHands + GPT 4o", "Gemini 2.0 Flash", None, "MUSE + Gemini"],
        }
    )
    agent, _ = E.read_harness(df, "agent:Agent")
    assert agent.tolist() == ["Terminus 2", "o3 (100 steps)", "default", "Claude Opus 4.5"]
    steps, _ = E.read_harness(df, "steps:Agent")
    assert steps.tolist() == ["default", "100 steps", "default", "default"]
    shots, _ = E.read_harness(df, "shots:Shots")
    assert shots.tolist() == ["5-shot", "0-shot", "few-shot", "0-shot"]
    prefix, _ = E.read_harness(df, "agent_prefix:Name")
    assert prefix.tolist() == ["OpenHands", "default", "default", "MUSE"]
    fixed, _ = E.read_harness(df, "fixed:bash only")
    assert set(fixed) == {"bash only"}
    none, _ = E.read_harness(df, None)
    assert set(none) == {"default"}
    missing, problem = E.read_harness(df, "agent:Scaffold")
    assert missing is None and "'Scaffold'" in problem


def test_registry_refuses_a_bad_harness_rule():
    with pytest.raises(ScoreDataError, match=r"'Terminal Bench'.*'agents:Agent' is not a harness"):
        merge_registry(pd.DataFrame({"benchmark": ["Terminal Bench"], "harness": ["agents:Agent"]}))
    with pytest.raises(ScoreDataError, match="not a harness rule"):
        E.parse_harness_rule("agent:")


# ------------------------------------------------------------------------- from_frame
def test_best_keeps_the_highest_harness_and_every_row():
    data = build(agent_frame())
    s = data.scores.set_index(["model", "benchmark"])
    assert s.loc[("c1", "A"), "score"] == 0.70 and s.loc[("c1", "A"), "harness"] == "H2"
    assert s.loc[("o1", "A"), "harness"] == "H1"
    assert s.loc[("c1", "B"), "harness"] == "default"
    assert len(data.scores) == 8  # one per pair
    rows = data.elicitation
    assert len(rows) == 10  # the repeated run of (c1, A, H2) merged by max
    assert rows.set_index(["model", "benchmark", "harness"]).loc[("c1", "A", "H2"), "score"] == 0.70
    d = data.describe()
    assert d["n_duplicate_rows_merged"] == 3 and d["n_repeated_runs_merged"] == 1
    assert d["n_elicitation_rows"] == 10 and d["n_pairs_several_harnesses"] == 2
    assert d["n_harness_labels"] == 2 and d["elicitation_rule"] == "best"
    src = data.describe(by="source")
    assert src.loc[
        "A", ["harness_rows_kept", "harness_labels", "harness_runs_merged"]
    ].tolist() == [
        6,
        2,
        1,
    ]


def test_repeated_runs_merge_by_the_declared_policy():
    mean = build(agent_frame(), duplicates="mean").elicitation
    key = mean.set_index(["model", "benchmark", "harness"])["score"]
    assert key.loc[("c1", "A", "H2")] == pytest.approx(0.675)
    with pytest.raises(ScoreDataError, match=r"\(model, benchmark, harness\) key.*'c1', 'A', 'H2'"):
        build(agent_frame(), duplicates="raise")
    ok = agent_frame().drop(index=2)  # rows of other harnesses are no duplicates
    assert len(build(ok, duplicates="raise").scores) == 8


def test_without_a_harness_column_the_scores_are_unchanged(small_frame):
    data = ScoreData.from_frame(small_frame, **COLS)
    assert data.elicitation is None and "harness" not in data.scores.columns
    assert data.select_elicitation("best") is data
    with pytest.raises(ScoreDataError, match="keeps no elicitation rows"):
        data.select_elicitation("Terminus 2")


def test_effort_column_is_one_label_per_model(small_frame):
    df = small_frame.assign(eff=["high"] * 3 + [None] * 7)
    data = ScoreData.from_frame(df, **COLS, effort="eff")
    assert data.scores.groupby("model")["effort"].first().to_dict() == {
        "c1": "high",
        "c2": "default",
        "o1": "default",
        "o2": "default",
    }
    df.loc[1, "eff"] = "low"
    with pytest.raises(ScoreDataError, match=r"column 'eff' \(effort\)"):
        ScoreData.from_frame(df, **COLS, effort="eff")


# ------------------------------------------------------------------------- the rules
def test_reference_harness_drops_or_falls_back_with_counts():
    data = build(agent_frame())
    with pytest.warns(DroppedRowsWarning, match=r"1 version\(s\) without a 'H1' row dropped"):
        ref = data.select_elicitation("H1")
    s = ref.scores.set_index(["model", "benchmark"])
    assert ("o2", "A") not in s.index and s.loc[("c1", "A"), "score"] == 0.60
    assert s.loc[("o1", "A"), "score"] == 0.40
    rec = ref.log["elicitation"]
    assert (rec["n_pairs"], rec["n_pairs_dropped"], rec["n_pairs_fallback"]) == (7, 1, 0)
    assert rec["by_benchmark"]["A"] == {
        "harness": "H1",
        "n_pairs_reference": 3,
        "n_pairs_missing": 1,
    }
    with pytest.warns(DroppedRowsWarning, match="kept their best row"):
        back = data.select_elicitation("H1", missing="best")
    assert back.scores.set_index(["model", "benchmark"]).loc[("o2", "A"), "score"] == 0.30
    assert back.log["elicitation"]["n_pairs_fallback"] == 1
    # back to best: the scores as loaded
    again = ref.select_elicitation("best")
    pd.testing.assert_frame_equal(again.scores, data.scores)


def test_reference_rule_picks_the_most_common_named_harness():
    df = agent_frame()
    assert E.reference_harnesses(build(df).elicitation) == {"A": "H1"}  # 3 versions vs 3: H1 first
    df.loc[len(df)] = ["c2", "A", 0.55, "H2", "2024-03-01", "closed"]
    assert E.reference_harnesses(build(df).elicitation) == {"A": "H2"}


def test_mapping_rule_names_benchmarks_and_harnesses():
    data = build(agent_frame())
    with pytest.raises(ScoreDataError, match=r"unknown benchmark\(s\) 'Z'"):
        data.select_elicitation({"Z": "H1"})
    with pytest.raises(ScoreDataError, match=r"'A' has no row under harness 'H9'.*H1, H2"):
        data.select_elicitation({"A": "H9"})
    with pytest.raises(ScoreDataError, match="no benchmark has a row under harness 'H9'"):
        data.select_elicitation("H9")
    with pytest.raises(ScoreDataError, match="missing"):
        data.select_elicitation("H1", missing="keep")


def test_subset_keeps_the_elicitation_rows_in_step():
    data = build(agent_frame())
    sub = data.subset(models=["c1", "c2", "o1"])
    assert set(sub.elicitation["model"]) == {"c1", "c2", "o1"}
    with pytest.warns(DroppedRowsWarning, match="1 version"):
        assert sub.select_elicitation("H2", missing="best").log["elicitation"]["n_pairs"] == 6


def test_elicitation_data_has_every_row():
    data = build(agent_frame())
    every = data.elicitation_data()
    assert len(every.scores) == 10 and E.several_per_pair(every.scores)
    assert every.log["elicitation"]["rule"] == "all"


def test_a_result_file_keeps_every_elicitation_row():
    """A result saved with its data keeps the elicitation rows, so a fit with the elicitation
    terms rebuilds the same capability units (each effort group's representative is chosen by
    its rows) when it is loaded."""
    import xarray as xr

    from irtgap.results import data_from_tree, data_nodes

    data = build(agent_frame())
    back = data_from_tree(xr.DataTree.from_dict(data_nodes(data)))
    assert back is not None and back.elicitation is not None
    pd.testing.assert_frame_equal(
        back.elicitation.reset_index(drop=True), data.elicitation.reset_index(drop=True)
    )
    assert len(back.elicitation_data().scores) == 10


# ------------------------------------------------------------------------- the Hub export
def test_terminal_bench_keeps_every_version_agent_pair(hub):
    raw = pd.read_csv(HUB / "terminalbench_external.csv", dtype={"Model version": "string"})
    rows = hub.elicitation[hub.elicitation["benchmark"] == "Terminal Bench"]
    named = raw[raw["Model version"].notna()]
    pairs = set(
        zip(named["Model version"].str.strip(), named["Agent"].map(E.normalise_agent), strict=True)
    )
    assert len(rows) == len(pairs) == 148
    assert set(zip(rows["model"], rows["harness"], strict=True)) == pairs
    src = hub.describe(by="source").loc["Terminal Bench"]
    assert src["dropped_blank_version"] == 2 and src["rows_loaded"] == 170
    assert src["harness_runs_merged"] == 170 - 148
    assert src["harness_read"] == "agent in column 'Agent'"
    assert src["pairs_kept"] == rows["model"].nunique() == 50
    # under "best" each version's score is its best agent's
    best = rows.groupby("model")["score"].max()
    kept = hub.scores[hub.scores["benchmark"] == "Terminal Bench"].set_index("model")["score"]
    pd.testing.assert_series_equal(kept.sort_index(), best.sort_index(), check_names=False)


def test_every_effort_variant_carries_its_label(hub):
    models = hub.scores.drop_duplicates("model")
    pattern = re.compile(
        r"_(?:none|minimal|low|medium|high|xhigh|max|thinking|unknown|\d+k)$", re.I
    )
    has_suffix = models["model"].str.contains(pattern)
    assert (models.loc[has_suffix, "effort"] != "default").all()
    assert (models.loc[~has_suffix, "effort"] == "default").all()
    d = hub.describe()
    assert d["n_effort_variants"] == int(has_suffix.sum())


def test_hub_sources_say_how_each_harness_is_read(hub):
    src = hub.describe(by="source")
    assert src.loc["OSWorld", "harness_read"] == "step budget in column 'Agent'"
    assert src.loc["GPQA diamond", "harness_read"] == "none named (default)"
    assert src.loc["SWE-Bench verified (bash only)", "harness_read"].startswith("every row")
    assert (src["harness_read"].notna()).all()
    labels = hub.elicitation.groupby("benchmark")["harness"].unique()
    assert set(labels["OSWorld"]) <= {"15 steps", "50 steps", "100 steps", "default"}
