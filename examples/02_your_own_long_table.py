"""Your own scores: from a CSV long table to a validated ScoreData and a gap in months.

What it shows
    1. The long table irtgap reads: one row per (model, benchmark) score, with the model's
       release date and weights (open / closed), plus a small table of benchmark metadata
       (public / private access, random-guess baseline, scale). Both are written to CSV and read
       back, as you would read your own files.
    2. ``irtgap.ScoreData.from_frame``: which arguments name your columns, what it drops and why
       (``data.log``, ``data.describe()``, ``data.describe(by="source")``), and the error you
       get for a typo in a column name or scores given in percent (``irtgap.ScoreDataError``).
    3. The threshold method and the composite index on the validated data.

    So that the methods have something to find, the "collected" scores are drawn from a simulated
    world with a known 6-month gap (``irtgap.simulate``), then dressed as a hand-collected table
    (percent scores, a re-run, a missing date, a score not yet in, a one-model benchmark).
    Replace ``collect_scores()`` with ``pd.read_csv("your_scores.csv")``.

How to run
    python examples/02_your_own_long_table.py
    python examples/02_your_own_long_table.py --n-bootstrap 200 --out /tmp/own   # quicker

Files written to ``--out`` (default ``examples_output/02_your_own_long_table``):
``my_scores.csv``, ``my_benchmarks.csv``, ``threshold_gap.png``.

Run time on 2 cores: about 5 seconds with the defaults (5000 threshold and 1000 composite
bootstrap resamples).
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import irtgap


def show_warning(message, category, filename, lineno, file=None, line=None):
    """Print library warnings as one line each, in order with the output."""
    print(f"  [{category.__name__}] {message}")


warnings.showwarning = show_warning


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, default=Path("examples_output/02_your_own_long_table"))
    p.add_argument(
        "--n-bootstrap",
        type=int,
        default=None,
        help="bootstrap resamples of both methods (default: each method's own, 5000 and 1000)",
    )
    p.add_argument("--seed", type=int, default=7, help="seed of the simulated world (7)")
    return p.parse_args()


def collect_scores(seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A long table of scores and a benchmark table, as a researcher might have collected them.

    Drawn from a simulated world with a 6-month gap, then given the blemishes real tables have.
    """
    world = irtgap.simulate(gap_months=6.0, hosted_share=0.0, seed=seed)
    s = world.data.scores
    scores = pd.DataFrame(
        {
            "Model": s["model"].str.replace("closed-", "lab-model-").str.replace("open-", "oss-"),
            "Benchmark": s["benchmark"].str.replace("bench", "eval-"),
            "Score (%)": (100 * s["score"]).round(1),  # percent, as leaderboards print it
            "Release date": s["date"].dt.strftime("%Y-%m-%d"),
            "Weights": s["weights"],  # "open" / "closed" (Epoch's labels also work)
        }
    )
    rng = np.random.default_rng(seed)
    # a re-run: the same (model, benchmark) reported twice with a slightly different score
    rerun = scores.sample(4, random_state=seed).assign(
        **{"Score (%)": lambda d: (d["Score (%)"] - rng.uniform(0.5, 2, len(d))).round(1)}
    )
    # a model whose release date you could not find: its rows have a blank date
    undated = scores["Model"] == scores.loc[scores["Weights"] == "open", "Model"].iloc[0]
    scores.loc[undated, "Release date"] = ""
    latest = scores[scores["Release date"] == scores["Release date"].max()].iloc[[0]]
    # an evaluation you started but whose score is not in yet
    pending = latest.assign(**{"Benchmark": "eval-11", "Score (%)": np.nan})
    # a brand-new benchmark only one model has been scored on so far
    lonely = latest.assign(**{"Benchmark": "my-new-eval", "Score (%)": 12.5})
    scores = pd.concat([scores, rerun, pending, lonely], ignore_index=True)

    b = world.data.benchmarks.reset_index()
    benchmarks = pd.DataFrame(
        {
            "benchmark": b["benchmark"].str.replace("bench", "eval-"),
            # public: test items downloadable (contamination possible); private: held out
            "access": b["access"],
            # score of a random guess (e.g. 0.25 on four-way multiple choice), as a fraction
            "random_baseline": b["random_baseline"],
            # "fraction" (0-1) here; other units: minutes, hours, tokens, elo, rating
            "scale": "fraction",
        }
    )
    return scores, benchmarks


