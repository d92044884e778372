"""``irtgap.core.validate`` re-exports the checks of its topic modules under their names."""

from __future__ import annotations

import importlib

import irtgap.core.validate as validate


def test_validate_re_exports_each_topic_modules_names():
    homes = {
        "options": {"check_choice", "check_count", "check_level", "check_number", "show_values"},
        "dates": {"parse_dates", "check_date", "check_dates", "EARLIEST_DATE"},
        "score_table": {"require_columns", "parse_weights", "benchmark_components"},
        "benchmark_meta": {"normalize_benchmark_meta", "check_item_counts", "SCALES"},
    }
    for module, names in homes.items():
        home = importlib.import_module(f"irtgap.core.{module}")
        for name in names:
            assert getattr(validate, name) is getattr(home, name), name
    for name in validate.__all__:
        assert hasattr(validate, name), name
