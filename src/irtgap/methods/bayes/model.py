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
        \operatorname{logistic}(\eta_i)\text{ with Beta noise}) \\
    z_i &\sim \operatorname{Beta}(\mu_i \phi_b,\ (1 - \mu_i)\phi_b),
        \text{ censored to } [\rho_b, 1 - \rho_b]

With ``noise="logit_normal"`` (see :class:`GapSettings`) the noise is a shift on the log-odds
scale instead, :math:`\operatorname{logit} z_i \sim \mathcal N(\operatorname{logit}\mu_i,
\phi_b^{-1/2})` (so :math:`\mu_i` is the median score), censored alike, with
:math:`\log\phi_b \sim \mathcal N(1.8, 1.5)` (noise sd median 0.41 logits); see
:mod:`irtgap.methods.bayes.noise`.

With ``upper_asymptote=True`` (the default, see :class:`GapSettings`) the curve gets an
upper asymptote below the ceiling, :math:`\mu_i = f_b + (1 - \lambda_b - f_b)\,
\operatorname{logistic}(\eta_i)`, with a lapse rate :math:`\lambda_b` on each benchmark whose
best modelled score reaches ``lapse_threshold`` (60%) of its ceiling and :math:`\lambda_b = 0`
elsewhere (``lapse_threshold=0``: on every benchmark). The lapse rates are partially pooled on
the log-odds scale (``lapse_pooling="partial"``, the default),

.. math::

    \operatorname{logit}\lambda_b = m_\lambda + s_\lambda z_b,\qquad z_b \sim \mathcal N(0, 1),
    \qquad m_\lambda \sim \mathcal N(\operatorname{logit} 0.05,\ 1),\qquad
    s_\lambda \sim \mathcal{HN}(1),

or independent, :math:`\lambda_b \sim \operatorname{Beta}(1, 20)` (``lapse_pooling="none"``).

With ``public_advantage_trend=True`` (off by default, see :class:`GapSettings`) the open
advantage changes with the open model's release time: :math:`\gamma` becomes
:math:`\gamma + \gamma_t\,(t_m - \bar t)`, :math:`\gamma_t \sim \mathcal N(0, 0.5)` per year
(``prior_scale_gamma``), :math:`\bar t` the mean release time of the open models' rows on public
benchmarks (so :math:`\gamma` is the advantage there on average). The ``public`` gap at date
:math:`t` then raises the open frontier by :math:`\gamma + \gamma_t (t - \bar t)`.

With ``private_effects=True`` (off by default, see :class:`GapSettings`) each model unit
:math:`u` gets an effect on the benchmarks that are not public: :math:`\eta_i` gains
:math:`+\,\alpha_b\,\pi_u\,[b \text{ not public}]`, :math:`\pi_u = \sigma_\pi z_u`,
:math:`z_u \sim \mathcal N(0, 1)`, :math:`\sigma_\pi \sim \mathcal{HN}(0.5)`
(``prior_scale_private``). The effects are centred on zero by their prior (partial pooling),
so a model's capability is what it shows on public and private benchmarks alike, and the
frontiers and the gap are read from the capabilities as without them.

