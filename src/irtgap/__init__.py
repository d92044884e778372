"""irtgap: how far behind the closed frontier are open-weight AI models, in months, with honest
uncertainty.

The one input type is :class:`ScoreData`; every method takes it and returns a
:class:`~irtgap.results.GapResult`: gap draws over ``(chain, draw, group, date)``, the same gap
table, summary, plot and file format, so that summaries and plots never branch on the method.

The package is layered (imports only go downward, checked by ``lint-imports``): ``core`` (dims,
errors, option checks, the gap arithmetic, the measurement function) -> ``data`` (ScoreData,
registry, loaders, bundled sets, simulator) -> ``plotting`` -> ``results`` (the contract) ->
``methods`` (threshold, eci, the Epoch rule, elo, composite, bayes, and their registry) ->
``analyses`` (compare, winner's curse,
validation, leave-one-benchmark-out sensitivity) -> ``report`` -> ``cli``.
"""

from irtgap import results
from irtgap.analyses.backtest import BacktestResult, backtest
from irtgap.analyses.compare import compare
from irtgap.analyses.domains import DomainGaps, gap_by_domain
from irtgap.analyses.elicitation import ElicitationGap, elicitation_gap
from irtgap.analyses.model_threshold import model_threshold_gap
from irtgap.analyses.nowcast import nowcast
from irtgap.analyses.sensitivity import LoboResult, leave_one_benchmark_out
from irtgap.analyses.winners_curse import ThresholdBias, threshold_bias
from irtgap.core.errors import (
    ConvergenceWarning,
    DroppedRowsWarning,
    InputWarning,
    ScoreDataError,
)
from irtgap.data.datasets import load_dataset, load_epoch_snapshot
from irtgap.data.fetch import fetch_epoch_hub
from irtgap.data.hub import load_epoch_hub
from irtgap.data.scoredata import ScoreData
from irtgap.data.simulate import semi_synthetic, simulate
from irtgap.data.two_factor import TwoFactorWorld, simulate_two_factor
from irtgap.methods.bayes.fit import GapFit
from irtgap.methods.bayes.model import GapModel
from irtgap.methods.composite import CompositeResult, composite_index
from irtgap.methods.eci import EciResult, fit_eci
from irtgap.methods.elo import EloResult, fit_elo
from irtgap.methods.epoch_rule import EpochRuleResult, epoch_rule
from irtgap.methods.registry import get_method, run_method
from irtgap.methods.threshold import ThresholdResult, threshold_gap
from irtgap.results import GapResult, load_result

__all__ = [
    "BacktestResult",
    "CompositeResult",
    "ConvergenceWarning",
    "DomainGaps",
    "DroppedRowsWarning",
    "EciResult",
    "ElicitationGap",
    "EloResult",
    "EpochRuleResult",
    "GapFit",
    "GapModel",
    "GapResult",
    "InputWarning",
    "LoboResult",
    "ScoreData",
    "ScoreDataError",
    "ThresholdBias",
    "ThresholdResult",
    "TwoFactorWorld",
    "backtest",
    "compare",
    "composite_index",
    "elicitation_gap",
    "epoch_rule",
    "fetch_epoch_hub",
    "fit_eci",
    "fit_elo",
    "gap_by_domain",
    "get_method",
    "leave_one_benchmark_out",
    "load_dataset",
    "load_epoch_hub",
    "load_epoch_snapshot",
    "load_result",
    "model_threshold_gap",
    "nowcast",
    "results",
    "run_method",
    "semi_synthetic",
    "simulate",
    "simulate_two_factor",
    "threshold_bias",
    "threshold_gap",
]
__version__ = "0.1.0"
