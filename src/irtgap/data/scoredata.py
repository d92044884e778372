"""`ScoreData`: the one input type every method in irtgap takes.

A :class:`ScoreData` holds a validated, tidy model x benchmark score table, one row per
(model, benchmark) pair, with each model's release date and weights group (open or closed), and
per-benchmark metadata (public/private access, random-guess floor, ceiling, scale). Where the
source names the harness a score was run under, every (model, benchmark, harness) row is kept
beside it (:attr:`ScoreData.elicitation`) and the table holds the one row per pair an
elicitation rule chose (:meth:`ScoreData.select_elicitation`, :mod:`irtgap.data.elicitation`).
Build one with :meth:`ScoreData.from_frame`, :func:`irtgap.load_epoch_snapshot` or
:func:`irtgap.load_epoch_hub`.

Validation happens here, at the boundary, so that the methods can trust their input. Each rule
raises :class:`~irtgap.core.errors.ScoreDataError` naming the column, rows or benchmark at fault;
rows that are left out (no date, no weights, no score) are dropped with a
:class:`~irtgap.core.errors.DroppedRowsWarning` giving the count, and the counts are kept in
:attr:`ScoreData.log` and shown by :meth:`ScoreData.describe`.
"""

from __future__ import annotations

import difflib
import unicodedata
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from irtgap.core import dims as D
from irtgap.core.benchmark_meta import (
    ACCESS_LABELS,
    SCALES,
    index_benchmark_meta,
    normalize_benchmark_meta,
)
from irtgap.core.dates import check_date, parse_dates
from irtgap.core.errors import DroppedRowsWarning, InputWarning, ScoreDataError
from irtgap.core.options import check_bool, check_choice, check_count
from irtgap.core.score_table import benchmark_components, parse_weights, require_columns
from irtgap.data import elicitation as E
from irtgap.data.registry import benchmark_metadata, read_registry

DuplicatePolicy = Literal["max", "mean", "first", "raise"]
DUPLICATE_POLICIES: tuple[str, ...] = ("max", "mean", "first", "raise")
SPARSE_POLICIES: tuple[str, ...] = ("raise", "drop")

#: Columns of :attr:`ScoreData.scores`, in order.
SCORE_COLUMNS: tuple[str, ...] = (
    D.MODEL,
    D.BENCHMARK,
    D.SCORE,
    D.DATE,
    D.WEIGHTS,
    D.PROVIDER,
    D.MODEL_GROUP,
    D.COUNTRY,
    D.ORGANIZATION,
)
#: Per-model columns (constant within a model).
MODEL_COLUMNS: tuple[str, ...] = (
    D.DATE,
    D.WEIGHTS,
    D.PROVIDER,
    D.MODEL_GROUP,
    D.COUNTRY,
    D.ORGANIZATION,
)


def _warn(message: str, *, depth: int = 0) -> None:
    """A DroppedRowsWarning attributed to the caller of the function that warns (``depth``: how
    many helper calls below that function this call is)."""
    warnings.warn(message, DroppedRowsWarning, stacklevel=3 + depth)


def _rows(index: Iterable[Any], limit: int = 8) -> str:
    idx = list(index)
    shown = ", ".join(str(i) for i in idx[:limit])
    return shown + (f", ... ({len(idx)} in all)" if len(idx) > limit else "")


