r"""The frontier draws of a fit at any date: linear between the knots, and continued past
them with drawn growth when asked to extrapolate.

Past its last knot :math:`\tau_K` (and before its first, :math:`\tau_0`) each side's frontier
continues segment by segment, each of the model's length :math:`h` (``knot_months``), with a new
log growth rate per posterior draw :math:`s`, drawn from the fitted hierarchy:

.. math::

    F_g^{(s)}(\tau_{K+j}) = F_g^{(s)}(\tau_K) + \sum_{i=1}^{j} h\,
        e^{\lambda^{(s)}_{g,K+i}},\qquad
    \lambda^{(s)}_{g,K+i} \sim \mathcal N(\mu^{(s)}_{\lambda,g}, \sigma_\lambda),

and :math:`F_g^{(s)}(\tau_{-j}) = F_g^{(s)}(\tau_0) - \sum_{i=1}^{j} h\,
e^{\lambda^{(s)}_{g,-i}}` backwards, linear in between. The drawn rates are seeded by
:data:`EXTRAPOLATION_SEED` and the segment's position, so every call extrapolates identically.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import xarray as xr

from irtgap.core import dims as D
from irtgap.core.gaps import date_grid, to_days
from irtgap.methods.bayes.design import KNOT_DIM, Design
from irtgap.methods.bayes.settings import GapSettings

#: Seed of the growth rates drawn past the knots by ``extrapolate=True`` (fixed: the same
#: extrapolation from every call, so a fit's gap and frontier agree).
EXTRAPOLATION_SEED = 1729
#: With ``extrapolate=True``, the gap is computed on frontiers this many years beyond the
#: requested dates on either side (the backward gap looks into the closed frontier's past, the
#: forward gap into the open frontier's future).
EXTRAPOLATION_MARGIN_YEARS = 3.0


def knot_values(
    posterior: xr.Dataset,
    design: Design,
    settings: GapSettings,
    lo_day: float | None = None,
    hi_day: float | None = None,
    *,
    prefix: str = "",
) -> tuple[np.ndarray, np.ndarray]:
    """Knot days and frontier draws ``(chain, draw, weights, knot)``, with knots added past
    either end (drawn growth, see the module docstring) until ``[lo_day, hi_day]`` is covered.

    Parameters
    ----------
    posterior : xarray.Dataset
        The fit's posterior (``frontier``, ``log_growth_mean`` and, when learned,
        ``growth_spread``).
    design : Design
        The fit's design (its knots).
    settings : GapSettings
        The fit's settings (the fixed ``growth_spread``).
    lo_day, hi_day : float, optional
        Days (as :func:`irtgap.core.gaps.to_days`) the knots must reach; None: no knots added
        on that side.
    prefix : str
        ``""`` for the frontiers of the capability, ``"f2_"`` for those of the second factor
        (``GapModel(second_factor=True)``), extrapolated with their own growth hierarchy and
        their own seeded draws.

    Returns
    -------
    days : numpy.ndarray
        The knot days.
    values : numpy.ndarray
        The frontier at each knot, ``(chain, draw, weights, knot)``.
    """
    days = to_days(design.knot_dates)
    stored = posterior[f"{prefix}frontier"].transpose(D.CHAIN, D.DRAW, D.WEIGHTS, KNOT_DIM)
    vals = stored.to_numpy()
    h = float(np.diff(design.knots)[0])  # segment length in years, as in the model
    step = h * 365.25
    n_fwd = 0 if hi_day is None else max(0, math.ceil((hi_day - days[-1]) / step))
    n_back = 0 if lo_day is None else max(0, math.ceil((days[0] - lo_day) / step))
    if not n_fwd and not n_back:
        return days, vals
    mu = posterior[f"{prefix}log_growth_mean"].transpose(D.CHAIN, D.DRAW, D.WEIGHTS).to_numpy()
    if f"{prefix}growth_spread" in posterior:  # learned: each draw's own spread
        spread = posterior[f"{prefix}growth_spread"]
        sigma = spread.transpose(D.CHAIN, D.DRAW).to_numpy()[..., None]
    else:
        sigma = np.asarray(float(settings.growth_spread))

    def rises(direction: int, n: int) -> np.ndarray:
        # one standard-normal draw per (chain, draw, side) and segment, seeded by the
        # segment's position so that every call extends the frontiers identically
        out = np.empty((*mu.shape, n))
        for k in range(n):
            key = [EXTRAPOLATION_SEED, direction, k] + ([2] if prefix else [])
            rng = np.random.default_rng(key)
            out[..., k] = h * np.exp(mu + sigma * rng.standard_normal(mu.shape))
        return np.cumsum(out, axis=-1)

    if n_fwd:
        fwd = vals[..., -1:] + rises(1, n_fwd)
        vals = np.concatenate([vals, fwd], axis=-1)
        days = np.concatenate([days, days[-1] + step * np.arange(1, n_fwd + 1)])
    if n_back:
        back = (vals[..., :1] - rises(0, n_back))[..., ::-1]
        vals = np.concatenate([back, vals], axis=-1)
        days = np.concatenate([days[0] - step * np.arange(n_back, 0, -1), days])
    return days, vals


def frontier_values(
    posterior: xr.Dataset,
    design: Design,
    settings: GapSettings,
    dates: pd.DatetimeIndex,
    extrapolate: bool,
    *,
    prefix: str = "",
) -> xr.DataArray:
    """Frontier draws ``(chain, draw, weights, date)`` at ``dates``, without support checks.

    Parameters
    ----------
    posterior, design, settings
        As in :func:`knot_values`.
    dates : pandas.DatetimeIndex
        Where to read the frontiers.
    extrapolate : bool
        Drawn growth past the knots (:func:`knot_values`); otherwise the frontiers are held at
        the end knots, which callers mask.
    prefix : str
        As in :func:`knot_values`.

    Returns
    -------
    xarray.DataArray
        Named ``frontier``.
    """
    x = to_days(dates)
    if extrapolate and len(x):
        lo, hi = float(x.min()), float(x.max())
        knots, vals = knot_values(posterior, design, settings, lo, hi, prefix=prefix)
    else:
        knots, vals = knot_values(posterior, design, settings, prefix=prefix)
    k = np.clip(np.searchsorted(knots, x, side="right") - 1, 0, len(knots) - 2)
    w = np.clip((x - knots[k]) / (knots[k + 1] - knots[k]), 0.0, 1.0)
    out = vals[..., k] * (1 - w) + vals[..., k + 1] * w
    f = posterior[f"{prefix}frontier"]
    return xr.DataArray(
        out,
        dims=(D.CHAIN, D.DRAW, D.WEIGHTS, D.DATE),
        coords={
            D.CHAIN: f[D.CHAIN].to_numpy(),
            D.DRAW: f[D.DRAW].to_numpy(),
            D.WEIGHTS: list(f[D.WEIGHTS].to_numpy()),
            D.DATE: dates,
        },
        name=f"{prefix}frontier",
    )


def gap_grid(
    dates: pd.DatetimeIndex, support: tuple[pd.Timestamp, pd.Timestamp], extrapolate: bool
) -> pd.DatetimeIndex:
    """The weekly grid a gap at ``dates`` is computed on (then read at ``dates``).

    Without ``extrapolate``: the support and the ``dates`` inside it (only the measured
    frontiers: a forward gap that needs the open frontier past the last date, or a backward one
    that needs the closed frontier before the first, is undefined in that draw). With it: the
    support and ``dates`` widened by :data:`EXTRAPOLATION_MARGIN_YEARS` on either side.

    Parameters
    ----------
    dates : pandas.DatetimeIndex
        The dates asked for.
    support : tuple of pandas.Timestamp
        First and last release date of the modelled data.
    extrapolate : bool
        Whether the frontiers continue past the support.

    Returns
    -------
    pandas.DatetimeIndex
        Sorted, in nanoseconds, holding ``dates`` (those inside the support without
        ``extrapolate``) and the grid's last date.
    """
    first, last = support
    if extrapolate:
        margin = pd.Timedelta(days=EXTRAPOLATION_MARGIN_YEARS * 365.25)
        lo = min(first, dates.min()) - margin if len(dates) else first
        hi = max(last, dates.max()) + margin if len(dates) else last
        fine = date_grid(lo, hi, step_days=7)
        fine = fine.union(pd.DatetimeIndex(dates)).union(pd.DatetimeIndex([hi]))
    else:
        inside = dates[(dates >= first) & (dates <= last)]
        fine = date_grid(first, last, step_days=7)
        fine = fine.union(pd.DatetimeIndex(inside)).union(pd.DatetimeIndex([last]))
    return fine.as_unit("ns")
