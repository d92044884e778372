r"""What a model would need to reproduce the threshold method's first crossings.

Run: ``python studies/adequacy/replicate_variants.py FIT.nc [--replicates 60] [--seed 0]
[--out DIR]``, with ``FIT.nc`` a saved ``GapModel()`` fit of the bundled data
(``GapFit.to_netcdf``). The crossings check of :func:`irtgap.threshold_bias` replicates every
modelled score from a posterior sample (the fitted mean, new noise) and compares the threshold
method's accepted crossing points with the real data's. This script reruns that comparison
with the replicates changed in one way at a time, without refitting, to see which change moves
the failing statistics (private ``mean_gap``, public ``n_points``):

* ``noise x k``: the fitted means with the noise precision multiplied by ``k`` (less noise);
* ``saturated x k``: the *observed* scores as the means, with the fit's noise at precision
  ``k`` times the fitted one (what the check gives for a model that fits every score exactly);
* ``private oracle``: the fitted means plus each version's mean observed residual on the
  private benchmarks (log-odds), an upper bound of what any per-model private effect can add;
* ``cells, share s``: a family x benchmark interaction emulated from the default fit: each
  (model family, benchmark) cell's mean residual shrunk by its random-effect weight, a
  measurement-noise share ``s`` of each benchmark's residual variance (``s = within``: the
  within-family variance, families scored more than once on a benchmark), logit-normal noise.

Writes ``replicate_variants.csv`` (per variant: replicated median and ppp of ``n_points`` and
``mean_gap`` for all, public and private benchmarks, with the observed values) into ``--out``
(default ``adequacy-out``). About 1 minute per variant on 2 cores.

It also writes ``noise_vs_stderr.csv``: on each benchmark whose export file reports a standard
error beside the score (a column named ``stderr`` or ``... Standard Error``; Epoch's own runs
and a few leaderboards), the median reported standard error of the scores between 0.2 and 0.8
of the ceiling against the fit's noise sd at a mean of one half, :math:`0.5/\sqrt{1 + \phi_b}`:
how much of the fit's noise a re-run of the evaluation would change (``--export``: the export's
folder, the bundled one by default).
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from scipy.special import expit, logit

import irtgap
from irtgap.analyses import winners_curse as wc
from irtgap.core import dims as D
from irtgap.data.datasets import dataset_path
from irtgap.data.elicitation import effort_table
from irtgap.data.scoredata import ScoreData
from irtgap.methods.bayes.noise import sample as sample_noise
from irtgap.methods.bayes.replicate import (
    all_sample_params,
    mean_fraction,
    row_arrays,
    sample_params,
    stacked_posterior,
)

STATS = ("n_points", "mean_gap")


def noise_vs_stderr(fit: irtgap.GapFit, export: Path) -> pd.DataFrame:
    """Per benchmark with a reported standard error: the median of it against the fit's noise
    sd at a mean of one half (see the module docstring)."""
    phi = fit.posterior["precision"].median((D.CHAIN, D.DRAW)).to_series()
    rows = []
    for name, meta in fit.design.benchmarks.iterrows():
        path = export / str(meta.get("file", ""))
        if not path.is_file():
            continue
        raw = pd.read_csv(path)
        col = str(meta["score_column"])
        errs = [
            c for c in raw.columns if c == "stderr" or c.lower() == f"{col} standard error".lower()
        ]
        if not errs:
            continue
        x = pd.to_numeric(raw[col], errors="coerce")
        se = pd.to_numeric(raw[errs[0]], errors="coerce")
        if meta.get("source_scale") == "percent":
            x, se = x / 100, se / 100
        ok = x.between(0.2 * meta["ceiling"], 0.8 * meta["ceiling"]) & se.gt(0)
        if ok.sum() < 5:
            continue
        model_sd = 0.5 * meta["ceiling"] / np.sqrt(1 + phi[name])
        rows.append(
            {
                D.BENCHMARK: name,
                "stderr_column": errs[0],
                "n_scores": int(ok.sum()),
                "reported_stderr_median": float(se[ok].median()),
                "model_noise_sd": float(model_sd),
                "variance_ratio": float((model_sd / se[ok].median()) ** 2),
            }
        )
    return pd.DataFrame(rows)


def _run(template: ScoreData, arrays: dict, z: np.ndarray, dates: pd.DatetimeIndex) -> np.ndarray:
    eps = arrays["resolution"]
    z = np.where(z <= eps, 0.0, np.where(z >= 1 - eps, 1.0, z)) * arrays["ceiling"]
    data = ScoreData(scores=template.scores.assign(**{D.SCORE: z}), benchmarks=template.benchmarks)
    try:
        return wc._threshold_run(data, dates, {})[1][:, :2]
    except ValueError:  # no usable crossing in this replicate
        return np.full((3, 2), np.nan)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("fit", type=Path)
    parser.add_argument("--replicates", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("adequacy-out"))
    parser.add_argument("--export", type=Path, default=dataset_path("epoch-hub-2026-04"))
    parser.add_argument("--only-stderr", action="store_true", help="skip the replicates")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    fit = irtgap.GapFit.from_netcdf(args.fit)
    args.out.mkdir(parents=True, exist_ok=True)
    errors = noise_vs_stderr(fit, args.export)
    errors.to_csv(args.out / "noise_vs_stderr.csv", index=False)
    print(errors.round(3).to_string(index=False))
    if args.only_stderr:
        return
    template = wc._modelled_data(fit)
    arrays = row_arrays(fit)
    stacked = stacked_posterior(fit)
    noise = fit.settings.noise
    dates = pd.date_range("2023-01-01", fit.design.rows[D.DATE].max(), freq="MS")
    picks = np.random.default_rng(args.seed).choice(
        stacked.sizes["sample"], args.replicates, replace=False
    )
    mu_bar = mean_fraction(all_sample_params(stacked.isel(sample=slice(0, None, 10))), arrays)
    mu_bar = mu_bar.mean(0)
    z_obs = template.scores[D.SCORE].to_numpy(float) / arrays["ceiling"]
    resid = logit(np.clip(z_obs, 0.01, 0.99)) - logit(np.clip(mu_bar, 0.01, 0.99))
    bench = template.scores[D.BENCHMARK].to_numpy()
    models = template.scores[D.MODEL].astype(str)
    family = effort_table(models)["effort_base"].reindex(models).to_numpy()
    family = pd.Series(family).str.rsplit("/", n=1).str[-1].str.lower().to_numpy()

    def fitted(k: float) -> Callable:
        def draw(p: dict, rng: np.random.Generator) -> np.ndarray:
            phi = k * p["precision"][arrays["bench"]]
            return sample_noise(rng, mean_fraction(p, arrays), phi, noise)

        return draw

    def saturated(k: float) -> Callable:
        mu = np.clip(z_obs, 0.002, 0.998)

        def draw(p: dict, rng: np.random.Generator) -> np.ndarray:
            return sample_noise(rng, mu, k * p["precision"][arrays["bench"]], noise)

        return draw

    def private_oracle() -> Callable:
        private = arrays["private"].astype(bool)
        per_model = pd.Series(resid[private]).groupby(models[private].to_numpy()).mean()
        shift = np.where(private, models.map(per_model).fillna(0.0).to_numpy(), 0.0)

        def draw(p: dict, rng: np.random.Generator) -> np.ndarray:
            mu = expit(logit(np.clip(mean_fraction(p, arrays), 1e-6, 1 - 1e-6)) + shift)
            return sample_noise(rng, mu, p["precision"][arrays["bench"]], noise)

        return draw

    def cells(share: float | None) -> Callable:
        df = pd.DataFrame({"b": bench, "f": family, "r": resid})
        cell = pd.factorize(df["b"] + "|" + df["f"])[0]
        total = df.groupby("b")["r"].var()
        within = df.groupby(["b", "f"])["r"].var(ddof=1).dropna().groupby(level=0).mean()
        s = (within / total).clip(0.05, 0.95).reindex(total.index).fillna(0.45)
        if share is not None:
            s[:] = share
        var_e = (s * total).reindex(bench).to_numpy()
        var_u = ((1 - s) * total).reindex(bench).to_numpy()
        n_c = np.bincount(cell)[cell]
        r_bar = df.groupby(cell)["r"].transform("mean").to_numpy()
        post_m = n_c * var_u / (n_c * var_u + var_e) * r_bar
        post_sd = np.sqrt(var_u * var_e / (n_c * var_u + var_e))
        first = ~pd.Series(cell).duplicated().to_numpy()

        def draw(p: dict, rng: np.random.Generator) -> np.ndarray:
            u = np.zeros(cell.max() + 1)
            u[cell[first]] = post_m[first] + post_sd[first] * rng.standard_normal(first.sum())
            lz = logit(np.clip(mean_fraction(p, arrays), 1e-6, 1 - 1e-6)) + u[cell]
            return expit(lz + np.sqrt(var_e) * rng.standard_normal(len(cell)))

        return draw

    variants: dict[str, Callable] = {
        "fitted (the check itself)": fitted(1.0),
        "noise x 1/3 variance": fitted(3.0),
        "noise x 1/10 variance": fitted(10.0),
        "saturated, noise x 1": saturated(1.0),
        "saturated, noise x 1/4 variance": saturated(4.0),
        "saturated, noise x 1/10 variance": saturated(10.0),
        "private oracle": private_oracle(),
        "cells, share = within": cells(None),
        "cells, share 0.5": cells(0.5),
        "cells, share 1 (no interaction)": cells(1.0),
    }
    real = wc._threshold_run(template, dates, {})[1][:, :2]
    rows = []
    seeds = np.random.SeedSequence(args.seed).spawn(args.replicates)
    for name, draw in variants.items():
        t0 = time.time()
        res = np.asarray(
            Parallel(n_jobs=2)(
                delayed(_run)(
                    template,
                    arrays,
                    draw(sample_params(stacked, int(s)), np.random.default_rng(sd)),
                    dates,
                )
                for s, sd in zip(picks, seeds, strict=True)
            )
        )
        for k, group in enumerate(wc.GROUPS):
            for j, stat in enumerate(STATS):
                rep = res[:, k, j][np.isfinite(res[:, k, j])]
                obs = real[k, j]
                rows.append(
                    {
                        "variant": name,
                        "group": group,
                        "statistic": stat,
                        "observed": obs,
                        "replicated": float(np.median(rep)),
                        "ppp": float(np.mean(rep > obs) + 0.5 * np.mean(rep == obs)),
                        "n_replicates": rep.size,
                    }
                )
        print(f"{name}: {time.time() - t0:.0f} s", flush=True)
    table = pd.DataFrame(rows)
    table.to_csv(args.out / "replicate_variants.csv", index=False)
    wide = table.pivot_table(
        index="variant", columns=["group", "statistic"], values=["replicated", "ppp"], sort=False
    )
    print(wide.round(2).to_string())


if __name__ == "__main__":
    main()
