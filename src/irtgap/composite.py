"""The composite index: the mean of normalised scores over a fixed benchmark set.

This is the naive aggregate everyone quotes (Artificial Analysis Intelligence Index style):
``value_m = mean_b (s_mb - c_b) / (ceil_b - c_b)`` over a fixed set of benchmarks, for models scored
on at least ``min_coverage`` of the set (the mean is over the benchmarks a model has; a model
missing the hardest ones is flattered, which is one of the aggregate's flaws). The default set is
the ``n_benchmarks`` fraction-scale benchmarks scored by the most models released since
``since``. Intervals: bootstrap over the benchmark set (resampled with replacement), which shows
how much the answer leans on which benchmarks are in the index.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from irtgap import _dims as D
from irtgap.capability import CapabilityResult, model_draws
from irtgap.errors import ScoreDataError
from irtgap.scoredata import ScoreData


@dataclass
class CompositeResult(CapabilityResult):
    """Result of :func:`composite_index`."""

    value_column: str = "composite"
    label: str = "mean normalised score over the index's benchmarks"
    title: str = "Composite index over time (90% interval: bootstrap over benchmarks)"


def composite_index(
    data: ScoreData,
    *,
    benchmarks: Sequence[str] | None = None,
    n_benchmarks: int = 6,
    since: str = "2024-01-01",
    min_coverage: float = 0.75,
    n_bootstrap: int = 1000,
    ci: float = 0.9,
    seed: int = 0,
) -> CompositeResult:
    """Mean normalised score over a fixed benchmark set, with its frontier gap."""
    t = data.scores.assign(y=data.normalized_scores().to_numpy())
    t = t[t["y"].notna()]
    if benchmarks is None:
        recent = t[t[D.DATE] >= pd.Timestamp(since)]
        benchmarks = list(
            recent.groupby(D.BENCHMARK)[D.MODEL].nunique().nlargest(n_benchmarks).index
        )
    unknown = sorted(set(benchmarks) - set(t[D.BENCHMARK]))
    if unknown:
        raise ScoreDataError(f"composite benchmarks not in the data (or not fractions): {unknown}")
    wide = t[t[D.BENCHMARK].isin(benchmarks)].pivot_table(
        index=D.MODEL, columns=D.BENCHMARK, values="y"
    )[list(benchmarks)]
    keep = wide.notna().mean(1) >= min_coverage
    wide = wide[keep]
    if wide.empty:
        raise ScoreDataError("no model is scored on enough of the composite's benchmarks")
    vals = wide.to_numpy()
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, vals.shape[1], size=(n_bootstrap, vals.shape[1]))
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a resample of only missing benchmarks
        boot = np.nanmean(vals[:, picks], axis=2).T  # (n_bootstrap, models)
    point = np.nanmean(vals, axis=1)
    boot = np.where(np.isnan(boot), point[None, :], boot)
    models = data.models.loc[wide.index]
    caps = models[[D.DATE, D.WEIGHTS]].copy()
    caps["composite"] = point
    caps["ci_low"], caps["ci_high"] = np.quantile(boot, [(1 - ci) / 2, 1 - (1 - ci) / 2], axis=0)
    caps["n_benchmarks"] = wide.notna().sum(1).to_numpy()
    draws = model_draws(boot, list(wide.index), "composite")
    settings: dict[str, Any] = dict(
        benchmarks=list(benchmarks),
        min_coverage=min_coverage,
        n_bootstrap=n_bootstrap,
        ci=ci,
        seed=seed,
    )
    dropped = {"models_low_coverage": int((~keep).sum())}
    return CompositeResult(caps.sort_values("composite", ascending=False), draws, dropped, settings)
