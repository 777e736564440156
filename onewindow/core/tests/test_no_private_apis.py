"""Our code uses the frameworks through their public API only.

A name that starts with one underscore is private to the library that defines it: it can
change or vanish in any release, without a deprecation. This test reads every module under
``onewindow/`` and ``bench/`` (migrations and tests included) with ``ast`` and fails, naming
file:line, on

(a) a private name imported from a framework (django, ninja, pydantic, psycopg, sqlite3,
    granian): ``from django.x import _y``, ``import django.x._y``, ``from django.x._y import z``;
(b) a private attribute that our own code does not define, read or written on anything:
    ``x._name``, or named by a string (``getattr(x, "_name")``, ``x.__dict__["_name"]``,
    ``for name in ("_name", …)``). Without types we cannot tell what ``x`` is, so the rule
    is: a ``_name`` is ours when our code defines it (a function, a class, a module- or
    class-level name, an attribute a method sets on ``self``, an ``annotate(_name=…)``
    column); every other ``_name`` could belong to a framework object. ``_meta`` (Django's
    documented model options) is the one exception;
(c) a class that subclasses a django or ninja class and defines a ``_name`` (method, class
    attribute, or ``self._name = …``) that the framework class already has: an override of,
    or a write into, the framework's private workings. Those definitions do not count as
    ours in (b), so the reads that go with them are named too;
(d) a framework internal whose name has no underscore, from the short list ``INTERNALS``.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import sys
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SCANNED = ("onewindow", "bench")
FRAMEWORKS = frozenset({"django", "ninja", "pydantic", "psycopg", "sqlite3", "granian"})
SUBCLASS_FRAMEWORKS = frozenset({"django", "ninja"})
ALLOWED = frozenset({"_meta"})
# Django query methods whose keyword names become attributes of the rows they return.
COLUMN_METHODS = frozenset({"annotate", "alias", "aggregate", "values"})
ATTRIBUTE_BUILTINS = frozenset({"getattr", "setattr", "hasattr", "delattr"})
# Rule (d): framework internals whose names have no underscore. Not a complete list (no
# test can know what a framework documents): the ones this code base has leaned on.
INTERNALS = {
    "ModelState": "Django's undocumented per-row state (Model.__init__ and from_db set it)",
    "wrap_database_errors": "the undocumented error translation inside Django's cursors",
    "get_db_converters": "the ORM's undocumented conversions of fetched values",
    "trans_real": "the implementation module behind django.utils.translation",
}


def is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__") and len(name) > 1


def is_framework(dotted: str) -> bool:
    root = dotted.split(".", 1)[0]
    return root in FRAMEWORKS or root.lstrip("_") in FRAMEWORKS


@dataclass(frozen=True, order=True)
class Finding:
    path: str
    line: int
    rule: str
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: ({self.rule}) {self.what}"


@dataclass
class Module:
    path: str
    name: str
    is_package: bool
    tree: ast.Module

    @cached_property
    def nodes(self) -> list[ast.AST]:
        return list(ast.walk(self.tree))

    def absolute(self, node: ast.ImportFrom) -> str:
        """The module an ImportFrom names, relative imports resolved."""
        if not node.level:
            return node.module or ""
        parts = self.name.split(".")
        if not self.is_package:
            parts = parts[:-1]
        parts = parts[: len(parts) - (node.level - 1)]
        return ".".join(parts + ([node.module] if node.module else []))

    @property
    def imports(self) -> dict[str, str]:
        """Local name -> the dotted name it stands for (module-level imports and classes)."""
        table = {}
        for node in self.tree.body:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        table[alias.asname] = alias.name
                    else:
                        root = alias.name.split(".", 1)[0]
                        table[root] = root
            elif isinstance(node, ast.ImportFrom):
                source = self.absolute(node)
                for alias in node.names:
                    table[alias.asname or alias.name] = f"{source}.{alias.name}"
            elif isinstance(node, ast.ClassDef):
                table[node.name] = f"{self.name}.{node.name}"
        return table


def module_of(path: str, source: str) -> Module:
    parts = list(Path(path).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    return Module(path, ".".join(parts), is_package, ast.parse(source, path))


# ------------------------------------------------------------------- framework classes


def resolve_object(dotted: str):
    """The object a dotted name stands for (import the longest module prefix), or None."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for attr in parts[cut:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return None
        return obj
    return None


