"""The import graph of the onewindow package keeps to its layers and has no cycles.

Every import counts: at module level or inside a function (a deferred import is still a
dependency), and a dotted path handed to ``import_module``, ``import_string`` or
``include``. Importing ``a.b.c`` links to ``a.b.c`` only, not to the packages above it.

The layers, bottom first (docs/ARCHITECTURE.md, "Layers"); a module may import its own
unit and the units below it, never one above it nor another unit on its own level:

- ``lib``: framework-free rules (no Django at all);
- ``core``: plumbing;
- ``audit``: the audit chain, which every app's services call to record their writes
  (so it sits below the apps that write: halls, accounts and workdays call it);
- ``halls``, then ``accounts`` (a user belongs to halls and a department: accounts
  imports halls);
- ``workdays``; ``catalogue``; ``cases``; ``floor`` (the hall's queue, linked to cases);
  ``supervision``; ``ratings``; ``followups`` (of bad ratings); ``complaints``; then
  ``open311`` and ``conduct`` (both over complaints); ``reports`` (reads all of them);
- ``portal`` and ``demo``; then ``onewindow/api.py``; then ``onewindow/urls.py``; then
  the entry points ``onewindow/wsgi.py`` and ``onewindow/manage.py``.

Settings, ``onewindow/factories.py``, ``onewindow/testing/`` and tests may import anything.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PACKAGE = "onewindow"
PACKAGE_DIR = Path(__file__).resolve().parents[2]

LAYERS: list[tuple[str, ...]] = [
    ("lib",),
    ("core",),
    ("audit",),
    ("halls",),
    ("accounts",),
    ("workdays",),
    ("training",),
    ("catalogue",),
    ("cases",),
    ("floor",),
    ("floorstats",),
    ("supervision",),
    ("ratings",),
    ("followups",),
    ("complaints",),
    ("open311", "conduct"),
    ("reports",),
    ("insight", "meetings", "bulletins"),
    ("assessment",),
    ("portal", "demo"),
    ("api",),
    ("urls",),
    ("wsgi", "manage"),
]
RANK = {unit: rank for rank, units in enumerate(LAYERS) for unit in units}
FREE = {"settings", "settings_test", "factories", "testing"}  # may import anything
NO_FRAMEWORK = {"lib": ("django", "ninja")}  # units that must not import these at all
DYNAMIC_IMPORTS = {"import_module", "import_string", "include", "__import__"}


@dataclass(frozen=True, order=True)
class Edge:
    source: str
    target: str
    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.source} imports {self.target}"


def module_name(rel: Path) -> tuple[str, bool]:
    """(dotted name, is a package) of a file given relative to the package's parent."""
    parts = list(rel.with_suffix("").parts)
    if parts[-1] == "__init__":
        return ".".join(parts[:-1]), True
    return ".".join(parts), False


@cache
def project_graph() -> tuple[set[str], list[Edge], list[Edge]]:
    return build_graph(project_sources())


def project_sources() -> dict[str, str]:
    root = PACKAGE_DIR.parent
    return {
        path.relative_to(root).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(PACKAGE_DIR.rglob("*.py"))
        if "static" not in path.relative_to(PACKAGE_DIR).parts[:1]
    }


