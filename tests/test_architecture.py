"""The folder tree is the architecture: packages by capability, imports one way, no cycle.

Each package's ``__init__.py`` says in its docstring what it may import ("May import: project, codebook.");
this test reads every import in every module (lazy ones inside functions included) and holds the package to
it, so the docstrings, ARCHITECTURE.md and the code cannot drift apart.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "qualcode"
FOUNDATIONS = {"errors", "text"}  # modules directly in qualcode/ that every package may use
ROOT_MODULES = {"__init__", "__main__", "errors", "text", "demo"}
CORE = ("project", "ingest", "codebook", "coding", "reports", "team", "suggest", "findings", "exchange")


def _modules() -> dict[str, Path]:
    return {".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__"): p
            for p in PACKAGE.rglob("*.py")}  # fmt: skip


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The qualcode modules ``name`` imports, anywhere in it."""
    found: set[str] = set()
    base = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                stem = ".".join(base[: len(base) - node.level + 1] + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            candidates = [stem, *(f"{stem}.{alias.name}" for alias in node.names)]
            found.update(c for c in candidates if c in known)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in known)
    found.discard(name)
    if path.name == "__init__.py":
        found = {m for m in found if not m.startswith(name + ".")}
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, set(modules)) for name, path in modules.items()}


def _area(module: str) -> str:
    """The package (or root module) a module belongs to: qualcode.team.merge -> team, qualcode.text -> text."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "qualcode"


def _declared(package: str) -> set[str]:
    doc = ast.get_docstring(ast.parse((PACKAGE / package / "__init__.py").read_text(encoding="utf-8"))) or ""
    found = re.search(r"May import: ([^\n]*)", doc)
    assert found, f"qualcode/{package}/__init__.py must say what it may import ('May import: ...')"
    text = found.group(1)
    if text.startswith("nothing else"):
        return set()
    return {word for word in re.findall(r"[a-z]+", text) if word in CORE}


def test_each_package_imports_only_what_its_docstring_allows() -> None:
    graph = _graph()
    wrong = []
    for module, targets in graph.items():
        area = _area(module)
        if area not in CORE:
            continue
        allowed = _declared(area) | FOUNDATIONS | {area, "qualcode"}
        for target in targets:
            if _area(target) not in allowed:
                wrong.append(f"{module} imports {target}, but qualcode/{area} may import only {sorted(_declared(area))}")
    assert not wrong, "\n".join(wrong)


def test_foundations_and_the_ui_stay_in_their_place() -> None:
    graph = _graph()
    for module, targets in graph.items():
        area = _area(module)
        areas = {_area(t) for t in targets}
        if area in FOUNDATIONS:
            assert areas <= FOUNDATIONS, f"{module} is a foundation but imports {sorted(areas - FOUNDATIONS)}"
        if area in CORE:
            assert not areas & {"cli", "tui", "demo"}, f"{module} (core) imports {sorted(areas & {'cli', 'tui', 'demo'})}"
        if area == "tui":
            assert "cli" not in areas, f"{module}: the workbench never imports the command line"


def test_no_import_cycle() -> None:
    graph = _graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    cycles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for v in graph:
        if v not in index:
            visit(v)
    assert not cycles, "import cycles: " + "; ".join(" <-> ".join(c) for c in cycles)


def test_packages_are_no_cycle_either() -> None:
    """Imports flow one way between packages, not only between modules."""
    graph = _graph()
    edges: dict[str, set[str]] = defaultdict(set)
    for module, targets in graph.items():
        for target in targets:
            if _area(target) != _area(module) and _area(module) in CORE and _area(target) in CORE:
                edges[_area(module)].add(_area(target))
    order: list[str] = []
    seen: set[str] = set()

    def visit(package: str, path: tuple[str, ...]) -> None:
        assert package not in path, "package cycle: " + " -> ".join((*path, package))
        if package in seen:
            return
        for target in sorted(edges[package]):
            visit(target, (*path, package))
        seen.add(package)
        order.append(package)

    for package in CORE:
        visit(package, ())


def test_only_a_handful_of_modules_directly_in_the_package() -> None:
    loose = {p.stem for p in PACKAGE.glob("*.py")}
    assert loose <= ROOT_MODULES, f"modules outside a package: {sorted(loose - ROOT_MODULES)}"
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert packages - {"cli", "tui", "codebooks", "sample_transcripts"} <= set(CORE)
