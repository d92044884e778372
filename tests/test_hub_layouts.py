"""Exports whose layout has moved on: synthetic variants of the bundled export (real rows) with a
new benchmark file, renamed columns, Epoch's own metadata files, a nested folder and upper-case
file names. Each is read as far as it can be, and every file says what became of it."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from irtgap import InputWarning, ScoreDataError
from irtgap.data.hub import load_epoch_hub
from test_hub import HUB
from test_hub import VERSIONS as HUB_VERSIONS

#: The versions of the hub tests scored on both sides, without the hosted copy and the unlabelled.
VERSIONS = [v for v in HUB_VERSIONS if "/" not in v][:8]
FILES = ("gpqa_diamond.csv", "aider_polyglot_external.csv", "otis_mock_aime_2024_2025.csv")


def _rows(file: str) -> pd.DataFrame:
    raw = pd.read_csv(HUB / file, dtype=str, keep_default_na=False)
    return raw[raw["Model version"].isin(VERSIONS)].reset_index(drop=True)


def _base() -> dict[str, pd.DataFrame]:
    files = {f: _rows(f) for f in FILES}
    files["epoch_capabilities_index.csv"] = _rows("epoch_capabilities_index.csv")
    return files


def _write(folder: Path, files: dict[str, pd.DataFrame | str]) -> Path:
    for name, table in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(table, str):
            path.write_text(table)
        else:
            table.to_csv(path, index=False)
    return folder


def _load(path: Path, **kw):
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        data = load_epoch_hub(path, **kw)
    return data, rec


def _messages(rec, category=None) -> str:
    return " | ".join(str(w.message) for w in rec if category is None or w.category is category)


@pytest.fixture
def baseline(tmp_path):
    data, _ = _load(_write(tmp_path / "base", _base()))
    return data


def _new_bench() -> pd.DataFrame:
    """A benchmark file the registry does not know: percent scores of the same versions."""
    return pd.DataFrame(
        {
            "Model version": VERSIONS,
            "Solve rate (%)": [40.0, 55.0, 61.0, 70.0, 52.0, 66.0, 35.0, 20.0],
            "Release date": ["2025-01-01"] * len(VERSIONS),
        }
    )


def _epoch_meta(**scale: float) -> pd.DataFrame:
    """Epoch's benchmark_metadata.csv for the new file (and GPQA diamond)."""
    return pd.DataFrame(
        {
            "benchmark": ["NovelBench", "GPQA diamond"],
            "in_eci": [False, True],
            "source_file": ["novel_bench_external.csv", "gpqa_diamond.csv"],
            "score_column": ["Solve rate (%)", "Best score (across scorers)"],
            "scale": [scale.get("novel", 0.01), 1.0],
            "random_baseline": [0.0, 0.25],
            "score_ceiling": [1.0, 1.0],
            "release_date": ["2025-06-01", "2023-11-20"],
            "superseded_by": [None, None],
        }
    )


def test_new_benchmark_without_metadata_is_skipped_named(tmp_path, baseline):
    files = {**_base(), "novel_bench_external.csv": _new_bench()}
    data, rec = _load(_write(tmp_path / "x", files))
    assert "novel_bench_external.csv" in _messages(rec) and "score_column" in _messages(rec)
    assert data.log["unregistered_files"] == ["novel_bench_external.csv"]
    src = data.describe(by="source").set_index("file")
    assert src.loc["novel_bench_external.csv", "status"].startswith(
        "skipped: not in the benchmark registry; declare it with load_epoch_hub(..., benchmarks="
    )
    pd.testing.assert_frame_equal(data.scores, baseline.scores)


def test_new_benchmark_read_with_epochs_metadata(tmp_path, baseline):
    files = {
        **_base(),
        "novel_bench_external.csv": _new_bench(),
        "benchmark_metadata.csv": _epoch_meta(),
    }
    data, rec = _load(_write(tmp_path / "x", files), sparse_benchmarks="drop")
    msg = _messages(rec, InputWarning)
    assert "novel_bench_external.csv as 'NovelBench' (column 'Solve rate (%)', percent)" in msg
    s = data.scores.set_index(["model", "benchmark"])["score"]
    assert s["DeepSeek-R1", "NovelBench"] == pytest.approx(0.52)  # percent -> fraction
    meta = data.benchmarks.loc["NovelBench"]
    assert meta["access"] == "unknown" and meta["source_scale"] == "percent"
    assert str(meta["release_date"].date()) == "2025-06-01"
    src = data.describe(by="source").set_index("file")
    assert src.loc["novel_bench_external.csv", "read_as"].startswith(
        "inferred from Epoch's benchmark_metadata.csv: score column 'Solve rate (%)', scale percent"
    )
    assert src.loc["benchmark_metadata.csv", "status"].startswith("read: Epoch's score column")
    # the registry's own benchmarks are untouched
    known = data.scores[data.scores["benchmark"] != "NovelBench"].reset_index(drop=True)
    pd.testing.assert_frame_equal(known, baseline.scores, check_like=True)


def test_inferred_scale_that_does_not_fit_is_skipped(tmp_path):
    files = {
        **_base(),
        "novel_bench_external.csv": _new_bench(),
        "benchmark_metadata.csv": _epoch_meta(novel=1.0),  # percent values as fractions
    }
    data, _ = _load(_write(tmp_path / "x", files))
    assert "NovelBench" not in data.benchmarks.index
    status = data.describe(by="source").set_index("file").loc["novel_bench_external.csv", "status"]
    assert status.startswith("skipped: its column 'Solve rate (%)' runs from 20 to 70 as fraction")


