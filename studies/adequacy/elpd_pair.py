"""Integrated ELPD-LOO of saved fits of the April export, compared (``GapFit.check()`` on each).

Usage: ``python studies/adequacy/elpd_pair.py NAME=FIT.nc NAME=FIT.nc [...] --n-draws 400
--seed 0 --out compare.csv``: prints each fit's check summary (ELPD-LOO with its SE, LOO-PIT,
predictive-check groups flagged) and their ``arviz_stats.compare`` table, written to ``--out``.
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import arviz_stats as azs
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
    print(pd.DataFrame(rows).to_string())
    cmp = azs.compare(loos)
    print(cmp.to_string())
    cmp.to_csv(args.out)


if __name__ == "__main__":
    main()
