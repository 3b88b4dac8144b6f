"""The ground stays ground: the rules, the domain errors, the risk scale and the
translation markers import neither the web layer nor a domain package (read from the
source with `ast`, so an import inside a function counts too)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import hms_tracker

PACKAGE = Path(hms_tracker.__file__).parent
DOMAINS = (
    "accounts",
    "appointments",
    "audit",
    "compliance",
    "demo",
    "deviations",
    "notifications",
    "organisation",
    "risks",
    "routines",
    "training",
)
FORBIDDEN = ("web", *DOMAINS)
# The loader of the facts reads the domains' tables: it may import their `models`
# modules (and nothing else of theirs), never the web layer.
LOADER = "rules/facts.py"

GROUND = sorted(
    [p.relative_to(PACKAGE).as_posix() for p in (PACKAGE / "rules").glob("*.py")]
    + ["errors.py", "risk.py", "translation.py"]
)


def imports_of(source: str, package: str) -> set[str]:
    """Every module `source` (a module of `package`) imports, at the top or inside a
    function, as absolute names."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = parts[: len(parts) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.add(module)
            # `from hms_tracker import web` imports the package `hms_tracker.web`.
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def imported_modules(path: Path) -> set[str]:
    package = ".".join(("hms_tracker", *path.relative_to(PACKAGE).parent.parts))
    return imports_of(path.read_text(encoding="utf-8"), package)


def layer_of(module: str) -> str | None:
    """The forbidden top-level part of ours that `module` belongs to, if any."""
    parts = module.split(".")
    if parts[0] != "hms_tracker" or len(parts) < 2:
        return None
    return parts[1] if parts[1] in FORBIDDEN else None


def test_the_ground_modules_are_found():
    assert {"rules/engine.py", "rules/facts.py", "errors.py", "risk.py"} <= set(GROUND)


@pytest.mark.parametrize("relative", GROUND)
def test_ground_module_imports_neither_web_nor_a_domain(relative):
    imports = imported_modules(PACKAGE / relative)
    wrong = set()
    for module in imports:
        layer = layer_of(module)
        if layer is None:
            continue
        if relative == LOADER and layer in DOMAINS:
            parts = module.split(".")
            if len(parts) >= 3 and parts[2] == "models":
                continue  # the loader reads the domain's tables
        wrong.add(module)
    assert not wrong, f"{relative} imports {sorted(wrong)}"


def test_rules_other_than_the_loader_use_no_database():
    for relative in GROUND:
        if relative == LOADER:
            continue
        imports = imported_modules(PACKAGE / relative)
        database = {m for m in imports if m.split(".")[0] in ("sqlalchemy", "sqlmodel")}
        database |= {m for m in imports if m.startswith("hms_tracker.db")}
        assert not database, f"{relative} imports {sorted(database)}"


def test_engine_imports_nothing_of_ours_but_the_rules():
    ours = {
        m for m in imported_modules(PACKAGE / "rules" / "engine.py") if m.startswith("hms_tracker")
    }
    assert ours, "the engine's imports were not read"
    assert all(m.startswith("hms_tracker.rules.") for m in ours), sorted(ours)


@pytest.mark.parametrize(
    "source",
    [
        "def f():\n    from hms_tracker.web.i18n import _\n",
        "from ..web import i18n\n",
        "from hms_tracker import web\n",
        "import hms_tracker.web.auth\n",
    ],
)
def test_the_check_sees_every_way_to_import_the_web(source):
    assert "web" in {layer_of(m) for m in imports_of(source, "hms_tracker.rules")}
