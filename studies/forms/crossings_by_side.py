"""Where does the private-crossings misfit come from? The threshold method's private crossings,
real against replicated, with one side's private scores at a time put at the fit's mean.

The predictive check of the first crossings (``ThresholdBias.crossings``, ``docs/model.md``)
finds the real private-benchmark crossing gaps longer than the default model replicates (mean 7.0
months against 5.2). This script splits that by side. It fits ``GapModel()`` on the bundled data
(``--seed``; or reads a fit saved by ``irtgap report``: ``--fit report/gap_fit.nc``), then runs the
threshold method (its defaults, ``by="access"``) on

- the real modelled scores;
- the same with every score, or only the closed (open) models' private-benchmark scores, replaced
  by the fit's posterior mean score for that row: what the threshold method reads when those
  scores are what one capability per model predicts;
- ``--replicates`` datasets replicated from the posterior (as ``threshold_bias`` does), with the
  model's noise everywhere, or only on the closed (open) models' private scores and the rest at
  the posterior mean of that draw: how far that side's score noise alone moves the crossings
  under the model.

If a side's real scores move the crossings more than its replicated noise can, the misfit is on
that side. Last, the closed models that set the real private crossings, with their mean residual
on private benchmarks (real score minus the fit's mean, as a fraction of the ceiling), the
crossers' mean residual on their crossing benchmark, and every residual of the model that sets
the most crossings.

Run ``python studies/forms/crossings_by_side.py`` (about 4 minutes for the fit and 4 for 3 x 40
replicates on 2 cores). Prints the tables; ``--out DIR`` writes them as CSV.
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import irtgap
from irtgap.core import dims as D
from irtgap.methods.bayes.replicate import (
    mean_fraction,
    replicate_scores,
    row_arrays,
    sample_params,
    stacked_posterior,
)


def private_crossings(data: irtgap.ScoreData) -> pd.DataFrame:
    """The threshold method's accepted crossing points on private benchmarks."""
    points = irtgap.threshold_gap(data, n_bootstrap=0, by="access").points
    return points[points["accepted"] & (points[D.ACCESS] == "private")]


def crossing_stats(data: irtgap.ScoreData) -> tuple[int, float, float]:
    try:
        gaps = private_crossings(data)["gap_months"]
    except ValueError:  # no usable crossings
        return 0, np.nan, np.nan
    return len(gaps), float(gaps.mean()), float(gaps.median())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit", type=Path, help="a GapFit netCDF file (default: fit here)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--replicates", type=int, default=40)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")  # the loader's dropped-row counts are in docs/data.md

    if args.fit is not None:
        fit = irtgap.GapFit.from_netcdf(args.fit)
    else:
        fit = irtgap.GapModel().fit(irtgap.load_dataset(), seed=args.seed, progressbar=False)
    rows = fit.design.rows.drop(columns=D.ACCESS).reset_index(drop=True)
    real = irtgap.ScoreData(scores=rows, benchmarks=fit.data.benchmarks)
    arrays, stacked = row_arrays(fit), stacked_posterior(fit)
    n_samples = stacked.sizes["sample"]
    ceiling = arrays["ceiling"]
    side = rows[D.WEIGHTS].to_numpy()
    private = (fit.design.rows[D.ACCESS] == "private").to_numpy()
    masks = {
        "every score": np.ones(len(rows), bool),
        "closed models' private scores": (side == D.CLOSED) & private,
        "open models' private scores": (side == D.OPEN) & private,
    }
    rng = np.random.default_rng(args.seed)
    pick = rng.choice(n_samples, size=min(200, n_samples), replace=False)
    fitted = np.mean([mean_fraction(sample_params(stacked, int(s)), arrays) for s in pick], 0)
    fitted = fitted * ceiling
    observed = rows[D.SCORE].to_numpy(float)

    def with_scores(y: np.ndarray) -> irtgap.ScoreData:
        return irtgap.ScoreData(scores=rows.assign(**{D.SCORE: y}), benchmarks=real.benchmarks)

    table = [("real scores", "", *crossing_stats(real), np.nan, np.nan)]
    for name, mask in masks.items():
        y = np.where(mask, fitted, observed)
        table.append(
            (f"{name} at the fit's mean", "", *crossing_stats(with_scores(y)), np.nan, np.nan)
        )
    for name, mask in masks.items():
        stats = []
        for s in rng.choice(n_samples, size=args.replicates):
            params = sample_params(stacked, int(s))
            mean = mean_fraction(params, arrays) * ceiling
            noisy = replicate_scores(params, arrays, rng, noise=fit.settings.noise)
            stats.append(crossing_stats(with_scores(np.where(mask, noisy, mean))))
        st = np.asarray(stats, float)
        lo, hi = np.nanquantile(st[:, 1], [0.05, 0.95])
        table.append(
            (
                f"replicated, noise on {name}",
                f"{args.replicates} replicates",
                float(st[:, 0].mean()),
                float(np.nanmean(st[:, 1])),
                float(np.nanmedian(st[:, 2])),
                float(lo),
                float(hi),
            )
        )
    crossings = pd.DataFrame(
        table,
        columns=["scores", "note", "n_points", "mean_gap", "median_gap", "mean_5%", "mean_95%"],
    )
    every_resid = rows.assign(resid=(observed - fitted) / ceiling)
    resid = every_resid[private]
    model_resid = resid.groupby(D.MODEL)["resid"].agg(["size", "mean"])
    points = private_crossings(real)
    pair_resid = every_resid.groupby([D.MODEL, D.BENCHMARK])["resid"].mean()
    at_crossing = {
        s: pair_resid.reindex(list(zip(points[f"{s}_model"], points[D.BENCHMARK], strict=True)))
        for s in ("closed", "open")
    }
    setters = points.groupby("closed_model")["gap_months"].agg(["size", "mean"])
    setters.columns = ["crossings_set", "mean_gap"]
    setters = setters.join(
        model_resid.rename(columns={"size": "private_scores", "mean": "mean_private_residual"})
    ).sort_values("crossings_set", ascending=False)
    closed_resid = model_resid.loc[model_resid.index.isin(rows.loc[side == D.CLOSED, D.MODEL])]
    rank = closed_resid[closed_resid["size"] >= 3]["mean"].rank(ascending=False)
    setters["rank_among_closed_with_3_private_scores"] = rank.reindex(setters.index)
    with pd.option_context("display.width", 200):
        print(crossings.round(2).to_string(index=False))
        print()
        print(setters.round(3).to_string())
        print(
            f"\n({int((closed_resid['size'] >= 3).sum())} closed models with >= 3 private scores)"
        )
        print(
            "mean residual of the crosser on its crossing benchmark: closed "
            f"{at_crossing['closed'].mean():+.3f}, open {at_crossing['open'].mean():+.3f}"
        )
        top = setters.index[0]
        print(f"\n{top}, every score against the fit's mean (fraction of the ceiling):")
        print(every_resid[every_resid[D.MODEL] == top][[D.BENCHMARK, "resid"]].round(3).to_string())
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        crossings.to_csv(args.out / "crossings_by_side.csv", index=False)
        setters.to_csv(args.out / "closed_crossers.csv")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
