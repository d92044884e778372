"""``irtgap report``: figures and a Markdown report a person can read.

The report is a list of sections (:data:`SECTIONS`). Each section follows the :class:`Section`
protocol: a callable ``section(ctx) -> str`` that receives the report's
:class:`~irtgap.report.context.ReportContext` (the data, the settings, the fits every section
shares, computed once on demand), writes its PNGs into ``ctx.out_dir`` and returns Markdown that
links them by file name. Sections live in :mod:`irtgap.report.sections`, one module per method,
and are listed in :data:`SECTIONS` as imported functions; a section that fails is reported in
``report.md`` (and as a warning) instead of sinking the whole report. To add a method to the
report, write its section module there and append it to :data:`SECTIONS`.
"""

from __future__ import annotations

import time
import traceback
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from irtgap.core.dates import check_date
from irtgap.data.scoredata import ScoreData
from irtgap.report.cache import FitCache
from irtgap.report.context import ReportContext, check_extra_fits
from irtgap.report.sections.backtest import backtest_section
from irtgap.report.sections.bayes import bayes_section
from irtgap.report.sections.data import data_section
from irtgap.report.sections.domains import domains_section
from irtgap.report.sections.elicitation import elicitation_section
from irtgap.report.sections.fits import fits_md
from irtgap.report.sections.scores import scores_section
from irtgap.report.sections.sensitivity import sensitivity_section
from irtgap.report.sections.threshold import threshold_section
from irtgap.report.sections.today import today_lines


class Section(Protocol):
    """One section of the report: writes its figures into ``ctx.out_dir``, returns Markdown."""

    def __call__(self, ctx: ReportContext) -> str: ...


#: (name, section) in report order.
SECTIONS: list[tuple[str, Section]] = [
    ("overview", data_section),
    ("threshold", threshold_section),
    ("scores", scores_section),
    ("bayes", bayes_section),
    ("domains", domains_section),
    ("elicitation", elicitation_section),
    ("sensitivity", sensitivity_section),
]
#: (name, section) of the sections written only when named in ``sections``, after the others.
OPTIONAL_SECTIONS: list[tuple[str, Section]] = [("backtest", backtest_section)]


