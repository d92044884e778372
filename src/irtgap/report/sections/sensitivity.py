"""The leave-one-benchmark-out section of ``irtgap report``: which benchmarks drive each gap."""

from __future__ import annotations

import csv
import warnings
from importlib.resources import files
from typing import Any

import pandas as pd

from irtgap.analyses.sensitivity import LoboResult, leave_one_benchmark_out
from irtgap.core import dims as D
from irtgap.methods.registry import get_method
from irtgap.report.context import ReportContext
from irtgap.report.markdown import markdown_table, save_figure

#: The methods of the section (the Bayesian model on request: one MCMC fit per benchmark).
LOBO_METHODS = ("threshold", "eci", "elo", "composite")


def sensitivity_section(ctx: ReportContext, *, bayesian: bool = False, n_jobs: int = -1) -> str:
    """Leave each benchmark out in turn for the threshold, ECI, Elo and composite methods.

    Writes ``lobo_last.png`` and ``lobo_r1.png`` (every benchmark's change of each method's
    median gap at the last common date and at DeepSeek R1's release: the median is the number
    the other sections quote) and returns Markdown with the largest swing per method at both
    dates, of the median and of the mean, and a one-sentence reading. The fits use the
    registry's ``"report_lobo"`` budgets (``"report_lobo_fast"`` with ``ctx.fast``: point fits
    for ECI): one fit per method and benchmark, so fewer resamples than the other sections.

    Parameters
    ----------
    ctx : ReportContext
        The report's context (the Bayesian section's fit is quoted when that section is in the
        report).
    bayesian : bool
        Add the Bayesian model (one short MCMC fit per benchmark it models, about a minute each
        on two cores; not run by default).
    n_jobs : int
        The fits' joblib workers (-1: every core).

    Returns
    -------
    str
        The section's Markdown.
    """
    out_dir = ctx.out_dir
    budget = "report_lobo_fast" if ctx.fast else "report_lobo"
    methods = [*LOBO_METHODS, *(["bayesian"] if bayesian else [])]

    def progress(done: int, total: int, message: str) -> None:
        ctx.say(f"    {message}")

    lobo = ctx.stored(
        "leave-one-benchmark-out",
        lambda: leave_one_benchmark_out(
            ctx.data,
            methods=methods,
            budget=budget,
            seed=ctx.seed,
            n_jobs=n_jobs,
            progress=progress if ctx.log is not None else None,
        ),
        methods=methods,
        lobo_budget=budget,
    )
    fit = ctx.fit().fit if ctx.includes("bayes") else None
    r1, last = lobo.dates[0], lobo.dates[-1]
    last_png = save_figure(lobo.plot(date=last, statistic="median"), out_dir / "lobo_last.png")
    r1_png = save_figure(lobo.plot(date=r1, statistic="median"), out_dir / "lobo_r1.png")
    plan = {m: get_method(m).budget(budget) for m in methods}
    sizes = ", ".join(f"{m} {plan[m].get('n_bootstrap', plan[m].get('draws'))}" for m in methods)
    points = [get_method(m).label for m in methods if plan[m].get("n_bootstrap") == 0]
    return "\n\n".join(
        [
            "## Leave one benchmark out: which benchmarks drive each gap",
            "Each method is run on all the data and then once per benchmark with that "
            "benchmark's scores removed; the change is the gap without the benchmark minus the "
            "gap with every benchmark (months; positive: the gap is longer without it). This is "
            "the criticism levelled at CAISI's Elo reading (a few benchmarks can swing an "
            "aggregate), asked of every method. Leaving a benchmark out also removes models "
            "scored only on it and, for the IRT methods, moves the capability scale; a "
            "benchmark a method never reads is not refitted (no dot in the figures). "
            f"Bootstrap resamples (or posterior draws) per fit: {sizes}"
            + (f" ({', '.join(points)}: point fits, so no interval)" if points else "")
            + ". Groups: "
            + ", ".join(f"{m} `{get_method(m).headline_group}`" for m in methods)
            + ". Dates: DeepSeek R1's release and the last date where every method has data.",
            "### Largest swing per method",
            "For each method and date: the benchmark whose removal changes the gap's median "
            "most (the median is the number the other sections quote), and the one that "
            "changes its mean most (the brief's definition; a mean can sit outside its own "
            "interval when a few bootstrap draws are far out, and then its change mostly says "
            "whether those draws stay); the baseline's 90% interval half-width and the ratio "
            "of the median's swing to it (above 1: one benchmark moves the gap by more than the "
            "method's own uncertainty); and how many of the fits without one of the benchmarks "
            "the method reads gave no number (the fit failed, or fewer than 90% of its draws "
            "define the gap there). The largest swing is over the others, so with many such "
            "fits it is a lower bound. A blank cell: no number there.",
            markdown_table(swing_table(lobo)),
            reading(lobo),
            *_failures(lobo),
            "### How much the answer depends on method, benchmark set and model form",
            dependence(lobo, fit),
            f"![leave one benchmark out, last date]({last_png})",
            f"![leave one benchmark out, DeepSeek R1]({r1_png})",
        ]
    )


