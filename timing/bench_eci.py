"""Speed of the ECI-style fit on the bundled data, against the reference approach.

Prints, in one run: the point solve time (bounded Levenberg-Marquardt, analytic sparse Jacobian),
the same objective solved with scipy's trust-region reflective solver and a finite-difference
Jacobian from a cold start (the approach of Epoch's reference code) and their ratio, and the time
of 500 bootstrap refits (warm starts, joblib, 2 workers).
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable

import irtgap
from irtgap.methods.eci import build_problem, fit_eci


def _best_of(fn: Callable[[], object], n: int) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = irtgap.load_dataset()
    prob = build_problem(data)[0]
    fast = _best_of(lambda: prob.solve(), 5)
    slow = _best_of(lambda: prob.solve(method="reference"), 2)
    print(f"point solve, bounded LM with analytic sparse Jacobian: {fast:.3f} s (best of 5)")
    print(
        f"point solve, scipy trf, finite-difference Jacobian, cold start: {slow:.2f} s "
        f"(best of 2) -> ratio {slow / fast:.1f}x"
    )
    t0 = time.perf_counter()
    fit_eci(data, n_bootstrap=0)
    print(f"fit_eci point fit incl. data preparation: {time.perf_counter() - t0:.2f} s")
    t0 = time.perf_counter()
    fit_eci(data, n_bootstrap=500, n_jobs=2)
    boot = time.perf_counter() - t0
    print(
        f"fit_eci with 500 bootstrap refits (2 workers): {boot:.1f} s "
        f"(~{boot / 500 * 2:.2f} s per refit per worker)"
    )


if __name__ == "__main__":
    main()
