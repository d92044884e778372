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
  self-reported scores can be;
- ``harness_share`` / ``harness_penalty``: some benchmarks run under agent harnesses, a
  makers' harness and a simple one, open models losing ``harness_penalty`` units under the
  simple one (the scores then carry a ``harness`` column: :mod:`irtgap.data.elicitation`).

:func:`semi_synthetic` keeps the real evaluation pattern of a :class:`~irtgap.ScoreData` (which
model was scored on which benchmark, the models' dates, sides, providers and groups, the
benchmarks' floors, ceilings and access) and replaces every score by a draw from a known truth.
The true gap comes back beside the data (:meth:`SimulatedData.true_gap`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
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


@dataclass(frozen=True, eq=False)
class SimulationTruth:
    r"""What a simulated world was drawn with and what was drawn: the fields every world has.

    Per-benchmark and per-model values are dicts keyed by the benchmark's or the model's name.
    :func:`simulate` returns a :class:`SyntheticTruth` and :func:`semi_synthetic` a
    :class:`SemiSyntheticTruth`, each with its own fields on top of these.

    Attributes
    ----------
    growth_per_year : float
        The closed frontier's slope at 2024-01-01 (capability units per year).
    frontier_curvature : float
        The closed frontier's curvature (0: a straight line).
    public_advantage : float
        Open models' advantage on public benchmarks (capability units).
    provider_degradation : float
        Penalty on the scores of a third-party-hosted copy (capability units).
    shortfall_scale : float
        Scale of the shortfall below the side's frontier.
    frontier_softness : float
        Sd of the Normal part of the standardized shortfall.
    shortfall_dist : str
        ``"exgaussian"`` or ``"gamma"``.
    gamma_shape : float or None
        Shape of the Gamma shortfalls (None unless ``shortfall_dist="gamma"``).
    noise : str
        ``"beta"`` or ``"binomial"``.
    precision : float or None
        Beta precision of the scores (None under binomial noise).
    origin : pandas.Timestamp
        Time 0 of the frontiers (2024-01-01).
    start, end : pandas.Timestamp
        First and last release date of the models.
    difficulty, slope, floor, ceiling : dict of str to float
        Per benchmark: difficulty :math:`D_b`, slope :math:`\alpha_b`, random-guess floor
        :math:`c_b` and ceiling :math:`\kappa_b` (as scores, not fractions of the ceiling).
    public : dict of str to bool
        Per benchmark: public access.
    n_items : dict of str to int or None
        Per benchmark: items per score under binomial noise (None otherwise).
    capability : dict of str to float
        Per model: capability :math:`\theta_m`.
    shortfall : dict of str to float
        Per model: capability units below its side's frontier at its release date.
    eval_count : dict of str to int
        Per model: benchmarks scored.
    """

    growth_per_year: float
    frontier_curvature: float
    public_advantage: float
    provider_degradation: float
    shortfall_scale: float
    frontier_softness: float
    shortfall_dist: str
    gamma_shape: float | None
    noise: str
    precision: float | None
    origin: pd.Timestamp
    start: pd.Timestamp
    end: pd.Timestamp
    difficulty: dict[str, float]
    slope: dict[str, float]
    floor: dict[str, float]
    ceiling: dict[str, float]
    public: dict[str, bool]
    n_items: dict[str, int] | None
    capability: dict[str, float]
    shortfall: dict[str, float]
    eval_count: dict[str, int]


@dataclass(frozen=True, eq=False)
class SyntheticTruth(SimulationTruth):
    r"""The truth of a :func:`simulate` world: :class:`SimulationTruth` and the options that
    break the gap model, with what they drew.

    Attributes
    ----------
    frontier_shape : str
        ``"quadratic"`` or ``"s_curve"`` (with a non-zero ``frontier_curvature``).
    contamination_growth : float
        Yearly growth of the open public-benchmark advantage.
    eval_spread, fame_effect : float
        Spread of the models' evaluation propensities; shrinking of the shortfall with the
        number of benchmarks scored.
    interaction_df : float or None
        Degrees of freedom of the model x benchmark interactions (None: none).
    interaction_scale : float
        Their scale (logits; 0 without interactions).
    self_report_share, self_report_inflation : float
        Share of first-party scores inflated, and by how much (capability units).
    release : dict of str to pandas.Timestamp
        Per benchmark: release date.
    eval_propensity : dict of str to float
        Per model: :math:`\pi_m`, the factor on its evaluation probability.
    interaction : pandas.DataFrame or None
        Model x benchmark interactions on the logit scale (None without them).
    self_reported : pandas.DataFrame
        The ``model``, ``benchmark`` rows of the data whose score was inflated (ScoreData has
        no column for a score's source).
    domain_gaps : dict of str to float or None
        The true gap in months per domain (None: no domains).
    domain : dict of str to str or None
        Per benchmark: its domain (None: no domains).
    harness_share, harness_penalty, harness_penalty_closed, simple_share, open_maker_share :
        float
        The harness options of :func:`simulate` (0, 0, 0, 0.5, 1 without harnesses).
    harness_benchmarks : tuple of str
        The benchmarks run under harnesses (empty without them).
    maker_harness : dict of str to bool
        Per model: whether it was run under its makers' harness on those benchmarks (every
        closed model; ``open_maker_share`` of the open ones; empty without harnesses).
    """

    frontier_shape: str
    contamination_growth: float
    eval_spread: float
    fame_effect: float
    interaction_df: float | None
    interaction_scale: float
    self_report_share: float
    self_report_inflation: float
    release: dict[str, pd.Timestamp]
    eval_propensity: dict[str, float]
    interaction: pd.DataFrame | None
    self_reported: pd.DataFrame
    domain_gaps: dict[str, float] | None
    domain: dict[str, str] | None
    harness_share: float = 0.0
    harness_penalty: float = 0.0
    harness_penalty_closed: float = 0.0
    simple_share: float = 0.5
    open_maker_share: float = 1.0
    harness_benchmarks: tuple[str, ...] = ()
    maker_harness: dict[str, bool] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class SemiSyntheticTruth(SimulationTruth):
    """The truth of a :func:`semi_synthetic` world: :class:`SimulationTruth` and what the real
    pattern gave.

    Attributes
    ----------
    since : str, pandas.Timestamp or None
        The release-date filter of the real rows.
    dropped : dict of str to int
        Rows of the real data left out, by reason (the keys of ``make_design``'s ``dropped``).
    real_mean_score : dict of str to float
        Per benchmark: the mean real score as a fraction of the ceiling that the synthetic
        scores were matched to.
    base : dict of str to str
        Per model version: the version whose capability it shares.
    """

    since: str | pd.Timestamp | None
    dropped: dict[str, int]
    real_mean_score: dict[str, float]
    base: dict[str, str]


@dataclass(frozen=True)
class SimulatedData:
    """A synthetic :class:`~irtgap.ScoreData` and the truth it was drawn from.

    Attributes
    ----------
    data : ScoreData
        The synthetic scores.
    truth : SimulationTruth
        The parameters the world was drawn with and the drawn truth: a :class:`SyntheticTruth`
        from :func:`simulate`, a :class:`SemiSyntheticTruth` from :func:`semi_synthetic`.
    """

    data: ScoreData
    truth: SimulationTruth
    _frontier: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]] | None = None

    def frontier(self, dates: Any) -> pd.DataFrame:
        """True frontiers (closed, open) at ``dates``, in capability units."""
        assert self._frontier is not None
        dates = pd.DatetimeIndex(dates)
        c, o = self._frontier(_years(dates, self.truth.origin))
        return pd.DataFrame({D.CLOSED: c, D.OPEN: o}, index=pd.Index(dates, name=D.DATE))

    def true_gap(self, dates: Any, *, direction: Direction = "backward") -> pd.Series:
        """The true gap in months at ``dates`` (same definition as the estimators use).

        Computed numerically from the two frontiers on a daily grid from three years before the
        first release date to the last of ``dates`` (three years past it for the forward gap)
        with :func:`irtgap.core.gaps.time_shift_gap`, so it holds for any frontier shape and
        either ``direction``.

        Parameters
        ----------
        dates : date-like or sequence of date-like
            Where to read the gap.
        direction : {"backward", "forward"}
            The backward gap (how long ago the closed frontier stood where the open one stands)
            or the forward one (how long until the open frontier reaches the closed one).

        Returns
        -------
        pandas.Series
            Months, indexed by ``dates`` (name ``true_gap_months``).

        Raises
        ------
        ValueError
            The closed frontier is not strictly increasing on that grid, or (forward gap) the
            open one decreases on it: the time shift is not defined there.
        """
        assert self._frontier is not None
        dates = pd.DatetimeIndex(dates)
        start = self.truth.start - pd.DateOffset(years=_LOOKBACK_YEARS)
        # the forward gap looks ahead: how long until the open frontier reaches today's closed one
        stop = dates.max() + pd.DateOffset(years=_LOOKBACK_YEARS if direction == "forward" else 0)
        fine = date_grid(start, stop, step_days=1)
        fine = fine.union(dates)
        c, o = self._frontier(_years(fine, self.truth.origin))
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


