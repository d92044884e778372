r"""The hierarchical Bayesian IRT gap model.

Notation: observation :math:`i` is the score :math:`y_i` of model version :math:`m` on benchmark
:math:`b`; model :math:`m` was released at time :math:`t_m` (years since the reference date,
2024-01-01 by default), belongs to side :math:`g_m \in \{\text{closed}, \text{open}\}` and is
served by provider :math:`p_i` (first-party, or a third-party host); benchmark :math:`b` has
random-guess floor :math:`c_b`, ceiling :math:`\kappa_b` (the highest attainable score, 1 unless
the metadata say otherwise; :math:`0 \le c_b < \kappa_b`) and access
:math:`a_b \in \{\text{public}, \text{private}\}`.

**Measurement (2PL IRT with a guessing floor, on the fraction of the ceiling).** The modelled
score is :math:`z_i = y_i / \kappa_b \in [0, 1]`, with floor :math:`f_b = c_b / \kappa_b`:

.. math::

    \eta_i &= \alpha_b\,(\theta_{k(m)} + \gamma\,[g_m = \text{open}]\,[a_b = \text{public}]
              - \delta_{p_i}\,[p_i \neq \text{first-party}] - D_b) \\
    \mu_i &= f_b + (1 - f_b)\,\operatorname{logistic}(\eta_i)
        \qquad(\text{so } \operatorname{E}[y_i] = c_b + (\kappa_b - c_b)\,
        \operatorname{logistic}(\eta_i)) \\
    z_i &\sim \operatorname{Beta}(\mu_i \phi_b,\ (1 - \mu_i)\phi_b),
        \text{ censored to } [\epsilon, 1 - \epsilon],\ \epsilon = 0.005

A score at its benchmark's ceiling (:math:`z_i \ge 1 - \epsilon`, i.e.
:math:`y_i \ge (1 - \epsilon)\kappa_b`) is right-censored whatever the ceiling; a score above the
ceiling is an error. The replicator (:func:`irtgap.analyses.winners_curse.replicate_scores`) and the
simulator (:func:`irtgap.simulate`) draw scores by this same formula, :math:`y = \kappa_b z`.
Benchmarks whose access is unknown are modelled as private (no :math:`\gamma`), with a warning
naming them (:func:`irtgap.methods.bayes.design.make_design`).

A hosted version (``chutes/QwQ-32B``) shares the capability :math:`\theta_{k(m)}` of the
first-party version it serves (see :func:`irtgap.methods.bayes.design.match_hosted_versions`), so
the provider penalty is identified by the hosted versus first-party scores of the same weights.
Exact 0 and the ceiling are not clipped silently: a score at or below :math:`\epsilon` contributes
the Beta probability of lying below :math:`\epsilon` (left-censoring: the score is known only to be
below the resolution of the benchmark), and likewise above :math:`1 - \epsilon`.

**Capability over time.** Each side has a frontier :math:`F_g(t)`, piecewise linear between knots
:math:`\tau_0 < \dots < \tau_K` spaced ``knot_months`` apart, non-decreasing by construction:

.. math::

    R_g(\tau_k) &= \textstyle\sum_{j=1}^{k} h\,e^{\lambda_{g,j}},\qquad
    F_g(\tau_k) = L_g + R_g(\tau_k) - \tfrac{1}{K+1}\textstyle\sum_{j=0}^{K} R_g(\tau_j),\qquad
    \lambda_{g,j} \sim \mathcal N(\mu_{\lambda,g}, \sigma_\lambda) \\
    \theta_k &= F_{g_k}(t_k) - s_{g_k} v_k,\qquad
    v_k \sim \operatorname{ExGaussian}(0, \tau, 1) \;(= \operatorname{Exp}(1) + \mathcal N(0, \tau))

:math:`h` is the knot spacing in years, :math:`\lambda_{g,j}` the log growth rate of segment
:math:`j` (partially pooled around the side's typical rate with a fixed spread
:math:`\sigma_\lambda` = ``growth_spread``), :math:`L_g` the side's frontier level averaged over
the knots. :math:`s_g v_k` is model :math:`k`'s shortfall below its side's frontier (small, cheap
or old-recipe models): exponential with scale :math:`s_g`, plus a Normal part of sd
:math:`\tau s_g` (:math:`\tau` = ``frontier_softness``) that lets a model sit slightly above the
frontier, so the frontier is a soft upper edge rather than a hard constraint the sampler has to
fight. Because scores are noisy measurements of :math:`\theta` and the shortfall is a separate,
mostly non-negative term, the frontier is the edge of the latent distribution, not the maximum of
noisy scores: a side that is evaluated more often has more draws of measurement noise, but that
does not raise its frontier (it only pins it down more tightly). This is what removes the winner's
curse of first-crosser methods.

**Priors.**

.. math::

    D_b &\sim \mathcal N(\mu_D, \sigma_D),\ \mu_D \sim \mathcal N(0, 2),\ \sigma_D \sim
        \mathcal{HN}(2) \\
    \log\alpha_b &\sim \mathcal N(\mu_\alpha, \sigma_\alpha),\ \mu_\alpha \sim \mathcal N(0, 0.5),\
        \sigma_\alpha \sim \mathcal{HN}(0.5) \\
    \log\phi_b &\sim \mathcal N(3.5, 1)\ \text{(independent: median precision 33, 95\%
        between 4.7 and 235)} \\
    \mu_{\lambda,g} &\sim \mathcal N(0, 1),\ L_g \sim \mathcal N(0, 3),\
        s_g \sim \mathcal{HN}(2) \\
    \gamma &\sim \mathcal N(0, 0.5),\ \delta_p \sim \mathcal{HN}(0.5)

**Identification.** Location and scale are fixed by the anchor benchmark (GPQA diamond by
default, scored by the most frontier models): :math:`D_{\text{anchor}} = 0`,
:math:`\alpha_{\text{anchor}} = 1`, so one capability unit is one logit of the anchor benchmark's
above-floor success rate and 0 is its difficulty. Orientation: :math:`\alpha_b > 0` and the
frontiers increase, so no sign flips are possible. Benchmarks on which fewer than three scores lie
strictly inside :math:`(\epsilon, 1 - \epsilon)` are left out with a warning (their slope is not
identified). The scale can be mapped onto Epoch's ECI through two anchor models
(:meth:`irtgap.methods.bayes.fit.GapFit.capabilities` with ``eci_anchors``).

**The gap.** Per posterior draw, the backward gap is
:math:`t - F_{\text{closed}}^{-1}(F_{\text{open}}(t))` and the forward gap
:math:`F_{\text{open}}^{-1}(F_{\text{closed}}(t)) - t`, in months (see :mod:`irtgap.core.gaps`). The
gap groups of :class:`~irtgap.methods.bayes.fit.GapFit` are: ``"capability"``, the gap between the
latent frontiers; ``"private"``, the gap as private benchmarks show it, which is the capability gap
(private benchmarks are the reference category: no open advantage); ``"public"``, the gap as
public benchmarks show it, with the open frontier shifted by :math:`\gamma`. (The threshold
method's ``"all"`` mixes public and private crossings; no Bayesian group means that.)

**Support.** The frontiers are measured between the first and the last release date of the
modelled data. Outside that range every gap and frontier of
:class:`~irtgap.methods.bayes.fit.GapFit` is NaN with a warning, unless the caller passes
``extrapolate=True``; then each frontier continues segment by segment (``knot_months`` long) with a
new log growth rate per posterior draw, drawn from the fitted hierarchy, :math:`\lambda \sim
\mathcal N(\mu_{\lambda,g}, \sigma_\lambda)` (see
:meth:`irtgap.methods.bayes.fit.GapFit.frontier_draws`), so the interval widens with the distance.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from numbers import Integral
from typing import TYPE_CHECKING, Any

import numpy as np
import pymc as pm
import pytensor.tensor as pt

from irtgap.core import dims as D
from irtgap.core.measurement import MathOps, mean_score
from irtgap.data.scoredata import ScoreData
from irtgap.methods.bayes.design import (
    CENSOR,
    KNOT_DIM,
    PROVIDER_DIM,
    Design,
    make_design,
)
from irtgap.methods.bayes.settings import GapSettings

if TYPE_CHECKING:
    from irtgap.methods.bayes.fit import GapFit

UNIT_DIM = "unit"
SEGMENT_DIM = "segment"
CENSORED_DIM = "obs_censored"
#: pytensor's operations for :func:`~irtgap.core.measurement.mean_score`.
PYTENSOR_OPS = MathOps(sigmoid=pm.math.sigmoid, clip=pt.clip)


#: nutpie options used by :meth:`GapModel.fit`: one extra doubling of every trajectory past the
#: U-turn point. The U-turn criterion is met by the fast directions (recent models) long before the
#: slow one (the 2022-era benchmarks and early frontier shifting together against the anchor), so
#: default trajectories explore it by a random walk; on the bundled data one extra doubling costs
#: 1.9x the gradient evaluations and raises the frontier's bulk ESS about 6x (docs/model.md).
NUTPIE_DEFAULTS: dict[str, Any] = {"extra_doublings": 1}

#: Step-size adaptation target used by :meth:`GapModel.fit` with either sampler (PyMC's default is
#: 0.8). The rare divergences left at 0.8 sat in the upper tail of one benchmark's precision, where
#: its models' capabilities are pinned tightly; 0.85 removed them on four seeds (docs/model.md).
TARGET_ACCEPT = 0.85


def sample_kwargs(
    sampler: str,
    chains: int,
    *,
    cores: int | None = None,
    overrides: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The :func:`pymc.sample` settings :meth:`GapModel.fit` adds for ``sampler``.

    One chain per CPU (at most ``chains``) unless ``cores`` is given, ``target_accept`` =
    :data:`TARGET_ACCEPT`, and for nutpie the :data:`NUTPIE_DEFAULTS` under ``nuts``.
    ``overrides`` win over each of them; their ``nuts`` entry is merged over the defaults.

    Examples
    --------
    >>> sample_kwargs("nutpie", 4, cores=2)
    {'cores': 2, 'target_accept': 0.85, 'nuts': {'extra_doublings': 1}}
    """
    kwargs = dict(overrides or {})
    kwargs.setdefault("cores", cores if cores is not None else min(chains, os.cpu_count() or 1))
    kwargs.setdefault("target_accept", TARGET_ACCEPT)
    if sampler == "nutpie":
        kwargs["nuts"] = {**NUTPIE_DEFAULTS, **kwargs.get("nuts", {})}
    return kwargs