def write_report(
    data: ScoreData,
    out_dir: str | Path,
    *,
    sections: Sequence[str] | None = None,
    fast: bool = False,
    seed: int = 0,
    data_label: str = "bundled Epoch AI Hub export (April 2026)",
    log: Callable[[str], None] | None = None,
    extra_fits: Sequence[str] = (),
    cache: bool = True,
    cache_dir: str | Path | None = None,
    save_fits: bool = False,
    date: Any = None,
) -> Path:
    """Write every section's figures and ``report.md`` into ``out_dir``; return the report path.

    A section that fails is written as a failure note and the others go on; after writing the
    report, :class:`ReportSectionError` names the failed sections (the command exits 1).

    Parameters
    ----------
    data : ScoreData
        The scores.
    out_dir : str or pathlib.Path
        The folder (created if missing).
    sections : sequence of str, optional
        Names from :data:`SECTIONS` (default: all of them) and :data:`OPTIONAL_SECTIONS`
        (``"backtest"``: every fast method refitted at past cutoffs, minutes; only when named).
    fast : bool
        Fewer bootstrap resamples and MCMC draws (for tests and previews: the registry's
        ``"report_fast"`` budgets instead of ``"full"``).
    seed : int
        The seed of every random step.
    data_label : str
        How the report names the data.
    log : callable, optional
        Receives progress lines (the CLI passes one that prints to stderr).
    extra_fits : sequence of str
        Fits beyond the default model's, of :data:`~irtgap.report.context.EXTRA_FITS`:
        ``"domains"`` (open offsets by domain: the Bayesian gap by domain) and ``"china"``
        (open models from China only); both are read by the ``domains`` section, which must
        be in the report.
    cache : bool
        Read fits from and store them in the fit cache (:mod:`irtgap.report.cache`).
    cache_dir : str or pathlib.Path, optional
        The cache's folder (default: :func:`~irtgap.report.cache.default_cache_dir`).
    save_fits : bool
        Also write each fit, compressed, into ``out_dir``; needs a section that fits
        (``bayes``, or ``domains`` with ``extra_fits``).
    date : date-like, optional
        The report's date (default today): its first lines give the gap there and at the last
        date with data (:func:`~irtgap.report.sections.today.today_lines`).

    Returns
    -------
    pathlib.Path
        The report's path.

    Raises
    ------
    ValueError
        An unknown section or extra fit, ``extra_fits`` without the ``domains`` section,
        ``save_fits`` without a section that fits, or ``cache_dir`` with ``cache=False``.
    ReportSectionError
        After writing the report, when a section failed.
    """
    import matplotlib

    matplotlib.use("Agg")
    date = check_date("date", date) if date is not None else None
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    wanted = list(sections) if sections is not None else [n for n, _ in SECTIONS]
    known = dict(SECTIONS + OPTIONAL_SECTIONS)
    unknown = [w for w in wanted if w not in known]
    if unknown:
        raise ValueError(f"unknown report section(s) {unknown}; known: {list(known)}")
    fit_cache = _fit_cache(wanted, extra_fits, cache, cache_dir, save_fits)
    failed: dict[str, str] = {}
    ctx = ReportContext(
        data,
        out,
        fast=fast,
        seed=seed,
        log=log,
        sections=tuple(wanted),
        extra_fits=frozenset(extra_fits),
        fit_cache=fit_cache,
        save_fits=save_fits,
    )
    parts = [
        "# irtgap report: how far behind are open-weight models?",
        f"Data: {data_label}. Gaps are in months (days / 30.44); every interval is 90% unless "
        "stated. Generated by irtgap.",
    ]
    if "epoch" in data_label.lower():  # Epoch AI's data: the licence asks for the citation
        parts.append(
            "The data are Epoch AI's, licensed CC-BY 4.0: Epoch AI, 'AI Benchmarking Hub', "
            "<https://epoch.ai/benchmarks>."
        )
    for name in wanted:
        if log:
            log(f"writing section {name}...")
        t0 = time.perf_counter()
        try:
            parts.append(known[name](ctx))
        except Exception as exc:  # one failed section must not sink the others
            tb = traceback.format_exc(limit=3)
            failed[name] = f"{type(exc).__name__}: {exc}"
            warnings.warn(f"report section {name!r} failed: {exc}", RuntimeWarning, stacklevel=2)
            parts.append(f"## {name}\n\nThis section failed: `{exc!r}`\n\n```\n{tb}\n```")
            if log:
                log(f"  {name} FAILED after {time.perf_counter() - t0:.1f} s: {exc}")
            continue
        if log:
            log(f"  {name} done in {time.perf_counter() - t0:.1f} s")
    parts.insert(1, "\n".join(today_lines(ctx, date)))
    fits = fits_md(ctx)
    path = out / "report.md"
    path.write_text("\n\n".join([*parts, *([fits] if fits else [])]) + "\n", encoding="utf-8")
    if failed:
        raise ReportSectionError(path, failed)
    return path


def _fit_cache(
    sections: Sequence[str],
    extra_fits: Sequence[str],
    cache: bool,
    cache_dir: str | Path | None,
    save_fits: bool,
) -> FitCache | None:
    """The report's fit cache (None with ``cache=False``), after checking that no fit option
    would be ignored."""
    if isinstance(extra_fits, str):
        raise ValueError(f"extra_fits={extra_fits!r}: give a sequence of names, e.g. ['china']")
    extra = check_extra_fits(extra_fits)
    if extra and "domains" not in sections:
        raise ValueError(
            f"extra fits {extra} are written by the 'domains' section, which is not in the "
            f"report (sections {list(sections)}); add it or drop the extra fits"
        )
    if save_fits and "bayes" not in sections and not extra:
        raise ValueError(
            "save_fits: no section of this report fits the Bayesian model (sections "
            f"{list(sections)}); add 'bayes', or 'domains' with an extra fit"
        )
    if not cache:
        if cache_dir is not None:
            raise ValueError(
                f"cache_dir={str(cache_dir)!r} with the fit cache off: give one or the other"
            )
        return None
    return FitCache.at(cache_dir)


class ReportSectionError(RuntimeError):
    """Raised by :func:`write_report` after writing ``report.md`` when any section failed.

    ``path`` is the report (the other sections are in it); ``failed`` maps each failed section
    to its error.
    """

    def __init__(self, path: Path, failed: dict[str, str]) -> None:
        self.path = path
        self.failed = dict(failed)
        detail = "; ".join(f"{k}: {v}" for k, v in failed.items())
        super().__init__(
            f"{len(failed)} report section(s) failed ({detail}); the others are in {path}"
        )
