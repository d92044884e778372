r"""Elicitation: the harness a score was run under and the reasoning effort of the version.

A model's score on a benchmark depends on how it was elicited as well as on the model: the
agent scaffold and its step budget on agentic benchmarks (Terminal-Bench lists one row per
agent, OSWorld per step budget), the number of shots on the older question-answering suites, and
the reasoning effort a version was run with (Epoch AI lists each effort as a version of its
own). This module says how the two are read and how one score per (version, benchmark) is
chosen when several harnesses scored the pair.

Harness
    A label per row. Where the source names none it is :data:`DEFAULT` (``"default"``: *the
    source names no harness*, not "the makers' harness"). In a Hub export, the benchmark
    registry's ``harness`` column says per file how the label is read (:data:`HARNESS_READERS`):

    ``agent:<column>``
        the agent named in that column, whitespace trimmed and collapsed
        (``" Terminus 2"`` and ``"Terminus 2"`` are one agent);
    ``agent_prefix:<column>``
        the part of the cell before ``" + "`` (``"OpenHands + GPT 4o"``: ``OpenHands``); a cell
        without ``" + "`` names no harness;
    ``steps:<column>``
        the step budget in the cell, ``"(100 steps)"``: ``100 steps``;
    ``shots:<column>``
        the number of shots, ``"5"``, ``"5.0"`` or ``"5-shot"``: ``5-shot``; ``"few"``:
        ``few-shot``;
    ``fixed:<label>``
        every row of the file has that label (a leaderboard run under one harness).

    A blank cell, or one the reader cannot parse, gives :data:`DEFAULT`; the loader counts them.

Effort
    A label per model version, parsed from the version's name by Epoch AI's convention: a
    trailing ``_<effort>`` where ``<effort>`` is a level of :data:`EFFORT_LEVELS` (``none``,
    ``minimal``, ``low``, ``medium``, ``high``, ``xhigh``, ``max``, any case, written in lower
    case), a thinking-token budget ``<digits>K`` (``_16K``, ``_16k``: written ``16K``),
    ``thinking`` (a thinking mode switched on) or ``unknown`` (Epoch AI does not know the
    setting). Any other name has effort :data:`DEFAULT`. The versions that differ only in that
    suffix are one *effort group* (:func:`effort_base`).

Elicitation rules (:class:`ElicitationRule`)
    ``"best"``
        the highest score over the pair's harnesses (ties: the first harness in alphabetical
        order), as Epoch AI's own tables keep it;
    ``"reference"``
        per benchmark with several harnesses, the named harness (not ``default``) that scored
        the most versions (ties: the first in alphabetical order) (:func:`reference_harnesses`);
    a harness name
        that harness on every benchmark that has it among its rows, ``"best"`` on the others
        (the selection's record lists those that have several harnesses);
    a mapping ``{benchmark: harness}``
        that harness on those benchmarks (each must have it), ``"best"`` elsewhere.

    A version with no row under a benchmark's reference harness is dropped from that benchmark
    (``missing="drop"``, the default) or keeps its best row (``missing="best"``); both are
    counted in the selection's record and warned about.

Examples
--------
>>> from irtgap.data.elicitation import parse_effort, effort_base, normalise_agent
>>> [parse_effort(v) for v in ("gpt-5-2025-08-07_high", "claude-3-7-sonnet_16k", "glm-4.6")]
['high', '16K', 'default']
>>> effort_base("gpt-5-2025-08-07_high", "high")
'gpt-5-2025-08-07'
>>> normalise_agent("  Terminus   2 ")
'Terminus 2'
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal

import numpy as np
import pandas as pd

from irtgap.core import dims as D
from irtgap.core.errors import DroppedRowsWarning, ScoreDataError
from irtgap.core.options import check_choice, show_values

if TYPE_CHECKING:
    from irtgap.data.scoredata import ScoreData

#: Column of the harness label.
HARNESS: Final = "harness"
#: Column of the reasoning-effort label.
EFFORT: Final = "effort"
#: The label of a row whose source names no harness, or of a version without an effort suffix.
DEFAULT: Final = "default"
#: Effort levels of Epoch AI's version names (``gpt-5-2025-08-07_high``), lowest first.
EFFORT_LEVELS: Final = ("none", "minimal", "low", "medium", "high", "xhigh", "max")
#: Other effort suffixes: a thinking mode switched on; a setting Epoch AI does not know.
EFFORT_OTHER: Final = ("thinking", "unknown")
#: The readers of the registry's ``harness`` column (see the module docstring).
HARNESS_READERS: Final = ("agent", "agent_prefix", "steps", "shots", "fixed")
#: Rules other than a harness name.
RULES: Final = ("best", "reference")
#: What happens to a version without the reference harness.
MISSING: Final = ("drop", "best")

_EFFORT = re.compile(
    r"_(?P<e>" + "|".join(EFFORT_LEVELS + EFFORT_OTHER) + r"|\d+k)$", flags=re.IGNORECASE
)
_STEPS = re.compile(r"\((\d+)\s*steps?\)", flags=re.IGNORECASE)
_SHOTS = re.compile(r"^(\d+)(?:\.0+)?(?:\s*-?\s*shots?)?$", flags=re.IGNORECASE)
_PAIR = [D.MODEL, D.BENCHMARK]


# ---------------------------------------------------------------------------- effort
def parse_effort(version: str) -> str:
    """The reasoning effort in a version's name (see the module docstring), or ``"default"``.

    Parameters
    ----------
    version : str
        A model version id as Epoch AI writes it.

    Returns
    -------
    str
        A level of :data:`EFFORT_LEVELS` (lower case), a budget such as ``"16K"``,
        ``"thinking"``, ``"unknown"``, or :data:`DEFAULT`.

    Examples
    --------
    >>> parse_effort("o3-2025-04-16_medium"), parse_effort("gemini-2.5-flash_24k")
    ('medium', '24K')
    >>> parse_effort("phi-1_5"), parse_effort("Qwen-1_8B")  # not efforts
    ('default', 'default')
    """
    m = _EFFORT.search(str(version))
    if m is None:
        return DEFAULT
    e = m.group("e")
    return e.upper() if e[-1] in "kK" and e[:-1].isdigit() else e.lower()


def effort_base(version: str, effort: str) -> str:
    """The version's name without its effort suffix: the key its effort group shares.

    Parameters
    ----------
    version : str
        The version id.
    effort : str
        Its effort label (:func:`parse_effort`).

    Returns
    -------
    str
        ``version`` without a trailing ``_<effort>`` (any case); ``version`` itself otherwise.
    """
    v = str(version)
    if effort != DEFAULT and v.lower().endswith("_" + str(effort).lower()):
        return v[: -len(str(effort)) - 1]
    return v


#: Effort labels that switch reasoning on (a level above ``minimal``, a thinking budget, a
#: thinking mode); ``none`` and ``minimal`` switch it off; ``unknown`` and ``default`` leave
#: the version's family to decide (:data:`REASONING_FAMILIES`).
REASONING_ON: Final = ("low", "medium", "high", "xhigh", "max", "thinking")
#: Effort labels that switch reasoning off.
REASONING_OFF: Final = ("none", "minimal")
#: Families of models trained to reason before answering, by name (any case, after a
#: provider prefix such as ``chutes/``): OpenAI's o-series, GPT-5 and gpt-oss, DeepSeek-R1
#: (with its distillations) and ``deepseek-reasoner``, QwQ, Gemini 2.5 and 3 (thinking by
#: default), Grok 3 mini and Grok 4, Magistral, MiniMax-M1 and M2, DeepSeek-V3.2-Speciale, the
#: Codex models, and any name that says ``thinking`` or ``deep think`` (``deep-think``).
#: Hybrid models named without a setting (Claude, GLM, Kimi K2.5, DeepSeek V3.1/V3.2) are not
#: in it: their version names do not say whether thinking was on.
REASONING_FAMILIES: Final = re.compile(
    r"^(o[134](-|$)|gpt-5|gpt-oss|deepseek-r1|deepseek-reasoner|qwq|gemini-2\.5|gemini-3|"
    r"grok-3-mini|grok-4|magistral|minimax-m[12])|thinking|deep[- ]?think|speciale|codex",
    flags=re.IGNORECASE,
)


def is_reasoning(version: str) -> bool:
    """Whether a model version reasons before answering, by its name: its effort label
    (:data:`REASONING_ON` yes, :data:`REASONING_OFF` no), else its family
    (:data:`REASONING_FAMILIES`).

    Parameters
    ----------
    version : str
        The version's name as in the data (``"o3-2025-04-16_high"``).

    Returns
    -------
    bool

    Examples
    --------
    >>> from irtgap.data.elicitation import is_reasoning
    >>> [is_reasoning(v) for v in ("o1-preview-2024-09-12", "gpt-5.1-2025-11-13_none",
    ...  "claude-opus-4-20250514_16K", "claude-opus-4-20250514", "chutes/QwQ-32B")]
    [True, False, True, False, True]
    """
    effort = parse_effort(version)
    if effort in REASONING_ON or re.fullmatch(r"\d+K", effort):
        return True
    if effort in REASONING_OFF:
        return False
    name = str(version).strip().rsplit("/", 1)[-1]
    return REASONING_FAMILIES.search(name) is not None


def effort_table(models: pd.Series) -> pd.DataFrame:
    """Per model version: its effort and effort group (``effort``, ``effort_base``).

    Parameters
    ----------
    models : pandas.Series
        Version ids.

    Returns
    -------
    pandas.DataFrame
        Indexed by version.
    """
    names = pd.Index(pd.unique(models.astype(str)))
    effort = [parse_effort(v) for v in names]
    base = [effort_base(v, e) for v, e in zip(names, effort, strict=True)]
    return pd.DataFrame({EFFORT: effort, "effort_base": base}, index=names)


# ---------------------------------------------------------------------------- harness
def normalise_agent(text: Any) -> str:
    """An agent's name with whitespace trimmed and collapsed; blank gives :data:`DEFAULT`.

    Parameters
    ----------
    text : object
        The cell.

    Returns
    -------
    str
    """
    if text is None or (isinstance(text, float) and np.isnan(text)) or text is pd.NA:
        return DEFAULT
    s = " ".join(str(text).split())
    return s or DEFAULT


def _steps(text: Any) -> str:
    m = _STEPS.search(str(text)) if normalise_agent(text) != DEFAULT else None
    return f"{int(m.group(1))} steps" if m else DEFAULT


def _shots(text: Any) -> str:
    s = normalise_agent(text)
    if s == DEFAULT:
        return DEFAULT
    if s.lower() in ("few", "few-shot"):
        return "few-shot"
    m = _SHOTS.match(s)
    return f"{int(m.group(1))}-shot" if m else DEFAULT


def _agent_prefix(text: Any) -> str:
    s = normalise_agent(text)
    return normalise_agent(s.split(" + ", 1)[0]) if " + " in s else DEFAULT


_READ: Final = {"agent": normalise_agent, "agent_prefix": _agent_prefix, "steps": _steps}
_READ["shots"] = _shots


def parse_harness_rule(rule: Any, *, origin: str = "harness") -> tuple[str, str] | None:
    """The registry's ``harness`` cell as ``(reader, argument)``; None for a blank cell.

    Parameters
    ----------
    rule : object
        ``"agent:Agent"``, ``"fixed:bash only"``, ... (see the module docstring).
    origin : str
        Where the cell comes from, for the message.

    Returns
    -------
    tuple of str, or None

    Raises
    ------
    ScoreDataError
        An unknown reader, or no argument after the colon.
    """
    if rule is None or rule is pd.NA or (isinstance(rule, float) and np.isnan(rule)):
        return None
    text = str(rule).strip()
    if not text:
        return None
    reader, sep, arg = text.partition(":")
    if not sep or reader.strip() not in HARNESS_READERS or not arg.strip():
        raise ScoreDataError(
            f"{origin}: {text!r} is not a harness rule; give '<reader>:<column>' with reader one "
            f"of {list(HARNESS_READERS)} (e.g. 'agent:Agent', 'steps:Agent'), or "
            "'fixed:<label>', or leave it blank (no harness)"
        )
    return reader.strip(), arg.strip()


def describe_harness_rule(rule: Any) -> str:
    """How a file's harness is read, in words (``describe(by="source")``).

    Parameters
    ----------
    rule : object
        The registry's ``harness`` cell.

    Returns
    -------
    str
    """
    parsed = parse_harness_rule(rule)
    if parsed is None:
        return "none named (default)"
    reader, arg = parsed
    return {
        "agent": f"agent in column {arg!r}",
        "agent_prefix": f"agent before ' + ' in column {arg!r}",
        "steps": f"step budget in column {arg!r}",
        "shots": f"shots in column {arg!r}",
        "fixed": f"every row {arg!r}",
    }[reader]


def read_harness(df: pd.DataFrame, rule: Any) -> tuple[pd.Series | None, str | None]:
    """Each row's harness label under a registry rule, or why the file gives none.

    Parameters
    ----------
    df : pandas.DataFrame
        The file's rows.
    rule : object
        The registry's ``harness`` cell (None or blank: no harness).

    Returns
    -------
    labels : pandas.Series or None
        Per row of ``df`` (:data:`DEFAULT` where the cell names none); None when the rule
        names a column the file lacks.
    problem : str or None
        Why the labels are None.
    """
    parsed = parse_harness_rule(rule)
    if parsed is None:
        return pd.Series(DEFAULT, index=df.index, dtype="string"), None
    reader, arg = parsed
    if reader == "fixed":
        return pd.Series(" ".join(arg.split()), index=df.index, dtype="string"), None
    if arg not in df.columns:
        return None, f"no column {arg!r} for the harness rule {reader}:{arg}"
    return df[arg].map(_READ[reader]).astype("string"), None


# ---------------------------------------------------------------------------- the rules
@dataclass(frozen=True)
class ElicitationRule:
    """How one score per (version, benchmark) is chosen among the harnesses that scored it.

    Attributes
    ----------
    harness : str or mapping of str to str
        ``"best"``, ``"reference"``, a harness name, or ``{benchmark: harness}`` (see the
        module docstring).
    missing : {"drop", "best"}
        A version with no row under the benchmark's reference harness: its pair is dropped, or
        keeps its best row.
    """

    harness: str | Mapping[str, str] = "best"
    missing: Literal["drop", "best"] = "drop"

    def __post_init__(self) -> None:
        check_choice("missing", self.missing, MISSING)
        h = self.harness
        if isinstance(h, Mapping):
            bad = [(k, v) for k, v in h.items() if not (isinstance(k, str) and isinstance(v, str))]
            if bad or not h:
                raise ScoreDataError(
                    f"elicitation={dict(h)!r}: give {{benchmark: harness}} with names as text"
                )
            object.__setattr__(self, "harness", dict(h))
        elif not isinstance(h, str) or not h.strip():
            raise ScoreDataError(
                f"elicitation={h!r}: give 'best', 'reference', a harness name (e.g. "
                "'Terminus 2') or a mapping {benchmark: harness}"
            )

    @property
    def is_best(self) -> bool:
        """Whether the rule is ``"best"`` (then ``missing`` plays no part)."""
        return isinstance(self.harness, str) and self.harness == "best"

    def describe(self) -> str:
        """The rule in words: ``"best"``, ``"reference (missing: drop)"``,
        ``"Terminal Bench=Terminus 2 (missing: best)"``."""
        if self.is_best:
            return "best"
        h = self.harness
        text = "; ".join(f"{b}={v}" for b, v in h.items()) if isinstance(h, Mapping) else h
        return f"{text} (missing: {self.missing})"


ElicitationLike = str | Mapping[str, str] | ElicitationRule


def as_rule(value: ElicitationLike) -> ElicitationRule:
    """``value`` as an :class:`ElicitationRule` (a string or a mapping is its ``harness``).

    Parameters
    ----------
    value : str, mapping or ElicitationRule
        The rule.

    Returns
    -------
    ElicitationRule
    """
    if isinstance(value, ElicitationRule):
        return value
    return ElicitationRule(harness=value)


def reference_harnesses(rows: pd.DataFrame) -> dict[str, str]:
    """Per benchmark with several harnesses among ``rows``: the named one (not
    :data:`DEFAULT`) that scored the most versions (ties: the first in alphabetical order).

    Parameters
    ----------
    rows : pandas.DataFrame
        Elicitation rows (``model, benchmark, harness``).

    Returns
    -------
    dict of str to str
    """
    n = rows.groupby([D.BENCHMARK, HARNESS])[D.MODEL].nunique().reset_index(name="n")
    several = n.groupby(D.BENCHMARK)[HARNESS].transform("size") > 1
    n = n[several & (n[HARNESS] != DEFAULT)].sort_values(
        [D.BENCHMARK, "n", HARNESS], ascending=[True, False, True]
    )
    return {
        str(b): str(h) for b, h in n.drop_duplicates(D.BENCHMARK)[[D.BENCHMARK, HARNESS]].values
    }


def _targets(rows: pd.DataFrame, rule: ElicitationRule) -> tuple[dict[str, str], list[str]]:
    """Per benchmark the harness the rule picks, and the benchmarks with several harnesses
    left to ``"best"`` by a single harness name."""
    h = rule.harness
    have = rows.groupby(D.BENCHMARK)[HARNESS].unique()
    several = [str(b) for b, hs in have.items() if len(hs) > 1]
    if isinstance(h, Mapping):
        unknown = sorted(set(h) - set(have.index))
        if unknown:
            raise ScoreDataError(
                f"elicitation: unknown benchmark(s) {show_values(map(repr, unknown))}; the "
                f"data has {show_values(sorted(have.index), 60)}"
            )
        for b, harness in h.items():
            if harness != "best" and harness not in set(have[b]):
                raise ScoreDataError(
                    f"elicitation: benchmark {b!r} has no row under harness {harness!r}; its "
                    f"harnesses: {show_values(sorted(have[b]), 30)}"
                )
        return {b: v for b, v in h.items() if v != "best"}, []
    if h == "reference":
        return reference_harnesses(rows), []
    targets = {str(b): h for b, hs in have.items() if h in set(hs)}
    if not targets:
        raise ScoreDataError(
            f"elicitation={h!r}: no benchmark has a row under harness {h!r}; the harnesses "
            f"of the data: {show_values(sorted(set(rows[HARNESS])), 40)}"
        )
    return targets, [b for b in several if b not in targets]


def select_rows(rows: pd.DataFrame, rule: ElicitationRule) -> tuple[pd.DataFrame, dict[str, Any]]:
    """One row per (model, benchmark) of ``rows`` under ``rule``, and a record of what it did.

    Parameters
    ----------
    rows : pandas.DataFrame
        Elicitation rows: ``model, benchmark, harness, score`` and any other columns, at most
        one row per (model, benchmark, harness).
    rule : ElicitationRule
        The rule.

    Returns
    -------
    chosen : pandas.DataFrame
        The chosen rows (with their index labels in ``rows``, in that order).
    record : dict
        ``rule``, ``n_rows`` (rows offered), ``n_pairs`` (pairs chosen), ``n_pairs_dropped``
        and ``n_pairs_fallback`` (versions without the reference harness), and per benchmark
        under a reference (``by_benchmark``): the ``harness``, ``n_pairs_reference``,
        ``n_pairs_missing``; ``best_with_several_harnesses``: benchmarks a single harness name
        left to "best" although they have several harnesses.
    """
    best = rows.loc[rows.groupby(_PAIR, sort=False)[D.SCORE].idxmax().to_numpy()]
    record: dict[str, Any] = {"rule": rule.describe(), "n_rows": len(rows)}
    if rule.is_best:
        record.update(n_pairs=len(best), n_pairs_dropped=0, n_pairs_fallback=0)
        return best, record
    targets, left_best = _targets(rows, rule)
    ref = rows[rows[HARNESS] == rows[D.BENCHMARK].map(targets)]
    under = rows[D.BENCHMARK].isin(list(targets))
    have_ref = pd.MultiIndex.from_frame(ref[_PAIR])
    best_pairs = pd.MultiIndex.from_frame(best[_PAIR])
    in_ref_bench = best[D.BENCHMARK].isin(list(targets)).to_numpy()
    missing = in_ref_bench & ~best_pairs.isin(have_ref)
    keep_best = ~in_ref_bench | (missing & (rule.missing == "best"))
    chosen = pd.concat([best[keep_best], ref]).sort_index(kind="stable")
    by_bench = {}
    for b, h in sorted(targets.items()):
        n_missing = int((missing & (best[D.BENCHMARK] == b).to_numpy()).sum())
        by_bench[b] = {
            "harness": h,
            "n_pairs_reference": int((ref[D.BENCHMARK] == b).sum()),
            "n_pairs_missing": n_missing,
        }
    record.update(
        missing=rule.missing,
        n_pairs=len(chosen),
        n_pairs_dropped=int(missing.sum()) if rule.missing == "drop" else 0,
        n_pairs_fallback=int(missing.sum()) if rule.missing == "best" else 0,
        n_rows_under_reference=int(under.sum()),
        by_benchmark=by_bench,
        best_with_several_harnesses=left_best,
    )
    _warn_selection(record)
    return chosen, record


def _warn_selection(record: dict[str, Any]) -> None:
    """Warn about the versions without the reference harness."""
    short = {b: r for b, r in record["by_benchmark"].items() if r["n_pairs_missing"]}
    if short:
        what = "dropped from" if record["missing"] == "drop" else "kept their best row on"
        other = "best" if record["missing"] == "drop" else "drop"
        warnings.warn(
            f"elicitation {record['rule']}: "
            + "; ".join(
                f"{r['n_pairs_missing']} version(s) without a {r['harness']!r} row {what} {b!r} "
                f"({r['n_pairs_reference']} under it)"
                for b, r in short.items()
            )
            + f" (missing={other!r} to {'keep their best row' if other == 'best' else 'drop'})",
            DroppedRowsWarning,
            stacklevel=4,
        )


def elicited(data: ScoreData, elicitation: ElicitationLike | None, *, method: str) -> ScoreData:
    """The data a method that reads one score per (model, benchmark) runs on.

    Parameters
    ----------
    data : ScoreData
        The scores.
    elicitation : str, mapping, ElicitationRule or None
        The rule (:meth:`ScoreData.select_elicitation <irtgap.ScoreData.select_elicitation>`);
        None: the data as given (the rule they were loaded or selected with, ``"best"`` by
        default).
    method : str
        The method's name, for the message.

    Returns
    -------
    ScoreData
        One row per pair; ``log["elicitation"]`` records the rule and the rows it used.

    Raises
    ------
    ScoreDataError
        ``data`` holds several rows for a pair (:meth:`ScoreData.elicitation_data
        <irtgap.ScoreData.elicitation_data>`).
    """
    if elicitation is None and several_per_pair(data.scores):
        raise ScoreDataError(
            f"{method}: the data hold several rows for some (model, benchmark) pairs (every "
            "harness's row); this method reads one score per pair: pass elicitation='best', "
            "a harness name or {benchmark: harness}, or data.select_elicitation(...)"
        )
    return data if elicitation is None else data.select_elicitation(elicitation)


def rule_used(data: ScoreData) -> str:
    """The elicitation rule ``data``'s scores were chosen by (``"best"`` unless selected).

    Parameters
    ----------
    data : ScoreData
        The scores.

    Returns
    -------
    str
    """
    return str(data.log.get("elicitation", {}).get("rule", "best"))


def several_per_pair(scores: pd.DataFrame) -> bool:
    """Whether ``scores`` holds more than one row for some (model, benchmark) pair.

    Parameters
    ----------
    scores : pandas.DataFrame
        A score table.

    Returns
    -------
    bool
    """
    return bool(scores.duplicated(_PAIR).any())


__all__ = [
    "DEFAULT",
    "EFFORT",
    "EFFORT_LEVELS",
    "EFFORT_OTHER",
    "HARNESS",
    "HARNESS_READERS",
    "REASONING_FAMILIES",
    "REASONING_OFF",
    "REASONING_ON",
    "ElicitationLike",
    "ElicitationRule",
    "as_rule",
    "describe_harness_rule",
    "effort_base",
    "effort_table",
    "elicited",
    "is_reasoning",
    "normalise_agent",
    "parse_effort",
    "parse_harness_rule",
    "read_harness",
    "reference_harnesses",
    "rule_used",
    "select_rows",
    "several_per_pair",
]
