"""Gaps in months from capability trajectories, and the one summary every result shares.

Every method in irtgap ends in the same object: draws of the gap in months with dimensions
``(chain, draw, group, date)`` (bootstrap methods have one chain). :func:`summarize_gap` turns such
draws into the table that every result's ``gap()`` returns, so summaries and plots never branch on
the method.

Two gap definitions are used throughout, for frontier trajectories ``F_open(t)`` and
``F_closed(t)`` on one capability scale, both non-decreasing:

* **backward** ``gap(t) = t - F_closed^{-1}(F_open(t))``: how long ago the closed frontier stood
  where the open frontier stands at ``t``. Defined wherever the closed frontier had reached the
  open level within the grid; negative when open is ahead.
* **forward** ``gap(t) = F_open^{-1}(F_closed(t)) - t``: how long the open frontier took (or will
  take) to reach the closed frontier of ``t``. Defined only where the open side got there within
  the grid (the data reach), so it stops before the last date.

No number without its support. Each method passes :func:`summarize_gap` the dates where it has
data (``support``); outside them the table holds NaN and a warning names the first and last date
with data (no method extrapolates). Inside, a cell where fewer than ``min_defined`` (90%) of the
draws are defined is NaN too, with a warning giving the share defined: a mean or interval of the
minority of draws that happen to be defined would be biased (the undefined ones are those with
the longest gaps). A draw whose gap is undefined only because a frontier does not reach the
level within the data, but on a known side (``time_shift_gap(censor=True)``: ``-inf`` when the
open frontier is ahead of anything the closed one reached by the last date, ``+inf`` when it is
behind anything the closed one had reached by the first), is *censored*: it has no value but a
place in the order, so it counts as defined for ``min_defined``, the median and interval ends
are exact order statistics wherever they fall among the draws with a value (NaN where they fall
among the censored ones), the mean is NaN, and a warning says so. A single draw (a point
estimate, ``n_bootstrap=0``) has no interval: ``lower`` and ``upper`` are NaN.

The ``check_*`` functions are the option checks the gap methods share: a bad ``ci_prob``, date or
benchmark name raises :class:`~irtgap.core.errors.ScoreDataError` (a ``ValueError``) naming the
option.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
import xarray as xr

from irtgap.core import dims as D
from irtgap.core.validate import check_date, check_level, check_number
from irtgap.core.validate import show_values as _show

Direction = Literal["backward", "forward"]


def to_days(dates: pd.DatetimeIndex | Sequence[object] | np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 as floats (the time axis used in all computations)."""
    idx = pd.DatetimeIndex(pd.to_datetime(np.asarray(dates)))
    return (idx.to_numpy("datetime64[ns]").astype("int64") / 86_400e9).astype(float)


def from_days(days: np.ndarray) -> pd.DatetimeIndex:
    """Inverse of :func:`to_days`."""
    return pd.DatetimeIndex((np.asarray(days, float) * 86_400e9).astype("int64").astype("M8[ns]"))


def date_grid(start: object, end: object, *, step_days: int = 7) -> pd.DatetimeIndex:
    """Regular grid of dates from ``start`` to ``end`` (inclusive of start).

    Parameters
    ----------
    start, end : date-like
        The first date, and the date the grid does not go past.
    step_days : int
        Days between grid dates.

    Returns
    -------
    pandas.DatetimeIndex
        The grid.
    """
    return pd.date_range(pd.Timestamp(start), pd.Timestamp(end), freq=f"{int(step_days)}D")


def running_frontier(
    model_days: np.ndarray, values: np.ndarray, grid_days: np.ndarray
) -> np.ndarray:
    """Best value among models released on or before each grid day (NaN before the first).

    Parameters
    ----------
    model_days : numpy.ndarray
        Release days of the models (see :func:`to_days`), shape ``(n_models,)``.
    values : numpy.ndarray
        The models' values, shape ``(..., n_models)``: leading dimensions are samples.
    grid_days : numpy.ndarray
        The grid, in days, shape ``(n_grid,)``.

    Returns
    -------
    numpy.ndarray
        Shape ``(..., n_grid)``.
    """
    model_days = np.asarray(model_days, float)
    values = np.asarray(values, float)
    order = np.argsort(model_days, kind="stable")
    sorted_days = model_days[order]
    best = np.fmax.accumulate(values[..., order], axis=-1)
    pos = np.searchsorted(sorted_days, np.asarray(grid_days, float), side="right") - 1
    out = np.take(best, np.clip(pos, 0, None), axis=-1)
    out[..., pos < 0] = np.nan
    return out


