r"""Checks of a Bayesian fit against its data: LOO, LOO-PIT and posterior predictive checks.

Everything here works on one :class:`~irtgap.methods.bayes.fit.GapFit` (no refits); the entry
point is :meth:`GapFit.check() <irtgap.methods.bayes.fit.GapFit.check>`, which returns a
:class:`ModelChecks` with the tables and figures.

**Pointwise log-likelihood.** :func:`log_likelihood` gives, per posterior draw, the
log-likelihood of every modelled row (dimension ``row``: the position in ``fit.design.rows``),
computed by PyMC from the model's own likelihood terms: the density of an uncensored score
(``score``; Beta, or logit-normal with ``noise="logit_normal"``, see
:mod:`irtgap.methods.bayes.noise`) and, for a score at or beyond the benchmark's resolution
limits, the probability of lying beyond them (``score_censored``; see
:mod:`irtgap.methods.bayes.model`).

**PSIS-LOO** (Vehtari, Gelman and Gabry 2017), through ArviZ (:func:`loo`): the expected log
predictive density of each score given all the others, estimated by Pareto-smoothed importance
sampling; a row whose Pareto :math:`\hat k` exceeds 0.7 has an unreliable estimate
(:func:`pareto_k_table`). In an IRT model a score is often the only, or one of two, scores of its
model, and then leaving it out moves that model's capability :math:`\theta_k` a long way: the
importance ratios :math:`1 / p(y_i \mid \theta_k, \psi)` are heavy-tailed. :func:`integrated_loo`
therefore integrates :math:`\theta_k` out (Vehtari et al. 2016; Merkle, Furr and Rabe-Hesketh
2019, "marginal" likelihoods for latent-variable models): with :math:`\psi` every parameter but
the model's standardized shortfall :math:`v_k` (:math:`\theta_k = F_{g_k}(t_k) - s_{g_k} v_k`),

.. math::

    p(y_i \mid \psi, y_{k,-i}) = \frac{\int \prod_{j \in k} p(y_j \mid \theta_k(v), \psi)\,
        p(v)\,dv}{\int \prod_{j \in k,\, j \ne i} p(y_j \mid \theta_k(v), \psi)\, p(v)\,dv},

where :math:`j \in k` are the rows of model :math:`k` (with its hosted versions) and
:math:`p(v)` the ExGaussian (or exponential) prior of :math:`v_k`. Both integrals are computed
on a fixed grid of step :data:`GRID_STEP` (trapezoid rule). The quantity estimated,
:math:`\log p(y_i \mid y_{-i})`, is the same; only the importance sampling changes (over
:math:`\psi`, which one score barely moves). It is applied to the rows whose plain
:math:`\hat k` exceeds 0.7; the others keep their plain PSIS value. With
``interactions=True`` a row alone in its (model family, benchmark) cell has its interaction
:math:`u_c` in the same integrals, integrated over its prior :math:`\mathcal N(0,
\lambda s(\phi_b)/\alpha_b)` by Gauss-Hermite quadrature (:data:`N_INTERACTION_NODES`
nodes), since leaving the row out leaves nothing else to inform :math:`u_c`; the interactions
of the model's other rows, and of a row whose cell has other rows, are part of :math:`\psi`
(kept at their posterior draws, PSIS correcting for the row's own share). With
``interaction_scale="log_odds"`` the interaction of a one-row cell shifts the row's log-odds,
and its integral is exact: the noise's variance plus the interaction's prior variance
:math:`\tau_c^2`.

**LOO-PIT** (:func:`loo_pit`): the probability integral transform of each score under its
leave-one-out predictive distribution, :math:`\mathrm{PIT}_i = \sum_s w_i^{(s)}
F^{(s)}(z_i)` with :math:`F^{(s)}` the noise's CDF (Beta or logit-normal) of draw :math:`s`
and :math:`w_i^{(s)}` the PSIS weights (for a row with the integrated log-likelihood,
:math:`F^{(s)}` is its CDF with the model's capability integrated out likewise); for a censored
score (known only to lie beyond a limit) the PIT is drawn uniformly
over the probability of the censored region (a randomized PIT). If the model is calibrated the
PIT values are uniform: a U shape means the predictive distributions are too narrow, a hump that
they are too wide, a slope that they are biased. The figure shows the ECDF of the PIT values
minus the uniform CDF with a simultaneous band (Kolmogorov-Smirnov, :data:`PIT_BAND`).

**Prior sensitivity** (:func:`prior_sensitivity`): power-scaling of each top-level prior and of
the likelihood (Kallioinen et al. 2024), measured on the gap.

**Posterior predictive checks by group** (:func:`predictive_checks`): scores replicated from the
posterior (:mod:`irtgap.methods.bayes.replicate`) with the real pattern of who was scored where;
per benchmark, side, access, side x access and release year, the observed mean and maximum score
(as a fraction of the ceiling) against their replicated distribution, with the posterior
predictive p-value :math:`P(T(\tilde y) \ge T(y))`. The maximum per group is the statistic the
first-crossing methods read. The replicated first crossings themselves are in
:attr:`irtgap.ThresholdBias.crossings`.

A censored row contributes a probability, an uncensored row a density, so ELPD values compare
model forms fitted to the same rows with the same censoring only.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pymc as pm
import xarray as xr
from scipy import special, stats

from irtgap.core import dims as D
from irtgap.core.measurement import mean_score
from irtgap.methods.bayes.cells import (
    cell_predictive_cdf,
    cell_predictive_loglik,
    mixing_nodes,
    standardized_interactions,
)
from irtgap.methods.bayes.elicitation import PARAM_NAMES as ELICITATION_PARAMS
from irtgap.methods.bayes.graph import CENSORED_DIM, build_model
from irtgap.methods.bayes.noise import cdf as noise_cdf
from irtgap.methods.bayes.noise import censored_logp, logit_scale, with_measurement
from irtgap.methods.bayes.noise import logpdf as noise_logpdf
from irtgap.methods.bayes.replicate import (
    SAMPLE_DIM,
    all_sample_params,
    elicitation_rows,
    mean_fraction,
    replicate_fractions,
    row_arrays,
    row_precision,
    stacked_posterior,
)
from irtgap.plotting.checks import plot_loo_pit, plot_ppc

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from irtgap.methods.bayes.fit import GapFit

#: Name of the row dimension of :func:`log_likelihood`.
ROW_DIM = "row"
#: Pareto :math:`\hat k` above which a row's PSIS estimate is unreliable (Vehtari et al. 2024).
PARETO_K_MAX = 0.7
#: Grid step of the integral over a model's standardized shortfall in :func:`integrated_loo`
#: (the trapezoid rule is accurate to many digits for smooth integrands whose sd exceeds the step;
#: a model's shortfall is rarely known to better than 0.1 of its scale, and the test checks it).
GRID_STEP = 0.1
#: Level of the simultaneous band of the LOO-PIT figure.
PIT_BAND = 0.9
#: The groupings of :func:`predictive_checks` (``side_access``: side x access; ``year``: the
#: model's release year).
PPC_GROUPINGS = ("benchmark", "side", "access", "side_access", "year")


def log_likelihood(fit: GapFit) -> xr.DataArray:
    r"""Pointwise log-likelihood ``(chain, draw, row)`` of every modelled row of ``fit``.

    ``row`` indexes ``fit.design.rows`` (uncensored and censored rows together, in that table's
    order). Computed by :func:`pymc.compute_log_likelihood` on the model rebuilt from the fit's
    design and settings, so it is the model's own likelihood, not a copy of it. With
    ``interaction_scale="log_odds"`` the rows of the cells whose interactions the sampler
    integrated out take :math:`\log p(y_i \mid \psi, y_{c(i),-i})` instead, the interaction
    integrated out given the cell's other rows
    (:func:`~irtgap.methods.bayes.cells.cell_predictive_loglik`): the exact pointwise term of
    PSIS-LOO for a posterior without those interactions.
    """
    model = build_model(fit.design, fit.settings, collapsed=False)
    names = [v.name for v in model.observed_RVs]
    posterior = fit.posterior
    if fit.settings.interactions and fit.settings.interaction_scale == "log_odds":
        posterior = posterior.assign(interaction_std=standardized_interactions(fit))
    post = xr.DataTree.from_dict({"posterior": posterior})
    out = pm.compute_log_likelihood(
        post, var_names=names, model=model, extend_inferencedata=False, progressbar=False
    )
    ll = out if isinstance(out, xr.Dataset) else out["log_likelihood"].to_dataset()
    parts = []
    for name, dim in (("score", D.OBS), ("score_censored", CENSORED_DIM)):
        if name in ll:
            parts.append(ll[name].rename({dim: ROW_DIM}))
    joined = xr.concat(parts, dim=ROW_DIM).sortby(ROW_DIM)
    if fit.settings.interactions and fit.settings.interaction_scale == "log_odds":
        joined = _cell_predictive(fit, joined)
    n_rows = len(fit.design.rows)
    if joined.sizes[ROW_DIM] != n_rows:  # every modelled row has exactly one term
        raise RuntimeError(
            f"log_likelihood: {joined.sizes[ROW_DIM]} likelihood terms for {n_rows} modelled rows"
        )
    return joined.transpose(D.CHAIN, D.DRAW, ROW_DIM).rename("log_likelihood")


def _cell_predictive(fit: GapFit, ll: xr.DataArray) -> xr.DataArray:
    """``ll`` with the rows of the cells whose log-odds interactions the sampler integrated out
    replaced by :func:`~irtgap.methods.bayes.cells.cell_predictive_loglik` (the interaction
    integrated out given the cell's other rows)."""
    values = cell_predictive_loglik(fit)  # (sample, row), chain by chain
    ll = ll.transpose(D.CHAIN, D.DRAW, ROW_DIM)
    keep = np.isnan(values)
    flat = ll.to_numpy().reshape(values.shape)
    out = ll.copy(data=np.where(keep, flat, values).reshape(ll.shape))
    return out


def loo(fit: GapFit, *, log_lik: xr.DataArray | None = None) -> Any:
    """PSIS-LOO of ``fit`` (ArviZ's ``ELPDData``: ``elpd``, ``se``, ``p``, ``pareto_k`` per row).

    Pass ``log_lik`` (from :func:`log_likelihood` or :func:`integrated_loo`) to avoid computing
    it again.
    """
    import arviz_stats as azs

    ll = log_likelihood(fit) if log_lik is None else log_lik
    tree = xr.DataTree.from_dict(
        {"posterior": fit.posterior, "log_likelihood": xr.Dataset({"score": ll})}
    )
    return azs.loo(tree, pointwise=True, var_name="score")


def pareto_k_table(fit: GapFit, loo_result: Any, *, k_max: float = PARETO_K_MAX) -> pd.DataFrame:
    """The modelled rows whose Pareto :math:`\\hat k` exceeds ``k_max`` or could not be estimated
    (NaN: as unreliable): model, benchmark, score, date, side, the model's number of modelled
    scores ``n_scores`` and ``pareto_k``, worst first."""
    k = np.asarray(loo_result.pareto_k).ravel()
    rows = fit.design.rows.reset_index(drop=True)
    if k.size != len(rows):
        raise ValueError(f"pareto_k_table: {k.size} Pareto k values for {len(rows)} modelled rows")
    cols = [c for c in (D.MODEL, D.BENCHMARK, D.SCORE, D.DATE, D.WEIGHTS) if c in rows.columns]
    bad = (k > k_max) | np.isnan(k)
    out = rows.loc[bad, cols].copy()
    out["n_scores"] = _unit_sizes(fit)[bad]
    out["pareto_k"] = k[bad]
    return out.sort_values("pareto_k", ascending=False, na_position="first")


def _unit_sizes(fit: GapFit) -> np.ndarray:
    """Per row: how many modelled rows its capability unit has (itself included)."""
    unit = row_arrays(fit)["unit"]
    return np.bincount(unit)[unit]


# ---- the likelihood of rows, in numpy (for the integral over a model's shortfall)
def _row_loglik(
    mu: np.ndarray,
    phi: np.ndarray,
    z: np.ndarray,
    eps: np.ndarray,
    noise: str,
) -> np.ndarray:
    """Log-likelihood of fractions ``z`` (last axis: rows) under the fit's noise around ``mu``
    (:mod:`irtgap.methods.bayes.noise`), censored rows (beyond their resolution limit ``eps``)
    as the probability beyond their limit (the model's likelihood, see
    :mod:`irtgap.methods.bayes.model`)."""
    low, high = z <= eps, z >= 1 - eps
    zc = np.clip(z, eps, 1 - eps)
    out = noise_logpdf(zc, mu, phi, noise)
    cens = np.flatnonzero(low | high)
    if cens.size:
        out[..., cens] = censored_logp(
            mu[..., cens], phi[..., cens], low[cens], noise, eps=eps[cens]
        )
    return np.asarray(out)


def _shortfall_prior(v: np.ndarray, softness: float) -> np.ndarray:
    """Log-density of the standardized shortfall: ExGaussian(0, softness, 1), or Exp(1)."""
    if softness > 0:
        return np.asarray(stats.exponnorm.logpdf(v, 1.0 / softness, loc=0.0, scale=softness))
    with np.errstate(divide="ignore"):
        return np.where(v >= 0, -v, -np.inf)


def _grid(v_unit: np.ndarray, softness: float, step: float) -> tuple[np.ndarray, np.ndarray]:
    """Grid over one model's standardized shortfall and its log trapezoid weights times prior:
    the prior's bulk (from -8 softness, the Normal part's 8-sd edge, to 14, where the
    exponential tail is below 1e-6) widened to the model's posterior draws plus a margin, so the
    integrand's mass is inside it with or without the left-out score."""
    lo = min(-8.0 * softness, float(v_unit.min()) - 4.0) if softness > 0 else 0.0
    hi = max(14.0, float(v_unit.max()) + 6.0)
    v = np.arange(lo, hi + step / 2, step)
    weights = np.full(v.size, step)
    weights[[0, -1]] = step / 2  # the trapezoid rule's end weights
    return v, _shortfall_prior(v, softness) + np.log(weights)


def _logtrapz(log_f: np.ndarray, log_w: np.ndarray) -> np.ndarray:
    """log of the trapezoid-rule integral of exp(log_f) over the last axis (weights log_w)."""
    return np.asarray(special.logsumexp(log_f + log_w, axis=-1))


def integrated_loo(
    fit: GapFit,
    *,
    log_lik: xr.DataArray | None = None,
    rows: np.ndarray | None = None,
    grid_step: float = GRID_STEP,
) -> xr.DataArray:
    r"""The pointwise log-likelihood with each model's capability integrated out, for ``rows``.

    Returns ``log_lik`` (default :func:`log_likelihood`) with the rows ``rows`` (default: those
    whose plain PSIS Pareto :math:`\hat k` exceeds :data:`PARETO_K_MAX`) replaced by
    :math:`\log p(y_i \mid \psi, y_{k,-i})` (see the module docstring), so that :func:`loo` on
    the result is integrated PSIS-LOO for those rows. Needs a fit with a shortfall term.

    Raises
    ------
    ValueError
        The fit has no shortfall term (``shortfall=False``: the capability is the frontier, not a
        separate parameter to integrate out), or ``grid_step`` not in (0, 0.5].
    """
    return _integrate(fit, log_lik=log_lik, rows=rows, grid_step=grid_step)[0]


#: Grid step of the second factor's standardized shortfall in the integrated LOO of a fit with
#: ``second_factor`` (the integral is then over a grid of both shortfalls).
GRID_STEP_2D = 0.25
#: Gauss-Hermite nodes of the integral over a one-row cell's interaction in the integrated LOO
#: of a fit with ``interactions``.
N_INTERACTION_NODES = 8
#: Posterior samples per block of the integrated LOO (bounds its memory with two factors).
SAMPLE_BLOCK = 500


def _integrate(
    fit: GapFit,
    *,
    log_lik: xr.DataArray | None = None,
    rows: np.ndarray | None = None,
    grid_step: float = GRID_STEP,
) -> tuple[xr.DataArray, dict[int, np.ndarray]]:
    r""":func:`integrated_loo`, and per integrated row the CDF of its score (at its censoring
    limit for a censored row) under :math:`p(y_i \mid \psi_s, y_{k,-i})` per sample: the
    leave-one-out predictive CDF that the LOO-PIT of that row needs. With a second factor the
    integral runs over both standardized shortfalls of the model (a product grid, the second
    at :data:`GRID_STEP_2D`)."""
    if not fit.settings.shortfall:
        raise ValueError(
            "integrated_loo: the fit has shortfall=False, so a model's capability is its side's "
            "frontier and there is nothing per model to integrate out; use loo(fit)"
        )
    if not 0 < grid_step <= 0.5:
        raise ValueError(f"grid_step={grid_step}: use a step in (0, 0.5]")
    ll = log_likelihood(fit) if log_lik is None else log_lik
    if rows is None:
        rows = np.flatnonzero(np.asarray(loo(fit, log_lik=ll).pareto_k).ravel() > PARETO_K_MAX)
    rows = np.asarray(rows, dtype=int)
    out = ll.transpose(D.CHAIN, D.DRAW, ROW_DIM).copy()
    cdfs: dict[int, np.ndarray] = {}
    if rows.size == 0:
        return out, cdfs
    parts = _UnitIntegrals(fit)
    values = out.to_numpy().reshape(parts.n_samples, -1).copy()
    for unit in np.unique(parts.arrays["unit"][rows]):
        mine = np.flatnonzero(parts.arrays["unit"] == unit)
        wanted = [j for j, r in enumerate(mine) if r in rows]
        for block in parts.blocks():
            vals, block_cdfs = parts.integrate(unit, mine, wanted, block, grid_step)
            for j, v in vals.items():
                values[block, mine[j]] = v
            for j, c in block_cdfs.items():
                cdfs.setdefault(int(mine[j]), np.empty(parts.n_samples))[block] = c
    out.values = values.reshape(out.shape)
    return out.rename("log_likelihood_integrated"), cdfs


class _UnitIntegrals:
    """What the integral over one model's shortfall(s) reads from a fit, per sample block."""

    def __init__(self, fit: GapFit) -> None:
        self.fit = fit
        self.arrays = row_arrays(fit)
        stacked = stacked_posterior(fit)
        post = all_sample_params(stacked)
        post["shortfall"] = stacked["shortfall"].transpose(SAMPLE_DIM, ...).to_numpy()
        self.post = post
        design = fit.design
        self.side = design.side_idx[design.base_idx == np.arange(len(design.models))]
        self.s_side = stacked["shortfall_scale"].transpose(SAMPLE_DIM, ...).to_numpy()
        self.frontier = post["capability"] + post["shortfall"]  # each unit's frontier (S, unit)
        self.v_draws = stacked["shortfall_std"].transpose(SAMPLE_DIM, ...).to_numpy()
        self.second = "f2_capability" in stacked
        if self.second:
            w = stacked["f2_shortfall_std"].transpose(SAMPLE_DIM, ...).to_numpy()
            s_open = stacked["f2_shortfall_scale_open"].to_numpy()
            s2 = np.stack([np.ones_like(s_open), s_open], axis=-1)  # (S, side)
            self.w_draws, self.s2 = w, s2
            self.frontier2 = post["f2_capability"] + s2[:, self.side] * w
        self.n_samples = int(post["gamma"].shape[0])
        self.softness = float(fit.settings.frontier_softness)
        # interactions of cells with one row: integrated over their prior with that row
        self.single = np.zeros(len(self.arrays["bench"]), bool)
        self.log_odds = "cell_logit" in self.arrays
        cell = self.arrays.get("cell", self.arrays.get("cell_logit"))
        if cell is not None:
            self.single = np.bincount(cell)[cell] == 1
            # the prior sd of each benchmark's interactions, per sample (S, benchmark)
            scale = logit_scale(post["precision"], fit.settings.noise)
            if not self.log_odds:  # in capability units
                scale = scale / post["slope"]
            self.u_sd = stacked["interaction_ratio"].to_numpy()[:, None] * scale
            nodes, weights = np.polynomial.hermite_e.hermegauss(N_INTERACTION_NODES)
            self.u_nodes, self.u_log_w = nodes, np.log(weights / np.sqrt(2 * np.pi))
        # the mixing variance of a log-odds cell's prior: 1, or its inverse-gamma nodes
        self.mix_nodes, self.mix_log_w = mixing_nodes(fit.settings.interaction_tails)

    def blocks(self) -> list[np.ndarray]:
        """Sample blocks (one block without a second factor)."""
        size = SAMPLE_BLOCK if self.second else self.n_samples
        return [np.arange(i, min(i + size, self.n_samples)) for i in range(0, self.n_samples, size)]

    def _shift(self, mine: np.ndarray, block: np.ndarray) -> np.ndarray:
        """Per sample and row: the effect beside the capability(ies): the open advantage and
        its trend, the open offsets and their trend, private effects, host penalties, the
        reasoning effects, the elicitation terms."""
        a, p = self.arrays, self.post
        b = a["bench"][mine]
        n_pen = p["delta"].shape[1]
        prov = np.minimum(a["provider"] + 1, n_pen - 1)
        unit = a["unit"][mine[0]]
        return np.asarray(
            p["gamma"][block, None] * a["open_public"][mine]
            + p["gamma_trend"][block, None] * a["public_time"][mine]
            + p["open_offset"][block][:, b] * a["open"][mine]
            + _domain_trend(p["open_domain_trend"][block], a["bench_domain"][mine])
            * a["open_time"][mine]
            + p["private_effect"][block, unit, None] * a["private"][mine]
            - p["delta"][block][:, prov[mine]]
            + p["reasoning_effect"][block][:, b] * (a["reasoning"][mine] if "reasoning" in a else 0)
            + (p["interaction"][block][:, a["cell"][mine]] if "cell" in a else 0)
            + self._elicitation(mine, block)
        )  # (S, n)

    def _elicitation(self, mine: np.ndarray, block: np.ndarray) -> np.ndarray:
        """Per sample of ``block`` and row of ``mine``: the elicitation terms (0 without)."""
        if "harness_cell" not in self.arrays:
            return np.zeros((len(block), len(mine)))
        params = {k: self.post[k][block] for k in ELICITATION_PARAMS if k in self.post}
        rows = {
            k: self.arrays[k][mine] for k in ("harness_cell", "open", "effort_variant", "bench")
        }
        return np.broadcast_to(elicitation_rows(params, rows), (len(block), len(mine)))

    def _effects(
        self, unit: int, mine: np.ndarray, block: np.ndarray, grid_step: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """Effects on the grid ``(S, G, n)`` and the grid's log weights (times the prior)."""
        v, log_w = _grid(self.v_draws[block, unit], self.softness, grid_step)
        s_unit = self.s_side[block, self.side[unit], None]
        theta = self.frontier[block, unit, None] - s_unit * v[None, :]  # (S, G1)
        eff = theta[:, :, None] + self._shift(mine, block)[:, None, :]
        if not self.second:
            return eff, log_w
        w, log_w2 = _grid(self.w_draws[block, unit], self.softness, GRID_STEP_2D)
        psi = self.frontier2[block, unit, None] - self.s2[block, self.side[unit], None] * w
        load = self.post["loading"][block][:, self.arrays["bench"][mine]]  # (S, n)
        both = eff[:, :, None, :] + (psi[:, None, :, None] * load[:, None, None, :])
        n_s = len(block)
        return both.reshape(n_s, -1, len(mine)), (log_w[:, None] + log_w2[None, :]).ravel()

    def integrate(
        self,
        unit: int,
        mine: np.ndarray,
        wanted: list[int],
        block: np.ndarray,
        grid_step: float,
    ) -> tuple[dict[int, np.ndarray], dict[int, np.ndarray]]:
        """Per wanted row (position in ``mine``): the integrated log-likelihood and the LOO
        predictive CDF of its score, for the samples of ``block``."""
        eff, log_w = self._effects(unit, mine, block, grid_step)
        p, a, design = self.post, self.arrays, self.fit.design
        b = a["bench"][mine]
        mu = mean_score(
            eff,
            difficulty=p["difficulty"][block][:, None, b],
            slope=p["slope"][block][:, None, b],
            floor=a["floor"][mine],
            lapse=p["lapse"][block][:, None, b],
        )
        phi = p["precision"][block][:, None, b]
        if "measurement_var" in a:  # the persistent effect integrated out (closed form)
            phi = with_measurement(phi, a["measurement_var"][mine])
        mu_base = mu
        if self.log_odds:  # the log-odds interactions at their draws
            v = p["interaction"][block][:, None, a["cell_logit"][mine]]
            mu = special.expit(special.logit(mu) + v)
        z, eps = design.scaled_scores[mine], design.row_resolution[mine]
        low, high = design.low_censored[mine], design.high_censored[mine]
        noise = self.fit.settings.noise
        lr = _row_loglik(mu, phi, z, eps, noise)  # (S, G, n)
        log_all = _logtrapz(lr.sum(axis=-1), log_w)
        vals, cdfs = {}, {}
        for j in wanted:
            # the other rows' sum, not total - lr (an -inf term would give inf - inf)
            others = np.delete(lr, j, axis=-1).sum(axis=-1)
            log_rest = _logtrapz(others, log_w)
            x = eps[j] if low[j] else (1 - eps[j] if high[j] else z[j])
            if self.single[mine[j]] and self.log_odds:  # over its prior: a wider noise
                tau2 = self.u_sd[block][:, b[j], None] ** 2  # (S, 1)
                lr_j, log_cdf = self._single_log_odds(
                    mu_base[:, :, j], phi[:, :, j], tau2, (z[j], eps[j], x)
                )
                vals[j] = _logtrapz(others + lr_j, log_w) - log_rest
            elif self.single[mine[j]]:  # its cell's interaction over its prior, at the nodes
                mu_q = self._single_cell(eff[..., j], mine[j], block)  # (Q, S, G)
                lr_q = _row_loglik(mu_q[..., None], phi[..., [j]], z[[j]], eps[[j]], noise)
                lr_j = special.logsumexp(lr_q[..., 0] + self.u_log_w[:, None, None], axis=0)
                vals[j] = _logtrapz(others + lr_j, log_w) - log_rest
                with np.errstate(divide="ignore"):
                    cdf_q = np.log(noise_cdf(x, mu_q, phi[:, :, j], noise))
                log_cdf = special.logsumexp(cdf_q + self.u_log_w[:, None, None], axis=0)
            else:
                vals[j] = log_all - log_rest
                with np.errstate(divide="ignore"):
                    log_cdf = np.log(noise_cdf(x, mu[:, :, j], phi[:, :, j], noise))
            cdfs[j] = np.exp(_logtrapz(others + log_cdf, log_w) - log_rest)
        return vals, cdfs

    def _single_log_odds(
        self, mu: np.ndarray, phi: np.ndarray, tau2: np.ndarray, score: tuple[float, float, float]
    ) -> tuple[np.ndarray, np.ndarray]:
        r"""Log-likelihood and log CDF ``(S, G)`` of a row alone in its cell under
        ``interaction_scale="log_odds"``, its interaction integrated over its prior: a noise
        variance raised by :math:`\tau_c^2 \omega` (one node :math:`\omega = 1` for Normal
        cells; the nodes of the inverse-gamma mixing variance for Student-t cells,
        :func:`mixing_nodes`). ``score`` is the row's fraction, resolution
        limit and the point of its CDF."""
        z, eps, x = score
        noise = self.fit.settings.noise
        lrs, cdfs = [], []
        for omega, log_wt in zip(self.mix_nodes, self.mix_log_w, strict=True):
            phi_k = 1.0 / (1.0 / phi + tau2 * omega)
            lr = _row_loglik(mu[..., None], phi_k[..., None], np.array([z]), np.array([eps]), noise)
            lrs.append(lr[..., 0] + log_wt)
            with np.errstate(divide="ignore"):
                cdfs.append(np.log(noise_cdf(x, mu, phi_k, noise)) + log_wt)
        return special.logsumexp(np.stack(lrs), axis=0), special.logsumexp(np.stack(cdfs), axis=0)

    def _single_cell(self, eff: np.ndarray, row: int, block: np.ndarray) -> np.ndarray:
        r"""Mean fractions ``(Q, S, G)`` of ``row``, whose interaction cell has no other row,
        from its effects ``eff`` ``(S, G)``, at the Gauss-Hermite nodes of the cell's prior
        :math:`u \sim \mathcal N(0, \lambda s(\phi_b)/\alpha_b)` in place of its posterior
        draw (leaving the row out leaves nothing else to inform it)."""
        p, a = self.post, self.arrays
        b = a["bench"][row]
        base = eff - p["interaction"][block][:, None, a["cell"][row]]
        shift = self.u_sd[block][:, b][None, :, None] * self.u_nodes[:, None, None]
        return np.asarray(
            mean_score(
                base[None] + shift,
                difficulty=p["difficulty"][block][:, None, b],
                slope=p["slope"][block][:, None, b],
                floor=a["floor"][row],
                lapse=p["lapse"][block][:, None, b],
            )
        )


def _domain_trend(trend: np.ndarray, bench_domain: np.ndarray) -> np.ndarray:
    """Per sample and row: the trend of the row's domain offset (0 without the term)."""
    if trend.shape[-1] == 1 and not np.any(trend):
        return np.zeros((trend.shape[0], len(bench_domain)))
    return np.asarray(trend[:, bench_domain])


def loo_pit(
    fit: GapFit,
    *,
    loo_result: Any = None,
    log_lik: xr.DataArray | None = None,
    seed: int = 0,
    integrated_cdf: dict[int, np.ndarray] | None = None,
) -> pd.DataFrame:
    r"""LOO-PIT of every modelled row (see the module docstring).

    Returns the rows of ``fit.design.rows`` (model, benchmark, score, date, side, access) with
    ``censored`` (``"low"``, ``"high"`` or ``""``) and ``pit``. ``loo_result`` supplies the PSIS
    log-weights (default: :func:`loo` on ``log_lik``); ``seed`` draws the randomized PIT of
    censored rows. ``integrated_cdf`` (row -> per-sample CDF, from the integrated LOO of
    :class:`ModelChecks`) gives the rows whose weights come from the integrated log-likelihood
    their matching CDF, with the model's capability integrated out as in the weights: reading
    those rows' CDF at each draw's capability, which was fitted with the score, would pull their
    PIT toward 0.5.
    """
    ll = log_likelihood(fit) if log_lik is None else log_lik
    res = loo(fit, log_lik=ll) if loo_result is None else loo_result
    lw = np.asarray(res.log_weights.transpose(ROW_DIM, ...).to_numpy(), float)
    lw = lw.reshape(lw.shape[0], -1)  # (row, sample), chain-major like the stacked posterior
    undefined = ~np.isfinite(lw).all(axis=1)
    if undefined.any():
        # PSIS cannot smooth constant ratios (a row whose likelihood is the same in every draw):
        # then the weights are exactly equal; any other undefined row gets no PIT
        flat = ll.transpose(ROW_DIM, ...).to_numpy().reshape(lw.shape)
        constant = undefined & (np.ptp(flat, axis=1) == 0)
        lw[constant] = 0.0
        if (undefined & ~constant).any():
            warnings.warn(
                f"loo_pit: PSIS weights undefined for {int((undefined & ~constant).sum())} "
                "row(s); their PIT is NaN",
                RuntimeWarning,
                stacklevel=2,
            )
    with np.errstate(invalid="ignore"):
        w = np.exp(lw - special.logsumexp(lw, axis=1, keepdims=True))
    arrays = row_arrays(fit)
    stacked = stacked_posterior(fit)
    z, eps = fit.design.scaled_scores, fit.design.row_resolution
    low, high = fit.design.low_censored, fit.design.high_censored
    pit = np.empty(z.size)
    params = all_sample_params(stacked)
    at = np.where(low, eps, np.where(high, 1 - eps, z))
    cells = None  # the log-odds cells integrated out: their CDF given the cell's other rows
    if fit.settings.interactions and fit.settings.interaction_scale == "log_odds":
        cells = cell_predictive_cdf(fit, np.clip(at, eps, 1 - eps))
    for chunk in np.array_split(np.arange(z.size), max(1, z.size // 400)):
        sub = {k: v[chunk] for k, v in arrays.items()}
        mu = mean_fraction(params, sub)  # (S, rows)
        phi = row_precision(params, sub)
        cdf = noise_cdf(at[chunk], mu, phi, fit.settings.noise)  # (S, rows)
        if cells is not None:
            cdf = np.where(np.isnan(cells[:, chunk]), cdf, cells[:, chunk])
        for k, r in enumerate(chunk):
            if integrated_cdf is not None and int(r) in integrated_cdf:
                cdf[:, k] = integrated_cdf[int(r)]
        pit[chunk] = np.einsum("rs,sr->r", w[chunk], cdf)
    u = np.random.default_rng(seed).uniform(size=z.size)
    pit = np.where(low, u * pit, np.where(high, pit + u * (1 - pit), pit))
    table = _row_table(fit)
    table["censored"] = np.where(low, "low", np.where(high, "high", ""))
    table["pit"] = np.clip(pit, 0.0, 1.0)  # NaN stays NaN
    return table


def _row_table(fit: GapFit) -> pd.DataFrame:
    rows = fit.design.rows.reset_index(drop=True)
    cols = [c for c in (D.MODEL, D.BENCHMARK, D.SCORE, D.DATE, D.WEIGHTS, D.ACCESS) if c in rows]
    return rows[cols].copy()


def pit_uniformity(pit: np.ndarray, *, prob: float = PIT_BAND) -> dict[str, float]:
    """Kolmogorov-Smirnov distance of the PIT values from uniform, its simultaneous ``prob``
    critical value for ``n`` values and the p-value (rows are treated as independent, which
    they are not quite: read it as a yardstick)."""
    pit = np.asarray(pit, float)
    pit = pit[np.isfinite(pit)]
    ks = stats.kstest(pit, "uniform")
    return {
        "n": float(pit.size),
        "ks_distance": float(ks.statistic),
        "ks_critical": float(stats.kstwo.ppf(prob, pit.size)),
        "ks_pvalue": float(ks.pvalue),
    }


def predictive_checks(
    fit: GapFit,
    *,
    n_draws: int = 400,
    seed: int = 0,
    ci_prob: float = 0.9,
    groupings: tuple[str, ...] = PPC_GROUPINGS,
) -> pd.DataFrame:
    r"""Posterior predictive checks of group means and maxima (see the module docstring).

    One row per grouping (:data:`PPC_GROUPINGS`), level and statistic (``mean``, ``max``):
    ``n`` scores, ``observed`` (fraction of the ceiling), ``replicated`` (median), ``lower`` /
    ``upper`` (``ci_prob`` interval), ``z`` (observed minus replicated mean, in replicated sd)
    and ``ppp`` (:math:`P(T(\tilde y) \ge T(y))`, ties counted half). ``n_draws`` posterior
    samples (evenly spaced over the chains) each give one replicate.
    """
    if isinstance(n_draws, bool) or not isinstance(n_draws, int) or n_draws < 2:
        raise ValueError(f"n_draws={n_draws!r}: give a whole number >= 2 (replicates to compare)")
    unknown = [g for g in groupings if g not in PPC_GROUPINGS]
    if unknown:
        raise ValueError(f"groupings: unknown {unknown}; use some of {list(PPC_GROUPINGS)}")
    if not 0 < ci_prob < 1:
        raise ValueError(f"ci_prob={ci_prob}: must lie in (0, 1)")
    stacked = stacked_posterior(fit)
    n_total = stacked.sizes[SAMPLE_DIM]
    pick = np.unique(np.linspace(0, n_total - 1, min(n_draws, n_total)).round().astype(int))
    params = all_sample_params(stacked.isel({SAMPLE_DIM: pick}))
    arrays = row_arrays(fit)
    rep = replicate_fractions(params, arrays, np.random.default_rng(seed), noise=fit.settings.noise)
    eps = arrays["resolution"]
    # observed scores on the replicates' footing: beyond a resolution limit reads as 0 or 1
    z = fit.design.scaled_scores
    obs = np.where(z <= eps, 0.0, np.where(z >= 1 - eps, 1.0, z))
    table = _row_table(fit)
    labels = {
        "benchmark": table[D.BENCHMARK].astype(str),
        "side": table[D.WEIGHTS].astype(str),
        "access": table[D.ACCESS].fillna("unknown").astype(str),
        "side_access": table[D.WEIGHTS].astype(str)
        + " on "
        + table[D.ACCESS].fillna("unknown").astype(str),
        "year": pd.to_datetime(table[D.DATE]).dt.year.astype(str),
    }
    lo_q, hi_q = (1 - ci_prob) / 2, (1 + ci_prob) / 2
    out = []
    for grouping in groupings:
        lab = labels[grouping].to_numpy()
        for level in sorted(pd.unique(lab)):
            idx = np.flatnonzero(lab == level)
            for stat, fn in (("mean", np.mean), ("max", np.max)):
                t_obs = float(fn(obs[idx]))
                t_rep = fn(rep[:, idx], axis=1)
                sd = float(t_rep.std())
                out.append(
                    {
                        "grouping": grouping,
                        "level": level,
                        "statistic": stat,
                        "n": idx.size,
                        "observed": t_obs,
                        "replicated": float(np.median(t_rep)),
                        "lower": float(np.quantile(t_rep, lo_q)),
                        "upper": float(np.quantile(t_rep, hi_q)),
                        "z": (t_obs - float(t_rep.mean())) / sd if sd > 0 else np.nan,
                        "ppp": float(np.mean(t_rep > t_obs) + 0.5 * np.mean(t_rep == t_obs)),
                    }
                )
    return pd.DataFrame(out)


#: The priors :func:`prior_sensitivity` power-scales, by label: the top-level priors, not the
#: population distributions of the model's latent terms (per-benchmark difficulties and slopes,
#: per-model shortfalls, per-segment growth rates), whose power-scaling would change the model
#: rather than the prior (Kallioinen et al. 2024).
PRIOR_TERMS: dict[str, tuple[str, ...]] = {
    "benchmark difficulty hyperpriors": ("difficulty_mean", "difficulty_sd"),
    "benchmark slope hyperpriors": ("log_slope_mean", "log_slope_sd"),
    "benchmark precisions": ("log_precision",),
    "typical growth rates": ("log_growth_mean",),
    "growth spread (learned)": ("growth_spread",),
    "frontier levels": ("frontier_level",),
    "shortfall scales": ("shortfall_scale",),
    "public-benchmark advantage": ("public_advantage", "public_advantage_trend"),
    "provider penalties": ("provider_degradation",),
    "lapse rates": ("lapse_saturating", "lapse_logit_mean", "lapse_logit_sd"),
    "open offset spreads": ("open_domain_sd", "open_benchmark_sd"),
    "private-benchmark effect spread": ("private_effect_sd",),
    "reasoning effect spread": ("reasoning_effect_sd",),
    "interaction spread": ("interaction_ratio",),
}


def prior_sensitivity(
    fit: GapFit, *, dates: Any = None, log_lik: xr.DataArray | None = None
) -> pd.DataFrame:
    r"""Power-scaling sensitivity of the gap to each prior (Kallioinen, Paananen, Bürkner and
    Vehtari 2024, through ArviZ's ``psense_summary``; no refits).

    Each prior of :data:`PRIOR_TERMS` in turn is raised to a power :math:`\alpha` near 1
    (:math:`p(\theta)^\alpha`) by importance weighting, and the change of each quantity's
    posterior is measured (cumulative Jensen-Shannon distance per unit log-:math:`\alpha`);
    likewise for the likelihood. Quantities: the ``private`` and ``public`` gap at DeepSeek R1's
    release and the distance between the two frontiers at the last date of the data (capability
    units: the gap itself is undefined in some draws there, which power-scaling cannot weight).
    Returns one row per prior and quantity with ``prior`` and ``likelihood`` sensitivity and
    ArviZ's ``diagnosis`` (above 0.05: "potential strong prior / weak likelihood" when only the
    prior moves it, "potential prior-data conflict" when both do).
    """
    import arviz_stats as azs

    model = build_model(fit.design, fit.settings)
    present = {v.name for v in model.free_RVs}
    post = xr.DataTree.from_dict({"posterior": fit.posterior})
    wanted = sorted({n for names in PRIOR_TERMS.values() for n in names} & present)
    lp = pm.compute_log_prior(
        post, var_names=wanted, model=model, extend_inferencedata=False, progressbar=False
    )
    lp = lp if isinstance(lp, xr.Dataset) else lp["log_prior"].to_dataset()
    ll = log_likelihood(fit) if log_lik is None else log_lik
    r1 = pd.Timestamp("2025-01-20")
    _, last = fit.support()
    when = pd.DatetimeIndex([r1]) if dates is None else pd.DatetimeIndex(dates)
    quantities = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # dates outside the support are NaN, dropped below
        gd = fit.gap_draws(when)
        fr = fit.frontier_draws(pd.DatetimeIndex([last]))
    for d in when:
        for g in ("private", "public"):
            q = gd.sel({D.GROUP: g, D.DATE: d}).drop_vars([D.GROUP, D.DATE])
            if bool(np.isfinite(q).all()):
                quantities[f"{g} gap at {d:%Y-%m-%d} (months)"] = q
            else:  # importance weights cannot weigh undefined draws
                warnings.warn(
                    f"prior_sensitivity: the {g} gap at {d:%Y-%m-%d} is undefined in "
                    f"{int((~np.isfinite(q)).sum())} draws, so it is left out (the table's "
                    "quantity column lists what was measured)",
                    RuntimeWarning,
                    stacklevel=2,
                )
    gap_units = fr.sel({D.WEIGHTS: D.CLOSED}) - fr.sel({D.WEIGHTS: D.OPEN})
    quantities[f"frontier distance at {last:%Y-%m-%d} (units)"] = gap_units.isel(
        {D.DATE: 0}
    ).drop_vars([D.DATE])
    tree = xr.DataTree.from_dict(
        {
            "posterior": xr.Dataset(quantities),
            "log_likelihood": xr.Dataset({"score": ll}),
            "log_prior": lp,
        }
    )
    rows = []
    for label, names in PRIOR_TERMS.items():
        have = [n for n in names if n in lp]
        if not have:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            table = azs.psense_summary(tree, prior_var_names=have)
        for quantity, r in table.iterrows():
            rows.append(
                {
                    "prior": label,
                    "quantity": quantity,
                    "prior_sensitivity": float(r["prior"]),
                    "likelihood_sensitivity": float(r["likelihood"]),
                    "diagnosis": "ok" if r["diagnosis"] == "\u2713" else str(r["diagnosis"]),
                }
            )
    return pd.DataFrame(rows)


@dataclass
class ModelChecks:
    """The checks of one fit against its data (:meth:`GapFit.check
    <irtgap.methods.bayes.fit.GapFit.check>`).

    Attributes
    ----------
    loo : ELPDData
        PSIS-LOO with the integrated log-likelihood for the rows where plain PSIS was unreliable
        (see the module docstring); ``loo_plain`` is plain PSIS-LOO.
    pareto_k : DataFrame
        The rows still above :data:`PARETO_K_MAX` after integration (:func:`pareto_k_table`).
    pareto_k_plain : DataFrame
        The rows above it under plain PSIS.
    pit : DataFrame
        LOO-PIT per row (:func:`loo_pit`).
    ppc : DataFrame
        Posterior predictive checks by group (:func:`predictive_checks`).
    priors : DataFrame
        Power-scaling sensitivity of the gap to each prior (:func:`prior_sensitivity`).
    """

    loo: Any
    loo_plain: Any
    pareto_k: pd.DataFrame
    pareto_k_plain: pd.DataFrame
    pit: pd.DataFrame
    ppc: pd.DataFrame
    priors: pd.DataFrame

    def summary(self) -> pd.Series:
        """ELPD-LOO with its SE and effective parameters, unreliable rows (count and share)
        before and after integration, PIT uniformity and the number of groups whose posterior
        predictive p-value lies outside (0.025, 0.975)."""
        n = len(self.pit)
        uni = pit_uniformity(self.pit["pit"].to_numpy())
        flagged = ((self.ppc["ppp"] < 0.025) | (self.ppc["ppp"] > 0.975)).sum()
        return pd.Series(
            {
                "rows": n,
                "elpd_loo": float(self.loo.elpd),
                "elpd_loo_se": float(self.loo.se),
                "p_loo": float(self.loo.p),
                "elpd_loo_plain": float(self.loo_plain.elpd),
                "k_above_0.7_plain": len(self.pareto_k_plain),
                "k_above_0.7": len(self.pareto_k),
                "k_above_0.7_share": len(self.pareto_k) / n if n else np.nan,
                "pit_ks_distance": uni["ks_distance"],
                "pit_ks_critical_90": uni["ks_critical"],
                "ppc_groups_flagged": int(flagged),
                "ppc_groups": len(self.ppc),
                "prior_sensitivity_max": float(self.priors["prior_sensitivity"].max())
                if len(self.priors)
                else np.nan,
            }
        )

    def flagged(self, *, alpha: float = 0.05) -> pd.DataFrame:
        """The predictive-check rows whose two-sided p-value is below ``alpha``, worst first."""
        p2 = 2 * np.minimum(self.ppc["ppp"], 1 - self.ppc["ppp"])
        out = self.ppc.assign(p_two_sided=p2)
        return out[out["p_two_sided"] < alpha].sort_values("p_two_sided")

    def plot_pit(self, *, ax: Axes | None = None) -> Axes:
        """ECDF of the LOO-PIT values minus the uniform CDF, per side, with a simultaneous
        :data:`PIT_BAND` band."""
        return plot_loo_pit(self.pit, ax=ax, band=PIT_BAND)

    def plot_ppc(
        self, *, grouping: str = "benchmark", statistic: str = "mean", ax: Axes | None = None
    ) -> Axes:
        """Observed statistic against its replicated interval, one row per level."""
        if grouping not in PPC_GROUPINGS:
            raise ValueError(f"grouping={grouping!r}: use one of {list(PPC_GROUPINGS)}")
        if statistic not in ("mean", "max"):
            raise ValueError(f"statistic={statistic!r}: use 'mean' or 'max'")
        sub = self.ppc[(self.ppc["grouping"] == grouping) & (self.ppc["statistic"] == statistic)]
        return plot_ppc(sub, ax=ax, title=f"{statistic} score by {grouping.replace('_', ' x ')}")


def model_checks(
    fit: GapFit, *, n_draws: int = 400, seed: int = 0, ci_prob: float = 0.9
) -> ModelChecks:
    """Run every check of this module on ``fit`` (see :class:`ModelChecks`)."""
    ll = log_likelihood(fit)
    with warnings.catch_warnings():
        # the warning about high Pareto k is what this function reports in a table
        warnings.filterwarnings("ignore", message=".*[Pp]areto.*")
        plain = loo(fit, log_lik=ll)
        bad = np.flatnonzero(np.asarray(plain.pareto_k).ravel() > PARETO_K_MAX)
        ll_int, cdfs = _integrate(fit, log_lik=ll, rows=bad) if fit.settings.shortfall else (ll, {})
        integrated = loo(fit, log_lik=ll_int)
    return ModelChecks(
        loo=integrated,
        loo_plain=plain,
        pareto_k=pareto_k_table(fit, integrated),
        pareto_k_plain=pareto_k_table(fit, plain),
        pit=loo_pit(fit, loo_result=integrated, log_lik=ll_int, seed=seed, integrated_cdf=cdfs),
        ppc=predictive_checks(fit, n_draws=n_draws, seed=seed, ci_prob=ci_prob),
        priors=prior_sensitivity(fit, log_lik=ll),
    )
