r"""The PyMC graph of the gap model: :func:`build_model` (the maths are in
:mod:`irtgap.methods.bayes.model`).

Kept apart from :class:`~irtgap.methods.bayes.model.GapModel`, which samples the graph and wraps
the draws in a :class:`~irtgap.methods.bayes.fit.GapFit`, so that what reads a fit (the checks of
:mod:`irtgap.methods.bayes.checks`) can rebuild its graph without depending on the sampler.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pymc as pm
import pytensor.tensor as pt
from pymc.distributions.dist_math import normal_lcdf

from irtgap.core import dims as D
from irtgap.core.measurement import MathOps, mean_score
from irtgap.data.scoredata import ScoreData
from irtgap.methods.bayes.design import (
    CENSOR,
    KNOT_DIM,
    PROVIDER_DIM,
    Design,
    frontier_reference,
    saturating_benchmarks,
)
from irtgap.methods.bayes.elicitation import ElicitationPriors, design_arrays, elicitation_term
from irtgap.methods.bayes.noise import (
    LOG_PRECISION_PRIOR,
    T_DOF,
    logit_scale,
    series_terms,
    with_measurement,
)
from irtgap.methods.bayes.settings import GapSettings

UNIT_DIM = "unit"
#: Dimension of the lapse rates: the benchmarks whose best score reaches the lapse threshold.
SATURATING_DIM = "saturating_benchmark"
#: The (model family, benchmark) cells of ``GapModel(interactions=True)``.
INTERACTION_DIM = "interaction_cell"
#: With ``interaction_scale="log_odds"``: the cells whose interactions the sampler draws (a
#: censored row beside other rows: no closed form), the others being integrated out.
SAMPLED_CELL_DIM = "sampled_interaction_cell"
#: The default ``lapse_threshold``: with ``upper_asymptote=True`` a benchmark gets a lapse rate
#: when its best modelled score reaches this fraction of its ceiling. Below it every score lies on
#: the lower part of the curve, where the lapse and the difficulty explain the scores alike (a
#: ridge the sampler crawls along); ``lapse_threshold=0`` puts a lapse on every benchmark anyway.
SATURATION = GapSettings.lapse_threshold
#: Beta prior of a lapse rate with ``lapse_pooling="none"`` (mean 0.05; 95% below 0.14):
#: label-error audits of saturated benchmarks find a few percent to about 10% of items flawed.
LAPSE_PRIOR = (1.0, 20.0)
#: With ``lapse_pooling="partial"`` (the default): the lapse rates' log-odds are Normal around a
#: common mean with a common spread, ``logit(lapse_b) = m + s z_b``; priors of the mean
#: (Normal(logit 0.05, 1): a typical lapse between 0.8% and 26% at 2 sd) and of the spread
#: (HalfNormal(1)).
LAPSE_HYPERPRIOR: dict[str, tuple[float, ...]] = {
    "mean": (float(np.log(0.05 / 0.95)), 1.0),
    "sd": (1.0,),
}
SEGMENT_DIM = "segment"
CENSORED_DIM = "obs_censored"
#: pytensor's operations for :func:`~irtgap.core.measurement.mean_score`.
PYTENSOR_OPS = MathOps(sigmoid=pm.math.sigmoid, clip=pt.clip)


def censored_beta_logp(a: Any, b: Any, low: np.ndarray, eps: np.ndarray | float = CENSOR) -> Any:
    r"""Log probability that a Beta(a, b) score lies beyond its resolution limit ``eps`` (per
    row, a constant).

    For left-censored scores (``low``), :math:`\log P(Y \le \epsilon) = \log I_\epsilon(a, b)`;
    for right-censored ones, :math:`\log I_\epsilon(b, a)`. The regularised incomplete beta at
    small :math:`\epsilon` is evaluated with its power series (DLMF 8.17.22),

    .. math:: I_x(a, b) = \frac{x^a (1-x)^b}{a B(a, b)} \sum_{n \ge 0} t_n,\quad t_0 = 1,\
        t_{n+1} = t_n \frac{a + b + n}{a + 1 + n} x,

    truncated at :func:`~irtgap.methods.bayes.noise.series_terms` terms (40 at
    :math:`x = 0.005`, more for the coarser limits of benchmarks with few items): much cheaper to
    differentiate than a general incomplete-beta routine, and accurate because :math:`x` is small.
    """
    p = pt.where(low, a, b)
    q = pt.where(low, b, a)
    x = np.broadcast_to(np.asarray(eps, float), np.shape(low))
    log_x = np.log(x)[:, None]
    j = np.arange(series_terms(float(x.max()) if x.size else CENSOR), dtype=float)[None, :]
    log_ratio = pt.log(p[:, None] + q[:, None] + j) - pt.log(p[:, None] + 1 + j) + log_x
    log_terms = pt.concatenate([pt.zeros_like(p)[:, None], pt.cumsum(log_ratio, axis=1)], axis=1)
    log_total = pt.logsumexp(log_terms, axis=1)
    log_beta = pt.gammaln(p) + pt.gammaln(q) - pt.gammaln(p + q)
    return p * np.log(x) + q * np.log1p(-x) - pt.log(p) - log_beta + log_total


def _beta_random(
    a: np.ndarray, b: np.ndarray, rng: np.random.Generator | None = None, size: Any = None
) -> np.ndarray:
    return np.asarray((rng or np.random.default_rng()).beta(a, b, size=size))


def _logit_normal_random(
    m: np.ndarray, sd: np.ndarray, rng: np.random.Generator | None = None, size: Any = None
) -> np.ndarray:
    rng = rng or np.random.default_rng()
    shape = size if size is not None else np.shape(m)
    return np.asarray(1 / (1 + np.exp(-(m + sd * rng.standard_normal(size=shape)))))


def _logit_t_random(
    m: np.ndarray, sd: np.ndarray, rng: np.random.Generator | None = None, size: Any = None
) -> np.ndarray:
    rng = rng or np.random.default_rng()
    shape = size if size is not None else np.shape(m)
    return np.asarray(1 / (1 + np.exp(-(m + sd * rng.standard_t(T_DOF, size=shape)))))


@dataclass(frozen=True)
class _CensoredDraws:
    """The random function of a censored score term: draws of ``draw`` clipped to the rows'
    resolution limits (the third parameter), as the likelihood reads them."""

    draw: Callable[..., np.ndarray]

    def __call__(
        self,
        p1: np.ndarray,
        p2: np.ndarray,
        eps: np.ndarray,
        rng: np.random.Generator | None = None,
        size: Any = None,
    ) -> np.ndarray:
        return np.clip(self.draw(p1, p2, rng, size), eps, 1 - eps)


def _logit_t_logp(value: Any, m: Any, sd: Any) -> Any:
    """Log density of a fraction whose log-odds are Student-t (``T_DOF``) around ``m``, scale
    ``sd``: the t density of the log-odds times the logit's Jacobian."""
    x = pt.log(value) - pt.log1p(-value)
    return pm.logp(pm.StudentT.dist(nu=T_DOF, mu=m, sigma=sd), x) - pt.log(value) - pt.log1p(-value)


