"""Interactions on the log-odds scale (``interaction_scale="log_odds"``): the sampler's graph
integrates them out exactly, and the draws put back are their conditional posterior."""

import warnings

import numpy as np
import pandas as pd
import pymc as pm
import pytest
import xarray as xr
from scipy import integrate, special, stats

import irtgap
from irtgap.core import dims as D
from irtgap.methods.bayes.cells import (
    cell_predictive_cdf,
    conditional_interactions,
    mixing_nodes,
    standardized_interactions,
)
from irtgap.methods.bayes.checks import ROW_DIM, _row_loglik, integrated_loo, log_likelihood
from irtgap.methods.bayes.fit import GapFit
from irtgap.methods.bayes.graph import build_model, sampled_cells
from irtgap.methods.bayes.replicate import (
    all_sample_params,
    mean_fraction,
    row_arrays,
    row_precision,
    stacked_posterior,
)

LOG_ODDS = {"noise": "logit_normal", "interactions": True, "interaction_scale": "log_odds"}


@pytest.fixture(scope="module")
def variants() -> irtgap.ScoreData:
    """Simulated scores plus effort variants of every third model (their own noise), so that
    cells have one, two or more rows, with censored rows alone and beside others."""
    sim = irtgap.simulate(n_closed=15, n_open=15, n_benchmarks=6, density=0.6, seed=4)
    scores = sim.data.scores
    names = scores[D.MODEL].astype(str)
    rng = np.random.default_rng(0)
    copies = []
    for suffix in ("_low", "_high"):
        c = scores[names.isin(names.unique()[::3])].copy()
        c[D.MODEL] = c[D.MODEL].astype(str) + suffix
        c[D.SCORE] = np.clip(c[D.SCORE] + rng.normal(0, 0.03, len(c)), 0, 1)
        copies.append(c)
    both = pd.concat([scores, *copies], ignore_index=True)
    # a censored score beside other rows of its cell, and one alone in its cell
    variant = both[D.MODEL].astype(str).str.endswith("_low").to_numpy()
    both.loc[np.flatnonzero(variant)[0], D.SCORE] = 0.0
    alone = np.flatnonzero(~both[D.MODEL].astype(str).isin(names.unique()[::3]).to_numpy())
    both.loc[alone[-1], D.SCORE] = 1.0
    return irtgap.ScoreData(scores=both, benchmarks=sim.data.benchmarks)


def _free_point(model: pm.Model, seed: int) -> dict[str, np.ndarray]:
    """A point on the model's unconstrained scale: the initial point, jittered."""
    rng = np.random.default_rng(seed)
    start = model.initial_point()
    return {k: v + 0.3 * rng.standard_normal(np.shape(v)) for k, v in start.items()}


def test_settings_refuse_a_log_odds_scale_they_cannot_honour():
    with pytest.raises(ValueError, match="interaction_scale='sideways'"):
        irtgap.GapModel(interactions=True, interaction_scale="sideways")
    with pytest.raises(ValueError, match="interactions=False: the scale"):
        irtgap.GapModel(noise="logit_normal", interaction_scale="log_odds")
    with pytest.raises(ValueError, match="only under logit-normal noise"):
        irtgap.GapModel(interactions=True, interaction_scale="log_odds")
    with pytest.raises(ValueError, match="interaction_tails='cauchy'"):
        irtgap.GapModel(**LOG_ODDS, interaction_tails="cauchy")
    with pytest.raises(ValueError, match="heavy-tailed interactions are a scale mixture"):
        irtgap.GapModel(interactions=True, interaction_tails="student_t")


def test_the_mixing_nodes_integrate_the_student_t_prior():
    """The quadrature of the inverse-gamma mixing variance gives the density of a Normal
    residual plus a Student-t interaction (scipy's t, convolved by adaptive quadrature)."""
    from scipy import stats

    from irtgap.methods.bayes.noise import T_DOF

    omega, log_w = mixing_nodes("student_t")
    np.testing.assert_allclose(np.exp(log_w).sum(), 1.0, atol=1e-10)
    for r, sigma, tau in ((0.3, 0.4, 0.5), (2.5, 0.3, 0.6), (-1.2, 0.8, 0.2), (4.0, 0.2, 0.5)):
        nodes = np.sum(np.exp(log_w) * stats.norm.pdf(r, 0, np.sqrt(sigma**2 + tau**2 * omega)))
        exact, _ = integrate.quad(
            lambda v, r=r, s=sigma, t=tau: (
                stats.norm.pdf(r - v, 0, s) * stats.t.pdf(v, T_DOF, 0, t)
            ),
            -np.inf,
            np.inf,
            epsabs=0,
            epsrel=1e-11,
        )
        np.testing.assert_allclose(nodes, exact, rtol=1e-7)
    assert mixing_nodes("normal")[0].tolist() == [1.0]


