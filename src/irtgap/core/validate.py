"""Boundary checks and parsers shared by the data constructors and loaders."""

from __future__ import annotations

import datetime as _dt
import numbers
import re
from collections.abc import Collection, Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from irtgap.core import dims as D
from irtgap.core.errors import ScoreDataError

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
#: Scales a benchmark's scores may be on. ``fraction`` (0 to the benchmark's ceiling, at most 1)
#: is the one the IRT methods model; the others are units kept as given (non-negative): the METR
#: time horizon in ``minutes`` or ``hours``, a length in ``tokens``, an arena ``elo`` or another
#: ``rating``. Anything else (a typo such as ``'fractoin'``) is refused.
SCALES: tuple[str, ...] = ("fraction", "minutes", "hours", "tokens", "elo", "rating")
#: Release dates before this are refused as placeholders (1970-01-01 is the Unix epoch).
EARLIEST_DATE = pd.Timestamp("2000-01-01")


def show_values(values: Iterable[Any], limit: int = 8) -> str:
    """The first ``limit`` values, comma-separated, with the total when there are more."""
    v = list(values)
    s = ", ".join(str(x) for x in v[:limit])
    return s + (f", ... ({len(v)} in all)" if len(v) > limit else "")


_show = show_values


def check_choice(option: str, value: Any, allowed: Collection[Any]) -> None:
    """Raise naming ``option`` and the allowed values unless ``value`` is one of ``allowed``.

    The one validator of literal options (``duplicates=``, ``sparse_benchmarks=``, ...): a typo
    such as ``sparse_benchmarks='ignore'`` is refused, never taken as some default.
    """
    try:
        ok = value in allowed and not isinstance(value, bool | np.bool_)
    except TypeError:  # unhashable value
        ok = False
    if not ok:
        raise ScoreDataError(
            f"{option}={value!r} is not an option: use one of {', '.join(map(repr, allowed))}"
        )


def check_bool(option: str, value: Any) -> None:
    """Raise unless ``value`` is a boolean (``registry='no'`` would otherwise count as true)."""
    if not isinstance(value, bool | np.bool_):
        raise ScoreDataError(f"{option}={value!r}: use True or False")


