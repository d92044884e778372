"""GapFit and GapModel at the edges: support and extrapolation, benchmark ceilings,
lossless save/load, option errors, and honest group names. All fast: no MCMC."""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pandas as pd
import pymc as pm
import pytest
import xarray as xr

import irtgap
from irtgap.core import dims as D
from irtgap.core.errors import ScoreDataError
from irtgap.methods.bayes.design import CENSOR, make_design
from irtgap.methods.bayes.fit import GapFit
from irtgap.methods.bayes.model import CENSORED_DIM, GapModel, GapSettings, build_model

#: Prior samples here are test scaffolding: compile them fast (no graph rewrites needed).
FAST = {"mode": "FAST_COMPILE"}


@pytest.fixture(scope="module")
def sim():
    return irtgap.simulate(n_closed=20, n_open=20, n_benchmarks=6, density=0.6, seed=3)


def _mock_fit(data, model: GapModel | None = None, *, draws: int = 100, seed: int = 0) -> GapFit:
    """A GapFit whose 'posterior' is a prior sample: exercises the methods without MCMC."""
    model = model or GapModel()
    design = model.design(data)
    with build_model(design, model.settings):
        prior = pm.sample_prior_predictive(draws=draws, random_seed=seed, compile_kwargs=FAST)
    post = prior["prior"].to_dataset()
    stats = xr.Dataset({"diverging": ((D.CHAIN, D.DRAW), np.zeros((1, draws), bool))})
    tree = xr.DataTree.from_dict({"posterior": post, "sample_stats": stats})
    return GapFit(idata=tree, design=design, settings=model.settings, data=data)


def _known_fit(sim, *, draws: int = 200, gap_months: float = 6.0, growth: float = 1.2) -> GapFit:
    """Frontiers two straight lines ``gap_months`` apart in every draw; the typical log growth
    rate varies a little between draws (as a posterior would)."""
    fit = _mock_fit(sim.data, GapModel(public_advantage=False), draws=draws)
    post = fit.posterior
    knots = pd.DatetimeIndex(post["knot"].to_numpy())
    years = ((knots - pd.Timestamp("2024-01-01")).days / 365.25).to_numpy()
    lines = np.stack([growth * years, growth * (years - gap_months / 12)])
    frontier = np.broadcast_to(lines, post["frontier"].shape).copy()
    rng = np.random.default_rng(0)
    mu = np.log(growth) + 0.1 * rng.standard_normal(post["log_growth_mean"].shape)
    new = post.assign(
        frontier=(post["frontier"].dims, frontier),
        log_growth_mean=(post["log_growth_mean"].dims, mu),
    )
    tree = fit.idata.copy()
    tree["posterior"] = new
    return GapFit(idata=tree, design=fit.design, settings=fit.settings, data=fit.data)


def _width(table: pd.DataFrame) -> np.ndarray:
    return (table["upper"] - table["lower"]).to_numpy()


# ---------------------------------------------------------------------- support
def test_gap_is_nan_with_a_warning_outside_the_data(sim):
    """Past the last knot the gap is NaN with a warning: a frontier held flat there would make
    the gap grow without bound (a tight interval around a made-up number)."""
    fit = _known_fit(sim)
    first, last = fit.support()
    assert last == sim.data.scores[D.DATE].max()
    inside = last - pd.DateOffset(months=6)
    after = [last + pd.DateOffset(months=8), pd.Timestamp("2030-01-01")]
    with pytest.warns(UserWarning, match=f"after {last.date()}.*extrapolate=True"):
        table = fit.gap([inside, *after])
    assert np.isfinite(table.loc[table[D.DATE] == inside, "median"]).all()
    assert table.loc[table[D.DATE] == inside, "median"].iloc[0] == pytest.approx(6.0, abs=0.1)
    out = table[table[D.DATE].isin(after)]
    assert len(out) == 2
    assert out[["mean", "median", "lower", "upper"]].isna().all().all()
    assert (out["n_defined"] == 0).all()
    with pytest.warns(UserWarning, match=f"before {first.date()}"):
        before = fit.gap([first - pd.DateOffset(months=3)], by="access", reference_date=None)
    assert before["median"].isna().all()
    with pytest.warns(UserWarning, match=f"after {last.date()}"):
        draws = fit.gap_draws(after)
    assert bool(draws.isnull().all())
    with pytest.warns(UserWarning, match=f"after {last.date()}"):
        fr = fit.frontier([inside, *after])
    assert fr.loc[fr[D.DATE].isin(after), "median"].isna().all()
    assert fr.loc[fr[D.DATE] == inside, "median"].notna().all()
    with pytest.warns(UserWarning, match="frontier"):
        assert bool(fit.frontier_draws(after).isnull().all())


def test_reference_date_outside_the_data_warns_that_prob_grew_is_nan(sim):
    fit = _known_fit(sim)
    with pytest.warns(UserWarning, match="prob_grew"):
        table = fit.gap(["2024-06-01"], reference_date="2027-01-01")
    assert table["prob_grew"].isna().all()
    assert table["median"].notna().all()


