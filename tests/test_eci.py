"""ECI-style fit: hand-made tables with a known answer, the Jacobian, and the bundled data."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import irtgap
from irtgap.core.errors import ConvergenceWarning
from irtgap.methods.eci import build_problem, fit_eci
from irtgap.methods.epoch_rule import epoch_rule


def _made_up(df: pd.DataFrame) -> irtgap.ScoreData:
    """A made-up world: its "Winogrande" is not the real one (floor 0.5 in the registry)."""
    return irtgap.ScoreData.from_frame(
        df,
        model="model",
        benchmark="benchmark",
        score="score",
        date="date",
        weights="weights",
        registry=False,
    )


def noiseless(seed: int = 0, shift_months: float = 0.0, n: int = 40, start: str = "2023-02-01"):
    rng = np.random.default_rng(seed)
    benches = ["Winogrande", "B1", "B2", "B3", "B4", "B5"]
    d = dict(zip(benches, [0.0, -1.0, 0.5, 1.0, 1.5, -0.5], strict=True))
    a = dict(zip(benches, [1.0, 0.8, 1.3, 1.6, 0.7, 1.1], strict=True))
    rows = []
    dates = pd.date_range(start, "2025-06-01", periods=n)
    for i, dt in enumerate(dates):
        c = -1.5 + 3.0 * i / (n - 1)
        for side, when in (
            ("closed", dt),
            ("open", dt + pd.DateOffset(days=round(shift_months * 30.4375))),
        ):
            name = f"{side}{i}"
            for b in benches:
                y = 1 / (1 + np.exp(-a[b] * (c - d[b])))
                rows.append((name, b, y, when, side))
    df = pd.DataFrame(rows, columns=["model", "benchmark", "score", "date", "weights"])
    data = _made_up(df)
    truth_c = {f"{s}{i}": -1.5 + 3.0 * i / (n - 1) for i in range(n) for s in ("closed", "open")}
    return data, truth_c, d, a, rng


ANCHORS = {"closed5": 130.0, "closed30": 150.0}


def test_noiseless_table_recovered_up_to_anchoring():
    data, truth, _, _, _ = noiseless()
    res = fit_eci(data, scale_anchors=ANCHORS, n_bootstrap=0, regularization=0.0)
    est = res.capabilities()["estimate"]
    t = pd.Series(truth).reindex(est.index)
    assert np.corrcoef(est, t)[0, 1] > 0.999
    slope, icpt = np.polyfit(t, est, 1)
    assert np.abs(est - (icpt + slope * t)).max() < 0.05 * slope


def test_anchor_models_exact_in_every_draw():
    data, *_ = noiseless()
    res = fit_eci(data, scale_anchors=ANCHORS, n_bootstrap=8, seed=1)
    for name, value in ANCHORS.items():
        np.testing.assert_allclose(res.capability_draws.sel(model=name).to_numpy(), value)
        row = res.capabilities().loc[name]
        assert row["lower"] == pytest.approx(value) and row["upper"] == pytest.approx(value)
    assert res.capability_draws.dims == ("chain", "draw", "model")


def test_higher_score_never_lowers_eci():
    data, *_ = noiseless()
    base = fit_eci(data, scale_anchors=ANCHORS, n_bootstrap=0)
    df = data.scores.copy()
    mask = (df["model"] == "open17") & (df["benchmark"] == "B3")
    df.loc[mask, "score"] = df.loc[mask, "score"] + 0.1
    up = _made_up(df)
    after = fit_eci(up, scale_anchors=ANCHORS, n_bootstrap=0)
    before = base.capabilities().loc["open17", "estimate"]
    assert after.capabilities().loc["open17", "estimate"] > before


def test_analytic_jacobian_matches_finite_differences():
    from scipy.optimize._numdiff import approx_derivative

    data, *_ = noiseless()
    prob = build_problem(data)[0]
    x = np.random.default_rng(0).uniform(0.2, 1.5, prob.n_params)
    np.testing.assert_allclose(
        prob.jacobian(x).toarray(), approx_derivative(prob.residuals, x), atol=1e-6
    )


def test_newton_solver_matches_reference_on_bundled_data():
    """Our bounded LM reaches the reference solver's optimum (scipy trf, FD Jacobian)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = irtgap.load_dataset("epoch-2025-11")
    prob = build_problem(data)[0]
    fast, ref = prob.solve(), prob.solve(method="reference")
    assert prob.cost(fast) <= prob.cost(ref) + 1e-7
    c_fast, c_ref = prob.unpack(fast)[0], prob.unpack(ref)[0]
    assert np.abs(c_fast - c_ref).max() < 5e-3
    with pytest.raises(ValueError, match="method="):
        prob.solve(method="lbfgs")  # type: ignore[arg-type]