def _normal_logcdf(r: Any) -> Any:
    r""":math:`\log \Phi(r)`, the standard Normal."""
    return normal_lcdf(0.0, 1.0, r)


def _t_logcdf(r: Any) -> Any:
    r""":math:`\log P(T \le r)`, :math:`T \sim t_\nu` standard (``T_DOF``)."""
    return pm.logcdf(pm.StudentT.dist(nu=T_DOF, mu=0.0, sigma=1.0), r)


def open_offsets(design: Design, settings: GapSettings) -> Any:
    r"""The open models' offset on each benchmark, :math:`o_b = \delta_{d(b)} + \epsilon_b`
    (``open_offset``, dims ``benchmark``; call inside the model's context).

    Non-centred: :math:`\delta = \sigma_\delta z_\delta` with :math:`z_\delta` zero-sum
    Normal over the domains (so the domain parts do not move the shared open frontier) and
    :math:`\epsilon = \sigma_\epsilon z_\epsilon`, :math:`z_\epsilon \sim \mathcal N(0, 1)`;
    both spreads :math:`\mathcal{HN}` (``prior_scale_offset``). One domain: no domain part.
    """
    scale = settings.prior_scale_offset
    sd_b = pm.HalfNormal("open_benchmark_sd", scale)
    z_b = pm.Normal("open_benchmark_std", 0.0, 1.0, dims=D.BENCHMARK)
    offset = sd_b * z_b
    if len(design.domains) >= 2:
        sd_d = pm.HalfNormal("open_domain_sd", scale)
        z_d = pm.ZeroSumNormal("open_domain_std", 1.0, dims=D.DOMAIN)
        domain = pm.Deterministic("open_domain_offset", sd_d * z_d, dims=D.DOMAIN)
        offset = offset + domain[design.domain_idx]
    return pm.Deterministic("open_offset", offset, dims=D.BENCHMARK)


def lapse_rates(pooling: str) -> Any:
    r"""The lapse rates of the saturating benchmarks (dims ``saturating_benchmark``; call inside
    the model's context).

    ``pooling="partial"``: partially pooled on the log-odds scale, non-centred,

    .. math:: \operatorname{logit}\lambda_b = m_\lambda + s_\lambda z_b,\quad
        z_b \sim \mathcal N(0, 1),\quad m_\lambda \sim \mathcal N(\operatorname{logit}
        0.05, 1),\quad s_\lambda \sim \mathcal{HN}(1),

    so the data, not a fixed prior, set how large lapses typically are and how much they vary,
    and a benchmark whose scores say little about its lapse (none near its ceiling) is shrunk
    toward the typical one. Shrinkage does not remove the lapse's ridge with the difficulty and
    slope of a hard benchmark: on the bundled data FrontierMath's private set still takes a
    lapse near 0.5 (``docs/model.md``).
    ``pooling="none"``: independent :math:`\lambda_b \sim \operatorname{Beta}(1, 20)`
    (``lapse_saturating``).
    """
    if pooling == "none":
        return pm.Beta("lapse_saturating", *LAPSE_PRIOR, dims=SATURATING_DIM)
    m = pm.Normal("lapse_logit_mean", *LAPSE_HYPERPRIOR["mean"])
    s = pm.HalfNormal("lapse_logit_sd", *LAPSE_HYPERPRIOR["sd"])
    z = pm.Normal("lapse_std", 0.0, 1.0, dims=SATURATING_DIM)
    return pm.Deterministic("lapse_saturating", pm.math.sigmoid(m + s * z), dims=SATURATING_DIM)


