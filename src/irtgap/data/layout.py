"""Which file of a Hub export is what, across the layouts Epoch AI has published.

:func:`irtgap.load_epoch_hub` reads an export as far as its layout allows. This module decides,
file by file, what each one is (:func:`plan_export`):

* **benchmark files the registry describes**, found by file name whatever the folder and the
  case (``GPQA_DIAMOND.CSV`` in ``benchmarks/`` is ``gpqa_diamond.csv``). The key columns
  (``Model version``, ``Release date``, ``Organization``, ``Country``) and the registry's score
  column are found by name, and also when only case, spaces, underscores or hyphens differ
  (``model_version``); a score column that is gone is taken from Epoch's own metadata where the
  export carries it, else the file is left out with its columns listed and how to declare one;
* **benchmark files the registry does not describe**: where the export carries Epoch's
  ``benchmark_metadata.csv`` (columns ``benchmark, source_file, score_column, scale, ...``,
  ``scale`` a multiplier to fractions: 1, 0.01 or 0.1), the file's benchmark, score column,
  scale, random baseline, ceiling and release date are read from it, with an
  :class:`~irtgap.core.errors.InputWarning` saying what was inferred; a file whose values do not
  fit the inferred scale (a fraction above its ceiling) is left out. The others are skipped,
  named, with how to declare them (``benchmarks=``);
* **per-version metadata**: ``epoch_capabilities_index.csv`` (accessibility, model name, release
  date, Epoch's ECI) and, where present, ``model_metadata.csv`` (``model_version, model_group,
  date, organization, country, accessibility``), which fills what the first leaves blank or
  stands in for it when it is absent; Epoch's published ECI per model group is read from
  ``epoch_capabilities_index/eci_scores.csv`` when the version table has none;
* **files that hold no scores** (Epoch's ECI fit in ``additional_eci_data/`` and
  ``epoch_capabilities_index/``, the README, anything not a CSV): listed, not read.

Every file gets a row in ``describe(by="source")`` saying what became of it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

import numpy as np
import pandas as pd

from irtgap.core.errors import ScoreDataError
from irtgap.data.registry import SCALE_FACTORS, merge_registry

VERSION: Final = "Model version"
ECI_FILE: Final = "epoch_capabilities_index.csv"
BENCHMARK_METADATA: Final = "benchmark_metadata.csv"
MODEL_METADATA: Final = "model_metadata.csv"
ECI_SCORES: Final = "eci_scores.csv"
#: Folders of an export that hold Epoch's ECI fit (or archive clutter), not scores.
NON_SCORE_FOLDERS: Final = ("additional_eci_data", "epoch_capabilities_index", "__macosx")
#: Epoch's ``benchmark_metadata.csv`` gives a multiplier to fractions; the registry, a scale.
SCALE_OF_MULTIPLIER: Final = {1.0: "fraction", 0.01: "percent", 0.1: "score_0_10"}
#: Key columns of a benchmark file (besides its score column), found loosely.
KEY_COLUMNS: Final = (VERSION, "Release date", "Organization", "Country")
#: ``model_metadata.csv``'s columns under the names of ``epoch_capabilities_index.csv``.
MODEL_METADATA_COLUMNS: Final = {
    "model_version": VERSION,
    "model_group": "Model name",
    "date": "Release date",
    "organization": "Organization",
    "country": "Country",
    "accessibility": "Model accessibility",
}


class Source(Protocol):
    """What the plan reads of an export (the Hub reader's source: a zip or a folder)."""

    path: Any

    def names(self) -> list[str]: ...

    def read_bytes(self, name: str) -> bytes: ...


def base_name(member: str) -> str:
    """A member's file name without its folders, in lower case."""
    return member.rsplit("/", 1)[-1].lower()


def loose(column: str) -> str:
    """A column name with case, spaces, underscores and hyphens ignored."""
    return re.sub(r"[\s_\-]+", " ", str(column)).strip().casefold()


def find_column(columns: Iterable[Any], wanted: str) -> str | None:
    """``wanted`` among ``columns``: exactly, else the one column equal to it loosely.

    Parameters
    ----------
    columns : iterable
        A file's column names.
    wanted : str
        The column to find (case, spaces, underscores and hyphens ignored by :func:`loose`).

    Returns
    -------
    str or None
        The file's own spelling, or None where no column, or more than one, matches loosely.
    """
    cols = [str(c) for c in columns]
    if wanted in cols:
        return wanted
    hits = [c for c in cols if loose(c) == loose(wanted)]
    return hits[0] if len(hits) == 1 else None


def _in_non_score_folder(member: str) -> bool:
    return any(part.lower() in NON_SCORE_FOLDERS for part in member.split("/")[:-1])


def find_member(src: Source, name: str, *, folder: str | None = None) -> str | None:
    """The member called ``name`` (any case; in ``folder`` if given, else outside the ECI-fit
    folders), or None; two candidates are an error naming both.

    Parameters
    ----------
    src : Source
        The export (zip or folder).
    name : str
        A file name without folders.
    folder : str, optional
        A folder the member must be in (any depth).

    Returns
    -------
    str or None
        The member's path inside the export.
    """
    hits = [
        m
        for m in src.names()
        if base_name(m) == name.lower()
        and (
            (folder is not None and folder in m.lower().split("/")[:-1])
            or (folder is None and not _in_non_score_folder(m))
        )
    ]
    if len(hits) > 1:
        raise ScoreDataError(
            f"{src.path} has {len(hits)} files named {name}: {', '.join(hits)}; keep one"
        )
    return hits[0] if hits else None


def read_table(src: Source, member: str, **kw: Any) -> pd.DataFrame:
    """A CSV member as a DataFrame (model versions as text).

    Parameters
    ----------
    src : Source
        The export (zip or folder).
    member : str
        The member's path inside the export.
    **kw
        Options of :func:`pandas.read_csv`; a ``dtype`` mapping is merged over the version's.

    Returns
    -------
    pandas.DataFrame
    """
    dtype = {VERSION: "string", **kw.pop("dtype", {})}
    return pd.read_csv(io.BytesIO(src.read_bytes(member)), dtype=dtype, **kw)


# ------------------------------------------------------------------------------ the plan
@dataclass
class Plan:
    """What :func:`plan_export` decided.

    Attributes
    ----------
    registry : pandas.DataFrame
        The registry to read with: the caller's, plus the rows inferred from Epoch's metadata,
        with score columns as the files spell them.
    by_member : dict
        Benchmark files to read: member -> benchmark.
    renames : dict
        Per member, its key and score columns found loosely: ``{as spelt: as expected}``.
    how : dict
        Per member read, how it was recognised (for ``describe(by="source")``).
    others : list of dict
        One ``sources`` entry per file not read as scores, with its ``status``.
    unknown : list of str
        Benchmark files skipped: neither the registry nor Epoch's metadata describe them.
    inferred : list of str
        Files read with what Epoch's metadata says (for the warning).
    """

    registry: pd.DataFrame
    by_member: dict[str, str] = field(default_factory=dict)
    renames: dict[str, dict[str, str]] = field(default_factory=dict)
    how: dict[str, str] = field(default_factory=dict)
    others: list[dict[str, Any]] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    inferred: list[str] = field(default_factory=list)


def _other(member: str, kind: str, status: str) -> dict[str, Any]:
    return {"file": member, "benchmark": member, "kind": kind, "rows_read": 0, "status": status}


def _classify(member: str) -> tuple[str, str] | None:
    """``(kind, status)`` of a file that holds no benchmark's scores, or None for one that may."""
    name = base_name(member)
    if _in_non_score_folder(member):
        if name == ECI_SCORES:
            return "ECI reference", "read: Epoch's published ECI per model group (reference)"
        return "ECI fit", "not read: Epoch's fitted ECI (difficulties, slopes, scaling)"
    if not name.endswith(".csv"):
        return "documentation", "not read: not a CSV file"
    if name == ECI_FILE:
        return "model metadata", "read: accessibility, model name, release date, ECI per version"
    if name == MODEL_METADATA:
        return "model metadata", "read: model group, date, organization, accessibility per version"
    if name == BENCHMARK_METADATA:
        return "benchmark metadata", "read: Epoch's score column and scale of each benchmark file"
    return None


def plan_export(src: Source, reg: pd.DataFrame) -> Plan:
    """Decide what each file of ``src`` is (see the module docstring).

    Parameters
    ----------
    src : Source
        The export.
    reg : pandas.DataFrame
        The benchmark registry, the caller's rows laid over it (indexed by benchmark).

    Returns
    -------
    Plan
    """
    plan = Plan(registry=reg)
    by_base = {str(f).lower(): str(b) for b, f in reg["file"].dropna().items()}
    epoch = _epoch_metadata(src)
    candidates = []
    for member in src.names():
        kind = _classify(member)
        if kind is not None:
            plan.others.append(_other(member, *kind))
        else:
            candidates.append(member)
    seen: dict[str, str] = {}
    for member in candidates:  # the registry's files first: they win over Epoch's metadata
        bench = by_base.get(base_name(member))
        if bench is not None and bench in seen:
            raise ScoreDataError(
                f"{src.path} has two files for benchmark {bench!r}: {seen[bench]} and {member}"
            )
        if bench is not None:
            seen[bench] = member
            _plan_known(src, plan, member, bench, epoch)
    for member in candidates:
        if by_base.get(base_name(member)) is None:
            _plan_unknown(src, plan, member, epoch, seen)
    return plan


def _header(src: Source, member: str) -> list[str]:
    try:
        return [str(c) for c in read_table(src, member, nrows=0).columns]
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError):
        return []  # the reader names the problem


