r"""Checks of a Bayesian fit against its data: pointwise log-likelihood and PSIS-LOO.

:func:`log_likelihood` gives, per posterior draw, the log-likelihood of every modelled row of
:class:`~irtgap.methods.bayes.fit.GapFit` (dimension ``row``: the position in
``fit.design.rows``), computed by PyMC from the model's own likelihood terms: the Beta density of
an uncensored score (``score``) and, for a score at or beyond the benchmark's resolution limits,
the Beta probability of lying beyond them (``score_censored``; see
:mod:`irtgap.methods.bayes.model`). :func:`loo` runs Pareto-smoothed importance-sampling
leave-one-out cross-validation (PSIS-LOO, Vehtari, Gelman and Gabry 2017) through ArviZ on it, and
:func:`pareto_k_table` names the rows whose Pareto :math:`\hat k` exceeds 0.7, the threshold above
which the importance-sampling estimate of that row's held-out density is unreliable.

The LOO here leaves out one score (a model x benchmark pair); a censored row contributes a
probability, an uncensored row a density, so ELPD values compare model forms fitted to the same
rows with the same censoring only.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pymc as pm
import xarray as xr

from irtgap.core import dims as D
from irtgap.methods.bayes.fit import GapFit
from irtgap.methods.bayes.model import CENSORED_DIM, build_model

#: Name of the row dimension of :func:`log_likelihood`.
ROW_DIM = "row"
#: Pareto :math:`\hat k` above which a row's PSIS estimate is unreliable (Vehtari et al. 2024).
PARETO_K_MAX = 0.7


def log_likelihood(fit: GapFit) -> xr.DataArray:
    """Pointwise log-likelihood ``(chain, draw, row)`` of every modelled row of ``fit``.

    ``row`` indexes ``fit.design.rows`` (uncensored and censored rows together, in that table's
    order). Computed by :func:`pymc.compute_log_likelihood` on the model rebuilt from the fit's
    design and settings, so it is the model's own likelihood, not a copy of it.
    """
    model = build_model(fit.design, fit.settings)
    names = [v.name for v in model.observed_RVs]
    post = xr.DataTree.from_dict({"posterior": fit.posterior})
    out = pm.compute_log_likelihood(
        post, var_names=names, model=model, extend_inferencedata=False, progressbar=False
    )
    ll = out if isinstance(out, xr.Dataset) else out["log_likelihood"].to_dataset()
    parts = []
    for name, dim in (("score", D.OBS), ("score_censored", CENSORED_DIM)):
        if name in ll:
            parts.append(ll[name].rename({dim: ROW_DIM}))
    joined = xr.concat(parts, dim=ROW_DIM).sortby(ROW_DIM)
    n_rows = len(fit.design.rows)
    if joined.sizes[ROW_DIM] != n_rows:  # every modelled row has exactly one term
        raise RuntimeError(
            f"log_likelihood: {joined.sizes[ROW_DIM]} likelihood terms for {n_rows} modelled rows"
        )
    return joined.transpose(D.CHAIN, D.DRAW, ROW_DIM).rename("log_likelihood")


def loo(fit: GapFit, *, log_lik: xr.DataArray | None = None) -> Any:
    """PSIS-LOO of ``fit`` (ArviZ's ``ELPDData``: ``elpd``, ``se``, ``p``, ``pareto_k`` per row).

    Pass ``log_lik`` (from :func:`log_likelihood`) to avoid computing it again.
    """
    import arviz_stats as azs

    ll = log_likelihood(fit) if log_lik is None else log_lik
    tree = xr.DataTree.from_dict(
        {"posterior": fit.posterior, "log_likelihood": xr.Dataset({"score": ll})}
    )
    return azs.loo(tree, pointwise=True, var_name="score")


def pareto_k_table(fit: GapFit, loo_result: Any, *, k_max: float = PARETO_K_MAX) -> pd.DataFrame:
    """The modelled rows whose Pareto :math:`\\hat k` exceeds ``k_max`` or could not be estimated
    (NaN: as unreliable): model, benchmark, score, date, side and ``pareto_k``, worst first."""
    k = np.asarray(loo_result.pareto_k).ravel()
    rows = fit.design.rows.reset_index(drop=True)
    if k.size != len(rows):
        raise ValueError(f"pareto_k_table: {k.size} Pareto k values for {len(rows)} modelled rows")
    cols = [c for c in (D.MODEL, D.BENCHMARK, D.SCORE, D.DATE, D.WEIGHTS) if c in rows.columns]
    bad = (k > k_max) | np.isnan(k)
    out = rows.loc[bad, cols].copy()
    out["pareto_k"] = k[bad]
    return out.sort_values("pareto_k", ascending=False, na_position="first")
