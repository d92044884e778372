"""Every method's gap on the same data, side by side, in the shared gap-table shape."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from irtgap import _dims as D
from irtgap._validate import check_dates
from irtgap.scoredata import ScoreData

METHODS = ("threshold", "eci", "eci_epoch", "elo", "composite", "bayesian")


def _last_with_data(result: Any) -> pd.Timestamp | None:
    """The last date a method's gap has data."""
    from irtgap.capability import CapabilityResult
    from irtgap.threshold import ThresholdResult

    if isinstance(result, ThresholdResult):
        return result.support()["all"][1]
    if isinstance(result, CapabilityResult):
        return result.support()[1]
    support = getattr(result, "support", None)  # a GapFit: the last modelled release date
    return pd.Timestamp(support()[1]) if callable(support) else None


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

    Returns the shared gap table (``date, group, mean, median, lower, upper, n_defined,
    method``) with one block per method. Group ``all`` pools every benchmark (threshold, ECI,
    Elo, composite); the threshold method also gives ``public`` and ``private``; the Bayesian
    model gives ``capability`` (its gap without the public-benchmark advantage, which equals its
    ``private``) and ``public``. The Bayesian fit is opt-in
    (``methods`` containing ``"bayesian"``): it takes minutes. ``fast`` uses fewer bootstrap
    resamples and draws. A single string in ``methods`` is one method.

    Each method's own rules apply: a date outside the range where that method has data is NaN
    with a warning, as is a date where fewer than 90% of its draws are defined; the Epoch rule
    has no interval (NaN ``lower`` / ``upper``).
    """
    from irtgap.composite import composite_index
    from irtgap.eci import fit_eci
    from irtgap.elo import fit_elo
    from irtgap.threshold import threshold_gap

    methods = [methods] if isinstance(methods, str) else list(methods)
    unknown = sorted(set(map(str, methods)) - set(METHODS))
    if unknown or not methods:
        raise ValueError(f"unknown method(s) {unknown or methods}; known: {list(METHODS)}")
    when = None if dates is None else check_dates("dates", dates)
    nb = 100 if fast else None
    results: dict[str, Any] = {}
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
            from irtgap.gapmodel import GapModel

            kw: dict[str, Any] = {"draws": 300, "tune": 300, "chains": 2} if fast else {}
            kw.update(fit_kwargs or {})
            results[method] = GapModel().fit(data, random_seed=seed, progressbar=False, **kw)
    if when is None:
        ends = [e for e in map(_last_with_data, results.values()) if e is not None]
        last = min(ends) if ends else data.scores[D.DATE].max()
        when = check_dates("dates", ["2025-01-20", last])
    tables = []
    for method, res in results.items():
        if method == "threshold":
            t = res.gap(when)
        elif method in ("eci", "eci_epoch"):
            t = res.gap(when, method="epoch" if method == "eci_epoch" else "frontier_shift")
        elif method == "elo":
            t = res.gap(when, ci=0.9)
        elif method == "composite":
            t = res.gap(when)
        else:  # "capability" (no public advantage), and "public" / "private"
            t = pd.concat([res.gap(when), res.gap(when, by="access")], ignore_index=True)
        tables.append(t)
    cols = [D.DATE, D.GROUP, "mean", "median", "lower", "upper", "n_defined", "method"]
    return pd.concat([t[cols] for t in tables], ignore_index=True)


def report_section(data: ScoreData, out_dir: Any, *, fast: bool = False, seed: int = 0) -> str:
    """ECI, Elo and composite figures, and every method's gap side by side."""
    from irtgap.composite import composite_index
    from irtgap.eci import fit_eci
    from irtgap.elo import fit_elo
    from irtgap.report import _save, _table

    nb = 50 if fast else None
    eci = fit_eci(data, n_bootstrap=nb or 500, seed=seed, n_jobs=-1)
    elo = fit_elo(data, n_bootstrap=nb or 200, seed=seed)
    comp = composite_index(data, n_bootstrap=nb or 1000, seed=seed)
    pngs = [
        _save(eci.plot_capabilities(), out_dir / "eci_capabilities.png"),
        _save(elo.plot_capabilities(), out_dir / "elo_capabilities.png"),
        _save(comp.plot_capabilities(), out_dir / "composite_capabilities.png"),
    ]
    last = min(_last_with_data(r) or data.scores[D.DATE].max() for r in (eci, elo, comp))
    when = check_dates("dates", ["2025-01-20", last])
    rows = [
        eci.gap(when, method="frontier_shift"),
        eci.gap(when, method="epoch"),
        elo.gap(when, ci=0.9),
        comp.gap(when),
    ]
    table = pd.concat(rows)[[D.DATE, "method", "median", "lower", "upper"]]
    table[D.DATE] = pd.to_datetime(table[D.DATE]).dt.date
    table = table.set_index("method")
    top = eci.summary()[[D.WEIGHTS, "eci", "ci_low", "ci_high", "n_benchmarks"]]
    top.index.name = "model"
    return "\n\n".join(
        [
            "## ECI-style, CAISI-style Elo and composite index",
            "ECI: Epoch's least-squares IRT (Winogrande anchored; Claude 3.5 Sonnet = 130, "
            f"GPT-5 = 150), {eci.settings['n_bootstrap']} bootstrap refits. Elo: one-slope IRT on "
            f"{', '.join(elo.settings['benchmarks'])}, trend lines through frontier models. "
            f"Composite: mean normalised score over {', '.join(comp.settings['benchmarks'])}. "
            "Gaps in months (median, 90% interval; the Epoch rule gives one number per date, "
            "with no interval). A blank cell: the method has no data there or too few of its "
            "bootstrap draws define the gap.",
            _table(table),
            *[f"![{p}]({p})" for p in pngs],
            "### Top ten closed and open models by ECI",
            _table(top),
        ]
    )
