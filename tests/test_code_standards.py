"""The code standards of the project guide, measured on the source with ``ast``.

- Numpydoc coverage: of the public functions and methods in ``src/irtgap`` that take two or more
  parameters (``self`` and ``cls`` not counted), at least :data:`MIN_DOC_SHARE` have a
  ``Parameters`` section, and a ``Returns`` (or ``Yields``) section when they return something.
- No function in ``src/`` is longer than :data:`MAX_FUNCTION_LINES` lines, counted from the
  first statement after its docstring to the end of the ``def`` (comments and blank lines
  included, the docstring not).
- Comments and docstrings in ``src/`` and ``tests/`` hold no history: no "since/before/until/as
  of" followed by a month and a year, no issue or pull-request numbers, no commit hashes. History
  goes to ``CHANGELOG.md``; a dataset's name ("the April 2026 export") is not history.
- ``docs/architecture.md`` names every module of the package in its layer's row.

Each test prints the offenders in its failure message.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
PACKAGE = SRC / "irtgap"
TESTS = ROOT / "tests"

#: Smallest share of documented public functions with two or more parameters.
MIN_DOC_SHARE = 0.9
#: Most lines of code a function may have (its docstring not counted).
MAX_FUNCTION_LINES = 80

# Public functions that lack their numpydoc sections in files other work is changing at the
# same time, so they could not be documented together with the rest; they are left out of the
# share (numerator and denominator). Only these files may appear here, and an entry must still
# be missing a section: once it has them (or is gone) the test asks for it to be removed, so the
# list only shrinks.
DEFERRED_FILES = (
    "methods/bayes/graph.py",
    "methods/bayes/model.py",
    "methods/bayes/settings.py",
    "methods/bayes/replicate.py",
    "methods/bayes/checks.py",
    "methods/bayes/design.py",
    "methods/bayes/fit.py",
    "methods/bayes/noise.py",
    "data/hub.py",
    "data/scoredata.py",
    "data/registry.py",
    "data/datasets.py",
    "report/",
    "cli.py",
)
DEFERRED = {
    "data/datasets.py": {"load_dataset", "load_epoch_snapshot"},
    "data/registry.py": {"validate_registry", "merge_registry", "benchmark_metadata"},
    "data/scoredata.py": {"ScoreData.check", "ScoreData.subset"},
    "methods/bayes/checks.py": {
        "loo",
        "pareto_k_table",
        "integrated_loo",
        "loo_pit",
        "pit_uniformity",
        "predictive_checks",
        "prior_sensitivity",
        "ModelChecks.plot_ppc",
        "model_checks",
    },
    "methods/bayes/design.py": {"saturating_benchmarks", "years_since"},
    "methods/bayes/fit.py": {"GapFit.plot_domains", "GapFit.plot_open_offsets"},
    "methods/bayes/graph.py": {"censored_beta_logp", "open_offsets"},
    "methods/bayes/model.py": {"sample_kwargs"},
    "methods/bayes/noise.py": {"logpdf", "cdf", "censored_logp", "sample"},
    "methods/bayes/replicate.py": {"sample_params", "mean_fraction", "replicate_scores"},
    "report/markdown.py": {"markdown_table", "save_figure"},
}

_SECTION = r"^[ \t]*{}[ \t]*\n[ \t]*-{{3,}}[ \t]*$"
_PARAMETERS = re.compile(_SECTION.format("Parameters"), re.MULTILINE)
_RETURNS = re.compile(_SECTION.format("(?:Returns|Yields)"), re.MULTILINE)


@dataclass(frozen=True)
class Function:
    """A public function or method of the package, and what its docstring has."""

    file: str  # relative to src/irtgap
    name: str  # qualified by its class
    line: int
    has_parameters: bool
    returns_value: bool
    has_returns: bool

    @property
    def documented(self) -> bool:
        return self.has_parameters and (self.has_returns or not self.returns_value)

    @property
    def missing(self) -> str:
        parts = [] if self.has_parameters else ["Parameters"]
        if self.returns_value and not self.has_returns:
            parts.append("Returns")
        return " and ".join(parts)

    def __str__(self) -> str:
        return f"src/irtgap/{self.file}:{self.line} {self.name} (no {self.missing})"


def _py_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "_build" not in p.parts)


def _n_parameters(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    args = fn.args
    names = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]
    names += [a.arg for a in (args.vararg, args.kwarg) if a is not None]
    return sum(name not in ("self", "cls") for name in names)


def _own_nodes(fn: ast.AST) -> Iterator[ast.AST]:
    """The nodes of ``fn``'s body, not descending into nested functions, classes or lambdas."""
    stack = list(ast.iter_child_nodes(fn))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            stack.extend(ast.iter_child_nodes(node))


