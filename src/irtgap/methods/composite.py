"""The composite index: the mean of normalised scores over a fixed benchmark set.

This is the naive aggregate everyone quotes (Artificial Analysis Intelligence Index style):
``value_m = mean_b (s_mb - c_b) / (ceil_b - c_b)`` over a fixed set of benchmarks, for models scored
on at least ``min_coverage`` of the set (the mean is over the benchmarks a model has; a model
missing the hardest ones is flattered, which is one of the aggregate's flaws). The default set is
the ``n_benchmarks`` fraction-scale benchmarks scored by the most models released since
``since``. Intervals: bootstrap over the benchmark set (resampled with replacement), which shows
how much the answer leans on which benchmarks are in the index (``n_bootstrap=0``: the point
only, NaN intervals). The gap is the frontier time shift of :class:`CapabilityResult`.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from irtgap.core import dims as D
from irtgap.core.errors import ScoreDataError
from irtgap.core.validate import (
    check_count,
    check_date,
    check_level,
    check_names,
    check_number,
    check_seed,
)
from irtgap.data.elicitation import ElicitationLike, elicited, rule_used
from irtgap.data.scoredata import ScoreData
from irtgap.methods.capability import CapabilityResult, capability_table, model_draws
from irtgap.results import CI_PROB, MethodSettings


@dataclass(frozen=True)
class CompositeSettings(MethodSettings):
    """The settings of a :func:`composite_index` result (see its parameters): ``benchmarks``
    is the index's benchmark set."""

    benchmarks: tuple[str, ...] = ()
    min_coverage: float = 0.75
    n_bootstrap: int = 1000
    ci_prob: float = CI_PROB
    seed: int = 0
    elicitation: str = "best"


@dataclass
class CompositeResult(CapabilityResult):
    """Result of :func:`composite_index`."""

    method: ClassVar[str] = "composite"
    capability_unit: ClassVar[str] = "mean normalised score over the index's benchmarks"
    plot_title: ClassVar[str] = (
        "Composite index over time ({level:.0%} intervals: bootstrap over benchmarks)"
    )

    settings: CompositeSettings = field(default_factory=CompositeSettings)

    @classmethod
    def _settings_class(cls) -> type[MethodSettings]:
        return CompositeSettings


def composite_index(
    data: ScoreData,
    *,
    benchmarks: Sequence[str] | str | None = None,
    n_benchmarks: int = 6,
    since: str = "2024-01-01",
    min_coverage: float = 0.75,
    n_bootstrap: int = 1000,
    ci_prob: float = CI_PROB,
    seed: int = 0,
    elicitation: ElicitationLike | None = None,
) -> CompositeResult:
    """Mean normalised score over a fixed benchmark set, with its frontier gap.

    Parameters
    ----------
    data : ScoreData
        The scores.
    benchmarks : str or sequence of str, optional
        The index's benchmarks (a single string is one name; unknown or non-fraction names
        raise, listing those available). Default: the ``n_benchmarks`` fraction-scale benchmarks
        scored by the most models released since ``since``.
    n_benchmarks : int
        The size of the default set (6).
    since : date-like
        The default set counts models released since this date (2024-01-01).
    min_coverage : float
        Share of the set a model must be scored on, in (0, 1] (0.75).
    n_bootstrap, ci_prob, seed
        Resamples of the benchmark set (1000; 0: point only, NaN intervals), interval level,
        seed.
    elicitation : str, mapping or ElicitationRule, optional
        Which harness's score of a pair the method reads (``"best"``, ``"reference"``, a
        harness name, ``{benchmark: harness}``; None: the data as given), as
        :func:`~irtgap.data.elicitation.elicited` says; kept as ``settings.elicitation``.

    Returns
    -------
    CompositeResult
        The index.

    Examples
    --------
    >>> import irtgap
    >>> data = irtgap.load_dataset()
    >>> comp = irtgap.composite_index(data, n_bootstrap=100, seed=0)
    >>> comp.settings.benchmarks  # the six most-scored fraction benchmarks since 2024
    ('GPQA diamond', 'OTIS Mock AIME 2024-2025', 'ARC-AGI', 'ARC-AGI-2', 'WeirdML', 'MATH level 5')
    >>> comp.summary()[["date", "group", "n_defined", "method"]]  # at R1 and the last date
            date group  n_defined     method
    0 2025-01-20   all        100  composite
    1 2026-02-19   all        100  composite
    """
    n_benchmarks = check_count("n_benchmarks", n_benchmarks, minimum=1)
    since_ts = check_date("since", since)
    min_coverage = check_number("min_coverage", min_coverage, above=0.0, maximum=1.0)
    n_bootstrap = check_count("n_bootstrap", n_bootstrap, minimum=0)
    ci_prob = check_level("ci_prob", ci_prob)
    seed = check_seed("seed", seed)
    data = elicited(data, elicitation, method="composite_index")
    t = data.scores.assign(y=data.normalized_scores().to_numpy())
    t = t[t["y"].notna()]
    if benchmarks is None:
        recent = t[t[D.DATE] >= since_ts]
        benchmarks = list(
            recent.groupby(D.BENCHMARK)[D.MODEL].nunique().nlargest(n_benchmarks).index
        )
        if not benchmarks:
            raise ScoreDataError(
                f"composite_index: no fraction-scale benchmark has scores since {since!r}; pass "
                "an earlier since= or benchmarks=[...]"
            )
    else:
        benchmarks = check_names(
            "benchmarks", benchmarks, sorted(set(t[D.BENCHMARK])), what="fraction-scale benchmark"
        )
    wide = t[t[D.BENCHMARK].isin(benchmarks)].pivot_table(
        index=D.MODEL, columns=D.BENCHMARK, values="y"
    )[list(benchmarks)]
    keep = wide.notna().mean(axis=1) >= min_coverage
    wide = wide[keep]
    if wide.empty:
        raise ScoreDataError(
            f"no model is scored on at least {min_coverage:.0%} of the composite's benchmarks "
            f"{list(benchmarks)}; lower min_coverage or pass other benchmarks"
        )
    vals = wide.to_numpy()
    point = np.nanmean(vals, axis=1)
    if n_bootstrap:
        rng = np.random.default_rng(seed)
        picks = rng.integers(0, vals.shape[1], size=(n_bootstrap, vals.shape[1]))
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a resample of only missing ones
            boot = np.nanmean(vals[:, picks], axis=2).T  # (n_bootstrap, models)
        boot = np.where(np.isnan(boot), point[None, :], boot)
    else:
        boot = point[None, :]  # the point once: no interval
    models = data.models.loc[wide.index]
    n_scored = wide.notna().sum(axis=1).to_numpy()
    caps = capability_table(models, point, boot, n_scored, ci_prob=ci_prob, n_refits=n_bootstrap)
    draws = model_draws(boot, list(wide.index), "composite")
    settings = CompositeSettings(
        benchmarks=tuple(benchmarks),
        min_coverage=min_coverage,
        n_bootstrap=n_bootstrap,
        ci_prob=ci_prob,
        seed=seed,
        elicitation=rule_used(data),
    )
    dropped = {"models_low_coverage": int((~keep).sum())}
    return CompositeResult(caps, draws, dropped, settings, data=data)