With ``reasoning_effects=True`` (off by default, see :class:`GapSettings`) the rows of
reasoning models (:math:`r_m = 1`, :func:`irtgap.data.elicitation.is_reasoning` of the
version's name) get a per-benchmark effect: :math:`\eta_i` gains
:math:`+\,\alpha_b\,\rho_b\,r_m`, :math:`\rho = \sigma_\rho z`, :math:`z \sim
\operatorname{ZeroSumNormal}(1)` over the benchmarks, :math:`\sigma_\rho \sim
\mathcal{HN}(1)` (``prior_scale_reasoning``). The same for open and closed reasoning models,
and fixed by the known reasoning releases (nothing to rotate); zero-sum, so a reasoning model's
capability is its level averaged over the benchmarks, and the frontiers and the gap are read
from the capabilities as without the term.

With ``interactions=True`` (off by default, see :class:`GapSettings`) each cell :math:`c =
(f, b)` of a model family :math:`f` (a first-party version with its hosted copies and effort
variants, :attr:`~irtgap.methods.bayes.design.Design.model_family`) and a benchmark gets an
interaction: :math:`\eta_i` gains :math:`+\,\alpha_b\,u_{c(i)}`, with

.. math::

    \alpha_b u_c = \lambda\, s(\phi_b)\, z_c,\qquad z_c \sim \mathcal N(0, 1),\qquad
    \lambda \sim \mathcal{HN}(1)\ (\texttt{prior\_scale\_interaction}),

:math:`s(\phi_b)` the noise's spread on the log-odds scale at a mean of one half
(:math:`2/\sqrt{1+\phi_b}` for the Beta noise, :math:`\phi_b^{-1/2}` for the logit forms;
:func:`irtgap.methods.bayes.noise.logit_scale`): on each benchmark the interactions'
log-odds spread is :math:`\lambda` times the noise's, so :math:`\lambda^2/(1+\lambda^2)` is
their share of the residual variance. A family's interaction on a benchmark is the same in each
of its evaluations there, and the noise is what a re-run changes: the replicates
(:mod:`irtgap.methods.bayes.replicate`) keep the interactions of the posterior sample and draw
new noise, a re-run of the same evaluations. The split between the two is identified by the
families scored more than once on a benchmark (effort variants, hosted copies). Centred on zero
by the prior, so the capability is the family's level across benchmarks, and the frontiers
and the gap are read from the capabilities as without the term. In the integrated LOO
(:mod:`irtgap.methods.bayes.checks`) the interaction of a cell with one row is integrated over
its prior with that row (Gauss-Hermite); a cell with other rows keeps its posterior draw.

With ``interaction_scale="log_odds"`` (needs ``noise="logit_normal"``) the interaction shifts
the log-odds of the row's median score instead of the capability inside the curve,

.. math::

    \operatorname{logit} z_i = \operatorname{logit}\mu_i + v_{c(i)} + \varepsilon_i,\qquad
    v_c = \lambda\,\phi_b^{-1/2} z_c,\qquad z_c \sim \mathcal N(0, 1),\qquad
    \varepsilon_i \sim \mathcal N(0, \sigma_i^2),

(:math:`\sigma_i^2 = \phi_b^{-1}`, plus the measurement variance with ``measurement_noise``):
the same model as above on a benchmark without floor and lapse, where
:math:`\operatorname{logit}\mu_i = \alpha_b(\eta_i - d_b)`. Given the other parameters the
uncensored log-odds of a cell are then jointly Normal, with covariance
:math:`\operatorname{diag}(\sigma_i^2) + \tau_c^2\mathbf 1\mathbf 1^\top`,
:math:`\tau_c = \lambda\phi_b^{-1/2}`, and the sampler reads that density
(:func:`irtgap.methods.bayes.graph.build_model`): no per-cell variable, so no funnel between
:math:`\lambda` and the cells. A censored row alone in its cell has the variance
:math:`\sigma_i^2 + \tau_c^2`; a cell with a censored row and other rows keeps its
:math:`z_c` (no closed form). After sampling, each cell's :math:`v_c` is drawn from its
conditional posterior per posterior sample (:mod:`irtgap.methods.bayes.cells`), so the fit
holds draws of the joint posterior, read by the replicates and the checks as sampled
interactions. The pointwise log-likelihood of PSIS-LOO is then each row's density given its
cell's other rows, the interaction integrated out (exact for a posterior without it), and in
the integrated LOO a cell with one row has its interaction integrated out (the noise variance
plus :math:`\tau_c^2`). With ``interaction_tails="student_t"`` the interactions are Student-t,
:math:`\tau_c^2 = \lambda^2\phi_b^{-1}\omega_c`, :math:`\omega_c \sim
\operatorname{InvGamma}(\nu/2, \nu/2)` per cell (``interaction_mix``, :math:`\nu` =
:data:`~irtgap.methods.bayes.noise.T_DOF`), and everything above holds given
:math:`\omega`.

With ``measurement_noise="known"`` or ``"pooled"`` (``"none"`` by default; needs
``noise="logit_normal"``, see :class:`GapSettings`) the residual of a row :math:`i` on a
benchmark whose measurement noise is known splits into a persistent (model version,
benchmark) effect and the measurement:

.. math::

    \operatorname{logit} z_i = \operatorname{logit}\mu_i + e_i + \delta_i,\qquad
    e_i \sim \mathcal N(0, \phi_b^{-1}),\qquad \delta_i \sim \mathcal N(0, s_i^2),\qquad
    s_i^2 = \frac{1}{m_b\, \tilde y_i (1 - \tilde y_i)},

:math:`m_b` the item count whose binomial noise matches the export's standard errors, or the
declared item count (:attr:`~irtgap.methods.bayes.design.Design.measurement_items`),
:math:`\tilde y_i` the observed fraction within the resolution limits. :math:`e_i` is
integrated out: the likelihood is the logit-normal's with variance :math:`\phi_b^{-1} +
s_i^2`, so the fit's means and frontiers are those of a logit-normal model whose noise has a
known floor; the split matters to the replicates (:mod:`irtgap.methods.bayes.replicate`), which
keep :math:`e_i` (drawn from its posterior given :math:`z_i`) and redraw :math:`\delta_i`, a
re-run of the same evaluations. On benchmarks whose measurement noise is unknown,
:math:`s_i = 0` and the replicates redraw the whole residual, as without the term.

With ``open_offset_trend=True`` (off by default; needs ``open_offsets``) each domain's part of
the open offset moves linearly with the open model's release time: :math:`\eta_i` gains
:math:`+\,\alpha_b\,\beta_{d(b)}\,(t_m - \bar t_o)\,[g_m = \text{open}]`, with
:math:`\beta = \sigma_\beta z`, :math:`z \sim \operatorname{ZeroSumNormal}(1)` over the
domains, :math:`\sigma_\beta \sim \mathcal{HN}(0.5)` per year (``prior_scale_offset``) and
:math:`\bar t_o` the mean release time of the open models' rows: open models may catch up
faster on some domains than on others. Zero-sum, so a trend common to every domain stays in the
open frontier's growth.

With ``second_factor=True`` (off by default, see :class:`GapSettings`) there is a second latent
dimension. Each capability unit :math:`u` has a second ability and each benchmark a loading on
it, and :math:`\eta_i` gains :math:`+\,\alpha_b\,\ell_b\,\psi_u`:

.. math::

    \psi_u = P_{g_u}(t_u) - \varsigma_{g_u} w_u,\quad
    w_u \sim \operatorname{ExGaussian}(0, \tau, 1),\quad
    \varsigma_{\text{closed}} = 1,\ \varsigma_{\text{open}} \sim \mathcal{HN}(1),\qquad
    \ell_b = \kappa_{d(b)} h_b,\ h_b \sim \mathcal{HN}(1),\
    \kappa_d \sim \mathcal{HN}(1)\ (\texttt{prior\_scale\_loading}),

with :math:`P_g` a second non-decreasing piecewise-linear frontier per side, built like
:math:`F_g` below (its own typical growth rates, the same fixed spread). Identification:
*sign*, the loadings are non-negative and both frontiers non-decreasing, so :math:`\psi` cannot
flip; *rotation*, the anchor benchmark loads on the capability only (:math:`\ell_{\text{anchor}}
= 0`), which fixes how much of :math:`\psi` the capability can absorb; *scale*, the closed
side's shortfall scale on :math:`\psi` is 1; *location*, the closed frontier :math:`P` averages 0
over the knots (a shift of :math:`\psi` would move every benchmark's :math:`\eta` by its own
:math:`\alpha_b \ell_b c`, which the difficulties absorb). With two dimensions the gap of a group
of benchmarks :math:`G` is read on the benchmarks: the mean linear predictor over the group's
benchmarks at a side's frontiers is :math:`\bar\alpha_G (F_g + w_G P_g)` plus a constant, with
:math:`w_G = \sum_{b\in G}\alpha_b\ell_b / \sum_{b\in G}\alpha_b`, so the group's backward gap
is how many months ago the closed frontier's index :math:`F + w_G P` stood where the open one
stands today: how long ago the closed frontier's expected scores on the group's benchmarks
matched, on average on the log-odds scale, the open frontier's today. With one dimension
:math:`w_G = 0` and this is the capability gap, as before (see
:func:`irtgap.methods.bayes.domains.group_loadings`). ``"capability"`` stays the gap on the
first dimension.

With ``open_offsets=True`` (off by default, see :class:`GapSettings`) open models get an offset on
each benchmark on top of their capability: :math:`\eta_i` gains
:math:`+\,\alpha_b\,o_b\,[g_m = \text{open}]`, with

.. math::

    o_b = \delta_{d(b)} + \epsilon_b,\qquad
    \delta = \sigma_\delta z,\ z \sim \operatorname{ZeroSumNormal}(1)\ \text{over the
    domains},\qquad \epsilon_b \sim \mathcal N(0, \sigma_\epsilon),\qquad
    \sigma_\delta, \sigma_\epsilon \sim \mathcal{HN}(0.5),

:math:`d(b)` the benchmark's domain (the metadata's ``domain``). The domain parts sum to zero
and the benchmark parts are centred on zero by their prior, which separates them from the open
frontier's level and from the public advantage :math:`\gamma` (partial pooling, the usual
identification of random effects beside fixed ones; no hard constraint), so the open frontier
is the open models' capability at offset 0, the centre of the offsets' distribution. The
gap by domain and per benchmark is read from these offsets
(:mod:`irtgap.methods.bayes.domains`).

A score at its benchmark's ceiling (:math:`z_i \ge 1 - \rho_b`, i.e.
:math:`y_i \ge (1 - \rho_b)\kappa_b`) is right-censored whatever the ceiling; a score above the
ceiling is an error. The replicator (:func:`irtgap.analyses.winners_curse.replicate_scores`) and the
simulator (:func:`irtgap.simulate`) draw scores by this same formula, :math:`y = \kappa_b z`.
Benchmarks whose access is unknown are modelled as private (no :math:`\gamma`), with a warning
naming them (:func:`irtgap.methods.bayes.design.make_design`).

A hosted version (``chutes/QwQ-32B``) shares the capability :math:`\theta_{k(m)}` of the
first-party version it serves (see :func:`irtgap.methods.bayes.design.match_hosted_versions`), so
the provider penalty is identified by the hosted versus first-party scores of the same weights.
Exact 0 and the ceiling are not clipped silently: a score at or below :math:`\rho_b` contributes
the Beta probability of lying below :math:`\rho_b` (left-censoring: the score is known only to
be below the resolution of the benchmark), and likewise above :math:`1 - \rho_b`. The
resolution is half an item, :math:`\rho_b = \max(1/(2n_b), 0.005)`, where the benchmark
metadata give its item count :math:`n_b` (``n_items``, at least 10): on a 15-item benchmark
15/15 says only that the share is above 0.967, not above 0.995, which would pull the
capabilities of models at the ceiling up. Without ``n_items``, :math:`\rho_b = 0.005`.

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
:math:`\sigma_\lambda` = ``growth_spread``; with ``learn_growth_spread=True`` the spread is
learned, :math:`\sigma_\lambda \sim \mathcal{HN}(\text{growth\_spread})`, and the rates are
sampled non-centred, :math:`\lambda_{g,j} = \mu_{\lambda,g} + \sigma_\lambda z_{g,j}`,
:math:`z_{g,j} \sim \mathcal N(0, 1)`), :math:`L_g` the side's frontier level averaged over
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

The sampler sees each difficulty relative to the frontier where its benchmark was used,
:math:`D_b = r_b + d_b` with :math:`r_b` the mean side frontier at the release dates of the models
scored on :math:`b` and :math:`d_b \sim \mathcal N(\mu_D - r_b, \sigma_D)`: the same prior on
:math:`D_b` (a shift, unit Jacobian), with better geometry (see
:func:`irtgap.methods.bayes.design.frontier_reference`).

**Identification.** Location and scale are fixed by the anchor benchmark (GPQA diamond by
default, scored by the most frontier models): :math:`D_{\text{anchor}} = 0`,
:math:`\alpha_{\text{anchor}} = 1`, so one capability unit is one logit of the anchor benchmark's
above-floor success rate and 0 is its difficulty. Orientation: :math:`\alpha_b > 0` and the
frontiers increase, so no sign flips are possible. Benchmarks on which fewer than three scores lie
strictly inside :math:`(\rho_b, 1 - \rho_b)` are left out with a warning (their slope is not
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
from dataclasses import replace
from numbers import Integral
from typing import TYPE_CHECKING, Any

import numpy as np
import pymc as pm
import xarray as xr

from irtgap.data.scoredata import ScoreData
from irtgap.methods.bayes.design import Design

# the graph's names, re-exported here where the model's maths are stated
from irtgap.methods.bayes.graph import CENSORED_DIM as CENSORED_DIM
from irtgap.methods.bayes.graph import PYTENSOR_OPS as PYTENSOR_OPS
from irtgap.methods.bayes.graph import SEGMENT_DIM as SEGMENT_DIM
from irtgap.methods.bayes.graph import UNIT_DIM as UNIT_DIM
from irtgap.methods.bayes.graph import build_model
from irtgap.methods.bayes.graph import censored_beta_logp as censored_beta_logp
from irtgap.methods.bayes.noise import SERIES_TERMS as SERIES_TERMS
from irtgap.methods.bayes.settings import SETTING_NAMES, GapSettings

if TYPE_CHECKING:
    from irtgap.methods.bayes.fit import GapFit


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


#: The inference modes of :meth:`GapModel.fit` and their sampling schedules (per chain; nutpie
#: options under ``nuts``). ``"nuts"``: the full run every published number uses. ``"fast"``:
#: a short NUTS schedule for studies of many fits (leave-one-benchmark-out, backtests,
#: model-form screening, validation worlds), two chains without the extra doubling; its gap
#: is compared with the full run's in ``docs/evidence/inference.md``. Its diagnostics are not
#: those of a converged run, so they are recorded and only divergences are warned about.
INFERENCE: dict[str, dict[str, Any]] = {
    "nuts": {"draws": 1000, "tune": 1000, "chains": 4},
    "fast": {"draws": 300, "tune": 300, "chains": 2, "nuts": {"extra_doublings": 0}},
}


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


def _add_conditional_interactions(fit: Any, seed: int | None) -> None:
    """Put the log-odds interactions the sampler integrated out into ``fit``'s posterior, one
    conditional draw per sample (:mod:`irtgap.methods.bayes.cells`), seeded from the fit's
    seed."""
    from irtgap.methods.bayes.cells import conditional_interactions

    rng = np.random.default_rng(None if seed is None else [int(seed), 1])
    post = fit.idata["posterior"]
    merged = post.to_dataset().merge(conditional_interactions(fit, rng))
    merged.attrs = dict(post.attrs)
    fit.idata["posterior"] = xr.DataTree(dataset=merged)


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


class GapModel:
    """The hierarchical Bayesian IRT gap model (settings only; :meth:`fit` does the work).

    Build it from keywords, the settings of :class:`GapSettings` (``GapModel(open_offsets=True)``),
    or from a :class:`GapSettings` (``GapModel(settings)``; keywords then change some of them).
    The settings are checked on construction: an invalid one raises a ValueError naming it, an
    unknown one a TypeError naming it. :attr:`settings` holds them (frozen); each setting is also
    an attribute (``model.knot_months``), and assigning one replaces :attr:`settings` with the
    setting changed, checked again. See :mod:`irtgap.methods.bayes.model` for the maths.

    Parameters
    ----------
    settings : GapSettings, optional
        The settings to start from (default: :class:`GapSettings`'s defaults).
    **options
        Settings of :class:`GapSettings` by name, replacing those of ``settings``.

    Examples
    --------
    >>> import irtgap
    >>> sim = irtgap.simulate(n_closed=12, n_open=12, n_benchmarks=6, seed=1)
    >>> model = irtgap.GapModel(knot_months=12).build(sim.data)
    >>> sorted(model.coords["weights"])
    ['closed', 'open']
    >>> irtgap.GapModel(open_offsets=True).settings.open_offsets
    True
    """

    settings: GapSettings

    def __init__(self, settings: GapSettings | None = None, **options: Any) -> None:
        if settings is not None and not isinstance(settings, GapSettings):
            raise TypeError(
                f"GapModel(settings={settings!r}): give a GapSettings, or the settings by name "
                "(e.g. GapModel(knot_months=6))"
            )
        unknown = sorted(set(options) - set(SETTING_NAMES))
        if unknown:
            raise TypeError(
                f"GapModel: unknown setting(s) {unknown}; use any of {list(SETTING_NAMES)}"
            )
        base = settings if settings is not None else GapSettings()
        object.__setattr__(self, "settings", replace(base, **options) if options else base)

    def __getattr__(self, name: str) -> Any:
        # only reached when normal lookup fails: the settings by name
        settings = self.__dict__.get("settings")
        if settings is not None and name in SETTING_NAMES:
            return getattr(settings, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        if name in SETTING_NAMES:  # the settings with this one changed, checked again
            object.__setattr__(self, "settings", replace(self.settings, **{name: value}))
            return
        if name == "settings" and not isinstance(value, GapSettings):
            raise TypeError(f"GapModel.settings={value!r}: give a GapSettings")
        object.__setattr__(self, name, value)

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *SETTING_NAMES})

    def __repr__(self) -> str:
        shown = ", ".join(f"{n}={getattr(self.settings, n)!r}" for n in SETTING_NAMES)
        return f"{type(self).__name__}({shown})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, GapModel):
            return NotImplemented
        return type(self) is type(other) and self.settings == other.settings

    def design(self, data: ScoreData) -> Design:
        """The design arrays of ``data`` under these settings (see
        :func:`~irtgap.methods.bayes.design.make_design`)."""
        return self.settings.design(data)

    def build(self, data: ScoreData) -> pm.Model:
        """The PyMC model for ``data``, to inspect or extend."""
        return build_model(self.design(data), self.settings)

    def fit(
        self,
        data: ScoreData,
        *,
        draws: int | None = None,
        tune: int | None = None,
        chains: int | None = None,
        cores: int | None = None,
        seed: int | np.random.Generator | None = None,
        progressbar: bool = True,
        sampler: str = "nutpie",
        sampler_kwargs: dict[str, Any] | None = None,
        inference: str = "nuts",
    ) -> GapFit:
        """Sample the posterior and return a :class:`~irtgap.methods.bayes.fit.GapFit`.

        The step size targets an acceptance rate of :data:`TARGET_ACCEPT` (0.85), and with
        nutpie trajectories are doubled once past the U-turn (:data:`NUTPIE_DEFAULTS`), see
        ``docs/model.md``. Diagnostics are checked after sampling and a
        :class:`~irtgap.core.errors.ConvergenceWarning` is issued when one misses its limit
        (:meth:`GapFit.diagnostics <irtgap.methods.bayes.fit.GapFit.diagnostics>`: R-hat > 1.01,
        bulk ESS < 400 for the frontier or the gap, any divergence, a chain's E-BFMI < 0.3, any
        transition at the maximum tree depth) or cannot be checked (R-hat with one chain).

        Parameters
        ----------
        data : ScoreData
            The scores to model.
        draws, tune, chains : int, optional
            Posterior draws and tuning steps per chain, and the number of chains (default: the
            schedule of ``inference``, :data:`INFERENCE`: 1000, 1000 and 4 for ``"nuts"``).
        cores : int, optional
            Chains run in parallel (default: one per CPU, at most ``chains``; PyMC's own
            default assumes half the CPUs are hyper-threads and runs one chain at a time on a
            2-core machine).
        seed : int or numpy.random.Generator, optional
            Seeds the sampler (a Generator gives one integer seed).
        progressbar : bool
            Show the sampler's progress.
        sampler : {"nutpie", "pymc"}
            nutpie (default, fastest here) or PyMC's NUTS.
        sampler_kwargs : dict, optional
            Passed to :func:`pymc.sample` (``target_accept`` there overrides the default); its
            ``nuts`` entry is merged over the nutpie defaults.
        inference : {"nuts", "fast"}
            ``"nuts"``: the full run. ``"fast"``: the short schedule of :data:`INFERENCE` for
            studies of many fits (not converged by the standards of a published number; its
            gap against the full run's: ``docs/evidence/inference.md``); the fit records it
            (:attr:`GapFit.inference <irtgap.methods.bayes.fit.GapFit.inference>`) and warns
            only about divergences.

        Returns
        -------
        GapFit

        Raises
        ------
        ValueError
            Before anything is compiled, naming the option: ``draws`` / ``chains`` not a whole
            number >= 1, ``tune`` < 0, ``cores`` < 1, ``sampler`` not ``"nutpie"`` /
            ``"pymc"``, ``sampler_kwargs`` not a dict.
        ScoreDataError
            The data cannot be modelled (see :func:`irtgap.methods.bayes.design.make_design`).
        """
        from irtgap.methods.bayes.fit import GapFit

        if not isinstance(inference, str) or inference not in INFERENCE:
            raise ValueError(f"inference={inference!r}: use one of {list(INFERENCE)}")
        plan = INFERENCE[inference]
        draws = plan["draws"] if draws is None else draws
        tune = plan["tune"] if tune is None else tune
        chains = plan["chains"] if chains is None else chains
        _check_fit_options(draws, tune, chains, cores, sampler, sampler_kwargs)
        design = self.design(data)
        model = build_model(design, self.settings)
        overrides = dict(sampler_kwargs or {})
        if sampler == "nutpie" and "nuts" in plan:
            overrides["nuts"] = {**plan["nuts"], **overrides.get("nuts", {})}
        kwargs = sample_kwargs(sampler, chains, cores=cores, overrides=overrides)
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
        idata["posterior"].attrs["irtgap_inference"] = inference
        fit = GapFit(idata=idata, design=design, settings=self.settings, data=data)
        if self.settings.interactions and self.settings.interaction_scale == "log_odds":
            _add_conditional_interactions(fit, seed)
        if inference == "nuts":
            fit.diagnostics(warn=True)
        elif int(fit.diagnostics(warn=False)["divergences"]):
            fit.diagnostics(warn=True)
        return fit
