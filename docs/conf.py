"""Sphinx configuration of irtgap's documentation (MyST Markdown pages, API from docstrings).

Build (offline; ``tests/test_docs.py`` runs it in CI)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html
"""

from __future__ import annotations

import importlib
import inspect
import sys
from types import ModuleType
from typing import Any

from sphinx.ext.napoleon.docstring import NumpyDocstring

import irtgap

project = "irtgap"
author = "irtgap developers"
copyright = "irtgap developers; bundled data: Epoch AI, 'AI Benchmarking Hub', CC-BY 4.0"
release = irtgap.__version__
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
]

source_suffix = {".md": "markdown"}
root_doc = "index"
# validation/*/summary.md are tables written by studies/validation/run_validation.py: they are
# data (copied into validation.md), not pages.
exclude_patterns = [
    "_build",
    "validation/**/summary.md",
    "sensitivity/*.md",
    "domains/*.md",
    "backtest/*.md",
    "evidence/adequacy/**/README.md",
]

# MyST: $...$ and $$...$$ maths, ::: fences, heading anchors for links such as model.md#ceilings.
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3

# Docstrings are numpy style; `name` (single backticks) is a cross-reference to a Python object.
default_role = "py:obj"
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False
napoleon_preprocess_types = True
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_default_options = {"members": True, "show-inheritance": True}
autosummary_generate = False

# Every reference must resolve (a broken link in a docstring fails the build), except references
# to the libraries irtgap builds on and to the standard library: without network access there is
# no intersphinx inventory for them.
nitpicky = True
_EXTERNAL = (
    "np|numpy|pd|pandas|xr|xarray|scipy|sp|matplotlib|mpl|plt|pm|pymc|pytensor|pt|arviz|az"
    "|joblib|h5netcdf|nutpie|pooch|platformdirs|collections|pathlib|abc|typing|dataclasses|os"
    "|zipfile|io|datetime"
)
nitpick_ignore_regex = [
    ("py:.*", rf"~?({_EXTERNAL})(\..+)?"),
    # Names of those libraries' types as the signatures and docstrings spell them.
    ("py:.*", r"Axes|Figure|DataFrame|Series|Index|DatetimeIndex|Timestamp|Timedelta"),
    ("py:.*", r"DataArray|Dataset|DataTree|InferenceData|Model|Generator|ndarray|Path|ABC"),
    # ArviZ (arviz_stats) result types, type aliases the signatures spell by name, and the
    # type parameters of generic functions (PEP 695: ``def f[T](...)``)
    ("py:.*", r"ELPDData|arviz_stats(\..+)?|Statistic|ElicitationLike|TypeAliasForwardRef|T"),
]
# Words for duck types in the "Parameters" of numpy docstrings ("sequence of dates, optional";
# napoleon turns each into a class reference), and pytensor's tensors.
nitpick_ignore = [
    ("py:class", word)
    for word in (
        "array-like",
        "date-like",
        "date",
        "dates",
        "sequence",
        "iterable",
        "mapping",
        "callable",
        "path-like",
        "scalar",
        "tensor",
        "pytensor tensor",
    )
]
# Short type names in numpy "Parameters" sections, resolved to where the objects live.
napoleon_type_aliases = {
    "ElicitationRule": "~irtgap.data.elicitation.ElicitationRule",
    "Design": "~irtgap.methods.bayes.design.Design",
}

html_theme = "alabaster"
html_title = f"irtgap {release}"
html_theme_options = {"description": "Open vs closed AI models: the gap in months"}


# ---------------------------------------------------------------------------------------------
# Attribute docstrings are prose. Napoleon reads the first line of an attribute's or property's
# docstring as "type: description" (Google style), so "#: The methods, by name: ..." would become
# a type "The methods, by name". irtgap's docstrings never use that form: keep them as written.
def _prose_attribute_docstring(self: NumpyDocstring) -> list[str]:
    lines = self._dedent(self._consume_to_end())
    return NumpyDocstring(lines, self._config).lines()


