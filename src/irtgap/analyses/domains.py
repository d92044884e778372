r"""The gap by domain, method by method: where open models are close, and where they are far.

:func:`gap_by_domain` puts side by side, per domain of the benchmark metadata:

- the Bayesian model's domain gap (a fit of ``GapModel(open_offsets=True)``; see
  :mod:`irtgap.methods.bayes.domains`): one fit, every domain's open offset partially pooled;
- the threshold method's trend over the domain's crossing points (``threshold_gap(by="domain")``);
- ECI and Elo refitted on the domain's benchmarks alone, where the domain has at least
  :data:`MIN_IRT_BENCHMARKS` benchmarks (a capability scale needs several), with ECI anchored on
  the domain's most-scored benchmark unless Winogrande is among them.

Each method is read at its own last date with data for all its groups (as :func:`irtgap.compare`
does), or at ``date`` if that is earlier. A domain without a number says why in ``note``: too
few benchmarks or models, a trend that ends before that date, or the error of its refit.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from irtgap.analyses.compare import last_with_data
from irtgap.core import dims as D
from irtgap.core.errors import ScoreDataError
from irtgap.core.parallel import Progress
from irtgap.core.validate import check_count, check_date, check_names
from irtgap.data.scoredata import ScoreData
from irtgap.methods.bayes.domains import group_shifts
from irtgap.methods.bayes.fit import GapFit
from irtgap.methods.eci import prepare
from irtgap.methods.registry import get_method, run_method
from irtgap.results import GapResult

#: ECI and Elo are refitted on a domain only when it has at least this many benchmarks.
MIN_IRT_BENCHMARKS = 3
#: ECI's filters (Epoch's): models released since this date, scored on this many benchmarks.
ECI_SINCE = "2023-01-01"
ECI_MIN_BENCHMARKS = 4
#: The methods :func:`gap_by_domain` can run on the data (the Bayesian one comes as a fit).
DOMAIN_METHODS = ("threshold", "eci", "elo")
#: Columns of :attr:`DomainGaps.table`.
COLUMNS = (
    D.DOMAIN,
    "method",
    D.DATE,
    "median",
    "lower",
    "upper",
    "n_benchmarks",
    "note",
    "open_ahead",
)


@dataclass(frozen=True)
class DomainGaps:
    """Per domain and method, the gap in months with its interval (:func:`gap_by_domain`).

    Attributes
    ----------
    table : pandas.DataFrame
        Columns :data:`COLUMNS`; ``date`` is the date the number refers to, ``note`` why there
        is no number (empty otherwise), ``open_ahead`` (Bayesian rows) the posterior
        probability that open models are at or ahead of the closed frontier in the domain.
    """

    table: pd.DataFrame

    def wide(self) -> pd.DataFrame:
        """Medians with intervals as text, one row per domain and one column per method ("-":
        no number; "no interval" when a median has no interval, e.g. a threshold gap whose
        bootstrap defined it too rarely)."""
        t = self.table

        def cell_text(r: pd.Series) -> str:
            if not np.isfinite(r["median"]):
                return "-"
            if not (np.isfinite(r["lower"]) and np.isfinite(r["upper"])):
                return f"{r['median']:.1f} (no interval)"
            return f"{r['median']:.1f} ({r['lower']:.1f}, {r['upper']:.1f})"

        cell = t.apply(cell_text, axis=1)
        return (
            pd.DataFrame({D.DOMAIN: t[D.DOMAIN], "method": t["method"], "cell": cell})
            .pivot(index=D.DOMAIN, columns="method", values="cell")
            .fillna("-")
        )

    def extremes(self, method: str = "bayesian") -> tuple[str | None, str | None]:
        """The domains with the largest and the smallest median gap by ``method`` (None when
        no domain has a number). A domain where open models lead the closed frontier in most
        draws (``open_ahead`` above 0.5: no gap, so no number) counts as the smallest."""
        t = self.table[self.table["method"] == method]
        sub = t[t["median"].notna()]
        lead = t[t["open_ahead"] > 0.5].sort_values("open_ahead")
        if sub.empty and lead.empty:
            return None, None
        largest = str(sub.sort_values("median")[D.DOMAIN].iloc[-1]) if len(sub) else None
        if len(lead):
            return largest, str(lead[D.DOMAIN].iloc[-1])
        return largest, str(sub.sort_values("median")[D.DOMAIN].iloc[0])


def _row(domain: str, method: str, when: Any, n_b: int, note: str = "", **stats: float) -> dict:
    return {
        D.DOMAIN: domain,
        "method": method,
        D.DATE: pd.Timestamp(when) if when is not None else pd.NaT,
        "median": stats.get("median", np.nan),
        "lower": stats.get("lower", np.nan),
        "upper": stats.get("upper", np.nan),
        "n_benchmarks": n_b,
        "note": note,
        "open_ahead": np.nan,
    }


def _read(result: GapResult, when: pd.Timestamp, group: str, **kwargs: Any) -> dict[str, float]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # NaN cells get a note instead
        table = result.gap(pd.DatetimeIndex([when]), **kwargs)
    hit = table[table[D.GROUP].astype(str) == group]
    if hit.empty:
        return {}
    r = hit.iloc[0]
    return {k: float(r[k]) for k in ("median", "lower", "upper")}


def _bayesian(fit: GapFit, date: pd.Timestamp | None) -> list[dict]:
    if not fit.settings.open_offsets:
        raise ValueError(
            "fit: gap_by_domain needs a fit of GapModel(open_offsets=True) (domain offsets)"
        )
    cov = fit.domains()
    when = min(fit.support()[1], date) if date is not None else fit.support()[1]
    ahead = _open_ahead(fit, when)
    rows = []
    for d, c in cov.iterrows():
        stats = _read(fit, when, str(d), by="domain")
        note = str(c["reason"])
        if not note and not np.isfinite(stats.get("median", np.nan)):
            if not c["first"] <= when <= c["until"]:
                note = (
                    f"open models scored from {c['first']:%Y-%m-%d} to {c['last']:%Y-%m-%d}; "
                    f"the offset is carried to {c['until']:%Y-%m-%d} at most"
                )
            elif ahead[str(d)] > 0.5:
                note = (
                    f"open models at or ahead of the closed frontier in {ahead[str(d)]:.0%} of "
                    "the draws: a lead, not a gap (the backward gap is undefined there)"
                )
            else:
                note = "the gap is undefined in more than 10% of the draws at that date"
        row = _row(str(d), fit.method, when, int(c["n_benchmarks"]), note, **stats)
        row["open_ahead"] = ahead[str(d)]
        rows.append(row)
    return rows


def _open_ahead(fit: GapFit, when: pd.Timestamp) -> dict[str, float]:
    """Per domain: the posterior probability that the open frontier raised by the domain's
    mean shift is at or above the closed frontier at ``when`` (open models lead there)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        fr = fit.frontier_draws(pd.DatetimeIndex([when])).isel({D.DATE: 0})
    f_open = fr.sel({D.WEIGHTS: D.OPEN}).to_numpy()
    f_closed = fr.sel({D.WEIGHTS: D.CLOSED}).to_numpy()
    shifts = group_shifts(fit.posterior, fit.design, domains=True)
    return {str(d): float(np.mean(f_open + shifts[str(d)] >= f_closed)) for d in fit.design.domains}


