"""Leave-one-benchmark-out for the Bayesian gap model on the bundled data (opt-in: many fits).

The report runs leave-one-benchmark-out for the threshold, ECI, Elo and composite methods
(section ``sensitivity``); the Bayesian model needs one MCMC fit per benchmark it models, so its
study is this script. It writes into ``--out`` (default ``docs/sensitivity``):

- ``lobo_bayesian.csv``: the table of :class:`irtgap.LoboResult` (one row per left-out
  benchmark, date and gap group);
- ``swings_bayesian.md``: the largest swing per group at DeepSeek R1's release and at the last
  date, of the median and of the mean;
- ``lobo_bayesian.png``: every benchmark's change of the median gap at the last date.

Run ``python studies/sensitivity/run_lobo.py`` (4 chains x (500 + 500) per fit, about
40 fits: roughly an hour on 2 cores) or with ``--draws``, ``--tune``, ``--chains`` for shorter
runs. The baseline is a fit with the same schedule, so every change compares like with like.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import irtgap
from irtgap.analyses.sensitivity import leave_one_benchmark_out
from irtgap.report.markdown import markdown_table

ROOT = Path(__file__).resolve().parents[2]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--draws", type=int, default=500)
    p.add_argument("--tune", type=int, default=500)
    p.add_argument("--chains", type=int, default=4)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "sensitivity")
    args = p.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = irtgap.load_dataset()
    t0 = time.perf_counter()

    def progress(done: int, total: int, message: str) -> None:
        print(f"{time.perf_counter() - t0:7.0f} s  {done}/{total} {message}", file=sys.stderr)

    kw = {"draws": args.draws, "tune": args.tune, "chains": args.chains}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # counted in the table's warnings column
        lobo = leave_one_benchmark_out(
            data,
            methods=("bayesian",),
            method_kwargs={"bayesian": kw},
            seed=args.seed,
            n_jobs=1,
            progress=progress,
        )
    lobo.table.to_csv(args.out / "lobo_bayesian.csv", index=False)
    lines = [
        f"Bayesian model, {args.chains} chains x ({args.tune} + {args.draws}) per fit, seed "
        f"{args.seed}; {time.perf_counter() - t0:.0f} s wall.",
        "",
    ]
    for date in lobo.dates:
        for stat in ("median", "mean"):
            sw = lobo.swings(date, statistic=stat)
            lines += [
                f"### {stat} at {date:%Y-%m-%d}",
                "",
                markdown_table(sw.set_index(sw.columns[0])),
                "",
            ]
    (args.out / "swings_bayesian.md").write_text("\n".join(lines), encoding="utf-8")
    ax = lobo.plot(statistic="median")
    ax.figure.savefig(args.out / "lobo_bayesian.png", dpi=110, bbox_inches="tight")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
