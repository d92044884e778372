"""Three readings of the gap side by side in ``irtgap report``: the threshold method, the same
definition on the model's posterior frontiers, and the model's own gap, with whether it grew."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from irtgap.analyses.model_threshold import model_threshold_gap
from irtgap.core import dims as D
from irtgap.methods.bayes.fit import GapFit
from irtgap.report.markdown import markdown_table
from irtgap.results import R1_DATE, GapResult

#: The Bayesian group compared with each threshold group.
MODEL_GROUP = {"all": "capability", "public": "public", "private": "private"}


def _cell(row: pd.Series | None) -> str:
    """``median (lower to upper)`` or a blank where there is no number."""
    if row is None or not np.isfinite(row["median"]):
        return ""
    if not (np.isfinite(row["lower"]) and np.isfinite(row["upper"])):
        return f"{row['median']:.1f} (no interval)"
    return f"{row['median']:.1f} ({row['lower']:.1f} to {row['upper']:.1f})"


def _lookup(table: pd.DataFrame, group: str, date: pd.Timestamp) -> pd.Series | None:
    hit = table[(table[D.GROUP] == group) & (pd.DatetimeIndex(table[D.DATE]) == date)]
    return None if hit.empty else hit.iloc[0]


def readings_table(
    fit: GapFit, threshold: GapResult, dates: pd.DatetimeIndex, *, seed: int = 0
) -> pd.DataFrame:
    """Per threshold group and date: the threshold method's gap, the model-based threshold gap
    and the model's gap (``capability`` beside the threshold method's ``all``), each as
    ``median (90% interval)``, and the posterior probability that each of the last two grew
    since DeepSeek R1's release.

    Parameters
    ----------
    fit : GapFit
        The report's Bayesian fit.
    threshold : GapResult
        The report's threshold-method result (``by="access"`` groups).
    dates : pandas.DatetimeIndex
        Where to read them (R1's release and the last date every reading has data).
    seed : int
        Seeds the posterior samples of the model-based threshold gap.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``group, date``.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # each reading's NaN is a blank cell here
        th = threshold.gap(dates)
        mt = model_threshold_gap(fit, dates, reference_date=R1_DATE, seed=seed)
        bay = pd.concat(
            [
                fit.gap(dates, reference_date=R1_DATE),
                fit.gap(dates, by="access", reference_date=R1_DATE),
            ],
            ignore_index=True,
        )
    rows = []
    for g, mg in MODEL_GROUP.items():
        for d in dates:
            m_row, b_row = _lookup(mt, g, d), _lookup(bay, mg, d)
            rows.append(
                {
                    D.GROUP: g,
                    D.DATE: d.date(),
                    "threshold method": _cell(_lookup(th, g, d)),
                    "model-based threshold": _cell(m_row),
                    "P(grew), model-based threshold": _prob(m_row, d),
                    f"Bayesian gap ({mg})": _cell(b_row),
                    "P(grew), Bayesian": _prob(b_row, d),
                }
            )
    table = pd.DataFrame(rows).set_index([D.GROUP, D.DATE])
    bayes_cols = [c for c in table.columns if c.startswith("Bayesian gap")]
    table["Bayesian gap"] = table[bayes_cols].bfill(axis=1).iloc[:, 0]
    order = ["threshold method", "model-based threshold", "P(grew), model-based threshold"]
    return table[[*order, "Bayesian gap", "P(grew), Bayesian"]]


def _prob(row: pd.Series | None, date: pd.Timestamp) -> str:
    if row is None or date == R1_DATE or not np.isfinite(row["prob_grew"]):
        return ""
    return f"{row['prob_grew']:.2f}"


def readings_md(
    fit: GapFit,
    threshold: GapResult,
    crossings: pd.DataFrame,
    *,
    seed: int = 0,
) -> str:
    """The report's paragraph and table of the three readings (see :func:`readings_table`),
    with the predictive check of the first crossings that says whether the model reproduces
    what the threshold method reads.

    Parameters
    ----------
    fit : GapFit
        The report's Bayesian fit.
    threshold : GapResult
        The report's threshold-method result.
    crossings : pandas.DataFrame
        ``ThresholdBias.crossings`` of the fit (:func:`irtgap.threshold_bias`).
    seed : int
        Seeds the model-based threshold gap's posterior samples.

    Returns
    -------
    str
        Markdown.
    """
    last = min(pd.Timestamp(fit.support()[1]), pd.Timestamp(threshold.support()[1])).normalize()
    dates = pd.DatetimeIndex(sorted({R1_DATE, last}))
    table = readings_table(fit, threshold, dates, seed=seed)
    cross = crossings.set_index([D.GROUP, "statistic"])

    def check(group: str, stat: str) -> str:
        r = cross.loc[(group, stat)]
        f = ".0f" if stat == "n_points" else ".1f"  # a count of points, or months
        return (
            f"{r['observed']:{f}} observed against {r['replicated']:{f}} replicated "
            f"(90%: {r['lower']:{f}} to {r['upper']:{f}}; ppp {r['ppp']:.2f})"
        )

    priv = table.loc[("private", last.date())]
    text = (
        "Three readings of the same data. The **threshold method** dates the first open and the "
        "first closed model whose score reaches each level of each benchmark (noisy maxima: the "
        "winner's curse, and its dominance rule decides which crossings count). The "
        "**model-based threshold** gap applies the same definition to the model's posterior "
        "frontiers, the expected score of each side's frontier on each benchmark "
        "(`irtgap.model_threshold_gap`): the threshold reading without noisy first crossers. The "
        "**Bayesian gap** is the shift between the frontiers on the group's benchmarks. "
        f"On private benchmarks at {last.date()}: threshold method {priv['threshold method']}, "
        f"model-based threshold {priv['model-based threshold']}, Bayesian "
        f"{priv['Bayesian gap']} months; P(the Bayesian private gap grew since R1) "
        f"{priv['P(grew), Bayesian'] or 'n/a'}. Where the threshold method is longer than the "
        "model-based threshold reading, the difference is what noisy first crossers and the "
        "acceptance rule add; where the model cannot reproduce the crossings themselves, it is "
        "also what the model misses. The predictive check of the first crossings: private "
        f"mean crossing gap {check('private', 'mean_gap')}; private median crossing gap, less "
        "swayed than the mean by the few versions that set several crossings, "
        f"{check('private', 'median_gap')}; private crossing points "
        f"{check('private', 'n_points')}; public mean crossing gap "
        f"{check('public', 'mean_gap')}; public crossing points {check('public', 'n_points')} "
        "(a ppp below 0.05 or above 0.95 says the model does not reproduce that statistic)."
    )
    shown = table.copy()
    shown.index = [f"{g} at {d}" for g, d in shown.index]
    return "\n\n".join(["### Three readings of the gap (months)", text, markdown_table(shown)])
