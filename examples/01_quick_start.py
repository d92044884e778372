"""Quick start: the gap between open-weight and closed models on the bundled data, three ways.

What it shows
    1. The bundled default data (Epoch AI's Benchmarking Hub export, April 2026): what is in it
       and what was dropped on loading, and why.
    2. Two fast methods, the threshold method (Ihle, 2026) and a composite index, with their gap
       in months at DeepSeek R1's release (2025-01-20) and at the last date with data
       (``.summary()``), and their gap figures.
    3. The hierarchical Bayesian IRT model (``irtgap.GapModel``): sampler diagnostics, the
       posterior gap on public and private benchmarks (``fit.gap(by="access")``), the gap and
       frontier figures, and saving the fit to one netCDF file and loading it back.

How to run
    python examples/01_quick_start.py                    # the real settings
    python examples/01_quick_start.py --out my_results   # write the files elsewhere
    python examples/01_quick_start.py --since 2024-06-01 --draws 100 --tune 100 --chains 2
                                                         # a short preview (numbers unreliable)

Files written to ``--out`` (default ``examples_output/01_quick_start``): ``threshold_gap.png``,
``composite_gap.png``, ``bayesian_gap.png``, ``bayesian_frontier.png``, ``gap_fit.nc``.

Run time on 2 cores: about 7 minutes with the defaults (the Bayesian fit, 4 chains x (1000 + 1000)
draws on all 564 model versions, is about 6 of them); about 1 minute with the short preview above
(most of it compiling the model).

Data: Epoch AI, 'AI Benchmarking Hub', https://epoch.ai/benchmarks (CC-BY 4.0).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import irtgap

R1 = "2025-01-20"  # DeepSeek R1's release: the date the field quotes gaps at
ATTRIBUTION = (
    "Data: Epoch AI, 'AI Benchmarking Hub', https://epoch.ai/benchmarks (CC-BY 4.0). "
    "Cite Epoch AI when you show it."
)


def show_warning(message, category, filename, lineno, file=None, line=None):
    """Print library warnings as one line each, in order with the output: they say what was
    dropped and why, and when a number is missing."""
    print(f"  [{category.__name__}] {message}")


warnings.showwarning = show_warning


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, default=Path("examples_output/01_quick_start"))
    p.add_argument(
        "--since",
        default=None,
        help="fit the Bayesian model to models released on or after this date (YYYY-MM-DD); "
        "default: the model's own, 2022-01-01. A later date makes a faster preview.",
    )
    p.add_argument("--draws", type=int, default=1000, help="MCMC draws per chain (1000)")
    p.add_argument("--tune", type=int, default=1000, help="MCMC tuning steps per chain (1000)")
    p.add_argument("--chains", type=int, default=4, help="MCMC chains (4)")
    p.add_argument(
        "--n-bootstrap",
        type=int,
        default=None,
        help="bootstrap resamples of the threshold method and the composite index "
        "(default: each method's own, 5000 and 1000)",
    )
    p.add_argument("--seed", type=int, default=1, help="seed of the MCMC fit (1)")
    return p.parse_args()


def say(table: pd.DataFrame) -> None:
    """One line per row of a gap table: the median gap in months and its 90% interval."""
    for row in table.itertuples(index=False):
        where = f"{row.method:>10} | {row.group:<10} | gap at {row.date:%Y-%m-%d}:"
        if np.isnan(row.median):
            print(f"{where} no number (outside the data or too few draws defined: see warning)")
            continue
        interval = (
            "no interval"
            if np.isnan(row.lower)
            else f"90% interval {row.lower:4.1f} to {row.upper:4.1f}"
        )
        grew = "" if np.isnan(row.prob_grew) else f", P(larger than at R1) = {row.prob_grew:.2f}"
        print(f"{where} {row.median:4.1f} months ({interval}{grew})")


def save(ax: plt.Axes, path: Path) -> None:
    ax.figure.savefig(path, dpi=120)
    plt.close(ax.figure)
    print(f"  wrote {path}")


def main() -> None:
    args = parse_args()
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    boot = {} if args.n_bootstrap is None else {"n_bootstrap": args.n_bootstrap}
    start = time.perf_counter()

    # ------------------------------------------------------------------ 1. the data
    print("== 1. The bundled data ==")
    print(ATTRIBUTION)
    # Loading warns about every row it drops (no date, no open/closed label, ...), with counts.
    data = irtgap.load_dataset()
    print(data)
    # The counts a reader checks first: rows read, dropped for each reason, models per side.
    print(data.describe().to_string())
    # Per file of the export: rows read and dropped, with the reason (see 03_hub_export.py).
    sources = data.describe(by="source")
    print(f"\n{len(sources)} benchmark files; left out: ")
    print(sources.loc[sources["status"] != "kept", ["file", "status"]].to_string())

    # ------------------------------------------------------------------ 2. fast methods
    print("\n== 2. Threshold method and composite index ==")
    # First open vs first closed model to cross each score level, smoothed over time; the band
    # is a bootstrap over benchmarks. Groups: all benchmarks, public ones, private ones.
    threshold = irtgap.threshold_gap(data, seed=0, **boot)
    # .summary(): the gap at DeepSeek R1's release and at the last date with data.
    say(threshold.summary())
    save(threshold.plot_gap(), out / "threshold_gap.png")

    # Mean normalised score over the six benchmarks most scored since 2024; the gap is how long
    # ago the closed side's best composite reached the open side's best.
    composite = irtgap.composite_index(data, seed=0, **boot)
    say(composite.summary())
    save(composite.plot_gap(), out / "composite_gap.png")

    # ------------------------------------------------------------------ 3. Bayesian model
    print("\n== 3. Bayesian IRT gap model ==")
    model = irtgap.GapModel() if args.since is None else irtgap.GapModel(since=args.since)
    print(
        f"fitting on models released since {model.since}: {args.chains} chains x "
        f"({args.tune} tuning + {args.draws}) draws ..."
    )
    t0 = time.perf_counter()
    fit = model.fit(
        data,
        seed=args.seed,
        draws=args.draws,
        tune=args.tune,
        chains=args.chains,
        progressbar=sys.stderr.isatty(),
    )
    print(f"  sampled in {time.perf_counter() - t0:.0f} s")

    # fit() already warned (ConvergenceWarning) if any check failed; here are the numbers.
    # R-hat should be below 1.01, bulk ESS of the frontier and gap above 400, no divergences.
    # Short runs (--draws 100) fail these: their numbers are a preview, not a result.
    print(fit.diagnostics(warn=False).to_string(float_format=lambda v: f"{v:.3f}"))

    first, last = fit.support()  # first and last release date of the modelled models
    print(f"\nPosterior gap on public and private benchmarks (data from {first:%Y-%m-%d}):")
    # "private" is the capability gap (private benchmarks are the reference); "public" adds
    # the open models' advantage on benchmarks whose test items are downloadable.
    gap = fit.gap([R1, last], by="access", reference_date=R1)
    say(gap)
    save(fit.plot_gap(), out / "bayesian_gap.png")
    save(fit.plot_frontier(), out / "bayesian_frontier.png")

    # One netCDF file holds the posterior, the settings and the data; load_result reads any
    # method's saved result back.
    path = fit.to_netcdf(out / "gap_fit.nc")
    loaded = irtgap.load_result(path)
    again = loaded.gap([R1, last], by="access", reference_date=R1)
    same = np.allclose(
        gap[["median", "lower", "upper"]], again[["median", "lower", "upper"]], equal_nan=True
    )
    print(f"  wrote {path}; loaded back as {type(loaded).__name__}: same gap table: {same}")
    if not same:
        raise SystemExit("the loaded fit gives another gap table than the fitted one")
    print(f"\ndone in {time.perf_counter() - start:.0f} s; files in {out}/")


if __name__ == "__main__":
    main()