def _likelihood(noise: str, mu: Any, phi: Any, y: np.ndarray, n_in: int, eps: np.ndarray) -> None:
    """The scores' likelihood (call inside the model's context): rows ``[:n_in]`` uncensored
    (``score``), the rest censored at their resolution limits ``eps`` (per row;
    ``score_censored``); see :mod:`irtgap.methods.bayes.noise`."""
    eps_c = eps[n_in:]
    low = y[n_in:] <= eps_c
    if noise in ("logit_normal", "logit_t"):
        _logit_likelihood(noise, pt.log(mu) - pt.log1p(-mu), 1 / pt.sqrt(phi), y, n_in, eps)
        return
    # Uncensored scores: Beta likelihood. Scores at the resolution limits: the Beta
    # probability of lying beyond them (the incomplete beta is costly: only those rows).
    a, b = mu * phi, (1 - mu) * phi
    pm.Beta("score", alpha=a[:n_in], beta=b[:n_in], observed=y[:n_in], dims=D.OBS)
    if n_in < len(y):
        pm.CustomDist(
            "score_censored",
            a[n_in:],
            b[n_in:],
            eps_c,
            logp=lambda value, a_, b_, _e: censored_beta_logp(a_, b_, low, eps_c),
            random=_CensoredDraws(_beta_random),
            observed=y[n_in:],
            dims=CENSORED_DIM,
        )


def _logit_likelihood(
    noise: str, m: Any, sd: Any, y: np.ndarray, n_in: int, eps: np.ndarray
) -> None:
    """The logit-normal or logit-t likelihood of the scores, log-odds centred at ``m`` with
    scale ``sd`` (per row): rows ``[:n_in]`` uncensored (``score``), the rest censored at
    their resolution limits ``eps`` (``score_censored``; call inside the model's context)."""
    if noise == "logit_t":
        pm.CustomDist(
            "score",
            m[:n_in],
            sd[:n_in],
            logp=_logit_t_logp,
            random=_logit_t_random,
            observed=y[:n_in],
            dims=D.OBS,
        )
    else:
        pm.LogitNormal("score", mu=m[:n_in], sigma=sd[:n_in], observed=y[:n_in], dims=D.OBS)
    if n_in < len(y):
        _censored_logit_normal(m[n_in:], sd[n_in:], y[n_in:], eps[n_in:], noise=noise)


def _censored_logit_normal(
    m: Any, sd: Any, y: np.ndarray, eps: np.ndarray, noise: str = "logit_normal"
) -> None:
    """The censored rows' term of a logit-normal or logit-t likelihood (``score_censored``):
    the probability that the log-odds, centred at ``m`` with scale ``sd``, lie beyond the rows'
    resolution limits ``eps`` (call inside the model's context)."""
    low = y <= eps
    e = np.log(eps) - np.log1p(-eps)
    draw, std_logcdf = (
        (_logit_t_random, _t_logcdf)
        if noise == "logit_t"
        else (_logit_normal_random, _normal_logcdf)
    )
    pm.CustomDist(
        "score_censored",
        m,
        sd,
        eps,
        logp=lambda value, m_, s_, _e: std_logcdf(pt.where(low, e - m_, m_ + e) / s_),
        random=_CensoredDraws(draw),
        observed=y,
        dims=CENSORED_DIM,
    )


@dataclass(frozen=True)
class _Rows:
    """The modelled rows as the graph reads them: reordered, uncensored first then censored
    (each in data order), so that the two likelihood terms take slices of the row vectors
    (cheap views) instead of masks."""

    order: np.ndarray  # positions in design.rows
    n_in: int  # uncensored rows (the first n_in)
    y: np.ndarray  # scores as fractions of the ceiling, clipped to the resolution limits
    eps: np.ndarray  # resolution limit per row
    unit: np.ndarray  # capability unit per row
    benchmark: np.ndarray
    open_public: np.ndarray
    public_time: np.ndarray
    open: np.ndarray
    open_time: np.ndarray
    private: np.ndarray
    provider: np.ndarray
    reasoning: np.ndarray
    cell: np.ndarray  # (model family, benchmark) interaction cell


def _units(design: Design) -> tuple[np.ndarray, np.ndarray]:
    """Which models are capability units (first-party versions and unmatched hosted ones), and
    each model's unit (a position among the units)."""
    base_idx = design.base_idx
    unit_mask = base_idx == np.arange(len(design.models))
    return unit_mask, np.searchsorted(np.flatnonzero(unit_mask), base_idx)


