r"""Synthetic score tables with a known truth: the gap model's own world, worlds it did not
generate, and semi-synthetic worlds on a real evaluation pattern.

:func:`simulate` draws a :class:`~irtgap.ScoreData` from the model of
:mod:`irtgap.methods.bayes.model`: frontiers chosen so that the backward gap follows a given
trajectory, models below their side's frontier by an exponential shortfall, benchmarks with
difficulties, slopes, guessing floors, ceilings and a release date, a sparse evaluation pattern,
Beta-distributed scores (as fractions of the ceiling, as the model reads them), and optional
provider degradation and public-benchmark contamination. Its other options each break one
assumption of that model (with their defaults the world is the model's own, draw for draw):

- ``frontier_curvature`` / ``frontier_shape``: a curved (quadratic or S-shaped) closed frontier;
- ``shortfall_dist="gamma"``: Gamma instead of exponential shortfalls below the frontier;
- ``eval_spread`` / ``fame_effect``: models evaluated on more benchmarks sit nearer the frontier;
- ``interaction_df``: heavy-tailed (Student-t) model x benchmark interactions;
- ``noise="binomial"``: scores are the share of ``n_items`` items passed;
- ``contamination_growth``: a public-benchmark advantage that grows with the release date;
- ``self_report_share`` / ``self_report_inflation``: a share of scores inflated, as
  self-reported scores can be.

:func:`semi_synthetic` keeps the real evaluation pattern of a :class:`~irtgap.ScoreData` (which
model was scored on which benchmark, the models' dates, sides, providers and groups, the
benchmarks' floors, ceilings and access) and replaces every score by a draw from a known truth.
The true gap comes back beside the data (:meth:`SimulatedData.true_gap`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from scipy.special import logit

from irtgap.core import dims as D
from irtgap.core.dates import check_date
from irtgap.core.errors import ScoreDataError
from irtgap.core.gaps import Direction, date_grid, time_shift_gap, to_days
from irtgap.core.measurement import mean_score, resolution_limits
from irtgap.core.options import check_choice, check_count, check_number
from irtgap.data.datasets import load_dataset
from irtgap.data.scoredata import ScoreData

GapSpec = float | Callable[[np.ndarray], np.ndarray]
ShortfallDist = Literal["exgaussian", "gamma"]
Noise = Literal["beta", "binomial"]
FrontierShape = Literal["quadratic", "s_curve"]

#: Years before the first release date from which :meth:`SimulatedData.true_gap` follows the
#: frontiers (an open frontier at the start may equal the closed one of years before).
_LOOKBACK_YEARS = 3


@dataclass(frozen=True)
class SimulatedData:
    """A synthetic :class:`~irtgap.ScoreData` and the truth it was drawn from.

    Attributes
    ----------
    data : ScoreData
    truth : dict
        The parameters the world was drawn with (every option of :func:`simulate` or
        :func:`semi_synthetic` that shapes it) and the drawn truth: ``origin`` (time 0 of the
        frontiers), ``start`` and ``end`` (first and last release date), per benchmark
        ``difficulty``, ``slope``, ``floor``, ``ceiling``, ``public`` (and ``n_items`` under
        binomial noise), per model ``capability`` (:math:`\\theta`), ``shortfall`` (capability
        units below the side's frontier at the release date) and ``eval_count`` (benchmarks
        scored). :func:`simulate` adds ``interaction`` (the model x benchmark interactions on the
        logit scale, a model x benchmark table, or None) and ``self_reported`` (the ``model``,
        ``benchmark`` rows of the data whose score was inflated; ScoreData has no column for a
        score's source). See each function for the rest.
    """

    data: ScoreData
    truth: dict[str, Any] = field(default_factory=dict)
    _frontier: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]] | None = None

    def frontier(self, dates: Any) -> pd.DataFrame:
        """True frontiers (closed, open) at ``dates``, in capability units."""
        assert self._frontier is not None
        dates = pd.DatetimeIndex(dates)
        c, o = self._frontier(_years(dates, self.truth["origin"]))
        return pd.DataFrame({D.CLOSED: c, D.OPEN: o}, index=pd.Index(dates, name=D.DATE))

    def true_gap(self, dates: Any, *, direction: Direction = "backward") -> pd.Series:
        """The true gap in months at ``dates`` (same definition as the estimators use).

        Computed numerically from the two frontiers on a daily grid from three years before the
        first release date to the last of ``dates`` (three years past it for the forward gap)
        with :func:`irtgap.core.gaps.time_shift_gap`, so it holds for any frontier shape and
        either ``direction``.

        Raises
        ------
        ValueError
            The closed frontier is not strictly increasing on that grid, or (forward gap) the
            open one decreases on it: the time shift is not defined there.
        """
        assert self._frontier is not None
        dates = pd.DatetimeIndex(dates)
        start = self.truth["start"] - pd.DateOffset(years=_LOOKBACK_YEARS)
        # the forward gap looks ahead: how long until the open frontier reaches today's closed one
        stop = dates.max() + pd.DateOffset(years=_LOOKBACK_YEARS if direction == "forward" else 0)
        fine = date_grid(start, stop, step_days=1)
        fine = fine.union(dates)
        c, o = self._frontier(_years(fine, self.truth["origin"]))
        _check_closed(c, fine[0].date(), fine[-1].date())
        if direction == "forward":  # the time until the open frontier reaches a level
            _check_open(o, fine[0].date(), fine[-1].date())
        gap = time_shift_gap(to_days(fine), o, c, direction=direction)
        return pd.Series(gap, index=fine, name="true_gap_months").loc[dates]


def _years(dates: pd.DatetimeIndex, origin: pd.Timestamp) -> np.ndarray:
    return (to_days(dates) - to_days([origin])[0]) / 365.25


def _check_closed(closed: np.ndarray, lo: Any, hi: Any) -> None:
    """Raise unless the closed frontier is finite and strictly increasing from ``lo`` to ``hi``."""
    if not np.isfinite(closed).all() or (np.diff(closed) <= 0).any():
        raise ValueError(
            f"the closed frontier is not strictly increasing between {lo} and {hi} (check "
            "frontier_curvature and growth_per_year): the gap in months is not defined"
        )


def _check_open(opened: np.ndarray, lo: Any, hi: Any) -> None:
    """Raise unless the open frontier is finite and never decreases from ``lo`` to ``hi``."""
    drop = np.diff(opened) < -1e-12 * np.maximum(1.0, np.abs(opened[1:]))
    if not np.isfinite(opened).all() or drop.any():
        raise ValueError(
            f"the open frontier decreases between {lo} and {hi}: gap_months may not grow by a "
            "month per month or faster, and the closed frontier must increase where the open "
            "one follows it"
        )


def _gap_function(gap_months: GapSpec) -> Callable[[np.ndarray], np.ndarray]:
    def gap_fn(t: np.ndarray) -> np.ndarray:
        if callable(gap_months):
            return np.asarray(gap_months(np.asarray(t, float)), float)
        return np.full(np.shape(t), float(gap_months))

    return gap_fn


def _closed_frontier(
    growth: float, curvature: float, shape: FrontierShape
) -> Callable[[np.ndarray], np.ndarray]:
    r""":math:`F_c(t)`: linear, quadratic :math:`g t + c t^2`, or S-shaped
    :math:`(g / c)\tanh(c t)`."""
    if curvature == 0:
        return lambda t: growth * np.asarray(t, float)
    if shape == "quadratic":
        return lambda t: growth * np.asarray(t, float) + curvature * np.asarray(t, float) ** 2
    return lambda t: growth / curvature * np.tanh(curvature * np.asarray(t, float))


def _frontiers(
    closed_fn: Callable[[np.ndarray], np.ndarray], gap_fn: Callable[[np.ndarray], np.ndarray]
) -> Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]:
    r""":math:`(F_c(t), F_o(t) = F_c(t - \text{gap}(t) / 12))`."""

    def frontiers(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        t = np.asarray(t, float)
        return closed_fn(t), closed_fn(t - gap_fn(t) / 12.0)

    return frontiers


def _check_world(
    frontiers: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]],
    origin: pd.Timestamp,
    start: pd.Timestamp,
    end: pd.Timestamp,
) -> None:
    """The closed frontier increases from the look-back start of the true gap to a year past the
    end (where :meth:`SimulatedData.true_gap` needs it), the open one over the models' years."""
    lo = start - pd.DateOffset(years=_LOOKBACK_YEARS)
    hi = end + pd.DateOffset(years=1)
    t_lo, t_start, t_hi = _years(pd.DatetimeIndex([lo, start, hi]), origin)
    c, _ = frontiers(np.linspace(float(t_lo), float(t_hi), 4001))
    _check_closed(np.asarray(c, float), lo.date(), hi.date())
    _, o = frontiers(np.linspace(float(t_start), float(t_hi), 4001))
    _check_open(np.asarray(o, float), start.date(), hi.date())


def _check_shortfall(dist: str, gamma_shape: float) -> float:
    check_choice("shortfall_dist", dist, ("exgaussian", "gamma"))
    return check_number("gamma_shape", gamma_shape, above=0)


def _draw_shortfall(
    rng: np.random.Generator, n: int, dist: str, gamma_shape: float, softness: float
) -> np.ndarray:
    r""":math:`v = E + \tau Z` with :math:`E \sim \operatorname{Exp}(1)` (``exgaussian``) or
    :math:`E \sim \operatorname{Gamma}(k, 1/k)` (``gamma``; mean 1 like the exponential, variance
    :math:`1/k`), :math:`Z \sim \mathcal N(0, 1)`, :math:`\tau` the softness."""
    if dist == "exgaussian":
        return rng.exponential(1.0, size=n) + softness * rng.normal(size=n)
    return rng.gamma(gamma_shape, 1.0 / gamma_shape, size=n) + softness * rng.normal(size=n)


def _items(noise: str, precision: float, n_items: int | Sequence[int], n_bench: int) -> np.ndarray:
    """Check the noise options; items per benchmark (``n_items`` cycled) for binomial noise."""
    check_choice("noise", noise, ("beta", "binomial"))
    check_number("precision", precision, above=0)
    seq = [n_items] if np.ndim(n_items) == 0 else list(n_items)  # type: ignore[arg-type]
    if not seq:
        raise ScoreDataError("n_items=(): give a whole number of items, or one per benchmark")
    items = [check_count("n_items", v) for v in seq]
    return np.array([items[k % len(items)] for k in range(n_bench)], dtype=np.int64)


def _draw_fraction(
    rng: np.random.Generator, mu: float, noise: str, precision: float, items: int
) -> float:
    r"""One score as a fraction of the ceiling: :math:`\operatorname{Beta}(\mu\phi, (1-\mu)\phi)`
    or :math:`\operatorname{Binomial}(n, \mu) / n`."""
    if noise == "beta":
        return float(rng.beta(mu * precision, (1 - mu) * precision))
    return float(rng.binomial(items, mu) / items)


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
    frontier_curvature: float = 0.0,
    frontier_shape: FrontierShape = "quadratic",
    shortfall_scale: float = 1.0,
    frontier_softness: float = 0.4,
    shortfall_dist: ShortfallDist = "exgaussian",
    gamma_shape: float = 3.0,
    eval_spread: float = 0.0,
    fame_effect: float = 0.0,
    public_share: float = 0.5,
    public_advantage: float = 0.0,
    contamination_growth: float = 0.0,
    provider_degradation: float = 0.0,
    hosted_share: float = 0.3,
    interaction_df: float | None = None,
    interaction_scale: float = 0.3,
    noise: Noise = "beta",
    precision: float = 40.0,
    n_items: int | Sequence[int] = 100,
    self_report_share: float = 0.0,
    self_report_inflation: float = 0.0,
    floors: tuple[float, ...] = (0.0, 0.0, 0.25),
    ceilings: tuple[float, ...] = (1.0,),
    benchmark_lifetimes: bool = True,
    domain_gaps: Mapping[str, float] | None = None,
    seed: int | np.random.Generator = 0,
) -> SimulatedData:
    r"""Draw a synthetic ScoreData with a known gap.

    With every option at its default the world is the Bayesian model's own generative story
    (and the draws for a given seed are those of earlier versions). The options marked
    *(breaks the model)* draw worlds that model did not generate.

    Parameters
    ----------
    gap_months : float or callable
        The true backward gap: a constant, or a function of time in years since 2024-01-01
        returning months. The open frontier is :math:`F_o(t) = F_c(t - \text{gap}(t)/12)`, so
        the backward gap is :math:`\text{gap}(t)` whatever the shape of :math:`F_c`. The gap
        must change by less than a month per month (so that the open frontier never
        decreases); a ValueError says so otherwise.
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
    growth_per_year : float
        :math:`g`: the closed frontier's slope at 2024-01-01 (capability units per year).
    frontier_curvature : float
        :math:`c` *(breaks the model's piecewise-linear frontier when not 0)*. With
        ``frontier_shape="quadratic"`` the closed frontier is :math:`F_c(t) = g t + c t^2`
        (:math:`c` in units per year squared; positive: accelerating); with ``"s_curve"`` it is
        :math:`F_c(t) = (g / c)\tanh(c t)` (:math:`c > 0` per year: slope :math:`g` at 2024,
        flattening towards :math:`\pm g / c` on both sides). 0 (default): :math:`F_c(t) = g t`.
        The closed frontier must increase strictly from three years before ``start`` to a year
        after ``end`` (a ValueError names this option otherwise).
    frontier_shape : {"quadratic", "s_curve"}
        See ``frontier_curvature``.
    shortfall_scale : float
        Scale :math:`s` of the shortfall below the frontier (capability units).
    frontier_softness : float
        :math:`\tau`: the shortfall is :math:`s\,(E + \tau Z)` with :math:`E \sim
        \operatorname{Exp}(1)`, :math:`Z \sim \mathcal N(0, 1)`, as in the model (0: a hard
        edge, every model at or below its frontier).
    shortfall_dist : {"exgaussian", "gamma"}
        ``"gamma"`` *(breaks the model)*: :math:`E \sim \operatorname{Gamma}(k, 1/k)` (shape
        :math:`k` = ``gamma_shape``, mean 1 like the exponential, variance :math:`1/k`): for
        :math:`k > 1` few models sit right at the frontier, the density of :math:`E` being 0
        there.
    gamma_shape : float
        :math:`k` of ``shortfall_dist="gamma"`` (3 by default; 1 is the exponential).
    eval_spread : float
        :math:`\sigma_\pi`: each model's evaluation probability is multiplied by
        :math:`\pi_m = \exp(\sigma_\pi Z_m - \sigma_\pi^2/2)` (mean 1), so some models are
        scored far more often than others. 0 (default): every model of a side alike.
    fame_effect : float
        :math:`\beta` *(breaks the model when not 0)*: shortfalls shrink with the number of
        benchmarks a model is scored on. The evaluation pattern is drawn first, then model
        :math:`m`, scored on :math:`n_m` benchmarks, gets the shortfall :math:`s\,(n_m /
        \bar n)^{-\beta} (E_m + \tau Z_m)`, :math:`\bar n` the geometric mean of :math:`n_m`
        over the models (a model scored twice as often as the typical one sits :math:`2^{-\beta}`
        times as far below the frontier). The benchmarks' difficulties are spread over the
        capabilities before this rescaling.
    public_share : float
        Share of the benchmarks that are public.
    public_advantage : float
        :math:`\gamma_0`: open models score this much higher (capability units) on public
        benchmarks (contamination / hill-climbing).
    contamination_growth : float
        :math:`\gamma_1` *(breaks the model's constant advantage when not 0)*: the advantage of an
        open model released at :math:`t_m` is :math:`\gamma_0 + \gamma_1 (t_m - t_{\text{start}})`
        (units per year since ``start``).
    provider_degradation : float
        Penalty (capability units) on scores of a third-party-hosted copy of an open model; a
        ``hosted_share`` of open models get a hosted copy ``host/<name>`` scored on the private
        benchmarks.
    interaction_df : float, optional
        :math:`\nu` *(breaks the model)*: every (model, benchmark) pair gets an interaction
        :math:`u_{mb} = \sigma_u T_{mb}`, :math:`T_{mb} \sim t_\nu`, added to the logit
        :math:`\eta` (the effective capability gains :math:`u_{mb} / \alpha_b`); a hosted copy
        shares its model's. None (default): no interactions.
    interaction_scale : float
        :math:`\sigma_u` (logits).
    noise : {"beta", "binomial"}
        ``"beta"``: the score as a fraction of the ceiling is :math:`z \sim \operatorname{Beta}
        (\mu\phi, (1-\mu)\phi)` (as in the model). ``"binomial"`` *(breaks the model)*:
        :math:`z = \operatorname{Binomial}(n_b, \mu) / n_b`, the share of :math:`n_b` items passed
        (variance :math:`\mu(1-\mu)/n_b`, a Beta with :math:`\phi = n_b - 1` in variance, but
        discrete, with exact 0 and 1).
    precision : float
        :math:`\phi`: Beta precision of scores (higher is less noisy).
    n_items : int or sequence of int
        :math:`n_b` under binomial noise, cycled over the benchmarks.
    self_report_share, self_report_inflation : float
        *(break the model when both non-zero)* Each first-party score is self-reported with
        probability ``self_report_share`` and then drawn with the capability raised by
        ``self_report_inflation`` units. The flagged rows are ``truth["self_reported"]``.
    floors, ceilings : tuple of float
        Random-guess floors :math:`c_b` and ceilings :math:`\kappa_b` (highest attainable
        score), cycled over the benchmarks; each floor must lie below its ceiling. A score is
        :math:`y = \kappa_b z` with :math:`z \sim \operatorname{Beta}(\mu\phi, (1-\mu)\phi)`,
        :math:`\mu = c_b/\kappa_b + (1 - c_b/\kappa_b)\operatorname{logistic}(\eta)`: the
        measurement of :mod:`irtgap.methods.bayes.model`, with :math:`\eta =
        \alpha_b(\theta_m + \gamma[\text{open, public}] - \delta[\text{hosted}]
        + \text{inflation}[\text{self-reported}] - D_b) + u_{mb}`.
    benchmark_lifetimes : bool
        Release benchmarks through the period (harder ones later) rather than all before it.
    domain_gaps : mapping of str to float, optional
        A true gap in months per domain (e.g. ``{"math": 2, "coding-agents": 8}``): the
        benchmarks are dealt to the domains in turn (in order of difficulty, so each domain
        spans the range) and on a domain-:math:`d` benchmark an open model released at
        :math:`t_m` has the capability :math:`\theta_m + F_c(t_m - g_d/12) -
        F_c(t_m - \text{gap}(t_m)/12)`: that domain's open frontier trails the closed one by
        :math:`g_d` months (a constant offset when the closed frontier is a straight line, as
        the model's ``open_offsets`` assume). The metadata get a ``domain`` column;
        ``truth["domain_gaps"]`` and ``truth["domain"]`` (per benchmark) record it. None
        (default): no domains, and the draws of earlier versions.
    seed : int or numpy.random.Generator

    Returns
    -------
    SimulatedData
        ``truth`` records every option above, per benchmark ``difficulty``, ``slope``,
        ``floor``, ``ceiling``, ``public``, ``n_items`` (binomial noise only) and
        ``release`` (date), per model ``capability``, ``shortfall``, ``eval_count`` (first-party
        benchmarks scored) and ``eval_propensity`` (:math:`\pi_m`), ``interaction`` (a model x
        benchmark table of :math:`u_{mb}`, or None) and ``self_reported`` (rows of the data).

    Raises
    ------
    ValueError
        An option out of range (named), or frontiers that are not monotone.
    """
    rng = np.random.default_rng(seed)
    origin = pd.Timestamp("2024-01-01")
    t0, t1 = _years(pd.DatetimeIndex([start, end]), origin)
    check_choice("frontier_shape", frontier_shape, ("quadratic", "s_curve"))
    check_number("frontier_curvature", frontier_curvature)
    if frontier_shape == "s_curve" and frontier_curvature < 0:
        raise ValueError(
            f"frontier_curvature={frontier_curvature!r}: an S-curve needs a curvature above 0"
        )
    _check_shortfall(shortfall_dist, gamma_shape)
    check_number("eval_spread", eval_spread, minimum=0)
    check_number("fame_effect", fame_effect)
    check_number("contamination_growth", contamination_growth)
    check_number("self_report_share", self_report_share, minimum=0, maximum=1)
    check_number("self_report_inflation", self_report_inflation)
    if interaction_df is not None:
        check_number("interaction_df", interaction_df, above=0)
        check_number("interaction_scale", interaction_scale, minimum=0)
    items = _items(noise, precision, n_items, n_benchmarks)

    gap_fn = _gap_function(gap_months)
    frontiers = _frontiers(
        _closed_frontier(growth_per_year, frontier_curvature, frontier_shape), gap_fn
    )
    _check_world(frontiers, origin, pd.Timestamp(start), pd.Timestamp(end))

    n = n_closed + n_open
    side = np.array([D.CLOSED] * n_closed + [D.OPEN] * n_open)
    t_m = rng.uniform(t0, t1, size=n)
    fc, fo = frontiers(t_m)
    f_m = np.where(side == D.OPEN, fo, fc)
    shortfall = _draw_shortfall(rng, n, shortfall_dist, gamma_shape, frontier_softness)
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
    propensity = np.ones(n)
    if eval_spread > 0:
        propensity = np.exp(eval_spread * rng.normal(size=n) - eval_spread**2 / 2)
        p = p * propensity
    p = np.clip(p, 0, 1)
    exists = t_m[:, None] >= rel[None, :] - 1.0
    scored = (rng.uniform(size=(n, n_benchmarks)) < p[:, None]) & exists
    # every model scored at least once, every benchmark by at least three models
    for i in np.flatnonzero(~scored.any(1)):
        scored[i, rng.choice(np.flatnonzero(exists[i]) if exists[i].any() else n_benchmarks)] = True
    for k in np.flatnonzero(scored.sum(0) < 3):
        scored[rng.choice(n, 3, replace=False), k] = True
    eval_count = scored.sum(1)
    if fame_effect != 0:
        # the evaluation pattern first, then the shortfall it implies
        typical = np.exp(np.log(eval_count).mean())
        theta = f_m - shortfall_scale * (eval_count / typical) ** (-fame_effect) * shortfall

    # the open models' domain offsets (capability units) per model and benchmark
    bench_domain, domain_offset = _domain_offsets(
        domain_gaps, n_benchmarks, t_m, gap_fn, growth_per_year, frontier_curvature, frontier_shape
    )
    # the public-benchmark advantage of each model if it is open
    advantage = np.full(n, float(public_advantage))
    if contamination_growth != 0:
        advantage = public_advantage + contamination_growth * (t_m - t0)
    interaction = None
    if interaction_df is not None:
        interaction = interaction_scale * rng.standard_t(interaction_df, size=(n, n_benchmarks))
    flagged = np.zeros((n, n_benchmarks), dtype=bool)
    if self_report_share > 0:
        flagged = rng.uniform(size=(n, n_benchmarks)) < self_report_share

    rows: list[dict[str, Any]] = []

    def score(i: int, k: int, penalty: float, inflate: bool = False) -> float:
        eff = theta[i] + (advantage[i] if side[i] == D.OPEN and public[k] else 0.0) - penalty
        if side[i] == D.OPEN:
            eff += domain_offset[i, k]
        if interaction is not None:
            eff += interaction[i, k] / slope[k]
        if inflate:
            eff += self_report_inflation
        f = floor[k] / ceiling[k]  # the floor as a fraction of the ceiling
        mu = float(mean_score(eff, difficulty=difficulty[k], slope=slope[k], floor=f))
        return float(ceiling[k] * _draw_fraction(rng, mu, noise, precision, int(items[k])))

    dates = origin + pd.to_timedelta(np.round(t_m * 365.25), unit="D")
    for i, k in zip(*np.nonzero(scored), strict=True):
        rows.append(
            {
                "model": model_names[i],
                "benchmark": names[k],
                "score": score(int(i), int(k), 0.0, bool(flagged[i, k])),
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
    if bench_domain is not None:
        meta["domain"] = bench_domain
    if noise == "binomial":
        meta["n_items"] = items  # the world's item counts, as a benchmark's documentation gives
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
    mi, ki = np.nonzero(scored & flagged)
    self_reported = pd.DataFrame(
        {
            D.MODEL: pd.Series([model_names[i] for i in mi], dtype="string"),
            D.BENCHMARK: pd.Series([names[k] for k in ki], dtype="string"),
        }
    )
    kept = pd.MultiIndex.from_frame(data.scores[[D.MODEL, D.BENCHMARK]])
    self_reported = self_reported[pd.MultiIndex.from_frame(self_reported).isin(kept)].reset_index(
        drop=True
    )
    truth = {
        "growth_per_year": growth_per_year,
        "frontier_curvature": frontier_curvature,
        "frontier_shape": frontier_shape,
        "public_advantage": public_advantage,
        "contamination_growth": contamination_growth,
        "provider_degradation": provider_degradation,
        "shortfall_scale": shortfall_scale,
        "frontier_softness": frontier_softness,
        "shortfall_dist": shortfall_dist,
        "gamma_shape": gamma_shape if shortfall_dist == "gamma" else None,
        "eval_spread": eval_spread,
        "fame_effect": fame_effect,
        "interaction_df": interaction_df,
        "interaction_scale": interaction_scale if interaction_df is not None else 0.0,
        "noise": noise,
        "precision": precision if noise == "beta" else None,
        "self_report_share": self_report_share,
        "self_report_inflation": self_report_inflation,
        "origin": origin,
        "start": pd.Timestamp(start),
        "end": pd.Timestamp(end),
        "difficulty": dict(zip(names, difficulty, strict=True)),
        "slope": dict(zip(names, slope, strict=True)),
        "floor": dict(zip(names, floor, strict=True)),
        "ceiling": dict(zip(names, ceiling, strict=True)),
        "public": dict(zip(names, public, strict=True)),
        "release": dict(zip(names, meta["release_date"], strict=True)),
        "n_items": dict(zip(names, items.tolist(), strict=True)) if noise == "binomial" else None,
        "capability": dict(zip(model_names, theta, strict=True)),
        "shortfall": dict(zip(model_names, f_m - theta, strict=True)),
        "eval_count": dict(zip(model_names, eval_count.tolist(), strict=True)),
        "eval_propensity": dict(zip(model_names, propensity, strict=True)),
        "interaction": (
            None
            if interaction is None
            else pd.DataFrame(
                interaction,
                index=pd.Index(model_names, name=D.MODEL),
                columns=pd.Index(names, name=D.BENCHMARK),
            )
        ),
        "self_reported": self_reported,
        "domain_gaps": None if domain_gaps is None else dict(domain_gaps),
        "domain": None if bench_domain is None else dict(zip(names, bench_domain, strict=True)),
    }
    return SimulatedData(data=data, truth=truth, _frontier=frontiers)


def _domain_offsets(
    domain_gaps: Mapping[str, float] | None,
    n_benchmarks: int,
    t_m: np.ndarray,
    gap_fn: Callable[[np.ndarray], np.ndarray],
    growth: float,
    curvature: float,
    shape: FrontierShape,
) -> tuple[np.ndarray | None, np.ndarray]:
    """Each benchmark's domain (dealt in turn; None without ``domain_gaps``) and the open
    capability offset per (model, benchmark) that puts domain d's open frontier ``g_d`` months
    behind the closed one (see :func:`simulate`)."""
    offset = np.zeros((len(t_m), n_benchmarks))
    if domain_gaps is None:
        return None, offset
    if not isinstance(domain_gaps, Mapping) or not domain_gaps:
        raise ValueError(
            f"domain_gaps={domain_gaps!r}: give a mapping of domain name to gap in months, "
            "e.g. {'math': 2.0, 'coding-agents': 8.0}"
        )
    names = [str(d) for d in domain_gaps]
    gaps = np.array([check_number(f"domain_gaps[{d!r}]", v) for d, v in domain_gaps.items()])
    if len(names) > n_benchmarks:
        raise ValueError(
            f"domain_gaps has {len(names)} domains for n_benchmarks={n_benchmarks}: give at "
            "least one benchmark per domain"
        )
    which = np.arange(n_benchmarks) % len(names)
    closed_fn = _closed_frontier(growth, curvature, shape)
    shared = closed_fn(t_m - gap_fn(t_m) / 12.0)
    per_domain = closed_fn(t_m[:, None] - gaps[None, :] / 12.0) - shared[:, None]
    offset = per_domain[:, which]
    return np.array(names, dtype=object)[which], offset


def modelled_pattern(
    data: ScoreData,
    *,
    since: str | pd.Timestamp | None = "2022-01-01",
    min_models_per_benchmark: int = 5,
    min_uncensored_per_benchmark: int = 3,
) -> tuple[pd.DataFrame, dict[str, int]]:
    """The rows of ``data`` the Bayesian gap model would keep, and counts of the others.

    The filters of :func:`irtgap.methods.bayes.design.make_design`, in its order: scores on
    fraction-scale benchmarks only; models released on or after ``since``; benchmarks scored by
    at least ``min_models_per_benchmark`` models; benchmarks with at least
    ``min_uncensored_per_benchmark`` scores strictly inside their resolution limits
    (:func:`irtgap.core.measurement.resolution_limits`: 0.005 of the ceiling unless
    ``n_items`` is given). Returns the kept rows (``access`` joined) and the number of
    rows left out for each reason (the keys of ``make_design``'s ``dropped``).
    """
    t = data.with_access()
    meta = data.benchmarks
    dropped: dict[str, int] = {}

    def drop(mask: pd.Series, reason: str) -> pd.DataFrame:
        if mask.any():
            dropped[reason] = int(mask.sum())
        return t[~mask]

    t = drop(~t[D.BENCHMARK].isin(meta.index[meta["scale"] == "fraction"]), "non_fraction_rows")
    if since is not None:
        t = drop(t[D.DATE] < check_date("since", since), "rows_before_since")
    counts = t.groupby(D.BENCHMARK)[D.MODEL].nunique()
    thin = counts.index[counts < min_models_per_benchmark]
    t = drop(t[D.BENCHMARK].isin(thin), "rows_on_thin_benchmarks")
    frac = t[D.SCORE] / meta["ceiling"].reindex(t[D.BENCHMARK]).to_numpy(float)
    used = meta.loc[sorted(t[D.BENCHMARK].unique())]
    eps = pd.Series(resolution_limits(used), index=used.index).reindex(t[D.BENCHMARK]).to_numpy()
    inside = ((frac > eps) & (frac < 1 - eps)).groupby(t[D.BENCHMARK]).sum()
    flat = inside.index[inside < min_uncensored_per_benchmark]
    t = drop(t[D.BENCHMARK].isin(flat), "rows_on_censored_benchmarks")
    if t.empty or t[D.WEIGHTS].nunique() < 2:
        raise ScoreDataError(
            "no open or no closed model is left after the Bayesian model's filters "
            f"(since={since!r}, min_models_per_benchmark={min_models_per_benchmark})"
        )
    return t.reset_index(drop=True), dropped


def _match_difficulty(effect: np.ndarray, target: float, slope: float, floor: float) -> float:
    """The difficulty :math:`d` at which the mean of ``mean_score(effect; d)`` is ``target``."""

    def excess(d: float) -> float:
        mu = mean_score(effect, difficulty=d, slope=slope, floor=floor)
        return float(np.mean(mu)) - target

    span = 40.0 / slope
    return float(brentq(excess, effect.min() - span, effect.max() + span, xtol=1e-10))


def semi_synthetic(
    data: ScoreData | None = None,
    *,
    gap_months: GapSpec = 6.0,
    growth_per_year: float = 1.0,
    shortfall_scale: float = 1.0,
    frontier_softness: float = 0.4,
    shortfall_dist: ShortfallDist = "exgaussian",
    gamma_shape: float = 3.0,
    noise: Noise = "beta",
    precision: float = 30.0,
    n_items: int | Sequence[int] = 100,
    public_advantage: float = 0.0,
    provider_degradation: float = 0.0,
    hosted_base: Callable[[pd.DataFrame], pd.Series] | None = None,
    since: str | pd.Timestamp | None = "2022-01-01",
    min_models_per_benchmark: int = 5,
    min_uncensored_per_benchmark: int = 3,
    seed: int | np.random.Generator = 0,
) -> SimulatedData:
    r"""A world with a known gap on the real evaluation pattern of ``data``.

    The rows the Bayesian gap model would use (:func:`modelled_pattern`: fraction-scale
    benchmarks, models released since ``since``, benchmarks with enough models and enough
    uncensored scores) keep everything but their score: model, benchmark, release date, side,
    provider, model group, and the benchmarks' floors, ceilings and access. Every score is
    replaced by a draw from this truth (times in years since 2024-01-01):

    - closed frontier :math:`F_c(t) = g t` (``growth_per_year`` :math:`g`, one capability unit a
      year by default, the pace of the Bayesian model's fit to the bundled data in its anchor
      benchmark's logits, roughly), open frontier :math:`F_o(t) = F_c(t - \text{gap}(t)/12)`;
    - model version :math:`m` (or the version it is hosted from, see ``hosted_base``) has
      :math:`\theta_m = F_{g_m}(t_m) - s\,v_m`, :math:`v_m` as in :func:`simulate`
      (``shortfall_dist``: :math:`\operatorname{Exp}(1)` or :math:`\operatorname{Gamma}(k,
      1/k)`, plus :math:`\tau \mathcal N(0, 1)`);
    - effective capability of a row: :math:`\theta_m + \gamma[\text{open, public}] -
      \delta[\text{third-party host}]` (``public_advantage``, ``provider_degradation``;
      benchmarks of unknown access count as private, as in the model);
    - benchmark :math:`b`'s slope matches the spread of its real scores: :math:`\alpha_b =
      \operatorname{sd}_i(\operatorname{logit} a_i) / \operatorname{sd}_i(\theta^{\text{eff}}_i)`
      over its rows, :math:`a_i = (y_i/\kappa_b - f_b)/(1 - f_b)` the real above-floor share
      clipped to [0.02, 0.98], the ratio clipped to [0.2, 5] (1 when either sd is 0);
      its difficulty :math:`D_b` then solves :math:`\frac{1}{n_b}\sum_i \mu_i(D_b) = \bar
      z_b`, the mean real score as a fraction of the ceiling (clipped into
      :math:`[f_b + 0.01(1 - f_b), 0.99]`), so each benchmark's synthetic scores centre and
      spread like its real ones;
    - :math:`\mu_i = f_b + (1 - f_b)\operatorname{logistic}(\alpha_b(\theta^{\text{eff}}_i -
      D_b))` with the real floor :math:`f_b = c_b/\kappa_b`; the score is :math:`y_i = \kappa_b
      z_i` with :math:`z_i \sim \operatorname{Beta}(\mu_i\phi, (1 - \mu_i)\phi)` (``precision``
      :math:`\phi`, 30 by default, about the median the model fits on the bundled data) or
      :math:`z_i = \operatorname{Binomial}(n_b, \mu_i)/n_b` (``noise="binomial"``).

    Parameters
    ----------
    data : ScoreData, optional
        The real pattern (default: :func:`irtgap.load_dataset`, Epoch AI's Benchmarking Hub,
        CC-BY 4.0). It is not modified.
    gap_months : float or callable
        The true backward gap (see :func:`simulate`).
    growth_per_year, shortfall_scale, frontier_softness, shortfall_dist, gamma_shape : float
        See above and :func:`simulate`.
    noise, precision, n_items
        See :func:`simulate` (``n_items`` cycled over the benchmarks in name order).
    public_advantage, provider_degradation : float
        :math:`\gamma` and :math:`\delta` (capability units; 0 by default).
    hosted_base : callable, optional
        Maps the models table (:attr:`ScoreData.models` of the kept rows) to a Series giving,
        for each version, the version whose capability it shares. Pass
        :func:`irtgap.methods.bayes.design.match_hosted_versions` to draw the world the Bayesian
        model assumes (a hosted copy has its first-party version's capability). None: every
        version its own capability.
    since, min_models_per_benchmark, min_uncensored_per_benchmark
        The Bayesian model's filters (:func:`modelled_pattern`); keep them equal to the
        ``GapModel`` settings the world is meant for.
    seed : int or numpy.random.Generator

    Returns
    -------
    SimulatedData
        ``truth`` has the options above, ``dropped`` (rows of ``data`` left out, by reason),
        per benchmark ``difficulty``, ``slope``, ``floor``, ``ceiling``, ``public``,
        ``real_mean_score`` (the matched mean fraction), ``n_items`` (binomial noise only), per
        model version ``capability``, ``shortfall``, ``base`` and ``eval_count``.
    """
    if data is None:
        data = load_dataset()
    if not isinstance(data, ScoreData):
        raise ScoreDataError(f"data: expected a ScoreData, got {type(data).__name__}")
    rng = np.random.default_rng(seed)
    check_number("growth_per_year", growth_per_year, above=0)
    check_number("shortfall_scale", shortfall_scale, minimum=0)
    check_number("frontier_softness", frontier_softness, minimum=0)
    _check_shortfall(shortfall_dist, gamma_shape)
    check_number("public_advantage", public_advantage)
    check_number("provider_degradation", provider_degradation)
    min_models_per_benchmark = check_count("min_models_per_benchmark", min_models_per_benchmark)
    min_uncensored_per_benchmark = check_count(
        "min_uncensored_per_benchmark", min_uncensored_per_benchmark
    )
    rows, dropped = modelled_pattern(
        data,
        since=since,
        min_models_per_benchmark=min_models_per_benchmark,
        min_uncensored_per_benchmark=min_uncensored_per_benchmark,
    )
    meta = data.benchmarks.loc[sorted(rows[D.BENCHMARK].unique())].copy()
    names = list(meta.index)
    items = _items(noise, precision, n_items, len(names))

    origin = pd.Timestamp("2024-01-01")
    start, end = pd.Timestamp(rows[D.DATE].min()), pd.Timestamp(rows[D.DATE].max())
    frontiers = _frontiers(
        _closed_frontier(growth_per_year, 0.0, "quadratic"), _gap_function(gap_months)
    )
    _check_world(frontiers, origin, start, end)

    # capability units: each version, or the version it is hosted from
    models = rows.drop_duplicates(D.MODEL).set_index(D.MODEL)
    models = models[[D.DATE, D.WEIGHTS, D.PROVIDER, D.MODEL_GROUP]]
    base = pd.Series(models.index, index=models.index, name="base")
    if hosted_base is not None:
        base = pd.Series(hosted_base(models.copy()), name="base").reindex(models.index)
        unknown = ~base.isin(models.index)
        if unknown.any():
            raise ScoreDataError(
                f"hosted_base maps {int(unknown.sum())} version(s) to no modelled version, "
                f"e.g. {list(base.index[unknown][:3])}"
            )
    units = pd.Index(pd.unique(base.to_numpy()))
    t_u = _years(pd.DatetimeIndex(models.loc[units, D.DATE]), origin)
    fc, fo = frontiers(t_u)
    frontier_u = np.where(models.loc[units, D.WEIGHTS].to_numpy() == D.OPEN, fo, fc)
    v = _draw_shortfall(rng, len(units), shortfall_dist, gamma_shape, frontier_softness)
    theta_u = frontier_u - shortfall_scale * v
    theta = pd.Series(theta_u, index=units).reindex(base.to_numpy()).to_numpy()
    theta_m = pd.Series(theta, index=models.index)

    is_open = (rows[D.WEIGHTS] == D.OPEN).to_numpy()
    public = (rows[D.ACCESS] == "public").to_numpy(dtype=bool, na_value=False)
    hosted = (rows[D.PROVIDER] != D.FIRST_PARTY).to_numpy(dtype=bool, na_value=False)
    effect = (
        theta_m.reindex(rows[D.MODEL]).to_numpy()
        + public_advantage * (is_open & public)
        - provider_degradation * hosted
    )
    bidx = pd.Index(names).get_indexer(rows[D.BENCHMARK])
    ceiling = meta["ceiling"].to_numpy(float)
    floor = meta["random_baseline"].to_numpy(float) / ceiling
    real = rows[D.SCORE].to_numpy(float) / ceiling[bidx]
    difficulty = np.empty(len(names))
    slope = np.empty(len(names))
    target = np.empty(len(names))
    for k in range(len(names)):
        on = bidx == k
        above = np.clip((real[on] - floor[k]) / (1 - floor[k]), 0.02, 0.98)
        sd_real, sd_eff = float(np.std(logit(above))), float(np.std(effect[on]))
        slope[k] = np.clip(sd_real / sd_eff, 0.2, 5.0) if sd_real > 0 and sd_eff > 0 else 1.0
        target[k] = np.clip(real[on].mean(), floor[k] + 0.01 * (1 - floor[k]), 0.99)
        difficulty[k] = _match_difficulty(effect[on], target[k], slope[k], floor[k])
    mu = mean_score(effect, difficulty=difficulty[bidx], slope=slope[bidx], floor=floor[bidx])
    if noise == "beta":
        z = rng.beta(mu * precision, (1 - mu) * precision)
    else:
        z = rng.binomial(items[bidx], mu) / items[bidx]
    out = rows.drop(columns=[D.ACCESS]).assign(**{D.SCORE: ceiling[bidx] * z})
    if noise == "binomial":
        meta = meta.assign(n_items=items)  # the world's item counts, as documentation gives
    synthetic = ScoreData.from_frame(
        out,
        model=D.MODEL,
        benchmark=D.BENCHMARK,
        score=D.SCORE,
        date=D.DATE,
        weights=D.WEIGHTS,
        provider=D.PROVIDER,
        model_group=D.MODEL_GROUP,
        country=D.COUNTRY,
        organization=D.ORGANIZATION,
        benchmarks=meta.reset_index(),
        duplicates="raise",
        min_models_per_benchmark=min_models_per_benchmark,
        registry=False,
    )
    counts = rows.groupby(D.MODEL)[D.BENCHMARK].nunique().reindex(models.index)
    truth = {
        "growth_per_year": growth_per_year,
        "frontier_curvature": 0.0,
        "public_advantage": public_advantage,
        "provider_degradation": provider_degradation,
        "shortfall_scale": shortfall_scale,
        "frontier_softness": frontier_softness,
        "shortfall_dist": shortfall_dist,
        "gamma_shape": gamma_shape if shortfall_dist == "gamma" else None,
        "noise": noise,
        "precision": precision if noise == "beta" else None,
        "origin": origin,
        "start": start,
        "end": end,
        "since": since,
        "dropped": dropped,
        "difficulty": dict(zip(names, difficulty, strict=True)),
        "slope": dict(zip(names, slope, strict=True)),
        "floor": dict(zip(names, floor * ceiling, strict=True)),
        "ceiling": dict(zip(names, ceiling, strict=True)),
        "public": dict(
            zip(
                names,
                (meta["access"] == "public").to_numpy(dtype=bool, na_value=False),
                strict=True,
            )
        ),
        "real_mean_score": dict(zip(names, target, strict=True)),
        "n_items": dict(zip(names, items.tolist(), strict=True)) if noise == "binomial" else None,
        "capability": theta_m.to_dict(),
        "shortfall": dict(
            zip(
                models.index,
                pd.Series(frontier_u - theta_u, index=units).reindex(base.to_numpy()).to_numpy(),
                strict=True,
            )
        ),
        "base": base.to_dict(),
        "eval_count": counts.to_dict(),
    }
    return SimulatedData(data=synthetic, truth=truth, _frontier=frontiers)
