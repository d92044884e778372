r"""CAISI-style IRT Elo: a one-slope (1PL) fit on a small benchmark set, on an Elo scale.

What CAISI published (NIST CAISI evaluations of DeepSeek models, 2025-2026): capabilities from an
IRT fit over a handful of benchmarks, shown on an Elo-like scale, with least-squares trend lines
through frontier models and 95% intervals, reading a widening open-closed gap. Critics noted that
a few benchmarks (partially run, private, or scored differently) swing such an aggregate.

Our reading: :math:`\hat y_{mb} = \operatorname{logistic}(C_m - D_b)` (one common slope, fixed
at 1: the 1PL / Rasch form), fitted by least squares on normalised scores like the ECI fit (the
first benchmark's :math:`D = 0`). On the Elo scale, :math:`\text{Elo}_m = 1000 + 400 \log_{10}(e)
(C_m - \operatorname{median}_m C)`, so 400 points are 10x odds on every benchmark (200 points ~ 3x).
Frontier models are those that set a new best on their side when released; a least-squares line
of Elo on date is fitted through each side's frontier models, and the gap at date :math:`t` is the
horizontal distance between the lines: how long ago the closed line stood at the open line's
level. 95% intervals come from bootstrap refits that resample each model's benchmark rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.optimize import least_squares

from irtgap import _dims as D
from irtgap.capability import CapabilityResult, model_draws
from irtgap.eci import prepare
from irtgap.errors import ScoreDataError
from irtgap.gaps import date_grid, gap_dataarray, summarize_gap, to_days
from irtgap.scoredata import ScoreData

ELO_PER_LOGIT = 400 / np.log(10)
#: Default benchmark set: the hard, widely run benchmarks of 2024-2025 present in the data.
DEFAULT_BENCHMARKS = (
    "GPQA diamond",
    "MATH level 5",
    "OTIS Mock AIME 2024-2025",
    "SWE-Bench verified",
    "LiveBench",
    "Aider polyglot",
    "FrontierMath-2025-02-28-Private",
    "Terminal Bench",
)


def _fit_1pl(m: np.ndarray, b: np.ndarray, y: np.ndarray, nm: int, nb: int, x0=None):
    def unpack(x):
        return x[:nm], np.concatenate([[0.0], x[nm:]])

    def res(x):
        c, d = unpack(x)
        return 1 / (1 + np.exp(-(c[m] - d[b]))) - y

    def jac(x):
        import scipy.sparse as sp

        c, d = unpack(x)
        s = 1 / (1 + np.exp(-(c[m] - d[b])))
        g = s * (1 - s)
        n = y.size
        free = b > 0
        rows = np.concatenate([np.arange(n), np.arange(n)[free]])
        cols = np.concatenate([m, nm + b[free] - 1])
        vals = np.concatenate([g, -g[free]])
        return sp.csr_matrix((vals, (rows, cols)), shape=(n, nm + nb - 1))

    start = np.zeros(nm + nb - 1) if x0 is None else x0
    out = least_squares(res, start, jac=jac, bounds=(-15, 15), method="trf")
    return out.x, unpack(out.x)[0]


@dataclass
class EloResult(CapabilityResult):
    """Result of :func:`fit_elo`."""

    value_column: str = "elo"
    label: str = "Elo (400 points = 10x odds)"
    title: str = "CAISI-style 1PL Elo over time with frontier trend lines (95% intervals)"

    def gap(
        self,
        dates: Any = None,
        *,
        direction: Literal["backward", "forward"] = "backward",
        ci: float | None = None,
    ) -> pd.DataFrame:
        """Horizontal distance between the two sides' frontier trend lines, in months."""
        ci = ci or self.settings.get("ci", 0.95)
        dates = self.dates(dates)
        lines = self.settings["lines"]  # (n_draws, 2 sides, 2 coefs), time in years
        t = (to_days(dates) - to_days(["2024-01-01"])[0]) / 365.25
        a_c, b_c = lines[:, 0, 0][:, None], lines[:, 0, 1][:, None]
        a_o, b_o = lines[:, 1, 0][:, None], lines[:, 1, 1][:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            if direction == "backward":
                level = a_o + b_o * t
                gap = (t - (level - a_c) / b_c) * 12
            else:
                level = a_c + b_c * t
                gap = ((level - a_o) / b_o - t) * 12
        gap = np.where(np.isfinite(gap), gap, np.nan)
        da = gap_dataarray(gap[:, None, :], dates=dates, groups=["all"])
        return summarize_gap(da, ci=ci, method="caisi_elo")

    def plot_capabilities(self, ax: Any = None, *, label_top: int = 5) -> Any:
        ax = super().plot_capabilities(ax, label_top=label_top)
        from irtgap.bayes_plots import SIDE_COLORS

        lines = self.settings["lines"]
        dates = date_grid("2023-01-01", self.capabilities[D.DATE].max(), step_days=14)
        t = (to_days(dates) - to_days(["2024-01-01"])[0]) / 365.25
        for k, side in enumerate(D.SIDES):
            fit = lines[:, k, 0][:, None] + lines[:, k, 1][:, None] * t
            lo, mid, hi = np.nanquantile(fit, [0.025, 0.5, 0.975], axis=0)
            ax.plot(dates, mid, "--", color=SIDE_COLORS[side], lw=1.5)
            ax.fill_between(dates, lo, hi, color=SIDE_COLORS[side], alpha=0.12, lw=0)
        return ax


def _frontier_line(days: np.ndarray, elo: np.ndarray) -> np.ndarray:
    order = np.argsort(days, kind="stable")
    best = np.maximum.accumulate(elo[order])
    is_front = np.r_[True, elo[order][1:] > best[:-1]]
    t = (days[order][is_front] - to_days(["2024-01-01"])[0]) / 365.25
    if is_front.sum() < 2:
        return np.array([np.nan, np.nan])
    slope, icpt = np.polyfit(t, elo[order][is_front], 1)
    return np.array([icpt, slope])


def fit_elo(
    data: ScoreData,
    *,
    benchmarks: Sequence[str] | None = None,
    since: str | None = "2023-01-01",
    min_benchmarks: int = 2,
    merge_variants: bool = True,
    n_bootstrap: int = 200,
    ci: float = 0.95,
    seed: int = 0,
) -> EloResult:
    """Fit the CAISI-style 1PL Elo (see the module docstring)."""
    wanted = [b for b in (benchmarks or DEFAULT_BENCHMARKS) if b in data.benchmarks.index]
    if len(wanted) < 2:
        raise ScoreDataError(f"fit_elo needs at least two of the benchmarks {benchmarks}")
    sub = data.subset(benchmarks=wanted)
    t, models, dropped = prepare(
        sub,
        anchor_benchmark=wanted[0],
        min_benchmarks=min_benchmarks,
        since=since,
        merge_variants=merge_variants,
    )
    midx = pd.Index(models.index)
    bidx = pd.Index([wanted[0], *sorted(set(t[D.BENCHMARK]) - {wanted[0]})])
    m, b, y = midx.get_indexer(t[D.MODEL]), bidx.get_indexer(t[D.BENCHMARK]), t["y"].to_numpy()
    x, c = _fit_1pl(m, b, y, len(midx), len(bidx))
    rng = np.random.default_rng(seed)
    groups = list(t.groupby(D.MODEL).indices.values())
    boot = []
    for _ in range(n_bootstrap):
        idx = np.concatenate([rng.choice(g, size=g.size) for g in groups])
        boot.append(_fit_1pl(m[idx], b[idx], y[idx], len(midx), len(bidx), x0=x)[1])
    cb = np.asarray(boot) if boot else c[None, :]
    elo = 1000 + ELO_PER_LOGIT * (c - np.median(c))
    elo_b = 1000 + ELO_PER_LOGIT * (cb - np.median(cb, axis=1, keepdims=True))
    days = to_days(models[D.DATE])
    side = models[D.WEIGHTS].to_numpy()
    lines = np.stack(
        [np.stack([_frontier_line(days[side == s], e[side == s]) for s in D.SIDES]) for e in elo_b]
    )
    caps = models[[D.DATE, D.WEIGHTS]].copy()
    caps["elo"] = elo
    caps["ci_low"], caps["ci_high"] = np.quantile(elo_b, [(1 - ci) / 2, 1 - (1 - ci) / 2], axis=0)
    caps["n_benchmarks"] = t.groupby(D.MODEL).size().reindex(caps.index).to_numpy()
    draws = model_draws(elo_b, list(midx), "elo")
    settings: dict[str, Any] = dict(
        benchmarks=wanted, n_bootstrap=n_bootstrap, ci=ci, seed=seed, lines=lines
    )
    return EloResult(caps.sort_values("elo", ascending=False), draws, dropped, settings)


__all__ = ["EloResult", "fit_elo", "summarize_gap"]