def _row_layout(design: Design) -> _Rows:
    """The rows of ``design`` in the order of :class:`_Rows`."""
    _, unit_of_model = _units(design)
    # scores as fractions of their benchmark's ceiling (see the module docstring)
    eps_rows = design.row_resolution
    y_rows = np.clip(design.scaled_scores, eps_rows, 1 - eps_rows)
    inside_rows = (y_rows > eps_rows) & (y_rows < 1 - eps_rows)
    order = np.concatenate([np.flatnonzero(inside_rows), np.flatnonzero(~inside_rows)])
    return _Rows(
        order=order,
        n_in=int(inside_rows.sum()),
        y=y_rows[order],
        eps=eps_rows[order],
        unit=unit_of_model[design.model_idx][order],
        benchmark=design.benchmark_idx[order],
        open_public=design.open_public[order],
        public_time=design.public_time[order],
        open=design.open_rows[order],
        open_time=design.open_time[order],
        private=design.private_rows[order],
        provider=design.provider_idx[order],
        reasoning=design.reasoning_rows[order],
        cell=design.interaction_cells[0][order],
    )


def _coords(design: Design, settings: GapSettings, rows: _Rows) -> dict[str, Any]:
    """The model's coordinates (see :func:`build_model`)."""
    unit_mask, _ = _units(design)
    coords: dict[str, Any] = {
        D.MODEL: list(design.models.index),
        UNIT_DIM: list(design.models.index[unit_mask]),
        D.BENCHMARK: list(design.benchmarks.index),
        D.WEIGHTS: list(D.SIDES),
        KNOT_DIM: list(design.knot_dates),
        SEGMENT_DIM: list(design.knot_dates[1:]),
        D.OBS: rows.order[: rows.n_in],
        CENSORED_DIM: rows.order[rows.n_in :],
    }
    if settings.provider_degradation and design.providers:
        coords[PROVIDER_DIM] = list(design.providers)
    if (settings.open_offsets and len(design.domains) >= 2) or settings.second_factor:
        coords[D.DOMAIN] = list(design.domains)
    if settings.interactions:
        coords[INTERACTION_DIM] = list(design.interaction_cells[1])
        sampled = sampled_cells(design)
        if settings.interaction_scale == "log_odds" and sampled.any():
            coords[SAMPLED_CELL_DIM] = list(design.interaction_cells[1][sampled])
    saturating = saturating_benchmarks(design, settings.lapse_threshold)
    if settings.upper_asymptote and saturating.any():
        coords[SATURATING_DIM] = list(design.benchmarks.index[saturating])
    return coords


def _check_trend_data(design: Design, settings: GapSettings) -> None:
    """A trending open advantage needs open public-benchmark scores at two release dates."""
    if not settings.public_advantage_trend:
        return
    when = np.unique(design.t_models[design.model_idx][design.open_public])
    if len(when) < 2:
        raise ValueError(
            "public_advantage_trend=True: the trend of the open public-benchmark advantage "
            "needs open models scored on public benchmarks at two or more release dates; "
            f"the modelled data have {len(when)} (check the benchmarks' 'access' column), "
            "so the trend would be its prior. Pass public_advantage_trend=False"
        )


def build_model(
    data: ScoreData | Design, settings: GapSettings | None = None, *, collapsed: bool = True
) -> pm.Model:
    """Build the PyMC model for ``data`` (a pure function of data and settings).

    See the module docstring for the maths. The model's coordinates use the fixed dimension names
    (``model``, ``benchmark``, ``weights`` for the two sides) plus ``unit`` (capability units:
    first-party versions and unmatched hosted ones), ``knot``, ``segment`` and ``provider``.

    Parameters
    ----------
    data : ScoreData or Design
        The data (laid out by ``settings.design``) or its design.
    settings : GapSettings, optional
        The model's settings (default: :class:`GapSettings`'s defaults).
    collapsed : bool
        With ``interaction_scale="log_odds"``: the graph the sampler reads, the interactions of
        the cells without a censored row beside other rows integrated out (``True``, the
        default), or the same model with every cell's interaction a variable
        (``interaction_std``, ``interaction``) and one likelihood term per row, which
        :func:`irtgap.methods.bayes.checks.log_likelihood` evaluates at the posterior draws.
        Ignored otherwise (there is one graph).

    Returns
    -------
    pymc.Model
    """
    settings = settings or GapSettings()
    design = data if isinstance(data, Design) else settings.design(data)
    _check_trend_data(design, settings)
    if settings.open_offset_trend and len(design.domains) < 2:
        raise ValueError(
            "open_offset_trend=True: the modelled benchmarks are all of one domain "
            f"({list(design.domains)}), so a trend of the domains' open offsets would be the "
            "open frontier's own growth; pass open_offset_trend=False"
        )
    rows = _row_layout(design)
    b_idx = rows.benchmark
    with pm.Model(coords=_coords(design, settings, rows)) as model:
        # the variables are created in a fixed order (the sampler's coordinates follow it)
        is_anchor = np.asarray(design.benchmarks.index == design.anchor_benchmark)
        mu_d = pm.Normal("difficulty_mean", 0.0, 2.0)
        sd_d = pm.HalfNormal("difficulty_sd", 2.0)
        slope, precision = _slopes_and_precisions(settings, is_anchor)
        frontier = _frontier(design, settings)
        difficulty = _difficulties(design, frontier, mu_d, sd_d, is_anchor)
        theta = _capabilities(design, settings, frontier)
        effect = _effect(design, settings, theta, rows)
        lapse = _lapse(design, settings, b_idx)
        mu = mean_score(
            effect,
            difficulty=difficulty[b_idx],
            slope=slope[b_idx],
            floor=design.floor[b_idx],
            lapse=lapse,
            ops=PYTENSOR_OPS,
        )
        phi = precision[b_idx]
        if settings.measurement_noise != "none":
            _check_measured(design)
            # the persistent effect's variance 1/phi_b plus the row's measurement variance
            phi = with_measurement(phi, design.row_measurement_var[rows.order])
        if settings.interactions and settings.interaction_scale == "log_odds":
            _log_odds_likelihood(design, settings, rows, mu, phi, collapsed=collapsed)
        else:
            _likelihood(settings.noise, mu, phi, rows.y, rows.n_in, rows.eps)
    return model


