r"""The threshold method's winner's-curse bias, measured on a fitted gap model.

The threshold method dates each side's *first* model to cross a score level. A score is a noisy
measurement, so the first crosser is often a model that got lucky; the side evaluated more often
(more models, more benchmarks) gets more lucky draws and looks earlier than it is. How much this
moves the gap depends on the data's pattern of who was scored on what, so we measure it on that
pattern, with the posterior of :class:`~irtgap.GapModel` as the truth:

1. draw a posterior sample :math:`s` (capabilities, difficulties, slopes, precisions, open
   advantage, provider penalties);
2. replicate every modelled score of the real data (same model, benchmark, provider and date) by
   the model's measurement: :math:`\tilde y_i = \kappa_b \tilde z_i`,
   :math:`\tilde z_i \sim \operatorname{Beta}(\mu_i^{(s)}\phi_b^{(s)},
   (1-\mu_i^{(s)})\phi_b^{(s)})` with :math:`\mu_i^{(s)}` the mean fraction of the ceiling
   :math:`\kappa_b` (see :mod:`irtgap.methods.bayes.model`; the fit's logit-normal noise
   instead with ``noise="logit_normal"``), and :math:`\tilde z_i` beyond the
   resolution limits reported as 0 or the ceiling, so the replicate has the real evaluation pattern
   and a known gap, the model's own gap :math:`G^{(s)}(t)`;
3. run :func:`~irtgap.threshold_gap` (same settings, no bootstrap) on the replicate: the
   smoothed trend :math:`T^{(s)}(t)` per threshold group (``all``, ``public``, ``private``);
4. the bias draws are :math:`B^{(s)}(t) = T^{(s)}(t) - G^{(s)}(t)`, where :math:`G` is the
   model's gap for what that threshold group measures: for ``public`` the model's ``public``
   gap (with the open advantage: what those benchmarks show), for ``private`` its ``private``
   gap, and for the threshold method's ``all`` (public and private crossings mixed) the model's
   ``capability`` gap, so the ``all`` bias includes what mixing in public benchmarks adds.

The *debiased* threshold gap is the threshold trend on the real modelled rows minus the bias
draws: a parametric-bootstrap bias correction whose interval carries the spread of the method's
error over replicates (it is conditional on the gap model being right, which the validation study
in ``docs/validation.md`` checks on simulated worlds).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import xarray as xr

from irtgap.core import dims as D
from irtgap.core.gaps import gap_dataarray, summarize_gap, to_days
from irtgap.core.parallel import Progress, map_tasks
from irtgap.data.elicitation import several_per_pair
from irtgap.data.scoredata import ScoreData
from irtgap.methods.bayes.design import check_dates_option as parse_dates
from irtgap.methods.bayes.replicate import (
    replicate_scores,
    row_arrays,
    sample_params,
    stacked_posterior,
)
from irtgap.plotting.bayes import plot_threshold_bias

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from irtgap.methods.bayes.fit import GapFit

#: The threshold method's groups, and the GapFit group each is compared with.
GROUPS = ("all", "public", "private")
MODEL_GROUPS = {"all": "capability", "public": "public", "private": "private"}


@dataclass
class ThresholdBias:
    r"""Result of :func:`threshold_bias`.

    Attributes
    ----------
    table : DataFrame
        Per ``date`` and ``group`` (the threshold method's groups ``all``, ``public``,
        ``private``): ``threshold`` (the threshold trend on the real modelled rows),
        ``model_gap`` (posterior median of the model's gap for that group: its ``capability``
        gap for ``all``), ``bias`` (mean of the bias draws)
        with ``bias_lower``/``bias_upper`` (``ci_prob`` interval), ``debiased`` (threshold minus
        bias, median) with ``debiased_lower``/``debiased_upper``, ``n_defined`` (replicates in which
        both gaps are defined at that date).
    bias_draws : xarray.DataArray
        Bias draws ``(chain=1, draw, group, date)`` in months, the shared result shape.
    settings : dict
        ``n_replications``, ``seed``, ``ci_prob`` and the threshold settings used.
    crossings : DataFrame
        A posterior predictive check of the first crossings themselves: per threshold group
        and statistic of the accepted crossing points (``n_points``, ``mean_gap`` and
        ``median_gap`` in months), the ``observed`` value on the real modelled rows against
        the ``replicated`` median and ``lower``/``upper`` (``ci_prob``) interval over the
        replicates, and ``ppp``, the posterior predictive p-value :math:`P(T(\tilde y) \ge
        T(y))` (near 0 or 1: the model does not reproduce what the threshold method reads
        from the data).
    """

    table: pd.DataFrame
    bias_draws: xr.DataArray
    settings: dict[str, Any] = field(default_factory=dict)
    crossings: pd.DataFrame = field(default_factory=pd.DataFrame)

    def summary(self, dates: Any = None) -> pd.DataFrame:
        """The table at ``dates``, each read at the nearest computed date (the row's ``date``
        says which; a date more than 31 days from every computed date raises), NaN where the
        bias is undefined there. By default, per group, the last date at which both the real
        threshold trend and the bias are defined (empty, with a warning, if there is none)."""
        if dates is None:
            t = self.table.dropna(subset=["bias", "threshold"])
            if t.empty:
                warnings.warn(
                    "ThresholdBias.summary: at no date are both the threshold trend and the bias "
                    "defined (see n_defined in .table: too few replicates gave a threshold "
                    "trend); the summary is empty",
                    UserWarning,
                    stacklevel=2,
                )
            return t.sort_values(D.DATE).groupby(D.GROUP).tail(1).reset_index(drop=True)
        grid = pd.DatetimeIndex(sorted(self.table[D.DATE].unique()))
        want = parse_dates(dates)
        near = grid[grid.get_indexer(want, method="nearest")]
        far = np.abs((near - want).days) > 31
        if far.any():
            raise ValueError(
                f"dates: {', '.join(f'{d:%Y-%m-%d}' for d in want[far])} lie more than 31 days "
                f"from the dates the bias was computed at ({grid.min():%Y-%m-%d} to "
                f"{grid.max():%Y-%m-%d}); pass them to threshold_bias(dates=...)"
            )
        return self.table[self.table[D.DATE].isin(near)].reset_index(drop=True)

    def plot(
        self, *, ax: Axes | None = None, groups: tuple[str, ...] = ("public", "private")
    ) -> Axes:
        """Threshold trend, debiased threshold gap (band) and the model's gap, per group.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Where to draw (a new figure by default).
        groups : tuple of str
            The threshold groups to draw.

        Returns
        -------
        matplotlib.axes.Axes
            The Axes drawn on.
        """
        return plot_threshold_bias(
            self.table,
            ax=ax,
            groups=groups,
            ci_prob=self.settings.get("ci_prob", 0.9),
            n_replications=self.settings.get("n_replications"),
        )


def _modelled_data(fit: GapFit) -> ScoreData:
    rows = fit.design.rows.drop(columns=D.ACCESS).reset_index(drop=True)
    return ScoreData(scores=rows, benchmarks=fit.data.benchmarks)


#: Statistics of the threshold method's accepted crossing points, per group, that
#: :attr:`ThresholdBias.crossings` compares between the real data and the replicates.
CROSSING_STATS = ("n_points", "mean_gap", "median_gap")


def _threshold_run(
    data: ScoreData, dates: pd.DatetimeIndex, kwargs: dict[str, Any]
) -> tuple[np.ndarray, np.ndarray]:
    """Threshold point trend ``(group, date)`` (NaN where a group's trend is undefined) and the
    :data:`CROSSING_STATS` of its accepted points ``(group, stat)``."""
    from irtgap.methods.threshold import threshold_gap

    res = threshold_gap(data, n_bootstrap=0, by="access", **kwargs)
    out = np.full((len(GROUPS), len(dates)), np.nan)
    x = to_days(dates)
    for k, g in enumerate(GROUPS):
        tr = res.trend[res.trend[D.GROUP] == g].sort_values(D.DATE)
        if tr.empty:
            continue
        tx = to_days(pd.DatetimeIndex(tr[D.DATE]))
        inside = (x >= tx.min()) & (x <= tx.max())
        out[k, inside] = np.interp(x[inside], tx, tr["gap"].to_numpy(float))
    pts = res.points[res.points["accepted"]] if "accepted" in res.points else res.points
    stats = np.full((len(GROUPS), len(CROSSING_STATS)), np.nan)
    for k, g in enumerate(GROUPS):
        gaps = (pts if g == "all" else pts[pts[D.ACCESS] == g])["gap_months"].to_numpy(float)
        stats[k, 0] = gaps.size
        if gaps.size:
            stats[k, 1:] = gaps.mean(), np.median(gaps)
    return out, stats


def _one_replicate(
    params: dict[str, np.ndarray],
    arrays: dict[str, np.ndarray],
    template: ScoreData,
    seed: np.random.SeedSequence,
    dates: pd.DatetimeIndex,
    kw: dict[str, Any],
    noise: str,
) -> tuple[np.ndarray, np.ndarray]:
    y = replicate_scores(params, arrays, np.random.default_rng(seed), noise=noise)
    data = ScoreData(scores=template.scores.assign(**{D.SCORE: y}), benchmarks=template.benchmarks)
    try:
        return _threshold_run(data, dates, kw)
    except ValueError:  # no usable crossings in this replicate: counted, not fatal
        stats = np.full((len(GROUPS), len(CROSSING_STATS)), np.nan)
        stats[:, 0] = 0.0  # no accepted crossing point (a count, not a missing value)
        return np.full((len(GROUPS), len(dates)), np.nan), stats


def threshold_bias(
    fit: GapFit,
    *,
    n_replications: int = 100,
    dates: Any = None,
    seed: int = 0,
    ci_prob: float = 0.9,
    n_jobs: int = 1,
    threshold_kwargs: dict[str, Any] | None = None,
    backend: str | None = None,
    progress: Progress | None = None,
) -> ThresholdBias:
    """Bias of the threshold method on the data's evaluation pattern (see the module docstring).

    Parameters
    ----------
    fit : GapFit
        A fitted gap model; its posterior is the truth of the replicates.
    n_replications : int
        Replicated datasets, each from a different posterior sample (100 by default: the bias
        interval's ends are then 5th/95th percentiles of 100 values).
    dates : sequence of dates, optional
        Where to read the gaps (monthly from 2023, or the data's first date if later, to the
        data's last date by default). Dates outside the data's support give NaN model gaps and
        biases, with a warning (see :meth:`~irtgap.methods.bayes.fit.GapFit.gap_draws`).
    seed : int
        Seeds the choice of posterior samples and the replicated scores.
    ci_prob : float
        Interval level.
    n_jobs : int
        joblib workers on this machine (1: in this process, -1: every core).
    threshold_kwargs : dict, optional
        Settings passed to :func:`~irtgap.threshold_gap` (its defaults otherwise). A fit with
        ``elicitation_terms`` models every harness's row of a (version, benchmark) pair; the
        threshold method then reads one score per pair by ``elicitation="best"`` (the highest),
        in the real data and in every replicate alike, unless ``threshold_kwargs`` names
        another rule.
    backend : {None, "loky", "dask", "ray"}
        Where the replicates run (see :func:`irtgap.core.parallel.map_tasks`): None for
        joblib's active back end (an enclosing ``joblib.parallel_config`` is respected),
        ``"dask"`` for the workers of the current ``dask.distributed`` Client, ``"ray"`` for
        Ray's joblib back end. Each replicate has its own seed, so the result does not depend on
        the back end or ``n_jobs``.
    progress : callable, optional
        ``progress(done, total, message)`` as replicates finish, in batches; nothing is printed
        without it.

    Returns
    -------
    ThresholdBias
        The bias table and draws, with the replicated first crossings.

    Examples
    --------
    (Skipped in the doctests: the fit is an MCMC run.)

    >>> import irtgap
    >>> sim = irtgap.simulate(n_closed=20, n_open=20, n_benchmarks=8, seed=1)
    >>> fit = irtgap.GapModel().fit(sim.data, draws=100, tune=100, chains=1,
    ...                             seed=1, progressbar=False)  # doctest: +SKIP
    >>> threshold_bias(fit, n_replications=20, seed=1).summary()  # doctest: +SKIP
    """
    kw = _check_options(n_replications, ci_prob, threshold_kwargs)
    if dates is None:
        first, end = (pd.Timestamp(d) for d in fit.design.rows[D.DATE].agg(["min", "max"]))
        dates = pd.date_range(max(pd.Timestamp("2023-01-01"), first), end, freq="MS")
    dates = parse_dates(dates)
    template = _modelled_data(fit)
    if several_per_pair(template.scores) and "elicitation" not in kw:
        kw["elicitation"] = "best"  # one score per pair, as the threshold method reads data
    samples, reps = _replicates(
        fit, template, n_replications, seed, dates, kw, (n_jobs, backend, progress)
    )
    thr = np.asarray([r[0] for r in reps])  # (R, group, date)
    rep_stats = np.asarray([r[1] for r in reps])  # (R, group, stat)
    n_failed = int(np.isnan(thr).all(axis=(1, 2)).sum())
    if n_failed:
        warnings.warn(
            f"the threshold method found no usable crossings in {n_failed} of {n_replications} "
            "replicates; they are left out of the bias (see n_defined)",
            RuntimeWarning,
            stacklevel=2,
        )
    model_draws = fit.gap_draws(dates).sel({D.GROUP: [MODEL_GROUPS[g] for g in GROUPS]})
    model_draws = model_draws.assign_coords({D.GROUP: list(GROUPS)})
    model = model_draws.stack(sample=(D.CHAIN, D.DRAW))
    model_s = model.transpose("sample", D.GROUP, D.DATE).to_numpy()[samples]
    bias_da = gap_dataarray(thr - model_s, dates=dates, groups=list(GROUPS))
    bias_da = bias_da.rename("threshold_bias")
    real, real_stats = _threshold_run(template, dates, kw)
    table = _bias_table(bias_da, real, model_draws, dates, ci_prob)
    settings = dict(
        n_replications=n_replications,
        n_failed=n_failed,
        seed=seed,
        ci_prob=ci_prob,
        threshold_kwargs=kw,
    )
    crossings = _crossing_table(real_stats, rep_stats, ci_prob)
    return ThresholdBias(table=table, bias_draws=bias_da, settings=settings, crossings=crossings)


def _check_options(
    n_replications: Any, ci_prob: Any, threshold_kwargs: dict[str, Any] | None
) -> dict[str, Any]:
    """The threshold method's options, after checking :func:`threshold_bias`'s own."""
    if n_replications < 2:
        raise ValueError(f"n_replications={n_replications}: need at least 2")
    if not 0 < ci_prob < 1:
        raise ValueError(f"ci_prob={ci_prob}: must lie in (0, 1)")
    kw = dict(threshold_kwargs or {})
    for bad in ("n_bootstrap", "by", "seed"):
        if bad in kw:
            raise ValueError(f"threshold_kwargs may not set {bad!r} (threshold_bias controls it)")
    return kw


def _replicates(
    fit: GapFit,
    template: ScoreData,
    n_replications: int,
    seed: int,
    dates: pd.DatetimeIndex,
    kw: dict[str, Any],
    fan: tuple[int, str | None, Progress | None],
) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray]]]:
    """The posterior samples drawn and, per replicate, the threshold trend and crossing stats."""
    n_jobs, backend, progress = fan
    n_samples = fit.posterior.sizes[D.CHAIN] * fit.posterior.sizes[D.DRAW]
    ss = np.random.SeedSequence(seed)
    pick_seed, *rep_seeds = ss.spawn(n_replications + 1)
    samples = np.random.default_rng(pick_seed).choice(
        n_samples, size=n_replications, replace=n_replications > n_samples
    )
    # only the small per-sample parameter arrays and the row layout travel to the workers
    stacked, arrays = stacked_posterior(fit), row_arrays(fit)
    reps = map_tasks(
        _one_replicate,
        (
            (sample_params(stacked, int(s)), arrays, template, sd, dates, kw, fit.settings.noise)
            for s, sd in zip(samples, rep_seeds, strict=True)
        ),
        n_jobs=n_jobs,
        backend=backend,
        progress=progress,
        what="threshold-bias replicates",
    )
    return samples, reps


def _bias_table(
    bias_da: xr.DataArray,
    real: np.ndarray,
    model_draws: xr.DataArray,
    dates: pd.DatetimeIndex,
    ci_prob: float,
) -> pd.DataFrame:
    """:attr:`ThresholdBias.table` from the bias draws, the real threshold trend and the
    model's gap draws."""
    deb_da = gap_dataarray(real[None] - bias_da.to_numpy()[0], dates=dates, groups=list(GROUPS))
    b_tab = summarize_gap(bias_da, ci_prob=ci_prob)
    d_tab = summarize_gap(deb_da, ci_prob=ci_prob)
    m_tab = summarize_gap(model_draws, ci_prob=ci_prob)
    key = [D.DATE, D.GROUP]
    table = b_tab[[*key, "mean", "lower", "upper", "n_defined"]].rename(
        columns={"mean": "bias", "lower": "bias_lower", "upper": "bias_upper"}
    )
    table = table.merge(
        d_tab[[*key, "median", "lower", "upper"]].rename(
            columns={
                "median": "debiased",
                "lower": "debiased_lower",
                "upper": "debiased_upper",
            }
        ),
        on=key,
    )
    table = table.merge(m_tab[[*key, "median"]].rename(columns={"median": "model_gap"}), on=key)
    real_tab = pd.DataFrame(
        {
            D.DATE: np.tile(dates, len(GROUPS)),
            D.GROUP: np.repeat(GROUPS, len(dates)),
            "threshold": real.ravel(),
        }
    )
    table = real_tab.merge(table, on=key)
    cols = [
        *key,
        "threshold",
        "model_gap",
        "bias",
        "bias_lower",
        "bias_upper",
        "debiased",
        "debiased_lower",
        "debiased_upper",
        "n_defined",
    ]
    return table[cols]


def _crossing_table(real: np.ndarray, reps: np.ndarray, ci_prob: float) -> pd.DataFrame:
    """Observed crossing statistics against their replicated distribution (a posterior
    predictive check of the threshold method's input: the first crossings)."""
    rows = []
    lo_q, hi_q = (1 - ci_prob) / 2, (1 + ci_prob) / 2
    for k, g in enumerate(GROUPS):
        for j, stat in enumerate(CROSSING_STATS):
            rep = reps[:, k, j]
            rep = rep[np.isfinite(rep)]
            obs = float(real[k, j])
            if rep.size == 0 or not np.isfinite(obs):
                lower = median = upper = ppp = np.nan
            else:
                lower, median, upper = np.quantile(rep, [lo_q, 0.5, hi_q])
                # P(replicated >= observed), ties counted half
                ppp = float(np.mean(rep > obs) + 0.5 * np.mean(rep == obs))
            rows.append(
                {
                    D.GROUP: g,
                    "statistic": stat,
                    "observed": obs,
                    "replicated": median,
                    "lower": lower,
                    "upper": upper,
                    "ppp": ppp,
                    "n_replicates": int(rep.size),
                }
            )
    return pd.DataFrame(rows)