@dataclass(frozen=True, repr=False, eq=False)
class ScoreData:
    """A validated model x benchmark score table with model and benchmark metadata.

    Do not build one directly: use :meth:`from_frame` (or a loader), which validates the input.

    Attributes
    ----------
    scores : pandas.DataFrame
        One row per (model, benchmark) pair, columns ``model, benchmark, score, date, weights,
        provider, model_group, country, organization``. ``score`` is a fraction in [0, ceiling] for
        fraction-scale benchmarks and the benchmark's own unit otherwise (e.g. minutes, >= 0).
        ``date`` is a naive ``datetime64[ns]`` (time-zone-aware input is converted to UTC).
    benchmarks : pandas.DataFrame
        Indexed by ``benchmark``: ``access`` (public / private / unknown), ``random_baseline``,
        ``ceiling`` (the best possible score; in (0, 1] on fraction benchmarks), ``scale``
        (``fraction`` or another unit of :data:`irtgap.core.benchmark_meta.SCALES`),
        ``release_date``, optionally ``n_items`` (items per score, which sets the Bayesian
        model's resolution) and any extra metadata columns given.
    log : dict
        What validation did: raw row count, rows dropped for each reason, duplicate rows merged and
        the policy used, benchmarks dropped.
    reference : pandas.DataFrame or None
        Reference values shipped with the source (e.g. Epoch's published ECI scores), if any.
    elicitation : pandas.DataFrame or None
        Every (model, benchmark, harness) row kept by validation, with the columns of
        :attr:`scores` (among them ``harness`` and ``effort``; see
        :mod:`irtgap.data.elicitation`), when the source names a harness; ``scores`` then holds
        the one row per pair that the elicitation rule chose (``"best"`` on loading:
        the highest score, as Epoch AI keeps it). :meth:`select_elicitation` chooses by
        another rule. None when the source names no harness (``scores`` is every row).

    Examples
    --------
    >>> import pandas as pd, irtgap
    >>> df = pd.DataFrame({
    ...     "m": ["a", "a", "b", "b", "c", "c"],
    ...     "b": ["X", "Y", "X", "Y", "X", "Y"],
    ...     "s": [0.2, 0.4, 0.5, 0.7, 0.6, 0.9],
    ...     "d": ["2024-01-01"] * 2 + ["2024-06-01"] * 2 + ["2024-09-01"] * 2,
    ...     "w": ["open"] * 2 + ["closed"] * 4,
    ... })
    >>> data = irtgap.ScoreData.from_frame(df, model="m", benchmark="b", score="s", date="d",
    ...                                   weights="w")
    >>> data.n_models, data.n_benchmarks
    (3, 2)
    """

    scores: pd.DataFrame
    benchmarks: pd.DataFrame
    log: dict[str, Any] = field(default_factory=dict)
    reference: pd.DataFrame | None = None
    elicitation: pd.DataFrame | None = None

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_frame(
        cls,
        df: pd.DataFrame,
        *,
        model: str,
        benchmark: str,
        score: str,
        date: str,
        weights: str,
        provider: str | None = None,
        model_group: str | None = None,
        country: str | None = None,
        organization: str | None = None,
        benchmarks: pd.DataFrame | None = None,
        duplicates: DuplicatePolicy = "max",
        min_models_per_benchmark: int = 2,
        sparse_benchmarks: Literal["raise", "drop"] = "raise",
        require_both_sides: bool = True,
        reference: pd.DataFrame | None = None,
        registry: bool = True,
        harness: str | None = None,
        effort: str | None = None,
    ) -> ScoreData:
        """Validate a long table of scores and build a :class:`ScoreData`.

        Parameters
        ----------
        df : pandas.DataFrame
            One row per reported score. It is never modified. Messages name rows by its index
            labels (by position when the index repeats a label).
        model, benchmark, score, date, weights : str
            Names of the required columns: model id (any values, read as text), benchmark name,
            score, the model's release date and its weights label.

            Dates: ISO ``YYYY-MM-DD`` strings (optionally with a time and a UTC offset),
            datetimes, or dates with a month name (``3 Jan 2024``). Time-zone-aware values are
            converted to UTC and the time zone dropped. Day/month-first dates (``13/04/2024``) are
            read in one order for the whole column, the order values with a part above 12 show;
            a column showing both orders, or only values that read either way, is refused (give
            ISO dates). Dates before 2000-01-01 (placeholders such as 1970-01-01) or after today
            are refused: give the real date, or leave it blank to drop the row.

            Weights labels may be ``open`` / ``closed`` or Epoch AI's accessibility labels
            (``Open weights (...)`` map to open; ``API access``, ``Hosted access (no API)`` and
            ``Unreleased`` to closed); empty or ``unknown`` labels mean missing.
        provider, model_group, country, organization : str, optional
            Names of optional columns. ``provider`` is ``first-party`` or the third-party host that
            served the model; ``model_group`` names the model a version belongs to (reasoning-effort
            variants and hosts share a group; defaults to the model itself).
        benchmarks : pandas.DataFrame, optional
            Per-benchmark metadata, with a ``benchmark`` column (or an index named
            ``benchmark``) and any of ``access`` (public/private), ``random_baseline``,
            ``ceiling`` (the best possible score; defaults to 1 on fraction scales, must lie in
            (0, 1] there, above ``random_baseline``), ``scale`` (``fraction`` by default, or
            another unit of :data:`irtgap.core.benchmark_meta.SCALES`: ``minutes``, ``hours``,
            ``tokens``, ``elo``, ``rating``; anything else is refused as a typo),
            ``release_date`` (or ``benchmark_release_date``), ``n_items`` (the number of items a
            score is the share of, a whole number, blank if unknown: the Bayesian model then
            reads scores to half an item, :func:`irtgap.core.measurement.resolution_limits`).
            Benchmarks without metadata get ``access="unknown"``, a random baseline of 0 and the
            fraction scale.
        duplicates : {"max", "mean", "first", "raise"}
            What to do when several rows report the same (model, benchmark) pair (the same
            (model, benchmark, harness) with ``harness``: repeated runs). ``"max"`` (the
            default) keeps the highest score, as Epoch AI does; ``"mean"`` averages; ``"first"``
            keeps the first row; ``"raise"`` refuses. The number of rows merged is in :attr:`log`
            (``n_duplicate_rows_merged``: rows beyond one per pair; ``n_repeated_runs_merged``:
            rows beyond one per (model, benchmark, harness)).
        min_models_per_benchmark : int
            A benchmark scored by fewer models carries no information on relative capability
            (a whole number, at least 1).
        sparse_benchmarks : {"raise", "drop"}
            Raise on such benchmarks (default) or drop them with a warning.
        require_both_sides : bool
            Require at least one open and one closed model (every gap method needs both).
        reference : pandas.DataFrame, optional
            Reference values to keep alongside (only its type is checked).
        registry : bool
            Fill metadata of benchmarks that ``benchmarks`` does not describe (or columns it
            leaves out, such as ``domain``) from the shipped benchmark registry
            (:mod:`irtgap.data.registry`), matched by name; their names are in
            ``log["metadata_from_registry"]``. ``False`` uses only ``benchmarks`` and defaults.
        harness : str, optional
            Name of a column naming the harness (agent scaffold, step budget, shots) each score
            was run under; blank cells are ``"default"``. Rows of one pair under different
            harnesses are kept apart in :attr:`elicitation` and :attr:`scores` holds the best
            of them per pair (a ``harness`` column says which); see
            :mod:`irtgap.data.elicitation`.
        effort : str, optional
            Name of a column giving each model's reasoning effort (one per model; blank:
            ``"default"``), kept as the ``effort`` column of :attr:`scores`.

        Returns
        -------
        ScoreData

        Raises
        ------
        ScoreDataError
            Missing or repeated columns; an invalid option value; infinite scores, scores outside
            [0, ceiling] on a fraction benchmark or negative elsewhere; unparseable, ambiguous,
            placeholder or future dates; unknown weights labels; a model whose rows disagree on
            its date, weights, provider, group, country or organization (checked on the rows with
            a score, before duplicates merge); bad benchmark metadata (no ``benchmark`` column,
            unknown access or scale, a ceiling or random baseline out of range); duplicate pairs
            under ``duplicates="raise"``; benchmarks scored by too few models; a model x benchmark
            graph in several disconnected pieces; or no open / no closed model. Booleans
            (True/False) as scores; model or benchmark names that are one text in two Unicode
            forms (:func:`check_spellings`).

        Warns
        -----
        DroppedRowsWarning
            Rows left out (no score, date or weights label), duplicates merged, sparse
            benchmarks dropped: each with its count.
        InputWarning
            Names that differ only by surrounding spaces (read as one) or only by case or
            Unicode compatibility form (kept apart unless their model group ties them); rows of
            ``benchmarks`` that name no benchmark of the scores; dates read day- or month-first
            because other values of the column show that order.

        Examples
        --------
        Three models on two benchmarks the shipped registry knows; llama-y's GPQA score is
        reported twice, and the higher one is kept (a warning says so):

        >>> import pandas as pd, irtgap
        >>> rows = [
        ...     ("gpt-x", "GPQA diamond", 0.62, "2024-05-13", "closed"),
        ...     ("gpt-x", "MATH level 5", 0.80, "2024-05-13", "closed"),
        ...     ("claude-z", "GPQA diamond", 0.70, "2024-06-20", "closed"),
        ...     ("claude-z", "MATH level 5", 0.85, "2024-06-20", "closed"),
        ...     ("llama-y", "GPQA diamond", 0.41, "2024-07-23", "open"),
        ...     ("llama-y", "GPQA diamond", 0.43, "2024-07-23", "open"),
        ...     ("llama-y", "MATH level 5", 0.55, "2024-07-23", "open"),
        ... ]
        >>> df = pd.DataFrame(rows, columns=["model", "benchmark", "score", "released", "weights"])
        >>> data = irtgap.ScoreData.from_frame(
        ...     df, model="model", benchmark="benchmark", score="score", date="released",
        ...     weights="weights",
        ... )
        >>> data.n_obs, data.n_models, data.n_benchmarks
        (6, 3, 2)
        >>> data.log["n_duplicate_rows_merged"]
        1
        >>> data.benchmarks.loc["GPQA diamond", "access"]  # filled from the registry
        'public'
        """
        spec = {
            D.MODEL: model,
            D.BENCHMARK: benchmark,
            D.SCORE: score,
            D.DATE: date,
            D.WEIGHTS: weights,
        }
        optional = {
            D.PROVIDER: provider,
            D.MODEL_GROUP: model_group,
            D.COUNTRY: country,
            D.ORGANIZATION: organization,
        }
        if not isinstance(df, pd.DataFrame):
            raise ScoreDataError(f"expected a pandas DataFrame, got {type(df).__name__}")
        check_choice("duplicates", duplicates, DUPLICATE_POLICIES)
        check_choice("sparse_benchmarks", sparse_benchmarks, SPARSE_POLICIES)
        min_models_per_benchmark = check_count("min_models_per_benchmark", min_models_per_benchmark)
        check_bool("require_both_sides", require_both_sides)
        check_bool("registry", registry)
        if reference is not None and not isinstance(reference, pd.DataFrame):
            raise ScoreDataError(
                f"reference: expected a pandas DataFrame or None, got {type(reference).__name__}"
            )
        given = {k: v for k, v in optional.items() if v is not None}
        require_columns(df, {**spec, **given})
        if benchmarks is not None:
            benchmarks = index_benchmark_meta(benchmarks)  # a checked copy
        if not df.index.is_unique:  # rows are then named by position
            df = df.set_axis(pd.RangeIndex(len(df)), axis=0)
        refuse_booleans(df[score], column=score)
        table = _read_columns(df, spec, optional)
        table = _read_elicitation(table, df, harness, effort)
        check_spellings(df, table, spec, given)
        log: dict[str, Any] = {"n_raw_rows": len(df)}
        names = table[D.BENCHMARK].dropna().unique()
        warn_unused_metadata(benchmarks, names, column=benchmark)
        if registry:
            benchmarks, log["metadata_from_registry"] = _with_registry(benchmarks, names)
        meta = normalize_benchmark_meta(benchmarks, names)
        _check_score_ranges(table, meta, score_column=score)
        table, no_score_by_bench = _drop_unscored(table, score, log)
        # before duplicates merge, so that no conflict is hidden by keeping the first row
        per_model = {D.DATE: date, D.WEIGHTS: weights, **given}
        if effort is not None:
            per_model[E.EFFORT] = effort
        _check_model_consistency(table, per_model)
        table = _fill_model_columns(table)
        table, log["n_duplicate_rows_merged"] = _merge_duplicates(table, duplicates)
        log["n_repeated_runs_merged"] = int(table["_n_raw"].sum() - len(table))
        log["duplicates"] = duplicates
        table = _drop_undated(table, date, weights, log, no_score_by_bench)
        table, meta, log["dropped_benchmarks"] = _check_sparse(
            table, meta, min_models_per_benchmark, sparse_benchmarks
        )
        extra = [c for c, given_as in ((E.HARNESS, harness), (E.EFFORT, effort)) if given_as]
        data = cls._assemble(table, meta, log, reference, extra=extra)
        data.check(connected=True, both_sides=require_both_sides)
        return data

    @classmethod
    def _assemble(
        cls,
        table: pd.DataFrame,
        meta: pd.DataFrame,
        log: dict[str, Any],
        reference: pd.DataFrame | None,
        *,
        extra: Sequence[str] = (),
    ) -> ScoreData:
        """The ScoreData of a validated table; with a ``harness`` among ``extra``, ``table``
        holds the elicitation rows and the scores are the best per pair."""
        rows = None
        if E.HARNESS in extra:
            rows = _sorted(table.loc[:, [*SCORE_COLUMNS, *extra]])
            table, record = E.select_rows(rows, E.ElicitationRule())
            log = {**log, "elicitation": record}
        table = _sorted(table.loc[:, [*SCORE_COLUMNS, *extra]])
        meta = meta.loc[meta.index.isin(table[D.BENCHMARK].unique())]
        return cls(
            scores=table, benchmarks=meta, log=dict(log), reference=reference, elicitation=rows
        )

    # ------------------------------------------------------------------ validation
    def check(self, *, connected: bool = True, both_sides: bool = True) -> ScoreData:
        """Check the structure the model-based methods need; return ``self``.

        Parameters
        ----------
        connected : bool
            The bipartite model x benchmark graph must be one piece: scores on benchmarks that no
            model links cannot be put on one scale. The error lists the pieces.
        both_sides : bool
            There must be at least one open and one closed model.
        """
        if self.scores.empty:
            log = self.log
            raise ScoreDataError(
                "no scores left after validation and filtering; of the source's "
                f"{log.get('n_raw_rows', 0)} row(s), {log.get('n_dropped_no_score', 0)} had no "
                f"score, {log.get('n_dropped_no_date', 0)} no release date and "
                f"{log.get('n_dropped_no_weights', 0)} no weights label (open/closed)"
            )
        if both_sides:
            present = set(self.scores[D.WEIGHTS].unique())
            missing = [s for s in D.SIDES if s not in present]
            if missing:
                raise ScoreDataError(
                    f"no {' and no '.join(missing)} models in column 'weights': the gap between "
                    "open and closed models needs both"
                )
        if connected:
            pieces = benchmark_components(self.scores)
            if len(pieces) > 1:
                desc = "; ".join(
                    f"piece {i + 1}: benchmarks [{_rows(p['benchmarks'], 6)}] with "
                    f"{len(p['models'])} models (e.g. {_rows(p['models'], 3)})"
                    for i, p in enumerate(pieces)
                )
                raise ScoreDataError(
                    f"the model x benchmark graph falls apart into {len(pieces)} disconnected "
                    f"pieces, whose scales cannot be compared: {desc}. Subset to one piece "
                    "(ScoreData.subset(benchmarks=...)) or add models scored on both."
                )
        return self

    # ------------------------------------------------------------------ views
    @property
    def models(self) -> pd.DataFrame:
        """One row per model (index ``model``): date, weights, provider, group, country, org."""
        cols = list(MODEL_COLUMNS)
        return (
            self.scores.drop_duplicates(D.MODEL)
            .set_index(D.MODEL)
            .loc[:, cols]
            .sort_values([D.DATE], kind="stable")
        )

    @property
    def n_models(self) -> int:
        """Number of model versions with at least one score."""
        return int(self.scores[D.MODEL].nunique())

    @property
    def n_benchmarks(self) -> int:
        """Number of benchmarks with at least one score."""
        return int(self.scores[D.BENCHMARK].nunique())

    @property
    def n_obs(self) -> int:
        """Number of scores (rows of :attr:`scores`)."""
        return len(self.scores)

    @property
    def coords(self) -> dict[str, list[str]]:
        """Coordinates for modelling: ``{"model": [...], "benchmark": [...]}`` (models by date)."""
        return {
            D.MODEL: list(self.models.index),
            D.BENCHMARK: sorted(self.scores[D.BENCHMARK].unique()),
        }

    def index_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """Integer positions of each row's model and benchmark in :attr:`coords`."""
        coords = self.coords
        m = pd.Index(coords[D.MODEL]).get_indexer(self.scores[D.MODEL])
        b = pd.Index(coords[D.BENCHMARK]).get_indexer(self.scores[D.BENCHMARK])
        return m.astype(np.int64), b.astype(np.int64)

    def benchmark_meta(self, name: str) -> pd.Series:
        """Metadata of one benchmark, with a clear error for an unknown name."""
        if name not in self.benchmarks.index:
            raise ScoreDataError(
                f"unknown benchmark {name!r}; known: {_rows(self.benchmarks.index, 50)}"
            )
        return self.benchmarks.loc[name]

    def fraction_benchmarks(self) -> list[str]:
        """Benchmarks scored as fractions in [0, 1]."""
        return list(self.benchmarks.index[self.benchmarks["scale"] == "fraction"])

    def normalized_scores(self, *, clip: tuple[float, float] | None = None) -> pd.Series:
        """Scores rescaled by the random baseline and ceiling: ``(s - c_b) / (ceiling_b - c_b)``.

        Non-fraction benchmarks give NaN. With ``clip=(lo, hi)`` the result is clipped, as Epoch's
        ECI does with ``(1e-3, 1 - 1e-3)``.
        """
        meta = self.benchmarks.reindex(self.scores[D.BENCHMARK])
        base = meta["random_baseline"].to_numpy(float)
        ceil = meta["ceiling"].to_numpy(float)
        out = (self.scores[D.SCORE].to_numpy(float) - base) / (ceil - base)
        out[(meta["scale"] != "fraction").to_numpy()] = np.nan
        if clip is not None:
            out = np.clip(out, *clip)
        return pd.Series(out, index=self.scores.index, name="normalized_score")

    def with_access(self) -> pd.DataFrame:
        """The score table with each benchmark's ``access`` (public / private) joined on."""
        out = self.scores.copy()
        out[D.ACCESS] = self.benchmarks["access"].reindex(out[D.BENCHMARK]).to_numpy()
        return out

    # ------------------------------------------------------------------ derived data
    def subset(
        self,
        *,
        weights: str | None = None,
        benchmarks: Sequence[str] | None = None,
        exclude_benchmarks: Sequence[str] | None = None,
        models: Sequence[str] | None = None,
        start: str | pd.Timestamp | None = None,
        end: str | pd.Timestamp | None = None,
        country: str | Sequence[str] | None = None,
        countries_apply_to: Literal["open", "closed", "both"] = "both",
        access: str | None = None,
        scale: str | None = None,
        min_models_per_benchmark: int = 1,
    ) -> ScoreData:
        """A new :class:`ScoreData` restricted by the given filters (all optional, combined).

        Benchmarks left with fewer than ``min_models_per_benchmark`` models are dropped with a
        warning. The structure checks are not re-run: methods call :meth:`check` themselves.

        Parameters
        ----------
        weights : {"open", "closed"}, optional
        benchmarks, exclude_benchmarks, models : str or sequence of str, optional
            Names must exist; unknown names raise. A single string is one name.
        start, end : date-like, optional
            Inclusive release-date range (time-zone-aware values are taken in UTC).
        country : str or sequence of str, optional
            Keep models from these countries (e.g. ``"China"``), on the side(s) named by
            ``countries_apply_to`` (``"open"`` gives the "open models from China only" variant).
            A country no model of the data is from raises (a typo would otherwise empty a side).
        countries_apply_to : {"open", "closed", "both"}
        access : {"public", "private", "unknown"}, optional
            Keep benchmarks of this access class (the data must have some).
        scale : str, optional
            Keep benchmarks on this scale (e.g. ``"fraction"``; the data must have some).
        min_models_per_benchmark : int
            A whole number, at least 1.

        Raises
        ------
        ScoreDataError
            An invalid option value, an unknown name, an unparseable date bound, or filters that
            leave no scores.
        """
        check_choice("countries_apply_to", countries_apply_to, ("open", "closed", "both"))
        min_models_per_benchmark = check_count("min_models_per_benchmark", min_models_per_benchmark)
        t = self.scores
        keep = pd.Series(True, index=t.index)
        if weights is not None:
            check_choice("weights", weights, D.SIDES)
            keep &= t[D.WEIGHTS] == weights
        for names, option, label in (
            (benchmarks, "benchmarks", D.BENCHMARK),
            (models, "models", D.MODEL),
            (exclude_benchmarks, "exclude_benchmarks", D.BENCHMARK),
        ):
            if names is None:
                continue
            wanted = _names(option, names)
            unknown = sorted(set(wanted) - set(t[label]))
            if unknown:
                raise ScoreDataError(
                    f"{option}: unknown {label} name(s) {_rows(map(repr, unknown))}; the data "
                    f"has {_rows(sorted(t[label].unique()), 30)}"
                )
            hit = t[label].isin(wanted)
            keep &= ~hit if option == "exclude_benchmarks" else hit
        if start is not None:
            keep &= t[D.DATE] >= check_date("start", start)
        if end is not None:
            keep &= t[D.DATE] <= check_date("end", end)
        if country is not None:
            wanted = _names("country", country)
            parts = t[D.COUNTRY].fillna("").str.split(",")
            present = {p.strip() for ps in parts for p in ps if p.strip()}
            unknown = sorted(set(wanted) - present)
            if unknown:
                raise ScoreDataError(
                    f"country: no model of the data is from {_rows(map(repr, unknown))}; "
                    f"countries in the data: {_rows(sorted(present), 30)}"
                )
            in_country = parts.map(lambda ps: any(p.strip() in wanted for p in ps)).astype(bool)
            sides = D.SIDES if countries_apply_to == "both" else (countries_apply_to,)
            keep &= in_country | ~t[D.WEIGHTS].isin(sides)
        for value, col, known in ((access, "access", ACCESS_LABELS), (scale, "scale", SCALES)):
            if value is not None:
                check_choice(col, value, sorted(known))
                allowed = set(self.benchmarks[col])
                if value not in allowed:
                    raise ScoreDataError(f"{col}={value!r}: the data has {sorted(allowed)}")
                names = self.benchmarks.index[self.benchmarks[col] == value]
                keep &= t[D.BENCHMARK].isin(names)
        table = t[keep]
        if table.empty:
            asked = dict(weights=weights, benchmarks=benchmarks, models=models, start=start)
            asked.update(end=end, country=country, access=access, scale=scale)
            asked["exclude_benchmarks"] = exclude_benchmarks
            raise ScoreDataError(_empty_subset(self, asked))
        log = dict(self.log)
        table, meta, dropped = _check_sparse(
            table, self.benchmarks, min_models_per_benchmark, "drop"
        )
        log["dropped_benchmarks"] = {**self.log.get("dropped_benchmarks", {}), **dropped}
        meta = meta.loc[meta.index.isin(table[D.BENCHMARK].unique())]
        rows = _rows_within(self.elicitation, table)
        return replace(
            self, scores=table.reset_index(drop=True), benchmarks=meta, log=log, elicitation=rows
        )

    def select_elicitation(
        self, rule: E.ElicitationLike = "best", *, missing: Literal["drop", "best"] | None = None
    ) -> ScoreData:
        """The scores with one row per (model, benchmark) chosen among :attr:`elicitation` by
        ``rule`` (see :mod:`irtgap.data.elicitation`).

        Parameters
        ----------
        rule : str, mapping or ElicitationRule
            ``"best"`` (the highest score over the pair's harnesses: the scores as loaded),
            ``"reference"`` (per benchmark with several harnesses, the one that scored the most
            versions), a harness name (e.g. ``"Terminus 2"``: on every benchmark that has it),
            or ``{benchmark: harness}``.
        missing : {"drop", "best"}, optional
            A version with no row under a benchmark's reference harness: dropped from that
            benchmark (the default) or kept with its best row. Overrides the rule's own.

        Returns
        -------
        ScoreData
            ``log["elicitation"]`` records the rule and the rows it used (pairs under each
            reference harness, pairs dropped or fallen back on their best row); benchmarks
            left with fewer than two models are dropped with a warning. ``"best"`` on data
            whose scores are already the best returns the data itself.

        Raises
        ------
        ScoreDataError
            A rule other than ``"best"`` on data whose source names no harness; an unknown
            benchmark, or a harness a named benchmark lacks.

        Examples
        --------
        >>> import warnings, irtgap
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     data = irtgap.load_dataset()
        ...     ref = data.select_elicitation({"Terminal Bench": "Terminus 2"})
        >>> rec = ref.log["elicitation"]["by_benchmark"]["Terminal Bench"]
        >>> rec["n_pairs_reference"] + rec["n_pairs_missing"] == int(
        ...     (data.scores["benchmark"] == "Terminal Bench").sum())
        True
        """
        r = E.as_rule(rule)
        if missing is not None:
            r = replace(r, missing=missing)
        current = self.log.get("elicitation", {}).get("rule", "best")
        if r.is_best and current == "best":
            return self
        if self.elicitation is None:
            raise ScoreDataError(
                f"elicitation={r.describe()!r}: this ScoreData keeps no elicitation rows (its "
                "source names no harness, or it was merged or saved without them); give the "
                "harness column to ScoreData.from_frame(harness=...)"
            )
        chosen, record = E.select_rows(self.elicitation, r)
        table, meta, dropped = _check_sparse(chosen, self.benchmarks, 2, "drop")
        log = {**self.log, "elicitation": record}
        log["dropped_benchmarks"] = {**self.log.get("dropped_benchmarks", {}), **dropped}
        meta = meta.loc[meta.index.isin(table[D.BENCHMARK].unique())]
        return replace(self, scores=_sorted(table), benchmarks=meta, log=log)

    def elicitation_data(self) -> ScoreData:
        """Every elicitation row as the score table: several rows per (model, benchmark) where
        several harnesses scored the pair.

        For a model of the harness (the Bayesian elicitation term,
        :mod:`irtgap.methods.bayes.elicitation`); the methods that read one score per pair
        refuse it. Data whose source names no harness come back unchanged.

        Returns
        -------
        ScoreData
            ``log["elicitation"]["rule"]`` is ``"all"``.
        """
        if self.elicitation is None:
            return self
        log = {**self.log, "elicitation": {"rule": "all", "n_rows": len(self.elicitation)}}
        return replace(self, scores=self.elicitation.copy(), log=log)

    def merge_groups(self, *, how: Literal["max", "mean"] = "max") -> ScoreData:
        """Merge the versions of each model group into one model (e.g. reasoning-effort variants).

        The merged model is named after the group; its score on a benchmark is the maximum (Epoch
        AI's rule) or mean over the group's versions, its date the earliest version's date, its
        provider ``first-party`` if any version was first-party. A group whose versions disagree on
        weights is refused.
        """
        check_choice("how", how, ("max", "mean"))
        t = self.scores
        sides = t.groupby(D.MODEL_GROUP)[D.WEIGHTS].nunique()
        if (sides > 1).any():
            raise ScoreDataError(
                "model groups mix open and closed versions: "
                f"{_rows(sides.index[sides > 1])}; fix column 'model_group' or 'weights'"
            )
        group_meta = (
            t.sort_values(D.DATE, kind="stable")
            .groupby(D.MODEL_GROUP)
            .agg(
                date=(D.DATE, "min"),
                weights=(D.WEIGHTS, "first"),
                provider=(
                    D.PROVIDER,
                    lambda s: D.FIRST_PARTY if (s == D.FIRST_PARTY).any() else s.iloc[0],
                ),
                country=(D.COUNTRY, "first"),
                organization=(D.ORGANIZATION, "first"),
            )
        )
        merged = t.groupby([D.MODEL_GROUP, D.BENCHMARK], as_index=False)[D.SCORE].agg(how)
        merged = merged.join(group_meta, on=D.MODEL_GROUP)
        merged[D.MODEL] = merged[D.MODEL_GROUP]
        log = dict(self.log)
        log["n_versions_merged_into_groups"] = self.n_models - int(merged[D.MODEL].nunique())
        return type(self)._assemble(merged, self.benchmarks, log, self.reference)

    # ------------------------------------------------------------------ reporting
    def describe(self, by: Literal["source"] | None = None) -> pd.Series | pd.DataFrame:
        """Counts a reader checks first: rows kept and dropped, models per side, density.

        Parameters
        ----------
        by : {None, "source"}
            ``"source"``: one row per benchmark (per file, for a Hub export) with rows read,
            rows dropped for each reason, score pairs kept, and a ``status`` saying why a
            benchmark has none left, so that no benchmark disappears without a reason.

        Returns
        -------
        pandas.Series or pandas.DataFrame
            ``n_raw_rows``, ``n_dropped_no_date``, ``n_dropped_no_weights``,
            ``n_duplicate_rows_merged`` (rows that repeated an existing (model, benchmark) pair,
            counted on the raw table), ``n_observations``, ``n_models``, ``n_open_models``,
            ``n_closed_models``, ``n_benchmarks``, ``n_public_benchmarks``,
            ``n_private_benchmarks``, ``date_min``, ``date_max``, ``density`` (share of the
            model x benchmark matrix observed), ``dropped_benchmarks``; and the elicitation
            (:mod:`irtgap.data.elicitation`): ``n_repeated_runs_merged`` (rows that repeated a
            (model, benchmark, harness)), ``n_elicitation_rows`` (rows kept, one per model,
            benchmark and harness), ``n_harness_labels``, ``n_pairs_several_harnesses``,
            ``elicitation_rule`` (how :attr:`scores` chose among them), ``n_effort_variants``
            (versions with a reasoning-effort label) and ``n_effort_variant_scores``.

            By source, besides: ``harness_read`` (how the file names the harness),
            ``rows_harness_default`` (loaded rows naming none), ``harness_runs_merged`` (the
            part of ``dropped_duplicates_merged`` that repeated a (version, harness); the rest
            are rows of other harnesses, kept in :attr:`elicitation`), ``harness_rows_kept``,
            ``harness_labels`` and ``harness_pairs_several`` (versions scored under several
            harnesses).
        """
        check_choice("by", by, (None, "source"))
        if by == "source":
            return self._describe_sources()
        models = self.models
        side = models[D.WEIGHTS].value_counts()
        access = self.benchmarks["access"].value_counts()
        dropped = self.log.get("dropped_benchmarks", {})
        return pd.Series(
            {
                "n_raw_rows": self.log.get("n_raw_rows", self.n_obs),
                "n_dropped_no_date": self.log.get("n_dropped_no_date", 0),
                "n_dropped_no_weights": self.log.get("n_dropped_no_weights", 0),
                "n_dropped_no_score": self.log.get("n_dropped_no_score", 0),
                "n_duplicate_rows_merged": self.log.get("n_duplicate_rows_merged", 0),
                "duplicates_policy": self.log.get("duplicates", "max"),
                "n_observations": self.n_obs,
                "n_models": self.n_models,
                "n_open_models": int(side.get(D.OPEN, 0)),
                "n_closed_models": int(side.get(D.CLOSED, 0)),
                "n_benchmarks": self.n_benchmarks,
                "n_public_benchmarks": int(access.get("public", 0)),
                "n_private_benchmarks": int(access.get("private", 0)),
                "date_min": self.scores[D.DATE].min().date(),
                "date_max": self.scores[D.DATE].max().date(),
                "density": round(self.n_obs / max(self.n_models * self.n_benchmarks, 1), 4),
                "dropped_benchmarks": ", ".join(f"{k} ({v})" for k, v in dropped.items()) or "none",
                **self._describe_elicitation(),
            },
            name="ScoreData",
        )

    def _describe_elicitation(self) -> dict[str, Any]:
        """The elicitation counts of :meth:`describe`."""
        rows = self.elicitation if self.elicitation is not None else self.scores
        harness = rows.get(E.HARNESS, pd.Series(E.DEFAULT, index=rows.index))
        effort = self.scores.get(E.EFFORT, pd.Series(E.DEFAULT, index=self.scores.index))
        variants = effort != E.DEFAULT
        record = self.log.get("elicitation", {})
        return {
            "n_repeated_runs_merged": self.log.get("n_repeated_runs_merged", 0),
            "n_elicitation_rows": len(rows),
            "n_harness_labels": int(harness[harness != E.DEFAULT].nunique()),
            "n_pairs_several_harnesses": int(
                (rows.groupby([D.MODEL, D.BENCHMARK]).size() > 1).sum()
            ),
            "elicitation_rule": record.get("rule", "best"),
            "n_effort_variants": int(self.scores.loc[variants, D.MODEL].nunique()),
            "n_effort_variant_scores": int(variants.sum()),
        }

    def _describe_sources(self) -> pd.DataFrame:
        sources = self.log.get("sources")
        if sources:
            table = pd.DataFrame(sources)
        else:  # a long table: one "source" per benchmark
            table = pd.DataFrame({D.BENCHMARK: sorted(self.benchmarks.index)})
        table = table.set_index(D.BENCHMARK)
        drops = self.log.get("dropped_by_benchmark", {})
        for reason, per in drops.items():
            table[f"dropped_{reason}"] = pd.Series(per, dtype="float64").reindex(table.index)
        sparse = self.log.get("dropped_benchmarks", {})
        table["dropped_too_few_models"] = pd.Series(sparse, dtype="float64").reindex(table.index)
        kept = self.scores.groupby(D.BENCHMARK).size()
        table["pairs_kept"] = kept.reindex(table.index).fillna(0).astype(int)
        status = table.get("status", pd.Series(pd.NA, index=table.index, dtype="object"))
        for name in table.index:
            if pd.notna(status.get(name)):
                continue
            if name in sparse:
                status[name] = (
                    f"left out: {sparse[name]} model(s) after validation (too few to compare)"
                )
            elif table.at[name, "pairs_kept"] == 0:
                status[name] = "left out: no row with a score, date and weights label"
            else:
                status[name] = "kept"
        table["status"] = status
        table = _harness_by_source(table, self.elicitation, self.log)
        count_cols = [c for c in table.columns if c.startswith(("rows_", "dropped_", "harness_"))]
        count_cols = [c for c in count_cols if c != "harness_read"]
        table[count_cols] = table[count_cols].fillna(0).astype(int)
        return table

    def __repr__(self) -> str:
        d = self.describe()
        return (
            f"<ScoreData: {d.n_observations} scores, {d.n_models} models "
            f"({d.n_open_models} open, {d.n_closed_models} closed), {d.n_benchmarks} benchmarks "
            f"({d.n_public_benchmarks} public, {d.n_private_benchmarks} private), "
            f"{d.date_min} to {d.date_max}, density {d.density:.1%}>"
        )

    def __len__(self) -> int:
        return self.n_obs


