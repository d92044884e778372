"""Benchmark metadata: a user's per-benchmark table checked and completed with defaults.

Each benchmark has an ``access`` (public / private / unknown), a ``scale`` (one of
:data:`SCALES`), a ``random_baseline`` and a ``ceiling`` (on fraction benchmarks
``0 <= random_baseline < ceiling <= 1``), a ``release_date`` and, where known, ``n_items``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from irtgap.core import dims as D
from irtgap.core.dates import parse_dates
from irtgap.core.errors import ScoreDataError
from irtgap.core.options import show_values as _show

#: Access labels of a benchmark.
ACCESS_LABELS = frozenset({"public", "private", "unknown"})
#: Scales a benchmark's scores may be on. ``fraction`` (0 to the benchmark's ceiling, at most 1)
#: is the one the IRT methods model; the others are units kept as given (non-negative): the METR
#: time horizon in ``minutes`` or ``hours``, a length in ``tokens``, an arena ``elo`` or another
#: ``rating``. Anything else (a typo such as ``'fractoin'``) is refused.
SCALES: tuple[str, ...] = ("fraction", "minutes", "hours", "tokens", "elo", "rating")
#: Values of the metadata columns a benchmark without them gets.
DEFAULTS: dict[str, Any] = {"access": "unknown", "random_baseline": 0.0, "scale": "fraction"}


def index_benchmark_meta(meta: Any, *, origin: str = "the benchmarks= table") -> pd.DataFrame:
    """A copy of a user's benchmark metadata indexed by stripped benchmark name.

    The frame needs a ``benchmark`` column or an index named ``benchmark``; blank or repeated
    names are refused. ``benchmark_release_date`` is renamed ``release_date``.

    Parameters
    ----------
    meta : pandas.DataFrame
        The user's table.
    origin : str
        How messages name the table.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``benchmark`` (``string`` dtype).
    """
    if not isinstance(meta, pd.DataFrame):
        raise ScoreDataError(f"{origin}: expected a pandas DataFrame, got {type(meta).__name__}")
    meta = meta.copy()
    if D.BENCHMARK in meta.columns:
        meta = meta.set_index(D.BENCHMARK)
    elif meta.index.name != D.BENCHMARK:
        raise ScoreDataError(
            f"{origin} needs a 'benchmark' column (or an index named 'benchmark') to say which "
            f"benchmark each row describes; it has columns {_show(meta.columns, 12)}"
        )
    names = pd.Series(meta.index, dtype=object).astype("string").str.strip()
    blank = (names.isna() | (names == "")).to_numpy(bool)
    if blank.any():
        raise ScoreDataError(
            f"{origin} has blank benchmark names in rows (by position) "
            f"{_show(np.flatnonzero(blank))}; name each benchmark or drop the rows"
        )
    meta.index = pd.Index(names.to_numpy(), name=D.BENCHMARK, dtype="string")
    dup = meta.index[meta.index.duplicated()]
    if len(dup):
        raise ScoreDataError(f"benchmark metadata repeats benchmark(s): {_show(dup.unique())}")
    if "benchmark_release_date" in meta.columns and "release_date" not in meta.columns:
        meta = meta.rename(columns={"benchmark_release_date": "release_date"})
    return meta


def check_item_counts(col: pd.Series) -> pd.Series:
    """The optional benchmark metadata column ``n_items`` (the number of items a score is the
    share of) as floats: a whole number >= 1 where given, NaN where unknown; a ScoreDataError
    names the benchmarks with anything else."""
    num = pd.to_numeric(col, errors="coerce").astype(float)
    bad = (num.isna() & col.notna()) | (num.notna() & ((num < 1) | (num != np.round(num))))
    if bad.any():
        raise ScoreDataError(
            "benchmark metadata column 'n_items' (items per score) must be a whole number >= 1, "
            f"or blank if unknown; benchmark(s) {_show(col.index[bad])} have "
            f"{_show(col[bad].unique(), 5)}"
        )
    return num


def normalize_benchmark_meta(meta: pd.DataFrame | None, names: Iterable[str]) -> pd.DataFrame:
    """Per-benchmark metadata indexed by benchmark, with defaults for benchmarks not described.

    Checks ``access`` (public / private / unknown), ``scale`` (one of :data:`SCALES`),
    ``random_baseline`` and ``ceiling`` (numbers; on fraction benchmarks
    ``0 <= random_baseline < ceiling <= 1``), ``release_date`` (as
    :func:`~irtgap.core.dates.parse_dates`) and, where given, ``n_items``
    (:func:`check_item_counts`).

    Parameters
    ----------
    meta : pandas.DataFrame or None
        The user's metadata (see :func:`index_benchmark_meta`), or None for defaults only.
    names : iterable of str
        The benchmarks the scores name: each gets a row.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``benchmark`` (sorted), with at least the columns ``access``,
        ``random_baseline``, ``scale``, ``ceiling`` and ``release_date``.
    """
    names = [str(n) for n in names]
    if meta is None:
        meta = pd.DataFrame(index=pd.Index([], name=D.BENCHMARK, dtype="string"))
    else:
        meta = index_benchmark_meta(meta)
    meta = meta.reindex(pd.Index(sorted(set(meta.index) | set(names)), name=D.BENCHMARK))
    for col, default in DEFAULTS.items():
        if col not in meta.columns:
            meta[col] = default
        meta[col] = meta[col].where(meta[col].notna(), default)
    meta["access"] = _checked_access(meta)
    meta["scale"] = _checked_scale(meta)
    if "ceiling" not in meta.columns:
        meta["ceiling"] = np.nan
    for col in ("random_baseline", "ceiling"):
        meta[col] = _numbers(meta, col)
    meta["ceiling"] = meta["ceiling"].where(meta["ceiling"].notna(), 1.0)
    _check_fraction_bounds(meta)
    if "n_items" in meta.columns:
        meta["n_items"] = check_item_counts(meta["n_items"])
    if "release_date" in meta.columns:
        meta["release_date"] = parse_dates(
            meta["release_date"],
            column="release_date",
            blank="leave it blank if unknown",
            label="benchmark metadata column 'release_date'",
        )
    else:
        meta["release_date"] = pd.NaT
    return meta


def _checked_access(meta: pd.DataFrame) -> pd.Series:
    """The ``access`` column, stripped and lower-case; unknown labels raise."""
    access = meta["access"].astype("string").str.strip().str.lower()
    bad = meta.index[~access.isin(list(ACCESS_LABELS))]
    if len(bad):
        raise ScoreDataError(
            f"benchmark metadata column 'access' must be public or private; benchmark(s) "
            f"{_show(bad)} have {_show(access.loc[bad].unique())}"
        )
    return access


def _checked_scale(meta: pd.DataFrame) -> pd.Series:
    """The ``scale`` column, stripped and lower-case; a scale not in :data:`SCALES` raises."""
    scale = meta["scale"].astype("string").str.strip().str.lower()
    bad_scale = ~scale.isin(list(SCALES))
    if bad_scale.any():
        given = sorted(set(scale[bad_scale]))
        hint = (
            " (ScoreData takes fraction scores: divide percent by 100, 0-10 grades by 10, and "
            "declare scale='fraction')"
            if set(given) & {"percent", "score_0_10"}
            else ""
        )
        raise ScoreDataError(
            f"benchmark metadata column 'scale' has {_show(map(repr, given))} for benchmark(s) "
            f"{_show(meta.index[bad_scale])}; known scales: {', '.join(SCALES)}{hint}"
        )
    return scale


def _numbers(meta: pd.DataFrame, col: str) -> pd.Series:
    """Column ``col`` as floats (blank stays NaN); a value that is not a number raises."""
    num = pd.to_numeric(meta[col], errors="coerce")
    bad_num = num.isna() & meta[col].notna()
    if bad_num.any():
        raise ScoreDataError(
            f"benchmark metadata column {col!r} is not a number for benchmark(s) "
            f"{_show(meta.index[bad_num])}: {_show(meta.loc[bad_num, col].unique(), 5)}"
        )
    return num.astype(float)


def _check_fraction_bounds(meta: pd.DataFrame) -> None:
    """On fraction benchmarks: ``0 < ceiling <= 1`` and ``0 <= random_baseline < ceiling``."""
    frac = meta["scale"] == "fraction"
    bad_ceil = frac & ~((meta["ceiling"] > 0) & (meta["ceiling"] <= 1))
    if bad_ceil.any():
        raise ScoreDataError(
            "benchmark metadata column 'ceiling' (the best possible score) must lie in (0, 1] on "
            "fraction benchmarks: "
            + _show(f"{b!r} ({c:g})" for b, c in meta.loc[bad_ceil, "ceiling"].items())
            + "; give scores and ceilings as fractions, or declare another scale"
        )
    bad_base = frac & ~(
        (meta["random_baseline"] >= 0) & (meta["random_baseline"] < meta["ceiling"])
    )
    if bad_base.any():
        raise ScoreDataError(
            "benchmark metadata column 'random_baseline' must lie in [0, ceiling) on fraction "
            "benchmarks: "
            + _show(
                f"{b!r} (random_baseline {r['random_baseline']:g}, ceiling {r['ceiling']:g})"
                for b, r in meta.loc[bad_base].iterrows()
            )
        )
