"""The bundled datasets, loaded offline.

Two real datasets ship inside the package, both from Epoch AI's Benchmarking Hub (CC-BY 4.0; cite
Epoch AI, 'AI Benchmarking Hub', https://epoch.ai/benchmarks). Each folder carries its README with
the licence and provenance.

``epoch-hub-2026-04`` (the default)
    An unmodified copy of Epoch's ``benchmark_data.zip`` export of April 2026 (models released up
    to 2026-04-16), read by :func:`irtgap.load_epoch_hub` with the shipped benchmark registry.
``epoch-2025-11``
    The earlier tidy snapshot (November 2025, built from epoch-research/benchmark-stitching, MIT),
    kept so that earlier figures reproduce.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Final

import pandas as pd

from irtgap.core.errors import ScoreDataError
from irtgap.data.scoredata import ScoreData

#: The dataset loaded when none is named.
DEFAULT: Final = "epoch-hub-2026-04"
#: The earlier tidy snapshot.
SNAPSHOT: Final = "epoch-2025-11"
#: Bundled datasets and what each is.
DATASETS: Final = {
    DEFAULT: "Epoch AI Benchmarking Hub export, April 2026 (models up to 2026-04-16)",
    SNAPSHOT: "Epoch AI tidy snapshot, November 2025 (benchmark-stitching)",
}


def dataset_path(name: str = DEFAULT) -> Path:
    """Folder of a bundled dataset (its CSV files and README)."""
    if name not in DATASETS:
        raise ScoreDataError(f"unknown dataset {name!r}; bundled: {', '.join(DATASETS)}")
    return Path(str(files("irtgap.data") / "bundled" / name))


def snapshot_path(name: str = SNAPSHOT) -> Path:
    """Folder of a bundled dataset (kept for earlier code; see :func:`dataset_path`)."""
    return dataset_path(name)


def read_snapshot_tables(path: str | Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Raw ``scores.csv`` and ``benchmarks.csv`` of a tidy snapshot folder (Nov 2025 if None)."""
    folder = Path(path) if path is not None else dataset_path(SNAPSHOT)
    scores = pd.read_csv(folder / "scores.csv")
    benchmarks = pd.read_csv(folder / "benchmarks.csv")
    return scores, benchmarks


def load_dataset(name: str = DEFAULT, *, duplicates: str = "max") -> ScoreData:
    """Load a bundled dataset by name (see the module docstring); no network access.

    Parameters
    ----------
    name : {"epoch-hub-2026-04", "epoch-2025-11"}
        The April 2026 Hub export (default) or the November 2025 snapshot.
    duplicates : str
        How repeated (model, benchmark) rows merge (see :meth:`ScoreData.from_frame`).

    Examples
    --------
    The default, Epoch AI's Hub export of April 2026 (CC-BY 4.0: cite Epoch AI, 'AI Benchmarking
    Hub', https://epoch.ai/benchmarks). Loading it warns with the counts of the rows it drops
    (``DroppedRowsWarning``); ``data.describe(by="source")`` accounts for every file:

    >>> import warnings, irtgap
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     data = irtgap.load_dataset()
    >>> data.n_obs, data.n_models, data.n_benchmarks
    (2521, 564, 48)
    >>> str(data.describe()["date_max"])
    '2026-04-16'

    The November 2025 snapshot, for earlier figures:

    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     old = irtgap.load_dataset("epoch-2025-11")
    >>> int(old.describe()["n_raw_rows"])
    2525
    """
    if name == SNAPSHOT:
        return _load_tidy(dataset_path(SNAPSHOT), duplicates=duplicates)
    from irtgap.data.hub import load_epoch_hub

    return load_epoch_hub(dataset_path(name), duplicates=duplicates)


def load_epoch_snapshot(path: str | Path | None = None, *, duplicates: str = "max") -> ScoreData:
    """Load a bundled dataset (the default when given nothing) or a tidy snapshot folder.

    ``path`` may be a bundled dataset's name (``"epoch-2025-11"`` for the November 2025
    snapshot), a folder in the tidy snapshot's format (``scores.csv`` + ``benchmarks.csv``), or
    ``None`` for the default dataset (:data:`DEFAULT`, the April 2026 Hub export).
    """
    if path is None or str(path) in DATASETS:
        return load_dataset(str(path) if path is not None else DEFAULT, duplicates=duplicates)
    return _load_tidy(Path(path), duplicates=duplicates)


def _load_tidy(folder: Path, *, duplicates: str) -> ScoreData:
    """The tidy snapshot: 2,525 raw rows; 81 undated and SuperGLUE dropped, 589 merged."""
    scores, benchmarks = read_snapshot_tables(folder)
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
