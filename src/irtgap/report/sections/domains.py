"""The gap by domain, and for open models from one country, in ``irtgap report``."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from irtgap.analyses.domains import MIN_IRT_BENCHMARKS, DomainGaps, gap_by_domain
from irtgap.core import dims as D
from irtgap.methods.bayes.domains import DOMAIN_CARRY_MONTHS
from irtgap.methods.bayes.fit import GapFit
from irtgap.methods.bayes.model import GapModel
from irtgap.report.context import FitRun, ReportContext, batch_progress
from irtgap.report.markdown import markdown_table, save_figure

#: The open side of the country comparison (the threshold method's "open from China" variant;
#: the extra fit ``"china"`` of :data:`~irtgap.report.context.EXTRA_FITS`).
COUNTRY = "China"


def _fmt(r: pd.Series) -> str:
    if not np.isfinite(r["median"]):
        return "no number"
    if not (np.isfinite(r["lower"]) and np.isfinite(r["upper"])):
        return f"{r['median']:.1f} (no interval)"
    return f"{r['median']:.1f} ({r['lower']:.1f} to {r['upper']:.1f})"


def domains_section(ctx: ReportContext) -> str:
    """The gap per domain by the threshold, ECI and Elo methods, and the gap for open models
    from :data:`COUNTRY` only (which needs no domains: it is written even when the data have
    none). The Bayesian model's parts are extra fits, made only when asked for
    (``ctx.wants``): ``"domains"`` adds its gap per domain (a fit with open offsets) and each
    benchmark's open offset, ``"china"`` its gap for open models from :data:`COUNTRY`."""
    domain = ctx.data.benchmarks.get(D.DOMAIN)
    if domain is None or domain.isna().all():
        parts = [
            "## The gap by domain",
            "The benchmark metadata have no `domain` column: no gap by domain (give one through "
            "`ScoreData.from_frame(benchmarks=...)`)."
            + (" The extra fit `domains` was not made." if ctx.wants("domains") else ""),
        ]
    elif ctx.wants("domains"):
        parts = _domain_parts(ctx)
    else:
        parts = _methods_parts(ctx)
    parts.append(_country_md(ctx))
    return "\n\n".join(parts)


def _domain_gaps(ctx: ReportContext, run: FitRun | None) -> DomainGaps:
    """:func:`gap_by_domain` of the threshold, ECI and Elo methods, with the Bayesian rows of
    ``run``'s fit when there is one."""

    def split() -> DomainGaps:
        ctx.say("    the other methods per domain")
        return gap_by_domain(
            ctx.data,
            fit=run.fit if run is not None else None,
            fast=ctx.fast,
            seed=ctx.seed,
            n_jobs=2,
            progress=batch_progress(ctx.log, "methods"),
        )

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # every missing number gets a note
        return ctx.stored("gap by domain", split, fit=run.key if run is not None else None)


def _methods_parts(ctx: ReportContext) -> list[str]:
    """The domain split of the threshold, ECI and Elo methods (no Bayesian fit)."""
    gaps = _domain_gaps(ctx, None)
    return [
        "## The gap by domain",
        "The threshold method's trend is split by the domains of its crossing points; ECI and "
        "Elo are refitted on each domain's benchmarks where there are at least "
        f"{MIN_IRT_BENCHMARKS}. The Bayesian model's gap by domain, with each benchmark's open "
        "offset, needs a fit of its own (`GapModel(open_offsets=True)`): `irtgap report "
        "--extra-fits domains` adds it.",
        "### Each domain's gap by method (months, median and 90% interval)",
        markdown_table(gaps.wide()),
        _notes(gaps),
    ]


