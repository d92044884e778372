"""Integrated ELPD-LOO of saved fits of the April export, compared (``GapFit.check()`` on each).

Usage: ``python studies/adequacy/elpd_pair.py NAME=FIT.nc NAME=FIT.nc [...] --n-draws 400
--seed 0 --out compare.csv``: prints each fit's check summary (ELPD-LOO with its SE, LOO-PIT,
predictive-check groups flagged) and their ``arviz_stats.compare`` table, written to ``--out``;
beside it (``<out stem>_checks.csv``) each fit's check summary with its ELPD-LOO difference from
the first fit and the difference's standard error, from the pointwise values (the compare table
rounds its figures for display).
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import arviz_stats as azs
import numpy as np
import pandas as pd

import irtgap


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("fits", nargs="+", help="NAME=PATH of saved fits (two or more)")
    parser.add_argument("--n-draws", type=int, default=400, help="posterior draws per check")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("compare.csv"))
    args = parser.parse_args()
    pairs = [f.split("=", 1) for f in args.fits]
    if len(pairs) < 2 or any(len(p) != 2 for p in pairs):
        parser.error(f"give two or more NAME=PATH fits, not {args.fits}")
    loos, rows = {}, {}
    for name, path in pairs:
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            checks = irtgap.load_result(path).check(n_draws=args.n_draws, seed=args.seed)
        loos[name] = checks.loo
        rows[name] = checks.summary()
        print(f"{name}: checked in {time.perf_counter() - t0:.0f} s", flush=True)
    table = pd.DataFrame(rows).T
    first = np.asarray(loos[pairs[0][0]].elpd_i).ravel()
    for name, loo in loos.items():
        diff = np.asarray(loo.elpd_i).ravel() - first
        table.loc[name, "elpd_diff_vs_first"] = diff.sum()
        table.loc[name, "elpd_diff_se"] = np.sqrt(diff.size * diff.var())
    print(table.T.to_string())
    cmp = azs.compare(loos)
    print(cmp.to_string())
    cmp.to_csv(args.out)
    table.rename_axis("fit").to_csv(args.out.with_name(f"{args.out.stem}_checks.csv"))


if __name__ == "__main__":
    main()