def check_count(option: str, value: Any, *, minimum: int = 1) -> int:
    """An integer option of at least ``minimum``, as a Python ``int``; raise naming it otherwise."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer):
        raise ScoreDataError(f"{option}={value!r}: give a whole number of at least {minimum}")
    if value < minimum:
        raise ScoreDataError(f"{option}={value!r}: must be at least {minimum}")
    return int(value)


def require_columns(df: pd.DataFrame, spec: Mapping[str, str]) -> None:
    """Raise naming every requested column that ``df`` lacks, or holds more than once."""
    missing = []
    for role, col in spec.items():
        try:
            present = col in df.columns
        except TypeError:  # an unhashable column name
            present = False
        if not present:
            missing.append(f"{col!r} ({role})")
    if missing:
        raise ScoreDataError(
            f"missing column(s): {', '.join(missing)}; the frame has {_show(df.columns, 20)}"
        )
    repeated = [f"{col!r} ({role})" for role, col in spec.items() if (df.columns == col).sum() > 1]
    if repeated:
        raise ScoreDataError(
            f"column(s) {', '.join(repeated)} appear more than once in the frame; rename or drop "
            "the copies so that each role has one column"
        )


# ---------------------------------------------------------------------- dates
#: An optional time, with an optional UTC offset after it.
_TIME = r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*(?:Z|[+-]\d{2}(?::?\d{2})?))?)?"
#: Year first (ISO and its slash/dot variants): unambiguous.
_YMD = re.compile(rf"(\d{{4}})([-/.])(\d{{1,2}})\2(\d{{1,2}})({_TIME})", re.IGNORECASE)
#: Day and month first, in an order the value alone does not say.
_DMY = re.compile(rf"(\d{{1,2}})([-/.])(\d{{1,2}})\2(\d{{2,4}})({_TIME})", re.IGNORECASE)
#: A year, or a year and month, with no day.
_PARTIAL = re.compile(r"\d{4}(?:[-/.]\d{1,2})?")
_MONTH_NAME = re.compile(
    r"(?<![a-z])(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?(?![a-z])",
    re.IGNORECASE,
)
_DAY_NUMBER = re.compile(r"(?<![\d:])\d{1,2}(?:st|nd|rd|th)?(?![\d:])", re.IGNORECASE)


def _timestamp(value: Any) -> pd.Timestamp:
    """A datetime-like value as a naive timestamp (time-zone-aware values in UTC)."""
    ts = pd.Timestamp(value)
    if ts.tzinfo is not None:
        ts = ts.tz_convert("UTC").tz_localize(None)
    return ts


def _raise_dates(name: str, problem: str, rows: dict[str, list[Any]], fix: str) -> None:
    shown = "; ".join(
        f"{v!r} (row{'s' if len(r) > 1 else ''} {_show(r, 5)})" for v, r in list(rows.items())[:5]
    )
    more = f"; ... ({len(rows)} values in all)" if len(rows) > 5 else ""
    raise ScoreDataError(f"{name} {problem}: {shown}{more}. {fix}")


_ISO_FIX = (
    "Give dates as ISO YYYY-MM-DD (e.g. 2024-03-01), or pass pre-parsed datetimes "
    "(pandas.to_datetime with an explicit format)"
)


def parse_dates(
    values: pd.Series,
    *,
    column: str,
    earliest: pd.Timestamp | None = EARLIEST_DATE,
    latest: pd.Timestamp | None = None,
    blank: str = "leave it blank to drop the row",
    label: str | None = None,
) -> pd.Series:
    """Parse a column of release dates consistently; raise naming rows and values otherwise.

    Accepted, per value: ISO dates ``YYYY-MM-DD`` (also with ``/`` or ``.``), optionally with a
    time and a UTC offset (``2024-01-01T00:00:00+02:00``); datetimes (``datetime64`` columns,
    ``Timestamp`` or ``datetime`` objects); dates with a month name (``3 Jan 2024``). Time-zone
    aware values are converted to UTC and the time zone dropped. Day-and-month-first dates
    (``13/04/2024``, ``04.13.2024``) are read in one order for the whole column, the order that
    values with a part above 12 show; a column whose values show both orders, or whose values read
    either way, is refused. Blank cells become NaT.

    Parameters
    ----------
    values : pandas.Series
        The raw column; its index labels name the rows in messages.
    column : str
        The column's name, for messages.
    earliest, latest : pandas.Timestamp, optional
        Dates before ``earliest`` (default 2000-01-01: 1970-01-01 is a placeholder) or after
        ``latest`` (default: today) are refused. ``None`` turns a bound off.
    blank : str
        What leaving a cell blank does, for messages.
    label : str, optional
        How messages name the column (default ``column '<column>' (date)``).

    Raises
    ------
    ScoreDataError
        Unparseable values, numbers, two-digit years, dates without a day, mixed or ambiguous
        day/month order, or dates outside ``[earliest, latest]``.
    """
    name = label or f"column {column!r} (date)"
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        parsed = values.dt.tz_convert("UTC").dt.tz_localize(None)
    elif pd.api.types.is_datetime64_dtype(values.dtype):
        parsed = values
    else:
        parsed = _parse_values(values, name=name)
    parsed = pd.Series(parsed, index=values.index)
    _check_date_range(parsed, name=name, earliest=earliest, latest=latest, blank=blank)
    return parsed.astype("datetime64[ns]")


def _parse_values(values: pd.Series, *, name: str) -> pd.Series:
    out: list[Any] = [pd.NaT] * len(values)
    problems: dict[str, dict[str, list[Any]]] = {}
    dmy: list[tuple[int, int, int, int, str, str]] = []  # position, a, b, year, rest, raw
    iso: dict[int, str] = {}
    labels = list(values.index)

    def note(kind: str, raw: Any, i: int) -> None:
        problems.setdefault(kind, {}).setdefault(str(raw), []).append(labels[i])

    for i, v in enumerate(values.astype(object).tolist()):
        if v is None or v is pd.NaT or v is pd.NA:
            continue
        if isinstance(v, float | np.floating) and np.isnan(v):
            continue
        if isinstance(v, pd.Timestamp | _dt.date | np.datetime64):
            if isinstance(v, np.datetime64) and np.isnat(v):
                continue
            out[i] = _timestamp(v)
            continue
        if isinstance(v, bool | int | float | np.number):
            note("number", v, i)
            continue
        if not isinstance(v, str):
            note("unparseable", v, i)
            continue
        s = v.strip()
        if not s:
            continue
        if m := _YMD.fullmatch(s):
            iso[i] = f"{m[1]}-{int(m[3]):02d}-{int(m[4]):02d}{m[5]}"
        elif m := _DMY.fullmatch(s):
            if len(m[4]) != 4:
                note("short year", v, i)
            else:
                dmy.append((i, int(m[1]), int(m[3]), int(m[4]), m[5], v))
        elif _PARTIAL.fullmatch(s):
            note("partial", v, i)
        elif _MONTH_NAME.search(s):
            ts = pd.to_datetime(s, format="mixed", utc=True, errors="coerce")
            if pd.isna(ts):
                note("unparseable", v, i)
            elif not _DAY_NUMBER.search(_MONTH_NAME.sub(" ", s).replace(str(ts.year), " ")):
                note("partial", v, i)
            else:
                out[i] = ts.tz_convert("UTC").tz_localize(None)
        else:
            note("unparseable", v, i)

    if dmy:
        order = _day_month_order(dmy, labels, name=name)
        for i, a, b, year, rest, _raw in dmy:
            day, month = (a, b) if order == "day-first" else (b, a)
            iso[i] = f"{year:04d}-{month:02d}-{day:02d}{rest}"
    if iso:
        pos = list(iso)
        raw = pd.Series([iso[i] for i in pos], dtype=object)
        stamps = pd.to_datetime(raw, format="ISO8601", utc=True, errors="coerce")
        stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
        for k, i in enumerate(pos):
            if pd.isna(stamps.iloc[k]):
                note("unparseable", values.iloc[i], i)
            else:
                out[i] = stamps.iloc[k]

    messages = {
        "unparseable": ("has unparseable dates", _ISO_FIX),
        "number": (
            "holds numbers, not dates",
            "Give dates as ISO strings YYYY-MM-DD or as datetimes (a bare year or a timestamp "
            "count is not read as a date)",
        ),
        "short year": ("has two-digit years", "Give four-digit years, best as ISO YYYY-MM-DD"),
        "partial": (
            "has dates without a day",
            "Give the full release date YYYY-MM-DD (a year or month alone would be read as its "
            "first day)",
        ),
    }
    for kind, (problem, fix) in messages.items():
        if kind in problems:
            rows = problems[kind]
            if kind == "unparseable":  # the historical wording, kept for callers matching it
                allrows = [r for rs in rows.values() for r in rs]
                raise ScoreDataError(
                    f"{name} has unparseable dates in rows {_show(allrows)}: "
                    f"{_show(rows, 5)}. {fix}"
                )
            _raise_dates(name, problem, rows, fix)
    # microseconds hold any year, so that far-off dates reach the range check, not an overflow
    return pd.Series(out, index=values.index, dtype="datetime64[us]")


def _day_month_order(
    dmy: list[tuple[int, int, int, int, str, str]], labels: list[Any], *, name: str
) -> str:
    """The one day/month order of a column's ``a/b/yyyy`` dates, or raise."""
    day_first = [(labels[i], raw) for i, a, b, _, _, raw in dmy if a > 12 and b <= 12]
    month_first = [(labels[i], raw) for i, a, b, _, _, raw in dmy if b > 12 and a <= 12]
    if day_first and month_first:
        either = [(labels[i], raw) for i, a, b, _, _, raw in dmy if a <= 12 and b <= 12 and a != b]
        others = (
            f", so {_show((f'{v!r} (row {r})' for r, v in either), 3)} cannot be read safely"
            if either
            else ""
        )
        raise ScoreDataError(
            f"{name} mixes day-first and month-first dates: "
            f"{_show((f'{v!r} (row {r})' for r, v in day_first), 3)} can only be day/month, "
            f"{_show((f'{v!r} (row {r})' for r, v in month_first), 3)} only month/day{others}. "
            f"{_ISO_FIX}"
        )
    if day_first:
        return "day-first"
    if month_first:
        return "month-first"
    either = [(labels[i], raw) for i, a, b, _, _, raw in dmy if a != b]
    if either:
        raise ScoreDataError(
            f"{name} has dates that read as day/month or as month/day and no "
            "value says which: "
            f"{_show((f'{v!r} (row {r})' for r, v in either), 5)}. {_ISO_FIX}"
        )
    return "day-first"  # every value has day == month: both orders agree


