r"""What a fit with the elicitation terms says: the harness effects, the effort levels, and the
gap under the best and under the reference elicitation.

The terms are those of :mod:`irtgap.methods.bayes.elicitation` (``GapModel(
elicitation_terms=True)``). Their capabilities, frontiers :math:`F_g` and gaps are those of the
*reference elicitation*: each benchmark's reference harness :math:`r_b` and each effort group's
representative. The *best elicitation* raises each side's frontier by what its best harness and
its best effort level add, per posterior draw:

.. math::

    \Delta_g(G) = \sum_{b \in G} w_b\, H_{g,b} + E_g,\qquad
    w_b = \alpha_b \Big/ \sum_{b' \in G} \alpha_{b'},

over the benchmarks of the gap group :math:`G` (``"capability"``: every modelled benchmark;
``"harness_benchmarks"``: those with two or more harnesses), with the slopes :math:`\alpha_b`
as weights (the mean linear predictor over the group moves by :math:`\bar\alpha_G \Delta_g`).
:math:`H_{g,b}` is the effect, for side :math:`g`, of the harness of benchmark :math:`b` with the
highest posterior mean effect for that side, :math:`\chi_c + \omega_c [g = \text{open}]`, or 0
when no harness beats the reference (and on a benchmark with one harness). :math:`E_g` is the
mean offset :math:`\varepsilon_v` of side :math:`g`'s effort variants at the level with the
highest posterior mean of that mean, or 0 when none beats the representatives (or the side has
no variants): the gain of running each of the side's groups at its best level, as the groups
run at it show. The harness and the level are chosen once, on posterior means, not per draw (a
per-draw maximum would pick each draw's noise). The gap under the best elicitation is the gap
between :math:`F_{\text{open}} + \Delta_{\text{open}}` and :math:`F_{\text{closed}} +
\Delta_{\text{closed}}`; without ``open_harness_effects`` the harness parts are equal on both
sides and cancel, so the difference comes from the efforts alone. The difference reported is
reference minus best, per draw, as :func:`irtgap.elicitation_gap` reports it for the other
methods.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import xarray as xr

from irtgap.core import dims as D
from irtgap.core.gaps import time_shift_gap, to_days
from irtgap.data.elicitation import EFFORT
from irtgap.methods.bayes.elicitation import design_arrays, harness_cells
from irtgap.methods.bayes.frontiers import frontier_values, gap_grid
from irtgap.methods.bayes.summaries import stack_samples, summarize_inside

if TYPE_CHECKING:
    from irtgap.methods.bayes.fit import GapFit

#: DeepSeek R1's release: the first date the elicitation gap is read at by default.
R1_DATE = "2025-01-20"
#: The gap groups of :func:`elicitation_gap_draws`.
ELICITATION_GROUPS = ("capability", "harness_benchmarks")
#: The rules of :func:`elicitation_gap_draws` (``difference`` is reference minus best).
RULES = ("best", "reference", "difference")


def require_terms(fit: GapFit, what: str) -> None:
    """A ValueError unless ``fit`` was made with the elicitation terms.

    Parameters
    ----------
    fit : GapFit
        The fit.
    what : str
        What was asked for, for the message.
    """
    if not fit.settings.elicitation_terms:
        raise ValueError(
            f"{what} needs a fit of GapModel(elicitation_terms=True): this fit models one "
            "score per (version, benchmark) and has no harness or effort terms"
        )


def _interval(draws: np.ndarray, ci_prob: float) -> dict[str, np.ndarray]:
    """Mean and equal-tailed interval over the first axis."""
    lo, hi = (1 - ci_prob) / 2, 1 - (1 - ci_prob) / 2
    return {
        "mean": draws.mean(axis=0),
        "lower": np.quantile(draws, lo, axis=0),
        "upper": np.quantile(draws, hi, axis=0),
    }


def harness_table(fit: GapFit, *, ci_prob: float) -> pd.DataFrame:
    """The harness effects: one row per (benchmark, non-reference harness) cell.

    Parameters
    ----------
    fit : GapFit
        A fit with the elicitation terms.
    ci_prob : float
        Probability of the equal-tailed intervals.

    Returns
    -------
    pandas.DataFrame
        ``benchmark, harness, reference, n_versions, n_linked`` (see
        :func:`~irtgap.methods.bayes.elicitation.harness_cells`), and ``mean, lower, upper``
        of the effect :math:`\\chi_c` in capability units (negative: the harness scores lower
        than the reference); with ``open_harness_effects``, ``open_mean, open_lower,
        open_upper`` of the open models' effect :math:`\\chi_c + \\omega_c`. Empty (those
        columns) without cells.
    """
    require_terms(fit, "harness_table")
    arrays = design_arrays(fit.design)
    table = harness_cells(arrays, fit.design.rows).reset_index(drop=True)
    post = fit.posterior
    if not arrays.n_cells or "harness_effect" not in post:
        return table.assign(mean=np.nan, lower=np.nan, upper=np.nan).iloc[:0]
    chi = stack_samples(post["harness_effect"])
    for k, v in _interval(chi, ci_prob).items():
        table[k] = v
    if "open_harness_effect" in post:
        both = chi + stack_samples(post["open_harness_effect"])
        for k, v in _interval(both, ci_prob).items():
            table[f"open_{k}"] = v
    return table


def effort_table(fit: GapFit, *, ci_prob: float) -> pd.DataFrame:
    """The effort levels' shared offsets :math:`\\nu_e` (the pinned level first, at 0).

    Parameters
    ----------
    fit : GapFit
        A fit with the elicitation terms.
    ci_prob : float
        Probability of the equal-tailed intervals.

    Returns
    -------
    pandas.DataFrame
        ``effort, n_variants, mean, lower, upper`` (capability units, relative to the pinned
        level); empty without effort variants.
    """
    require_terms(fit, "effort_table")
    arrays = design_arrays(fit.design)
    cols = [EFFORT, "n_variants", "mean", "lower", "upper"]
    if not arrays.n_variants:
        return pd.DataFrame(columns=cols)
    n_s = fit.posterior.sizes[D.CHAIN] * fit.posterior.sizes[D.DRAW]
    free = (
        stack_samples(fit.posterior["effort_level_mean"])
        if "effort_level_mean" in fit.posterior
        else np.zeros((n_s, 0))
    )
    nu = np.concatenate([np.zeros((n_s, 1)), free], axis=1)
    counts = arrays.variants[EFFORT].value_counts()
    table = pd.DataFrame({EFFORT: list(arrays.levels)})
    table["n_variants"] = table[EFFORT].map(counts).fillna(0).astype(int)
    for k, v in _interval(nu, ci_prob).items():
        table[k] = v
    return table[cols]


def _harness_best(fit: GapFit) -> dict[str, np.ndarray]:
    """Per side: ``(S, benchmarks)`` draws of the best harness's effect on each benchmark."""
    arrays = design_arrays(fit.design)
    benches = pd.Index(fit.design.benchmarks.index)
    n_s = fit.posterior.sizes[D.CHAIN] * fit.posterior.sizes[D.DRAW]
    out = {side: np.zeros((n_s, len(benches))) for side in D.SIDES}
    if not arrays.n_cells or "harness_effect" not in fit.posterior:
        return out
    chi = stack_samples(fit.posterior["harness_effect"])
    omega = (
        stack_samples(fit.posterior["open_harness_effect"])
        if "open_harness_effect" in fit.posterior
        else np.zeros_like(chi)
    )
    cell_bench = arrays.cells[D.BENCHMARK].to_numpy()
    for side in D.SIDES:
        eff = chi + (omega if side == D.OPEN else 0.0)
        means = eff.mean(axis=0)
        for b in np.unique(cell_bench):
            mine = np.flatnonzero(cell_bench == b)
            best = mine[np.argmax(means[mine])]
            if means[best] > 0:
                out[side][:, benches.get_loc(b)] = eff[:, best]
    return out


