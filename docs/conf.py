"""Sphinx configuration of the sgmverify documentation.

Build (warnings are errors)::

    sphinx-build -W --keep-going -b html docs docs/_build/html

The API reference is generated from each wing's public names: a wing's ``__all__`` is its ``__init__.pyi``
stub (loaded lazily by ``lazy_loader``), so the ``wing-api`` directive below imports the wing, reads
``__all__`` and emits one autodoc entry per public name.  A name added to a stub appears in the docs
without editing any page.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import sys
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.errors import PycodeError
from sphinx.pycode import ModuleAnalyzer
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # import the working tree's sgmverify even without `pip install -e`

from sgmverify import __version__  # noqa: E402

# -- project -------------------------------------------------------------------------------------------
project = "sgmverify"
author = "The sgmverify authors"
copyright = f"2026, {author}"
version = release = __version__

# -- general -------------------------------------------------------------------------------------------
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",
    "sphinxarg.ext",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
default_role = "code"  # `x` in docstrings is inline code, never an unresolved reference

# Markdown (MyST): the tutorials, the paper notes and docs/CONTRACTS.md.
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 4

# -- autodoc / numpydoc --------------------------------------------------------------------------------
autodoc_default_options = {"members": True, "undoc-members": False, "show-inheritance": True}
autodoc_member_order = "bysource"
autodoc_typehints = "none"  # numpydoc documents the types; signatures stay readable
autodoc_preserve_defaults = True  # show `functions=DEFAULT_FUNCTIONS`, not the mapping's repr
numpydoc_show_class_members = False  # autodoc documents the members (no second table)
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()  # formatting is checked by the build (-W), not style

# -- HTML ----------------------------------------------------------------------------------------------
html_theme = "alabaster"
html_title = f"sgmverify {release}"
html_static_path: list[str] = []


# -- the wing-api directive ----------------------------------------------------------------------------
_FOOTNOTE_REF = re.compile(r"\[(\w+)\]_")


def _public_names(module_name: str) -> list[str]:
    module = importlib.import_module(module_name)
    names = getattr(module, "__all__", None)
    if names is None:
        raise RuntimeError(
            f"{module_name} has no __all__: the wing-api directive documents public names only"
        )
    return sorted(names, key=str.lower)


def _defining_modules(module_name: str) -> dict[str, str]:
    """Public name -> its defining module, read from the wing's ``__init__.pyi`` (or ``__init__.py``)."""
    module = importlib.import_module(module_name)
    init = Path(module.__file__)
    stub = init.with_suffix(".pyi")
    tree = ast.parse((stub if stub.exists() else init).read_text())
    out: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module is not None:
            base = module_name if init.name.startswith("__init__") else module_name.rpartition(".")[0]
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            source = f"{base}.{node.module}" if node.level else node.module
            for alias in node.names:
                out[alias.asname or alias.name] = source
    return out


def _data_doc(source: str, name: str) -> list[str]:
    """The ``#:`` comment (or string after the assignment) documenting a constant in its defining module."""
    try:
        analyzer = ModuleAnalyzer.for_module(source)
        analyzer.analyze()
    except PycodeError:
        return []
    return [ln for ln in analyzer.attr_docs.get(("", name), []) if ln is not None]


def _kind(obj: object) -> str:
    if inspect.isclass(obj):
        return "exception" if issubclass(obj, BaseException) else "class"
    if inspect.isroutine(obj) or (callable(obj) and not isinstance(obj, (dict, list, tuple, set, frozenset))):
        return "function"  # functions, and callables such as pytest fixtures
    return "data"


def _summary(obj: object, kind: str, data_doc: list[str]) -> str:
    """The first paragraph of a docstring, on one line, footnote references shown as plain ``[n]``."""
    text = "\n".join(data_doc) if kind == "data" else (inspect.getdoc(obj) or "")
    first = text.strip().split("\n\n")[0]
    return _FOOTNOTE_REF.sub(r"[\1]", " ".join(first.split()))


class WingApi(SphinxDirective):
    """``.. wing-api:: sgmverify.laws``: the wing's docstring, a summary table and every public name."""

    required_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        module_name = self.arguments[0]
        module = importlib.import_module(module_name)
        names = _public_names(module_name)
        sources = _defining_modules(module_name)
        rows: list[str] = []
        body: list[str] = []
        for name in names:
            obj = getattr(module, name)
            kind = _kind(obj)
            doc = _data_doc(sources.get(name, module_name), name) if kind == "data" else []
            summary = _summary(obj, kind, doc)
            rows += [f"   * - :py:obj:`{name}`", f"     - {summary}" if summary else "     -"]
            if kind == "data":
                body += [f".. py:data:: {name}"]
                value = repr(obj)
                if len(value) <= 80 and "\n" not in value:
                    body += [f"   :value: {value}"]
                body += ["", *[f"   {ln}" for ln in doc], ""]
            else:
                directive = {"class": "autoclass", "exception": "autoexception", "function": "autofunction"}
                body += [f".. {directive[kind]}:: {name}", ""]
        lines = [
            f".. automodule:: {module_name}",
            "   :no-members:",
            "",
            f".. currentmodule:: {module_name}",
            "",
            ".. list-table::",
            "   :widths: 25 75",
            "",
            *rows,
            "",
            *body,
        ]
        content = StringList(lines, source=f"<wing-api {module_name}>")
        container = nodes.container()
        nested_parse_with_titles(self.state, content, container)
        return container.children


def _footnote_definitions(text: str) -> dict[str, list[str]]:
    """``.. [label] ...`` definitions (with their indented continuation lines) in a docstring."""
    defs: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in inspect.cleandoc(text).splitlines():
        m = re.match(r"\.\. \[(\w+)\]\s", line)
        if m:
            current = defs.setdefault(m.group(1), [line])
        elif current is not None and line.startswith(" ") and line.strip():
            current.append(line)
        else:
            current = None
    return defs


def _add_module_references(app, what, name, obj, options, lines) -> None:
    """A docstring citing ``[4]_`` defined in its module's References gets that definition appended.

    The engine's modules list their references once, in the module docstring; the API pages render the
    public names without the private modules' docstrings, so each cited reference is copied next to the
    docstring that cites it (before numpydoc renumbers citations per docstring).
    """
    text = "\n".join(lines)
    cited = dict.fromkeys(_FOOTNOTE_REF.findall(text))
    local = _footnote_definitions(text)
    missing = [label for label in cited if label not in local]
    if not missing:
        return
    target = inspect.unwrap(getattr(obj, "fget", obj)) if obj is not None else None
    module = sys.modules.get(getattr(target, "__module__", "") or "")
    defs = _footnote_definitions(getattr(module, "__doc__", None) or "")
    found = [ln for label in missing if label in defs for ln in defs[label]]
    if not found:
        return
    if "References" in lines:
        at = lines.index("References") + 2
        lines[at:at] = found
    else:
        lines += ["", "References", "----------", *found]


def setup(app):
    app.add_directive("wing-api", WingApi)
    app.connect("autodoc-process-docstring", _add_module_references, priority=400)  # before numpydoc
    return {"parallel_read_safe": True, "parallel_write_safe": True}
