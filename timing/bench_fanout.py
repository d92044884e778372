"""Speed of the validation study's fan-out: serial, joblib workers, a local Dask cluster.

Runs one small study (threshold and composite methods, quick settings: no MCMC) three ways in
this process: serially (``n_jobs=1``), on joblib's loky workers (``--n-jobs``, 2 by default) and
on a local Dask cluster of one single-threaded worker process per core (``backend="dask"``).
Prints the wall times, their ratios to the serial run, the core count, and whether the tables
are identical (they must be: every world carries its own seed). Each parallel run is timed twice:
the first includes the worker processes' start and their import of irtgap (a few seconds), the
second reuses the warm workers (what a long study sees). The Dask times exclude starting the
cluster (printed separately). The machine's load average is printed: other work on the machine
slows the parallel runs most.

Run ``python timing/bench_fanout.py`` (about a minute on 2 cores); needs
``dask[distributed]`` (``pip install 'irtgap[dask]'``).
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Any

import pandas as pd

from irtgap.analyses.validation import SCENARIOS, run_study


def _study(scenarios: list[str], replications: int, seed: int, **kwargs: Any) -> pd.DataFrame:
    return run_study(
        [SCENARIOS[s] for s in scenarios],
        replications,
        methods=("threshold", "composite"),
        quick=True,
        seed=seed,
        **kwargs,
    )


def _timed(label: str, fn: Any) -> tuple[float, pd.DataFrame]:
    t0 = time.perf_counter()
    rows = fn()
    wall = time.perf_counter() - t0
    print(f"{label:<34} {wall:7.1f} s")
    return wall, rows.drop(columns="seconds")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", nargs="*", default=["constant", "growing"])
    parser.add_argument("--replications", type=int, default=6, help="worlds per scenario")
    parser.add_argument("--n-jobs", type=int, default=2, help="joblib workers of the 2nd run")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    from distributed import Client, LocalCluster

    cores = os.cpu_count() or 1
    n = len(args.scenarios) * args.replications
    print(f"{n} worlds ({', '.join(args.scenarios)}; threshold + composite, quick), {cores} cores")
    print(f"load average before: {os.getloadavg()[0]:.1f} (other work on the machine skews this)")
    run = (args.scenarios, args.replications, args.seed)
    serial, base = _timed("serial (n_jobs=1)", lambda: _study(*run, n_jobs=1))
    times: dict[str, float] = {}
    tables = []
    for k in ("first", "warm"):
        times[f"joblib, {k}"], rows = _timed(
            f"joblib loky (n_jobs={args.n_jobs}), {k}", lambda: _study(*run, n_jobs=args.n_jobs)
        )
        tables.append(rows)
    t0 = time.perf_counter()
    with (
        LocalCluster(
            n_workers=cores, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster),
    ):
        print(f"{'(Dask cluster start)':<34} {time.perf_counter() - t0:7.1f} s")
        for k in ("first", "warm"):
            times[f"Dask, {k}"], rows = _timed(
                f"Dask ({cores} worker processes), {k}", lambda: _study(*run, backend="dask")
            )
            tables.append(rows)
    same = all(rows.equals(base) for rows in tables)
    ratios = ", ".join(f"{k} {serial / t:.2f}x" for k, t in times.items())
    print(
        f"\nspeed-up over serial ({cores} cores): {ratios}\nidentical tables: {same}\n"
        f"load average after: {os.getloadavg()[0]:.1f}"
    )
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