def test_newton_solver_respects_bounds_and_stops_at_kkt_point():
    """A step-function benchmark pushes its slope to the upper bound: it must stay there."""
    data, *_ = noiseless()
    df = data.scores.copy()
    df = df[df["benchmark"] != "B3"]
    step = df[df["benchmark"] == "B1"].assign(benchmark="step")
    c = step["model"].str.extract(r"(\d+)$")[0].astype(int)
    step["score"] = np.where(c >= 20, 0.999, 0.001)
    df = pd.concat([df, step])
    steep = irtgap.ScoreData.from_frame(
        df, model="model", benchmark="benchmark", score="score", date="date", weights="weights"
    )
    prob = build_problem(steep, regularization=0.0)[0]
    x = prob.solve()
    lo, hi = prob.bounds()
    assert np.all(x >= lo) and np.all(x <= hi)
    assert np.isclose(x, hi).any()
    r = prob.residuals(x)[:-1]
    g = prob.normal_equations(x, r)[0]
    free = ~((np.isclose(x, lo) & (g > 0)) | (np.isclose(x, hi) & (g < 0)))
    assert np.abs(g[free]).max() < 1e-5
    assert prob.cost(x) <= prob.cost(prob.solve(method="reference")) + 1e-7


def test_newton_solver_warns_when_it_stops_early():
    """Hitting max_iter is reported, not returned silently; a converged solve is quiet."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = irtgap.load_dataset("epoch-2025-11")
    prob = build_problem(data)[0]
    with pytest.warns(ConvergenceWarning, match="max_iter=2"):
        prob.solve(max_iter=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        prob.solve()


def test_frontier_shift_gap_on_known_shift():
    data, *_ = noiseless(shift_months=6.0)
    res = fit_eci(data, scale_anchors=ANCHORS, n_bootstrap=6, seed=2)
    g = res.gap(["2024-06-01", "2025-01-01"])
    np.testing.assert_allclose(g["median"], 6.0, atol=1.0)
    assert list(g.columns[:6]) == ["date", "group", "mean", "median", "lower", "upper"]
    with pytest.raises(TypeError, match="rule"):
        res.gap(rule="epoch")  # Epoch's rule is a result of its own: epoch_rule(res)
    with pytest.raises(ValueError, match="direction="):
        res.gap(direction="sideways")


def test_bundled_ranking_is_sensible():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = irtgap.load_dataset("epoch-2025-11")
    res = fit_eci(data, n_bootstrap=0)
    caps = res.capabilities()
    closed = list(caps[caps["weights"] == "closed"].index)  # sorted by estimate
    opened = list(caps[caps["weights"] == "open"].index)
    assert "GPT-5" in closed[:3] and "o3" in closed[:10]
    assert {"DeepSeek-R1", "Kimi K2"} <= set(opened[:8])
    assert any(n.startswith("Qwen3") for n in opened[:8])
    assert caps.loc["GPT-5", "estimate"] == pytest.approx(150.0)


def test_eci_benchmark_set_default_and_unknown_names(small_frame):
    """'eci' drops benchmarks the registry marks outside Epoch's index; unknown names stay."""
    from irtgap.methods.eci import select_benchmarks

    names = {"A": "GPQA diamond", "B": "BoolQ", "C": "MyBench"}
    data = irtgap.ScoreData.from_frame(
        small_frame.assign(benchmark=small_frame["benchmark"].map(names)),
        model="model",
        benchmark="benchmark",
        score="score",
        date="date",
        weights="weights",
    )
    sub, left_out = select_benchmarks(data, "eci")
    assert list(sub.benchmarks.index) == ["GPQA diamond", "MyBench"] and left_out == ["BoolQ"]
    assert select_benchmarks(data, "all")[1] == []
    with pytest.raises(ValueError, match="use 'eci', 'all'"):
        select_benchmarks(data, "ECI")


def test_refit_warnings_from_workers_reach_the_caller():
    """With n_jobs > 1 the refits run in other processes: their warnings come back counted."""
    data, *_ = noiseless()
    with pytest.warns(ConvergenceWarning) as record:
        res = fit_eci(data, scale_anchors=ANCHORS, n_bootstrap=4, n_jobs=2, max_iter=1)
    assert any(
        "4 of 4 ECI bootstrap refits stopped before converging" in str(w.message) for w in record
    )
    assert res.settings.unconverged_refits == 4 and res.dropped["failed_refits"] == 0


def test_failed_refits_are_counted_not_hidden(monkeypatch):
    import irtgap.methods.eci as eci_module

    real = eci_module._refit

    def flaky(prob, x0, groups, seed, max_iter=200):
        if seed.spawn_key[-1] % 2:
            raise np.linalg.LinAlgError("singular matrix")
        return real(prob, x0, groups, seed, max_iter)

    monkeypatch.setattr(eci_module, "_refit", flaky)
    data, *_ = noiseless()
    with pytest.warns(ConvergenceWarning, match="3 of 6 ECI bootstrap refits failed.*singular"):
        res = fit_eci(data, scale_anchors=ANCHORS, n_bootstrap=6, seed=1)
    assert res.dropped["failed_refits"] == 3
    assert res.capability_draws.sizes["draw"] == 3


