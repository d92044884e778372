"""Reading an export of Epoch AI's Benchmarking Hub (benchmark_data.zip, or its folder).

What it shows
    1. ``irtgap.load_epoch_hub(path)``: every rule it applies is counted; ``describe()`` gives the
       totals and ``describe(by="source")`` the rows read and dropped per file, with the reason,
       so that no benchmark disappears silently.
    2. The same export as a zip (as Epoch publishes it): the bundled folder is zipped to a
       temporary ``benchmark_data.zip`` and read again, with the same result.
    3. The benchmark registry (``irtgap.data.registry``): which column of which file holds the
       score, on which scale, and each benchmark's access (public / private) and domain.
    4. ``benchmarks=``: declare a file the registry does not know (here a made-up private
       evaluation added to a copy of the export) and override a known benchmark's access.

How to run
    python examples/03_hub_export.py                                  # the bundled export
    python examples/03_hub_export.py --path ~/Downloads/benchmark_data.zip   # a newer download

Files written to ``--out`` (default ``examples_output/03_hub_export``): ``sources.csv`` (per-file
counts of the export read) and ``registry.csv`` (the shipped registry).

Run time on 2 cores: about 5 seconds (the export is read four times).

Data: Epoch AI, 'AI Benchmarking Hub', https://epoch.ai/benchmarks (CC-BY 4.0).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import irtgap
from irtgap.data import registry
from irtgap.data.datasets import dataset_path

ATTRIBUTION = (
    "Data: Epoch AI, 'AI Benchmarking Hub', https://epoch.ai/benchmarks (CC-BY 4.0). "
    "Cite Epoch AI when you show it."
)


def show_warning(message, category, filename, lineno, file=None, line=None):
    """Print library warnings as one line each, in order with the output."""
    print(f"  [{category.__name__}] {message}")


warnings.showwarning = show_warning
pd.set_option("display.width", 160)
pd.set_option("display.max_colwidth", 60)


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--path",
        type=Path,
        default=None,
        help="an export: benchmark_data.zip or the folder it unpacks to "
        "(default: the bundled April 2026 export)",
    )
    p.add_argument("--out", type=Path, default=Path("examples_output/03_hub_export"))
    return p.parse_args()


def per_file(data: irtgap.ScoreData) -> pd.DataFrame:
    """describe(by="source") without the count columns that are zero for every file."""
    table = data.describe(by="source")
    counts = [c for c in table.columns if c.startswith(("rows_", "dropped_"))]
    empty = [c for c in counts if not table[c].any()]
    return table.drop(columns=empty)


def add_private_eval(export: Path, data: irtgap.ScoreData, seed: int = 0) -> str:
    """Write a made-up extra benchmark file into a copy of an export folder; return its name.

    Stands in for an evaluation you ran yourself: the 24 most recent first-party versions scored
    on GPQA diamond, with their GPQA score lowered and jittered, in percent. Not real data.
    """
    gpqa = data.scores[
        (data.scores["benchmark"] == "GPQA diamond") & (data.scores["provider"] == "first-party")
    ].tail(24)
    rng = np.random.default_rng(seed)
    accuracy = np.clip(gpqa["score"].to_numpy() - 0.3 + rng.normal(0, 0.05, len(gpqa)), 0, 1)
    name = "my_private_eval.csv"
    pd.DataFrame(
        {
            "Model version": gpqa["model"].to_numpy(),
            "Accuracy (%)": np.round(100 * accuracy, 1),
            "Release date": gpqa["date"].dt.strftime("%Y-%m-%d").to_numpy(),
        }
    ).to_csv(export / name, index=False)
    return name


def main() -> None:
    args = parse_args()
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    path = args.path if args.path is not None else dataset_path("epoch-hub-2026-04")

    # ------------------------------------------------------------------ 1. read the export
    print("== 1. Reading the export ==")
    print(ATTRIBUTION)
    readme = path / "README.md" if path.is_dir() else None
    if readme is not None and readme.is_file():  # Epoch's own licence and citation
        cite = [ln for ln in readme.read_text().splitlines() if ln.startswith("Epoch AI, ")]
        print(f"Epoch's citation: {cite[0] if cite else '(see README.md)'}")
    print(f"reading {path}")
    # Warnings say what was dropped in total; describe(by="source") says where.
    data = irtgap.load_epoch_hub(path)
    print(data)
    print(data.describe().to_string())
    sources = per_file(data)
    sources.to_csv(out / "sources.csv")
    print(f"\nPer file (all {len(sources)} in {out / 'sources.csv'}); the ones that lost rows:")
    lost = sources[sources["pairs_kept"] < sources["rows_read"]]
    print(lost.drop(columns=["file", "rows_loaded"]).to_string())
    # Versions Epoch's index leaves without an open/closed label take the shipped override table
    # (every row with its provenance); hosted copies (chutes/..., fireworks/...) are provider
    # rows of the version they serve.
    for key in ("n_accessibility_from_overrides", "n_hosted_versions", "n_dropped_superseded"):
        print(f"  {key}: {data.log.get(key)}")

    # ------------------------------------------------------------------ 2. the zip
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if path.is_dir():
            print("\n== 2. The same export as a zip ==")
            # A zip is read in memory, member by member, never extracted.
            archive = shutil.make_archive(
                str(tmp / "benchmark_data"), "zip", root_dir=path.parent, base_dir=path.name
            )
            with warnings.catch_warnings():  # the same drops as above, not repeated
                warnings.simplefilter("ignore", irtgap.DroppedRowsWarning)
                zipped = irtgap.load_epoch_hub(archive)
            same = zipped.scores.equals(data.scores)
            print(f"read {Path(archive).name}: {zipped}\nsame scores as the folder: {same}")
            if not same:
                raise SystemExit("the zip and the folder give different scores")

        # ------------------------------------------------------------------ 3. the registry
        print("\n== 3. The benchmark registry ==")
        reg = registry.read_registry()
        reg.to_csv(out / "registry.csv")
        print(f"{len(reg)} benchmarks, columns {list(reg.columns)}; written to {out}/")
        show = ["GPQA diamond", "FrontierMath-2025-02-28-Private", "METR time horizon (min)"]
        cols = ["file", "score_column", "scale", "random_baseline", "access", "domain"]
        print(reg.loc[show, cols].to_string())
        print(pd.crosstab(reg["domain"], reg["access"]).to_string())

        # ------------------------------------------------------------------ 4. benchmarks=
        print("\n== 4. Declaring an extra file with benchmarks= ==")
        export = tmp / "export"  # a copy of the export, to add a file to
        if path.is_dir():
            shutil.copytree(path, export)
        else:
            shutil.unpack_archive(path, export, format="zip")
            inside = list(export.iterdir())
            if len(inside) == 1 and inside[0].is_dir():  # the zip holds one top folder
                export = inside[0]
        file = add_private_eval(export, data)
        print(f"added {file} (made-up scores) to a copy of the export")
        # Undeclared, the file is skipped with a warning saying how to declare it.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            irtgap.load_epoch_hub(export)
        for w in caught:
            if str(w.message).startswith("skipped"):
                print(f"  [{w.category.__name__}] {w.message}")
        mine = pd.DataFrame(
            {
                "benchmark": ["My private eval", "HLE"],
                "file": [file, None],
                "score_column": ["Accuracy (%)", None],
                "scale": ["percent", None],  # divided by 100 on reading
                "random_baseline": [0.0, None],
                "access": ["private", "private"],  # HLE: override the registry's "public"
                "access_source": ["user", "user"],
                "domain": ["reasoning-ood", None],
            }
        )
        with warnings.catch_warnings():  # the same drops as in section 1
            warnings.simplefilter("ignore", irtgap.DroppedRowsWarning)
            declared = irtgap.load_epoch_hub(export, benchmarks=mine)
        print(declared)
        print(per_file(declared).loc[["My private eval"]].drop(columns=["file"]).to_string())
        print(declared.benchmarks.loc[["My private eval", "HLE"], ["access", "scale"]].to_string())
    print(f"\n{ATTRIBUTION}\ndone in {time.perf_counter() - start:.0f} s; files in {out}/")


if __name__ == "__main__":
    main()
