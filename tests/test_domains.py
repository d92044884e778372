"""The gap by domain: open offsets in the model, gap(by="domain"), per-benchmark
offsets, the country restriction, the other methods per domain and the simulator's domain gaps.
Fast tests use prior samples or hand-built posteriors; the recovery of simulated domain gaps by
a real fit is a slow test (the many-world study is studies/domains/run_domain_recovery.py)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pymc as pm
import pytest
import xarray as xr

import irtgap
from irtgap.analyses.domains import MIN_IRT_BENCHMARKS, DomainGaps, gap_by_domain
from irtgap.core import dims as D
from irtgap.core.errors import ScoreDataError
from irtgap.methods.bayes.checks import _row_loglik, log_likelihood
from irtgap.methods.bayes.domains import MIN_DOMAIN_BENCHMARKS
from irtgap.methods.bayes.fit import GapFit
from irtgap.methods.bayes.model import GapModel, build_model
from irtgap.methods.bayes.replicate import (
    all_sample_params,
    mean_fraction,
    row_arrays,
    stacked_posterior,
)

#: Prior samples here are test scaffolding: compile them fast (no graph rewrites needed).
FAST = {"mode": "FAST_COMPILE"}

DOMAIN_GAPS = {"maths": 2.0, "agents": 8.0, "ood": 5.0}


@pytest.fixture(scope="module")
def sim():
    return irtgap.simulate(
        n_closed=25, n_open=25, n_benchmarks=9, density=0.6, domain_gaps=DOMAIN_GAPS, seed=5
    )


def _prior_fit(data, model: GapModel, draws: int = 40) -> GapFit:
    design = model.design(data)
    with build_model(design, model.settings):
        prior = pm.sample_prior_predictive(draws=draws, random_seed=3, compile_kwargs=FAST)[
            "prior"
        ].to_dataset()
    stats = xr.Dataset({"diverging": ((D.CHAIN, D.DRAW), np.zeros((1, draws), bool))})
    tree = xr.DataTree.from_dict({"posterior": prior, "sample_stats": stats})
    return GapFit(idata=tree, design=design, settings=model.settings, data=data)


def _known_fit(sim, shifts: dict[str, float], *, gamma: float = 0.0, draws: int = 50) -> GapFit:
    """Straight frontiers, the open one 6 months behind (growth 1 unit a year), and each
    domain's benchmarks an open offset of ``shifts[domain]`` in every draw."""
    fit = _prior_fit(sim.data, GapModel(open_offsets=True), draws=draws)
    post = fit.posterior
    knots = pd.DatetimeIndex(post["knot"].to_numpy())
    years = ((knots - pd.Timestamp("2024-01-01")).days / 365.25).to_numpy()
    frontier = np.broadcast_to(np.stack([years, years - 0.5]), post["frontier"].shape).copy()
    dom = fit.design.benchmark_domain
    offset = np.broadcast_to(np.array([shifts[d] for d in dom]), post["open_offset"].shape).copy()
    new = post.assign(
        frontier=(post["frontier"].dims, frontier),
        open_offset=(post["open_offset"].dims, offset),
        public_advantage=(
            post["public_advantage"].dims,
            np.full(post["public_advantage"].shape, gamma),
        ),
    )
    tree = fit.idata.copy()
    tree["posterior"] = new
    return GapFit(idata=tree, design=fit.design, settings=fit.settings, data=fit.data)


# ---------------------------------------------------------------- settings and design
def test_settings_are_checked():
    with pytest.raises(ValueError, match="open_offsets"):
        GapModel(open_offsets="yes")
    with pytest.raises(ValueError, match="open_country"):
        GapModel(open_country="")
    with pytest.raises(ValueError, match="prior_scale_offset"):
        GapModel(prior_scale_offset=0)


def test_open_country_keeps_that_countrys_open_models_and_counts_the_rest():
    data = irtgap.load_epoch_snapshot()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        full = GapModel().design(data)
        china = GapModel(open_country="China").design(data)
    models = china.models
    opens = models[models[D.WEIGHTS] == D.OPEN]
    assert opens[D.COUNTRY].str.contains("China").all()
    assert (models[D.WEIGHTS] == D.CLOSED).sum() == (full.models[D.WEIGHTS] == D.CLOSED).sum()
    n_other = int(
        (
            (data.scores[D.WEIGHTS] == D.OPEN)
            & ~data.scores[D.COUNTRY].fillna("").str.contains("China")
        ).sum()
    )
    assert china.dropped["open_rows_other_countries"] == n_other > 0
    with pytest.raises(ScoreDataError, match="Narnia"):
        GapModel(open_country="Narnia").design(data)


