"""Boundary checks and parsers shared by the data constructors and loaders."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from irtgap import _dims as D
from irtgap.errors import ScoreDataError

#: Labels read as missing weights (rows dropped with a warning).
MISSING_WEIGHTS = frozenset({"", "unknown", "nan", "none", "n/a", "na"})
#: Accessibility labels (case-insensitive) and the side they map to.
WEIGHTS_LABELS: Mapping[str, str] = {
    "open": D.OPEN,
    "open weights": D.OPEN,
    "open-weights": D.OPEN,
    "open weights (unrestricted)": D.OPEN,
    "open weights (restricted use)": D.OPEN,
    "open weights (non-commercial)": D.OPEN,
    "closed": D.CLOSED,
    "closed weights": D.CLOSED,
    "proprietary": D.CLOSED,
    "api access": D.CLOSED,
    "hosted access (no api)": D.CLOSED,
    "unreleased": D.CLOSED,
}
ACCESS_LABELS = frozenset({"public", "private", "unknown"})


def _show(values: Iterable[Any], limit: int = 8) -> str:
    v = list(values)
    s = ", ".join(str(x) for x in v[:limit])
    return s + (f", ... ({len(v)} in all)" if len(v) > limit else "")


def require_columns(df: pd.DataFrame, spec: Mapping[str, str]) -> None:
    """Raise naming every requested column that ``df`` lacks."""
    missing = [f"{col!r} ({role})" for role, col in spec.items() if col not in df.columns]
    if missing:
        raise ScoreDataError(
            f"missing column(s): {', '.join(missing)}; the frame has {_show(df.columns, 20)}"
        )


def parse_dates(values: pd.Series, *, column: str) -> pd.Series:
    """Parse dates; blanks become NaT, anything unparseable raises naming rows and values."""
    text = values.astype("string").str.strip()
    blank = text.isna() | (text == "")
    parsed = pd.to_datetime(text.where(~blank), errors="coerce", format="mixed")
    bad = parsed.isna() & ~blank
    if bad.any():
        raise ScoreDataError(
            f"column {column!r} (date) has unparseable dates in rows {_show(values.index[bad])}: "
            f"{_show(values[bad].unique(), 5)}"
        )
    return parsed.astype("datetime64[ns]")


def parse_weights(values: pd.Series, *, column: str) -> pd.Series:
    """Map weights / accessibility labels to ``open`` / ``closed``; missing labels to NA."""
    text = values.astype("string").str.strip().str.lower()
    missing = text.isna() | text.isin(MISSING_WEIGHTS)
    mapped = text.map(lambda v: WEIGHTS_LABELS.get(v) if isinstance(v, str) else None)
    bad = mapped.isna() & ~missing
    if bad.any():
        raise ScoreDataError(
            f"column {column!r} (weights) has unknown labels {_show(values[bad].unique(), 6)} in "
            f"rows {_show(values.index[bad])}; use 'open' / 'closed' or Epoch's accessibility "
            "labels ('Open weights (...)', 'API access', 'Hosted access (no API)', 'Unreleased')"
        )
    return mapped.astype("string")


def normalize_benchmark_meta(meta: pd.DataFrame | None, names: Iterable[str]) -> pd.DataFrame:
    """Per-benchmark metadata indexed by benchmark, with defaults for benchmarks not described."""
    names = [str(n) for n in names]
    if meta is None:
        meta = pd.DataFrame(index=pd.Index([], name=D.BENCHMARK, dtype="string"))
    else:
        meta = meta.copy()
        if D.BENCHMARK in meta.columns:
            meta = meta.set_index(D.BENCHMARK)
        meta.index = meta.index.astype("string").str.strip()
        meta.index.name = D.BENCHMARK
        dup = meta.index[meta.index.duplicated()]
        if len(dup):
            raise ScoreDataError(f"benchmark metadata repeats benchmark(s): {_show(dup.unique())}")
        if "benchmark_release_date" in meta.columns and "release_date" not in meta.columns:
            meta = meta.rename(columns={"benchmark_release_date": "release_date"})
    meta = meta.reindex(pd.Index(sorted(set(meta.index) | set(names)), name=D.BENCHMARK))
    defaults: dict[str, Any] = {"access": "unknown", "random_baseline": 0.0, "scale": "fraction"}
    for col, default in defaults.items():
        if col not in meta.columns:
            meta[col] = default
        meta[col] = meta[col].where(meta[col].notna(), default)
    meta["access"] = meta["access"].astype("string").str.strip().str.lower()
    bad = meta.index[~meta["access"].isin(list(ACCESS_LABELS))]
    if len(bad):
        raise ScoreDataError(
            f"benchmark metadata column 'access' must be public or private; benchmark(s) "
            f"{_show(bad)} have {_show(meta.loc[bad, 'access'].unique())}"
        )
    meta["scale"] = meta["scale"].astype("string").str.strip().str.lower()
    meta["random_baseline"] = pd.to_numeric(meta["random_baseline"], errors="coerce")
    if "ceiling" not in meta.columns:
        meta["ceiling"] = np.nan
    meta["ceiling"] = pd.to_numeric(meta["ceiling"], errors="coerce")
    meta["ceiling"] = meta["ceiling"].where(meta["ceiling"].notna(), 1.0)
    frac = meta["scale"] == "fraction"
    bad_base = frac & ~(
        (meta["random_baseline"] >= 0) & (meta["random_baseline"] < meta["ceiling"])
    )
    if bad_base.any():
        raise ScoreDataError(
            "benchmark metadata column 'random_baseline' must lie in [0, ceiling) on fraction "
            f"benchmarks: {_show(meta.index[bad_base])}"
        )
    if "release_date" in meta.columns:
        meta["release_date"] = parse_dates(meta["release_date"], column="release_date")
    else:
        meta["release_date"] = pd.NaT
    return meta


def benchmark_components(table: pd.DataFrame) -> list[dict[str, list[str]]]:
    """Connected pieces of the bipartite model x benchmark graph, largest first."""
    mcode, models = pd.factorize(table[D.MODEL])
    bcode, benches = pd.factorize(table[D.BENCHMARK])
    nm, nb = len(models), len(benches)
    graph = sp.coo_matrix((np.ones(len(table)), (mcode, nm + bcode)), shape=(nm + nb, nm + nb))
    n, labels = connected_components(graph, directed=False)
    pieces = [
        {
            "models": sorted(str(m) for m in models[labels[:nm] == k]),
            "benchmarks": sorted(str(b) for b in benches[labels[nm:] == k]),
        }
        for k in range(n)
    ]
    return sorted(pieces, key=lambda p: -(len(p["models"]) + len(p["benchmarks"])))
