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
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
import xarray as xr

from irtgap import _dims as D

Direction = Literal["backward", "forward"]


def to_days(dates: pd.DatetimeIndex | Sequence[object] | np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 as floats (the time axis used in all computations)."""
    idx = pd.DatetimeIndex(pd.to_datetime(np.asarray(dates)))
    return (idx.to_numpy("datetime64[ns]").astype("int64") / 86_400e9).astype(float)


def from_days(days: np.ndarray) -> pd.DatetimeIndex:
    """Inverse of :func:`to_days`."""
    return pd.DatetimeIndex((np.asarray(days, float) * 86_400e9).astype("int64").astype("M8[ns]"))


def date_grid(start: object, end: object, *, step_days: int = 7) -> pd.DatetimeIndex:
    """Regular grid of dates from ``start`` to ``end`` (inclusive of start)."""
    return pd.date_range(pd.Timestamp(start), pd.Timestamp(end), freq=f"{int(step_days)}D")


def running_frontier(
    model_days: np.ndarray, values: np.ndarray, grid_days: np.ndarray
) -> np.ndarray:
    """Best value among models released on or before each grid day (NaN before the first).

    ``values`` may have leading sample dimensions: shape ``(..., n_models)``; the result has shape
    ``(..., n_grid)``.
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


def _first_reach(levels: np.ndarray, curve: np.ndarray, days: np.ndarray) -> np.ndarray:
    """Earliest day at which the non-decreasing ``curve`` reaches each level (linear in between).

    ``curve`` and ``levels`` have shape ``(S, T)``; NaN where the level is never reached on the
    grid, or is below the curve's first value (reached before the grid starts).
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
    return out


def time_shift_gap(
    grid_days: np.ndarray,
    f_open: np.ndarray,
    f_closed: np.ndarray,
    *,
    direction: Direction = "backward",
) -> np.ndarray:
    """Gap in months between two frontier trajectories on a common day grid.

    Parameters
    ----------
    grid_days : array, shape (T,)
        Increasing grid, in days (see :func:`to_days`).
    f_open, f_closed : array, shape (..., T)
        Frontier capability on the grid; leading dimensions are samples. NaN where a frontier
        does not exist yet.
    direction : {"backward", "forward"}
        See the module docstring.

    Returns
    -------
    numpy.ndarray, shape (..., T)
        Months; NaN where undefined.

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
        when = _first_reach(fo, fc, grid_days)
        gap = grid_days[None, :] - when
    elif direction == "forward":
        when = _first_reach(fc, fo, grid_days)
        gap = when - grid_days[None, :]
    else:
        raise ValueError(f"direction={direction!r}: use 'backward' or 'forward'")
    return (gap / D.DAYS_PER_MONTH).reshape(shape)


def summarize_gap(
    draws: xr.DataArray,
    *,
    ci: float = 0.9,
    reference_date: object | None = None,
    method: str | None = None,
) -> pd.DataFrame:
    """Summarise gap draws ``(chain, draw, [group,] date)`` into the shared gap table.

    Returns a DataFrame with columns ``date``, ``group`` (when present), ``mean``, ``median``,
    ``lower``, ``upper`` (equal-tailed ``ci`` interval), ``n_defined`` (draws where the gap is
    defined), ``prob_grew`` (share of draws whose gap at ``date`` exceeds the gap at
    ``reference_date``; omitted without one) and ``method``.
    """
    if not 0 < ci < 1:
        raise ValueError(f"ci={ci}: must lie in (0, 1)")
    stacked = draws.stack(sample=(D.CHAIN, D.DRAW))
    vals = stacked.transpose(..., "sample").to_numpy()
    lo_q, hi_q = (1 - ci) / 2, 1 - (1 - ci) / 2
    defined = np.isfinite(vals)
    n_def = defined.sum(-1)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(vals, -1)
        q = np.nanquantile(vals, [0.5, lo_q, hi_q], axis=-1)
    dims = [d for d in stacked.dims if d != "sample"]
    index = pd.MultiIndex.from_product([stacked[d].to_numpy() for d in dims], names=dims)
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
        ref = draws.sel({D.DATE: pd.Timestamp(reference_date)}, method="nearest")
        grew = (draws > ref).where(np.isfinite(draws) & np.isfinite(ref))
        p = grew.mean((D.CHAIN, D.DRAW)).transpose(*dims).to_numpy()
        table["prob_grew"] = p.ravel()
    table = table.reset_index()
    lead = [c for c in (D.DATE, D.GROUP) if c in table.columns]
    table = table[lead + [c for c in table.columns if c not in lead]]
    if method is not None:
        table["method"] = method
    return table


def gap_dataarray(
    values: np.ndarray, *, dates: pd.DatetimeIndex, groups: Sequence[str], chains: int = 1
) -> xr.DataArray:
    """Wrap gap draws of shape ``(n_samples, n_groups, n_dates)`` in the shared shape.

    Samples are split into ``chains`` equal chains (bootstrap results use one chain).
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
