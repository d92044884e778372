"""Checks of the long score table a user gives: the requested columns, the weights (open /
closed) labels, and whether the model x benchmark graph is one piece."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from irtgap.core import dims as D
from irtgap.core.errors import ScoreDataError
from irtgap.core.options import show_values as _show

#: Labels read as missing weights (rows dropped with a warning).
MISSING_WEIGHTS = frozenset({"", "unknown", "nan", "none", "n/a", "na"})
#: Accessibility labels (case-insensitive) and the side they map to.
WEIGHTS_LABELS: Mapping[str, str] = {
    "open": D.OPEN,
    "open weights": D.OPEN,
    "open-weights": D.OPEN,
    "open weights (unrestricted)": D.OPEN,
    "open weights (restricted use)": D.OPEN,
    "open weights (non-commercial)": D.OPEN,
    "closed": D.CLOSED,
    "closed weights": D.CLOSED,
    "proprietary": D.CLOSED,
    "api access": D.CLOSED,
    "hosted access (no api)": D.CLOSED,
    "unreleased": D.CLOSED,
}


def require_columns(df: pd.DataFrame, spec: Mapping[str, str]) -> None:
    """Raise naming every requested column that ``df`` lacks, or holds more than once.

    Parameters
    ----------
    df : pandas.DataFrame
        The user's table.
    spec : mapping of str to str
        Role (``model``, ``score``...) to the column name given for it.
    """
    missing = []
    for role, col in spec.items():
        try:
            present = col in df.columns
        except TypeError:  # an unhashable column name
            present = False
        if not present:
            missing.append(f"{col!r} ({role})")
    if missing:
        raise ScoreDataError(
            f"missing column(s): {', '.join(missing)}; the frame has {_show(df.columns, 20)}"
        )
    repeated = [f"{col!r} ({role})" for role, col in spec.items() if (df.columns == col).sum() > 1]
    if repeated:
        raise ScoreDataError(
            f"column(s) {', '.join(repeated)} appear more than once in the frame; rename or drop "
            "the copies so that each role has one column"
        )


def parse_weights(values: pd.Series, *, column: str) -> pd.Series:
    """Map weights / accessibility labels to ``open`` / ``closed``; missing labels to NA.

    Parameters
    ----------
    values : pandas.Series
        The raw column; its index labels name the rows in messages.
    column : str
        The column's name, for messages.

    Returns
    -------
    pandas.Series
        ``string`` dtype: ``open``, ``closed`` or NA.
    """
    text = values.astype("string").str.strip().str.lower()
    missing = text.isna() | text.isin(MISSING_WEIGHTS)
    mapped = text.map(lambda v: WEIGHTS_LABELS.get(v) if isinstance(v, str) else None)
    bad = mapped.isna() & ~missing
    if bad.any():
        raise ScoreDataError(
            f"column {column!r} (weights) has unknown labels {_show(values[bad].unique(), 6)} in "
            f"rows {_show(values.index[bad])}; use 'open' / 'closed' or Epoch's accessibility "
            "labels ('Open weights (...)', 'API access', 'Hosted access (no API)', 'Unreleased')"
        )
    return mapped.astype("string")


def benchmark_components(table: pd.DataFrame) -> list[dict[str, list[str]]]:
    """Connected pieces of the bipartite model x benchmark graph, largest first."""
    mcode, models = pd.factorize(table[D.MODEL])
    bcode, benches = pd.factorize(table[D.BENCHMARK])
    nm, nb = len(models), len(benches)
    graph = sp.coo_matrix((np.ones(len(table)), (mcode, nm + bcode)), shape=(nm + nb, nm + nb))
    n, labels = connected_components(graph, directed=False)
    pieces = [
        {
            "models": sorted(str(m) for m in models[labels[:nm] == k]),
            "benchmarks": sorted(str(b) for b in benches[labels[nm:] == k]),
        }
        for k in range(n)
    ]
    return sorted(pieces, key=lambda p: -(len(p["models"]) + len(p["benchmarks"])))
