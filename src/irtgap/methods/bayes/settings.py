"""Settings of the Bayesian gap model, checked on construction."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from numbers import Real

import numpy as np

from irtgap.data.scoredata import ScoreData
from irtgap.methods.bayes.design import Design, check_date_option, check_knot_months, make_design
from irtgap.methods.bayes.elicitation import design_arrays, with_effort_units
from irtgap.methods.bayes.noise import NOISES

#: The ways of tying the lapse rates together (``GapSettings.lapse_pooling``).
LAPSE_POOLINGS = ("partial", "none")


@dataclass(frozen=True)
class GapSettings:
    r"""Settings of :class:`GapModel`; every default is documented in ``docs/model.md``.

    Attributes
    ----------
    since : str or None
        Models released before this date are left out (default 2022-01-01: one year of closed
        frontier before the 2023 start of the gap grid, so that backward gaps are defined there).
    knot_months : int
        Spacing of the frontier knots (12 months: each year's growth rate is informed by that
        year's frontier models; shorter spacings let the gap bend faster but sample slower and
        lean more on the growth prior).
    reference_date : str
        Time origin (release times and knots are measured in years from it).
    upper_asymptote : bool
        A lapse rate :math:`\lambda_b` (partially pooled, see ``lapse_pooling``) on each
        benchmark whose best modelled score reaches ``lapse_threshold`` (60%) of its ceiling:
        its scores approach :math:`1 - \lambda_b` of the ceiling, not the ceiling (a 4PL curve:
        mislabelled or ambiguous items). Elsewhere :math:`\lambda_b = 0`. On by default: on the
        bundled data it fits better than the 2PL curve without it and samples within the
        diagnostics' limits. A lapse on every benchmark (``lapse_threshold=0``) fits better
        still but misses the R-hat limit and gives the hardest benchmarks lapses that say no
        model will ever pass half of them. The figures are in the model comparison of
        ``docs/model.md``. ``False`` gives the 2PL curve.
    lapse_threshold : float
        With ``upper_asymptote``, the fraction of its ceiling that a benchmark's best modelled
        score must reach for the benchmark to get a lapse rate (0.6: below it a lapse and the
        benchmark's difficulty explain the scores alike; 0 gives every benchmark one). Ignored
        without ``upper_asymptote``.
    lapse_pooling : str
        With ``upper_asymptote``, how the lapse rates are tied together: ``"partial"``
        (default: their log-odds Normal around a common mean with a common spread, both
        learned; see :func:`irtgap.methods.bayes.graph.lapse_rates`) or ``"none"``
        (independent Beta(1, 20) priors). Ignored without ``upper_asymptote``.
    open_offsets : bool
        Open models get an offset on each benchmark on top of their shared capability,
        :math:`o_b = \delta_{d(b)} + \epsilon_b`: a domain part (zero-sum over the domains,
        scale :math:`\sigma_\delta \sim \mathcal{HN}` (``prior_scale_offset``)) and a
        benchmark part (:math:`\epsilon_b \sim \mathcal N(0, \sigma_\epsilon)`,
        :math:`\sigma_\epsilon \sim \mathcal{HN}` (``prior_scale_offset``)). This gives the gap
        by domain (``GapFit.gap(by="domain")``) and per benchmark (``GapFit.open_offsets``).
        Off by default: on the bundled data it fits a little better, within the noise, and
        mixes as well (the model comparison in ``docs/model.md``).
    public_advantage_trend : bool
        The open public-benchmark advantage changes linearly with the open model's release
        time, :math:`\gamma + \gamma_t (t_m - \bar t)`, with :math:`\gamma_t \sim
        \mathcal N(0, \text{prior\_scale\_gamma})` per year and :math:`\bar t` the mean release
        time of the open models' public-benchmark rows (so :math:`\gamma` stays the average
        advantage): contamination that grows (or fades) over time. The ``public`` gap then moves
        with the date. Off by default (see the model comparison in ``docs/model.md``); needs
        ``public_advantage`` and is not combined with ``open_offsets``.
    private_effects : bool
        Each model gets an effect on the private benchmarks (and those of unknown access) on
        top of its capability, :math:`\pi_u = \sigma_\pi z_u`, :math:`z_u \sim \mathcal N(0,
        1)`, :math:`\sigma_\pi \sim \mathcal{HN}` (``prior_scale_private``): a model can be
        better or worse on held-out benchmarks than its public scores say, the same way on
        each of them. The gap stays the capability gap. Off by default: on the bundled data it
        fits no better, barely moves the gap and does not remove the misfit of the threshold
        method's private crossings that it was built to test (the model comparison in
        ``docs/model.md``).
    open_offset_trend : bool
        With ``open_offsets``, each domain's open offset changes linearly with the open model's
        release time, :math:`\delta_{d} + \beta_{d}\,(t_m - \bar t)`, with
        :math:`\beta = \sigma_\beta z`, :math:`z` zero-sum Normal over the domains and
        :math:`\sigma_\beta \sim \mathcal{HN}` (``prior_scale_offset``, per year), :math:`\bar
        t` the mean release time of the open models' rows: open models may catch up faster on
        some domains (knowledge, public maths) than on others (out-of-distribution reasoning,
        agents). Zero-sum, so a common trend stays in the open frontier. Needs
        ``open_offsets``.
    second_factor : bool
        A second latent dimension: each capability unit has a second ability
        :math:`\psi_u = P_{g_u}(t_u) - \varsigma_{g_u} w_u` with its own non-decreasing
        frontier :math:`P_g` per side and shortfall, and each benchmark a loading
        :math:`\ell_b \ge 0` on it (0 on the anchor benchmark, partially pooled by domain), so
        :math:`\eta_i` gains :math:`\alpha_b\,\ell_b\,\psi_u`. Identification (sign,
        rotation, scale, location) is stated in :mod:`irtgap.methods.bayes.model`. The gap
        groups are then read on the benchmarks (see :class:`~irtgap.methods.bayes.fit.GapFit`).
    reasoning_effects : bool
        Reasoning models (:func:`irtgap.data.elicitation.is_reasoning`: o-series, R1, QwQ,
        thinking budgets, ...) get a per-benchmark effect on top of their capability,
        :math:`\rho_b = \sigma_\rho z_b`, :math:`z` zero-sum Normal over the benchmarks,
        :math:`\sigma_\rho \sim \mathcal{HN}` (``prior_scale_reasoning``): reasoning helps
        more on some benchmarks than on others, by the same amount for every reasoning model,
        open or closed. Zero-sum, so a reasoning model's capability is its level averaged over
        the benchmarks and the gap stays the capability gap. Identified by the known reasoning
        releases (no free factor to rotate). Off by default (see ``docs/evidence/adequacy.md``).
    prior_scale_reasoning : float
        Prior scale of the spread of the reasoning effects (HalfNormal, 1.0).
    interactions : bool
        Each (model family, benchmark) cell gets an interaction on top of the capability, its
        log-odds spread a ratio :math:`\lambda \sim \mathcal{HN}` (``prior_scale_interaction``)
        of the benchmark's noise spread (:mod:`irtgap.methods.bayes.model` states it): a model
        family (a first-party version with its hosted copies and effort variants,
        :attr:`~irtgap.methods.bayes.design.Design.model_family`) may be better or worse on
        one benchmark than its capability says, the same way in every evaluation of the
        family there, and the score noise is what a re-run of the evaluation would change.
        Identified against the noise by the families scored more than once on a benchmark;
        centred on zero by its prior, so the gap stays the capability gap. Off by default
        (see ``docs/evidence/adequacy.md``).
    interaction_scale : str
        Where the interactions act (with ``interactions=True``): ``"capability"`` (default)
        adds :math:`u_c` to the capability inside the response curve, sampled per cell;
        ``"log_odds"`` adds :math:`v_c` to the log-odds of the row's median score, outside the
        curve (the same on a benchmark without floor and lapse), and needs
        ``noise="logit_normal"``: then the scores of a cell are jointly Normal on the log-odds
        scale and the sampler reads the interactions integrated out in closed form (a rank-one
        term in each cell's covariance), drawing them afterwards from their conditional
        posterior (:mod:`irtgap.methods.bayes.model` states it).
    interaction_tails : str
        The interactions' distribution with ``interaction_scale="log_odds"``: ``"normal"``
        (default) or ``"student_t"``, a scale mixture of Normals with
        :data:`~irtgap.methods.bayes.noise.T_DOF` degrees of freedom, one mixing variance per
        cell (``interaction_mix``; given it the closed form holds), which shrinks the largest
        residuals least.
    prior_scale_interaction : float
        Prior scale of the ratio of the interactions' spread to the noise's (HalfNormal, 1.0:
        the interactions' share of a benchmark's residual variance, :math:`\lambda^2 / (1 +
        \lambda^2)`, has prior median 0.23).
    measurement_noise : str
        ``"none"`` (default), ``"known"`` or ``"pooled"``. With ``"known"`` each row's
        residual on a benchmark whose measurement noise is known, from the export's standard
        errors or the declared item count
        (:attr:`~irtgap.methods.bayes.design.Design.measurement_items`), splits into that
        measurement noise and a persistent (model version, benchmark) effect of spread
        :math:`\phi_b^{-1/2}`, integrated out (:mod:`irtgap.methods.bayes.model` states it):
        a re-run of an evaluation changes only the first. The likelihood is the
        logit-normal's with each such row's variance raised by its measurement variance; the
        replicates keep each row's persistent effect (drawn from its posterior given the
        observed score) and redraw the measurement noise. On the other benchmarks the whole
        residual is noise, as under ``"none"``. ``"pooled"`` fits the same model and gives the
        other benchmarks' residuals the measured rows' median measurement share in the
        replicates (:mod:`irtgap.methods.bayes.replicate`): an assumption that their re-runs
        vary as much, relative to the residual, as those of the benchmarks that report it.
        Needs ``noise="logit_normal"`` (see ``docs/evidence/adequacy.md``).
    prior_scale_loading : float
        Prior scale of the per-domain spread of the loadings on the second factor
        (HalfNormal, 1.0).
    open_country : str or None
        Model only the open models from this country (the ``country`` column, e.g.
        ``"China"``), with every closed model: the open side of the threshold method's
        ``open_filter``. The open rows left out are counted in ``Design.dropped``.
    noise : str
        The score noise around a row's mean fraction (:mod:`irtgap.methods.bayes.noise`):
        ``"beta"`` (default), ``"logit_normal"`` (a Normal shift on the log-odds scale, with
        a per-benchmark sd; a cheaper gradient) or ``"logit_t"`` (the same with Student-t
        tails, 4 degrees of freedom: robust to a model unusually good or bad on one benchmark).
        See the model comparison in ``docs/model.md``.
    public_advantage, provider_degradation, shortfall : bool
        Switch the terms off for sensitivity checks. Without ``shortfall`` every model sits on its
        side's frontier (u = 0), which reintroduces the winner's curse.
    prior_scale_gamma, prior_scale_delta, prior_scale_offset, prior_scale_private : float
        Prior scales of the open advantage (Normal, 0.5), of the provider penalties
        (HalfNormal, 0.5), of the spreads of the open offsets (HalfNormal, 0.5) and of the
        spread of the private-benchmark effects (HalfNormal, 0.5), in
        capability units (one unit moves a 50% score on the anchor
        benchmark to 73%): large effects are possible, none is assumed.
    growth_spread : float
        Prior sd of a segment's log growth rate around its side's typical rate (0.3: a year's
        growth rate can be about 0.55x to 1.8x the typical one at 2 sd; 0.5 mixed worse on the
        bundled data, see ``docs/model.md``). With ``learn_growth_spread`` it is the scale of
        the half-normal prior of the learned spread instead.
    learn_growth_spread : bool
        Learn the spread :math:`\sigma_\lambda` of the segments' log growth rates,
        :math:`\sigma_\lambda \sim \mathcal{HN}` (``growth_spread``), instead of fixing it at
        ``growth_spread``; the rates are then sampled non-centred,
        :math:`\lambda_{g,j} = \mu_{\lambda,g} + \sigma_\lambda z_{g,j}`. A frontier that grows
        at a steady rate then shrinks the spread towards 0 and the gap's interval with it.
    elicitation_terms : bool
        Model every (version, benchmark, harness) row of the data
        (:meth:`ScoreData.elicitation_data <irtgap.ScoreData.elicitation_data>`), not the best
        one per pair, with the elicitation terms of :mod:`irtgap.methods.bayes.elicitation`:
        partially pooled harness effects on the benchmarks whose rows name two or more
        harnesses (relative to each benchmark's reference harness), and the effort variants of
        one model group sharing one capability with an offset per variant. The capabilities,
        frontiers and gaps are then those of the reference harness and each group's
        representative effort; :meth:`GapFit.elicitation_gap
        <irtgap.methods.bayes.fit.GapFit.elicitation_gap>` reads the gap under the best
        elicitation too. Off by default (the best row per pair, no terms). Data with neither a
        harness nor an effort variant are refused (there would be no term).
    open_harness_effects : bool
        With ``elicitation_terms``, open models get a harness effect of their own on each
        (benchmark, harness) cell beside the shared one (:math:`\omega` of
        :mod:`irtgap.methods.bayes.elicitation`): a harness that suits the closed models better
        than the open ones. Without it a harness moves both sides alike, and only the efforts
        move the gap between the best and the reference elicitation. Needs ``elicitation_terms``.
    frontier_softness : float
        :math:`\tau`, the sd of the Normal part of a model's standardized shortfall (0.4: a model
        can sit above its side's frontier by about 0.4 shortfall scales at 1 sd; a hard edge
        (0) gives the sampler a boundary to fight, see ``docs/model.md``).

    Raises
    ------
    ValueError
        On construction, naming the option, when a setting is invalid: ``since`` or
        ``reference_date`` not a date, ``knot_months`` not a whole number >= 1, a switch not a
        bool, a prior scale or ``growth_spread`` not a finite number > 0, ``frontier_softness``
        not a finite number >= 0. Every :class:`GapModel` checks its settings here.
    """

    since: str | None = "2022-01-01"
    knot_months: int = 12
    reference_date: str = "2024-01-01"
    public_advantage: bool = True
    provider_degradation: bool = True
    shortfall: bool = True
    upper_asymptote: bool = True
    prior_scale_gamma: float = 0.5
    prior_scale_delta: float = 0.5
    growth_spread: float = 0.3
    learn_growth_spread: bool = False
    public_advantage_trend: bool = False
    frontier_softness: float = 0.4
    open_offsets: bool = False
    open_country: str | None = None
    prior_scale_offset: float = 0.5
    private_effects: bool = False
    prior_scale_private: float = 0.5
    open_offset_trend: bool = False
    second_factor: bool = False
    prior_scale_loading: float = 1.0
    reasoning_effects: bool = False
    prior_scale_reasoning: float = 1.0
    interactions: bool = False
    interaction_scale: str = "capability"
    interaction_tails: str = "normal"
    prior_scale_interaction: float = 1.0
    measurement_noise: str = "none"
    noise: str = "beta"
    lapse_threshold: float = 0.6
    lapse_pooling: str = "partial"
    elicitation_terms: bool = False
    open_harness_effects: bool = False

    def __post_init__(self) -> None:
        _check_noise(self)
        if self.lapse_pooling not in LAPSE_POOLINGS:
            raise ValueError(
                f"lapse_pooling={self.lapse_pooling!r}: use one of {list(LAPSE_POOLINGS)}"
            )
        check_date_option("since", self.since, allow_none=True)
        check_knot_months(self.knot_months)
        check_date_option("reference_date", self.reference_date)
        if self.open_country is not None and not (
            isinstance(self.open_country, str) and self.open_country.strip()
        ):
            raise ValueError(
                f"open_country={self.open_country!r}: give a country name as in the data's "
                "'country' column (e.g. 'China'), or None for every open model"
            )
        _check_switches(self)
        for name, minimum in (
            ("prior_scale_gamma", None),
            ("prior_scale_delta", None),
            ("prior_scale_offset", None),
            ("prior_scale_private", None),
            ("prior_scale_loading", None),
            ("prior_scale_reasoning", None),
            ("prior_scale_interaction", None),
            ("growth_spread", None),
            ("frontier_softness", 0.0),
        ):
            value = getattr(self, name)
            ok = isinstance(value, Real) and not isinstance(value, bool)
            ok = ok and math.isfinite(float(value))
            ok = ok and (float(value) > 0 if minimum is None else float(value) >= minimum)
            if not ok:
                need = "> 0" if minimum is None else f">= {minimum:g}"
                raise ValueError(f"{name}={value!r}: give a finite number {need}")
        if self.public_advantage_trend and not self.public_advantage:
            raise ValueError(
                "public_advantage_trend=True: a trend of the open public-benchmark advantage "
                "needs the advantage itself; pass public_advantage=True"
            )
        if self.public_advantage_trend and self.open_offsets:
            raise ValueError(
                "public_advantage_trend=True with open_offsets=True: the gap by domain reads "
                "one open shift per benchmark, which a trending advantage does not have; use "
                "one of the two"
            )
        if self.open_offset_trend and not self.open_offsets:
            raise ValueError(
                "open_offset_trend=True: a trend of the open offsets by domain needs the "
                "offsets themselves; pass open_offsets=True"
            )
        if self.second_factor and not self.shortfall:
            raise ValueError(
                "second_factor=True with shortfall=False: the second ability is placed below "
                "its own frontier by a shortfall; pass shortfall=True"
            )
        _check_interaction_scale(self)
        if self.open_harness_effects and not self.elicitation_terms:
            raise ValueError(
                "open_harness_effects=True: the open models' own harness effects are part of "
                "the elicitation terms; pass elicitation_terms=True"
            )
        lapse = self.lapse_threshold
        if (
            isinstance(lapse, bool | np.bool_)
            or not isinstance(lapse, Real)
            or not 0 <= float(lapse) <= 1  # NaN fails too
        ):
            raise ValueError(
                f"lapse_threshold={self.lapse_threshold!r}: give a fraction of the ceiling in "
                "[0, 1] (0: a lapse rate on every benchmark)"
            )

    @classmethod
    def from_saved(cls, values: Mapping[str, object], *, source: str = "the file") -> GapSettings:
        """The settings a fit was saved with: every setting of this class, and no other.

        Parameters
        ----------
        values : mapping
            The saved settings by name (``dataclasses.asdict`` of the settings).
        source : str
            What the values come from, for the message.

        Returns
        -------
        GapSettings

        Raises
        ------
        ValueError
            A setting is missing or unknown (both named: the values were written by another
            version of irtgap), or a value is invalid (as on construction).
        """
        missing = [n for n in SETTING_NAMES if n not in values]
        unknown = sorted(set(values) - set(SETTING_NAMES))
        if missing or unknown:
            problems = []
            if missing:
                problems.append(f"lacks the setting(s) {missing}")
            if unknown:
                problems.append(f"has setting(s) {unknown} that GapSettings does not know")
            raise ValueError(
                f"{source} {' and '.join(problems)}: it was written by another version of irtgap; "
                "refit the model with this version"
            )
        return cls(**values)  # type: ignore[arg-type]

    def design(self, data: ScoreData) -> Design:
        """The design arrays of ``data`` under these settings
        (:func:`~irtgap.methods.bayes.design.make_design`); with ``elicitation_terms``, of every
        elicitation row, each effort variant's capability unit its group's representative
        (:func:`~irtgap.methods.bayes.elicitation.with_effort_units`).

        Raises
        ------
        ValueError
            With ``elicitation_terms``: the modelled rows name no benchmark with two harnesses
            and no effort variant (the terms would be empty).
        """
        if self.elicitation_terms:
            data = data.elicitation_data()
        design = make_design(
            data,
            since=self.since,
            knot_months=self.knot_months,
            reference_date=self.reference_date,
            open_country=self.open_country,
        )
        if not self.elicitation_terms:
            return design
        arrays = design_arrays(design)
        if not (arrays.n_cells or arrays.n_variants):
            raise ValueError(
                "elicitation_terms=True: the modelled rows have no benchmark run under two or "
                "more harnesses and no effort variants of one model group (is the data's "
                "'harness' column given, ScoreData.from_frame(harness=...)?); pass "
                "elicitation_terms=False"
            )
        return with_effort_units(design, arrays)


#: The values of :attr:`GapSettings.measurement_noise`.
MEASUREMENT_NOISES = ("none", "known", "pooled")

#: The on/off settings of :class:`GapSettings`.
SWITCHES = (
    "public_advantage",
    "provider_degradation",
    "shortfall",
    "upper_asymptote",
    "open_offsets",
    "learn_growth_spread",
    "public_advantage_trend",
    "private_effects",
    "open_offset_trend",
    "second_factor",
    "reasoning_effects",
    "interactions",
    "elicitation_terms",
    "open_harness_effects",
)


def _check_noise(settings: GapSettings) -> None:
    """A ValueError for an unknown noise form or measurement rule, or a measurement noise
    without the logit-normal noise it is integrated under."""
    if settings.noise not in NOISES:
        raise ValueError(f"noise={settings.noise!r}: use one of {list(NOISES)}")
    if settings.measurement_noise not in MEASUREMENT_NOISES:
        raise ValueError(
            f"measurement_noise={settings.measurement_noise!r}: use one of "
            f"{list(MEASUREMENT_NOISES)}"
        )
    if settings.measurement_noise != "none" and settings.noise != "logit_normal":
        raise ValueError(
            f"measurement_noise={settings.measurement_noise!r} with noise={settings.noise!r}: the "
            "persistent effects are "
            "integrated out in closed form only under logit-normal noise; pass "
            "noise='logit_normal'"
        )


#: The values of :attr:`GapSettings.interaction_scale`.
INTERACTION_SCALES = ("capability", "log_odds")
#: The values of :attr:`GapSettings.interaction_tails`.
INTERACTION_TAILS = ("normal", "student_t")


def _check_interaction_scale(settings: GapSettings) -> None:
    """A ValueError for an unknown interaction scale or tails, either set where it would be
    ignored, or the log-odds scale without the logit-normal noise it is integrated under."""
    scale = settings.interaction_scale
    if scale not in INTERACTION_SCALES:
        raise ValueError(f"interaction_scale={scale!r}: use one of {list(INTERACTION_SCALES)}")
    if scale != "capability" and not settings.interactions:
        raise ValueError(
            f"interaction_scale={scale!r} with interactions=False: the scale of the "
            "interactions would be ignored; pass interactions=True"
        )
    tails = settings.interaction_tails
    if tails not in INTERACTION_TAILS:
        raise ValueError(f"interaction_tails={tails!r}: use one of {list(INTERACTION_TAILS)}")
    if tails != "normal" and scale != "log_odds":
        raise ValueError(
            f"interaction_tails={tails!r} with interaction_scale={scale!r}: heavy-tailed "
            "interactions are a scale mixture of the log-odds ones; pass "
            "interaction_scale='log_odds' (and interactions=True)"
        )
    if scale == "log_odds" and settings.noise != "logit_normal":
        raise ValueError(
            f"interaction_scale='log_odds' with noise={settings.noise!r}: the interactions are "
            "integrated out in closed form only under logit-normal noise; pass "
            "noise='logit_normal'"
        )


def _check_switches(settings: GapSettings) -> None:
    """A ValueError naming the first switch of :data:`SWITCHES` that is not a bool."""
    for name in SWITCHES:
        value = getattr(settings, name)
        if not isinstance(value, bool | np.bool_):
            raise ValueError(f"{name}={value!r}: give True or False")


#: The names of the settings, in order (the fields of :class:`GapSettings`).
SETTING_NAMES: tuple[str, ...] = tuple(f.name for f in fields(GapSettings))
