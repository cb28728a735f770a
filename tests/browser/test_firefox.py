"""The extension in Debian's Firefox ESR, for real: headless, driven over WebDriver BiDi
(the extension installed temporarily from its folder, as an unsigned one may be), with
``rangeload browser install``'s manifest. The same cases as in Chromium: a guarded file
clicked lands in Rangeload's folder; with the host uninstalled, or Alt held, the browser
downloads it itself."""

from __future__ import annotations

import contextlib
import itertools
import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from websockets.sync.client import ClientConnection, connect

from gui_app.browser.install import GECKO_EXTENSION_ID
from gui_app.resources import resource_path
from tests.bench.peers import free_port
from tests.browser.test_chromium import environment, home, install_host, wait_for_file
from tests.kit.files import make_file, sha256_of
from tests.kit.guarded_site import Site, guarded_site
from tests.kit.processes import stop_group
from tests.kit.waiting import wait_until

__all__ = ["home"]

FIREFOX = shutil.which("firefox-esr")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(FIREFOX is None, reason="needs Debian's firefox-esr"),
    pytest.mark.timeout(300),
]

PREFS = {
    "browser.download.folderList": 2,
    "browser.download.useDownloadDir": True,
    "browser.download.always_ask_before_handling_new_types": False,
    "browser.download.alwaysOpenPanel": False,
    "browser.helperApps.neverAsk.saveToDisk": "application/octet-stream",
    "browser.shell.checkDefaultBrowser": False,
    "browser.startup.homepage_override.mstone": "ignore",
    "datareporting.policy.dataSubmissionEnabled": False,
    "toolkit.telemetry.reportingpolicy.firstRun": False,
}


class Bidi:
    """WebDriver BiDi over one WebSocket: commands answered by id, events skipped."""

    def __init__(self, ws: ClientConnection) -> None:
        self._ws = ws
        self._ids = itertools.count(1)

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        number = next(self._ids)
        self._ws.send(json.dumps({"id": number, "method": method, "params": params}))
        while True:
            reply = json.loads(self._ws.recv(timeout=60))
            if reply.get("id") == number:
                if reply.get("type") == "error":
                    raise RuntimeError(f"{method}: {reply.get('error')}: {reply.get('message')}")
                result: dict[str, Any] = reply.get("result", {})
                return result

    def evaluate(self, context: str, expression: str) -> Any:
        answer = self.call(
            "script.evaluate",
            expression=expression,
            awaitPromise=False,
            target={"context": context},
        )
        return answer.get("result", {}).get("value")


@contextlib.contextmanager
def firefox(
    home: Path, env: dict[str, str], rules: dict[str, object] | None = None
) -> Iterator[Bidi]:
    """Firefox on a new profile; ``rules`` are the extension's stored options at start (in
    the JSON storage Firefox keeps when its IndexedDB storage is off: BiDi cannot reach an
    extension's pages to set them as a user would)."""
    profile = home / "firefox-profile"
    profile.mkdir()
    if rules is not None:
        stored = profile / "browser-extension-data" / GECKO_EXTENSION_ID
        stored.mkdir(parents=True)
        (stored / "storage.js").write_text(json.dumps(rules))
    browser_downloads = home / "browser-downloads"
    browser_downloads.mkdir(exist_ok=True)
    prefs = PREFS | {"browser.download.dir": str(browser_downloads)}
    if rules is not None:
        prefs["extensions.webextensions.ExtensionStorageIDB.enabled"] = False
    (profile / "user.js").write_text(
        "".join(f"user_pref({json.dumps(k)}, {json.dumps(v)});\n" for k, v in prefs.items())
    )
    port = free_port()
    assert FIREFOX is not None
    proc = subprocess.Popen(
        [
            FIREFOX,
            "--headless",
            "--profile",
            str(profile),
            "--remote-debugging-port",
            str(port),
            "--no-remote",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:

        def endpoint() -> ClientConnection:
            assert proc.poll() is None, "firefox ended"
            return connect(f"ws://127.0.0.1:{port}/session", max_size=None, open_timeout=5)

        ws = wait_until(
            endpoint, 60, what="a WebDriver BiDi endpoint", interval=0.2, ignoring=(OSError,)
        )
        with ws:
            bidi = Bidi(ws)
            bidi.call("session.new", capabilities={})
            yield bidi
    finally:
        stop_group(proc, 10)


def install_extension(bidi: Bidi) -> None:
    folder = resource_path("browser-extension", "manifest.json").parent
    bidi.call("webExtension.install", extensionData={"type": "path", "path": str(folder)})
    # On purpose: its background script registers its listeners, and no sign of that
    # reaches WebDriver BiDi to wait on.
    time.sleep(1.0)


def click_link(bidi: Bidi, site: Site, *, alt: bool = False) -> None:
    context = bidi.call("browsingContext.getTree")["contexts"][0]["context"]
    bidi.call("browsingContext.navigate", context=context, url=site.page, wait="complete")
    box = bidi.evaluate(
        context, "JSON.stringify(document.getElementById('link').getBoundingClientRect())"
    )
    rect = json.loads(box)
    x, y = int(rect["x"] + 20), int(rect["y"] + rect["height"] / 2)
    pause = {"type": "pause", "duration": 0}
    pointer = {
        "type": "pointer",
        "id": "mouse",
        "parameters": {"pointerType": "mouse"},
        "actions": [
            pause,
            {"type": "pointerMove", "x": x, "y": y},
            {"type": "pointerDown", "button": 0},
            {"type": "pointerUp", "button": 0},
            pause,
        ],
    }
    keys = {
        "type": "key",
        "id": "keyboard",
        "actions": [
            {"type": "keyDown", "value": "\ue00a"},
            pause,
            pause,
            pause,
            {"type": "keyUp", "value": "\ue00a"},
        ],
    }
    actions = [pointer, keys] if alt else [pointer]
    bidi.call("input.performActions", context=context, actions=actions)


def test_a_click_lands_in_rangeload_with_the_sites_cookie(home: Path, tmp_path: Path) -> None:
    source = make_file(tmp_path / "site" / "guarded.bin", 3 << 20, seed=31)
    env = environment(home)
    install_host(home, env, "firefox")
    with guarded_site(source) as site, firefox(home, env) as bidi:
        install_extension(bidi)
        clicked = time.monotonic()
        click_link(bidi, site)
        wait_for_file(home / "Downloads" / source.name)
        print(f"click to file in Rangeload's folder: {time.monotonic() - clicked:.2f} s")
        assert site.refused == []
        time.sleep(1.0)  # on purpose: the browser's own copy, if any, is removed by now
    assert sha256_of(home / "Downloads" / source.name) == sha256_of(source)
    assert list((home / "browser-downloads").iterdir()) == []


@pytest.mark.parametrize("case", ["host uninstalled", "alt held", "site skipped"])
def test_the_browser_keeps_what_rangeload_does_not_take(
    home: Path, tmp_path: Path, case: str
) -> None:
    source = make_file(tmp_path / "site" / "kept.bin", 1 << 20, seed=32)
    env = environment(home)
    if case != "host uninstalled":
        install_host(home, env, "firefox")
    rules: dict[str, object] | None = None
    if case == "site skipped":
        rules = {"skipSites": "example.org 127.0.0.1"}
    with guarded_site(source) as site, firefox(home, env, rules) as bidi:
        install_extension(bidi)
        click_link(bidi, site, alt=case == "alt held")
        wait_for_file(home / "browser-downloads" / source.name)
    assert sha256_of(home / "browser-downloads" / source.name) == sha256_of(source)
    assert not (home / "Downloads" / source.name).exists()