def _first_reach(
    levels: np.ndarray, curve: np.ndarray, days: np.ndarray, *, censor: bool = False
) -> np.ndarray:
    """Earliest day at which the non-decreasing ``curve`` reaches each level (linear in between).

    ``curve`` and ``levels`` have shape ``(S, T)``; NaN where the level is never reached on the
    grid, or is below the curve's first value (reached before the grid starts). With ``censor``
    those two are ``+inf`` (after the grid's end) and ``-inf`` (before its start) instead, where
    the curve has a value at that end of the grid: the day is unknown but its side is not.
    """
    out = np.full(levels.shape, np.nan)
    for s in range(curve.shape[0]):
        c = np.fmax.accumulate(np.where(np.isnan(curve[s]), -np.inf, curve[s]))
        lv = levels[s]
        k = np.searchsorted(c, lv, side="left")
        ok = (k > 0) & (k < c.size) & np.isfinite(lv)
        kk = k[ok]
        lo, hi = c[kk - 1], c[kk]
        with np.errstate(invalid="ignore"):
            frac = np.where(hi > lo, (lv[ok] - lo) / np.where(hi > lo, hi - lo, 1.0), 1.0)
        out[s, ok] = days[kk - 1] + frac * (days[kk] - days[kk - 1])
        exact_first = np.isfinite(lv) & (k == 0) & (c[0] == lv)
        out[s, exact_first] = days[0]
        if censor:
            finite = np.isfinite(lv)
            if np.isfinite(c[-1]):  # the curve ends below the level: reached after the grid
                out[s, finite & (k >= c.size)] = np.inf
            if np.isfinite(curve[s][0]):  # the curve starts above it: reached before the grid
                out[s, finite & (k == 0) & (c[0] > lv)] = -np.inf
    return out


def time_shift_gap(
    grid_days: np.ndarray,
    f_open: np.ndarray,
    f_closed: np.ndarray,
    *,
    direction: Direction = "backward",
    censor: bool = False,
) -> np.ndarray:
    """Gap in months between two frontier trajectories on a common day grid.

    Parameters
    ----------
    grid_days : numpy.ndarray
        Increasing grid, in days (see :func:`to_days`), shape ``(T,)``.
    f_open, f_closed : numpy.ndarray
        Frontier capability on the grid, shape ``(..., T)``; leading dimensions are samples. NaN
        where a frontier does not exist yet.
    direction : {"backward", "forward"}
        See the module docstring.
    censor : bool
        Where the gap is undefined because the frontier it is read on does not reach the level
        within the grid, give ``-inf`` or ``+inf`` (the side of the unknown gap: e.g. a backward
        gap with the open frontier ahead of anything the closed one reached by the grid's end
        is ``-inf``) instead of NaN. :func:`summarize_gap` reads them as censored draws.

    Returns
    -------
    numpy.ndarray
        Months, shape ``(..., T)``; NaN where undefined (``+-inf`` where censored, with
        ``censor``).

    Examples
    --------
    A closed frontier rising one unit a month, the open one the same line six months later:

    >>> import numpy as np
    >>> days = np.arange(0, 730, 7.0)
    >>> closed = days / 30.4375
    >>> gap = time_shift_gap(days, closed - 6, closed)
    >>> round(float(np.nanmedian(gap)), 3)
    6.0
    """
    grid_days = np.asarray(grid_days, float)
    f_open = np.asarray(f_open, float)
    f_closed = np.asarray(f_closed, float)
    shape = np.broadcast_shapes(f_open.shape, f_closed.shape)
    fo = np.broadcast_to(f_open, shape).reshape(-1, grid_days.size)
    fc = np.broadcast_to(f_closed, shape).reshape(-1, grid_days.size)
    if direction == "backward":
        when = _first_reach(fo, fc, grid_days, censor=censor)
        gap = grid_days[None, :] - when
    elif direction == "forward":
        when = _first_reach(fc, fo, grid_days, censor=censor)
        gap = when - grid_days[None, :]
    else:
        raise ValueError(f"direction={direction!r}: use 'backward' or 'forward'")
    return (gap / D.DAYS_PER_MONTH).reshape(shape)


