"""Compile time of the gap model with a cold and a warm compilation cache, in new processes.

Run: ``python timing/bench_compile.py [--runs N]``. Each run is a new Python process that
builds ``GapModel()`` on the bundled data and compiles it with nutpie (numba back end), as
:meth:`irtgap.GapModel.fit` does, and prints how long building and compiling took. The first run
uses an empty PyTensor base compilation directory (``base_compiledir``: a fresh install); the
later runs reuse it, as a second ``irtgap report`` or a second fit in a new process does. Prints
each run's times and the ratio of the cold compile to the warm ones.

What the cache holds: PyTensor compiles each operation of the log density and its gradient to
numba and caches it on disk (``pytensor.config.base_compiledir``, ``numba`` folder). nutpie then
wraps the log density in a C callback (``numba.cfunc``) that numba cannot cache (it closes over
the model's data), so a warm compile still links that callback: the part the cache cannot remove.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap

CHILD = textwrap.dedent(
    """
    import json, time, warnings
    warnings.simplefilter("ignore")
    t0 = time.perf_counter()
    import nutpie
    import irtgap
    t1 = time.perf_counter()
    data = irtgap.load_dataset()
    model = irtgap.GapModel().build(data)
    t2 = time.perf_counter()
    nutpie.compile_pymc_model(model, backend="numba")
    t3 = time.perf_counter()
    print(json.dumps({"import": t1 - t0, "build": t2 - t1, "compile": t3 - t2}))
    """
)


def _run(compiledir: str) -> dict[str, float]:
    env = dict(os.environ)
    flags = env.get("PYTENSOR_FLAGS", "")
    env["PYTENSOR_FLAGS"] = ",".join(f for f in (flags, f"base_compiledir={compiledir}") if f)
    out = subprocess.run(
        [sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="processes in all (first is cold)")
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs; GapModel() on the bundled data, nutpie numba back end")
    with tempfile.TemporaryDirectory() as compiledir:
        times = []
        for i in range(args.runs):
            t = _run(compiledir)
            times.append(t)
            label = "cold (empty cache)" if i == 0 else f"warm #{i}"
            print(
                f"{label}: import {t['import']:.1f} s, build {t['build']:.1f} s, "
                f"compile {t['compile']:.1f} s",
                flush=True,
            )
    cold = times[0]["compile"]
    for i, t in enumerate(times[1:], start=1):
        print(f"warm #{i}: compile {cold / t['compile']:.2f}x faster than cold")


if __name__ == "__main__":
    main()