@cache
def framework_privates(cls: type) -> frozenset[str]:
    """The private names a framework class has: its attributes and methods, and the
    attributes its methods (and those of its framework bases) assign on ``self``."""
    names = {name for name in dir(cls) if is_private(name)}
    for klass in cls.__mro__:
        if is_framework(klass.__module__ or ""):
            names.update(set_on_self(klass.__module__).get(klass.__qualname__, ()))
    return frozenset(names)


@cache
def set_on_self(module_name: str) -> dict[str, frozenset[str]]:
    """Class name -> the private attributes its methods set on ``self``, in one module."""
    try:
        source = inspect.getsource(sys.modules[module_name])
    except (KeyError, OSError, TypeError):  # not loaded, or no Python source
        return {}
    found = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.ClassDef):
            found[node.name] = frozenset(
                store.attr for store in self_stores(node) if is_private(store.attr)
            )
    return found


class Index:
    """Every scanned module, and what their classes inherit from."""

    def __init__(self, modules: list[Module]):
        self.modules = {m.name: m for m in modules}
        self.imports = {m.name: m.imports for m in modules}

    def qualify(self, module: Module, expr: ast.expr) -> str | None:
        """The dotted name of a base class expression, through the module's imports."""
        if isinstance(expr, ast.Subscript):  # Generic[T]
            return self.qualify(module, expr.value)
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute):
            return self.qualify(module, expr.func.value)  # Manager.from_queryset(QS)
        parts = []
        while isinstance(expr, ast.Attribute):
            parts.append(expr.attr)
            expr = expr.value
        if not isinstance(expr, ast.Name):
            return None
        head = self.imports[module.name].get(expr.id, expr.id)
        return ".".join([head, *reversed(parts)])

    def class_node(self, dotted: str) -> tuple[Module, ast.ClassDef] | None:
        module_name, _, class_name = dotted.rpartition(".")
        module = self.modules.get(module_name)
        if module is None:
            return None
        for node in module.tree.body:
            if isinstance(node, ast.ClassDef) and node.name == class_name:
                return module, node
        # Re-exported through an import in that module.
        target = self.imports[module_name].get(class_name)
        if target and target != dotted:
            return self.class_node(target)
        return None

    def framework_bases(self, module: Module, node: ast.ClassDef, seen=()) -> list[type]:
        """The django and ninja classes this class inherits from (through our own classes)."""
        found = []
        for base in node.bases:
            dotted = self.qualify(module, base)
            if dotted is None or dotted in seen:
                continue
            if dotted.split(".", 1)[0] in SUBCLASS_FRAMEWORKS:
                cls = resolve_object(dotted)
                if isinstance(cls, type):
                    found.append(cls)
                continue
            ours = self.class_node(dotted)
            if ours is not None:
                found += self.framework_bases(*ours, seen=(*seen, dotted))
        return found


# ----------------------------------------------------------------------------- rules


def self_stores(cls_node: ast.ClassDef) -> list[ast.Attribute]:
    """``self.x = …`` (``cls.x = …``) in the methods of this class: the attributes it sets."""
    out = []
    for method in cls_node.body:
        if isinstance(method, ast.FunctionDef | ast.AsyncFunctionDef) and method.args.args:
            first = method.args.args[0].arg
            out += [
                node
                for node in ast.walk(method)
                if isinstance(node, ast.Attribute)
                and isinstance(node.ctx, ast.Store)
                and isinstance(node.value, ast.Name)
                and node.value.id == first
            ]
    return out


def defined_names(cls_node: ast.ClassDef) -> list[tuple[str, int]]:
    """The private names a class body defines: methods, class attributes, self._x = …"""
    out = []
    for stmt in cls_node.body:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            out.append((stmt.name, stmt.lineno))
        elif isinstance(stmt, ast.Assign | ast.AnnAssign):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            out += [(t.id, stmt.lineno) for t in targets if isinstance(t, ast.Name)]
    out += [(node.attr, node.lineno) for node in self_stores(cls_node)]
    return [(name, line) for name, line in out if is_private(name)]


def overrides(index: Index) -> tuple[list[Finding], set[str]]:
    """Rule (c), and the names it finds (they do not count as ours)."""
    findings, names = [], set()
    for module in index.modules.values():
        for node in module.nodes:
            if not isinstance(node, ast.ClassDef):
                continue
            bases = index.framework_bases(module, node)
            if not bases:
                continue
            for name, line in defined_names(node):
                owner = next((b for b in bases if name in framework_privates(b)), None)
                if owner is not None:
                    names.add(name)
                    findings.append(
                        Finding(
                            module.path,
                            line,
                            "c",
                            f"{node.name}.{name} overrides or sets the private "
                            f"{owner.__module__}.{owner.__qualname__}.{name}",
                        )
                    )
    return findings, names