@dataclass(frozen=True)
class _Options:
    """The keywords of :func:`simulate` (see there), handed to its steps."""

    gap_months: GapSpec
    n_closed: int
    n_open: int
    n_benchmarks: int
    density: float
    closed_eval_factor: float
    start: str
    end: str
    growth_per_year: float
    frontier_curvature: float
    frontier_shape: FrontierShape
    shortfall_scale: float
    frontier_softness: float
    shortfall_dist: ShortfallDist
    gamma_shape: float
    eval_spread: float
    fame_effect: float
    public_share: float
    public_advantage: float
    contamination_growth: float
    provider_degradation: float
    hosted_share: float
    interaction_df: float | None
    interaction_scale: float
    noise: Noise
    precision: float
    n_items: int | Sequence[int]
    self_report_share: float
    self_report_inflation: float
    floors: tuple[float, ...]
    ceilings: tuple[float, ...]
    benchmark_lifetimes: bool
    domain_gaps: Mapping[str, float] | None
    harness_share: float
    harness_penalty: float
    harness_penalty_closed: float
    simple_share: float
    open_maker_share: float
    seed: int | np.random.Generator


def _empty() -> np.ndarray:
    return np.empty(0)


@dataclass
class _World:
    """What :func:`simulate`'s steps draw, in their order (each step fills its part)."""

    origin: pd.Timestamp
    t0: float
    t1: float
    items: np.ndarray
    # models
    side: np.ndarray = field(default_factory=_empty)
    model_names: list[str] = field(default_factory=list)
    t_m: np.ndarray = field(default_factory=_empty)
    fc: np.ndarray = field(default_factory=_empty)
    f_m: np.ndarray = field(default_factory=_empty)
    shortfall: np.ndarray = field(default_factory=_empty)
    theta: np.ndarray = field(default_factory=_empty)
    # benchmarks
    names: list[str] = field(default_factory=list)
    difficulty: np.ndarray = field(default_factory=_empty)
    slope: np.ndarray = field(default_factory=_empty)
    floor: np.ndarray = field(default_factory=_empty)
    ceiling: np.ndarray = field(default_factory=_empty)
    public: np.ndarray = field(default_factory=_empty)
    rel: np.ndarray = field(default_factory=_empty)
    # evaluation pattern
    propensity: np.ndarray = field(default_factory=_empty)
    exists: np.ndarray = field(default_factory=_empty)
    scored: np.ndarray = field(default_factory=_empty)
    eval_count: np.ndarray = field(default_factory=_empty)
    # what moves a score off its capability
    bench_domain: np.ndarray | None = None
    domain_offset: np.ndarray = field(default_factory=_empty)
    advantage: np.ndarray = field(default_factory=_empty)
    interaction: np.ndarray | None = None
    flagged: np.ndarray = field(default_factory=_empty)


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
    harness_share: float = 0.0,
    harness_penalty: float = 0.0,
    harness_penalty_closed: float = 0.0,
    simple_share: float = 0.5,
    open_maker_share: float = 1.0,
    seed: int | np.random.Generator = 0,
) -> SimulatedData:
    r"""Draw a synthetic ScoreData with a known gap.

    With every option at its default the world is the Bayesian model's own generative story.
    The options marked *(breaks the model)* draw worlds that model did not generate. The same
    ``seed`` and options draw the same world.

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
        ``self_report_inflation`` units. The flagged rows are ``truth.self_reported``.
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
        ``truth.domain_gaps`` and ``truth.domain`` (per benchmark) record it. None
        (default): no domains.
    harness_share : float
        Share of the benchmarks run under agent harnesses (the hardest ones, as agentic
        benchmarks tend to be): each scored version is run under its makers' harness
        (``"maker"``, at its capability) and, with probability ``simple_share``, also under
        a simple one (``"simple"``), where an open model loses ``harness_penalty`` capability
        units and a closed one ``harness_penalty_closed``. Only ``open_maker_share`` of the
        open versions have a makers' harness; the others are scored under the simple one only.
        The scores get a ``harness`` column (``"default"`` on the other benchmarks; a hosted
        copy's row is its model's ``"maker"`` row) and the data keep every harness's row
        (:attr:`ScoreData.elicitation <irtgap.ScoreData.elicitation>`), the best per pair in
        ``scores``. 0 (default): no harnesses, no ``harness`` column, and no draw is made.
    harness_penalty, harness_penalty_closed : float
        The open and the closed models' loss under the simple harness (capability units).
    simple_share : float
        Share of the versions with a makers' harness also run under the simple one (0.5).
    open_maker_share : float
        Share of the open versions with a makers' harness (1: all).
    seed : int or numpy.random.Generator

    Returns
    -------
    SimulatedData
        ``truth`` is a :class:`~irtgap.data.simulate.SyntheticTruth`: the options above that
        shape the world, per benchmark ``difficulty``, ``slope``, ``floor``, ``ceiling``,
        ``public``, ``n_items`` (binomial noise only) and ``release`` (date), per model
        ``capability``, ``shortfall``, ``eval_count`` (first-party benchmarks scored) and
        ``eval_propensity`` (:math:`\pi_m`), ``interaction`` (a model x benchmark table of
        :math:`u_{mb}`, or None) and ``self_reported`` (rows of the data).

    Raises
    ------
    ValueError
        An option out of range (named), or frontiers that are not monotone.
    """
    o = _Options(**locals())  # every keyword above, for the steps below
    rng = np.random.default_rng(seed)
    origin = pd.Timestamp("2024-01-01")
    t0, t1 = _years(pd.DatetimeIndex([start, end]), origin)
    items = _check_simulate_options(o)
    gap_fn = _gap_function(gap_months)
    frontiers = _frontiers(
        _closed_frontier(growth_per_year, frontier_curvature, frontier_shape), gap_fn
    )
    _check_world(frontiers, origin, pd.Timestamp(start), pd.Timestamp(end))
    w = _World(origin=origin, t0=float(t0), t1=float(t1), items=items)
    # the draws, in a fixed order: the same seed gives the same world
    _draw_models(rng, o, w, frontiers)
    _draw_benchmarks(rng, o, w)
    _draw_pattern(rng, o, w)
    _draw_effects(rng, o, w, gap_fn)
    rows = _first_party_rows(rng, o, w) + _hosted_rows(rng, o, w)
    rows, maker = _harness_rows(rng, o, w, rows)  # no draw without harnesses
    data, meta = _synthetic_data(o, w, rows)
    truth = _synthetic_truth(o, w, data, meta)
    if o.harness_share > 0:
        truth = replace(
            truth,
            harness_share=o.harness_share,
            harness_penalty=o.harness_penalty,
            harness_penalty_closed=o.harness_penalty_closed,
            simple_share=o.simple_share,
            open_maker_share=o.open_maker_share,
            harness_benchmarks=tuple(_harness_benchmarks(o, w)),
            maker_harness=maker,
        )
    return SimulatedData(data=data, truth=truth, _frontier=frontiers)


