"""Fan-out of independent fits through joblib, on this machine or on a Dask or Ray cluster.

irtgap runs many independent fits: bootstrap refits (:func:`irtgap.fit_eci`,
:func:`irtgap.fit_elo`), the replicates of :func:`irtgap.threshold_bias` and the worlds of the
validation study (:func:`irtgap.analyses.validation.run_study`). All of them go through
:func:`map_tasks`, which runs ``fn(*task)`` for each task with joblib and returns the results in
task order.

Where the tasks run:

- ``backend=None`` (the default): joblib's active back end. That is ``n_jobs`` loky worker
  processes on this machine, or whatever an enclosing ``joblib.parallel_config(...)`` sets.
- ``backend="dask"``: the workers of the current ``dask.distributed`` Client (create one first:
  ``Client()`` starts a local cluster, ``Client("scheduler-address:8786")`` joins a running one).
  Every worker thread of the cluster is used.
- ``backend="ray"``: Ray's joblib back end (``ray.init(address=...)`` first to join a running
  cluster; otherwise Ray starts a local one). ``n_jobs=1`` (the default) becomes ``-1``, every
  CPU of the Ray cluster.

Results never depend on where the tasks ran or on ``n_jobs``: every task carries its own seed
(a :class:`numpy.random.SeedSequence` child or a seed computed from the task's index), so a
task's result is the same whichever worker runs it and in whichever order.

Progress: the optional ``progress(done, total, message)`` callback is called with ``done=0``
before any work, then as results come in (at most about 20 times; not on Ray's back end,
which returns all results at the end), and once with ``done == total``. Nothing is printed
otherwise: joblib runs with ``verbose=0``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from typing import Any

#: The ``progress=`` callback: ``progress(done, total, message)``, e.g. ``(40, 200, "40/200
#: ECI bootstrap refits")``.
Progress = Callable[[int, int, str], None]

#: Values of ``backend=``: None (joblib's active back end), "loky" (processes on this machine,
#: whatever the enclosing joblib context), "dask" or "ray" (a cluster).
BACKENDS = (None, "loky", "dask", "ray")

#: The most progress calls between the first (``done=0``) and the last (``done == total``).
PROGRESS_STEPS = 20


def check_backend(backend: Any) -> None:
    """Raise ``ValueError`` naming ``backend=`` and its allowed values unless it is one of them."""
    if backend not in BACKENDS or isinstance(backend, bool):
        raise ValueError(
            f"backend={backend!r} is not an option: use one of {', '.join(map(repr, BACKENDS))} "
            "(None: joblib's active back end, loky processes on this machine by default)"
        )


def _dask_context() -> AbstractContextManager[Any]:
    """``joblib.parallel_config`` for the current Dask Client, or a clear error."""
    from joblib import parallel_config

    try:
        from distributed import get_client
    except ImportError as err:
        raise ImportError(
            "backend='dask' needs dask.distributed, which is not installed: "
            "pip install 'irtgap[dask]' (or 'dask[distributed]')"
        ) from err
    try:
        client = get_client()
    except ValueError as err:
        raise ValueError(
            "backend='dask' needs a running dask.distributed Client, and none was found: create "
            "one first, e.g. `from distributed import Client; client = Client()` (a local "
            "cluster) or `Client('scheduler-address:8786')`, or use backend=None"
        ) from err
    return parallel_config(backend="dask", client=client)


def _ray_context() -> AbstractContextManager[Any]:
    """``joblib.parallel_config`` for Ray's joblib back end, or a clear error."""
    from joblib import parallel_config

    try:
        from ray.util.joblib import register_ray
    except ImportError as err:
        raise ImportError(
            "backend='ray' needs ray, which is not installed: pip install 'ray[default]' "
            "(or use backend='dask' or backend=None)"
        ) from err
    register_ray()
    return parallel_config(backend="ray")


def _context(backend: str | None) -> AbstractContextManager[Any]:
    if backend == "dask":
        return _dask_context()
    if backend == "ray":
        return _ray_context()
    if backend == "loky":
        from joblib import parallel_config

        return parallel_config(backend="loky")
    return nullcontext()