@pytest.mark.parametrize("tails", ["normal", "student_t"])
def test_the_collapsed_graph_is_the_explicit_one_integrated_over_the_interactions(variants, tails):
    """At the same parameters, the sampler's log density equals the explicit graph's
    integrated over every integrated-out cell's interaction: a Gaussian integral (exact in one
    Newton step) for the cells of uncensored rows, a grid for a censored row alone in its
    cell. The sampled cells (and, with Student-t cells, the mixing variances) are the same
    variables in both."""
    gm = irtgap.GapModel(**LOG_ODDS, interaction_tails=tails)
    design = gm.design(variants)
    kept = sampled_cells(design)
    cells = design.interaction_cells[0]
    censored = design.low_censored | design.high_censored
    lonely = np.unique(cells[censored & ~kept[cells]])
    assert kept.sum() >= 1 and lonely.size >= 1  # both kinds of censored cell are exercised
    collapsed = build_model(design, gm.settings)
    explicit = build_model(design, gm.settings, collapsed=False)
    lp_c = collapsed.compile_logp()
    lp_e = explicit.compile_logp()
    grad_e = explicit.compile_dlogp(vars=[explicit["interaction_std"]])
    for seed in (0, 1):
        point = _free_point(collapsed, seed)
        z = np.zeros(len(kept))
        if kept.any():
            z[kept] = point["sampled_interaction_std"]
        e_point = {k: v for k, v in point.items() if k != "sampled_interaction_std"}

        def at(z_all: np.ndarray, p: dict = e_point) -> dict:
            return {**p, "interaction_std": z_all}

        # the explicit density is separable in the cells' z; quadratic where no row is censored
        g0 = grad_e(at(z))
        h = grad_e(at(z + 1.0)) - g0  # exact curvature of each quadratic cell
        free = ~kept
        z_star = z.copy()
        z_star[free] = z[free] - g0[free] / h[free]
        total = lp_e(at(z_star))
        gauss = free.copy()
        gauss[lonely] = False
        total += 0.5 * np.sum(np.log(2 * np.pi / -h[gauss]))
        at_star = lp_e(at(z_star))
        for c in lonely:  # a sharp edge where the measurement is precise: adaptive quadrature

            def density(
                g: float, c: int = c, z0: np.ndarray = z_star, top: float = at_star
            ) -> float:
                zz = z0.copy()
                zz[c] = g
                return float(np.exp(lp_e(at(zz)) - top))

            value, _ = integrate.quad(density, -12, 12, limit=400, epsabs=1e-12, epsrel=1e-10)
            total += np.log(value)
        np.testing.assert_allclose(lp_c(point), total, rtol=1e-12, atol=1e-5)


def _tiled_fit(
    data: irtgap.ScoreData, draws: int, seed: int, *, tile: bool = True, tails: str = "normal"
) -> GapFit:
    """A fit whose posterior is one prior point of the collapsed graph repeated ``draws``
    times (so the conditional draws of the interactions have known moments), or with
    ``tile=False`` ``draws`` prior points."""
    gm = irtgap.GapModel(**LOG_ODDS, interaction_tails=tails)
    design = gm.design(data)
    with build_model(design, gm.settings), warnings.catch_warnings():
        # the prior ignores the potential of the integrated cells: only parameters are wanted
        warnings.filterwarnings("ignore", "The effect of Potentials", UserWarning)
        prior = pm.sample_prior_predictive(draws=1 if tile else draws, random_seed=seed)
    post = prior["prior"].to_dataset()
    if tile:
        post = xr.concat([post] * draws, dim=D.DRAW).assign_coords({D.DRAW: np.arange(draws)})
    stats = xr.Dataset({"diverging": ((D.CHAIN, D.DRAW), np.zeros((1, draws), bool))})
    tree = xr.DataTree.from_dict({"posterior": post, "sample_stats": stats})
    return GapFit(idata=tree, design=design, settings=gm.settings, data=data)


