"""Per world: the oracle's error against the Bayesian method's, on the committed misspecified
screen (``docs/validation/misspecified/quick/results.csv``).

Run: ``python studies/validation/oracle_by_world.py [SCENARIO ...]`` (default: binomial
heavy_interactions curved self_report). For each scenario and each of its 10 worlds (study seed
0), redraws the world, reads the oracle gap (:func:`irtgap.analyses.oracle.oracle_gap`: true
capabilities, known frontier form; quadratic for ``curved``) and prints both methods' mean error
over the five dates, their correlation over worlds, and the RMSE of the Bayesian error around the
oracle's. A world in which the oracle is far off is one whose draw of models misleads any method;
``docs/validation.md`` uses this to read the binomial and heavy-interaction worlds. About 30 s.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from irtgap.analyses.oracle import oracle_gap
from irtgap.analyses.validation import MISSPECIFIED

DATES = ["2023-07-01", "2024-01-01", "2024-07-01", "2025-01-01", "2025-07-01"]
RESULTS = Path(__file__).parents[2] / "docs" / "validation" / "misspecified" / "quick"


def main(scenarios: list[str]) -> None:
    results = pd.read_csv(RESULTS / "results.csv")
    rows = []
    for name in scenarios:
        for rep in range(10):
            # the study's world seed (irtgap.analyses.validation.run_replication, seed 0)
            seed = int(np.random.SeedSequence([0, rep]).generate_state(1)[0] % 2**31)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                sim = MISSPECIFIED[name].draw(seed)
                oracle = oracle_gap(sim, DATES, degree=2 if name == "curved" else 1)
            truth = sim.true_gap(DATES).to_numpy()
            mine = results[
                (results["scenario"] == name)
                & (results["method"] == "bayesian")
                & (results["replication"] == rep)
            ]
            rows.append(
                {
                    "scenario": name,
                    "world": rep,
                    "oracle": float(np.nanmean(oracle.to_numpy() - truth)),
                    "bayesian": float(np.nanmean(mine["estimate"] - mine["truth"])),
                }
            )
    table = pd.DataFrame(rows)
    for name, g in table.groupby("scenario", sort=False):
        print(f"\n{name}: mean error over the dates, per world (months)")
        print(g.set_index("world")[["oracle", "bayesian"]].T.round(1).to_string())
        corr = np.corrcoef(g["oracle"], g["bayesian"])[0, 1]
        around = np.sqrt(((g["bayesian"] - g["oracle"]) ** 2).mean())
        rms = np.sqrt((g["bayesian"] ** 2).mean())
        print(
            f"correlation {corr:.2f}; Bayesian RMS per world {rms:.2f}, "
            f"around the oracle {around:.2f}"
        )


if __name__ == "__main__":
    main(sys.argv[1:] or ["binomial", "heavy_interactions", "curved", "self_report"])
