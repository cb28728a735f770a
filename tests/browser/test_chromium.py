"""The extension in Debian's Chromium, for real: headless with the unpacked extension and
``rangeload browser install``'s manifest, driven over the DevTools protocol with real mouse
events. A click on a link that the site serves only with its cookie and referrer ends with
the file in Rangeload's folder (SHA-256 equal) and nothing in the browser's; with the host
uninstalled, or Alt held, the browser downloads it itself."""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from websockets.sync.client import ClientConnection, connect

from gui_app.browser.install import CHROMIUM_EXTENSION_ID
from gui_app.resources import resource_path
from tests.kit.files import make_file, sha256_of
from tests.kit.guarded_site import Site, guarded_site
from tests.kit.processes import stop_group
from tests.kit.waiting import wait_until

CHROMIUM = shutil.which("chromium")
RANGELOAD = str(Path(sys.executable).with_name("rangeload"))

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium"),
    pytest.mark.timeout(300),
]


class DevTools:
    """The DevTools protocol over one WebSocket: calls answered by id, events skipped."""

    def __init__(self, ws: ClientConnection) -> None:
        self._ws = ws
        self._ids = itertools.count(1)

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        number = next(self._ids)
        message: dict[str, Any] = {"id": number, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        self._ws.send(json.dumps(message))
        while True:
            reply = json.loads(self._ws.recv(timeout=30))
            if reply.get("id") == number:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result

    def evaluate(self, session: str, expression: str) -> Any:
        answer = self.call("Runtime.evaluate", session, expression=expression, returnByValue=True)
        return answer.get("result", {}).get("value")


@contextlib.contextmanager
def chromium(home: Path, env: dict[str, str]) -> Iterator[DevTools]:
    profile = home / ".config" / "chromium"  # the default profile: where install writes
    (profile / "Default").mkdir(parents=True, exist_ok=True)
    browser_downloads = home / "browser-downloads"
    browser_downloads.mkdir(exist_ok=True)
    prefs = {
        "download": {
            "default_directory": str(browser_downloads),
            "prompt_for_download": False,
            "directory_upgrade": True,
        }
    }
    (profile / "Default" / "Preferences").write_text(json.dumps(prefs))
    extension = resource_path("browser-extension", "manifest.json").parent
    assert CHROMIUM is not None
    proc = subprocess.Popen(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            f"--user-data-dir={profile}",
            f"--disable-extensions-except={extension}",
            f"--load-extension={extension}",
            "--remote-debugging-port=0",
            "about:blank",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        port_file = profile / "DevToolsActivePort"

        def written() -> list[str] | None:
            assert proc.poll() is None, "chromium ended"
            words = port_file.read_text().split() if port_file.exists() else []
            return words[:2] if len(words) >= 2 else None

        port, path = wait_until(written, 30, what="DevToolsActivePort", interval=0.1)
        with connect(f"ws://127.0.0.1:{port}{path}", max_size=None) as ws:
            yield DevTools(ws)
    finally:
        stop_group(proc, 10)


def wait_for_extension(devtools: DevTools) -> str:
    """The extension's service worker's target id, once it listens for downloads (its
    target shows before its script has run: Chromium 156.0.8078.114 downloaded a link
    clicked then itself)."""
    worker = f"chrome-extension://{CHROMIUM_EXTENSION_ID}/background.js"

    def target() -> str | None:
        targets = devtools.call("Target.getTargets")["targetInfos"]
        return next((str(t["targetId"]) for t in targets if t["url"] == worker), None)

    what = f"the extension's worker {worker} (wrong ID or manifest?)"
    target_id = wait_until(target, 20, what=what, interval=0.1)
    _wait_for_listener(devtools, target_id)
    return target_id


def _wait_for_listener(devtools: DevTools, worker: str) -> None:
    session = devtools.call("Target.attachToTarget", targetId=worker, flatten=True)["sessionId"]
    ready = (
        "typeof chrome === 'object' && !!chrome.downloads"
        " && chrome.downloads.onDeterminingFilename.hasListeners()"
    )
    wait_until(
        lambda: devtools.evaluate(session, ready) is True,
        20,
        what="the extension's worker listening for downloads",
        interval=0.1,
    )
    devtools.call("Target.detachFromTarget", sessionId=session)


def set_rules(devtools: DevTools, worker: str, **rules: object) -> None:
    """Set the extension's rules as its options page does (in its storage)."""
    session = devtools.call("Target.attachToTarget", targetId=worker, flatten=True)["sessionId"]
    expression = (
        f"chrome.storage.local.set({json.dumps(rules)}).then(() => chrome.storage.local.get(null))"
    )
    stored: dict[str, object] = {}

    def stuck() -> bool:  # written again each time: a worker still starting may drop one
        answer = devtools.call(
            "Runtime.evaluate",
            session,
            expression=expression,
            awaitPromise=True,
            returnByValue=True,
        )
        stored.clear()
        stored.update(answer.get("result", {}).get("value") or {})
        return all(stored.get(k) == v for k, v in rules.items())

    wait_until(stuck, 10, what=lambda: f"the rules to stick: {stored}", interval=0.2)


def click_link(devtools: DevTools, site: Site, *, alt: bool = False) -> None:
    devtools.call("Browser.setDownloadBehavior", behavior="default")  # else no events
    target = devtools.call("Target.createTarget", url=site.page)["targetId"]
    session = devtools.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
    wait_until(
        lambda: devtools.evaluate(session, "!!document.getElementById('link')") is True,
        20,
        what="the page loaded",
        interval=0.1,
    )
    box = devtools.evaluate(
        session, "JSON.stringify(document.getElementById('link').getBoundingClientRect())"
    )
    rect = json.loads(box)
    x, y = rect["x"] + 20, rect["y"] + rect["height"] / 2
    modifiers = 1 if alt else 0  # Alt
    for kind in ("mousePressed", "mouseReleased"):
        devtools.call(
            "Input.dispatchMouseEvent",
            session,
            type=kind,
            x=x,
            y=y,
            button="left",
            clickCount=1,
            modifiers=modifiers,
        )


def _folders(path: Path) -> str:
    """What both download folders of the test's home hold, for a failure's message."""
    home = path.parent.parent
    return "; ".join(
        f"{folder.name}: {sorted(p.name for p in folder.iterdir())}"
        for folder in (home / "Downloads", home / "browser-downloads")
        if folder.is_dir()
    )


def wait_for_file(path: Path, timeout: float = 60) -> None:
    wait_until(
        lambda: path.exists() and not path.with_name(path.name + ".part").exists(),
        timeout,
        what=lambda: f"{path} whole; {_folders(path)}",
    )


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Path]:
    home = tmp_path / "home"
    (home / "Downloads").mkdir(parents=True)
    yield home
    marker = f"RANGELOAD_DATA_DIR={home / 'data'}".encode()
    for proc in Path("/proc").iterdir():  # the app the host started, and its engine
        with contextlib.suppress(OSError, ValueError):
            if proc.name.isdigit() and marker in (proc / "environ").read_bytes():
                os.kill(int(proc.name), signal.SIGTERM)


def environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "DISPLAY"))}
    return env | {
        "HOME": str(home),
        "RANGELOAD_DATA_DIR": str(home / "data"),
        "QT_QPA_PLATFORM": "offscreen",
    }


