"""Dates: release-date columns parsed consistently (:func:`parse_dates`) and date options
checked (:func:`check_date`, :func:`check_dates`).

A column of dates is read in one way for all its values: ISO dates, datetimes, dates with a
month name, and day/month-first dates in the one order the column's values show (values that
read either way take that order, with a warning naming them). A column that shows both orders,
or only values that read either way, or values that cannot be read at all, is refused with the
rows and values at fault.
"""

from __future__ import annotations

import datetime as _dt
import re
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from irtgap.core.errors import InputWarning, ScoreDataError
from irtgap.core.options import show_values as _show

#: Release dates before this are refused as placeholders (1970-01-01 is the Unix epoch).
EARLIEST_DATE = pd.Timestamp("2000-01-01")

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

_ISO_FIX = (
    "Give dates as ISO YYYY-MM-DD (e.g. 2024-03-01), or pass pre-parsed datetimes "
    "(pandas.to_datetime with an explicit format)"
)
#: What each kind of unreadable value is called in messages, and how to fix it.
_PROBLEMS = {
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
    values with a part above 12 show (an :class:`~irtgap.core.errors.InputWarning` names the rows
    read by that inference); a column whose values show both orders, or whose values all read
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

    Returns
    -------
    pandas.Series
        ``datetime64[ns]``, on the index of ``values``.

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


@dataclass
class _Reading:
    """The state of reading one column: parsed values, the problems met (by kind, then by raw
    value, the row labels), and the values still to parse (day/month-first, ISO text)."""

    labels: list[Any]
    out: list[Any]
    problems: dict[str, dict[str, list[Any]]] = field(default_factory=dict)
    dmy: list[tuple[int, int, int, int, str, str]] = field(default_factory=list)
    iso: dict[int, str] = field(default_factory=dict)

    def note(self, kind: str, raw: Any, i: int) -> None:
        self.problems.setdefault(kind, {}).setdefault(str(raw), []).append(self.labels[i])


def _parse_values(values: pd.Series, *, name: str) -> pd.Series:
    reading = _Reading(labels=list(values.index), out=[pd.NaT] * len(values))
    for i, v in enumerate(values.astype(object).tolist()):
        _read_value(reading, i, v)
    if reading.dmy:
        order = _day_month_order(reading.dmy, reading.labels, name=name)
        _warn_implied_order(reading.dmy, reading.labels, order, name=name)
        for i, a, b, year, rest, _raw in reading.dmy:
            day, month = (a, b) if order == "day-first" else (b, a)
            reading.iso[i] = f"{year:04d}-{month:02d}-{day:02d}{rest}"
    if reading.iso:
        _parse_iso(reading, values)
    _raise_problems(name, reading.problems)
    # microseconds hold any year, so that far-off dates reach the range check, not an overflow
    return pd.Series(reading.out, index=values.index, dtype="datetime64[us]")


def _read_value(reading: _Reading, i: int, v: Any) -> None:
    """Read value ``v`` of row ``i``: a datetime or a month-name date is parsed here, ISO and
    day/month-first text is kept for later, anything else is noted as a problem."""
    if v is None or v is pd.NaT or v is pd.NA:
        return
    if isinstance(v, float | np.floating) and np.isnan(v):
        return
    if isinstance(v, pd.Timestamp | _dt.date | np.datetime64):
        if not (isinstance(v, np.datetime64) and np.isnat(v)):
            reading.out[i] = _timestamp(v)
        return
    if isinstance(v, bool | int | float | np.number):
        reading.note("number", v, i)
        return
    if not isinstance(v, str):
        reading.note("unparseable", v, i)
        return
    s = v.strip()
    if not s:
        return
    if m := _YMD.fullmatch(s):
        reading.iso[i] = f"{m[1]}-{int(m[3]):02d}-{int(m[4]):02d}{m[5]}"
    elif m := _DMY.fullmatch(s):
        if len(m[4]) != 4:
            reading.note("short year", v, i)
        else:
            reading.dmy.append((i, int(m[1]), int(m[3]), int(m[4]), m[5], v))
    elif _PARTIAL.fullmatch(s):
        reading.note("partial", v, i)
    elif _MONTH_NAME.search(s):
        ts = pd.to_datetime(s, format="mixed", utc=True, errors="coerce")
        if pd.isna(ts):
            reading.note("unparseable", v, i)
        elif not _DAY_NUMBER.search(_MONTH_NAME.sub(" ", s).replace(str(ts.year), " ")):
            reading.note("partial", v, i)
        else:
            reading.out[i] = ts.tz_convert("UTC").tz_localize(None)
    else:
        reading.note("unparseable", v, i)


def _parse_iso(reading: _Reading, values: pd.Series) -> None:
    """Parse the ISO text kept by :func:`_read_value` (one call for all of it)."""
    pos = list(reading.iso)
    raw = pd.Series([reading.iso[i] for i in pos], dtype=object)
    stamps = pd.to_datetime(raw, format="ISO8601", utc=True, errors="coerce")
    stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
    for k, i in enumerate(pos):
        if pd.isna(stamps.iloc[k]):
            reading.note("unparseable", values.iloc[i], i)
        else:
            reading.out[i] = stamps.iloc[k]


def _raise_problems(name: str, problems: dict[str, dict[str, list[Any]]]) -> None:
    """Raise for the first kind of problem met (in the order of :data:`_PROBLEMS`)."""
    for kind, (problem, fix) in _PROBLEMS.items():
        if kind in problems:
            rows = problems[kind]
            if kind == "unparseable":  # this wording is matched by callers
                allrows = [r for rs in rows.values() for r in rs]
                raise ScoreDataError(
                    f"{name} has unparseable dates in rows {_show(allrows)}: "
                    f"{_show(rows, 5)}. {fix}"
                )
            _raise_dates(name, problem, rows, fix)


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


def _warn_implied_order(
    dmy: list[tuple[int, int, int, int, str, str]], labels: list[Any], order: str, *, name: str
) -> None:
    """Warn, naming the rows, when values that read either way (``03/01/2024``) take the order
    that other values of the column show (``13/04/2024``): an inference, not a reading."""
    either = [(labels[i], raw, a, b, y) for i, a, b, y, _, raw in dmy if a <= 12 and b <= 12]
    either = [e for e in either if e[2] != e[3]]
    if not either:
        return
    by_value: dict[str, tuple[str, list[Any]]] = {}
    for r, raw, a, b, y in either:
        day, month = (a, b) if order == "day-first" else (b, a)
        by_value.setdefault(str(raw), (f"{y:04d}-{month:02d}-{day:02d}", []))[1].append(r)
    shown = [
        f"{raw!r} (row{'s' if len(rows) > 1 else ''} {_show(rows, 4)}) as {iso}"
        for raw, (iso, rows) in by_value.items()
    ]
    proof = [
        (labels[i], raw)
        for i, a, b, _, _, raw in dmy
        if (a > 12 if order == "day-first" else b > 12)
    ]
    warnings.warn(
        f"{name}: {len(either)} date(s) that read either way were read {order}, as other values "
        f"of the column can only be {order} ({_show((f'{v!r} (row {r})' for r, v in proof), 3)}): "
        f"{_show(shown, 5)}. If any was meant the other way: {_ISO_FIX[0].lower()}{_ISO_FIX[1:]}",
        InputWarning,
        stacklevel=5,
    )


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


def check_date(option: str, value: Any) -> pd.Timestamp:
    """One date as a naive timestamp (time-zone-aware values in UTC); raise naming ``option``.

    Numbers are refused: ``pd.Timestamp(2022)`` is 2022 nanoseconds after 1970, not the year.

    Parameters
    ----------
    option : str
        The option's name, for the message.
    value : object
        An ISO date string, a ``Timestamp``, ``datetime`` or ``datetime64``.

    Returns
    -------
    pandas.Timestamp
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
    """Dates as a sorted, duplicate-free, naive index; a single date is one date.

    Parameters
    ----------
    option : str
        The option's name, for the message.
    dates : date-like or iterable of date-like
        One date or several (each as :func:`check_date` reads it).

    Returns
    -------
    pandas.DatetimeIndex
        ``datetime64[ns]``, sorted, without repeats.
    """
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
