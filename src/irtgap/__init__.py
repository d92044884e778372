"""irtgap: how far behind the closed frontier are open-weight AI models, in months, with honest
uncertainty.

The one input type is :class:`ScoreData`; the methods take it and return results that share one
shape (draws over ``chain`` / ``draw``), so that summaries and plots never branch on the method.
"""

from irtgap.datasets import load_epoch_snapshot
from irtgap.errors import ConvergenceWarning, DroppedRowsWarning, ScoreDataError
from irtgap.gapfit import GapFit
from irtgap.gapmodel import GapModel
from irtgap.hub import load_epoch_hub
from irtgap.scoredata import ScoreData
from irtgap.simulate import simulate
from irtgap.threshold import ThresholdResult, threshold_gap

__all__ = [
    "ConvergenceWarning",
    "DroppedRowsWarning",
    "GapFit",
    "GapModel",
    "ScoreData",
    "ScoreDataError",
    "ThresholdResult",
    "load_epoch_hub",
    "load_epoch_snapshot",
    "simulate",
    "threshold_gap",
]
__version__ = "0.1.0"