def _check_simulate_options(o: _Options) -> np.ndarray:
    """Check :func:`simulate`'s options (a ValueError names the one at fault); the items per
    benchmark (:func:`_items`)."""
    check_choice("frontier_shape", o.frontier_shape, ("quadratic", "s_curve"))
    check_number("frontier_curvature", o.frontier_curvature)
    if o.frontier_shape == "s_curve" and o.frontier_curvature < 0:
        raise ValueError(
            f"frontier_curvature={o.frontier_curvature!r}: an S-curve needs a curvature above 0"
        )
    _check_shortfall(o.shortfall_dist, o.gamma_shape)
    check_number("eval_spread", o.eval_spread, minimum=0)
    check_number("fame_effect", o.fame_effect)
    check_number("contamination_growth", o.contamination_growth)
    check_number("self_report_share", o.self_report_share, minimum=0, maximum=1)
    check_number("self_report_inflation", o.self_report_inflation)
    if o.interaction_df is not None:
        check_number("interaction_df", o.interaction_df, above=0)
        check_number("interaction_scale", o.interaction_scale, minimum=0)
    check_number("harness_share", o.harness_share, minimum=0, maximum=1)
    check_number("harness_penalty", o.harness_penalty)
    check_number("harness_penalty_closed", o.harness_penalty_closed)
    check_number("simple_share", o.simple_share, minimum=0, maximum=1)
    check_number("open_maker_share", o.open_maker_share, minimum=0, maximum=1)
    return _items(o.noise, o.precision, o.n_items, o.n_benchmarks)