#: Terms of the series for the censored Beta probability (relative error below 1e-6 here).
SERIES_TERMS = 40


def censored_beta_logp(a: Any, b: Any, low: np.ndarray) -> Any:
    r"""Log probability that a Beta(a, b) score lies beyond the resolution limit.

    For left-censored scores (``low``), :math:`\log P(Y \le \epsilon) = \log I_\epsilon(a, b)`;
    for right-censored ones, :math:`\log I_\epsilon(b, a)`. The regularised incomplete beta at
    small :math:`\epsilon` is evaluated with its power series (DLMF 8.17.22),

    .. math:: I_x(a, b) = \frac{x^a (1-x)^b}{a B(a, b)} \sum_{n \ge 0} t_n,\quad t_0 = 1,\
        t_{n+1} = t_n \frac{a + b + n}{a + 1 + n} x,

    truncated at :data:`SERIES_TERMS` terms: much cheaper to differentiate than a general
    incomplete-beta routine, and accurate because :math:`x = 0.005` is small.
    """
    p = pt.where(low, a, b)
    q = pt.where(low, b, a)
    x = CENSOR
    j = np.arange(SERIES_TERMS, dtype=float)[None, :]
    log_ratio = pt.log(p[:, None] + q[:, None] + j) - pt.log(p[:, None] + 1 + j) + np.log(x)
    log_terms = pt.concatenate([pt.zeros_like(p)[:, None], pt.cumsum(log_ratio, axis=1)], axis=1)
    log_total = pt.logsumexp(log_terms, axis=1)
    log_beta = pt.gammaln(p) + pt.gammaln(q) - pt.gammaln(p + q)
    return p * np.log(x) + q * np.log1p(-x) - pt.log(p) - log_beta + log_total


