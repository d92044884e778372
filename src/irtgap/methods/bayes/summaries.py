"""Tables of a Bayesian fit's posterior: capabilities per model, the named terms beside their
priors, and the gap or frontier summary masked outside the data's support.

Each function takes the fit's parts (posterior, design, settings), so that
:class:`~irtgap.methods.bayes.fit.GapFit` stays a thin reader of them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from irtgap.core import dims as D
from irtgap.core.gaps import summarize_gap
from irtgap.methods.bayes.design import Design
from irtgap.methods.bayes.settings import GapSettings
from irtgap.methods.bayes.support import Support, outside

#: Columns of the capability table every result gives (``GapResult.capabilities()``), in order.
CAPABILITY_COLUMNS = ("date", "weights", "estimate", "lower", "upper", "n_benchmarks")
#: Columns of :func:`capability_table`, in order.
CAPABILITY_TABLE_COLUMNS = (
    D.DATE,
    D.WEIGHTS,
    D.PROVIDER,
    D.MODEL_GROUP,
    "mean",
    "lower",
    "upper",
    "n_benchmarks",
)


def stack_samples(da: xr.DataArray) -> np.ndarray:
    """Samples first: ``(chain*draw, ...)``."""
    return da.stack(sample=(D.CHAIN, D.DRAW)).transpose("sample", ...).to_numpy()


def capability_draws(
    posterior: xr.Dataset, design: Design, eci_anchors: dict[str, float] | None = None
) -> np.ndarray:
    """Capability draws per modelled version, ``(sample, model)`` in ``design.models`` order
    (hosted versions share their base's), mapped affinely onto the ``eci_anchors`` when given.

    Parameters
    ----------
    posterior : xarray.Dataset
        The fit's posterior (``capability`` per ``unit``).
    design : Design
        The fit's design.
    eci_anchors : dict of str to float, optional
        Exactly two model ids of the data and the values they take: per draw, the affine map
        that puts them there (the scale of Epoch's ECI, for comparison).

    Returns
    -------
    numpy.ndarray
    """
    cap = stack_samples(posterior["capability"])  # (S, units)
    units = list(posterior["unit"].to_numpy())
    models = design.models
    draws = cap[:, pd.Index(units).get_indexer(models["base"])]
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
    return np.asarray(draws)


def capability_table(
    posterior: xr.Dataset,
    design: Design,
    *,
    ci_prob: float,
    eci_anchors: dict[str, float] | None = None,
) -> pd.DataFrame:
    """Posterior capability per modelled version, with its provider and group.

    Parameters
    ----------
    posterior, design, eci_anchors
        As in :func:`capability_draws`.
    ci_prob : float
        Probability of the equal-tailed interval (``lower``, ``upper``).

    Returns
    -------
    pandas.DataFrame
        Index ``model``; columns :data:`CAPABILITY_TABLE_COLUMNS` (``mean``: the posterior
        mean; ``n_benchmarks``: modelled scores of the version), sorted by ``mean``
        descending.
    """
    draws = capability_draws(posterior, design, eci_anchors)
    lo, hi = np.quantile(draws, [(1 - ci_prob) / 2, 1 - (1 - ci_prob) / 2], axis=0)
    out = design.models[[D.DATE, D.WEIGHTS, D.PROVIDER, D.MODEL_GROUP]].copy()
    out["mean"] = draws.mean(0)
    out["lower"] = lo
    out["upper"] = hi
    counts = design.rows.groupby(D.MODEL).size()
    out["n_benchmarks"] = counts.reindex(out.index).fillna(0).astype(int)
    return out.sort_values("mean", ascending=False)


def contract_capabilities(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`capability_table` in the columns every result gives (:data:`CAPABILITY_COLUMNS`:
    ``estimate`` is the posterior mean), index ``model``, sorted by ``estimate`` descending."""
    out = table.rename(columns={"mean": "estimate"})[list(CAPABILITY_COLUMNS)]
    out = out.sort_values("estimate", ascending=False, kind="stable")
    out.index.name = D.MODEL
    return out


def term_priors(settings: GapSettings) -> dict[str, float]:
    """Prior sd of each named term (a half-normal's sd for the scales), by posterior name."""
    s = settings
    hn = np.sqrt(1 - 2 / np.pi)
    return {
        "public_advantage": s.prior_scale_gamma,
        "public_advantage_trend": s.prior_scale_gamma,  # per year; with the trend only
        "provider_degradation": s.prior_scale_delta * hn,
        "shortfall_scale": 2.0 * hn,
        "log_growth_mean": 1.0,
        "growth_spread": s.growth_spread * hn,  # learned (learn_growth_spread) only
        "open_domain_sd": s.prior_scale_offset * hn,
        "open_benchmark_sd": s.prior_scale_offset * hn,
        "private_effect_sd": s.prior_scale_private * hn,
        "reasoning_effect_sd": s.prior_scale_reasoning * hn,  # reasoning_effects only
        "interaction_ratio": s.prior_scale_interaction * hn,  # interactions only
        "open_domain_trend_sd": s.prior_scale_offset * hn,  # open_offset_trend only
        "open_domain_trend": s.prior_scale_offset,  # per domain and year (marginal prior sd)
        "loading_domain_scale": s.prior_scale_loading * hn,  # second_factor only
        "f2_shortfall_scale_open": hn,
        "f2_log_growth_mean": 1.0,
    }


def terms_table(posterior: xr.Dataset, settings: GapSettings, *, ci_prob: float) -> pd.DataFrame:
    """Posterior of the named terms the fit has, beside their priors.

    Parameters
    ----------
    posterior : xarray.Dataset
        The fit's posterior.
    settings : GapSettings
        The fit's settings (the prior scales).
    ci_prob : float
        Probability of the equal-tailed interval (``lower``, ``upper``).

    Returns
    -------
    pandas.DataFrame
        Index ``term`` (``name`` or ``name[label]`` per element); columns ``mean, sd, lower,
        upper, prior_sd, informed`` (``1 - posterior sd / prior sd``).
    """
    rows = []
    for name, prior_sd in term_priors(settings).items():
        if name not in posterior:
            continue
        da = posterior[name]
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


def summarize_inside(
    draws: xr.DataArray,
    support: Support,
    *,
    ci_prob: float,
    ref: pd.Timestamp | None = None,
    method: str | None = None,
    mask: bool = True,
    min_defined: float = 0.9,
) -> pd.DataFrame:
    """:func:`~irtgap.core.gaps.summarize_gap` of ``draws`` ``(chain, draw, group, date)`` at
    the dates inside the ``support``; outside it (when ``mask``; the caller has warned) every
    statistic is NaN and ``n_defined`` is 0, as is ``prob_grew`` when ``ref`` lies outside.

    Parameters
    ----------
    draws : xarray.DataArray
        The draws to summarize.
    support : tuple of pandas.Timestamp
        First and last release date of the modelled data.
    ci_prob : float
        Probability of the equal-tailed interval.
    ref : pandas.Timestamp, optional
        The reference date of ``prob_grew`` (none: no ``prob_grew`` column).
    method : str, optional
        The ``method`` column's value (none: no such column).
    mask : bool
        NaN outside the support (False: every date is summarized).
    min_defined : float
        As in :func:`~irtgap.core.gaps.summarize_gap`.

    Returns
    -------
    pandas.DataFrame
        One row per (date, group).
    """
    dates = pd.DatetimeIndex(draws[D.DATE].to_numpy())
    inside = ~outside(dates, support) if mask else np.ones(len(dates), bool)
    ref_inside = ref is not None and not (mask and outside(pd.DatetimeIndex([ref]), support).any())
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


def frontier_summary(frontier: xr.DataArray, support: Support, **options: Any) -> pd.DataFrame:
    """:func:`summarize_inside` of frontier draws ``(chain, draw, weights, date)``.

    Parameters
    ----------
    frontier : xarray.DataArray
        The frontier draws.
    support : tuple of pandas.Timestamp
        First and last release date of the modelled data.
    **options
        As in :func:`summarize_inside` (``ci_prob``, ``mask``).

    Returns
    -------
    pandas.DataFrame
        Columns ``date, weights, mean, median, lower, upper``.
    """
    table = summarize_inside(frontier.rename({D.WEIGHTS: D.GROUP}), support, **options)
    return table.rename(columns={D.GROUP: D.WEIGHTS}).drop(columns="n_defined")
