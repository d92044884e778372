"""The example scripts of ``examples/`` run end to end, with short settings.

Each script runs in a subprocess with ``sys.executable`` (working directory and ``--out`` in a
temporary folder, ``MPLBACKEND=Agg``); the test checks the exit code, the files written and key
lines of the printed output. The two scripts with MCMC fits are marked slow (CI runs them): 01
fits a short preview and saves it, and 05 checks that saved fit (``--fit``) so that only its
simulated-world fit is new.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from irtgap.data.datasets import dataset_path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SCRIPTS = sorted(p.name for p in EXAMPLES.glob("[0-9][0-9]_*.py"))
MCMC = ["--draws", "100", "--tune", "100", "--chains", "2"]
PNG = b"\x89PNG\r\n\x1a\n"


@dataclass
class Case:
    script: str
    args: list[str]
    files: list[str]
    #: regular expressions that must match the printed output
    output: list[str] = field(default_factory=list)


CASES = {
    "01": Case(
        "01_quick_start.py",
        ["--since", "2024-06-01", *MCMC, "--n-bootstrap", "200"],
        [
            "threshold_gap.png",
            "composite_gap.png",
            "bayesian_gap.png",
            "bayesian_frontier.png",
            "gap_fit.nc",
        ],
        [
            r"CC-BY 4\.0",
            r"<ScoreData: 2521 scores, 564 models",
            r"threshold \| all +\| gap at 2025-01-20: +\d+\.\d months \(90% interval",
            r"composite \| all +\| gap at \d{4}-\d\d-\d\d: +-?\d+\.\d months",
            r"bayesian \| public +\| gap at 2026-04-16: +-?\d+\.\d months",
            r"max_rhat",
            r"loaded back as GapFit: same gap table: True",
        ],
    ),
    "02": Case(
        "02_your_own_long_table.py",
        ["--n-bootstrap", "200"],
        ["my_scores.csv", "my_benchmarks.csv", "threshold_gap.png"],
        [
            r"missing column\(s\): 'score' \(score\), 'Release Date' \(date\)",
            r"scores in percent -> ScoreDataError",
            r"dropped 1 benchmark\(s\) scored by fewer than 2 models: 'my-new-eval'",
            r"n_duplicate_rows_merged +4",
            r"threshold \| all +\| gap at 2025-01-20: +-?\d+\.\d months",
            r"composite \| all +\| gap at \d{4}-\d\d-\d\d: +-?\d+\.\d months",
        ],
    ),
    "03": Case(
        "03_hub_export.py",
        [],
        ["sources.csv", "registry.csv"],
        [
            r"CC-BY 4\.0",
            r"Epoch's citation: Epoch AI, .AI Benchmarking Hub.",
            r"same scores as the folder: True",
            r"skipped 1 file\(s\) the benchmark registry does not describe: my_private_eval\.csv",
            r"<ScoreData: 2545 scores, 564 models .* 49 benchmarks \(33 public, 16 private\)",
            r"My private eval +24 ",
        ],
    ),
    "03-zip": Case(
        "03_hub_export.py",
        ["--path", "{zip}"],
        ["sources.csv", "registry.csv"],
        [
            r"reading .*benchmark_data\.zip",
            r"<ScoreData: 2521 scores, 564 models",
            r"My private eval +24 ",
        ],
    ),
    "04": Case(
        "04_methods_side_by_side.py",
        ["--fast"],
        ["compare.csv", "methods_side_by_side.png"],
        [
            r"threshold +all +\d+\.\d months \[",
            r"eci_epoch +all +\d+\.\d months +\d+\.\d months",
            r"Why they differ",
            r"- elo: ",
        ],
    ),
    "05": Case(
        "05_model_checks.py",
        ["--fit", "{fit}", *MCMC, "--n-replications", "4", "--n-jobs", "2"],
        [
            "diagnostics.csv",
            "terms.csv",
            "terms.png",
            "checks_summary.csv",
            "checks_ppc.csv",
            "loo_pit.png",
            "ppc_benchmark.png",
            "threshold_bias.csv",
            "crossings.csv",
            "threshold_bias.png",
            "recovery.csv",
            "recovery.png",
        ],
        [
            r"frontier_min_ess_bulk",
            r"public_advantage +-?\d\.\d\d",
            r"elpd_loo +\d+\.\d",
            r"k_above_0\.7 +\d",
            r"over 4 replicates",
            r"bayesian: mean error [+-]\d+\.\d months over 5 dates",
        ],
    ),
}
SLOW = {"01", "05"}  # MCMC fits


def run_example(script: str, args: list[str], out: Path) -> str:
    """Run one example in a subprocess from ``out``'s parent; return its stdout."""
    env = {**os.environ, "MPLBACKEND": "Agg"}
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / script), *args, "--out", str(out)],
        cwd=out.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    assert proc.returncode == 0, (
        f"{script} {' '.join(args)} exited with {proc.returncode}\n"
        f"--- stdout (end) ---\n{proc.stdout[-3000:]}\n--- stderr (end) ---\n{proc.stderr[-3000:]}"
    )
    return proc.stdout