def _key_renames(columns: list[str]) -> dict[str, str]:
    out = {}
    for key in KEY_COLUMNS:
        found = find_column(columns, key)
        if found is not None and found != key:
            out[found] = key
    return out


def _plan_known(
    src: Source, plan: Plan, member: str, bench: str, epoch: pd.DataFrame | None
) -> None:
    """A file the registry describes: its columns found, loosely or through Epoch's metadata."""
    cols = _header(src, member)
    plan.by_member[member] = bench
    renames = _key_renames(cols)
    wanted = str(plan.registry.loc[bench, "score_column"])
    how = "benchmark registry"
    found = find_column(cols, wanted) if cols else wanted
    if found is None and epoch is not None and base_name(member) in epoch.index:
        theirs = str(epoch.loc[base_name(member), "score_column"])
        found = find_column(cols, theirs)
        if found is not None:
            how += f"; score column {found!r} from Epoch's {BENCHMARK_METADATA} (no {wanted!r})"
    elif found is not None and found != wanted:
        how += f"; score column {wanted!r} spelt {found!r}"
    if found is not None and found != wanted:
        renames[found] = wanted
    if renames:
        plan.renames[member] = renames
        if any(k != wanted for k in renames.values()):
            how += "; column(s) " + ", ".join(
                f"{a!r} read as {b!r}" for a, b in renames.items() if b != wanted
            )
    plan.how[member] = how


