"""Read an export of Epoch AI's Benchmarking Hub (``benchmark_data.zip`` or its folder).

Layout, as Epoch AI publishes it (March and April 2026 exports):

* one CSV per benchmark (``gpqa_diamond.csv``, ``weirdml_external.csv``, ...), keyed by the column
  ``Model version``, each with its own score column (``Best score (across scorers)``,
  ``Accuracy``, ``EM``, ``Percent correct``, ``Time horizon``, ...) and scale (fractions, percent,
  a 0-10 grade, minutes, an arena rating), plus ``Release date``, ``Organization``, ``Country``;
* ``epoch_capabilities_index.csv``: one row per model version with ``Model accessibility`` (open
  weights or API; blank for some versions), ``Model name`` (the model a version belongs to),
  ``Release date`` and Epoch's published ``ECI Score``;
* ``additional_eci_data/``: Epoch's fitted ECI difficulties and slopes (not scores; not read).

Which column of which file holds the score, and on which scale, comes from the benchmark registry
(:mod:`irtgap.data.registry`), never from a guess; ``benchmarks=`` extends or overrides it.

Policies, each counted in :attr:`ScoreData.log` (``describe(by="source")`` gives them per file):

* rows with a blank ``Model version`` and rows whose score is blank or not a finite number are
  dropped, counted per file and reason;
* a CSV the registry does not describe is skipped with a :class:`DroppedRowsWarning` naming it and
  saying how to declare it; a registered file that lacks its columns or cannot be parsed likewise;
* accessibility comes from ``epoch_capabilities_index.csv``; versions Epoch leaves blank take the
  shipped override table (``bundled/accessibility_overrides.csv``, every row with its provenance);
  versions still without a label are dropped by :meth:`ScoreData.from_frame` with a count;
* a version named ``host/model`` or ``host-model`` for a known third-party host (chutes, deepinfra,
  fireworks, parasail, ...) is a provider row: provider = the host, and it joins the model group
  (and, where blank, takes the accessibility and date) of the first-party version it serves;
* a benchmark with ``superseded_by`` set is dropped for the models scored on the newer benchmark;
* Epoch's published ECI is kept as :attr:`ScoreData.reference` (``model, model_group, eci``).

Safety: a zip is read in memory, member by member, and never extracted. Members with an absolute
path or a ``..`` component are refused before anything is read; so is a member that inflates past
``max_member_bytes`` or an archive past ``max_total_bytes`` (the limits are checked on the declared
sizes and again while inflating), and a corrupt member (bad CRC) is an error naming it. In a folder,
a symbolic link that points outside the folder is refused.
"""

from __future__ import annotations

import io
import warnings
import zipfile
import zlib
from dataclasses import replace
from importlib.resources import files
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pandas as pd

from irtgap.core import dims as D
from irtgap.core.errors import DroppedRowsWarning, InputWarning, ScoreDataError
from irtgap.data import elicitation as E
from irtgap.data.layout import ECI_FILE as ECI_FILE
from irtgap.data.layout import NON_SCORE_FOLDERS as NON_SCORE_FOLDERS
from irtgap.data.layout import (
    Plan,
    plan_export,
    read_eci_reference,
    read_version_index,
)
from irtgap.data.registry import SCALE_FACTORS, benchmark_metadata, merge_registry, stderr_items
from irtgap.data.scoredata import ScoreData, boolean_rows

#: Third-party hosts recognised as prefixes of model version ids.
KNOWN_HOSTS = ("chutes", "deepinfra", "fireworks", "parasail", "together", "openrouter", "groq")
VERSION = "Model version"
MAX_MEMBER_BYTES = 64 * 2**20
MAX_TOTAL_BYTES = 512 * 2**20