def our_names(modules: list[Module], excluded: set[str]) -> set[str]:
    """Every private name our code defines (see the module docstring)."""
    names = set()

    def targets(stmt) -> list[ast.expr]:
        if isinstance(stmt, ast.Assign):
            return stmt.targets
        if isinstance(stmt, ast.AnnAssign | ast.AugAssign):
            return [stmt.target]
        return []

    def flat(target):
        if isinstance(target, ast.Tuple | ast.List):
            for elt in target.elts:
                yield from flat(elt)
        else:
            yield target

    for module in modules:
        scopes = [module.tree.body] + [n.body for n in module.nodes if isinstance(n, ast.ClassDef)]
        for body in scopes:  # module- and class-level names
            for stmt in body:
                for target in targets(stmt):
                    names.update(t.id for t in flat(target) if isinstance(t, ast.Name))
        for node in module.nodes:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            if isinstance(node, ast.ClassDef):
                names.update(store.attr for store in self_stores(node))
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in COLUMN_METHODS
            ):
                names.update(k.arg for k in node.keywords if k.arg)
    return {n for n in names if is_private(n)} - excluded


def private_imports(module: Module) -> list[Finding]:
    """Rule (a)."""
    out = []
    for node in module.nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if is_framework(alias.name) and any(is_private(p) for p in parts):
                    out.append(Finding(module.path, node.lineno, "a", f"import {alias.name}"))
        elif isinstance(node, ast.ImportFrom) and not node.level:
            source = node.module or ""
            if not is_framework(source):
                continue
            if any(is_private(p) for p in source.split(".")):
                out.append(Finding(module.path, node.lineno, "a", f"from {source} import …"))
                continue
            for alias in node.names:
                if is_private(alias.name):
                    out.append(
                        Finding(module.path, node.lineno, "a", f"from {source} import {alias.name}")
                    )
    return out


def attribute_names(node: ast.AST) -> list[ast.Constant]:
    """The string constants in ``node`` that name an attribute: ``getattr(x, "n")`` (and
    set/has/delattr), ``x.__dict__["n"]``, ``x.__dict__.pop("n")`` (get, setdefault), and
    the items of a literal tuple, list or set a loop runs over (``for n in ("a", "b")``)."""
    keys = []
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name) and func.id in ATTRIBUTE_BUILTINS and len(node.args) > 1:
            keys.append(node.args[1])
        elif (
            isinstance(func, ast.Attribute)
            and func.attr in ("get", "pop", "setdefault")
            and is_dict_of_attributes(func.value)
            and node.args
        ):
            keys.append(node.args[0])
    elif isinstance(node, ast.Subscript) and is_dict_of_attributes(node.value):
        keys.append(node.slice)
    elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
        if isinstance(node.iter, ast.Tuple | ast.List | ast.Set):
            keys += node.iter.elts
    return [k for k in keys if isinstance(k, ast.Constant) and isinstance(k.value, str)]


def is_dict_of_attributes(node: ast.expr) -> bool:
    """``x.__dict__`` or ``vars(x)``."""
    if isinstance(node, ast.Attribute):
        return node.attr == "__dict__"
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "vars"


def private_attributes(module: Module, ours: set[str]) -> list[Finding]:
    """Rule (b)."""
    out = []

    def foreign(name: str) -> bool:
        return is_private(name) and name not in ALLOWED and name not in ours

    for node in module.nodes:
        if isinstance(node, ast.Attribute) and foreign(node.attr):
            out.append(Finding(module.path, node.lineno, "b", f"attribute .{node.attr}"))
        for key in attribute_names(node):
            if foreign(key.value):
                out.append(Finding(module.path, key.lineno, "b", f"attribute {key.value!r}"))
    return out


def internals(module: Module) -> list[Finding]:
    """Rule (d)."""
    out = []
    for node in module.nodes:
        named = []
        if isinstance(node, ast.Import):
            named = [p for alias in node.names for p in alias.name.split(".")]
        elif isinstance(node, ast.ImportFrom) and is_framework(module.absolute(node)):
            named = (node.module or "").split(".") + [alias.name for alias in node.names]
        elif isinstance(node, ast.Attribute):
            named = [node.attr]
        out += [
            Finding(module.path, node.lineno, "d", f"{name}: {INTERNALS[name]}")
            for name in named
            if name in INTERNALS
        ]
    return out


