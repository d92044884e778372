"""Exceptions and warnings raised by irtgap."""

from __future__ import annotations


class ScoreDataError(ValueError):
    """Invalid input score data; the message names the column, rows or benchmark at fault."""


class DroppedRowsWarning(UserWarning):
    """Rows, benchmarks or models were left out; the message gives how many and why."""


class InputWarning(UserWarning):
    """An input was read under an assumption the message names, with the column and rows: a
    day/month order that other values of the column imply, names that differ only by case."""


class ConvergenceWarning(UserWarning):
    """A sampler or optimiser reported bad diagnostics (R-hat, ESS, divergences, failure)."""
