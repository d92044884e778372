r"""Elicitation terms of the gap model: harness effects and reasoning-effort offsets.

Kept apart from the graph (:mod:`irtgap.methods.bayes.graph`): :func:`elicitation_term` adds,
inside a PyMC model's context, a term to each row's effective capability (the argument of
:func:`~irtgap.core.measurement.mean_score`, in capability units, before the slope), and
:func:`elicitation_shift` is its numpy twin for the replicator
(:mod:`irtgap.methods.bayes.replicate`). Both read the arrays of :func:`elicitation_arrays`,
computed from the modelled rows' ``harness`` and ``effort`` columns
(:mod:`irtgap.data.elicitation`): every (version, benchmark, harness) row is modelled, not the
best one per pair (:meth:`ScoreData.elicitation_data <irtgap.ScoreData.elicitation_data>`).

Notation as in :mod:`irtgap.methods.bayes.model`: row :math:`i` is the score of version
:math:`m` on benchmark :math:`b`, run under harness :math:`h_i`; :math:`g_m` is the version's
side.

**Harness effects.** On a benchmark :math:`b` whose rows name two or more harnesses, one is the
reference :math:`r_b` (by default the named harness, not ``default``, that scored the most
versions; :func:`irtgap.data.elicitation.reference_harnesses`), fixed at 0, so that the
capability is the one the reference harness shows. Every other (benchmark, harness) cell
:math:`c = (b, h)` gets an effect, partially pooled over the cells of all benchmarks:

.. math::

    \eta_i \mathrel{+}= \alpha_b\,\bigl(\chi_{c(i)}
        + \omega_{c(i)}\,[g_m = \text{open}]\bigr),\qquad
    \chi_c = \mu_\chi + \sigma_\chi z_c,\quad z_c \sim \mathcal N(0, 1),\quad
    \mu_\chi \sim \mathcal N(0, \tau_\mu),\quad \sigma_\chi \sim \mathcal{HN}(\tau_\chi),

:math:`c(i)` the row's cell (no term on a reference row or on a benchmark with one harness).
With ``open_harness=True`` the open models get an effect of their own on each cell,
:math:`\omega_c = \sigma_\omega z^\omega_c`, :math:`z^\omega_c \sim \mathcal N(0, 1)`,
:math:`\sigma_\omega \sim \mathcal{HN}(\tau_\omega)` (a harness that suits the closed models'
tool calls better than the open ones'); without it :math:`\omega = 0`. A cell's effect is
identified by the versions scored on that benchmark under it and under another harness (the
versions' capabilities are pinned by their other rows); :func:`harness_cells` counts them. A
cell no such version links is pinned by its prior and by its versions' other benchmarks only.

**Effort offsets.** Versions whose names differ only in an effort suffix
(:func:`irtgap.data.elicitation.effort_base`; ``o3_low``, ``o3_high``, ``o3``) form an effort
group :math:`G` of one side. They share one capability unit, that of the group's
representative :math:`r(G)` (the version with effort ``default`` if there is one, else the one
with the most rows, ties by name: :func:`with_effort_units` maps the design's units so), and
every other variant :math:`v` of level :math:`e(v)` is offset from it:

.. math::

    \eta_i \mathrel{+}= \alpha_b\,\varepsilon_{v(i)},\qquad
    \varepsilon_v = \nu_{e(v)} - \nu_{e(r(G_v))} + \sigma_\varepsilon z_v,\quad
    z_v \sim \mathcal N(0, 1),\quad \nu_e \sim \mathcal N(0, \tau_\nu)\ (e \ne e_0),\quad
    \nu_{e_0} = 0,\quad \sigma_\varepsilon \sim \mathcal{HN}(\tau_\varepsilon),

:math:`v(i)` the row's version (its first-party version for a hosted copy), :math:`e_0` the
level ``default`` where the groups have it (else their most common level). The level means
:math:`\nu_e` are shared by all groups and not ordered: ``low`` below ``high`` is what the
data may say, not an assumption; the variant parts :math:`\sigma_\varepsilon z_v` let each
group's steps differ from the shared ones. Only contrasts within a group enter, so the pinned
level sets no capability. The hyperprior scales are :class:`ElicitationPriors`.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pymc as pm
import pytensor.tensor as pt

from irtgap.core import dims as D
from irtgap.data.elicitation import (
    DEFAULT,
    EFFORT,
    HARNESS,
    effort_base,
    reference_harnesses,
)

if TYPE_CHECKING:
    from irtgap.methods.bayes.design import Design

#: Dimension of the harness effects: the (benchmark, non-reference harness) cells.
CELL_DIM = "harness_cell"
#: Dimension of the effort offsets: the variants that are not their group's representative.
VARIANT_DIM = "effort_variant"
#: Dimension of the free effort-level means (every level but the pinned one).
LEVEL_DIM = "effort_level"
#: The posterior variables :func:`elicitation_params` reads.
PARAM_NAMES = ("harness_effect", "open_harness_effect", "effort_offset")


@dataclass(frozen=True)
class ElicitationPriors:
    r"""Hyperprior scales of :func:`elicitation_term` (see the module docstring).

    Attributes
    ----------
    harness_mean : float
        :math:`\tau_\mu`, the scale of the typical harness effect (capability units).
    harness_sd : float
        :math:`\tau_\chi`, of their spread over the cells.
    open_harness_sd : float
        :math:`\tau_\omega`, of the open models' own effects.
    effort_level : float
        :math:`\tau_\nu`, of the effort levels' means.
    effort_sd : float
        :math:`\tau_\varepsilon`, of the variants' own parts.
    open_harness : bool
        Whether open models get effects of their own on each cell (:math:`\omega`).
    """

    harness_mean: float = 0.5
    harness_sd: float = 0.5
    open_harness_sd: float = 0.5
    effort_level: float = 0.5
    effort_sd: float = 0.3
    open_harness: bool = False

    def __post_init__(self) -> None:
        for name in ("harness_mean", "harness_sd", "open_harness_sd", "effort_level", "effort_sd"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
                raise ValueError(f"{name}={value!r}: give a scale > 0")
        if not isinstance(self.open_harness, bool):
            raise ValueError(f"open_harness={self.open_harness!r}: give True or False")


@dataclass(frozen=True)
class ElicitationArrays:
    """The arrays of the elicitation terms, per modelled row (in the order of the rows given
    to :func:`elicitation_arrays`).

    Attributes
    ----------
    cell : numpy.ndarray
        Per row: position of its (benchmark, harness) cell in :attr:`cells`, -1 for a
        reference row or a benchmark with one harness.
    open : numpy.ndarray
        Per row: scored by an open model.
    variant : numpy.ndarray
        Per row: position of its version in :attr:`variants`, -1 for a representative or a
        version outside effort groups.
    variant_level, representative_level : numpy.ndarray
        Per variant: position of its level and of its representative's level in
        :attr:`levels` (position 0 is the pinned level).
    cells : pandas.DataFrame
        One row per cell: ``benchmark, harness``, and ``reference`` (the benchmark's).
    variants : pandas.DataFrame
        Indexed by variant: ``effort``, ``representative``, ``representative_effort``.
    levels : tuple of str
        The effort levels, the pinned one first.
    unit : pandas.Series
        Per version (first-party or hosted) of the rows: the version whose capability it
        uses (its group's representative; itself outside groups).
    """

    cell: np.ndarray
    open: np.ndarray
    variant: np.ndarray
    variant_level: np.ndarray
    representative_level: np.ndarray
    cells: pd.DataFrame
    variants: pd.DataFrame
    levels: tuple[str, ...]
    unit: pd.Series

    @property
    def n_cells(self) -> int:
        """Harness cells with an effect."""
        return len(self.cells)

    @property
    def n_variants(self) -> int:
        """Effort variants with an offset."""
        return len(self.variants)


def _column(rows: pd.DataFrame, name: str) -> pd.Series:
    """A label column of the rows (all ``default`` if absent), as text."""
    if name not in rows.columns:
        return pd.Series(DEFAULT, index=rows.index, dtype=object)
    return rows[name].astype(object).where(rows[name].notna(), DEFAULT).astype(str)


def _harness_cells(
    rows: pd.DataFrame, reference: Mapping[str, str] | None
) -> tuple[np.ndarray, pd.DataFrame]:
    """Per row its cell (-1: none), and the cells with their benchmark's reference."""
    harness = _column(rows, HARNESS)
    frame = pd.DataFrame({D.MODEL: rows[D.MODEL], D.BENCHMARK: rows[D.BENCHMARK], HARNESS: harness})
    refs = reference_harnesses(frame)
    if reference is not None:
        unknown = sorted(set(reference) - set(refs))
        bad = {
            b: h
            for b, h in reference.items()
            if b in refs and h not in set(frame.loc[frame[D.BENCHMARK] == b, HARNESS])
        }
        if unknown or bad:
            raise ValueError(
                f"reference={dict(reference)!r}: benchmark(s) {unknown} have no two harnesses "
                f"among the rows; {bad} name harnesses their benchmark lacks"
            )
        refs.update(reference)
    ref_of_row = frame[D.BENCHMARK].map(refs)
    effect = ref_of_row.notna() & (frame[HARNESS] != ref_of_row)
    cells = (
        frame.loc[effect, [D.BENCHMARK, HARNESS]]
        .drop_duplicates()
        .sort_values([D.BENCHMARK, HARNESS])
        .reset_index(drop=True)
    )
    cells["reference"] = cells[D.BENCHMARK].map(refs)
    key = pd.MultiIndex.from_frame(cells[[D.BENCHMARK, HARNESS]])
    pos = key.get_indexer(pd.MultiIndex.from_frame(frame[[D.BENCHMARK, HARNESS]]))
    return np.where(effect.to_numpy(), pos, -1).astype(np.int64), cells


def _effort_groups(
    versions: pd.DataFrame, rows_per_version: pd.Series
) -> tuple[pd.Series, pd.DataFrame]:
    """Per version its unit (the group's representative), and the non-representative
    variants with their levels."""
    v = versions.copy()
    v["base"] = [effort_base(m, e) for m, e in zip(v.index, v[EFFORT], strict=True)]
    v["n_rows"] = rows_per_version.reindex(v.index).fillna(0).to_numpy()
    unit = pd.Series(v.index, index=v.index, dtype=object)
    variants = []
    for base, grp in v.groupby("base", sort=True):
        if len(grp) < 2 or (grp[EFFORT] == DEFAULT).all():
            continue
        if grp[D.WEIGHTS].nunique() > 1:
            warnings.warn(
                f"effort group {base!r} mixes open and closed versions "
                f"({', '.join(grp.index)}): its versions keep capabilities of their own",
                UserWarning,
                stacklevel=4,
            )
            continue
        order = grp.assign(is_default=grp[EFFORT] == DEFAULT, name=grp.index)
        order = order.sort_values(["is_default", "n_rows", "name"], ascending=[False, False, True])
        rep = str(order.index[0])
        unit[grp.index] = rep
        for name in order.index[1:]:
            variants.append(
                {
                    "variant": str(name),
                    EFFORT: str(grp.at[name, EFFORT]),
                    "representative": rep,
                    "representative_effort": str(grp.at[rep, EFFORT]),
                }
            )
    cols = [EFFORT, "representative", "representative_effort"]
    table = pd.DataFrame(variants, columns=["variant", *cols]).set_index("variant")
    return unit, table


def _levels(variants: pd.DataFrame) -> tuple[str, ...]:
    """The effort levels of the variants and their representatives, the pinned one first."""
    used = pd.concat([variants[EFFORT], variants["representative_effort"]])
    if used.empty:
        return ()
    counts = used.value_counts()
    pinned = DEFAULT if DEFAULT in counts.index else str(counts.sort_index().idxmax())
    return (pinned, *sorted(set(map(str, counts.index)) - {pinned}))


def elicitation_arrays(
    design_rows: pd.DataFrame,
    models: pd.DataFrame | pd.Series | None = None,
    *,
    reference: Mapping[str, str] | None = None,
) -> ElicitationArrays:
    """The arrays of :func:`elicitation_term` and :func:`elicitation_shift` for some rows.

    Parameters
    ----------
    design_rows : pandas.DataFrame
        The modelled rows (``Design.rows``): ``model, benchmark, weights`` and the ``harness``
        and ``effort`` columns of :mod:`irtgap.data.elicitation` (a missing one is taken as
        ``default`` everywhere: no term of that kind).
    models : pandas.DataFrame or pandas.Series, optional
        ``Design.models`` (or its ``base`` column): per version, the first-party version a
        hosted copy serves, so that a hosted copy of a variant takes its variant's offset
        (after :func:`with_effort_units`, its ``first_party_base`` column keeps that map).
        None: every version is its own.
    reference : mapping of str to str, optional
        Reference harness per benchmark, over the default (the named harness that scored the
        most versions).

    Returns
    -------
    ElicitationArrays

    Raises
    ------
    ValueError
        A ``reference`` benchmark without two harnesses among the rows, or a harness it lacks.
    """
    rows = design_rows
    cell, cells = _harness_cells(rows, reference)
    own = rows[D.MODEL].astype(str)
    base = _first_party_base(models)
    if base is not None:
        own = own.map(base).fillna(own)
    effort = _column(rows, EFFORT)
    versions = (
        pd.DataFrame({D.MODEL: own, EFFORT: effort, D.WEIGHTS: rows[D.WEIGHTS].astype(str)})
        .drop_duplicates(D.MODEL)
        .set_index(D.MODEL)
    )
    unit, variants = _effort_groups(versions, own.value_counts())
    levels = _levels(variants)
    lpos = pd.Index(levels)
    vpos = pd.Index(variants.index)
    return ElicitationArrays(
        cell=cell,
        open=(rows[D.WEIGHTS] == D.OPEN).to_numpy(dtype=bool),
        variant=vpos.get_indexer(own).astype(np.int64),
        variant_level=lpos.get_indexer(variants[EFFORT]).astype(np.int64),
        representative_level=lpos.get_indexer(variants["representative_effort"]).astype(np.int64),
        cells=cells,
        variants=variants,
        levels=levels,
        unit=unit,
    )


def _first_party_base(models: pd.DataFrame | pd.Series | None) -> pd.Series | None:
    """Per version, the first-party version it serves (itself for a first-party one)."""
    if models is None:
        return None
    if isinstance(models, pd.Series):
        return models.astype(str)
    col = "first_party_base" if "first_party_base" in models.columns else "base"
    return models[col].astype(str)


def design_arrays(
    design: Design, *, reference: Mapping[str, str] | None = None
) -> ElicitationArrays:
    """:func:`elicitation_arrays` of a design's rows and models (before or after
    :func:`with_effort_units`: the same arrays).

    Parameters
    ----------
    design : Design
        The design; its rows carry ``harness`` and ``effort``.
    reference : mapping of str to str, optional
        Reference harness per benchmark (see :func:`elicitation_arrays`).

    Returns
    -------
    ElicitationArrays
    """
    return elicitation_arrays(design.rows, design.models, reference=reference)


def with_effort_units(design: Design, arrays: ElicitationArrays | None = None) -> Design:
    """``design`` with each effort variant's capability unit its group's representative.

    ``Design.models["base"]`` (a hosted copy's first-party version) is composed with the
    representatives of :attr:`ElicitationArrays.unit`, so the graph's capability units
    (:func:`irtgap.methods.bayes.graph.build_model`) and the replicator's rows
    (:func:`irtgap.methods.bayes.replicate.row_arrays`) follow; the hosted map is kept as
    ``models["first_party_base"]``. Applying it twice changes nothing more.

    Parameters
    ----------
    design : Design
        The design (its rows with ``harness`` and ``effort``).
    arrays : ElicitationArrays, optional
        :func:`design_arrays` of ``design`` (computed when None).

    Returns
    -------
    Design
        A new design; ``design`` is not modified.
    """
    arrays = design_arrays(design) if arrays is None else arrays
    models = design.models.copy()
    first = _first_party_base(models)
    assert first is not None
    models["first_party_base"] = first
    models["base"] = first.map(arrays.unit.astype(str)).fillna(first)
    return replace(design, models=models)


def harness_cells(arrays: ElicitationArrays, design_rows: pd.DataFrame) -> pd.DataFrame:
    """The harness cells with what identifies their effects.

    Parameters
    ----------
    arrays : ElicitationArrays
        :func:`elicitation_arrays` of ``design_rows``.
    design_rows : pandas.DataFrame
        The same rows.

    Returns
    -------
    pandas.DataFrame
        One row per cell: ``benchmark, harness, reference``, ``n_versions`` (scored under it)
        and ``n_linked`` (of those, scored on the benchmark under another harness too).
    """
    rows = design_rows.assign(_cell=arrays.cell, _h=_column(design_rows, HARNESS))
    n_harness = rows.groupby([D.BENCHMARK, D.MODEL])["_h"].transform("nunique")
    on = rows[rows["_cell"] >= 0].assign(_linked=n_harness > 1)
    out = arrays.cells.copy()
    per_cell = on.groupby("_cell")[D.MODEL].nunique()
    linked = on[on["_linked"]].groupby("_cell")[D.MODEL].nunique()
    out["n_versions"] = per_cell.reindex(out.index).fillna(0).astype(int).to_numpy()
    out["n_linked"] = linked.reindex(out.index).fillna(0).astype(int).to_numpy()
    return out


def elicitation_term(
    arrays: ElicitationArrays,
    priors: ElicitationPriors | None = None,
    *,
    order: np.ndarray | None = None,
) -> Any:
    """The elicitation terms on each row's effective capability (call inside a PyMC model's
    context; see the module docstring).

    Adds the coordinates ``harness_cell``, ``effort_variant`` and ``effort_level`` to the model
    and the variables ``harness_mean``, ``harness_sd``, ``harness_std`` and ``harness_effect``
    (with ``open_harness``: ``open_harness_sd``, ``open_harness_std``,
    ``open_harness_effect``), ``effort_level_mean``, ``effort_sd``, ``effort_std`` and
    ``effort_offset``; only those the rows need (no cells: no harness variables).

    Parameters
    ----------
    arrays : ElicitationArrays
        :func:`elicitation_arrays` of the modelled rows.
    priors : ElicitationPriors, optional
        Hyperprior scales (default: :class:`ElicitationPriors`'s).
    order : numpy.ndarray, optional
        Positions of the rows in the order the model reads them (the graph's
        ``_Rows.order``); None: as given.

    Returns
    -------
    pytensor tensor or float
        Per row (in ``order``), capability units to add before the slope; 0.0 when the rows
        need no term.
    """
    priors = priors or ElicitationPriors()
    idx = np.arange(len(arrays.cell)) if order is None else np.asarray(order)
    model = pm.modelcontext(None)
    total: Any = 0.0
    if arrays.n_cells:
        model.add_coord(
            CELL_DIM, [f"{b} | {h}" for b, h in arrays.cells[[D.BENCHMARK, HARNESS]].values]
        )
        mu = pm.Normal("harness_mean", 0.0, priors.harness_mean)
        sd = pm.HalfNormal("harness_sd", priors.harness_sd)
        z = pm.Normal("harness_std", 0.0, 1.0, dims=CELL_DIM)
        chi = pm.Deterministic("harness_effect", mu + sd * z, dims=CELL_DIM)
        cell = arrays.cell[idx]
        on = cell >= 0
        padded = pt.concatenate([pt.zeros(1), chi])
        total = total + padded[cell + 1]
        if priors.open_harness:
            sd_o = pm.HalfNormal("open_harness_sd", priors.open_harness_sd)
            z_o = pm.Normal("open_harness_std", 0.0, 1.0, dims=CELL_DIM)
            omega = pm.Deterministic("open_harness_effect", sd_o * z_o, dims=CELL_DIM)
            total = total + pt.concatenate([pt.zeros(1), omega])[cell + 1] * (on & arrays.open[idx])
    if arrays.n_variants:
        model.add_coord(VARIANT_DIM, list(arrays.variants.index))
        model.add_coord(LEVEL_DIM, list(arrays.levels[1:]))
        free = pm.Normal("effort_level_mean", 0.0, priors.effort_level, dims=LEVEL_DIM)
        nu = pt.concatenate([pt.zeros(1), free]) if len(arrays.levels) > 1 else pt.zeros(1)
        sd_e = pm.HalfNormal("effort_sd", priors.effort_sd)
        z_e = pm.Normal("effort_std", 0.0, 1.0, dims=VARIANT_DIM)
        eps = pm.Deterministic(
            "effort_offset",
            nu[arrays.variant_level] - nu[arrays.representative_level] + sd_e * z_e,
            dims=VARIANT_DIM,
        )
        total = total + pt.concatenate([pt.zeros(1), eps])[arrays.variant[idx] + 1]
    return total


# ----------------------------------------------------------------------------- numpy twins
def elicitation_params(stacked: Any) -> dict[str, np.ndarray]:
    """The elicitation variables of a stacked posterior (``sample`` first), for
    :func:`elicitation_shift`: ``harness_effect``, ``open_harness_effect``, ``effort_offset``
    (each ``(S, n)``; absent variables are left out).

    Parameters
    ----------
    stacked : xarray.Dataset
        The posterior with one ``sample`` dimension
        (:func:`irtgap.methods.bayes.replicate.stacked_posterior`).

    Returns
    -------
    dict of str to numpy.ndarray
    """
    return {
        name: stacked[name].transpose("sample", ...).to_numpy()
        for name in PARAM_NAMES
        if name in stacked
    }


def elicitation_shift(params: Mapping[str, np.ndarray], arrays: ElicitationArrays) -> np.ndarray:
    """The numpy twin of :func:`elicitation_term`: per row (in the order of the rows of
    ``arrays``), the capability units the terms add, at the given parameters.

    Parameters
    ----------
    params : mapping
        ``harness_effect``, ``open_harness_effect``, ``effort_offset``, each of shape
        ``(n,)`` or ``(S, n)`` (a missing one contributes nothing).
    arrays : ElicitationArrays
        The rows' arrays.

    Returns
    -------
    numpy.ndarray
        ``(rows,)``, or ``(S, rows)`` with a sample axis: add it to the effective capability
        in :func:`irtgap.methods.bayes.replicate.mean_fraction`.
    """
    return row_shift(params, arrays.cell, arrays.open, arrays.variant)


def row_shift(
    params: Mapping[str, np.ndarray], cell: np.ndarray, is_open: np.ndarray, variant: np.ndarray
) -> np.ndarray:
    """:func:`elicitation_shift` from the per-row arrays alone (the replicator's row arrays
    carry them: :func:`irtgap.methods.bayes.replicate.row_arrays`).

    Parameters
    ----------
    params : mapping
        As for :func:`elicitation_shift`.
    cell, is_open, variant : numpy.ndarray
        Per row: :attr:`ElicitationArrays.cell`, :attr:`~ElicitationArrays.open` and
        :attr:`~ElicitationArrays.variant` (-1: no term).

    Returns
    -------
    numpy.ndarray
        ``(rows,)``, or ``(S, rows)`` with a sample axis.
    """
    shift: np.ndarray = np.zeros(len(cell))
    on = cell >= 0
    for name, pos, mask in (
        ("harness_effect", cell, on),
        ("open_harness_effect", cell, on & is_open),
        ("effort_offset", variant, variant >= 0),
    ):
        values = np.asarray(params.get(name, np.zeros(0)))
        if values.shape[-1] == 0 or not mask.any():
            continue
        shift = shift + np.where(mask, values[..., np.maximum(pos, 0)], 0.0)
    return shift


__all__ = [
    "CELL_DIM",
    "LEVEL_DIM",
    "PARAM_NAMES",
    "VARIANT_DIM",
    "ElicitationArrays",
    "ElicitationPriors",
    "design_arrays",
    "elicitation_arrays",
    "elicitation_params",
    "elicitation_shift",
    "elicitation_term",
    "harness_cells",
    "row_shift",
    "with_effort_units",
]