def check(sources: dict[str, str]) -> list[Finding]:
    """Every finding in these modules (path -> source)."""
    modules = [module_of(path, text) for path, text in sources.items()]
    index = Index(modules)
    findings, overridden = overrides(index)
    ours = our_names(modules, overridden)
    named = {(f.path, f.line) for f in findings}
    for module in modules:
        findings += private_imports(module)
        findings += internals(module)
        # A definition (c) names is not named again as an attribute.
        findings += [f for f in private_attributes(module, ours) if (f.path, f.line) not in named]
    return sorted(set(findings))


def project_sources() -> dict[str, str]:
    sources = {}
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*.py")):
            rel = path.relative_to(ROOT)
            if rel.parts[:3] == ("onewindow", "static", "vendor"):
                continue
            sources[rel.as_posix()] = path.read_text(encoding="utf-8")
    return sources


# ----------------------------------------------------------------------------- tests


def test_no_private_framework_api():
    findings = check(project_sources())
    assert not findings, "private framework API used:\n" + "\n".join(map(str, findings))


def rules(sources: dict[str, str]) -> list[tuple[str, int, str]]:
    return [(f.path, f.line, f.rule) for f in check(sources)]


@pytest.mark.parametrize(
    "source",
    [
        "from django.db.models.sql import _x\n",
        "import django.db._private\n",
        "from django.db._private import thing\n",
        "from ninja import _y as y\n",
        "from _sqlite3 import connect\n",
    ],
)
def test_checker_finds_private_imports(source):
    assert rules({"onewindow/m.py": source}) == [("onewindow/m.py", 1, "a")]


@pytest.mark.parametrize(
    "source",
    [
        "def f(backend):\n    return backend._perm_cache\n",
        "def f(user):\n    user._perm_cache = set()\n",
        "def f(user):\n    return getattr(user, '_perm_cache', None)\n",
        "def f(user):\n    return user.__dict__.pop('_perm_cache', None)\n",
        "def f(user):\n    return vars(user)['_perm_cache']\n",
        "def f(user):\n    for name in ('_perm_cache', 'pk'):\n        setattr(user, name, 1)\n",
    ],
)
def test_checker_finds_private_attributes(source):
    assert rules({"onewindow/m.py": source}) == [("onewindow/m.py", 2, "b")]


def test_checker_finds_overrides_of_framework_privates():
    base = "from django.contrib.auth.backends import ModelBackend\n\n\n"
    override = (
        base + "class B(ModelBackend):\n    def _get_permissions(self, u, o, t):\n        pass\n"
    )
    assert rules({"onewindow/m.py": override}) == [("onewindow/m.py", 5, "c")]
    # Through one of our own classes, in another module, with a relative import.
    ours = (
        "from .m import B\n\n\nclass C(B):\n    def _get_user_permissions(self, u):\n        pass\n"
    )
    found = rules({"onewindow/m.py": override, "onewindow/n.py": ours})
    assert ("onewindow/n.py", 5, "c") in found
    # A class attribute, and an attribute set on self that the framework's code sets.
    handler = (
        "from django.core.handlers import base\n\n\n"
        "class H(base.BaseHandler):\n"
        "    _view_middleware = ()\n\n"
        "    def load(self):\n"
        "        self._middleware_chain = None\n"
    )
    assert rules({"onewindow/h.py": handler}) == [
        ("onewindow/h.py", 5, "c"),
        ("onewindow/h.py", 8, "c"),
    ]


@pytest.mark.parametrize(
    "source",
    [
        "from django.db.models.base import ModelState\n",
        "from django.utils.translation.trans_real import parse_accept_lang_header\n",
        "def f(conn):\n    return conn.wrap_database_errors\n",
    ],
)
def test_checker_finds_internals(source):
    found = rules({"onewindow/m.py": source})
    assert found and {rule for _path, _line, rule in found} == {"d"}


def test_checker_passes_clean_code():
    clean = '''"""A module of ours; `_meta` is Django's documented model options."""
from django.contrib.auth.backends import ModelBackend
from django.db.models import Count

_CACHE = {}


def _helper(model):
    return model._meta.label, _CACHE.get("_CACHE")


class Backend(ModelBackend):
    def get_all_permissions(self, user_obj, obj=None):
        self._ours = True
        return super().get_all_permissions(user_obj, obj)

    def _own_helper(self):
        return self._ours


def rows(qs):
    return qs.annotate(_n=Count("pk")).values_list("_n", flat=True)
'''
    other = "from .m import _helper\n\n\ndef g(m, b):\n    return _helper(m), b._own_helper()\n"
    assert rules({"onewindow/m.py": clean, "onewindow/n.py": other}) == []