def _check_date_range(
    parsed: pd.Series,
    *,
    name: str,
    earliest: pd.Timestamp | None,
    latest: pd.Timestamp | None,
    blank: str,
) -> None:
    if earliest is not None:
        early = parsed.notna() & (parsed < earliest)
        if early.any():
            _raise_dates(
                name,
                f"has dates before {earliest.date()} (placeholders such as 1970-01-01?)",
                _by_value(parsed[early]),
                f"Give the real date, or {blank}",
            )
    if latest is None:
        latest = pd.Timestamp.now().normalize() + pd.Timedelta(days=1)
        label = f"after today ({(latest - pd.Timedelta(days=1)).date()})"
    else:
        label = f"after {latest.date()}"
    late = parsed.notna() & (parsed >= latest)
    if late.any():
        _raise_dates(
            name,
            f"has dates in the future, {label}",
            _by_value(parsed[late]),
            f"Give the real date, or {blank}",
        )


def _by_value(dates: pd.Series) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for label, v in dates.items():
        key = str(v.date()) if v == v.normalize() else str(v)
        out.setdefault(key, []).append(label)
    return out


# ---------------------------------------------------------------------- labels
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


# ---------------------------------------------------------------------- benchmark metadata
def index_benchmark_meta(meta: Any, *, origin: str = "the benchmarks= table") -> pd.DataFrame:
    """A copy of a user's benchmark metadata indexed by stripped benchmark name.

    The frame needs a ``benchmark`` column or an index named ``benchmark``; blank or repeated
    names are refused. ``benchmark_release_date`` is renamed ``release_date``.
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
    ``0 <= random_baseline < ceiling <= 1``), ``release_date`` (as :func:`parse_dates`) and,
    where given, ``n_items`` (:func:`check_item_counts`).
    """
    names = [str(n) for n in names]
    if meta is None:
        meta = pd.DataFrame(index=pd.Index([], name=D.BENCHMARK, dtype="string"))
    else:
        meta = index_benchmark_meta(meta)
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
    bad_scale = ~meta["scale"].isin(list(SCALES))
    if bad_scale.any():
        given = sorted(set(meta.loc[bad_scale, "scale"]))
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
    if "ceiling" not in meta.columns:
        meta["ceiling"] = np.nan
    for col in ("random_baseline", "ceiling"):
        num = pd.to_numeric(meta[col], errors="coerce")
        bad_num = num.isna() & meta[col].notna()
        if bad_num.any():
            raise ScoreDataError(
                f"benchmark metadata column {col!r} is not a number for benchmark(s) "
                f"{_show(meta.index[bad_num])}: {_show(meta.loc[bad_num, col].unique(), 5)}"
            )
        meta[col] = num.astype(float)
    meta["ceiling"] = meta["ceiling"].where(meta["ceiling"].notna(), 1.0)
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