def backward_gap_at(
    grid_days: np.ndarray, f_closed: np.ndarray, levels: np.ndarray, day: float
) -> np.ndarray:
    """Months from when the closed frontier first reached each of ``levels`` until ``day``.

    Parameters
    ----------
    grid_days : numpy.ndarray
        Increasing grid, in days (see :func:`to_days`), shape ``(T,)``.
    f_closed : numpy.ndarray
        The closed frontier on the grid, shape ``(S, T)``.
    levels : numpy.ndarray
        Levels per sample, shape ``(S, K)`` (e.g. the open frontier at ``day`` raised by K
        shifts).
    day : float
        The day the months are counted to.

    Returns
    -------
    numpy.ndarray
        Months, shape ``(S, K)``; NaN where the closed frontier does not reach the level on the
        grid or reached it before the grid starts.

    Examples
    --------
    >>> import numpy as np
    >>> days = np.arange(0, 730, 7.0)
    >>> closed = (days / 30.4375)[None, :]
    >>> backward_gap_at(days, closed, np.array([[10.0, 12.0]]), 700.0).round(1)
    array([[13., 11.]])
    """
    f_closed = np.asarray(f_closed, float)
    levels = np.asarray(levels, float)
    when = _first_reach(levels, f_closed, np.asarray(grid_days, float))
    return (day - when) / D.DAYS_PER_MONTH


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def warn_user(message: str, category: type[Warning] = UserWarning) -> None:
    """Warn, attributing the warning to the first caller outside irtgap (the user's line).

    Parameters
    ----------
    message : str
        The warning's text.
    category : type
        The warning's class (a subclass of ``Warning``).
    """
    warnings.warn(message, category, skip_file_prefixes=(_PACKAGE_DIR,))


# ------------------------------------------------------------------------ data support
#: Where a gap has data: ``(first, last)`` dates for every group, or per group.
Support = tuple[Any, Any] | Mapping[str, tuple[Any, Any]]


def _support_outside(draws: xr.DataArray, support: Support) -> xr.DataArray:
    """Boolean ``(group?, date)``: True where the date lies outside the group's support."""
    dates = pd.DatetimeIndex(draws[D.DATE].to_numpy())
    if isinstance(support, Mapping):
        if D.GROUP not in draws.dims:
            raise ValueError("a per-group support needs draws with a group dimension")
        groups = [str(g) for g in draws[D.GROUP].to_numpy()]
        rows = []
        for g in groups:
            if g not in support:
                raise ValueError(f"no support given for group {g!r}")
            first, last = (pd.Timestamp(x) for x in support[g])
            rows.append((dates < first) | (dates > last))
        return xr.DataArray(
            np.array(rows, bool).reshape(len(groups), len(dates)),
            dims=(D.GROUP, D.DATE),
            coords={D.GROUP: draws[D.GROUP].to_numpy(), D.DATE: dates},
        )
    first, last = (pd.Timestamp(x) for x in support)
    return xr.DataArray(
        np.asarray((dates < first) | (dates > last)), dims=(D.DATE,), coords={D.DATE: dates}
    )