def _threshold(
    data: ScoreData,
    method: str,
    domains: pd.Series,
    date: pd.Timestamp | None,
    run: dict[str, Any],
) -> list[dict]:
    """The threshold method's rows: one trend per domain of its crossing points."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # groups without a trend get a note
            res = run_method(method, data, by="domain", **run)
    except ScoreDataError as err:
        return [
            _row(str(d), method, None, int(n_b), f"threshold method failed: {err}")
            for d, n_b in domains.value_counts().sort_index().items()
        ]
    support = res.group_support()
    when = support["all"][1] if date is None else min(support["all"][1], date)
    rows = []
    for d, n_b in domains.value_counts().sort_index().items():
        d = str(d)
        if d not in support:
            pts = res.points  # type: ignore[attr-defined]
            n_pts = int(((pts[D.BENCHMARK].map(domains) == d) & pts["accepted"]).sum())
            note = f"{n_pts} accepted crossing point(s): no trend"
            rows.append(_row(d, method, when, int(n_b), note))
            continue
        stats = _read(res, when, d)
        first, last = support[d]
        note = ""
        if not np.isfinite(stats.get("median", np.nan)):
            note = f"trend from {first:%Y-%m-%d} to {last:%Y-%m-%d} (its crossing points)"
        elif not np.isfinite(stats.get("lower", np.nan)):
            note = "no interval: its crossing points lie on one benchmark (cluster bootstrap)"
        rows.append(_row(d, method, when, int(n_b), note, **stats))
    return rows


def _eci_anchors(sub: ScoreData, benches: list[str]) -> tuple[str, dict[str, float]]:
    """The anchor benchmark and two scale-anchor models of a domain's ECI refit.

    Winogrande if the domain has it, else the most-scored benchmark that keeps scores after
    ECI's filters; the two models scored on most of the domain's benchmarks after the filters
    go to 130 and 150 (the gap in months does not depend on this affine map).
    """
    t = sub.scores[sub.scores[D.DATE] >= pd.Timestamp(ECI_SINCE)]
    order = t.groupby(D.BENCHMARK)[D.MODEL].nunique().sort_values(ascending=False, kind="stable")
    candidates = ["Winogrande"] if "Winogrande" in benches else list(order.index) or benches
    for k, anchor in enumerate(candidates):  # the most-scored anchor that survives the filters
        try:
            rows, _, _ = prepare(
                sub,
                anchor_benchmark=str(anchor),
                min_benchmarks=ECI_MIN_BENCHMARKS,
                since=ECI_SINCE,
                merge_variants=True,
            )
            break
        except ScoreDataError:
            if k == len(candidates) - 1:
                raise
    most = rows.groupby(D.MODEL)[D.BENCHMARK].nunique().sort_values(ascending=False, kind="stable")
    if len(most) < 2:
        raise ScoreDataError(f"{len(most)} model(s) pass ECI's filters: no scale")
    return str(anchor), {str(most.index[0]): 130.0, str(most.index[1]): 150.0}


def _eci_options(sub: ScoreData, benches: list[str]) -> dict[str, Any]:
    """ECI's options on one domain: its own anchors, Epoch's filters."""
    anchor, scale = _eci_anchors(sub, benches)
    return dict(
        anchor_benchmark=anchor,
        scale_anchors=scale,
        min_benchmarks=ECI_MIN_BENCHMARKS,
        since=ECI_SINCE,
    )


def _elo_options(sub: ScoreData, benches: list[str]) -> dict[str, Any]:
    """Elo's options on one domain: the domain's benchmarks are its set."""
    return dict(benchmarks=benches)


def _irt(
    data: ScoreData,
    method: str,
    domains: pd.Series,
    date: pd.Timestamp | None,
    run: dict[str, Any],
) -> list[dict]:
    """An IRT method's rows: a refit on each domain's benchmarks (of at least
    :data:`MIN_IRT_BENCHMARKS`)."""
    rows = []
    for d, names in domains.groupby(domains, sort=True):
        d, benches = str(d), list(names.index)
        if len(benches) < MIN_IRT_BENCHMARKS:
            note = (
                f"{len(benches)} benchmark(s): {method.upper()} is refitted on a domain "
                f"of at least {MIN_IRT_BENCHMARKS}"
            )
            rows.append(_row(d, method, None, len(benches), note))
            continue
        sub = data.subset(benchmarks=benches)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # a failed or thin refit gets a note
                options = _REFIT_OPTIONS[method](sub, benches)
                res = run_method(method, sub, **run, **options)
                last = last_with_data(res)
        except (ScoreDataError, ValueError) as err:
            rows.append(_row(d, method, None, len(benches), f"refit failed: {err}"))
            continue
        when = last if date is None else min(last, date)
        stats = _read(res, when, "all")
        note = "" if np.isfinite(stats.get("median", np.nan)) else "no defined gap at that date"
        rows.append(_row(d, method, when, len(benches), note, **stats))
    return rows


#: Each method's options on one domain's benchmarks (a function of the domain's data).
_REFIT_OPTIONS: dict[str, Callable[[ScoreData, list[str]], dict[str, Any]]] = {
    "eci": _eci_options,
    "elo": _elo_options,
}
#: How each method of :data:`DOMAIN_METHODS` is split by domain.
_SPLITS: dict[str, Callable[..., list[dict]]] = {
    "threshold": _threshold,
    "eci": _irt,
    "elo": _irt,
}


def gap_by_domain(
    data: ScoreData,
    *,
    fit: GapFit | None = None,
    date: Any = None,
    methods: Sequence[str] | str = DOMAIN_METHODS,
    seed: int = 0,
    fast: bool = False,
    n_bootstrap: int | None = None,
    n_jobs: int = 1,
    progress: Progress | None = None,
) -> DomainGaps:
    """The gap per domain by each method (see the module docstring).

    Parameters
    ----------
    data : ScoreData
        The scores; benchmark domains come from the metadata's ``domain`` column.
    fit : GapFit, optional
        A fit of ``GapModel(open_offsets=True)`` on ``data``: adds the Bayesian rows.
    date : date-like, optional
        Read each method at this date, or at its own last date with data if that is earlier
        (default: each method's last date).
    methods : str or sequence of str
        Of :data:`DOMAIN_METHODS` (all by default).
    seed, fast, n_bootstrap, n_jobs
        Seed of every bootstrap; ``fast``: the ``"fast"`` budgets of
        :mod:`irtgap.methods.registry` (100 resamples each) instead of ``"full"`` (5,000
        threshold, 500 ECI, 200 Elo); ``n_bootstrap``: this many for every method instead (0:
        point estimates without intervals); joblib workers of the ECI and Elo refits.
    progress : callable, optional
        ``progress(done, total, message)`` after each method (nothing is printed without it).

    Returns
    -------
    DomainGaps
        One row per domain and method.

    Raises
    ------
    ScoreDataError
        The data have no benchmark domains.
    ValueError
        An unknown method, or a ``fit`` without open offsets.
    """
    names = check_names("methods", methods, DOMAIN_METHODS, what="method")
    if n_bootstrap is not None:
        n_bootstrap = check_count("n_bootstrap", n_bootstrap, minimum=0)
    run: dict[str, Any] = {"budget": "fast" if fast else "full", "seed": seed}
    if n_bootstrap is not None:
        run["n_bootstrap"] = n_bootstrap
    when = None if date is None else check_date("date", date)
    domain = data.benchmarks.get(D.DOMAIN)
    if domain is None or domain.isna().all():
        raise ScoreDataError(
            "gap_by_domain: the benchmark metadata have no 'domain' column; give one "
            "(ScoreData.from_frame(benchmarks=...))"
        )
    scored = data.scores[D.BENCHMARK].unique()
    domains = domain.dropna().astype(str)
    domains = domains[domains.index.isin(scored)]
    rows: list[dict] = []
    total = len(names) + (fit is not None)
    if fit is not None:
        rows += _bayesian(fit, when)
        if progress:
            progress(1, total, fit.method)
    for k, m in enumerate(names, start=1 + (fit is not None)):
        parallel = {"n_jobs": n_jobs} if get_method(m).parallel else {}
        rows += _SPLITS[m](data, m, domains, when, {**run, **parallel})
        if progress:
            progress(k, total, m)
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    return DomainGaps(table=table)