def test_open_offsets_enter_the_graph_zero_sum_over_domains(sim):
    model = GapModel(open_offsets=True).build(sim.data)
    assert model.named_vars_to_dims["open_offset"] == (D.BENCHMARK,)
    assert sorted(model.coords[D.DOMAIN]) == sorted(DOMAIN_GAPS)
    fit = _prior_fit(sim.data, GapModel(open_offsets=True))
    dom = fit.posterior["open_domain_offset"]
    np.testing.assert_allclose(dom.sum(D.DOMAIN), 0.0, atol=1e-9)
    assert "open_offset" not in GapModel().build(sim.data).named_vars


def test_numpy_replicator_matches_the_graph_with_open_offsets(sim):
    """mean_fraction (replicates, LOO-PIT, integrated LOO) uses the offsets as the graph does:
    the rows' Beta log-likelihood from it equals PyMC's."""
    fit = _prior_fit(sim.data, GapModel(open_offsets=True))
    arrays = row_arrays(fit)
    params = all_sample_params(stacked_posterior(fit))
    assert np.abs(params["open_offset"]).max() > 0.01
    mu = mean_fraction(params, arrays)
    phi = params["precision"][:, arrays["bench"]]
    z = fit.design.scaled_scores
    mine = _row_loglik(mu, phi, z, fit.design.row_resolution, "beta")
    graph = log_likelihood(fit).stack(sample=(D.CHAIN, D.DRAW)).transpose("sample", ...)
    graph = graph.to_numpy()
    # prior draws reach extremes where scipy's incomplete beta underflows to -inf (the graph's
    # series does not): compare where both are finite, which is nearly everywhere
    both = np.isfinite(mine) & np.isfinite(graph)
    assert both.mean() > 0.98
    np.testing.assert_allclose(mine[both], graph[both], rtol=1e-6, atol=1e-6)