def test_default_dates_stay_inside_the_data(sim):
    fit = _known_fit(sim)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = fit.gap()
        fit.frontier()
        fit.summary()
    first, last = fit.support()
    assert table[D.DATE].min() >= first and table[D.DATE].max() <= last


def test_extrapolation_continues_growth_and_widens_the_interval(sim):
    fit = _known_fit(sim)
    first, last = fit.support()
    ahead = [last + pd.DateOffset(months=m) for m in (6, 18, 36, 60)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # asked for: no warning
        table = fit.gap(ahead, extrapolate=True)
        again = fit.gap(ahead, extrapolate=True)
        fr = fit.frontier(ahead, extrapolate=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        back = fit.gap([first - pd.DateOffset(months=m) for m in (3, 24)], extrapolate=True)
    # two years back, a few draws' open level lies below the start of the extrapolated closed
    # frontier: censored (ordered, no value), said in a warning; the median stays exact
    assert all("beyond the frontiers the data cover" in str(w.message) for w in caught), [
        str(w.message) for w in caught
    ]
    assert np.isfinite(table["median"]).all()
    assert (table["n_defined"] == 200).all()
    pd.testing.assert_frame_equal(table, again)  # the drawn growth is seeded: reproducible
    # still about the true 6 months half a year out, not a held-flat frontier running away
    assert table["median"].iloc[0] == pytest.approx(6.0, abs=1.5)
    assert (np.diff(_width(table)) > 0).all(), table
    assert _width(table)[-1] > 3 * _width(table)[0]
    for side in D.SIDES:
        f = fr[fr[D.WEIGHTS] == side]
        assert (np.diff(f["median"].to_numpy()) > 0).all()  # growth continues
        assert (np.diff(_width(f)) > 0).all()
    assert np.isfinite(back["median"]).all()
    assert _width(back)[0] > _width(back)[1]  # widens going back too (dates sorted)
    # the draws show the same numbers
    d = fit.gap_draws(ahead, extrapolate=True).sel({D.GROUP: "capability"})
    np.testing.assert_allclose(d.median((D.CHAIN, D.DRAW)).to_numpy(), table["median"])


def test_forward_gap_does_not_use_the_open_frontier_past_the_data(sim):
    """A forward gap that the open frontier only closes after the last date is undefined
    (unless extrapolating): it is not read off the prior-only segment past the data."""
    fit = _known_fit(sim)
    last = fit.support()[1]
    late = last - pd.DateOffset(months=2)  # open needs 6 months to reach it: past the data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fwd = fit.gap([late], direction="forward", reference_date=None)
        fwd_x = fit.gap([late], direction="forward", reference_date=None, extrapolate=True)
    assert fwd["n_defined"].iloc[0] == 0
    assert fwd_x["n_defined"].iloc[0] == 200
    assert fwd_x["median"].iloc[0] == pytest.approx(6.0, abs=1.5)


# ---------------------------------------------------------------------- ceilings
def _with_ceiling(sim, bench: str, ceiling: float) -> irtgap.ScoreData:
    """sim's data with ``bench`` given ``ceiling`` and its scores scaled to it; one score set
    exactly to the ceiling."""
    scores = sim.data.scores.copy()
    on = scores[D.BENCHMARK] == bench
    scores.loc[on, D.SCORE] = scores.loc[on, D.SCORE] * ceiling
    scores.loc[scores.index[on][0], D.SCORE] = ceiling
    meta = sim.data.benchmarks.copy()
    meta.loc[bench, "ceiling"] = ceiling
    meta.loc[bench, "random_baseline"] = meta.loc[bench, "random_baseline"] * ceiling
    return dataclasses.replace(sim.data, scores=scores, benchmarks=meta)


def test_a_score_at_a_ceiling_below_one_is_censored(sim):
    bench = sim.data.benchmarks.index[1]
    data = _with_ceiling(sim, bench, 0.8)
    design = make_design(data)
    b = list(design.benchmarks.index).index(bench)
    rows = np.flatnonzero(design.rows[D.BENCHMARK].to_numpy() == bench)
    at_ceiling = rows[design.rows[D.SCORE].to_numpy()[rows] == 0.8]
    assert len(at_ceiling) == 1
    np.testing.assert_allclose(design.scaled_scores[at_ceiling], 1.0)
    np.testing.assert_allclose(design.floor[b], data.benchmarks.loc[bench, "random_baseline"] / 0.8)
    # the same scaled scores as without the ceiling (scores and floor were scaled together)
    plain = make_design(sim.data)
    np.testing.assert_allclose(design.scaled_scores[rows[1:]], plain.scaled_scores[rows[1:]])
    model = build_model(design, GapSettings())
    assert at_ceiling[0] in set(model.coords[CENSORED_DIM])
    assert at_ceiling[0] not in set(model.coords[D.OBS])
    censored = model["score_censored"]
    observed = model.rvs_to_values[censored].data
    pos = list(model.coords[CENSORED_DIM]).index(at_ceiling[0])
    assert observed[pos] >= 1 - CENSOR  # modelled as at the top of the scale


def test_scores_above_the_ceiling_are_an_error(sim):
    bench = sim.data.benchmarks.index[0]
    meta = sim.data.benchmarks.copy()
    meta.loc[bench, "ceiling"] = 0.5
    meta.loc[bench, "random_baseline"] = 0.0
    data = dataclasses.replace(sim.data, benchmarks=meta)
    with pytest.raises(ScoreDataError, match=f"{bench}.*above its ceiling 0.5"):
        make_design(data)


def test_simulator_and_replicator_draw_scores_up_to_the_ceiling(sim):
    """The simulator and the winner's-curse replicator use the model's measurement: the score is
    the ceiling times a Beta fraction with floor c/kappa."""
    from irtgap.methods.bayes.replicate import (
        replicate_scores,
        row_arrays,
        sample_params,
        stacked_posterior,
    )

    world = irtgap.simulate(
        n_closed=15,
        n_open=15,
        n_benchmarks=6,
        density=0.7,
        floors=(0.0, 0.2),
        ceilings=(1.0, 1.0, 0.8),
        precision=400.0,
        hosted_share=0.0,
        seed=5,
    )
    tr = world.truth
    meta = world.data.benchmarks
    capped = [b for b in meta.index if tr.ceiling[b] == 0.8]
    assert capped and (meta.loc[capped, "ceiling"] == 0.8).all()
    s = world.data.scores
    assert s.loc[s[D.BENCHMARK].isin(capped), D.SCORE].max() <= 0.8

    def expected(row):
        b = row[D.BENCHMARK]
        c, k = meta.loc[b, "random_baseline"], tr.ceiling[b]
        eta = tr.slope[b] * (tr.capability[row[D.MODEL]] - tr.difficulty[b])
        mu = np.clip(c / k + (1 - c / k) / (1 + np.exp(-eta)), 1e-4, 1 - 1e-4)
        return k * mu

    exp_sim = s.apply(expected, axis=1).to_numpy()
    # simulated scores scatter around the model's mean (precision 400: sd <= 0.025)
    assert np.abs(s[D.SCORE].to_numpy() - exp_sim).mean() < 0.02

    # replicate from the truth as a 'posterior'
    fit = _mock_fit(world.data, GapModel(), draws=3)
    post = fit.posterior
    units = list(post["unit"].to_numpy())
    benches = list(post["benchmark"].to_numpy())

    def const(name, values):
        return (post[name].dims, np.broadcast_to(np.asarray(values, float), post[name].shape))

    new = post.assign(
        capability=const("capability", [tr.capability[u] for u in units]),
        difficulty=const("difficulty", [tr.difficulty[b] for b in benches]),
        slope=const("slope", [tr.slope[b] for b in benches]),
        precision=const("precision", np.full(len(benches), 400.0)),
        public_advantage=const("public_advantage", 0.0),
    )
    if "lapse" in new:  # the simulator's curve reaches the ceiling: no lapse
        new = new.assign(lapse=const("lapse", np.zeros(len(benches))))
    tree = fit.idata.copy()
    tree["posterior"] = new
    fit = GapFit(idata=tree, design=fit.design, settings=fit.settings, data=fit.data)
    arrays = row_arrays(fit)
    rng = np.random.default_rng(0)
    params = sample_params(stacked_posterior(fit), 0)
    reps = np.stack([replicate_scores(params, arrays, rng, noise="beta") for _ in range(300)])
    rows = fit.design.rows
    exp_rep = rows.apply(expected, axis=1).to_numpy()
    np.testing.assert_allclose(reps.mean(0), exp_rep, atol=0.01)
    on_capped = rows[D.BENCHMARK].isin(capped).to_numpy()
    assert reps[:, on_capped].max() <= 0.8
    assert reps[:, on_capped].max() > 0.75


# ---------------------------------------------------------------------- save / load
def test_netcdf_round_trip_keeps_dtypes_and_the_reference_table(sim, tmp_path):
    """Bools come back as bools, not the strings 'True'/'False' (which would make every
    benchmark a coding benchmark to threshold_gap(by='category')), and the reference table
    comes back too."""
    meta = sim.data.benchmarks.copy()
    n = len(meta)
    meta["is_coding"] = np.array([True, False, np.nan] * n, dtype=object)[:n]
    meta["is_math"] = np.array([False, True] * n)[:n]
    meta["in_eci"] = pd.array([True, None, False] * n, dtype="boolean")[:n]
    meta["note"] = pd.array(["a", None] * n, dtype="string")[:n]
    meta["items"] = pd.array([100, None] * n, dtype="Int64")[:n]
    reference = pd.DataFrame(
        {
            "model": ["closed-000", "open-030"],
            "eci": [130.0, np.nan],
            "accessibility": ["API access", "Open weights"],
            "released": pd.to_datetime(["2024-01-01", None]),
        }
    )
    data = dataclasses.replace(sim.data, benchmarks=meta, reference=reference)
    fit = _mock_fit(data, draws=20)
    back = GapFit.from_netcdf(fit.to_netcdf(tmp_path / "fit.nc"))
    pd.testing.assert_frame_equal(back.data.scores, data.scores)
    pd.testing.assert_frame_equal(back.data.benchmarks, data.benchmarks)
    pd.testing.assert_frame_equal(back.data.models, data.models)
    assert back.data.reference is not None
    pd.testing.assert_frame_equal(back.data.reference, reference)
    assert back.data.benchmarks["is_coding"].tolist()[:2] == [True, False]
    assert back.settings == fit.settings
    pd.testing.assert_frame_equal(
        fit.gap(["2024-06-01"], by="access"), back.gap(["2024-06-01"], by="access")
    )


def test_netcdf_load_errors_name_the_file(sim, tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nope\.nc"):
        GapFit.from_netcdf(tmp_path / "nope.nc")
    bad = tmp_path / "bad.nc"
    bad.write_text("not a netCDF file")
    with pytest.raises(ValueError, match=r"bad\.nc"):
        GapFit.from_netcdf(bad)
    other = tmp_path / "other.nc"
    xr.Dataset({"x": ("i", [1, 2])}).to_netcdf(other, engine="h5netcdf")
    with pytest.raises(ValueError, match=r"not written by GapFit\.to_netcdf"):
        GapFit.from_netcdf(other)
    fit = _mock_fit(sim.data, draws=5)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        fit.to_netcdf(tmp_path / "missing-folder" / "fit.nc")


# ---------------------------------------------------------------------- option errors
@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("knot_months", 0),
        ("knot_months", -6),
        ("knot_months", 6.5),
        ("knot_months", "12"),
        ("knot_months", True),
        ("reference_date", "R1"),
        ("reference_date", None),
        ("since", "last year"),
        ("since", 2022),
        ("growth_spread", 0.0),
        ("growth_spread", -0.3),
        ("growth_spread", float("nan")),
        ("frontier_softness", -0.1),
        ("prior_scale_gamma", 0),
        ("prior_scale_delta", float("inf")),
        ("public_advantage", "yes"),
        ("shortfall", 1),
    ],
)
def test_invalid_settings_raise_naming_the_option(option, value):
    with pytest.raises(ValueError, match=f"^{option}="):
        GapModel(**{option: value})


def test_settings_are_checked_again_when_changed(sim):
    model = GapModel()
    with pytest.raises(ValueError, match="knot_months=0"):
        model.knot_months = 0  # changed after construction: checked at once
    assert model.knot_months == 12 and model.settings == GapSettings()
    model.knot_months = 6
    assert model.settings == GapSettings(knot_months=6)
    with pytest.raises(ValueError, match="knot_months=-6"):
        make_design(sim.data, knot_months=-6)
    with pytest.raises(ValueError, match="reference_date='R1'"):
        make_design(sim.data, reference_date="R1")
    with pytest.raises(ScoreDataError, match="since='2030-01-01'"):
        make_design(sim.data, since="2030-01-01")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"draws": 0}, "draws=0"),
        ({"chains": 1.5}, "chains=1.5"),
        ({"tune": -1}, "tune=-1"),
        ({"cores": 0}, "cores=0"),
        ({"sampler": "nuts"}, "sampler='nuts'"),
        ({"sampler_kwargs": "fast"}, "sampler_kwargs='fast'"),
    ],
)
def test_invalid_fit_options_raise_before_sampling(sim, kwargs, match):
    with pytest.raises(ValueError, match=match):
        GapModel().fit(sim.data, progressbar=False, **kwargs)


