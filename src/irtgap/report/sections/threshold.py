"""The threshold method's section of ``irtgap report``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from irtgap.core import dims as D
from irtgap.data.scoredata import ScoreData
from irtgap.methods.threshold import threshold_gap
from irtgap.report.markdown import markdown_table, save_figure


def threshold_section(
    data: ScoreData,
    out_dir: Path,
    *,
    fast: bool = False,
    seed: int = 0,
    log: Callable[[str], None] | None = None,
) -> str:
    """Threshold section of ``irtgap report``: the two figures and the current-gap table."""

    res = threshold_gap(data, n_bootstrap=500 if fast else 5000, seed=seed)
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
