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
:meth:`GapFit.frontier_draws` and :mod:`irtgap.methods.bayes.frontiers` for the maths of the
extrapolation).

The class reads its posterior through one module per topic: :mod:`~irtgap.methods.bayes.frontiers`
(frontier draws at any date), :mod:`~irtgap.methods.bayes.support` (the data's support),
:mod:`~irtgap.methods.bayes.summaries` (capability, term and summary tables),
:mod:`~irtgap.methods.bayes.domains` (open offsets and the gap by domain),
:mod:`~irtgap.methods.bayes.diagnostics` (sampler diagnostics) and
:mod:`~irtgap.methods.bayes.persistence` (its part of the result file).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np
import pandas as pd
import xarray as xr

from irtgap.core import dims as D
from irtgap.core.gaps import Direction, date_grid, time_shift_gap, to_days
from irtgap.core.options import check_level
from irtgap.data.scoredata import ScoreData
from irtgap.methods.bayes import persistence
from irtgap.methods.bayes.design import (
    Design,
    check_date_option,
    check_dates_option,
    years_since,
)
from irtgap.methods.bayes.diagnostics import sampler_diagnostics, warn_if_bad
from irtgap.methods.bayes.domains import (
    benchmark_gaps,
    domain_blank,
    domain_coverage,
    group_loadings,
    group_shifts,
    mask_domains,
    offset_table,
)
from irtgap.methods.bayes.elicited import default_dates as elicitation_dates
from irtgap.methods.bayes.elicited import (
    effort_table,
    elicitation_gap_table,
    harness_table,
    require_terms,
)
from irtgap.methods.bayes.frontiers import frontier_values, gap_grid
from irtgap.methods.bayes.graph import SECOND
from irtgap.methods.bayes.settings import GapSettings
from irtgap.methods.bayes.summaries import (
    capability_table,
    contract_capabilities,
    frontier_summary,
    summarize_inside,
    terms_table,
)
from irtgap.methods.bayes.support import default_dates, outside, warn_outside
from irtgap.plotting.bayes import plot_frontier, plot_terms
from irtgap.plotting.domains import plot_domain_gaps, plot_open_offsets
from irtgap.results import CI_PROB, GapResult, SavedState, conform_gap_table

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from irtgap.methods.bayes.checks import ModelChecks


#: Groups of :meth:`GapFit.gap_draws` (see the module docstring).
GAP_GROUPS = ("capability", "public", "private")
#: Groups of :meth:`GapFit.gap` per ``by``.
GROUPS_BY: dict[str | None, tuple[str, ...]] = {
    None: ("capability",),
    "access": ("public", "private"),
    "domain": (),  # the fit's domains (GapModel(open_offsets=True))
}


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
    #: The fit has a capability per model (:meth:`capabilities`).
    has_capabilities: ClassVar[bool] = True
    #: The unit of :meth:`capabilities`.
    capability_unit: ClassVar[str] = "capability (logits of the anchor benchmark)"
    #: Gap draws can be ``+-inf``: censored on a known side (see :meth:`gap`).
    censored_draws: ClassVar[bool] = True
    #: The group a one-number summary reads.
    headline_group: ClassVar[str] = "capability"

    idata: Any
    design: Design
    settings: GapSettings
    data: ScoreData
    _cache: dict[Any, Any] = field(default_factory=dict, repr=False)

    # ------------------------------------------------------------------ draws
    @property
    def inference(self) -> str:
        """How the posterior was computed: ``"nuts"`` (the full run) or ``"fast"`` (the short
        schedule for studies, :data:`irtgap.methods.bayes.model.INFERENCE`)."""
        return str(self.idata["posterior"].attrs.get("irtgap_inference", "nuts"))

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

    def group_support(self) -> dict[str, tuple[pd.Timestamp, pd.Timestamp]]:
        """Every gap group has the data's :meth:`support`."""
        return dict.fromkeys(GAP_GROUPS, self.support())

    def _dates(self, dates: Any, name: str = "dates") -> pd.DatetimeIndex:
        if dates is None:
            return default_dates(self.support())
        return check_dates_option(dates, name)

    def _frontier_values(self, dates: pd.DatetimeIndex, extrapolate: bool) -> xr.DataArray:
        return frontier_values(self.posterior, self.design, self.settings, dates, extrapolate)

    def frontier_draws(self, dates: Any = None, *, extrapolate: bool = False) -> xr.DataArray:
        r"""Frontier draws ``(chain, draw, weights, date)``, linear between knots.

        Outside the data's support (:meth:`support`) the draws are NaN, with a warning naming
        the first or last date with data, unless ``extrapolate=True``. Then each side's frontier
        continues past its last knot (and before its first) segment by segment, each segment of
        the model's length :math:`h` (``knot_months``), with a new log growth rate per posterior
        draw drawn from the fitted hierarchy (the maths: :mod:`irtgap.methods.bayes.frontiers`).
        The spread of the frontier (and of the gap) therefore grows with the distance from the
        data: through the posterior spread of the typical rate :math:`\mu_{\lambda,g}`
        (linearly in the distance) and the segment-to-segment spread :math:`\sigma_\lambda`
        (``growth_spread``, as the square root of the number of segments). Between the last
        release date and the last knot the model's own segments are used, which are drawn from
        the same hierarchy. The drawn rates are seeded
        (:data:`~irtgap.methods.bayes.frontiers.EXTRAPOLATION_SEED` and the segment's
        position), so every call extrapolates identically.

        Parameters
        ----------
        dates : date-like or sequence of date-like, optional
            Where to read the frontiers (weekly from 2023 to the last date by default).
        extrapolate : bool
            Continue the frontiers past the data's support (see above).

        Returns
        -------
        xarray.DataArray
        """
        extrapolate = _check_extrapolate(extrapolate)
        dates = self._dates(dates)
        da = self._frontier_values(dates, extrapolate)
        if not extrapolate:
            out = outside(dates, self.support())
            if out.any():
                warn_outside(dates, self.support(), "frontier_draws", "the frontier")
                da = da.where(xr.DataArray(~out, dims=D.DATE, coords={D.DATE: dates}))
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
        fine = gap_grid(dates, self.support(), extrapolate)
        fr = self._frontier_values(fine, extrapolate)
        f_closed = fr.sel({D.WEIGHTS: D.CLOSED}).to_numpy()
        f_open = fr.sel({D.WEIGHTS: D.OPEN}).to_numpy()
        years = years_since(fine, self.design.origin)  # a trending open advantage reads them
        shifts = group_shifts(self.posterior, self.design, domains=domains, years=years)
        weights = group_loadings(self.posterior, self.design, list(shifts))
        if self.settings.second_factor:
            fr2 = frontier_values(
                self.posterior, self.design, self.settings, fine, extrapolate, prefix=SECOND
            )
            p_closed = fr2.sel({D.WEIGHTS: D.CLOSED}).to_numpy()
            p_open = fr2.sel({D.WEIGHTS: D.OPEN}).to_numpy()
        grid = to_days(fine)
        latent = time_shift_gap(grid, f_open, f_closed, direction=direction, censor=censor)
        vals = []
        for group, shift in shifts.items():
            w = weights[group][..., None]
            if not (shift.any() or w.any()):
                vals.append(latent)  # the capability gap (computed once)
                continue
            up = shift if shift.ndim == 3 else shift[..., None]
            if w.any():  # the group's index F + w P (see group_loadings)
                o, c = f_open + w * p_open + up, f_closed + w * p_closed
            else:
                o, c = f_open + up, f_closed
            vals.append(time_shift_gap(grid, o, c, direction=direction, censor=censor))
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
        """Gap draws in months ``(chain, draw, group, date)``.

        Groups capability / public / private (see the class docstring), or with
        ``by="domain"`` one group per domain (a fit with open offsets; NaN where :meth:`gap`
        gives no number for the domain, with the same warnings).

        The gap is computed on a weekly grid over the data's support (so that the closed
        frontier's past is available) and then read at ``dates``. Outside the support the draws
        are NaN with a warning, unless ``extrapolate=True`` (see :meth:`frontier_draws`); within
        it, a draw whose gap needs a frontier outside the support (a forward gap the open side
        has not closed by the last date) is NaN too unless ``extrapolate=True``.

        Parameters
        ----------
        dates : date-like or sequence of date-like, optional
            Where to read the gap (weekly from 2023 to the last date by default).
        direction : {"backward", "forward"}
            The backward gap (how long ago the closed frontier stood where the open one stands)
            or the forward one (how long until the open frontier reaches today's closed one).
        extrapolate : bool
            Continue the frontiers past the data's support.
        by : {None, "domain"}
            One group per domain instead of capability / public / private.

        Returns
        -------
        xarray.DataArray
        """
        direction = _check_direction(direction)
        extrapolate = _check_extrapolate(extrapolate)
        if by not in (None, "domain"):
            raise ValueError(f"by={by!r}: use None or 'domain'")
        self._check_domains(by)
        dates = self._dates(dates)
        if not extrapolate:
            warn_outside(dates, self.support(), "gap_draws", "the gap")
        if by is None:
            return self._gap_values(dates, direction, extrapolate).copy()  # cache stays intact
        draws = self._gap_values(dates, direction, extrapolate, domains=True)
        draws = draws.sel({D.GROUP: list(self.design.domains)})
        cells = pd.MultiIndex.from_product([draws[D.GROUP].to_numpy(), dates])
        blank = domain_blank(
            self.domains(),
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
        it. ``prob_grew`` is the posterior probability that the gap at ``date`` exceeds the gap
        at ``reference_date`` (NaN without one; :meth:`summary` uses DeepSeek R1's release,
        2025-01-20). Where fewer than ``min_defined`` of the draws have a defined gap the
        statistics are NaN, with a warning. Draws censored on a known side (a frontier beyond
        the grid) keep their place in the order statistics.

        Outside the data's support (:meth:`support`) the gap is NaN with a warning naming the
        last (or first) release date of the modelled data, and so is ``prob_grew`` when
        ``reference_date`` lies outside, unless ``extrapolate=True``: then the frontiers
        continue with their posterior growth spread and the interval widens with the distance
        (see :meth:`frontier_draws`).

        Parameters
        ----------
        dates : date-like or sequence of date-like, optional
            Where to read the gap.
        ci_prob : float, optional
            Probability of the equal-tailed interval (0.9 by default).
        reference_date : date-like, optional
            The date ``prob_grew`` compares with.
        min_defined : float
            Share of the draws that must define the gap for a number.
        by : {None, "access", "domain"}
            The groups (see above).
        direction : {"backward", "forward"}
            As in :meth:`gap_draws`.
        extrapolate : bool
            Continue the frontiers past the data's support.

        Returns
        -------
        pandas.DataFrame

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
        support = self.support()
        if not extrapolate:
            warn_outside(dates, support, "gap", "the gap")
            if ref is not None and outside(pd.DatetimeIndex([ref]), support).any():
                warn_outside(
                    pd.DatetimeIndex([ref]),
                    support,
                    "gap",
                    f"prob_grew (reference_date={ref.date()})",
                )
        dates_all = dates if ref is None else dates.union(pd.DatetimeIndex([ref]))
        domains = by == "domain"
        draws = self._gap_values(dates_all, direction, extrapolate, domains=domains, censor=True)
        groups = list(self.design.domains) if domains else list(GROUPS_BY[by])
        table = summarize_inside(
            draws.sel({D.GROUP: groups}),
            support,
            ci_prob=ci_prob,
            ref=ref,
            method=self.method,
            mask=not extrapolate,
            min_defined=min_defined,
        )
        if domains:
            table = mask_domains(table, self.domains(), ref, extrapolate)
        return conform_gap_table(table[table[D.DATE].isin(dates)], self.method)

    def frontier(
        self, dates: Any = None, *, ci_prob: float = CI_PROB, extrapolate: bool = False
    ) -> pd.DataFrame:
        """Posterior frontier per side: ``date, weights, mean, median, lower, upper``.

        NaN outside the data's support with a warning, unless ``extrapolate=True`` (see
        :meth:`frontier_draws`).

        Parameters
        ----------
        dates : date-like or sequence of date-like, optional
            Where to read the frontiers.
        ci_prob : float
            Probability of the equal-tailed interval.
        extrapolate : bool
            Continue the frontiers past the data's support.

        Returns
        -------
        pandas.DataFrame
        """
        ci_prob = _check_ci(ci_prob)
        extrapolate = _check_extrapolate(extrapolate)
        dates = self._dates(dates)
        if not extrapolate:
            warn_outside(dates, self.support(), "frontier", "the frontier")
        da = self._frontier_values(dates, extrapolate)
        return frontier_summary(da, self.support(), ci_prob=ci_prob, mask=not extrapolate)

    def capabilities(
        self, *, ci_prob: float | None = None, eci_anchors: dict[str, float] | None = None
    ) -> pd.DataFrame:
        """Posterior capability per model version (hosted versions share their base's), in
        the columns every result gives.

        With ``eci_anchors`` (e.g. ``{"claude-3-5-sonnet-20240620": 130, "gpt-5-2025-08-07_high":
        150}``, model ids of the data), each draw is mapped affinely so that the anchors land on
        those values: the same scale as Epoch's ECI, for comparison.

        Parameters
        ----------
        ci_prob : float, optional
            Probability of the equal-tailed interval (0.9 by default).
        eci_anchors : dict of str to float, optional
            Two model ids and their values (see above).

        Returns
        -------
        pandas.DataFrame
            Index ``model``; columns ``date, weights, estimate, lower, upper, n_benchmarks``
            (``estimate``: the posterior mean, in :attr:`capability_unit` without
            ``eci_anchors``), sorted by ``estimate`` descending. :meth:`capability_table` adds
            each version's provider and model group.
        """
        return contract_capabilities(
            self.capability_table(ci_prob=ci_prob, eci_anchors=eci_anchors)
        )

    def capability_table(
        self, *, ci_prob: float | None = None, eci_anchors: dict[str, float] | None = None
    ) -> pd.DataFrame:
        """:meth:`capabilities` with each version's provider and model group.

        Parameters
        ----------
        ci_prob : float, optional
            Probability of the equal-tailed interval (0.9 by default).
        eci_anchors : dict of str to float, optional
            As in :meth:`capabilities`.

        Returns
        -------
        pandas.DataFrame
            Index ``model``; columns ``date, weights, provider, model_group, mean, lower,
            upper, n_benchmarks``, sorted by ``mean`` (the posterior mean) descending.
        """
        level = self.interval_probability(ci_prob)
        return capability_table(self.posterior, self.design, ci_prob=level, eci_anchors=eci_anchors)

    def terms(self, *, ci_prob: float = CI_PROB) -> pd.DataFrame:
        """Posterior of the named terms beside their priors.

        ``informed`` is ``1 - posterior sd / prior sd``: near 0 the data say little and the term
        stays at its prior (e.g. a provider scored on one benchmark only); near 1 the data pin it.
        """
        return terms_table(self.posterior, self.settings, ci_prob=_check_ci(ci_prob))

    def harness_effects(self, *, ci_prob: float = CI_PROB) -> pd.DataFrame:
        """The harness effects of a fit of ``GapModel(elicitation_terms=True)``, one row per
        (benchmark, non-reference harness) cell, with their intervals
        (:func:`~irtgap.methods.bayes.elicited.harness_table`).

        Raises
        ------
        ValueError
            The fit has no elicitation terms.
        """
        return harness_table(self, ci_prob=_check_ci(ci_prob))

    def effort_levels(self, *, ci_prob: float = CI_PROB) -> pd.DataFrame:
        """The effort levels' shared offsets of a fit of ``GapModel(elicitation_terms=True)``
        (:func:`~irtgap.methods.bayes.elicited.effort_table`).

        Raises
        ------
        ValueError
            The fit has no elicitation terms.
        """
        return effort_table(self, ci_prob=_check_ci(ci_prob))

    def elicitation_gap(self, dates: Any = None, *, ci_prob: float = CI_PROB) -> pd.DataFrame:
        """The backward gap under the best and under the reference elicitation, and the
        posterior of their difference (reference minus best), per group (``capability``,
        ``harness_benchmarks``); the maths: :mod:`irtgap.methods.bayes.elicited`.

        Parameters
        ----------
        dates : date-like or sequence of date-like, optional
            Where to read it (default: DeepSeek R1's release, 2025-01-20, and the last release
            date of the data). NaN outside the data's support, with a warning.
        ci_prob : float
            Probability of the equal-tailed intervals.

        Returns
        -------
        pandas.DataFrame
            See :func:`~irtgap.methods.bayes.elicited.elicitation_gap_table`.

        Raises
        ------
        ValueError
            The fit has no elicitation terms; ``dates`` not dates; ``ci_prob`` outside (0, 1).
        """
        require_terms(self, "elicitation_gap")
        level = _check_ci(ci_prob)
        dates = elicitation_dates(self) if dates is None else check_dates_option(dates)
        warn_outside(dates, self.support(), "elicitation_gap", "the gap")
        return elicitation_gap_table(self, dates, ci_prob=level)

    def diagnostics(self, *, warn: bool = True) -> pd.Series:
        """Sampler diagnostics: max R-hat, min bulk/tail ESS (all, frontier, gap), divergences,
        the smallest E-BFMI over the chains and the transitions that hit the maximum tree depth
        (:func:`~irtgap.methods.bayes.diagnostics.sampler_diagnostics`).

        Warns with :class:`~irtgap.core.errors.ConvergenceWarning` when R-hat > 1.01, the bulk ESS
        of the frontier or gap < 400, any transition diverged, a chain's E-BFMI < 0.3 or any
        transition hit the maximum tree depth (the limits of
        :mod:`~irtgap.methods.bayes.diagnostics`); also when a check cannot be made (R-hat needs
        two or more chains; the gap's ESS needs a date where every draw's gap is defined; E-BFMI
        and the tree depth need the sampler's statistics), rather than passing it silently.
        """
        gap = self._gap_values(default_dates(self.support())[::4], "backward", False)
        stats = self.idata["sample_stats"].to_dataset()
        out = sampler_diagnostics(self.posterior, stats, gap.sel({D.GROUP: "capability"}))
        if warn:
            warn_if_bad(out)
        return out

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

        Parameters
        ----------
        date : date-like, optional
            The date of the gap columns (the last release date by default).
        ci_prob : float
            Probability of the equal-tailed intervals.

        Returns
        -------
        pandas.DataFrame

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
        first, last = support = self.support()
        when = last if date is None else check_date_option("date", date)
        assert when is not None
        if outside(pd.DatetimeIndex([when]), support).any():
            raise ValueError(
                f"date={when.date()}: outside the data's support ({first.date()} to "
                f"{last.date()}); give a date inside it"
            )
        table = offset_table(self.posterior, self.design, ci_prob=ci_prob)
        rows = self.design.rows[self.design.open_rows]
        table["last_open"] = rows.groupby(D.BENCHMARK)[D.DATE].max().reindex(table.index)
        grid = date_grid(first, last, step_days=7).union(pd.DatetimeIndex([when])).as_unit("ns")
        fr = self._frontier_values(grid, extrapolate=False)
        gaps = benchmark_gaps(self.posterior, self.design, fr, when, ci_prob=ci_prob)
        table = table.join(gaps)
        table.attrs["date"] = when
        return table

    # ------------------------------------------------------------------ checks
    def check(self, *, n_draws: int = 400, seed: int = 0, ci_prob: float = CI_PROB) -> ModelChecks:
        """Check the fit against its data: PSIS-LOO (with each model's capability integrated out
        where plain PSIS is unreliable), Pareto-k table, LOO-PIT and posterior predictive checks
        by benchmark, side, access and year (see :mod:`irtgap.methods.bayes.checks`).

        ``n_draws`` posterior samples give the replicates of the predictive checks; ``seed``
        seeds them and the randomized PIT of censored scores. No refit: a few seconds to a
        minute (the log-likelihood of every row and draw is computed once).

        Parameters
        ----------
        n_draws : int
            Posterior samples of the predictive checks.
        seed : int
            Seed of the replicates and of the randomized PIT.
        ci_prob : float
            Probability of the checks' intervals.

        Returns
        -------
        irtgap.methods.bayes.checks.ModelChecks
        """
        from irtgap.methods.bayes.checks import model_checks

        return model_checks(self, n_draws=n_draws, seed=seed, ci_prob=ci_prob)

    # ------------------------------------------------------------------ plots
    def plot_terms(self, *, ax: Axes | None = None, ci_prob: float = CI_PROB) -> Axes:
        """The named terms (:meth:`terms`: open public-benchmark advantage, provider penalties,
        shortfall scales) with their ``ci_prob`` intervals.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Where to draw (a new figure by default).
        ci_prob : float
            Probability of the intervals.

        Returns
        -------
        matplotlib.axes.Axes
        """
        return plot_terms(self.terms(ci_prob=ci_prob), ax=ax, ci_prob=ci_prob)

    def plot_frontier(self, *, ax: Axes | None = None, ci_prob: float = CI_PROB) -> Axes:
        """Both frontiers with bands, and each model's posterior capability
        (:meth:`frontier`, :meth:`capability_table`).

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Where to draw (a new figure by default).
        ci_prob : float
            Probability of the bands and intervals.

        Returns
        -------
        matplotlib.axes.Axes
        """
        return plot_frontier(
            self.frontier(ci_prob=ci_prob),
            self.capability_table(ci_prob=ci_prob),
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
        return persistence.storable_nodes(self.idata)

    def _saved_state(self) -> SavedState:
        return SavedState()

    @classmethod
    def _from_saved_state(
        cls, state: SavedState, data: ScoreData | None, tree: xr.DataTree
    ) -> GapFit:
        path = Path(str(tree.attrs.get("irtgap_path", "")))
        if data is None:
            raise ValueError("GapFit.from_netcdf: the file holds no data; it cannot be rebuilt")
        settings = persistence.saved_settings(state.values["settings"], path)
        return cls._rebuild(persistence.saved_inference_data(tree), data, settings, path)

    @classmethod
    def _rebuild(
        cls, idata: xr.DataTree, data: ScoreData, settings: GapSettings, path: Path
    ) -> GapFit:
        design = persistence.checked_design(idata, data, settings, path)
        return cls(idata=idata, design=design, settings=settings, data=data)
