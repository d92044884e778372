"""The Epoch Hub loader on the real export layout: small zips built from real rows, and the
bundled April 2026 export itself (folder and zip)."""

from __future__ import annotations

import io
import os
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

import irtgap
from irtgap import DroppedRowsWarning, ScoreDataError
from irtgap.data.datasets import dataset_path
from irtgap.data.hub import load_epoch_hub, read_accessibility_overrides
from irtgap.data.registry import read_registry

HUB = dataset_path("epoch-hub-2026-04")

#: Versions scored on GPQA diamond and Aider polyglot (both sides), plus a hosted copy and a
#: version Epoch leaves without an accessibility label.
VERSIONS = [
    "gpt-4o-2024-11-20",
    "gpt-4.1-2025-04-14",
    "claude-3-7-sonnet-20250219",
    "o3-mini-2025-01-31_high",
    "DeepSeek-R1",
    "DeepSeek-R1-0528",
    "DeepSeek-V3",
    "gemma-3-27b-it",
    "chutes/DeepSeek-R1-0528",
    "claude-opus-4-7_xhigh",
]


def _real(file: str, versions: list[str] | None = None, *, blank: int = 0) -> str:
    """Rows of a real export file (the given versions, plus ``blank`` blank-version rows)."""
    raw = pd.read_csv(HUB / file, dtype=str, keep_default_na=False)
    keep = raw["Model version"].isin(versions or VERSIONS)
    blank_rows = raw.index[raw["Model version"] == ""][:blank]
    keep.loc[blank_rows] = True
    return raw[keep].to_csv(index=False)


def _files() -> dict[str, str]:
    return {
        "gpqa_diamond.csv": _real("gpqa_diamond.csv"),
        "aider_polyglot_external.csv": _real("aider_polyglot_external.csv", blank=2),
        "otis_mock_aime_2024_2025.csv": _real("otis_mock_aime_2024_2025.csv"),
        "fictionlivebench_external.csv": _real("fictionlivebench_external.csv"),
        "frontiermath.csv": _real("frontiermath.csv"),
        "swe_bench_bash.csv": _real("swe_bench_bash.csv"),
        "swe_bench_verified.csv": _real("swe_bench_verified.csv"),
        "mystery_bench_external.csv": "Model version,Score\ngpt-4o-2024-11-20,0.5\n",
        "epoch_capabilities_index.csv": _real("epoch_capabilities_index.csv"),
        "README.md": (HUB / "README.md").read_text(),
    }


def _write_zip(path: Path, files: dict[str, str], *, top: str = "benchmark_data/") -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, text in files.items():
            zf.writestr(top + name, text)
    return path


@pytest.fixture
def export_zip(tmp_path: Path) -> Path:
    return _write_zip(tmp_path / "benchmark_data.zip", _files())


def _load(path: Path, **kw):
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        data = load_epoch_hub(path, **kw)
    return data, " | ".join(str(w.message) for w in rec)


def test_real_rows_of_each_kind(export_zip):
    data, msg = _load(export_zip)
    s = data.scores.set_index(["model", "benchmark"])["score"]
    # percent scale: Aider's "Percent correct" 71.4 becomes a fraction
    raw = pd.read_csv(HUB / "aider_polyglot_external.csv").set_index("Model version")
    assert s["DeepSeek-R1-0528", "Aider polyglot"] == pytest.approx(
        raw.loc["DeepSeek-R1-0528", "Percent correct"] / 100
    )
    assert data.benchmarks.loc["Aider polyglot", "scale"] == "fraction"
    assert data.benchmarks.loc["Aider polyglot", "source_scale"] == "percent"
    # GPQA: Epoch-run, "Best score (across scorers)"
    gp = pd.read_csv(HUB / "gpqa_diamond.csv").set_index("Model version")
    assert s["DeepSeek-R1", "GPQA diamond"] == pytest.approx(
        gp.loc["DeepSeek-R1", "Best score (across scorers)"]
    )
    # blank version rows: counted per file with their reason
    src = data.describe(by="source")
    assert src.loc["Aider polyglot", "dropped_blank_version"] == 2
    assert "2 with blank model version" in msg
    # an unknown file: skipped, named, and the message says how to declare it
    assert "mystery_bench_external.csv" in msg and "score_column" in msg
    assert data.log["unregistered_files"] == ["mystery_bench_external.csv"]
    # a hosted copy: provider row of its first-party version's group
    models = data.models
    assert models.loc["chutes/DeepSeek-R1-0528", "provider"] == "chutes"
    assert (
        models.loc["chutes/DeepSeek-R1-0528", "model_group"]
        == models.loc["DeepSeek-R1-0528", "model_group"]
    )
    # a blank accessibility filled by the shipped overrides
    assert models.loc["claude-opus-4-7_xhigh", "weights"] == "closed"
    assert data.log["n_accessibility_from_overrides"] >= 1
    # registry metadata
    assert data.benchmarks.loc["GPQA diamond", "access"] == "public"
    assert data.benchmarks.loc["GPQA diamond", "random_baseline"] == pytest.approx(0.25)
    assert data.benchmarks.loc["GPQA diamond", "domain"] == "knowledge-qa"
    # Epoch's published ECI kept as reference
    ref = data.reference.set_index("model")
    assert ref.loc["DeepSeek-R1", "eci"] == pytest.approx(
        pd.read_csv(HUB / "epoch_capabilities_index.csv")
        .set_index("Model version")
        .loc["DeepSeek-R1", "ECI Score"]
    )


