"""The threshold method's section of ``irtgap report``."""

from __future__ import annotations

import pandas as pd

from irtgap.core import dims as D
from irtgap.methods.threshold import ThresholdResult
from irtgap.report.context import ReportContext
from irtgap.report.markdown import markdown_table, save_figure


def threshold_section(ctx: ReportContext) -> str:
    """Threshold section of ``irtgap report``: the two figures and the current-gap table."""
    data, out_dir = ctx.data, ctx.out_dir
    res = ctx.result("threshold")
    assert isinstance(res, ThresholdResult)
    gaps_png = save_figure(res.plot_points(), out_dir / "threshold_gaps.png")
    bench = (
        "GPQA diamond" if "GPQA diamond" in data.benchmarks.index else data.coords[D.BENCHMARK][0]
    )
    bench_png = save_figure(res.plot_benchmark(bench), out_dir / "threshold_gpqa.png")
    last = res.trend.sort_values(D.DATE).groupby(D.GROUP).tail(1).set_index(D.GROUP)
    at_r1 = res.gap(["2025-01-20"]).set_index(D.GROUP)
    table = pd.DataFrame(
        {
            "gap at last date": last["gap"],
            "lower": last["lower"],
            "upper": last["upper"],
            "last date": last[D.DATE].dt.date,
            "bootstrap median at 2025-01-20": at_r1["median"],
        }
    )
    c = res.acceptance_counts
    n_open_pending = int((res.pending.get("leader") == D.CLOSED).sum()) if len(res.pending) else 0
    return "\n\n".join(
        [
            "## Threshold method (Ihle, 2026)",
            "First closed vs first open model to reach each score level on each benchmark; the gap "
            "is the difference of their release dates, placed at the open model's date, smoothed "
            "with a 60-day Gaussian kernel; 90% band from a bootstrap that resamples benchmarks "
            "(all the points of a benchmark together).",
            markdown_table(table),
            f"{len(res.points)} datapoints, {int(res.points['accepted'].sum())} accepted; "
            f"rejected by the dominance rule: {c['dominance']}, by override: "
            f"{c['override_reject']}; thresholds still open-pending: {n_open_pending}.",
            f"![threshold gaps]({gaps_png})",
            f"![{bench} timeline]({bench_png})",
        ]
    )
