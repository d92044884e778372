"""The documentation site (``docs/``): it builds with warnings as errors, its API reference covers
every module and the public API, and the pages' relative links work on GitHub too."""

from __future__ import annotations

import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import irtgap

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
LINK = re.compile(r"\]\(([^)\s]+)\)")


def _files(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file() and "_build" not in p.parts}


@pytest.mark.slow
def test_site_builds_without_warnings(tmp_path: Path) -> None:
    before = _files(DOCS)
    cmd = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html", "docs", tmp_path]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        print(proc.stdout[-5000:])
        print(proc.stderr)
    assert proc.returncode == 0, f"sphinx exited with {proc.returncode}:\n{proc.stderr[-5000:]}"
    assert _files(DOCS) == before, "the build wrote into docs/"
    api = (tmp_path / "api" / "methods.html").read_text(encoding="utf-8")
    for name in ("irtgap.methods.eci.fit_eci", "irtgap.methods.bayes.fit.GapFit.gap"):
        assert f'id="{name}"' in api, f"{name} is not documented on api/methods.html"
    assert "mathjax" in (tmp_path / "maths.html").read_text(encoding="utf-8").lower()


def test_api_reference_documents_every_module() -> None:
    found = pkgutil.walk_packages(irtgap.__path__, prefix="irtgap.")
    modules = {"irtgap", *(m.name for m in found)}
    text = "\n".join(p.read_text(encoding="utf-8") for p in (DOCS / "api").glob("*.md"))
    documented = set(re.findall(r"\.\. automodule:: (\S+)", text))
    assert modules - documented == set(), "modules missing from docs/api/*.md"
    assert documented - modules == set(), "docs/api/*.md names modules that do not exist"


def test_api_index_lists_the_public_api() -> None:
    text = (DOCS / "api" / "index.md").read_text(encoding="utf-8")
    for name in irtgap.__all__:
        obj = getattr(irtgap, name)
        home = obj.__name__ if name == "results" else f"{obj.__module__}.{obj.__qualname__}"
        assert home in text, f"irtgap.{name} ({home}) is not listed in docs/api/index.md"


PAGES = sorted(p for p in DOCS.rglob("*.md") if "_build" not in p.parts)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_relative_links_point_at_files(page: Path) -> None:
    for target in LINK.findall(page.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        path = (page.parent / target.split("#")[0]).resolve()
        assert path.exists(), f"{page.relative_to(ROOT)}: broken link {target}"
