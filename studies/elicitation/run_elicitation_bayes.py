"""One fit of ``GapModel(elicitation_terms=True)`` on the bundled April 2026 export (Epoch AI,
CC-BY 4.0): its harness effects, effort levels, diagnostics and the gap under the best and the
reference elicitation.

Writes to ``docs/elicitation/`` (``--out`` elsewhere):

- ``bayes_harness_effects.csv``: per (benchmark, non-reference harness) cell, the versions
  scored under it, those linked to another harness, and the effect's mean and 90% interval;
- ``bayes_effort_levels.csv``: per effort level, its shared offset and 90% interval;
- ``bayes_elicitation_gap.csv``: per group and date (R1, the last date), the gap under each rule
  and the difference (reference minus best) with its 90% interval;
- ``bayes_diagnostics.csv``: R-hat, ESS, divergences, the inference mode, seed and wall time.

Run ``python studies/elicitation/run_elicitation_bayes.py`` (``--inference nuts`` for the full
schedule; the default ``fast`` is the short schedule of ``GapModel.fit``).
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import pandas as pd

import irtgap

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    """Fit, then write the four files."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inference", default="fast", choices=["fast", "nuts"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--open-harness", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "elicitation")
    args = parser.parse_args()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = irtgap.load_dataset()
    model = irtgap.GapModel(elicitation_terms=True, open_harness_effects=args.open_harness)
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = model.fit(data, seed=args.seed, inference=args.inference, progressbar=False)
    seconds = time.perf_counter() - start
    args.out.mkdir(parents=True, exist_ok=True)
    fit.harness_effects(ci_prob=0.9).to_csv(args.out / "bayes_harness_effects.csv", index=False)
    fit.effort_levels(ci_prob=0.9).to_csv(args.out / "bayes_effort_levels.csv", index=False)
    gap = fit.elicitation_gap(ci_prob=0.9)
    gap.to_csv(args.out / "bayes_elicitation_gap.csv", index=False, float_format="%.3f")
    diag = fit.diagnostics(warn=False).to_dict()
    diag.update(
        inference=args.inference,
        seed=args.seed,
        open_harness_effects=args.open_harness,
        n_rows=len(fit.design.rows),
        wall_seconds=round(seconds, 1),
        warnings=" | ".join(sorted({str(w.message)[:120] for w in caught})),
    )
    pd.Series(diag).to_csv(args.out / "bayes_diagnostics.csv", header=["value"])
    print(pd.Series(diag).to_string())
    print(gap.to_string())


if __name__ == "__main__":
    main()
