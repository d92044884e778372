"""One row of ``src/irtgap/report/data/model_forms.csv`` from a two-form run of run_forms.py.

Run: ``python studies/forms/forms_summary.py OUT --label LABEL --against AGAINST
[--default]``, where ``OUT`` is the ``--out`` folder of ``python studies/forms/run_forms.py
REFERENCE FORM --out OUT`` (the form measured against first). Prints the CSV row: the ELPD-LOO
difference of ``FORM`` from ``REFERENCE`` and its standard error (ArviZ's comparison of the two,
``compare.csv``) and the change of the median gap at the last date, private and public
(``forms.csv``), in months.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from pathlib import Path

import pandas as pd


def _median(cell: str) -> float:
    """The median of a ``"5.88 (3.70, 7.54)"`` cell of forms.csv."""
    match = re.match(r"\s*(-?[\d.]+)", str(cell))
    if match is None:
        raise ValueError(f"not a gap cell: {cell!r}")
    return float(match.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path, help="the --out folder of a two-form run")
    parser.add_argument("--label", required=True, help="the form's name in the report")
    parser.add_argument("--against", required=True, help="'2PL curve' or 'default'")
    parser.add_argument("--default", action="store_true", help="the form is the default")
    args = parser.parse_args()
    forms = pd.read_csv(args.out / "forms.csv", index_col="form")
    if len(forms) != 2:
        parser.error(f"{args.out / 'forms.csv'} has {len(forms)} forms; run exactly two")
    reference, form = forms.index
    cmp = pd.read_csv(args.out / "compare.csv", index_col=0)
    diff = float(cmp.loc[form, "elpd"] - cmp.loc[reference, "elpd"])
    se = float(cmp["dse"].max())  # two models: the SE of their difference
    last = sorted(c for c in forms.columns if c.startswith("private "))[-1].split(" ", 1)[1]
    moves = [
        _median(forms.loc[form, f"{g} {last}"]) - _median(forms.loc[reference, f"{g} {last}"])
        for g in ("private", "public")
    ]
    csv.writer(sys.stdout).writerow(
        [
            args.label,
            args.against,
            f"{diff:.1f}",
            f"{se:.1f}",
            f"{moves[0]:.2f}",
            f"{moves[1]:.2f}",
            args.default,
            form,
        ]
    )


if __name__ == "__main__":
    main()
