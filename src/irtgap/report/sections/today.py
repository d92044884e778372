"""The first lines of ``irtgap report``: the gap at the report's date and at the last date with
data (:func:`irtgap.analyses.nowcast.nowcast`).

They are read from a result the report already computed: its main Bayesian fit when a section
made one (the ``bayes`` section; it projects past its data, with the interval widening with the
projection's length), else the threshold method's result when it has the ``threshold`` section
(it ends at its data: no number at a later date, and the lines say so). A report with neither
says how to get the gap today.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from irtgap.analyses.nowcast import headline_lines, nowcast
from irtgap.report.context import ReportContext


def today_lines(ctx: ReportContext, date: Any = None) -> list[str]:
    """The gap on ``date`` (default today) and at the last date with data, as Markdown lines.

    Call it after the sections ran: it reads the main Bayesian fit (:meth:`ReportContext.fit_runs
    <irtgap.report.context.ReportContext.fit_runs>`) or the threshold result from the context's
    cache, and fits nothing the sections did not. A result that failed gives a
    line saying so.

    Parameters
    ----------
    ctx : ReportContext
        The report's context.
    date : date-like, optional
        The report's date (default ``pandas.Timestamp.today()``, normalised to the day).

    Returns
    -------
    list of str
        Markdown lines (:func:`~irtgap.analyses.nowcast.headline_lines`).
    """
    when = pd.Timestamp(date) if date is not None else pd.Timestamp.today().normalize()
    main = [run for run in ctx.fit_runs() if run.name == "main"]
    try:
        if main:
            result: Any = main[0].fit
        elif ctx.includes("threshold"):
            result = ctx.result("threshold")
        else:
            return [
                f"**The gap on {when.date()}:** this report has no Bayesian fit nor threshold "
                "section; add `bayes` (the Bayesian fit projects past its data, with its "
                "interval) or `threshold`."
            ]
        return headline_lines(nowcast(result, date=when))
    except Exception as exc:  # the section that made the result reports the failure too
        return [f"**The gap on {when.date()}:** no number (the fit failed: {exc})."]