# ---------------------------------------------------------------- the gap by domain
def test_domain_gaps_of_known_offsets(sim):
    """Growth 1 unit a year: an open shift of +0.25 takes 3 months off the 6-month gap,
    -0.25 adds 3. Groups read the mean shift of their benchmarks."""
    fit = _known_fit(sim, {"maths": 0.25, "agents": -0.25, "ood": 0.0}, gamma=0.1)
    when = ["2024-06-03", "2025-03-03"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        by_dom = fit.gap(when, by="domain").set_index([D.GROUP, D.DATE])["median"]
        cap = fit.gap(when)["median"].to_numpy()
        acc = fit.gap(when, by="access").set_index([D.GROUP, D.DATE])["median"]
    np.testing.assert_allclose(cap, 6.0, atol=0.05)
    public = fit.design.is_public
    dom = fit.design.benchmark_domain.to_numpy()
    for d, s in {"maths": 0.25, "agents": -0.25, "ood": 0.0}.items():
        shift = s + 0.1 * public[dom == d].mean()  # gamma on the domain's public benchmarks
        np.testing.assert_allclose(by_dom.loc[d].to_numpy(), 6.0 - 12 * shift, atol=0.05)
    shift_pub = np.mean([{"maths": 0.25, "agents": -0.25, "ood": 0.0}[d] for d in dom[public]])
    np.testing.assert_allclose(
        acc.loc["public"].to_numpy(), 6.0 - 12 * (shift_pub + 0.1), atol=0.05
    )
    # the per-benchmark table: each benchmark's shift, and its gap at the last date
    off = fit.open_offsets()
    want = np.array([{"maths": 0.25, "agents": -0.25, "ood": 0.0}[d] for d in dom]) + 0.1 * public
    np.testing.assert_allclose(off["median"].to_numpy(), want, atol=1e-9)
    np.testing.assert_allclose(off["gap_median"].to_numpy(), 6.0 - 12 * want, atol=0.05)
    assert off.attrs["date"] == fit.support()[1]


def test_by_domain_needs_open_offsets(sim):
    fit = _prior_fit(sim.data, GapModel())
    for call in (
        lambda: fit.gap(by="domain"),
        lambda: fit.gap_draws(by="domain"),
        lambda: fit.open_offsets(),
    ):
        with pytest.raises(ValueError, match="open_offsets=True"):
            call()


def test_a_domain_with_one_benchmark_says_so(sim):
    """Relabel one benchmark into a domain of its own: that domain gets NaN and a warning
    naming it and why; the others keep their numbers."""
    meta = sim.data.benchmarks.copy()
    lone = meta.index[0]
    meta.loc[lone, "domain"] = "lonely"
    data = irtgap.ScoreData(scores=sim.data.scores, benchmarks=meta)
    fit = _known_fit(
        type("S", (), {"data": data})(), {"maths": 0.0, "agents": 0.0, "ood": 0.0, "lonely": 0.0}
    )
    cov = fit.domains()
    assert not cov.loc["lonely", "enough"] and "1 modelled benchmark" in cov.loc["lonely", "reason"]
    assert MIN_DOMAIN_BENCHMARKS == 2
    with pytest.warns(UserWarning, match="no number for 'lonely'"):
        t = fit.gap(["2025-01-06"], by="domain").set_index(D.GROUP)
    assert np.isnan(t.loc["lonely", "median"]) and t.loc["lonely", "n_defined"] == 0
    assert t.drop("lonely")["median"].notna().all()


def test_domain_gap_is_nan_past_its_open_models(sim):
    """A domain whose open models stop early: NaN (with a warning naming it and its dates)
    more than DOMAIN_CARRY_MONTHS after its last open model, unless extrapolate=True."""
    scores = sim.data.scores
    dom = sim.data.benchmarks["domain"]
    late = (
        (scores[D.WEIGHTS] == D.OPEN)
        & (scores[D.BENCHMARK].map(dom) == "ood")
        & (scores[D.DATE] > pd.Timestamp("2024-06-01"))
    )
    data = irtgap.ScoreData(
        scores=scores[~late].reset_index(drop=True), benchmarks=sim.data.benchmarks
    )
    fit = _known_fit(type("S", (), {"data": data})(), {"maths": 0.0, "agents": 0.0, "ood": 0.0})
    until = fit.domains().loc["ood", "until"]
    assert until < fit.support()[1]
    when = [until - pd.Timedelta(days=7), until + pd.Timedelta(days=7)]
    with pytest.warns(UserWarning, match="'ood'"):
        t = fit.gap(when, by="domain")
    ood = t[t[D.GROUP] == "ood"]["median"].to_numpy()
    assert np.isfinite(ood[0]) and np.isnan(ood[1])
    with pytest.warns(UserWarning, match="'ood'"):
        masked = fit.gap_draws(when, by="domain").sel({D.GROUP: "ood"})
    assert bool(masked.isel({D.DATE: 1}).isnull().all())
    assert bool(masked.isel({D.DATE: 0}).notnull().all())
    with pytest.warns(UserWarning, match="'ood'"):
        grew = fit.gap(when, by="domain", reference_date=when[1])
    assert grew.loc[grew[D.GROUP] == "ood", "prob_grew"].isna().all()
    t2 = fit.gap(when, by="domain", extrapolate=True)
    assert t2[t2[D.GROUP] == "ood"]["median"].notna().all()
    draws = fit.gap_draws(when, by="domain", extrapolate=True)
    assert draws.sizes[D.GROUP] == 3


def test_plots_of_domains_and_offsets(sim):
    fit = _known_fit(sim, {"maths": 0.25, "agents": -0.25, "ood": 0.0})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        axes = fit.plot_domains()
    assert sorted(ax.get_title() for ax in axes if ax.get_visible()) == sorted(DOMAIN_GAPS)
    ax = fit.plot_open_offsets()
    assert len(ax.get_yticklabels()) == len(fit.design.benchmarks)


# ---------------------------------------------------------------- the simulator
def test_simulated_domain_gaps_are_the_open_frontier_per_domain():
    """On a domain's benchmarks an open model has the capability of the closed frontier g_d
    months before its release (minus its shortfall)."""
    sim = irtgap.simulate(seed=2, n_benchmarks=6, domain_gaps={"a": 2.0, "b": 8.0})
    assert sim.truth.domain_gaps == {"a": 2.0, "b": 8.0}
    assert set(sim.data.benchmarks["domain"]) == {"a", "b"}
    assert irtgap.simulate(seed=2).truth.domain is None
    base = irtgap.simulate(seed=2, n_benchmarks=6)
    pd.testing.assert_frame_equal(  # same draws without domains
        base.data.scores, irtgap.simulate(seed=2, n_benchmarks=6, domain_gaps=None).data.scores
    )
    for bad in ({}, {"a": "x"}, [2.0]):
        with pytest.raises((ValueError, ScoreDataError)):
            irtgap.simulate(seed=2, domain_gaps=bad)
    with pytest.raises(ValueError, match="n_benchmarks"):
        irtgap.simulate(seed=2, n_benchmarks=2, domain_gaps={"a": 1, "b": 2, "c": 3})


def test_simulated_domain_offset_is_the_closed_frontier_g_d_months_back():
    """Exact: the open offset of a domain-d benchmark for an open model released at t is
    F_c(t - g_d/12) - F_c(t - gap/12), on a straight and on a curved closed frontier."""
    from irtgap.data.simulate import _closed_frontier, _domain_offsets, _gap_function

    t = np.array([-1.0, 0.0, 1.3])
    for curvature in (0.0, 0.1):
        names, off = _domain_offsets(
            {"a": 2.0, "b": 8.0}, 4, t, _gap_function(6.0), 1.2, curvature, "quadratic"
        )
        assert list(names) == ["a", "b", "a", "b"]
        fc = _closed_frontier(1.2, curvature, "quadratic")
        for k, g in enumerate((2.0, 8.0, 2.0, 8.0)):
            np.testing.assert_allclose(off[:, k], fc(t - g / 12) - fc(t - 0.5))
        if curvature == 0.0:  # straight: a constant offset, 1.2 units a year
            np.testing.assert_allclose(off[:, 0], 1.2 * (0.5 - 2 / 12))


def test_simulated_domain_offsets_shift_open_scores():
    """A world where one domain's open models are 12 months behind and another's 0: open
    models' mean score is lower on the far domain's benchmarks than on the near one's, relative
    to closed models of the same dates."""
    sim = irtgap.simulate(
        seed=4, n_benchmarks=8, density=0.8, domain_gaps={"near": 0.0, "far": 12.0}, gap_months=6.0
    )
    t = sim.data.scores.assign(
        domain=sim.data.scores[D.BENCHMARK].map(sim.data.benchmarks["domain"])
    )
    diff = t.groupby(["domain", D.WEIGHTS])[D.SCORE].mean().unstack()
    gap_near = diff.loc["near", D.CLOSED] - diff.loc["near", D.OPEN]
    gap_far = diff.loc["far", D.CLOSED] - diff.loc["far", D.OPEN]
    assert gap_far > gap_near + 0.05


# ---------------------------------------------------------------- other methods per domain
def test_threshold_by_domain_on_real_data():
    data = irtgap.load_epoch_snapshot()
    th = irtgap.threshold_gap(data, by="domain", n_bootstrap=50)
    groups = set(th.trend[D.GROUP])
    assert {"all", "math", "coding-agents", "reasoning-ood"} <= groups
    no_domain = irtgap.ScoreData(
        scores=data.scores, benchmarks=data.benchmarks.drop(columns="domain")
    )
    with pytest.raises(ScoreDataError, match="'domain' column"):
        irtgap.threshold_gap(no_domain, by="domain", n_bootstrap=0)


def test_gap_by_domain_says_why_a_cell_is_empty(sim):
    fit = _known_fit(sim, {"maths": 0.25, "agents": -0.25, "ood": 0.0})
    res = gap_by_domain(sim.data, fit=fit, n_bootstrap=20)
    t = res.table
    assert set(t["method"]) == {"bayesian", "threshold", "eci", "elo"}
    assert set(t[D.DOMAIN]) == set(DOMAIN_GAPS)
    # every row has a number or says why not
    assert ((t["median"].notna()) | (t["note"] != "")).all()
    # 3 benchmarks per domain: ECI and Elo are tried (MIN_IRT_BENCHMARKS is 3)
    assert MIN_IRT_BENCHMARKS == 3
    bayes = t[t["method"] == "bayesian"].set_index(D.DOMAIN)["median"]
    assert bayes["agents"] > bayes["ood"] > bayes["maths"]
    assert res.extremes() == ("agents", "maths")
    wide = res.wide()
    assert list(wide.columns) == sorted(set(t["method"]))
    with pytest.raises(ValueError, match="open_offsets"):
        gap_by_domain(sim.data, fit=_prior_fit(sim.data, GapModel()), methods="threshold")
    with pytest.raises(ScoreDataError, match="methods"):
        gap_by_domain(sim.data, methods="nope")


def test_a_domain_where_open_models_lead_is_named_not_dropped(sim):
    """A shift of +1 unit puts the open frontier a year ahead on that domain: no backward gap
    (NaN), and the note and extremes() say that open models lead there."""
    fit = _known_fit(sim, {"maths": 1.0, "agents": -0.25, "ood": 0.0})
    when = fit.domains().loc["maths", "last"]
    res = gap_by_domain(sim.data, fit=fit, date=when, methods="threshold", n_bootstrap=20)
    row = res.table[(res.table["method"] == "bayesian")].set_index(D.DOMAIN).loc["maths"]
    assert np.isnan(row["median"]) and row["open_ahead"] == 1.0
    assert "ahead of the closed frontier" in row["note"]
    assert res.extremes() == ("agents", "maths")


def test_open_country_without_open_models_is_an_error(sim):
    scores = sim.data.scores.assign(
        country=np.where(sim.data.scores[D.WEIGHTS] == D.OPEN, "A", "B")
    )
    data = irtgap.ScoreData(scores=scores, benchmarks=sim.data.benchmarks)
    with pytest.raises(ScoreDataError, match="open_country='B'"):
        GapModel(open_country="B").design(data)
    assert GapModel(open_country="A").design(data).dropped["open_rows_other_countries"] == 0


def test_gap_by_domain_notes_thin_domains():
    sim = irtgap.simulate(seed=6, n_benchmarks=4, density=0.7, domain_gaps={"a": 2.0, "b": 6.0})
    res = gap_by_domain(sim.data, methods=("eci", "elo"), n_bootstrap=0)
    t = res.table
    assert (t["median"].isna()).all()
    assert t["note"].str.contains(f"of at least {MIN_IRT_BENCHMARKS}").all()


# ---------------------------------------------------------------- a real fit
@pytest.mark.slow
def test_a_fit_tells_apart_domains_6_months_apart():
    """Known domain gaps 2, 5 and 8 months: each domain's 90% interval covers its truth at
    most dates, and the 8-month domain is told apart from the 2-month one."""
    sim = irtgap.simulate(
        n_closed=40,
        n_open=40,
        n_benchmarks=12,
        density=0.5,
        domain_gaps={"near": 2.0, "mid": 5.0, "far": 8.0},
        gap_months=5.0,
        seed=11,
    )
    fit = GapModel(open_offsets=True).fit(sim.data, draws=300, tune=300, chains=2, seed=1)
    dates = pd.date_range("2023-06-01", "2025-06-01", freq="3MS")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        t = fit.gap(dates, by="domain")
        draws = fit.gap_draws(dates, by="domain")
    truth = {"near": 2.0, "mid": 5.0, "far": 8.0}
    t = t.dropna(subset=["median"])
    covered = (t["lower"] <= t[D.GROUP].map(truth)) & (t[D.GROUP].map(truth) <= t["upper"])
    assert covered.mean() >= 0.7, t
    far, near = draws.sel({D.GROUP: "far"}), draws.sel({D.GROUP: "near"})
    p = float((far > near).mean())
    assert p > 0.95


def test_wide_table_says_when_a_median_has_no_interval():
    table = pd.DataFrame(
        {
            D.DOMAIN: ["a", "a", "b"],
            "method": ["bayesian", "threshold", "threshold"],
            "median": [3.14, 9.4, np.nan],
            "lower": [1.0, np.nan, np.nan],
            "upper": [5.0, np.nan, np.nan],
        }
    )
    wide = DomainGaps(table).wide()
    assert wide.loc["a", "bayesian"] == "3.1 (1.0, 5.0)"
    assert wide.loc["a", "threshold"] == "9.4 (no interval)"
    assert wide.loc["b", "threshold"] == "-" and wide.loc["b", "bayesian"] == "-"