def _censored_beta_random(
    a: np.ndarray, b: np.ndarray, rng: np.random.Generator | None = None, size: Any = None
) -> np.ndarray:
    rng = rng or np.random.default_rng()
    return np.clip(rng.beta(a, b, size=size), CENSOR, 1 - CENSOR)


def _check_fit_options(
    draws: Any, tune: Any, chains: Any, cores: Any, sampler: Any, sampler_kwargs: Any
) -> None:
    """Clear errors for :meth:`GapModel.fit` options (before anything is compiled)."""
    for name, value, minimum in (("draws", draws, 1), ("tune", tune, 0), ("chains", chains, 1)):
        if isinstance(value, bool) or not isinstance(value, Integral) or int(value) < minimum:
            raise ValueError(f"{name}={value!r}: give a whole number >= {minimum}")
    if cores is not None and (
        isinstance(cores, bool) or not isinstance(cores, Integral) or int(cores) < 1
    ):
        raise ValueError(f"cores={cores!r}: give a whole number >= 1, or None (one per chain)")
    if sampler not in ("nutpie", "pymc"):
        raise ValueError(f"sampler={sampler!r}: use 'nutpie' or 'pymc'")
    if sampler_kwargs is not None and not isinstance(sampler_kwargs, dict):
        raise ValueError(f"sampler_kwargs={sampler_kwargs!r}: give a dict of pymc.sample options")


