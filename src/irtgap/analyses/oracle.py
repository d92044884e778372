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
``benchmarks/validation/information_floor.py`` runs it on every scenario of the validation
study; ``docs/validation.md`` has the table.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from irtgap.core import dims as D
from irtgap.core.gaps import date_grid, time_shift_gap, to_days
from irtgap.data.simulate import SimulatedData

#: Years of closed frontier before a world's first release on which the backward gap is read.
#: 0: only where there are data (a fitted quadratic turns soon outside them), which leaves the
#: study's gaps readable (under 18 months at its first date, 2023-07, in worlds from 2022-01).
LOOKBACK_YEARS = 0
#: z of a central 90% interval of a Normal.
Z90 = float(stats.norm.ppf(0.95))


def fit_oracle_frontier(
    years: np.ndarray, capability: np.ndarray, *, degree: int = 1, softness: float = 0.4
) -> np.ndarray:
    """Maximum-likelihood frontier of one side from true capabilities.

    Returns the polynomial's coefficients, highest power first (``numpy.polyval`` order).

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
    if isinstance(degree, bool) or not isinstance(degree, int | np.integer):
        raise ValueError(f"degree={degree!r}: give a whole number >= 1 (1: straight lines)")
    if degree < 1 or years.size < degree + 3:
        raise ValueError(
            f"degree={degree!r} with {years.size} models: give degree >= 1 and at least "
            "degree + 3 models per side"
        )

    def nll(p: np.ndarray) -> float:
        log_s = p[-1]
        v = (np.polyval(p[:-1], years) - capability) / np.exp(log_s)
        loglik = stats.exponnorm.logpdf(v, 1 / softness, scale=softness).sum()
        return float(-(loglik - years.size * log_s))

    start = np.zeros(degree + 2)
    start[-3] = 1.0  # a rising frontier
    start[-2] = capability.max()
    best = optimize.minimize(nll, start, method="Nelder-Mead", options={"maxiter": 20_000})
    best = optimize.minimize(nll, best.x, method="BFGS")  # polish
    return np.asarray(best.x[:-1])


def oracle_gap(sim: SimulatedData, dates: Any, *, degree: int = 1) -> pd.Series:
    """The backward gap in months at ``dates`` read by the oracle (see the module docstring).

    NaN at a date where it is not defined: a fitted closed frontier that is not rising over the
    grid (a quadratic that turns), or an open level the closed frontier did not reach there.

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
    dates = pd.DatetimeIndex(pd.to_datetime(dates))
    truth = sim.truth
    first, last = pd.Timestamp(truth["start"]), pd.Timestamp(truth["end"])
    outside = dates[(dates < first) | (dates > last)]
    if len(outside):
        raise ValueError(
            f"dates {[f'{d:%Y-%m-%d}' for d in outside]} lie outside the world's release dates "
            f"({first:%Y-%m-%d} to {last:%Y-%m-%d}): the oracle does not extrapolate its fitted "
            "frontiers; give dates inside them"
        )
    theta = pd.Series(truth["capability"], dtype=float)
    models = sim.data.models.loc[theta.index]
    origin = truth["origin"]
    years = (to_days(models[D.DATE]) - to_days([origin])[0]) / 365.25
    side = models[D.WEIGHTS].to_numpy()
    softness = float(truth.get("frontier_softness", 0.4))
    coef = {
        g: fit_oracle_frontier(
            years[side == g], theta.to_numpy()[side == g], degree=degree, softness=softness
        )
        for g in (D.CLOSED, D.OPEN)
    }
    start = pd.Timestamp(truth["start"]) - pd.DateOffset(years=LOOKBACK_YEARS)
    grid = date_grid(start, dates.max(), step_days=1).union(dates)
    grid_years = (to_days(grid) - to_days([origin])[0]) / 365.25
    closed = np.polyval(coef[D.CLOSED], grid_years)
    if (np.diff(closed) <= 0).any():
        return pd.Series(np.nan, index=dates, name="oracle_gap_months")
    gap = time_shift_gap(to_days(grid), np.polyval(coef[D.OPEN], grid_years), closed)
    return pd.Series(gap, index=grid, name="oracle_gap_months").loc[dates]


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


__all__ = ["LOOKBACK_YEARS", "fit_oracle_frontier", "information_floor", "oracle_gap"]
