r"""`GapFit`: the posterior of the Bayesian gap model and what a reader asks of it.

The gap, frontier and capability draws all have dimensions ``(chain, draw, ...)`` like every other
result in irtgap, and :meth:`GapFit.gap` returns the shared gap table of
:func:`irtgap.core.gaps.summarize_gap`.

Gap groups (one meaning per word): ``"capability"`` is the gap between the latent frontiers;
``"private"`` is the gap as private benchmarks show it, equal to the capability gap (private
benchmarks are the reference category; with ``open_offsets``, the gap at their mean offset);
``"public"`` is the gap as public benchmarks show it, the open frontier raised by the open
public-benchmark advantage :math:`\gamma`. ``gap()`` gives
``"capability"``; ``gap(by="access")`` gives ``"public"`` and ``"private"``.

Support: every gap and frontier is NaN, with a warning naming the first or last release date of
the modelled data, at dates outside that range, unless ``extrapolate=True`` (see
:meth:`GapFit.frontier_draws` for the maths of the extrapolation).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np
import pandas as pd
import xarray as xr

from irtgap.core import dims as D
from irtgap.core.errors import ConvergenceWarning
from irtgap.core.gaps import (
    Direction,
    backward_gap_at,
    date_grid,
    summarize_gap,
    time_shift_gap,
    to_days,
    warn_user,
)
from irtgap.core.options import check_level
from irtgap.data.scoredata import ScoreData
from irtgap.methods.bayes.design import (
    KNOT_DIM,
    Design,
    check_date_option,
    check_dates_option,
    saturating_benchmarks,
    years_since,
)
from irtgap.methods.bayes.domains import (
    DOMAIN_CARRY_MONTHS,
    MIN_DOMAIN_BENCHMARKS,
    MIN_DOMAIN_MODELS,
    benchmark_shifts,
    domain_coverage,
    group_shifts,
    offset_table,
)
from irtgap.methods.bayes.settings import GapSettings
from irtgap.plotting.bayes import plot_frontier, plot_terms
from irtgap.plotting.domains import plot_domain_gaps, plot_open_offsets
from irtgap.results import (
    CI_PROB,
    GapResult,
    SavedState,
    conform_gap_table,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from irtgap.methods.bayes.checks import ModelChecks


#: Thresholds for :meth:`GapFit.diagnostics` (the usual modern defaults: Vehtari et al. 2021).
RHAT_MAX = 1.01
ESS_MIN = 400
#: Posterior variables every fit holds (what :class:`GapFit` reads).
REQUIRED_VARIABLES = ("frontier", "log_growth_mean", "capability", "difficulty_rel")
#: Groups of :meth:`GapFit.gap_draws` (see the module docstring).
GAP_GROUPS = ("capability", "public", "private")
#: Groups of :meth:`GapFit.gap` per ``by``.
GROUPS_BY: dict[str | None, tuple[str, ...]] = {
    None: ("capability",),
    "access": ("public", "private"),
    "domain": (),  # the fit's domains (GapModel(open_offsets=True))
}
#: Seed of the growth rates drawn past the knots by ``extrapolate=True`` (fixed: the same
#: extrapolation from every call, so ``gap`` and ``frontier`` agree).
EXTRAPOLATION_SEED = 1729
#: With ``extrapolate=True``, the gap is computed on frontiers this many years beyond the
#: requested dates on either side (the backward gap looks into the closed frontier's past, the
#: forward gap into the open frontier's future).
EXTRAPOLATION_MARGIN_YEARS = 3.0


def _stack(da: xr.DataArray) -> np.ndarray:
    """Samples first: ``(chain*draw, ...)``."""
    return da.stack(sample=(D.CHAIN, D.DRAW)).transpose("sample", ...).to_numpy()


def _check_ci(ci_prob: Any) -> float:
    return check_level("ci_prob", ci_prob)


def _check_direction(direction: Any) -> Direction:
    if direction not in ("backward", "forward"):
        raise ValueError(f"direction={direction!r}: use 'backward' or 'forward'")
    return direction  # type: ignore[no-any-return,unused-ignore]


def _check_extrapolate(extrapolate: Any) -> bool:
    if not isinstance(extrapolate, bool | np.bool_):
        raise ValueError(f"extrapolate={extrapolate!r}: give True or False")
    return bool(extrapolate)


@dataclass
class GapFit(GapResult):
    """Posterior of :class:`~irtgap.GapModel` on one :class:`~irtgap.ScoreData`.

    Gap groups: ``"capability"`` (the gap between the latent frontiers, the default),
    ``"private"`` (as private benchmarks show it: the capability gap, since private benchmarks
    are the reference category; with ``open_offsets``, the gap at their mean offset) and
    ``"public"`` (as public benchmarks show it: the open frontier raised by the open
    public-benchmark advantage). There is no ``"all"``: the threshold
    method's ``"all"`` mixes public and private crossings, which no group here does.

    Every gap and frontier is NaN outside the data's support (before the first or after the last
    release date of the modelled data, :meth:`support`), with a warning naming that date, unless
    ``extrapolate=True`` is passed (see :meth:`frontier_draws`).

    Attributes
    ----------
    idata : xarray.DataTree
        ArviZ inference data (``posterior``, ``sample_stats``, ``observed_data``...).
    design : irtgap.methods.bayes.design.Design
        The rows, models and knots that were modelled.
    settings : GapSettings
        The model settings.
    data : ScoreData
        The input data.
    """

    method: ClassVar[str] = "bayesian"
    summary_options: ClassVar[dict[str, Any]] = {"by": "access"}

    idata: Any
    design: Design
    settings: GapSettings
    data: ScoreData
    _cache: dict[Any, Any] = field(default_factory=dict, repr=False)

    # ------------------------------------------------------------------ draws
    @property
    def posterior(self) -> xr.Dataset:
        """The posterior draws of every model variable, ``(chain, draw, ...)``."""
        return self.idata["posterior"].to_dataset()

    def support(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        """First and last release date of the modelled data: where the frontiers are measured
        (and so the range of dates where :meth:`gap` and :meth:`frontier` give numbers without
        ``extrapolate=True``)."""
        dates = self.design.rows[D.DATE]
        return pd.Timestamp(dates.min()), pd.Timestamp(dates.max())

    def _default_dates(self) -> pd.DatetimeIndex:
        first, last = self.support()
        start = max(pd.Timestamp("2023-01-01"), first)
        return date_grid(start if start <= last else first, last, step_days=7)

    def _dates(self, dates: Any, name: str = "dates") -> pd.DatetimeIndex:
        return self._default_dates() if dates is None else check_dates_option(dates, name)

    def _outside(self, dates: pd.DatetimeIndex) -> np.ndarray:
        first, last = self.support()
        return np.asarray((dates < first) | (dates > last))

    def _warn_outside(self, dates: pd.DatetimeIndex, method: str, what: str) -> None:
        """Warn (once per call) that ``what`` is NaN at the dates outside the support."""
        first, last = self.support()
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
            stacklevel=3,
        )

    def _knot_values(
        self, lo_day: float | None = None, hi_day: float | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Knot days and frontier draws ``(chain, draw, weights, knot)``, with knots added past
        either end (drawn growth, see :meth:`frontier_draws`) until ``[lo_day, hi_day]`` is
        covered."""
        post = self.posterior
        days = to_days(self.design.knot_dates)
        vals = post["frontier"].transpose(D.CHAIN, D.DRAW, D.WEIGHTS, KNOT_DIM).to_numpy()
        h = float(np.diff(self.design.knots)[0])  # segment length in years, as in the model
        step = h * 365.25
        n_fwd = 0 if hi_day is None else max(0, math.ceil((hi_day - days[-1]) / step))
        n_back = 0 if lo_day is None else max(0, math.ceil((days[0] - lo_day) / step))
        if not n_fwd and not n_back:
            return days, vals
        mu = post["log_growth_mean"].transpose(D.CHAIN, D.DRAW, D.WEIGHTS).to_numpy()
        if "growth_spread" in post:  # learned: each draw's own spread
            sigma = post["growth_spread"].transpose(D.CHAIN, D.DRAW).to_numpy()[..., None]
        else:
            sigma = np.asarray(float(self.settings.growth_spread))

        def rises(direction: int, n: int) -> np.ndarray:
            # one standard-normal draw per (chain, draw, side) and segment, seeded by the
            # segment's position so that every call extends the frontiers identically
            out = np.empty((*mu.shape, n))
            for k in range(n):
                rng = np.random.default_rng([EXTRAPOLATION_SEED, direction, k])
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

    def _frontier_values(self, dates: pd.DatetimeIndex, extrapolate: bool) -> xr.DataArray:
        """Frontier draws at ``dates`` without support checks (``extrapolate``: drawn growth past
        the knots; otherwise held at the end knots, which callers mask)."""
        x = to_days(dates)
        if extrapolate and len(x):
            knots, vals = self._knot_values(float(x.min()), float(x.max()))
        else:
            knots, vals = self._knot_values()
        k = np.clip(np.searchsorted(knots, x, side="right") - 1, 0, len(knots) - 2)
        w = np.clip((x - knots[k]) / (knots[k + 1] - knots[k]), 0.0, 1.0)
        out = vals[..., k] * (1 - w) + vals[..., k + 1] * w
        f = self.posterior["frontier"]
        return xr.DataArray(
            out,
            dims=(D.CHAIN, D.DRAW, D.WEIGHTS, D.DATE),
            coords={
                D.CHAIN: f[D.CHAIN].to_numpy(),
                D.DRAW: f[D.DRAW].to_numpy(),
                D.WEIGHTS: list(f[D.WEIGHTS].to_numpy()),
                D.DATE: dates,
            },
            name="frontier",
        )

    def frontier_draws(self, dates: Any = None, *, extrapolate: bool = False) -> xr.DataArray:
        r"""Frontier draws ``(chain, draw, weights, date)``, linear between knots.

        Outside the data's support (:meth:`support`) the draws are NaN, with a warning naming
        the first or last date with data, unless ``extrapolate=True``. Then each side's frontier
        continues past its last knot :math:`\tau_K` (and before its first, :math:`\tau_0`)
        segment by segment, each segment of the model's length :math:`h` (``knot_months``), with
        a new log growth rate per posterior draw :math:`s`, drawn from the fitted hierarchy:

        .. math::

            F_g^{(s)}(\tau_{K+j}) = F_g^{(s)}(\tau_K) + \sum_{i=1}^{j} h\,
                e^{\lambda^{(s)}_{g,K+i}},\qquad
            \lambda^{(s)}_{g,K+i} \sim \mathcal N(\mu^{(s)}_{\lambda,g}, \sigma_\lambda),

        and :math:`F_g^{(s)}(\tau_{-j}) = F_g^{(s)}(\tau_0) - \sum_{i=1}^{j} h\,
        e^{\lambda^{(s)}_{g,-i}}` backwards, linear in between. The spread of the frontier (and
        of the gap) therefore grows with the distance from the data: through the posterior
        spread of the typical rate :math:`\mu_{\lambda,g}` (linearly in the distance) and the
        segment-to-segment spread :math:`\sigma_\lambda` (``growth_spread``, as the square root
        of the number of segments). Between the last release date and the last knot the model's
        own segments are used, which are drawn from the same hierarchy. The drawn rates are
        seeded by :data:`EXTRAPOLATION_SEED` and the segment's position, so every call
        extrapolates identically.
        """
        extrapolate = _check_extrapolate(extrapolate)
        dates = self._dates(dates)
        da = self._frontier_values(dates, extrapolate)
        if not extrapolate:
            outside = self._outside(dates)
            if outside.any():
                self._warn_outside(dates, "frontier_draws", "the frontier")
                da = da.where(xr.DataArray(~outside, dims=D.DATE, coords={D.DATE: dates}))
        return da

    def _gap_values(
        self,
        dates: pd.DatetimeIndex,
        direction: Direction,
        extrapolate: bool,
        domains: bool = False,
        censor: bool = False,
    ) -> xr.DataArray:
        """Gap draws at ``dates`` (cached), groups :data:`GAP_GROUPS` (and the domains with
        ``domains``); NaN outside the support unless ``extrapolate``; with ``censor``, a draw
        whose gap needs a frontier beyond the grid is ``-inf`` or ``+inf`` (its side) rather
        than NaN (:func:`irtgap.core.gaps.time_shift_gap`)."""
        key = (direction, extrapolate, domains, censor, tuple(dates))
        if key in self._cache:
            return self._cache[key]
        first, last = self.support()
        if extrapolate:
            margin = pd.Timedelta(days=EXTRAPOLATION_MARGIN_YEARS * 365.25)
            lo = min(first, dates.min()) - margin if len(dates) else first
            hi = max(last, dates.max()) + margin if len(dates) else last
            fine = date_grid(lo, hi, step_days=7)
            fine = fine.union(pd.DatetimeIndex(dates)).union(pd.DatetimeIndex([hi]))
        else:
            # only the measured frontiers: a forward gap that needs the open frontier past the
            # last date (or a backward one that needs the closed frontier before the first) is
            # undefined in that draw
            inside = dates[~self._outside(dates)]
            fine = date_grid(first, last, step_days=7)
            fine = fine.union(pd.DatetimeIndex(inside)).union(pd.DatetimeIndex([last]))
        fine = fine.as_unit("ns")
        fr = self._frontier_values(fine, extrapolate)
        f_closed = fr.sel({D.WEIGHTS: D.CLOSED}).to_numpy()
        f_open = fr.sel({D.WEIGHTS: D.OPEN}).to_numpy()
        years = years_since(fine, self.design.origin)  # a trending open advantage reads them
        shifts = group_shifts(self.posterior, self.design, domains=domains, years=years)
        grid = to_days(fine)
        latent = time_shift_gap(grid, f_open, f_closed, direction=direction, censor=censor)
        vals = [
            time_shift_gap(
                grid,
                f_open + (shift if shift.ndim == 3 else shift[..., None]),
                f_closed,
                direction=direction,
                censor=censor,
            )
            if shift.any()
            else latent  # no shift: the capability gap (computed once)
            for shift in shifts.values()
        ]
        da = xr.DataArray(
            np.stack(vals, axis=2),
            dims=(D.CHAIN, D.DRAW, D.GROUP, D.DATE),
            coords={
                D.CHAIN: fr[D.CHAIN].to_numpy(),
                D.DRAW: fr[D.DRAW].to_numpy(),
                D.GROUP: list(shifts),
                D.DATE: fine,
            },
            name="gap_months",
        ).reindex({D.DATE: dates})
        self._cache[key] = da
        return da

    def gap_draws(
        self,
        dates: Any = None,
        *,
        direction: Direction = "backward",
        extrapolate: bool = False,
        by: Literal["domain"] | None = None,
    ) -> xr.DataArray:
        """Gap draws in months ``(chain, draw, group, date)``, groups capability / public /
        private (see the class docstring), or with ``by="domain"`` one group per domain (a fit
        with open offsets; NaN where :meth:`gap` gives no number for the domain, with the same
        warnings).

        The gap is computed on a weekly grid over the data's support (so that the closed
        frontier's past is available) and then read at ``dates``. Outside the support the draws
        are NaN with a warning, unless ``extrapolate=True`` (see :meth:`frontier_draws`); within
        it, a draw whose gap needs a frontier outside the support (a forward gap the open side
        has not closed by the last date) is NaN too unless ``extrapolate=True``.
        """
        direction = _check_direction(direction)
        extrapolate = _check_extrapolate(extrapolate)
        if by not in (None, "domain"):
            raise ValueError(f"by={by!r}: use None or 'domain'")
        self._check_domains(by)
        dates = self._dates(dates)
        if not extrapolate:
            self._warn_outside(dates, "gap_draws", "the gap")
        if by is None:
            return self._gap_values(dates, direction, extrapolate).copy()  # cache stays intact
        draws = self._gap_values(dates, direction, extrapolate, domains=True)
        draws = draws.sel({D.GROUP: list(self.design.domains)})
        cells = pd.MultiIndex.from_product([draws[D.GROUP].to_numpy(), dates])
        blank = self._domain_blank(
            pd.Series(cells.get_level_values(0)),
            pd.Series(cells.get_level_values(1)),
            extrapolate,
            "gap_draws",
        )
        keep = xr.DataArray(
            ~blank.reshape(draws.sizes[D.GROUP], len(dates)),
            dims=(D.GROUP, D.DATE),
            coords={D.GROUP: draws[D.GROUP].to_numpy(), D.DATE: dates},
        )
        return draws.where(keep)

    def _check_domains(self, by: Any) -> None:
        if by == "domain" and not self.settings.open_offsets:
            raise ValueError(
                "by='domain' needs a fit of GapModel(open_offsets=True): without open offsets "
                "every domain shows the capability gap, moved only by its share of public "
                "benchmarks"
            )

    # ------------------------------------------------------------------ summaries
    def gap(
        self,
        dates: Any = None,
        *,
        ci_prob: float | None = None,
        reference_date: Any = None,
        min_defined: float = 0.9,
        by: Literal["access", "domain"] | None = None,
        direction: Direction = "backward",
        extrapolate: bool = False,
    ) -> pd.DataFrame:
        """Posterior gap in months at ``dates`` (weekly from 2023 to the last date by default).

        Returns the shared gap table: ``date, group, mean, median, lower, upper, n_defined,
        prob_grew, method``. ``by=None`` gives the capability gap (group ``"capability"``);
        ``by="access"`` gives the gap as it appears on public benchmarks (group ``"public"``:
        with the open public-benchmark advantage) and on private ones (group ``"private"``:
        the capability gap, private benchmarks being the reference category; with open offsets,
        the gaps the public and the private benchmarks show). ``by="domain"`` (a fit of
        ``GapModel(open_offsets=True)``) gives one group per domain: the gap its modelled
        benchmarks show (:mod:`irtgap.methods.bayes.domains`), NaN with a warning for a domain
        with too few benchmarks or models (:meth:`domains` says which) and, unless
        ``extrapolate=True``, at dates outside the release dates of the open models scored in
        it. ``prob_grew`` is
        the posterior probability that the gap at ``date`` exceeds the gap at ``reference_date``
        (NaN without one; :meth:`summary` uses DeepSeek R1's release, 2025-01-20). Where fewer
        than ``min_defined`` of the draws have a defined gap the statistics are NaN, with a
        warning.

        Outside the data's support (:meth:`support`) the gap is NaN with a warning naming the
        last (or first) release date of the modelled data, and so is ``prob_grew`` when
        ``reference_date`` lies outside, unless ``extrapolate=True``: then the frontiers
        continue with their posterior growth spread and the interval widens with the distance
        (see :meth:`frontier_draws`).

        Raises
        ------
        ValueError
            ``dates`` or ``reference_date`` not dates, ``by`` not None / ``"access"`` /
            ``"domain"`` (or ``"domain"`` on a fit without open offsets), ``ci_prob`` outside
            (0, 1), ``direction`` not ``"backward"`` / ``"forward"``.
        """
        if not (by is None or (isinstance(by, str) and by in GROUPS_BY)):
            raise ValueError(f"by={by!r}: use None (the capability gap), 'access' or 'domain'")
        self._check_domains(by)
        ci_prob = self.interval_probability(ci_prob)
        direction = _check_direction(direction)
        extrapolate = _check_extrapolate(extrapolate)
        dates = self._dates(dates)
        ref = check_date_option("reference_date", reference_date, allow_none=True)
        if not extrapolate:
            self._warn_outside(dates, "gap", "the gap")
            if ref is not None and self._outside(pd.DatetimeIndex([ref])).any():
                self._warn_outside(
                    pd.DatetimeIndex([ref]), "gap", f"prob_grew (reference_date={ref.date()})"
                )
        dates_all = dates if ref is None else dates.union(pd.DatetimeIndex([ref]))
        domains = by == "domain"
        # censored draws (a frontier beyond the grid, on a known side) keep their place in the
        # order statistics instead of being dropped or refusing the cell (summarize_gap)
        draws = self._gap_values(dates_all, direction, extrapolate, domains=domains, censor=True)
        groups = list(self.design.domains) if domains else list(GROUPS_BY[by])
        table = self._summarize(
            draws.sel({D.GROUP: groups}),
            ci_prob=ci_prob,
            ref=ref,
            method=self.method,
            mask=not extrapolate,
            min_defined=min_defined,
        )
        if domains:
            table = self._mask_domains(table, ref, extrapolate)
        return conform_gap_table(table[table[D.DATE].isin(dates)], self.method)

    def domains(self) -> pd.DataFrame:
        """Per domain of the modelled benchmarks: benchmarks, open and closed models scored,
        the dates where its gap is measured and whether there is enough for a number
        (:func:`~irtgap.methods.bayes.domains.domain_coverage`)."""
        return domain_coverage(self.design)

    def open_offsets(self, *, date: Any = None, ci_prob: float = CI_PROB) -> pd.DataFrame:
        r"""Per modelled benchmark: how open models do there relative to their capability.

        Columns: ``domain``, ``access``, ``n_open`` (open models scored), ``last_open`` (the
        last release date of those models), the open shift :math:`s_b = \gamma[a_b =
        \text{public}] + o_b` in capability units (``mean``, ``median``, ``lower``, ``upper``,
        ``prob_positive``; see :mod:`irtgap.methods.bayes.domains`), and the backward gap in
        months that the benchmark shows at ``date`` (the last release date by default:
        ``gap_median``, ``gap_lower``, ``gap_upper``), its offset taken as constant in time. A
        positive shift means open models score higher there than their capability predicts: a
        shorter gap.

        Raises
        ------
        ValueError
            A fit without ``open_offsets``; ``date`` not a date or outside the data's support;
            ``ci_prob`` outside (0, 1).
        """
        if not self.settings.open_offsets:
            raise ValueError(
                "open_offsets needs a fit of GapModel(open_offsets=True): without them open "
                "models have one offset, the public-benchmark advantage (see terms())"
            )
        ci_prob = _check_ci(ci_prob)
        first, last = self.support()
        when = last if date is None else check_date_option("date", date)
        assert when is not None
        if self._outside(pd.DatetimeIndex([when])).any():
            raise ValueError(
                f"date={when.date()}: outside the data's support ({first.date()} to "
                f"{last.date()}); give a date inside it"
            )
        table = offset_table(self.posterior, self.design, ci_prob=ci_prob)
        rows = self.design.rows[self.design.open_rows]
        table["last_open"] = rows.groupby(D.BENCHMARK)[D.DATE].max().reindex(table.index)
        grid = date_grid(first, last, step_days=7).union(pd.DatetimeIndex([when])).as_unit("ns")
        fr = self._frontier_values(grid, extrapolate=False)
        f_closed = _stack(fr.sel({D.WEIGHTS: D.CLOSED}))
        f_open = _stack(fr.sel({D.WEIGHTS: D.OPEN, D.DATE: when}))
        shifts = benchmark_shifts(self.posterior, self.design).reshape(len(f_open), -1)
        months = backward_gap_at(
            to_days(grid), f_closed, f_open[:, None] + shifts, float(to_days([when])[0])
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            q = np.nanquantile(months, [0.5, (1 - ci_prob) / 2, 1 - (1 - ci_prob) / 2], axis=0)
        defined = np.isfinite(months).mean(0)
        if (defined < 0.9).any():
            warn_user(
                f"GapFit.open_offsets: at {when.date()} fewer than 90% of the draws define the "
                "gap of "
                + ", ".join(
                    f"{b!r} ({v:.0%})" for b, v in zip(table.index, defined, strict=True) if v < 0.9
                )
                + " (the closed frontier reached that level before the data begin, or had not "
                "reached it by the last date: open models ahead there): gap_median, gap_lower and "
                "gap_upper are NaN there"
            )
        q[:, defined < 0.9] = np.nan
        table["gap_median"], table["gap_lower"], table["gap_upper"] = q
        table.attrs["date"] = when
        return table

    def _domain_blank(
        self, group: pd.Series, date: pd.Series, extrapolate: bool, method: str
    ) -> np.ndarray:
        """Per (domain ``group``, ``date``) cell: no number, because the domain has too little
        data or (unless ``extrapolate``) the date lies outside its dates; warns (naming them)."""
        cov = self.domains()
        group = group.astype(str).reset_index(drop=True)
        date = pd.to_datetime(date).reset_index(drop=True)
        thin = cov.index[~cov["enough"]]
        if len(thin):
            warn_user(
                f"GapFit.{method}(by='domain'): no number for "
                + "; ".join(f"{d!r} ({cov.loc[d, 'reason']})" for d in thin)
                + f". A domain's gap needs {MIN_DOMAIN_BENCHMARKS} modelled benchmarks and "
                f"{MIN_DOMAIN_MODELS} open and closed models scored on them."
            )
        blank = np.array(group.isin(thin), dtype=bool)
        if not extrapolate:
            first = pd.to_datetime(group.map(cov["first"]))
            until = pd.to_datetime(group.map(cov["until"]))
            out = ((date < first) | (date > until)).to_numpy() & ~blank
            if out.any():
                warn_user(
                    f"GapFit.{method}(by='domain'): NaN at dates outside the release dates of "
                    f"the open models scored (plus {DOMAIN_CARRY_MONTHS} months) in "
                    + "; ".join(
                        f"{d!r} ({cov.loc[d, 'first']:%Y-%m-%d} to {cov.loc[d, 'until']:%Y-%m-%d})"
                        for d in sorted(set(group[out]))
                    )
                    + ": the open offset is measured there only (extrapolate=True carries it "
                    "on as a constant)."
                )
                blank |= out
        return blank

    def _mask_domains(
        self, table: pd.DataFrame, ref: pd.Timestamp | None, extrapolate: bool
    ) -> pd.DataFrame:
        """NaN (with warnings) for domains without enough data, and outside each domain's
        dates unless ``extrapolate`` (as is ``prob_grew`` when ``ref`` lies outside them)."""
        stats = [c for c in ("mean", "median", "lower", "upper", "prob_grew") if c in table]
        blank = self._domain_blank(table[D.GROUP], table[D.DATE], extrapolate, "gap")
        if ref is not None and "prob_grew" in table and not extrapolate:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # said above for the dates
                ref_out = self._domain_blank(
                    table[D.GROUP], pd.Series(ref, index=table.index), False, "gap"
                )
            table.loc[ref_out, "prob_grew"] = np.nan
        table.loc[blank, stats] = np.nan
        table.loc[blank, "n_defined"] = 0
        return table

    def _summarize(
        self,
        draws: xr.DataArray,
        *,
        ci_prob: float,
        ref: pd.Timestamp | None = None,
        method: str | None = None,
        mask: bool = True,
        min_defined: float = 0.9,
    ) -> pd.DataFrame:
        """:func:`~irtgap.core.gaps.summarize_gap` of ``draws`` at the dates inside the support;
        outside it (when ``mask``; the caller has warned) every statistic is NaN and
        ``n_defined`` is 0, as is ``prob_grew`` when ``ref`` lies outside."""
        dates = pd.DatetimeIndex(draws[D.DATE].to_numpy())
        inside = ~self._outside(dates) if mask else np.ones(len(dates), bool)
        ref_inside = ref is not None and not (mask and self._outside(pd.DatetimeIndex([ref])).any())
        groups = list(draws[D.GROUP].to_numpy())
        full = pd.MultiIndex.from_product([dates, groups], names=[D.DATE, D.GROUP])
        stats = ["mean", "median", "lower", "upper", "n_defined"]
        if inside.any():
            table = summarize_gap(
                draws.isel({D.DATE: np.flatnonzero(inside)}),
                ci_prob=ci_prob,
                reference_date=ref if ref_inside else None,
                method=method,
                min_defined=min_defined,
            )
            table = table.drop(columns="method", errors="ignore")
            table = table.set_index([D.DATE, D.GROUP]).reindex(full)
        else:
            table = pd.DataFrame(np.nan, index=full, columns=stats)
        table["n_defined"] = table["n_defined"].fillna(0).astype(np.int64)
        if ref is not None and "prob_grew" not in table:
            table["prob_grew"] = np.nan
        if method is not None:
            table["method"] = method
        return table.reset_index()

    def frontier(
        self, dates: Any = None, *, ci_prob: float = 0.9, extrapolate: bool = False
    ) -> pd.DataFrame:
        """Posterior frontier per side: ``date, weights, mean, median, lower, upper``.

        NaN outside the data's support with a warning, unless ``extrapolate=True`` (see
        :meth:`frontier_draws`).
        """
        ci_prob = _check_ci(ci_prob)
        extrapolate = _check_extrapolate(extrapolate)
        dates = self._dates(dates)
        if not extrapolate:
            self._warn_outside(dates, "frontier", "the frontier")
        da = self._frontier_values(dates, extrapolate).rename({D.WEIGHTS: D.GROUP})
        table = self._summarize(da, ci_prob=ci_prob, mask=not extrapolate)
        return table.rename(columns={D.GROUP: D.WEIGHTS}).drop(columns="n_defined")

    def capabilities(
        self, *, ci_prob: float = 0.9, eci_anchors: dict[str, float] | None = None
    ) -> pd.DataFrame:
        """Posterior capability per model version (hosted versions share their base's).

        With ``eci_anchors`` (e.g. ``{"claude-3-5-sonnet-20240620": 130, "gpt-5-2025-08-07_high":
        150}``, model ids of the data), each draw is mapped affinely so that the anchors land on
        those values: the same scale as Epoch's ECI, for comparison.
        """
        ci_prob = _check_ci(ci_prob)
        post = self.posterior
        cap = _stack(post["capability"])  # (S, units)
        units = list(post["unit"].to_numpy())
        models = self.design.models
        col = pd.Index(units).get_indexer(models["base"])
        draws = cap[:, col]
        if eci_anchors:
            if len(eci_anchors) != 2:
                raise ValueError("eci_anchors needs exactly two models")
            (m1, v1), (m2, v2) = eci_anchors.items()
            idx = []
            for name in (m1, m2):
                if name not in models.index:
                    raise ValueError(f"anchor model {name!r} is not among the modelled models")
                idx.append(models.index.get_loc(name))
            a = (v2 - v1) / (draws[:, idx[1]] - draws[:, idx[0]])
            draws = v1 + a[:, None] * (draws - draws[:, [idx[0]]])
        lo, hi = np.quantile(draws, [(1 - ci_prob) / 2, 1 - (1 - ci_prob) / 2], axis=0)
        out = models[[D.DATE, D.WEIGHTS, D.PROVIDER, D.MODEL_GROUP]].copy()
        out["mean"] = draws.mean(0)
        out["lower"] = lo
        out["upper"] = hi
        counts = self.design.rows.groupby(D.MODEL).size()
        out["n_benchmarks"] = counts.reindex(out.index).fillna(0).astype(int)
        return out.sort_values("mean", ascending=False)

    def terms(self, *, ci_prob: float = 0.9) -> pd.DataFrame:
        """Posterior of the named terms beside their priors.

        ``informed`` is ``1 - posterior sd / prior sd``: near 0 the data say little and the term
        stays at its prior (e.g. a provider scored on one benchmark only); near 1 the data pin it.
        """
        ci_prob = _check_ci(ci_prob)
        post = self.posterior
        s = self.settings
        hn = np.sqrt(1 - 2 / np.pi)
        priors = {
            "public_advantage": s.prior_scale_gamma,
            "public_advantage_trend": s.prior_scale_gamma,  # per year; with the trend only
            "provider_degradation": s.prior_scale_delta * hn,
            "shortfall_scale": 2.0 * hn,
            "log_growth_mean": 1.0,
            "growth_spread": s.growth_spread * hn,  # learned (learn_growth_spread) only
            "open_domain_sd": s.prior_scale_offset * hn,
            "open_benchmark_sd": s.prior_scale_offset * hn,
            "private_effect_sd": s.prior_scale_private * hn,
        }
        rows = []
        for name, prior_sd in priors.items():
            if name not in post:
                continue
            da = post[name]
            extra = [d for d in da.dims if d not in (D.CHAIN, D.DRAW)]
            stacked = da.stack(sample=(D.CHAIN, D.DRAW))
            labels = [None] if not extra else list(da[extra[0]].to_numpy())
            for lab in labels:
                v = (stacked if lab is None else stacked.sel({extra[0]: lab})).to_numpy()
                lo, hi = np.quantile(v, [(1 - ci_prob) / 2, 1 - (1 - ci_prob) / 2])
                rows.append(
                    {
                        "term": name if lab is None else f"{name}[{lab}]",
                        "mean": v.mean(),
                        "sd": v.std(),
                        "lower": lo,
                        "upper": hi,
                        "prior_sd": prior_sd,
                        "informed": 1 - v.std() / prior_sd,
                    }
                )
        return pd.DataFrame(rows).set_index("term")

    def diagnostics(self, *, warn: bool = True) -> pd.Series:
        """Sampler diagnostics: max R-hat, min bulk/tail ESS (all, frontier, gap), divergences.

        Warns with :class:`~irtgap.core.errors.ConvergenceWarning` when R-hat > 1.01, the bulk ESS
        of the frontier or gap < 400, or any transition diverged; also when a check cannot be made
        (R-hat needs two or more chains; the gap's ESS needs a date where every draw's gap is
        defined), rather than passing it silently.
        """
        import arviz_stats as azs

        post = self.posterior
        with warnings.catch_warnings():
            # constant draws (the anchor benchmark's fixed slope and difficulty) have no R-hat:
            # NaN, skipped by the maxima below
            warnings.simplefilter("ignore", RuntimeWarning)
            rhat = azs.rhat(post)
            ess = azs.ess(post, method="bulk")
            ess_tail = azs.ess(post, method="tail")
            # all-NaN (one chain: no R-hat) stays NaN and is reported below, not passed
            # (np.nanmax over every value: Python's max() is order-dependent with NaN)
            max_rhat = float(
                np.nanmax(np.concatenate([v.to_numpy().ravel() for v in rhat.values()]))
            )
            min_ess = float(np.nanmin(np.concatenate([v.to_numpy().ravel() for v in ess.values()])))
            min_tail = float(
                np.nanmin(np.concatenate([v.to_numpy().ravel() for v in ess_tail.values()]))
            )
        gap = self._gap_values(self._default_dates()[::4], "backward", False)
        gap = gap.sel({D.GROUP: "capability"})
        gap_ok = gap.where(xr.apply_ufunc(np.isfinite, gap).all(dim=[D.CHAIN, D.DRAW]), drop=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            gap_ess = (
                float(np.nanmin(azs.ess(gap_ok, method="bulk").to_numpy()))
                if gap_ok.size
                else float("nan")
            )
            gap_rhat = (
                float(np.nanmax(azs.rhat(gap_ok).to_numpy())) if gap_ok.size else float("nan")
            )
        stats = self.idata["sample_stats"].to_dataset()
        div = int(stats["diverging"].sum()) if "diverging" in stats else 0
        out = pd.Series(
            {
                "max_rhat": max_rhat,
                "min_ess_bulk": min_ess,
                "min_ess_tail": min_tail,
                "frontier_max_rhat": float(rhat["frontier"].max()),
                "frontier_min_ess_bulk": float(ess["frontier"].min()),
                "gap_max_rhat": gap_rhat,
                "gap_min_ess_bulk": gap_ess,
                "divergences": div,
                "chains": int(post.sizes[D.CHAIN]),
                "draws": int(post.sizes[D.DRAW]),
            },
            name="diagnostics",
        )
        if warn:
            problems = []
            n_chains = int(post.sizes[D.CHAIN])
            if n_chains < 2:
                problems.append(
                    f"R-hat is undefined with {n_chains} chain (convergence not checked: "
                    "run 2 or more chains)"
                )
            elif max_rhat > RHAT_MAX:
                problems.append(f"max R-hat {max_rhat:.3f} > {RHAT_MAX}")
            for key in ("frontier_min_ess_bulk", "gap_min_ess_bulk"):
                if out[key] < ESS_MIN:
                    problems.append(f"{key} {out[key]:.0f} < {ESS_MIN}")
            if not np.isfinite(gap_ess):
                problems.append(
                    "gap_min_ess_bulk not checked (no date where every draw's gap is defined)"
                )
            if div:
                problems.append(f"{div} divergent transitions")
            if problems:
                warnings.warn(
                    "sampler diagnostics are bad: "
                    + "; ".join(problems)
                    + ". Run longer (draws/tune), more chains, or check the model.",
                    ConvergenceWarning,
                    stacklevel=2,
                )
        return out

    def group_support(self) -> dict[str, tuple[pd.Timestamp, pd.Timestamp]]:
        """Every gap group has the data's :meth:`support`."""
        return dict.fromkeys(GAP_GROUPS, self.support())

    # ------------------------------------------------------------------ checks
    def check(self, *, n_draws: int = 400, seed: int = 0, ci_prob: float = CI_PROB) -> ModelChecks:
        """Check the fit against its data: PSIS-LOO (with each model's capability integrated out
        where plain PSIS is unreliable), Pareto-k table, LOO-PIT and posterior predictive checks
        by benchmark, side, access and year (see :mod:`irtgap.methods.bayes.checks`).

        ``n_draws`` posterior samples give the replicates of the predictive checks; ``seed``
        seeds them and the randomized PIT of censored scores. No refit: a few seconds to a
        minute (the log-likelihood of every row and draw is computed once).
        """
        from irtgap.methods.bayes.checks import model_checks

        return model_checks(self, n_draws=n_draws, seed=seed, ci_prob=ci_prob)

    # ------------------------------------------------------------------ plots
    def plot_terms(self, *, ax: Axes | None = None, ci_prob: float = CI_PROB) -> Axes:
        """The named terms (:meth:`terms`: open public-benchmark advantage, provider penalties,
        shortfall scales) with their ``ci_prob`` intervals."""
        return plot_terms(self.terms(ci_prob=ci_prob), ax=ax, ci_prob=ci_prob)

    def plot_frontier(self, *, ax: Axes | None = None, ci_prob: float = CI_PROB) -> Axes:
        """Both frontiers with bands, and each model's posterior capability."""
        return plot_frontier(
            self.frontier(ci_prob=ci_prob),
            self.capabilities(ci_prob=ci_prob),
            ax=ax,
            ci_prob=ci_prob,
            anchor=self.design.anchor_benchmark,
        )

    def plot_domains(self, *, ax: Any = None, ci_prob: float = CI_PROB) -> Any:
        """The gap by domain over time (:meth:`gap` with ``by="domain"``): small multiples,
        one panel per domain with the shared (capability, offset 0) gap in grey (``ax=None``: a
        new figure; or a sequence of Axes, one per domain), or every domain in one Axes (``ax``
        an Axes).
        Returns the Axes drawn on (an array for small multiples)."""
        with warnings.catch_warnings():
            # the warnings of gap(by="domain") are the caller's to see once, not per figure
            warnings.simplefilter("ignore", UserWarning)
            table = self.gap(by="domain", ci_prob=ci_prob)
            shared = self.gap(ci_prob=ci_prob)
        return plot_domain_gaps(table, shared=shared, ax=ax, ci_prob=ci_prob)

    def plot_open_offsets(
        self, *, ax: Axes | None = None, ci_prob: float = CI_PROB, months: bool = True
    ) -> Axes:
        """Forest plot of :meth:`open_offsets`: each benchmark's gap at the last date (or its
        open shift, ``months=False``), grouped by domain."""
        offsets = self.open_offsets(ci_prob=ci_prob)
        return plot_open_offsets(offsets, ax=ax, ci_prob=ci_prob, months=months)

    # ------------------------------------------------------------------ persistence
    def _extra_nodes(self) -> dict[str, xr.Dataset]:
        """The inference data's groups (posterior, sample_stats, ...), without object
        variables (e.g. nutpie's divergence messages, not storable in netCDF)."""
        nodes = {}
        for name in self.idata.children:
            ds = self.idata[name].to_dataset()
            nodes[name] = ds.drop_vars([v for v in ds.data_vars if ds[v].dtype == object])
        return nodes

    def _saved_state(self) -> SavedState:
        return SavedState()

    @classmethod
    def _from_saved_state(
        cls, state: SavedState, data: ScoreData | None, tree: xr.DataTree
    ) -> GapFit:
        if data is None:
            raise ValueError("GapFit.from_netcdf: the file holds no data; it cannot be rebuilt")
        path = Path(str(tree.attrs.get("irtgap_path", "")))
        settings = GapSettings.from_saved(
            state.values["settings"], source=f"GapFit.from_netcdf: {str(path)!r}"
        )
        idata = xr.DataTree.from_dict(
            {
                name: tree[name].to_dataset()
                for name in tree.children
                if not name.startswith("irtgap_") and name != "gap"
            }
        )
        return cls._rebuild(idata, data, settings, path)

    @classmethod
    def _rebuild(
        cls, idata: xr.DataTree, data: ScoreData, settings: GapSettings, path: Path
    ) -> GapFit:
        design = settings.design(data)
        if "posterior" not in idata.children:
            raise ValueError(f"GapFit.from_netcdf: {str(path)!r} holds no posterior")
        post = idata["posterior"].to_dataset()
        missing = [v for v in REQUIRED_VARIABLES if v not in post]
        if missing:
            raise ValueError(
                f"GapFit.from_netcdf: the posterior in {str(path)!r} lacks {missing} (it was not "
                "written by this version of irtgap's GapFit.to_netcdf); refit the model"
            )
        _check_matches(post, design, path)
        if settings.upper_asymptote and "saturating_benchmark" in post.coords:
            want = design.benchmarks.index[saturating_benchmarks(design, settings.lapse_threshold)]
            if list(post["saturating_benchmark"].to_numpy()) != list(want):
                raise ValueError(
                    f"GapFit.from_netcdf: the saved posterior's lapse rates are on "
                    f"{post.sizes['saturating_benchmark']} benchmarks, but lapse_threshold="
                    f"{settings.lapse_threshold} gives {len(want)} ({str(path)!r} was written "
                    "with other settings or by an incompatible version of irtgap); refit"
                )
        return cls(idata=idata, design=design, settings=settings, data=data)


def _check_matches(post: xr.Dataset, design: Design, path: Path) -> None:
    """The saved posterior's coordinates are those of the rebuilt design."""
    units = design.models.index[design.base_idx == np.arange(len(design.models))]
    want = {
        "unit": list(units),
        D.BENCHMARK: list(design.benchmarks.index),
        KNOT_DIM: list(design.knot_dates),
    }
    for dim, values in want.items():
        if dim in post.coords and list(post[dim].to_numpy()) != list(pd.Index(values).to_numpy()):
            raise ValueError(
                f"GapFit.from_netcdf: the saved posterior's {dim!r} coordinate does not match "
                f"the design rebuilt from the saved data ({str(path)!r} was written by an "
                "incompatible version of irtgap); refit the model"
            )
