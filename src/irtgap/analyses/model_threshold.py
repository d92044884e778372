r"""The threshold method's definition applied to the posterior frontiers: the threshold reading
without the winner's curse.

The threshold method (:func:`irtgap.threshold_gap`) dates the first model of each side whose
*score* reaches each level of each benchmark, so its crossings are noisy maxima of many models'
scores (the winner's curse) and depend on who was scored where. Here the same definition is read
off a fitted :class:`~irtgap.GapModel`: per posterior draw :math:`s`, benchmark :math:`b` and level
:math:`\tau` (the threshold method's levels: every 0.05 of the benchmark's scale), the first date
at which each side's *frontier* has an expected score of at least :math:`\tau`,

.. math::

    T_g^{(s)}(b, \tau) = \min\{t : \kappa_b\,\mu_b\big(F^{(s)}_g(t) + \ell^{(s)}_b P^{(s)}_g(t)
    + [g = \text{open}]\,s^{(s)}_b(t)\big) \ge \tau\},

with :math:`\mu_b` the model's measurement (:mod:`irtgap.methods.bayes.model`: floor, slope,
difficulty, lapse), :math:`F_g` the side's frontier, :math:`\ell_b P_g` the second factor's part
(``GapModel(second_factor=True)``; 0 otherwise) and :math:`s_b(t)` the open models' shift on
the benchmark (the public-benchmark advantage and the open offsets, with their trends). A point
is the gap :math:`T_{\text{open}} - T_{\text{closed}}` in months, placed at the open crossing
date (backward; at the closed one with ``direction="forward"``), kept where both sides cross
between the first and last release date of the modelled data (a level the closed frontier
already held at the first date, or the open one had not reached by the last, has no point, as
the threshold method has none). Per draw the points are smoothed as the threshold method's are
(Gaussian kernel, sigma ``bandwidth_days``; defined from the draw's first to its last point
date), per group (``all``, ``public``, ``private`` benchmarks), and the draws are summarised in
the shared gap table (:func:`irtgap.core.gaps.summarize_gap`), method label
``"model_threshold"``.

There is no acceptance rule here: a frontier is never "not evaluated", so no point is rejected
for an unevaluated model that would have crossed first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import xarray as xr

from irtgap.core import dims as D
from irtgap.core.dates import check_dates
from irtgap.core.gaps import date_grid, gap_dataarray, summarize_gap, to_days
from irtgap.core.options import check_choice, check_count, check_level, check_number, check_seed
from irtgap.methods.bayes.design import years_since
from irtgap.methods.bayes.domains import benchmark_shifts
from irtgap.methods.bayes.frontiers import frontier_values
from irtgap.methods.bayes.graph import SECOND
from irtgap.methods.threshold import default_thresholds
from irtgap.results import conform_gap_table

if TYPE_CHECKING:
    from irtgap.methods.bayes.fit import GapFit

#: The method label of the model-based threshold gap in the shared gap table.
METHOD = "model_threshold"
#: Groups, as the threshold method's ``by="access"``.
GROUPS = ("all", "public", "private")


def crossing_days(
    grid_days: np.ndarray, index: np.ndarray, need: np.ndarray, usable: np.ndarray
) -> np.ndarray:
    """First day each draw's ``index`` (``(S, T)`` on ``grid_days``) reaches each level's
    ``need`` (``(S, L)``), linear between grid days; NaN where it is already there at the first
    day, never gets there, or the level is not ``usable`` (``(S, L)``).

    Parameters
    ----------
    grid_days : numpy.ndarray
        Increasing days, ``(T,)``.
    index : numpy.ndarray
        The frontier's effective capability on the benchmark, ``(S, T)``.
    need : numpy.ndarray
        The capability each level needs, ``(S, L)``.
    usable : numpy.ndarray
        Whether the level lies strictly inside the curve's range, ``(S, L)``.

    Returns
    -------
    numpy.ndarray
        Days, ``(S, L)``.

    Examples
    --------
    >>> import numpy as np
    >>> days = np.array([0.0, 10.0, 20.0])
    >>> crossing_days(days, np.array([[0.0, 1.0, 2.0]]), np.array([[0.5, 3.0]]),
    ...               np.array([[True, True]]))
    array([[ 5., nan]])
    """
    reached = index[:, None, :] >= need[:, :, None]  # (S, L, T)
    k = reached.argmax(-1)
    ok = reached.any(-1) & (k > 0) & usable
    lo = np.maximum(k - 1, 0)
    i_lo = np.take_along_axis(index, lo, 1)
    i_hi = np.take_along_axis(index, k, 1)
    span = np.where(i_hi > i_lo, i_hi - i_lo, 1.0)
    w = np.clip((need - i_lo) / span, 0.0, 1.0)
    day = grid_days[lo] + w * (grid_days[k] - grid_days[lo])
    return np.where(ok, day, np.nan)


def smooth_points(
    point_days: np.ndarray, point_gaps: np.ndarray, at_days: np.ndarray, bandwidth_days: float
) -> np.ndarray:
    """Per draw, the Gaussian-kernel mean of its points at ``at_days``, NaN outside the draw's
    first .. last point day (the threshold method's trend, on each draw's points).

    Parameters
    ----------
    point_days, point_gaps : numpy.ndarray
        ``(S, P)``; NaN where a draw has no point.
    at_days : numpy.ndarray
        ``(D,)`` days to read the trend at.
    bandwidth_days : float
        The kernel's sigma.

    Returns
    -------
    numpy.ndarray
        ``(S, D)`` months.
    """
    ok = np.isfinite(point_days) & np.isfinite(point_gaps)
    x = np.where(ok, point_days, 0.0)
    w = np.exp(-0.5 * ((at_days[None, None, :] - x[:, :, None]) / bandwidth_days) ** 2)
    w = w * ok[:, :, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        trend = (np.where(ok, point_gaps, 0.0)[:, :, None] * w).sum(1) / w.sum(1)
    first = np.where(ok, point_days, np.inf).min(1)[:, None]
    last = np.where(ok, point_days, -np.inf).max(1)[:, None]
    inside = (at_days[None, :] >= first) & (at_days[None, :] <= last)
    return np.where(inside, trend, np.nan)


def _draws(fit: GapFit, n_draws: int, seed: Any) -> np.ndarray:
    """Positions of the posterior samples used (chain x draw, stacked)."""
    n = fit.posterior.sizes[D.CHAIN] * fit.posterior.sizes[D.DRAW]
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n, size=min(n_draws, n), replace=False))


def _stacked(fit: GapFit, name: str, pick: np.ndarray, zeros: tuple[int, ...]) -> np.ndarray:
    """A posterior variable, samples first, at ``pick`` (zeros of ``zeros`` if absent)."""
    post = fit.posterior
    if name not in post:
        return np.zeros((len(pick), *zeros))
    da = post[name].stack(sample=(D.CHAIN, D.DRAW)).transpose("sample", ...)
    return np.asarray(da.to_numpy()[pick])


def _frontiers(
    fit: GapFit, grid: pd.DatetimeIndex, pick: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Both factors' frontiers on ``grid`` at the samples ``pick``, ``(S, side, T)``."""

    def read(prefix: str) -> np.ndarray:
        da = frontier_values(fit.posterior, fit.design, fit.settings, grid, False, prefix=prefix)
        da = da.stack(sample=(D.CHAIN, D.DRAW)).transpose("sample", D.WEIGHTS, D.DATE)
        order = [list(da[D.WEIGHTS].to_numpy()).index(s) for s in (D.CLOSED, D.OPEN)]
        return np.asarray(da.to_numpy()[pick][:, order])

    f = read("")
    p = read(SECOND) if fit.settings.second_factor else np.zeros_like(f)
    return f, p


