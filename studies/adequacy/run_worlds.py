"""Model forms on worlds the default model did not generate: coverage, bias and the crossings check.

Three kinds of world (``--world``):

- ``two_factor``: :func:`irtgap.data.two_factor.simulate_two_factor`, closed reasoning models ahead
  on the private "reasoning" benchmarks beyond one capability (a second latent dimension);
- ``combined``: :func:`combined_worlds.combined_world`, every misspecification at once on the real
  evaluation pattern of the November 2025 snapshot (curved frontier, fame-tied Gamma shortfalls,
  heavy-tailed interactions, binomial item noise, a growing public-benchmark advantage, a hosted
  penalty), written independently of irtgap's simulator;
- ``combined_flat_public``: the same without the public-benchmark advantage (every other
  misspecification kept), to tell how much of the combined worlds' error it causes.

For each world (``--seeds``) and form (``--forms``, names of ``FORMS``) it fits the model
(``--draws``/``--tune`` per chain, 4 chains unless ``--chains``), reads the gap per group at the
world's dates against the truth (90% interval covers it or not; censored ends count as open),
records R-hat and divergences, and runs the predictive check of the threshold method's first
crossings (``irtgap.threshold_bias(fit, n_replications=--replications).crossings``). Writes one
row per (world, form, group, date) to ``--out`` (CSV) and prints coverage and bias per form.

Run: ``python studies/adequacy/run_worlds.py --world two_factor --seeds 0-9 --forms default
second_factor --out docs/evidence/adequacy/two_factor.csv``.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import irtgap
from irtgap.data.registry import read_registry
from irtgap.data.two_factor import simulate_two_factor

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1] / "forms"))
from combined_worlds import combined_world, true_gap
from run_forms import FORMS as BUNDLED_FORMS

#: The forms of ``forms/run_forms.py`` and two more measured only on these worlds.
FORMS: dict[str, dict] = {
    **BUNDLED_FORMS,
    "public_trend_t": {"public_advantage_trend": True, "noise": "logit_t"},
    "measured_pooled": {"noise": "logit_normal", "measurement_noise": "pooled"},
}
DATES = {
    "two_factor": pd.DatetimeIndex(["2024-01-01", "2024-07-01", "2025-01-01", "2025-07-01"]),
    "combined": pd.DatetimeIndex(
        ["2023-07-01", "2024-01-01", "2024-07-01", "2025-01-01", "2025-07-01", "2025-10-01"]
    ),
}
DATES["combined_flat_public"] = DATES["combined"]


def seeds(text: str) -> list[int]:
    """``"0-9"`` or ``"0,3,5"``."""
    if "-" in text:
        lo, hi = map(int, text.split("-"))
        return list(range(lo, hi + 1))
    return [int(s) for s in text.split(",")]


def world_data(kind: str, seed: int, pattern):
    """The world's ScoreData and a function giving the true gap of a group at dates."""
    if kind == "two_factor":
        w = simulate_two_factor(seed=seed)
        return w.data, lambda dates, group: w.true_gap(dates, group).to_numpy()
    flat = {"public_growth": 0.0} if kind == "combined_flat_public" else {}
    scores, meta = combined_world(pattern, seed=seed, **flat)
    # the standard errors the export reports: on the benchmarks whose real files carry one
    reg = read_registry()
    reported = reg.index[reg["stderr_column"].notna() | reg["n_items"].notna()]
    items = meta["world_items"].where(meta.index.isin(reported))
    benchmarks = pattern.benchmarks.assign(stderr_items=items.astype(float))
    data = irtgap.ScoreData(scores=scores, benchmarks=benchmarks)
    return data, lambda dates, group: true_gap(dates)


def one(kind, seed, form, args, pattern) -> list[dict]:
    data, truth = world_data(kind, seed, pattern)
    dates = DATES[kind]
    t0 = time.perf_counter()
    fit = irtgap.GapModel(**FORMS[form]).fit(
        data, seed=seed, draws=args.draws, tune=args.tune, chains=args.chains, progressbar=False
    )
    wall = time.perf_counter() - t0
    diag = fit.diagnostics(warn=False)
    groups = ("capability", "public", "private") if kind == "two_factor" else ("capability",)
    table = pd.concat([fit.gap(dates), fit.gap(dates, by="access")], ignore_index=True)
    cross = {}
    if args.replications:
        bias = irtgap.threshold_bias(fit, n_replications=args.replications, seed=seed)
        c = bias.crossings.set_index(["group", "statistic"])
        for g in ("public", "private"):
            for st in ("n_points", "mean_gap"):
                cross[f"ppp_{g}_{st}"] = float(c.loc[(g, st), "ppp"])
    rows = []
    for g in groups:
        t = table[table["group"] == g].set_index("date").reindex(dates)
        tr = truth(dates, g)
        for d, truth_d in zip(dates, tr, strict=True):
            r = t.loc[d]
            lo = -np.inf if np.isnan(r["lower"]) and r["n_defined"] else r["lower"]
            hi = np.inf if np.isnan(r["upper"]) and r["n_defined"] else r["upper"]
            rows.append(
                dict(
                    world=kind,
                    seed=seed,
                    form=form,
                    group=g,
                    date=d.date(),
                    truth=truth_d,
                    median=r["median"],
                    lower=r["lower"],
                    upper=r["upper"],
                    covered=bool(lo <= truth_d <= hi),
                    max_rhat=diag["max_rhat"],
                    divergences=int(diag["divergences"]),
                    seconds=wall,
                    **cross,
                )
            )
    return rows


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--world", choices=sorted(DATES), required=True)
    p.add_argument("--seeds", default="0-9")
    p.add_argument("--forms", nargs="+", default=["default"])
    p.add_argument("--draws", type=int, default=1000)
    p.add_argument("--tune", type=int, default=1000)
    p.add_argument("--chains", type=int, default=4)
    p.add_argument("--replications", type=int, default=50)
    p.add_argument("--out", type=Path, required=True)
    args = p.parse_args()
    unknown = sorted(set(args.forms) - set(FORMS))
    if unknown:
        p.error(f"unknown forms {unknown}; use some of {list(FORMS)}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pattern = (
            irtgap.load_dataset("epoch-2025-11") if args.world.startswith("combined") else None
        )
    rows: list[dict] = []
    for seed in seeds(args.seeds):
        for form in args.forms:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                rows += one(args.world, seed, form, args, pattern)
            out = pd.DataFrame(rows)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            out.to_csv(args.out, index=False)
            last = out[(out["seed"] == seed) & (out["form"] == form)]
            print(
                f"world {seed} {form}: covered {last['covered'].mean():.2f}, "
                f"bias {(last['median'] - last['truth']).mean():+.2f}, "
                f"R-hat {last['max_rhat'].iloc[0]:.3f}, div {last['divergences'].iloc[0]}, "
                f"{last['seconds'].iloc[0]:.0f} s",
                flush=True,
            )
    out = pd.DataFrame(rows)
    out["error"] = out["median"] - out["truth"]
    summary = out.groupby(["form", "group"]).agg(
        coverage=("covered", "mean"),
        bias=("error", "mean"),
        rmse=("error", lambda e: float(np.sqrt(np.mean(e**2)))),
        width=("upper", lambda u: float(np.nanmean(u - out.loc[u.index, "lower"]))),
        max_rhat=("max_rhat", "max"),
        max_div=("divergences", "max"),
    )
    print(summary.round(3).to_string())


if __name__ == "__main__":
    main()
