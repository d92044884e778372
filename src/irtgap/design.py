"""Arrays the Bayesian gap model is built from: indices, knots, providers, benchmark floors.

:func:`make_design` is a pure function of a :class:`~irtgap.ScoreData` and a few settings; it
decides which rows enter the model (and says why others do not), maps each third-party-hosted
version to the first-party version it serves, and lays out the time knots of the frontier.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from irtgap import _dims as D
from irtgap.errors import DroppedRowsWarning, ScoreDataError
from irtgap.gaps import to_days
from irtgap.scoredata import ScoreData

#: Scores are treated as censored below ``CENSOR`` and above ``1 - CENSOR`` (see GapModel).
CENSOR = 0.005
DAYS_PER_YEAR = 365.25
KNOT_DIM = "knot"
PROVIDER_DIM = "provider"


@dataclass(frozen=True)
class Design:
    """Everything :func:`irtgap.gapmodel.build_model` needs, as plain arrays and tables.

    ``rows`` is the score table actually modelled (with ``access`` joined); ``models`` has one row
    per modelled version with its capability unit (``base``: the first-party version it serves);
    ``t_models`` are release times in years since ``origin``; ``knots`` the frontier knot times in
    years; ``dropped`` says what was left out and why.
    """

    rows: pd.DataFrame
    models: pd.DataFrame
    benchmarks: pd.DataFrame
    providers: list[str]
    origin: pd.Timestamp
    knots: np.ndarray
    knot_dates: pd.DatetimeIndex
    dropped: dict[str, int]
    anchor_benchmark: str

    # integer indices per row
    @property
    def model_idx(self) -> np.ndarray:
        return pd.Index(self.models.index).get_indexer(self.rows[D.MODEL]).astype(np.int64)

    @property
    def benchmark_idx(self) -> np.ndarray:
        return pd.Index(self.benchmarks.index).get_indexer(self.rows[D.BENCHMARK]).astype(np.int64)

    @property
    def base_idx(self) -> np.ndarray:
        """Per model: position of its capability unit (itself, or the first-party version)."""
        return pd.Index(self.models.index).get_indexer(self.models["base"]).astype(np.int64)

    @property
    def side_idx(self) -> np.ndarray:
        """Per model: 0 closed, 1 open."""
        return (self.models[D.WEIGHTS] == D.OPEN).to_numpy().astype(np.int64)

    @property
    def t_models(self) -> np.ndarray:
        return years_since(self.models[D.DATE], self.origin)

    def knot_position(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Left knot index and interpolation weight for times ``t`` (clamped to the knot range)."""
        t = np.clip(np.asarray(t, float), self.knots[0], self.knots[-1])
        k = np.clip(np.searchsorted(self.knots, t, side="right") - 1, 0, len(self.knots) - 2)
        w = (t - self.knots[k]) / (self.knots[k + 1] - self.knots[k])
        return k.astype(np.int64), w

    @property
    def provider_idx(self) -> np.ndarray:
        """Per row: -1 first-party, else the position in :attr:`providers`."""
        prov = self.rows[D.PROVIDER].to_numpy()
        out = np.full(len(prov), -1, dtype=np.int64)
        for i, p in enumerate(self.providers):
            out[prov == p] = i
        return out


def years_since(dates: pd.Series | pd.DatetimeIndex, origin: pd.Timestamp) -> np.ndarray:
    return (to_days(pd.DatetimeIndex(dates)) - to_days([origin])[0]) / DAYS_PER_YEAR


_HOST_PREFIX = re.compile(r"^(?:[A-Za-z0-9_.]+/|[a-z]+-)(?P<rest>.+)$")


def match_hosted_versions(models: pd.DataFrame) -> pd.Series:
    """Map each third-party-hosted version to the first-party version it serves.

    A version served by a host (``provider`` not ``first-party``) is matched, within its model
    group, to the first-party version whose id equals the hosted id without its host prefix
    (``chutes/QwQ-32B`` -> ``QwQ-32B``; ``parasail-qwen3-...`` -> ``Qwen3-...``), ignoring case
    (an exact-case match wins). Unmatched hosted versions stand for themselves.
    """
    base = pd.Series(models.index, index=models.index, name="base")
    first = models[models[D.PROVIDER] == D.FIRST_PARTY]
    by_group: dict[str, list[str]] = {}
    for name, grp in zip(first.index, first[D.MODEL_GROUP], strict=True):
        by_group.setdefault(str(grp), []).append(str(name))
    for name, row in models[models[D.PROVIDER] != D.FIRST_PARTY].iterrows():
        m = _HOST_PREFIX.match(str(name))
        if not m:
            continue
        rest = m.group("rest")
        cands = by_group.get(str(row[D.MODEL_GROUP]), [])
        exact = [c for c in cands if c == rest]
        loose = [c for c in cands if c.lower() == rest.lower()]
        if exact or loose:
            base[name] = (exact or loose)[0]
    return base


