"""The backtest section of ``irtgap report`` (opt-in: ``--sections ...,backtest``): how far each
fast method's gap moved once later data came in.

Every fast method of :data:`irtgap.analyses.backtest.DEFAULT_METHODS` is refitted on the data as
known at :data:`N_CUTOFFS` quarter starts (:func:`~irtgap.analyses.backtest.default_cutoffs`;
:data:`N_CUTOFFS_FAST` in a fast report) with the registry's ``fast`` budgets and the report's
seed (:func:`irtgap.backtest`), and read six months before each cutoff, at its last date with
data, at the cutoff and six months after it, against the same method on all the data. It is not
among the default sections: it refits every method once per cutoff (minutes on the bundled
data). The Bayesian model's backtest is a study (``studies/backtest/run_backtest.py --methods
bayesian``), not a section: one MCMC fit per cutoff.
"""

from __future__ import annotations

import pandas as pd

from irtgap.analyses.backtest import DEFAULT_METHODS, backtest, default_cutoffs
from irtgap.report.context import ReportContext
from irtgap.report.markdown import markdown_table, save_figure

#: Cutoffs of the report's backtest.
N_CUTOFFS = 4
#: Cutoffs of a fast report's backtest.
N_CUTOFFS_FAST = 2
#: Months between a cutoff and its lookback and forecast readings.
HORIZON_MONTHS = 6
#: The summary's columns, as the table shows them.
SUMMARY_COLUMNS = {
    "answered": "answered",
    "n_compared": "compared",
    "revision_rmse": "revision RMSE",
    "mean_revision": "mean revision",
    "coverage": "90% coverage",
    "mean_width": "mean width",
}


def backtest_section(ctx: ReportContext) -> str:
    """The backtest's summary per method and reading, and the threshold method's vintages.

    Parameters
    ----------
    ctx : ReportContext
        The report's context: its data, seed and ``fast`` flag (the number of cutoffs), and
        the folder the vintages figure goes to (``backtest_vintages.png``).

    Returns
    -------
    str
        The section's Markdown.
    """
    title = "## Backtest: how far each method's gap moved once later data came in"
    n = N_CUTOFFS_FAST if ctx.fast else N_CUTOFFS
    cutoffs = default_cutoffs(ctx.data, horizon_months=HORIZON_MONTHS, n=n)
    result = ctx.stored(
        "backtest",
        lambda: backtest(
            ctx.data,
            cutoffs=cutoffs,
            methods=DEFAULT_METHODS,
            horizon_months=HORIZON_MONTHS,
            seed=ctx.seed,
            budget="fast",
        ),
        cutoffs=[str(c.date()) for c in cutoffs],
        methods=list(DEFAULT_METHODS),
        horizon_months=HORIZON_MONTHS,
    )
    summary = result.summary().reset_index()
    summary = summary.rename(columns=SUMMARY_COLUMNS).set_index("method")
    table = markdown_table(summary[["kind", *SUMMARY_COLUMNS.values()]])
    errors = result.fits[result.fits["error"].fillna("").astype(str) != ""]
    failed = [
        f"`{r.method}` at {pd.Timestamp(r.cutoff).date() if pd.notna(r.cutoff) else 'all data'}:"
        f" {str(r.error)[:200]}"
        for r in errors.itertuples()
    ]
    png = save_figure(result.plot_vintages("threshold"), ctx.out_dir / "backtest_vintages.png")
    dates = ", ".join(str(c.date()) for c in cutoffs)
    return "\n\n".join(
        [
            title,
            f"Each fast method refitted on the data as known at {n} cutoffs ({dates}; models "
            "and benchmarks released by then), with the registry's fast budgets and seed "
            f"{ctx.seed}, and read {HORIZON_MONTHS} months before each cutoff (`lookback`), at "
            "its last date with data (`edge`), at the cutoff (`nowcast`) and "
            f"{HORIZON_MONTHS} months after it (`forecast`). The revision is the estimate on "
            "all the data minus the real-time one, in months; `answered` is the share of "
            "readings with a number (the fast methods give none past their last model); "
            "`90% coverage` the share of compared readings whose real-time interval covers the "
            "later estimate.",
            table,
            *(["Fits that failed (counted as unanswered): " + "; ".join(failed)] if failed else []),
            f"![The threshold method's gap as each vintage saw it]({png})",
            f"**What the vintages cannot undo.** {result.caveat}",
            "The Bayesian model's backtest is a study (`python studies/backtest/run_backtest.py "
            "--methods bayesian`; see `docs/backtest.md`).",
        ]
    )
