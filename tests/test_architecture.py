"""The folder tree is the architecture: imports point down only, and the contracts say so.

The contracts live in pyproject.toml (``[tool.importlinter]``): commands > app > ui | devices >
content > core, with ui and devices independent of each other, and a core of plain Python.
These tests run them on the real package, then on copies with one wrong import added, to
show that each kind of mistake is caught (a contract that cannot fail proves nothing).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).parent / "lint-imports"
LAYERS = ("core", "content", "ui", "devices", "app", "commands")


def lint(project: Path) -> subprocess.CompletedProcess[str]:
    """Run import-linter on the ``kiosk`` package found in ``project``."""
    return subprocess.run(
        [str(LINT), "--config", str(project / "pyproject.toml"), "--no-cache"],
        cwd=project,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(project)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_import_contracts_hold() -> None:
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


WRONG_IMPORTS = [
    # (file, line added, the contract that must break)
    ("core/session.py", "import pygame", "The core is plain Python"),
    ("core/events.py", "import sqlite3", "The core is plain Python"),
    ("content/model.py", "from kiosk.ui import theme", "Imports point down"),
    ("content/settings.py", "import gpiozero", "Content and settings touch no screen"),
    ("ui/screens.py", "from kiosk.devices import gpio", "Imports point down"),
    ("ui/imagefile.py", "from kiosk.ui import images", "Image files are checked in plain"),
    ("ui/chartplan.py", "from kiosk.ui import text", "The usage chart is planned in plain"),
    ("devices/display.py", "from kiosk.app import loop", "Imports point down"),
    ("core/session.py", "def _late():\n    from kiosk.commands import cli", "Imports point down"),
]


@pytest.mark.parametrize(("module", "line", "contract"), WRONG_IMPORTS)
def test_a_wrong_import_breaks_a_contract(
    tmp_path: Path, module: str, line: str, contract: str
) -> None:
    shutil.copytree(ROOT / "kiosk", tmp_path / "kiosk", ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    target = tmp_path / "kiosk" / module
    target.write_text(target.read_text() + f"\n{line}\n")
    result = lint(tmp_path)
    assert result.returncode != 0, result.stdout
    broken = [row for row in result.stdout.splitlines() if row.endswith("BROKEN")]
    # Forbidden imports count through other modules too: pygame in the core also puts it
    # under content, which imports the core.
    assert any(row.startswith(contract) for row in broken), result.stdout


def test_the_core_imports_only_the_standard_library() -> None:
    graph = grimp.build_graph("kiosk", include_external_packages=True)
    for module in graph.find_descendants("kiosk.core") | {"kiosk.core"}:
        for imported in graph.find_modules_directly_imported_by(module):
            top = imported.split(".")[0]
            if top != "kiosk":
                assert top in sys.stdlib_module_names and top != "sqlite3", (module, imported)


def test_every_module_says_what_it_holds() -> None:
    for path in sorted((ROOT / "kiosk").rglob("*.py")):
        text = path.read_text()
        assert text.startswith('"""'), f"{path.relative_to(ROOT)} has no docstring"
        first = text[3:].split("\n", 1)[0].strip()
        assert len(first) > 10, f"{path.relative_to(ROOT)}: the first line should say what it holds"


def test_the_package_is_only_its_layers() -> None:
    """A new module goes into a layer: the top level holds only the package's front door."""
    top = {p.name for p in (ROOT / "kiosk").iterdir() if not p.name.startswith("__pycache__")}
    assert top == {"__init__.py", "__main__.py", *LAYERS}
