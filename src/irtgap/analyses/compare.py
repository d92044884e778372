"""Every method's gap on the same data, side by side, in the shared gap-table shape."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from irtgap.core.validate import check_dates
from irtgap.data.scoredata import ScoreData
from irtgap.methods.registry import (
    base_method,
    derived_result,
    gap_table,
    get_method,
    method_names,
    run_method,
)
from irtgap.results import GapResult

#: What :func:`compare` can run: every method of :data:`irtgap.results.METHODS`.
COMPARE_METHODS = method_names()


def last_with_data(result: GapResult) -> pd.Timestamp:
    """The last date where every group of a result's gap has data.

    Parameters
    ----------
    result : GapResult
        Any method's result.

    Returns
    -------
    pandas.Timestamp
        The earliest of its groups' last dates.
    """
    return min(pd.Timestamp(end) for _, end in result.group_support().values())


def run_methods(
    data: ScoreData,
    methods: Sequence[str],
    *,
    budget: str = "full",
    seed: int = 0,
    method_kwargs: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, GapResult]:
    """Each method's result on ``data``, a method derived from another's result (Epoch's rule
    from the ECI fit) reusing that run.

    Parameters
    ----------
    data : ScoreData
        The scores.
    methods : sequence of str
        Names of :func:`irtgap.methods.registry.method_names` (duplicates run once).
    budget : str
        The budget tier (:data:`irtgap.methods.registry.TIERS`).
    seed : int
        Every run's seed.
    method_kwargs : dict, optional
        ``{method: {option: value}}`` over the budget's options (a derived method's base run
        takes the base method's options).

    Returns
    -------
    dict
        ``{method: result}`` in the order of ``methods``.
    """
    kwargs = dict(method_kwargs or {})
    runs: dict[str, GapResult] = {}
    results: dict[str, GapResult] = {}
    for name in dict.fromkeys(methods):
        base = base_method(name)
        if base not in runs:
            spec = get_method(base)
            extra = {"n_jobs": -1} if spec.parallel else {}
            options = {**extra, **kwargs.get(base, {})}
            runs[base] = run_method(base, data, budget=budget, seed=seed, **options)
        results[name] = derived_result(name, runs[base])
    return results


def compare(
    data: ScoreData,
    dates: Sequence[Any] | None = None,
    *,
    methods: Sequence[str] | str = ("threshold", "eci", "eci_epoch", "elo", "composite"),
    seed: int = 0,
    fast: bool = False,
    fit_kwargs: dict[str, Any] | None = None,
    method_kwargs: Mapping[str, Mapping[str, Any]] | None = None,
) -> pd.DataFrame:
    """The gap in months by each method at ``dates``, side by side.

    By default the dates are DeepSeek R1's release (2025-01-20) and the last date at which
    *every* method has data (the earliest of their last dates with data: the threshold trend
    ends at its last datapoint, the capability methods at their last fitted model), so that
    every method answers at the same date.

    Group ``all`` pools every benchmark (threshold, ECI, Elo, composite); the threshold method
    also gives ``public`` and ``private``; the Bayesian model gives ``capability`` (its gap
    without the public-benchmark advantage, which equals its ``private``), ``public`` and
    ``private``. Each method's own rules apply: a date outside the range where that method has
    data is NaN with a warning, as is a date where fewer than 90% of its draws are defined; the
    Epoch rule has no interval (NaN ``lower`` / ``upper``).

    Parameters
    ----------
    data : ScoreData
        The scores.
    dates : sequence of dates, optional
        Where to read the gaps (default: see above).
    methods : str or sequence of str
        Names of :data:`COMPARE_METHODS` (a single string is one method). The Bayesian fit is
        opt-in (``"bayesian"``): it takes minutes.
    seed : int
        Every method's seed.
    fast : bool
        Short runs: the ``"fast"`` budgets of :mod:`irtgap.methods.registry` (100 bootstrap
        resamples per method; 300 draws, 300 tuning steps and 2 chains for the Bayesian fit)
        instead of ``"full"`` (5,000 / 500 / 200 / 1,000 resamples for threshold / ECI / Elo /
        composite; 1,000 draws and tuning steps on 4 chains).
    fit_kwargs : dict, optional
        Options of :meth:`GapModel.fit <irtgap.GapModel.fit>` for the Bayesian fit (the same as
        ``method_kwargs={"bayesian": fit_kwargs}``).
    method_kwargs : dict, optional
        ``{method: {option: value}}`` over each method's budget.

    Returns
    -------
    pandas.DataFrame
        The shared gap table (:data:`irtgap.results.GAP_COLUMNS`) with one block per method;
        ``method`` holds the names of ``methods``.

    Raises
    ------
    ValueError
        An unknown method (or none).

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
    kwargs = {k: dict(v) for k, v in (method_kwargs or {}).items()}
    if fit_kwargs:
        kwargs["bayesian"] = {**fit_kwargs, **kwargs.get("bayesian", {})}
    results = run_methods(
        data, methods, budget="fast" if fast else "full", seed=seed, method_kwargs=kwargs
    )
    if when is None:
        last = min(last_with_data(r) for r in results.values())
        when = check_dates("dates", ["2025-01-20", last])
    return pd.concat([gap_table(r, when) for r in results.values()], ignore_index=True)