def _open_shift(fit: GapFit, grid: pd.DatetimeIndex, pick: np.ndarray) -> np.ndarray:
    """The open models' shift per benchmark on ``grid``, ``(S, benchmark, T)``: the
    public-benchmark advantage and the open offsets, with their trends in time."""
    design = fit.design
    base = benchmark_shifts(fit.posterior, design)
    base = base.reshape(-1, base.shape[-1])[pick]  # (S, B)
    years = years_since(grid, design.origin)
    out = np.repeat(base[:, :, None], len(grid), axis=2)
    n_b = len(design.benchmarks)
    trend = _stacked(fit, "public_advantage_trend", pick, ())
    if np.any(trend):
        path = trend[:, None] * (years - design.public_trend_centre)[None, :]
        out = out + path[:, None, :] * design.is_public[None, :, None]
    domain_trend = _stacked(fit, "open_domain_trend", pick, (len(design.domains),))
    if np.any(domain_trend):
        per_bench = domain_trend[:, design.domain_idx] if n_b else np.zeros((len(pick), 0))
        out = out + per_bench[:, :, None] * (years - design.open_trend_centre)[None, None, :]
    return np.asarray(out)


def _benchmark_points(
    fit: GapFit, grid: pd.DatetimeIndex, pick: np.ndarray, direction: str
) -> dict[str, tuple[list[np.ndarray], list[np.ndarray]]]:
    """Per group: the point days and gaps (months) of every benchmark, ``(S, levels)`` each."""
    design = fit.design
    n_b = len(design.benchmarks)
    f, p = _frontiers(fit, grid, pick)
    shift = _open_shift(fit, grid, pick)
    slope = _stacked(fit, "slope", pick, (n_b,))
    difficulty = _stacked(fit, "difficulty", pick, (n_b,))
    lapse = _stacked(fit, "lapse", pick, (n_b,))
    loading = _stacked(fit, "loading", pick, (n_b,))
    days = to_days(grid)
    rows = design.rows
    out: dict[str, tuple[list[np.ndarray], list[np.ndarray]]] = {g: ([], []) for g in GROUPS}
    for j, b in enumerate(design.benchmarks.index):
        scores = rows.loc[rows[D.BENCHMARK] == b, D.SCORE].to_numpy(float)
        levels = default_thresholds("fraction", scores) * design.ceiling[j]
        share = levels[None, :] / design.ceiling[j]
        top = 1.0 - lapse[:, j : j + 1]
        frac = (share - design.floor[j]) / (top - design.floor[j])
        usable = (frac > 0) & (frac < 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            need = difficulty[:, j : j + 1] + np.log(frac / (1 - frac)) / slope[:, j : j + 1]
        closed = f[:, 0] + loading[:, j : j + 1] * p[:, 0]
        opened = f[:, 1] + loading[:, j : j + 1] * p[:, 1] + shift[:, j]
        t_closed = crossing_days(days, closed, need, usable)
        t_open = crossing_days(days, opened, need, usable)
        gap = (t_open - t_closed) / D.DAYS_PER_MONTH
        at = t_open if direction == "backward" else t_closed
        group = "public" if design.is_public[j] else "private"
        for g in ("all", group):
            out[g][0].append(at)
            out[g][1].append(gap)
    return out


def model_threshold_draws(
    fit: GapFit,
    dates: Any = None,
    *,
    direction: str = "backward",
    n_draws: int = 500,
    seed: Any = 0,
    bandwidth_days: float = 60.0,
) -> xr.DataArray:
    """The model-based threshold gap's draws in months, ``(chain=1, draw, group, date)``
    (see the module docstring).

    Parameters
    ----------
    fit : GapFit
        A fitted :class:`~irtgap.GapModel`.
    dates : sequence of dates, optional
        Where to read the trend (default: monthly over the fit's support).
    direction : {"backward", "forward"}
        Points at the open (backward) or the closed (forward) crossing date.
    n_draws : int
        Posterior samples used (drawn without replacement by ``seed``; all if fewer).
    seed : int or numpy.random.Generator
        Seeds the choice of samples.
    bandwidth_days : float
        The kernel's sigma (the threshold method's 60 days).

    Returns
    -------
    xarray.DataArray
        NaN where a draw's trend is undefined (outside its first .. last point date).
    """
    check_choice("direction", direction, ("backward", "forward"))
    n_draws = check_count("n_draws", n_draws, minimum=2)
    bandwidth_days = check_number("bandwidth_days", bandwidth_days, minimum=1.0)
    seed = check_seed("seed", seed, generator=True)
    first, last = fit.support()
    when = (
        pd.date_range(first.normalize(), last, freq="MS")
        if dates is None
        else check_dates("dates", dates)
    )
    grid = date_grid(first, last, step_days=7).union(pd.DatetimeIndex([last])).as_unit("ns")
    pick = _draws(fit, n_draws, seed)
    points = _benchmark_points(fit, grid, pick, direction)
    at = to_days(when)
    trends = []
    for g in GROUPS:
        day, gap = (np.concatenate(v, axis=1) for v in points[g])
        trend = smooth_points(day, gap, at, bandwidth_days)
        trend[:, (at < to_days([first])[0]) | (at > to_days([last])[0])] = np.nan
        trends.append(trend)
    return gap_dataarray(np.stack(trends, axis=1), dates=when, groups=list(GROUPS), chains=1)


def model_threshold_gap(
    fit: GapFit,
    dates: Any = None,
    *,
    ci_prob: float = 0.9,
    reference_date: Any = None,
    min_defined: float = 0.9,
    direction: str = "backward",
    n_draws: int = 500,
    seed: Any = 0,
    bandwidth_days: float = 60.0,
) -> pd.DataFrame:
    """The model-based threshold gap per group, in the shared gap table.

    Parameters
    ----------
    fit : GapFit
        A fitted :class:`~irtgap.GapModel`.
    dates : sequence of dates, optional
        Where to read it (default: monthly over the fit's support).
    ci_prob : float
        Probability of the equal-tailed interval (0.9).
    reference_date : date, optional
        Fills ``prob_grew`` (the share of draws whose gap exceeds that at this date).
    min_defined : float
        Share of the draws that must be defined for a summary (0.9; see
        :func:`irtgap.core.gaps.summarize_gap`).
    direction, n_draws, seed, bandwidth_days
        As in :func:`model_threshold_draws`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`irtgap.results.GAP_COLUMNS`, ``method`` = ``"model_threshold"``, groups
        ``all``, ``public``, ``private``.

    Examples
    --------
    (Skipped in the doctests: it needs a fitted model.)

    >>> import irtgap
    >>> fit = irtgap.GapModel().fit(irtgap.load_dataset(), seed=1)  # doctest: +SKIP
    >>> irtgap.model_threshold_gap(fit, ["2025-01-20"])  # doctest: +SKIP
    """
    ci_prob = check_level("ci_prob", ci_prob)
    when = None if dates is None else check_dates("dates", dates)
    ref = None if reference_date is None else check_dates("reference_date", [reference_date])
    read = when if ref is None or when is None else when.union(ref)
    draws = model_threshold_draws(
        fit, read, direction=direction, n_draws=n_draws, seed=seed, bandwidth_days=bandwidth_days
    )
    table = summarize_gap(
        draws,
        ci_prob=ci_prob,
        reference_date=None if ref is None else ref[0],
        method=METHOD,
        min_defined=min_defined,
    )
    if when is not None:
        table = table[pd.DatetimeIndex(table[D.DATE]).isin(when)]
    return conform_gap_table(table, METHOD)
