"""A store the engine of the day before the record was split wrote (schema 6, made by
``fixtures/make_store_v6.txt`` with commit aadebb9): it opens with every record intact,
split into its parts, and its paused download resumes from its own bytes, byte-exact.

Only what the machine changes is put in on loading: the folder, the server's address, the
served file's validators (its ETag names the file's inode) and the part file's identity.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gui_app.engine.api.cookies import Cookie
from gui_app.engine.api.folder_rule import Category, CategoryFolders
from gui_app.engine.api.models import DownloadState, Login, PauseReason
from gui_app.engine.api.options import EngineOptions
from gui_app.engine.disk.store import SCHEMA_VERSION, Store
from gui_app.engine.manager.scheduler import DownloadManager
from gui_app.ground.byteranges import ByteRange
from gui_app.server.app import create_app
from gui_app.server.runner import ServerThread
from tests.kit.files import make_file, sha256_of
from tests.kit.servers import CountingApp

FIXTURE = Path(__file__).parent / "fixtures" / "store_v6.sql"
SIZE = (6 << 20) + 4321  # what make_store_v6 served: data.bin, seed 11
KEPT = (
    ByteRange(0, 733998),
    ByteRange(1573945, 2307943),
    ByteRange(3147890, 3881888),
    ByteRange(4721835, 5455833),
)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[ServerThread, CountingApp, Path]]:
    folder = tmp_path / "served"
    make_file(folder / "data.bin", SIZE, seed=11)
    make_file(folder / "a.zip", 300_000, seed=5)
    app = CountingApp(create_app(folder, faults=True))
    with ServerThread(app) as server:  # type: ignore[arg-type]  # any ASGI app serves
        yield server, app, folder


def open_fixture(data_dir: Path, out: Path, server: ServerThread, served: Path) -> None:
    """The v6 store as this machine has it: its files where the old engine left them."""
    (out / "Archives").mkdir(parents=True)
    shutil.copy(served / "data.bin", out / "data.bin")
    shutil.copy(served / "a.zip", out / "Archives" / "a.zip")
    source = (served / "data.bin").read_bytes()
    part = out / "partial.bin.part"
    with part.open("wb") as file:
        file.truncate(SIZE)
        for kept in KEPT:
            file.seek(kept.first)
            file.write(source[kept.first : kept.last + 1])
    head = httpx.head(f"{server.url}/files/data.bin")
    sql = (
        FIXTURE.read_text()
        .replace("@OUT@", str(out))
        .replace("@URL@", server.url)
        .replace("@ETAG@", head.headers["etag"])
        .replace("@DATE@", head.headers["last-modified"])
    )
    data_dir.mkdir(exist_ok=True)
    with sqlite3.connect(data_dir / "state.sqlite3") as db:
        db.executescript(sql)
        info = part.stat()
        db.execute(
            "UPDATE downloads SET part_id = ? WHERE id = 3", (f"{info.st_dev}:{info.st_ino}",)
        )
    db.close()


def test_a_v6_store_opens_with_every_record_intact(
    tmp_path: Path, served: tuple[ServerThread, CountingApp, Path]
) -> None:
    server, _, folder = served
    data_dir, out = tmp_path / "data", tmp_path / "out"
    open_fixture(data_dir, out, server, folder)
    store = Store(data_dir / "state.sqlite3")
    try:
        done, sorted_done, partial, waiting, failed = store.all()
        rule = None if waiting.sort_into is None else store.folder_rule(waiting.sort_into)
    finally:
        store.close()
    assert store.recovered_from is None
    assert store.set_aside_rows == []
    with sqlite3.connect(data_dir / "state.sqlite3") as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION

    assert done.state is DownloadState.COMPLETED
    assert (done.path, done.size, done.done) == (out / "data.bin", SIZE, (ByteRange(0, SIZE - 1),))
    assert done.remote.filename == "data.bin"
    assert done.completed_at is not None

    # Sorted by its category when it was named: its folder stays, the rule is not kept.
    assert sorted_done.path == out / "Archives" / "a.zip"
    assert sorted_done.sort_into is None
    assert sorted_done.request.sort_into is None

    assert partial.state is DownloadState.PAUSED
    assert partial.pause_reason is PauseReason.USER
    assert (partial.filename, partial.connections, partial.done) == ("partial.bin", 4, KEPT)
    assert partial.resumable is True
    assert partial.validators.strong_etag is not None

    # Never answered: the wanted name is unknown, the rule and the request whole.
    assert waiting.state is DownloadState.PAUSED
    assert waiting.filename is None
    assert waiting.remote.filename is None
    assert waiting.size is None
    assert (waiting.connections, waiting.rate_limit) == (3, 500_000)
    assert waiting.headers == (("Referer", f"{server.url}/page"),)
    assert waiting.login == Login("ann", site=server.url)
    assert waiting.cookies == (Cookie("sid", "s1", "127.0.0.1", path="/files"),)
    # The rule is kept once, in the store, and the record names it by number (schema 8).
    assert waiting.sort_into is not None
    assert rule == CategoryFolders(out, (Category("Archives", ("zip",)),))

    assert failed.state is DownloadState.FAILED
    assert failed.error == "not found (404): the file is not on the server"
    assert [r.queue_order for r in (done, sorted_done, partial, waiting, failed)] == [
        1.0,
        2.0,
        3.0,
        4.0,
        5.0,
    ]


def test_a_v6_paused_download_resumes_from_its_own_bytes(
    tmp_path: Path, served: tuple[ServerThread, CountingApp, Path]
) -> None:
    server, app, folder = served
    data_dir, out = tmp_path / "data", tmp_path / "out"
    open_fixture(data_dir, out, server, folder)
    store = Store(data_dir / "state.sqlite3")
    manager = DownloadManager(store, options=EngineOptions(save_interval=0.3))
    manager.start()
    try:
        app.sent = 0
        manager.resume(3)
        manager.resume(4)
        assert manager.wait([3, 4], timeout=60)
        partial, waiting = manager.get(3), manager.get(4)
    finally:
        manager.shutdown()
        store.close()
    assert partial is not None
    assert waiting is not None
    assert partial.state is DownloadState.COMPLETED, partial.record.error
    assert sha256_of(out / "partial.bin") == sha256_of(folder / "data.bin")
    assert waiting.state is DownloadState.COMPLETED, waiting.record.error
    assert waiting.record.path == out / "data (1).bin"  # its rule: not an archive
    assert sha256_of(out / "data (1).bin") == sha256_of(folder / "data.bin")
    kept = sum(r.length for r in KEPT)
    # The partial one fetched only what it lacked (and the other one whole), give or take
    # what connections that met read past their ends; a restart would be 2.9 MB more.
    assert app.sent <= (SIZE - kept) + SIZE + (1 << 20)
