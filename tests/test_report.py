"""The command line and the report (overview section; the Bayesian section runs in slow tests)."""

from __future__ import annotations

import re
import warnings

import pandas as pd
import pytest

import irtgap
from irtgap.cli import main
from irtgap.report import build as report
from irtgap.report.build import write_report
from irtgap.report.cache import CACHE_ENV


@pytest.fixture(autouse=True)
def _own_cache_dir(tmp_path, monkeypatch):
    """No test writes to the user's fit cache."""
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "fit-cache"))


def test_cli_report_date_sets_the_date_of_its_first_lines(tmp_path, capsys):
    argv = ["report", "--out", str(tmp_path), "--sections", "overview", "--quiet"]
    assert main([*argv, "--date", "2026-05-01"]) == 0
    assert "**The gap on 2026-05-01:**" in (tmp_path / "report.md").read_text()
    with pytest.raises(SystemExit) as err:
        main([*argv, "--date", "May first"])
    assert err.value.code == 2
    assert "--date='May first' is not a date" in capsys.readouterr().err


def test_cli_report_overview_on_bundled_data(tmp_path):
    rc = main(["report", "--out", str(tmp_path), "--sections", "overview", "--quiet"])
    assert rc == 0
    md = (tmp_path / "report.md").read_text()
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md)
    assert {"coverage.png", "scores_over_time.png"} <= set(links)
    for name in links:
        png = (tmp_path / name).read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
    assert "3335 raw rows" in md and "54 had no release date" in md and "758 repeated" in md
    assert "to 2026-04-16" in md  # the April 2026 export is the default
    assert "Rows read and dropped, per file of the export" in md
    assert "| SuperGLUE | superglue_external.csv |" in md  # left out, with its reason
    assert "claude-opus-4-7_xhigh" in md  # newest closed model
    assert "## The fits" not in md  # no section fitted


def test_cli_report_method_sections_fast(tmp_path, capsys):
    """Every section but the Bayesian one (which needs MCMC: slow test below), short runs, with
    progress lines per section and per bootstrap batch on stderr."""
    argv = ["report", "--out", str(tmp_path), "--sections", "threshold,scores", "--fast"]
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert "writing section scores" in err and "scores done in" in err
    assert "ECI bootstrap refits: 50/50" in err and "Elo bootstrap refits: 50/50" in err
    md = (tmp_path / "report.md").read_text()
    assert "failed" not in md.lower()
    assert "## Threshold method" in md and "## ECI-style" in md
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md)
    assert {"threshold_gaps.png", "eci_capabilities.png", "elo_capabilities.png"} <= set(links)
    for name in links:
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"
    assert re.search(r"\| eci_epoch \| 2025-01-20 \| \d+\.\d+ \|", md)
    assert not re.search(r"\bnan\b", md)  # a missing number is a blank cell, as the sections say
    assert re.search(r"\| eci_epoch \| 2025-01-20 \| \d+\.\d+ \|  \|  \|", md)


def test_cli_report_on_the_november_2025_snapshot_by_name(tmp_path):
    argv = ["report", "--out", str(tmp_path), "--sections", "overview", "--quiet"]
    assert main([*argv, "--dataset", "epoch-2025-11"]) == 0
    md = (tmp_path / "report.md").read_text()
    assert "2525 raw rows" in md and "81 had no release date" in md and "589 repeated" in md
    assert "per file of the export" not in md  # a tidy table has no files


