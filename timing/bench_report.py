"""Time ``irtgap report`` on the bundled data: cold (an empty cache folder) and a rerun that reads
every fit and result back, in one process, with their ratio and the core count; checks that the
two reports are the same but for the fits' provenance lines.

Usage: ``python timing/bench_report.py [--fast] [--out DIR]`` (``--fast``: the preview budgets).
"""

from __future__ import annotations

import argparse
import os
import re
import tempfile
import time
import warnings
from pathlib import Path

import irtgap
from irtgap.report.build import write_report


def timed_report(data: irtgap.ScoreData, out: Path, cache: Path, fast: bool) -> tuple[float, str]:
    """Seconds to write the report into ``out`` with the cache in ``cache``, and its text."""
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        path = write_report(data, out, fast=fast, cache_dir=cache, data_label="Epoch AI Hub")
    return time.perf_counter() - t0, path.read_text(encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fast", action="store_true", help="the report's preview budgets")
    parser.add_argument("--out", type=Path, default=None, help="folder (default: a temporary one)")
    args = parser.parse_args()
    root = args.out or Path(tempfile.mkdtemp(prefix="bench-report-"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = irtgap.load_dataset()
    cache = root / "cache"
    cold, first = timed_report(data, root / "cold", cache, args.fast)
    rerun, second = timed_report(data, root / "rerun", cache, args.fast)
    # the fits' table says "sampled | seconds" on the first run, "fit cache | seconds" after
    provenance = re.compile(r"^\| \w+ \| .* \| (sampled|fit cache) \| .*$", re.MULTILINE)
    same = provenance.sub("", first) == provenance.sub("", second)
    print(f"cores: {os.cpu_count()}, load average {os.getloadavg()[0]:.1f} at the end")
    print(f"report {'--fast ' if args.fast else ''}cold:  {cold:7.1f} s")
    print(f"report rerun:      {rerun:7.1f} s  ({cold / rerun:.0f}x faster than cold)")
    print(f"same report but for the fits' provenance: {same}  (folder {root})")


if __name__ == "__main__":
    main()
