"""The report's fit cache, its extra fits and its fit options (no MCMC: prior draws stand in)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import irtgap
from irtgap.analyses.domains import gap_by_domain as real_gap_by_domain
from irtgap.cli import main
from irtgap.core import dims as D
from irtgap.methods import registry
from irtgap.methods.bayes.model import GapModel
from irtgap.report import build as report
from irtgap.report import cache as fit_cache
from irtgap.report.cache import FitCache, FitCacheWarning, data_fingerprint, fit_key
from irtgap.report.context import ReportContext
from irtgap.report.sections import domains as domains_module
from irtgap.report.sections.fits import fits_md

#: Prior samples here are test scaffolding: compile them fast (no graph rewrites needed).
FAST = {"mode": "FAST_COMPILE"}

OPTIONS = {"draws": 150, "tune": 150, "chains": 2}  # the report_fast budget


@pytest.fixture(autouse=True)
def _own_cache_dir(tmp_path, monkeypatch):
    """No test writes to the user's cache folder."""
    monkeypatch.setenv(fit_cache.CACHE_ENV, str(tmp_path / "env-cache"))


@pytest.fixture(scope="module")
def data() -> irtgap.ScoreData:
    """Simulated scores with domains, and open models from China among the open ones."""
    sim = irtgap.simulate(
        n_closed=15, n_open=15, n_benchmarks=6, density=0.7, domain_gaps={"a": 2, "b": 6}, seed=5
    )
    df = sim.data.scores.copy()
    opens = sorted(df.loc[df[D.WEIGHTS] == D.OPEN, D.MODEL].unique())
    df[D.COUNTRY] = np.where(df[D.MODEL].isin(opens[::2]), "China", "France")
    return irtgap.ScoreData.from_frame(
        df,
        model=D.MODEL,
        benchmark=D.BENCHMARK,
        score=D.SCORE,
        date=D.DATE,
        weights=D.WEIGHTS,
        country=D.COUNTRY,
        benchmarks=sim.data.benchmarks.reset_index(),
        registry=False,
    )


@pytest.fixture(scope="module")
def offsets_fit(data):
    """A fit of ``GapModel(open_offsets=True)`` whose 'posterior' is one chain of prior draws."""
    import pymc as pm
    import xarray as xr

    from irtgap.methods.bayes.fit import GapFit
    from irtgap.methods.bayes.graph import build_model

    model = GapModel(open_offsets=True)
    design = model.design(data)
    with build_model(design, model.settings):
        prior = pm.sample_prior_predictive(draws=30, random_seed=3, compile_kwargs=FAST)[
            "prior"
        ].to_dataset()
    stats = xr.Dataset({"diverging": ((D.CHAIN, D.DRAW), np.zeros((1, 30), bool))})
    tree = xr.DataTree.from_dict({"posterior": prior, "sample_stats": stats})
    return GapFit(idata=tree, design=design, settings=model.settings, data=data)


@pytest.fixture
def sampler(monkeypatch, offsets_fit):
    """``GapModel.fit`` replaced by one that records each call's settings and options and
    returns the prior fit; the report's draw-count check is given the prior fit's counts."""
    calls: list[tuple[GapModel, dict]] = []

    def fake_fit(self, data, **kwargs):
        calls.append((self, kwargs))
        message = f"R-hat 1.2 above 1.01 (call {len(calls)})"
        warnings.warn(message, irtgap.ConvergenceWarning, stacklevel=2)
        return offsets_fit

    monkeypatch.setattr(GapModel, "fit", fake_fit)
    monkeypatch.setitem(
        registry.BUDGETS["bayesian"], "report_fast", {"draws": 30, "tune": 30, "chains": 1}
    )
    return calls


def _ctx(data, tmp_path, **kw) -> ReportContext:
    kw.setdefault("fit_cache", FitCache(tmp_path / "cache"))
    return ReportContext(data, tmp_path / "out", fast=True, seed=kw.pop("seed", 1), **kw)


# ------------------------------------------------------------------------------ the key
def _scores_changed(data, change) -> irtgap.ScoreData:
    from dataclasses import replace

    return replace(data, scores=change(data.scores.copy()))


def test_the_data_fingerprint_sees_values_columns_dtypes_and_index(data):
    base = data_fingerprint(data)
    assert data_fingerprint(_scores_changed(data, lambda s: s)) == base  # an equal copy
    bumped = _scores_changed(data, lambda s: s.assign(score=s[D.SCORE].where(s.index != 3, 0.5)))
    assert data_fingerprint(bumped) != base
    cols = list(data.scores.columns)
    swapped = _scores_changed(data, lambda s: s[[cols[1], cols[0], *cols[2:]]])
    assert data_fingerprint(swapped) != base
    as_object = _scores_changed(data, lambda s: s.astype({D.MODEL: object}))
    assert data_fingerprint(as_object) != base
    shifted = _scores_changed(data, lambda s: s.set_axis(s.index + 1))
    assert data_fingerprint(shifted) != base
    reordered = _scores_changed(data, lambda s: s.iloc[::-1])
    assert data_fingerprint(reordered) != base
    from dataclasses import replace

    meta = data.benchmarks.copy()
    meta.loc[meta.index[0], "access"] = (
        "private" if meta["access"].iloc[0] != "private" else "public"
    )
    assert data_fingerprint(replace(data, benchmarks=meta)) != base