def _draw_models(
    rng: np.random.Generator,
    o: _Options,
    w: _World,
    frontiers: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]],
) -> None:
    """Release times, sides and capabilities below the side's frontier."""
    n = o.n_closed + o.n_open
    w.side = np.array([D.CLOSED] * o.n_closed + [D.OPEN] * o.n_open)
    w.model_names = [f"{s}-{i:03d}" for i, s in enumerate(w.side)]
    w.t_m = rng.uniform(w.t0, w.t1, size=n)
    w.fc, fo = frontiers(w.t_m)
    w.f_m = np.where(w.side == D.OPEN, fo, w.fc)
    w.shortfall = _draw_shortfall(rng, n, o.shortfall_dist, o.gamma_shape, o.frontier_softness)
    w.theta = w.f_m - o.shortfall_scale * w.shortfall


def _draw_benchmarks(rng: np.random.Generator, o: _Options, w: _World) -> None:
    """Difficulties spread over the capabilities, slopes, floors, ceilings, access and release
    times."""
    k = o.n_benchmarks
    lo, hi = w.theta.min(), w.fc.max()
    w.difficulty = np.sort(rng.uniform(lo - 0.5, hi + 0.5, size=k))
    w.slope = np.exp(rng.normal(0, 0.25, size=k))
    w.floor = np.array([o.floors[j % len(o.floors)] for j in range(k)], dtype=float)
    w.ceiling = np.array([o.ceilings[j % len(o.ceilings)] for j in range(k)], dtype=float)
    if not ((w.ceiling > w.floor) & (w.ceiling <= 1) & (w.floor >= 0)).all():
        raise ValueError(
            f"floors={o.floors!r}, ceilings={o.ceilings!r}: every floor must lie in [0, ceiling) "
            "and every ceiling in (0, 1]"
        )
    public = np.arange(k) < round(o.public_share * k)
    w.public = public[rng.permutation(k)]
    if o.benchmark_lifetimes:
        # harder benchmarks appear later (as in practice), with jitter
        d = w.difficulty
        rel = np.interp(d, [d.min(), d.max()], [w.t0 - 1.0, w.t1 - 0.5])
        w.rel = rel + rng.normal(0, 0.25, size=k)
    else:
        w.rel = np.full(k, w.t0 - 2.0)
    w.names = [f"bench{j:02d}" for j in range(k)]


