"""Validation study: which method recovers a known gap? (see ``docs/validation.md``)

Every method (Bayesian IRT model, threshold, ECI frontier shift, CAISI-style Elo, composite)
runs on many simulated worlds per scenario (:mod:`irtgap.analyses.validation`); the script writes

- ``results.csv``: one row per scenario, replication, method and date (estimate, 90% interval,
  truth, seconds, error text when a method could not run on a world);
- ``summary.csv``: bias, RMSE, coverage of the nominal 90% intervals, mean interval width, and
  counts of defined and failed estimates, per scenario, method and date (``date`` empty: pooled);
- ``summary.md``: the pooled rows as a Markdown table;
- ``bias.png``, ``rmse.png``, ``coverage.png``: the pooled summary per scenario and method.

Run ``python studies/validation/run_validation.py --quick`` (2 replications per scenario,
short MCMC runs, a few minutes on 2 cores; output in ``docs/validation/quick``) or without
``--quick`` for the full study (100 replications of the default scenario, ``--replications`` of
the others; output in ``docs/validation/full``).

``--set`` chooses the scenarios: ``default`` (the worlds of the model's own generative story,
:data:`~irtgap.analyses.validation.SCENARIOS` and the realistic one), ``misspecified`` (worlds
the model did not generate, :data:`~irtgap.analyses.validation.MISSPECIFIED` and the
semi-synthetic one on the bundled data's real evaluation pattern; output in
``docs/validation/misspecified/quick`` or ``.../full``) or ``all`` (both; output in
``docs/validation/all/...``). ``--scenarios NAMES`` keeps only those of the set (without
``--set``, names are looked up in all of them). Replications run through joblib
(``--n-jobs`` worker processes), or on a Dask cluster with ``--backend dask`` (a local cluster
on this machine, or the running one at ``--scheduler ADDRESS``) or on Ray with
``--backend ray``; the tables are the same either way (every world has its own seed).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import matplotlib
import pandas as pd

matplotlib.use("Agg")

from irtgap.analyses.validation import (
    METHODS,
    MISSPECIFIED,
    SCENARIOS,
    Scenario,
    check_model_options,
    realistic_scenario,
    run_study,
    semi_synthetic_scenario,
    summarize_validation,
)
from irtgap.plotting.validation import plot_validation

ROOT = Path(__file__).resolve().parents[2]


def markdown_table(df: pd.DataFrame) -> str:
    """Pooled summary as a Markdown table (bias, RMSE, width in months; coverage as %); a column
    ``open`` (estimates whose interval has an open end, left out of the width) when any has."""
    show_open = "n_open" in df and bool((df["n_open"].fillna(0) > 0).any())
    extra = (" open |", "---|") if show_open else ("", "")
    lines = [
        "| scenario | method | bias | RMSE | 90% coverage | mean width | n | failed |" + extra[0],
        "|---|---|---|---|---|---|---|---|" + extra[1],
    ]

    def cell(value: float, fmt: str) -> str:  # no estimate: a blank cell, not "nan"
        return "" if pd.isna(value) else format(value, fmt)

    for _, r in df.iterrows():
        lines.append(
            f"| {r['scenario']} | {r['method']} | {cell(r['bias'], '+.1f')} | "
            f"{cell(r['rmse'], '.1f')} | {cell(r['coverage'], '.0%')} | "
            f"{cell(r['mean_width'], '.1f')} | {int(r['n'])} | {int(r['n_failed'])} |"
            + (f" {int(r['n_open'])} |" if show_open else "")
        )
    return "\n".join(lines)


def _figures(summary: pd.DataFrame, out: Path) -> None:
    titles = {
        "bias": "Bias of the gap (estimate - truth), pooled over 5 dates",
        "rmse": "RMSE of the gap, pooled over 5 dates",
        "coverage": "Coverage of the nominal 90% intervals (shaded: 80-97%)",
    }
    for metric, title in titles.items():
        ax = plot_validation(summary, metric=metric)
        ax.set_title(title)
        ax.figure.savefig(out / f"{metric}.png", dpi=120)


#: Scenario sets of ``--set``: names in study order (the two data-shaped scenarios are built
#: only when chosen, since each reads a bundled dataset).
SETS: dict[str, list[str]] = {
    "default": [*SCENARIOS, "realistic"],
    "misspecified": [*MISSPECIFIED, "semi_synthetic"],
}
SETS["all"] = SETS["default"] + SETS["misspecified"]


def _model_options(pairs: list[str]) -> dict[str, Any]:
    """``NAME=VALUE`` strings (JSON values) as GapModel settings, checked."""
    out: dict[str, Any] = {}
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        if not sep or not name:
            raise ValueError(f"--model-option {pair!r}: give NAME=VALUE")
        try:
            out[name.strip()] = json.loads(raw)
        except json.JSONDecodeError as err:
            raise ValueError(
                f'--model-option {pair!r}: the value is not JSON (true, 0.2, "China")'
            ) from err
    check_model_options(out)
    return out


def _scenario(name: str) -> Scenario:
    if name == "realistic":
        return realistic_scenario()
    if name == "semi_synthetic":
        return semi_synthetic_scenario()
    return {**SCENARIOS, **MISSPECIFIED}[name]


def _ordered(results: pd.DataFrame) -> pd.DataFrame:
    """Rows in study order: scenario as listed, then replication, method (as in METHODS), date."""
    scen = list(dict.fromkeys([*SETS["all"], *results["scenario"]]))
    key = {
        "scenario": lambda c: c.map({n: i for i, n in enumerate(scen)}),
        "method": lambda c: c.map({n: i for i, n in enumerate(METHODS)}),
    }
    cols = ["scenario", "replication", "method", "date"]
    return results.sort_values(cols, key=lambda c: key.get(c.name, lambda x: x)(c), kind="stable")


def _write(results: pd.DataFrame, out: Path) -> None:
    """results.csv, summary.csv, summary.md and the figures; prints the pooled table."""
    summary = summarize_validation(results)
    results.to_csv(out / "results.csv", index=False)
    summary.to_csv(out / "summary.csv", index=False)
    _figures(summary, out)
    pooled = summary[summary["date"].isna()].drop(columns="date")
    (out / "summary.md").write_text(markdown_table(pooled) + "\n")
    print(pooled.round(2).to_string(index=False))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="short MCMC runs, 2 replications per scenario"
    )
    parser.add_argument(
        "--replications",
        type=int,
        help="per scenario (default: 2 with --quick, else 10 per non-default scenario)",
    )
    parser.add_argument("--default-replications", type=int, default=100)
    parser.add_argument(
        "--set",
        choices=list(SETS),
        help="scenario set: default (the model's own worlds; the default), misspecified "
        "(worlds it did not generate) or all",
    )
    parser.add_argument(
        "--scenarios",
        nargs="*",
        help="subset of scenario names (of --set; without it, of every set)",
    )
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument(
        "--backend",
        choices=["dask", "ray"],
        help="run the worlds on a cluster instead of --n-jobs local processes",
    )
    parser.add_argument(
        "--scheduler",
        help="with --backend dask: the scheduler address (default: a local cluster)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, help="output directory")
    parser.add_argument("--replot", action="store_true", help="redraw figures from summary.csv")
    parser.add_argument(
        "--resummarize",
        action="store_true",
        help="rebuild summary.csv, summary.md and the figures from results.csv",
    )
    parser.add_argument(
        "--methods",
        nargs="*",
        choices=list(METHODS),
        help="rerun only these methods on the same worlds and replace their rows in the "
        "existing results.csv of --out (the other methods' rows are kept)",
    )
    parser.add_argument(
        "--model-option",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a GapModel setting for the Bayesian method, e.g. public_advantage_trend=true "
        '(repeatable; values are JSON: true, 0.2, "China"); use a separate --out',
    )
    parser.add_argument(
        "--inference",
        choices=["nuts", "fast"],
        default="nuts",
        help="the Bayesian method's inference: the study's NUTS budget (default) or the fast "
        "mode with its own schedule (GapModel.fit(inference='fast')); use a separate --out",
    )
    args = parser.parse_args(argv)
    try:
        model_options = _model_options(args.model_option)
    except ValueError as err:
        parser.error(str(err))
    if args.scheduler and args.backend != "dask":
        parser.error("--scheduler needs --backend dask")

    names = SETS[args.set or ("all" if args.scenarios else "default")]
    if args.scenarios:
        unknown = set(args.scenarios) - set(names)
        if unknown:
            parser.error(
                f"unknown scenario(s) {sorted(unknown)} in set {args.set or 'all'!r}: "
                f"choose from {', '.join(names)}"
            )
        names = [n for n in names if n in args.scenarios]
    if args.replications is not None and args.replications < 1:
        parser.error(f"--replications {args.replications}: give at least 1")
    per = args.replications if args.replications is not None else (2 if args.quick else 10)
    reps = {n: per for n in names}
    if not args.quick:
        if "constant" in reps:
            reps["constant"] = args.default_replications
    sub = [] if args.set in (None, "default") else [args.set]
    out = args.out or ROOT.joinpath("docs", "validation", *sub, "quick" if args.quick else "full")
    out.mkdir(parents=True, exist_ok=True)
    if args.replot:
        summary = pd.read_csv(out / "summary.csv", parse_dates=["date"])
        _figures(summary, out)
        return 0

    if args.resummarize:
        _write(_ordered(pd.read_csv(out / "results.csv", parse_dates=["date"])), out)
        return 0

    scenarios = [_scenario(n) for n in names]
    client = None
    if args.backend == "dask":
        from distributed import Client

        client = Client(args.scheduler) if args.scheduler else Client()
        print(f"Dask: {client}", file=sys.stderr)
    t0 = time.perf_counter()
    try:
        results = run_study(
            scenarios,
            reps,
            methods=args.methods or METHODS,
            quick=args.quick,
            seed=args.seed,
            n_jobs=args.n_jobs,
            backend=args.backend,
            progress=lambda done, total, msg: print(msg, file=sys.stderr),
            model_options=model_options,
            inference=args.inference,
        )
    finally:
        if client is not None:
            client.close()
    wall = time.perf_counter() - t0
    if args.methods:  # the worlds are fixed by (scenario, replication, seed): swap those rows
        old = pd.read_csv(out / "results.csv", parse_dates=["date"])
        names = [s.name for s in scenarios]
        stale = old["method"].isin(args.methods) & old["scenario"].isin(names)
        results = pd.concat([old[~stale], results], ignore_index=True)
    _write(_ordered(results), out)
    fails = results[results["error"].fillna("") != ""]
    if len(fails):
        print(f"\n{fails.groupby(['scenario', 'method']).size().to_string()}\n(failed runs)")
    print(f"\n{len(results)} rows, wall time {wall:.0f} s, written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