@pytest.fixture(scope="module")
def quick_start(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """01_quick_start.py run once (short MCMC): its output and folder (05 checks its fit)."""
    out = tmp_path_factory.mktemp("examples") / "01"
    case = CASES["01"]
    return run_example(case.script, case.args, out), out


@pytest.fixture(scope="module")
def hub_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled export zipped, as Epoch publishes it."""
    folder = dataset_path("epoch-hub-2026-04")
    base = tmp_path_factory.mktemp("zip") / "benchmark_data"
    return Path(shutil.make_archive(str(base), "zip", folder.parent, folder.name))


@pytest.mark.parametrize(
    "key", [pytest.param(k, marks=pytest.mark.slow) if k in SLOW else k for k in CASES]
)
def test_example_runs(key: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    case = CASES[key]
    if key == "01":
        stdout, out = request.getfixturevalue("quick_start")
    else:
        fill = {}
        if "{fit}" in case.args:
            fill["{fit}"] = str(request.getfixturevalue("quick_start")[1] / "gap_fit.nc")
        if "{zip}" in case.args:
            fill["{zip}"] = str(request.getfixturevalue("hub_zip"))
        args = [fill.get(a, a) for a in case.args]
        out = tmp_path / "out"
        stdout = run_example(case.script, args, out)
    for name in case.files:
        path = out / name
        assert path.is_file(), f"{case.script} did not write {name}; it wrote {os.listdir(out)}"
        if name.endswith(".png"):
            head = path.read_bytes()[:8]
            assert head == PNG and path.stat().st_size > 10_000, f"{name} is not a real figure"
    for pattern in case.output:
        assert re.search(pattern, stdout), f"{case.script}: no match for {pattern!r} in:\n{stdout}"
    if key in CHECKS:
        CHECKS[key](out)


def _check_sources(out: Path) -> None:
    sources = pd.read_csv(out / "sources.csv", index_col="benchmark")
    # every file of the export has a row: 49 benchmark files, kept or left out with why, and
    # the README, provenance, ECI and model-metadata files, read or not read with why
    assert len(sources) == 54
    scores = sources[sources["kind"] == "benchmark scores"]
    assert len(scores) == 49
    assert sources.loc["SuperGLUE", "pairs_kept"] == 0
    assert scores["status"].str.startswith(("kept", "left out")).all()
    others = sources[sources["kind"] != "benchmark scores"]
    assert others["status"].str.startswith(("read", "not read: ")).all()


def _check_compare(out: Path) -> None:
    table = pd.read_csv(out / "compare.csv", parse_dates=["date"])
    methods = ["threshold", "eci", "eci_epoch", "elo", "composite"]
    assert list(dict.fromkeys(table["method"])) == methods
    r1 = table[table["date"] == "2025-01-20"].set_index(["method", "group"])
    assert np.isfinite(r1.loc[("threshold", "all"), "median"])
    assert np.isnan(r1.loc[("eci_epoch", "all"), "lower"])  # Epoch's rule: no interval


def _check_recovery(out: Path) -> None:
    rec = pd.read_csv(out / "recovery.csv")
    assert len(rec) == 5
    np.testing.assert_allclose(rec["true_gap"], 6.0, atol=1e-6)
    assert rec["bayesian"].notna().all()
    assert (rec["bayesian_lower"] <= rec["bayesian_upper"]).all()


CHECKS = {
    "03": _check_sources,
    "03-zip": _check_sources,
    "04": _check_compare,
    "05": _check_recovery,
}


def test_every_example_is_listed_and_documented() -> None:
    """Each script says what it shows, how to run it and how long it takes, takes --out, and
    appears in examples/README.md; each is run above."""
    assert SCRIPTS, "no example scripts found"
    readme = (EXAMPLES / "README.md").read_text()
    assert {c.script for c in CASES.values()} == set(SCRIPTS)
    for name in SCRIPTS:
        source = (EXAMPLES / name).read_text()
        doc = ast.get_docstring(ast.parse(source)) or ""
        for part in ("What it shows", "How to run", "Run time"):
            assert part in doc, f"{name}: docstring lacks {part!r}"
        assert '"--out"' in source, f"{name} takes no --out"
        assert name in readme, f"{name} is not listed in examples/README.md"