def _draw_pattern(rng: np.random.Generator, o: _Options, w: _World) -> None:
    """Who is scored where (every model at least once, every benchmark by at least three
    models); with ``fame_effect``, the shortfalls the pattern implies."""
    n = len(w.side)
    p = np.where(w.side == D.CLOSED, o.density * o.closed_eval_factor, o.density)
    w.propensity = np.ones(n)
    if o.eval_spread > 0:
        w.propensity = np.exp(o.eval_spread * rng.normal(size=n) - o.eval_spread**2 / 2)
        p = p * w.propensity
    p = np.clip(p, 0, 1)
    exists = w.t_m[:, None] >= w.rel[None, :] - 1.0
    scored = (rng.uniform(size=(n, o.n_benchmarks)) < p[:, None]) & exists
    for i in np.flatnonzero(~scored.any(1)):
        pick = np.flatnonzero(exists[i]) if exists[i].any() else o.n_benchmarks
        scored[i, rng.choice(pick)] = True
    for k in np.flatnonzero(scored.sum(0) < 3):
        scored[rng.choice(n, 3, replace=False), k] = True
    w.exists, w.scored, w.eval_count = exists, scored, scored.sum(1)
    if o.fame_effect != 0:
        # the evaluation pattern first, then the shortfall it implies
        typical = np.exp(np.log(w.eval_count).mean())
        scale = o.shortfall_scale * (w.eval_count / typical) ** (-o.fame_effect)
        w.theta = w.f_m - scale * w.shortfall


def _draw_effects(
    rng: np.random.Generator, o: _Options, w: _World, gap_fn: Callable[[np.ndarray], np.ndarray]
) -> None:
    """The open models' domain offsets, their public-benchmark advantage, the model x
    benchmark interactions and the self-reported scores."""
    n, k = len(w.side), o.n_benchmarks
    w.bench_domain, w.domain_offset = _domain_offsets(
        o.domain_gaps, k, w.t_m, gap_fn, o.growth_per_year, o.frontier_curvature, o.frontier_shape
    )
    w.advantage = np.full(n, float(o.public_advantage))
    if o.contamination_growth != 0:
        w.advantage = o.public_advantage + o.contamination_growth * (w.t_m - w.t0)
    if o.interaction_df is not None:
        w.interaction = o.interaction_scale * rng.standard_t(o.interaction_df, size=(n, k))
    w.flagged = np.zeros((n, k), dtype=bool)
    if o.self_report_share > 0:
        w.flagged = rng.uniform(size=(n, k)) < o.self_report_share


def _score(
    rng: np.random.Generator, o: _Options, w: _World, i: int, k: int, penalty: float, inflate: bool
) -> float:
    """One score of model ``i`` on benchmark ``k`` (``penalty``: a host's degradation)."""
    is_open = w.side[i] == D.OPEN
    eff = w.theta[i] + (w.advantage[i] if is_open and w.public[k] else 0.0) - penalty
    if is_open:
        eff += w.domain_offset[i, k]
    if w.interaction is not None:
        eff += w.interaction[i, k] / w.slope[k]
    if inflate:
        eff += o.self_report_inflation
    f = w.floor[k] / w.ceiling[k]  # the floor as a fraction of the ceiling
    mu = float(mean_score(eff, difficulty=w.difficulty[k], slope=w.slope[k], floor=f))
    return float(w.ceiling[k] * _draw_fraction(rng, mu, o.noise, o.precision, int(w.items[k])))


def _model_dates(w: _World) -> pd.DatetimeIndex:
    return w.origin + pd.to_timedelta(np.round(w.t_m * 365.25), unit="D")


def _first_party_rows(rng: np.random.Generator, o: _Options, w: _World) -> list[dict[str, Any]]:
    """One row per scored (model, benchmark) pair, first-party."""
    dates = _model_dates(w)
    return [
        {
            "model": w.model_names[i],
            "benchmark": w.names[k],
            "score": _score(rng, o, w, int(i), int(k), 0.0, bool(w.flagged[i, k])),
            "date": dates[i],
            "weights": w.side[i],
            "provider": D.FIRST_PARTY,
            "model_group": w.model_names[i],
        }
        for i, k in zip(*np.nonzero(w.scored), strict=True)
    ]


def _hosted_rows(rng: np.random.Generator, o: _Options, w: _World) -> list[dict[str, Any]]:
    """Scores of hosted copies ``host/<name>`` of a ``hosted_share`` of the open models, on the
    private benchmarks (each pair that exists with probability 0.4)."""
    rows: list[dict[str, Any]] = []
    if not (o.provider_degradation > 0 or o.hosted_share > 0):
        return rows
    dates = _model_dates(w)
    open_idx = np.flatnonzero(w.side == D.OPEN)
    hosted = rng.choice(open_idx, size=round(o.hosted_share * len(open_idx)), replace=False)
    for i in hosted:
        for k in np.flatnonzero(~w.public):
            if not w.exists[i, k] or rng.uniform() > 0.6:
                continue
            rows.append(
                {
                    "model": f"host/{w.model_names[i]}",
                    "benchmark": w.names[k],
                    "score": _score(rng, o, w, int(i), int(k), o.provider_degradation, False),
                    "date": dates[i],
                    "weights": D.OPEN,
                    "provider": "host",
                    "model_group": w.model_names[i],
                }
            )
    return rows


def _harness_benchmarks(o: _Options, w: _World) -> list[str]:
    """The benchmarks run under harnesses: the hardest ``harness_share`` of them."""
    n = round(o.harness_share * o.n_benchmarks)
    order = np.argsort(w.difficulty, kind="stable")
    return [w.names[k] for k in sorted(order[len(order) - n :])] if n else []