NumpyDocstring._parse_attribute_docstring = _prose_attribute_docstring  # type: ignore[method-assign]


def _clean_signature(
    app: Any, what: str, name: str, obj: Any, options: Any, signature: str | None, ret: str | None
) -> tuple[str | None, str | None]:
    """Dataclass fields with ``default_factory`` show ``<factory>``, which is not Python and
    breaks the signature parser; show ``...`` instead."""
    if signature is not None:
        signature = signature.replace("<factory>", "...")
    return signature, ret


# ---------------------------------------------------------------------------------------------
# Short references in docstrings (``:class:`ScoreData```, ``:meth:`summary```, ``irtgap.simulate``)
# name objects as the code that holds the docstring sees them: imported into its module,
# inherited by its class, or exported by ``irtgap``. Sphinx looks them up only where the name is
# written, so resolve them through Python: find the object, then its documented home.
def _home(obj: Any) -> str | None:
    """Where ``obj`` is documented: ``module.qualname`` (None for plain values)."""
    if isinstance(obj, ModuleType):
        return obj.__name__
    obj = getattr(obj, "fget", None) or getattr(obj, "__func__", None) or obj
    module, qualname = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    if not module or not qualname or "<" in qualname:
        return None
    return f"{module}.{qualname}"


def _candidates(target: str, module: str | None, klass: str | None) -> list[str]:
    """Documented names that ``target`` may mean, as seen from ``module`` (and ``klass``)."""
    parts = target.split(".")
    if parts[0] == "irtgap":
        scopes: list[Any] = [irtgap]
        parts = parts[1:]
    else:
        scopes = []
        mod = sys.modules.get(module or "")
        if mod is None and module:
            try:
                mod = importlib.import_module(module)
            except ImportError:
                mod = None
        cls = None
        if mod is not None and klass:
            cls = mod
            for part in klass.split("."):
                cls = getattr(cls, part, None)
        if inspect.isclass(cls):
            scopes.append(cls)
            scopes += [
                sys.modules[c.__module__] for c in cls.__mro__ if c.__module__ in sys.modules
            ]
        if mod is not None:
            scopes.append(mod)
        scopes.append(irtgap)
    out = []
    for scope in scopes:
        prefix = _home(scope) if not isinstance(scope, ModuleType) else scope.__name__
        obj: Any = scope
        for i, part in enumerate(parts):
            if not hasattr(obj, part):
                # a dataclass field or an annotated attribute: documented under its owner
                if i == len(parts) - 1 and prefix:
                    out.append(f"{prefix}.{part}")
                break
            obj = getattr(obj, part)
            home = _home(obj)
            prefix = home if home else f"{prefix}.{part}" if prefix else None
        else:
            if prefix:
                out.append(prefix)
            if _home(obj) is None and len(parts) == 1:
                # a plain value (a constant, a type alias): documented in the module that
                # assigns it, which is one of the irtgap modules holding the same object
                out += [
                    f"{name}.{parts[-1]}"
                    for name, holder in sorted(sys.modules.items())
                    if name.startswith("irtgap") and getattr(holder, parts[-1], None) is obj
                ]
    return list(dict.fromkeys(out))


def _resolve(app: Any, env: Any, node: Any, contnode: Any) -> Any:
    if node.get("refdomain") != "py":
        return None
    target = node.get("reftarget", "").lstrip("~.")
    if not target:
        return None
    domain = env.get_domain("py")
    for name in _candidates(target, node.get("py:module"), node.get("py:class")):
        if not name.startswith("irtgap") or name == target:
            continue
        found = domain.resolve_any_xref(env, node["refdoc"], app.builder, name, node, contnode)
        if found:
            return found[0][1]
    return None


def setup(app: Any) -> None:
    app.connect("autodoc-process-signature", _clean_signature)
    app.connect("missing-reference", _resolve)
