"""Shared fixtures and the ``--runslow`` switch (slow tests: real MCMC fits)."""

from __future__ import annotations

import matplotlib
import pandas as pd
import pytest

import irtgap

matplotlib.use("Agg")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--runslow", action="store_true", help="also run tests marked slow")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--runslow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --runslow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def small_frame() -> pd.DataFrame:
    """4 models (2 open, 2 closed) x 3 benchmarks, connected, one row per pair."""
    return pd.DataFrame(
        {
            "model": ["c1", "c1", "c1", "c2", "c2", "o1", "o1", "o1", "o2", "o2"],
            "benchmark": ["A", "B", "C", "A", "B", "A", "B", "C", "B", "C"],
            "score": [0.50, 0.30, 0.20, 0.70, 0.50, 0.40, 0.20, 0.10, 0.45, 0.30],
            "date": ["2024-01-01"] * 3
            + ["2024-06-01"] * 2
            + ["2024-03-01"] * 3
            + ["2024-09-01"] * 2,
            "weights": ["closed"] * 5 + ["open"] * 5,
            "country": ["United States of America"] * 5 + ["China"] * 3 + ["France"] * 2,
        }
    )


@pytest.fixture
def small_data(small_frame: pd.DataFrame) -> irtgap.ScoreData:
    return irtgap.ScoreData.from_frame(
        small_frame,
        model="model",
        benchmark="benchmark",
        score="score",
        date="date",
        weights="weights",
        country="country",
    )
