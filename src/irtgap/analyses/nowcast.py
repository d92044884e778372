"""The gap today: the gap at the last date with data, and at a later date only as a projection.

Every result's data end somewhere (its last fitted model, its last datapoint); asked about a
later date, a gap method has nothing to say unless it projects. :func:`nowcast` gives, per gap
group, the gap at the last date with data and the gap at ``date`` (default today): a reading
within the data where ``date`` lies inside it, an explicit projection where the result can
project (the Bayesian fit continues its frontiers with their posterior growth spread,
``gap(..., extrapolate=True)``, so the interval widens with the distance), and NaN with the
reason where it cannot (the threshold, ECI-style, Elo and composite results, and Epoch's rule,
end at their data). The distance from the last data is always given in months.

:func:`read_gap` is the one reading rule, shared with the backtest
(:func:`irtgap.analyses.backtest.backtest`); :func:`headline_lines` words a nowcast table as the
first lines of a report.

Examples
--------
>>> import warnings, irtgap
>>> from irtgap.analyses.nowcast import nowcast
>>> data = irtgap.load_dataset()
>>> res = irtgap.composite_index(data, n_bootstrap=20, seed=1)
>>> table = nowcast(res, date="2026-12-06")
>>> table[["group", "kind", "date", "projected"]]
  group       kind       date  projected
0   all  last data 2026-02-19      False
1   all    nowcast 2026-12-06      False
>>> bool(table.loc[1, ["median", "lower", "upper"]].isna().all())
True
>>> print(table.loc[1, "note"])  # doctest: +NORMALIZE_WHITESPACE
the composite result cannot project past its last date with data (2026-02-19): no number at
2026-12-06, 9.5 months later
"""

from __future__ import annotations

import inspect
import warnings
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd

from irtgap.core import dims as D
from irtgap.core.validate import check_date, check_level
from irtgap.methods.registry import get_method
from irtgap.results import GapResult

#: Columns of :func:`nowcast`'s table, in order.
NOWCAST_COLUMNS: Final = (
    "method",
    D.GROUP,
    "kind",
    D.DATE,
    "median",
    "lower",
    "upper",
    "last_data",
    "months_past_data",
    "projected",
    "note",
)


@dataclass(frozen=True)
class Reading:
    """One reading of a result's gap at one date (see :func:`read_gap`).

    Attributes
    ----------
    median, lower, upper : float
        The gap in months and its interval (NaN when there is no number).
    last_data : pandas.Timestamp
        The group's last date with data.
    months_past_data : float
        How far ``date`` lies past ``last_data``, in months (0 within the data, negative before
        the first date with data).
    projected : bool
        Whether the number is a projection past the data.
    note : str
        What the reading is, or why there is no number.
    """

    median: float
    lower: float
    upper: float
    last_data: pd.Timestamp
    months_past_data: float
    projected: bool
    note: str

    @property
    def answered(self) -> bool:
        """Whether the reading has a number."""
        return bool(np.isfinite(self.median))


def can_project(result: GapResult) -> bool:
    """Whether ``result`` can continue its gap past its data (its ``gap()`` has ``extrapolate=``).

    Parameters
    ----------
    result : GapResult
        Any method's result.

    Returns
    -------
    bool
        True for the Bayesian fit.
    """
    return "extrapolate" in inspect.signature(result.gap).parameters


def _label(result: GapResult) -> str:
    return get_method(result.method).label or result.method


def _months(a: pd.Timestamp, b: pd.Timestamp) -> float:
    return float((a - b) / pd.Timedelta(days=1) / D.DAYS_PER_MONTH)


def _row(result: GapResult, date: pd.Timestamp, group: str, **options: Any) -> pd.Series:
    """The gap table's row of ``group`` at ``date`` (warnings kept as text in ``attrs``)."""
    spec = get_method(result.method)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        table = result.gap([date], **options)
        if group not in set(table[D.GROUP]) and spec.summary_options:
            table = result.gap([date], **{**options, **spec.summary_options})
    rows = table[table[D.GROUP] == group]
    if rows.empty:
        raise ValueError(
            f"the {result.method} result has no gap group {group!r}; its groups: "
            f"{sorted(result.group_support())}"
        )
    row = rows.iloc[0].copy()
    row.attrs["warnings"] = list(dict.fromkeys(str(w.message) for w in caught))
    return row