def test_invalid_gap_options_raise_naming_the_option(sim):
    fit = _known_fit(sim, draws=20)
    with pytest.raises(ValueError, match="dates='2024-13-45' is not a date"):
        fit.gap(["2024-01-01", "2024-13-45"])
    with pytest.raises(ValueError, match="dates='R1'"):
        fit.gap_draws("R1")
    with pytest.raises(ValueError, match="reference_date='R1'"):
        fit.gap(["2024-06-01"], reference_date="R1")
    with pytest.raises(ValueError, match="by='acess'"):
        fit.gap(by="acess")
    for ci_prob in (0, 1, 1.5, -0.1, "90%"):
        with pytest.raises(ValueError, match="ci_prob="):
            fit.gap(["2024-06-01"], ci_prob=ci_prob)
    with pytest.raises(ValueError, match="ci_prob="):
        fit.frontier(ci_prob=2)
    with pytest.raises(ValueError, match="ci_prob="):
        fit.capabilities(ci_prob=0)
    with pytest.raises(ValueError, match="direction='back'"):
        fit.gap(["2024-06-01"], direction="back")
    with pytest.raises(ValueError, match="extrapolate='yes'"):
        fit.gap(["2024-06-01"], extrapolate="yes")
    # one date, or time-zone-aware dates, are fine
    one = fit.gap("2024-06-01", reference_date=None)
    tz = fit.gap(pd.DatetimeIndex(["2024-06-01"]).tz_localize("UTC"), reference_date=None)
    pd.testing.assert_frame_equal(one, tz)


