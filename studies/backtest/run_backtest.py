"""Backtest of every method on the bundled data: real-time vintages against the later estimate.

Runs :func:`irtgap.backtest` on the bundled April 2026 Epoch AI Hub export (CC-BY 4.0: Epoch AI,
'AI Benchmarking Hub', https://epoch.ai/benchmarks) at ten cutoffs, every two months from
2024-07-01 to 2026-01-01, with the registry's ``fast`` budgets (100 bootstrap resamples; for the
Bayesian model 300 draws and 300 tuning steps on 2 chains). Each method's part is written
separately, so that the slow Bayesian part can run on its own, last:

    python studies/backtest/run_backtest.py --methods threshold,eci,eci_epoch,elo,composite
    python studies/backtest/run_backtest.py --methods bayesian
    python studies/backtest/run_backtest.py --assemble

Outputs, in ``--out`` (default ``docs/backtest``):

- ``parts/<method>.csv``, ``parts/<method>_fits.csv``, ``parts/<method>_vintages.csv``: each
  part's table, fits (with seconds per fit and the warnings each raised) and curves;
- ``backtest.csv``: every part's table (columns of
  :data:`irtgap.analyses.backtest.TABLE_COLUMNS`);
- ``summary.csv`` and ``summary.md``: :meth:`BacktestResult.summary` per method and reading;
- ``vintages_<method>.png``: each cutoff's gap curve over the final one;
- ``run.json``: cutoffs, budgets, seconds per part and the machine's core count.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd

import irtgap
from irtgap.analyses.backtest import BacktestResult, BacktestSettings
from irtgap.report.markdown import markdown_table

ROOT = Path(__file__).resolve().parents[2]
CUTOFFS = pd.date_range("2024-07-01", "2026-01-01", freq="2MS")
FAST = ("threshold", "eci", "eci_epoch", "elo", "composite")


def _run_part(methods: list[str], out: Path, n_jobs: int, seed: int) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = irtgap.load_dataset()
    t0 = time.perf_counter()

    def progress(done: int, total: int, message: str) -> None:
        print(f"{time.perf_counter() - t0:7.0f} s  {message}", file=sys.stderr, flush=True)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # each fit's warnings are in the fits table
        bt = irtgap.backtest(
            data,
            cutoffs=CUTOFFS,
            methods=methods,
            seed=seed,
            budget="fast",
            bayesian_budget="fast",
            n_jobs=n_jobs,
            progress=progress,
        )
    seconds = time.perf_counter() - t0
    parts = out / "parts"
    parts.mkdir(parents=True, exist_ok=True)
    for method in methods:
        bt.table[bt.table["method"] == method].to_csv(parts / f"{method}.csv", index=False)
        base = irtgap.get_method(method).derived_from or method
        bt.fits[bt.fits["method"] == base].to_csv(parts / f"{method}_fits.csv", index=False)
        curves = bt.vintages[bt.vintages["method"] == method]
        curves.to_csv(parts / f"{method}_vintages.csv", index=False)
    return seconds


def _assemble(out: Path) -> None:
    parts = out / "parts"
    order = [*FAST, "bayesian"]
    found = [m for m in order if (parts / f"{m}.csv").exists()]
    read = {"parse_dates": ["cutoff", "date"]}
    table = pd.concat([pd.read_csv(parts / f"{m}.csv", **read) for m in found])
    vint = pd.concat([pd.read_csv(parts / f"{m}_vintages.csv", **read) for m in found])
    fits = pd.concat([pd.read_csv(parts / f"{m}_fits.csv", parse_dates=["cutoff"]) for m in found])
    table["covered"] = table["covered"].astype("boolean")
    settings = BacktestSettings(
        cutoffs=tuple(str(c.date()) for c in CUTOFFS),
        methods=tuple(found),
        horizon_months=6,
        seed=0,
        budget="fast",
        bayesian_budget="fast",
    )
    bt = BacktestResult(table=table, vintages=vint, fits=fits, settings=settings)
    table.to_csv(out / "backtest.csv", index=False)
    summary = bt.summary().round(3)
    summary.to_csv(out / "summary.csv")
    (out / "summary.md").write_text(markdown_table(summary.reset_index()) + "\n", encoding="utf-8")
    for method in found:
        fig, ax = plt.subplots(figsize=(9, 4.8))
        bt.plot_vintages(method, ax=ax)
        fig.tight_layout()
        fig.savefig(out / f"vintages_{method}.png", dpi=110)
        plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--methods", help="comma-separated methods of this part")
    p.add_argument("--assemble", action="store_true", help="merge the parts, write the summary")
    p.add_argument("--n-jobs", type=int, default=1, help="fits run in parallel")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "backtest")
    args = p.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    runs = args.out / "run.json"
    record = json.loads(runs.read_text()) if runs.exists() else {}
    if args.methods:
        methods = args.methods.split(",")
        seconds = _run_part(methods, args.out, args.n_jobs, args.seed)
        record.setdefault("parts", {})[",".join(methods)] = {
            "seconds": round(seconds),
            "n_jobs": args.n_jobs,
            "cores": os.cpu_count(),
        }
        record.update(
            cutoffs=[str(c.date()) for c in CUTOFFS], budget="fast", seed=args.seed, horizon=6
        )
        runs.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        print(f"part {methods}: {seconds:.0f} s", file=sys.stderr)
    if args.assemble:
        _assemble(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
