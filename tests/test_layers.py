"""The layers point one way, and the import graph has no cycle.

- the library (``forensics``) never imports the UI layers; ``reports`` never imports the library
  or the CLI; ``samples`` never imports the CLI or reports;
- no module imports itself back through others (file level), and no package does (package level,
  e.g. ``forensics.checks`` -> ``forensics.case`` -> ``forensics.checks``). Deferred imports inside
  functions count: a cycle held together by a function-level import is still a cycle.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOP = "provenancekit"
LAYERS = ("forensics", "cli", "reports", "samples")
FORBIDDEN = {
    "forensics": {"cli", "reports", "click", "jinja2", "rich", "samples"},
    "reports": {"cli", "forensics", "click", "samples"},
    "samples": {"cli", "reports", "click"},
}


def module_name(path: Path) -> str:
    """``forensics/checks/base.py`` -> ``provenancekit.forensics.checks.base``."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    if parts and parts[0] == TOP:
        parts.pop(0)
    return ".".join([TOP, *parts])


def all_modules() -> dict[str, Path]:
    mods = {}
    for folder in (*LAYERS, TOP):
        for f in sorted((ROOT / folder).rglob("*.py")):
            mods[module_name(f)] = f
    return mods


def imports_of(path: Path, name: str) -> set[str]:
    """Every module name ``path`` imports (absolute, or relative resolved against ``name``)."""
    is_pkg = path.name == "__init__.py"
    package = name if is_pkg else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            # ``from pkg import mod`` imports the module ``pkg.mod``, not ``pkg``'s own names;
            # ``from pkg import name`` imports ``pkg``
            for alias in node.names:
                sub = f"{mod}.{alias.name}"
                out.add(sub if module_exists(sub) else mod)
    return out


def module_exists(name: str) -> bool:
    return name in _module_names()


@functools.cache
def _module_names() -> frozenset[str]:
    return frozenset(all_modules())


def internal_graph() -> dict[str, set[str]]:
    """Module -> the project modules it imports (``from pkg import mod`` counts as ``mod``)."""
    mods = all_modules()
    graph: dict[str, set[str]] = {}
    for name, path in mods.items():
        deps = set()
        for imp in imports_of(path, name):
            # the longest project module that this import names
            while imp and imp not in mods:
                imp = imp.rpartition(".")[0]
            if imp and imp != name and imp != TOP:
                deps.add(imp)
        graph[name] = deps
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` (as a path that returns to its start), or None."""
    state: dict[str, int] = {}
    for start in sorted(graph):
        if state.get(start):
            continue
        stack = [(start, iter(sorted(graph[start])))]
        path = [start]
        state[start] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
                path.pop()
            elif state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            elif not state.get(nxt) and nxt in graph:
                state[nxt] = 1
                stack.append((nxt, iter(sorted(graph[nxt]))))
                path.append(nxt)
    return None


def package_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """Package -> packages it imports, where a package is the folder of a module. A package's
    own ``__init__`` re-exporting its children is not an edge; one sibling package importing
    another is."""
    mods = all_modules()

    def pkg(mod: str) -> str:
        return mod if mods[mod].name == "__init__.py" else mod.rpartition(".")[0]

    out: dict[str, set[str]] = {}
    for mod, deps in graph.items():
        here = pkg(mod)
        out.setdefault(here, set())
        for dep in deps:
            there = pkg(dep)
            if there != here and not there.startswith(here + ".") \
                    and not here.startswith(there + "."):
                out[here].add(there)
    return out


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_import_direction(package: str) -> None:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"{package} has no modules"
    bad = {}
    for f in files:
        wrong = set()
        for imp in imports_of(f, module_name(f)):
            parts = imp.split(".")
            root = parts[1] if parts[0] == TOP and len(parts) > 1 else parts[0]
            if root in FORBIDDEN[package]:
                wrong.add(root)
        if wrong:
            bad[str(f.relative_to(ROOT))] = sorted(wrong)
    assert not bad, f"layer violation: {bad}"


def test_one_top_level_package() -> None:
    """Every project module lives under ``provenancekit``; nothing imports the old roots."""
    stray = {}
    for name, path in all_modules().items():
        old = {imp.split(".")[0] for imp in imports_of(path, name)} & set(LAYERS)
        if old:
            stray[str(path.relative_to(ROOT))] = sorted(old)
    assert not stray, f"imports of a bare top-level package: {stray}"


def test_no_import_cycle_between_modules() -> None:
    cycle = find_cycle(internal_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_no_import_cycle_between_packages() -> None:
    cycle = find_cycle(package_graph(internal_graph()))
    assert cycle is None, "package import cycle: " + " -> ".join(cycle or [])


def test_cycle_finder_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a"}}) is None


def test_checks_registered_in_one_tuple() -> None:
    from provenancekit.forensics.checks import CHECKS, Check

    assert isinstance(CHECKS, tuple) and CHECKS
    names = [c.name for c in CHECKS]
    assert len(names) == len(set(names))
    for c in CHECKS:
        assert isinstance(c, Check)
        assert c.version and isinstance(c.params_dict(), dict)