def _domain_parts(ctx: ReportContext) -> list[str]:
    """The Bayesian gap per domain (the extra fit ``domains``) beside the other methods'."""
    out_dir = ctx.out_dir
    # the default model's fit when it has open offsets, else a fit of its own
    separate = GapModel(open_offsets=True).settings != GapModel().settings
    if separate:
        ctx.say("    extra fit domains: the model with open offsets by domain and benchmark")
    run = ctx.fit(name="domains", open_offsets=True)
    dom_fit, dom_conv = run.fit, (run.convergence if separate else ())
    gaps = _domain_gaps(ctx, run)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # every missing number gets a note
        panels = dom_fit.plot_domains()  # small multiples: an array of Axes of one figure
        small_png = save_figure(panels[0].figure, out_dir / "domains_gap.png")
        forest_png = save_figure(
            dom_fit.plot_open_offsets(months=False), out_dir / "domains_offsets.png"
        )
        offsets = dom_fit.open_offsets()
    parts = [
        "## The gap by domain",
        _intro(dom_fit),
        f"![gap by domain]({small_png})",
        "### Each domain's gap by method (months, median and 90% interval)",
        _domain_text(gaps, dom_fit),
        markdown_table(gaps.wide()),
        _notes(gaps),
        "### Which benchmarks open models over- or under-perform on",
        "Each benchmark's open shift: how open models score there relative to their capability "
        "(the public-benchmark advantage where public, plus the domain's and the benchmark's "
        "offset), in capability units, median and 90% interval; each label gives how many open "
        "models were scored there (with none, the shift is its domain's and the prior's). "
        "Right of 0: open models do better there than their capability says (a shorter gap). "
        f"The shifts are constant in time; the fit `{run.name}` holds them (*The fits*, at the "
        "end of the report: `irtgap.load_result(...).open_offsets()` gives the table, with "
        f"each benchmark's gap in months at {pd.Timestamp(offsets.attrs['date']).date()}).",
        f"![benchmark offsets]({forest_png})",
        _offset_text(offsets),
    ]
    if dom_conv:
        parts.append(f"**Warning (fit with open offsets):** {dom_conv[0]}")
    return parts


def _intro(fit: GapFit) -> str:
    cov = fit.domains()
    thin = cov.index[~cov["enough"]]
    return (
        "Open models get an offset on each benchmark on top of their shared capability: a "
        "domain part (zero-sum over the domains) and a benchmark part, both partially pooled "
        "(`GapModel(open_offsets=True)`). A domain's gap is the gap its modelled benchmarks "
        "show, read only where open models were scored in it (up to "
        f"{DOMAIN_CARRY_MONTHS} months past the last of them). The threshold method's trend "
        "is split by the domains of its crossing points; ECI and Elo are refitted on each "
        f"domain's benchmarks where there are at least {MIN_IRT_BENCHMARKS}."
        + (
            " Too little data for a Bayesian number: "
            + "; ".join(f"{d} ({cov.loc[d, 'reason']})" for d in thin)
            + "."
            if len(thin)
            else ""
        )
    )


def _domain_text(gaps: DomainGaps, fit: GapFit) -> str:
    t = gaps.table[gaps.table["method"] == fit.method]
    largest, smallest = gaps.extremes(fit.method)
    if largest is None or smallest is None:
        return "No domain has a Bayesian number at the last date."
    when = pd.Timestamp(t[D.DATE].iloc[0])
    by = t.set_index(D.DOMAIN)
    lead = t[t["open_ahead"] > 0.5]
    text = (
        f"At {when.date()} the Bayesian gap is largest in **{largest}** "
        f"({_fmt(by.loc[largest])} months)"
    )
    if smallest in set(lead[D.DOMAIN]):
        text += "; open models lead the closed frontier in " + ", ".join(
            f"**{r[D.DOMAIN]}** (in {r['open_ahead']:.0%} of the draws)" for _, r in lead.iterrows()
        )
        return text + "."
    text += f" and smallest in **{smallest}** ({_fmt(by.loc[smallest])})"
    if largest != smallest:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            draws = fit.gap_draws([when], by="domain")
        a = draws.sel({D.GROUP: largest}).to_numpy().ravel()
        b = draws.sel({D.GROUP: smallest}).to_numpy().ravel()
        both = np.isfinite(a) & np.isfinite(b)
        diff = a[both] - b[both]
        if diff.size:
            lo, med, hi = np.quantile(diff, [0.05, 0.5, 0.95])
            text += (
                f"; the difference is {med:.1f} months ({lo:.1f} to {hi:.1f}), positive in "
                f"{np.mean(diff > 0):.0%} of the {both.mean():.0%} of draws where both are "
                "defined"
            )
    return text + "."


def _notes(gaps: DomainGaps) -> str:
    t = gaps.table[gaps.table["note"] != ""]
    if t.empty:
        return ""
    lines = [f"- {r['method']}, {r[D.DOMAIN]}: {r['note']}" for _, r in t.iterrows()]
    return "Where a cell has no number, or no interval:\n\n" + "\n".join(lines)


