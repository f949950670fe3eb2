"""The shape of the house: module sizes, the top level, and no import cycles between modules.

import-linter (run by .ci/run, contracts in pyproject.toml) checks the layers and the wings at package
level; it cannot see through the lazily loaded wing namespaces (``__init__.pyi`` + lazy_loader), so this
test resolves every ``from sgmverify.<wing> import name`` to the private module that defines ``name`` and
looks for cycles in that module graph -- imports inside functions included.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "sgmverify"
MAX_LINES, MAX_WITH_REASON = 500, 600
REASON = "longer than 500 lines because"  # a module over the limit says why, in its docstring


def _modules() -> dict[str, Path]:
    out = {}
    for path in PKG.rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _stub_origins(package: str) -> dict[str, str]:
    """name -> defining module, from a lazily loaded package's ``__init__.pyi``."""
    stub = PKG.joinpath(*package.split(".")[1:], "__init__.pyi")
    if not stub.exists():
        return {}
    origins = {}
    for node in ast.parse(stub.read_text()).body:
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
            target = f"{package}.{node.module}"
            for alias in node.names:
                origins[alias.asname or alias.name] = target
    return origins


def _resolve(origin: str, name: str, seen: frozenset = frozenset()) -> str:
    """The module that really provides ``origin.name`` (through chains of lazy stubs)."""
    if f"{origin}.{name}" in MODULES:
        return f"{origin}.{name}"
    target = _stub_origins(origin).get(name)
    if target is None or target in seen:
        return origin
    return _resolve(target, name, seen | {target}) if _stub_origins(target) else target


def _imports(module: str, path: Path) -> set[str]:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    deps = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            deps |= {a.name for a in node.names if a.name.split(".")[0] == "sgmverify"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            if source.split(".")[0] != "sgmverify":
                continue
            for alias in node.names:
                deps.add(_resolve(source, alias.name))
    return {d for d in deps if d in MODULES and d != module}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles_between_modules():
    graph = {m: _imports(m, p) for m, p in MODULES.items()}
    assert _cycles(graph) == []


def test_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_lazy_names_resolve_to_their_defining_module():
    assert _resolve("sgmverify.laws", "Gaussian").startswith("sgmverify.laws._")
    assert _resolve("sgmverify", "Gaussian").startswith("sgmverify.laws._")


@pytest.mark.parametrize("module", sorted(MODULES))
def test_module_size(module):
    text = MODULES[module].read_text()
    n = text.count("\n")
    if n <= MAX_LINES:
        return
    doc = (ast.get_docstring(ast.parse(text)) or "").lower()
    assert n <= MAX_WITH_REASON and REASON in doc, (
        f"{module} has {n} lines: split it by concept, or (up to {MAX_WITH_REASON}) say in its docstring "
        f"why it is '{REASON} ...'"
    )


def test_top_level_is_small():
    top = sorted(p.name for p in PKG.glob("*.py"))
    assert len(top) <= 12, top
