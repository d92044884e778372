"""GapModel(elicitation_terms=True): the design, the graph, the numpy twins (replicator and
integrated LOO), the harness table and the gap under both rules (fast, on prior draws), and one
real fit that recovers a known harness penalty (slow)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

import irtgap
from irtgap.core import dims as D
from irtgap.core.measurement import mean_score
from irtgap.methods.bayes.checks import ROW_DIM, integrated_loo
from irtgap.methods.bayes.elicitation import design_arrays, elicitation_params, elicitation_shift
from irtgap.methods.bayes.elicited import best_shifts
from irtgap.methods.bayes.fit import GapFit
from irtgap.methods.bayes.graph import build_model
from irtgap.methods.bayes.replicate import row_arrays, stacked_posterior

PENALTY = -0.8  # the simple harness's effect on every model, in capability units


def harness_world(seed: int = 4, n: int = 15, penalty: float = -PENALTY, variants: bool = True):
    """A simulated world whose two hardest benchmarks run under a makers' and a simple harness
    (every model loses ``penalty`` under the simple one); with ``variants``, ``_high`` effort
    variants of two closed models and one open model run under the simple harness, 0.05 above
    them on every benchmark."""
    sim = irtgap.simulate(
        n_closed=n,
        n_open=n,
        n_benchmarks=6,
        density=0.6,
        seed=seed,
        harness_share=0.34,
        harness_penalty=penalty,
        harness_penalty_closed=penalty,
        hosted_share=0.0,
    )
    if not variants:
        return sim, sim.data
    rows = sim.data.elicitation
    simple = rows.loc[rows["harness"] == "simple", ["model", "weights"]].drop_duplicates()
    simple = simple.sort_values("model")
    picked = [*simple.loc[simple["weights"] == "closed", "model"][:2]]
    picked += [*simple.loc[simple["weights"] == "open", "model"][:1]]
    copies = []
    for name in picked:
        mine = rows[rows["model"] == name]
        copies.append(mine.assign(model=f"{name}_high", score=np.clip(mine["score"] + 0.05, 0, 1)))
    table = pd.concat([rows, *copies], ignore_index=True)
    table["effort"] = np.where(table["model"].str.endswith("_high"), "high", None)
    data = irtgap.ScoreData.from_frame(
        table,
        model="model",
        benchmark="benchmark",
        score="score",
        date="date",
        weights="weights",
        provider="provider",
        model_group="model_group",
        harness="harness",
        effort="effort",
        benchmarks=sim.data.benchmarks.reset_index(),
    )
    return sim, data


@pytest.fixture(scope="module")
def world():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return harness_world()


def _variants(data) -> list[str]:
    """The world's effort variants, closed first."""
    return sorted(
        data.models.index[data.models.index.str.endswith("_high")],
        key=lambda m: (not m.startswith("closed"), m),
    )


TERMS = irtgap.GapModel(elicitation_terms=True, open_harness_effects=True)


def test_off_by_default_and_the_default_model_reads_the_best_rows(world):
    _, data = world
    assert irtgap.GapModel().settings.elicitation_terms is False
    off = irtgap.GapModel().design(data)
    assert len(off.rows) == len(data.scores) < len(data.elicitation)
    assert (off.models["base"] == off.models.index).all()  # no effort units
    names = {v.name for v in build_model(off, irtgap.GapModel().settings).free_RVs}
    assert not any(n.startswith(("harness", "open_harness", "effort")) for n in names)
    # the same design as the data without their elicitation rows
    plain = irtgap.ScoreData(scores=data.scores, benchmarks=data.benchmarks)
    pd.testing.assert_frame_equal(irtgap.GapModel().design(plain).rows, off.rows)


def test_the_terms_model_every_row_and_share_units(world):
    _, data = world
    design = TERMS.design(data)
    assert len(design.rows) == len(data.elicitation)
    variant = _variants(data)[0]
    assert design.models.loc[variant, "base"] == variant.removesuffix("_high")
    model = build_model(design, TERMS.settings)
    assert variant not in model.coords["unit"]
    assert list(model.coords["harness_cell"]) == ["bench04 | simple", "bench05 | simple"]
    assert {"harness_effect", "open_harness_effect", "effort_offset"} <= set(model.named_vars)


def test_settings_refuse_what_cannot_be_modelled():
    with pytest.raises(ValueError, match="pass elicitation_terms=True"):
        irtgap.GapModel(open_harness_effects=True)
    plain = irtgap.simulate(n_closed=10, n_open=10, n_benchmarks=5, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="no benchmark run under two or more harnesses"):
            irtgap.GapModel(elicitation_terms=True).design(plain.data)


def test_the_replicator_matches_the_graph(world, prior_fit, assert_likelihoods_equal):
    _, data = world
    fit = prior_fit(data, TERMS, draws=20)
    assert float(np.abs(fit.posterior["harness_effect"]).mean()) > 0.05
    assert_likelihoods_equal(fit)


