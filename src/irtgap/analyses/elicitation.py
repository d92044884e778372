"""How much of each method's gap is elicitation: the gap with the scores of the best harness
against the gap with the scores of a reference harness.

A (version, benchmark) pair scored under several harnesses (Terminal-Bench's agents, OSWorld's
step budgets, the shots of the older suites) gives the methods one score by a rule
(:mod:`irtgap.data.elicitation`). ``"best"``, the rule of the loaded data and of Epoch AI's own
tables, reads each version at its best harness: a version whose makers tuned an agent for it
looks as capable as that agent makes it. A reference harness reads every version under the
same one. :func:`elicitation_gap` runs each method under both rules, with the same seed (so the
bootstrap draws are paired), and reports the gap under each and their difference (reference
minus best) with its interval, at DeepSeek R1's release (2025-01-20) and at the last date where
every run has data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from irtgap.analyses.compare import COMPARE_METHODS, last_with_data, run_methods
from irtgap.core import dims as D
from irtgap.core.gaps import summarize_gap
from irtgap.core.options import check_level
from irtgap.core.validate import check_dates
from irtgap.data.elicitation import ElicitationRule
from irtgap.data.scoredata import ScoreData
from irtgap.methods.registry import get_method
from irtgap.results import CI_PROB, GapResult

#: DeepSeek R1's release, the first reading date.
R1 = "2025-01-20"
#: The methods :func:`elicitation_gap` runs by default: the fast ones.
FAST_METHODS = ("threshold", "eci", "eci_epoch", "elo", "composite")
#: Columns of :attr:`ElicitationGap.table`.
ELICITATION_COLUMNS = (
    "method",
    D.GROUP,
    D.DATE,
    "best",
    "reference",
    "difference",
    "lower",
    "upper",
    "n_defined",
)


@dataclass(frozen=True)
class ElicitationGap:
    """What :func:`elicitation_gap` found.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per method and date (:data:`ELICITATION_COLUMNS`): the method's headline gap
        group (``all``; ``capability`` for the Bayesian fit), the median gap in months under
        ``"best"`` and under the reference rule, their paired ``difference`` (reference minus
        best: the median of the per-draw differences; the difference of the points for a
        method without draws) with its equal-tailed interval ``lower``, ``upper`` (NaN without
        draws) and the draws defining it, ``n_defined``.
    rule : str
        The reference rule in words (e.g. ``"Terminus 2 (missing: drop)"``).
    selection : dict
        The reference selection's record (``data.log["elicitation"]``): pairs under each
        reference harness, pairs dropped or kept at their best harness.
    results : dict
        ``{"best": {method: result}, "reference": {method: result}}``.
    """

    table: pd.DataFrame
    rule: str
    selection: dict[str, Any]
    results: dict[str, dict[str, GapResult]] = field(repr=False)

    def rows_used(self) -> pd.DataFrame:
        """Per benchmark under the reference rule: its reference harness, the pairs scored
        under it and the versions without it (dropped or kept at their best harness).

        Returns
        -------
        pandas.DataFrame
            Indexed by benchmark: ``harness, n_pairs_reference, n_pairs_missing``.
        """
        per = self.selection.get("by_benchmark", {})
        cols = ["harness", "n_pairs_reference", "n_pairs_missing"]
        table = pd.DataFrame.from_dict(per, orient="index").reindex(columns=cols)
        table.index.name = D.BENCHMARK
        return table


def _paired(
    name: str, best: GapResult, ref: GapResult, when: pd.DatetimeIndex, ci_prob: float
) -> pd.DataFrame:
    """One method's rows of :attr:`ElicitationGap.table`."""
    group = get_method(name).headline_group
    medians = {
        rule: res.gap(when).set_index([D.GROUP, D.DATE]).loc[group, "median"]
        for rule, res in (("best", best), ("reference", ref))
    }
    diff = ref.gap_draws(when).sel({D.GROUP: [group]}) - best.gap_draws(when).sel(
        {D.GROUP: [group]}
    )
    n_draws = diff.sizes[D.CHAIN] * diff.sizes[D.DRAW]
    summary = summarize_gap(diff, ci_prob=ci_prob, method=name).set_index(D.DATE)
    out = pd.DataFrame(
        {
            "method": name,
            D.GROUP: group,
            D.DATE: when,
            "best": medians["best"].reindex(when).to_numpy(),
            "reference": medians["reference"].reindex(when).to_numpy(),
            "difference": summary["median"].reindex(when).to_numpy(),
            "lower": summary["lower"].reindex(when).to_numpy(),
            "upper": summary["upper"].reindex(when).to_numpy(),
            "n_defined": summary["n_defined"].reindex(when).to_numpy(),
        }
    )
    if n_draws == 1:  # a point (Epoch's rule): the difference of the points, no interval
        out["difference"] = out["reference"] - out["best"]
        out[["lower", "upper"]] = np.nan
    return out