def swing_table(lobo: LoboResult) -> pd.DataFrame:
    """The largest swing per method (its headline group) at each date of ``lobo``: one row per
    method and date with the benchmark and change of the median and of the mean, the
    baseline's interval half-width, the median swing's ratio to it, and the fits without a
    number (failed or NaN) out of those run."""
    swings = {
        (when, stat): _headline(lobo.swings(when, statistic=stat))
        for when in lobo.dates
        for stat in ("median", "mean")
    }
    methods = swings[lobo.dates[0], "median"].index
    rows = []
    for method in methods:
        for when in lobo.dates:
            med = swings[when, "median"].loc[method]
            mean = swings[when, "mean"].loc[method]
            rows.append(
                {
                    "method": method,
                    D.DATE: str(pd.Timestamp(when).date()),
                    "benchmark (median)": med["left_out"] or "-",
                    "change (median)": med["change"],
                    "benchmark (mean)": mean["left_out"] or "-",
                    "change (mean)": mean["change"],
                    "half-width": med["half_width"],
                    "ratio (median)": med["ratio"],
                    "no number": f"{med['n_failed'] + med['n_nan']} of {med['n_used']}",
                }
            )
    return pd.DataFrame(rows).set_index("method")


def _headline_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of each method's headline group (:attr:`~irtgap.results.GapResult.headline_group`
    of its registry entry)."""
    heads = {m: get_method(m).headline_group for m in table["method"].unique()}
    return table[table[D.GROUP] == table["method"].map(heads)]


def _headline(swings: pd.DataFrame) -> pd.DataFrame:
    """The rows of each method's headline group, indexed by method."""
    return _headline_rows(swings).set_index("method")


def reading(lobo: LoboResult) -> str:
    """One sentence on the last date: whether any method's median gap moves by more than its
    interval half-width when one benchmark is left out, and which is the most fragile."""
    s = _headline(lobo.swings(statistic="median"))
    s = s[s["ratio"].notna()]
    when = lobo.dates[-1].date()
    if s.empty:
        return f"**Reading:** at {when} no method has both a gap and a swing to compare."
    top = s.loc[s["ratio"].idxmax()]
    big = list(s.index[s["ratio"] > 1])
    names = " and ".join([", ".join(big[:-1]), big[-1]] if len(big) > 1 else big)
    tail = (
        f"leaving out a single benchmark moves the {names} median gap"
        f"{'s' if len(big) > 1 else ''} by more than the baseline interval's half-width"
        if big
        else "no single benchmark moves any method's median gap by more than its interval "
        "half-width"
    )
    return (
        f"**Reading:** at {when}, {tail}; relative to its uncertainty the {top.name} gap is the "
        f"most fragile (without {top['left_out']}: {top['change']:+.1f} months, "
        f"{top['ratio']:.1f} times its half-width of {top['half_width']:.1f})."
    )


#: The committed model-form comparison on the bundled April 2026 export (``docs/model.md``),
#: shipped as ``irtgap/report/data/model_forms.csv`` (its README says how to regenerate a row).
FORMS_FILE = "model_forms.csv"


def load_model_forms() -> tuple[dict[str, tuple[float, ...]], str, dict[str, tuple[float, ...]]]:
    """The forms measured against the 2PL curve, the default's name among them, and the
    variants measured against the default.

    Returns
    -------
    forms : dict
        Per form, ``(ELPD-LOO difference, its SE, move of the median gap at 2026-04-16 private,
        public)`` against the 2PL curve (months).
    default : str
        The form that is the default ``GapModel()``.
    variants : dict
        The same numbers for the variants of the default, against it.
    """
    text = files("irtgap.report").joinpath("data", FORMS_FILE).read_text(encoding="utf-8")
    forms: dict[str, tuple[float, ...]] = {}
    variants: dict[str, tuple[float, ...]] = {}
    default = ""
    for row in csv.DictReader(text.splitlines()):
        numbers = tuple(
            float(row[k]) for k in ("elpd_diff", "elpd_se", "move_private", "move_public")
        )
        (forms if row["against"] == "2PL curve" else variants)[row["form"]] = numbers
        if row["is_default"] == "True":
            default = row["form"]
    return forms, default, variants


#: Per form, (ELPD-LOO difference, SE, median gap move private, public) against the 2PL curve;
#: the default form's name; the default's variants against it (:func:`load_model_forms`).
MODEL_FORMS, DEFAULT_FORM, DEFAULT_VARIANTS = load_model_forms()


