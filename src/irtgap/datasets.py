"""The bundled Epoch AI snapshot, loaded offline.

The CSVs in ``irtgap/bundled/epoch-2025-11/`` are a copy of a November 2025 snapshot of Epoch AI's
Benchmarking Hub (CC-BY 4.0; cite Epoch AI, 'Capabilities & Benchmarking',
https://epoch.ai/benchmarks), as published in epoch-research/benchmark-stitching (MIT). Its
README, shipped beside the CSVs, gives provenance and column meanings.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import pandas as pd

from irtgap.scoredata import ScoreData

SNAPSHOT = "epoch-2025-11"


def snapshot_path(name: str = SNAPSHOT) -> Path:
    """Folder of a bundled snapshot (CSV files and README)."""
    return Path(str(files("irtgap") / "bundled" / name))


def read_snapshot_tables(path: str | Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The raw ``scores.csv`` and ``benchmarks.csv`` of a snapshot folder (bundled by default)."""
    folder = Path(path) if path is not None else snapshot_path()
    scores = pd.read_csv(folder / "scores.csv")
    benchmarks = pd.read_csv(folder / "benchmarks.csv")
    return scores, benchmarks


def load_epoch_snapshot(path: str | Path | None = None, *, duplicates: str = "max") -> ScoreData:
    """Load the bundled Epoch AI snapshot (or a folder in the same format) as a ScoreData.

    The raw table has 2,525 rows; 81 have no release date and are dropped with a warning, 589
    repeat an existing (model version, benchmark) pair and are merged with ``duplicates`` (the
    maximum by default, as Epoch does). SuperGLUE is left with a single dated model and is dropped
    with a warning. No network access is involved.

    Examples
    --------
    >>> import warnings, irtgap
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     data = irtgap.load_epoch_snapshot()
    >>> int(data.describe()["n_raw_rows"])
    2525
    """
    scores, benchmarks = read_snapshot_tables(path)
    return ScoreData.from_frame(
        scores,
        model="model_version",
        benchmark="benchmark",
        score="score",
        date="release_date",
        weights="weights",
        provider="provider",
        model_group="model_group",
        country="country",
        organization="organization",
        benchmarks=benchmarks,
        duplicates=duplicates,  # type: ignore[arg-type]
        sparse_benchmarks="drop",
    )