@pytest.mark.parametrize("tails", ["normal", "student_t"])
def test_the_interactions_put_back_are_their_conditional_posterior(variants, tails):
    """At one point of the other parameters, the draws' mean and variance per cell are the
    explicit graph's conditional posterior of the interaction (from its gradient, not from the
    formula of the draws), and a censored row alone in its cell matches a grid posterior."""
    fit = _tiled_fit(variants, draws=4000, seed=3, tails=tails)
    draws = conditional_interactions(fit, np.random.default_rng(0))
    design = fit.design
    kept = sampled_cells(design)
    cells = design.interaction_cells[0]
    censored = design.low_censored | design.high_censored
    lonely = np.unique(cells[censored & ~kept[cells]])
    explicit = build_model(design, fit.settings, collapsed=False)
    one = fit.posterior.isel({D.CHAIN: 0, D.DRAW: 0})
    point = {}
    for rv in explicit.free_RVs:
        value_var = explicit.rvs_to_values[rv]
        transform = explicit.rvs_to_transforms.get(rv)
        if rv.name == "interaction_std":
            continue
        x = one[rv.name].to_numpy()
        point[value_var.name] = transform.forward(x).eval() if transform is not None else x
    z_kept = one["sampled_interaction_std"].to_numpy() if kept.any() else []
    z0 = np.zeros(len(kept))
    z0[kept] = z_kept
    grad = explicit.compile_dlogp(vars=[explicit["interaction_std"]])
    g0 = grad({**point, "interaction_std": z0})
    h = grad({**point, "interaction_std": z0 + 1.0}) - g0
    mean_z = z0 - g0 / h
    sd_z = np.sqrt(-1.0 / h)
    tree = fit.idata.copy()
    tree["posterior"] = xr.DataTree(dataset=fit.posterior.merge(draws))
    with_draws = GapFit(idata=tree, design=design, settings=fit.settings, data=fit.data)
    got = standardized_interactions(with_draws).isel({D.CHAIN: 0}).to_numpy()
    gauss = ~kept
    gauss[lonely] = False
    se = sd_z[gauss] / np.sqrt(got.shape[0])
    assert np.all(np.abs(got[:, gauss].mean(axis=0) - mean_z[gauss]) < 5 * se)
    np.testing.assert_allclose(got[:, gauss].std(axis=0), sd_z[gauss], rtol=0.08)
    np.testing.assert_allclose(got[:, kept], np.broadcast_to(z_kept, got[:, kept].shape))
    lp = explicit.compile_logp()
    for c in lonely:  # the grid spans the prior's bulk and the draws
        lo, hi = min(-12.0, got[:, c].min() - 3), max(12.0, got[:, c].max() + 3)
        grid = np.linspace(lo, hi, 12001)
        zz = np.broadcast_to(mean_z, (grid.size, len(kept))).copy()
        zz[:, c] = grid
        vals = np.array([lp({**point, "interaction_std": row}) for row in zz])
        w = np.exp(vals - vals.max())
        w /= w.sum()
        m, s = (w * grid).sum(), np.sqrt((w * (grid - (w * grid).sum()) ** 2).sum())
        assert abs(got[:, c].mean() - m) < 5 * s / np.sqrt(got.shape[0])
        assert abs(got[:, c].std() - s) < 0.08 * s
    # the log-odds interactions enter the replicates' rows through their own key
    arrays = row_arrays(fit)
    assert "cell_logit" in arrays and "cell" not in arrays