def _harness_rows(
    rng: np.random.Generator, o: _Options, w: _World, rows: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], dict[str, bool]]:
    """``rows`` with harness labels and the simple harness's rows (see :func:`simulate`), and
    per model whether it has a makers' harness; ``rows`` unchanged, and no draw, without
    harnesses."""
    if o.harness_share <= 0:
        return rows, {}
    agentic = set(_harness_benchmarks(o, w))
    maker_open = rng.uniform(size=len(w.side)) < o.open_maker_share
    has_maker = np.where(w.side == D.OPEN, maker_open, True)
    index = {name: i for i, name in enumerate(w.model_names)}
    k_of = {name: k for k, name in enumerate(w.names)}
    out: list[dict[str, Any]] = []
    for row in rows:
        if row["benchmark"] not in agentic:
            out.append({**row, "harness": "default"})
            continue
        if row["provider"] != D.FIRST_PARTY:
            out.append({**row, "harness": "maker"})
            continue
        i, k = index[row["model"]], k_of[row["benchmark"]]
        maker = bool(has_maker[i])
        if maker:
            out.append({**row, "harness": "maker"})
        if not maker or rng.uniform() < o.simple_share:
            pen = o.harness_penalty if w.side[i] == D.OPEN else o.harness_penalty_closed
            score = _score(rng, o, w, i, k, pen, bool(w.flagged[i, k]))
            out.append({**row, "score": score, "harness": "simple"})
    return out, {m: bool(has_maker[i]) for m, i in index.items()}


def _synthetic_data(
    o: _Options, w: _World, rows: list[dict[str, Any]]
) -> tuple[ScoreData, pd.DataFrame]:
    """The score rows and the benchmark metadata as a validated ScoreData (benchmarks scored by
    too few models dropped); also the metadata table."""
    meta = pd.DataFrame(
        {
            "benchmark": w.names,
            "access": np.where(w.public, "public", "private"),
            "random_baseline": w.floor,
            "ceiling": w.ceiling,
            "scale": "fraction",
            "release_date": w.origin + pd.to_timedelta(np.round(w.rel * 365.25), unit="D"),
        }
    )
    if w.bench_domain is not None:
        meta["domain"] = w.bench_domain
    if o.noise == "binomial":
        meta["n_items"] = w.items  # the world's item counts, as a benchmark's documentation gives
    data = ScoreData.from_frame(
        pd.DataFrame(rows),
        model="model",
        benchmark="benchmark",
        score="score",
        date="date",
        weights="weights",
        provider="provider",
        model_group="model_group",
        benchmarks=meta,
        sparse_benchmarks="drop",
        harness="harness" if o.harness_share > 0 else None,
    )
    return data, meta


def _self_reported(w: _World, data: ScoreData) -> pd.DataFrame:
    """The ``model``, ``benchmark`` rows of ``data`` whose score was inflated."""
    mi, ki = np.nonzero(w.scored & w.flagged)
    flagged = pd.DataFrame(
        {
            D.MODEL: pd.Series([w.model_names[i] for i in mi], dtype="string"),
            D.BENCHMARK: pd.Series([w.names[k] for k in ki], dtype="string"),
        }
    )
    kept = pd.MultiIndex.from_frame(data.scores[[D.MODEL, D.BENCHMARK]])
    return flagged[pd.MultiIndex.from_frame(flagged).isin(kept)].reset_index(drop=True)


def _synthetic_truth(o: _Options, w: _World, data: ScoreData, meta: pd.DataFrame) -> SyntheticTruth:
    """The truth of a :func:`simulate` world (see :class:`SyntheticTruth`)."""
    names, models = w.names, w.model_names
    interaction = None
    if w.interaction is not None:
        interaction = pd.DataFrame(
            w.interaction,
            index=pd.Index(models, name=D.MODEL),
            columns=pd.Index(names, name=D.BENCHMARK),
        )
    binomial = o.noise == "binomial"
    return SyntheticTruth(
        growth_per_year=o.growth_per_year,
        frontier_curvature=o.frontier_curvature,
        frontier_shape=o.frontier_shape,
        public_advantage=o.public_advantage,
        contamination_growth=o.contamination_growth,
        provider_degradation=o.provider_degradation,
        shortfall_scale=o.shortfall_scale,
        frontier_softness=o.frontier_softness,
        shortfall_dist=o.shortfall_dist,
        gamma_shape=o.gamma_shape if o.shortfall_dist == "gamma" else None,
        eval_spread=o.eval_spread,
        fame_effect=o.fame_effect,
        interaction_df=o.interaction_df,
        interaction_scale=o.interaction_scale if o.interaction_df is not None else 0.0,
        noise=o.noise,
        precision=o.precision if o.noise == "beta" else None,
        self_report_share=o.self_report_share,
        self_report_inflation=o.self_report_inflation,
        origin=w.origin,
        start=pd.Timestamp(o.start),
        end=pd.Timestamp(o.end),
        difficulty=dict(zip(names, w.difficulty, strict=True)),
        slope=dict(zip(names, w.slope, strict=True)),
        floor=dict(zip(names, w.floor, strict=True)),
        ceiling=dict(zip(names, w.ceiling, strict=True)),
        public=dict(zip(names, w.public, strict=True)),
        release=dict(zip(names, meta["release_date"], strict=True)),
        n_items=dict(zip(names, w.items.tolist(), strict=True)) if binomial else None,
        capability=dict(zip(models, w.theta, strict=True)),
        shortfall=dict(zip(models, w.f_m - w.theta, strict=True)),
        eval_count=dict(zip(models, w.eval_count.tolist(), strict=True)),
        eval_propensity=dict(zip(models, w.propensity, strict=True)),
        interaction=interaction,
        self_reported=_self_reported(w, data),
        domain_gaps=None if o.domain_gaps is None else dict(o.domain_gaps),
        domain=None if w.bench_domain is None else dict(zip(names, w.bench_domain, strict=True)),
    )


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
    ``n_items`` is given).

    Parameters
    ----------
    data : ScoreData
        The real data.
    since : str or pandas.Timestamp, optional
        Models released before it are left out (None: every date).
    min_models_per_benchmark, min_uncensored_per_benchmark : int
        The Bayesian model's filters of benchmarks.

    Returns
    -------
    rows : pandas.DataFrame
        The kept rows, with ``access`` joined.
    dropped : dict of str to int
        The number of rows left out for each reason (the keys of ``make_design``'s
        ``dropped``).

    Raises
    ------
    ScoreDataError
        No open or no closed model is left.
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