def build_graph(sources: dict[str, str]) -> tuple[set[str], list[Edge], list[Edge]]:
    """Our modules, the edges between them, and the imports of other packages."""
    names = {path: module_name(Path(path)) for path in sources}
    modules = {name for name, _pkg in names.values()}

    def ours(dotted: str) -> str | None:
        """The longest prefix of ``dotted`` that is one of our modules."""
        parts = dotted.split(".")
        for cut in range(len(parts), 0, -1):
            candidate = ".".join(parts[:cut])
            if candidate in modules:
                return candidate
        return None

    edges, external = [], []
    for path, source in sources.items():
        name, is_package = names[path]
        base = name.split(".") if is_package else name.split(".")[:-1]

        def add(dotted: str, line: int, *, name=name, path=path) -> None:
            if dotted.split(".", 1)[0] != PACKAGE:
                external.append(Edge(name, dotted, path, line))
                return
            target = ours(dotted)
            if target is not None and target != name:
                edges.append(Edge(name, target, path, line))

        for node in ast.walk(ast.parse(source, path)):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    add(alias.name, node.lineno)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    parent = base[: len(base) - (node.level - 1)]
                    source_module = ".".join(parent + ([node.module] if node.module else []))
                else:
                    source_module = node.module or ""
                for alias in node.names:
                    # ``from a import b``: the module a.b if there is one, else a.
                    add(f"{source_module}.{alias.name}", node.lineno)
            elif isinstance(node, ast.Call) and node.args:
                func = node.func
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                arg = node.args[0]
                if (
                    called in DYNAMIC_IMPORTS
                    and isinstance(arg, ast.Constant)
                    and isinstance(arg.value, str)
                    and arg.value.startswith(PACKAGE + ".")
                ):
                    add(arg.value, node.lineno)
    return modules, sorted(set(edges)), sorted(set(external))


def unit(module: str) -> str | None:
    """The layer unit of a module; None for the modules free to import anything."""
    parts = module.split(".")
    if len(parts) == 1 or "tests" in parts or parts[1] in FREE:
        return None
    return parts[1]


def cycles(edges: list[Edge]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    graph = defaultdict(set)
    for edge in edges:
        graph[edge.source].add(edge.target)
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def layer_violations(edges: list[Edge], external: list[Edge]) -> list[str]:
    out = []
    for edge in edges:
        source, target = unit(edge.source), unit(edge.target)
        if source is None or target is None or source == target:
            continue
        if source not in RANK or target not in RANK:
            out.append(f"{edge}: {source if source not in RANK else target} has no layer")
        elif RANK[target] >= RANK[source]:
            where = "above" if RANK[target] > RANK[source] else "on the same level as"
            out.append(f"{edge}: {target} is {where} {source}")
    for edge in external:
        forbidden = NO_FRAMEWORK.get(unit(edge.source) or "", ())
        if edge.target.split(".", 1)[0] in forbidden:
            out.append(f"{edge}: {unit(edge.source)} must not depend on a framework")
    return out


def test_no_import_cycles():
    _modules, edges, _external = project_graph()
    found = cycles(edges)
    if found:
        lines = []
        for component in found:
            members = set(component)
            lines.append(" <-> ".join(component))
            lines += [f"    {e}" for e in edges if e.source in members and e.target in members]
        raise AssertionError("import cycles:\n" + "\n".join(lines))


def test_imports_point_down_the_layers():
    modules, edges, external = project_graph()
    unplaced = sorted({unit(m) for m in modules} - set(RANK) - {None})
    assert not unplaced, f"units without a layer (add them to LAYERS): {unplaced}"
    violations = layer_violations(edges, external)
    assert not violations, "imports up or across the layers:\n" + "\n".join(violations)


def test_the_checks_see_function_level_relative_and_dynamic_imports():
    sources = {
        "onewindow/core/__init__.py": "",
        "onewindow/core/tags.py": "def f():\n    from ..accounts import roles\n",
        "onewindow/accounts/__init__.py": "",
        "onewindow/accounts/roles.py": "from onewindow.core import tags\n",
        "onewindow/lib/__init__.py": "",
        "onewindow/lib/calc.py": "from django.db import models\n",
        "onewindow/urls.py": "urlpatterns = [include('onewindow.accounts.roles')]\n",
        "onewindow/accounts/tests/__init__.py": "",
        "onewindow/accounts/tests/test_x.py": "import onewindow.urls\n",
    }
    _modules, edges, external = build_graph(sources)
    assert cycles(edges) == [["onewindow.accounts.roles", "onewindow.core.tags"]]
    violations = layer_violations(edges, external)
    assert [v.split(": ", 1)[0] for v in violations] == [
        "onewindow/core/tags.py:2",
        "onewindow/lib/calc.py:1",
    ]
    assert Edge("onewindow.urls", "onewindow.accounts.roles", "onewindow/urls.py", 1) in edges
