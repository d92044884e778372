"""How far each fast method's gap moves between the best harness and a reference harness, on the
bundled April 2026 export (Epoch AI, CC-BY 4.0), with the inventory of harnesses and efforts.

Writes to ``docs/elicitation/``:

- ``harnesses.csv``: per benchmark whose file names a harness, how it is read, the rows kept,
  the harness labels, the versions scored under several;
- ``terminal_bench_agents.csv``: per Terminal-Bench agent, the versions scored under it (open,
  closed) and those also scored under Terminus 2;
- ``efforts.csv``: per effort label, the versions, scores and effort groups;
- ``gap_moves.csv`` and ``gap_moves.md``: per reference rule, method and date, the median gap
  under ``"best"`` and under the rule, and their paired difference with its 90% interval
  (:func:`irtgap.elicitation_gap`, seed 0).

The rules: Terminal-Bench under Terminus 2 with the versions lacking it dropped from
Terminal-Bench (``tb_drop``) or kept at their best agent (``tb_best``), and every benchmark with
several harnesses under its most common named one, versions lacking it dropped
(``reference``). Run ``python studies/elicitation/run_elicitation.py`` (the library's full
budgets: 5,000 / 500 / 200 / 1,000 resamples; ``--fast`` for 100 each).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import pandas as pd

import irtgap
from irtgap.data import elicitation as E
from irtgap.report.markdown import markdown_table

ROOT = Path(__file__).resolve().parents[2]
RULES = {
    "tb_drop": ({"Terminal Bench": "Terminus 2"}, "drop"),
    "tb_best": ({"Terminal Bench": "Terminus 2"}, "best"),
    "reference": ("reference", "drop"),
}


def inventory(data: irtgap.ScoreData) -> dict[str, pd.DataFrame]:
    """The harness and effort tables of the bundled data."""
    src = data.describe(by="source")
    cols = [
        "harness_read",
        "rows_loaded",
        "harness_runs_merged",
        "harness_rows_kept",
        "harness_labels",
        "harness_pairs_several",
        "pairs_kept",
    ]
    harnesses = src.loc[src["harness_read"] != "none named (default)", cols]
    rows = data.elicitation
    tb = rows[rows["benchmark"] == "Terminal Bench"]
    with_t2 = set(tb.loc[tb["harness"] == "Terminus 2", "model"])
    agents = tb.groupby("harness").agg(
        versions=("model", "nunique"),
        open=("weights", lambda w: int((w == "open").sum())),
        closed=("weights", lambda w: int((w == "closed").sum())),
        also_terminus_2=("model", lambda m: len(set(m) & with_t2)),
    )
    agents = agents.sort_values(["versions", "open"], ascending=False)
    models = data.scores.drop_duplicates("model").set_index("model")
    per_model = data.scores.groupby("model").size()
    table = E.effort_table(models.index.to_series())
    table["scores"] = per_model.reindex(table.index).to_numpy()
    efforts = table.groupby("effort").agg(
        versions=("scores", "size"), scores=("scores", "sum"), groups=("effort_base", "nunique")
    )
    efforts = efforts.sort_values("versions", ascending=False)
    return {"harnesses": harnesses, "terminal_bench_agents": agents, "efforts": efforts}


def gap_moves(data: irtgap.ScoreData, fast: bool) -> pd.DataFrame:
    """The table of :func:`irtgap.elicitation_gap` under each rule of :data:`RULES`."""
    parts = []
    for name, (reference, missing) in RULES.items():
        t0 = time.time()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = irtgap.elicitation_gap(data, reference=reference, missing=missing, fast=fast)
        sel = res.selection
        print(
            f"{name}: {res.rule}; pairs {sel['n_pairs']}, dropped {sel['n_pairs_dropped']}, "
            f"at best {sel['n_pairs_fallback']} ({time.time() - t0:.0f} s)",
            flush=True,
        )
        parts.append(
            res.table.assign(
                rule=name,
                pairs=sel["n_pairs"],
                pairs_dropped=sel["n_pairs_dropped"],
                pairs_at_best=sel["n_pairs_fallback"],
            )
        )
    return pd.concat(parts, ignore_index=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--fast", action="store_true", help="100 resamples per method")
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "elicitation")
    args = p.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = irtgap.load_dataset()
    for name, table in inventory(data).items():
        table.to_csv(args.out / f"{name}.csv")
    moves = gap_moves(data, args.fast)
    moves.to_csv(args.out / "gap_moves.csv", index=False, float_format="%.3f")
    show = moves.assign(date=moves["date"].dt.date.astype(str)).set_index("rule")
    cols = ["method", "date", "best", "reference", "difference", "lower", "upper"]
    budget = "fast (100 resamples)" if args.fast else "full"
    text = (
        "Median gap in months under the best harness and under the reference rule, and their "
        f"paired difference (reference minus best) with its 90% interval; {budget} budgets, "
        "seed 0. Written by `benchmarks/elicitation/run_elicitation.py`.\n\n"
        + markdown_table(show[cols])
        + "\n"
    )
    (args.out / "gap_moves.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