def elicitation_gap(
    data: ScoreData,
    methods: Sequence[str] | str = FAST_METHODS,
    *,
    reference: str | Mapping[str, str] = "reference",
    missing: Literal["drop", "best"] = "drop",
    dates: Sequence[Any] | None = None,
    seed: int = 0,
    fast: bool = False,
    ci_prob: float = CI_PROB,
    method_kwargs: Mapping[str, Mapping[str, Any]] | None = None,
) -> ElicitationGap:
    """Each method's gap under the ``"best"`` harness and under a reference harness.

    Parameters
    ----------
    data : ScoreData
        The scores, with their elicitation rows (a Hub export keeps them; see
        :attr:`ScoreData.elicitation <irtgap.ScoreData.elicitation>`).
    methods : str or sequence of str
        Names of the registry's methods (default: the fast ones; ``"bayesian"`` takes minutes
        per rule).
    reference : str or mapping of str to str
        The reference rule (:mod:`irtgap.data.elicitation`): ``"reference"`` (per benchmark
        with several harnesses the named one that scored the most versions), a harness name
        (``"Terminus 2"``) or ``{benchmark: harness}``.
    missing : {"drop", "best"}
        A version without a benchmark's reference harness: dropped from that benchmark, or kept
        at its best harness (counted in :attr:`ElicitationGap.selection`).
    dates : sequence of dates, optional
        Where to read the gaps (default: 2025-01-20 and the last date where every run has
        data).
    seed : int
        Every run's seed: the same under both rules, so that bootstrap draws are paired.
    fast : bool
        The ``"fast"`` budgets (:mod:`irtgap.methods.registry`) instead of ``"full"``.
    ci_prob : float
        Level of the difference's interval (0.9).
    method_kwargs : dict, optional
        ``{method: {option: value}}`` over each method's budget (both rules).

    Returns
    -------
    ElicitationGap
        The table, the reference rule's record and the results.

    Raises
    ------
    ValueError
        An unknown method; a reference the data cannot apply (no harness rows, an unknown
        benchmark or harness), as :class:`~irtgap.ScoreDataError`.

    Examples
    --------
    The threshold and composite methods on the bundled data, Terminal-Bench read under the
    Terminus 2 agent (versions without it dropped from Terminal-Bench):

    >>> import warnings, irtgap
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     data = irtgap.load_dataset()
    ...     res = irtgap.elicitation_gap(data, ["threshold", "composite"],
    ...                                  reference={"Terminal Bench": "Terminus 2"}, fast=True)
    >>> res.table[["method", "group", "date"]]
          method group       date
    0  threshold   all 2025-01-20
    1  threshold   all 2026-01-27
    2  composite   all 2025-01-20
    3  composite   all 2026-01-27
    >>> res.rows_used().loc["Terminal Bench", "harness"]
    'Terminus 2'
    """
    names = [methods] if isinstance(methods, str) else list(methods)
    unknown = sorted(set(map(str, names)) - set(COMPARE_METHODS))
    if unknown or not names:
        raise ValueError(f"unknown method(s) {unknown or names}; known: {list(COMPARE_METHODS)}")
    ci_prob = check_level("ci_prob", ci_prob)
    rule = ElicitationRule(harness=reference, missing=missing)
    chosen = {"best": data.select_elicitation("best"), "reference": data.select_elicitation(rule)}
    budget = "fast" if fast else "full"
    results = {
        k: run_methods(d, names, budget=budget, seed=seed, method_kwargs=method_kwargs)
        for k, d in chosen.items()
    }
    if dates is None:
        last = min(last_with_data(r) for rs in results.values() for r in rs.values())
        when = check_dates("dates", [R1, last])
    else:
        when = check_dates("dates", dates)
    table = pd.concat(
        [
            _paired(n, results["best"][n], results["reference"][n], when, ci_prob)
            for n in dict.fromkeys(names)
        ],
        ignore_index=True,
    )
    return ElicitationGap(
        table=table.loc[:, list(ELICITATION_COLUMNS)],
        rule=rule.describe(),
        selection=dict(chosen["reference"].log.get("elicitation", {})),
        results=results,
    )


__all__ = ["ELICITATION_COLUMNS", "FAST_METHODS", "R1", "ElicitationGap", "elicitation_gap"]
