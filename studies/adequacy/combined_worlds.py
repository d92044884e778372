"""Worlds that combine the model's misspecifications on the real evaluation pattern.

Written independently of :func:`irtgap.simulate`: its own numpy generative story, drawn on the
real pattern of the November 2025 snapshot (``irtgap.load_dataset("epoch-2025-11")``: which
model was scored on which benchmark, release dates, open or closed weights, hosting provider,
benchmark access, floors and ceilings). Every misspecification at once:

- a **curved closed frontier**, :math:`C(t) = 1.2\\,t + 0.1\\,t^2` (t in years from 2024-01-01),
  the open frontier the same curve ``gap_months`` later, :math:`O(t) = C(t - g/12)`, so the true
  backward capability gap is ``gap_months`` at every date;
- **Gamma(2) shortfalls tied to how often a model is scored**: :math:`u_m = s\\,G_m\\,(n_m /
  \\tilde n)^{-1/2}`, :math:`G_m \\sim \\Gamma(2, 1/2)` (mean 1), :math:`n_m` the model's number of
  scores and :math:`\\tilde n` their median: much-scored models sit closer to the frontier;
- **heavy-tailed model x benchmark interactions**, :math:`0.4\\,t_3` on the logit;
- **item-count noise**: each benchmark gets 30, 60, 150 or 500 items and a score is a binomial
  share of them (the item count is not put in the metadata: the model reads the score as a
  fraction, as it does with the real export; it is returned as the metadata's
  ``world_items``, which ``run_worlds.py`` gives a form with a measurement noise as the
  export's standard errors would, on the benchmarks whose real files report one);
- a **growing public-benchmark advantage** of open models, 0.3 units a year from 0 at 2022;
- a **hosted-copy penalty**: scores through a third-party host lose 0.6 units.

Benchmarks: difficulty at the mean closed frontier over the release dates of the models scored on
it plus N(0, 0.5), slope LogNormal(0, 0.3), the real random-guess floor and ceiling.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

ORIGIN = pd.Timestamp("2024-01-01")
ITEMS = (30, 60, 150, 500)


def closed_frontier(t: np.ndarray) -> np.ndarray:
    """The curved closed frontier in capability units, t in years from 2024-01-01."""
    return 1.2 * t + 0.1 * t**2


def combined_world(
    pattern,
    *,
    seed: int,
    gap_months: float = 6.0,
    shortfall_scale: float = 1.0,
    public_growth: float = 0.3,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One world on ``pattern`` (a ScoreData): the simulated long table and the benchmarks.

    ``public_growth`` is the open models' public-benchmark advantage gained per year from 2022
    (0: no such advantage, every other misspecification kept).

    Returns ``(scores, benchmarks)``: ``scores`` with the pattern's columns and simulated
    ``score``; ``benchmarks`` the pattern's metadata (fraction benchmarks only).
    """
    rng = np.random.default_rng(seed)
    meta = pattern.benchmarks
    rows = pattern.scores[pattern.scores["benchmark"].isin(meta.index[meta["scale"] == "fraction"])]
    rows = rows[rows["date"] >= pd.Timestamp("2022-01-01")].reset_index(drop=True)
    t = (pd.to_datetime(rows["date"]) - ORIGIN).dt.days.to_numpy() / 365.25
    models = rows.drop_duplicates("model").set_index("model")
    t_model = (pd.to_datetime(models["date"]) - ORIGIN).dt.days.to_numpy() / 365.25
    is_open = (models["weights"] == "open").to_numpy()
    lag = gap_months / 12
    frontier = np.where(is_open, closed_frontier(t_model - lag), closed_frontier(t_model))
    n_scores = rows.groupby("model").size().reindex(models.index).to_numpy(float)
    fame = (n_scores / np.median(n_scores)) ** -0.5
    u = shortfall_scale * rng.gamma(2.0, 0.5, size=len(models)) * fame
    theta = pd.Series(frontier - u, index=models.index)

    bench = sorted(rows["benchmark"].unique())
    used = rows.assign(c=closed_frontier(t)).groupby("benchmark")["c"].mean()
    difficulty = pd.Series(used.reindex(bench).to_numpy() + rng.normal(0, 0.5, len(bench)), bench)
    slope = pd.Series(np.exp(rng.normal(0, 0.3, len(bench))), bench)
    items = pd.Series(rng.choice(ITEMS, len(bench)), bench)

    b = rows["benchmark"]
    floor = (meta["random_baseline"] / meta["ceiling"]).reindex(b).to_numpy(float)
    ceiling = meta["ceiling"].reindex(b).to_numpy(float)
    public = (meta["access"].reindex(b) == "public").to_numpy()
    open_row = (rows["weights"] == "open").to_numpy()
    hosted = (rows["provider"] != "first-party").to_numpy()
    eff = theta.reindex(rows["model"]).to_numpy()
    eff = eff + public_growth * np.maximum(t + 2.0, 0.0) * (open_row & public)
    eff = eff - 0.6 * hosted
    eff = eff + 0.4 * rng.standard_t(3.0, size=len(rows))
    p = floor + (1 - floor) / (
        1 + np.exp(-slope.reindex(b).to_numpy() * (eff - difficulty.reindex(b).to_numpy()))
    )
    n = items.reindex(b).to_numpy()
    score = rng.binomial(n, np.clip(p, 0, 1)) / n * ceiling
    out = rows.assign(score=score)
    return out, meta.loc[bench].assign(world_items=items)


def true_gap(dates, gap_months: float = 6.0) -> np.ndarray:
    """The true backward capability gap at ``dates`` (constant by construction)."""
    return np.full(len(pd.DatetimeIndex(dates)), float(gap_months))
