"""The layering the README draws, checked on the source: arrows go one way, and no cycles.

Every module of engine/, webhooks/ and workflows/ is parsed with `ast`; all its
imports count, including those inside functions (an import that only dodges a
cycle at load time is still a cycle), except those under `if TYPE_CHECKING:`,
which never run. Relative imports are resolved against the module's package.
An import of `a.b.c` counts as an import of the longest project module it names
(`from engine.camunda import handlers` is `engine.camunda.handlers`), not of the
parent packages Python runs on the way.
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("engine", "webhooks", "workflows")

FLASK = ("flask", "flask_smorest", "flask_babel")
ABOVE_RUNTIME = ("engine.runtime", "engine.store", "engine.service", "engine.facade")
# (importer, what it must not import: a module and everything in it); inside engine,
# then between packages
FORBIDDEN: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("engine.camunda", ABOVE_RUNTIME),
    ("engine.expressions", ABOVE_RUNTIME),
    ("engine.dmn", ABOVE_RUNTIME),
    ("engine.store", ("engine.runtime", "engine.service", "engine.facade")),
    ("engine.runtime", ("engine.service", "engine.facade")),
    ("engine", ("webhooks", "workflows", *FLASK)),
    ("webhooks", ("workflows", *FLASK)),
)
# `from engine import Engine` runs engine/__init__.py, which is the facade
FACADE_PACKAGE = "engine"
BELOW_FACADE = ("engine.camunda", "engine.expressions", "engine.dmn", "engine.store",
                "engine.runtime")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[module_name(path)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _import_nodes(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import under `node`, skipping the bodies of `if TYPE_CHECKING:`."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            for other in child.orelse:
                yield from _import_nodes_of(other)
            continue
        yield from _import_nodes_of(child)


def _import_nodes_of(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    if isinstance(node, ast.Import | ast.ImportFrom):
        yield node
    else:
        yield from _import_nodes(node)


def _resolve_base(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".") if is_package else module.split(".")[:-1]
    package = package[: len(package) - (node.level - 1)]
    return ".".join([*package, *([node.module] if node.module else [])])


def imported_names(module: str, source: str, is_package: bool,
                   modules: Collection[str]) -> set[tuple[str, int]]:
    """What a module imports, with the line.

    `import a.b` names `a.b`; `from a import b` names `a.b` when that is a
    project module, else `a` (b is an attribute of it).
    """
    tree = ast.parse(source)
    names: set[tuple[str, int]] = set()
    for node in _import_nodes(tree):
        if isinstance(node, ast.Import):
            names.update((alias.name, node.lineno) for alias in node.names)
            continue
        base = _resolve_base(module, is_package, node)
        for alias in node.names:
            name = f"{base}.{alias.name}"
            names.add((name if name in modules else base, node.lineno))
    return names


def _owner(name: str, modules: Collection[str]) -> str | None:
    """The longest project module `name` is or lies in."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in modules:
            return candidate
    return None


def import_graph() -> tuple[dict[str, set[str]], dict[str, set[tuple[str, int]]]]:
    """Project module → project modules it imports; and module → every name it imports."""
    modules = project_modules()
    graph: dict[str, set[str]] = {}
    raw: dict[str, set[tuple[str, int]]] = {}
    for module, path in modules.items():
        raw[module] = imported_names(module, path.read_text(encoding="utf-8"),
                                     path.name == "__init__.py", modules)
        owners = {_owner(name, modules) for name, _ in raw[module]}
        graph[module] = {o for o in owners if o is not None and o != module}
    return graph, raw


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle path per strongly connected component with more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = 0

    def connect(start: str) -> None:
        nonlocal counter
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        components.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            connect(module)
    return [_cycle_in(graph, set(c)) for c in components]


def _cycle_in(graph: dict[str, set[str]], component: set[str]) -> list[str]:
    """A shortest cycle through the component's first module, as a path."""
    start = min(component)
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for child in sorted(graph[node] & component):
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [*reversed(path), start]
                if child not in previous:
                    previous[child] = node
                    following.append(child)
        frontier = following
    raise AssertionError(f"no cycle in component {sorted(component)}")


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def test_imports_inside_functions_count_and_type_checking_ones_do_not() -> None:
    source = """
from typing import TYPE_CHECKING
from . import sibling
from ..store.models import Task
if TYPE_CHECKING:
    from engine.facade import Engine
else:
    import webhooks.outbox
def f():
    from engine.runtime import step
"""
    modules = {"engine.camunda.sibling", "engine.store.models", "engine.runtime.step",
               "engine.facade", "webhooks.outbox"}
    names = {name for name, _ in imported_names("engine.camunda.x", source, False, modules)}
    assert names == {"typing", "engine.camunda.sibling", "engine.store.models",
                     "webhooks.outbox", "engine.runtime.step"}
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]


def test_every_project_import_names_a_module() -> None:
    """A relative import of a module that is not there fails only when it runs."""
    modules = project_modules()
    wrong = []
    for module, path in sorted(modules.items()):
        names = imported_names(module, path.read_text(encoding="utf-8"),
                               path.name == "__init__.py", modules)
        for name, line in sorted(names):
            if name.split(".")[0] in PACKAGES and name not in modules:
                wrong.append(f"{module}:{line} imports {name}, which is no module")
    assert not wrong, "\n".join(wrong)


def test_no_import_cycles() -> None:
    graph, _ = import_graph()
    cycles = find_cycles(graph)
    assert not cycles, "import cycles:\n" + "\n".join(" → ".join(c) for c in cycles)


def test_layers_import_only_downwards() -> None:
    _, raw = import_graph()
    wrong = []
    for module, names in sorted(raw.items()):
        for name, line in sorted(names):
            if any(_within(module, importer) and any(_within(name, t) for t in forbidden)
                   for importer, forbidden in FORBIDDEN):
                wrong.append(f"{module}:{line} imports {name}")
            elif name == FACADE_PACKAGE and any(_within(module, b) for b in BELOW_FACADE):
                wrong.append(f"{module}:{line} imports the engine package (the facade)")
    assert not wrong, "imports against the layering:\n" + "\n".join(wrong)