def _epoch_metadata(src: Source) -> pd.DataFrame | None:
    """Epoch's ``benchmark_metadata.csv`` indexed by source file (lower-case name), or None."""
    member = find_member(src, BENCHMARK_METADATA)
    if member is None:
        return None
    meta = read_table(src, member)
    need = ["benchmark", "source_file", "score_column", "scale"]
    if any(c not in meta.columns for c in need):
        return None
    meta = meta[meta["source_file"].notna() & meta["benchmark"].notna()].copy()
    meta["key"] = meta["source_file"].astype(str).map(base_name)
    return meta.drop_duplicates("key", keep=False).set_index("key")


def _plan_unknown(
    src: Source, plan: Plan, member: str, epoch: pd.DataFrame | None, seen: dict[str, str]
) -> None:
    """A file the registry does not describe: read with Epoch's metadata, or skipped."""
    key = base_name(member)
    if epoch is None or key not in epoch.index:
        plan.unknown.append(member)
        plan.others.append(
            _other(
                member,
                "benchmark scores",
                "skipped: not in the benchmark registry"
                + ("" if epoch is None else f" nor in Epoch's {BENCHMARK_METADATA}")
                + "; declare it with load_epoch_hub(..., benchmarks=pd.DataFrame({'benchmark': "
                "[...], 'file': [...], 'score_column': [...], 'scale': [...]}))",
            )
        )
        return
    row = epoch.loc[key]
    bench = str(row["benchmark"]).strip()
    if bench in seen:
        plan.unknown.append(member)
        status = f"skipped: benchmark {bench!r} ({BENCHMARK_METADATA}) is read from {seen[bench]}"
        plan.others.append(_other(member, "benchmark scores", status))
        return
    if bench in plan.registry.index:  # a known benchmark whose file was renamed
        seen[bench] = member
        plan.registry = merge_registry(
            pd.DataFrame({"benchmark": [bench], "file": [key]}), base=plan.registry
        )
        _plan_known(src, plan, member, bench, epoch)
        plan.how[member] += f"; file named by Epoch's {BENCHMARK_METADATA}"
        return
    inferred, why = _infer(src, member, row)
    if inferred is None:
        plan.unknown.append(member)
        plan.others.append(_other(member, "benchmark scores", f"skipped: {why}"))
        return
    seen[bench] = member
    plan.registry = merge_registry(inferred, base=plan.registry)
    plan.by_member[member] = bench
    plan.inferred.append(
        f"{member} as {bench!r} (column {inferred.loc[0, 'score_column']!r}, "
        f"{inferred.loc[0, 'scale']})"
    )
    plan.how[member] = (
        f"inferred from Epoch's {BENCHMARK_METADATA}: score column "
        f"{inferred.loc[0, 'score_column']!r}, scale {inferred.loc[0, 'scale']} (access unknown)"
    )
    found = _key_renames(_header(src, member))
    if found:
        plan.renames[member] = found