def test_the_key_changes_with_seed_settings_options_data_version_and_source(data, monkeypatch):
    key = fit_key(data, GapModel(), OPTIONS, seed=0)
    assert fit_key(data, GapModel(), dict(OPTIONS), seed=0) == key
    assert fit_key(data, GapModel(), OPTIONS, seed=1) != key
    assert fit_key(data, GapModel(knot_months=6), OPTIONS, seed=0) != key
    assert fit_key(data, GapModel(), {**OPTIONS, "draws": 151}, seed=0) != key
    assert fit_key(data, GapModel(), {**OPTIONS, "sampler": "pymc"}, seed=0) != key
    more = {**OPTIONS, "sampler_kwargs": {"target_accept": 0.9}}
    assert fit_key(data, GapModel(), more, seed=0) != key
    # the defaults of GapModel.fit are filled in: naming one changes nothing
    assert fit_key(data, GapModel(), {**OPTIONS, "sampler": "nutpie"}, seed=0) == key
    bumped = _scores_changed(data, lambda s: s.assign(score=s[D.SCORE] * 0.999))
    assert fit_key(bumped, GapModel(), OPTIONS, seed=0) != key
    monkeypatch.setattr(fit_cache, "package_version", lambda: "99.0")
    assert fit_key(data, GapModel(), OPTIONS, seed=0) != key
    monkeypatch.undo()
    monkeypatch.setattr(fit_cache, "source_fingerprint", lambda: "edited")
    assert fit_key(data, GapModel(), OPTIONS, seed=0) != key


def test_the_key_refuses_what_it_cannot_key(data):
    with pytest.raises(ValueError, match="drawz"):
        fit_key(data, GapModel(), {"drawz": 10}, seed=0)
    with pytest.raises(ValueError, match="integer seed"):
        fit_key(data, GapModel(), OPTIONS, seed=np.random.default_rng(0))  # type: ignore[arg-type]