def test_no_bootstrap_gives_the_point_gap_and_no_interval():
    data, *_ = noiseless(shift_months=6.0)
    res = fit_eci(data, scale_anchors=ANCHORS, n_bootstrap=0)
    g = res.gap(["2024-06-01"])
    assert g["median"].item() == pytest.approx(6.0, abs=1.0)
    assert g[["lower", "upper"]].isna().all(axis=None)
    assert res.capabilities()["lower"].isna().all()
    with pytest.warns(UserWarning, match="Epoch rule tests significance"):
        epoch = epoch_rule(res).gap(["2024-06-01"])
    assert epoch["median"].isna().all() and (epoch["n_defined"] == 0).all()


def test_epoch_rule_row_carries_no_frontier_shift_bounds():
    data, *_ = noiseless(shift_months=6.0)
    res = fit_eci(data, scale_anchors=ANCHORS, n_bootstrap=8, seed=2)
    rule = epoch_rule(res)
    epoch = rule.gap(["2024-06-01", "2025-01-01"])
    assert epoch["method"].eq("eci_epoch").all() and rule.method == "eci_epoch"
    assert np.isfinite(epoch["median"]).all() and (epoch["median"] == epoch["mean"]).all()
    assert epoch[["lower", "upper", "prob_grew"]].isna().all(axis=None)
    assert (epoch["n_defined"] == 1).all()  # one number per date: one defined draw
    with pytest.raises(ValueError, match=r"direction='forward'.*backward-looking"):
        rule.gap(direction="forward")
    with pytest.raises(ValueError, match="no capability scale"):
        rule.capabilities()
    # a stricter significance level finds the closed frontier ahead less often: a shorter gap
    strict = epoch_rule(res, ci_prob=0.99).gap(["2025-01-01"])["median"].item()
    assert strict <= epoch["median"].iloc[-1]


def test_gap_is_nan_after_the_last_model_and_defined_before_2023():
    # models from 2022-03: a 6-month backward gap in early 2023 needs the closed frontier of
    # 2022, which the internal grid must reach (a grid starting at 2023-01-01 would not)
    data, *_ = noiseless(shift_months=6.0, start="2022-03-01")
    res = fit_eci(data, scale_anchors=ANCHORS, n_bootstrap=10, seed=3, since=None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        early = res.gap(["2023-03-01"])
    assert early["median"].item() == pytest.approx(6.0, abs=1.0)
    assert early["n_defined"].item() == 10
    last = res.capabilities()["date"].max()
    with pytest.warns(UserWarning, match=f"to {last:%Y-%m-%d}, asked for 2030-01-01"):
        late = res.gap(["2030-01-01"])
    assert late["median"].isna().all() and (late["n_defined"] == 0).all()


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"n_bootstrap": -1}, "n_bootstrap="),
        ({"ci_prob": 1.0}, "ci_prob="),
        ({"n_jobs": 0}, "n_jobs="),
        ({"max_iter": 0}, "max_iter="),
        ({"regularization": -0.1}, "regularization="),
        ({"seed": 1.5}, "seed="),
        ({"since": "R1"}, "since="),
        ({"min_benchmarks": 0}, "min_benchmarks="),
        ({"anchor_benchmark": "Winogrand"}, "anchor_benchmark='Winogrand'"),
        ({"scale_anchors": {"closed5": 130.0}}, "scale_anchors="),
        ({"benchmarks": ["B1", "B9"]}, r"unknown benchmark.*'B9'"),
    ],
)
def test_bad_options_are_named(kw, message):
    data, *_ = noiseless(n=12)
    kw = {"scale_anchors": {"closed2": 130.0, "closed9": 150.0}, "n_bootstrap": 0, **kw}
    with pytest.raises(irtgap.ScoreDataError, match=message):
        fit_eci(data, **kw)


def test_single_benchmark_fit_and_indistinct_anchors():
    """One benchmark (the anchor) fits (no crash on an empty index); equal anchors warn."""
    data, truth, *_ = noiseless()
    only = data.subset(benchmarks=["Winogrande"])
    res = fit_eci(only, scale_anchors=ANCHORS, n_bootstrap=0, min_benchmarks=1)
    est = res.capabilities()["estimate"]
    assert np.corrcoef(est, pd.Series(truth).reindex(est.index))[0, 1] > 0.99
    with pytest.warns(UserWarning, match="same fitted capability"):
        same = fit_eci(
            only,
            scale_anchors={"closed5": 130.0, "open5": 150.0},
            n_bootstrap=0,
            min_benchmarks=1,
        )
    assert same.capabilities()["estimate"].isna().all()