def build_model(data: ScoreData | Design, settings: GapSettings | None = None) -> pm.Model:
    """Build the PyMC model for ``data`` (a pure function of data and settings).

    See the module docstring for the maths. The model's coordinates use the fixed dimension names
    (``model``, ``benchmark``, ``weights`` for the two sides) plus ``unit`` (capability units:
    first-party versions and unmatched hosted ones), ``knot``, ``segment`` and ``provider``.
    """
    settings = settings or GapSettings()
    design = (
        data
        if isinstance(data, Design)
        else make_design(
            data,
            since=settings.since,
            knot_months=settings.knot_months,
            reference_date=settings.reference_date,
        )
    )
    models = design.models
    base_idx = design.base_idx
    unit_mask = base_idx == np.arange(len(models))
    units = models.index[unit_mask]
    unit_of_model = np.searchsorted(np.flatnonzero(unit_mask), base_idx)
    row_unit = unit_of_model[design.model_idx]
    unit_side = design.side_idx[unit_mask]
    k_left, w = design.knot_position(design.t_models[unit_mask])

    bench = design.benchmarks
    # scores as fractions of their benchmark's ceiling (see the module docstring)
    y_rows = np.clip(design.scaled_scores, CENSOR, 1 - CENSOR)
    inside_rows = (y_rows > CENSOR) & (y_rows < 1 - CENSOR)
    # rows reordered: uncensored first, then censored (each in data order), so that the two
    # likelihood terms take slices of the row vectors (cheap views) instead of masks
    order = np.concatenate([np.flatnonzero(inside_rows), np.flatnonzero(~inside_rows)])
    n_in = int(inside_rows.sum())
    y = y_rows[order]
    row_unit = row_unit[order]
    b_idx = design.benchmark_idx[order]
    floor = design.floor  # per benchmark
    open_public = design.open_public[order]
    prov_idx = design.provider_idx[order]
    h = float(np.diff(design.knots)[0])

    coords = {
        D.MODEL: list(models.index),
        UNIT_DIM: list(units),
        D.BENCHMARK: list(bench.index),
        D.WEIGHTS: list(D.SIDES),
        KNOT_DIM: list(design.knot_dates),
        SEGMENT_DIM: list(design.knot_dates[1:]),
        D.OBS: order[:n_in],
        CENSORED_DIM: order[n_in:],
    }
    if settings.provider_degradation and design.providers:
        coords[PROVIDER_DIM] = list(design.providers)

    with pm.Model(coords=coords) as model:
        # ---- benchmarks
        is_anchor = np.asarray(bench.index == design.anchor_benchmark)
        mu_d = pm.Normal("difficulty_mean", 0.0, 2.0)
        sd_d = pm.HalfNormal("difficulty_sd", 2.0)
        # centred: every benchmark is scored by many models, so the data pin each one.
        # location: the anchor benchmark's difficulty is 0 (a parameter the data pin tightly)
        raw_d = pm.Normal("difficulty_raw", mu_d, sd_d, dims=D.BENCHMARK)
        difficulty = pm.Deterministic(
            "difficulty", pt.where(is_anchor, 0.0, raw_d), dims=D.BENCHMARK
        )
        # scale: the anchor benchmark's slope is 1; the others are partially pooled
        mu_a = pm.Normal("log_slope_mean", 0.0, 0.5)
        sd_a = pm.HalfNormal("log_slope_sd", 0.5)
        raw_a = pm.Normal("log_slope_raw", mu_a, sd_a, dims=D.BENCHMARK)
        slope = pm.Deterministic("slope", pt.exp(pt.where(is_anchor, 0.0, raw_a)), dims=D.BENCHMARK)
        # precision: independent weakly informative priors (every benchmark has >= 5 scores, which
        # pin its precision; a hierarchy here is a funnel when precisions are alike). sd 1, not
        # wider: the upper tail of a benchmark with few scores (ANLI, 11) is a funnel for the
        # capabilities it measures (divergences); see docs/model.md
        log_phi = pm.Normal("log_precision", 3.5, 1.0, dims=D.BENCHMARK)
        precision = pm.Deterministic("precision", pt.exp(log_phi), dims=D.BENCHMARK)

        # ---- frontiers: non-decreasing, piecewise linear in time
        # growth rates: partially pooled around each side's typical rate, fixed spread
        mu_lam = pm.Normal("log_growth_mean", 0.0, 1.0, dims=D.WEIGHTS)
        log_growth = pm.Normal(
            "log_growth",
            mu_lam[:, None],
            settings.growth_spread,
            dims=(D.WEIGHTS, SEGMENT_DIM),
        )
        rise = pt.concatenate([pt.zeros((2, 1)), pt.cumsum(h * pt.exp(log_growth), axis=1)], axis=1)
        # level: each side's frontier averaged over the knots (pinned by all of its models, so
        # it is not a pivot that trades off against one segment's growth)
        level = pm.Normal("frontier_level", 0.0, 3.0, dims=D.WEIGHTS)
        frontier = pm.Deterministic(
            "frontier",
            rise - rise.mean(axis=1, keepdims=True) + level[:, None],
            dims=(D.WEIGHTS, KNOT_DIM),
        )

        # ---- capabilities: at or below the side's frontier
        # each unit's frontier, linear between its two knots (flat indices: a 1-d gather)
        flat = frontier.ravel()
        left = unit_side * len(design.knot_dates) + k_left
        f_unit = flat[left] * (1 - w) + flat[left + 1] * w
        if settings.shortfall:
            s_u = pm.HalfNormal("shortfall_scale", 2.0, dims=D.WEIGHTS)
            s_unit = s_u[unit_side]
            if settings.frontier_softness > 0:
                # theta = F - s * v, v ~ ExGaussian(0, tau, 1) = Exponential(1) + N(0, tau):
                # one unconstrained coordinate per unit, independent of s (non-centred)
                v_u = pm.ExGaussian(
                    "shortfall_std", mu=0.0, sigma=settings.frontier_softness, nu=1.0, dims=UNIT_DIM
                )
            else:
                v_u = pm.Exponential("shortfall_std", 1.0, dims=UNIT_DIM)
            theta = pm.Deterministic("capability", f_unit - s_unit * v_u, dims=UNIT_DIM)
            pm.Deterministic("shortfall", f_unit - theta, dims=UNIT_DIM)
        else:
            theta = pm.Deterministic("capability", f_unit, dims=UNIT_DIM)

        # ---- measurement
        effect = theta[row_unit]
        if settings.public_advantage:
            gamma = pm.Normal("public_advantage", 0.0, settings.prior_scale_gamma)
            effect = effect + gamma * open_public
        if settings.provider_degradation and design.providers:
            delta = pm.HalfNormal(
                "provider_degradation", settings.prior_scale_delta, dims=PROVIDER_DIM
            )
            hosted = prov_idx >= 0
            pen = pt.concatenate([pt.zeros(1), delta])[prov_idx + 1]
            effect = effect - pen * hosted
        mu = mean_score(
            effect,
            difficulty=difficulty[b_idx],
            slope=slope[b_idx],
            floor=floor[b_idx],
            ops=PYTENSOR_OPS,
        )
        phi = precision[b_idx]
        a, b = mu * phi, (1 - mu) * phi
        # Uncensored scores: Beta likelihood. Scores at the resolution limits: the Beta
        # probability of lying beyond them (the incomplete beta is costly: only those rows).
        pm.Beta("score", alpha=a[:n_in], beta=b[:n_in], observed=y[:n_in], dims=D.OBS)
        if n_in < len(y):
            low = y[n_in:] <= CENSOR
            pm.CustomDist(
                "score_censored",
                a[n_in:],
                b[n_in:],
                logp=lambda value, a_, b_: censored_beta_logp(a_, b_, low),
                random=_censored_beta_random,
                observed=y[n_in:],
                dims=CENSORED_DIM,
            )
    return model


