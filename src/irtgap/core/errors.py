"""Exceptions and warnings raised by irtgap."""

from __future__ import annotations


class ScoreDataError(ValueError):
    """Invalid input score data; the message names the column, rows or benchmark at fault."""


class DroppedRowsWarning(UserWarning):
    """Rows, benchmarks or models were left out; the message gives how many and why."""


class ConvergenceWarning(UserWarning):
    """A sampler or optimiser reported bad diagnostics (R-hat, ESS, divergences, failure)."""