def test_cli_bad_data_exits_2_with_message(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("model_version,benchmark,score\nm,b,0.5\n")
    rc = main(["report", "--out", str(tmp_path / "out"), "--data", str(bad), "--quiet"])
    assert rc == 2
    err = capsys.readouterr().err
    assert "missing column" in err and "release_date" in err


def test_failed_section_is_reported_not_fatal(tmp_path, monkeypatch):
    def boom(ctx):
        raise RuntimeError("no such section")

    monkeypatch.setattr(report, "SECTIONS", [*report.SECTIONS[:1], ("boom", boom)])
    with pytest.warns(RuntimeWarning, match="boom"):
        rc = main(["report", "--out", str(tmp_path), "--sections", "overview,boom", "--quiet"])
    assert rc == 1  # the report is written, but the command says it is incomplete
    text = (tmp_path / "report.md").read_text()
    assert "This section failed" in text and "## The data" in text


def test_benchmarks_without_data_is_refused(tmp_path, capsys):
    meta = tmp_path / "meta.csv"
    meta.write_text("benchmark,access\nX,public\n")
    with pytest.raises(SystemExit) as exc:
        main(["report", "--out", str(tmp_path), "--benchmarks", str(meta)])
    assert exc.value.code == 2
    assert "--benchmarks describes the benchmarks of --data" in capsys.readouterr().err


def test_cli_corrupt_hub_export_is_a_clean_error(tmp_path, capsys):
    bad = tmp_path / "benchmark_data.zip"
    bad.write_bytes(b"PK\x03\x04" + b"\x00" * 100)  # looks like a zip, is not one
    rc = main(["report", "--out", str(tmp_path / "o"), "--hub", str(bad), "--quiet"])
    assert rc == 2
    assert "irtgap: error:" in capsys.readouterr().err


def test_unknown_section_is_an_error(tmp_path, capsys):
    assert main(["report", "--out", str(tmp_path), "--sections", "nope"]) == 2
    assert "unknown report section" in capsys.readouterr().err


@pytest.mark.slow
def test_bayes_and_domains_sections_on_real_data_fast(tmp_path):
    """The Bayesian and the domains sections end to end on the bundled data (short MCMC
    runs), with the domains extra fit and the fits saved; the domains section reuses the
    Bayesian section's fit for all open models, and a second context reads the fits from the
    cache. (The China-only extra fit is tested with prior draws in tests/test_report_cache.py.)"""
    from irtgap.report.cache import FitCache
    from irtgap.report.context import ReportContext

    out = tmp_path / "out"
    argv = ["report", "--out", str(out), "--sections", "bayes,domains", "--fast", "--quiet"]
    rc = main([*argv, "--extra-fits", "domains", "--save-fits"])
    assert rc == 0
    text = (out / "report.md").read_text()
    assert "Bayesian IRT gap model" in text
    assert "winner's-curse bias" in text
    for png in ("bayes_gap.png", "bayes_frontier.png", "bayes_terms.png", "threshold_bias.png"):
        assert (out / png).stat().st_size > 10_000
    # the model checks: LOO, LOO-PIT, predictive checks, replicated crossings; the fit is saved
    assert "Model checks" in text and "PSIS-LOO over" in text and "LOO-PIT" in text
    assert "Replicated first crossings" in text
    # the three readings: threshold, model-based threshold, Bayesian, with P(grew)
    assert "### Three readings of the gap (months)" in text
    assert "P(grew), model-based threshold" in text and "On private benchmarks at" in text
    assert "| private at 2025-01-20 |" in text and "datetime" not in text
    for png in ("checks_loo_pit.png", "checks_ppc_benchmark.png", "checks_ppc_max.png"):
        assert (out / png).stat().st_size > 10_000
    fit = irtgap.load_result(out / "gap_fit.nc")
    assert fit.method == "bayesian"
    # the domains section: small multiples, offsets forest, a row per domain and method,
    # the extremes named; the China-only fit was not asked for, and the report says how to add it
    assert "## The gap by domain" in text and "the Bayesian gap is largest in" in text
    assert "`irtgap report --extra-fits china` adds it" in text
    for png in ("domains_gap.png", "domains_offsets.png"):
        assert (out / png).stat().st_size > 10_000
    dom = irtgap.load_result(out / "gap_fit_domains.nc")
    assert dom.settings.open_offsets
    # where the fits are: two, sampled, cached in the cache folder
    assert text.count("| sampled |") == 2 and str(tmp_path / "fit-cache") in text
    again = ReportContext(
        fit.data, tmp_path, fast=True, seed=0, fit_cache=FitCache(tmp_path / "fit-cache")
    )
    run = again.fit()
    assert run.source == "cache"
    assert run.fit.summary().equals(fit.summary())


def test_diagnostics_table_keeps_rhat_precision_and_integer_counts():
    """R-hat 1.008 must not print as 1.01 (the limit); counts print without decimals."""
    from irtgap.report.markdown import markdown_table as _table
    from irtgap.report.sections.bayes import _diagnostics_frame

    diag = pd.Series(
        {"max_rhat": 1.0084, "min_ess_bulk": 984.72, "gap_max_rhat": float("nan"), "divergences": 3}
    )
    text = _table(_diagnostics_frame(diag))
    assert "| max_rhat | 1.008 |" in text
    assert "| min_ess_bulk | 985 |" in text
    assert "| gap_max_rhat | n/a |" in text
    assert "| divergences | 3 |" in text


def test_sections_are_imported_functions_that_take_the_context():
    import inspect

    for name, section in report.SECTIONS:
        assert callable(section), name
        assert next(iter(inspect.signature(section).parameters)) == "ctx", name


def test_context_computes_each_result_and_fit_once_whatever_the_section_order(
    tmp_path, monkeypatch
):
    """Results and fits are kept by what they are: a second section asking for the same one
    gets the same object; the sampler runs once per model; a failure is kept, not refitted."""
    from irtgap.methods.bayes.model import GapModel
    from irtgap.report.context import ReportContext

    sim = irtgap.simulate(n_closed=15, n_open=15, n_benchmarks=5, seed=2)
    ctx = ReportContext(sim.data, tmp_path, fast=True, seed=1)
    first = ctx.result("composite", n_benchmarks=3, since="2022-01-01", min_coverage=0.5)
    again = ctx.result("composite", n_benchmarks=3, since="2022-01-01", min_coverage=0.5)
    assert first is again and first.settings.n_bootstrap == 50  # the report_fast budget
    other = ctx.result("composite", n_benchmarks=4, since="2022-01-01", min_coverage=0.5)
    assert other is not first
    calls = []

    def fake_fit(self, data, **kwargs):
        calls.append((self.settings.open_offsets, kwargs["draws"], kwargs["chains"]))
        raise RuntimeError("sampler down")

    monkeypatch.setattr(GapModel, "fit", fake_fit)
    for _ in range(2):
        with pytest.raises(RuntimeError, match="sampler down"):
            ctx.fit()
    with pytest.raises(RuntimeError):
        ctx.fit(open_offsets=True)
    assert calls == [(False, 150, 2), (True, 150, 2)]


@pytest.mark.slow
def test_backtest_section_is_opt_in_and_reports_revisions(tmp_path):
    """Not among the default sections; named, it refits the fast methods at past cutoffs and
    writes their revisions, coverage and the threshold method's vintages."""
    from irtgap.report.build import OPTIONAL_SECTIONS, SECTIONS

    assert "backtest" not in dict(SECTIONS) and "backtest" in dict(OPTIONAL_SECTIONS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = irtgap.load_dataset()
        path = write_report(data, tmp_path, sections=["backtest"], fast=True, cache=False)
    text = path.read_text()
    assert "## Backtest" in text and "revision RMSE" in text
    assert "(2025-07-01, 2025-10-01;" in text  # two quarter starts ending six months before
    # the data's end (2026-04-16)
    for method in ("threshold", "eci", "elo", "composite"):
        assert f"| {method} | nowcast |" in text
    assert (tmp_path / "backtest_vintages.png").stat().st_size > 10_000
    assert "release dates, not evaluation dates" in text