def _effort_best(fit: GapFit) -> dict[str, np.ndarray]:
    """Per side: ``(S,)`` draws of the mean offset of its variants at its best level."""
    arrays = design_arrays(fit.design)
    n_s = fit.posterior.sizes[D.CHAIN] * fit.posterior.sizes[D.DRAW]
    out = {side: np.zeros(n_s) for side in D.SIDES}
    if not arrays.n_variants or "effort_offset" not in fit.posterior:
        return out
    eps = stack_samples(fit.posterior["effort_offset"])  # (S, variants)
    variants = arrays.variants
    side_of = fit.design.models[D.WEIGHTS].reindex(variants.index).to_numpy()
    for side in D.SIDES:
        best = np.zeros(n_s)
        for level in sorted(set(variants[EFFORT][side_of == side])):
            at = np.flatnonzero((side_of == side) & (variants[EFFORT] == level).to_numpy())
            mean_offset = eps[:, at].mean(axis=1)
            if mean_offset.mean() > best.mean():
                best = mean_offset
        out[side] = best
    return out


def best_shifts(fit: GapFit) -> dict[str, dict[str, np.ndarray]]:
    """Per gap group and side: ``(S,)`` draws of :math:`\\Delta_g(G)` (module docstring).

    Parameters
    ----------
    fit : GapFit
        A fit with the elicitation terms.

    Returns
    -------
    dict
        ``{group: {side: draws}}`` for the groups of :data:`ELICITATION_GROUPS`.
    """
    require_terms(fit, "best_shifts")
    slope = stack_samples(fit.posterior["slope"])  # (S, benchmarks)
    harness, effort = _harness_best(fit), _effort_best(fit)
    cells = design_arrays(fit.design).cells
    benches = pd.Index(fit.design.benchmarks.index)
    members = {
        "capability": np.ones(len(benches), bool),
        "harness_benchmarks": benches.isin(cells[D.BENCHMARK]),
    }
    out: dict[str, dict[str, np.ndarray]] = {}
    for group, mask in members.items():
        w = np.where(mask, slope, 0.0)
        total = w.sum(axis=1, keepdims=True)
        w = np.divide(w, total, out=np.zeros_like(w), where=total > 0)
        out[group] = {side: (w * harness[side]).sum(axis=1) + effort[side] for side in D.SIDES}
    return out