# ---------------------------------------------------------------------------- option checks
# The checks every method runs on its numeric, date and name options, so that a bad value is
# refused with a message naming the option (``check_choice`` / ``check_count`` in
# ``irtgap.core.validate`` cover literal choices and counts).


def check_level(option: str, value: Any) -> float:
    """A level strictly between 0 and 1 (``ci_prob=``), as a float; raise naming ``option``
    otherwise."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)
    if not ok or not 0 < float(value) < 1:
        raise ScoreDataError(
            f"{option}={value!r}: give a number strictly between 0 and 1 (0.9 for a 90% interval)"
        )
    return float(value)


def check_number(
    option: str,
    value: Any,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    above: float | None = None,
) -> float:
    """A finite real option within bounds (``minimum``/``maximum`` inclusive, ``above`` strict)."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)
    if not ok or not np.isfinite(float(value)):
        raise ScoreDataError(f"{option}={value!r}: give a finite number")
    v = float(value)
    if (
        (minimum is not None and v < minimum)
        or (maximum is not None and v > maximum)
        or (above is not None and v <= above)
    ):
        parts = [
            f"at least {minimum:g}" if minimum is not None else "",
            f"above {above:g}" if above is not None else "",
            f"at most {maximum:g}" if maximum is not None else "",
        ]
        raise ScoreDataError(f"{option}={value!r}: must be {' and '.join(p for p in parts if p)}")
    return v


