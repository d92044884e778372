"""The crossings check of a fit with a measurement noise, under each replicate rule.

Reads a saved fit of ``GapModel(noise="logit_normal", measurement_noise=...)`` (``python
studies/forms/run_forms.py measured --seed 0`` writes ``forms-out/fit_measured.nc``) and runs
``irtgap.threshold_bias(fit, n_replications=..., seed=...).crossings`` with the fit's settings
set to ``measurement_noise="known"`` and ``"pooled"`` (the same posterior: the two rules share
the likelihood and differ only in the replicates). Writes one row per rule, group and statistic
(``--out``, default ``measurement_noise.csv``) and, beside it, per benchmark the measurement
items, the persistent spread and the median measurement share of its rows at the posterior
median (``measurement_shares.csv``).

Run: ``python studies/adequacy/measurement_noise.py forms-out/fit_measured.nc --replicates 200
--seed 0 --out docs/evidence/adequacy/measurement_noise.csv``.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import irtgap
from irtgap.methods.bayes.fit import GapFit

RULES = ("known", "pooled")


def shares(fit: GapFit) -> pd.DataFrame:
    """Per benchmark: measurement items, persistent spread tau (posterior median) and the median
    share of measurement in its rows' residual variance."""
    d = fit.design
    tau2 = 1 / fit.posterior["precision"].median(("chain", "draw")).to_numpy()
    s2 = d.row_measurement_var
    q = s2 / (tau2[d.benchmark_idx] + s2)
    rows = pd.DataFrame({"benchmark": d.rows["benchmark"].to_numpy(), "share": q})
    out = rows.groupby("benchmark").agg(rows=("share", "size"), share=("share", "median"))
    out["measurement_items"] = pd.Series(d.measurement_items, index=d.benchmarks.index)
    out["persistent_sd"] = pd.Series(np.sqrt(tau2), index=d.benchmarks.index)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("fit", type=Path)
    parser.add_argument("--replicates", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("measurement_noise.csv"))
    args = parser.parse_args()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = GapFit.from_netcdf(args.fit)
    if fit.settings.measurement_noise == "none":
        raise SystemExit(f"{args.fit}: a fit with measurement_noise='known' or 'pooled' is needed")
    tables = []
    for rule in RULES:
        t0 = time.perf_counter()
        settings = dataclasses.replace(fit.settings, measurement_noise=rule)
        as_rule = GapFit(idata=fit.idata, design=fit.design, settings=settings, data=fit.data)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            bias = irtgap.threshold_bias(as_rule, n_replications=args.replicates, seed=args.seed)
        tables.append(bias.crossings.assign(rule=rule))
        print(f"{rule}: {time.perf_counter() - t0:.0f} s", flush=True)
    table = pd.concat(tables, ignore_index=True)
    print(table.to_string())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out, index=False)
    per = shares(fit)
    print(per.round(3).to_string())
    per.to_csv(args.out.with_name("measurement_shares.csv"))


if __name__ == "__main__":
    main()
