"""irtgap: how far behind the closed frontier are open-weight AI models, in months, with honest
uncertainty.

The one input type is :class:`ScoreData`; the methods take it and return results that share one
shape (draws over ``chain`` / ``draw``), so that summaries and plots never branch on the method.
"""

from irtgap.compare import compare
from irtgap.composite import CompositeResult, composite_index
from irtgap.datasets import load_dataset, load_epoch_snapshot
from irtgap.eci import EciResult, fit_eci
from irtgap.elo import EloResult, fit_elo
from irtgap.errors import ConvergenceWarning, DroppedRowsWarning, ScoreDataError
from irtgap.gapfit import GapFit
from irtgap.gapmodel import GapModel
from irtgap.hub import load_epoch_hub
from irtgap.scoredata import ScoreData
from irtgap.simulate import simulate
from irtgap.threshold import ThresholdResult, threshold_gap

__all__ = [
    "CompositeResult",
    "ConvergenceWarning",
    "DroppedRowsWarning",
    "EciResult",
    "EloResult",
    "GapFit",
    "GapModel",
    "ScoreData",
    "ScoreDataError",
    "ThresholdResult",
    "compare",
    "composite_index",
    "fit_eci",
    "fit_elo",
    "load_dataset",
    "load_epoch_hub",
    "load_epoch_snapshot",
    "simulate",
    "threshold_gap",
]
__version__ = "0.1.0"
