"""Saved logins are kept by origin: one saved for ``https://host`` is never offered to
``http://host`` or another port, and a download keeps a reference to it (user and site),
never the password, which the engine process reads from the desktop's keyring when the
401 asks. A site list from before origins reads as ``https://host``."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from gui_app.app.sites import PASSWORDS_KEY, SITES_KEY, SiteBook
from gui_app.engine.api.models import DownloadRequest, DownloadState, Login
from gui_app.engine.api.options import EngineOptions
from gui_app.engine.disk.store import STORE_NAME, Store
from gui_app.engine.process.remote import RemoteEngine
from tests.kit.files import make_file, sha256_of
from tests.kit.guarded_site import guarded_site
from tests.kit.keyrings import DBUS_DAEMON, GNOME_KEYRING, secret_service
from tests.kit.waiting import wait_until

PASSWORD = "k3yring-0nly-pw"


def test_a_login_is_offered_to_its_own_origin_only(tmp_path: Path) -> None:
    store = Store(tmp_path / STORE_NAME)
    book = SiteBook(store)
    book.save_login("https://h.example", Login("ann", PASSWORD))
    wanted = Login("ann", site="https://h.example")
    for url, login in [
        ("https://H.example/a.iso", wanted),
        ("https://h.example:443/a.iso", wanted),
        ("http://h.example/a.iso", None),
        ("https://h.example:8443/a.iso", None),
        ("https://other.example/a.iso", None),
    ]:
        assert book.apply(DownloadRequest(url, tmp_path), 8).login == login, url
    assert book.password_for(wanted, "https://h.example/b") == PASSWORD
    # A reference carried to another origin (a refresh, say) gets nothing there.
    for elsewhere in ("http://h.example/b", "https://h.example:8443/b", "https://evil.example/"):
        assert book.password_for(wanted, elsewhere) is None
    store.close()


def test_a_host_only_list_from_before_reads_as_https(tmp_path: Path) -> None:
    store = Store(tmp_path / STORE_NAME)
    store.set_setting(
        SITES_KEY, json.dumps([{"host": "h.example", "user": "ann", "connections": 2}])
    )
    store.set_setting(PASSWORDS_KEY, json.dumps({"h.example": {"ann": PASSWORD}}))
    book = SiteBook(store)
    assert [s.origin for s in book.all()] == ["https://h.example"]
    assert book.login_for("https://h.example") == Login("ann", PASSWORD)
    reference = book.apply(DownloadRequest("https://h.example/f", tmp_path), 8).login
    assert reference == Login("ann", site="https://h.example")
    assert book.password_for(reference, "https://h.example/f") == PASSWORD
    assert book.apply(DownloadRequest("http://h.example/f", tmp_path), 8).login is None
    store.close()


SAVE = """
import sys
from pathlib import Path
from gui_app.engine.api.models import Login
from gui_app.engine.disk.store import Store
from gui_app.app.sites import SiteBook
book = SiteBook(Store(Path(sys.argv[1])))
print(book.where_passwords_go())
print(book.save_login(sys.argv[2], Login("ann", sys.argv[3])))
"""


@pytest.mark.skipif(
    GNOME_KEYRING is None or DBUS_DAEMON is None,
    reason="needs Debian's gnome-keyring and dbus-daemon",
)
def test_the_engine_process_reads_the_keyring_and_the_row_keeps_no_password(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = make_file(tmp_path / "site" / "guarded.bin", (1 << 20) + 3, seed=12)
    path = data_dir / STORE_NAME
    out = tmp_path / "out"
    out.mkdir()
    with (
        secret_service(tmp_path / "home") as env,
        guarded_site(source, login=("ann", PASSWORD), cookie=False) as site,
    ):
        origin = site.url.rstrip("/")
        saved = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(SAVE), str(path), origin, PASSWORD],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        assert saved.stdout.splitlines()[0] == "the desktop's keyring"
        for name, value in env.items():  # the engine process sees this keyring only
            monkeypatch.setenv(name, value)
        monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
        store = Store(path)
        request = SiteBook(store, keyring=lambda: None).apply(
            DownloadRequest(site.file_url, out, connections=4), 8
        )
        store.close()
        assert request.login == Login("ann", site=origin)
        engine = RemoteEngine(options=EngineOptions(max_concurrent=1))
        try:
            engine.start()
            download_id = engine.add(request)
            ended = (DownloadState.COMPLETED, DownloadState.FAILED)
            wait_until(
                lambda: (s := engine.get(download_id)) is None or s.state in ended,
                30,
                what=lambda: f"ended, or removed: {engine.get(download_id)}",
            )
            got = engine.get(download_id)
        finally:
            engine.shutdown()
        assert got is not None
        assert got.state is DownloadState.COMPLETED, got.record.error
        assert site.challenges == ["basic"]  # asked once; range requests sent Basic at once
    assert sha256_of(out / source.name) == sha256_of(source)
    files = [p for p in data_dir.rglob("*") if p.is_file()]
    assert path in files
    for file in files:  # the store, its WAL, its locks: the password is in none of them
        assert PASSWORD.encode() not in file.read_bytes(), file
    with contextlib.closing(sqlite3.connect(path)) as db:
        (login,) = db.execute("SELECT login FROM downloads").fetchone()
    assert json.loads(login) == ["ann", "", origin]