def _infer(src: Source, member: str, row: pd.Series) -> tuple[pd.DataFrame | None, str]:
    """A registry row for ``member`` from Epoch's metadata, or None and why not."""
    multiplier = pd.to_numeric(pd.Series([row["scale"]]), errors="coerce").iloc[0]
    scale = next((s for m, s in SCALE_OF_MULTIPLIER.items() if np.isclose(multiplier, m)), None)
    theirs = str(row["score_column"])
    if scale is None:
        return None, (
            f"Epoch's {BENCHMARK_METADATA} gives scale {row['scale']!r}, which irtgap cannot map "
            "(1, 0.01 and 0.1 are fractions, percent and 0-10); declare it with benchmarks="
        )
    df = read_table(src, member)
    col = find_column(df.columns, theirs)
    if col is None or find_column(df.columns, VERSION) is None:
        return None, (
            f"Epoch's {BENCHMARK_METADATA} names score column {theirs!r}, which the file lacks "
            f"(columns {', '.join(map(str, df.columns[:12]))}); declare it with benchmarks="
        )
    values = pd.to_numeric(df[col], errors="coerce") * SCALE_FACTORS[scale]
    ceiling = pd.to_numeric(pd.Series([row.get("score_ceiling", 1.0)]), errors="coerce").iloc[0]
    ceiling = 1.0 if not np.isfinite(ceiling) else float(ceiling)
    if (values < 0).any() or (values > ceiling + 1e-9).any():
        return None, (
            f"its column {col!r} runs from {values.min():g} to {values.max():g} as {scale}, "
            f"outside 0 to {ceiling:g}: the scale Epoch's {BENCHMARK_METADATA} gives does not fit; "
            "declare it with benchmarks="
        )
    base = pd.to_numeric(pd.Series([row.get("random_baseline", 0.0)]), errors="coerce").iloc[0]
    out = pd.DataFrame(
        {
            "benchmark": [str(row["benchmark"]).strip()],
            "file": [base_name(member)],
            "score_column": [theirs],
            "scale": [scale],
            "random_baseline": [0.0 if not np.isfinite(base) else float(base)],
            "ceiling": [ceiling],
            "access": ["unknown"],
            "release_date": [row.get("release_date")],
            "notes": [f"inferred from Epoch's {BENCHMARK_METADATA}"],
        }
    )
    if "in_eci" in row.index and pd.notna(row["in_eci"]):
        out["in_eci"] = [row["in_eci"]]
    return out, ""


