"""`GapFit`: the posterior of the Bayesian gap model and what a reader asks of it.

The gap, frontier and capability draws all have dimensions ``(chain, draw, ...)`` like every other
result in irtgap, and :meth:`GapFit.gap` returns the shared gap table of
:func:`irtgap.gaps.summarize_gap`.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
import xarray as xr

from irtgap import _dims as D
from irtgap.design import KNOT_DIM, Design, make_design
from irtgap.errors import ConvergenceWarning
from irtgap.gaps import Direction, date_grid, summarize_gap, time_shift_gap, to_days
from irtgap.scoredata import ScoreData

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from irtgap.gapmodel import GapSettings
    from irtgap.winners_curse import ThresholdBias

#: Thresholds for :meth:`GapFit.diagnostics` (the usual modern defaults: Vehtari et al. 2021).
RHAT_MAX = 1.01
ESS_MIN = 400
GAP_GROUPS = ("all", "public", "private")


def _stack(da: xr.DataArray) -> np.ndarray:
    """Samples first: ``(chain*draw, ...)``."""
    return da.stack(sample=(D.CHAIN, D.DRAW)).transpose("sample", ...).to_numpy()


@dataclass
class GapFit:
    """Posterior of :class:`~irtgap.GapModel` on one :class:`~irtgap.ScoreData`.

    Attributes
    ----------
    idata : xarray.DataTree
        ArviZ inference data (``posterior``, ``sample_stats``, ``observed_data``...).
    design : irtgap.design.Design
        The rows, models and knots that were modelled.
    settings : GapSettings
        The model settings.
    data : ScoreData
        The input data.
    """

    idata: Any
    design: Design
    settings: GapSettings
    data: ScoreData
    _cache: dict[Any, Any] = field(default_factory=dict, repr=False)

    # ------------------------------------------------------------------ draws
    @property
    def posterior(self) -> xr.Dataset:
        return self.idata["posterior"].to_dataset()

    def _default_dates(self) -> pd.DatetimeIndex:
        start = max(pd.Timestamp("2023-01-01"), self.design.knot_dates[0])
        end = pd.Timestamp(self.design.rows[D.DATE].max())
        return date_grid(start, end, step_days=7)

    def frontier_draws(self, dates: Any = None) -> xr.DataArray:
        """Frontier draws ``(chain, draw, weights, date)`` interpolated between knots."""
        dates = self._default_dates() if dates is None else pd.DatetimeIndex(dates)
        knots = to_days(self.design.knot_dates)
        f = self.posterior["frontier"]
        vals = f.transpose(D.CHAIN, D.DRAW, D.WEIGHTS, KNOT_DIM).to_numpy()
        x = to_days(dates)
        out = np.empty((*vals.shape[:3], len(dates)))
        k = np.clip(np.searchsorted(knots, x, side="right") - 1, 0, len(knots) - 2)
        w = np.clip((x - knots[k]) / (knots[k + 1] - knots[k]), 0.0, 1.0)
        out[:] = vals[..., k] * (1 - w) + vals[..., k + 1] * w
        return xr.DataArray(
            out,
            dims=(D.CHAIN, D.DRAW, D.WEIGHTS, D.DATE),
            coords={
                D.CHAIN: f[D.CHAIN].to_numpy(),
                D.DRAW: f[D.DRAW].to_numpy(),
                D.WEIGHTS: list(f[D.WEIGHTS].to_numpy()),
                D.DATE: dates,
            },
            name="frontier",
        )

    def gap_draws(self, dates: Any = None, *, direction: Direction = "backward") -> xr.DataArray:
        """Gap draws in months ``(chain, draw, group, date)``, groups all / public / private.

        The gap is computed on a weekly grid over the whole modelled period (so that the closed
        frontier's past is available) and then read at ``dates``.
        """
        dates = self._default_dates() if dates is None else pd.DatetimeIndex(dates)
        key = (direction, tuple(dates))
        if key in self._cache:
            return self._cache[key]
        fine = date_grid(self.design.knot_dates[0], self.design.knot_dates[-1], step_days=7)
        fine = fine.union(dates)
        fr = self.frontier_draws(fine)
        f_closed = fr.sel({D.WEIGHTS: D.CLOSED}).to_numpy()
        f_open = fr.sel({D.WEIGHTS: D.OPEN}).to_numpy()
        post = self.posterior
        gamma = (
            post["public_advantage"].to_numpy()[..., None]
            if "public_advantage" in post
            else np.zeros((*f_open.shape[:2], 1))
        )
        grid = to_days(fine)
        latent = time_shift_gap(grid, f_open, f_closed, direction=direction)
        public = time_shift_gap(grid, f_open + gamma, f_closed, direction=direction)
        vals = np.stack([latent, public, latent], axis=2)
        da = xr.DataArray(
            vals,
            dims=(D.CHAIN, D.DRAW, D.GROUP, D.DATE),
            coords={
                D.CHAIN: fr[D.CHAIN].to_numpy(),
                D.DRAW: fr[D.DRAW].to_numpy(),
                D.GROUP: list(GAP_GROUPS),
                D.DATE: fine,
            },
            name="gap_months",
        ).sel({D.DATE: dates})
        self._cache[key] = da
        return da

    # ------------------------------------------------------------------ summaries
    def gap(
        self,
        dates: Any = None,
        *,
        direction: Direction = "backward",
        by: Literal["access"] | None = None,
        ci: float = 0.9,
        reference_date: Any = "2025-01-20",
    ) -> pd.DataFrame:
        """Posterior gap in months at ``dates`` (weekly from 2023 to the last date by default).

        Returns the shared gap table: ``date, group, mean, median, lower, upper, n_defined,
        prob_grew, method``. ``by=None`` gives the capability gap (``group == "all"``);
        ``by="access"`` adds the gap as it appears on public and on private benchmarks (public
        includes the open advantage term; private is the capability gap, the reference category).
        ``prob_grew`` is the posterior probability that the gap at ``date`` exceeds the gap at
        ``reference_date`` (DeepSeek R1's release by default).
        """
        if by not in (None, "access"):
            raise ValueError(f"by={by!r}: use None or 'access'")
        dates = self._default_dates() if dates is None else pd.DatetimeIndex(pd.to_datetime(dates))
        if reference_date is not None:
            dates_all = dates.union(pd.DatetimeIndex([pd.Timestamp(reference_date)]))
        else:
            dates_all = dates
        draws = self.gap_draws(dates_all, direction=direction)
        if by is None:
            draws = draws.sel({D.GROUP: ["all"]})
        table = summarize_gap(draws, ci=ci, reference_date=reference_date, method="bayesian_irt")
        return table[table[D.DATE].isin(dates)].reset_index(drop=True)

    def frontier(self, dates: Any = None, *, ci: float = 0.9) -> pd.DataFrame:
        """Posterior frontier per side: ``date, weights, mean, median, lower, upper``."""
        da = self.frontier_draws(dates)
        table = summarize_gap(da.rename({D.WEIGHTS: D.GROUP}), ci=ci)
        return table.rename(columns={D.GROUP: D.WEIGHTS}).drop(columns="n_defined")

    def capabilities(
        self, *, ci: float = 0.9, eci_anchors: dict[str, float] | None = None
    ) -> pd.DataFrame:
        """Posterior capability per model version (hosted versions share their base's).

        With ``eci_anchors`` (e.g. ``{"claude-3-5-sonnet-20240620": 130, "gpt-5-2025-08-07_high":
        150}``, model ids of the data), each draw is mapped affinely so that the anchors land on
        those values: the same scale as Epoch's ECI, for comparison.
        """
        post = self.posterior
        cap = _stack(post["capability"])  # (S, units)
        units = list(post["unit"].to_numpy())
        models = self.design.models
        col = pd.Index(units).get_indexer(models["base"])
        draws = cap[:, col]
        if eci_anchors:
            if len(eci_anchors) != 2:
                raise ValueError("eci_anchors needs exactly two models")
            (m1, v1), (m2, v2) = eci_anchors.items()
            idx = []
            for name in (m1, m2):
                if name not in models.index:
                    raise ValueError(f"anchor model {name!r} is not among the modelled models")
                idx.append(models.index.get_loc(name))
            a = (v2 - v1) / (draws[:, idx[1]] - draws[:, idx[0]])
            draws = v1 + a[:, None] * (draws - draws[:, [idx[0]]])
        lo, hi = np.quantile(draws, [(1 - ci) / 2, 1 - (1 - ci) / 2], axis=0)
        out = models[[D.DATE, D.WEIGHTS, D.PROVIDER, D.MODEL_GROUP]].copy()
        out["mean"] = draws.mean(0)
        out["lower"] = lo
        out["upper"] = hi
        counts = self.design.rows.groupby(D.MODEL).size()
        out["n_benchmarks"] = counts.reindex(out.index).fillna(0).astype(int)
        return out.sort_values("mean", ascending=False)

    def terms(self, *, ci: float = 0.9) -> pd.DataFrame:
        """Posterior of the named terms beside their priors.

        ``informed`` is ``1 - posterior sd / prior sd``: near 0 the data say little and the term
        stays at its prior (e.g. a provider scored on one benchmark only); near 1 the data pin it.
        """
        post = self.posterior
        s = self.settings
        hn = np.sqrt(1 - 2 / np.pi)
        priors = {
            "public_advantage": s.prior_scale_gamma,
            "provider_degradation": s.prior_scale_delta * hn,
            "shortfall_scale": 2.0 * hn,
            "log_growth_mean": 1.0,
        }
        rows = []
        for name, prior_sd in priors.items():
            if name not in post:
                continue
            da = post[name]
            extra = [d for d in da.dims if d not in (D.CHAIN, D.DRAW)]
            stacked = da.stack(sample=(D.CHAIN, D.DRAW))
            labels = [None] if not extra else list(da[extra[0]].to_numpy())
            for lab in labels:
                v = (stacked if lab is None else stacked.sel({extra[0]: lab})).to_numpy()
                lo, hi = np.quantile(v, [(1 - ci) / 2, 1 - (1 - ci) / 2])
                rows.append(
                    {
                        "term": name if lab is None else f"{name}[{lab}]",
                        "mean": v.mean(),
                        "sd": v.std(),
                        "lower": lo,
                        "upper": hi,
                        "prior_sd": prior_sd,
                        "informed": 1 - v.std() / prior_sd,
                    }
                )
        return pd.DataFrame(rows).set_index("term")

    def diagnostics(self, *, warn: bool = True) -> pd.Series:
        """Sampler diagnostics: max R-hat, min bulk/tail ESS (all, frontier, gap), divergences.

        Warns with :class:`~irtgap.errors.ConvergenceWarning` when R-hat > 1.01, the bulk ESS of
        the frontier or gap < 400, or any transition diverged.
        """
        import arviz_stats as azs

        post = self.posterior
        with warnings.catch_warnings():
            # constant draws (the anchor benchmark's fixed slope and difficulty) have no R-hat:
            # NaN, skipped by the maxima below
            warnings.simplefilter("ignore", RuntimeWarning)
            rhat = azs.rhat(post)
            ess = azs.ess(post, method="bulk")
            ess_tail = azs.ess(post, method="tail")
        max_rhat = float(max(np.nanmax(v.to_numpy()) for v in rhat.data_vars.values()))
        min_ess = float(min(np.nanmin(v.to_numpy()) for v in ess.data_vars.values()))
        min_tail = float(min(np.nanmin(v.to_numpy()) for v in ess_tail.data_vars.values()))
        gap = self.gap_draws(self._default_dates()[::4]).sel({D.GROUP: "all"})
        gap_ok = gap.where(xr.apply_ufunc(np.isfinite, gap).all(dim=[D.CHAIN, D.DRAW]), drop=True)
        gap_ess = (
            float(np.nanmin(azs.ess(gap_ok, method="bulk").to_numpy()))
            if gap_ok.size
            else float("nan")
        )
        gap_rhat = float(np.nanmax(azs.rhat(gap_ok).to_numpy())) if gap_ok.size else float("nan")
        stats = self.idata["sample_stats"].to_dataset()
        div = int(stats["diverging"].sum()) if "diverging" in stats else 0
        out = pd.Series(
            {
                "max_rhat": max_rhat,
                "min_ess_bulk": min_ess,
                "min_ess_tail": min_tail,
                "frontier_max_rhat": float(rhat["frontier"].max()),
                "frontier_min_ess_bulk": float(ess["frontier"].min()),
                "gap_max_rhat": gap_rhat,
                "gap_min_ess_bulk": gap_ess,
                "divergences": div,
                "chains": int(post.sizes[D.CHAIN]),
                "draws": int(post.sizes[D.DRAW]),
            },
            name="diagnostics",
        )
        if warn:
            problems = []
            if max_rhat > RHAT_MAX:
                problems.append(f"max R-hat {max_rhat:.3f} > {RHAT_MAX}")
            for key in ("frontier_min_ess_bulk", "gap_min_ess_bulk"):
                if out[key] < ESS_MIN:
                    problems.append(f"{key} {out[key]:.0f} < {ESS_MIN}")
            if div:
                problems.append(f"{div} divergent transitions")
            if problems:
                warnings.warn(
                    "sampler diagnostics are bad: "
                    + "; ".join(problems)
                    + ". Run longer (draws/tune), more chains, or check the model.",
                    ConvergenceWarning,
                    stacklevel=2,
                )
        return out

    def summary(self, *, ci: float = 0.9) -> pd.DataFrame:
        """The gap at DeepSeek R1's release (2025-01-20) and at the data's last date, by access."""
        last = pd.Timestamp(self.design.rows[D.DATE].max())
        return self.gap([pd.Timestamp("2025-01-20"), last], by="access", ci=ci)

    # ------------------------------------------------------------------ plots
    def plot_gap(
        self,
        ax: Axes | None = None,
        *,
        by: Literal["access"] | None = "access",
        direction: Direction = "backward",
        ci: float = 0.9,
    ) -> Axes:
        """Posterior gap over time (median and ``ci`` band) per group."""
        from irtgap.bayes_plots import plot_gap_table

        table = self.gap(by=by, direction=direction, ci=ci)
        if by == "access":  # "all" is the private-benchmark gap by construction: draw it once
            table = table[table[D.GROUP] != "all"]
        return plot_gap_table(
            table,
            ax=ax,
            title=f"Open-weight models behind the closed frontier ({direction} gap, "
            f"Bayesian IRT, {ci:.0%} band)",
        )

    def threshold_bias(
        self,
        *,
        n_replications: int = 100,
        dates: Any = None,
        seed: int = 0,
        ci: float = 0.9,
        n_jobs: int = 1,
        threshold_kwargs: dict[str, Any] | None = None,
    ) -> ThresholdBias:
        """The threshold method's winner's-curse bias on this data's evaluation pattern.

        Replicates the modelled scores from ``n_replications`` posterior samples, runs the
        threshold method on each and compares with the model's own gap; returns the bias with
        its interval and a debiased threshold gap. See :mod:`irtgap.winners_curse`.
        """
        from irtgap.winners_curse import threshold_bias

        return threshold_bias(
            self,
            n_replications=n_replications,
            dates=dates,
            seed=seed,
            ci=ci,
            n_jobs=n_jobs,
            threshold_kwargs=threshold_kwargs,
        )

    def plot_frontier(self, ax: Axes | None = None, *, ci: float = 0.9) -> Axes:
        """Both frontiers with bands, and each model's posterior capability."""
        from irtgap.bayes_plots import plot_frontier

        return plot_frontier(self, ax=ax, ci=ci)

    # ------------------------------------------------------------------ persistence
    def to_netcdf(self, path: str | Path) -> Path:
        """Save the posterior, the data and the settings to one netCDF file (h5netcdf)."""
        path = Path(path)
        tree = self.idata.copy()
        for name in list(tree.children):
            ds = tree[name].to_dataset()
            objs = [v for v in ds.data_vars if ds[v].dtype == object]
            if objs:  # e.g. nutpie's divergence messages: not storable in netCDF
                tree[name] = ds.drop_vars(objs)
        scores = self.data.scores.copy()
        scores[D.DATE] = scores[D.DATE].astype("datetime64[ns]")
        bench = self.data.benchmarks.reset_index()
        tree["irtgap_scores"] = xr.Dataset.from_dataframe(_strings(scores))
        tree["irtgap_benchmarks"] = xr.Dataset.from_dataframe(_strings(bench))
        tree.attrs["irtgap_settings"] = json.dumps(asdict(self.settings))
        tree.attrs["irtgap_log"] = json.dumps(self.data.log, default=str)
        tree.to_netcdf(path, engine="h5netcdf")
        return path

    @classmethod
    def from_netcdf(cls, path: str | Path) -> GapFit:
        """Load a fit saved by :meth:`to_netcdf`."""
        from irtgap.gapmodel import GapSettings

        tree = xr.open_datatree(path, engine="h5netcdf").load()
        scores = tree["irtgap_scores"].to_dataset().to_dataframe().reset_index(drop=True)
        bench = tree["irtgap_benchmarks"].to_dataset().to_dataframe().set_index(D.BENCHMARK)
        scores = _restore(scores)
        bench = _restore(bench)
        data = ScoreData(scores=scores, benchmarks=bench, log=json.loads(tree.attrs["irtgap_log"]))
        settings = GapSettings(**json.loads(tree.attrs["irtgap_settings"]))
        for name in ("irtgap_scores", "irtgap_benchmarks"):
            del tree[name]
        design = make_design(
            data,
            since=settings.since,
            knot_months=settings.knot_months,
            reference_date=settings.reference_date,
        )
        return cls(idata=tree, design=design, settings=settings, data=data)


def _strings(df: pd.DataFrame) -> pd.DataFrame:
    """Object/string columns as plain str (netCDF stores them as variable-length strings)."""
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            out[c] = out[c].astype(object).where(out[c].notna(), "<NA>").astype(str)
        elif pd.api.types.is_bool_dtype(out[c]) or out[c].dtype == object:
            out[c] = out[c].astype(str)
    out.index = pd.RangeIndex(len(out), name="row")
    return out


def _restore(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            out[c] = out[c].astype("string").replace("<NA>", pd.NA)
    return out


__all__ = ["ESS_MIN", "RHAT_MAX", "GapFit"]