class _Source:
    """The files of an export by path relative to its root, read lazily from a zip or a folder."""

    def __init__(self, path: Path, *, max_member_bytes: int, max_total_bytes: int) -> None:
        self.path = path
        self.max_member = max_member_bytes
        self._zip: zipfile.ZipFile | None = None
        self.members: dict[str, Any] = {}
        if path.is_dir():
            self._scan_folder(path, max_total_bytes)
        elif zipfile.is_zipfile(path):
            self._scan_zip(path, max_total_bytes)
        else:
            raise ScoreDataError(f"{path} is neither a folder nor a zip archive")
        tops = {k.split("/", 1)[0] for k in self.members}
        if len(tops) == 1 and all("/" in k for k in self.members):
            top = tops.pop() + "/"
            self.members = {k[len(top) :]: v for k, v in self.members.items()}

    def _scan_folder(self, path: Path, max_total: int) -> None:
        root = path.resolve()
        total = 0
        for p in sorted(path.rglob("*")):
            target = p.resolve()
            if not target.is_relative_to(root):
                raise ScoreDataError(
                    f"refusing {p}: a symbolic link pointing outside the export folder {path}"
                )
            if not p.is_file():
                continue
            size = p.stat().st_size
            total += size
            self._check_size(str(p.relative_to(path)), size, total, max_total)
            self.members[p.relative_to(path).as_posix()] = p

    def _scan_zip(self, path: Path, max_total: int) -> None:
        try:
            self._zip = zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise ScoreDataError(f"{path} is not a readable zip archive ({exc})") from exc
        total = 0
        for info in zf.infolist():
            name = info.filename
            parts = PurePosixPath(name.replace("\\", "/")).parts
            if name.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
                raise ScoreDataError(
                    f"refusing archive member {name!r} in {path}: absolute path or '..'"
                )
        for info in zf.infolist():
            if info.is_dir():
                continue
            total += info.file_size
            self._check_size(info.filename, info.file_size, total, max_total)
            self.members[info.filename] = info

    def _check_size(self, name: str, size: int, total: int, max_total: int) -> None:
        if size > self.max_member:
            raise ScoreDataError(
                f"refusing {name!r} in {self.path}: {size:,} bytes, over the limit of "
                f"{self.max_member:,} per file (raise max_member_bytes if the file is genuine)"
            )
        if total > max_total:
            raise ScoreDataError(
                f"refusing {self.path}: its files add up to more than {max_total:,} bytes "
                "(raise max_total_bytes if the export is genuine)"
            )

    def names(self) -> list[str]:
        return sorted(self.members)

    def __contains__(self, name: str) -> bool:
        return name in self.members

    def read_bytes(self, name: str) -> bytes:
        src = self.members[name]
        if isinstance(src, Path):
            return src.read_bytes()
        assert self._zip is not None
        try:
            with self._zip.open(src) as fh:
                data = fh.read(self.max_member + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise ScoreDataError(
                f"archive member {src.filename!r} of {self.path} is corrupt ({exc}); download "
                "the export again"
            ) from exc
        if len(data) > self.max_member:
            raise ScoreDataError(
                f"refusing {src.filename!r} in {self.path}: it inflates past "
                f"{self.max_member:,} bytes although its header says {src.file_size:,}"
            )
        return data

    def read_csv(self, name: str) -> pd.DataFrame:
        return pd.read_csv(io.BytesIO(self.read_bytes(name)), dtype={VERSION: "string"})


def host_of(version: str) -> str:
    """The third-party host named by a version id's prefix, or ``first-party``.

    >>> host_of("chutes/DeepSeek-R1-0528"), host_of("parasail-qwen3-235b"), host_of("gpt-5")
    ('chutes', 'parasail', 'first-party')
    """
    low = version.lower()
    for host in KNOWN_HOSTS:
        if low.startswith((f"{host}/", f"{host}-")):
            return host
    return D.FIRST_PARTY


def read_accessibility_overrides() -> pd.DataFrame:
    """The shipped accessibility labels for versions Epoch's index leaves blank, with provenance.

    Columns ``accessibility, model_group, organization, country, provenance``, indexed by
    ``model_version``.
    """
    path = files("irtgap.data") / "bundled" / "accessibility_overrides.csv"
    with path.open("rb") as fh:
        table = pd.read_csv(fh, dtype="string")
    table["model_version"] = table["model_version"].str.strip()
    return table.set_index("model_version")


def _read_scores(src: _Source, plan: Plan) -> tuple[pd.DataFrame, list[dict[str, Any]], list[str]]:
    """Scores of every file the plan reads (:func:`irtgap.data.layout.plan_export`), per-file
    counts, and the benchmark files skipped."""
    reg, by_file, unknown = plan.registry, plan.by_member, plan.unknown
    csvs = list(by_file)
    frames, sources = [], []
    for name in csvs:
        if name not in by_file:
            continue
        bench = by_file[name]
        meta = reg.loc[bench]
        entry: dict[str, Any] = {"file": name, D.BENCHMARK: bench, "rows_read": 0}
        entry.update(kind="benchmark scores", read_as=plan.how.get(name, "benchmark registry"))
        sources.append(entry)
        raw_bytes = src.read_bytes(name)  # a corrupt or oversized member is an error
        try:
            df = pd.read_csv(io.BytesIO(raw_bytes), dtype={VERSION: "string"})
        except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
            entry["status"] = f"left out: unreadable CSV ({exc})"
            continue
        df = df.rename(columns=plan.renames.get(name, {}))
        col = str(meta["score_column"])
        missing = [c for c in (VERSION, col) if c not in df.columns]
        if missing:
            entry["status"] = _missing_columns(missing, df, bench)
            continue
        if boolean_rows(df[col]).any():
            entry["status"] = f"left out: column {col!r} holds True/False, not scores"
            continue
        entry["rows_read"] = len(df)
        version = df[VERSION].astype("string").str.strip()
        blank = version.isna() | (version == "")
        raw = df[col]
        score = pd.to_numeric(raw, errors="coerce")
        no_score = raw.isna() | (raw.astype("string").str.strip() == "")
        bad = ~no_score & ~np.isfinite(score.to_numpy(float, na_value=np.nan))
        entry["dropped_blank_version"] = int(blank.sum())
        entry["dropped_blank_score"] = int((no_score & ~blank).sum())
        entry["dropped_bad_score"] = int((bad & ~blank).sum())
        if entry["dropped_bad_score"]:
            entry["bad_score_examples"] = ", ".join(map(str, raw[bad & ~blank].unique()[:3]))
        keep = ~blank & ~no_score & ~bad
        harness = _harness_of(df, meta.get("harness"), entry, keep)
        scale = str(meta["scale"])
        factor = SCALE_FACTORS.get(scale, 1.0)
        frames.append(
            pd.DataFrame(
                {
                    "model_version": version[keep],
                    D.BENCHMARK: bench,
                    D.SCORE: score[keep] * factor,
                    E.HARNESS: harness[keep],
                    "file_date": df.get("Release date", pd.Series(pd.NA, index=df.index))[keep],
                    "file_org": df.get("Organization", pd.Series(pd.NA, index=df.index))[keep],
                    "file_country": df.get("Country", pd.Series(pd.NA, index=df.index))[keep],
                }
            )
        )
        entry["rows_loaded"] = int(keep.sum())
        _read_stderr(df, meta, score[keep] * factor, factor, entry, keep)
    if not frames:
        raise ScoreDataError(f"no benchmark file of {src.path} could be read")
    return pd.concat(frames, ignore_index=True), sources, unknown


def _read_stderr(
    df: pd.DataFrame,
    meta: pd.Series,
    score: pd.Series,
    factor: float,
    entry: dict[str, Any],
    keep: pd.Series,
) -> None:
    """Summarise the file's standard errors (registry ``stderr_column``) as ``stderr_items``
    (:func:`~irtgap.data.registry.stderr_items`) in ``entry``, with the rows it used; a
    declared column the file lacks is said there, not guessed."""
    col = meta.get("stderr_column")
    if col is None or pd.isna(col) or not str(col).strip():
        return
    col = str(col).strip()
    if col not in df.columns:
        entry["stderr_read"] = f"none: no column {col!r}"
        return
    n, used = stderr_items(score, pd.to_numeric(df[col], errors="coerce")[keep] * factor)
    entry["stderr_read"] = col
    entry["rows_stderr"] = used
    entry["stderr_items"] = n


def _harness_of(df: pd.DataFrame, rule: Any, entry: dict[str, Any], keep: pd.Series) -> pd.Series:
    """Each row's harness under the file's registry rule (:mod:`irtgap.data.elicitation`);
    ``entry`` gets how it was read and the loaded rows that name none. A rule naming a column
    the file lacks leaves every row ``default`` and says so in ``entry["harness_read"]``."""
    labels, problem = E.read_harness(df, rule)
    entry["harness_read"] = E.describe_harness_rule(rule)
    if labels is None:
        entry["harness_read"] = f"none: {problem}"
        labels = pd.Series(E.DEFAULT, index=df.index, dtype="string")
    named = E.parse_harness_rule(rule) is not None
    entry["rows_harness_default"] = int(((labels == E.DEFAULT) & keep).sum()) if named else 0
    return labels


def _drop_superseded(scores: pd.DataFrame, reg: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    n = 0
    if "superseded_by" not in reg.columns:
        return scores, 0
    for bench, newer in reg["superseded_by"].dropna().items():
        have = set(scores.loc[scores[D.BENCHMARK] == newer, "model_version"])
        drop = (scores[D.BENCHMARK] == bench) & scores["model_version"].isin(have)
        n += int(drop.sum())
        scores = scores[~drop]
    return scores, n


def _model_table(
    src: _Source, scores: pd.DataFrame, overrides: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int]]:
    """Per-version metadata (index ``model_version``) and Epoch's published ECI."""
    eci = read_version_index(src)

    files_meta = scores.groupby("model_version").agg(
        file_date=("file_date", "first"),
        file_org=("file_org", "first"),
        file_country=("file_country", "first"),
    )
    versions = files_meta.index
    m = pd.DataFrame(index=pd.Index(versions, name="model_version"))
    e = eci.reindex(versions)
    m["accessibility"] = e["Model accessibility"].astype("string")
    m["model_group"] = e["Model name"].astype("string")
    m["date"] = e["Release date"].astype("string").fillna(files_meta["file_date"])
    m["organization"] = e.get("Organization", pd.Series(pd.NA, index=versions)).astype("string")
    m["organization"] = m["organization"].fillna(files_meta["file_org"])
    m["country"] = e.get("Country", pd.Series(pd.NA, index=versions)).astype("string")
    m["country"] = m["country"].fillna(files_meta["file_country"])
    counts = {"n_versions_not_in_index": int((~versions.isin(eci.index)).sum())}

    ov = overrides.reindex(versions)
    fill = m["accessibility"].isna() & ov["accessibility"].notna()
    counts["n_accessibility_from_overrides"] = int(fill.sum())
    m.loc[fill, "accessibility"] = ov.loc[fill, "accessibility"]
    for col in ("model_group", "organization", "country"):
        m[col] = m[col].fillna(ov[col])

    # provider rows: a host's copy joins the first-party version it serves
    m["provider"] = [host_of(str(v)) for v in versions]
    lower = {str(v).lower(): v for v in versions[m["provider"] == D.FIRST_PARTY]}
    n_matched = 0
    for v in versions[m["provider"] != D.FIRST_PARTY]:
        rest = str(v).split("/", 1)[1] if "/" in str(v) else str(v).split("-", 1)[1]
        base = lower.get(rest.lower())
        if base is None:
            continue
        n_matched += 1
        for col in ("model_group", "accessibility", "date", "organization", "country"):
            if pd.isna(m.at[v, col]):
                m.at[v, col] = m.at[base, col]
        if pd.isna(m.at[v, "model_group"]):
            m.at[v, "model_group"] = base
    counts["n_hosted_versions"] = int((m["provider"] != D.FIRST_PARTY).sum())
    counts["n_hosted_versions_matched"] = n_matched

    ref = eci[eci["ECI Score"].notna()]
    group = ref["Model name"].astype("string").str.strip().replace("", pd.NA)
    reference = pd.DataFrame(
        {
            D.MODEL: ref.index.astype(str),
            D.MODEL_GROUP: group.fillna(pd.Series(ref.index, index=ref.index)).to_numpy(),
            "eci": pd.to_numeric(ref["ECI Score"], errors="coerce").to_numpy(),
            "accessibility": ref["Model accessibility"].to_numpy(),
        }
    )
    if reference.empty:  # a layout with ECI per model group only
        reference = read_eci_reference(src)
    return m, reference, counts


def load_epoch_hub(
    path: str | Path,
    *,
    benchmarks: pd.DataFrame | None = None,
    duplicates: str = "max",
    sparse_benchmarks: str = "drop",
    max_member_bytes: int = MAX_MEMBER_BYTES,
    max_total_bytes: int = MAX_TOTAL_BYTES,
) -> ScoreData:
    """Load an Epoch AI Benchmarking Hub export (zip or folder) as a :class:`ScoreData`.

    Parameters
    ----------
    path : str or Path
        ``benchmark_data.zip`` as Epoch publishes it, or the folder it unpacks to.
    benchmarks : pandas.DataFrame, optional
        Rows laid over the benchmark registry (:func:`irtgap.data.registry.merge_registry`): declare
        a file the registry lacks (``benchmark, file, score_column, scale`` at least) or override
        any column of a known benchmark (e.g. its ``access``).
    duplicates, sparse_benchmarks : str
        As in :meth:`ScoreData.from_frame`. Several rows per (version, benchmark) are common
        (Terminal-Bench lists one per agent scaffold); the maximum is kept by default, as Epoch
        does.
    max_member_bytes, max_total_bytes : int
        Limits on the bytes one file and the whole export may inflate to.

    Returns
    -------
    ScoreData
        ``describe(by="source")`` gives rows read and dropped per file, with reasons; the
        ``reference`` holds Epoch's published ECI.

    Raises
    ------
    ScoreDataError
        The path is not a zip or folder, a member is unsafe, corrupt or too large, or
        ``epoch_capabilities_index.csv`` is missing; plus every validation error of
        :meth:`ScoreData.from_frame`.

    Examples
    --------
    >>> import warnings, irtgap
    >>> from irtgap.data.datasets import dataset_path
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     data = irtgap.load_epoch_hub(dataset_path("epoch-hub-2026-04"))
    >>> str(data.scores["date"].max().date())
    '2026-04-16'
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no such file or folder: {path}")
    src = _Source(path, max_member_bytes=max_member_bytes, max_total_bytes=max_total_bytes)
    plan = plan_export(src, merge_registry(benchmarks))
    reg = plan.registry
    scores, sources, unknown = _read_scores(src, plan)
    _warn_read_problems(unknown, sources)
    _warn_inferred(plan)
    sources = [*sources, *plan.others]
    scores, n_sup = _drop_superseded(scores, reg)
    if n_sup:
        warnings.warn(
            f"dropped {n_sup} score(s) on superseded benchmarks for models that have the newer "
            "version",
            DroppedRowsWarning,
            stacklevel=2,
        )
    models, reference, counts = _model_table(src, scores, read_accessibility_overrides())
    table = scores.drop(columns=["file_date", "file_org", "file_country"]).join(
        models, on="model_version"
    )
    table[E.EFFORT] = table["model_version"].map(E.effort_table(table["model_version"])[E.EFFORT])
    names = sorted(table[D.BENCHMARK].unique())
    meta = benchmark_metadata(reg, names)
    measured = {s[D.BENCHMARK]: s["stderr_items"] for s in sources if "stderr_items" in s}
    meta["stderr_items"] = meta["benchmark"].map(measured).astype(float)
    data = ScoreData.from_frame(
        table,
        model="model_version",
        benchmark=D.BENCHMARK,
        score=D.SCORE,
        date="date",
        weights="accessibility",
        provider="provider",
        model_group="model_group",
        country="country",
        organization="organization",
        benchmarks=meta,
        registry=False,
        duplicates=duplicates,  # type: ignore[arg-type]
        sparse_benchmarks=sparse_benchmarks,  # type: ignore[arg-type]
        reference=reference,
        harness=E.HARNESS,
        effort=E.EFFORT,
    )
    log = dict(data.log)
    log.update(counts)
    log["n_rows_read"] = sum(s["rows_read"] for s in sources)
    log["n_dropped_superseded"] = n_sup
    log["unregistered_files"] = unknown
    log["sources"] = sources
    log["source"] = str(path)
    return replace(data, log=log)


def _warn_read_problems(unknown: list[str], sources: list[dict[str, Any]]) -> None:
    """Warn (for the caller of :func:`load_epoch_hub`) about the files skipped or left out and
    the rows dropped while reading the export."""
    if unknown:
        warnings.warn(
            f"skipped {len(unknown)} file(s) the benchmark registry does not describe: "
            f"{', '.join(unknown)}. Declare each with benchmarks=pd.DataFrame({{'benchmark': "
            "[...], 'file': [...], 'score_column': [...], 'scale': [...]}) (scale: fraction, "
            "percent, score_0_10, minutes or elo)",
            DroppedRowsWarning,
            stacklevel=3,
        )
    failed = [s for s in sources if str(s.get("status", "")).startswith("left out")]
    if failed:
        warnings.warn(
            "left out "
            + "; ".join(f"{s[D.BENCHMARK]!r} ({s['file']}): {s['status']}" for s in failed),
            DroppedRowsWarning,
            stacklevel=3,
        )
    no_harness = [s for s in sources if str(s.get("harness_read", "")).startswith("none:")]
    if no_harness:
        warnings.warn(
            "read no harness from "
            + "; ".join(f"{s['file']} ({s['harness_read'][6:]})" for s in no_harness)
            + ": every row of those files is 'default' (fix the registry's 'harness' column)",
            UserWarning,
            stacklevel=3,
        )
    per_reason = {
        "blank model version": sum(s.get("dropped_blank_version", 0) for s in sources),
        "blank score": sum(s.get("dropped_blank_score", 0) for s in sources),
        "score not a finite number": sum(s.get("dropped_bad_score", 0) for s in sources),
    }
    if any(per_reason.values()):
        warnings.warn(
            "dropped rows of the export: "
            + ", ".join(f"{n} with {why}" for why, n in per_reason.items() if n)
            + " (per file: data.describe(by='source'))",
            DroppedRowsWarning,
            stacklevel=3,
        )


def _missing_columns(missing: list[str], df: pd.DataFrame, bench: str) -> str:
    """Why a registered file is left out for want of columns, and how to say which to read."""
    cols = ", ".join(repr(str(c)) for c in df.columns[:15])
    return (
        f"left out: no column(s) {missing} (the file has {cols}); name the score column with "
        f"benchmarks=pd.DataFrame({{'benchmark': [{bench!r}], 'score_column': [...]}})"
    )


def _warn_inferred(plan: Plan) -> None:
    """Warn (for the caller of :func:`load_epoch_hub`) about files read with what Epoch's
    metadata says rather than what the registry declares."""
    if plan.inferred:
        warnings.warn(
            f"read {len(plan.inferred)} file(s) the benchmark registry does not describe, with "
            f"the score column and scale Epoch's benchmark_metadata.csv gives: "
            f"{'; '.join(plan.inferred)}. Their access (public/private) is unknown and they have "
            "no domain: declare them with benchmarks= to set these (and to silence this warning)",
            InputWarning,
            stacklevel=3,
        )
