"""The layers only look down, read from the imports of every module (including imports
inside functions):

    ground   config, db, errors, paths, risk, translation, migrate, rules/
    web/     what every page shares: knows no domain (the principal, the company name and
             the login hints come in through what the domains register)
    domains  accounts, amu, appointments, audit, barometer, compliance, deviations, home,
             notifications, organisation, risks, routines, training
    top      app, cli, models, demo/ (they put the house together)

A layer imports only its own and those below it. The one exception: `rules/facts.py`, the
loader of the rule engine's facts, reads the domains' tables (`<domain>.models` only); the
engine itself imports nothing of ours but `rules/` (tests/rules/test_rules_layer.py).
"""

from __future__ import annotations

import ast
from pathlib import Path

import hms_tracker

PACKAGE = Path(hms_tracker.__file__).parent
GROUND = {"config", "db", "errors", "paths", "risk", "translation", "migrate", "rules", "__init__"}
WEB = {"web"}
DOMAINS = {
    "accounts", "amu", "appointments", "audit", "barometer", "compliance", "deviations", "home",
    "notifications",
    "organisation", "risks", "routines", "training",
}  # fmt: skip
TOP = {"app", "cli", "models", "demo", "__main__"}
RANK = {**dict.fromkeys(GROUND, 0), **dict.fromkeys(WEB, 1), **dict.fromkeys(DOMAINS, 2)}
RANK |= dict.fromkeys(TOP, 3)


def _part(module: str) -> str:
    """The first part below hms_tracker: 'deviations' for hms_tracker.deviations.service."""
    return module.split(".")[1] if module.count(".") else module


def imports_of(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
    return [(line, name) for line, name in found if name.startswith("hms_tracker.")]


def violations(package: Path = PACKAGE) -> list[str]:
    found = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package)
        layer = relative.parts[0].removesuffix(".py")
        for line, target in imports_of(path):
            target_layer = _part(target)
            if target_layer not in RANK:
                found.append(f"{relative}:{line} imports {target}: a layer nobody placed")
                continue
            if RANK[target_layer] <= RANK[layer]:
                continue
            if str(relative) == "rules/facts.py" and target.endswith(".models"):
                continue
            found.append(f"{relative}:{line} imports {target}, a layer above it")
    return found


def test_every_part_of_the_package_has_a_layer():
    parts = {p.name.removesuffix(".py") for p in PACKAGE.iterdir() if p.suffix == ".py" or (
        p.is_dir() and (p / "__init__.py").exists()
    )}  # fmt: skip
    assert parts <= set(RANK), parts - set(RANK)


def test_layers_only_look_down():
    assert violations() == []


def test_a_reach_up_is_caught(tmp_path):
    web = tmp_path / "web"
    web.mkdir()
    (web / "bad.py").write_text("def f():\n    from hms_tracker.deviations import service\n")
    (tmp_path / "errors.py").write_text("from hms_tracker.web.i18n import _\n")
    assert violations(tmp_path) == [
        "errors.py:1 imports hms_tracker.web.i18n, a layer above it",
        "web/bad.py:2 imports hms_tracker.deviations, a layer above it",
    ]