# ---------------------------------------------------------------------- helpers
#: Slack above a ceiling allowed for floating-point rounding (e.g. percent / 100).
_CEILING_SLACK = 1e-9


def _check_score_ranges(table: pd.DataFrame, meta: pd.DataFrame, *, score_column: str) -> None:
    """Scores finite, in [0, ceiling] on fraction benchmarks and non-negative on the others."""
    s = table[D.SCORE].to_numpy(float)
    inf = np.isinf(s)
    if inf.any():
        benches = _rows(sorted(table.loc[inf, D.BENCHMARK].unique()), 5)
        raise ScoreDataError(
            f"column {score_column!r} (score) has infinite values in rows "
            f"{_rows(table.index[inf])} (benchmarks {benches}): give a finite score, or leave "
            "the cell blank to drop the row"
        )
    bench = meta.reindex(table[D.BENCHMARK])
    frac = (bench["scale"] == "fraction").to_numpy(bool)
    ceiling = bench["ceiling"].to_numpy(float)
    with np.errstate(invalid="ignore"):
        bad = (s < 0) | (frac & (s > ceiling + _CEILING_SLACK))
    if bad.any():
        rows = table.index[bad]
        per = table.loc[bad].groupby(D.BENCHMARK)[D.SCORE].agg(["size", "min", "max"])
        desc = "; ".join(
            f"{b!r} ({_scale_range(meta.loc[b])}): {int(r['size'])} row(s), "
            f"range {r['min']:g} to {r['max']:g}"
            for b, r in per.iterrows()
        )
        raise ScoreDataError(
            f"column {score_column!r} (score) has values outside [0, ceiling] on fraction-scale "
            f"benchmarks (the ceiling is 1 unless `benchmarks` says otherwise), or negative on "
            f"others, in rows {_rows(rows)}: {desc}. Give scores as fractions (a percent divided "
            "by 100), correct the benchmark's ceiling in `benchmarks`, or declare its scale "
            "(e.g. scale='minutes')."
        )


