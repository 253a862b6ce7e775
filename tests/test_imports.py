"""The package's shape: no import cycles, no private name imported from another module.

Imports inside functions count too: a cycle hidden in a function is still two modules that
cannot be understood (or moved) one without the other.
"""

from __future__ import annotations

import ast
from pathlib import Path

import edge

ROOT = Path(edge.__file__).parent


def _modules() -> dict[str, Path]:
    found = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> list[tuple[str, str | None]]:
    """(module imported, name taken from it or None) for every import in ``name``."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: list[tuple[str, str | None]] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out.extend((alias.name, None) for alias in node.names if alias.name in MODULES)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            for alias in node.names:
                if f"{base}.{alias.name}" in MODULES:
                    out.append((f"{base}.{alias.name}", None))
                elif base in MODULES:
                    out.append((base, alias.name))
    return out


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _cycles() -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    edges = {m: sorted({target for target, _ in imports}) for m, imports in GRAPH.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            if i < len(edges[node]):
                work.append((node, i + 1))
                nxt = edges[node][i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return found


def test_the_graph_sees_the_package() -> None:
    assert "edge.cli" in MODULES and "edge.scoring.page" in GRAPH
    assert ("edge.console", "clean_errors") in GRAPH["edge.cli"]  # a `from x import name` is read as (x, name)


def test_no_import_cycles() -> None:
    assert _cycles() == []


def test_cycle_detection_finds_a_cycle() -> None:
    saved = dict(GRAPH)
    try:
        GRAPH["edge.errors"] = [*GRAPH["edge.errors"], ("edge.cli", None)]
        assert any({"edge.cli", "edge.errors"} <= set(c) for c in _cycles())
    finally:
        GRAPH.clear()
        GRAPH.update(saved)


def test_no_private_names_cross_modules() -> None:
    crossing = [f"{module} imports {name} from {source}" for module, imports in GRAPH.items()
                for source, name in imports
                if name and name.startswith("_") and not name.startswith("__") and source != module]
    assert crossing == []