def _warn_outside(outside: xr.DataArray, support: Support, label: str) -> None:
    if not bool(outside.any()):
        return
    parts = []
    per_group = isinstance(support, Mapping)
    for g in outside[D.GROUP].to_numpy() if per_group else [None]:
        row = outside.sel({D.GROUP: g}) if per_group else outside
        hit = pd.DatetimeIndex(row[D.DATE].to_numpy()[row.to_numpy()])
        if hit.empty:
            continue
        first, last = (
            pd.Timestamp(x) for x in (support[str(g)] if isinstance(support, Mapping) else support)
        )
        where = f"group '{g}': " if per_group else ""
        parts.append(
            f"{where}data from {first:%Y-%m-%d} to {last:%Y-%m-%d}, asked for "
            f"{_show(f'{d:%Y-%m-%d}' for d in hit)}"
        )
    warn_user(
        f"{label}: dates outside the range with data give NaN ({'; '.join(parts)}); irtgap "
        "does not extrapolate a gap beyond the first and last date with data"
    )


def mask_support(draws: xr.DataArray, support: Support, *, label: str = "gap") -> xr.DataArray:
    """``draws`` with NaN at dates outside ``support``, warning (naming the dates) if any.

    Parameters
    ----------
    draws : xarray.DataArray
        Gap draws with a ``date`` dimension (and a ``group`` one for a per-group support).
    support : tuple or dict
        Dates with data, ``(first, last)`` or ``{group: (first, last)}``.
    label : str
        What the warning calls the draws.

    Returns
    -------
    xarray.DataArray
        A copy of ``draws``, NaN outside ``support``.
    """
    outside = _support_outside(draws, support)
    _warn_outside(outside, support, label)
    return draws.where(~outside)


