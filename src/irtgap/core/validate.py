"""The checks of options and data under their original import path.

The checks live in one module per topic: :mod:`~irtgap.core.options` (option checks),
:mod:`~irtgap.core.dates` (dates), :mod:`~irtgap.core.score_table` (the score table's columns,
weights labels and connectivity) and :mod:`~irtgap.core.benchmark_meta` (benchmark metadata).
This module re-exports their names; new code imports from those modules.
"""

from __future__ import annotations

from irtgap.core.benchmark_meta import (
    ACCESS_LABELS,
    SCALES,
    check_item_counts,
    index_benchmark_meta,
    normalize_benchmark_meta,
)
from irtgap.core.dates import EARLIEST_DATE, check_date, check_dates, parse_dates
from irtgap.core.options import (
    check_bool,
    check_choice,
    check_count,
    check_level,
    check_n_jobs,
    check_names,
    check_number,
    check_seed,
    show_values,
)
from irtgap.core.score_table import (
    MISSING_WEIGHTS,
    WEIGHTS_LABELS,
    benchmark_components,
    parse_weights,
    require_columns,
)

__all__ = [
    "ACCESS_LABELS",
    "EARLIEST_DATE",
    "MISSING_WEIGHTS",
    "SCALES",
    "WEIGHTS_LABELS",
    "benchmark_components",
    "check_bool",
    "check_choice",
    "check_count",
    "check_date",
    "check_dates",
    "check_item_counts",
    "check_level",
    "check_n_jobs",
    "check_names",
    "check_number",
    "check_seed",
    "index_benchmark_meta",
    "normalize_benchmark_meta",
    "parse_dates",
    "parse_weights",
    "require_columns",
    "show_values",
]
