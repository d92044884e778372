"""Speed of the ECI-style fit on the bundled data, against the reference approach.

Prints, in one run: the point fit time (analytic sparse Jacobian), the same objective solved with
scipy's finite-difference Jacobian from a cold start (the approach of Epoch's reference code) and
their ratio, and the time of 500 bootstrap refits (warm starts, joblib, 2 workers).
"""

from __future__ import annotations

import time
import warnings

import irtgap
from irtgap.eci import build_problem, fit_eci


def main() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = irtgap.load_epoch_snapshot()
    prob = build_problem(data)[0]
    t0 = time.perf_counter()
    prob.solve()
    fast = time.perf_counter() - t0
    t0 = time.perf_counter()
    prob.solve(analytic=False)
    slow = time.perf_counter() - t0
    print(f"point fit, analytic sparse Jacobian: {fast:.2f} s")
    print(f"point fit, finite-difference Jacobian, cold start: {slow:.2f} s ({slow / fast:.1f}x)")
    t0 = time.perf_counter()
    fit_eci(data, n_bootstrap=500, n_jobs=2)
    boot = time.perf_counter() - t0
    print(
        f"fit_eci with 500 bootstrap refits (2 workers): {boot:.1f} s "
        f"(~{boot / 500 * 2:.2f} s per refit per worker)"
    )


if __name__ == "__main__":
    main()