def summarize_gap(
    draws: xr.DataArray,
    *,
    ci_prob: float = 0.9,
    reference_date: object | None = None,
    method: str | None = None,
    min_defined: float = 0.9,
    support: Support | None = None,
) -> pd.DataFrame:
    """Summarise gap draws ``(chain, draw, [group,] date)`` into the shared gap table.

    Parameters
    ----------
    draws : xarray.DataArray
        Gap draws in months; NaN where a draw's gap is undefined (e.g. the closed frontier
        reached the open level before the first date with data), or ``-inf`` / ``+inf`` where
        it is censored (its side is known, its value is not; see the module docstring).
    ci_prob : float
        Level of the equal-tailed interval (0.9).
    reference_date : date-like, optional
        Adds ``prob_grew``: the share of draws whose gap at ``date`` exceeds the gap at the
        (nearest grid date to) ``reference_date``, over draws defined at both dates (NaN at that
        date itself).
    method : str, optional
        Written to the ``method`` column.
    min_defined : float
        The summary refuses to invent: where fewer than this share of the draws (0.9: 90%) is
        defined or censored, ``mean``, ``median``, ``lower``, ``upper`` (and ``prob_grew``) are
        NaN, with one warning listing the cells and their share defined. ``0`` summarises
        whatever is defined.
    support : tuple or dict, optional
        Dates with data, ``(first, last)`` or a dict ``{group: (first, last)}``; outside them
        every column but ``n_defined`` is NaN and ``n_defined`` is 0, with one warning naming
        the first and last date with data (no extrapolation).

    Returns
    -------
    pandas.DataFrame
        Columns ``date``, ``group`` (when present), ``mean``, ``median``, ``lower``, ``upper``
        (equal-tailed ``ci_prob`` interval; NaN when there is a single draw, e.g. a point estimate
        without bootstrap), ``n_defined`` (draws where the gap is defined), ``prob_grew``
        (omitted without ``reference_date``) and ``method``.

    Examples
    --------
    1,000 draws of a gap of about 6 months at two dates:

    >>> import warnings
    >>> import numpy as np, pandas as pd, xarray as xr
    >>> rng = np.random.default_rng(0)
    >>> draws = xr.DataArray(
    ...     rng.normal(6.0, 1.0, (1, 1000, 2)),
    ...     dims=("chain", "draw", "date"),
    ...     coords={"date": pd.to_datetime(["2024-07-01", "2025-01-01"])},
    ... )
    >>> table = summarize_gap(draws, method="demo")
    >>> table.columns.tolist()
    ['date', 'mean', 'median', 'lower', 'upper', 'n_defined', 'method']
    >>> bool(((table["lower"] < 6) & (table["upper"] > 6)).all())
    True

    Where fewer than 90% of the draws define a gap, the summary refuses, with a warning:

    >>> draws[0, :200, 1] = np.nan  # 80% defined at the second date
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     table = summarize_gap(draws, method="demo")
    >>> table[["median", "n_defined"]]
         median  n_defined
    0  5.968...       1000
    1       NaN        800
    >>> len(caught)
    1
    """
    ci_prob = check_level("ci_prob", ci_prob)
    min_defined = check_number("min_defined", min_defined, minimum=0.0, maximum=1.0)
    label = f"{method} gap" if method else "gap summary"
    outside = xr.zeros_like(draws.isel({D.CHAIN: 0, D.DRAW: 0}, drop=True), dtype=bool)
    if support is not None:
        out = _support_outside(draws, support)
        _warn_outside(out, support, label)
        draws = draws.where(~out)
        outside = outside | out
    stacked = draws.stack(sample=(D.CHAIN, D.DRAW))
    dims = [d for d in stacked.dims if d != "sample"]
    vals = stacked.transpose(*dims, "sample").to_numpy()
    n_samples = vals.shape[-1]
    out_np = outside.transpose(*dims).to_numpy()
    lo_q, hi_q = (1 - ci_prob) / 2, 1 - (1 - ci_prob) / 2
    n_def = np.isfinite(vals).sum(-1)
    # censored draws (+-inf, time_shift_gap(censor=True)): no value, but their side is known, so
    # they count for the share and take their place in the order statistics
    n_cens = np.isinf(vals).sum(-1)
    share = (n_def + n_cens) / n_samples if n_samples else np.zeros(n_def.shape)
    refuse = (share < min_defined) & ~out_np
    blank = refuse | out_np | (n_def == 0)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.where(blank | (n_cens > 0), np.nan, np.nanmean(vals, -1))
        q = np.where(blank, np.nan, np.nanquantile(vals, [0.5, lo_q, hi_q], axis=-1))
    q = np.where(np.isfinite(q), q, np.nan)  # a statistic that falls among censored draws
    if n_samples < 2:  # one draw (a point estimate) has no interval
        q[1:] = np.nan
    index = pd.MultiIndex.from_product([stacked[d].to_numpy() for d in dims], names=dims)
    cells = _Cells(index, n_samples, label)
    if refuse.any():
        cells.warn_refused(refuse, share, min_defined)
    # every cell with censored draws is said (a cell whose draws are all censored too: its
    # statistics are NaN for that reason, not refused)
    censored = (n_cens > 0) & ~refuse & ~out_np
    if censored.any():
        lost = censored & np.isnan(q).any(0) if n_samples >= 2 else censored
        cells.warn_censored(censored, n_cens, bool(lost.any()))
    table = pd.DataFrame(
        {
            "mean": mean.ravel(),
            "median": q[0].ravel(),
            "lower": q[1].ravel(),
            "upper": q[2].ravel(),
            "n_defined": n_def.ravel(),
        },
        index=index,
    )
    if reference_date is not None:
        p = _prob_grew(draws, reference_date, dims)
        j_share = p.pop("share")
        grew = np.where(blank | (j_share < min_defined) | (n_samples < 2), np.nan, p["grew"])
        table["prob_grew"] = np.where(p["at_ref"], np.nan, grew).ravel()
    table = table.reset_index()
    lead = [c for c in (D.DATE, D.GROUP) if c in table.columns]
    table = table[lead + [c for c in table.columns if c not in lead]]
    if method is not None:
        table["method"] = method
    return table