@pytest.mark.parametrize("tails", ["normal", "student_t"])
def test_the_checks_read_the_log_odds_interactions(variants, tails):
    """With the interactions put back, the replicator's numpy likelihood is the explicit
    graph's pointwise one (given the draws); the pointwise term of PSIS-LOO of a row whose cell
    is integrated out is its density given the cell's other rows, the interaction integrated out
    (checked against the cell's joint Normal); in the integrated LOO a row alone in its cell
    does not depend on its cell's draw and a row beside others does."""
    fit = _tiled_fit(variants, draws=30, seed=5, tile=False, tails=tails)
    post = fit.posterior.merge(conditional_interactions(fit, np.random.default_rng(1)))
    tree = fit.idata.copy()
    tree["posterior"] = xr.DataTree(dataset=post)
    fit = GapFit(idata=tree, design=fit.design, settings=fit.settings, data=fit.data)
    arrays = row_arrays(fit)
    params = all_sample_params(stacked_posterior(fit))
    z, eps = fit.design.scaled_scores, fit.design.row_resolution
    mu, phi = mean_fraction(params, arrays), row_precision(params, arrays)
    mine = _row_loglik(mu, phi, z, eps, "logit_normal")  # given the interactions' draws
    ll = log_likelihood(fit).stack(sample=(D.CHAIN, D.DRAW)).transpose("sample", ...).to_numpy()
    kept = sampled_cells(fit.design)
    cells = fit.design.interaction_cells[0]
    rows_kept = np.flatnonzero(kept[cells])
    np.testing.assert_allclose(ll[:, rows_kept], mine[:, rows_kept], rtol=1e-6, atol=1e-6)
    # a cell of three or more uncensored rows, and a one-row cell, against the joint Normal
    censored = fit.design.low_censored | fit.design.high_censored
    counts = np.bincount(cells)
    big = next(c for c in np.flatnonzero(counts >= 3) if not censored[cells == c].any())
    alone = next(i for i in np.flatnonzero(counts[cells] == 1) if not censored[i])
    base = dict(params)
    base.pop("interaction")
    m = special.logit(mean_fraction(base, arrays))
    var = 1 / phi
    tau = (
        post["interaction_ratio"].to_numpy().reshape(30, 1)
        * post["precision"].to_numpy().reshape(30, -1)[:, fit.design.benchmark_idx] ** -0.5
    )  # (S, rows): the row's cell's prior sd
    tau_prior = tau
    if tails == "student_t":
        tau = tau * np.sqrt(post["interaction_mix"].to_numpy().reshape(30, -1)[:, cells])
    resid = special.logit(np.clip(z, eps, 1 - eps)) - m
    zc = np.clip(z, eps, 1 - eps)
    jac = np.log(zc) + np.log1p(-zc)
    for s_ in (0, 7, 29):
        rows = np.flatnonzero(cells == big)
        cov = np.diag(var[s_, rows]) + tau[s_, rows[0]] ** 2
        joint = stats.multivariate_normal(np.zeros(len(rows)), cov).logpdf(resid[s_, rows])
        for k, i in enumerate(rows):
            rest = np.delete(np.arange(len(rows)), k)
            other = stats.multivariate_normal(np.zeros(len(rest)), cov[np.ix_(rest, rest)])
            want = joint - other.logpdf(resid[s_, rows[rest]]) - jac[i]
            np.testing.assert_allclose(ll[s_, i], want, rtol=1e-8, atol=1e-8)
        # alone in its cell: the interaction (and a t cell's mixing variance) over its prior
        omega, log_w = mixing_nodes(tails)
        sd = np.sqrt(var[s_, alone] + tau_prior[s_, alone] ** 2 * omega)
        want = special.logsumexp(log_w + stats.norm.logpdf(resid[s_, alone], 0, sd)) - jac[alone]
        np.testing.assert_allclose(ll[s_, alone], want, rtol=1e-8, atol=1e-8)
    # the LOO-PIT's CDF is that predictive's: its derivative at the score is the density
    inside = np.flatnonzero(~censored & ~kept[cells])
    h = 1e-6
    zc = np.clip(z, eps, 1 - eps)
    up = cell_predictive_cdf(fit, np.clip(zc + h, eps, 1 - eps))[:, inside]
    down = cell_predictive_cdf(fit, np.clip(zc - h, eps, 1 - eps))[:, inside]
    np.testing.assert_allclose((up - down) / (2 * h), np.exp(ll[:, inside]), rtol=1e-4, atol=1e-6)
    cells = fit.design.interaction_cells[0]
    counts = np.bincount(cells)[cells]
    units = row_arrays(fit)["unit"]
    one_row = np.flatnonzero(counts == 1)
    single = one_row[np.unique(units[one_row], return_index=True)[1]][:6]
    shared = np.flatnonzero(counts >= 2)[:6]

    def moved(rows: np.ndarray) -> GapFit:
        v = post["interaction"].copy()
        v[..., np.unique(cells[rows])] += 0.7
        t = fit.idata.copy()
        t["posterior"] = xr.DataTree(dataset=post.assign(interaction=v))
        return GapFit(idata=t, design=fit.design, settings=fit.settings, data=fit.data)

    def values(f: GapFit, rows: np.ndarray) -> np.ndarray:
        return integrated_loo(f, rows=rows).isel({ROW_DIM: rows}).to_numpy()

    base = values(fit, single)
    assert np.isfinite(base).all()
    np.testing.assert_allclose(values(moved(single), single), base, rtol=1e-9, atol=1e-9)
    assert np.abs(values(moved(shared), shared) - values(fit, shared)).max() > 0.01