def _returns_value(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether ``fn`` returns something: by its annotation when it has one, else by its body."""
    ann = fn.returns
    if ann is not None:
        return not (
            (isinstance(ann, ast.Constant) and ann.value is None)
            or (isinstance(ann, ast.Name) and ann.id in ("NoReturn", "Never"))
        )
    for node in _own_nodes(fn):
        if isinstance(node, ast.Yield | ast.YieldFrom):
            return True
        if isinstance(node, ast.Return) and node.value is not None:
            if not (isinstance(node.value, ast.Constant) and node.value.value is None):
                return True
    return False


def _is_overload(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(
        (isinstance(d, ast.Name) and d.id == "overload")
        or (isinstance(d, ast.Attribute) and d.attr == "overload")
        for d in fn.decorator_list
    )


def _definitions(body: list[ast.stmt], prefix: str) -> Iterator[tuple[str, ast.AST]]:
    """Public functions and classes of a module or class body (into ``if`` / ``try`` blocks)."""
    for node in body:
        if isinstance(node, ast.If | ast.Try):
            blocks = [node.body, node.orelse, getattr(node, "finalbody", [])]
            blocks += [h.body for h in getattr(node, "handlers", [])]
            for block in blocks:
                yield from _definitions(block, prefix)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            if not node.name.startswith("_"):
                yield prefix + node.name, node


def public_functions() -> list[Function]:
    """Every public function and method of the package with two or more parameters."""
    found = []
    for path in _py_files(PACKAGE):
        rel = path.relative_to(PACKAGE)
        if any(part.startswith("_") and part != "__init__.py" for part in rel.parts):
            continue
        todo = list(_definitions(ast.parse(path.read_text(encoding="utf-8")).body, ""))
        while todo:
            name, node = todo.pop(0)
            if isinstance(node, ast.ClassDef):
                todo += list(_definitions(node.body, name + "."))
                continue
            assert isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            if _is_overload(node) or _n_parameters(node) < 2:
                continue
            doc = ast.get_docstring(node) or ""
            found.append(
                Function(
                    file=rel.as_posix(),
                    name=name,
                    line=node.lineno,
                    has_parameters=bool(_PARAMETERS.search(doc)),
                    returns_value=_returns_value(node),
                    has_returns=bool(_RETURNS.search(doc)),
                )
            )
    return found


def test_numpydoc_sections_on_public_functions() -> None:
    functions = public_functions()
    assert len(functions) > 100, "the scan found too few functions: is the source where it was?"
    deferred = {(f, name) for f, names in DEFERRED.items() for name in names}
    outside = sorted(f for f, _ in deferred if not f.startswith(DEFERRED_FILES))
    assert not outside, f"DEFERRED may only name files of DEFERRED_FILES: {outside}"
    stale = deferred - {(f.file, f.name) for f in functions if not f.documented}
    assert not stale, "documented now (or gone): remove from DEFERRED: " + ", ".join(
        f"{f} {name}" for f, name in sorted(stale)
    )
    counted = [f for f in functions if (f.file, f.name) not in deferred]
    missing = [f for f in counted if not f.documented]
    share = 1 - len(missing) / len(counted)
    overall = sum(f.documented for f in functions) / len(functions)
    assert share >= MIN_DOC_SHARE, (
        f"{share:.1%} of {len(counted)} public functions with 2+ parameters have their numpydoc "
        f"sections (at least {MIN_DOC_SHARE:.0%} needed; {overall:.1%} with the "
        f"{len(deferred)} deferred ones). Missing:\n" + "\n".join(map(str, missing))
    )


def _code_lines(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines from the first statement after the docstring to the end of the ``def``."""
    body = fn.body
    if ast.get_docstring(fn) is not None:
        body = body[1:]
    if not body:
        return 0
    assert fn.end_lineno is not None
    return fn.end_lineno - body[0].lineno + 1


def test_no_function_longer_than_80_lines() -> None:
    long = []
    for path in _py_files(SRC):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                n = _code_lines(node)
                if n > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}: {n} lines")
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines:\n" + "\n".join(long)


