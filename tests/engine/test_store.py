"""The SQLite store: round trips, corrupt files set aside, two processes sharing it."""

from __future__ import annotations

import json
import pickle
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from gui_app.engine.api.cookies import Cookie
from gui_app.engine.api.folder_rule import Category, CategoryFolders
from gui_app.engine.api.models import (
    Checksum,
    DownloadRequest,
    DownloadState,
    Login,
    PauseReason,
    Problem,
    Validators,
)
from gui_app.engine.api.record import DownloadRecord, Progress, Remote
from gui_app.engine.disk.store import SCHEMA_VERSION, Store
from gui_app.engine.disk.store_rows import _V2, _V3, _V4, _V5
from gui_app.engine.disk.store_rows import SCHEMA as _SCHEMA
from gui_app.ground.byteranges import ByteRange

COOKIES = (
    Cookie("sid", "v é;1", "h", path="/f", secure=True, expires=2e9),
    Cookie("any", "x", "example.org", host_only=False),
)


def request(tmp_path: Path, **kw: object) -> DownloadRequest:
    return DownloadRequest(url="http://h/f.bin", dest_dir=tmp_path, **kw)  # type: ignore[arg-type]


def test_every_field_round_trips(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3", clock=lambda: 1000.0)
    record = store.add(
        request(
            tmp_path,
            connections=4,
            headers=(("Cookie", "a=b"),),
            rate_limit=5000,
            checksum=Checksum("sha256", "AB" * 32),
            login=Login("u", "p:w é"),
            proxy="socks5h://me:pw@127.0.0.1:1080",
            cookies=COOKIES,
        ),
        DownloadState.QUEUED,
    )
    assert record.login == Login("u", "p:w é")
    assert record.cookies == COOKIES
    assert record.proxy == "socks5h://me:pw@127.0.0.1:1080"
    request_ = replace(record.request, filename="wanted.bin", sort_into=7)
    remote = Remote(
        final_url="http://cdn/f.bin",
        size=10**12,
        validators=Validators('"etag"', "Tue, 24 Nov 2026 00:00:00 GMT"),
        content_type="application/zip",
        resumable=True,
        filename="f.bin",
        folder=Path("/dl/Films"),
        cookies=(Cookie("cdn", "c", "cdn"),),
    )
    progress = Progress((ByteRange(0, 99), ByteRange(200, 10**12 - 1)), "3:4")
    status = replace(
        record.status,
        state=DownloadState.PAUSED,
        error="disk full: x",
        problem=Problem.LOGIN,
        pause_reason=PauseReason.DISK_FULL,
    )
    store.save_request(record.id, request_)
    store.save_remote(record.id, remote, progress)
    store.save_status(record.id, status)
    again = Store(tmp_path / "s.sqlite3").get(record.id)
    full = DownloadRecord(record.id, request_, remote, progress, replace(status, updated_at=1000.0))
    assert again == full
    assert again is not None
    assert again.path == Path("/dl/Films/f.bin")
    assert again.cookies == (*COOKIES, Cookie("cdn", "c", "cdn"))
    assert again.checksum == Checksum("sha256", "ab" * 32)


def test_a_version_2_list_gains_logins_proxies_and_problems(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(_SCHEMA + ";" + _V2)
    db.execute(
        "INSERT INTO downloads (url, dest_dir, state, created_at, updated_at)"
        " VALUES ('http://h/f', '/tmp', 'paused', 1, 1)"
    )
    db.execute("PRAGMA user_version = 2")
    db.commit()
    db.close()
    (record,) = Store(path).all()
    assert (record.url, record.login, record.proxy, record.problem) == (
        "http://h/f",
        None,
        None,
        None,
    )
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_settings_and_removal(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    assert store.get_setting("x") is None
    store.set_setting("x", "1")
    store.set_setting("x", "2")
    assert store.get_setting("x") == "2"
    record = store.add(request(tmp_path), DownloadState.QUEUED)
    store.remove(record.id)
    assert store.get(record.id) is None
    assert store.all() == []


@pytest.mark.parametrize("damage", ["garbage", "truncated", "newer"])
def test_an_unreadable_file_is_set_aside(
    tmp_path: Path, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "s.sqlite3"
    store = Store(path)
    store.add(request(tmp_path), DownloadState.QUEUED)
    store.close()
    if damage == "garbage":
        path.write_bytes(b"this is not a database" * 100)
    elif damage == "truncated":
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 3])
    else:
        db = sqlite3.connect(path)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        db.close()
    fresh = Store(path)
    assert fresh.recovered_from is not None
    assert fresh.recovered_from.name.startswith("s.sqlite3.corrupt-")
    assert fresh.recovered_from.exists()
    assert fresh.all() == []
    assert "moved to" in caplog.text
    fresh.add(request(tmp_path), DownloadState.QUEUED)  # and it works


def test_a_second_process_sees_the_writes(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    store = Store(path)
    record = store.add(request(tmp_path), DownloadState.QUEUED)
    code = (
        "import sys; from pathlib import Path; from dataclasses import replace;"
        "from gui_app.engine.disk.store import Store;"
        "from gui_app.engine.api.models import DownloadState;"
        "s = Store(Path(sys.argv[1])); r = s.get(int(sys.argv[2]));"
        "s.save_status(r.id, replace(r.status, state=DownloadState.PAUSED,"
        " error='from the other side'));"
        "s.set_setting('peer', 'yes')"
    )
    subprocess.run([sys.executable, "-c", code, str(path), str(record.id)], check=True)
    seen = store.get(record.id)
    assert seen is not None
    assert seen.state is DownloadState.PAUSED
    assert seen.error == "from the other side"
    assert store.get_setting("peer") == "yes"


def test_many_are_added_in_order_each_in_its_state(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    first = store.add(request(tmp_path), DownloadState.QUEUED)
    entries = [
        (
            replace(request(tmp_path), url=f"http://h/{i}.bin"),
            DownloadState.PAUSED if i % 3 == 0 else DownloadState.QUEUED,
        )
        for i in range(1200)  # more than one SELECT's worth of parameters
    ]
    added = store.add_many(entries)
    assert [r.url for r in added] == [e[0].url for e in entries]
    assert [r.state for r in added] == [e[1] for e in entries]
    orders = [first.queue_order] + [r.queue_order for r in added]
    assert orders == sorted(orders)
    assert len(set(orders)) == len(orders)
    assert Store(tmp_path / "s.sqlite3").all() == [first, *added]


def test_durable_saves_from_many_threads_are_all_on_disk_when_they_return(
    tmp_path: Path,
) -> None:
    """They share commits (group commit); each returns once its own row is written, and a
    second connection (another process's view) sees every one of them."""
    store = Store(tmp_path / "s.sqlite3")
    records = store.add_many([(request(tmp_path), DownloadState.QUEUED)] * 16)
    seen_after_return: dict[int, DownloadState] = {}

    def finish(record: DownloadRecord) -> None:
        status = replace(record.status, state=DownloadState.COMPLETED, error=f"#{record.id}")
        store.save_status(record.id, status)
        other = Store(tmp_path / "s.sqlite3").get(record.id)  # a fresh connection
        assert other is not None
        seen_after_return[record.id] = other.state

    threads = [threading.Thread(target=finish, args=(r,)) for r in records]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert seen_after_return == dict.fromkeys((r.id for r in records), DownloadState.COMPLETED)
    again = {r.id: r for r in Store(tmp_path / "s.sqlite3").all()}
    assert all(again[r.id].error == f"#{r.id}" for r in records)


def test_a_stored_category_no_longer_accepted_keeps_its_download(tmp_path: Path) -> None:
    """An older version stored a category named '..' (or a relative folder) with a
    download: the download loads, the category is left out, never a set-aside row."""
    store = Store(tmp_path / "state.sqlite3")
    try:
        rule = CategoryFolders(tmp_path, (Category("Ok", ("bin",)),))
        request = DownloadRequest("http://h/a.zip", tmp_path, folder_rule=rule)
        store.add(request, DownloadState.QUEUED)
        stored = [["..", ["zip"], [], None], ["Rel", ["iso"], [], "rel"], ["Ok", ["bin"], [], None]]
        text = json.dumps({"base": str(tmp_path), "categories": stored})
        with store._transaction() as db:
            db.execute("UPDATE folder_rules SET rule = ?", (text,))
        [record] = store.all()
        assert record.sort_into is not None
        kept = rule_afresh(store.path, record.sort_into)
        assert kept is not None
        assert [c.name for c in kept.categories] == ["Ok"]
        assert store.set_aside_rows == []
    finally:
        store.close()


def test_a_version_5_list_opens_and_gains_cookies(tmp_path: Path) -> None:
    """A store from before cookies were kept as cookies: it opens, its downloads have
    none, and the column takes those a redirect sets; a saved login's reference keeps its
    site and no password."""
    path = tmp_path / "s.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(";".join((_SCHEMA, _V2, _V3, _V4, _V5)))
    db.execute(
        "INSERT INTO downloads (url, dest_dir, state, created_at, updated_at, login)"
        """ VALUES ('http://h/f', '/tmp', 'paused', 1, 1, '["u", "pw"]')"""
    )
    db.execute("PRAGMA user_version = 5")
    db.commit()
    db.close()
    store = Store(path)
    (record,) = store.all()
    assert (record.url, record.cookies, record.login) == ("http://h/f", (), Login("u", "pw"))
    reference = Login("u", site="https://h")
    store.save_request(record.id, replace(record.request, cookies=COOKIES, login=reference))
    store.close()
    again = Store(path).get(record.id)
    assert again is not None
    assert (again.cookies, again.login) == (COOKIES, reference)
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_a_folder_rule_is_kept_once_and_rows_name_it(tmp_path: Path) -> None:
    """1,000 downloads added with one category rule keep it once (a row holds a number,
    not the rule's 0.7 KB), and every record and event carries the number alone."""
    rule = CategoryFolders(tmp_path, tuple(Category(f"C{n}", (f"e{n}",)) for n in range(20)))
    store = Store(tmp_path / "state.sqlite3")
    try:
        entries = [
            (DownloadRequest(f"http://h/{n}", tmp_path, folder_rule=rule), DownloadState.QUEUED)
            for n in range(1000)
        ]
        records = store.add_many(entries)
        assert {r.sort_into for r in records} == {records[0].sort_into}
        number = records[0].sort_into
        assert number is not None
        assert store.folder_rule(number) == rule
        assert store.folder_rule(number + 1) is None
        with store._transaction() as db:
            assert db.execute("SELECT COUNT(*) FROM folder_rules").fetchone()[0] == 1
            widest = db.execute("SELECT MAX(LENGTH(sort_into)) FROM downloads").fetchone()[0]
        assert widest < 8
        assert len(pickle.dumps(records[0])) < len(pickle.dumps(rule))
    finally:
        store.close()


def test_a_schema_7_store_keeps_each_rows_own_rule(tmp_path: Path) -> None:
    """Rows of schema 7 carried their rule whole; two rows added under different
    categories keep their own after the move to ``folder_rules`` (one copy of each), and
    a row whose rule is gone sorts into nothing rather than failing."""
    from gui_app.engine.disk import store_rows

    path = tmp_path / "state.sqlite3"
    films = CategoryFolders(tmp_path, (Category("Films", ("mkv",)),))
    books = CategoryFolders(tmp_path, (Category("Books", ("epub",)),))
    with sqlite3.connect(path) as db:
        for script in store_rows.MIGRATIONS[:7]:
            for statement in script.split(";"):
                if statement.strip():
                    db.execute(statement)
        for n, rule in enumerate((films, books, films), start=1):
            db.execute(
                "INSERT INTO downloads (id, url, dest_dir, state, created_at, updated_at,"
                " sort_into) VALUES (?, ?, ?, 'queued', 0, 0, ?)",
                (n, f"http://h/{n}", str(tmp_path), store_rows.dump_rule(rule)),
            )
        db.execute("PRAGMA user_version = 7")
    store = Store(path)
    try:
        first, second, third = store.all()
        assert first.sort_into == third.sort_into != second.sort_into
        assert first.sort_into is not None
        assert second.sort_into is not None
        assert store.folder_rule(first.sort_into) == films
        assert store.folder_rule(second.sort_into) == books
        with store._transaction() as db:
            assert db.execute("SELECT COUNT(*) FROM folder_rules").fetchone()[0] == 2
            db.execute("DELETE FROM folder_rules WHERE id = ?", (second.sort_into,))
        assert rule_afresh(path, second.sort_into) is None
    finally:
        store.close()


def rule_afresh(path: Path, number: int) -> CategoryFolders | None:
    """The rule as another Store reads it from the file (not from a cache)."""
    other = Store(path)
    try:
        return other.folder_rule(number)
    finally:
        other.close()


def test_two_processes_opening_an_old_store_at_once_migrate_it_once(tmp_path: Path) -> None:
    """The app and ``rangeload get`` started together on a schema 7 store: one migrates,
    the other finds it done; neither fails, and nothing is set aside."""
    from gui_app.engine.disk import store_rows

    path = tmp_path / "state.sqlite3"
    with sqlite3.connect(path) as db:
        for script in store_rows.MIGRATIONS[:7]:
            for statement in script.split(";"):
                if statement.strip():
                    db.execute(statement)
        db.execute("PRAGMA user_version = 7")
    code = (
        "import sys, time; from pathlib import Path;"
        "from gui_app.engine.disk.store import Store;"
        "time.sleep(float(sys.argv[2]) - time.time());"
        "s = Store(Path(sys.argv[1])); print(s.recovered_from, len(s.set_aside_rows)); s.close()"
    )
    at = str(time.time() + 1.5)
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(path), at], stdout=subprocess.PIPE, text=True
        )
        for _ in range(8)
    ]
    outputs = [run.communicate(timeout=30)[0].strip() for run in runs]
    assert [run.returncode for run in runs] == [0] * 8
    assert outputs == ["None 0"] * 8
    assert list(tmp_path.glob("*.corrupt-*")) == []