def read_gap(
    result: GapResult,
    date: Any,
    *,
    group: str | None = None,
    ci_prob: float | None = None,
    project: bool = True,
) -> Reading:
    """The gap of ``result`` at ``date``: within its data, projected past it, or NaN with why.

    Parameters
    ----------
    result : GapResult
        Any method's result.
    date : date-like
        Where to read the gap.
    group : str, optional
        The gap group (default: the method's headline group, e.g. ``"all"``, or
        ``"capability"`` for the Bayesian fit).
    ci_prob : float, optional
        Interval probability (default: the level the result was computed with).
    project : bool
        Past the last date with data, project where the result can (``extrapolate=True``);
        False gives NaN there for every method.

    Returns
    -------
    Reading
        The numbers, where they come from, and a note.
    """
    when = check_date("date", date)
    group = group or get_method(result.method).headline_group
    spans = result.group_support()
    if group not in spans:
        raise ValueError(
            f"the {result.method} result has no gap group {group!r}; its groups: {sorted(spans)}"
        )
    first, last = (pd.Timestamp(t) for t in spans[group])
    past = _months(when, last)
    nan = float("nan")
    label = _label(result)
    if when < first:
        note = f"before the {label} result's first date with data ({first.date()}): no number"
        return Reading(nan, nan, nan, last, _months(when, first), False, note)
    projected = when > last
    if projected and not (project and can_project(result)):
        why = "cannot project" if not can_project(result) else "was not asked to project"
        note = (
            f"the {label} result {why} past its last date with data ({last.date()}): no number "
            f"at {when.date()}, {past:.1f} months later"
        )
        return Reading(nan, nan, nan, last, past, False, note)
    options: dict[str, Any] = {"ci_prob": ci_prob}
    if projected:
        options["extrapolate"] = True
    row = _row(result, when, group, **options)
    median, lower, upper = (float(row[k]) for k in ("median", "lower", "upper"))
    if projected:
        note = f"projection {past:.1f} months past the last date with data ({last.date()})"
    else:
        note = "within the data"
    if not np.isfinite(median):
        note += (
            f"; no number: fewer than 90% of the draws give the gap a value or a bound there "
            f"({int(row['n_defined'])} defined)"
        )
    return Reading(median, lower, upper, last, max(past, 0.0), projected, note)


def nowcast(
    result: GapResult,
    date: Any = None,
    *,
    ci_prob: float | None = None,
    groups: list[str] | None = None,
) -> pd.DataFrame:
    """The gap at the last date with data and at ``date`` (default today), per gap group.

    Parameters
    ----------
    result : GapResult
        Any method's result.
    date : date-like, optional
        The date of the nowcast (default ``pandas.Timestamp.today()``, normalised to the day).
    ci_prob : float, optional
        Interval probability (default: the level the result was computed with).
    groups : list of str, optional
        Gap groups (default: the method's headline group, then its other groups, e.g.
        ``capability, public, private`` for the Bayesian fit).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`NOWCAST_COLUMNS`, two rows per group: ``kind="last data"`` (the gap at
        the group's last date with data) and ``kind="nowcast"`` (at ``date``: within the data,
        a projection with ``projected=True`` and ``months_past_data`` its length, or NaN with
        the reason in ``note``). ``attrs`` hold ``date`` and ``ci_prob``.
    """
    when = check_date("date", date) if date is not None else pd.Timestamp.today().normalize()
    level = result.interval_probability(ci_prob)
    check_level("ci_prob", level)
    spec = get_method(result.method)
    wanted = groups or list(dict.fromkeys([spec.headline_group, *result.group_support()]))
    rows = []
    for group in wanted:
        now = read_gap(result, when, group=group, ci_prob=level)
        edge = read_gap(result, now.last_data, group=group, ci_prob=level)
        for kind, r, at in (("last data", edge, now.last_data), ("nowcast", now, when)):
            rows.append(
                {
                    "method": result.method,
                    D.GROUP: group,
                    "kind": kind,
                    D.DATE: at,
                    "median": r.median,
                    "lower": r.lower,
                    "upper": r.upper,
                    "last_data": r.last_data,
                    "months_past_data": r.months_past_data,
                    "projected": r.projected,
                    "note": r.note,
                }
            )
    table = pd.DataFrame(rows, columns=list(NOWCAST_COLUMNS))
    table.attrs.update({"date": when, "ci_prob": level})
    return table


