"""The floors of the house, kept by reading every module's imports (those inside functions
too): the engine never imports the app, the window or the commands; inside it each floor
imports only the floors below; the ground floor imports nothing of ours; the server never
imports the engine; and outside the engine only its face (``gui_app.engine``) is imported."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import gui_app

PACKAGE = Path(gui_app.__file__).parent

# The engine's floors, top to bottom: a module may import its own room or a lower floor.
ENGINE_FLOORS = {"process": 5, "manager": 4, "download": 3, "disk": 2, "http": 2, "api": 1}
OUTSIDE_THE_ENGINE = ("app", "ui", "commands", "browser", "server", "cli", "handover")


def imports_of(path: Path) -> Iterator[tuple[int, str]]:
    """Every ``gui_app`` module a file imports, with its line."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            if name == "gui_app" or name.startswith("gui_app."):
                yield node.lineno, name


def module_name(root: Path, path: Path) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def rule_broken(importer: str, imported: str) -> str | None:
    """Why ``importer`` may not import ``imported``, or None if it may."""
    mine, theirs = importer.split("."), imported.split(".")
    room = mine[1] if len(mine) > 1 else ""
    target = theirs[1] if len(theirs) > 1 else ""
    if room == "ground" and target not in ("", "ground"):
        return "the ground floor imports nothing of ours but the package root"
    if room == "server" and target not in ("", "ground", "server"):
        return "the server imports only the ground floor"
    if room == "engine":
        if target in OUTSIDE_THE_ENGINE:
            return f"the engine never imports {target}"
        if target != "engine" or len(mine) < 4:
            return None  # the face itself imports every floor
        if len(theirs) == 2:
            return "inside the engine, import the floor, not the face"
        here, there = mine[2], theirs[2]
        if here == there:
            return None
        if ENGINE_FLOORS.get(there, 0) >= ENGINE_FLOORS.get(here, 0):
            return f"engine/{here} may not import engine/{there}: not a floor below"
        return None
    if target == "engine" and len(theirs) > 2:
        return "outside the engine, import its face (gui_app.engine) only"
    if room == "app" and target in ("ui", "commands", "browser"):
        return f"the app's policy never imports {target}"
    return None


def violations(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        importer = module_name(root, path)
        for line, imported in imports_of(path):
            reason = rule_broken(importer, imported)
            if reason:
                where = path.relative_to(root.parent)
                found.append(f"{where}:{line}: {imported}: {reason}")
    return found


def test_every_module_keeps_to_its_floor() -> None:
    assert violations(PACKAGE) == []


def test_the_engine_has_its_floors() -> None:
    rooms = {p.name for p in (PACKAGE / "engine").iterdir() if (p / "__init__.py").exists()}
    assert rooms == set(ENGINE_FLOORS)
    loose = sorted(p.name for p in (PACKAGE / "engine").glob("*.py") if p.name != "__init__.py")
    assert loose == [], "every engine module lives on a floor"


def test_the_face_exports_what_it_names() -> None:
    import gui_app.engine as face

    missing = [name for name in face.__all__ if not hasattr(face, name)]
    assert missing == []


def test_the_check_can_fail(tmp_path: Path) -> None:
    root = tmp_path / "gui_app"
    bad = {
        "ground/units.py": "from gui_app.engine.api import models\n",
        "server/app.py": "import gui_app.engine\n",
        "engine/api/models.py": "def later():\n    from gui_app.engine.download import task\n",
        "engine/disk/store.py": "from gui_app.engine.http import exchange\n",
        "engine/manager/edits.py": "from gui_app.engine import Store\n",
        "engine/download/task.py": "from gui_app.app import settings\n",
        "ui/window.py": "from gui_app.engine.api.models import DownloadState\n",
        "app/sites.py": "from gui_app.ui import bridge\n",
    }
    good = {
        "engine/manager/scheduler.py": "from gui_app.engine.download import task\n",
        "engine/api/errors.py": "from gui_app.ground.urls import check_url\n",
        "ui/main.py": "from gui_app.engine import Store\nfrom gui_app.ground import units\n",
    }
    for name, text in {**bad, **good}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    found = violations(root)
    assert sorted(line.split(":")[0] for line in found) == sorted(f"gui_app/{n}" for n in bad)