#: A benchmark is named in the text only if at least this many open models were scored on it.
MIN_OPEN_NAMED = 3


def _offset_text(offsets: pd.DataFrame) -> str:
    t = offsets[offsets["n_open"] >= MIN_OPEN_NAMED].dropna(subset=["median"])
    t = t.sort_values("median")
    if t.empty:
        return ""

    def fmt(rows: pd.DataFrame) -> str:
        return ", ".join(
            f"{b} ({r['median']:+.2f}, {r['lower']:+.2f} to {r['upper']:+.2f}; "
            f"P(> 0) {r['prob_positive']:.2f})"
            for b, r in rows.iterrows()
        )

    return (
        f"Open models do best relative to their capability on {fmt(t.tail(3)[::-1])}, and worst "
        f"on {fmt(t.head(3))} (open shift in capability units, median and 90% interval; "
        f"benchmarks with at least {MIN_OPEN_NAMED} open models scored). In "
        "months at the last date, the shortest and longest gaps a benchmark shows are "
        + _months(offsets)
        + "."
    )


def _months(offsets: pd.DataFrame) -> str:
    t = offsets[offsets["n_open"] >= MIN_OPEN_NAMED].dropna(subset=["gap_median"])
    t = t.sort_values("gap_median")
    if t.empty:
        return "undefined"
    lo, hi = t.iloc[0], t.iloc[-1]
    return (
        f"{t.index[0]} {lo['gap_median']:.1f} ({lo['gap_lower']:.1f} to {lo['gap_upper']:.1f}) and "
        f"{t.index[-1]} {hi['gap_median']:.1f} ({hi['gap_lower']:.1f} to {hi['gap_upper']:.1f})"
    )


def _country_md(ctx: ReportContext) -> str:
    data = ctx.data
    countries = data.models.loc[data.models[D.WEIGHTS] == D.OPEN, D.COUNTRY].dropna()
    if not countries.str.split(",").map(lambda ps: COUNTRY in [p.strip() for p in ps]).any():
        return f"### Open models from {COUNTRY} only\n\nNo open model of the data is from it." + (
            " The extra fit `china` was not made." if ctx.wants("china") else ""
        )
    if not ctx.wants("china"):
        return (
            f"### Open models from {COUNTRY} only\n\nThe Bayesian model refitted with the open "
            f"side restricted to open models from {COUNTRY} is an extra fit: `irtgap report "
            "--extra-fits china` adds it."
        )
    base = ctx.fit().fit
    ctx.say(f"    extra fit china: the model with open models from {COUNTRY} only")
    run = ctx.fit(name="china", open_country=COUNTRY)
    fit, conv = run.fit, run.convergence
    table = _country_table(base, fit)
    n_open = int(fit.design.models[D.WEIGHTS].eq(D.OPEN).sum())
    return "\n\n".join(
        [
            f"### Open models from {COUNTRY} only",
            f"The same model refitted with the open side restricted to the {n_open} open model "
            f"versions from {COUNTRY} (the country column of the data; every closed model "
            "stays), against all open models (the fit of the Bayesian section, or a default "
            "fit). Backward gap in months, median and 90% interval; where the fits are: *The "
            "fits*, at the end of the report.",
            markdown_table(table),
        ]
        + ([f"**Warning ({COUNTRY}-only fit):** {conv[0]}"] if conv else [])
    )


def _country_table(base: GapFit, fit: GapFit) -> pd.DataFrame:
    """The gap by access at DeepSeek R1 and the last common date, all open models against the
    open models of :data:`COUNTRY`."""
    when = [pd.Timestamp("2025-01-20"), min(base.support()[1], fit.support()[1])]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        rows = []
        for label, f in (("all open models", base), (f"open models from {COUNTRY}", fit)):
            g = f.gap(when, by="access")
            for _, r in g.iterrows():
                rows.append(
                    {
                        "open side": label,
                        "group": r[D.GROUP],
                        "date": pd.Timestamp(r[D.DATE]).date(),
                        "gap (months)": _fmt(r),
                    }
                )
    table = pd.DataFrame(rows)
    table.index = pd.Index(
        [f"{g}, {d}" for g, d in zip(table["group"], table["date"], strict=True)]
    )
    table = table.pivot_table(
        index=table.index, columns="open side", values="gap (months)", aggfunc="first"
    )
    table.index.name = None
    table.columns.name = None
    return table
