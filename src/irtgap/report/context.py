"""What the sections of ``irtgap report`` share: the data, the settings and the fits.

Every section receives one :class:`ReportContext`. A method's result (:meth:`ReportContext.result`)
and a Bayesian fit (:meth:`ReportContext.fit`) are computed the first time a section asks for
them and kept in memory for the others, keyed by what they are (the method and its options, the
model's settings), so a section never reads another's files and the report does not depend on
the order of its sections. Budgets come from the registry (:mod:`irtgap.methods.registry`):
tier ``"full"``, or ``"report_fast"`` with ``fast``.

The report fits the default model once; the fits of :data:`EXTRA_FITS` are made only when asked
for (:meth:`ReportContext.wants`). Fits go through the fit cache on disk
(:mod:`irtgap.report.cache`) unless the context has none, and into the report's folder only
with ``save_fits``.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
import warnings
from collections.abc import Callable, Hashable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from irtgap.core.errors import ConvergenceWarning
from irtgap.data.scoredata import ScoreData
from irtgap.methods.bayes.fit import GapFit
from irtgap.methods.bayes.model import GapModel
from irtgap.methods.registry import get_method, run_method
from irtgap.report.cache import FitCache, fit_key, write_compressed
from irtgap.report.stored import ResultStore, computed, replay, result_key
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


#: The fits a report makes only on request (``irtgap report --extra-fits``): the model with
#: open offsets by domain and benchmark (the domains section) and the model with open models
#: from China only (its paragraph).
EXTRA_FITS = ("domains", "china", "elicitation")


@dataclass(frozen=True)
class FitRun:
    """A Bayesian fit of the report and how it was obtained.

    Attributes
    ----------
    fit : GapFit
        The fit.
    convergence : tuple of str
        The sampler diagnostics' :class:`~irtgap.core.errors.ConvergenceWarning` messages.
    name : str
        What the report calls the fit (``"main"``, or one of :data:`EXTRA_FITS`).
    source : str
        ``"cache"`` (read from the fit cache) or ``"sampled"``.
    seconds : float
        Time taken to sample it or to read it.
    cache_path : pathlib.Path or None
        Its file in the fit cache (None: not cached).
    saved : pathlib.Path or None
        Its copy in the report's folder (``save_fits``; None: not saved there).
    key : str
        Its key in the fit cache (:func:`~irtgap.report.cache.fit_key`; empty without a
        cache): what the stored results computed from it are keyed by.
    """

    fit: GapFit
    convergence: tuple[str, ...]
    name: str = "main"
    source: str = "sampled"
    seconds: float = 0.0
    cache_path: Path | None = None
    saved: Path | None = None
    key: str = ""

    @property
    def file_name(self) -> str:
        """The file name of the fit in the report's folder (``gap_fit.nc``,
        ``gap_fit_<name>.nc``)."""
        return fit_file_name(self.name)


def fit_file_name(name: str) -> str:
    """The file name of fit ``name`` in the report's folder."""
    return "gap_fit.nc" if name == "main" else f"gap_fit_{name}.nc"


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
    extra_fits : frozenset of str
        The fits of :data:`EXTRA_FITS` asked for (:meth:`wants`).
    fit_cache : FitCache or None
        Where fits are read from and stored (None: every fit is sampled, none stored); the
        results computed from the data and the fits (:meth:`stored`) are stored in the same
        folder.
    save_fits : bool
        Also write each fit, compressed, into ``out_dir`` (:attr:`FitRun.file_name`).
    """

    data: ScoreData
    out_dir: Path
    fast: bool = False
    seed: int = 0
    log: Log | None = None
    sections: tuple[str, ...] = ()
    extra_fits: frozenset[str] = frozenset()
    fit_cache: FitCache | None = None
    save_fits: bool = False
    _cache: dict[Hashable, Any] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.extra_fits = frozenset(check_extra_fits(self.extra_fits))

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

    def wants(self, extra_fit: str) -> bool:
        """Whether the extra fit ``extra_fit`` (of :data:`EXTRA_FITS`) was asked for.

        Parameters
        ----------
        extra_fit : str
            A name of :data:`EXTRA_FITS`.

        Returns
        -------
        bool
            True if the report makes it.
        """
        check_extra_fits([extra_fit])
        return extra_fit in self.extra_fits

    def fit_runs(self) -> list[FitRun]:
        """The report's fits so far, in the order they were first asked for (failed ones
        left out)."""
        return [v for v in self._cache.values() if isinstance(v, FitRun)]

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

        result: GapResult = self.stored(f"result {method}", make, **options)
        return result

    def stored[T](self, what: str, make: Callable[[], T], **options: Any) -> T:
        """``make()`` once per report and, with a fit cache, once per content: read back from
        the cache's folder when the data, budget, seed, ``options`` and code are those it was
        computed with (:mod:`irtgap.report.stored`), with the warnings it gave then.

        Parameters
        ----------
        what : str
            What is computed (its name in the key and the progress lines).
        make : callable
            Computes it (a pure function of the data, the report's budget and seed and
            ``options``).
        **options
            What else it depends on (JSON-like values; a fit it reads by
            :attr:`FitRun.key`).

        Returns
        -------
        object
            The value.
        """
        key = ("stored", what, json.dumps(options, sort_keys=True, default=str))
        value: T = self._cached(key, lambda: self._load_or_compute(what, make, options))
        return value

    def _load_or_compute[T](self, what: str, make: Callable[[], T], options: dict[str, Any]) -> T:
        """The value from the result cache, else computed (and stored)."""
        if self.fit_cache is None:
            return make()
        store = ResultStore(self.fit_cache.directory)
        key = result_key(self.data, what, {**options, "budget": self.budget}, self.seed)
        t0 = time.perf_counter()
        found = store.load(key)
        if found is not None:
            self.say(f"    {what}: read from the cache in {time.perf_counter() - t0:.1f} s")
            value: T = replay(found)
            return value
        value, caught = computed(make)
        store.store(key, value, caught)
        return value

    def fit(self, *, name: str = "main", **model: Any) -> FitRun:
        """The Bayesian fit of ``GapModel(**model)`` on the data (the report's budget), with
        the sampler's :class:`~irtgap.core.errors.ConvergenceWarning` messages as text (the
        other warnings reach the caller the first time).

        The fit is read from :attr:`fit_cache` when it holds one of the same key
        (:func:`~irtgap.report.cache.fit_key`: the data, the settings, the budget, the seed,
        irtgap's version and source), else sampled and stored there; with :attr:`save_fits`
        it is also written into the report's folder. A progress line says which.

        Parameters
        ----------
        name : str
            What the report calls the fit (its file ``gap_fit_<name>.nc``; ``"main"``:
            ``gap_fit.nc``). A model asked for under two names is fitted once, under the
            first.
        **model
            Settings of :class:`~irtgap.GapModel` (none: the default model).

        Returns
        -------
        FitRun
            The fit and how it was obtained, computed once per report and model.
        """
        gap_model = GapModel(**model)
        key = ("fit", json.dumps(asdict(gap_model.settings), sort_keys=True, default=str))
        run: FitRun = self._cached(key, lambda: self._make_fit(gap_model, name))
        return run

    def _make_fit(self, gap_model: GapModel, name: str) -> FitRun:
        """Read the fit from the cache or sample it (and store it); save it if asked."""
        options = get_method("bayesian").budget(self.budget)
        cache = self.fit_cache
        key = fit_key(self.data, gap_model, options, self.seed) if cache is not None else ""
        t0 = time.perf_counter()
        cached = cache.load(key, self.data, gap_model, options) if cache is not None else None
        if cached is not None:
            fit, conv, source = cached.fit, cached.convergence, "cache"
            seconds = time.perf_counter() - t0
            path = cache.path(key) if cache is not None else None
            self.say(f"    fit {name}: read from the fit cache in {seconds:.1f} s ({path})")
        else:
            (fit, conv), source = self._sample(gap_model, name, options), "sampled"
            seconds = time.perf_counter() - t0
            path = cache.store(key, fit, conv) if cache is not None else None
            where = f"; cached as {path}" if path is not None else "; not cached"
            self.say(f"    fit {name}: sampled in {seconds:.1f} s{where}")
        saved = self._save(fit, name, path)
        return FitRun(fit, conv, name, source, seconds, path, saved, key)

    def _sample(
        self, gap_model: GapModel, name: str, options: dict[str, Any]
    ) -> tuple[GapFit, tuple[str, ...]]:
        """Sample the fit; its :class:`~irtgap.core.errors.ConvergenceWarning` messages as
        text, the other warnings passed on."""
        self.say(
            f"    fit {name}: sampling, {options.get('chains')} chains (nutpie; compile about 15 s)"
        )
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
        return fit, tuple(conv)

    def _save(self, fit: GapFit, name: str, cached: Path | None) -> Path | None:
        """With :attr:`save_fits`, the fit's compressed file in the report's folder (a copy of
        the cached file when there is one)."""
        if not self.save_fits:
            return None
        target = self.out_dir / fit_file_name(name)
        if cached is not None and cached.is_file():
            shutil.copyfile(cached, target)
        else:
            write_compressed(fit, target)
        self.say(f"    fit {name}: saved as {target}")
        return target


def check_extra_fits(names: Iterable[str]) -> list[str]:
    """``names`` if each is one of :data:`EXTRA_FITS`; a ValueError naming the others.

    Parameters
    ----------
    names : iterable of str
        Names of extra fits.

    Returns
    -------
    list of str
        The names.
    """
    names = [str(n) for n in names]
    unknown = [n for n in names if n not in EXTRA_FITS]
    if unknown:
        raise ValueError(f"extra fit(s) {unknown} unknown: choose from {', '.join(EXTRA_FITS)}")
    return names


__all__ = [
    "EXTRA_FITS",
    "FitRun",
    "ReportContext",
    "batch_progress",
    "check_extra_fits",
    "fit_file_name",
]
