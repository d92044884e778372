r"""The oracle gap: how sharp can any estimate be on a simulated world?

A validation study can ask an interval to be calibrated and narrow only as far as the world's
data allow. :func:`oracle_gap` reads the gap of a simulated world
(:class:`~irtgap.data.simulate.SimulatedData`) as an oracle that knows far more than any method
is given:

- every model's **true capability** :math:`\theta_m` (no benchmark, no score noise, no
  difficulty or slope to estimate);
- the **form of the frontiers**: a polynomial of the given ``degree`` in time (1: straight
  lines, the simulator's default; 2 for a world whose frontier or gap is curved);
- the **shortfall family and softness** of the simulator's default,
  :math:`\operatorname{Exp}(1) + \mathcal N(0, \tau)` with the world's :math:`\tau`.

It fits each side's frontier :math:`F_g(t) = \sum_j c_{g,j} t^j` and shortfall scale
:math:`s_g` to the true capabilities by maximum likelihood,

.. math::

    \frac{F_g(t_m) - \theta_m}{s_g} \sim \operatorname{ExGaussian}(0, \tau, 1)
    \quad\text{for every model } m \text{ of side } g,

and reads the backward gap from the two fitted frontiers exactly as the world's true gap is
read (:func:`irtgap.core.gaps.time_shift_gap` on a daily grid). What is left random is only
*which models exist, when, and how far below their frontier each sits*. Its error over many
worlds is therefore a floor for any method's error on those worlds, and
:math:`2 z_{0.95}` times the error's standard deviation is the narrowest calibrated 90%
interval (Gaussian errors) that even the oracle could give (:func:`information_floor`).
``studies/validation/information_floor.py`` runs it on every scenario of the validation
study; ``docs/validation.md`` has the table.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from irtgap.core import dims as D
from irtgap.core.gaps import date_grid, time_shift_gap, to_days
from irtgap.data.simulate import SimulatedData

#: Years of closed frontier before a world's first release on which the backward gap is read.
#: 0: only where there are data (a fitted quadratic turns soon outside them), which leaves the
#: study's gaps readable (under 18 months at its first date, 2023-07, in worlds from 2022-01).
LOOKBACK_YEARS = 0
#: z of a central 90% interval of a Normal.
Z90 = float(stats.norm.ppf(0.95))


def _exgauss_nll(p: np.ndarray, years: np.ndarray, capability: np.ndarray, tau: float) -> float:
    """Negative log-likelihood of one side: polynomial frontier ``p[:-1]``, log scale ``p[-1]``.

    ``v = (F(t) - theta) / s`` is Exp(1) + Normal(0, tau):
    log f(v) = tau^2/2 - v + log Phi(v/tau - tau), the same as
    ``scipy.stats.exponnorm.logpdf(v, 1/tau, scale=tau)``, computed directly (cheaper).
    """
    log_s = p[-1]
    v = (np.polyval(p[:-1], years) - capability) / np.exp(log_s)
    loglik = (tau**2 / 2 - v + special.log_ndtr(v / tau - tau)).sum()
    return float(-(loglik - years.size * log_s))


def _check_degree(degree: Any, n_models: int) -> None:
    if isinstance(degree, bool) or not isinstance(degree, int | np.integer):
        raise ValueError(f"degree={degree!r}: give a whole number >= 1 (1: straight lines)")
    if degree < 1 or n_models < degree + 3:
        raise ValueError(
            f"degree={degree!r} with {n_models} models: give degree >= 1 and at least "
            "degree + 3 models per side"
        )


def _fit_side(
    years: np.ndarray,
    capability: np.ndarray,
    degree: int,
    softness: float,
    start: np.ndarray | None = None,
) -> np.ndarray:
    """Maximum-likelihood (frontier coefficients..., log shortfall scale) of one side.

    Without ``start`` a derivative-free search from a rising line comes first; with one (a
    bootstrap refit next to the original fit) the gradient polish alone is enough.
    """
    args = (years, capability, softness)
    if start is None:
        start = np.zeros(degree + 2)
        start[-3] = 1.0  # a rising frontier
        start[-2] = capability.max()
        start = optimize.minimize(
            _exgauss_nll, start, args=args, method="Nelder-Mead", options={"maxiter": 20_000}
        ).x
    return np.asarray(optimize.minimize(_exgauss_nll, start, args=args, method="BFGS").x)


def fit_oracle_frontier(
    years: np.ndarray, capability: np.ndarray, *, degree: int = 1, softness: float = 0.4
) -> np.ndarray:
    """Maximum-likelihood frontier of one side from true capabilities.

    Parameters
    ----------
    years : numpy.ndarray
        Release times of the side's models, in years.
    capability : numpy.ndarray
        Their true capabilities, in the same order.
    degree : int
        Degree of the frontier's polynomial in time (1: a straight line).
    softness : float
        :math:`\\tau`, the sd of the Normal part of the standardized shortfall.

    Returns
    -------
    numpy.ndarray
        The polynomial's coefficients, highest power first (``numpy.polyval`` order).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> t = rng.uniform(-2, 2, 4000)
    >>> theta = 0.5 + 1.2 * t - (rng.exponential(size=t.size) + 0.4 * rng.normal(size=t.size))
    >>> fit_oracle_frontier(t, theta).round(1)
    array([1.2, 0.5])
    """
    years = np.asarray(years, float)
    capability = np.asarray(capability, float)
    _check_degree(degree, years.size)
    return _fit_side(years, capability, degree, softness)[:-1]


class _World:
    """What the oracle is given about one simulated world, and how it reads a gap."""

    def __init__(self, sim: SimulatedData, dates: Any, degree: int) -> None:
        dates = pd.DatetimeIndex(pd.to_datetime(dates))
        truth = sim.truth
        first, last = pd.Timestamp(truth.start), pd.Timestamp(truth.end)
        outside = dates[(dates < first) | (dates > last)]
        if len(outside):
            raise ValueError(
                f"dates {[f'{d:%Y-%m-%d}' for d in outside]} lie outside the world's release "
                f"dates ({first:%Y-%m-%d} to {last:%Y-%m-%d}): the oracle does not extrapolate "
                "its fitted frontiers; give dates inside them"
            )
        theta = pd.Series(truth.capability, dtype=float)
        models = sim.data.models.loc[theta.index]
        origin = to_days([truth.origin])[0]
        years = (to_days(models[D.DATE]) - origin) / 365.25
        side = models[D.WEIGHTS].to_numpy()
        self.dates = dates
        self.degree = degree
        self.softness = float(truth.frontier_softness)
        self.years = {g: years[side == g] for g in (D.CLOSED, D.OPEN)}
        self.theta = {g: theta.to_numpy()[side == g] for g in (D.CLOSED, D.OPEN)}
        for g in (D.CLOSED, D.OPEN):
            _check_degree(degree, self.years[g].size)
        start = first - pd.DateOffset(years=LOOKBACK_YEARS)
        self.grid = date_grid(start, dates.max(), step_days=1).union(dates)
        self.grid_years = (to_days(self.grid) - origin) / 365.25
        self.at = self.grid.get_indexer(dates)

    def fit(self, theta: dict[str, np.ndarray], start: dict[str, np.ndarray] | None = None):
        """(coefficients..., log scale) per side, fitted to capabilities ``theta``."""
        return {
            g: _fit_side(
                self.years[g],
                theta[g],
                self.degree,
                self.softness,
                None if start is None else start[g],
            )
            for g in (D.CLOSED, D.OPEN)
        }

    def gap(self, params: dict[str, np.ndarray]) -> np.ndarray:
        """The backward gap at the dates from fitted frontiers; NaN where a closed one falls."""
        closed = np.polyval(params[D.CLOSED][:-1], self.grid_years)
        if (np.diff(closed) <= 0).any():
            return np.full(len(self.dates), np.nan)
        opened = np.polyval(params[D.OPEN][:-1], self.grid_years)
        return time_shift_gap(to_days(self.grid), opened, closed)[self.at]

    def redraw(self, params: dict[str, np.ndarray], rng: np.random.Generator):
        """Capabilities of the same models drawn afresh from fitted frontiers and shortfalls."""
        out = {}
        for g in (D.CLOSED, D.OPEN):
            n = self.years[g].size
            shortfall = rng.exponential(size=n) + self.softness * rng.normal(size=n)
            frontier = np.polyval(params[g][:-1], self.years[g])
            out[g] = frontier - np.exp(params[g][-1]) * shortfall
        return out


def oracle_gap(sim: SimulatedData, dates: Any, *, degree: int = 1) -> pd.Series:
    """The backward gap in months at ``dates`` read by the oracle (see the module docstring).

    NaN at a date where it is not defined: a fitted closed frontier that is not rising over the
    grid (a quadratic that turns), or an open level the closed frontier did not reach there.

    Parameters
    ----------
    sim : SimulatedData
        The world: its truth gives every model's capability and the shortfall's softness.
    dates : date-like or sequence of date-like
        Where to read the gap, between the world's first and last release date.
    degree : int
        Degree of the fitted frontiers' polynomial (1: straight lines).

    Returns
    -------
    pandas.Series
        Months, indexed by ``dates`` (name ``oracle_gap_months``).

    Raises
    ------
    ValueError
        A date outside the world's first and last release date (no extrapolation), or a
        ``degree`` that is not a whole number >= 1.

    Examples
    --------
    >>> import irtgap
    >>> from irtgap.analyses.oracle import oracle_gap
    >>> sim = irtgap.simulate(n_closed=400, n_open=400, gap_months=6.0, seed=1)
    >>> float(oracle_gap(sim, ["2024-07-01"]).iloc[0].round(0))
    6.0
    """
    world = _World(sim, dates, degree)
    gap = world.gap(world.fit(world.theta))
    return pd.Series(gap, index=world.dates, name="oracle_gap_months")


def oracle_interval(
    sim: SimulatedData,
    dates: Any,
    *,
    degree: int = 1,
    n_boot: int = 200,
    level: float = 0.9,
    min_defined: float = 0.9,
    seed: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    r"""The oracle's own interval for one world: a parametric bootstrap of its frontier fit.

    The pooled floor of :func:`information_floor` is one width for every world; a method that
    knew how informative each world is could give narrower intervals on some and wider on
    others. This is the oracle doing so: the same models at the same dates get capabilities
    drawn afresh from its fitted frontiers and shortfall scales, ``n_boot`` times; each draw is
    refitted and its gap read. The central ``level`` interval of those gaps, shifted to the
    estimate (a basic bootstrap: :math:`[2\hat g - q_{hi}, 2\hat g - q_{lo}]`), is the interval.
    Over many worlds its coverage says whether it is calibrated, and its mean width is how
    narrow a calibrated interval that adapts to each world can be, with everything but the
    draw of models known.

    Parameters
    ----------
    sim : SimulatedData
        The world.
    dates : date-like or sequence of date-like
        Where to read the gap (as :func:`oracle_gap`).
    degree : int
        Degree of the fitted frontiers' polynomial.
    n_boot : int
        Bootstrap draws (at least 20).
    level : float
        Probability of the interval.
    min_defined : float
        Share of the draws that must define the gap for an interval.
    seed : int or numpy.random.Generator, optional
        Seed of the redrawn capabilities.

    Returns
    -------
    pandas.DataFrame
        Indexed by date: ``estimate`` (:func:`oracle_gap`), ``lower``, ``upper`` and
        ``n_defined`` (bootstrap draws with a defined gap). Where fewer than ``min_defined`` of
        the draws are defined, ``lower`` and ``upper`` are NaN, with a warning.

    Examples
    --------
    >>> import irtgap
    >>> from irtgap.analyses.oracle import oracle_interval
    >>> sim = irtgap.simulate(n_closed=60, n_open=60, gap_months=6.0, seed=1)
    >>> iv = oracle_interval(sim, ["2024-07-01"], n_boot=50, seed=0)
    >>> bool((iv["lower"] < iv["estimate"]).all() and (iv["estimate"] < iv["upper"]).all())
    True
    """
    if not 0 < level < 1:
        raise ValueError(f"level={level!r}: give a probability between 0 and 1, e.g. 0.9")
    if not 0 < min_defined <= 1:
        raise ValueError(f"min_defined={min_defined!r}: give a share of the draws in (0, 1]")
    if isinstance(n_boot, bool) or not isinstance(n_boot, int | np.integer) or n_boot < 20:
        raise ValueError(f"n_boot={n_boot!r}: give a whole number of bootstrap draws >= 20")
    rng = np.random.default_rng(seed)
    world = _World(sim, dates, degree)
    fitted = world.fit(world.theta)
    estimate = world.gap(fitted)
    draws = np.array(
        [world.gap(world.fit(world.redraw(fitted, rng), start=fitted)) for _ in range(n_boot)]
    )
    n_defined = np.isfinite(draws).sum(axis=0)
    tail = (1 - level) / 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns: handled below
        lo, hi = np.nanquantile(draws, [tail, 1 - tail], axis=0)
    short = n_defined < min_defined * n_boot
    if short.any():
        warnings.warn(
            f"oracle_interval: at {int(short.sum())} date(s) fewer than {min_defined:.0%} of the "
            f"{n_boot} bootstrap draws had a defined gap; their interval is NaN",
            RuntimeWarning,
            stacklevel=2,
        )
    lower = np.where(short, np.nan, 2 * estimate - hi)
    upper = np.where(short, np.nan, 2 * estimate - lo)
    return pd.DataFrame(
        {"estimate": estimate, "lower": lower, "upper": upper, "n_defined": n_defined},
        index=world.dates,
    )


def information_floor(errors: Any) -> dict[str, float]:
    """Bias, RMSE and the narrowest calibrated 90% interval width of oracle errors (months).

    ``floor_width`` is :math:`2 z_{0.95}\\,\\mathrm{sd}(\\text{error})`: a Gaussian interval
    that width, centred on each estimate, covers the truth 90% of the time. NaN errors are
    counted in ``n_undefined`` and left out.

    Examples
    --------
    >>> information_floor([-1.0, 1.0, float("nan")])["floor_width"].__round__(2)
    3.29
    """
    err = np.asarray(errors, float).ravel()
    ok = np.isfinite(err)
    if not ok.any():
        nan = float("nan")
        return {"n": 0, "n_undefined": int(err.size), "bias": nan, "rmse": nan, "floor_width": nan}
    e = err[ok]
    return {
        "n": int(ok.sum()),
        "n_undefined": int((~ok).sum()),
        "bias": float(e.mean()),
        "rmse": float(np.sqrt(np.mean(e**2))),
        "floor_width": float(2 * Z90 * e.std()),
    }


__all__ = [
    "LOOKBACK_YEARS",
    "fit_oracle_frontier",
    "information_floor",
    "oracle_gap",
    "oracle_interval",
]
