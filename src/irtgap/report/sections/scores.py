"""The ECI-style, Elo-style and composite section of ``irtgap report``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from irtgap.analyses.compare import last_with_data
from irtgap.core import dims as D
from irtgap.core.validate import check_dates
from irtgap.data.scoredata import ScoreData
from irtgap.methods.composite import composite_index
from irtgap.methods.eci import fit_eci
from irtgap.methods.elo import fit_elo
from irtgap.report.build import batch_progress
from irtgap.report.markdown import markdown_table, save_figure


def scores_section(
    data: ScoreData,
    out_dir: Path,
    *,
    fast: bool = False,
    seed: int = 0,
    log: Callable[[str], None] | None = None,
) -> str:
    """ECI, Elo and composite figures, and every method's gap side by side."""

    nb = 50 if fast else None
    eci = fit_eci(
        data,
        n_bootstrap=nb or 500,
        seed=seed,
        n_jobs=-1,
        progress=batch_progress(log, "ECI bootstrap refits"),
    )
    elo = fit_elo(
        data,
        n_bootstrap=nb or 200,
        seed=seed,
        n_jobs=-1,
        progress=batch_progress(log, "Elo bootstrap refits"),
    )
    comp = composite_index(data, n_bootstrap=nb or 1000, seed=seed)
    pngs = [
        save_figure(eci.plot_capabilities(), out_dir / "eci_capabilities.png"),
        save_figure(elo.plot_capabilities(), out_dir / "elo_capabilities.png"),
        save_figure(comp.plot_capabilities(), out_dir / "composite_capabilities.png"),
    ]
    last = min(last_with_data(r) or data.scores[D.DATE].max() for r in (eci, elo, comp))
    when = check_dates("dates", ["2025-01-20", last])
    rows = [
        eci.gap(when, rule="frontier_shift"),
        eci.gap(when, rule="epoch"),
        elo.gap(when, ci_prob=0.9),
        comp.gap(when),
    ]
    table = pd.concat(rows)[[D.DATE, "method", "median", "lower", "upper"]]
    table[D.DATE] = pd.to_datetime(table[D.DATE]).dt.date
    table = table.set_index("method")
    top = eci.top_models()[[D.WEIGHTS, "eci", "ci_low", "ci_high", "n_benchmarks"]]
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
            markdown_table(table),
            *[f"![{p}]({p})" for p in pngs],
            "### Top ten closed and open models by ECI",
            markdown_table(top),
        ]
    )
