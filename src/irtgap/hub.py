"""Read an export of Epoch AI's Benchmarking Hub (``benchmark_data.zip`` or its folder).

Format (as Epoch AI publishes it):

* ``benchmark_metadata.csv``: ``benchmark, in_eci, source_file, score_column, scale,
  random_baseline, score_ceiling, release_date, superseded_by``;
* one CSV per benchmark, named by ``source_file``, keyed by the column ``Model version``, with the
  score in the column ``score_column``; multiplied by ``scale`` it is a fraction (0.01 for
  percentages);
* ``model_metadata.csv``: ``model_version, model_group, date, display_name, organization,
  country, accessibility, training_compute_flop`` (it has blank and partial rows);
* optionally ``epoch_capabilities_index/eci_scores.csv``, kept as :attr:`ScoreData.reference`.

Policies: files may sit at the archive root or under one top-level folder. A zip is read in memory
and never extracted; a member with an absolute path or a ``..`` component is refused before
anything is read. A benchmark whose file is missing or unreadable, or lacks its columns, is left out
with a :class:`~irtgap.errors.DroppedRowsWarning` naming the file. Fully blank metadata rows are
skipped; models without metadata have no date or weights and are dropped by
:meth:`ScoreData.from_frame` with its count. A benchmark with ``superseded_by`` set is dropped for
the models that have a score on the newer benchmark (counted in a warning). The hub has no public /
private column: access comes from the bundled snapshot's classification for known benchmark names
and is ``unknown`` otherwise. A version named ``host/model`` (or ``host-model``) whose prefix is a
known third-party host gets that host as provider.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from pathlib import Path, PurePosixPath

import pandas as pd

from irtgap.datasets import read_snapshot_tables
from irtgap.errors import DroppedRowsWarning, ScoreDataError
from irtgap.scoredata import ScoreData

#: Third-party hosts recognised in model version ids.
KNOWN_HOSTS = ("chutes", "deepinfra", "fireworks", "parasail", "together", "openrouter", "groq")
ECI_FILE = "epoch_capabilities_index/eci_scores.csv"


class _Source:
    """Files of an export, by path relative to its root, from a zip (in memory) or a folder."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.files: dict[str, bytes | Path] = {}
        if path.is_dir():
            for p in path.rglob("*"):
                if p.is_file():
                    self.files[p.relative_to(path).as_posix()] = p
        elif zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                for info in zf.infolist():
                    name = info.filename
                    parts = PurePosixPath(name.replace("\\", "/")).parts
                    if name.startswith(("/", "\\")) or ".." in parts or ":" in parts[0]:
                        raise ScoreDataError(
                            f"refusing archive member {name!r} in {path}: absolute path or '..'"
                        )
                for info in zf.infolist():
                    if not info.is_dir():
                        self.files[info.filename] = zf.read(info)
        else:
            raise ScoreDataError(f"{path} is neither a folder nor a zip archive")
        # one top-level folder: strip it
        tops = {k.split("/", 1)[0] for k in self.files}
        if len(tops) == 1 and all("/" in k for k in self.files):
            top = tops.pop() + "/"
            self.files = {k[len(top) :]: v for k, v in self.files.items()}

    def read_csv(self, name: str) -> pd.DataFrame:
        src = self.files[name]
        data = src.read_bytes() if isinstance(src, Path) else src
        return pd.read_csv(io.BytesIO(data))

    def __contains__(self, name: str) -> bool:
        return name in self.files


def _provider(version: str) -> str:
    low = version.lower()
    for host in KNOWN_HOSTS:
        if low.startswith((f"{host}/", f"{host}-")):
            return host
    return "first-party"


def load_epoch_hub(
    path: str | Path,
    *,
    duplicates: str = "max",
    sparse_benchmarks: str = "drop",
) -> ScoreData:
    """Load an Epoch AI Benchmarking Hub export (zip or folder) as a :class:`ScoreData`.

    See the module docstring for the format and the policy on each quirk.

    Raises
    ------
    ScoreDataError
        The path is not a zip or folder, an archive member is unsafe, or a metadata file is
        missing; plus every validation error of :meth:`ScoreData.from_frame`.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no such file or folder: {path}")
    src = _Source(path)
    for required in ("benchmark_metadata.csv", "model_metadata.csv"):
        if required not in src:
            raise ScoreDataError(f"{path} has no {required}: not an Epoch Hub export?")
    meta = src.read_csv("benchmark_metadata.csv")
    models = src.read_csv("model_metadata.csv").dropna(how="all")
    models = models[models["model_version"].notna()].drop_duplicates("model_version")

    frames = []
    for _, b in meta.iterrows():
        name, file, col = b["benchmark"], b["source_file"], b["score_column"]
        if file not in src:
            warnings.warn(
                f"left out benchmark {name!r}: its file {file!r} is missing from the export",
                DroppedRowsWarning,
                stacklevel=2,
            )
            continue
        try:
            df = src.read_csv(file)
            scores = pd.to_numeric(df[col], errors="coerce") * float(b.get("scale", 1.0) or 1.0)
            versions = df["Model version"]
        except (KeyError, ValueError, pd.errors.ParserError) as exc:
            warnings.warn(
                f"left out benchmark {name!r}: file {file!r} is unreadable or lacks the "
                f"'Model version' / {col!r} columns ({exc})",
                DroppedRowsWarning,
                stacklevel=2,
            )
            continue
        frames.append(pd.DataFrame({"model_version": versions, "benchmark": name, "score": scores}))
    if not frames:
        raise ScoreDataError(f"no benchmark of {path} could be read")
    scores = pd.concat(frames, ignore_index=True)

    superseded = meta.dropna(subset=["superseded_by"])
    n_sup = 0
    for _, b in superseded.iterrows():
        newer = set(scores.loc[scores["benchmark"] == b["superseded_by"], "model_version"])
        drop = (scores["benchmark"] == b["benchmark"]) & scores["model_version"].isin(newer)
        n_sup += int(drop.sum())
        scores = scores[~drop]
    if n_sup:
        warnings.warn(
            f"dropped {n_sup} score(s) on superseded benchmarks for models that have the newer "
            "version",
            DroppedRowsWarning,
            stacklevel=2,
        )

    table = scores.merge(
        models.rename(columns={"date": "release_date"}), on="model_version", how="left"
    )
    table["provider"] = table["model_version"].astype(str).map(_provider)
    access = read_snapshot_tables()[1].set_index("benchmark")["access"]
    bench = pd.DataFrame(
        {
            "benchmark": meta["benchmark"],
            "access": meta["benchmark"].map(access).fillna("unknown"),
            "random_baseline": pd.to_numeric(meta["random_baseline"], errors="coerce").fillna(0),
            "ceiling": pd.to_numeric(meta["score_ceiling"], errors="coerce").fillna(1.0),
            "release_date": meta["release_date"],
            "scale": "fraction",
        }
    )
    reference = src.read_csv(ECI_FILE) if ECI_FILE in src else None
    return ScoreData.from_frame(
        table,
        model="model_version",
        benchmark="benchmark",
        score="score",
        date="release_date",
        weights="accessibility",
        provider="provider",
        model_group="model_group",
        country="country",
        organization="organization",
        benchmarks=bench,
        duplicates=duplicates,  # type: ignore[arg-type]
        sparse_benchmarks=sparse_benchmarks,  # type: ignore[arg-type]
        reference=reference,
    )
