"""Wall time of the Bayesian gap model on the bundled data: schedules, and nutpie vs PyMC's NUTS.

Run: ``python timing/bench_gapmodel.py [--quick] [--noise] [--schedules]``. Prints

1. the full default fit (``GapModel().fit(data)``: 4 chains x (1000 tune + 1000 draws), nutpie,
   compile included) with its diagnostics and the gap at 2025-01-20 and the last date;
2. with ``--noise``: the logit-normal noise (``GapModel(noise="logit_normal")``) against the
   default's Beta, same schedule, as a ratio of wall time, with its diagnostics;
3. with ``--schedules``: shorter schedules against that default, measured in the same process
   (4 chains x (500 + 500); the default without nutpie's extra trajectory doubling), as ratios of
   wall time, with the gap's bulk ESS and the largest R-hat (the targets: gap bulk ESS >= 1000,
   R-hat <= 1.01, no divergences);
4. nutpie (with :data:`irtgap.methods.bayes.model.NUTPIE_DEFAULTS`) vs PyMC's NUTS on the same
   model with the same (shorter) schedule, one chain per CPU and the same target_accept, compile
   included, as a ratio of wall times and of bulk ESS per second for the frontier.
"""

from __future__ import annotations

import argparse
import time
import warnings

import arviz_stats as azs
import pymc as pm

import irtgap
from irtgap.methods.bayes.model import build_model, sample_kwargs


def _timed_sample(model: pm.Model, sampler: str, draws: int, tune: int, chains: int) -> tuple:
    # both samplers with the settings GapModel.fit adds (cores, target_accept, nutpie options)
    extra = sample_kwargs(sampler, chains)
    t0 = time.perf_counter()
    with model:
        idata = pm.sample(
            draws=draws,
            tune=tune,
            chains=chains,
            random_seed=1,
            progressbar=False,
            nuts_sampler=sampler,
            compute_convergence_checks=False,
            **extra,
        )
    wall = time.perf_counter() - t0
    ess = float(azs.ess(idata["posterior"].to_dataset()["frontier"], method="bulk").min())
    return wall, ess


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="skip the full default fit")
    parser.add_argument("--draws", type=int, default=300)
    parser.add_argument(
        "--schedules", action="store_true", help="also time shorter schedules against the default"
    )
    parser.add_argument(
        "--noise", action="store_true", help="also time the logit-normal noise against the default"
    )
    args = parser.parse_args()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = irtgap.load_dataset()

    if not args.quick:
        schedules: dict[str, dict] = {"default (4 x (1000 + 1000))": {}}
        if args.noise:
            schedules["logit-normal noise"] = {"model": {"noise": "logit_normal"}}
        if args.schedules:
            schedules["4 x (500 + 500)"] = {"draws": 500, "tune": 500}
            schedules["default, no extra doubling"] = {
                "sampler_kwargs": {"nuts": {"extra_doublings": 0}}
            }
        base = None
        for label, kw in schedules.items():
            t0 = time.perf_counter()
            kw = dict(kw)
            settings = kw.pop("model", {})
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fit = irtgap.GapModel(**settings).fit(data, seed=1, progressbar=False, **kw)
            wall = time.perf_counter() - t0
            base = base or wall
            d = fit.diagnostics(warn=False)
            print(
                f"{label}: {wall:.1f} s ({base / wall:.2f}x the default's speed), gap bulk ESS "
                f"{d['gap_min_ess_bulk']:.0f}, max R-hat {d['max_rhat']:.3f}, divergences "
                f"{d['divergences']:.0f}"
            )
            if label.startswith("default ("):
                print(d.to_string())
                print(fit.summary().round(2).to_string())

    gm = irtgap.GapModel()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        design = gm.design(data)
    n = args.draws
    results = {}
    for sampler in ("nutpie", "pymc"):
        model = build_model(design, gm.settings)
        wall, ess = _timed_sample(model, sampler, n, n, 2)
        results[sampler] = (wall, ess)
        print(
            f"{sampler:>6}: {wall:7.1f} s for 2 chains x {2 * n} iterations, "
            f"frontier min bulk ESS {ess:.0f} ({ess / wall:.1f} per s)"
        )
    (tn, en), (tp, ep) = results["nutpie"], results["pymc"]
    print(
        f"ratio pymc/nutpie wall time: {tp / tn:.2f}x; "
        f"nutpie/pymc frontier ESS per second: {(en / tn) / (ep / tp):.2f}x"
    )


if __name__ == "__main__":
    main()