def _span(row: pd.Series) -> str:
    if not np.isfinite(row["lower"]):
        return f"{row['median']:.1f} months (no interval)"
    return f"{row['median']:.1f} months ({row['lower']:.1f} to {row['upper']:.1f})"


def headline_lines(table: pd.DataFrame, *, group: str | None = None) -> list[str]:
    """The first lines of a report: the gap today, with its projection's length, in words.

    Parameters
    ----------
    table : pandas.DataFrame
        A :func:`nowcast` table.
    group : str, optional
        The group to word (default: the method's headline group).

    Returns
    -------
    list of str
        Markdown lines: the gap at the nowcast's date (bold; a projection says how far past
        the data it reaches, a method that cannot project says so and gives no number), then
        the gap at the last date with data.

    Examples
    --------
    >>> import pandas as pd
    >>> from irtgap.analyses.nowcast import headline_lines
    >>> t = pd.DataFrame({
    ...     "method": ["bayesian"] * 2, "group": ["capability"] * 2,
    ...     "kind": ["last data", "nowcast"],
    ...     "date": pd.to_datetime(["2026-04-16", "2026-12-06"]),
    ...     "median": [6.9, 8.1], "lower": [4.1, 2.0], "upper": [9.8, 15.3],
    ...     "last_data": pd.to_datetime(["2026-04-16"] * 2),
    ...     "months_past_data": [0.0, 7.7], "projected": [False, True], "note": ["", ""]})
    >>> t.attrs["ci_prob"] = 0.9
    >>> for line in headline_lines(t):  # doctest: +NORMALIZE_WHITESPACE
    ...     print(line)
    **The gap on 2026-12-06 (Bayesian, capability): 8.1 months (90% interval 2.0 to 15.3), a
    projection 7.7 months past the last data (2026-04-16).**
    At the last date with data, 2026-04-16: 6.9 months (4.1 to 9.8).
    """
    method = str(table["method"].iloc[0])
    spec = get_method(method)
    group = group or spec.headline_group
    sub = table[table[D.GROUP] == group].set_index("kind")
    now, edge = sub.loc["nowcast"], sub.loc["last data"]
    level = float(table.attrs.get("ci_prob", 0.9))
    who = f"{spec.label or method}, {group}"
    day, last = now[D.DATE].date(), edge[D.DATE].date()
    if np.isfinite(now["median"]):
        interval = (
            f" ({level:.0%} interval {now['lower']:.1f} to {now['upper']:.1f})"
            if np.isfinite(now["lower"])
            else " (no interval)"
        )
        where = (
            f", a projection {now['months_past_data']:.1f} months past the last data ({last})"
            if now["projected"]
            else " (within the data)"
        )
        first = f"**The gap on {day} ({who}): {now['median']:.1f} months{interval}{where}.**"
    else:
        first = (
            f"**The gap on {day} ({who}): no number.** {now['note'][:1].upper()}{now['note'][1:]}."
        )
    second = (
        f"At the last date with data, {last}: {_span(edge)}."
        if np.isfinite(edge["median"])
        else f"At the last date with data, {last}: no number ({edge['note']})."
    )
    return [first, second]


__all__ = ["NOWCAST_COLUMNS", "Reading", "can_project", "headline_lines", "nowcast", "read_gap"]
