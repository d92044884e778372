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
level. Intervals (90%, as for every irtgap method; CAISI reports 95%: pass ``ci_prob=0.95``)
come from bootstrap refits that resample each model's benchmark rows.

One definition of the gap: :meth:`EloResult.gap_draws` gives, per bootstrap draw, the horizontal
distance between that draw's two trend lines, and :meth:`EloResult.gap` summarises exactly those
draws (the frontier time shift of the other capability methods is not used here). Lines are read
only where they have data: a date outside the first date both sides have a model .. the last
model's date gives NaN with a warning, and a draw whose reading falls outside the data of the
line it reads (for the backward gap, the closed line before the first closed model; for the
forward gap, the open line after the last model date) is undefined for that draw, as is a draw
whose read line does not rise. Refit warnings and failures are collected and counted as in
:func:`irtgap.methods.capability.run_refits`; with ``n_bootstrap=0`` the draws hold the point fit
once and the intervals are NaN.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd
import xarray as xr
from scipy.optimize import least_squares

from irtgap.core import dims as D
from irtgap.core.errors import ScoreDataError
from irtgap.core.gaps import date_grid, gap_dataarray, to_days
from irtgap.core.parallel import Progress, check_backend
from irtgap.core.validate import check_count, check_level, check_n_jobs, check_names, check_seed
from irtgap.data.elicitation import ElicitationLike, elicited, rule_used
from irtgap.data.scoredata import ScoreData
from irtgap.methods.capability import (
    CapabilityResult,
    capability_table,
    model_draws,
    run_refits,
)
from irtgap.methods.eci import prepare
from irtgap.plotting.style import SIDE_COLORS
from irtgap.results import CI_PROB, MethodSettings, SavedState

if TYPE_CHECKING:
    from matplotlib.axes import Axes

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


#: Origin of the trend lines' time axis (years).
_ORIGIN = "2024-01-01"


def _years(dates: Any) -> np.ndarray:
    return (to_days(dates) - to_days([_ORIGIN])[0]) / 365.25


