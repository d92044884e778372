"""The fast inference mode against full NUTS on the bundled data, in one process.

Run: ``python timing/bench_inference.py [--seed 1]``. Fits ``GapModel()`` on the April 2026 export
twice, ``inference="nuts"`` (the default: 4 chains x (1000 tune + 1000 draws)) and
``inference="fast"`` (2 chains x (300 + 300), no extra trajectory doubling), compile included,
and prints

1. wall time of each fit, the fast mode's speed as a ratio of the default's, and the core count;
2. per gradient: nutpie's gradient evaluations (the sum of the leapfrog steps over the draws,
   and over the warm-up where the fit keeps it; the line says which), the wall time per
   gradient, and the gradients per effective draw of the gap (its smallest bulk ESS);
3. per gap group (capability, public, private) at DeepSeek R1's release (2025-01-20) and at the
   last date with data: both medians and their difference (target: within 0.3 months), both 90%
   widths and their ratio (target: within 20%), and whether each target is met;
4. both fits' diagnostics (largest R-hat, gap bulk ESS, divergences).

Nothing is written; ``docs/evidence/inference.md`` quotes a run.
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

import numpy as np
import pandas as pd

import irtgap
from irtgap.results import R1_DATE


def _fit(data: irtgap.ScoreData, inference: str, seed: int) -> tuple[object, float]:
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = irtgap.GapModel().fit(data, inference=inference, seed=seed, progressbar=False)
    return fit, time.perf_counter() - t0


def _gradients(fit: object) -> tuple[float, str]:
    """Leapfrog steps over every chain's draws, and its warm-up where the fit kept it."""
    tree = fit.idata  # type: ignore[attr-defined]
    total, kept = 0.0, []
    for group in ("warmup_sample_stats", "sample_stats"):
        if group in tree.children and "n_steps" in tree[group].ds:
            total += float(tree[group].ds["n_steps"].sum())
            kept.append("warm-up" if group.startswith("warmup") else "draws")
    return (total if total > 0 else float("nan")), " and ".join(kept) or "none recorded"


def _gaps(fit: object, dates: pd.DatetimeIndex) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = pd.concat(
            [fit.gap(dates), fit.gap(dates, by="access")],  # type: ignore[attr-defined]
            ignore_index=True,
        )
    table["width"] = table["upper"] - table["lower"]
    return table.set_index(["group", "date"])[["median", "width"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = irtgap.load_dataset()
    print(f"{os.cpu_count()} cores; bundled April 2026 export, seed {args.seed}")
    fits = {}
    for inference in ("nuts", "fast"):
        fits[inference] = _fit(data, inference, args.seed)
        print(f"{inference}: {fits[inference][1]:.1f} s (compile included)", flush=True)
    (nuts, t_nuts), (fast, t_fast) = fits["nuts"], fits["fast"]
    print(f"fast mode: {t_nuts / t_fast:.1f}x faster than the default NUTS fit")
    for name, (fit, wall) in fits.items():
        d = fit.diagnostics(warn=False)  # type: ignore[attr-defined]
        grads, over = _gradients(fit)
        print(
            f"{name}: max R-hat {d['max_rhat']:.3f}, gap bulk ESS {d['gap_min_ess_bulk']:.0f}, "
            f"divergences {d['divergences']:.0f}; {grads:.0f} gradients ({over}), "
            f"{1e3 * wall / grads:.2f} ms of wall time per gradient (compile included), "
            f"{grads / d['gap_min_ess_bulk']:.0f} gradients per effective gap draw"
        )
    last = min(nuts.support()[1], fast.support()[1]).normalize()  # type: ignore[attr-defined]
    dates = pd.DatetimeIndex([R1_DATE, last])
    a, b = _gaps(nuts, dates), _gaps(fast, dates)
    table = a.add_suffix("_nuts").join(b.add_suffix("_fast"))
    table["median_diff"] = table["median_fast"] - table["median_nuts"]
    table["width_ratio"] = table["width_fast"] / table["width_nuts"]
    table["median_ok"] = table["median_diff"].abs() <= 0.3
    table["width_ok"] = (table["width_ratio"] - 1.0).abs() <= 0.2
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(table.round(2).to_string())
    ok = bool(np.all(table["median_ok"]) and np.all(table["width_ok"]))
    print(f"every group and date within 0.3 months and 20% of the width: {ok}")


if __name__ == "__main__":
    main()