def _scale_range(meta: pd.Series) -> str:
    if meta["scale"] == "fraction":
        return f"fraction, allowed 0 to {meta['ceiling']:g}"
    return f"{meta['scale']}, allowed from 0"


def _count_by_benchmark(table: pd.DataFrame, counts: pd.Series) -> dict[str, int]:
    """Per benchmark, the sum of ``counts`` (booleans or integers per row), non-zero only."""
    per = pd.Series(np.asarray(counts, dtype=np.int64), index=table.index)
    total = per.groupby(table[D.BENCHMARK].to_numpy()).sum()
    return {str(k): int(v) for k, v in total.items() if v}


def _with_registry(
    benchmarks: pd.DataFrame | None, names: Any
) -> tuple[pd.DataFrame | None, list[str]]:
    """User metadata laid over the registry's rows for the benchmarks in the data."""
    reg = read_registry()
    known = [str(n) for n in names if str(n) in reg.index]
    if not known:
        return benchmarks, []
    base = benchmark_metadata(reg, known).set_index(D.BENCHMARK)
    if benchmarks is None:
        return base.reset_index(), known
    user = index_benchmark_meta(benchmarks)
    described = [n for n in known if n not in user.index]
    merged = user.combine_first(base.astype(object))
    return merged.reset_index(), described


