"""Every method's gap on the same data, side by side, in the shared gap-table shape."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from irtgap.core.validate import check_dates
from irtgap.data.scoredata import ScoreData
from irtgap.methods.bayes.model import GapModel
from irtgap.methods.composite import composite_index
from irtgap.methods.eci import fit_eci
from irtgap.methods.elo import fit_elo
from irtgap.methods.threshold import threshold_gap
from irtgap.results import METHODS as RESULT_METHODS
from irtgap.results import GapResult

#: What :func:`compare` can run: every method of :data:`irtgap.results.METHODS`, and
#: ``"eci_epoch"``, the ECI result read with Epoch's rule.
COMPARE_METHODS = (*RESULT_METHODS[:2], "eci_epoch", *RESULT_METHODS[2:])


def last_with_data(result: GapResult) -> pd.Timestamp:
    """The last date where every group of a result's gap has data."""
    return min(pd.Timestamp(end) for _, end in result.group_support().values())


def compare(
    data: ScoreData,
    dates: Sequence[Any] | None = None,
    *,
    methods: Sequence[str] | str = ("threshold", "eci", "eci_epoch", "elo", "composite"),
    seed: int = 0,
    fast: bool = False,
    fit_kwargs: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """The gap in months by each method at ``dates``, side by side.

    By default the dates are DeepSeek R1's release (2025-01-20) and the last date at which
    *every* bootstrap method has data (the earliest of their last dates with data: the threshold
    trend ends at its last datapoint, the capability methods at their last fitted model), so
    that every method answers at the same date.

    Returns the shared gap table (:data:`irtgap.results.GAP_COLUMNS`) with one block per
    method; ``method`` holds the names of ``methods``. Group ``all`` pools every benchmark
    (threshold, ECI, Elo, composite); the threshold method also gives ``public`` and ``private``;
    the Bayesian model gives ``capability`` (its gap without the public-benchmark advantage, which
    equals its ``private``), ``public`` and ``private``. The Bayesian fit is opt-in
    (``methods`` containing ``"bayesian"``): it takes minutes; ``fit_kwargs`` go to
    :meth:`GapModel.fit <irtgap.GapModel.fit>`. ``fast`` uses fewer bootstrap resamples and
    draws. A single string in ``methods`` is one method.

    Each method's own rules apply: a date outside the range where that method has data is NaN
    with a warning, as is a date where fewer than 90% of its draws are defined; the Epoch rule
    has no interval (NaN ``lower`` / ``upper``).

    Examples
    --------
    Two quick methods on the bundled data (``fast``: 100 bootstrap resamples each), at R1's
    release and at the last date where both have data:

    >>> import irtgap
    >>> data = irtgap.load_dataset()
    >>> table = irtgap.compare(data, methods=["threshold", "composite"], fast=True)
    >>> table[["date", "group", "n_defined", "method"]]
            date    group  n_defined     method
    0 2025-01-20      all        100  threshold
    1 2026-01-27      all        100  threshold
    2 2025-01-20   public        100  threshold
    3 2026-01-27   public        100  threshold
    4 2025-01-20  private        100  threshold
    5 2026-01-27  private        100  threshold
    6 2025-01-20      all        100  composite
    7 2026-01-27      all        100  composite
    """
    methods = [methods] if isinstance(methods, str) else list(methods)
    unknown = sorted(set(map(str, methods)) - set(COMPARE_METHODS))
    if unknown or not methods:
        raise ValueError(f"unknown method(s) {unknown or methods}; known: {list(COMPARE_METHODS)}")
    when = None if dates is None else check_dates("dates", dates)
    nb = 100 if fast else None
    results: dict[str, Any] = {}  # GapResult; the ECI rule and the Bayesian groups differ
    for method in dict.fromkeys(methods):
        if method == "threshold":
            results[method] = threshold_gap(data, n_bootstrap=nb or 5000, seed=seed)
        elif method in ("eci", "eci_epoch"):
            eci = results.get("eci") or results.get("eci_epoch")
            results[method] = eci or fit_eci(data, n_bootstrap=nb or 500, seed=seed, n_jobs=-1)
        elif method == "elo":
            results[method] = fit_elo(data, n_bootstrap=nb or 200, seed=seed)
        elif method == "composite":
            results[method] = composite_index(data, n_bootstrap=nb or 1000, seed=seed)
        else:
            kw: dict[str, Any] = {"draws": 300, "tune": 300, "chains": 2} if fast else {}
            kw.update(fit_kwargs or {})
            results[method] = GapModel().fit(data, seed=seed, progressbar=False, **kw)
    if when is None:
        last = min(last_with_data(r) for r in results.values())
        when = check_dates("dates", ["2025-01-20", last])
    tables = []
    for method, res in results.items():
        if method == "threshold":
            t = res.gap(when)
        elif method in ("eci", "eci_epoch"):
            t = res.gap(when, rule="epoch" if method == "eci_epoch" else "frontier_shift")
        elif method == "bayesian":  # "capability" (no public advantage), "public", "private"
            t = pd.concat([res.gap(when), res.gap(when, by="access")], ignore_index=True)
        else:
            t = res.gap(when)
        tables.append(t)
    return pd.concat(tables, ignore_index=True)