def _quad_loglik(fit, draw: int, unit: int, rows: np.ndarray, terms: bool = True) -> float:
    """log of the integral over the standardized shortfall v of the unit's rows' Beta
    likelihood (scipy quadrature), the elicitation shift of each row from
    :func:`elicitation_shift` (none without ``terms``; a fit without lapses, hosts or censored
    rows)."""
    post = fit.posterior.isel(chain=0, draw=draw)
    arrays = row_arrays(fit)
    side = fit.design.side_idx[fit.design.base_idx == np.arange(len(fit.design.models))][unit]
    f = float(post["capability"][unit] + post["shortfall"][unit])
    s = float(post["shortfall_scale"][side])
    tau = fit.settings.frontier_softness
    params = {k: v[draw] for k, v in elicitation_params(stacked_posterior(fit)).items()}
    shift = elicitation_shift(params, design_arrays(fit.design)) * terms
    z = fit.design.scaled_scores

    def integrand(v):
        total = stats.exponnorm.pdf(v, 1 / tau, scale=tau)
        for r in rows:
            b = arrays["bench"][r]
            eff = f - s * v + float(post["public_advantage"]) * arrays["open_public"][r]
            mu = float(
                mean_score(
                    eff + shift[r],
                    difficulty=float(post["difficulty"][b]),
                    slope=float(post["slope"][b]),
                    floor=arrays["floor"][r],
                )
            )
            phi = float(post["precision"][b])
            total *= stats.beta.pdf(z[r], mu * phi, (1 - mu) * phi)
        return total

    # over the integrated LOO's grid (checks._grid: the prior's bulk and the unit's draws; a
    # prior draw far from the scores can put mass beyond it, which a posterior does not)
    v_unit = fit.posterior["shortfall_std"].isel({"unit": unit}).to_numpy()
    lo, hi = min(-8 * tau, v_unit.min() - 4), max(14.0, v_unit.max() + 6)
    val, _ = integrate.quad(integrand, lo, hi, limit=400, epsabs=0.0, epsrel=1e-10)
    return float(np.log(val))


def test_the_integrated_loo_adds_the_terms(world, prior_fit):
    """A unit with a row under the simple harness and rows of an effort variant: its
    integrated LOO term is the ratio of two quadratures with the rows' elicitation shifts, not
    without them."""
    _, data = world
    model = irtgap.GapModel(
        elicitation_terms=True, open_harness_effects=True, upper_asymptote=False
    )
    peaked = prior_fit(data, model, draws=6)
    tree = peaked.idata.copy()  # broad likelihoods (precision 8), so the quadrature is exact
    tree["posterior"] = peaked.posterior.assign(precision=peaked.posterior["precision"] * 0 + 8)
    fit = GapFit(idata=tree, design=peaked.design, settings=peaked.settings, data=data)
    arrays, elic = row_arrays(fit), design_arrays(fit.design)
    z = fit.design.scaled_scores
    inside = (z > fit.design.row_resolution) & (z < 1 - fit.design.row_resolution)
    variant = _variants(data)[0]
    unit = int(arrays["unit"][np.flatnonzero(fit.design.rows[D.MODEL] == variant)[0]])
    mine = np.flatnonzero(arrays["unit"] == unit)
    assert inside[mine].all() and (elic.cell[mine] >= 0).any() and (elic.variant[mine] >= 0).any()
    j = int(mine[np.flatnonzero(elic.cell[mine] >= 0)[0]])
    got = integrated_loo(fit, rows=np.array([j])).isel({D.CHAIN: 0, ROW_DIM: j}).to_numpy()
    rest = mine[mine != j]
    match, match_without = [], []
    for draw in range(fit.posterior.sizes[D.DRAW]):
        want = _quad_loglik(fit, draw, unit, mine) - _quad_loglik(fit, draw, unit, rest)
        plain = _quad_loglik(fit, draw, unit, mine, False) - _quad_loglik(
            fit, draw, unit, rest, False
        )
        match.append(abs(got[draw] - want) < 0.02)  # the grid's trapezoid error on a prior draw
        match_without.append(abs(got[draw] - plain) < 0.02)
    assert all(match) and not any(match_without), (match, match_without)


