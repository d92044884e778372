r"""The measurement: how a model's capability becomes its expected score on a benchmark.

One formula, used by the Bayesian model (:func:`irtgap.methods.bayes.model.build_model`, on
pytensor tensors), by the posterior replicator of the winner's-curse analysis
(:func:`irtgap.analyses.winners_curse.replicate_scores`) and by the simulator
(:func:`irtgap.simulate`), both on numpy arrays:

.. math::

    \mu = f + (1 - \lambda - f)\,\operatorname{logistic}\big(\alpha\,(\theta - d)\big),
    \qquad \mu \leftarrow \min\big(\max(\mu, \epsilon), 1 - \epsilon\big),

the mean of the score as a fraction of the benchmark's ceiling (a 2PL item response curve with a
random-guess floor :math:`f`, the floor as a fraction of the ceiling), for effective capability
:math:`\theta`, difficulty :math:`d` and slope :math:`\alpha`. :math:`\lambda` (0 unless given)
is a lapse rate: the share of the ceiling no model reaches (mislabelled or ambiguous items), the
upper asymptote :math:`1 - \lambda` of a 4PL curve. The clip at
:math:`\epsilon` = :data:`MEAN_CLIP` keeps both Beta shape parameters
:math:`\mu\phi, (1-\mu)\phi` positive.

Examples
--------
>>> import numpy as np
>>> from irtgap.core.measurement import mean_score
>>> mean_score(np.array([0.0, 2.0]), difficulty=0.0, slope=1.0, floor=0.25).round(3)
array([0.625, 0.911])
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit

from irtgap.core.benchmark_meta import check_item_counts
from irtgap.core.errors import ScoreDataError

#: :math:`\epsilon`: the mean score is kept within [eps, 1 - eps].
MEAN_CLIP = 1e-6
#: Scores are read as censored below ``CENSOR`` and above ``1 - CENSOR`` of the ceiling (see
#: GapModel): the resolution limit of a reported score when its benchmark's item count is unknown.
CENSOR = 0.005
#: Fewest items (benchmark metadata ``n_items``) whose half-item resolution is read: a benchmark
#: of n items resolves a score to :math:`1/(2n)`, at most 0.05.
MIN_ITEMS = 10


@dataclass(frozen=True)
class MathOps:
    """The two operations the formula needs, so that one function serves numpy and pytensor."""

    sigmoid: Callable[[Any], Any]
    clip: Callable[[Any, float, float], Any]


#: numpy / scipy operations (the default).
NUMPY_OPS = MathOps(sigmoid=expit, clip=np.clip)


def mean_score(
    effect: Any,
    *,
    difficulty: Any,
    slope: Any,
    floor: Any,
    lapse: Any = 0.0,
    ops: MathOps = NUMPY_OPS,
) -> Any:
    r"""Expected score as a fraction of the ceiling (see the module docstring).

    Parameters
    ----------
    effect : array-like or tensor
        Effective capability :math:`\theta` (capability plus any open public-benchmark advantage,
        minus any provider penalty).
    difficulty, slope, floor : array-like or tensor
        The benchmark's :math:`d`, :math:`\alpha` and floor :math:`f` (fraction of the ceiling),
        broadcast against ``effect``.
    lapse : array-like or tensor
        :math:`\lambda`, the share of the ceiling out of reach (0: the 2PL curve with a floor).
    ops : MathOps
        ``sigmoid`` and ``clip`` of the array library (numpy by default; the model passes
        pytensor's).

    Returns
    -------
    array-like or tensor
        :math:`\mu`, clipped to ``[MEAN_CLIP, 1 - MEAN_CLIP]``, in the array library of ``ops``.
    """
    mu = floor + (1 - lapse - floor) * ops.sigmoid(slope * (effect - difficulty))
    return ops.clip(mu, MEAN_CLIP, 1 - MEAN_CLIP)


def resolution_limits(benchmarks: pd.DataFrame) -> np.ndarray:
    r"""Per row of ``benchmarks`` (metadata indexed by benchmark): the resolution limit of its
    scores as a fraction of the ceiling, half an item :math:`1/(2n)` where ``n_items`` gives
    the item count :math:`n` (a score of :math:`n/n` says only that the share is above
    :math:`1 - 1/(2n)`), never finer than :data:`CENSOR`, and :data:`CENSOR` where the count is
    unknown. A ScoreDataError names benchmarks with fewer than :data:`MIN_ITEMS` items.

    Examples
    --------
    >>> import pandas as pd
    >>> from irtgap.core.measurement import resolution_limits
    >>> meta = pd.DataFrame({"n_items": [15, None, 1000]}, index=["a", "b", "c"])
    >>> resolution_limits(meta).round(4)
    array([0.0333, 0.005 , 0.005 ])
    """
    if "n_items" not in benchmarks.columns:
        return np.full(len(benchmarks), CENSOR)
    n = check_item_counts(benchmarks["n_items"]).to_numpy(float)
    few = np.isfinite(n) & (n < MIN_ITEMS)
    if few.any():
        raise ScoreDataError(
            f"benchmark metadata column 'n_items': benchmark(s) {list(benchmarks.index[few])} have "
            f"fewer than {MIN_ITEMS} items ({n[few].astype(int).tolist()}); the model reads scores "
            f"to half an item and needs at least {MIN_ITEMS}: leave n_items blank for them (read "
            f"to {CENSOR}) or leave the benchmark out"
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        half_item = np.where(np.isfinite(n), 0.5 / n, CENSOR)
    return np.maximum(half_item, CENSOR)
