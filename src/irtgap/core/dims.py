"""Fixed names used everywhere: dimensions of results and columns of tidy tables.

Defined once so that data, results, summaries and plots never disagree on a spelling.
"""

from __future__ import annotations

from typing import Final

#: One evaluated model (a model version, or a model group after merging variants).
MODEL: Final = "model"
#: One benchmark.
BENCHMARK: Final = "benchmark"
#: A split of the gap (e.g. ``"all"``, ``"public"``, ``"private"``).
GROUP: Final = "group"
#: A date on a grid (``datetime64[ns]``).
DATE: Final = "date"
#: A benchmark's domain (see :data:`irtgap.data.registry.DOMAINS`).
DOMAIN: Final = "domain"
#: Weights group of a model: ``"open"`` or ``"closed"``.
WEIGHTS: Final = "weights"
#: One observation (a row of the score table).
OBS: Final = "obs"
#: Sampling dimensions shared by every result (bootstrap results have one chain).
CHAIN: Final = "chain"
DRAW: Final = "draw"

# Columns of the tidy score table held by :class:`irtgap.ScoreData`.
SCORE: Final = "score"
PROVIDER: Final = "provider"
MODEL_GROUP: Final = "model_group"
COUNTRY: Final = "country"
ORGANIZATION: Final = "organization"
ACCESS: Final = "access"

OPEN: Final = "open"
CLOSED: Final = "closed"
SIDES: Final = (CLOSED, OPEN)
FIRST_PARTY: Final = "first-party"

#: Days in a month, as used for every gap in months (365.25 / 12).
DAYS_PER_MONTH: Final = 365.25 / 12