@dataclass(frozen=True)
class _SemiOptions:
    """The keywords of :func:`semi_synthetic` (see there), handed to its steps."""

    data: ScoreData | None
    gap_months: GapSpec
    growth_per_year: float
    shortfall_scale: float
    frontier_softness: float
    shortfall_dist: ShortfallDist
    gamma_shape: float
    noise: Noise
    precision: float
    n_items: int | Sequence[int]
    public_advantage: float
    provider_degradation: float
    hosted_base: Callable[[pd.DataFrame], pd.Series] | None
    since: str | pd.Timestamp | None
    min_models_per_benchmark: int
    min_uncensored_per_benchmark: int
    seed: int | np.random.Generator


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
        ``truth`` is a :class:`~irtgap.data.simulate.SemiSyntheticTruth`: the options above,
        ``dropped`` (rows of ``data`` left out, by reason), per benchmark ``difficulty``,
        ``slope``, ``floor``, ``ceiling``, ``public``, ``real_mean_score`` (the matched mean
        fraction), ``n_items`` (binomial noise only), per model version ``capability``,
        ``shortfall``, ``base`` and ``eval_count``.
    """
    o = _SemiOptions(**locals())  # every keyword above, for the steps below
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
    items = _items(noise, precision, n_items, len(meta))
    origin = pd.Timestamp("2024-01-01")
    start, end = pd.Timestamp(rows[D.DATE].min()), pd.Timestamp(rows[D.DATE].max())
    frontiers = _frontiers(
        _closed_frontier(growth_per_year, 0.0, "quadratic"), _gap_function(gap_months)
    )
    _check_world(frontiers, origin, start, end)
    caps = _semi_capabilities(rng, o, rows, frontiers, origin)
    effect = _row_effects(rows, caps.theta, public_advantage, provider_degradation)
    bench = _matched_benchmarks(rows, meta, effect)
    b = bench.idx
    mu = mean_score(
        effect, difficulty=bench.difficulty[b], slope=bench.slope[b], floor=bench.floor[b]
    )
    if noise == "beta":
        z = rng.beta(mu * precision, (1 - mu) * precision)
    else:
        z = rng.binomial(items[b], mu) / items[b]
    out = rows.drop(columns=[D.ACCESS]).assign(**{D.SCORE: bench.ceiling[b] * z})
    if noise == "binomial":
        meta = meta.assign(n_items=items)  # the world's item counts, as documentation gives
    synthetic = _semi_data(out, meta, min_models_per_benchmark)
    truth = _semi_truth(o, rows, meta, items, caps, bench, dropped, (origin, start, end))
    return SimulatedData(data=synthetic, truth=truth, _frontier=frontiers)


@dataclass(frozen=True)
class _Capabilities:
    """Per model version of :func:`semi_synthetic`: its capability unit (``base``), capability
    and shortfall below its side's frontier."""

    base: pd.Series
    theta: pd.Series
    shortfall: np.ndarray