def _model_form_text() -> str:
    best = max(MODEL_FORMS, key=lambda k: MODEL_FORMS[k][0])
    d, se, dp, du = MODEL_FORMS[DEFAULT_FORM]
    bd, bse, bp, bu = MODEL_FORMS[best]
    moves = {k: max(abs(v[2]), abs(v[3])) for k, v in MODEL_FORMS.items()}
    others = max(v for k, v in moves.items() if k not in (best, DEFAULT_FORM))
    text = (
        "Model form: on the bundled April 2026 export (`docs/model.md`), the default form, an "
        f"{DEFAULT_FORM} (ELPD-LOO {d:+.1f}, SE {se:.1f}, over the 2PL curve without it), gives "
        f"a median gap at 2026-04-16 longer than the 2PL curve's by {dp:.1f} (private) and "
        f"{du:.1f} months (public)"
    )
    if best != DEFAULT_FORM:
        text += (
            f"; the best-fitting form compared, an {best} ({bd:+.1f}, SE {bse:.1f}), does not "
            f"sample within the diagnostics' limits and moves it by a further {bp - dp:+.1f} "
            f"and {bu - du:+.1f}"
        )
    text += f"; the other forms move the 2PL gap by at most {others:.1f} months"
    variants = "; ".join(
        f"{name} (ELPD-LOO {d:+.1f}, SE {se:.1f}) moves it by {dp:+.2f} and {du:+.2f}"
        for name, (d, se, dp, du) in DEFAULT_VARIANTS.items()
    )
    return text + f". Against the default (private and public): {variants} months"


def dependence(lobo: LoboResult, fit: Any = None) -> str:
    """One paragraph: how far the methods' median gaps lie apart at the last date of ``lobo``,
    how far one benchmark moves each, and (from the committed comparison on the bundled data)
    how far the model form moves the Bayesian gap.

    Parameters
    ----------
    lobo : LoboResult
        The leave-one-benchmark-out result.
    fit : GapFit, optional
        The Bayesian section's fit of the same data: its median gaps (by access) join the
        methods'.

    Returns
    -------
    str
        The paragraph.
    """
    when = lobo.dates[-1]
    base = _headline_rows(lobo.baseline)
    base = base[base[D.DATE] == when]
    medians = dict(zip(base["method"], base["median"], strict=True))
    bayes_text = ""
    if fit is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            g = fit.gap([when], by="access")
        for _, r in g.iterrows():
            medians[f"bayesian {r[D.GROUP]}"] = r["median"]
        bayes_text = " (the Bayesian model's from the fit of the Bayesian section)"
    known = {k: v for k, v in medians.items() if pd.notna(v)}
    missing = sorted(set(medians) - set(known))
    if not known:
        return f"At {when.date()} no method has a median gap to compare."
    lo_m, hi_m = min(known, key=known.__getitem__), max(known, key=known.__getitem__)
    listed = "; ".join(f"{m} {v:.1f}" for m, v in sorted(known.items(), key=lambda kv: kv[1]))
    swings = _headline(lobo.swings(when, statistic="median")).dropna(subset=["change"])
    if swings.empty:
        swing_text = "No fit without a benchmark gave a number to compare."
        max_swing = float("nan")
    else:
        top = swings["change"].abs().idxmax()
        max_swing = float(abs(swings.loc[top, "change"]))
        swing_text = (
            f"Leaving out one benchmark moves a method's median gap by at most {max_swing:.1f} "
            f"months ({top}, without {swings.loc[top, 'left_out']}); per method: "
            + "; ".join(
                f"{m} {abs(r['change']):.1f}" for m, r in swings.sort_values("change").iterrows()
            )
            + "."
        )
    spread = known[hi_m] - known[lo_m]
    if pd.notna(max_swing):
        first, second = (
            ("method", "benchmark set")
            if spread >= max_swing
            else (
                "benchmark set",
                "method",
            )
        )
        verdict = (
            f" On this data the answer depends more on the {first} than on the {second} "
            f"({max(spread, max_swing):.1f} against {min(spread, max_swing):.1f} months)."
        )
    else:
        verdict = ""
    return (
        f"At {when.date()}, the median gaps{bayes_text} run from {known[lo_m]:.1f} months "
        f"({lo_m}) to {known[hi_m]:.1f} ({hi_m}), a spread of {spread:.1f} months: {listed}"
        + (f" (no number: {', '.join(missing)})" if missing else "")
        + f". {swing_text}{verdict} {_model_form_text()} (measured there, not on this data)."
    )


def _failures(lobo: LoboResult) -> list[str]:
    t = lobo.table
    bad = t.loc[t["error"] != "", ["method", "left_out", "error"]].drop_duplicates()
    if bad.empty:
        return []
    lines = [f"- {m} without {b}: {_short(e)}" for m, b, e in bad.itertuples(index=False)]
    return [f"Fits without a benchmark that failed ({len(bad)}; no number):", "\n".join(lines)]


def _short(text: str, limit: int = 160) -> str:
    """An error message cut at ``limit`` characters (the full text is in the LOBO table)."""
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


__all__ = ["dependence", "reading", "sensitivity_section", "swing_table"]