# ---------------------------------------------------------------------- words
def test_gap_groups_have_honest_names(sim):
    fit = _known_fit(sim, draws=20)
    assert list(fit.gap_draws(["2024-06-01"])[D.GROUP].to_numpy()) == [
        "capability",
        "public",
        "private",
    ]
    cap = fit.gap(["2024-06-01"], reference_date=None)
    acc = fit.gap(["2024-06-01"], by="access", reference_date=None)
    assert set(cap[D.GROUP]) == {"capability"}
    assert set(acc[D.GROUP]) == {"public", "private"}
    private = acc[acc[D.GROUP] == "private"]["median"].to_numpy()
    np.testing.assert_allclose(cap["median"].to_numpy(), private)


def test_unknown_access_is_named_and_modelled_as_private(sim):
    meta = sim.data.benchmarks.copy()
    public = list(meta.index[meta["access"] == "public"])
    meta.loc[public[0], "access"] = "unknown"
    data = dataclasses.replace(sim.data, benchmarks=meta)
    n_rows = int((data.scores[D.BENCHMARK] == public[0]).sum())
    with pytest.warns(UserWarning, match=rf"1 modelled benchmark.*'{public[0]}' \({n_rows} score"):
        design = make_design(data)
    assert design.unknown_access == (public[0],)
    on = (design.rows[D.BENCHMARK] == public[0]).to_numpy()
    assert not design.open_public[on].any()  # no public advantage there
    is_open = (design.rows[D.WEIGHTS] == D.OPEN).to_numpy()
    on_public = design.rows[D.BENCHMARK].isin(public[1:]).to_numpy()
    assert design.open_public[on_public & is_open].all()


