r"""Arrays the Bayesian gap model is built from: indices, knots, providers, floors and ceilings.

:func:`make_design` is a pure function of a :class:`~irtgap.ScoreData` and a few settings; it
decides which rows enter the model (and says why others do not), maps each third-party-hosted
version to the first-party version it serves, and lays out the time knots of the frontier.

Scores are modelled as fractions of their benchmark's ceiling :math:`\kappa_b`: the modelled score
is :math:`y_i / \kappa_b` (:attr:`Design.scaled_scores`) with floor :math:`c_b / \kappa_b`
(:attr:`Design.floor`), so a score at the ceiling is a score at the top of the scale (censored),
whatever the ceiling. The model, the replicator of :mod:`irtgap.analyses.winners_curse` and the
simulator of :mod:`irtgap.data.simulate` all use these two arrays.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from functools import cached_property
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd

from irtgap.core import dims as D
from irtgap.core.dates import check_date, check_dates
from irtgap.core.errors import DroppedRowsWarning, ScoreDataError
from irtgap.core.gaps import to_days
from irtgap.core.measurement import CENSOR as CENSOR
from irtgap.core.measurement import resolution_limits
from irtgap.data.elicitation import effort_base, is_reasoning, parse_effort
from irtgap.data.scoredata import ScoreData

DAYS_PER_YEAR = 365.25
KNOT_DIM = "knot"
PROVIDER_DIM = "provider"


@dataclass(frozen=True)
class Design:
    """Everything :func:`irtgap.methods.bayes.model.build_model` needs, as plain arrays and tables.

    ``rows`` is the score table actually modelled (with ``access`` joined); ``models`` has one row
    per modelled version with its capability unit (``base``: the first-party version it serves);
    ``t_models`` are release times in years since ``origin``; ``knots`` the frontier knot times in
    years; ``dropped`` says what was left out and why; ``unknown_access`` names the modelled
    benchmarks whose access is unknown (they are modelled as private: no open advantage).
    """

    #: The modelled score table, one row per score, with ``access`` joined.
    rows: pd.DataFrame
    #: One row per modelled version, with its capability unit ``base``.
    models: pd.DataFrame
    #: Metadata of the modelled benchmarks (sorted by name; the order of every per-benchmark array).
    benchmarks: pd.DataFrame
    #: The third-party hosts among the modelled rows (the order of the provider penalties).
    providers: list[str]
    #: The time origin (``reference_date``): times are in years since it.
    origin: pd.Timestamp
    #: Frontier knot times in years since :attr:`origin`.
    knots: np.ndarray
    #: The knots as dates.
    knot_dates: pd.DatetimeIndex
    #: What was left out and why (counts by reason).
    dropped: dict[str, int]
    #: The benchmark with difficulty 0 and slope 1.
    anchor_benchmark: str
    #: Modelled benchmarks whose access is unknown (modelled as private).
    unknown_access: tuple[str, ...] = ()

    # scores on the modelled scale
    @property
    def ceiling(self) -> np.ndarray:
        r"""Per benchmark (in :attr:`benchmarks` order): the ceiling :math:`\kappa_b`."""
        return self.benchmarks["ceiling"].to_numpy(float)

    @property
    def floor(self) -> np.ndarray:
        r"""Per benchmark: the random-guess floor as a fraction of the ceiling,
        :math:`c_b / \kappa_b`."""
        return self.benchmarks["random_baseline"].to_numpy(float) / self.ceiling

    @property
    def scaled_scores(self) -> np.ndarray:
        r"""Per row: the score as a fraction of its benchmark's ceiling, :math:`y_i / \kappa_b`
        (in [0, 1]; at or above one minus its :attr:`resolution` it is censored at the top)."""
        return self.rows[D.SCORE].to_numpy(float) / self.ceiling[self.benchmark_idx]

    @property
    def resolution(self) -> np.ndarray:
        r"""Per benchmark: the resolution limit :math:`\epsilon_b` of its scores, as a fraction
        of the ceiling: half an item, :math:`1/(2 n_b)`, where the metadata give the item count
        ``n_items`` (a score of :math:`n_b/n_b` says only that the true share is above
        :math:`1 - 1/(2n_b)`), never finer than :data:`CENSOR`; :data:`CENSOR` elsewhere."""
        return resolution_limits(self.benchmarks)

    @property
    def row_resolution(self) -> np.ndarray:
        """Per row: its benchmark's :attr:`resolution`."""
        return self.resolution[self.benchmark_idx]

    @property
    def measurement_items(self) -> np.ndarray:
        r"""Per benchmark: the item count :math:`m_b` of its measurement noise, the binomial
        count whose noise matches the export's standard errors (metadata ``stderr_items``,
        :func:`irtgap.data.registry.stderr_items`) or else the declared ``n_items``; NaN where
        neither is known (the benchmark's measurement noise is unknown)."""
        meta = self.benchmarks
        out = np.full(len(meta), np.nan)
        for col in ("n_items", "stderr_items"):  # the export's errors win over a count
            if col in meta.columns:
                v = pd.to_numeric(meta[col], errors="coerce").to_numpy(float)
                bad = (~np.isfinite(v) & meta[col].notna().to_numpy()) | (v <= 0)
                if bad.any():
                    raise ValueError(
                        f"benchmark metadata column {col!r}: benchmark(s) "
                        f"{list(meta.index[bad])} have {list(meta[col][bad])}, not a positive "
                        "number of items; leave it blank where the measurement noise is unknown"
                    )
                out = np.where(np.isfinite(v), v, out)
        return out

    @property
    def row_measurement_var(self) -> np.ndarray:
        r"""Per row: the variance of its measurement noise on the log-odds scale,
        :math:`s_i^2 = 1 / (m_b\, \tilde y_i (1 - \tilde y_i))` (the binomial variance of a
        share of :math:`m_b` = :attr:`measurement_items` items, by the delta method), with
        :math:`\tilde y_i` the score as a fraction of the ceiling clipped to the resolution
        limits; 0 on benchmarks whose measurement noise is unknown (:attr:`measured_rows`)."""
        m = self.measurement_items[self.benchmark_idx]
        eps = self.row_resolution
        y = np.clip(self.scaled_scores, eps, 1 - eps)
        with np.errstate(invalid="ignore"):
            var = 1.0 / (m * y * (1 - y))
        return np.where(np.isfinite(m), var, 0.0)

    @property
    def measured_rows(self) -> np.ndarray:
        """Per row: its benchmark's measurement noise is known (:attr:`measurement_items`)."""
        return np.isfinite(self.measurement_items[self.benchmark_idx])

    @property
    def low_censored(self) -> np.ndarray:
        """Per row: the score is at or below its resolution limit (censored at the bottom)."""
        return self.scaled_scores <= self.row_resolution

    @property
    def high_censored(self) -> np.ndarray:
        """Per row: the score is at or above one minus its resolution limit (censored at the
        top)."""
        return self.scaled_scores >= 1 - self.row_resolution

    @property
    def open_public(self) -> np.ndarray:
        """Per row: an open model on a public benchmark (where the open advantage applies)."""
        is_open = (self.rows[D.WEIGHTS] == D.OPEN).to_numpy(dtype=bool, na_value=False)
        public = (self.rows[D.ACCESS] == "public").to_numpy(dtype=bool, na_value=False)
        return is_open & public

    @property
    def public_trend_centre(self) -> float:
        r"""Mean release time (years since :attr:`origin`) of the open models' rows on public
        benchmarks: the time at which a trending open advantage equals :math:`\gamma` (0 when
        there are no such rows)."""
        t = self.t_models[self.model_idx][self.open_public]
        return float(t.mean()) if len(t) else 0.0

    @property
    def public_time(self) -> np.ndarray:
        """Per row: release time minus :attr:`public_trend_centre` (years) on an open model's
        public-benchmark row, 0 elsewhere (the rows a trending open advantage moves)."""
        t = self.t_models[self.model_idx] - self.public_trend_centre
        return np.where(self.open_public, t, 0.0)

    @property
    def open_trend_centre(self) -> float:
        """Mean release time (years since :attr:`origin`) of the open models' rows: the time at
        which a trending open offset equals its constant part (0 without open rows)."""
        t = self.t_models[self.model_idx][self.open_rows]
        return float(t.mean()) if len(t) else 0.0

    @property
    def open_time(self) -> np.ndarray:
        """Per row: release time minus :attr:`open_trend_centre` (years) on an open model's
        row, 0 elsewhere (the rows a trending open offset moves)."""
        t = self.t_models[self.model_idx] - self.open_trend_centre
        return np.where(self.open_rows, t, 0.0)

    @property
    def domains(self) -> pd.Index:
        """The modelled benchmarks' domains (sorted; ``"unknown"`` where the metadata have
        none): the order of the per-domain arrays."""
        return pd.Index(sorted(self.benchmark_domain.unique()), name=D.DOMAIN)

    @property
    def benchmark_domain(self) -> pd.Series:
        """Per benchmark (in :attr:`benchmarks` order): its domain (``"unknown"`` if none)."""
        col = self.benchmarks.get(D.DOMAIN)
        if col is None:
            return pd.Series("unknown", index=self.benchmarks.index, name=D.DOMAIN)
        return col.astype(object).where(col.notna(), "unknown").astype(str).rename(D.DOMAIN)

    @property
    def domain_idx(self) -> np.ndarray:
        """Per benchmark: position of its domain in :attr:`domains`."""
        return self.domains.get_indexer(self.benchmark_domain).astype(np.int64)

    @property
    def is_public(self) -> np.ndarray:
        """Per benchmark: public access (unknown access is modelled as private)."""
        return (self.benchmarks[D.ACCESS] == "public").to_numpy(dtype=bool, na_value=False)

    @property
    def private_rows(self) -> np.ndarray:
        """Per row: a benchmark that is not public (private or of unknown access, as
        :attr:`is_public` models them), where a private-benchmark effect applies."""
        return ~self.is_public[self.benchmark_idx]

    @property
    def open_rows(self) -> np.ndarray:
        """Per row: scored by an open model."""
        return (self.rows[D.WEIGHTS] == D.OPEN).to_numpy(dtype=bool, na_value=False)

    @property
    def reasoning_rows(self) -> np.ndarray:
        """Per row: scored by a model version that reasons before answering
        (:func:`irtgap.data.elicitation.is_reasoning` of its name), as 0.0 or 1.0."""
        names = self.rows[D.MODEL].astype(str)
        flags = {v: is_reasoning(v) for v in names.unique()}
        return names.map(flags).to_numpy(dtype=float)

    @cached_property
    def model_family(self) -> pd.Series:
        """Per modelled version: its model family, the key its interactions share (see
        :attr:`interaction_cells`): the name of the first-party version it serves (``base``),
        without an effort suffix (:func:`irtgap.data.elicitation.effort_base`) or a provider
        prefix, in lower case, so a hosted copy and the effort variants of one model are one
        family.

        Returns
        -------
        pandas.Series
            Family names, indexed by version (computed once per design).
        """
        base = self.models["base"].astype(str)
        keys = {
            v: effort_base(v, parse_effort(v)).rsplit("/", 1)[-1].lower() for v in base.unique()
        }
        return base.map(keys).rename("family")

    @cached_property
    def interaction_cells(self) -> tuple[np.ndarray, pd.Index]:
        """Per row: its (model family, benchmark) cell (:attr:`model_family`).

        Returns
        -------
        tuple of numpy.ndarray and pandas.Index
            Each row's cell as a position among the cells, and the cells' labels
            ``"family | benchmark"`` in order of first appearance (computed once per design).
        """
        family = self.model_family.reindex(self.rows[D.MODEL]).to_numpy()
        labels = (
            pd.Series(family, dtype=str) + " | " + self.rows[D.BENCHMARK].astype(str).to_numpy()
        )
        codes, uniques = pd.factorize(labels.to_numpy())
        return codes.astype(np.int64), pd.Index(uniques, name="cell")

    # integer indices per row
    @property
    def model_idx(self) -> np.ndarray:
        """Per row: position of its model in :attr:`models`."""
        return pd.Index(self.models.index).get_indexer(self.rows[D.MODEL]).astype(np.int64)

    @property
    def benchmark_idx(self) -> np.ndarray:
        """Per row: position of its benchmark in :attr:`benchmarks`."""
        return pd.Index(self.benchmarks.index).get_indexer(self.rows[D.BENCHMARK]).astype(np.int64)

    @property
    def base_idx(self) -> np.ndarray:
        """Per model: position of its capability unit (itself, or the first-party version)."""
        return pd.Index(self.models.index).get_indexer(self.models["base"]).astype(np.int64)

    @property
    def side_idx(self) -> np.ndarray:
        """Per model: 0 closed, 1 open."""
        return (self.models[D.WEIGHTS] == D.OPEN).to_numpy().astype(np.int64)

    @property
    def t_models(self) -> np.ndarray:
        """Per model: release time in years since :attr:`origin`."""
        return years_since(self.models[D.DATE], self.origin)

    def knot_position(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Left knot index and interpolation weight for times ``t`` (clamped to the knot range)."""
        t = np.clip(np.asarray(t, float), self.knots[0], self.knots[-1])
        k = np.clip(np.searchsorted(self.knots, t, side="right") - 1, 0, len(self.knots) - 2)
        w = (t - self.knots[k]) / (self.knots[k + 1] - self.knots[k])
        return k.astype(np.int64), w

    @property
    def provider_idx(self) -> np.ndarray:
        """Per row: -1 first-party, else the position in :attr:`providers`."""
        prov = self.rows[D.PROVIDER].to_numpy()
        out = np.full(len(prov), -1, dtype=np.int64)
        for i, p in enumerate(self.providers):
            out[prov == p] = i
        return out


def saturating_benchmarks(design: Design, threshold: float) -> np.ndarray:
    """Per benchmark (in ``design.benchmarks`` order): whether its best modelled score reaches
    ``threshold`` of its ceiling (the benchmarks that get a lapse rate; ``GapModel``'s
    ``lapse_threshold``; 0: every benchmark)."""
    best = np.zeros(len(design.benchmarks))
    np.maximum.at(best, design.benchmark_idx, design.scaled_scores)
    return np.asarray(best >= threshold)


def frontier_reference(design: Design) -> np.ndarray:
    r"""Weights :math:`W` (benchmarks x the two sides' knots, flattened side by side, closed
    first) such that :math:`r = W\,\mathrm{vec}(F)` is, per benchmark, the mean over its scores
    of the scored model's side frontier at the model's release date: the capability level at
    which the benchmark was used. Rows are non-negative and sum to 1, except the anchor
    benchmark's, which is 0 (its difficulty is fixed at 0, not sampled relative to anything).

    The model samples each difficulty relative to it, :math:`D_b = r_b + d_b` (the same prior;
    see :func:`irtgap.methods.bayes.graph.build_model`).
    """
    n_knots = len(design.knot_dates)
    k, w = design.knot_position(design.t_models[design.model_idx])
    col = design.side_idx[design.model_idx] * n_knots + k
    out = np.zeros((len(design.benchmarks), 2 * n_knots))
    np.add.at(out, (design.benchmark_idx, col), 1 - w)
    np.add.at(out, (design.benchmark_idx, col + 1), w)
    out /= out.sum(axis=1, keepdims=True)
    out[np.asarray(design.benchmarks.index == design.anchor_benchmark)] = 0.0
    return out


def years_since(dates: pd.Series | pd.DatetimeIndex, origin: pd.Timestamp) -> np.ndarray:
    """Time from ``origin`` to each of ``dates`` in years (negative before it)."""
    return (to_days(pd.DatetimeIndex(dates)) - to_days([origin])[0]) / DAYS_PER_YEAR


_HOST_PREFIX = re.compile(r"^(?:[A-Za-z0-9_.]+/|[a-z]+-)(?P<rest>.+)$")


def match_hosted_versions(models: pd.DataFrame) -> pd.Series:
    """Map each third-party-hosted version to the first-party version it serves.

    A version served by a host (``provider`` not ``first-party``) is matched, within its model
    group, to the first-party version whose id equals the hosted id without its host prefix
    (``chutes/QwQ-32B`` -> ``QwQ-32B``; ``parasail-qwen3-...`` -> ``Qwen3-...``), ignoring case
    (an exact-case match wins). Unmatched hosted versions stand for themselves.
    """
    base = pd.Series(models.index, index=models.index, name="base")
    first = models[models[D.PROVIDER] == D.FIRST_PARTY]
    by_group: dict[str, list[str]] = {}
    for name, grp in zip(first.index, first[D.MODEL_GROUP], strict=True):
        by_group.setdefault(str(grp), []).append(str(name))
    for name, row in models[models[D.PROVIDER] != D.FIRST_PARTY].iterrows():
        m = _HOST_PREFIX.match(str(name))
        if not m:
            continue
        rest = m.group("rest")
        cands = by_group.get(str(row[D.MODEL_GROUP]), [])
        exact = [c for c in cands if c == rest]
        loose = [c for c in cands if c.lower() == rest.lower()]
        if exact or loose:
            base[name] = (exact or loose)[0]
    return base


def _not_a_number(name: str, value: Any) -> None:
    # pd.Timestamp(2022) is 2022 nanoseconds after 1970: a number is never taken as a date
    if isinstance(value, bool | np.bool_) or (
        isinstance(value, Real) and not isinstance(value, np.datetime64)
    ):
        raise ValueError(
            f"{name}={value!r} is a number, not a date: give a date such as '2024-01-01'"
        )


def check_date_option(name: str, value: Any, *, allow_none: bool = False) -> pd.Timestamp | None:
    """``value`` as a time-zone-naive Timestamp (aware ones in UTC), or a ValueError naming the
    option ``name`` (:func:`irtgap.core.dates.check_date`, which refuses numbers here too).

    Parameters
    ----------
    name : str
        The option's name, for the message.
    value : object
        The date given.
    allow_none : bool
        Whether None is accepted (and returned).

    Returns
    -------
    pandas.Timestamp or None
    """
    if value is None:
        if allow_none:
            return None
        raise ValueError(f"{name}=None: give a date such as '2024-01-01'")
    _not_a_number(name, value)
    return check_date(name, value)


def check_dates_option(value: Any, name: str = "dates") -> pd.DatetimeIndex:
    """One date or a sequence of dates as a sorted, duplicate-free, time-zone-naive
    DatetimeIndex (:func:`irtgap.core.dates.check_dates`, which refuses numbers here too); a
    ValueError names the option ``name`` and the value that is not a date.

    Parameters
    ----------
    value : date-like or sequence of date-like
        The dates given.
    name : str
        The option's name, for the message.

    Returns
    -------
    pandas.DatetimeIndex
    """
    if not isinstance(value, pd.DatetimeIndex):
        for v in [value] if isinstance(value, str) or np.ndim(value) == 0 else list(value):
            _not_a_number(name, v)
    return check_dates(name, value)


def check_knot_months(value: Any) -> int:
    """``knot_months`` as a positive int, or a ValueError saying what to give."""
    if isinstance(value, bool) or not isinstance(value, Integral) or int(value) < 1:
        raise ValueError(
            f"knot_months={value!r}: give the spacing of the frontier knots as a whole number "
            "of months, at least 1 (the default is 12)"
        )
    return int(value)


def make_design(
    data: ScoreData,
    *,
    since: str | pd.Timestamp | None = "2022-01-01",
    knot_months: int = 6,
    reference_date: str | pd.Timestamp = "2024-01-01",
    min_models_per_benchmark: int = 5,
    min_uncensored_per_benchmark: int = 3,
    anchor_benchmark: str | None = "GPQA diamond",
    open_country: str | None = None,
) -> Design:
    """Select modelled rows and lay out knots; warn with counts for everything left out.

    The rows left out, in this order: the open rows of other countries (with
    ``open_country``), scores on non-fraction benchmarks, models released before ``since``,
    benchmarks scored by fewer than ``min_models_per_benchmark`` models, and benchmarks with
    fewer than ``min_uncensored_per_benchmark`` scores strictly inside their resolution limits.

    Parameters
    ----------
    data : ScoreData
        The scores.
    since : date-like or None
        Models released before it are left out (None: none).
    knot_months : int
        Spacing of the frontier knots in months.
    reference_date : date-like
        Time origin: times are in years since it.
    min_models_per_benchmark, min_uncensored_per_benchmark : int
        What a benchmark needs to be modelled (see above).
    anchor_benchmark : str or None
        The benchmark with difficulty 0 and slope 1 (None, or a benchmark the data lack: the
        one scored by the most models).
    open_country : str, optional
        Keep only the open models from that country (and every closed model); the open rows it
        leaves out are counted in ``dropped["open_rows_other_countries"]``.

    Returns
    -------
    Design

    Raises
    ------
    ValueError
        An invalid option (``since``, ``knot_months``, ``reference_date``), named.
    ScoreDataError
        No open or no closed models left after filtering; a fraction-scale benchmark whose
        ceiling is missing or not above its random baseline, or with scores above its ceiling.
    """
    since_ts = check_date_option("since", since, allow_none=True)
    knot_months = check_knot_months(knot_months)
    origin = check_date_option("reference_date", reference_date)
    assert origin is not None
    data.check(connected=False, both_sides=True)
    dropped: dict[str, int] = {}
    if open_country is not None:
        data = _open_country(data, open_country, dropped)
    t = data.with_access()
    t[D.ACCESS] = t[D.ACCESS].fillna("unknown")
    meta = data.benchmarks
    t = _drop_non_fraction(t, meta, dropped)
    _check_ceilings(t, meta)
    if since_ts is not None:
        t = _drop_before(t, since_ts, since, data, dropped)
    t = _drop_thin(t, min_models_per_benchmark, dropped)
    t = _drop_censored(t, meta, min_uncensored_per_benchmark, dropped)
    if t.empty or t[D.WEIGHTS].nunique() < 2:
        raise ScoreDataError("the Bayesian gap model needs open and closed models after filtering")
    sub = ScoreData(scores=t.drop(columns=D.ACCESS).reset_index(drop=True), benchmarks=meta)
    sub.check(connected=True, both_sides=True)
    models = sub.models.copy()
    models["base"] = match_hosted_versions(models)
    bench = meta.loc[sorted(t[D.BENCHMARK].unique())].copy()
    knot_dates = _knot_dates(t, knot_months)
    return Design(
        rows=t.reset_index(drop=True),
        models=models,
        benchmarks=bench,
        providers=sorted(p for p in t[D.PROVIDER].unique() if p != D.FIRST_PARTY),
        origin=origin,
        knots=years_since(knot_dates, origin),
        knot_dates=knot_dates,
        dropped=dropped,
        anchor_benchmark=_anchor(t, bench, meta, anchor_benchmark),
        unknown_access=_unknown_access(t, bench),
    )


#: ``stacklevel`` of the warnings of :func:`make_design`'s steps: the step, ``make_design``,
#: its caller (``GapSettings.design``), that one's caller.
_STEP_STACKLEVEL = 4


def _open_country(data: ScoreData, country: str, dropped: dict[str, int]) -> ScoreData:
    """``data`` with only the open models from ``country`` (and every closed model)."""
    n_before = len(data.scores)
    data = data.subset(country=country, countries_apply_to="open")
    dropped["open_rows_other_countries"] = n_before - len(data.scores)
    if int(data.models[D.WEIGHTS].eq(D.OPEN).sum()) == 0:
        raise ScoreDataError(
            f"open_country={country!r}: no open model of the data is from "
            f"{country} (only closed ones); pick a country of an open model, or None"
        )
    return data


def _drop_non_fraction(
    t: pd.DataFrame, meta: pd.DataFrame, dropped: dict[str, int]
) -> pd.DataFrame:
    """Rows of ``t`` on fraction benchmarks (the others are counted and warned about)."""
    non_frac = meta.index[meta["scale"] != "fraction"]
    sel = t[D.BENCHMARK].isin(non_frac)
    if not sel.any():
        return t
    dropped["non_fraction_rows"] = int(sel.sum())
    warnings.warn(
        f"left out {int(sel.sum())} score(s) on non-fraction benchmark(s) "
        f"{', '.join(map(repr, non_frac))}: the IRT link needs fractions (give a transform "
        "to a fraction scale through ScoreData to include them)",
        DroppedRowsWarning,
        stacklevel=_STEP_STACKLEVEL,
    )
    return t[~sel]


def _drop_before(
    t: pd.DataFrame,
    since_ts: pd.Timestamp,
    since: Any,
    data: ScoreData,
    dropped: dict[str, int],
) -> pd.DataFrame:
    """Rows of ``t`` of models released on or after ``since_ts``; raises when a side is left
    without models."""
    old = t[D.DATE] < since_ts
    if old.any():
        dropped["rows_before_since"] = int(old.sum())
        t = t[~old]
    if t.empty or t[D.WEIGHTS].nunique() < 2:
        last = data.scores[D.DATE].max()
        raise ScoreDataError(
            f"since={since!r} leaves {'no' if t.empty else 'only one side of'} the models "
            f"(the data's last release date is {pd.Timestamp(last).date()}); give an "
            "earlier since, or since=None to keep every date"
        )
    return t


def _drop_thin(t: pd.DataFrame, min_models: int, dropped: dict[str, int]) -> pd.DataFrame:
    """Rows of ``t`` on benchmarks scored by at least ``min_models`` models (a benchmark's
    difficulty and slope need several models to be estimable)."""
    counts = t.groupby(D.BENCHMARK)[D.MODEL].nunique()
    thin = counts.index[counts < min_models]
    if not len(thin):
        return t
    dropped["rows_on_thin_benchmarks"] = int(t[D.BENCHMARK].isin(thin).sum())
    warnings.warn(
        f"left out {int(t[D.BENCHMARK].isin(thin).sum())} score(s) on benchmark(s) with "
        f"fewer than {min_models} models after filtering: {list(thin)}",
        DroppedRowsWarning,
        stacklevel=_STEP_STACKLEVEL,
    )
    return t[~t[D.BENCHMARK].isin(thin)]


def _drop_censored(
    t: pd.DataFrame, meta: pd.DataFrame, min_uncensored: int, dropped: dict[str, int]
) -> pd.DataFrame:
    """Rows of ``t`` on benchmarks with at least ``min_uncensored`` scores strictly inside
    their resolution limits: a benchmark on which (nearly) every score sits at 0 or at the
    ceiling says only that all models are beyond it (its slope is unidentified and its
    posterior a funnel)."""
    ceiling = meta["ceiling"].reindex(t[D.BENCHMARK]).to_numpy(float)
    frac = t[D.SCORE] / ceiling  # fraction of the ceiling (as modelled)
    used = meta.loc[sorted(t[D.BENCHMARK].unique())]
    eps = pd.Series(resolution_limits(used), index=used.index).reindex(t[D.BENCHMARK]).to_numpy()
    inside = ((frac > eps) & (frac < 1 - eps)).groupby(t[D.BENCHMARK]).sum()
    flat = inside.index[inside < min_uncensored]
    if not len(flat):
        return t
    n_flat = int(t[D.BENCHMARK].isin(flat).sum())
    dropped["rows_on_censored_benchmarks"] = n_flat
    warnings.warn(
        f"left out {n_flat} score(s) on benchmark(s) with fewer than "
        f"{min_uncensored} scores strictly between 0 and the ceiling "
        f"(no information on difficulty and slope): {list(flat)}",
        DroppedRowsWarning,
        stacklevel=_STEP_STACKLEVEL,
    )
    return t[~t[D.BENCHMARK].isin(flat)]


def _anchor(t: pd.DataFrame, bench: pd.DataFrame, meta: pd.DataFrame, anchor: str | None) -> str:
    """The anchor benchmark: ``anchor`` if modelled, else the one scored by the most models
    (raises if ``anchor`` is in the data but was left out)."""
    if anchor is not None and anchor in bench.index:
        return anchor
    if anchor is not None and anchor in meta.index:
        raise ScoreDataError(f"anchor benchmark {anchor!r} was left out")
    most = t.groupby(D.BENCHMARK)[D.MODEL].nunique().sort_values(kind="stable")
    return str(most.index[-1])


def _unknown_access(t: pd.DataFrame, bench: pd.DataFrame) -> tuple[str, ...]:
    """The modelled benchmarks of unknown access (warned about: they are modelled as
    private)."""
    access = bench["access"].astype(object).where(bench["access"].notna(), "unknown")
    unknown = tuple(str(b) for b in bench.index[~access.isin(["public", "private"]).to_numpy()])
    if unknown:
        n_rows = int(t[D.BENCHMARK].isin(unknown).sum())
        warnings.warn(
            f"{len(unknown)} modelled benchmark(s) have unknown access (public or private): "
            f"{', '.join(map(repr, unknown))} ({n_rows} score(s)). The model treats them as "
            "private: open models get no public-benchmark advantage on them. Set their 'access' "
            "in the benchmark metadata (ScoreData.from_frame(benchmarks=...)) to model it.",
            UserWarning,
            stacklevel=_STEP_STACKLEVEL,
        )
    return unknown


def _knot_dates(t: pd.DataFrame, knot_months: int) -> pd.DatetimeIndex:
    """Knots every ``knot_months`` months from the quarter of the first release date to past
    the last."""
    start = pd.Timestamp(t[D.DATE].min()).to_period("Q").start_time
    end = pd.Timestamp(t[D.DATE].max()) + pd.DateOffset(months=1)
    return pd.date_range(start, end + pd.DateOffset(months=knot_months), freq=f"{knot_months}MS")


def _check_ceilings(t: pd.DataFrame, meta: pd.DataFrame) -> None:
    """Every modelled benchmark has a ceiling above its floor, and no score above its ceiling."""
    bench = meta.reindex(pd.Index(t[D.BENCHMARK].unique()))
    ceiling = bench["ceiling"].astype(float)
    base = bench["random_baseline"].astype(float)
    bad = bench.index[~(ceiling > base) | ~np.isfinite(ceiling)]
    if len(bad):
        desc = ", ".join(f"{b!r} (ceiling {ceiling[b]}, random_baseline {base[b]})" for b in bad)
        raise ScoreDataError(
            f"benchmark(s) {desc}: the Bayesian gap model needs a finite ceiling above the random "
            "baseline; fix 'ceiling' / 'random_baseline' in the benchmark metadata"
        )
    row_ceiling = ceiling.reindex(t[D.BENCHMARK]).to_numpy(float)
    over = t[D.SCORE].to_numpy(float) > row_ceiling * (1 + 1e-9)
    if over.any():
        per = t.loc[over].groupby(D.BENCHMARK)[D.SCORE].agg(["size", "max"])
        desc = "; ".join(
            f"{b!r}: {int(r['size'])} score(s) up to {r['max']:g} above its ceiling {ceiling[b]:g}"
            for b, r in per.iterrows()
        )
        raise ScoreDataError(
            f"scores above their benchmark's ceiling: {desc}. The model reads a score as a "
            "fraction of the ceiling; raise the benchmark's 'ceiling' in the metadata, or fix "
            "the scores"
        )