def _fit_1pl(
    m: np.ndarray, b: np.ndarray, y: np.ndarray, nm: int, nb: int, x0: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
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


@dataclass(frozen=True)
class EloSettings(MethodSettings):
    """The settings of a :func:`fit_elo` result (see its parameters); ``unconverged_refits``
    counts the bootstrap refits that stopped before converging."""

    benchmarks: tuple[str, ...] = ()
    n_bootstrap: int = 200
    unconverged_refits: int = 0
    ci_prob: float = CI_PROB
    seed: int = 0
    elicitation: str = "best"


@dataclass
class EloResult(CapabilityResult):
    """Result of :func:`fit_elo`; ``lines`` holds each draw's trend lines
    ``(n_draws, side [closed, open], [intercept, slope])``, Elo against years from 2024-01-01."""

    method: ClassVar[str] = "elo"
    capability_unit: ClassVar[str] = "Elo (400 points = 10x odds)"
    plot_title: ClassVar[str] = (
        "CAISI-style 1PL Elo over time with frontier trend lines ({level:.0%} intervals)"
    )

    settings: EloSettings = field(default_factory=EloSettings)
    lines: np.ndarray = field(default_factory=lambda: np.full((1, 2, 2), np.nan))

    def _extra_state(self) -> SavedState:
        return SavedState(arrays={"lines": xr.DataArray(self.lines)})

    @classmethod
    def _settings_class(cls) -> type[MethodSettings]:
        return EloSettings

    @classmethod
    def _extra_fields(cls, state: SavedState) -> dict[str, Any]:
        if "lines" in state.arrays:
            return {"lines": state.arrays["lines"].to_numpy()}
        return {"lines": np.asarray(state.values["settings"]["lines"])}  # an earlier file

    def _gap_values(self, dates: pd.DatetimeIndex, direction: str) -> xr.DataArray:
        """Horizontal distance between each draw's trend lines (months), read where they have
        data (see the module docstring)."""
        lines = self.lines
        caps = self._table
        t = _years(dates)[None, :]
        a_c, b_c = lines[:, 0, 0][:, None], lines[:, 0, 1][:, None]
        a_o, b_o = lines[:, 1, 0][:, None], lines[:, 1, 1][:, None]
        last = _years([caps[D.DATE].max()])[0]
        with np.errstate(divide="ignore", invalid="ignore"):
            if direction == "backward":
                reached = (a_o + b_o * t - a_c) / b_c  # when the closed line stood there
                gap = (t - reached) * 12
                first = _years([caps.loc[caps[D.WEIGHTS] == D.CLOSED, D.DATE].min()])[0]
                rising = b_c > 0
            else:
                reached = (a_c + b_c * t - a_o) / b_o  # when the open line gets there
                gap = (reached - t) * 12
                first = _years([caps.loc[caps[D.WEIGHTS] == D.OPEN, D.DATE].min()])[0]
                rising = b_o > 0
            ok = np.isfinite(gap) & rising & (reached >= first) & (reached <= last)
        gap = np.where(ok, gap, np.nan)
        return gap_dataarray(gap[:, None, :], dates=dates, groups=["all"])

    def plot_capabilities(self, *, ax: Axes | None = None, label_top: int = 5) -> Axes:
        """Elo over time with each side's frontier trend line (median and band over draws).

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Where to draw.
        label_top : int
            Name the best ``label_top`` models of each side.

        Returns
        -------
        matplotlib.axes.Axes
            The Axes drawn on.
        """
        ax = super().plot_capabilities(ax=ax, label_top=label_top)
        level = self.interval_probability()
        lines = self.lines
        caps = self._table
        dates = date_grid(caps[D.DATE].min(), caps[D.DATE].max(), step_days=14)
        t = _years(dates)
        for k, side in enumerate(D.SIDES):
            fit = lines[:, k, 0][:, None] + lines[:, k, 1][:, None] * t
            lo, mid, hi = np.nanquantile(fit, [(1 - level) / 2, 0.5, (1 + level) / 2], axis=0)
            ax.plot(dates, mid, "--", color=SIDE_COLORS[side], lw=1.5)
            if len(lines) > 1:
                ax.fill_between(dates, lo, hi, color=SIDE_COLORS[side], alpha=0.12, lw=0)
        return ax


def _frontier_line(days: np.ndarray, elo: np.ndarray) -> np.ndarray:
    order = np.argsort(days, kind="stable")
    best = np.maximum.accumulate(elo[order])
    is_front = np.r_[True, elo[order][1:] > best[:-1]]
    t = (days[order][is_front] - to_days([_ORIGIN])[0]) / 365.25
    if is_front.sum() < 2:
        return np.array([np.nan, np.nan])
    slope, icpt = np.polyfit(t, elo[order][is_front], 1)
    return np.array([icpt, slope])


def _refit_1pl(
    m: np.ndarray,
    b: np.ndarray,
    y: np.ndarray,
    nm: int,
    nb: int,
    x0: np.ndarray,
    groups: list[np.ndarray],
    seed: np.random.SeedSequence,
) -> np.ndarray:
    """One bootstrap refit: each model's rows resampled with replacement, warm-started at x0."""
    rng = np.random.default_rng(seed)
    idx = np.concatenate([rng.choice(g, size=g.size) for g in groups])
    return _fit_1pl(m[idx], b[idx], y[idx], nm, nb, x0=x0)[1]


def fit_elo(
    data: ScoreData,
    *,
    benchmarks: Sequence[str] | str | None = None,
    since: str | None = "2023-01-01",
    min_benchmarks: int = 2,
    merge_variants: bool = True,
    n_bootstrap: int = 200,
    ci_prob: float = CI_PROB,
    seed: int = 0,
    n_jobs: int = 1,
    backend: str | None = None,
    progress: Progress | None = None,
    elicitation: ElicitationLike | None = None,
) -> EloResult:
    """Fit the CAISI-style 1PL Elo (see the module docstring).

    Parameters
    ----------
    data : ScoreData
        The scores.
    benchmarks : str or sequence of str, optional
        The benchmark set (a single string is one name; unknown names raise, listing the data's
        benchmarks). Default: those of :data:`DEFAULT_BENCHMARKS` the data has (at least two).
    since : date-like or None
        Models released before it are left out (2023-01-01).
    min_benchmarks : int
        Models scored on fewer of the set are left out (2).
    merge_variants : bool
        Merge reasoning-effort variants of a model group (maximum score per benchmark).
    n_bootstrap, ci_prob, seed
        Bootstrap refits (200; 0: point fit only, NaN intervals), interval probability (0.9), seed.
        Refit warnings are re-emitted counted; failed refits are left out and counted in
        ``dropped["failed_refits"]``.
    n_jobs, backend, progress
        Where the refits run: ``n_jobs`` joblib workers (1), or a cluster with
        ``backend="dask"`` / ``"ray"`` (see :func:`irtgap.core.parallel.map_tasks`);
        ``progress(done, total, message)`` is called as they finish (nothing is printed
        without it).
    elicitation : str, mapping or ElicitationRule, optional
        Which harness's score of a pair the method reads (``"best"``, ``"reference"``, a
        harness name, ``{benchmark: harness}``; None: the data as given), as
        :func:`~irtgap.data.elicitation.elicited` says; kept as ``settings.elicitation``.

    Returns
    -------
    EloResult
        The fit.

    Examples
    --------
    On the bundled data, with 20 bootstrap refits instead of 200:

    >>> import irtgap
    >>> data = irtgap.load_dataset()
    >>> elo = irtgap.fit_elo(data, n_bootstrap=20, seed=0)
    >>> elo.settings.benchmarks[:3]  # the hard benchmarks of the default set the data have
    ('GPQA diamond', 'MATH level 5', 'OTIS Mock AIME 2024-2025')
    >>> dict(elo.gap_draws(["2025-01-20"]).sizes)
    {'chain': 1, 'draw': 20, 'group': 1, 'date': 1}
    >>> elo.lines.shape  # per draw: (closed, open) x (intercept, slope)
    (20, 2, 2)
    """
    n_bootstrap = check_count("n_bootstrap", n_bootstrap, minimum=0)
    ci_prob = check_level("ci_prob", ci_prob)
    seed = check_seed("seed", seed)
    n_jobs = check_n_jobs(n_jobs)
    check_backend(backend)
    data = elicited(data, elicitation, method="fit_elo")
    if benchmarks is None:
        wanted = [b for b in DEFAULT_BENCHMARKS if b in data.benchmarks.index]
        if len(wanted) < 2:
            raise ScoreDataError(
                "fit_elo: the data has fewer than two of the default benchmarks "
                f"{list(DEFAULT_BENCHMARKS)}; pass benchmarks=[...] (the data has "
                f"{', '.join(map(str, data.benchmarks.index[:40]))})"
            )
    else:
        wanted = check_names("benchmarks", benchmarks, data.benchmarks.index, what="benchmark")
        if len(wanted) < 2:
            raise ScoreDataError(
                f"benchmarks={benchmarks!r}: fit_elo needs at least two benchmarks"
            )
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
    nm, nb = len(midx), len(bidx)
    x, c = _fit_1pl(m, b, y, nm, nb)
    groups = list(t.groupby(D.MODEL).indices.values())
    seeds = np.random.SeedSequence(seed).spawn(n_bootstrap)
    boot, counts = run_refits(
        _refit_1pl,
        [(m, b, y, nm, nb, x, groups, s) for s in seeds],
        n_jobs=n_jobs,
        what="Elo bootstrap refits",
        backend=backend,
        progress=progress,
    )
    dropped["failed_refits"] = counts["failed_refits"]
    cb = np.asarray(boot) if boot else c[None, :]
    elo = 1000 + ELO_PER_LOGIT * (c - np.median(c))
    elo_b = 1000 + ELO_PER_LOGIT * (cb - np.median(cb, axis=1, keepdims=True))
    days = to_days(models[D.DATE])
    side = models[D.WEIGHTS].to_numpy()
    lines = np.stack(
        [np.stack([_frontier_line(days[side == s], e[side == s]) for s in D.SIDES]) for e in elo_b]
    )
    n_scores = t.groupby(D.MODEL).size().reindex(models.index).to_numpy()
    caps = capability_table(models, elo, elo_b, n_scores, ci_prob=ci_prob, n_refits=len(boot))
    settings = EloSettings(
        benchmarks=tuple(wanted),
        n_bootstrap=n_bootstrap,
        unconverged_refits=counts["unconverged_refits"],
        ci_prob=ci_prob,
        seed=seed,
        elicitation=rule_used(data),
    )
    draws = model_draws(elo_b, list(midx), "elo")
    return EloResult(caps, draws, dropped, settings, data=data, lines=lines)


__all__ = ["DEFAULT_BENCHMARKS", "EloResult", "EloSettings", "fit_elo"]
