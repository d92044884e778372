"""The report's cache of computed results (:mod:`irtgap.report.stored`): keys, files, warnings
given again, and a rerun of the report that computes nothing twice."""

from __future__ import annotations

import warnings

import pytest

import irtgap
from irtgap.report import build as report
from irtgap.report import context as context_module
from irtgap.report import stored as stored_module
from irtgap.report.cache import CACHE_ENV, FitCache, FitCacheWarning
from irtgap.report.context import ReportContext
from irtgap.report.stored import ResultStore, Stored, computed, replay, result_key


@pytest.fixture(autouse=True)
def _own_cache_dir(tmp_path, monkeypatch):
    """No test writes to the user's cache folder."""
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "env-cache"))


@pytest.fixture(scope="module")
def data() -> irtgap.ScoreData:
    return irtgap.simulate(n_closed=12, n_open=12, n_benchmarks=5, density=0.8, seed=3).data


def test_the_key_changes_with_name_options_seed_data_and_source(data, monkeypatch):
    base = result_key(data, "checks", {"fit": "abc", "n_draws": 100}, seed=0)
    assert base == result_key(data, "checks", {"n_draws": 100, "fit": "abc"}, seed=0)
    other_data = irtgap.simulate(n_closed=12, n_open=12, n_benchmarks=5, density=0.8, seed=4).data
    changed = [
        result_key(data, "threshold bias", {"fit": "abc", "n_draws": 100}, seed=0),
        result_key(data, "checks", {"fit": "abd", "n_draws": 100}, seed=0),
        result_key(data, "checks", {"fit": "abc", "n_draws": 400}, seed=0),
        result_key(data, "checks", {"fit": "abc", "n_draws": 100}, seed=1),
        result_key(other_data, "checks", {"fit": "abc", "n_draws": 100}, seed=0),
    ]
    monkeypatch.setattr(stored_module, "source_fingerprint", lambda parts: "edited")
    changed.append(result_key(data, "checks", {"fit": "abc", "n_draws": 100}, seed=0))
    assert len({base, *changed}) == len(changed) + 1


def test_a_value_round_trips_with_its_warnings(tmp_path):
    store = ResultStore(tmp_path)

    def make() -> dict[str, float]:
        warnings.warn("gap: 3 dates have too few defined draws", UserWarning, stacklevel=1)
        return {"gap": 5.9}

    with pytest.warns(UserWarning, match="too few defined draws"):  # given on when computed
        value, caught = computed(make)
    path = store.store("k1", value, caught)
    assert path == store.path("k1") and path.is_file()
    back = store.load("k1")
    assert isinstance(back, Stored) and back.value == {"gap": 5.9}
    with pytest.warns(UserWarning, match="too few defined draws"):  # and again when read back
        assert replay(back) == {"gap": 5.9}
    assert store.load("k2") is None
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left


@pytest.mark.parametrize("content", [b"not a pickle", None])
def test_an_unusable_file_is_named_deleted_and_ignored(tmp_path, content):
    store = ResultStore(tmp_path)
    if content is None:  # a whole file, but stored under another key
        store.store("other", 1.0)
        store.path("other").rename(store.path("k1"))
    else:
        store.path("k1").write_bytes(content)
    with pytest.warns(FitCacheWarning, match="result-k1.joblib.*not usable"):
        assert store.load("k1") is None
    assert not store.path("k1").exists()


def test_an_unwritable_folder_warns_and_leaves_no_file(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.warns(FitCacheWarning, match="could not store"):
        assert ResultStore(blocker / "sub").store("k1", 1.0) is None
    with pytest.warns(FitCacheWarning, match="could not store"):
        assert ResultStore(tmp_path).store("k2", lambda: 1) is None  # a lambda cannot pickle
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_the_context_computes_once_per_content(data, tmp_path):
    calls: list[int] = []

    def make() -> list[int]:
        calls.append(1)
        warnings.warn("a note the value carries", UserWarning, stacklevel=1)
        return [len(calls)]

    def context(cache: bool = True, fast: bool = False) -> ReportContext:
        store = FitCache.at(tmp_path / "cache") if cache else None
        return ReportContext(data, tmp_path, fast=fast, fit_cache=store)

    with pytest.warns(UserWarning, match="a note"):
        first = context()
        assert first.stored("thing", make, size=3) == [1]
        assert first.stored("thing", make, size=3) == [1]  # in memory: no second warning
    with pytest.warns(UserWarning, match="a note"):  # a new report reads it, warning again
        assert context().stored("thing", make, size=3) == [1]
    assert len(calls) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        assert context().stored("thing", make, size=4) == [2]  # other options
        assert context(fast=True).stored("thing", make, size=3) == [3]  # other budget
        assert context(cache=False).stored("thing", make, size=3) == [4]  # no cache
        assert context(cache=False).stored("thing", make, size=3) == [5]
    assert len(calls) == 5


def test_a_rerun_of_the_report_runs_no_method_again(data, tmp_path, monkeypatch):
    runs: list[str] = []
    real = context_module.run_method

    def counting(method, *args, **kwargs):
        runs.append(method)
        return real(method, *args, **kwargs)

    monkeypatch.setattr(context_module, "run_method", counting)
    kwargs = {"fast": True, "sections": ["threshold"], "cache_dir": tmp_path / "c"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        first = report.write_report(data, tmp_path / "r1", **kwargs).read_text()
        second = report.write_report(data, tmp_path / "r2", **kwargs).read_text()
    assert runs == ["threshold"] and first == second
    options = {"n_benchmarks": 3, "since": "2022-01-01", "min_coverage": 0.5}
    for _ in range(2):  # a method's options key its stored result
        ctx = ReportContext(data, tmp_path, fast=True, fit_cache=FitCache.at(tmp_path / "c"))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            gap = ctx.result("composite", **options).gap("2024-06-01")
    assert runs == ["threshold", "composite"] and len(gap)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report.write_report(data, tmp_path / "r3", cache=False, **{**kwargs, "cache_dir": None})
    assert runs == ["threshold", "composite", "threshold"]  # without the cache it runs again