def _semi_capabilities(
    rng: np.random.Generator,
    o: _SemiOptions,
    rows: pd.DataFrame,
    frontiers: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]],
    origin: pd.Timestamp,
) -> _Capabilities:
    """Each capability unit (a version, or the version it is hosted from) below its side's
    frontier at its release date; the hosted versions share their unit's."""
    models = rows.drop_duplicates(D.MODEL).set_index(D.MODEL)
    models = models[[D.DATE, D.WEIGHTS, D.PROVIDER, D.MODEL_GROUP]]
    base = pd.Series(models.index, index=models.index, name="base")
    if o.hosted_base is not None:
        base = pd.Series(o.hosted_base(models.copy()), name="base").reindex(models.index)
        unknown = ~base.isin(models.index)
        if unknown.any():
            raise ScoreDataError(
                f"hosted_base maps {int(unknown.sum())} version(s) to no modelled version, "
                f"e.g. {list(base.index[unknown][:3])}"
            )
    units = pd.Index(pd.unique(base.to_numpy()))
    fc, fo = frontiers(_years(pd.DatetimeIndex(models.loc[units, D.DATE]), origin))
    frontier_u = np.where(models.loc[units, D.WEIGHTS].to_numpy() == D.OPEN, fo, fc)
    v = _draw_shortfall(rng, len(units), o.shortfall_dist, o.gamma_shape, o.frontier_softness)
    theta_u = frontier_u - o.shortfall_scale * v
    per_version = base.to_numpy()
    theta = pd.Series(theta_u, index=units).reindex(per_version).to_numpy()
    shortfall = pd.Series(frontier_u - theta_u, index=units).reindex(per_version).to_numpy()
    return _Capabilities(base=base, theta=pd.Series(theta, index=models.index), shortfall=shortfall)


def _row_effects(
    rows: pd.DataFrame, theta: pd.Series, public_advantage: float, provider_degradation: float
) -> np.ndarray:
    """Per row: the capability plus the open public-benchmark advantage, minus a host's
    degradation (benchmarks of unknown access count as private, as in the model)."""
    is_open = (rows[D.WEIGHTS] == D.OPEN).to_numpy()
    public = (rows[D.ACCESS] == "public").to_numpy(dtype=bool, na_value=False)
    hosted = (rows[D.PROVIDER] != D.FIRST_PARTY).to_numpy(dtype=bool, na_value=False)
    return np.asarray(
        theta.reindex(rows[D.MODEL]).to_numpy()
        + public_advantage * (is_open & public)
        - provider_degradation * hosted
    )


@dataclass(frozen=True)
class _MatchedBenchmarks:
    """Per benchmark of :func:`semi_synthetic` (name order): slope and difficulty matched to
    the real scores, the mean real score matched (``target``), ceiling and floor (a fraction of
    the ceiling); ``idx`` gives each row's benchmark."""

    idx: np.ndarray
    slope: np.ndarray
    difficulty: np.ndarray
    target: np.ndarray
    ceiling: np.ndarray
    floor: np.ndarray


def _matched_benchmarks(
    rows: pd.DataFrame, meta: pd.DataFrame, effect: np.ndarray
) -> _MatchedBenchmarks:
    """Each benchmark's slope from the spread of its real scores and its difficulty from their
    mean (see :func:`semi_synthetic`)."""
    names = list(meta.index)
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
    return _MatchedBenchmarks(bidx, slope, difficulty, target, ceiling, floor)


def _semi_data(out: pd.DataFrame, meta: pd.DataFrame, min_models_per_benchmark: int) -> ScoreData:
    """The synthetic rows as a validated ScoreData (the real metadata, no registry)."""
    return ScoreData.from_frame(
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


def _is_public(meta: pd.DataFrame) -> np.ndarray:
    return (meta["access"] == "public").to_numpy(dtype=bool, na_value=False)


def _semi_truth(
    o: _SemiOptions,
    rows: pd.DataFrame,
    meta: pd.DataFrame,
    items: np.ndarray,
    caps: _Capabilities,
    bench: _MatchedBenchmarks,
    dropped: dict[str, int],
    times: tuple[pd.Timestamp, pd.Timestamp, pd.Timestamp],
) -> SemiSyntheticTruth:
    """The truth of a :func:`semi_synthetic` world (``times``: origin, start and end)."""
    origin, start, end = times
    counts = rows.groupby(D.MODEL)[D.BENCHMARK].nunique()
    names = list(meta.index)
    binomial = o.noise == "binomial"
    return SemiSyntheticTruth(
        growth_per_year=o.growth_per_year,
        frontier_curvature=0.0,
        public_advantage=o.public_advantage,
        provider_degradation=o.provider_degradation,
        shortfall_scale=o.shortfall_scale,
        frontier_softness=o.frontier_softness,
        shortfall_dist=o.shortfall_dist,
        gamma_shape=o.gamma_shape if o.shortfall_dist == "gamma" else None,
        noise=o.noise,
        precision=o.precision if o.noise == "beta" else None,
        origin=origin,
        start=start,
        end=end,
        since=o.since,
        dropped=dropped,
        difficulty=dict(zip(names, bench.difficulty, strict=True)),
        slope=dict(zip(names, bench.slope, strict=True)),
        floor=dict(zip(names, bench.floor * bench.ceiling, strict=True)),
        ceiling=dict(zip(names, bench.ceiling, strict=True)),
        public=dict(zip(names, _is_public(meta), strict=True)),
        real_mean_score=dict(zip(names, bench.target, strict=True)),
        n_items=dict(zip(names, items.tolist(), strict=True)) if binomial else None,
        capability=caps.theta.to_dict(),
        shortfall=dict(zip(caps.theta.index, caps.shortfall, strict=True)),
        base=caps.base.to_dict(),
        eval_count=counts.reindex(caps.theta.index).to_dict(),
    )