@dataclass
class GapModel:
    """The hierarchical Bayesian IRT gap model (settings only; :meth:`fit` does the work).

    Parameters are those of :class:`GapSettings`, checked on construction (and again by
    :meth:`design`, :meth:`build` and :meth:`fit`, in case one was changed since): an invalid one
    raises a ValueError naming it. See :mod:`irtgap.methods.bayes.model` for the maths.

    Examples
    --------
    >>> import irtgap
    >>> sim = irtgap.simulate(n_closed=12, n_open=12, n_benchmarks=6, seed=1)
    >>> model = irtgap.GapModel(knot_months=12).build(sim.data)
    >>> sorted(model.coords["weights"])
    ['closed', 'open']
    """

    since: str | None = GapSettings.since
    knot_months: int = GapSettings.knot_months
    reference_date: str = GapSettings.reference_date
    public_advantage: bool = True
    provider_degradation: bool = True
    shortfall: bool = True
    prior_scale_gamma: float = GapSettings.prior_scale_gamma
    prior_scale_delta: float = GapSettings.prior_scale_delta
    growth_spread: float = GapSettings.growth_spread
    frontier_softness: float = GapSettings.frontier_softness

    def __post_init__(self) -> None:
        self.settings  # noqa: B018 - validates every setting (GapSettings.__post_init__)

    @property
    def settings(self) -> GapSettings:
        """The settings as a (validated, frozen) :class:`GapSettings`."""
        return GapSettings(**{f.name: getattr(self, f.name) for f in fields(GapSettings)})

    def design(self, data: ScoreData) -> Design:
        """The design arrays of ``data`` under these settings (see
        :func:`~irtgap.methods.bayes.design.make_design`)."""
        s = self.settings
        return make_design(
            data, since=s.since, knot_months=s.knot_months, reference_date=s.reference_date
        )

    def build(self, data: ScoreData) -> pm.Model:
        """The PyMC model for ``data``, to inspect or extend."""
        return build_model(self.design(data), self.settings)

    def fit(
        self,
        data: ScoreData,
        *,
        draws: int = 1000,
        tune: int = 1000,
        chains: int = 4,
        cores: int | None = None,
        seed: int | np.random.Generator | None = None,
        progressbar: bool = True,
        sampler: str = "nutpie",
        sampler_kwargs: dict[str, Any] | None = None,
    ) -> GapFit:
        """Sample the posterior and return a :class:`~irtgap.methods.bayes.fit.GapFit`.

        ``sampler`` is ``"nutpie"`` (default, fastest here) or ``"pymc"``. ``cores`` is the
        number of chains run in parallel (default: one per CPU, at most ``chains``; PyMC's own
        default assumes half the CPUs are hyper-threads and runs one chain at a time on a
        2-core machine). The step size targets an acceptance rate of :data:`TARGET_ACCEPT`
        (0.85), and with nutpie trajectories are doubled once past the U-turn
        (:data:`NUTPIE_DEFAULTS`), see ``docs/model.md``. ``sampler_kwargs`` are passed to
        :func:`pymc.sample` (``target_accept`` there overrides the default), and its ``nuts``
        entry is merged over the nutpie defaults. Diagnostics are checked after sampling and a
        :class:`~irtgap.core.errors.ConvergenceWarning` is issued when R-hat > 1.01, bulk ESS < 400
        for the frontier, or any divergence occurred (and when R-hat cannot be computed: one
        chain).

        Raises
        ------
        ValueError
            Before anything is compiled, naming the option: an invalid setting (see
            :class:`GapSettings`), ``draws`` / ``chains`` not a whole number >= 1, ``tune`` < 0,
            ``cores`` < 1, ``sampler`` not ``"nutpie"`` / ``"pymc"``, ``sampler_kwargs`` not a
            dict.
        ScoreDataError
            The data cannot be modelled (see :func:`irtgap.methods.bayes.design.make_design`).
        """
        from irtgap.methods.bayes.fit import GapFit

        _check_fit_options(draws, tune, chains, cores, sampler, sampler_kwargs)
        design = self.design(data)
        model = build_model(design, self.settings)
        kwargs = sample_kwargs(sampler, chains, cores=cores, overrides=sampler_kwargs)
        if isinstance(seed, np.random.Generator):
            seed = int(seed.integers(2**31 - 1))
        with model:
            idata = pm.sample(
                draws=draws,
                tune=tune,
                chains=chains,
                random_seed=seed,
                progressbar=progressbar,
                nuts_sampler=sampler,
                **kwargs,
            )
        fit = GapFit(idata=idata, design=design, settings=self.settings, data=data)
        fit.diagnostics(warn=True)
        return fit