_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
#: What history looks like in a comment or a docstring.
HISTORY = {
    "a dated change": re.compile(
        rf"\b(?:since|before|until|as of)\s+(?:(?:early|mid|late)[- ])?{_MONTH}\s+(?:19|20)\d\d\b",
        re.IGNORECASE,
    ),
    "an issue number": re.compile(r"\b(?:issue|pr|pull request)s?\s+#?\d+\b", re.IGNORECASE),
    "a commit hash": re.compile(
        r"\b(?:commit|revision|rev)\b[\s:`'\"(]*(?=[0-9a-f]*\d)[0-9a-f]{7,40}\b", re.IGNORECASE
    ),
}


def _texts(source: str) -> Iterator[tuple[int, str]]:
    """The comments and the docstrings (every string statement) of ``source``, by line."""
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT:
            yield tok.start[0], tok.string
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            for i, line in enumerate(node.value.value.splitlines()):
                yield node.lineno + i, line


def history_offenders(folders: tuple[Path, ...] = (SRC, TESTS)) -> list[str]:
    """``path:line: what: text`` for each comment or docstring line that holds history."""
    out = []
    for folder in folders:
        for path in _py_files(folder):
            for line, text in _texts(path.read_text(encoding="utf-8")):
                for what, pattern in HISTORY.items():
                    if pattern.search(text):
                        out.append(f"{path.relative_to(ROOT)}:{line}: {what}: {text.strip()}")
    return out


def test_history_patterns_are_recognised() -> None:
    history = (
        "the default since December 2026",
        "as of Sept. 2025",
        "before mid-March 2024 it was",
        "(issue 17)",
        "see PR #12",
        "fixed in commit 8698b9b",
        "commit `8698b9ba92fdb58d51d67f4828376b7adca29afa`",
    )
    timeless = (
        "the April 2026 export",
        "models released since 2024-01-01",
        "the six benchmarks most scored since 2024",
        "a commit message",
        "issues a warning",
        "the November 2025 snapshot",
    )
    for text in history:
        assert any(p.search(text) for p in HISTORY.values()), text
    for text in timeless:
        assert not any(p.search(text) for p in HISTORY.values()), text


def test_no_history_in_comments_or_docstrings() -> None:
    offenders = history_offenders()
    assert not offenders, (
        "history in comments or docstrings (it belongs in CHANGELOG.md; measured evidence in "
        "docs/evidence/):\n" + "\n".join(offenders)
    )


def test_architecture_page_lists_every_module() -> None:
    """Each module of the package is named in its layer's row of docs/architecture.md."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    rows = {}
    for line in text.split("## Layers", 1)[1].split("\n## ", 1)[0].splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = cells[1]
    missing = []
    for path in _py_files(PACKAGE):
        rel = path.relative_to(PACKAGE).with_suffix("")
        if rel.name == "__init__":
            continue
        layer = rel.parts[0]
        if f"`{rel.name}`" not in rows.get(layer, ""):
            missing.append(f"{'.'.join(rel.parts)} (layer {layer})")
    assert not missing, "docs/architecture.md's layers table does not name: " + ", ".join(missing)