def _merge_duplicates(table: pd.DataFrame, policy: DuplicatePolicy) -> tuple[pd.DataFrame, int]:
    """Repeated runs (rows of one (model, benchmark, harness)) merged by ``policy``; also the
    number of rows beyond one per (model, benchmark) pair (rows of other harnesses included)."""
    n = int(table.duplicated([D.MODEL, D.BENCHMARK], keep="first").sum())
    key = [D.MODEL, D.BENCHMARK, E.HARNESS]
    dup = table.duplicated(key, keep="first")
    if dup.any() and policy == "raise":
        several = table[E.HARNESS].nunique() > 1
        pairs = table.loc[dup, key if several else key[:2]].drop_duplicates()
        raise ScoreDataError(
            f"{int(dup.sum())} row(s) repeat an existing "
            f"{'(model, benchmark, harness) key' if several else '(model, benchmark) pair'}, e.g. "
            f"{_rows([tuple(p) for p in pairs.itertuples(index=False)], 5)}; pass "
            "duplicates='max', 'mean' or 'first'"
        )
    t = table.assign(_n_raw=1)
    if not dup.any():
        return t, n
    agg: dict[str, Any] = {c: "first" for c in t.columns if c not in (*key, D.SCORE, "_n_raw")}
    agg[D.SCORE] = policy
    agg["_n_raw"] = "sum"
    merged = t.groupby(key, as_index=False, sort=False, dropna=False).agg(agg)
    return merged, n


