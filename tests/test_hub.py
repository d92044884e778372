"""The Epoch Hub loader round-trips a small hand-made export (folder and zip)."""
# ruff: noqa: E501  (the fixture CSV headers are the real, long ones)

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest

from irtgap import DroppedRowsWarning, ScoreDataError
from irtgap.hub import load_epoch_hub

META = """benchmark,in_eci,source_file,score_column,scale,random_baseline,score_ceiling,release_date,superseded_by
GPQA diamond,True,gpqa.csv,mean_score,1,0.25,1,2023-11-20,
OldBench,True,old.csv,acc,1,0,1,2022-01-01,NewBench
NewBench,True,new.csv,Accuracy (%),0.01,0,1,2024-01-01,
Ghost,False,ghost.csv,acc,1,0,1,2024-01-01,
"""
MODELS = """model_version,model_group,date,display_name,organization,country,accessibility,training_compute_flop
gpt-a,GPT A,2024-01-01,GPT A,OpenAI,United States of America,API access,
gpt-b,GPT B,2024-06-01,GPT B,OpenAI,United States of America,API access,1e25
llama-a,Llama A,2024-02-01,Llama A,Meta,United States of America,Open weights (unrestricted),
qwen-a,Qwen A,2024-08-01,Qwen A,Alibaba,China,Open weights (restricted use),
chutes/qwen-a,Qwen A,2024-08-01,,Alibaba,China,Open weights (restricted use),
,,,,,,,
partial-x,,,,,,,
"""
GPQA = (
    "Model version,mean_score\ngpt-a,0.5\ngpt-b,0.7\nllama-a,0.4\nqwen-a,0.6\nchutes/qwen-a,0.55\n"
)
OLD = "Model version,acc\ngpt-a,0.3\ngpt-b,0.5\nllama-a,0.2\nqwen-a,0.4\n"
NEW = "Model version,Accuracy (%)\ngpt-b,40\nqwen-a,30\n"
ECI = "Model,Display name,eci,eci_ci_low,eci_ci_high,date,Organization,Country (of organization),Model accessibility,Accessibility group,model_versions\nGPT B,GPT B,140,138,142,2024-06-01,OpenAI,USA,API access,Closed,gpt-b\n"


def _files() -> dict[str, str]:
    return {
        "benchmark_metadata.csv": META,
        "model_metadata.csv": MODELS,
        "gpqa.csv": GPQA,
        "old.csv": OLD,
        "new.csv": NEW,
        "epoch_capabilities_index/eci_scores.csv": ECI,
    }


@pytest.fixture
def export_dir(tmp_path: Path) -> Path:
    root = tmp_path / "benchmark_data"
    for name, text in _files().items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


@pytest.fixture
def export_zip(tmp_path: Path) -> Path:
    path = tmp_path / "benchmark_data.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in _files().items():
            zf.writestr(f"benchmark_data/{name}", text)
    return path


def _load(path: Path):
    with pytest.warns(DroppedRowsWarning) as rec:
        data = load_epoch_hub(path)
    return data, " | ".join(str(w.message) for w in rec)


def test_folder_and_zip_round_trip(export_dir, export_zip):
    a, msg = _load(export_dir)
    b, _ = _load(export_zip)
    pd.testing.assert_frame_equal(a.scores, b.scores)
    assert "ghost.csv" in msg  # the missing source file is named
    s = a.scores.set_index(["model", "benchmark"])["score"]
    assert s["gpt-b", "NewBench"] == pytest.approx(0.40)  # percent x 0.01
    assert s["qwen-a", "GPQA diamond"] == pytest.approx(0.6)
    # superseded: OldBench dropped for models that have NewBench, kept for the others
    old = set(a.scores.loc[a.scores["benchmark"] == "OldBench", "model"])
    assert old == {"gpt-a", "llama-a"}
    assert "superseded" in msg
    assert a.models.loc["chutes/qwen-a", "provider"] == "chutes"
    assert a.models.loc["llama-a", "weights"] == "open"
    assert a.benchmarks.loc["GPQA diamond", "access"] == "public"
    assert a.benchmarks.loc["GPQA diamond", "random_baseline"] == pytest.approx(0.25)
    assert a.reference is not None and a.reference["eci"].tolist() == [140]


@pytest.mark.parametrize("bad", ["../evil.csv", "/etc/x.csv"])
def test_malicious_member_refused(tmp_path, bad):
    path = tmp_path / "evil.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in _files().items():
            zf.writestr(name, text)
        zf.writestr(bad, "x")
    with pytest.raises(ScoreDataError, match="refusing archive member"):
        load_epoch_hub(path)


def test_missing_metadata_is_an_error(tmp_path):
    path = tmp_path / "x.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("gpqa.csv", GPQA)
    with pytest.raises(ScoreDataError, match=r"benchmark_metadata\.csv"):
        load_epoch_hub(path)
