r"""The (model family, benchmark) interactions of ``interaction_scale="log_odds"``, drawn back
after the sampler has integrated them out.

With logit-normal noise and the interactions on the log-odds scale
(:mod:`irtgap.methods.bayes.model` states the model), the log-odds of the uncensored scores of a
cell :math:`c` are, given every other parameter :math:`\psi`, jointly Normal, and the sampler
reads them with :math:`v_c` integrated out (:func:`irtgap.methods.bayes.graph.build_model`). The
interaction's conditional posterior is Normal: with per row the residual :math:`r_i =
\operatorname{logit} z_i - \operatorname{logit}\mu_i` and precision :math:`w_i = \sigma_i^{-2}`,
and the prior :math:`v_c \sim \mathcal N(0, \tau_c^2)`,

.. math::

    v_c \mid \psi, y \sim \mathcal N\Big(\frac{B_c}{P_c},\ \frac{1}{P_c}\Big),\qquad
    P_c = \tau_c^{-2} + \sum_{i \in c} w_i,\quad B_c = \sum_{i \in c} w_i r_i.

A censored row alone in its cell has a residual known only to lie beyond the limit: the total
:math:`r` is drawn from its truncated :math:`\mathcal N(0, \sigma_i^2 + \tau_c^2)` and then
:math:`v_c \mid r \sim \mathcal N(k r, k \sigma_i^2)`, :math:`k = \tau_c^2 / (\tau_c^2 +
\sigma_i^2)`. The cells the sampler keeps (a censored row beside others,
:func:`~irtgap.methods.bayes.graph.sampled_cells`) keep their sampled value. One draw per
posterior sample, so the pairs :math:`(\psi, v)` are draws of the joint posterior, which the
replicates (:mod:`irtgap.methods.bayes.replicate`) and the checks
(:mod:`irtgap.methods.bayes.checks`) read as they read sampled interactions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import xarray as xr
from scipy import sparse, special, stats

from irtgap.core import dims as D
from irtgap.methods.bayes.graph import INTERACTION_DIM, cell_benchmarks, sampled_cells
from irtgap.methods.bayes.noise import T_DOF, logit_scale
from irtgap.methods.bayes.replicate import (
    SAMPLE_DIM,
    all_sample_params,
    mean_fraction,
    row_arrays,
    row_precision,
    stacked_posterior,
)

if TYPE_CHECKING:
    from irtgap.methods.bayes.design import Design
    from irtgap.methods.bayes.fit import GapFit

#: The grid of :math:`\log\omega`, the mixing variance of a one-row cell's Student-t
#: interaction (``interaction_tails="student_t"``) in the LOO: from, to, points.
MIX_GRID = (-10.0, 14.0, 81)


@dataclass(frozen=True)
class _CellSums:
    """Per posterior sample (``S``) and row or cell, what the conditional posterior of the
    log-odds interactions reads: the rows' log-odds means without the interactions ``m`` and
    noise variances ``var``, their residuals ``r`` and precisions ``w``, each cell's prior sd
    ``tau`` and the sums ``a_c`` of ``w`` and ``b_c`` of ``w r`` over its uncensored rows
    (0 for the cells the sampler keeps)."""

    stacked: xr.Dataset
    m: np.ndarray
    var: np.ndarray
    r: np.ndarray
    w: np.ndarray
    tau: np.ndarray
    tau_prior: np.ndarray  # without the Student-t cells' mixing variances
    a_c: np.ndarray
    b_c: np.ndarray
    cell: np.ndarray
    kept: np.ndarray
    inside: np.ndarray  # uncensored rows of the cells integrated out


def _prior_sd(stacked: xr.Dataset, design: Design) -> tuple[np.ndarray, np.ndarray]:
    r"""Per sample of ``stacked`` and cell, the sd of the interaction's prior,
    :math:`\lambda\phi_b^{-1/2}`, and the same times the cell's mixing sd under Student-t
    cells (equal otherwise): ``(S, cells)`` each."""
    precision = stacked["precision"].transpose(SAMPLE_DIM, ...).to_numpy()
    tau = (
        stacked["interaction_ratio"].to_numpy()[:, None]
        * np.asarray(logit_scale(precision, "logit_normal"))[:, cell_benchmarks(design)]
    )
    if "interaction_mix" not in stacked:
        return tau, tau
    mix = stacked["interaction_mix"].transpose(SAMPLE_DIM, ...).to_numpy()
    return tau, tau * np.sqrt(mix)


def _cell_sums(fit: GapFit) -> _CellSums:
    """:class:`_CellSums` of ``fit`` (its interactions, where drawn already, left out)."""
    design = fit.design
    stacked = stacked_posterior(fit)
    params = all_sample_params(stacked)
    params.pop("interaction", None)
    arrays = row_arrays(fit)
    m = special.logit(mean_fraction(params, arrays))  # (S, rows), without the interactions
    var = 1.0 / row_precision(params, arrays)
    tau_prior, tau = _prior_sd(stacked, design)
    cell = design.interaction_cells[0]
    kept = sampled_cells(design)
    eps = design.row_resolution
    z = np.clip(design.scaled_scores, eps, 1 - eps)
    inside = ~(design.low_censored | design.high_censored) & ~kept[cell]
    onehot = sparse.csr_matrix(
        (np.ones(inside.sum()), (np.flatnonzero(inside), cell[inside])),
        shape=(len(cell), len(kept)),
    )
    w = 1.0 / var
    r = special.logit(z) - m
    a_c = np.asarray(onehot.T @ w.T).T
    b_c = np.asarray(onehot.T @ (w * r).T).T
    return _CellSums(stacked, m, var, r, w, tau, tau_prior, a_c, b_c, cell, kept, inside)


def cell_predictive_loglik(fit: GapFit) -> np.ndarray:
    r"""Per posterior sample and row, :math:`\log p(y_i \mid \psi, y_{c(i),-i})`: the row's
    density (or, censored, probability) with its cell's interaction integrated out given the
    cell's other rows, NaN for the rows of the cells the sampler keeps.

    With :math:`P_{-i} = \tau_c^{-2} + A_c - w_i` and :math:`B_{-i} = B_c - w_i r_i` (module
    docstring), the residual's predictive is :math:`\mathcal N(B_{-i}/P_{-i},\ \sigma_i^2 +
    1/P_{-i})`; a censored row (alone in its cell) is beyond its limit with the variance
    :math:`\sigma_i^2 + \tau_c^2`. With Student-t cells the mixing variance is a draw's
    (it is a parameter of the sampler's posterior), except in a cell of one row, where it is
    integrated over its prior too (:func:`mixing_nodes`; only the row informs it). Since
    :math:`v_c` is integrated out of the sampler's
    posterior, the importance ratio of leaving row :math:`i` out is exactly
    :math:`1/p(y_i \mid \psi, y_{c(i),-i})`: the pointwise term of PSIS-LOO
    (:func:`irtgap.methods.bayes.checks.log_likelihood`).

    Parameters
    ----------
    fit : GapFit
        A fit with ``interaction_scale="log_odds"``.

    Returns
    -------
    numpy.ndarray
        ``(samples, rows)``, rows in ``fit.design.rows`` order, samples chain by chain.
    """
    c = _cell_sums(fit)
    design = fit.design
    eps = design.row_resolution
    z = np.clip(design.scaled_scores, eps, 1 - eps)
    out = np.full(c.m.shape, np.nan)
    i, mean, sd = _predictive(c)
    jac = np.log(z[i]) + np.log1p(-z[i])
    out[:, i] = stats.norm.logpdf(c.r[:, i], mean, sd) - jac
    low, high = design.low_censored, design.high_censored
    j = np.flatnonzero((low | high) & ~c.kept[c.cell])
    beyond = np.where(
        low[j], special.logit(eps[j]) - c.m[:, j], c.m[:, j] - special.logit(1 - eps[j])
    )
    out[:, j] = special.log_ndtr(beyond / np.sqrt(c.var[:, j] + c.tau[:, c.cell[j]] ** 2))
    if "interaction_mix" in c.stacked:  # a one-row cell's mixing variance over its prior too
        alone = np.bincount(c.cell, minlength=len(c.kept))[c.cell] == 1
        _alone_over_mixing(out, c, np.flatnonzero(alone & ~c.kept[c.cell]), z, design)
    return out


def _predictive(c: _CellSums) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The uncensored rows of the integrated-out cells, and per sample the mean and sd of each
    one's residual given its cell's other rows (:func:`cell_predictive_loglik`)."""
    i = np.flatnonzero(c.inside)
    ci = c.cell[i]
    prec = 1.0 / c.tau[:, ci] ** 2 + c.a_c[:, ci] - c.w[:, i]
    mean = (c.b_c[:, ci] - c.w[:, i] * c.r[:, i]) / prec
    return i, mean, np.sqrt(c.var[:, i] + 1.0 / prec)


def cell_predictive_cdf(fit: GapFit, x: np.ndarray) -> np.ndarray:
    """Per posterior sample and row, the CDF at ``x`` (a fraction per row) of the predictive
    of :func:`cell_predictive_loglik`: the row's score given its cell's other rows, the
    interaction integrated out; NaN for the rows of the cells the sampler keeps. The CDF the
    LOO-PIT reads with the PSIS weights of those log-likelihoods.

    Parameters
    ----------
    fit : GapFit
        A fit with ``interaction_scale="log_odds"``.
    x : numpy.ndarray
        Per row of ``fit.design.rows``, the fraction at which to read the CDF (the score, or
        the resolution limit of a censored score).

    Returns
    -------
    numpy.ndarray
        ``(samples, rows)``.
    """
    c = _cell_sums(fit)
    design = fit.design
    out = np.full(c.m.shape, np.nan)
    lx = special.logit(np.asarray(x, float))
    i, mean, sd = _predictive(c)
    out[:, i] = special.ndtr((lx[i] - c.m[:, i] - mean) / sd)
    censored = design.low_censored | design.high_censored
    j = np.flatnonzero(censored & ~c.kept[c.cell])
    out[:, j] = special.ndtr((lx[j] - c.m[:, j]) / np.sqrt(c.var[:, j] + c.tau[:, c.cell[j]] ** 2))
    if "interaction_mix" in c.stacked:  # a one-row cell's mixing variance over its prior
        alone = np.bincount(c.cell, minlength=len(c.kept))[c.cell] == 1
        rows = np.flatnonzero(alone & ~c.kept[c.cell])
        omega, log_w = mixing_nodes("student_t")
        tau2 = c.tau_prior[:, c.cell[rows]] ** 2
        acc = np.zeros((c.m.shape[0], rows.size))
        for om, lw in zip(omega, log_w, strict=True):
            sd_k = np.sqrt(c.var[:, rows] + tau2 * om)
            acc += np.exp(lw) * special.ndtr((lx[rows] - c.m[:, rows]) / sd_k)
        out[:, rows] = acc
    return out


def _alone_over_mixing(
    out: np.ndarray, c: _CellSums, rows: np.ndarray, z: np.ndarray, design: Design
) -> None:
    """Into ``out``: the rows ``rows``, each alone in a Student-t cell, with the cell's mixing
    variance integrated over its prior (:func:`mixing_nodes`), as only the row informs it."""
    omega, log_w = mixing_nodes("student_t")
    tau2 = c.tau_prior[:, c.cell[rows]] ** 2  # (S, n)
    var, r = c.var[:, rows], c.r[:, rows]
    low, high = design.low_censored[rows], design.high_censored[rows]
    eps = design.row_resolution[rows]
    beyond = np.where(low, special.logit(eps) - c.m[:, rows], c.m[:, rows] - special.logit(1 - eps))
    jac = np.log(z[rows]) + np.log1p(-z[rows])
    acc = np.full(var.shape, -np.inf)
    for om, lw in zip(omega, log_w, strict=True):  # one node at a time: (S, n) arrays only
        sd = np.sqrt(var + tau2 * om)
        dens = stats.norm.logpdf(r, 0.0, sd) - jac
        each = np.where(low | high, special.log_ndtr(beyond / sd), dens)
        acc = np.logaddexp(acc, each + lw)
    out[:, rows] = acc


def conditional_interactions(fit: GapFit, rng: np.random.Generator) -> xr.Dataset:
    """One draw of every cell's log-odds interaction per posterior sample of ``fit``, from its
    conditional posterior (module docstring).

    Parameters
    ----------
    fit : GapFit
        A fit with ``interaction_scale="log_odds"`` whose posterior holds the sampled cells'
        ``sampled_interaction_std`` and no ``interaction`` yet.
    rng : numpy.random.Generator
        The random source.

    Returns
    -------
    xarray.Dataset
        ``interaction`` (log-odds), ``(chain, draw, interaction_cell)``.
    """
    c = _cell_sums(fit)
    design, tau, var, m = fit.design, c.tau, c.var, c.m
    cell, kept, eps = c.cell, c.kept, design.row_resolution
    censored = design.low_censored | design.high_censored
    v = np.zeros_like(tau)
    if kept.any():
        z_s = c.stacked["sampled_interaction_std"].transpose(SAMPLE_DIM, ...).to_numpy()
        v[:, kept] = tau[:, kept] * z_s
    prec = 1.0 / tau**2 + c.a_c
    free = ~kept
    v[:, free] = (c.b_c / prec + rng.standard_normal(prec.shape) / np.sqrt(prec))[:, free]
    for i in np.flatnonzero(censored & ~kept[cell]):  # alone in its cell
        at = cell[i]
        t2, s2 = tau[:, at] ** 2, var[:, i]
        sd = np.sqrt(t2 + s2)
        if design.low_censored[i]:  # below logit(eps), or above logit(1 - eps)
            lo, hi = np.full_like(sd, -np.inf), (special.logit(eps[i]) - m[:, i]) / sd
        else:
            lo, hi = (special.logit(1 - eps[i]) - m[:, i]) / sd, np.full_like(sd, np.inf)
        total = sd * stats.truncnorm.rvs(lo, hi, random_state=rng)
        k = t2 / (t2 + s2)
        v[:, at] = k * total + np.sqrt(k * s2) * rng.standard_normal(len(k))
    n_chain, n_draw = fit.posterior.sizes[D.CHAIN], fit.posterior.sizes[D.DRAW]
    coords = {
        D.CHAIN: fit.posterior[D.CHAIN].to_numpy(),
        D.DRAW: fit.posterior[D.DRAW].to_numpy(),
        INTERACTION_DIM: list(design.interaction_cells[1]),
    }
    dims = (D.CHAIN, D.DRAW, INTERACTION_DIM)
    shape = (n_chain, n_draw, len(kept))
    return xr.Dataset({"interaction": (dims, v.reshape(shape))}, coords=coords)


def standardized_interactions(fit: GapFit) -> xr.DataArray:
    r"""The log-odds interactions of ``fit`` as ratios to their prior's sd, :math:`z_c = v_c /
    \tau_c` (``interaction_std``, the explicit graph's variable; not stored with the fit), with
    :math:`\tau_c` including the cell's mixing variance under Student-t cells.

    Parameters
    ----------
    fit : GapFit
        A fit with ``interaction_scale="log_odds"``.

    Returns
    -------
    xarray.DataArray
        ``(chain, draw, interaction_cell)``.
    """
    post = fit.posterior
    _, tau = _prior_sd(stacked_posterior(fit), fit.design)  # (S, cells), chain by chain
    sd = tau.reshape(post.sizes[D.CHAIN], post.sizes[D.DRAW], -1)
    v = post["interaction"].transpose(D.CHAIN, D.DRAW, INTERACTION_DIM)
    return (v / sd).rename("interaction_std")


def mixing_nodes(tails: str) -> tuple[np.ndarray, np.ndarray]:
    r"""Quadrature nodes and log weights of the mixing variance :math:`\omega` of a log-odds
    interaction's prior, :math:`v \mid \omega \sim \mathcal N(0, \tau^2\omega)`.

    ``"normal"``: the one node :math:`\omega = 1`. ``"student_t"``: :math:`\omega \sim
    \operatorname{InvGamma}(\nu/2, \nu/2)` (:math:`\nu` =
    :data:`~irtgap.methods.bayes.noise.T_DOF`), by the trapezoid rule in :math:`\log\omega`
    over :data:`MIX_GRID` (smooth there, so the rule converges fast: a Normal residual plus a
    t interaction to within 1e-7 of its density in the tests), the weights normalised.

    Parameters
    ----------
    tails : {"normal", "student_t"}
        ``interaction_tails`` of :class:`~irtgap.methods.bayes.settings.GapSettings`.

    Returns
    -------
    tuple of numpy.ndarray
        The nodes :math:`\omega_k` and :math:`\log w_k` (the weights sum to 1).
    """
    if tails == "normal":
        return np.ones(1), np.zeros(1)
    k = T_DOF / 2
    u = np.linspace(*MIX_GRID)
    omega = np.exp(u)
    log_w = stats.invgamma.logpdf(omega, k, scale=k) + u + np.log(u[1] - u[0])
    return omega, log_w - special.logsumexp(log_w)
