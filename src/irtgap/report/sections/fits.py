"""The last part of ``irtgap report``: where the report's Bayesian fits are and how to load one."""

from __future__ import annotations

from dataclasses import asdict

import pandas as pd

from irtgap.methods.bayes.model import GapModel
from irtgap.report.cache import CACHE_ENV
from irtgap.report.context import FitRun, ReportContext
from irtgap.report.markdown import markdown_table


def _model_text(run: FitRun) -> str:
    """The fit's settings that differ from the default model's (``default`` if none)."""
    default = asdict(GapModel().settings)
    own = asdict(run.fit.settings)
    diff = [f"{k}={v!r}" for k, v in own.items() if default.get(k) != v]
    return ", ".join(diff) if diff else "default"


def fits_md(ctx: ReportContext) -> str:
    """Markdown listing each fit of the report (its model, whether it was sampled or read from
    the fit cache, and its file) and how to load one; empty when the report made no fit.

    Parameters
    ----------
    ctx : ReportContext
        The report's context after its sections ran.

    Returns
    -------
    str
        The Markdown ("" without fits).
    """
    runs = ctx.fit_runs()
    if not runs:
        return ""
    rows = []
    for run in runs:
        rows.append(
            {
                "fit": run.name,
                "model": _model_text(run),
                "source": "fit cache" if run.source == "cache" else "sampled",
                "seconds": f"{run.seconds:.0f}",
                "file": f"`{run.saved or run.cache_path or 'not stored'}`",
            }
        )
    table = pd.DataFrame(rows).set_index("fit")
    cache = ctx.fit_cache
    if cache is not None:
        where = (
            f"The fits are cached by content in `{cache.directory}` (the key covers the data, the "
            "model settings, the sampler's options, the seed and irtgap's version and source), "
            "so a rerun on the same inputs reads them instead of sampling; `--no-cache` samples "
            f"afresh, `--cache-dir DIR` (or ${CACHE_ENV}) puts the cache elsewhere, and "
            "deleting the folder empties it."
        )
    else:
        where = "The fit cache was off (`--no-cache`): the fits were sampled and not cached."
    saved = (
        " Copies are in this folder (`--save-fits`)."
        if ctx.save_fits
        else " `--save-fits` also writes them into the report's folder."
    )
    example = next(
        (str(r.saved or r.cache_path) for r in runs if (r.saved or r.cache_path) is not None),
        "gap_fit.nc",
    )
    return "\n\n".join(
        [
            "## The fits",
            where + saved + " Load one with `irtgap.load_result(path)`: it is the `GapFit` the "
            "report read, with the Bayesian tables and figures above as its methods (e.g. "
            f"`irtgap.load_result('{example}').summary()`).",
            markdown_table(table),
        ]
    )


__all__ = ["fits_md"]