def test_the_cache_folder_comes_from_the_env_var_else_xdg(tmp_path, monkeypatch):
    assert fit_cache.default_cache_dir() == tmp_path / "env-cache"
    monkeypatch.delenv(fit_cache.CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert fit_cache.default_cache_dir() == tmp_path / "xdg" / "irtgap" / "fits"
    assert FitCache.at(tmp_path / "mine").directory == tmp_path / "mine"


# ------------------------------------------------------------------------------ hits and misses
@pytest.fixture(scope="module")
def stored(tmp_path_factory, offsets_fit):
    """The prior fit written once as the cache writes it (tests copy its bytes into place)."""
    return fit_cache.write_compressed(offsets_fit, tmp_path_factory.mktemp("stored") / "fit.nc")


def _key(data, seed: int = 1, **model) -> str:
    return fit_key(
        data, GapModel(**model), registry.get_method("bayesian").budget("report_fast"), seed
    )


def test_a_fit_is_sampled_once_then_read_from_the_cache(data, tmp_path, sampler, offsets_fit):
    lines: list[str] = []
    first = _ctx(data, tmp_path, log=lines.append).fit(name="domains", open_offsets=True)
    assert first.source == "sampled" and len(sampler) == 1
    assert first.cache_path == tmp_path / "cache" / f"gapfit-{_key(data, open_offsets=True)}.nc"
    assert any("fit domains: sampled in" in s and "cached as" in s for s in lines)
    again = _ctx(data, tmp_path, log=lines.append).fit(name="domains", open_offsets=True)
    assert again.source == "cache" and len(sampler) == 1  # not sampled again
    assert any("fit domains: read from the fit cache" in s for s in lines)
    assert again.fit is not offsets_fit
    assert again.fit.posterior.equals(offsets_fit.posterior)
    assert again.fit.gap_draws().equals(offsets_fit.gap_draws())
    assert first.convergence == again.convergence == ("R-hat 1.2 above 1.01 (call 1)",)
    assert list(tmp_path.joinpath("cache").iterdir()) == [first.cache_path]  # no temp files


@pytest.mark.parametrize(
    ("damage", "why"),
    [
        ("garbage", "cannot be read"),
        ("truncated", "cannot be read"),
        ("another fit", "its model settings"),
        ("no key", "not stored under this key"),
    ],
)
def test_an_unusable_cache_file_is_named_deleted_and_refitted(
    data, tmp_path, sampler, stored, monkeypatch, damage, why
):
    """Garbage, a partial file, a whole file of another fit (open offsets) under the default
    model's key, or the right fit copied in by hand (no key in it): a warning naming the file
    and why, the file deleted, the fit sampled."""
    model = {} if damage == "another fit" else {"open_offsets": True}
    path = FitCache(tmp_path / "cache").path(_key(data, **model))
    path.parent.mkdir()
    whole = stored.read_bytes()
    damaged = {"garbage": b"not a netCDF file", "truncated": whole[: len(whole) // 2]}
    path.write_bytes(damaged.get(damage, whole))
    monkeypatch.setattr(FitCache, "store", lambda self, key, fit, conv: None)  # no rewrite
    with pytest.warns(FitCacheWarning, match=f"{path.name}.*{why}"):
        run = _ctx(data, tmp_path).fit(**model)
    assert run.source == "sampled" and len(sampler) == 1
    assert not path.exists()


def test_no_cache_samples_every_time_and_stores_nothing(data, tmp_path, sampler, stored):
    path = FitCache(tmp_path / "cache").path(_key(data, open_offsets=True))
    path.parent.mkdir()
    path.write_bytes(stored.read_bytes())  # a usable file, not read without the cache
    for _ in range(2):
        run = _ctx(data, tmp_path, fit_cache=None).fit(open_offsets=True)
        assert run.source == "sampled" and run.cache_path is None
    assert len(sampler) == 2 and list(path.parent.iterdir()) == [path]


def test_an_unwritable_cache_warns_and_the_fit_goes_on(data, tmp_path, sampler):
    blocker = tmp_path / "file"
    blocker.write_text("a file, not a folder")
    with pytest.warns(FitCacheWarning, match="could not write"):
        run = _ctx(data, tmp_path, fit_cache=FitCache(blocker / "sub")).fit(open_offsets=True)
    assert run.source == "sampled" and run.cache_path is None


def test_a_failed_write_leaves_no_file(offsets_fit, tmp_path, monkeypatch):
    import xarray as xr

    def boom(self, *args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(xr.DataTree, "to_netcdf", boom)
    with pytest.raises(OSError, match="disk full"):
        fit_cache.write_compressed(offsets_fit, tmp_path / "fit.nc")
    assert list(tmp_path.iterdir()) == []


def test_save_fits_writes_compressed_loadable_fits_into_the_report(
    data, tmp_path, sampler, offsets_fit
):
    import h5py

    (tmp_path / "out").mkdir()
    ctx = _ctx(data, tmp_path, save_fits=True, fit_cache=None)
    run = ctx.fit(name="domains", open_offsets=True)
    assert run.saved == tmp_path / "out" / "gap_fit_domains.nc"
    assert irtgap.load_result(run.saved).posterior.equals(offsets_fit.posterior)
    with h5py.File(run.saved) as f:
        assert f["posterior"]["frontier"].compression == "gzip"
    md = fits_md(ctx)
    assert "## The fits" in md and f"`{run.saved}`" in md and "load_result" in md
    assert "| domains | open_offsets=True | sampled |" in md
    assert "The fit cache was off" in md
    assert fits_md(_ctx(data, tmp_path)) == ""  # no fit, no part


# ------------------------------------------------------------------------------ extra fits
@pytest.fixture
def quick_domains(monkeypatch):
    """The domains section's method split on the threshold method only (fast), recording
    whether a Bayesian fit was passed."""
    passed: list = []

    def quick(data, **kwargs):
        passed.append(kwargs.get("fit"))
        return real_gap_by_domain(data, **{**kwargs, "methods": "threshold", "n_bootstrap": 0})

    monkeypatch.setattr(domains_module, "gap_by_domain", quick)
    return passed


def test_without_extra_fits_the_domains_section_fits_nothing(
    data, tmp_path, quick_domains, monkeypatch
):
    def no_fit(self, data, **kwargs):
        raise AssertionError("no fit without --extra-fits")

    monkeypatch.setattr(GapModel, "fit", no_fit)
    (tmp_path / "out").mkdir()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        md = domains_module.domains_section(_ctx(data, tmp_path))
    assert quick_domains == [None]
    assert "## The gap by domain" in md and "| a |" in md  # the other methods' split
    assert "`irtgap report --extra-fits domains` adds it" in md
    assert "`irtgap report --extra-fits china` adds it" in md
    assert not (tmp_path / "out" / "domains_gap.png").exists()


def test_extra_fits_add_the_bayesian_domain_and_china_parts(
    data, tmp_path, quick_domains, sampler, offsets_fit
):
    (tmp_path / "out").mkdir()
    lines: list[str] = []
    ctx = _ctx(data, tmp_path, extra_fits={"domains", "china"}, log=lines.append)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        md = domains_module.domains_section(ctx)
    asked = [(m.settings.open_offsets, m.settings.open_country) for m, _ in sampler]
    assert asked == [(True, None), (False, None), (False, "China")]
    assert quick_domains == [offsets_fit]
    assert "--extra-fits" not in md
    assert "![gap by domain](domains_gap.png)" in md and "### Open models from China only" in md
    assert "open models from China |" in md  # the table's column
    assert (tmp_path / "out" / "domains_gap.png").stat().st_size > 10_000
    assert any(s.startswith("    extra fit domains:") for s in lines)
    assert any(s.startswith("    extra fit china:") for s in lines)
    assert [r.name for r in ctx.fit_runs()] == ["domains", "main", "china"]


def test_only_the_chosen_extra_fit_is_made(data, tmp_path, quick_domains, sampler):
    (tmp_path / "out").mkdir()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        md = domains_module.domains_section(_ctx(data, tmp_path, extra_fits={"china"}))
    assert [m.settings.open_country for m, _ in sampler] == [None, "China"]
    assert "--extra-fits domains" in md and "--extra-fits china" not in md


# ------------------------------------------------------------------------------ options
def test_write_report_refuses_fit_options_it_would_ignore(data, tmp_path):
    with pytest.raises(ValueError, match="'nope'"):
        report.write_report(data, tmp_path, sections=["domains"], extra_fits=["nope"])
    with pytest.raises(ValueError, match="'domains' section"):
        report.write_report(data, tmp_path, sections=["overview"], extra_fits=["china"])
    with pytest.raises(ValueError, match="save_fits"):
        report.write_report(data, tmp_path, sections=["overview"], save_fits=True)
    with pytest.raises(ValueError, match="cache_dir"):
        report.write_report(data, tmp_path, cache=False, cache_dir=tmp_path)
    with pytest.raises(ValueError, match="sequence of names"):
        report.write_report(data, tmp_path, sections=["domains"], extra_fits="china")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--extra-fits", "domains,chna"], "unknown fit(s) 'chna'; choose from domains, china"),
        (["--extra-fits", ""], "unknown fit(s) ''"),
        (["--no-cache", "--cache-dir", "x"], "--cache-dir chooses the fit cache"),
    ],
)
def test_cli_names_a_bad_fit_option(tmp_path, capsys, argv, message):
    with pytest.raises(SystemExit) as exc:
        main(["report", "--out", str(tmp_path), *argv])
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_cli_extra_fits_without_the_domains_section_exit_2(data, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("irtgap.cli._load", lambda args: (data, "simulated"))
    argv = ["report", "--out", str(tmp_path), "--sections", "overview", "--extra-fits", "china"]
    assert main([*argv, "--quiet"]) == 2
    assert "'domains' section" in capsys.readouterr().err


def test_cli_cache_no_cache_and_save_fits(data, tmp_path, monkeypatch, capsys, sampler):
    """A report section that fits: the second run reads the fit from --cache-dir, --no-cache
    samples it again, --save-fits puts it beside the report; report.md says where it is."""

    def fits(ctx):
        run = ctx.fit(open_offsets=True)
        return f"## fitted\n\n{run.source}"

    monkeypatch.setattr(report, "SECTIONS", [("bayes", fits)])
    monkeypatch.setattr("irtgap.cli._load", lambda args: (data, "simulated"))
    cache_dir = tmp_path / "c"
    argv = ["report", "--sections", "bayes", "--fast", "--cache-dir", str(cache_dir)]
    assert main([*argv, "--out", str(tmp_path / "r1")]) == 0
    assert "fit main: sampled in" in capsys.readouterr().err
    assert main([*argv, "--out", str(tmp_path / "r2"), "--save-fits"]) == 0
    assert "fit main: read from the fit cache" in capsys.readouterr().err
    md = (tmp_path / "r2" / "report.md").read_text()
    assert "fitted\n\ncache" in md and f"cached by content in `{cache_dir}`" in md
    assert "| main | open_offsets=True | fit cache |" in md
    saved = tmp_path / "r2" / "gap_fit.nc"
    (cached,) = cache_dir.iterdir()
    assert f"`{saved}`" in md and saved.read_bytes() == cached.read_bytes()
    assert sorted(p.name for p in (tmp_path / "r1").iterdir()) == ["report.md"]  # no fit there
    base = ["report", "--sections", "bayes", "--fast", "--no-cache", "--out", str(tmp_path / "r3")]
    assert main(base) == 0
    assert "; not cached" in capsys.readouterr().err
    assert "The fit cache was off (`--no-cache`)" in (tmp_path / "r3" / "report.md").read_text()
    assert len(sampler) == 2 and list(cache_dir.iterdir()) == [cached]
    assert not (tmp_path / "env-cache").exists()  # --cache-dir, not the default folder