def test_tables_and_the_gap_under_both_rules(world, prior_fit):
    _, data = world
    fit = prior_fit(data, TERMS, draws=40)
    table = fit.harness_effects(ci_prob=0.9)
    assert list(table["harness"]) == ["simple", "simple"]
    assert (table["lower"] <= table["mean"]).all() and (table["mean"] <= table["upper"]).all()
    chi = fit.posterior["harness_effect"].sel(harness_cell="bench04 | simple")
    assert table.loc[0, "mean"] == pytest.approx(float(chi.mean()))
    assert table.loc[0, "upper"] == pytest.approx(float(chi.quantile(0.95)))
    levels = fit.effort_levels()
    assert list(levels["effort"]) == ["default", "high"] and levels.loc[0, "mean"] == 0.0
    # each side's best shift: the best harness (if it beats the reference) and best effort
    shifts = best_shifts(fit)
    eff = fit.posterior["harness_effect"] + fit.posterior["open_harness_effect"]
    offsets = fit.posterior["effort_offset"].stack(s=(D.CHAIN, D.DRAW)).to_numpy()
    open_variant = _variants(data)[-1]
    assert open_variant.startswith("open")
    open_effort = offsets[list(fit.posterior["effort_variant"].to_numpy()).index(open_variant)]
    expected_effort = open_effort if open_effort.mean() > 0 else 0.0
    slope = fit.posterior["slope"].stack(s=(D.CHAIN, D.DRAW)).to_numpy()  # (bench, S)
    benches = list(fit.design.benchmarks.index)
    expected = expected_effort
    total = slope[[benches.index("bench04"), benches.index("bench05")]].sum(axis=0)
    for cell, b in (("bench04 | simple", "bench04"), ("bench05 | simple", "bench05")):
        e = eff.sel(harness_cell=cell).stack(s=(D.CHAIN, D.DRAW)).to_numpy()
        if e.mean() > 0:
            expected = expected + slope[benches.index(b)] / total * e
    np.testing.assert_allclose(shifts["harness_benchmarks"][D.OPEN], expected)
    with pytest.warns(UserWarning, match="elicitation_gap"):
        gap = fit.elicitation_gap(["2020-01-01", "2024-06-01"])
    assert gap["group"].tolist() == ["capability", "harness_benchmarks"] * 2
    assert gap[gap["date"] == "2020-01-01"]["difference"].isna().all()
    with pytest.raises(ValueError, match="elicitation_terms=True"):
        prior_fit(data, irtgap.GapModel(), draws=4).elicitation_gap()


def test_the_difference_is_the_gap_moved_by_the_sides_shifts(world, prior_fit):
    """With the open side's best shift forced up and the closed one's to 0, the best gap is
    shorter and the difference (reference minus best) positive in every defined draw."""
    _, data = world
    fit = prior_fit(data, TERMS, draws=30)
    post = fit.posterior
    cells = post["harness_effect"] * 0.0 - 1.0  # no harness beats the reference for closed
    opened = post.assign(
        harness_effect=cells,
        open_harness_effect=cells * 0.0 + 1.5,  # open: +0.5 over the reference
        effort_offset=post["effort_offset"] * 0.0 - 1.0,
    )
    tree = fit.idata.copy()
    tree["posterior"] = opened
    moved = GapFit(idata=tree, design=fit.design, settings=fit.settings, data=fit.data)
    from irtgap.methods.bayes.elicited import elicitation_gap_draws

    draws = elicitation_gap_draws(moved, pd.DatetimeIndex(["2024-09-01"]))
    diff = draws.sel(rule="difference", group="harness_benchmarks").to_numpy().ravel()
    ok = np.isfinite(diff)
    assert ok.sum() >= 5 and (diff[ok] > 0).all()  # prior draws: most gaps undefined
    shifts = best_shifts(moved)["harness_benchmarks"]
    np.testing.assert_allclose(shifts[D.OPEN], 0.5)
    np.testing.assert_allclose(shifts[D.CLOSED], 0.0)


@pytest.mark.slow
def test_a_fit_recovers_the_harness_penalty():
    """A real (short) fit on a harness world: the simple harness's effect, pooled over its two
    benchmarks, within its 90% interval of the known penalty, on both cells."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, data = harness_world(seed=11, n=20, variants=False)
        fit = irtgap.GapModel(elicitation_terms=True, knot_months=12).fit(
            data, draws=250, tune=300, chains=2, seed=11, progressbar=False
        )
    table = fit.harness_effects(ci_prob=0.9)
    assert len(table) == 2
    assert ((table["lower"] <= PENALTY) & (PENALTY <= table["upper"])).all(), table
    assert (table["upper"] < 0).all()  # the penalty is found, not only covered by a wide prior
    gap = fit.elicitation_gap()
    # a common harness effect moves both sides alike: the difference is 0 in every draw
    assert np.allclose(gap["difference"].dropna(), 0.0)


def test_the_crossings_check_reads_the_best_harness_of_each_pair(world, prior_fit):
    """A fit with the elicitation terms models every harness's row; the crossings check reads
    one score per pair as the threshold method does (the best), in the real data and in the
    replicates, so its observed crossings are those of ``threshold_gap`` on the best rows."""
    _, data = world
    fit = prior_fit(data, TERMS, draws=20)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # 20 prior draws: undefined gaps
        bias = irtgap.threshold_bias(fit, n_replications=4, seed=0)
    assert bias.settings["threshold_kwargs"] == {"elicitation": "best"}
    real = irtgap.threshold_gap(data, n_bootstrap=0, by="access")
    points = real.points[real.points["accepted"]]
    observed = bias.crossings.set_index(["group", "statistic"])["observed"]
    assert observed[("all", "n_points")] == len(points)
    np.testing.assert_allclose(observed[("all", "mean_gap")], points["gap_months"].mean())
