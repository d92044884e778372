"""What the sections of ``irtgap report`` share: the data, the settings and the fits.

Every section receives one :class:`ReportContext`. A method's result (:meth:`ReportContext.result`)
and a Bayesian fit (:meth:`ReportContext.fit`) are computed the first time a section asks for
them and kept in memory for the others, keyed by what they are (the method and its options, the
model's settings), so a section never reads another's files and the report does not depend on
the order of its sections. Budgets come from the registry (:mod:`irtgap.methods.registry`):
tier ``"full"``, or ``"report_fast"`` with ``fast``.
"""

from __future__ import annotations

import json
import sys
import warnings
from collections.abc import Callable, Hashable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from irtgap.core.errors import ConvergenceWarning
from irtgap.data.scoredata import ScoreData
from irtgap.methods.bayes.fit import GapFit
from irtgap.methods.bayes.model import GapModel
from irtgap.methods.registry import get_method, run_method
from irtgap.results import GapResult

Log = Callable[[str], None]


def batch_progress(log: Log | None, label: str) -> Callable[[int, int, str], None] | None:
    """A ``progress(done, total, message)`` callback for the fan-out functions that writes
    ``label: done/total`` lines to ``log`` (None without a log: the library stays quiet).

    Parameters
    ----------
    log : callable or None
        Receives the lines.
    label : str
        What is counted.

    Returns
    -------
    callable or None
        The callback.
    """
    if log is None:
        return None

    def progress(done: int, total: int, message: str) -> None:
        log(f"    {label}: {done}/{total}")

    return progress


@dataclass(frozen=True)
class FitRun:
    """A Bayesian fit of the report and the sampler's warnings it raised (as text)."""

    fit: GapFit
    convergence: tuple[str, ...]


@dataclass
class ReportContext:
    """The shared state of one report.

    Attributes
    ----------
    data : ScoreData
        The scores every section reads.
    out_dir : pathlib.Path
        Where the sections write their figures and files.
    fast : bool
        Short runs (the registry's ``"report_fast"`` budgets) for previews and tests.
    seed : int
        The seed of every random step.
    log : callable or None
        Receives progress lines (None: quiet).
    sections : tuple of str
        The sections of this report (a section may read another's results only if that one is
        in the report: :meth:`includes`).
    """

    data: ScoreData
    out_dir: Path
    fast: bool = False
    seed: int = 0
    log: Log | None = None
    sections: tuple[str, ...] = ()
    _cache: dict[Hashable, Any] = field(default_factory=dict, init=False, repr=False)

    @property
    def budget(self) -> str:
        """The registry's budget tier of the report's fits."""
        return "report_fast" if self.fast else "full"

    def includes(self, section: str) -> bool:
        """Whether ``section`` is in this report.

        Parameters
        ----------
        section : str
            A section's name.

        Returns
        -------
        bool
            True if the report writes it.
        """
        return section in self.sections

    def say(self, line: str) -> None:
        """Pass ``line`` to the log (nothing without one)."""
        if self.log is not None:
            self.log(line)

    def _cached(self, key: Hashable, make: Callable[[], Any]) -> Any:
        """``make()`` the first time ``key`` is asked for; a failure is kept and raised again."""
        if key not in self._cache:
            try:
                self._cache[key] = make()
            except Exception as exc:  # kept, so that a second section does not refit to fail
                self._cache[key] = exc
        value = self._cache[key]
        if isinstance(value, Exception):
            raise value
        return value

    def result(self, method: str, **options: Any) -> GapResult:
        """Method ``method``'s result on the data (the report's budget, ``options`` on top).

        Parameters
        ----------
        method : str
            A method's name (:func:`irtgap.methods.registry.method_names`).
        **options
            Options of the method's function (JSON-like values: they key the cache).

        Returns
        -------
        GapResult
            The result, computed once per report.
        """
        spec = get_method(method)
        key = ("result", method, json.dumps(options, sort_keys=True, default=str))

        def make() -> GapResult:
            run: dict[str, Any] = {}
            if spec.parallel:
                label = get_method(spec.derived_from or method).label
                progress = batch_progress(self.log, f"{label} bootstrap refits")
                run = {"n_jobs": -1, "progress": progress}
            if spec.derived_from is not None:
                base = self.result(spec.derived_from, **options)
                assert spec.derive is not None
                return spec.derive(base)
            return run_method(
                method, self.data, budget=self.budget, seed=self.seed, **run, **options
            )

        result: GapResult = self._cached(key, make)
        return result

    def fit(self, **model: Any) -> FitRun:
        """The Bayesian fit of ``GapModel(**model)`` on the data (the report's budget), with
        the sampler's :class:`~irtgap.core.errors.ConvergenceWarning` messages as text (the
        other warnings reach the caller the first time).

        Parameters
        ----------
        **model
            Settings of :class:`~irtgap.GapModel` (none: the default model).

        Returns
        -------
        FitRun
            The fit and its convergence warnings, computed once per report and model.
        """
        gap_model = GapModel(**model)
        key = ("fit", json.dumps(asdict(gap_model.settings), sort_keys=True, default=str))

        def make() -> FitRun:
            chains = get_method("bayesian").budget(self.budget).get("chains")
            self.say(f"    sampling: {chains} chains (nutpie; compile about 15 s)")
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", ConvergenceWarning)
                fit = run_method(
                    "bayesian",
                    self.data,
                    budget=self.budget,
                    seed=self.seed,
                    model=gap_model,
                    progressbar=self.log is not None and sys.stderr.isatty(),
                )
            conv = [str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning)]
            for w in caught:  # the others (e.g. benchmarks of unknown access) go on
                if not issubclass(w.category, ConvergenceWarning):
                    warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
            assert isinstance(fit, GapFit)
            return FitRun(fit, tuple(conv))

        run: FitRun = self._cached(key, make)
        return run


__all__ = ["FitRun", "ReportContext", "batch_progress"]