def _check_measured(design: Design) -> None:
    """A measurement noise needs a benchmark whose measurement noise is known."""
    if not design.measured_rows.any():
        raise ValueError(
            "measurement_noise: no modelled benchmark has a known measurement noise (a "
            "standard error in the export, metadata 'stderr_items', or an item count, "
            "'n_items'), so every residual would be noise, as without it; declare n_items or "
            "pass measurement_noise='none'"
        )


def _slopes_and_precisions(settings: GapSettings, is_anchor: np.ndarray) -> tuple[Any, Any]:
    """Per benchmark: the slope (the anchor's is 1; the others partially pooled) and the noise
    precision (``slope``, ``precision``; call inside the model's context)."""
    mu_a = pm.Normal("log_slope_mean", 0.0, 0.5)
    sd_a = pm.HalfNormal("log_slope_sd", 0.5)
    raw_a = pm.Normal("log_slope_raw", mu_a, sd_a, dims=D.BENCHMARK)
    slope = pm.Deterministic("slope", pt.exp(pt.where(is_anchor, 0.0, raw_a)), dims=D.BENCHMARK)
    # precision: independent weakly informative priors (every benchmark has >= 5 scores, which
    # pin its precision; a hierarchy here is a funnel when precisions are alike). Beta noise:
    # sd 1, not wider: the upper tail of a benchmark with few scores (ANLI, 11) is a funnel
    # for the capabilities it measures (divergences); see docs/model.md
    log_phi = pm.Normal("log_precision", *LOG_PRECISION_PRIOR[settings.noise], dims=D.BENCHMARK)
    precision = pm.Deterministic("precision", pt.exp(log_phi), dims=D.BENCHMARK)
    return slope, precision


#: Prefix of the second factor's variables (``f2_frontier``, ``f2_capability``, ...).
SECOND = "f2_"


def _frontier(design: Design, settings: GapSettings, prefix: str = "") -> Any:
    """Each side's frontier at the knots, non-decreasing and piecewise linear in time
    (``frontier``, dims ``weights, knot``; call inside the model's context). With ``prefix``
    (the second factor's :data:`SECOND`) the variables are named with it and the closed
    side's level is fixed at 0: the second factor's location."""
    h = float(np.diff(design.knots)[0])
    # growth rates: partially pooled around each side's typical rate, with a fixed spread
    # (centred) or a learned one (non-centred: the spread can shrink towards 0)
    mu_lam = pm.Normal(f"{prefix}log_growth_mean", 0.0, 1.0, dims=D.WEIGHTS)
    if settings.learn_growth_spread:
        spread = pm.HalfNormal(f"{prefix}growth_spread", settings.growth_spread)
        z_lam = pm.Normal(f"{prefix}log_growth_std", 0.0, 1.0, dims=(D.WEIGHTS, SEGMENT_DIM))
        log_growth = pm.Deterministic(
            f"{prefix}log_growth", mu_lam[:, None] + spread * z_lam, dims=(D.WEIGHTS, SEGMENT_DIM)
        )
    else:
        log_growth = pm.Normal(
            f"{prefix}log_growth",
            mu_lam[:, None],
            settings.growth_spread,
            dims=(D.WEIGHTS, SEGMENT_DIM),
        )
    rise = pt.concatenate([pt.zeros((2, 1)), pt.cumsum(h * pt.exp(log_growth), axis=1)], axis=1)
    # level: each side's frontier averaged over the knots (pinned by all of its models, so
    # it is not a pivot that trades off against one segment's growth)
    if prefix:
        level = pt.stack([pt.zeros(()), pm.Normal(f"{prefix}frontier_level_open", 0.0, 1.0)])
    else:
        level = pm.Normal("frontier_level", 0.0, 3.0, dims=D.WEIGHTS)
    return pm.Deterministic(
        f"{prefix}frontier",
        rise - rise.mean(axis=1, keepdims=True) + level[:, None],
        dims=(D.WEIGHTS, KNOT_DIM),
    )


