"""Markdown pieces shared by the report's sections: tables and saved figures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd


def markdown_table(df: pd.DataFrame, floatfmt: str = "{:.2f}") -> str:
    """A DataFrame as a Markdown table (no extra dependency); a missing number is a blank cell
    (the sections say what a blank means: no data there, or too few defined draws)."""
    cols = [str(df.index.name or "")] + [str(c) for c in df.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for idx, row in df.iterrows():
        cells = [str(idx)]
        for v in row:
            if isinstance(v, float):
                cells.append("" if np.isnan(v) else floatfmt.format(v))
            else:
                cells.append(str(v))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def save_figure(fig_or_ax: object, path: Path) -> str:
    """Save a figure (or the figure of an Axes) as a PNG, close it; return the file name."""
    fig = getattr(fig_or_ax, "figure", fig_or_ax)
    fig.savefig(path, dpi=110)  # type: ignore[attr-defined]
    import matplotlib.pyplot as plt

    plt.close(fig)  # type: ignore[arg-type]
    return path.name
