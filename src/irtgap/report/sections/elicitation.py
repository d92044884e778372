"""The elicitation section of ``irtgap report``: how far each method's gap moves between the best
harness and a reference harness.

The fast methods run under both rules (:func:`irtgap.elicitation_gap`, the report's seed and
budget); the Bayesian model's gap under the best and the reference elicitation comes from a fit
of ``GapModel(elicitation_terms=True)``, an extra fit made only when asked for
(``--extra-fits elicitation``).
"""

from __future__ import annotations

from functools import partial

import pandas as pd

from irtgap.analyses.elicitation import FAST_METHODS, elicitation_gap
from irtgap.core import dims as D
from irtgap.report.context import ReportContext
from irtgap.report.markdown import markdown_table

#: The extra fit of this section (:data:`irtgap.report.context.EXTRA_FITS`).
EXTRA_FIT = "elicitation"
#: Columns of the section's table.
COLUMNS = ["method", D.DATE, "best", "reference", "difference", "lower", "upper"]


def _bayes_rows(ctx: ReportContext) -> tuple[pd.DataFrame | None, str]:
    """The Bayesian rows (capability group) and a sentence on where they come from."""
    if not ctx.wants(EXTRA_FIT):
        return None, (
            "The Bayesian model's gap under both elicitations needs a fit of "
            "`GapModel(elicitation_terms=True)`, not asked for (`--extra-fits elicitation`)."
        )
    run = ctx.fit(name=EXTRA_FIT, elicitation_terms=True)
    table = run.fit.elicitation_gap()
    table = table[table[D.GROUP] == "capability"].assign(method="bayesian")
    convergence = "; ".join(run.convergence) or "no convergence warning"
    return table[COLUMNS], (
        "Bayesian: the capability gap of `GapModel(elicitation_terms=True)` with each side at "
        f"its best harness and effort, and at the reference ones ({convergence})."
    )


def elicitation_section(ctx: ReportContext) -> str:
    """Per method, the gap under the best and the reference harness and their difference."""
    title = "## How much of the gap is elicitation"
    if ctx.data.elicitation is None:
        return "\n\n".join(
            [title, "The data name no harness per score: there is no second rule to compare."]
        )
    parts, failed, rule = [], [], "reference"
    for method in FAST_METHODS:
        try:
            moves = ctx.stored(
                f"elicitation {method}",
                partial(elicitation_gap, ctx.data, method, seed=ctx.seed, fast=ctx.fast),
                method=method,
            )
        except ValueError as err:  # the method cannot run on these data: said, not hidden
            failed.append(f"`{method}` not computed: {str(err)[:200]}")
            continue
        parts.append(moves.table[COLUMNS])
        rule = moves.rule
    if not parts:
        return "\n\n".join([title, *failed])
    table = pd.concat(parts, ignore_index=True)
    bayes, note = _bayes_rows(ctx)
    if bayes is not None:
        table = pd.concat([table, bayes], ignore_index=True)
    table = table.assign(**{D.DATE: pd.to_datetime(table[D.DATE]).dt.date}).set_index("method")
    return "\n\n".join(
        [
            title,
            "Gap in months (median) with each (version, benchmark) at its best harness "
            "(`best`, as Epoch AI keeps it) and at each benchmark's reference harness (the "
            "named one that scored the most versions; versions without it dropped there); "
            "`difference` is reference minus best, with its 90% interval (paired draws). "
            f"Reference rule: {rule}.",
            markdown_table(table),
            *failed,
            note,
        ]
    )