def _sorted(table: pd.DataFrame) -> pd.DataFrame:
    """The score table's order: by date, model, benchmark (and harness), index reset."""
    by = [D.DATE, D.MODEL, D.BENCHMARK] + ([E.HARNESS] if E.HARNESS in table.columns else [])
    return table.sort_values(by, kind="stable").reset_index(drop=True)


def _read_elicitation(
    table: pd.DataFrame, df: pd.DataFrame, harness: str | None, effort: str | None
) -> pd.DataFrame:
    """``table`` with the ``harness`` and ``effort`` labels of ``df``'s columns (blank cells,
    or no column, :data:`irtgap.data.elicitation.DEFAULT`)."""
    table = table.copy()
    for label, col in ((E.HARNESS, harness), (E.EFFORT, effort)):
        if col is not None:
            require_columns(df, {label: col})
            table[label] = _text(df[col]).fillna(E.DEFAULT)
        else:
            table[label] = pd.Series(E.DEFAULT, index=table.index, dtype="string")
    return table


def _rows_within(rows: pd.DataFrame | None, scores: pd.DataFrame) -> pd.DataFrame | None:
    """The elicitation ``rows`` of the models and benchmarks that ``scores`` keeps."""
    if rows is None:
        return None
    keep = rows[D.MODEL].isin(set(scores[D.MODEL])) & rows[D.BENCHMARK].isin(
        set(scores[D.BENCHMARK])
    )
    return rows[keep].reset_index(drop=True)


def _harness_by_source(
    table: pd.DataFrame, rows: pd.DataFrame | None, log: dict[str, Any]
) -> pd.DataFrame:
    """``describe(by="source")`` with, per benchmark, how its harness was read
    (``harness_read``, from the loader), the repeated runs of one (version, harness) merged
    (``harness_runs_merged``, part of ``dropped_duplicates_merged``) and, from the
    elicitation rows: rows kept, harness labels, (version, benchmark) pairs under several
    harnesses."""
    table = table.copy()
    if "harness_read" not in table.columns:
        table["harness_read"] = "none named (default)"
    table["harness_read"] = table["harness_read"].fillna("none named (default)")
    runs = pd.Series(log.get("repeated_runs_by_benchmark", {}), dtype="float64")
    table["harness_runs_merged"] = runs.reindex(table.index)
    if rows is None:
        return table
    per = rows.groupby([D.BENCHMARK, D.MODEL])[E.HARNESS].nunique()
    by_bench = per.groupby(level=0)
    labelled = rows[rows[E.HARNESS] != E.DEFAULT].groupby(D.BENCHMARK)[E.HARNESS].nunique()
    counts = {
        "harness_rows_kept": rows.groupby(D.BENCHMARK).size(),
        "harness_labels": labelled,
        "harness_pairs_several": by_bench.apply(lambda s: int((s > 1).sum())),
    }
    for col, values in counts.items():
        table[col] = values.reindex(table.index)
    return table


