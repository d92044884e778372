"""How sharp can any gap estimate be on the validation worlds? The oracle's error.

The validation study (``docs/validation.md``) asks the Bayesian 90% intervals to cover the true
gap 85-95% of the time *and* to be at most 7 months wide. Whether both can hold depends on how
much the simulated worlds say about the gap, whatever the method. This script measures it with
:func:`irtgap.analyses.oracle.oracle_gap`: an oracle that knows every model's true capability,
the true form of the frontiers (straight lines; quadratics in ``curved`` and ``dip_grow``) and
the shortfall family, and fits only the two frontiers. Its error over the study's worlds (same
scenarios, same per-world seeds as ``run_validation.py``) is a floor for any method's, and
``floor_width`` (:func:`irtgap.analyses.oracle.information_floor`) the narrowest calibrated 90%
interval the oracle itself could give with one width for every world. The oracle's own
per-world 90% intervals (:func:`irtgap.analyses.oracle.oracle_interval`, a parametric bootstrap
of its fit, ``--n-boot`` draws) add ``oracle_coverage`` and ``oracle_width``: how narrow an
interval that adapts to how informative each world is can be, and whether it is calibrated.

Run ``python studies/validation/information_floor.py`` (every scenario, 100 worlds each;
about 30 minutes on 2 cores, most of it the bootstrap; ``--n-boot 0`` skips it: 4 minutes),
``--worlds 20`` for a quicker look, or ``--scale 10`` (ten times as many models per side in the
simulated scenarios) to check the oracle: its error should fall as 1/sqrt(10). The table goes to
``docs/validation/information_floor.csv`` unless ``--out`` says otherwise, and every estimate
(scenario, replication, date, truth, oracle) to ``information_floor_estimates.csv`` beside it,
so that a method can be set against the oracle on the same worlds.
"""

from __future__ import annotations

import argparse
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from irtgap.analyses.oracle import information_floor, oracle_gap, oracle_interval
from irtgap.analyses.validation import (
    MISSPECIFIED,
    SCENARIOS,
    VALIDATION_DATES,
    Scenario,
    realistic_scenario,
    semi_synthetic_scenario,
)

ROOT = Path(__file__).resolve().parents[2]
#: Scenarios whose true frontiers are not straight lines: the oracle fits quadratics there.
CURVED = {"curved", "dip_grow"}
NAMES = [*SCENARIOS, "realistic", *MISSPECIFIED, "semi_synthetic"]


def scenario(name: str, scale: int) -> Scenario:
    if name == "realistic":
        return realistic_scenario()
    if name == "semi_synthetic":
        return semi_synthetic_scenario()
    sc = {**SCENARIOS, **MISSPECIFIED}[name]
    if scale == 1:
        return sc
    kw = dict(sc.kwargs)
    kw["n_closed"], kw["n_open"] = kw["n_closed"] * scale, kw["n_open"] * scale
    return replace(sc, kwargs=kw)


def run(
    names: list[str], worlds: int, scale: int, seed: int, n_boot: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The floor per scenario, and the oracle's estimate per (scenario, world, date)."""
    rows, estimates = [], []
    for name in names:
        sc = scenario(name, scale)
        for rep in range(worlds):  # run_replication's per-world seeds: the study's worlds
            rep_seed = int(np.random.SeedSequence([seed, rep]).generate_state(1)[0] % 2**31)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                sim = sc.draw(rep_seed)
            degree = 2 if name in CURVED else 1
            if n_boot:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # NaN intervals are counted below
                    iv = oracle_interval(
                        sim, VALIDATION_DATES, degree=degree, n_boot=n_boot, seed=rep_seed
                    )
            else:
                est = oracle_gap(sim, VALIDATION_DATES, degree=degree)
                iv = pd.DataFrame({"estimate": est, "lower": np.nan, "upper": np.nan})
            truth = sim.true_gap(VALIDATION_DATES)
            estimates.append(
                pd.DataFrame(
                    {
                        "scenario": name,
                        "replication": rep,
                        "date": VALIDATION_DATES,
                        "truth": truth.to_numpy(),
                        "oracle": iv["estimate"].to_numpy(),
                        "lower": iv["lower"].to_numpy(),
                        "upper": iv["upper"].to_numpy(),
                    }
                )
            )
        mine = pd.concat(estimates[-worlds:])
        floor = information_floor(mine["oracle"] - mine["truth"])
        rows.append(
            {"scenario": name, "worlds": worlds, "models_x": scale, **floor, **adaptive(mine)}
        )
    return pd.DataFrame(rows), pd.concat(estimates, ignore_index=True)


def adaptive(est: pd.DataFrame) -> dict[str, float]:
    """Coverage and mean width of the oracle's own intervals, over (world, date) pairs with one."""
    ok = est["lower"].notna() & est["upper"].notna() & est["truth"].notna()
    if not ok.any():
        return {"n_intervals": 0, "oracle_coverage": np.nan, "oracle_width": np.nan}
    e = est[ok]
    inside = (e["lower"] <= e["truth"]) & (e["truth"] <= e["upper"])
    # each interval stretched about its estimate by the factor that makes 90% of them cover:
    # the mean width a calibrated interval of the same per-world shape needs
    err = e["truth"] - e["oracle"]
    half = np.where(err > 0, e["upper"] - e["oracle"], e["oracle"] - e["lower"])
    stretch = float(np.quantile(np.abs(err) / half, 0.9))
    width = e["upper"] - e["lower"]
    return {
        "n_intervals": int(ok.sum()),
        "oracle_coverage": float(inside.mean()),
        "oracle_width": float(width.mean()),
        "stretch": stretch,
        "calibrated_width": stretch * float(width.mean()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", nargs="*", default=NAMES, choices=NAMES)
    parser.add_argument("--worlds", type=int, default=100)
    parser.add_argument("--scale", type=int, default=1, help="models per side x this")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--n-boot", type=int, default=200, help="bootstrap draws per world (0: no intervals)"
    )
    parser.add_argument("--out", type=Path, help="CSV to write (default: in docs/validation)")
    args = parser.parse_args(argv)
    names = args.scenarios
    if args.scale != 1:  # the real pattern has the models it has
        names = [n for n in names if n not in ("realistic", "semi_synthetic")]
    table, estimates = run(names, args.worlds, args.scale, args.seed, args.n_boot)
    print(table.round(2).to_string(index=False))
    default = (
        args.scale == 1
        and args.worlds == 100
        and names == NAMES
        and args.seed == 0
        and args.n_boot == 200
    )
    out = args.out or (ROOT / "docs" / "validation" / "information_floor.csv" if default else None)
    if out is not None:
        table.to_csv(out, index=False)
        # every estimate, to compare a method with the oracle on the same worlds
        estimates.to_csv(out.with_name(out.stem + "_estimates.csv"), index=False)
        print(f"written to {out} and {out.stem}_estimates.csv beside it")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