def _difficulties(
    design: Design, frontier: Any, mu_d: Any, sd_d: Any, is_anchor: np.ndarray
) -> Any:
    r"""Per benchmark: the difficulty (``difficulty``; call inside the model's context).

    :math:`D_b \sim \mathcal N(\mu_D, \sigma_D)`, sampled as :math:`D_b = r_b + d_b` with
    :math:`r_b` the frontier where the benchmark was used (``frontier_reference``) and
    :math:`d_b \sim \mathcal N(\mu_D - r_b, \sigma_D)`: the same prior (a shift, unit
    Jacobian), but :math:`d_b`, which the scores pin, no longer moves when the early frontier
    and the old benchmarks shift together relative to the anchor (the posterior's slowest
    direction; ``docs/model.md``). Centred: every benchmark is scored by many models, so the
    data pin each one. The anchor benchmark's difficulty is 0.
    """
    ref = pt.dot(frontier_reference(design), frontier.ravel())
    rel_d = pm.Normal("difficulty_rel", mu_d - ref, sd_d, dims=D.BENCHMARK)
    raw_d = ref + rel_d
    return pm.Deterministic("difficulty", pt.where(is_anchor, 0.0, raw_d), dims=D.BENCHMARK)


def _capabilities(design: Design, settings: GapSettings, frontier: Any) -> Any:
    """Per capability unit: at or below its side's frontier (``capability``, and with a
    shortfall ``shortfall``; call inside the model's context)."""
    unit_mask, _ = _units(design)
    unit_side = design.side_idx[unit_mask]
    f_unit = _unit_frontier(design, frontier)
    if not settings.shortfall:
        return pm.Deterministic("capability", f_unit, dims=UNIT_DIM)
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
    return theta


def _unit_frontier(design: Design, frontier: Any) -> Any:
    """Each capability unit's side frontier at its release date, linear between its two knots
    (flat indices: a 1-d gather)."""
    unit_mask, _ = _units(design)
    unit_side = design.side_idx[unit_mask]
    k_left, w = design.knot_position(design.t_models[unit_mask])
    flat = frontier.ravel()
    left = unit_side * len(design.knot_dates) + k_left
    return flat[left] * (1 - w) + flat[left + 1] * w


def second_factor(design: Design, settings: GapSettings) -> tuple[Any, Any]:
    r"""The second latent dimension (call inside the model's context): per benchmark its
    loading :math:`\ell_b` (``loading``) and per capability unit its second ability
    :math:`\psi_u` (``f2_capability``).

    :math:`\psi_u = P_{g_u}(t_u) - \varsigma_{g_u} w_u`, :math:`w_u \sim
    \operatorname{ExGaussian}(0, \tau, 1)` as the first ability's shortfall, with
    :math:`\varsigma_{\text{closed}} = 1` (the factor's unit) and :math:`\varsigma_{\text{open}}
    \sim \mathcal{HN}(1)`; :math:`P_g` a non-decreasing frontier per side like the first
    (``_frontier``, closed level fixed at 0). Loadings :math:`\ell_b = \kappa_{d(b)}
    h_b`, :math:`h_b \sim \mathcal{HN}(1)`, :math:`\kappa_d \sim
    \mathcal{HN}(\text{prior\_scale\_loading})` per domain, and :math:`\ell = 0` on the anchor
    benchmark.
    """
    is_anchor = np.asarray(design.benchmarks.index == design.anchor_benchmark)
    scale = pm.HalfNormal("loading_domain_scale", settings.prior_scale_loading, dims=D.DOMAIN)
    h_b = pm.HalfNormal("loading_std", 1.0, dims=D.BENCHMARK)
    loading = pm.Deterministic(
        "loading", pt.where(is_anchor, 0.0, scale[design.domain_idx] * h_b), dims=D.BENCHMARK
    )
    frontier2 = _frontier(design, settings, prefix=SECOND)
    unit_mask, _ = _units(design)
    unit_side = design.side_idx[unit_mask]
    s_open = pm.HalfNormal(f"{SECOND}shortfall_scale_open", 1.0)
    s_side = pt.stack([pt.ones(()), s_open])[unit_side]
    w_u = pm.ExGaussian(
        f"{SECOND}shortfall_std",
        mu=0.0,
        sigma=max(settings.frontier_softness, 1e-3),
        nu=1.0,
        dims=UNIT_DIM,
    )
    psi = pm.Deterministic(
        f"{SECOND}capability", _unit_frontier(design, frontier2) - s_side * w_u, dims=UNIT_DIM
    )
    return loading, psi


def _open_offset_rows(design: Design, settings: GapSettings, rows: _Rows) -> Any:
    """Per row: the open offset of its benchmark, with its domain's trend in time when
    ``open_offset_trend`` (call inside the model's context)."""
    offset = open_offsets(design, settings)[rows.benchmark]
    if settings.open_offset_trend and len(design.domains) >= 2:
        sd = pm.HalfNormal("open_domain_trend_sd", settings.prior_scale_offset)
        z = pm.ZeroSumNormal("open_domain_trend_std", 1.0, dims=D.DOMAIN)
        trend = pm.Deterministic("open_domain_trend", sd * z, dims=D.DOMAIN)
        offset = offset + trend[design.domain_idx][rows.benchmark] * rows.open_time
    return offset * rows.open


