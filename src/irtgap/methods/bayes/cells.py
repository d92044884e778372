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

from typing import TYPE_CHECKING

import numpy as np
import xarray as xr
from scipy import sparse, special, stats

from irtgap.core import dims as D
from irtgap.methods.bayes.graph import INTERACTION_DIM, cell_benchmarks, sampled_cells
from irtgap.methods.bayes.noise import logit_scale
from irtgap.methods.bayes.replicate import (
    SAMPLE_DIM,
    all_sample_params,
    mean_fraction,
    row_arrays,
    row_precision,
    stacked_posterior,
)

if TYPE_CHECKING:
    from irtgap.methods.bayes.fit import GapFit


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
    design = fit.design
    stacked = stacked_posterior(fit)
    params = all_sample_params(stacked)
    arrays = row_arrays(fit)
    m = special.logit(mean_fraction(params, arrays))  # (S, rows), without the interactions
    var = 1.0 / row_precision(params, arrays)
    tau = (
        stacked["interaction_ratio"].to_numpy()[:, None]
        * np.asarray(logit_scale(params["precision"], "logit_normal"))[:, cell_benchmarks(design)]
    )  # (S, cells)
    cell = design.interaction_cells[0]
    kept = sampled_cells(design)
    v = np.zeros_like(tau)
    if kept.any():
        z_s = stacked["sampled_interaction_std"].transpose(SAMPLE_DIM, ...).to_numpy()
        v[:, kept] = tau[:, kept] * z_s
    eps = design.row_resolution
    z = np.clip(design.scaled_scores, eps, 1 - eps)
    censored = design.low_censored | design.high_censored
    inside = ~censored & ~kept[cell]
    onehot = sparse.csr_matrix(
        (np.ones(inside.sum()), (np.flatnonzero(inside), cell[inside])),
        shape=(len(cell), len(kept)),
    )
    w = 1.0 / var
    r = special.logit(z) - m
    a_c = np.asarray(onehot.T @ w.T).T
    b_c = np.asarray(onehot.T @ (w * r).T).T
    prec = 1.0 / tau**2 + a_c
    free = ~kept
    v[:, free] = (b_c / prec + rng.standard_normal(prec.shape) / np.sqrt(prec))[:, free]
    for i in np.flatnonzero(censored & ~kept[cell]):  # alone in its cell
        c = cell[i]
        t2, s2 = tau[:, c] ** 2, var[:, i]
        sd = np.sqrt(t2 + s2)
        if design.low_censored[i]:  # below logit(eps), or above logit(1 - eps)
            lo, hi = np.full_like(sd, -np.inf), (special.logit(eps[i]) - m[:, i]) / sd
        else:
            lo, hi = (special.logit(1 - eps[i]) - m[:, i]) / sd, np.full_like(sd, np.inf)
        total = sd * stats.truncnorm.rvs(lo, hi, random_state=rng)
        k = t2 / (t2 + s2)
        v[:, c] = k * total + np.sqrt(k * s2) * rng.standard_normal(len(k))
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
    """The log-odds interactions of ``fit`` as ratios to their prior's sd, :math:`z_c = v_c /
    \tau_c` (``interaction_std``, the explicit graph's variable; not stored with the fit).

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
    scale = post["precision"].isel({D.BENCHMARK: cell_benchmarks(fit.design)}) ** -0.5
    tau = post["interaction_ratio"] * scale.rename({D.BENCHMARK: INTERACTION_DIM}).drop_vars(
        INTERACTION_DIM
    )
    return (post["interaction"] / tau.to_numpy()).rename("interaction_std")
