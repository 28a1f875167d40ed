"""The module boundaries of design.md §2, checked on the source: who may import whom, no cycles."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: The units of the architecture; a module belongs to the longest unit its dotted name starts with.
UNITS = (
    "bot",
    "conversations",
    "storage",
    "needfinder.app",
    "needfinder.cli",
    "needfinder.insights",
    "needfinder.web",
)
#: Which units each unit may import (besides itself). Adapters (bot, web, cli) import no adapter
#: but the CLI, the composition root, which starts the other two.
ALLOWED = {
    "conversations": set(),
    "needfinder.insights": set(),
    "storage": {"conversations"},
    "needfinder.app": {"conversations", "storage", "needfinder.insights"},
    "bot": {"conversations", "storage", "needfinder.app", "needfinder.insights"},
    "needfinder.web": {"conversations", "storage", "needfinder.app", "needfinder.insights"},
    "needfinder.cli": set(UNITS) - {"needfinder.cli"},
}


def _unit_of(module: str) -> str | None:
    for unit in sorted(UNITS, key=len, reverse=True):
        if module == unit or module.startswith(unit + "."):
            return unit
    return None


def _imports() -> dict[str, set[str]]:
    """Unit → units its modules import (absolute and relative imports alike)."""
    edges: dict[str, set[str]] = {unit: set() for unit in UNITS}
    for path in REPO.glob("**/*.py"):
        rel = path.relative_to(REPO)
        if rel.parts[0] in {".venv", "tests", "bench", "scripts", "build"}:
            continue
        module = ".".join(rel.with_suffix("").parts).removesuffix(".__init__")
        unit = _unit_of(module)
        if unit is None:
            continue
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")
                    parts = parts[: len(parts) - node.level + 1]
                    base = ".".join([*parts, base] if base else parts)
                names = [base]
            for name in names:
                target = _unit_of(name)
                if target is not None and target != unit:
                    edges[unit].add(target)
    return edges


def test_units_import_only_what_the_design_allows() -> None:
    wrong = {
        unit: sorted(targets - ALLOWED[unit])
        for unit, targets in _imports().items()
        if targets - ALLOWED[unit]
    }
    assert wrong == {}


def test_the_import_graph_has_no_cycle() -> None:
    edges = _imports()
    done: set[str] = set()

    def visit(unit: str, path: tuple[str, ...]) -> None:
        assert unit not in path, f"import cycle: {' -> '.join((*path, unit))}"
        if unit in done:
            return
        for target in sorted(edges[unit]):
            visit(target, (*path, unit))
        done.add(unit)

    for unit in UNITS:
        visit(unit, ())


def test_the_needfinder_namespace_imports_nothing() -> None:
    """``needfinder/__init__.py`` stays empty, so importing one part never drags in the others."""
    tree = ast.parse((REPO / "needfinder" / "__init__.py").read_text("utf-8"))
    assert not [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)]


def test_install_adds_only_the_projects_own_top_level_names() -> None:
    """Generic names (``app``, ``cli``, ``web``) would collide with other software."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    packages = project["tool"]["setuptools"]["packages"]
    assert {name.split(".")[0] for name in packages} == {
        "bot",
        "conversations",
        "needfinder",
        "storage",
    }
    assert project["project"]["scripts"] == {"needfinder": "needfinder.cli.main:main"}
