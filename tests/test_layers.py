"""Layers point one way (STYLE.md): no app imports an app above it, nor a sibling on its own level.

From the bottom up: core and exports, audit, units, accounts, notifications, submissions, scoring, then bulletins,
awards, editorial and operations (running the site), then reminders (which read them all). The
project package (harbin_infoassess: settings, root URLs, the start page, the demo loader), the scripts and the
tests may import anything.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS: list[tuple[str, ...]] = [
    ("core", "exports"),
    ("audit",),
    ("units",),
    ("accounts",),
    ("notifications",),
    ("submissions",),
    ("scoring",),
    ("bulletins", "awards", "editorial", "operations"),
    ("reminders",),
]
FREE = {"harbin_infoassess", "tests"}
RANK = {app: rank for rank, apps in enumerate(LAYERS) for app in apps}


def imported_packages(source: str) -> set[str]:
    """The top-level packages a module imports, wherever the import statement stands (functions too)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def violations(app: str, source: str) -> set[str]:
    """The project's apps that a module of `app` may not import."""
    return {
        other for other in imported_packages(source)
        if other in RANK and other != app and RANK[other] >= RANK[app]
    }


def test_every_package_of_the_project_has_a_place():
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")}
    assert packages - FREE <= set(RANK), "a new app needs its place in LAYERS (tests/test_layers.py)"


def test_no_app_imports_an_app_above_it_or_beside_it():
    found = {}
    for app in RANK:
        for path in sorted((ROOT / app).rglob("*.py")):
            if bad := violations(app, path.read_text(encoding="utf-8")):
                found[str(path.relative_to(ROOT))] = sorted(bad)
    assert found == {}


def test_the_rule_sees_upward_and_sibling_imports_anywhere_in_a_module():
    source = "from units.models import Unit\n\ndef f():\n    import scoring.engine\n    from awards import views\n"
    assert violations("submissions", source) == {"scoring", "awards"}
    assert violations("bulletins", "from awards.models import YearResult") == {"awards"}
    assert violations("awards", "from core.assessment import Tier\nimport django.db") == set()
