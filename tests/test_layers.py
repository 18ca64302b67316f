"""The code keeps its layers: no import cycle, and no import against the order in ARCHITECTURE.md.

The layer order is read from the "Layers" list of docs/ARCHITECTURE.md, so the page and the code
cannot drift apart. Every import counts: module level, inside functions and under TYPE_CHECKING.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "communique"


def layers() -> dict[str, int]:
    """Unit (top-level package or module of communique) -> its layer, bottom = 1."""
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    section = text.split("## Layers", 1)[1].split("\n## ", 1)[0]
    order: dict[str, int] = {}
    for line in section.splitlines():
        m = re.match(r"(\d+)\. (.*)", line.strip())
        if m:
            head = m.group(2).split(":", 1)[0]
            for unit in re.findall(r"`([a-z_]+)`", head):
                order[unit] = int(m.group(1))
    return order


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imports() -> dict[str, set[str]]:
    """Module -> the communique modules it imports (a name imported from a package counts as the
    submodule when there is one)."""
    mods = modules()
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in mods.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")
                    parts = parts[: len(parts) - node.level + 1]
                    base = ".".join(parts + ([node.module] if node.module else []))
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in mods else base
                           for a in node.names]
            for target in targets:
                while target and target not in mods:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
    return graph


def unit(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "communique"


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
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
                found.append(sorted(comp))

    for v in list(graph):
        if v not in index:
            visit(v)
    return found


def test_the_layer_list_covers_every_package() -> None:
    order = layers()
    units = {unit(m) for m in modules()}
    assert units - set(order) == set(), "add these to the Layers list of docs/ARCHITECTURE.md"
    assert set(order) - units == set(), "the Layers list names units that do not exist"


def test_no_import_cycle_between_modules() -> None:
    assert cycles(imports()) == []


def test_no_import_cycle_between_packages() -> None:
    graph: dict[str, set[str]] = defaultdict(set)
    for a, targets in imports().items():
        for b in targets:
            if unit(a) != unit(b):
                graph[unit(a)].add(unit(b))
    assert cycles(graph) == []


def upward(graph: dict[str, set[str]], order: dict[str, int]) -> list[str]:
    """Imports from a unit to one in a higher layer."""
    return sorted(
        f"{a} -> {b}"
        for a, targets in graph.items()
        for b in targets
        if unit(a) != unit(b) and order[unit(b)] > order[unit(a)]
    )


def test_imports_go_down_the_layers() -> None:
    assert upward(imports(), layers()) == []


def test_the_checks_find_a_planted_cycle_and_upward_import() -> None:
    """The checks can fail: the real graph plus a services -> facade import is caught twice."""
    graph = imports()
    assert "communique.archive" in graph["communique.cli.options"] | graph["communique.cli.search"]
    assert "communique.analysis.stats" in graph["communique.archive"]
    graph["communique.analysis.stats"].add("communique.archive")
    assert upward(graph, layers()) == ["communique.analysis.stats -> communique.archive"]
    assert any({"communique.analysis.stats", "communique.archive"} <= set(c) for c in cycles(graph))
