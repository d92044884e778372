"""Sampler diagnostics of a Bayesian gap fit, computed with ``arviz_stats``.

:func:`sampler_diagnostics` gives, in one ``pandas.Series``: the largest rank-normalized R-hat
and the smallest bulk and tail effective sample sizes over every posterior variable, the same for
the frontier and for the capability gap, the number of divergent transitions, the smallest E-BFMI
over the chains and the number of transitions that hit the sampler's maximum tree depth.
:func:`diagnostic_problems` compares them with the limits below, and :func:`warn_if_bad` issues a
:class:`~irtgap.core.errors.ConvergenceWarning` naming each one missed, and each check that could
not be made (R-hat with one chain; a statistic the sampler did not record) rather than passing it.

The sampler statistics are read under either sampler's names: nutpie records ``depth`` and
``maxdepth_reached``, PyMC's NUTS ``tree_depth`` and ``reached_max_treedepth``; both record
``energy`` and ``diverging``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import xarray as xr

from irtgap.core import dims as D
from irtgap.core.errors import ConvergenceWarning

#: Largest acceptable R-hat (the rank-normalized R-hat of Vehtari et al. 2021).
RHAT_MAX = 1.01
#: Smallest acceptable bulk ESS of the frontier and of the gap.
ESS_MIN = 400
#: Smallest acceptable E-BFMI of a chain (Betancourt 2016: below 0.3 the momentum resampling
#: does not match the energy distribution, and the sampler explores the tails poorly).
EBFMI_MIN = 0.3
#: Transitions that may hit the maximum tree depth: any hit means trajectories were cut short
#: (slow exploration), so none is accepted.
TREEDEPTH_HITS_MAX = 0
#: Names of the "hit the maximum tree depth" flag in ``sample_stats``: nutpie's, then PyMC's.
TREEDEPTH_FLAGS = ("maxdepth_reached", "reached_max_treedepth")
#: Names of the tree depth in ``sample_stats``: nutpie's, then PyMC's.
TREEDEPTH_NAMES = ("depth", "tree_depth")


def _extreme(values: xr.Dataset | xr.DataArray, how: str) -> float:
    """The NaN-ignoring max (``how="max"``) or min over every value of ``values`` (NaN when all
    are NaN; ``np.nanmax`` over the values, since Python's ``max`` is order-dependent with
    NaN)."""
    arrays = values.values() if isinstance(values, xr.Dataset) else [values]
    flat = np.concatenate([np.asarray(v.to_numpy(), float).ravel() for v in arrays])
    if not flat.size or np.isnan(flat).all():
        return float("nan")
    return float(np.nanmax(flat) if how == "max" else np.nanmin(flat))


def _stat(stats: xr.Dataset, names: tuple[str, ...]) -> xr.DataArray | None:
    """The first of ``names`` present in ``stats``."""
    return next((stats[n] for n in names if n in stats), None)


def sampler_diagnostics(
    posterior: xr.Dataset, sample_stats: xr.Dataset, gap: xr.DataArray
) -> pd.Series:
    """The diagnostics of one fit (see the module docstring).

    Parameters
    ----------
    posterior : xarray.Dataset
        The posterior draws, ``(chain, draw, ...)``; must hold ``frontier``.
    sample_stats : xarray.Dataset
        The sampler statistics (``diverging``, ``energy``, the tree depth and its flag); a
        statistic that is absent gives NaN.
    gap : xarray.DataArray
        Capability-gap draws ``(chain, draw, date)``; only the dates where every draw's gap is
        finite are used.

    Returns
    -------
    pandas.Series
        ``max_rhat``, ``min_ess_bulk``, ``min_ess_tail``, ``frontier_max_rhat``,
        ``frontier_min_ess_bulk``, ``gap_max_rhat``, ``gap_min_ess_bulk``, ``divergences``,
        ``min_ebfmi``, ``max_treedepth_hits``, ``max_tree_depth``, ``chains``, ``draws``
        (name ``diagnostics``).
    """
    import arviz_stats as azs

    with warnings.catch_warnings():
        # constant draws (the anchor benchmark's fixed slope and difficulty) have no R-hat:
        # NaN, skipped by the extremes; one chain has no R-hat at all (NaN, reported)
        warnings.simplefilter("ignore", RuntimeWarning)
        rhat = azs.rhat(posterior)
        ess = azs.ess(posterior, method="bulk")
        ess_tail = azs.ess(posterior, method="tail")
        finite = xr.apply_ufunc(np.isfinite, gap).all(dim=[D.CHAIN, D.DRAW])
        gap_ok = gap.where(finite, drop=True)
        gap_ess = _extreme(azs.ess(gap_ok, method="bulk"), "min") if gap_ok.size else np.nan
        gap_rhat = _extreme(azs.rhat(gap_ok), "max") if gap_ok.size else np.nan
    div = int(sample_stats["diverging"].sum()) if "diverging" in sample_stats else 0
    hits = _stat(sample_stats, TREEDEPTH_FLAGS)
    depth = _stat(sample_stats, TREEDEPTH_NAMES)
    return pd.Series(
        {
            "max_rhat": _extreme(rhat, "max"),
            "min_ess_bulk": _extreme(ess, "min"),
            "min_ess_tail": _extreme(ess_tail, "min"),
            "frontier_max_rhat": float(rhat["frontier"].max()),
            "frontier_min_ess_bulk": float(ess["frontier"].min()),
            "gap_max_rhat": float(gap_rhat),
            "gap_min_ess_bulk": float(gap_ess),
            "divergences": div,
            "min_ebfmi": _min_ebfmi(sample_stats),
            "max_treedepth_hits": float(hits.sum()) if hits is not None else np.nan,
            "max_tree_depth": float(depth.max()) if depth is not None else np.nan,
            "chains": int(posterior.sizes[D.CHAIN]),
            "draws": int(posterior.sizes[D.DRAW]),
        },
        name="diagnostics",
    )


def _min_ebfmi(sample_stats: xr.Dataset) -> float:
    """The smallest E-BFMI over the chains (``arviz_stats.bfmi`` of ``energy``; NaN without
    it, or with fewer than two draws)."""
    import arviz_stats as azs

    if "energy" not in sample_stats or sample_stats.sizes.get(D.DRAW, 0) < 2:
        return float("nan")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # constant energy: 0 / 0
        values = azs.bfmi(sample_stats["energy"], sample_dims=[D.CHAIN, D.DRAW])
    return _extreme(values, "min")


def diagnostic_problems(diagnostics: pd.Series) -> list[str]:
    """The limits :func:`sampler_diagnostics`' values miss, and the checks they could not make,
    each as a phrase (empty when all is well).

    Parameters
    ----------
    diagnostics : pandas.Series
        The output of :func:`sampler_diagnostics`.

    Returns
    -------
    list of str
    """
    d = diagnostics
    problems = []
    n_chains = int(d["chains"])
    if n_chains < 2:
        problems.append(
            f"R-hat is undefined with {n_chains} chain (convergence not checked: "
            "run 2 or more chains)"
        )
    elif d["max_rhat"] > RHAT_MAX:
        problems.append(f"max R-hat {d['max_rhat']:.3f} > {RHAT_MAX}")
    for key in ("frontier_min_ess_bulk", "gap_min_ess_bulk"):
        if d[key] < ESS_MIN:
            problems.append(f"{key} {d[key]:.0f} < {ESS_MIN}")
    if not np.isfinite(d["gap_min_ess_bulk"]):
        problems.append("gap_min_ess_bulk not checked (no date where every draw's gap is defined)")
    if d["divergences"]:
        problems.append(f"{int(d['divergences'])} divergent transitions")
    if not np.isfinite(d["min_ebfmi"]):
        problems.append("E-BFMI not checked (the sampler recorded no energy)")
    elif d["min_ebfmi"] < EBFMI_MIN:
        problems.append(f"min E-BFMI {d['min_ebfmi']:.2f} < {EBFMI_MIN} (a chain explores poorly)")
    if not np.isfinite(d["max_treedepth_hits"]):
        problems.append("tree depth not checked (the sampler recorded no maximum-depth flag)")
    elif d["max_treedepth_hits"] > TREEDEPTH_HITS_MAX:
        problems.append(
            f"{int(d['max_treedepth_hits'])} transitions hit the maximum tree depth (trajectories "
            "cut short: raise the sampler's maximum depth)"
        )
    return problems


def warn_if_bad(diagnostics: pd.Series, *, stacklevel: int = 2) -> None:
    """Issue one :class:`~irtgap.core.errors.ConvergenceWarning` listing every problem
    :func:`diagnostic_problems` finds (nothing when there is none).

    Parameters
    ----------
    diagnostics : pandas.Series
        The output of :func:`sampler_diagnostics`.
    stacklevel : int
        Passed to ``warnings.warn`` (counted from the caller of this function).
    """
    problems = diagnostic_problems(diagnostics)
    if problems:
        warnings.warn(
            "sampler diagnostics are bad: "
            + "; ".join(problems)
            + ". Run longer (draws/tune), more chains, or check the model.",
            ConvergenceWarning,
            stacklevel=stacklevel + 1,
        )
