"""The benchmark registry: what irtgap knows about each benchmark that score files do not say.

Shipped as ``irtgap/data/bundled/benchmark_registry.csv``, one row per benchmark (per file of an
Epoch AI Benchmarking Hub export). Columns:

``benchmark``
    Name, as Epoch AI spells it (``GPQA diamond``, ``FrontierMath-2025-02-28-Private``, ...).
``file``
    The export's CSV holding its scores (``gpqa_diamond.csv``).
``score_column``
    The column of that file holding the score. Declared, never guessed: files carry several numeric
    columns (sub-scores, standard errors, costs).
``scale``
    The unit of ``score_column`` in the file: ``fraction`` (0-1), ``percent`` (0-100, divided by
    100), ``score_0_10`` (a 0-10 grade, divided by 10), or a unit that is not a fraction:
    ``minutes`` (METR time horizon) or ``elo`` (an arena rating). The first three load as
    fractions; the others keep their unit and the IRT methods leave them out with a message.
``random_baseline``, ``ceiling``
    Score of a random guess and the best possible score, as fractions (blank for non-fractions).
``n_items``
    Optional: the number of items a score is the share of (whole, at least 10 for the Bayesian
    model). The Bayesian model then reads scores to half an item (a perfect 15/15 says only that
    the share is above 0.967). Blank in the shipped registry: the export does not state the
    items and epochs behind each score.
``access``
    ``public`` (test items downloadable: contamination and hill-climbing possible) or ``private``.
``access_source``
    Which rule set the access label: ``ihle-2026`` (the classification of "How far behind are open
    models?", H. T. Ihle, 2026) or ``test-set-availability`` (private only when the test set is not
    downloadable).
``domain``
    One of :data:`DOMAINS`.
``superseded_by``
    A newer benchmark replacing this one: its scores are dropped for models scored on the newer one.
``run_by``
    ``epoch`` (Epoch AI ran the evaluation) or ``external`` (a leaderboard or a paper).
``in_eci``
    Whether Epoch AI's Capabilities Index uses the benchmark (its
    ``additional_eci_data/eci_benchmark_difficulties_and_slopes.csv``).
``release_date``
    The benchmark's release (blank where Epoch leaves it blank).
``notes``
    Anything a reader should know (e.g. a column named ``%`` that holds fractions).
``harness``
    How the file names the harness a score was run under (:mod:`irtgap.data.elicitation`):
    ``agent:<column>`` (the agent in that column: Terminal-Bench's ``Agent``, GSO-Bench's and
    PostTrainBench's ``Scaffold``), ``agent_prefix:<column>`` (the agent before ``" + "``: The
    Agent Company's ``Name``), ``steps:<column>`` (the step budget: OSWorld's ``Agent``,
    ``"... (100 steps)"``), ``shots:<column>`` (the number of shots of the older
    question-answering suites' ``Shots``), ``fixed:<label>`` (one harness for the whole file: the
    two SWE-bench Verified files, Epoch AI's own run and the bash-only leaderboard), or blank
    (the file names none: every row ``default``).
``stderr_column``
    Optional: the file's column holding each score's standard error, as Epoch AI reports it (its
    own runs, HLE, BALROG), in the unit of ``score_column``. The loader summarises it per
    benchmark as ``stderr_items`` (:func:`stderr_items`), the item count whose binomial noise
    matches it. Blank where a file has none, or where its standard error is not of the score
    (WeirdML's is across repeated runs, APEX-Agents' in another unit).

Users extend or override it with a DataFrame of the same columns (any subset beyond ``benchmark``):
:func:`merge_registry` lays their rows over the shipped ones, by benchmark name.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from typing import Final

import numpy as np
import pandas as pd

from irtgap.core.benchmark_meta import check_item_counts
from irtgap.core.errors import ScoreDataError
from irtgap.data.elicitation import parse_harness_rule

#: Domains of the registry: a small fixed taxonomy.
DOMAINS: Final = {
    "math": "mathematics: competition and research problems (GSM8K to FrontierMath)",
    "coding-agents": "software engineering, terminal and computer use, long-horizon agents",
    "knowledge-qa": "knowledge and question answering, standard reasoning suites (MMLU, GPQA, HLE)",
    "language": "language understanding and commonsense (HellaSwag, Winogrande, PIQA, ANLI)",
    "reasoning-ood": "abstract or out-of-distribution reasoning (ARC-AGI, WeirdML, SimpleBench)",
    "long-context-writing": "long-context comprehension and creative writing",
    "multimodal": "images, video and visual physics",
}
#: Scales of a file's score column and the factor that turns them into fractions.
SCALE_FACTORS: Final = {"fraction": 1.0, "percent": 0.01, "score_0_10": 0.1}
#: Scales kept in their own unit (not fractions).
OTHER_SCALES: Final = ("minutes", "elo")
#: Columns of the registry, in order.
COLUMNS: Final = (
    "benchmark",
    "file",
    "score_column",
    "scale",
    "random_baseline",
    "ceiling",
    "n_items",
    "access",
    "access_source",
    "domain",
    "superseded_by",
    "run_by",
    "in_eci",
    "release_date",
    "notes",
    "harness",
    "stderr_column",
)
_CHOICES: Final = {
    "scale": (*SCALE_FACTORS, *OTHER_SCALES),
    "access": ("public", "private", "unknown"),
    "access_source": ("ihle-2026", "test-set-availability", "user"),
    "domain": tuple(DOMAINS),
    "run_by": ("epoch", "external"),
}


def read_registry() -> pd.DataFrame:
    """The shipped registry, one row per benchmark (see the module docstring for the columns).

    Examples
    --------
    >>> from irtgap.data.registry import read_registry
    >>> reg = read_registry()
    >>> reg.loc["GPQA diamond", ["file", "access", "domain"]].tolist()
    ['gpqa_diamond.csv', 'public', 'knowledge-qa']
    """
    return _shipped().copy()


@lru_cache(maxsize=1)
def _shipped() -> pd.DataFrame:
    path = files("irtgap.data") / "bundled" / "benchmark_registry.csv"
    with path.open("rb") as fh:
        reg = pd.read_csv(
            fh,
            dtype={
                "superseded_by": "string",
                "notes": "string",
                "harness": "string",
                "stderr_column": "string",
            },
        )
    return validate_registry(reg, origin="the shipped registry")


def validate_registry(reg: pd.DataFrame, *, origin: str) -> pd.DataFrame:
    """Check a registry (or a user's override of it) and index it by benchmark."""
    if not isinstance(reg, pd.DataFrame):
        raise ScoreDataError(f"{origin}: expected a pandas DataFrame, got {type(reg).__name__}")
    reg = reg.copy()
    if "benchmark" in reg.columns:
        reg = reg.set_index("benchmark")
    if reg.index.name != "benchmark":
        raise ScoreDataError(f"{origin}: needs a 'benchmark' column (or index)")
    reg.index = reg.index.astype("string").str.strip()
    dup = reg.index[reg.index.duplicated()].unique()
    if len(dup):
        raise ScoreDataError(f"{origin} repeats benchmark(s) {list(dup)}: one row per benchmark")
    unknown = [c for c in reg.columns if c not in COLUMNS]
    if unknown:
        raise ScoreDataError(
            f"{origin} has unknown column(s) {unknown}; registry columns are {list(COLUMNS[1:])}"
        )
    for col, allowed in _CHOICES.items():
        if col not in reg.columns:
            continue
        val = reg[col].astype("string").str.strip()
        bad = val.notna() & ~val.isin(list(allowed))
        if bad.any():
            raise ScoreDataError(
                f"{origin}: column {col!r} has {sorted(set(val[bad]))} for benchmark(s) "
                f"{list(reg.index[bad])}; allowed: {list(allowed)}"
            )
        reg[col] = val
    if "in_eci" in reg.columns:
        reg["in_eci"] = reg["in_eci"].map(_as_bool).astype("boolean")
    for col in ("random_baseline", "ceiling"):
        if col in reg.columns:
            num = pd.to_numeric(reg[col], errors="coerce")
            bad = num.isna() & reg[col].notna()
            if bad.any():
                raise ScoreDataError(
                    f"{origin}: column {col!r} is not a number for {list(reg.index[bad])}"
                )
            reg[col] = num
    if "n_items" in reg.columns:
        try:
            reg["n_items"] = check_item_counts(reg["n_items"])
        except ScoreDataError as err:
            raise ScoreDataError(f"{origin}: {err}") from None
    if "harness" in reg.columns:
        _check_harness_rules(reg, origin)
    return reg


#: Fewest standard errors of a benchmark that :func:`stderr_items` summarises.
MIN_STDERR_ROWS: Final = 5


def stderr_items(scores: pd.Series, stderr: pd.Series) -> tuple[float, int]:
    r"""The item count whose binomial noise matches a benchmark's reported standard errors.

    :math:`\hat n = \operatorname{median}_i\, y_i (1 - y_i) / s_i^2` over the rows with a
    score strictly inside (0, 1) and a positive standard error (scores and errors as fractions
    of the ceiling): the standard error of a share of :math:`\hat n` items (more than the
    benchmark's items where a score is averaged over repeated runs).

    Parameters
    ----------
    scores, stderr : pandas.Series
        Per row, the score and its standard error, on one scale (fractions of the ceiling).

    Returns
    -------
    tuple
        :math:`\hat n` (NaN with fewer than :data:`MIN_STDERR_ROWS` usable rows) and the number
        of rows it is the median of.

    Examples
    --------
    >>> import pandas as pd
    >>> from irtgap.data.registry import stderr_items
    >>> y = pd.Series([0.2, 0.5, 0.5, 0.8, 0.6])
    >>> n, used = stderr_items(y, (y * (1 - y) / 200) ** 0.5)
    >>> round(n), used
    (200, 5)
    """
    y = pd.to_numeric(scores, errors="coerce").to_numpy(float)
    se = pd.to_numeric(stderr, errors="coerce").to_numpy(float)
    ok = np.isfinite(y) & np.isfinite(se) & (se > 0) & (y > 0) & (y < 1)
    if ok.sum() < MIN_STDERR_ROWS:
        return float("nan"), int(ok.sum())
    return float(np.median(y[ok] * (1 - y[ok]) / se[ok] ** 2)), int(ok.sum())


def _check_harness_rules(reg: pd.DataFrame, origin: str) -> None:
    """Every ``harness`` cell is blank or a rule of :mod:`irtgap.data.elicitation`."""
    reg["harness"] = reg["harness"].astype("string").str.strip().replace("", pd.NA)
    for bench, rule in reg["harness"].dropna().items():
        parse_harness_rule(rule, origin=f"{origin}: column 'harness' of benchmark {bench!r}")


def _as_bool(v: object) -> object:
    if isinstance(v, bool):
        return v
    if v is None or v is pd.NA or (isinstance(v, float) and v != v):
        return pd.NA
    s = str(v).strip().lower()
    if s in ("true", "1", "yes"):
        return True
    if s in ("false", "0", "no"):
        return False
    raise ScoreDataError(f"registry column 'in_eci' must be True or False, got {v!r}")


def merge_registry(user: pd.DataFrame | None, base: pd.DataFrame | None = None) -> pd.DataFrame:
    """Lay a user's rows over the registry: their non-blank cells win, new benchmarks are added.

    Examples
    --------
    >>> import pandas as pd
    >>> from irtgap.data.registry import merge_registry
    >>> mine = pd.DataFrame({"benchmark": ["GPQA diamond", "MyBench"],
    ...                      "access": ["private", "public"], "file": [None, "mine.csv"]})
    >>> reg = merge_registry(mine)
    >>> reg.loc["GPQA diamond", "access"], reg.loc["GPQA diamond", "file"]
    ('private', 'gpqa_diamond.csv')
    >>> reg.loc["MyBench", "file"]
    'mine.csv'
    """
    base = read_registry() if base is None else base
    if user is None:
        return base
    over = validate_registry(user, origin="the benchmarks= table")
    out = over.combine_first(base)
    out = out.reindex(columns=[c for c in COLUMNS[1:] if c in out.columns])
    return validate_registry(out.reset_index(), origin="the merged registry")


#: Registry columns carried into :attr:`ScoreData.benchmarks`.
METADATA_COLUMNS: Final = (
    "access",
    "access_source",
    "random_baseline",
    "ceiling",
    "n_items",
    "scale",
    "source_scale",
    "domain",
    "run_by",
    "in_eci",
    "release_date",
    "file",
    "score_column",
    "stderr_items",
)


def benchmark_metadata(reg: pd.DataFrame, names: list[str] | None = None) -> pd.DataFrame:
    """Registry rows as :class:`ScoreData` benchmark metadata (scale after conversion).

    Fraction-like scales (``percent``, ``score_0_10``) are converted on reading, so their
    ``scale`` becomes ``fraction``; the file's unit stays in ``source_scale``. Names the registry
    lacks are skipped.
    """
    rows = reg if names is None else reg.loc[[n for n in names if n in reg.index]]
    meta = rows.copy()
    meta["source_scale"] = meta["scale"]
    meta["scale"] = meta["scale"].where(~meta["scale"].isin(list(SCALE_FACTORS)), "fraction")
    meta = meta[[c for c in METADATA_COLUMNS if c in meta.columns]]
    meta.index.name = "benchmark"
    return meta.reset_index()
