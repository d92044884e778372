"""The ``>>>`` examples of irtgap's docstrings run and print what they say (doctest).

Every docstring of every irtgap module with examples is one test, named after it. Examples that
need a multi-minute MCMC fit are marked ``# doctest: +SKIP`` in the docstring, which says so.
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import pkgutil

import pytest

import irtgap

OPTIONFLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE

#: Entry points of the public API whose docstrings must show a runnable example.
ENTRY_POINTS = (
    "irtgap.data.datasets.load_dataset",
    "irtgap.data.scoredata.ScoreData.from_frame",
    "irtgap.methods.threshold.threshold_gap",
    "irtgap.methods.eci.fit_eci",
    "irtgap.methods.elo.fit_elo",
    "irtgap.methods.composite.composite_index",
    "irtgap.analyses.compare.compare",
    "irtgap.results.load_result",
    "irtgap.results.GapResult.to_netcdf",
    "irtgap.core.gaps.summarize_gap",
)


def module_names() -> list[str]:
    """irtgap and every module below it."""
    found = pkgutil.walk_packages(irtgap.__path__, prefix="irtgap.")
    return ["irtgap", *sorted(m.name for m in found)]


def collect() -> list[doctest.DocTest]:
    finder = doctest.DocTestFinder(exclude_empty=True)
    tests = []
    for name in module_names():
        module = importlib.import_module(name)
        tests += [t for t in finder.find(module, name) if t.examples]
    return sorted(tests, key=lambda t: t.name)


DOCTESTS = collect()


@pytest.mark.filterwarnings("ignore::irtgap.core.errors.DroppedRowsWarning")
@pytest.mark.parametrize("test", DOCTESTS, ids=[t.name for t in DOCTESTS])
def test_docstring_examples(test: doctest.DocTest, monkeypatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)  # an example that writes a file writes it here
    runner = doctest.DocTestRunner(optionflags=OPTIONFLAGS)
    report: list[str] = []
    result = runner.run(test, out=report.append, clear_globs=True)
    assert result.failed == 0, "".join(report)


def _runnable(example: doctest.Example) -> bool:
    return not example.options.get(doctest.SKIP, False)


def test_every_module_is_searched() -> None:
    names = module_names()
    assert "irtgap.core.gaps" in names and "irtgap.methods.bayes.model" in names
    assert len(names) == len(set(names)) > 40


@pytest.mark.parametrize("name", ENTRY_POINTS)
def test_entry_point_has_a_runnable_example(name: str) -> None:
    tests = {t.name: t for t in DOCTESTS}
    assert name in tests, f"{name}: no >>> example in its docstring"
    assert any(_runnable(e) for e in tests[name].examples), f"{name}: every example is skipped"
    module, _, attr = name.rpartition(".")
    while module not in {m for m in module_names()}:
        module, _, parent = module.rpartition(".")
        attr = f"{parent}.{attr}"
    obj = importlib.import_module(module)
    for part in attr.split("."):
        obj = getattr(obj, part)
    assert "Examples\n--------" in inspect.cleandoc(obj.__doc__ or ""), (
        f"{name}: the example is not under a numpy-style 'Examples' heading"
    )