# ------------------------------------------------------------------------------ versions
def read_version_index(src: Source) -> pd.DataFrame:
    """Per model version: accessibility, model name, release date, ECI, organization, country.

    From ``epoch_capabilities_index.csv``, blanks filled from ``model_metadata.csv``; from
    ``model_metadata.csv`` alone when the first is absent.

    Parameters
    ----------
    src : Source
        The export.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``Model version``, columns ``Model accessibility, Release date, Model name,
        ECI Score, Organization, Country``.

    Raises
    ------
    ScoreDataError
        Neither file, or one without its columns.
    """
    eci_member, meta_member = find_member(src, ECI_FILE), find_member(src, MODEL_METADATA)
    if eci_member is None and meta_member is None:
        raise ScoreDataError(
            f"{src.path} has no {ECI_FILE} (nor {MODEL_METADATA}): it holds each model's "
            "accessibility (open weights or API), without which no gap can be computed. Is this "
            "an Epoch AI Benchmarking Hub export?"
        )
    tables = []
    if eci_member is not None:
        tables.append(_versions(read_table(src, eci_member), eci_member, src, with_eci=True))
    if meta_member is not None:
        meta = read_table(src, meta_member, dtype={"model_version": "string"})
        missing = [c for c in MODEL_METADATA_COLUMNS if c not in meta.columns]
        if missing:
            raise ScoreDataError(f"{meta_member} in {src.path} lacks column(s) {missing}")
        meta = meta.rename(columns=MODEL_METADATA_COLUMNS).assign(**{"ECI Score": np.nan})
        tables.append(_versions(meta, meta_member, src, with_eci=False))
    out = tables[0]
    for more in tables[1:]:
        out = out.combine_first(more)
    return out


def _versions(table: pd.DataFrame, member: str, src: Source, *, with_eci: bool) -> pd.DataFrame:
    need = [VERSION, "Model accessibility", "Release date", "Model name", "ECI Score"]
    missing = [c for c in need if c not in table.columns]
    if missing:
        raise ScoreDataError(f"{member} in {src.path} lacks column(s) {missing}")
    table = table.copy()
    table[VERSION] = table[VERSION].astype("string").str.strip()
    table = table[table[VERSION].notna() & (table[VERSION] != "")].drop_duplicates(VERSION)
    keep = [*need, *(c for c in ("Organization", "Country") if c in table.columns)]
    return table[keep].set_index(VERSION)


def read_eci_reference(src: Source) -> pd.DataFrame | None:
    """Epoch's published ECI per model group from ``epoch_capabilities_index/eci_scores.csv``
    (columns ``model, model_group, eci, accessibility``), or None without it."""
    member = find_member(src, ECI_SCORES, folder="epoch_capabilities_index")
    if member is None:
        return None
    table = read_table(src, member)
    if "Model" not in table.columns or "eci" not in table.columns:
        return None
    table = table[table["Model"].notna()]
    access = table.get("Model accessibility", pd.Series(pd.NA, index=table.index))
    return pd.DataFrame(
        {
            "model": table["Model"].astype(str).to_numpy(),
            "model_group": table["Model"].astype(str).to_numpy(),
            "eci": pd.to_numeric(table["eci"], errors="coerce").to_numpy(),
            "accessibility": access.to_numpy(),
        }
    )
