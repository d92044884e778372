"""Every method's gap on the same data, side by side, in the shared gap-table shape."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from irtgap import _dims as D
from irtgap.scoredata import ScoreData

METHODS = ("threshold", "eci", "eci_epoch", "elo", "composite", "bayesian")


def compare(
    data: ScoreData,
    dates: Sequence[Any] | None = None,
    *,
    methods: Sequence[str] = ("threshold", "eci", "eci_epoch", "elo", "composite"),
    seed: int = 0,
    fast: bool = False,
    fit_kwargs: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """The gap in months by each method at ``dates`` (DeepSeek R1's release and the last date).

    Returns the shared gap table (``date, group, mean, median, lower, upper, ..., method``) with
    one block per method; group ``all`` for every method (the threshold and Bayesian methods
    also give ``public`` and ``private``). The Bayesian fit is opt-in (``methods`` containing
    ``"bayesian"``): it takes minutes. ``fast`` uses fewer bootstrap resamples and draws.
    """
    from irtgap.composite import composite_index
    from irtgap.eci import fit_eci
    from irtgap.elo import fit_elo
    from irtgap.threshold import threshold_gap

    unknown = sorted(set(methods) - set(METHODS))
    if unknown:
        raise ValueError(f"unknown method(s) {unknown}; known: {list(METHODS)}")
    last = data.scores[D.DATE].max()
    when = pd.DatetimeIndex(pd.to_datetime(dates if dates is not None else ["2025-01-20", last]))
    nb = 100 if fast else None
    tables = []
    eci = None
    for method in methods:
        if method == "threshold":
            t = threshold_gap(data, n_bootstrap=nb or 5000, seed=seed).gap(when)
        elif method in ("eci", "eci_epoch"):
            eci = eci or fit_eci(data, n_bootstrap=nb or 500, seed=seed, n_jobs=-1)
            t = eci.gap(when, method="epoch" if method == "eci_epoch" else "frontier_shift")
        elif method == "elo":
            t = fit_elo(data, n_bootstrap=nb or 200, seed=seed).gap(when, ci=0.9)
        elif method == "composite":
            t = composite_index(data, n_bootstrap=nb or 1000, seed=seed).gap(when)
        else:
            from irtgap.gapmodel import GapModel

            kw: dict[str, Any] = {"draws": 300, "tune": 300, "chains": 2} if fast else {}
            kw.update(fit_kwargs or {})
            t = (
                GapModel()
                .fit(data, random_seed=seed, progressbar=False, **kw)
                .gap(when, by="access")
            )
        tables.append(t)
    cols = [D.DATE, D.GROUP, "mean", "median", "lower", "upper", "method"]
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
    last = data.scores[D.DATE].max()
    when = pd.DatetimeIndex(["2025-01-20", last])
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
            "Gaps in months (median, 90% interval; the Epoch rule's interval is the "
            "frontier-shift one).",
            _table(table),
            *[f"![{p}]({p})" for p in pngs],
            "### Top ten closed and open models by ECI",
            _table(top),
        ]
    )