def _effect(design: Design, settings: GapSettings, theta: Any, rows: _Rows) -> Any:
    """Per row: the capability plus the open advantage (and its trend), the open offsets and
    the private-benchmark effects, minus a host's penalty, plus the elicitation terms (call
    inside the model's context)."""
    effect = theta[rows.unit]
    if settings.second_factor:
        loading, psi = second_factor(design, settings)
        effect = effect + loading[rows.benchmark] * psi[rows.unit]
    if settings.public_advantage:
        gamma = pm.Normal("public_advantage", 0.0, settings.prior_scale_gamma)
        effect = effect + gamma * rows.open_public
        if settings.public_advantage_trend:  # per year of the open model's release time
            trend = pm.Normal("public_advantage_trend", 0.0, settings.prior_scale_gamma)
            effect = effect + trend * rows.public_time
    if settings.open_offsets:
        effect = effect + _open_offset_rows(design, settings, rows)
    if settings.private_effects:
        # each unit's effect on the non-public benchmarks, partially pooled (non-centred)
        sd_pi = pm.HalfNormal("private_effect_sd", settings.prior_scale_private)
        z_pi = pm.Normal("private_effect_std", 0.0, 1.0, dims=UNIT_DIM)
        pi = pm.Deterministic("private_effect", sd_pi * z_pi, dims=UNIT_DIM)
        effect = effect + pi[rows.unit] * rows.private
    if settings.reasoning_effects:
        # per benchmark, the reasoning models' effect beyond their capability (zero-sum)
        sd_rho = pm.HalfNormal("reasoning_effect_sd", settings.prior_scale_reasoning)
        z_rho = pm.ZeroSumNormal("reasoning_effect_std", 1.0, dims=D.BENCHMARK)
        rho = pm.Deterministic("reasoning_effect", sd_rho * z_rho, dims=D.BENCHMARK)
        effect = effect + rho[rows.benchmark] * rows.reasoning
    if settings.interactions and settings.interaction_scale == "capability":
        effect = effect + _interactions(design, settings, rows)[rows.cell]
    if settings.provider_degradation and design.providers:
        delta = pm.HalfNormal("provider_degradation", settings.prior_scale_delta, dims=PROVIDER_DIM)
        hosted = rows.provider >= 0
        pen = pt.concatenate([pt.zeros(1), delta])[rows.provider + 1]
        effect = effect - pen * hosted
    if settings.elicitation_terms:
        priors = ElicitationPriors(open_harness=settings.open_harness_effects)
        effect = effect + elicitation_term(design_arrays(design), priors, order=rows.order)
    return effect


def _warn_single_cells(design: Design) -> None:
    """Warn that the interactions are their prior's when no cell has two rows."""
    cells = design.interaction_cells[0]
    if cells.size and np.bincount(cells).max() < 2:
        warnings.warn(
            "interactions=True: no (model family, benchmark) cell has more than one score (no "
            "effort variant or hosted copy scored beside its version), so the interactions and "
            "the noise are told apart by their priors alone (interaction_ratio is the prior's)",
            UserWarning,
            stacklevel=6,
        )


def cell_benchmarks(design: Design) -> np.ndarray:
    """Per (model family, benchmark) cell of :attr:`Design.interaction_cells`: the position of
    its benchmark.

    Parameters
    ----------
    design : Design
        The modelled rows.

    Returns
    -------
    numpy.ndarray
        Integer positions in ``design.benchmarks``, one per cell.
    """
    cells = design.interaction_cells[0]
    out = np.zeros(len(design.interaction_cells[1]), dtype=np.int64)
    out[cells] = design.benchmark_idx
    return out


def sampled_cells(design: Design) -> np.ndarray:
    """Per cell: whether ``interaction_scale="log_odds"`` samples its interaction, a cell with a
    censored row and another row (the others are integrated out in closed form).

    Parameters
    ----------
    design : Design
        The modelled rows.

    Returns
    -------
    numpy.ndarray
        Booleans, one per cell of :attr:`Design.interaction_cells`.
    """
    cells = design.interaction_cells[0]
    n_cells = len(design.interaction_cells[1])
    censored = design.low_censored | design.high_censored
    has_censored = np.bincount(cells[censored], minlength=n_cells) > 0
    return np.asarray(has_censored & (np.bincount(cells, minlength=n_cells) > 1))


def _interactions(design: Design, settings: GapSettings, rows: _Rows) -> Any:
    """Per (model family, benchmark) cell: its interaction in capability units, partially
    pooled (non-centred), with a log-odds spread ``interaction_ratio`` times the benchmark's
    noise spread (:func:`irtgap.methods.bayes.noise.logit_scale`); call inside the model's
    context, after the slopes and precisions."""
    _warn_single_cells(design)
    model = pm.modelcontext(None)
    ratio = pm.HalfNormal("interaction_ratio", settings.prior_scale_interaction)
    z_u = pm.Normal("interaction_std", 0.0, 1.0, dims=INTERACTION_DIM)
    scale = logit_scale(model["precision"], settings.noise) / model["slope"]
    return pm.Deterministic(
        "interaction", ratio * scale[cell_benchmarks(design)] * z_u, dims=INTERACTION_DIM
    )


