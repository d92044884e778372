"""`irtgap report`: figures and a Markdown report a person can read.

The report is a list of sections. Each section is a callable
``section(data, out_dir, *, fast, seed) -> str`` that writes its PNGs into ``out_dir`` and returns
Markdown that links them by file name. Sections are registered in :data:`SECTIONS` by import path
(``"module:function"``) and resolved lazily, so a section that fails is reported in ``report.md``
(and as a warning) instead of sinking the whole report. To add a method to the report, write its
section function in the method's module and append it here.
"""

from __future__ import annotations

import importlib
import time
import traceback
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from irtgap.scoredata import ScoreData

Section = Callable[..., str]

#: (name, "module:function") in report order.
SECTIONS: list[tuple[str, str]] = [
    ("overview", "irtgap.report:overview_section"),
    ("threshold", "irtgap.threshold:report_section"),
    ("scores", "irtgap.compare:report_section"),
    ("bayes", "irtgap.report_bayes:bayes_section"),
]


def _table(df: pd.DataFrame, floatfmt: str = "{:.2f}") -> str:
    """A DataFrame as a Markdown table (no extra dependency)."""
    cols = [str(df.index.name or "")] + [str(c) for c in df.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for idx, row in df.iterrows():
        cells = [str(idx)]
        for v in row:
            cells.append(floatfmt.format(v) if isinstance(v, float) else str(v))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _save(fig_or_ax: object, path: Path) -> str:
    fig = getattr(fig_or_ax, "figure", fig_or_ax)
    fig.savefig(path, dpi=110)  # type: ignore[attr-defined]
    import matplotlib.pyplot as plt

    plt.close(fig)  # type: ignore[arg-type]
    return path.name


def overview_section(data: ScoreData, out_dir: Path, *, fast: bool = False, seed: int = 0) -> str:
    """What the data hold: counts, what was dropped, coverage matrix, scores over time."""
    from irtgap.overview import (
        counts_table,
        newest_models,
        plot_coverage,
        plot_scores_over_time,
    )

    d = data.describe()
    cov = _save(plot_coverage(data), out_dir / "coverage.png")
    sc = _save(plot_scores_over_time(data), out_dir / "scores_over_time.png")
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
            _table(desc.astype(str)),
            f"![coverage]({cov})",
            f"![scores over time]({sc})",
            "### Scores per benchmark",
            _table(counts),
            "### Newest models on each side",
            _table(newest_models(data)),
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
        _table(src),
    ]


def _resolve(path: str) -> Section:
    module, func = path.split(":")
    return getattr(importlib.import_module(module), func)  # type: ignore[no-any-return,unused-ignore]


def write_report(
    data: ScoreData,
    out_dir: str | Path,
    *,
    sections: Sequence[str] | None = None,
    fast: bool = False,
    seed: int = 0,
    data_label: str = "bundled Epoch AI Hub export (April 2026)",
    log: Callable[[str], None] | None = None,
) -> Path:
    """Write every section's figures and ``report.md`` into ``out_dir``; return the report path.

    A section that fails is written as a failure note and the others go on; after writing the
    report, :class:`ReportSectionError` names the failed sections (the command exits 1).

    Parameters
    ----------
    sections : sequence of str, optional
        Names from :data:`SECTIONS` (default: all).
    fast : bool
        Fewer bootstrap resamples and MCMC draws (for tests and previews).
    log : callable, optional
        Receives progress lines (the CLI passes one that prints to stderr).
    """
    import matplotlib

    matplotlib.use("Agg")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    wanted = list(sections) if sections is not None else [n for n, _ in SECTIONS]
    known = dict(SECTIONS)
    unknown = [w for w in wanted if w not in known]
    if unknown:
        raise ValueError(f"unknown report section(s) {unknown}; known: {list(known)}")
    failed: dict[str, str] = {}
    parts = [
        "# irtgap report: how far behind are open-weight models?",
        f"Data: {data_label}. Gaps are in months (days / 30.44); every interval is 90% unless "
        "stated. Generated by irtgap.",
    ]
    for name in wanted:
        if log:
            log(f"writing section {name}...")
        t0 = time.perf_counter()
        try:
            parts.append(_resolve(known[name])(data, out, fast=fast, seed=seed))
        except Exception as exc:  # one failed section must not sink the others
            tb = traceback.format_exc(limit=3)
            failed[name] = f"{type(exc).__name__}: {exc}"
            warnings.warn(f"report section {name!r} failed: {exc}", RuntimeWarning, stacklevel=2)
            parts.append(f"## {name}\n\nThis section failed: `{exc!r}`\n\n```\n{tb}\n```")
            if log:
                log(f"  {name} FAILED after {time.perf_counter() - t0:.1f} s: {exc}")
            continue
        if log:
            log(f"  {name} done in {time.perf_counter() - t0:.1f} s")
    path = out / "report.md"
    path.write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    if failed:
        raise ReportSectionError(path, failed)
    return path


class ReportSectionError(RuntimeError):
    """Raised by :func:`write_report` after writing ``report.md`` when any section failed.

    ``path`` is the report (the other sections are in it); ``failed`` maps each failed section
    to its error.
    """

    def __init__(self, path: Path, failed: dict[str, str]) -> None:
        self.path = path
        self.failed = dict(failed)
        detail = "; ".join(f"{k}: {v}" for k, v in failed.items())
        super().__init__(
            f"{len(failed)} report section(s) failed ({detail}); the others are in {path}"
        )
