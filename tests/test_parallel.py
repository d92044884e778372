"""Fan-out through irtgap.core.parallel.map_tasks: same results in order on every back end.

The Dask tests start a local cluster of 2 worker processes (Dask's default kind of worker: each
world's warnings and logging stay in its own process) and check that the validation study's
table is the one of the local run.
"""

from __future__ import annotations

import threading
import time
import warnings
from collections.abc import Iterator
from typing import Any

import joblib
import numpy as np
import pandas as pd
import pytest
from joblib._parallel_backends import ThreadingBackend

from irtgap.analyses.validation import SCENARIOS, run_study
from irtgap.core.errors import ConvergenceWarning
from irtgap.core.parallel import BACKENDS, PROGRESS_STEPS, map_tasks
from irtgap.methods.capability import run_refits


def _draw(seed: int, n: int) -> np.ndarray:
    """A seeded task: its result depends on its own arguments only."""
    return np.random.default_rng(seed).normal(size=n)


def _warn_or_fail(i: int) -> int:
    if i == 3:
        raise RuntimeError("task 3 fails")
    if i % 2:
        warnings.warn("odd task", RuntimeWarning, stacklevel=1)
    return i * 10


TASKS = [(seed, 3) for seed in range(25)]
EXPECTED = [np.random.default_rng(seed).normal(size=3) for seed in range(25)]


class Recorder:
    """A progress callback that keeps every call."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, int, str]] = []

    def __call__(self, done: int, total: int, message: str) -> None:
        self.calls.append((done, total, message))

    def check(self, total: int) -> None:
        done = [d for d, _, _ in self.calls]
        assert done[0] == 0 and done[-1] == total
        assert done == sorted(done) and len(set(done)) == len(done)
        assert all(t == total for _, t, _ in self.calls)
        assert len(self.calls) <= PROGRESS_STEPS + 2
        assert self.calls[-1][2] == f"{total}/{total} draws"


@pytest.fixture(scope="module")
def dask_cluster() -> Iterator[Any]:
    """A local cluster of 2 worker processes and a Client that is not the global default."""
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    client = distributed.Client(cluster, set_as_default=False)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


@pytest.fixture
def dask_client(dask_cluster: Any) -> Iterator[Any]:
    """The cluster's Client as the current one (what ``Client()`` in a user's session does)."""
    with dask_cluster.as_current():
        yield dask_cluster


def _same(results: list[np.ndarray]) -> None:
    assert len(results) == len(EXPECTED)
    for got, want in zip(results, EXPECTED, strict=True):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_map_tasks_local_in_order_with_progress(n_jobs):
    rec = Recorder()
    _same(map_tasks(_draw, TASKS, n_jobs=n_jobs, progress=rec, what="draws"))
    rec.check(len(TASKS))


def test_map_tasks_dask_same_results_and_progress(dask_client):
    rec = Recorder()
    _same(map_tasks(_draw, TASKS, backend="dask", progress=rec, what="draws"))
    rec.check(len(TASKS))


def _thread(i: int) -> tuple[int, int]:
    time.sleep(0.01)
    return i, threading.get_ident()


def test_map_tasks_respects_outer_joblib_config_and_empty_tasks():
    main = threading.get_ident()
    with joblib.parallel_config(backend="threading", n_jobs=2):
        _same(map_tasks(_draw, iter(TASKS), n_jobs=None))
        ran = map_tasks(_thread, [(i,) for i in range(8)], n_jobs=None)
        assert [i for i, _ in ran] == list(range(8))
        assert all(t != main for _, t in ran)  # on the context's threads
        assert all(t == main for _, t in map_tasks(_thread, [(0,), (1,)], n_jobs=1))
    rec = Recorder()
    assert map_tasks(_draw, [], progress=rec) == []
    assert rec.calls == [(0, 0, "0/0 tasks")]


class NoStreaming(ThreadingBackend):
    """A back end without generator output, as joblib's multiprocessing and Ray's."""

    supports_return_generator = False


def test_map_tasks_on_a_backend_that_cannot_stream():
    rec = Recorder()
    with joblib.parallel_config(backend=NoStreaming()):
        with pytest.raises(ValueError, match="return_as"):
            joblib.Parallel(n_jobs=2, return_as="generator")  # what map_tasks falls back from
        _same(map_tasks(_draw, TASKS, n_jobs=2, progress=rec, what="draws"))
    rec.check(len(TASKS))  # all results come at the end: 0, then total
    assert [d for d, _, _ in rec.calls] == [0, len(TASKS)]


def test_map_tasks_is_quiet_without_progress(capfd):
    with joblib.parallel_config(verbose=50):  # an outer verbose joblib context
        map_tasks(_draw, TASKS[:4], n_jobs=2)
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_run_refits_keeps_warnings_and_failures_on_workers():
    tasks = [(i,) for i in range(6)]
    with pytest.warns(RuntimeWarning, match="2 of 6 toy refits: odd task"):
        with pytest.warns(ConvergenceWarning, match="1 of 6 toy refits failed.*task 3 fails"):
            values, counts = run_refits(_warn_or_fail, tasks, n_jobs=2, what="toy refits")
    assert values == [0, 10, 20, 40, 50]
    assert counts == {"failed_refits": 1, "unconverged_refits": 0}


def test_bad_backend_names_the_option():
    with pytest.raises(ValueError, match=r"backend='spark' is not an option.*'dask'"):
        map_tasks(_draw, TASKS, backend="spark")
    with pytest.raises(ValueError, match="backend=True is not an option"):
        map_tasks(_draw, TASKS, backend=True)
    with pytest.raises(ValueError, match="backend='spark'"):
        run_study([SCENARIOS["constant"]], 1, methods=("threshold",), backend="spark")
    assert None in BACKENDS and "dask" in BACKENDS


def test_dask_without_a_client_says_how_to_start_one(dask_cluster):
    # a cluster runs, but no Client is current: that is the user's mistake to report
    distributed = pytest.importorskip("distributed")
    with pytest.raises(ValueError, match="No global client"):
        distributed.get_client()
    with pytest.raises(ValueError, match=r"backend='dask' needs a running dask.distributed Client"):
        map_tasks(_draw, TASKS, backend="dask")


def test_ray_missing_or_runs():
    try:
        import ray  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match=r"backend='ray' needs ray.*pip install"):
            map_tasks(_draw, TASKS, backend="ray")
    else:  # pragma: no cover - ray is an optional extra, not installed in CI
        pytest.skip("ray is installed; its back end is exercised by users' clusters")


def _study(**kwargs: Any) -> pd.DataFrame:
    rows = run_study(
        [SCENARIOS["growing"]],
        2,
        methods=("threshold", "composite"),
        quick=True,
        seed=11,
        **kwargs,
    )
    return rows.drop(columns="seconds")


def test_validation_study_same_table_locally_and_on_dask(dask_client):
    rec = Recorder()
    local = _study(n_jobs=1)
    on_dask = _study(backend="dask", progress=rec)
    pd.testing.assert_frame_equal(local, on_dask)
    assert len(local) == 2 * 2 * 5  # replications x methods x dates
    assert local["estimate"].notna().any() and (local["error"] == "").all()
    assert rec.calls[-1][:2] == (2, 2)
    assert rec.calls[-1][2] == "2/2 replications over 1 scenario"
    two_workers = _study(n_jobs=2)
    pd.testing.assert_frame_equal(local, two_workers)