def elicitation_gap_draws(fit: GapFit, dates: pd.DatetimeIndex) -> xr.DataArray:
    """Backward gap draws under the best and the reference elicitation, and their difference.

    Parameters
    ----------
    fit : GapFit
        A fit with the elicitation terms.
    dates : pandas.DatetimeIndex
        Where to read the gap (NaN outside the data's support: the caller warns).

    Returns
    -------
    xarray.DataArray
        ``(chain, draw, rule, group, date)``, rules :data:`RULES`, groups
        :data:`ELICITATION_GROUPS`, in months.
    """
    shifts = best_shifts(fit)
    support = fit.support()
    fine = gap_grid(dates, support, False)
    fr = frontier_values(fit.posterior, fit.design, fit.settings, fine, False)
    n_c, n_d = fr.sizes[D.CHAIN], fr.sizes[D.DRAW]
    f_open = fr.sel({D.WEIGHTS: D.OPEN}).to_numpy()
    f_closed = fr.sel({D.WEIGHTS: D.CLOSED}).to_numpy()
    grid = to_days(fine)
    reference = time_shift_gap(grid, f_open, f_closed, censor=False)
    per_group = []
    for group in ELICITATION_GROUPS:
        up = {s: v.reshape(n_c, n_d, 1) for s, v in shifts[group].items()}
        best = time_shift_gap(grid, f_open + up[D.OPEN], f_closed + up[D.CLOSED], censor=False)
        per_group.append(np.stack([best, reference, reference - best], axis=2))
    da = xr.DataArray(
        np.stack(per_group, axis=3),
        dims=(D.CHAIN, D.DRAW, "rule", D.GROUP, D.DATE),
        coords={
            D.CHAIN: fr[D.CHAIN].to_numpy(),
            D.DRAW: fr[D.DRAW].to_numpy(),
            "rule": list(RULES),
            D.GROUP: list(ELICITATION_GROUPS),
            D.DATE: fine,
        },
        name="gap_months",
    )
    return da.reindex({D.DATE: dates})


def elicitation_gap_table(fit: GapFit, dates: pd.DatetimeIndex, *, ci_prob: float) -> pd.DataFrame:
    """The gap under each rule and their difference, per group and date.

    Parameters
    ----------
    fit : GapFit
        A fit with the elicitation terms.
    dates : pandas.DatetimeIndex
        Where to read the gap.
    ci_prob : float
        Probability of the equal-tailed intervals.

    Returns
    -------
    pandas.DataFrame
        ``group, date``, the medians ``best`` and ``reference`` with their intervals
        (``best_lower`` ...), the difference (reference minus best) ``difference, lower,
        upper``, ``prob_positive`` (the posterior probability that the reference gap is the
        larger) and ``n_defined`` (draws with a defined difference). NaN outside the support.
    """
    draws = elicitation_gap_draws(fit, dates)
    support = fit.support()
    parts: dict[str, pd.DataFrame] = {}
    for rule in RULES:
        parts[rule] = summarize_inside(
            draws.sel(rule=rule, drop=True), support, ci_prob=ci_prob
        ).set_index([D.DATE, D.GROUP])
    diff = draws.sel(rule="difference", drop=True)
    positive = (diff > 0).where(np.isfinite(diff)).mean((D.CHAIN, D.DRAW))
    out = pd.DataFrame(index=parts["difference"].index)
    for rule in ("best", "reference"):
        out[rule] = parts[rule]["median"]
        out[f"{rule}_lower"] = parts[rule]["lower"]
        out[f"{rule}_upper"] = parts[rule]["upper"]
    out["difference"] = parts["difference"]["median"]
    out["lower"] = parts["difference"]["lower"]
    out["upper"] = parts["difference"]["upper"]
    prob = positive.to_series().reorder_levels([D.DATE, D.GROUP])
    out["prob_positive"] = prob.reindex(out.index).to_numpy()
    out.loc[out["difference"].isna(), "prob_positive"] = np.nan
    out["n_defined"] = parts["difference"]["n_defined"]
    out = out.reset_index()
    return out[[D.GROUP, D.DATE, *[c for c in out.columns if c not in (D.GROUP, D.DATE)]]]


def default_dates(fit: GapFit) -> pd.DatetimeIndex:
    """DeepSeek R1's release (:data:`R1_DATE`) and the last release date of the data."""
    return pd.DatetimeIndex([pd.Timestamp(R1_DATE), fit.support()[1]]).unique().sort_values()


__all__ = [
    "ELICITATION_GROUPS",
    "R1_DATE",
    "RULES",
    "best_shifts",
    "default_dates",
    "effort_table",
    "elicitation_gap_draws",
    "elicitation_gap_table",
    "harness_table",
    "require_terms",
]