def make_design(
    data: ScoreData,
    *,
    since: str | pd.Timestamp | None = "2022-01-01",
    knot_months: int = 6,
    reference_date: str | pd.Timestamp = "2024-01-01",
    min_models_per_benchmark: int = 5,
    min_uncensored_per_benchmark: int = 3,
    anchor_benchmark: str | None = "GPQA diamond",
) -> Design:
    """Select modelled rows and lay out knots; warn with counts for everything left out."""
    data.check(connected=False, both_sides=True)
    t = data.with_access()
    dropped: dict[str, int] = {}
    meta = data.benchmarks
    non_frac = meta.index[meta["scale"] != "fraction"]
    sel = t[D.BENCHMARK].isin(non_frac)
    if sel.any():
        dropped["non_fraction_rows"] = int(sel.sum())
        warnings.warn(
            f"left out {int(sel.sum())} score(s) on non-fraction benchmark(s) "
            f"{', '.join(map(repr, non_frac))}: the IRT link needs fractions (give a transform "
            "to a fraction scale through ScoreData to include them)",
            DroppedRowsWarning,
            stacklevel=3,
        )
        t = t[~sel]
    if since is not None:
        old = t[D.DATE] < pd.Timestamp(since)
        if old.any():
            dropped["rows_before_since"] = int(old.sum())
            t = t[~old]
    # a benchmark's difficulty and slope need several models to be estimable
    counts = t.groupby(D.BENCHMARK)[D.MODEL].nunique()
    thin = counts.index[counts < min_models_per_benchmark]
    if len(thin):
        dropped["rows_on_thin_benchmarks"] = int(t[D.BENCHMARK].isin(thin).sum())
        warnings.warn(
            f"left out {int(t[D.BENCHMARK].isin(thin).sum())} score(s) on benchmark(s) with "
            f"fewer than {min_models_per_benchmark} models after filtering: {list(thin)}",
            DroppedRowsWarning,
            stacklevel=3,
        )
        t = t[~t[D.BENCHMARK].isin(thin)]
    # a benchmark on which (nearly) every score sits at 0 or at the ceiling says only that all
    # models are beyond it: its slope is unidentified and its posterior a funnel
    frac = t[D.SCORE]  # fraction scale (as modelled)
    inside = ((frac > CENSOR) & (frac < 1 - CENSOR)).groupby(t[D.BENCHMARK]).sum()
    flat = inside.index[inside < min_uncensored_per_benchmark]
    if len(flat):
        n_flat = int(t[D.BENCHMARK].isin(flat).sum())
        dropped["rows_on_censored_benchmarks"] = n_flat
        warnings.warn(
            f"left out {n_flat} score(s) on benchmark(s) with fewer than "
            f"{min_uncensored_per_benchmark} scores strictly between 0 and the ceiling "
            f"(no information on difficulty and slope): {list(flat)}",
            DroppedRowsWarning,
            stacklevel=3,
        )
        t = t[~t[D.BENCHMARK].isin(flat)]
    if t.empty or t[D.WEIGHTS].nunique() < 2:
        raise ScoreDataError("the Bayesian gap model needs open and closed models after filtering")
    sub = ScoreData(scores=t.drop(columns=D.ACCESS).reset_index(drop=True), benchmarks=meta)
    sub.check(connected=True, both_sides=True)

    models = sub.models.copy()
    models["base"] = match_hosted_versions(models)
    bench = meta.loc[sorted(t[D.BENCHMARK].unique())].copy()
    if anchor_benchmark is None or anchor_benchmark not in bench.index:
        if anchor_benchmark is not None and anchor_benchmark in meta.index:
            raise ScoreDataError(f"anchor benchmark {anchor_benchmark!r} was left out")
        most = t.groupby(D.BENCHMARK)[D.MODEL].nunique().sort_values(kind="stable")
        anchor_benchmark = str(most.index[-1])
    providers = sorted(p for p in t[D.PROVIDER].unique() if p != D.FIRST_PARTY)

    start = pd.Timestamp(t[D.DATE].min()).to_period("Q").start_time
    end = pd.Timestamp(t[D.DATE].max()) + pd.DateOffset(months=1)
    knot_dates = pd.date_range(
        start, end + pd.DateOffset(months=knot_months), freq=f"{knot_months}MS"
    )
    origin = pd.Timestamp(reference_date)
    knots = years_since(knot_dates, origin)
    return Design(
        rows=t.reset_index(drop=True),
        models=models,
        benchmarks=bench,
        providers=providers,
        origin=origin,
        knots=knots,
        knot_dates=knot_dates,
        dropped=dropped,
        anchor_benchmark=anchor_benchmark,
    )