class _Cells:
    """The cells of a summary (one per group and date), for the warnings that name them."""

    def __init__(self, index: pd.MultiIndex, n_samples: int, label: str) -> None:
        self.index, self.n_samples, self.label = index, n_samples, label

    def names(self, mask: np.ndarray, shares: np.ndarray) -> list[str]:
        """Each cell of ``mask`` by its group and date, with its share in brackets."""
        return [
            " ".join(
                f"{v:%Y-%m-%d}" if isinstance(v, pd.Timestamp) else str(v)
                for v in (key if isinstance(key, tuple) else (key,))
            )
            + f" ({x:.0%})"
            for key, x in zip(self.index[mask.ravel()], shares[mask], strict=True)
        ]

    def warn_refused(self, refuse: np.ndarray, share: np.ndarray, min_defined: float) -> None:
        """The cells where too few draws define the gap for a number."""
        warn_user(
            f"{self.label}: fewer than {min_defined:.0%} of the {self.n_samples} draws have a "
            f"defined gap at {_show(self.names(refuse, share), 10)} (share defined in "
            "brackets); mean, median, lower and upper are NaN there rather than summaries of a "
            "minority of draws (n_defined keeps the count; a draw is undefined where its gap "
            "reaches beyond the dates with data; min_defined=0 summarises the defined draws "
            "anyway)",
            UserWarning,
        )

    def warn_censored(self, censored: np.ndarray, n_cens: np.ndarray, lost: bool) -> None:
        """The cells with censored draws (``lost``: some statistic fell among them)."""
        what = (
            "the mean and the interval ends or median that fall among them are NaN"
            if lost
            else "the mean is NaN, the median and interval are exact"
        )
        shares = n_cens / max(self.n_samples, 1)
        warn_user(
            f"{self.label}: at {_show(self.names(censored, shares), 10)} some "
            "draws' gap lies beyond the frontiers the data cover (share in brackets): the open "
            "frontier ahead of anything the closed one reached by the last date (a gap shorter "
            "than any the data can measure) or behind anything it had reached by the first "
            "(longer than any); those draws are ordered but have no value: "
            f"{what} (n_defined counts the draws with a value)",
            UserWarning,
        )


def _prob_grew(draws: xr.DataArray, reference_date: object, dims: list[Any]) -> dict[str, Any]:
    """Per cell: the share of draws whose gap exceeds the gap at ``reference_date``
    (``grew``), the share of draws comparable with it (``share``) and whether the cell is the
    reference date itself (``at_ref``: no number there)."""
    ref = draws.sel({D.DATE: check_date("reference_date", reference_date)}, method="nearest")
    # a censored draw compares with any other (its side is known) except one censored on
    # the same side
    known = ~xr.apply_ufunc(np.isnan, draws)
    known_ref = ~xr.apply_ufunc(np.isnan, ref)
    same_side = xr.apply_ufunc(np.isinf, draws) & (draws == ref)
    joint: xr.DataArray = known & known_ref & ~same_side
    grew = (draws > ref).where(joint)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        p = grew.mean((D.CHAIN, D.DRAW)).transpose(*dims).to_numpy()
    j_share = joint.mean((D.CHAIN, D.DRAW)).transpose(*dims).to_numpy()
    at_ref = (draws[D.DATE] == ref[D.DATE]).broadcast_like(grew.isel({D.CHAIN: 0, D.DRAW: 0}))
    return {"grew": p, "share": j_share, "at_ref": at_ref.transpose(*dims).to_numpy()}


def gap_dataarray(
    values: np.ndarray, *, dates: pd.DatetimeIndex, groups: Sequence[str], chains: int = 1
) -> xr.DataArray:
    """Wrap gap draws of shape ``(n_samples, n_groups, n_dates)`` in the shared shape.

    Parameters
    ----------
    values : numpy.ndarray
        Gap draws in months, shape ``(n_samples, n_groups, n_dates)``.
    dates : pandas.DatetimeIndex
        The dates of the last dimension.
    groups : sequence of str
        The groups of the middle dimension.
    chains : int
        Samples are split into this many equal chains (bootstrap results use one).

    Returns
    -------
    xarray.DataArray
        Named ``gap_months``, dimensions ``(chain, draw, group, date)``.
    """
    values = np.asarray(values, float)
    n = values.shape[0]
    if n % chains:
        raise ValueError(f"{n} samples cannot be split into {chains} chains")
    arr = values.reshape(chains, n // chains, *values.shape[1:])
    return xr.DataArray(
        arr,
        dims=(D.CHAIN, D.DRAW, D.GROUP, D.DATE),
        coords={
            D.CHAIN: np.arange(chains),
            D.DRAW: np.arange(n // chains),
            D.GROUP: list(groups),
            D.DATE: pd.DatetimeIndex(dates),
        },
        name="gap_months",
    )
