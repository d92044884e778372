"""The data section of ``irtgap report``: what the data hold and what was dropped."""

from __future__ import annotations

from pathlib import Path

from irtgap.data.scoredata import ScoreData
from irtgap.report.context import ReportContext
from irtgap.report.markdown import markdown_table, save_figure


def data_section(ctx: ReportContext) -> str:
    """What the data hold: counts, what was dropped, coverage matrix, scores over time."""
    from irtgap.plotting.overview import (
        counts_table,
        newest_models,
        plot_coverage,
        plot_scores_over_time,
    )

    data, out_dir = ctx.data, ctx.out_dir
    d = data.describe()
    cov = save_figure(plot_coverage(data), out_dir / "coverage.png")
    sc = save_figure(plot_scores_over_time(data), out_dir / "scores_over_time.png")
    desc = d.to_frame("value")
    desc.index.name = "quantity"
    counts = counts_table(data)
    return "\n\n".join(
        [
            "## The data",
            f"{d['n_observations']} scores of {d['n_models']} models ({d['n_open_models']} open, "
            f"{d['n_closed_models']} closed) on {d['n_benchmarks']} benchmarks "
            f"({d['n_public_benchmarks']} public, {d['n_private_benchmarks']} private), released "
            f"{d['date_min']} to {d['date_max']}. Of {d['n_raw_rows']} raw rows, "
            f"{d['n_dropped_no_date']} had no release date and {d['n_dropped_no_weights']} no "
            f"weights label (dropped); {d['n_duplicate_rows_merged']} repeated an existing "
            f"(model, benchmark) pair and were merged (policy: {d['duplicates_policy']}). "
            f"Benchmarks dropped for too few models: {d['dropped_benchmarks']}.",
            markdown_table(desc.astype(str)),
            f"![coverage]({cov})",
            f"![scores over time]({sc})",
            "### Scores per benchmark",
            markdown_table(counts),
            "### Newest models on each side",
            markdown_table(newest_models(data)),
            *_sources_part(data),
        ]
    )


def _sources_part(data: ScoreData) -> list[str]:
    """Rows read and dropped per file of a Hub export (nothing for a long table)."""
    if not data.log.get("sources"):
        return []
    src = data.describe(by="source")
    cols = [c for c in src.columns if c.startswith(("rows_", "dropped_"))]
    src = src[["file", *cols, "pairs_kept", "status"]]
    unknown = data.log.get("unregistered_files") or []
    note = (
        f" Files the benchmark registry does not describe were skipped: {', '.join(unknown)}."
        if unknown
        else " Every file of the export is in the benchmark registry."
    )
    return [
        "### Rows read and dropped, per file of the export",
        f"From `{Path(str(data.log.get('source', ''))).name}`; "
        f"{data.log.get('n_accessibility_from_overrides', 0)} versions without an accessibility "
        "label in Epoch's index took it from irtgap's override table (with provenance); "
        f"{data.log.get('n_hosted_versions', 0)} versions are third-party-hosted copies." + note,
        markdown_table(src),
    ]
