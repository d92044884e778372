r"""Synthetic score tables drawn from the gap model's own generative story, with a known truth.

:func:`simulate` draws a :class:`~irtgap.ScoreData` from the model of
:mod:`irtgap.methods.bayes.model`: frontiers chosen so that the backward gap follows a given
trajectory, models below their side's frontier by an exponential shortfall, benchmarks with
difficulties, slopes, guessing floors, ceilings and a release date, a sparse evaluation pattern,
Beta-distributed scores (as fractions of the ceiling, as the model reads them), and optional
provider degradation and public-benchmark contamination. The true gap comes back beside the data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from irtgap.core import dims as D
from irtgap.core.gaps import Direction, date_grid, time_shift_gap, to_days
from irtgap.core.measurement import mean_score
from irtgap.data.scoredata import ScoreData

GapSpec = float | Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class SimulatedData:
    """A synthetic :class:`~irtgap.ScoreData` and the truth it was drawn from.

    Attributes
    ----------
    data : ScoreData
    truth : dict
        ``growth_per_year`` (closed frontier rise per year), ``public_advantage`` (gamma),
        ``provider_degradation`` (delta), ``shortfall_scale``, ``origin``, and per benchmark
        ``difficulty``, ``slope``, ``ceiling``; per model ``capability``.
    """

    data: ScoreData
    truth: dict[str, Any] = field(default_factory=dict)
    _frontier: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]] | None = None

    def frontier(self, dates: Any) -> pd.DataFrame:
        """True frontiers (closed, open) at ``dates``."""
        assert self._frontier is not None
        dates = pd.DatetimeIndex(dates)
        c, o = self._frontier(_years(dates, self.truth["origin"]))
        return pd.DataFrame({D.CLOSED: c, D.OPEN: o}, index=pd.Index(dates, name=D.DATE))

    def true_gap(self, dates: Any, *, direction: Direction = "backward") -> pd.Series:
        """The true gap in months at ``dates`` (same definition as the estimators use)."""
        assert self._frontier is not None
        dates = pd.DatetimeIndex(dates)
        fine = date_grid(self.truth["start"] - pd.DateOffset(years=3), dates.max(), step_days=1)
        fine = fine.union(dates)
        c, o = self._frontier(_years(fine, self.truth["origin"]))
        gap = time_shift_gap(to_days(fine), o, c, direction=direction)
        return pd.Series(gap, index=fine, name="true_gap_months").loc[dates]


def _years(dates: pd.DatetimeIndex, origin: pd.Timestamp) -> np.ndarray:
    return (to_days(dates) - to_days([origin])[0]) / 365.25


def simulate(
    *,
    gap_months: GapSpec = 6.0,
    n_closed: int = 40,
    n_open: int = 40,
    n_benchmarks: int = 12,
    density: float = 0.35,
    closed_eval_factor: float = 1.0,
    start: str = "2022-01-01",
    end: str = "2025-10-01",
    growth_per_year: float = 1.2,
    shortfall_scale: float = 1.0,
    frontier_softness: float = 0.4,
    public_share: float = 0.5,
    public_advantage: float = 0.0,
    provider_degradation: float = 0.0,
    hosted_share: float = 0.3,
    precision: float = 40.0,
    floors: tuple[float, ...] = (0.0, 0.0, 0.25),
    ceilings: tuple[float, ...] = (1.0,),
    benchmark_lifetimes: bool = True,
    seed: int | np.random.Generator = 0,
) -> SimulatedData:
    r"""Draw a synthetic ScoreData with a known gap.

    Parameters
    ----------
    gap_months : float or callable
        The true backward gap: a constant, or a function of time in years since 2024-01-01
        returning months. The open frontier is :math:`F_o(t) = F_c(t - \text{gap}(t)/12)`, with
        the closed frontier :math:`F_c(t) = \text{growth} \cdot t`. The gap may change by less than
        a month per month (so that the open frontier never decreases).
    n_closed, n_open : int
        Models per side, released uniformly between ``start`` and ``end``.
    n_benchmarks : int
        Benchmarks; difficulties spread over the capability range, slopes log-normal(0, 0.25),
        guessing floors cycled from ``floors``, the first ``public_share`` public.
    density : float
        Probability that a model is scored on a benchmark that exists (benchmarks are released
        through the period when ``benchmark_lifetimes``; models up to a year older than a
        benchmark can still be scored on it).
    closed_eval_factor : float
        Closed models are scored this many times as often (the winner's-curse scenario: a side
        evaluated more often shows more lucky scores).
    shortfall_scale : float
        Scale :math:`s` of the shortfall below the frontier (capability units).
    frontier_softness : float
        :math:`\tau`: the shortfall is :math:`s\,(E + \tau Z)` with :math:`E \sim
        \operatorname{Exp}(1)`, :math:`Z \sim \mathcal N(0, 1)`, as in the model (0: a hard
        edge, every model at or below its frontier).
    public_advantage : float
        Open models score this much higher (capability units) on public benchmarks
        (contamination / hill-climbing).
    provider_degradation : float
        Penalty (capability units) on scores of a third-party-hosted copy of an open model; a
        ``hosted_share`` of open models get a hosted copy ``host/<name>`` scored on the private
        benchmarks.
    precision : float
        Beta precision of scores (higher is less noisy).
    floors, ceilings : tuple of float
        Random-guess floors :math:`c_b` and ceilings :math:`\kappa_b` (highest attainable
        score), cycled over the benchmarks; each floor must lie below its ceiling. A score is
        :math:`y = \kappa_b z` with :math:`z \sim \operatorname{Beta}(\mu\phi, (1-\mu)\phi)`,
        :math:`\mu = c_b/\kappa_b + (1 - c_b/\kappa_b)\operatorname{logistic}(\eta)`: the
        measurement of :mod:`irtgap.methods.bayes.model`.
    seed : int or numpy.random.Generator

    Returns
    -------
    SimulatedData
    """
    rng = np.random.default_rng(seed)
    origin = pd.Timestamp("2024-01-01")
    t0, t1 = _years(pd.DatetimeIndex([start, end]), origin)

    def gap_fn(t: np.ndarray) -> np.ndarray:
        if callable(gap_months):
            return np.asarray(gap_months(np.asarray(t, float)), float)
        return np.full(np.shape(t), float(gap_months))

    def frontiers(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        t = np.asarray(t, float)
        closed = growth_per_year * t
        opened = growth_per_year * (t - gap_fn(t) / 12.0)
        return closed, opened

    n = n_closed + n_open
    side = np.array([D.CLOSED] * n_closed + [D.OPEN] * n_open)
    t_m = rng.uniform(t0, t1, size=n)
    fc, fo = frontiers(t_m)
    f_m = np.where(side == D.OPEN, fo, fc)
    shortfall = rng.exponential(1.0, size=n) + frontier_softness * rng.normal(size=n)
    theta = f_m - shortfall_scale * shortfall

    lo, hi = theta.min(), fc.max()
    difficulty = np.sort(rng.uniform(lo - 0.5, hi + 0.5, size=n_benchmarks))
    slope = np.exp(rng.normal(0, 0.25, size=n_benchmarks))
    floor = np.array([floors[k % len(floors)] for k in range(n_benchmarks)], dtype=float)
    ceiling = np.array([ceilings[k % len(ceilings)] for k in range(n_benchmarks)], dtype=float)
    if not ((ceiling > floor) & (ceiling <= 1) & (floor >= 0)).all():
        raise ValueError(
            f"floors={floors!r}, ceilings={ceilings!r}: every floor must lie in [0, ceiling) "
            "and every ceiling in (0, 1]"
        )
    public = np.arange(n_benchmarks) < round(public_share * n_benchmarks)
    perm = rng.permutation(n_benchmarks)
    public = public[perm]
    if benchmark_lifetimes:
        # harder benchmarks appear later (as in practice), with jitter
        rel = np.interp(difficulty, [difficulty.min(), difficulty.max()], [t0 - 1.0, t1 - 0.5])
        rel = rel + rng.normal(0, 0.25, size=n_benchmarks)
    else:
        rel = np.full(n_benchmarks, t0 - 2.0)
    names = [f"bench{k:02d}" for k in range(n_benchmarks)]
    model_names = [f"{s}-{i:03d}" for i, s in enumerate(side)]

    p = np.where(side == D.CLOSED, density * closed_eval_factor, density)
    p = np.clip(p, 0, 1)
    exists = t_m[:, None] >= rel[None, :] - 1.0
    scored = (rng.uniform(size=(n, n_benchmarks)) < p[:, None]) & exists
    # every model scored at least once, every benchmark by at least three models
    for i in np.flatnonzero(~scored.any(1)):
        scored[i, rng.choice(np.flatnonzero(exists[i]) if exists[i].any() else n_benchmarks)] = True
    for k in np.flatnonzero(scored.sum(0) < 3):
        scored[rng.choice(n, 3, replace=False), k] = True

    rows: list[dict[str, Any]] = []

    def score(i: int, k: int, penalty: float) -> float:
        eff = theta[i] + (public_advantage if side[i] == D.OPEN and public[k] else 0.0) - penalty
        f = floor[k] / ceiling[k]  # the floor as a fraction of the ceiling
        mu = float(mean_score(eff, difficulty=difficulty[k], slope=slope[k], floor=f))
        return float(ceiling[k] * rng.beta(mu * precision, (1 - mu) * precision))

    dates = origin + pd.to_timedelta(np.round(t_m * 365.25), unit="D")
    for i, k in zip(*np.nonzero(scored), strict=True):
        rows.append(
            {
                "model": model_names[i],
                "benchmark": names[k],
                "score": score(int(i), int(k), 0.0),
                "date": dates[i],
                "weights": side[i],
                "provider": D.FIRST_PARTY,
                "model_group": model_names[i],
            }
        )
    if provider_degradation > 0 or hosted_share > 0:
        open_idx = np.flatnonzero(side == D.OPEN)
        hosted = rng.choice(open_idx, size=round(hosted_share * len(open_idx)), replace=False)
        private_k = np.flatnonzero(~public)
        for i in hosted:
            for k in private_k:
                if not exists[i, k] or rng.uniform() > 0.6:
                    continue
                rows.append(
                    {
                        "model": f"host/{model_names[i]}",
                        "benchmark": names[k],
                        "score": score(int(i), int(k), provider_degradation),
                        "date": dates[i],
                        "weights": D.OPEN,
                        "provider": "host",
                        "model_group": model_names[i],
                    }
                )
    df = pd.DataFrame(rows)
    meta = pd.DataFrame(
        {
            "benchmark": names,
            "access": np.where(public, "public", "private"),
            "random_baseline": floor,
            "ceiling": ceiling,
            "scale": "fraction",
            "release_date": origin + pd.to_timedelta(np.round(rel * 365.25), unit="D"),
        }
    )
    data = ScoreData.from_frame(
        df,
        model="model",
        benchmark="benchmark",
        score="score",
        date="date",
        weights="weights",
        provider="provider",
        model_group="model_group",
        benchmarks=meta,
        sparse_benchmarks="drop",
    )
    truth = {
        "growth_per_year": growth_per_year,
        "public_advantage": public_advantage,
        "provider_degradation": provider_degradation,
        "shortfall_scale": shortfall_scale,
        "frontier_softness": frontier_softness,
        "origin": origin,
        "start": pd.Timestamp(start),
        "end": pd.Timestamp(end),
        "difficulty": dict(zip(names, difficulty, strict=True)),
        "slope": dict(zip(names, slope, strict=True)),
        "ceiling": dict(zip(names, ceiling, strict=True)),
        "capability": dict(zip(model_names, theta, strict=True)),
    }
    return SimulatedData(data=data, truth=truth, _frontier=frontiers)
