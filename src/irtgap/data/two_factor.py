r"""Simulated worlds with a second dimension: closed reasoning models ahead on some benchmarks
beyond one capability.

:func:`simulate_two_factor` draws a world in which every model has two abilities: a general
capability :math:`\theta_m = F_{g}(t_m) - u_m` and a second ability (think: reasoning)
:math:`\psi_m = P_{g}(t_m) - w_m`, each below its side's frontier. Benchmarks load on the second
ability with :math:`\ell_b \ge 0`: the "reasoning" benchmarks (private, as out-of-distribution
reasoning benchmarks mostly are) load on it, the others do not. A score is

.. math::

    z_{mb} \sim \operatorname{Beta}(\mu\phi, (1-\mu)\phi),\qquad
    \mu = f_b + (1 - f_b)\,\operatorname{logistic}\big(\alpha_b(\theta_m + \ell_b\psi_m - D_b)\big).

Frontiers (t in years from 2024-01-01): general :math:`F_{\text{closed}}(t) = g\,t`, the open one
the same line ``gap_months`` later; second ability :math:`P_{\text{closed}}(t) = r \max(t -
t_0, 0)` (none before ``reasoning_start``, then growing at ``reasoning_rate``) and the open one
``reasoning_lag_months`` later. So the gap on the general factor is ``gap_months``, while on
the reasoning benchmarks the closed side is further ahead. The true gap of a group of benchmarks
is defined as :class:`~irtgap.GapModel`'s (:func:`irtgap.methods.bayes.domains.group_loadings`):
the time shift of the index :math:`F + w_G P`, :math:`w_G` the slope-weighted mean loading of
the group's benchmarks (:meth:`TwoFactorWorld.true_gap`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from irtgap.core import dims as D
from irtgap.core.gaps import date_grid, time_shift_gap, to_days
from irtgap.core.measurement import mean_score
from irtgap.core.options import check_count, check_number, check_seed
from irtgap.data.scoredata import ScoreData

ORIGIN = pd.Timestamp("2024-01-01")


@dataclass(frozen=True)
class TwoFactorWorld:
    """A world of :func:`simulate_two_factor`: its scores and its truth.

    Attributes
    ----------
    data : ScoreData
        The scores (benchmark metadata with access and domain).
    loading : pandas.Series
        Per benchmark, its loading on the second ability.
    slope : pandas.Series
        Per benchmark, its slope.
    gap_months, reasoning_lag_months, growth_per_year, reasoning_rate : float
        The world's settings.
    reasoning_start : pandas.Timestamp
        When the closed side's second ability starts to grow.
    """

    data: ScoreData
    loading: pd.Series
    slope: pd.Series
    gap_months: float
    reasoning_lag_months: float
    growth_per_year: float
    reasoning_rate: float
    reasoning_start: pd.Timestamp

    def frontiers(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """General and second frontiers (closed, open) at years ``t`` from 2024-01-01."""
        t0 = (self.reasoning_start - ORIGIN).days / 365.25
        lag, lag2 = self.gap_months / 12, self.reasoning_lag_months / 12
        f_c, f_o = self.growth_per_year * t, self.growth_per_year * (t - lag)
        p_c = self.reasoning_rate * np.maximum(t - t0, 0.0)
        p_o = self.reasoning_rate * np.maximum(t - lag2 - t0, 0.0)
        return f_c, f_o, p_c, p_o

    def true_gap(self, dates: Any, group: str = "capability") -> pd.Series:
        """The true backward gap in months of a group at ``dates``.

        Parameters
        ----------
        dates : sequence of dates
            Where to read it.
        group : {"capability", "public", "private"}
            ``capability``: the general factor's gap; ``public`` / ``private``: the gap the
            group's benchmarks show (the index :math:`F + w_G P`).

        Returns
        -------
        pandas.Series
            Months, indexed by ``dates``.
        """
        dates = pd.DatetimeIndex(dates)
        meta = self.data.benchmarks
        if group == "capability":
            w = 0.0
        elif group in ("public", "private"):
            mask = (meta["access"] == group).reindex(self.loading.index).to_numpy()
            w = float((self.slope[mask] * self.loading[mask]).sum() / self.slope[mask].sum())
        else:
            raise ValueError(f"group={group!r}: use 'capability', 'public' or 'private'")
        fine = date_grid(ORIGIN - pd.DateOffset(years=4), dates.max(), step_days=1).union(dates)
        t = (to_days(fine) - to_days([ORIGIN])[0]) / 365.25
        f_c, f_o, p_c, p_o = self.frontiers(t)
        gap = time_shift_gap(to_days(fine), f_o + w * p_o, f_c + w * p_c)
        return pd.Series(gap, index=fine, name="true_gap_months").loc[dates]


def _score_data(
    side: np.ndarray,
    t: np.ndarray,
    names: list[str],
    loading: np.ndarray,
    m_idx: np.ndarray,
    b_idx: np.ndarray,
    z: np.ndarray,
) -> ScoreData:
    """The drawn scores as a ``ScoreData`` (reasoning benchmarks private, the others public)."""
    models = [f"{s}{k:03d}" for k, s in enumerate(side)]
    dates = ORIGIN + pd.to_timedelta(t * 365.25, unit="D")
    scores = pd.DataFrame(
        {
            "model": np.asarray(models)[m_idx],
            "benchmark": np.asarray(names)[b_idx],
            "score": z,
            "date": pd.DatetimeIndex(dates).normalize()[m_idx],
            "weights": side[m_idx],
        }
    )
    meta = pd.DataFrame(
        {
            "access": np.where(loading > 0, "private", "public"),
            "domain": np.where(loading > 0, "reasoning-ood", "knowledge-qa"),
            "random_baseline": 0.0,
            "ceiling": 1.0,
            "scale": "fraction",
        },
        index=pd.Index(names, name="benchmark"),
    )
    data = ScoreData.from_frame(
        scores,
        model="model",
        benchmark="benchmark",
        score="score",
        date="date",
        weights="weights",
        benchmarks=meta.reset_index(),
        sparse_benchmarks="drop",
    )
    return data


def simulate_two_factor(
    *,
    n_closed: int = 40,
    n_open: int = 40,
    n_benchmarks: int = 12,
    n_reasoning: int = 5,
    density: float = 0.4,
    gap_months: float = 6.0,
    reasoning_lag_months: float = 9.0,
    growth_per_year: float = 1.2,
    reasoning_rate: float = 1.5,
    reasoning_start: str = "2024-07-01",
    precision: float = 40.0,
    seed: int | np.random.Generator = 0,
) -> TwoFactorWorld:
    """Draw a world with a second ability (see the module docstring).

    Parameters
    ----------
    n_closed, n_open : int
        Models per side, released uniformly over 2022-01-01 to 2025-10-01.
    n_benchmarks : int
        Benchmarks; the first ``n_reasoning`` are private "reasoning" benchmarks loading on
        the second ability (loadings uniform on 0.7-1.3), the others public knowledge
        benchmarks with loading 0.
    density : float
        Chance a model is scored on a benchmark that exists at its release.
    gap_months, reasoning_lag_months : float
        The open general and second frontiers' delays.
    growth_per_year, reasoning_rate : float
        Slopes of the closed general and second frontiers (units per year).
    reasoning_start : str
        When the closed second frontier starts to grow.
    precision : float
        Beta precision of the scores.
    seed : int or numpy.random.Generator
        Seeds every draw.

    Returns
    -------
    TwoFactorWorld
    """
    n_closed = check_count("n_closed", n_closed, minimum=5)
    n_open = check_count("n_open", n_open, minimum=5)
    n_benchmarks = check_count("n_benchmarks", n_benchmarks, minimum=4)
    n_reasoning = check_count("n_reasoning", n_reasoning, minimum=1)
    if n_reasoning >= n_benchmarks:
        raise ValueError(
            f"n_reasoning={n_reasoning}: leave at least one benchmark without the second "
            f"ability (n_benchmarks={n_benchmarks})"
        )
    density = check_number("density", density, above=0.0, maximum=1.0)
    precision = check_number("precision", precision, above=0.0)
    rng = np.random.default_rng(check_seed("seed", seed, generator=True))
    world = TwoFactorWorld(
        data=ScoreData(scores=pd.DataFrame(), benchmarks=pd.DataFrame()),
        loading=pd.Series(dtype=float),
        slope=pd.Series(dtype=float),
        gap_months=float(gap_months),
        reasoning_lag_months=float(reasoning_lag_months),
        growth_per_year=float(growth_per_year),
        reasoning_rate=float(reasoning_rate),
        reasoning_start=pd.Timestamp(reasoning_start),
    )
    n = n_closed + n_open
    side = np.array([D.CLOSED] * n_closed + [D.OPEN] * n_open)
    t = rng.uniform(-2.0, 1.75, n)
    f_c, f_o, p_c, p_o = world.frontiers(t)
    is_open = side == D.OPEN
    theta = np.where(is_open, f_o, f_c) - rng.exponential(0.8, n)
    psi = np.where(is_open, p_o, p_c) - rng.exponential(0.5, n)
    names = [f"bench{j:02d}" for j in range(n_benchmarks)]
    loading = np.zeros(n_benchmarks)
    loading[:n_reasoning] = rng.uniform(0.7, 1.3, n_reasoning)
    slope = np.exp(rng.normal(0.0, 0.25, n_benchmarks))
    born = np.where(
        np.arange(n_benchmarks) < n_reasoning,
        rng.uniform(-0.5, 0.8, n_benchmarks),
        rng.uniform(-2.0, -0.5, n_benchmarks),
    )
    # difficulty: where the closed frontier stands a year after the benchmark appears
    difficulty = growth_per_year * (born + 1.0) + rng.normal(0.0, 0.3, n_benchmarks)
    difficulty[:n_reasoning] += reasoning_rate * 0.5 * loading[:n_reasoning]
    scored = (rng.uniform(size=(n, n_benchmarks)) < density) & (t[:, None] >= born[None, :] - 1)
    m_idx, b_idx = np.nonzero(scored)
    mu = mean_score(
        theta[m_idx] + loading[b_idx] * psi[m_idx],
        difficulty=difficulty[b_idx],
        slope=slope[b_idx],
        floor=0.0,
    )
    z = rng.beta(mu * precision, (1 - mu) * precision)
    data = _score_data(side, t, names, loading, m_idx, b_idx, z)
    return TwoFactorWorld(
        data=data,
        loading=pd.Series(loading, index=names),
        slope=pd.Series(slope, index=names),
        gap_months=world.gap_months,
        reasoning_lag_months=world.reasoning_lag_months,
        growth_per_year=world.growth_per_year,
        reasoning_rate=world.reasoning_rate,
        reasoning_start=world.reasoning_start,
    )