def _pair_first(table: pd.DataFrame) -> pd.Series:
    """Per row: the first row of its (model, benchmark) pair."""
    return ~table.duplicated([D.MODEL, D.BENCHMARK], keep="first")


def _names(option: str, value: Any) -> list[str]:
    """A name or a collection of names as a list; a single string is one name, not letters."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable) and not isinstance(value, bytes | Mapping):
        names = list(value)
        bad = [v for v in names if not isinstance(v, str)]
        if not bad:
            return names
        raise ScoreDataError(f"{option}: names must be strings, got {_rows(map(repr, bad), 5)}")
    raise ScoreDataError(
        f"{option}={value!r}: give a name or a list of names, not a {type(value).__name__}"
    )


def _text(values: pd.Series) -> pd.Series:
    """A column as stripped text, blanks as NA."""
    text = values.astype("string").str.strip()
    return text.where(text != "", pd.NA)


def _check_model_consistency(table: pd.DataFrame, columns: dict[str, str]) -> None:
    """Refuse a model whose rows disagree on a per-model column (blank cells do not count).

    ``columns`` maps each label (``date``, ``weights``, ...) to the caller's column name. Run on
    the raw rows, before duplicates merge.
    """
    for label, col in columns.items():
        sub = table[[D.MODEL, label]].dropna()
        n = sub.groupby(D.MODEL)[label].nunique()
        bad = list(n.index[n > 1])
        if not bad:
            continue
        parts = []
        for m in bad[:5]:
            rows = sub[sub[D.MODEL] == m]
            values = rows.groupby(label, sort=True).groups
            shown = ", ".join(
                f"{_value(v)!r} (row{'s' if len(idx) > 1 else ''} {_rows(idx, 4)})"
                for v, idx in values.items()
            )
            parts.append(f"{m!r}: {shown}")
        more = f"; ... ({len(bad)} models in all)" if len(bad) > 5 else ""
        raise ScoreDataError(
            f"column {col!r} ({label}) gives more than one value for a model across its rows: "
            f"{'; '.join(parts)}{more}. A model version has one {label}: fix the rows, or give "
            "separate model ids for separate versions."
        )


def _value(v: Any) -> Any:
    if isinstance(v, pd.Timestamp):
        return str(v.date()) if v == v.normalize() else str(v)
    return str(v)


def _fill_model_columns(table: pd.DataFrame) -> pd.DataFrame:
    """Blank group, country or organization cells take the model's value from its other rows."""
    table = table.copy()
    for label in (D.MODEL_GROUP, D.COUNTRY, D.ORGANIZATION):
        if table[label].isna().any() and table[label].notna().any():
            known = table[[D.MODEL, label]].dropna().drop_duplicates(D.MODEL)
            fill = table[D.MODEL].map(known.set_index(D.MODEL)[label])
            table[label] = table[label].fillna(fill)
    table[D.MODEL_GROUP] = table[D.MODEL_GROUP].fillna(table[D.MODEL])
    return table


def _check_sparse(
    table: pd.DataFrame,
    meta: pd.DataFrame,
    min_models: int,
    policy: Literal["raise", "drop"],
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int]]:
    counts = table.groupby(D.BENCHMARK)[D.MODEL].nunique()
    sparse = counts[counts < min_models]
    if sparse.empty:
        return table, meta, {}
    desc = ", ".join(f"{b!r} ({n} model{'s' if n != 1 else ''})" for b, n in sparse.items())
    if policy == "raise":
        raise ScoreDataError(
            f"benchmark(s) scored by fewer than {min_models} models: {desc}. A benchmark needs "
            "at least two models to say anything about relative capability; drop them or pass "
            "sparse_benchmarks='drop'."
        )
    _warn(
        f"dropped {len(sparse)} benchmark(s) scored by fewer than {min_models} models: {desc}",
        depth=1,
    )
    keep = ~table[D.BENCHMARK].isin(sparse.index)
    return table[keep], meta.drop(index=sparse.index, errors="ignore"), dict(sparse.astype(int))


def _read_columns(
    df: pd.DataFrame, spec: Mapping[str, str], optional: Mapping[str, str | None]
) -> pd.DataFrame:
    """The requested columns of ``df`` under their fixed names, parsed: stripped model and
    benchmark names (blank ones refused), numeric scores, dates, weights, and the optional
    columns as text (``provider`` defaults to first-party)."""
    model, benchmark, score = spec[D.MODEL], spec[D.BENCHMARK], spec[D.SCORE]
    table = pd.DataFrame(
        {
            D.MODEL: df[model].astype("string").str.strip(),
            D.BENCHMARK: df[benchmark].astype("string").str.strip(),
        },
        index=df.index,
    )
    for label, col in ((D.MODEL, model), (D.BENCHMARK, benchmark)):
        blank = table[label].isna() | (table[label] == "")
        if blank.any():
            raise ScoreDataError(
                f"column {col!r} ({label}) is empty in rows {_rows(df.index[blank])}"
            )
    numeric = pd.to_numeric(df[score], errors="coerce")
    if np.iscomplexobj(numeric.to_numpy()):
        raise ScoreDataError(f"column {score!r} (score) holds complex numbers: give real scores")
    table[D.SCORE] = numeric.astype(float)
    bad = table[D.SCORE].isna() & df[score].notna()
    if bad.any():
        raise ScoreDataError(
            f"column {score!r} (score) has non-numeric values in rows "
            f"{_rows(df.index[bad])}: {_rows(df.loc[bad, score].unique(), 4)}; give numbers, "
            "or leave the cell blank to drop the row"
        )
    table[D.DATE] = parse_dates(df[spec[D.DATE]], column=spec[D.DATE])
    table[D.WEIGHTS] = parse_weights(df[spec[D.WEIGHTS]], column=spec[D.WEIGHTS])
    provider = optional[D.PROVIDER]
    table[D.PROVIDER] = _text(df[provider]).fillna(D.FIRST_PARTY) if provider else D.FIRST_PARTY
    for label in (D.MODEL_GROUP, D.COUNTRY, D.ORGANIZATION):
        opt = optional[label]
        table[label] = _text(df[opt]) if opt else pd.NA
    return table.astype(
        {
            D.PROVIDER: "string",
            D.MODEL_GROUP: "string",
            D.COUNTRY: "string",
            D.ORGANIZATION: "string",
        }
    )