def test_diagnostics_do_not_pass_what_they_cannot_check(sim):
    """One chain has no R-hat: NaN must not pass as 'not above 1.01'."""
    from irtgap.core.errors import ConvergenceWarning

    fit = _known_fit(sim, draws=50)
    with pytest.warns(ConvergenceWarning, match="R-hat is undefined with 1 chain"):
        diag = fit.diagnostics()
    assert diag["chains"] == 1


# ---------------------------------------------------------------------- slow: a real tiny fit
@pytest.mark.slow
def test_tiny_fit_with_ceilings_covers_the_truth_and_stops_at_the_data():
    world = irtgap.simulate(
        n_closed=30, n_open=30, n_benchmarks=8, density=0.6, ceilings=(1.0, 0.8), seed=11
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = GapModel().fit(world.data, draws=300, tune=300, chains=2, seed=1, progressbar=False)
    dates = pd.date_range("2023-06-01", "2025-06-01", freq="180D")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = fit.gap(dates, reference_date=None)
    truth = world.true_gap(dates).to_numpy()
    covered = (table["lower"].to_numpy() <= truth) & (truth <= table["upper"].to_numpy())
    assert covered.mean() >= 0.75, table.assign(truth=truth)
    last = fit.support()[1]
    with pytest.warns(UserWarning, match=str(last.date())):
        assert fit.gap([last + pd.DateOffset(years=1)])["median"].isna().all()
    ahead = [last + pd.DateOffset(months=m) for m in (6, 24, 48)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        far = fit.gap(ahead, extrapolate=True, reference_date=None, by="access")
    for g in ("public", "private"):
        w = _width(far[far[D.GROUP] == g])
        assert np.isfinite(w).all() and (np.diff(w) > 0).all(), far


def test_threshold_bias_summary_does_not_snap_far_or_crash_when_empty():
    from irtgap.analyses.winners_curse import GROUPS, ThresholdBias
    from irtgap.core.gaps import gap_dataarray

    dates = pd.date_range("2024-01-01", "2024-06-01", freq="MS")
    table = pd.DataFrame(
        {
            D.DATE: np.tile(dates, len(GROUPS)),
            D.GROUP: np.repeat(GROUPS, len(dates)),
            "threshold": np.nan,
            "model_gap": 6.0,
            "bias": np.nan,
        }
    )
    draws = gap_dataarray(np.full((2, 3, len(dates)), np.nan), dates=dates, groups=GROUPS)
    res = ThresholdBias(table=table, bias_draws=draws)
    with pytest.warns(UserWarning, match="no date"):
        assert res.summary().empty
    at = res.summary(["2024-03-10"])
    assert set(at[D.DATE]) == {pd.Timestamp("2024-03-01")} and at["bias"].isna().all()
    with pytest.raises(ValueError, match=r"2030-01-01.*more than 31 days"):
        res.summary(["2030-01-01"])


def _spread_fit(sim, *, draws: int = 400, mean: float = 2.0, sd: float = 2.5) -> tuple:
    """Parallel straight frontiers whose gap varies by draw, N(mean, sd) months: in the draws
    with a negative gap the open frontier is ahead, and at the last date ahead of anything the
    closed one reached in the data. Returns the fit and each draw's gap."""
    fit = _mock_fit(sim.data, GapModel(public_advantage=False), draws=draws)
    post = fit.posterior
    knots = pd.DatetimeIndex(post["knot"].to_numpy())
    years = ((knots - pd.Timestamp("2024-01-01")).days / 365.25).to_numpy()
    gaps = np.random.default_rng(1).normal(mean, sd, draws)
    closed = np.broadcast_to(1.2 * years, (draws, years.size))
    opened = 1.2 * (years[None, :] - gaps[:, None] / 12)
    frontier = np.stack([closed, opened], axis=1)[None]  # (chain, draw, side, knot)
    new = post.assign(
        frontier=(post["frontier"].dims, frontier),
        log_growth_mean=(post["log_growth_mean"].dims, np.full((1, draws, 2), np.log(1.2))),
    )
    tree = fit.idata.copy()
    tree["posterior"] = new
    return GapFit(idata=tree, design=fit.design, settings=fit.settings, data=fit.data), gaps


def test_open_ahead_of_the_data_is_censored_not_dropped(sim):
    """At the last date, draws with the open frontier ahead have no value (the closed frontier
    reaches that level only after the data) but lie below every other draw: the median and
    the upper end are the exact quantiles of all draws, the lower end and the mean are NaN,
    with a warning. Counting only the draws with a value, the cell would be refused (79%
    defined) or, with min_defined=0, summarised from the defined draws alone (biased up)."""
    fit, gaps = _spread_fit(sim)
    last = fit.support()[1]
    with pytest.warns(UserWarning, match="beyond the frontiers the data cover") as caught:
        row = fit.gap([last], reference_date=None).iloc[0]
    assert not any("fewer than 90%" in str(w.message) for w in caught)
    ahead = gaps < 0
    assert 0.1 < ahead.mean() < 0.5
    assert row["n_defined"] == (~ahead).sum()
    assert np.isnan(row["mean"]) and np.isnan(row["lower"])
    assert row["median"] == pytest.approx(np.quantile(gaps, 0.5), abs=0.1)
    assert row["upper"] == pytest.approx(np.quantile(gaps, 0.95), abs=0.1)
    # the draws themselves keep the contract: NaN where undefined
    draws = fit.gap_draws([last]).sel({D.GROUP: "capability"}).to_numpy().ravel()
    assert np.isnan(draws).sum() == ahead.sum() and not np.isinf(draws).any()
    # a censored draw compares with a defined one: a gap with the open side ahead at the last
    # date is shorter than the same draw's (defined) gap 18 months into the data
    early = fit.support()[0] + pd.DateOffset(months=18)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        grew = fit.gap([last], reference_date=early).iloc[0]["prob_grew"]
        at_early = fit.gap_draws([early]).sel({D.GROUP: "capability"}).to_numpy().ravel()
    assert np.isfinite(at_early).all()
    both = ~ahead
    expected = (draws[both] > at_early[both]).sum() / len(gaps)  # ahead draws: never grew
    assert grew == pytest.approx(expected, abs=1e-9)


def test_censored_draws_still_count_for_min_defined():
    """summarize_gap: a cell with 30% censored draws is not refused, its median is exact and
    the end among the censored draws is NaN; NaN draws (truly undefined) still refuse it."""
    import xarray as xr

    from irtgap.core.gaps import summarize_gap

    rng = np.random.default_rng(0)
    vals = rng.normal(5.0, 1.0, 1000)
    vals[:300] = -np.inf  # below every value
    da = xr.DataArray(
        vals.reshape(1, 1000, 1),
        dims=(D.CHAIN, D.DRAW, D.DATE),
        coords={D.DATE: pd.to_datetime(["2025-01-01"])},
    )
    with pytest.warns(UserWarning, match="ordered but have no value"):
        row = summarize_gap(da).iloc[0]
    full = np.sort(vals)
    assert row["median"] == pytest.approx(np.quantile(full, 0.5))
    assert np.isnan(row["lower"]) and np.isnan(row["mean"])
    assert row["upper"] == pytest.approx(np.quantile(full, 0.95))
    assert row["n_defined"] == 700
    nan = da.copy()
    nan[0, :300, 0] = np.nan  # unknown side: a minority of values would bias the summary
    with pytest.warns(UserWarning, match="fewer than 90%"):
        refused = summarize_gap(nan).iloc[0]
    assert np.isnan(refused["median"])


def test_a_cell_whose_draws_are_all_censored_is_nan_with_a_warning():
    import xarray as xr

    from irtgap.core.gaps import summarize_gap

    da = xr.DataArray(
        np.full((1, 50, 1), np.inf),
        dims=(D.CHAIN, D.DRAW, D.DATE),
        coords={D.DATE: pd.to_datetime(["2023-01-01"])},
    )
    with pytest.warns(UserWarning, match=r"2023-01-01 \(100%\).*longer than any"):
        row = summarize_gap(da).iloc[0]
    assert row[["mean", "median", "lower", "upper"]].isna().all() and row["n_defined"] == 0


def test_plot_draws_an_open_band_to_the_edge_where_an_end_is_censored(sim):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from irtgap.plotting.gap import plot_gap_table

    fit, _ = _spread_fit(sim)
    last = fit.support()[1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = fit.gap([last - pd.DateOffset(months=m) for m in (12, 6, 0)], reference_date=None)
    assert table["lower"].isna().iloc[-1] and table["median"].notna().all()
    ax = plot_gap_table(table, open_ends=True)  # the Bayesian fit censors draws
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "open band: beyond what the data can measure" in labels
    hatched = [c for c in ax.collections if c.get_hatch() == "///"]
    assert len(hatched) == 1
    # the band reaches the bottom of the axes where the lower end is open
    assert hatched[0].get_paths()[0].vertices[:, 1].min() == pytest.approx(ax.get_ylim()[0])
    closed = table.assign(lower=table["median"] - 1, upper=table["median"] + 1)
    ax2 = plot_gap_table(closed, open_ends=True)
    assert not [c for c in ax2.collections if c.get_hatch() == "///"]
    # another method's missing end is no interval, not an open one: nothing is drawn for it
    ax3 = plot_gap_table(table.assign(method="threshold"), open_ends=False)
    assert not [c for c in ax3.collections if c.get_hatch() == "///"]
    plt.close("all")


def test_a_learned_growth_spread_is_sampled_and_each_draw_extrapolates_with_its_own(sim):
    names = lambda rvs: {v.name for v in rvs}  # noqa: E731
    learned = GapModel(learn_growth_spread=True).build(sim.data)
    assert {"growth_spread", "log_growth_std"} <= names(learned.free_RVs)
    assert "log_growth" in names(learned.deterministics)
    fixed = GapModel().build(sim.data)
    assert "growth_spread" not in names(fixed.free_RVs) and "log_growth" in names(fixed.free_RVs)

    fit = _known_fit(sim)
    ahead = [fit.support()[1] + pd.DateOffset(months=m) for m in (6, 18)]

    def refit(settings: GapSettings, spread: np.ndarray | None) -> pd.DataFrame:
        post = fit.posterior
        if spread is not None:
            post = post.assign(growth_spread=((D.CHAIN, D.DRAW), spread))
        tree = fit.idata.copy()
        tree["posterior"] = post
        new = GapFit(idata=tree, design=fit.design, settings=settings, data=fit.data)
        return new.gap(ahead, extrapolate=True)

    shape = (fit.posterior.sizes[D.CHAIN], fit.posterior.sizes[D.DRAW])
    learn = dataclasses.replace(fit.settings, learn_growth_spread=True)
    narrow = refit(learn, np.full(shape, 0.05))
    wide = refit(learn, np.full(shape, 0.5))
    assert np.isfinite(_width(wide)).all()
    assert (_width(wide) > 2 * _width(narrow)).all(), (_width(narrow), _width(wide))
    # a learned spread of 0.5 in every draw extrapolates exactly as a fixed spread of 0.5
    same = refit(dataclasses.replace(fit.settings, growth_spread=0.5), None)
    pd.testing.assert_frame_equal(wide, same)


def test_a_trending_open_advantage_moves_the_public_gap_with_the_date(sim):
    with pytest.raises(ValueError, match=r"^public_advantage_trend=True: .*public_advantage=True"):
        GapModel(public_advantage=False, public_advantage_trend=True)
    with pytest.raises(ValueError, match=r"^public_advantage_trend=True with open_offsets"):
        GapModel(open_offsets=True, public_advantage_trend=True)

    growth, gap_months, trend = 1.2, 6.0, 0.6
    fit = _mock_fit(sim.data, GapModel(public_advantage_trend=True), draws=50)
    post = fit.posterior
    years = (pd.DatetimeIndex(post["knot"].to_numpy()) - fit.design.origin).days / 365.25
    years = years.to_numpy()
    lines = np.stack([growth * years, growth * (years - gap_months / 12)])
    new = post.assign(
        frontier=(post["frontier"].dims, np.broadcast_to(lines, post["frontier"].shape).copy()),
        public_advantage=(post["public_advantage"].dims, np.zeros(post["public_advantage"].shape)),
        public_advantage_trend=(
            post["public_advantage_trend"].dims,
            np.full(post["public_advantage_trend"].shape, trend),
        ),
    )
    tree = fit.idata.copy()
    tree["posterior"] = new
    fit = GapFit(idata=tree, design=fit.design, settings=fit.settings, data=fit.data)
    first, last = fit.support()
    dates = pd.DatetimeIndex([first + (last - first) * q for q in (0.4, 0.6, 0.9)]).normalize()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = fit.gap(dates, by="access").set_index([D.GROUP, D.DATE])["median"]
    t = ((dates - fit.design.origin).days / 365.25).to_numpy()
    centre = fit.design.public_trend_centre
    # the open frontier on public benchmarks is raised by trend * (t - centre) units: the gap
    # shrinks by that many months of closed growth
    want = gap_months - 12 * trend * (t - centre) / growth
    np.testing.assert_allclose(table.loc["public"].to_numpy(), want, atol=0.1)
    np.testing.assert_allclose(table.loc["private"].to_numpy(), gap_months, atol=0.1)
    assert np.ptp(want) > 2  # the dates span a visible change
    # the centre is the open public rows' mean release time
    rows = fit.design.rows[fit.design.open_public]
    mean_t = ((rows[D.DATE] - fit.design.origin).dt.days / 365.25).mean()
    assert centre == pytest.approx(mean_t, abs=1e-3)


def test_a_trend_without_open_public_scores_is_refused(sim):
    meta = sim.data.benchmarks.copy()
    meta[D.ACCESS] = "private"
    data = dataclasses.replace(sim.data, benchmarks=meta)
    with pytest.raises(ValueError, match=r"^public_advantage_trend=True: .* have 0 \(check"):
        GapModel(public_advantage_trend=True).build(data)
    GapModel().build(data)  # without the trend the same data build


@pytest.mark.parametrize(
    ("switch", "prior_scale"),
    [
        ("reasoning_effects", "prior_scale_reasoning"),
        ("interactions", "prior_scale_interaction"),
        ("private_effects", "prior_scale_private"),
    ],
)
def test_a_terms_switch_and_prior_scale_are_checked(switch, prior_scale):
    with pytest.raises(ValueError, match=rf"^{switch}='yes': give True or False"):
        GapModel(**{switch: "yes"})
    with pytest.raises(ValueError, match=rf"^{prior_scale}=0"):
        GapModel(**{switch: True, prior_scale: 0})


def test_reasoning_effects_apply_to_the_reasoning_versions(sim):
    names = sim.data.scores[D.MODEL].astype(str)
    pick = names.isin(names.unique()[:4])
    scores = sim.data.scores.assign(**{D.MODEL: names.where(~pick, names + "_16K")})
    data = dataclasses.replace(sim.data, scores=scores)
    design = GapModel(reasoning_effects=True).design(data)
    expected = design.rows[D.MODEL].astype(str).str.endswith("_16K").to_numpy(float)
    np.testing.assert_array_equal(design.reasoning_rows, expected)
    assert 0 < expected.sum() < len(expected)
    model = GapModel(reasoning_effects=True).build(data)
    assert model.named_vars_to_dims["reasoning_effect"] == (D.BENCHMARK,)
    assert "reasoning_effect" not in GapModel().build(data).named_vars


def test_interactions_share_a_cell_within_a_model_family(sim):
    names = sim.data.scores[D.MODEL].astype(str)
    first = names.unique()[0]
    own = sim.data.scores[names == first]
    variant = own.assign(**{D.MODEL: first + "_high"})  # an effort variant: its own unit
    hosted = own.assign(**{D.MODEL: "chutes/" + first.upper()})  # a hosted copy, same family
    scores = pd.concat([sim.data.scores, variant, hosted], ignore_index=True)
    data = dataclasses.replace(sim.data, scores=scores)
    design = GapModel(interactions=True).design(data)
    family = design.model_family
    assert family[first + "_high"] == family["chutes/" + first.upper()] == first.lower()
    # the simulator's hosted copies (host/<version>) join their version's family
    assert family["host/open-024"] == "open-024"
    assert family.nunique() == len({n.rsplit("/", 1)[-1] for n in names.unique()})
    cells, labels = design.interaction_cells
    rows = (
        design.rows[D.MODEL].astype(str).isin([first, first + "_high", "chutes/" + first.upper()])
    )
    per_bench = pd.Series(cells[rows.to_numpy()]).groupby(
        design.rows.loc[rows, D.BENCHMARK].to_numpy()
    )
    assert (per_bench.nunique() == 1).all() and (per_bench.size() == 3).all()
    assert len(labels) == len(
        set(zip(family.reindex(design.rows[D.MODEL]), design.rows[D.BENCHMARK], strict=True))
    )
    model = GapModel(interactions=True).build(data)
    assert model.named_vars_to_dims["interaction"] == ("interaction_cell",)
    assert "interaction" not in GapModel().build(data).named_vars
    # no family scored twice on a benchmark: the split rests on the priors, and it says so
    alone = sim.data.scores[~names.str.contains("/")]
    with pytest.warns(UserWarning, match="no \\(model family, benchmark\\) cell has more"):
        GapModel(interactions=True).build(dataclasses.replace(sim.data, scores=alone))


def test_private_effects_apply_to_the_benchmarks_that_are_not_public(sim):
    meta = sim.data.benchmarks.copy()
    unknown = meta.index[0]
    meta.loc[unknown, D.ACCESS] = None  # unknown access is modelled as private
    data = dataclasses.replace(sim.data, benchmarks=meta)
    design = GapModel(private_effects=True).design(data)
    access = design.rows[D.BENCHMARK].map(meta[D.ACCESS])
    public = (access == "public").to_numpy(dtype=bool, na_value=False)
    np.testing.assert_array_equal(design.private_rows, ~public)
    assert 0 < public.sum() < len(public)
    assert design.private_rows[(design.rows[D.BENCHMARK] == unknown).to_numpy()].all()
    with pytest.warns(UserWarning, match="unknown access"):
        model = GapModel(private_effects=True).build(data)
        plain = GapModel().build(data)
    assert model.named_vars_to_dims["private_effect"] == ("unit",)
    assert "private_effect" not in plain.named_vars
