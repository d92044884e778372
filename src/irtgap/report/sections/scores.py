"""The ECI-style, Elo-style and composite section of ``irtgap report``."""

from __future__ import annotations

import pandas as pd

from irtgap.analyses.compare import last_with_data
from irtgap.core import dims as D
from irtgap.core.validate import check_dates
from irtgap.methods.capability import CapabilityResult
from irtgap.report.context import ReportContext
from irtgap.report.markdown import markdown_table, save_figure

#: The capability methods of the section, and the gaps of its table (Epoch's rule after ECI).
CAPABILITY_METHODS = ("eci", "elo", "composite")
GAP_METHODS = ("eci", "eci_epoch", "elo", "composite")


def scores_section(ctx: ReportContext) -> str:
    """ECI, Elo and composite figures, and every method's gap side by side."""
    out_dir = ctx.out_dir
    caps = {m: ctx.result(m) for m in CAPABILITY_METHODS}
    eci, elo, comp = (caps[m] for m in CAPABILITY_METHODS)
    assert isinstance(eci, CapabilityResult)
    pngs = []
    for m, r in caps.items():
        assert isinstance(r, CapabilityResult)
        pngs.append(save_figure(r.plot_capabilities(), out_dir / f"{m}_capabilities.png"))
    last = min(last_with_data(r) or ctx.data.scores[D.DATE].max() for r in caps.values())
    when = check_dates("dates", ["2025-01-20", last])
    rows = [ctx.result(m).gap(when) for m in GAP_METHODS]
    table = pd.concat(rows)[[D.DATE, "method", "median", "lower", "upper"]]
    table[D.DATE] = pd.to_datetime(table[D.DATE]).dt.date
    table = table.set_index("method")
    top = eci.top_models()[[D.WEIGHTS, "estimate", "lower", "upper", "n_benchmarks"]]
    return "\n\n".join(
        [
            "## ECI-style, CAISI-style Elo and composite index",
            "ECI: Epoch's least-squares IRT (Winogrande anchored; Claude 3.5 Sonnet = 130, "
            f"GPT-5 = 150), {eci.settings.n_bootstrap} bootstrap refits. Elo: one-slope IRT on "
            f"{', '.join(elo.settings.benchmarks)}, trend lines through frontier models. "
            f"Composite: mean normalised score over {', '.join(comp.settings.benchmarks)}. "
            "Gaps in months (median, 90% interval; the Epoch rule gives one number per date, "
            "with no interval). A blank cell: the method has no data there or too few of its "
            "bootstrap draws define the gap.",
            markdown_table(table),
            *[f"![{p}]({p})" for p in pngs],
            "### Top ten closed and open models by ECI",
            markdown_table(top),
        ]
    )