def test_key_and_score_columns_renamed_loosely(tmp_path, baseline):
    files = _base()
    files["gpqa_diamond.csv"] = files["gpqa_diamond.csv"].rename(
        columns={"Model version": "model_version", "Best score (across scorers)": "best_score"}
    )
    files["aider_polyglot_external.csv"] = files["aider_polyglot_external.csv"].rename(
        columns={"Percent correct": "percent  correct", "Release date": "release_date"}
    )
    data, rec = _load(_write(tmp_path / "x", files))
    src = data.describe(by="source").set_index("file")
    # case and spacing: read, and said so
    assert (
        "score column 'Percent correct' spelt 'percent  correct'"
        in src.loc["aider_polyglot_external.csv", "read_as"]
    )
    assert src.loc["aider_polyglot_external.csv", "status"] == "kept"
    # a different name: left out, with the file's columns and how to name the score column
    status = src.loc["gpqa_diamond.csv", "status"]
    assert status.startswith("left out: no column(s) ['Best score (across scorers)']")
    assert "'best_score'" in status and "'score_column': [...]" in status
    assert "GPQA diamond" not in data.benchmarks.index
    assert "gpqa_diamond.csv" in _messages(rec)
    # Epoch's metadata naming the new column: read again
    files["benchmark_metadata.csv"] = _epoch_meta().assign(
        score_column=["Solve rate (%)", "best_score"]
    )
    data, _ = _load(_write(tmp_path / "y", files))
    pd.testing.assert_frame_equal(data.scores, baseline.scores)
    how = data.describe(by="source").set_index("file").loc["gpqa_diamond.csv", "read_as"]
    assert "score column 'best_score' from Epoch's benchmark_metadata.csv" in how
    assert "'model_version' read as 'Model version'" in how


def test_nested_folders_and_upper_case_names_read_the_same(tmp_path, baseline):
    files = {f"benchmark_data/benchmarks/{k.upper()}": v for k, v in _base().items()}
    files["benchmark_data/benchmarks/README.md"] = "Epoch AI"
    data, _ = _load(_write(tmp_path / "x", files))
    pd.testing.assert_frame_equal(data.scores, baseline.scores)
    pd.testing.assert_frame_equal(data.reference, baseline.reference)
    src = data.describe(by="source")
    assert set(src["file"]) >= {"benchmarks/GPQA_DIAMOND.CSV", "benchmarks/README.md"}


def test_layout_with_model_metadata_and_eci_per_group(tmp_path, baseline):
    """The later layout: no epoch_capabilities_index.csv, but model_metadata.csv (one row per
    version) and epoch_capabilities_index/eci_scores.csv (ECI per model group)."""
    files = _base()
    index = files.pop("epoch_capabilities_index.csv")
    files["model_metadata.csv"] = pd.DataFrame(
        {
            "model_version": index["Model version"],
            "model_group": index["Model name"],
            "date": index["Release date"],
            "display_name": index["Display name"],
            "organization": index["Organization"],
            "country": index["Country"],
            "accessibility": index["Model accessibility"],
            "training_compute_flop": index["Training compute (FLOP)"],
        }
    )
    groups = index[index["ECI Score"] != ""].drop_duplicates("Model name")
    files["epoch_capabilities_index/eci_scores.csv"] = pd.DataFrame(
        {
            "Model": groups["Model name"],
            "eci": groups["ECI Score"].astype(float),
            "Model accessibility": groups["Model accessibility"],
        }
    )
    data, _ = _load(_write(tmp_path / "x", files))
    pd.testing.assert_frame_equal(data.scores, baseline.scores)
    ref = data.reference.set_index("model")["eci"]
    expected = baseline.reference.drop_duplicates("model_group").set_index("model_group")["eci"]
    assert ref.to_dict() == pytest.approx(expected.to_dict())
    status = data.describe(by="source").set_index("file")["status"]
    assert status["epoch_capabilities_index/eci_scores.csv"].startswith("read: Epoch's published")


def test_without_any_version_table_is_an_error(tmp_path):
    files = _base()
    files.pop("epoch_capabilities_index.csv")
    with pytest.raises(ScoreDataError, match=r"no epoch_capabilities_index.csv \(nor model_meta"):
        _load(_write(tmp_path / "x", files))


def test_boolean_score_column_is_left_out(tmp_path):
    files = _base()
    gp = files["gpqa_diamond.csv"]
    gp["Best score (across scorers)"] = ["True", "False"] * (len(gp) // 2) + ["True"] * (
        len(gp) % 2
    )
    data, rec = _load(_write(tmp_path / "x", files))
    assert "GPQA diamond" not in data.benchmarks.index
    status = data.describe(by="source").set_index("file").loc["gpqa_diamond.csv", "status"]
    assert status == "left out: column 'Best score (across scorers)' holds True/False, not scores"
    assert "holds True/False" in _messages(rec)


def test_known_benchmark_in_a_renamed_file(tmp_path, baseline):
    """Epoch's metadata names the file a registry benchmark moved to: the registry's metadata
    (access, domain) still applies."""
    files = _base()
    files["gpqa_diamond_v2.csv"] = files.pop("gpqa_diamond.csv")
    files["benchmark_metadata.csv"] = _epoch_meta().assign(
        source_file=["novel_bench_external.csv", "gpqa_diamond_v2.csv"]
    )
    data, _ = _load(_write(tmp_path / "x", files))
    pd.testing.assert_frame_equal(data.scores, baseline.scores)
    assert data.benchmarks.loc["GPQA diamond", "access"] == "public"
    how = data.describe(by="source").set_index("file").loc["gpqa_diamond_v2.csv", "read_as"]
    assert how.endswith("file named by Epoch's benchmark_metadata.csv")
