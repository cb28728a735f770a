"""The one helper that finds Rangeload's plain resource files (icons and the like).

Looked up, in order: a PyInstaller bundle (``sys._MEIPASS/resources``), an installed wheel
(``gui_app/_resources``, copied there by pyproject's force-include), a source checkout
(``resources/`` beside the package).
"""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["resource_path", "resource_roots"]


def resource_roots() -> list[Path]:
    package = Path(__file__).resolve().parent
    roots = []
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        roots.append(Path(bundle) / "resources")
    roots += [package / "_resources", package.parent / "resources"]
    return roots


def resource_path(*parts: str) -> Path:
    """The path of a resource file; raises FileNotFoundError naming where it looked."""
    for root in resource_roots():
        candidate = root.joinpath(*parts)
        if candidate.is_file():
            return candidate
    looked = ", ".join(str(r) for r in resource_roots())
    raise FileNotFoundError(f"resource {'/'.join(parts)} not found in {looked}")
