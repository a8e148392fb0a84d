"""The library never imports the UI layers; reports never import the library or the CLI."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "forensics": {"cli", "reports", "click", "jinja2", "rich", "samples"},
    "reports": {"cli", "forensics", "click", "samples"},
    "samples": {"cli", "reports", "click"},
}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_import_direction(package: str) -> None:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"{package} has no modules"
    bad = {}
    for f in files:
        wrong = imported_roots(f) & FORBIDDEN[package]
        if wrong:
            bad[str(f.relative_to(ROOT))] = sorted(wrong)
    assert not bad, f"layer violation: {bad}"


def test_checks_registered_in_one_tuple() -> None:
    from forensics.checks import CHECKS, Check

    assert isinstance(CHECKS, tuple) and CHECKS
    names = [c.name for c in CHECKS]
    assert len(names) == len(set(names))
    for c in CHECKS:
        assert isinstance(c, Check)
        assert c.version and isinstance(c.params_dict(), dict)
