"""Every method's gap on the same data, side by side: a table and one figure.

What it shows
    1. ``irtgap.compare(data)``: the gap in months by the threshold method, the ECI fit (its
       frontier shift and Epoch's own rule), the CAISI-style Elo fit and the composite index, at
       DeepSeek R1's release (2025-01-20) and at the last date where every method has data.
    2. One figure with each method's ``plot_gap(ax=...)`` on shared axes (small multiples).
    3. Why the numbers differ: one line per method, printed under the table.
    ``--bayesian`` adds the hierarchical Bayesian model (a full MCMC fit: minutes).

How to run
    python examples/04_methods_side_by_side.py               # the real settings
    python examples/04_methods_side_by_side.py --fast        # 100 bootstrap resamples each
    python examples/04_methods_side_by_side.py --bayesian    # add the Bayesian model

Files written to ``--out`` (default ``examples_output/04_methods_side_by_side``):
``compare.csv`` (the table) and ``methods_side_by_side.png`` (the figure).

Run time on 2 cores: about 2 minutes with the defaults (the bootstrap methods run twice: once
inside ``compare``, which returns only the table, and once for the figure; the 500 ECI refits
take most of it); about 30 seconds with ``--fast``; ``--bayesian`` adds about 6 minutes (4 chains
x (1000 + 1000) draws).

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

ATTRIBUTION = "Data: Epoch AI, 'AI Benchmarking Hub', https://epoch.ai/benchmarks (CC-BY 4.0)"
METHODS = ("threshold", "eci", "eci_epoch", "elo", "composite")

# Why the numbers differ. Each line restates the method's docstring, docs/model.md or the
# simulation study of docs/validation.md (100 simulated worlds with a known gap).
WHY = {
    "threshold": (
        "dates the first open and the first closed model to cross each score level. Scores are "
        "noisy, so a first crosser is often a lucky model, and the side scored more often gets "
        "more lucky draws (the winner's curse): in simulated worlds where closed models are "
        "scored 3x as often it overstated the gap by 4.1 months on average. Its band resamples "
        "benchmarks, not that noise (43-65% coverage of the nominal 90% in the study)."
    ),
    "eci": (
        "Epoch's IRT fit gives each model a capability; the gap is the time shift between each "
        "side's running best, per bootstrap refit. A running maximum of noisy per-model scores "
        "jumps, so this is one of the noisiest readings in the study (RMSE 5.4-9.4 months)."
    ),
    "eci_epoch": (
        "Epoch's rule on the same fit: the time since the closed frontier was last not "
        "significantly better than today's open frontier. One number per date, no interval."
    ),
    "elo": (
        "a one-slope IRT fit on a handful of hard benchmarks (8 by default), on an Elo scale; "
        "the gap is the horizontal distance between straight least-squares lines through each "
        "side's frontier models, so it follows the two lines' slopes, not the latest models, "
        "and a few benchmarks can swing it."
    ),
    "composite": (
        "the mean normalised score over the six benchmarks most scored since 2024, for models "
        "scored on 75% of them; a model missing the hardest ones is flattered. The gap is the "
        "time shift between the running bests; the band resamples the benchmark set."
    ),
    "bayesian": (
        "latent capability per model below a non-decreasing frontier per side, so more "
        "evaluations pin a frontier down rather than push it up (bias -0.6 months in the "
        "winner's-curse worlds). 'private' is the capability gap, 'public' adds the open "
        "models' advantage on public benchmarks; it has no 'all'."
    ),
}
GROUPS = (
    "group 'all' pools public and private benchmarks; the threshold method also splits them "
    "into 'public' and 'private'."
)


def show_warning(message, category, filename, lineno, file=None, line=None):
    """Print library warnings as one line each, in order with the output."""
    print(f"  [{category.__name__}] {message}")


warnings.showwarning = show_warning
pd.set_option("display.width", 160)


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, default=Path("examples_output/04_methods_side_by_side"))
    p.add_argument(
        "--fast",
        action="store_true",
        help="100 bootstrap resamples per method instead of each method's default "
        "(threshold 5000, ECI 500, Elo 200, composite 1000)",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of every method (0)")
    p.add_argument("--bayesian", action="store_true", help="add the Bayesian model (minutes)")
    p.add_argument("--draws", type=int, default=1000, help="with --bayesian: draws per chain")
    p.add_argument("--tune", type=int, default=1000, help="with --bayesian: tuning steps")
    p.add_argument("--chains", type=int, default=4, help="with --bayesian: MCMC chains")
    return p.parse_args()


def run_methods(data: irtgap.ScoreData, fast: bool, seed: int) -> dict[str, irtgap.GapResult]:
    """Each method's result by name through the registry, with the budget compare() uses
    ("fast" or "full"; same seed: same numbers)."""
    budget = "fast" if fast else "full"
    eci = irtgap.run_method("eci", data, budget=budget, seed=seed, n_jobs=-1)
    assert isinstance(eci, irtgap.EciResult)
    return {
        "threshold": irtgap.run_method("threshold", data, budget=budget, seed=seed),
        "eci": eci,
        "eci_epoch": irtgap.epoch_rule(eci),  # Epoch's rule read from the same fit
        "elo": irtgap.run_method("elo", data, budget=budget, seed=seed),
        "composite": irtgap.run_method("composite", data, budget=budget, seed=seed),
    }


def wide(table: pd.DataFrame) -> pd.DataFrame:
    """The gap table with one row per method and group, one column per date."""

    def cell(r: pd.Series) -> str:
        if np.isnan(r["median"]):
            return "no number"
        if np.isnan(r["lower"]):
            return f"{r['median']:5.1f} months"
        return f"{r['median']:5.1f} months [{r['lower']:5.1f}, {r['upper']:5.1f}]"

    t = table.assign(cell=table.apply(cell, axis=1), when=table["date"].dt.strftime("at %Y-%m-%d"))
    out = t.pivot_table(
        index=["method", "group"], columns="when", values="cell", aggfunc="first", sort=False
    )
    out.columns.name = None
    return out


def main() -> None:
    args = parse_args()
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    print(ATTRIBUTION)
    data = irtgap.load_dataset()
    print(data)

    # ------------------------------------------------------------------ 1. the table
    print("\n== 1. irtgap.compare ==")
    # Dates: R1's release and the earliest last date with data over the methods, so that every
    # method answers at the same dates. A method without data at a date gives NaN and a warning.
    table = irtgap.compare(data, methods=METHODS, seed=args.seed, fast=args.fast)
    when = pd.DatetimeIndex(sorted(table["date"].unique()))

    results = run_methods(data, args.fast, args.seed)  # compare() returns only the table
    if args.bayesian:
        # compare(methods=[..., "bayesian"]) would fit the model itself; fitted once here, its
        # rows are built as compare() builds them: the capability gap and the gap by access.
        print(f"fitting the Bayesian model: {args.chains} chains x ({args.tune} + {args.draws})")
        fit = irtgap.GapModel().fit(
            data,
            seed=args.seed,
            draws=args.draws,
            tune=args.tune,
            chains=args.chains,
            progressbar=sys.stderr.isatty(),
        )
        results["bayesian"] = fit
        rows = pd.concat([fit.gap(when), fit.gap(when, by="access")], ignore_index=True)
        table = pd.concat([table, rows], ignore_index=True)

    table.to_csv(out / "compare.csv", index=False)
    print("median gap in months [90% interval]; 'no number': outside that method's data")
    print(wide(table).to_string())
    print(f"\nWhy they differ ({GROUPS})")
    for method in results:
        print(f"- {method}: {WHY[method]}")

    # The results run for the figure reproduce compare()'s numbers (same settings and seeds).
    for method in METHODS:
        res = results[method]
        again = res.gap(when)
        mine = table[table["method"] == method]
        if not np.allclose(mine["median"], again["median"], equal_nan=True):
            raise SystemExit(f"{method}: the refit does not reproduce compare()'s table")

    # ------------------------------------------------------------------ 2. the figure
    print("\n== 2. One figure, one panel per method ==")
    n = len(results)
    ncols = 3
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(15, 4.2 * nrows), sharex=True, sharey=True, layout="constrained"
    )
    for ax, (method, res) in zip(axes.flat, results.items(), strict=False):
        # A figure reads each gap over its whole date grid; where a method has no number (before
        # its data reach back far enough) gap() warns and the figure leaves the dates blank.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            res.plot_gap(ax=ax)
        ax.set_title(method)
        for day in when:
            ax.axvline(day, color="0.5", ls=":", lw=1)
        if not ax.get_subplotspec().is_first_col():
            ax.set_ylabel("")
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    for ax in axes.flat[n - ncols : n]:  # the lowest visible panel of each column: dates
        ax.xaxis.set_tick_params(labelbottom=True)
    fig.suptitle(
        "Open-weight models behind the closed frontier, by method (median, 90% band; dotted: "
        f"the table's dates)\n{ATTRIBUTION}"
    )
    path = out / "methods_side_by_side.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    print(f"  wrote {path}")
    print(f"\ndone in {time.perf_counter() - start:.0f} s; files in {out}/")


if __name__ == "__main__":
    main()