def check_seed(option: str, value: Any, *, generator: bool = False) -> Any:
    """A non-negative whole-number seed (or a ``numpy.random.Generator`` where allowed)."""
    if generator and isinstance(value, np.random.Generator):
        return value
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer) or value < 0:
        extra = " or a numpy.random.Generator" if generator else ""
        raise ScoreDataError(f"{option}={value!r}: give a non-negative whole number{extra}")
    return int(value)


def check_date(option: str, value: Any) -> pd.Timestamp:
    """One date as a naive timestamp (time-zone-aware values in UTC); raise naming ``option``.

    Numbers are refused: ``pd.Timestamp(2022)`` is 2022 nanoseconds after 1970, not the year.
    """
    if isinstance(value, bool | int | float | np.integer | np.floating):
        raise ScoreDataError(
            f"{option}={value!r} is not a date (it is a number): give an ISO date such as "
            "'2025-01-20'"
        )
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError) as err:
        raise ScoreDataError(
            f"{option}={value!r} is not a date: give an ISO date such as '2025-01-20'"
        ) from err
    if pd.isna(ts):
        raise ScoreDataError(
            f"{option}={value!r} is not a date: give an ISO date such as '2025-01-20'"
        )
    if ts.tzinfo is not None:
        ts = ts.tz_convert("UTC").tz_localize(None)
    return ts


def check_dates(option: str, dates: Any) -> pd.DatetimeIndex:
    """Dates as a sorted, duplicate-free, naive index; a single date is one date."""
    if isinstance(dates, pd.DatetimeIndex):
        idx = dates.tz_convert("UTC").tz_localize(None) if dates.tz is not None else dates
        if idx.hasnans:
            raise ScoreDataError(f"{option}: contains a missing date (NaT)")
    else:
        if isinstance(dates, str | pd.Timestamp | _dt.date | np.datetime64):
            dates = [dates]
        try:
            values = list(dates)
        except TypeError as err:
            raise ScoreDataError(
                f"{option}={dates!r}: give a date or a list of dates (ISO strings or timestamps)"
            ) from err
        idx = pd.DatetimeIndex([check_date(option, v) for v in values])
    if idx.empty:
        raise ScoreDataError(f"{option}: no dates given")
    return pd.DatetimeIndex(idx.unique().sort_values()).astype("datetime64[ns]")


def check_names(option: str, given: Any, known: Iterable[str], *, what: str) -> list[str]:
    """Names as a list (a single string is one name, not letters); unknown names raise.

    The error names ``option`` and each unknown name, and lists the names that exist.
    """
    if isinstance(given, str):
        names = [given]
    elif isinstance(given, Iterable) and not isinstance(given, bytes | Mapping):
        names = list(given)
    else:
        raise ScoreDataError(f"{option}={given!r}: give a {what} name or a list of {what} names")
    bad = [n for n in names if not isinstance(n, str)]
    if bad:
        raise ScoreDataError(f"{option}: {what} names must be strings, got {_show(map(repr, bad))}")
    if not names:
        raise ScoreDataError(f"{option}: the list of {what} names is empty")
    known = list(known)
    unknown = sorted(set(names) - set(known))
    if unknown:
        raise ScoreDataError(
            f"{option}: unknown {what} name(s) {_show(map(repr, unknown))}; the data has "
            f"{_show(sorted(known), 40)}"
        )
    return list(dict.fromkeys(names))


def check_n_jobs(value: Any) -> int:
    """A joblib worker count: a non-zero whole number (1: serial, -1: every core)."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer) or value == 0:
        raise ScoreDataError(
            f"n_jobs={value!r}: give a non-zero whole number (1: serial, -1: every core)"
        )
    return int(value)