def _drop_unscored(
    table: pd.DataFrame, score: str, log: dict[str, Any]
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Rows with a score (the others are counted in ``log`` and warned about); also the rows
    left out per benchmark."""
    no_score = table[D.SCORE].isna()
    log["n_dropped_no_score"] = int(no_score.sum())
    if no_score.any():
        _warn(f"dropped {int(no_score.sum())} row(s) without a score in column {score!r}", depth=1)
    return table[~no_score], _count_by_benchmark(table, no_score)


def _drop_undated(
    table: pd.DataFrame,
    date: str,
    weights: str,
    log: dict[str, Any],
    no_score_by_bench: dict[str, int],
) -> pd.DataFrame:
    """Rows (merged pairs) with a release date and a weights label; the others are counted in
    ``log`` (with every reason's count per benchmark) and warned about."""
    no_date = table[D.DATE].isna()
    no_weights = table[D.WEIGHTS].isna()
    log["n_dropped_no_date"] = int(table.loc[no_date, "_n_raw"].sum())
    log["n_dropped_no_weights"] = int(table.loc[no_weights & ~no_date, "_n_raw"].sum())
    first = _pair_first(table)  # counts of pairs, whatever harnesses scored them
    if no_date.any():
        _warn(
            f"dropped {log['n_dropped_no_date']} row(s) without a release date in column "
            f"{date!r} ({int((no_date & first).sum())} model x benchmark pairs, "
            f"{table.loc[no_date, D.MODEL].nunique()} models)",
            depth=1,
        )
    if (no_weights & ~no_date).any():
        _warn(
            f"dropped {log['n_dropped_no_weights']} row(s) without a weights label "
            f"(open/closed) in column {weights!r}: models "
            f"{_rows(table.loc[no_weights & ~no_date, D.MODEL].unique(), 5)}",
            depth=1,
        )
    pair_raw = table.groupby([D.MODEL, D.BENCHMARK], sort=False)["_n_raw"].transform("sum")
    log["dropped_by_benchmark"] = {
        "no_score": no_score_by_bench,
        "duplicates_merged": _count_by_benchmark(table, (pair_raw - 1) * first),
        "no_date": _count_by_benchmark(table, no_date & first),
        "no_weights": _count_by_benchmark(table, no_weights & ~no_date & first),
    }
    # of the rows merged: repeated runs of one (model, benchmark, harness)
    log["repeated_runs_by_benchmark"] = _count_by_benchmark(table, table["_n_raw"] - 1)
    return table[~no_date & ~no_weights].drop(columns="_n_raw")


# ---------------------------------------------------------------------- inputs that would pass
def boolean_rows(values: pd.Series) -> pd.Series:
    """Which cells of a column hold booleans (``True`` / ``False``, NumPy's too).

    Parameters
    ----------
    values : pandas.Series
        A raw column.

    Returns
    -------
    pandas.Series
        Of bool, on the column's index.
    """
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.notna()
    if values.dtype != object:
        return pd.Series(False, index=values.index)
    return values.map(lambda v: isinstance(v, bool | np.bool_)).astype(bool)


def refuse_booleans(values: pd.Series, *, column: str) -> None:
    """Refuse a score column holding booleans: read as numbers they would pass as 0 and 1.

    Parameters
    ----------
    values : pandas.Series
        The raw score column.
    column : str
        Its name, for the message.

    Raises
    ------
    ScoreDataError
        Naming the column and the rows.
    """
    bad = boolean_rows(values)
    if bad.any():
        raise ScoreDataError(
            f"column {column!r} (score) holds booleans (True/False) in rows "
            f"{_rows(values.index[bad])}: a pass or fail is not a score. Give the share of items "
            "solved as a number (or leave the cell blank to drop the row)"
        )


def _spellings(raw: pd.Series, clean: pd.Series) -> dict[str, dict[str, list[Any]]]:
    """Per cleaned name, its raw spellings and their rows (only names with several)."""
    out: dict[str, dict[str, list[Any]]] = {}
    pairs = pd.DataFrame({"raw": raw.astype("string"), "clean": clean}).dropna()
    for name, g in pairs.groupby("clean", sort=True):
        forms = g.groupby("raw", sort=True).groups
        if len(forms) > 1:
            out[str(name)] = {str(k): list(v) for k, v in forms.items()}
    return out


def _show_forms(forms: Mapping[str, list[Any]]) -> str:
    return " and ".join(f"{k!r} (rows {_rows(v, 4)})" for k, v in forms.items())


def check_spellings(
    df: pd.DataFrame,
    table: pd.DataFrame,
    spec: Mapping[str, str],
    optional: Mapping[str, str],
) -> None:
    """Names of models and benchmarks that differ only by spaces, case or Unicode form.

    Surrounding spaces are stripped, so two spellings that differ only by them become one name:
    an :class:`~irtgap.core.errors.InputWarning` names them and their rows. Two names that are
    the same text in different Unicode forms (NFC: an accent composed or combining) look the
    same in every table: refused. Names that differ only by case or by compatibility forms
    (NFKC: full-width letters, ligatures) stay separate names, with an InputWarning, unless their
    model group ties them together.

    Parameters
    ----------
    df : pandas.DataFrame
        The caller's table.
    table : pandas.DataFrame
        The columns as read (stripped names, the model group).
    spec, optional : mapping
        The caller's column names by label.

    Raises
    ------
    ScoreDataError
        Names that are one text in two Unicode forms, naming the column and rows.
    """
    for label in (D.MODEL, D.BENCHMARK):
        col = spec[label]
        what = f"column {col!r} ({label})"
        merged = _spellings(df[col], table[label])
        if merged:
            shown = "; ".join(_show_forms(f) for f in list(merged.values())[:5])
            _warn_input(
                f"{what}: {len(merged)} name(s) differ only by surrounding spaces and were read "
                f"as one: {shown}",
                depth=1,
            )
        nfc = table[label].map(lambda v: unicodedata.normalize("NFC", v), na_action="ignore")
        same_text = _spellings(table[label], nfc)
        if same_text:
            shown = "; ".join(_show_forms(f) for f in list(same_text.values())[:5])
            raise ScoreDataError(
                f"{what} spells {len(same_text)} name(s) in two Unicode forms that look the "
                f"same: {shown}. They would count as separate {label}s; normalise the column "
                "(unicodedata.normalize('NFC', name))"
            )
        folded = nfc.map(lambda v: unicodedata.normalize("NFKC", v).casefold(), na_action="ignore")
        near = _spellings(table[label], folded)
        if label == D.MODEL and optional.get(D.MODEL_GROUP):
            groups = table.groupby(D.MODEL)[D.MODEL_GROUP].first()
            near = {
                k: f
                for k, f in near.items()
                if groups.reindex(list(f)).isna().any() or groups.reindex(list(f)).nunique() > 1
            }
        if near:
            shown = "; ".join(_show_forms(f) for f in list(near.values())[:5])
            more = f" ({len(near)} in all)" if len(near) > 5 else ""
            _warn_input(
                f"{what}: name(s) that differ only by case or Unicode compatibility form are "
                f"kept as separate {label}s: {shown}{more}. If they are one, give them one "
                "spelling" + (" (or one model_group)" if label == D.MODEL else ""),
                depth=1,
            )


def warn_unused_metadata(benchmarks: pd.DataFrame | None, names: Any, *, column: str) -> None:
    """Warn about rows of the benchmark metadata that name no benchmark of the scores.

    Parameters
    ----------
    benchmarks : pandas.DataFrame or None
        The checked metadata, indexed by benchmark.
    names : array-like
        The benchmark names of the scores.
    column : str
        The scores' benchmark column, for the message.
    """
    if benchmarks is None:
        return
    known = [str(n) for n in names]
    unused = [str(b) for b in benchmarks.index if str(b) not in set(known)]
    if not unused:
        return
    lower = {n.casefold(): n for n in known}

    def hint(name: str) -> str:
        close = difflib.get_close_matches(name.casefold(), list(lower), n=1, cutoff=0.8)
        return f" (did you mean {lower[close[0]]!r}?)" if close else ""

    shown = ", ".join(f"{b!r}{hint(b)}" for b in unused[:8])
    more = f", ... ({len(unused)} in all)" if len(unused) > 8 else ""
    _warn_input(
        f"benchmarks: {len(unused)} metadata row(s) name no benchmark of column {column!r} of the "
        f"scores, so their metadata is not used: {shown}{more}",
        depth=1,
    )


def _warn_input(message: str, *, depth: int = 0) -> None:
    """An InputWarning attributed to the caller of the function that warns."""
    warnings.warn(message, InputWarning, stacklevel=3 + depth)


def _empty_subset(data: ScoreData, asked: Mapping[str, Any]) -> str:
    """Why :meth:`ScoreData.subset` refuses to return no scores."""
    given = ", ".join(f"{k}={v!r}" for k, v in asked.items() if v is not None) or "no filter"
    dates = data.scores[D.DATE]
    return (
        f"subset({given}) leaves no scores (the data has {data.n_obs} scores of "
        f"{data.n_models} models on {data.n_benchmarks} benchmarks, released "
        f"{dates.min().date()} to {dates.max().date()}): loosen the filters"
    )
