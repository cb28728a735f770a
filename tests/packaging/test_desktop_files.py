"""The desktop integration files validate with the real tools and agree on one app id."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from gui_app import APP_ID
from gui_app.resources import resource_path

ROOT = Path(__file__).resolve().parents[2]
LINUX = ROOT / "packaging" / "linux"
DESKTOP = LINUX / f"{APP_ID}.desktop"
METAINFO = LINUX / f"{APP_ID}.metainfo.xml"


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed; .ci/run installs it")
    return path


def test_desktop_file_validates() -> None:
    result = subprocess.run(
        [tool("desktop-file-validate"), str(DESKTOP)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == ""  # not even a hint


def test_metainfo_validates() -> None:
    result = subprocess.run(
        [tool("appstreamcli"), "validate", "--no-net", str(METAINFO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_one_app_id_everywhere() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]  # keep key case
    entry.read(DESKTOP, encoding="utf-8")
    desktop = entry["Desktop Entry"]
    assert desktop["Icon"] == APP_ID
    assert desktop["Exec"] == "rangeload %U"  # links open in Rangeload
    assert {"x-scheme-handler/http", "x-scheme-handler/https"} <= set(
        desktop["MimeType"].strip(";").split(";")
    )
    tree = ET.parse(METAINFO)
    assert tree.findtext("id") == APP_ID
    assert tree.findtext("launchable") == DESKTOP.name
    assert tree.findtext("provides/binary") == "rangeload"


def test_icons_are_found_through_the_resource_helper() -> None:
    assert resource_path("icons", "rangeload.svg").read_text().lstrip().startswith("<?xml")
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        png = resource_path("icons", "hicolor", f"{size}x{size}", "apps", f"{APP_ID}.png")
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_missing_resource_says_where_it_looked() -> None:
    with pytest.raises(FileNotFoundError, match="not found in"):
        resource_path("icons", "no-such-icon.svg")
