"""The apps depend one way: contacts ← incidents ← readiness ← demo
(docs/architecture.md, "Apps and their dependencies"): the demo and
scale-data generators may use everything, and no production app imports
them."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# An app may import only the apps listed for it.
ALLOWED = {
    "contacts": set(),
    "incidents": {"contacts"},
    "readiness": {"contacts", "incidents"},
    "demo": {"contacts", "incidents", "readiness"},
}


def imported_apps(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found & set(ALLOWED)


def violations(app: str, root: Path = ROOT) -> list[str]:
    out = []
    for path in sorted((root / app).rglob("*.py")):
        for other in sorted(imported_apps(path) - ALLOWED[app] - {app}):
            out.append(f"{path.relative_to(root)} imports {other}")
    return out


@pytest.mark.parametrize("app", sorted(ALLOWED))
def test_lower_app_never_imports_a_higher_one(app):
    assert violations(app) == []


def test_the_check_catches_a_wrong_import(tmp_path):
    (tmp_path / "contacts").mkdir()
    wrong = "from readiness.models import Directive\nimport incidents.models\n"
    (tmp_path / "contacts" / "models.py").write_text(wrong)
    assert violations("contacts", root=tmp_path) == [
        "contacts/models.py imports incidents",
        "contacts/models.py imports readiness",
    ]


def test_the_check_catches_a_production_app_importing_the_demo(tmp_path):
    (tmp_path / "readiness" / "management").mkdir(parents=True)
    wrong = "from demo.users import demo_users_ensure\n"
    (tmp_path / "readiness" / "management" / "seed.py").write_text(wrong)
    assert violations("readiness", root=tmp_path) == [
        "readiness/management/seed.py imports demo"
    ]
