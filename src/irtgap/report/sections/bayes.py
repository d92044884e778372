"""The Bayesian gap model's section of ``irtgap report``."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from irtgap.analyses.winners_curse import ThresholdBias, threshold_bias
from irtgap.core import dims as D
from irtgap.core.errors import ConvergenceWarning
from irtgap.data.scoredata import ScoreData
from irtgap.methods.bayes.fit import GapFit
from irtgap.methods.bayes.model import GapModel
from irtgap.report.build import batch_progress
from irtgap.report.markdown import markdown_table, save_figure
from irtgap.report.sections.checks import checks_md

#: The fit, saved beside the report (``irtgap.load_result`` reads it back).
FIT_FILE = "gap_fit.nc"


def saved_fit(out_dir: Path, data: ScoreData) -> GapFit | None:
    """The fit the Bayesian section saved in ``out_dir``, if there is one and it was fitted to
    ``data`` (the same model x benchmark pairs); None otherwise (a fit of other data left in
    the folder is not used)."""
    path = out_dir / FIT_FILE
    if not path.exists():
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the fit's own warnings were shown by its section
        fit = GapFit.from_netcdf(path)
    if not isinstance(fit, GapFit) or _pairs(fit.data) != _pairs(data):
        return None
    return fit


def _pairs(data: ScoreData) -> set[tuple[str, str]]:
    return set(zip(data.scores[D.MODEL], data.scores[D.BENCHMARK], strict=True))


def bayes_section(
    data: ScoreData,
    out_dir: Path,
    *,
    fast: bool = False,
    seed: int = 0,
    log: Callable[[str], None] | None = None,
) -> str:
    """Fit the model (shorter run with ``fast``) and write gap, frontier and terms figures."""

    kw: dict[str, Any] = {"draws": 150, "tune": 150, "chains": 2} if fast else {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        if log:
            log(f"    sampling: {kw.get('chains', 4)} chains (nutpie; compile about 15 s)")
        fit = GapModel().fit(data, seed=seed, progressbar=log is not None and _tty(), **kw)
    conv = [str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning)]
    for w in caught:  # the others (e.g. benchmarks of unknown access) still reach the caller
        if not issubclass(w.category, ConvergenceWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    fit.to_netcdf(out_dir / FIT_FILE)  # for the reader, and for the sensitivity section
    gap_png = save_figure(fit.plot_gap(), out_dir / "bayes_gap.png")
    fr_png = save_figure(fit.plot_frontier(), out_dir / "bayes_frontier.png")
    terms_png = save_figure(fit.plot_terms(), out_dir / "bayes_terms.png")
    summary = fit.summary()
    summary[D.DATE] = pd.to_datetime(summary[D.DATE]).dt.date
    summary = summary.set_index([D.GROUP, D.DATE])[["median", "lower", "upper", "prob_grew"]]
    summary.index = [f"{g} at {d}" for g, d in summary.index]
    terms = fit.terms()
    diag = _diagnostics_frame(fit.diagnostics(warn=False))
    bias_md, bias = _threshold_bias_md(fit, out_dir, fast=fast, seed=seed, log=log)
    if log:
        log("    model checks: LOO, LOO-PIT, predictive checks")
    checks = checks_md(fit.check(n_draws=100 if fast else 400, seed=seed), bias.crossings, out_dir)
    note = f"\n\n**Warning:** {conv[0]}" if conv else "\n\nSampler diagnostics are within bounds."
    return "\n\n".join(
        [
            "## Bayesian IRT gap model",
            "Latent capability per model, a non-decreasing frontier per side, each model's "
            "shortfall below it, a public-benchmark open advantage and a third-party-host "
            "penalty; the gap is the time shift between the frontiers, per posterior draw "
            "(backward: how long ago the closed frontier stood where the open one stands). "
            "Groups: `private` is the gap as private benchmarks show it, which is the "
            "capability gap (no open advantage there); `public` is the gap as public "
            "benchmarks show it, with the open models' public-benchmark advantage. (The "
            "threshold method's `all` mixes public and private crossings; no group here "
            "does.) Benchmarks of unknown access are modelled as private"
            + (f" ({', '.join(fit.design.unknown_access)})" if fit.design.unknown_access else "")
            + ". The gap is given only between the first and last release date of the "
            "modelled data. "
            "`prob_grew` is the posterior probability that the gap is larger than at DeepSeek "
            "R1's release (2025-01-20). The fit is saved as "
            f"`{FIT_FILE}` (`irtgap.load_result('{FIT_FILE}')` reads it back)." + note,
            f"![posterior gap]({gap_png})",
            "### Gap now and at DeepSeek R1 (months, median and 90% interval)",
            markdown_table(summary),
            f"![frontiers]({fr_png})",
            "### Terms (capability units) and how much the data inform them",
            markdown_table(terms),
            f"![terms]({terms_png})",
            "### Sampler diagnostics",
            markdown_table(diag),
            bias_md,
            checks,
        ]
    )


def _diagnostics_frame(diag: pd.Series) -> pd.DataFrame:
    """Diagnostics as text: R-hat to 3 decimals (the limit is 1.01), ESS and counts as integers."""

    def fmt(name: str, value: float) -> str:
        if not np.isfinite(value):
            return "n/a"
        if "bfmi" in name:  # E-BFMI: a fraction (the limit is 0.3)
            return f"{value:.2f}"
        return f"{value:.3f}" if "rhat" in name else f"{value:.0f}"

    values = [fmt(str(k), float(v)) for k, v in diag.items()]
    return pd.DataFrame({"value": values}, index=diag.index)


def _threshold_bias_md(
    fit: Any, out_dir: Path, *, fast: bool, seed: int, log: Callable[[str], None] | None = None
) -> tuple[str, ThresholdBias]:
    """The threshold method's winner's-curse bias on this data (posterior replicates)."""

    n = 20 if fast else 100
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        tb = threshold_bias(
            fit,
            n_replications=n,
            seed=seed,
            n_jobs=2,
            progress=batch_progress(log, "threshold-bias replicates"),
        )
    png = save_figure(tb.plot(), out_dir / "threshold_bias.png")
    rows = pd.concat([tb.summary(["2025-01-20"]), tb.summary()], ignore_index=True)
    rows = rows[rows[D.GROUP].isin(["public", "private"])].copy()
    rows[D.DATE] = pd.to_datetime(rows[D.DATE]).dt.date
    rows.index = [f"{g} at {d}" for g, d in zip(rows[D.GROUP], rows[D.DATE], strict=True)]
    cols = ["threshold", "bias", "bias_lower", "bias_upper", "debiased", "model_gap"]
    md = "\n\n".join(
        [
            "### The threshold method's winner's-curse bias on this data",
            f"{n} datasets replicated from the posterior with the real pattern of which model "
            "was scored on which benchmark; the threshold method (no bootstrap) on each, minus "
            "the model's own gap in that draw, is the bias (months; positive: the threshold "
            "method overstates the gap). The debiased threshold gap is the threshold trend on "
            "the real data minus the bias draws. The threshold trend itself is in the threshold "
            "section above; the figure repeats it (dashed).",
            f"![threshold bias]({png})",
            markdown_table(rows[cols]),
        ]
    )
    return md, tb


def _tty() -> bool:
    """Whether stderr is a terminal (nutpie's per-chain progress bar only then)."""
    import sys

    return sys.stderr.isatty()
