"""The methods by name: how each runs, its run budgets, and what its result offers.

Every analysis that runs methods (:func:`irtgap.compare`, leave-one-benchmark-out, the gap by
domain, the validation study) and every section of ``irtgap report`` runs them through
:func:`run_method`, so a method's budget is written once, here (:data:`BUDGETS`), and no code
outside a method's own module tests a method's name: what differs between methods is a field of
its :class:`Method` (or a property of its result class, :class:`irtgap.results.GapResult`).

Budgets come in tiers (:data:`TIERS`), each a set of keyword options of the method's function:
bootstrap resamples (``n_bootstrap``) for the threshold, ECI, Elo and composite methods, MCMC
draws, tuning steps and chains for the Bayesian fit. The table (:func:`budget_table`):

================  =====  =====  ===========  ===========  ================  ==========
method            full   fast   report_fast  report_lobo  report_lobo_fast  validation
================  =====  =====  ===========  ===========  ================  ==========
threshold         5000   100    500          1000         100               300
eci, eci_epoch    500    100    50           50           0                 300
elo               200    100    50           100          10                300
composite         1000   100    50           1000         100               300
bayesian          1000   300    150          300          150               600
================  =====  =====  ===========  ===========  ================  ==========

(Bayesian: draws = tuning steps; 4 chains at ``full``, 2 otherwise.) ``full`` and ``fast`` are the
library's defaults and short runs (:func:`irtgap.compare`, :func:`irtgap.leave_one_benchmark_out`,
:func:`irtgap.gap_by_domain`, the quick validation study); ``report_fast`` is ``irtgap report
--fast``; ``report_lobo`` and ``report_lobo_fast`` are the report's leave-one-benchmark-out (one
fit per method and benchmark, so fewer resamples); ``validation`` is the full validation study.

Examples
--------
>>> import irtgap
>>> from irtgap.methods.registry import get_method, method_names, run_method
>>> method_names()
('threshold', 'eci', 'eci_epoch', 'elo', 'composite', 'bayesian')
>>> get_method("eci").budget("fast")
{'n_bootstrap': 100}
>>> res = run_method("composite", irtgap.load_dataset(), budget="fast", seed=0)
>>> res.method, res.settings.n_bootstrap, get_method(res.method).headline_group
('composite', 100, 'all')
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from irtgap.core.validate import check_dates
from irtgap.data.elicitation import ElicitationLike, elicited
from irtgap.data.scoredata import ScoreData
from irtgap.methods.bayes.fit import GapFit
from irtgap.methods.bayes.model import GapModel
from irtgap.methods.composite import composite_index
from irtgap.methods.eci import EciResult, fit_eci
from irtgap.methods.elo import fit_elo
from irtgap.methods.epoch_rule import EpochRuleResult, epoch_rule
from irtgap.methods.threshold import threshold_gap
from irtgap.results import METHODS, GapResult

#: The budget tiers every method defines (see the module docstring).
TIERS = ("full", "fast", "report_fast", "report_lobo", "report_lobo_fast", "validation")


def _boot(*counts: int) -> dict[str, dict[str, int]]:
    """Bootstrap budgets by tier, in the order of :data:`TIERS`."""
    return {tier: {"n_bootstrap": n} for tier, n in zip(TIERS, counts, strict=True)}


def _mcmc(*plan: tuple[int, int]) -> dict[str, dict[str, int]]:
    """MCMC budgets ``(draws = tuning steps, chains)`` by tier, in the order of :data:`TIERS`."""
    return {
        tier: {"draws": n, "tune": n, "chains": chains}
        for tier, (n, chains) in zip(TIERS, plan, strict=True)
    }


#: Every method's budget per tier: keyword options of its function.
BUDGETS: dict[str, dict[str, dict[str, int]]] = {
    "threshold": _boot(5000, 100, 500, 1000, 100, 300),
    "eci": _boot(500, 100, 50, 50, 0, 300),
    "elo": _boot(200, 100, 50, 100, 10, 300),
    "composite": _boot(1000, 100, 50, 1000, 100, 300),
    "bayesian": _mcmc((1000, 4), (300, 2), (150, 2), (300, 2), (150, 2), (600, 2)),
}
BUDGETS["eci_epoch"] = BUDGETS["eci"]  # the rule reads an ECI fit


# ------------------------------------------------------------------------------ the runners
def _gap_model(model: Any) -> GapModel:
    """``model`` as a :class:`~irtgap.GapModel` (None: the default model)."""
    if model is None:
        return GapModel()
    if isinstance(model, GapModel):
        return model
    if isinstance(model, Mapping):
        return GapModel(**model)
    raise ValueError(
        f"model={model!r}: give a GapModel or a dict of its settings (e.g. {{'knot_months': 6}})"
    )


def _fit_bayesian(
    data: ScoreData, *, seed: int = 0, model: Any = None, progressbar: bool = False, **options: Any
) -> GapResult:
    """:meth:`GapModel.fit <irtgap.GapModel.fit>` of ``model`` (a GapModel or a dict of its
    settings; default ``GapModel()``), quiet unless ``progressbar``."""
    return _gap_model(model).fit(data, seed=seed, progressbar=progressbar, **options)


def _all_benchmarks(result: GapResult) -> frozenset[str]:
    if result.data is None:
        raise ValueError(
            f"the {result.method} result keeps no data: cannot tell which benchmarks it read"
        )
    return frozenset(str(b) for b in result.data.benchmarks.index)


def _eci_benchmarks(result: GapResult) -> frozenset[str]:
    eci = result.eci if isinstance(result, EpochRuleResult) else result
    assert isinstance(eci, EciResult)
    return _all_benchmarks(eci) - {str(b) for b in eci.settings.benchmarks_left_out}


def _set_benchmarks(result: GapResult) -> frozenset[str]:
    return frozenset(str(b) for b in result.settings.benchmarks)


def _modelled_benchmarks(result: GapResult) -> frozenset[str]:
    assert isinstance(result, GapFit)
    return frozenset(str(b) for b in result.design.benchmarks.index)


def _rule_of_eci(result: GapResult) -> GapResult:
    assert isinstance(result, EciResult)
    return epoch_rule(result)


# ------------------------------------------------------------------------------ the registry
@dataclass(frozen=True)
class Method:
    """One method of the registry.

    Attributes
    ----------
    name : str
        The method's name (one of :data:`irtgap.results.METHODS`).
    run : callable or None
        ``run(data, *, seed, **options)`` returns the result (None for a method derived from
        another's result).
    budgets : dict
        Per tier of :data:`TIERS`, the keyword options of ``run`` that set its size.
    headline_group : str
        The gap group a one-number summary reads (``"all"``, or ``"capability"`` for the
        Bayesian fit).
    has_capabilities : bool
        Whether the result has a capability table (``result.capabilities()``).
    summary_options : dict
        Options of ``result.gap()`` that its summary uses (the Bayesian fit: ``by="access"``).
    censored_draws : bool
        Whether the result's gap draws can be censored (``+-inf``).
    parallel : bool
        Whether ``run`` takes ``n_jobs``, ``backend`` and ``progress`` (bootstrap refits).
    reads : callable
        ``reads(result)``: the benchmarks whose scores the result's method read.
    derived_from : str or None
        The method whose result this one reads (``"eci"`` for ``"eci_epoch"``).
    derive : callable or None
        ``derive(base_result)``: this method's result from the base method's.
    label : str
        The method's name in prose (e.g. ``"ECI"``, ``"Elo"``).
    """

    name: str
    run: Callable[..., GapResult] | None
    budgets: Mapping[str, Mapping[str, int]]
    headline_group: str
    has_capabilities: bool
    reads: Callable[[GapResult], frozenset[str]]
    summary_options: Mapping[str, Any] = field(default_factory=dict)
    censored_draws: bool = False
    parallel: bool = False
    derived_from: str | None = None
    derive: Callable[[GapResult], GapResult] | None = None
    label: str = ""

    def budget(self, tier: str = "full") -> dict[str, int]:
        """The keyword options of budget ``tier`` (a copy).

        Parameters
        ----------
        tier : str
            One of :data:`TIERS`.

        Returns
        -------
        dict
            E.g. ``{"n_bootstrap": 500}`` or ``{"draws": 300, "tune": 300, "chains": 2}``.

        Raises
        ------
        ValueError
            An unknown tier, naming the known ones.
        """
        if tier not in self.budgets:
            raise ValueError(f"budget={tier!r} is not a budget tier: use one of {list(TIERS)}")
        return dict(self.budgets[tier])


#: The methods by name, in the order of :data:`irtgap.results.METHODS`.
REGISTRY: dict[str, Method] = {
    m.name: m
    for m in (
        Method(
            "threshold",
            threshold_gap,
            BUDGETS["threshold"],
            "all",
            False,
            _all_benchmarks,
            label="threshold",
        ),
        Method(
            "eci",
            fit_eci,
            BUDGETS["eci"],
            "all",
            True,
            _eci_benchmarks,
            parallel=True,
            label="ECI",
        ),
        Method(
            "eci_epoch",
            None,
            BUDGETS["eci_epoch"],
            "all",
            False,
            _eci_benchmarks,
            parallel=True,
            derived_from="eci",
            derive=_rule_of_eci,
            label="Epoch's rule",
        ),
        Method(
            "elo",
            fit_elo,
            BUDGETS["elo"],
            "all",
            True,
            _set_benchmarks,
            parallel=True,
            label="Elo",
        ),
        Method(
            "composite",
            composite_index,
            BUDGETS["composite"],
            "all",
            True,
            _set_benchmarks,
            label="composite",
        ),
        Method(
            "bayesian",
            _fit_bayesian,
            BUDGETS["bayesian"],
            "capability",
            True,
            _modelled_benchmarks,
            summary_options={"by": "access"},
            censored_draws=True,
            label="Bayesian",
        ),
    )
}
assert tuple(REGISTRY) == METHODS


def method_names() -> tuple[str, ...]:
    """The methods' names, in the order of :data:`irtgap.results.METHODS`.

    Returns
    -------
    tuple of str
        The names.
    """
    return tuple(REGISTRY)


def get_method(name: Any) -> Method:
    """The registry's entry for ``name``.

    Parameters
    ----------
    name : str
        A method's name.

    Returns
    -------
    Method
        Its entry.

    Raises
    ------
    ValueError
        An unknown name, naming the known ones.
    """
    if not isinstance(name, str) or name not in REGISTRY:
        raise ValueError(f"unknown method {name!r}; known: {list(REGISTRY)}")
    return REGISTRY[name]


def run_method(
    name: str,
    data: ScoreData,
    *,
    budget: str = "full",
    seed: int = 0,
    elicitation: ElicitationLike | None = None,
    **overrides: Any,
) -> GapResult:
    """Run method ``name`` on ``data`` with the options of ``budget``, ``overrides`` on top.

    Parameters
    ----------
    name : str
        A method's name (:func:`method_names`).
    data : ScoreData
        The scores.
    budget : str
        A tier of :data:`TIERS` (``"full"``: the library's defaults, ``"fast"``: short runs).
    seed : int
        The seed of every random step.
    elicitation : str, mapping or ElicitationRule, optional
        Which score of a (model, benchmark) pair scored under several harnesses every method
        reads (:meth:`ScoreData.select_elicitation <irtgap.ScoreData.select_elicitation>`):
        ``"best"`` (the highest, as loaded), ``"reference"`` (per benchmark the most common
        named harness), a harness name (``"Terminus 2"``) or ``{benchmark: harness}``; versions
        without the reference harness are dropped from that benchmark unless the rule says
        ``missing="best"`` (:class:`~irtgap.data.elicitation.ElicitationRule`), both counted
        in ``result.data.log["elicitation"]``. None (default): the data as given.
    **overrides
        Options of the method's function (:func:`irtgap.threshold_gap`, :func:`irtgap.fit_eci`,
        :func:`irtgap.fit_elo`, :func:`irtgap.composite_index`; for ``"bayesian"``
        :meth:`GapModel.fit <irtgap.GapModel.fit>`'s, plus ``model``: a
        :class:`~irtgap.GapModel` or a dict of its settings), over the budget's.

    Returns
    -------
    GapResult
        The method's result (``"eci_epoch"``: Epoch's rule read from an ECI fit run with
        these options).

    Examples
    --------
    >>> import irtgap
    >>> from irtgap.methods.registry import run_method
    >>> res = run_method("composite", irtgap.load_dataset(), budget="fast", n_bootstrap=50)
    >>> res.method, res.settings.n_bootstrap
    ('composite', 50)
    """
    spec = get_method(name)
    options = {**spec.budget(budget), **overrides}
    data = elicited(data, elicitation, method=name)
    if spec.derive is not None:
        assert spec.derived_from is not None
        base = run_method(spec.derived_from, data, budget=budget, seed=seed, **overrides)
        return spec.derive(base)
    assert spec.run is not None
    return spec.run(data, seed=seed, **options)


def derived_result(name: str, base: GapResult) -> GapResult:
    """Method ``name``'s result from its base method's result (the result itself when ``name``
    is the base's own method).

    Parameters
    ----------
    name : str
        A method's name.
    base : GapResult
        A result of ``get_method(name).derived_from`` (or of ``name``).

    Returns
    -------
    GapResult
        The result of ``name``.

    Raises
    ------
    ValueError
        ``base`` is a result of another method.
    """
    spec = get_method(name)
    if base.method == name:
        return base
    if spec.derive is None or base.method != spec.derived_from:
        raise ValueError(f"a {base.method!r} result does not give method {name!r}'s result")
    return spec.derive(base)


def base_method(name: str) -> str:
    """The method whose run gives ``name``'s result (``"eci"`` for ``"eci_epoch"``).

    Parameters
    ----------
    name : str
        A method's name.

    Returns
    -------
    str
        ``name`` itself unless it is derived from another method's result.
    """
    return get_method(name).derived_from or name


def gap_table(result: GapResult, dates: Any, **options: Any) -> pd.DataFrame:
    """Every group of ``result``'s gap at ``dates``: the default groups, then those of its
    summary options (the Bayesian fit: ``capability``, then ``public`` and ``private``).

    Parameters
    ----------
    result : GapResult
        Any method's result.
    dates : date or list of dates
        Where to read the gap.
    **options
        Options of ``result.gap()`` (``min_defined``, ``ci_prob``, ...).

    Returns
    -------
    pandas.DataFrame
        The gap tables stacked (:data:`irtgap.results.GAP_COLUMNS`).
    """
    when = check_dates("dates", dates)
    tables = [result.gap(when, **options)]
    if result.summary_options:
        tables.append(result.gap(when, **{**options, **result.summary_options}))
    return pd.concat(tables, ignore_index=True)


def used_benchmarks(result: GapResult) -> set[str]:
    """The benchmarks whose scores ``result``'s method read (removing any other changes nothing).

    Threshold: every benchmark of its data (crossings on each, and the dominance rule compares
    models on all of them). ECI (and Epoch's rule): its benchmark set (``"eci"``: the data's
    benchmarks but those outside Epoch's index). Elo and composite: their benchmark set.
    Bayesian: the benchmarks its design models (fraction scale, enough models and uncensored
    scores).

    Parameters
    ----------
    result : GapResult
        Any method's result.

    Returns
    -------
    set of str
        The benchmark names.
    """
    return set(get_method(result.method).reads(result))


def budget_table() -> pd.DataFrame:
    """Every method's budget per tier, as text (one row per method, one column per tier).

    Returns
    -------
    pandas.DataFrame
        E.g. ``n_bootstrap=500`` or ``draws=300, tune=300, chains=2``.
    """
    rows = {
        name: {tier: ", ".join(f"{k}={v}" for k, v in spec.budget(tier).items()) for tier in TIERS}
        for name, spec in REGISTRY.items()
    }
    return pd.DataFrame.from_dict(rows, orient="index")


__all__ = [
    "BUDGETS",
    "REGISTRY",
    "TIERS",
    "Method",
    "base_method",
    "budget_table",
    "derived_result",
    "gap_table",
    "get_method",
    "method_names",
    "run_method",
    "used_benchmarks",
]