def _log_odds_likelihood(
    design: Design, settings: GapSettings, rows: _Rows, mu: Any, phi: Any, *, collapsed: bool
) -> None:
    r"""The logit-normal likelihood with (model family, benchmark) interactions on the log-odds
    scale, :math:`\operatorname{logit} z_i = \operatorname{logit}\mu_i + v_{c(i)} +
    \varepsilon_i`, :math:`v_c = \lambda \phi_b^{-1/2} z_c` (call inside the model's context).

    ``collapsed=False``: every :math:`z_c` a variable, one term per row. ``collapsed=True``: the
    cells of :func:`sampled_cells` keep their variable (``sampled_interaction_std``); in the
    others the uncensored rows' log-odds are jointly Normal with covariance
    :math:`\operatorname{diag}(\sigma_i^2) + \tau_c^2 \mathbf 1\mathbf 1^\top`,
    :math:`\tau_c = \lambda \phi_b^{-1/2}`, whose density (Sherman-Morrison, with
    :math:`w_i = \sigma_i^{-2}`, :math:`r_i` the residuals, :math:`A_c = \sum w_i`,
    :math:`B_c = \sum w_i r_i`) is the rows' independent densities times
    :math:`(1 + \tau_c^2 A_c)^{-1/2} \exp\{\tau_c^2 B_c^2 / (2(1 + \tau_c^2 A_c))\}`
    (``score_cells``, a potential), and a censored row alone in its cell has the variance
    :math:`\sigma_i^2 + \tau_c^2`. With ``interaction_tails="student_t"``, :math:`\tau_c^2 =
    \lambda^2 \phi_b^{-1} \omega_c`, :math:`\omega_c \sim \operatorname{InvGamma}(\nu/2,
    \nu/2)` (``interaction_mix``, :math:`\nu` = :data:`~irtgap.methods.bayes.noise.T_DOF`):
    :math:`v_c` is Student-t with scale :math:`\lambda\phi_b^{-1/2}`.
    """
    _warn_single_cells(design)
    model = pm.modelcontext(None)
    ratio = pm.HalfNormal("interaction_ratio", settings.prior_scale_interaction)
    tau_cell = ratio * logit_scale(model["precision"], "logit_normal")[cell_benchmarks(design)]
    if settings.interaction_tails == "student_t":  # t cells: a Normal given the mixing variance
        mix = pm.InverseGamma("interaction_mix", T_DOF / 2, T_DOF / 2, dims=INTERACTION_DIM)
        tau_cell = tau_cell * pt.sqrt(mix)
    m = pt.log(mu) - pt.log1p(-mu)
    sd = 1 / pt.sqrt(phi)
    if not collapsed:
        z = pm.Normal("interaction_std", 0.0, 1.0, dims=INTERACTION_DIM)
        v = pm.Deterministic("interaction", tau_cell * z, dims=INTERACTION_DIM)
        _logit_likelihood("logit_normal", m + v[rows.cell], sd, rows.y, rows.n_in, rows.eps)
        return
    sampled = sampled_cells(design)
    if sampled.any():
        z_s = pm.Normal("sampled_interaction_std", 0.0, 1.0, dims=SAMPLED_CELL_DIM)
        where = np.flatnonzero(sampled)
        v = pt.set_subtensor(pt.zeros(len(sampled))[where], tau_cell[where] * z_s)
        m = m + v[rows.cell]
    n_in, cell = rows.n_in, rows.cell
    y_in = rows.y[:n_in]
    x = np.log(y_in) - np.log1p(-y_in)
    r, w = x - m[:n_in], 1 / sd[:n_in] ** 2
    keep = ~sampled[cell[:n_in]]  # rows whose cell is integrated out
    row_terms = (
        -0.5 * w * r**2 + 0.5 * pt.log(w) - 0.5 * np.log(2 * np.pi) - np.log(y_in * (1 - y_in))
    )
    a_c = pt.zeros(len(sampled))[cell[:n_in][keep]].inc(w[keep])
    b_c = pt.zeros(len(sampled))[cell[:n_in][keep]].inc((w * r)[keep])
    t2 = tau_cell**2
    cells_term = -0.5 * pt.log1p(t2 * a_c) + 0.5 * t2 * b_c**2 / (1 + t2 * a_c)
    pm.Potential("score_cells", row_terms.sum() + cells_term.sum())
    if n_in < len(rows.y):  # censored rows: alone in their cell, its variance added
        alone = ~sampled[cell[n_in:]]
        sd_c = pt.sqrt(sd[n_in:] ** 2 + t2[cell[n_in:]] * alone)
        _censored_logit_normal(m[n_in:], sd_c, rows.y[n_in:], rows.eps[n_in:])


def _lapse(design: Design, settings: GapSettings, b_idx: np.ndarray) -> Any:
    """Per row: the share of the ceiling no model reaches, a 4PL upper asymptote 1 - lapse, on
    the benchmarks whose scores reach ``lapse_threshold`` of their ceiling (below it the lapse is
    weakly identified: a ridge with the difficulty); 0 elsewhere or without
    ``upper_asymptote`` (call inside the model's context)."""
    saturating = saturating_benchmarks(design, settings.lapse_threshold)
    if not (settings.upper_asymptote and saturating.any()):
        return 0.0
    free = lapse_rates(settings.lapse_pooling)
    vec = pt.set_subtensor(pt.zeros(len(design.benchmarks))[np.flatnonzero(saturating)], free)
    return pm.Deterministic("lapse", vec, dims=D.BENCHMARK)[b_idx]