def _results(
    fn: Callable[..., Any], tasks: list[tuple[Any, ...]], n_jobs: int | None
) -> tuple[Iterable[Any], bool]:
    """joblib's results in task order, and whether they stream in (a generator) or come at once.

    Back ends without generator output (joblib's multiprocessing, Ray's) return a list.
    """
    from joblib import Parallel, delayed

    calls = (delayed(fn)(*task) for task in tasks)
    try:
        parallel = Parallel(n_jobs=n_jobs, return_as="generator", verbose=0)
    except ValueError as err:
        if "return_as" not in str(err):
            raise
        return Parallel(n_jobs=n_jobs, verbose=0)(calls), False
    return parallel(calls), True


def map_tasks(
    fn: Callable[..., Any],
    tasks: Iterable[tuple[Any, ...]],
    *,
    n_jobs: int | None = 1,
    backend: str | None = None,
    progress: Progress | None = None,
    what: str = "tasks",
) -> list[Any]:
    """Run ``fn(*task)`` for every task through joblib; return the results in task order.

    Parameters
    ----------
    fn : callable
        A module-level function (it is pickled to the workers).
    tasks : iterable of tuple
        The positional arguments of each call. Each task must carry its own seed, so that its
        result does not depend on the worker that runs it.
    n_jobs : int or None
        joblib workers on this machine (1: in this process, -1: every core; None: the enclosing
        ``joblib.parallel_config`` decides). With ``backend="dask"`` the cluster's worker
        threads are used whatever ``n_jobs``; with ``backend="ray"``, 1 means every CPU of the
        Ray cluster.
    backend : {None, "loky", "dask", "ray"}
        Where the tasks run (see the module docstring). None uses joblib's active back end, so
        ``with joblib.parallel_config(backend=...)`` around the call is respected.
    progress : callable, optional
        ``progress(done, total, message)``, called with ``done=0`` first, then as results come
        in (at most about 20 times) and with ``done == total`` at the end. Back ends that
        cannot stream results (Ray's, joblib's multiprocessing) report only the start and the
        end. Nothing is printed without it.
    what : str
        What the tasks are, for the progress message (``"12/100 bootstrap refits"``).

    Returns
    -------
    list
        ``fn(*task)`` for each task, in task order. An exception in a task is raised here.

    Raises
    ------
    ValueError
        For a ``backend`` that is not an option, or ``backend="dask"`` without a Client.
    ImportError
        For ``backend="dask"`` or ``"ray"`` when that library is not installed.

    Examples
    --------
    In this process (``n_jobs=2`` would use two worker processes), with progress:

    >>> from irtgap.core.parallel import map_tasks
    >>> map_tasks(pow, [(2, 3), (3, 2)], progress=lambda done, total, msg: print(msg))
    0/2 tasks
    1/2 tasks
    2/2 tasks
    [8, 9]

    On a Dask cluster (here a local one; pass a scheduler address to join a real cluster):

    >>> from distributed import Client, LocalCluster  # doctest: +SKIP
    >>> with LocalCluster(n_workers=2) as cluster, Client(cluster):  # doctest: +SKIP
    ...     map_tasks(pow, [(2, 3), (3, 2)], backend="dask")
    [8, 9]
    """
    check_backend(backend)
    if backend == "ray" and n_jobs == 1:
        n_jobs = -1
    todo = [tuple(task) for task in tasks]
    total = len(todo)
    if progress is not None:
        progress(0, total, f"0/{total} {what}")
    if not todo:
        return []
    step = max(1, math.ceil(total / PROGRESS_STEPS))
    out: list[Any] = []
    with _context(backend):
        results, streams = _results(fn, todo, n_jobs)
        for value in results:
            out.append(value)
            done = len(out)
            if progress is not None and (done == total or (streams and done % step == 0)):
                progress(done, total, f"{done}/{total} {what}")
    return out