def install_host(home: Path, env: dict[str, str], browser: str = "chromium") -> None:
    subprocess.run(
        [RANGELOAD, "browser", "install", "--browser", browser],
        env=env,
        check=True,
        capture_output=True,
    )


def test_a_click_lands_in_rangeload_with_the_sites_cookie(home: Path, tmp_path: Path) -> None:
    source = make_file(tmp_path / "site" / "guarded.bin", 3 << 20, seed=21)
    env = environment(home)
    install_host(home, env)
    with guarded_site(source) as site, chromium(home, env) as devtools:
        wait_for_extension(devtools)
        clicked = time.monotonic()
        click_link(devtools, site)
        wait_for_file(home / "Downloads" / source.name)
        print(f"click to file in Rangeload's folder: {time.monotonic() - clicked:.2f} s")
        assert site.refused == []  # every request carried the cookie and the referrer
    assert sha256_of(home / "Downloads" / source.name) == sha256_of(source)
    assert list((home / "browser-downloads").iterdir()) == []


@pytest.mark.parametrize("case", ["host uninstalled", "alt held", "site skipped"])
def test_the_browser_keeps_what_rangeload_does_not_take(
    home: Path, tmp_path: Path, case: str
) -> None:
    source = make_file(tmp_path / "site" / "kept.bin", 1 << 20, seed=22)
    env = environment(home)
    if case != "host uninstalled":
        install_host(home, env)
    with guarded_site(source) as site, chromium(home, env) as devtools:
        worker = wait_for_extension(devtools)
        if case == "site skipped":
            set_rules(devtools, worker, skipSites="example.org 127.0.0.1")
        click_link(devtools, site, alt=case == "alt held")
        wait_for_file(home / "browser-downloads" / source.name)
    assert sha256_of(home / "browser-downloads" / source.name) == sha256_of(source)
    assert not (home / "Downloads" / source.name).exists()