def test_folder_and_zip_give_the_same_data(tmp_path, export_zip):
    folder = tmp_path / "unpacked"
    with zipfile.ZipFile(export_zip) as zf:
        zf.extractall(folder)
    a, _ = _load(export_zip)
    b, _ = _load(folder)
    pd.testing.assert_frame_equal(a.scores, b.scores)
    pd.testing.assert_frame_equal(a.benchmarks, b.benchmarks)


def test_superseded_benchmark_declared_through_benchmarks(export_zip):
    over = pd.DataFrame(
        {"benchmark": ["SWE-Bench verified (bash only)"], "superseded_by": ["SWE-Bench verified"]}
    )
    data, msg = _load(export_zip, benchmarks=over)
    newer = set(data.scores.loc[data.scores["benchmark"] == "SWE-Bench verified", "model"])
    older = set(
        data.scores.loc[data.scores["benchmark"] == "SWE-Bench verified (bash only)", "model"]
    )
    assert newer and not (newer & older)
    assert "superseded" in msg


def test_declaring_an_unknown_file_loads_it(export_zip):
    over = pd.DataFrame(
        {
            "benchmark": ["Mystery"],
            "file": ["mystery_bench_external.csv"],
            "score_column": ["Score"],
            "scale": ["fraction"],
        }
    )
    data, _ = _load(export_zip, benchmarks=over, sparse_benchmarks="drop")
    assert "mystery_bench_external.csv" not in data.log["unregistered_files"]
    src = data.describe(by="source")
    assert src.loc["Mystery", "rows_loaded"] == 1
    assert src.loc["Mystery", "status"].startswith("left out")  # one model: too few


def test_registry_typo_is_an_error(export_zip):
    over = pd.DataFrame({"benchmark": ["GPQA diamond"], "scale": ["fractoin"]})
    with pytest.raises(ScoreDataError, match=r"'scale'.*fractoin.*GPQA diamond"):
        load_epoch_hub(export_zip, benchmarks=over)


def test_item_counts_declared_through_benchmarks(export_zip):
    """``n_items`` given for a benchmark reaches its metadata (and the model's resolution);
    the shipped registry leaves it blank on these benchmarks; a count that is not whole is
    named."""
    over = pd.DataFrame({"benchmark": ["OTIS Mock AIME 2024-2025"], "n_items": [45]})
    data, _ = _load(export_zip, benchmarks=over)
    items = data.benchmarks["n_items"]
    assert items["OTIS Mock AIME 2024-2025"] == 45
    assert items.drop("OTIS Mock AIME 2024-2025").isna().all()
    over["n_items"] = [0.5]
    with pytest.raises(ScoreDataError, match=r"benchmarks= table.*'n_items'.*OTIS"):
        load_epoch_hub(export_zip, benchmarks=over)


