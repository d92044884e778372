"""The model checks part of the Bayesian section of ``irtgap report``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from irtgap.core import dims as D
from irtgap.methods.bayes.checks import PARETO_K_MAX, ModelChecks
from irtgap.report.markdown import markdown_table, save_figure

#: Power-scaling sensitivity above which a prior is said to matter (ArviZ's default).
PRIOR_THRESHOLD = 0.05


def checks_md(checks: ModelChecks, crossings: pd.DataFrame | None, out_dir: Path) -> str:
    """Markdown for the checks of one fit: LOO, Pareto k, LOO-PIT, predictive checks by group
    and the replicated first crossings.

    Parameters
    ----------
    checks : ModelChecks
        The fit's checks (``GapFit.check()``).
    crossings : pandas.DataFrame or None
        :attr:`irtgap.ThresholdBias.crossings` (None: no replicated crossings).
    out_dir : pathlib.Path
        Where the figures go.

    Returns
    -------
    str
        The Markdown.
    """
    s = checks.summary()
    pit_png = save_figure(checks.plot_pit(), out_dir / "checks_loo_pit.png")
    bench_png = save_figure(checks.plot_ppc(), out_dir / "checks_ppc_benchmark.png")
    max_png = save_figure(
        checks.plot_ppc(grouping="side_access", statistic="max"), out_dir / "checks_ppc_max.png"
    )
    year_png = save_figure(
        checks.plot_ppc(grouping="year", statistic="mean"), out_dir / "checks_ppc_year.png"
    )
    n = int(s["rows"])
    k_rows = checks.pareto_k
    few = checks.pareto_k_plain["n_scores"] <= 3
    loo_text = (
        f"PSIS-LOO over {n} modelled scores: ELPD {s['elpd_loo']:.0f} (SE {s['elpd_loo_se']:.0f}), "
        f"effective parameters {s['p_loo']:.0f}. Plain PSIS is unreliable (Pareto k above "
        f"{PARETO_K_MAX}) for {int(s['k_above_0.7_plain'])} rows, {few.mean():.0%} of them "
        "scores of models with one to three scores, whose capability moves a long way when one "
        "of them is left out; with each model's capability integrated out of those rows "
        f"(integrated LOO), {int(s['k_above_0.7'])} rows ({s['k_above_0.7_share']:.1%}) remain "
        "above it" + (": they are listed below." if len(k_rows) else ".")
    )
    pit_text = (
        f"LOO-PIT: the largest distance of the PIT values' ECDF from uniform is "
        f"{s['pit_ks_distance']:.3f}, against {s['pit_ks_critical_90']:.3f} for the 90% "
        "simultaneous band of a calibrated model (rows treated as independent)."
        + (
            " The predictive distributions are not calibrated at that level: read the figure "
            "(a U shape: too narrow; a hump: too wide; a tilt: biased)."
            if s["pit_ks_distance"] > s["pit_ks_critical_90"]
            else " Inside the band."
        )
    )
    flagged = checks.flagged()
    parts = [
        "### Model checks: does the model reproduce its data?",
        "Every check below uses the fit above, without refitting (`GapFit.check()`).",
        loo_text,
        pit_text,
        f"![LOO-PIT]({pit_png})",
        "Posterior predictive checks: scores replicated from the posterior with the real "
        "pattern of who was scored where. Per group, the observed mean or best score (fraction "
        "of the benchmark's ceiling) against the replicated 90% interval; "
        f"{int(s['ppc_groups_flagged'])} of {int(s['ppc_groups'])} group statistics have a "
        "two-sided posterior predictive p-value below 0.05 (at most about "
        f"{0.05 * s['ppc_groups']:.0f} expected by chance if the model were right: these "
        "p-values are conservative).",
        f"![checks by benchmark]({bench_png})",
        f"![best score by side and access]({max_png})",
        f"![mean score by release year]({year_png})",
    ]
    parts += _flagged_part(flagged) + _priors_part(checks.priors)
    if crossings is not None and len(crossings):
        parts += [
            "Replicated first crossings: the threshold method's accepted crossing points on the "
            "real data against the same statistics on the replicates (`ppp` near 0 or 1: the "
            "model does not reproduce what the threshold method reads from the data).",
            markdown_table(_crossings_frame(crossings)),
        ]
    if len(k_rows):
        show = k_rows.head(15).copy()
        show[D.DATE] = pd.to_datetime(show[D.DATE]).dt.date
        show = show.set_index(D.MODEL)
        parts += [
            f"Rows still above Pareto k {PARETO_K_MAX} after integration (worst 15):",
            markdown_table(show),
        ]
    return "\n\n".join(parts)


def _flagged_part(flagged: pd.DataFrame) -> list[str]:
    """The group statistics outside their replicated distribution (the worst 15)."""
    if not len(flagged):
        return []
    show = flagged.head(15)[
        ["grouping", "level", "statistic", "n", "observed", "lower", "upper", "ppp"]
    ].set_index(["grouping", "level", "statistic"])
    show["n"] = show["n"].astype(int).astype(str)  # a count, printed without decimals
    show.index = [" / ".join(map(str, i)) for i in show.index]
    return [
        "Group statistics outside their replicated distribution (worst 15):",
        markdown_table(show),
    ]


def _priors_part(priors: pd.DataFrame) -> list[str]:
    """Prior and likelihood sensitivity by power-scaling, per prior."""
    if not len(priors):
        return []
    worst = priors.groupby("prior")["prior_sensitivity"].max().sort_values(ascending=False)
    strong = list(worst.index[worst > PRIOR_THRESHOLD])
    return [
        "Prior sensitivity (power-scaling each top-level prior, no refits): the largest "
        "change it makes to the gap at DeepSeek R1's release or to the frontiers' distance "
        f"at the last date, per prior (above {PRIOR_THRESHOLD}: the prior matters). "
        + (
            f"Above the threshold: {', '.join(strong)}."
            if strong
            else "Every prior is below the threshold: the data, not the priors, set the gap."
        )
        + " Likelihood sensitivity of the same quantities: "
        f"{priors['likelihood_sensitivity'].min():.2f}-"
        f"{priors['likelihood_sensitivity'].max():.2f}"
        + (
            " (the data inform them)."
            if priors["likelihood_sensitivity"].min() > PRIOR_THRESHOLD
            else " (some are barely informed by the data)."
        )
        + f" Quantities: {', '.join(sorted(priors['quantity'].unique()))}.",
        markdown_table(worst.to_frame("largest prior sensitivity"), floatfmt="{:.3f}"),
    ]


def _crossings_frame(crossings: pd.DataFrame) -> pd.DataFrame:
    t = crossings.copy()
    t.index = [f"{g}: {s}" for g, s in zip(t[D.GROUP], t["statistic"], strict=True)]
    cols: list[Any] = ["observed", "replicated", "lower", "upper", "ppp"]
    return t[cols]