def say(table: pd.DataFrame) -> None:
    """One line per row of a gap table: the median gap in months and its 90% interval."""
    for row in table.itertuples(index=False):
        where = f"{row.method:>10} | {row.group:<8} | gap at {row.date:%Y-%m-%d}:"
        if np.isnan(row.median):
            print(f"{where} no number (outside the data or too few draws defined: see warning)")
        elif np.isnan(row.lower):
            print(f"{where} {row.median:4.1f} months (no interval)")
        else:
            print(
                f"{where} {row.median:4.1f} months "
                f"(90% interval {row.lower:4.1f} to {row.upper:4.1f})"
            )


def main() -> None:
    args = parse_args()
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    boot = {} if args.n_bootstrap is None else {"n_bootstrap": args.n_bootstrap}
    start = time.perf_counter()

    # ------------------------------------------------------------------ 1. your CSV files
    print("== 1. The long table ==")
    scores, benchmarks = collect_scores(args.seed)
    scores.to_csv(out / "my_scores.csv", index=False)
    benchmarks.to_csv(out / "my_benchmarks.csv", index=False)
    print(f"wrote {out / 'my_scores.csv'} and {out / 'my_benchmarks.csv'}")

    # From here on, this is what you run on your own files.
    df = pd.read_csv(out / "my_scores.csv")
    meta = pd.read_csv(out / "my_benchmarks.csv")
    print(f"{len(df)} rows, columns {list(df.columns)}:")
    print(df.head(4).to_string(index=False))
    print(meta.head(4).to_string(index=False))

    # ------------------------------------------------------------------ 2. validation
    print("\n== 2. Validation: ScoreData.from_frame ==")
    # Each argument names the column of your table that holds that role.
    columns = dict(
        model="Model", benchmark="Benchmark", score="score", date="Release date", weights="Weights"
    )

    # A typo in a column name is an error that lists the columns the table has.
    try:
        irtgap.ScoreData.from_frame(df, **{**columns, "date": "Release Date"})
    except irtgap.ScoreDataError as err:
        print(f"typo in a column name -> ScoreDataError:\n  {err}")

    # Scores must be fractions (0-1) on fraction-scale benchmarks: percent is refused, with a
    # message naming the benchmarks and the range found.
    try:
        irtgap.ScoreData.from_frame(df, **{**columns, "score": "Score (%)"}, benchmarks=meta)
    except irtgap.ScoreDataError as err:
        print(f"scores in percent -> ScoreDataError:\n  {str(err)[:300]} ...")

    df["score"] = df["Score (%)"] / 100
    data = irtgap.ScoreData.from_frame(
        df,
        **columns,
        benchmarks=meta,
        # several rows for one (model, benchmark): keep the highest, as Epoch AI does
        duplicates="max",
        # a benchmark scored by a single model says nothing about relative capability:
        # drop it with a warning (the default, "raise", refuses the table)
        sparse_benchmarks="drop",
    )
    print(f"\nvalidated: {data}")
    # What validation did, in numbers (the warnings above said the same in words).
    print(data.describe().to_string())
    # Per benchmark: rows dropped for each reason and why a benchmark has no score left.
    by_source = data.describe(by="source")
    print(by_source.loc[:, [c for c in by_source.columns if c != "file"]].to_string())
    # The same counts as a dict, for your own checks (e.g. assert nothing was dropped).
    print("data.log:")
    for key, value in data.log.items():
        if not isinstance(value, dict | list):
            print(f"  {key}: {value}")

    # ------------------------------------------------------------------ 3. the gap
    print("\n== 3. The gap on your data (the simulated truth is 6.0 months throughout) ==")
    threshold = irtgap.threshold_gap(data, seed=0, **boot)
    say(threshold.summary())
    ax = threshold.plot_gap()
    ax.axhline(6.0, color="k", ls=":", lw=1, label="true gap (simulated)")
    ax.legend(frameon=False, loc="upper left")
    ax.figure.savefig(out / "threshold_gap.png", dpi=120)
    plt.close(ax.figure)
    print(f"  wrote {out / 'threshold_gap.png'}")

    # The composite's defaults (six benchmarks, models scored on 75% of them, since 2024) suit
    # the dense recent Hub data; on this table few models have 75% of six benchmarks, so take
    # the four most-scored benchmarks since 2022 and half coverage (the validation study's set).
    composite = irtgap.composite_index(
        data, n_benchmarks=4, min_coverage=0.5, since="2022-01-01", seed=0, **boot
    )
    say(composite.summary())
    # One world of 80 models is one noisy draw: over 100 such worlds (docs/validation.md,
    # scenario "constant") the threshold method's error was 4.4 months RMSE, the composite's 9.8.
    print(f"\ndone in {time.perf_counter() - start:.0f} s; files in {out}/")


if __name__ == "__main__":
    main()