def test_standard_errors_summarised_per_benchmark(export_zip):
    """A file's declared standard-error column becomes the benchmark's ``stderr_items`` (the
    binomial item count of its median error, from the rows loaded), counted in
    ``describe(by="source")``; a declared column the file lacks is said there, not guessed."""
    data, _ = _load(export_zip)
    raw = pd.read_csv(io.StringIO(_files()["gpqa_diamond.csv"]))
    y, se = raw["Best score (across scorers)"], raw["stderr"]
    ok = (se > 0) & (y > 0) & (y < 1)
    expect = float(np.median((y * (1 - y) / se**2)[ok]))
    items = data.benchmarks["stderr_items"]
    assert items["GPQA diamond"] == pytest.approx(expect)
    assert 100 < expect < 1000  # 198 questions, averaged over repeated runs
    assert np.isnan(items["Aider polyglot"])  # no standard error in the file
    src = data.describe(by="source").set_index("file")
    assert src.loc["gpqa_diamond.csv", "rows_stderr"] == ok.sum()
    over = pd.DataFrame({"benchmark": ["GPQA diamond"], "stderr_column": ["nope"]})
    data, _ = _load(export_zip, benchmarks=over)
    assert np.isnan(data.benchmarks.loc["GPQA diamond", "stderr_items"])
    src = data.describe(by="source").set_index("file")
    assert src.loc["gpqa_diamond.csv", "stderr_read"] == "none: no column 'nope'"


@pytest.mark.parametrize("bad", ["../evil.csv", "/etc/x.csv"])
def test_unsafe_member_refused(tmp_path, bad):
    path = tmp_path / "evil.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in _files().items():
            zf.writestr(name, text)
        zf.writestr(bad, "x")
    with pytest.raises(ScoreDataError, match="refusing archive member"):
        load_epoch_hub(path)


def test_size_caps(tmp_path, export_zip):
    with pytest.raises(ScoreDataError, match="per file"):
        load_epoch_hub(export_zip, max_member_bytes=1000)
    with pytest.raises(ScoreDataError, match="add up to more than"):
        load_epoch_hub(export_zip, max_total_bytes=10_000)
    # a bomb: a small archive that inflates far past the cap
    bomb = tmp_path / "bomb.zip"
    files = _files()
    files["gpqa_diamond.csv"] += "x" * 5_000_000
    _write_zip(bomb, files)
    assert bomb.stat().st_size < 200_000
    with pytest.raises(ScoreDataError, match=r"gpqa_diamond\.csv"):
        load_epoch_hub(bomb, max_member_bytes=1_000_000)


def test_corrupt_member_named(tmp_path, export_zip):
    raw = bytearray(export_zip.read_bytes())
    with zipfile.ZipFile(export_zip) as zf:
        info = zf.getinfo("benchmark_data/gpqa_diamond.csv")
    h = info.header_offset  # local header: name and extra lengths at bytes 26-29
    start = h + 30 + int.from_bytes(raw[h + 26 : h + 28], "little")
    start += int.from_bytes(raw[h + 28 : h + 30], "little")
    for k in range(start + 10, start + 40):
        raw[k] ^= 0xFF
    bad = tmp_path / "corrupt.zip"
    bad.write_bytes(bytes(raw))
    with pytest.raises(ScoreDataError, match=r"gpqa_diamond\.csv.*corrupt"):
        load_epoch_hub(bad)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_symlink_out_of_folder_refused(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    for name, text in _files().items():
        (folder / name).write_text(text)
    secret = tmp_path / "secret.csv"
    secret.write_text("Model version,Score\n")
    (folder / "weirdml_external.csv").symlink_to(secret)
    with pytest.raises(ScoreDataError, match="symbolic link"):
        load_epoch_hub(folder)


def test_missing_index_file_is_an_error(tmp_path):
    files = _files()
    del files["epoch_capabilities_index.csv"]
    path = _write_zip(tmp_path / "x.zip", files)
    with pytest.raises(ScoreDataError, match=r"epoch_capabilities_index\.csv"):
        load_epoch_hub(path)


def test_not_an_export(tmp_path):
    p = tmp_path / "x.txt"
    p.write_text("hello")
    with pytest.raises(ScoreDataError, match="neither a folder nor a zip"):
        load_epoch_hub(p)


# ---------------------------------------------------------------- the bundled export itself
@pytest.fixture(scope="module")
def hub_data() -> irtgap.ScoreData:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DroppedRowsWarning)
        return irtgap.load_dataset()


