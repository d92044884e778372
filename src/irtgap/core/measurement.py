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
from scipy.special import expit

#: :math:`\epsilon`: the mean score is kept within [eps, 1 - eps].
MEAN_CLIP = 1e-6


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
    """
    mu = floor + (1 - lapse - floor) * ops.sigmoid(slope * (effect - difficulty))
    return ops.clip(mu, MEAN_CLIP, 1 - MEAN_CLIP)
