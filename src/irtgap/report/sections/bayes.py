"""The Bayesian gap model's section of ``irtgap report``."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from irtgap.analyses.winners_curse import ThresholdBias, threshold_bias
from irtgap.core import dims as D
from irtgap.methods.bayes.checks import ModelChecks
from irtgap.report.context import FitRun, ReportContext, batch_progress
from irtgap.report.markdown import markdown_table, save_figure
from irtgap.report.sections.checks import checks_md
from irtgap.report.sections.readings import readings_md


def bayes_section(ctx: ReportContext) -> str:
    """Fit the model (shorter run with ``fast``) and write gap, frontier and terms figures."""
    out_dir, fast, seed = ctx.out_dir, ctx.fast, ctx.seed
    run = ctx.fit()
    fit, conv = run.fit, run.convergence
    gap_png = save_figure(fit.plot_gap(), out_dir / "bayes_gap.png")
    fr_png = save_figure(fit.plot_frontier(), out_dir / "bayes_frontier.png")
    terms_png = save_figure(fit.plot_terms(), out_dir / "bayes_terms.png")
    summary = fit.summary()
    summary[D.DATE] = pd.to_datetime(summary[D.DATE]).dt.date
    summary = summary.set_index([D.GROUP, D.DATE])[["median", "lower", "upper", "prob_grew"]]
    summary.index = [f"{g} at {d}" for g, d in summary.index]
    terms = fit.terms()
    diag = _diagnostics_frame(fit.diagnostics(warn=False))
    bias_md, bias = _threshold_bias_md(ctx, run)
    n_draws = 100 if fast else 400

    def check() -> ModelChecks:
        ctx.say("    model checks: LOO, LOO-PIT, predictive checks")
        return fit.check(n_draws=n_draws, seed=seed)

    model_checks = ctx.stored("model checks", check, fit=run.key, n_draws=n_draws)
    checks = checks_md(model_checks, bias.crossings, out_dir)
    readings = readings_md(fit, ctx.result("threshold"), bias.crossings, seed=seed)
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
            "R1's release (2025-01-20). Where the fit is stored and how to load it: *The "
            "fits*, at the end of the report." + note,
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
            readings,
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


def _threshold_bias_md(ctx: ReportContext, run: FitRun) -> tuple[str, ThresholdBias]:
    """The threshold method's winner's-curse bias on this data (posterior replicates)."""

    n = 20 if ctx.fast else 100

    def replicate() -> ThresholdBias:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return threshold_bias(
                run.fit,
                n_replications=n,
                seed=ctx.seed,
                n_jobs=2,
                progress=batch_progress(ctx.log, "threshold-bias replicates"),
            )

    tb = ctx.stored("threshold bias", replicate, fit=run.key, n_replications=n)
    png = save_figure(tb.plot(), ctx.out_dir / "threshold_bias.png")
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
