"""``rangeload browser install`` into a temporary HOME: manifests each browser reads, a
launcher that answers as the browser runs it, status, uninstall, and plain errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from gui_app.browser.install import (
    CHROMIUM_EXTENSION_ID,
    CHROMIUM_PUBLIC_KEY,
    GECKO_EXTENSION_ID,
    HOST_NAME,
    chromium_id,
    extension_folder,
)
from gui_app.browser.native_host import PROTOCOL
from tests.browser.test_native_host import answers, frame

RANGELOAD = str(Path(sys.executable).with_name("rangeload"))


def browser_cmd(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, HOME=str(home), RANGELOAD_DATA_DIR=str(home / "data"))
    return subprocess.run(
        [RANGELOAD, "browser", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
        check=False,
    )


def test_install_writes_what_each_browser_reads(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / ".config/google-chrome").mkdir(parents=True)  # Chrome is here; Brave is not
    result = browser_cmd(home, "install")
    assert result.returncode == 0, result.stderr
    chromium = home / ".config/chromium/NativeMessagingHosts" / f"{HOST_NAME}.json"
    chrome = home / ".config/google-chrome/NativeMessagingHosts" / f"{HOST_NAME}.json"
    firefox = home / ".mozilla/native-messaging-hosts" / f"{HOST_NAME}.json"
    assert not (home / ".config/BraveSoftware").exists()
    for path in (chromium, chrome):
        body = json.loads(path.read_text())
        assert body["allowed_origins"] == [f"chrome-extension://{CHROMIUM_EXTENSION_ID}/"]
        assert body["type"] == "stdio"
        assert body["name"] == HOST_NAME
    body = json.loads(firefox.read_text())
    assert body["allowed_extensions"] == [GECKO_EXTENSION_ID]
    launcher = Path(body["path"])
    assert launcher.is_absolute()
    assert os.access(launcher, os.X_OK)
    # As Firefox runs it: the manifest's path and the extension's ID as arguments.
    ran = subprocess.run(
        [str(launcher), str(firefox), GECKO_EXTENSION_ID],
        input=frame({"type": "hello", "version": PROTOCOL}),
        capture_output=True,
        env=dict(os.environ, HOME=str(home), RANGELOAD_DATA_DIR=str(home / "data")),
        timeout=30,
        check=False,
    )
    assert answers(ran.stdout)[0]["ok"] is True, ran.stderr
    status = browser_cmd(home, "status")
    assert status.returncode == 0
    assert "Chromium: installed" in status.stdout
    assert "Firefox: installed" in status.stdout
    assert "Brave: browser not found" in status.stdout


def test_uninstall_undoes_it_and_status_says_so(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert browser_cmd(home, "install", "--browser", "firefox").returncode == 0
    assert not (home / ".config/chromium/NativeMessagingHosts").exists()
    assert browser_cmd(home, "uninstall").returncode == 0
    status = browser_cmd(home, "status")
    assert status.returncode == 1  # installed nowhere
    assert "Firefox: not installed" in status.stdout


def test_a_manifest_left_by_another_rangeload_is_reported(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert browser_cmd(home, "install", "--browser", "chromium").returncode == 0
    (home / "data" / "native-host").unlink()
    assert "Chromium: installed, but for another Rangeload" in browser_cmd(home, "status").stdout


def test_an_unknown_browser_is_a_plain_error(tmp_path: Path) -> None:
    result = browser_cmd(tmp_path, "install", "--browser", "netscape")
    assert result.returncode == 2
    assert "unknown browser 'netscape'" in result.stderr


def test_the_fixed_chromium_id_is_the_keys() -> None:
    assert chromium_id(CHROMIUM_PUBLIC_KEY) == CHROMIUM_EXTENSION_ID


def test_the_extension_and_the_host_agree_on_ids_and_protocol() -> None:
    folder = extension_folder()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["manifest_version"] == 3
    assert manifest["key"] == CHROMIUM_PUBLIC_KEY
    assert manifest["browser_specific_settings"]["gecko"]["id"] == GECKO_EXTENSION_ID
    background = (folder / "background.js").read_text()
    assert f'const HOST = "{HOST_NAME}";' in background
    assert f"const PROTOCOL = {PROTOCOL};" in background


def test_install_says_where_the_extension_is_and_pack_builds_its_archives(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    result = browser_cmd(home, "install", "--browser", "chromium")
    assert f"extension, to load unpacked: {extension_folder()}" in result.stdout
    packed = browser_cmd(home, "pack", "--out", str(tmp_path / "out"))
    assert packed.returncode == 0, packed.stderr
    archives = sorted((tmp_path / "out").iterdir())
    assert sorted(a.suffix for a in archives) == [".xpi", ".zip"]
    for archive in archives:
        with zipfile.ZipFile(archive) as zipped:
            names = set(zipped.namelist())
            assert {"manifest.json", "background.js", "bypass.js", "popup.html"} <= names
            assert json.loads(zipped.read("manifest.json"))["key"] == CHROMIUM_PUBLIC_KEY


def test_status_reports_an_extension_of_another_protocol(tmp_path: Path) -> None:
    home = tmp_path / "home"
    browser_cmd(home, "install", "--browser", "firefox")
    env = dict(os.environ, HOME=str(home), RANGELOAD_DATA_DIR=str(home / "data"))
    for version, words in ((PROTOCOL + 1, "MISMATCH"), (PROTOCOL, "as this Rangeload")):
        subprocess.run(
            [RANGELOAD, "native-host", GECKO_EXTENSION_ID],
            input=frame({"type": "hello", "version": version}),
            env=env,
            capture_output=True,
            timeout=30,
            check=True,
        )
        assert words in browser_cmd(home, "status").stdout
