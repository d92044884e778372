"""The report's elicitation section: each fast method's gap under both harness rules, the
Bayesian rows only with the extra fit."""

from __future__ import annotations

import warnings

import irtgap
from irtgap.analyses.elicitation import elicitation_gap
from irtgap.report.context import EXTRA_FITS, ReportContext
from irtgap.report.sections.elicitation import elicitation_section


def test_the_section_states_each_methods_gap_under_both_rules(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sim = irtgap.simulate(
            seed=0,
            hosted_share=0.0,
            density=0.9,
            n_benchmarks=8,
            benchmark_lifetimes=False,
            harness_share=0.5,
            harness_penalty=1.0,
        )
        ctx = ReportContext(sim.data, tmp_path, fast=True, seed=3)
        md = elicitation_section(ctx)
        want = elicitation_gap(sim.data, ["composite", "threshold"], seed=3, fast=True).table
    assert "elicitation" in EXTRA_FITS
    lines = {line.split("|")[1].strip() for line in md.splitlines() if line.startswith("|")}
    assert set(want["method"]) <= lines and "bayesian" not in lines
    # a method that cannot run on these data (ECI's anchor benchmark) is named, with why
    assert "`eci` not computed" in md and "Winogrande" in md
    assert "--extra-fits elicitation" in md
    # the numbers are those of elicitation_gap, in months
    first = want.dropna(subset=["difference"]).iloc[0]
    assert f"{first['difference']:.1f}" in md or f"{first['difference']:.2f}" in md


def test_without_harness_rows_the_section_says_so(tmp_path):
    sim = irtgap.simulate(n_closed=10, n_open=10, n_benchmarks=5, seed=1)
    md = elicitation_section(ReportContext(sim.data, tmp_path, fast=True))
    assert "name no harness" in md
