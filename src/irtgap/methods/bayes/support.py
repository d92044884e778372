"""Where a Bayesian fit's numbers are measured: the data's support (first to last release
date of the modelled data), the default dates, and the warning for dates outside it.

Outside the support the frontiers are not measured, so every gap and frontier of a
:class:`~irtgap.methods.bayes.fit.GapFit` is NaN there, with the warning of
:func:`warn_outside`, unless the caller asks to extrapolate.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from irtgap.core.gaps import date_grid

#: The first date of the default date grid (when the data begin earlier).
DEFAULT_START = pd.Timestamp("2023-01-01")

Support = tuple[pd.Timestamp, pd.Timestamp]


def default_dates(support: Support) -> pd.DatetimeIndex:
    """Weekly from :data:`DEFAULT_START` (or the first date, if later) to the last date."""
    first, last = support
    start = max(DEFAULT_START, first)
    return date_grid(start if start <= last else first, last, step_days=7)


def outside(dates: pd.DatetimeIndex, support: Support) -> np.ndarray:
    """Per date: before the first or after the last date of the support.

    Parameters
    ----------
    dates : pandas.DatetimeIndex
        The dates.
    support : tuple of pandas.Timestamp
        First and last release date of the modelled data.

    Returns
    -------
    numpy.ndarray
        Boolean, one per date.
    """
    first, last = support
    return np.asarray((dates < first) | (dates > last))


def warn_outside(
    dates: pd.DatetimeIndex, support: Support, method: str, what: str, *, stacklevel: int = 2
) -> None:
    """Warn (once) that ``what`` is NaN at the ``dates`` outside the support.

    Parameters
    ----------
    dates : pandas.DatetimeIndex
        The dates asked for (nothing is said when all are inside).
    support : tuple of pandas.Timestamp
        First and last release date of the modelled data.
    method : str
        The :class:`~irtgap.methods.bayes.fit.GapFit` method asked, for the message.
    what : str
        What is NaN (``"the gap"``, ``"the frontier"``...), for the message.
    stacklevel : int
        Passed to ``warnings.warn`` (counted from the caller of this function).
    """
    first, last = support
    after, before = dates[dates > last], dates[dates < first]
    if not len(after) and not len(before):
        return
    parts = []
    if len(after):
        parts.append(
            f"{len(after)} date(s) after {last.date()}, the last release date in the "
            f"modelled data (from {after.min().date()})"
        )
    if len(before):
        parts.append(
            f"{len(before)} date(s) before {first.date()}, the first release date in the "
            f"modelled data (from {before.min().date()})"
        )
    warnings.warn(
        f"GapFit.{method}: {' and '.join(parts)}: the frontiers are not measured there, so "
        f"{what} is NaN at those dates. Pass extrapolate=True to continue each frontier's "
        "growth with its posterior spread (the interval then widens with the distance).",
        UserWarning,
        stacklevel=stacklevel + 1,
    )