def test_registry_covers_every_file_of_the_export():
    reg = read_registry()
    files = {p.name for p in HUB.glob("*.csv")} - {"epoch_capabilities_index.csv"}
    assert files == set(reg["file"])
    for name, row in reg.iterrows():
        cols = pd.read_csv(HUB / row["file"], nrows=0).columns
        assert row["score_column"] in cols, name


def test_overrides_cover_blank_accessibility_with_provenance():
    ov = read_accessibility_overrides()
    assert ov["provenance"].notna().all()
    eci = pd.read_csv(HUB / "epoch_capabilities_index.csv")
    eci = eci.set_index(eci["Model version"].str.strip())
    blank = set(eci.index[eci["Model accessibility"].isna()])
    assert set(ov.index) <= blank  # overrides never replace a label Epoch gives


def test_bundled_default_is_the_april_2026_export(hub_data):
    assert hub_data.log["source"].endswith("epoch-hub-2026-04")
    assert str(hub_data.scores["date"].max().date()) == "2026-04-16"
    every = hub_data.describe(by="source")
    files = [p for p in HUB.rglob("*") if p.is_file()]
    assert sorted(every["file"]) == sorted(p.relative_to(HUB).as_posix() for p in files)
    assert every["status"].notna().all()  # every file accounted for, with what became of it
    other = every[every["kind"] != "benchmark scores"]
    assert dict(zip(other["file"], other["status"].str.split(":").str[0], strict=True)) == {
        "README.md": "not read",
        "PROVENANCE.md": "not read",
        "epoch_capabilities_index.csv": "read",
        "additional_eci_data/eci_benchmark_difficulties_and_slopes.csv": "not read",
        "additional_eci_data/eci_scaling.csv": "not read",
    }
    src = every[every["kind"] == "benchmark scores"]
    assert len(src) == len(read_registry())
    assert (src["read_as"] == "benchmark registry").all()
    left_out = src[src["status"] != "kept"]
    assert set(left_out.index) == {"SuperGLUE"}  # one dated model: too few, with its reason
    # every raw row is accounted for: kept, merged or dropped with a reason
    count = [c for c in src.columns if c.startswith("dropped_") and c != "dropped_blank_version"]
    loaded = src["rows_loaded"]
    assert (
        loaded == src["pairs_kept"] + src[count].drop(columns="dropped_no_score").sum(axis=1)
    ).all()


def test_bundled_zip_and_folder_load_the_same(tmp_path, hub_data):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(HUB.rglob("*")):
            if p.is_file():
                zf.write(p, "benchmark_data/" + p.relative_to(HUB).as_posix())
    path = tmp_path / "benchmark_data.zip"
    path.write_bytes(buf.getvalue())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DroppedRowsWarning)
        z = load_epoch_hub(path)
    pd.testing.assert_frame_equal(z.scores, hub_data.scores)


def test_fit_eci_reproduces_epochs_published_eci(hub_data):
    """Epoch's ECI in the export's epoch_capabilities_index.csv, within 1.5 points on average."""
    res = irtgap.fit_eci(hub_data, n_bootstrap=0)
    ref = hub_data.reference.groupby("model_group")["eci"].max()
    caps = res.capabilities()["estimate"]
    common = caps.index.intersection(ref.index)
    assert len(common) >= 140
    err = (caps[common] - ref[common]).abs()
    assert spearmanr(caps[common], ref[common]).correlation >= 0.99
    assert err.mean() <= 1.5
    # the two scale anchors are exact by construction, the rest are not
    assert np.isclose(err, 0).sum() <= 4


def test_threshold_worked_example_holds_on_default(hub_data):
    res = irtgap.threshold_gap(hub_data, n_bootstrap=0)
    p = res.points.set_index(["benchmark", "threshold"]).loc[("GPQA diamond", 0.6)]
    assert p["closed_model"].startswith("o1-mini-2024-09-12")
    assert p["open_model"] == "DeepSeek-R1"
    assert p["gap_months"] == pytest.approx(4.27, abs=0.01)


def test_threshold_categories_come_from_registry_domains(hub_data):
    """The export has no is_coding / is_math flags: the registry's domains give the categories."""
    res = irtgap.threshold_gap(hub_data, by="category", n_bootstrap=0)
    assert {"coding", "math", "other"} <= set(res.trend["group"])
    coding = set(res.points.loc[res.points["benchmark"].isin(["Aider polyglot"]), "benchmark"])
    assert coding  # Aider crossings exist and are coding
