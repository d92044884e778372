"""Model forms compared on the bundled data: the rows of the model-form table in docs/model.md.

Run: ``python studies/forms/run_forms.py [FORM ...] [--seed 0] [--tune 1000] [--draws 1000]
[--out DIR]``. Each form is fitted once (default schedule unless ``--tune``/``--draws`` say
otherwise, the given seed), checked with :meth:`irtgap.GapFit.check`
(integrated PSIS-LOO, LOO-PIT, predictive checks, power-scaling) and compared by ELPD-LOO with
ArviZ against the first form named. Prints, per form, the checks' summary, the diagnostics and the
median gap with its 90% interval at DeepSeek R1's release and at the last date, then ArviZ's
comparison table; writes both as CSV into ``--out`` (default ``forms-out``) with each fit's
netCDF file. About 5 minutes per form for the fit and 2-5 for the checks on 2 cores.

Forms (``FORM``): ``default``, ``logit_normal`` (``noise="logit_normal"``), ``lapse_all``
(``upper_asymptote=True, lapse_threshold=0, lapse_pooling="none"``: independent Beta(1, 20)
lapses), ``lapse_pooled`` (the same with the lapses partially pooled), ``lapse_pooled_60``
(partially pooled lapses on the benchmarks whose best score reaches 60%), ``lapse_80``
(``upper_asymptote=True``),
``offsets`` (``open_offsets=True``), ``knots6`` (``knot_months=6``), ``learned_spread``
(``learn_growth_spread=True``: the 4PL default with the growth spread learned), ``public_trend``
(``public_advantage_trend=True``: the 4PL default with an open advantage that trends in time),
``logit_t`` (``noise="logit_t"``: the 4PL default with Student-t noise on the log-odds),
``private_effects`` (``private_effects=True``: the 4PL default with a per-model effect on the
benchmarks that are not public), ``second_factor`` (``second_factor=True``: a second latent
dimension), ``offset_trend`` (``open_offsets=True, open_offset_trend=True``: open offsets by
domain that change in time), ``offsets_4pl`` (``open_offsets=True`` on the 4PL default),
``reasoning`` (``reasoning_effects=True``: a per-benchmark effect of the reasoning models),
``reasoning_private`` (the same with ``private_effects=True``), ``interactions``
(``interactions=True``: a (model family, benchmark) interaction on the 4PL default),
``logit_normal_4pl`` (``noise="logit_normal"`` on the 4PL default) and ``measured`` (the same
with ``measurement_noise="known"``: the measurement noise from the export, the rest of each
residual persistent) and ``interactions_measured`` (``interactions=True`` with the logit-normal
noise and ``measurement_noise="pooled"``: persistent (model family, benchmark) interactions and
the measurement noise from the export together) and ``log_odds_interactions`` (the same with
``interaction_scale="log_odds"``: the interactions on the log-odds of the median score,
integrated out by the sampler and drawn back from their conditional posterior),
``log_odds_t`` (the same with Student-t cells, ``interaction_tails="student_t"``) and
``log_odds_elicited`` (``log_odds_interactions`` with ``elicitation_terms=True``: the effort
variants of a model group one capability with an effort offset).

``--adaptation low_rank`` fits with nutpie's low-rank mass-matrix adaptation instead of its
diagonal one (recorded in the row). ``--inference fast`` fits with the short schedule of
``GapModel.fit(inference="fast")`` (a screen: its R-hat is above 1.01); ``--crossings-only``
skips the integrated LOO and the other checks of :meth:`irtgap.GapFit.check` (minutes per form)
and keeps the diagnostics, the gaps and the crossings check.
Each row also holds the predictive check of the threshold method's first crossings
(``irtgap.threshold_bias(fit, n_replications=100, seed=SEED).crossings``: observed, replicated
median and ppp of ``n_points``, ``mean_gap`` and ``median_gap`` for all, public and private
benchmarks), the posterior probability that the gap grew since DeepSeek R1's release, and the
model-based threshold gap (``irtgap.model_threshold_gap``).
``default`` is the installed ``GapModel()`` (the 4PL curve of ``lapse_pooled_60``); name
``lapse_none`` for the 2PL curve without an upper asymptote. Every other form names the
settings it was measured with, so the committed rows stay reproducible: ``logit_normal``,
``offsets`` and ``knots6`` are variants of the 2PL curve, compared against ``lapse_none``.
``studies/README.md`` maps each committed row to its command and page.
studies/forms/run_forms.py
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import arviz_stats as azs
import pandas as pd

import irtgap

FORMS: dict[str, dict] = {
    "default": {},
    "lapse_none": {"upper_asymptote": False},
    "logit_normal": {"noise": "logit_normal", "upper_asymptote": False},
    "lapse_all": {"upper_asymptote": True, "lapse_threshold": 0.0, "lapse_pooling": "none"},
    "lapse_pooled": {"upper_asymptote": True, "lapse_threshold": 0.0, "lapse_pooling": "partial"},
    "lapse_pooled_60": {
        "upper_asymptote": True,
        "lapse_threshold": 0.6,
        "lapse_pooling": "partial",
    },
    "lapse_80": {"upper_asymptote": True, "lapse_threshold": 0.8, "lapse_pooling": "none"},
    "offsets": {"open_offsets": True, "upper_asymptote": False},
    "knots6": {"knot_months": 6, "upper_asymptote": False},
    "learned_spread": {"learn_growth_spread": True},
    "public_trend": {"public_advantage_trend": True},
    "logit_t": {"noise": "logit_t"},
    "private_effects": {"private_effects": True},
    "second_factor": {"second_factor": True},
    "offset_trend": {"open_offsets": True, "open_offset_trend": True},
    "offsets_4pl": {"open_offsets": True},
    "reasoning": {"reasoning_effects": True},
    "reasoning_private": {"reasoning_effects": True, "private_effects": True},
    "interactions": {"interactions": True},
    "logit_normal_4pl": {"noise": "logit_normal"},
    "measured": {"noise": "logit_normal", "measurement_noise": "known"},
    "interactions_measured": {
        "noise": "logit_normal",
        "measurement_noise": "pooled",
        "interactions": True,
    },
    "log_odds_interactions": {
        "noise": "logit_normal",
        "measurement_noise": "pooled",
        "interactions": True,
        "interaction_scale": "log_odds",
    },
    "log_odds_t": {
        "noise": "logit_normal",
        "measurement_noise": "pooled",
        "interactions": True,
        "interaction_scale": "log_odds",
        "interaction_tails": "student_t",
    },
    "log_odds_elicited": {
        "noise": "logit_normal",
        "measurement_noise": "pooled",
        "interactions": True,
        "interaction_scale": "log_odds",
        "elicitation_terms": True,
    },
}


def crossing_columns(fit: irtgap.GapFit, seed: int, n_jobs: int) -> dict[str, float]:
    """The predictive check of the threshold method's first crossings (observed, replicated
    median and ppp of ``n_points``, ``mean_gap`` and ``median_gap`` per group) and the
    model-based threshold gap at DeepSeek R1's release and at the last date."""
    bias = irtgap.threshold_bias(fit, n_replications=100, seed=seed, n_jobs=n_jobs)
    out: dict[str, float] = {}
    for _, c in bias.crossings.iterrows():
        key = f"crossings {c['group']} {c['statistic']}"
        out[f"{key} observed"] = c["observed"]
        out[f"{key} replicated"] = c["replicated"]
        out[f"{key} ppp"] = c["ppp"]
    last = fit.summary_dates()[-1]
    mt = irtgap.model_threshold_gap(fit, ["2025-01-20", last], seed=seed)
    for _, g in mt.iterrows():
        key = f"model_threshold {g['group']} {pd.Timestamp(g['date']).date()}"
        out[key] = f"{g['median']:.2f} ({g['lower']:.2f}, {g['upper']:.2f})"
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("forms", nargs="*", default=["default", "logit_normal", "lapse_all"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("forms-out"))
    parser.add_argument("--tune", type=int, default=1000, help="tuning draws per chain")
    parser.add_argument("--draws", type=int, default=1000, help="kept draws per chain")
    parser.add_argument("--n-jobs", type=int, default=1, help="workers for the replicates")
    parser.add_argument("--inference", default="nuts", help="GapModel.fit's inference mode")
    parser.add_argument(
        "--adaptation",
        help="nutpie's mass-matrix adaptation (for example low_rank; default: nutpie's diag)",
    )
    parser.add_argument(
        "--crossings-only", action="store_true", help="skip the integrated LOO and other checks"
    )
    args = parser.parse_args()
    unknown = [f for f in args.forms if f not in FORMS]
    if unknown:
        parser.error(f"unknown forms {unknown}; use some of {list(FORMS)}")
    args.out.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = irtgap.load_dataset()
    rows, loos = [], {}
    for name in args.forms:
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            schedule = {} if args.inference == "fast" else {"tune": args.tune, "draws": args.draws}
            if args.adaptation:
                schedule["sampler_kwargs"] = {"nuts": {"adaptation": args.adaptation}}
            fit = irtgap.GapModel(**FORMS[name]).fit(
                data, seed=args.seed, inference=args.inference, progressbar=False, **schedule
            )
            fit.to_netcdf(args.out / f"fit_{name}.nc")
            checks = None if args.crossings_only else fit.check(n_draws=400, seed=args.seed)
            gaps = fit.summary()
        diag = fit.diagnostics(warn=False)
        row = {"form": name, "inference": fit.inference, "adaptation": args.adaptation or "diag"}
        if checks is not None:
            loos[name] = checks.loo
            row.update(checks.summary().to_dict())
        row.update({k: diag[k] for k in ("max_rhat", "frontier_min_ess_bulk", "gap_min_ess_bulk")})
        row["divergences"] = diag["divergences"]
        for _, g in gaps.iterrows():
            key = f"{g['group']} {pd.Timestamp(g['date']).date()}"
            row[key] = f"{g['median']:.2f} ({g['lower']:.2f}, {g['upper']:.2f})"
            row[f"{key} prob_grew"] = g["prob_grew"]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            row.update(crossing_columns(fit, args.seed, args.n_jobs))
        row["seconds"] = time.perf_counter() - t0
        rows.append(row)
        print(f"{name}: fitted and checked in {time.perf_counter() - t0:.0f} s", flush=True)
    table = pd.DataFrame(rows).set_index("form")
    print(table.T.to_string())
    table.to_csv(args.out / "forms.csv")
    if len(loos) > 1:
        cmp = azs.compare(loos)
        print(cmp.to_string())
        cmp.to_csv(args.out / "compare.csv")


if __name__ == "__main__":
    main()
