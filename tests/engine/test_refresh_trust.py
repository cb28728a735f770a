"""A refresh (a stopped download's new address) against hostile peers: a new origin (scheme,
host, port) gets none of the old origin's secrets (Authorization, Cookie, the login)
unless they are given again or carried over on purpose; and the bytes on disk are kept
only when the new address is proven to serve the same file (a strong ETag that matches,
or the same bytes where the kept stretch starts and ends), never on missing evidence."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gui_app.engine.api.cookies import Cookie
from gui_app.engine.api.errors import RefreshRefusedError
from gui_app.engine.api.models import DownloadId, DownloadRequest, DownloadState, Login
from gui_app.engine.api.record import Progress, Remote
from gui_app.engine.api.retry import Backoff
from gui_app.engine.disk.store import Store
from gui_app.engine.manager.refresh import MAX_STRETCHES, PROOF_BYTES, proof_stretches
from gui_app.engine.manager.scheduler import DownloadManager
from gui_app.ground.byteranges import ByteRange, merge
from tests.engine.conftest import MIN_SPLIT, Managers, completed
from tests.kit.files import sha256_bytes, sha256_of
from tests.kit.hostile import HostileServer, Out, Request, hostile_server, serve_file

DATA = random.Random(21).randbytes((1 << 20) + 333)
OTHER = random.Random(22).randbytes(len(DATA))  # another file of the very same size
SECRETS = (
    ("Authorization", "Bearer old-token"),
    ("Cookie", "sid=old-cookie"),
    ("Referer", "http://old.example/page"),
)
LOGIN = Login("alice", "old-password")


@pytest.fixture
def manager(managers: Managers) -> DownloadManager:
    return managers(backoff=Backoff(base=0.02, cap=0.1, max_failures=2))


@dataclass
class Expired:
    """The old address: it served the probe's range, then answers 403 (the link expired)."""

    etag: str | None = '"v1"'
    last_modified: str | None = "Tue, 01 Sep 2026 10:00:00 GMT"

    def __call__(self, request: Request, out: Out) -> None:
        if request.index == 0:
            serve_file(request, out, DATA, etag=self.etag, last_modified=self.last_modified)
        else:
            out.head(403, {"Content-Length": "0"})


def stopped_download(
    manager: DownloadManager, old: HostileServer, out: Path, **request: object
) -> DownloadId:
    """A download from ``old`` that failed with 403 after its first range."""
    download_id = manager.add(
        DownloadRequest(f"{old.url}/get/big.bin", out, connections=1, **request)  # type: ignore[arg-type]
    )
    assert manager.wait([download_id], timeout=30)
    snapshot = manager.get(download_id)
    assert snapshot is not None
    assert snapshot.state is DownloadState.FAILED, snapshot.record.error
    assert snapshot.record.done_bytes == MIN_SPLIT
    return download_id


@pytest.fixture
def old() -> Iterator[HostileServer]:
    with hostile_server(Expired()) as server:
        yield server


def secrets_in(server: HostileServer) -> list[str]:
    return [
        f"{name}: {value}"
        for request in server.requests
        for name, value in request.headers.items()
        if name in ("authorization", "cookie") or "old-" in value
    ]


def asks_for_a_login(request: Request, out: Out) -> None:
    if "authorization" not in request.headers:
        out.head(401, {"WWW-Authenticate": 'Basic realm="new"', "Content-Length": "0"})
        return
    serve_file(request, out, DATA)


# -- secrets stay with their origin ------------------------------------------------------


def test_a_new_host_gets_none_of_the_old_hosts_secrets(
    manager: DownloadManager, old: HostileServer, tmp_path: Path
) -> None:
    download_id = stopped_download(manager, old, tmp_path, headers=SECRETS, login=LOGIN)
    with hostile_server(asks_for_a_login) as new:
        with pytest.raises(Exception, match="401"):
            manager.refresh(download_id, f"{new.url}/get/big.bin")
        assert new.requests, "the new address was never asked"
        assert secrets_in(new) == []
    record = manager.get(download_id)
    assert record is not None
    assert record.record.url.startswith(old.url)  # nothing changed


def test_a_refresh_to_a_new_host_drops_the_secrets_and_finishes_exact(
    manager: DownloadManager, old: HostileServer, tmp_path: Path
) -> None:
    download_id = stopped_download(manager, old, tmp_path, headers=SECRETS, login=LOGIN)
    with hostile_server(lambda r, o: serve_file(r, o, DATA)) as new:
        manager.refresh(download_id, f"{new.url}/get/big.bin")
        snapshot = manager.get(download_id)
        assert snapshot is not None
        assert snapshot.record.login is None
        assert [n for n, _ in snapshot.record.headers] == []  # the old page's Referer too
        manager.resume(download_id)
        path = completed(manager, download_id)
        assert secrets_in(new) == []
        assert all(r.range != (0, MIN_SPLIT - 1) for r in new.requests[1:])  # bytes kept
    assert sha256_of(path) == sha256_bytes(DATA)


def test_secrets_given_with_the_refresh_go_to_the_new_host(
    manager: DownloadManager, old: HostileServer, tmp_path: Path
) -> None:
    download_id = stopped_download(manager, old, tmp_path, headers=SECRETS, login=LOGIN)
    with hostile_server(lambda r, o: serve_file(r, o, DATA)) as new:
        manager.refresh(download_id, f"{new.url}/get/big.bin", (("Cookie", "sid=new"),))
        manager.resume(download_id)
        path = completed(manager, download_id)
        cookies = {r.headers.get("cookie") for r in new.requests}
        assert cookies == {"sid=new"}
        assert not any("authorization" in r.headers for r in new.requests)
    assert sha256_of(path) == sha256_bytes(DATA)


def test_secrets_carried_over_on_purpose_go_to_the_new_host(
    manager: DownloadManager, old: HostileServer, tmp_path: Path
) -> None:
    download_id = stopped_download(manager, old, tmp_path, headers=SECRETS, login=LOGIN)
    with hostile_server(asks_for_a_login) as new:
        manager.refresh(download_id, f"{new.url}/get/big.bin", carry_secrets=True)
        manager.resume(download_id)
        path = completed(manager, download_id)
        assert {r.headers.get("cookie") for r in new.requests} == {"sid=old-cookie"}
        assert any(r.headers.get("authorization") == "Bearer old-token" for r in new.requests)
    assert sha256_of(path) == sha256_bytes(DATA)


def test_the_same_origin_keeps_its_secrets(
    manager: DownloadManager, old: HostileServer, tmp_path: Path
) -> None:
    download_id = stopped_download(manager, old, tmp_path, headers=SECRETS, login=LOGIN)
    old.handler = lambda r, o: serve_file(r, o, DATA)  # the link renewed on the same site
    manager.refresh(download_id, f"{old.url}/get/big.bin?token=fresh")
    snapshot = manager.get(download_id)
    assert snapshot is not None
    assert snapshot.record.login == LOGIN
    assert snapshot.record.headers == SECRETS
    manager.resume(download_id)
    assert sha256_of(completed(manager, download_id)) == sha256_bytes(DATA)


def test_a_restart_at_a_new_host_drops_the_secrets(
    manager: DownloadManager, old: HostileServer, tmp_path: Path
) -> None:
    download_id = stopped_download(manager, old, tmp_path, headers=SECRETS, login=LOGIN)
    with hostile_server(lambda r, o: serve_file(r, o, OTHER, etag='"v2"')) as new:
        manager.restart(download_id, f"{new.url}/get/big.bin")
        path = completed(manager, download_id)
        assert secrets_in(new) == []
    assert sha256_of(path) == sha256_bytes(OTHER)


# -- never a mixed file ------------------------------------------------------------------

NO_PROOF = [  # validators of the old address and the new that prove nothing
    pytest.param({}, {"etag": None, "last_modified": None}, id="new-without-validators"),
    pytest.param({"etag": None, "last_modified": None}, {}, id="old-without-validators"),
    pytest.param({"etag": 'W/"a"'}, {"etag": 'W/"a"'}, id="weak-etags"),
]
DATE_ONLY = pytest.param({"etag": None}, {"etag": None}, id="same-date-only")
Tags = dict[str, str | None]  # serve_file's etag and last_modified


def stopped_with(manager: DownloadManager, out: Path, tags: Tags) -> tuple[DownloadId, str]:
    """A download stopped by an old address that sent ``tags``: its id and address."""
    with hostile_server(Expired(**tags)) as old:
        download_id = stopped_download(manager, old, out)
    snapshot = manager.get(download_id)
    assert snapshot is not None
    return download_id, snapshot.record.url


@pytest.mark.parametrize(("old_tags", "new_tags"), [*NO_PROOF, DATE_ONLY])
def test_another_file_of_the_same_size_without_proof_is_refused(
    manager: DownloadManager, tmp_path: Path, old_tags: Tags, new_tags: Tags
) -> None:
    download_id, old_url = stopped_with(manager, tmp_path, old_tags)
    other = hostile_server(lambda r, o: serve_file(r, o, OTHER, **new_tags))  # type: ignore[arg-type]
    refused = pytest.raises(RefreshRefusedError, match=r"another file \(bytes 0-65535 differ")
    with other as new, refused:
        manager.refresh(download_id, f"{new.url}/get/big.bin")
    snapshot = manager.get(download_id)
    assert snapshot is not None
    assert snapshot.record.url == old_url
    assert snapshot.record.done_bytes == MIN_SPLIT


@pytest.mark.parametrize(("old_tags", "new_tags"), NO_PROOF)
def test_the_same_bytes_without_a_strong_etag_are_proven_and_kept(
    manager: DownloadManager, tmp_path: Path, old_tags: Tags, new_tags: Tags
) -> None:
    download_id, _ = stopped_with(manager, tmp_path, old_tags)
    with hostile_server(lambda r, o: serve_file(r, o, DATA, **new_tags)) as new:  # type: ignore[arg-type]
        manager.refresh(download_id, f"{new.url}/get/big.bin")
        manager.resume(download_id)
        path = completed(manager, download_id)
        assert new.body_bytes < len(DATA)  # the kept bytes were not fetched again
    assert sha256_of(path) == sha256_bytes(DATA)


def test_a_matching_strong_etag_is_proof_enough_at_its_own_origin(
    manager: DownloadManager, old: HostileServer, tmp_path: Path
) -> None:
    download_id = stopped_download(manager, old, tmp_path)
    old.handler = lambda r, o: serve_file(r, o, DATA, last_modified=None)
    before = len(old.requests)
    manager.refresh(download_id, f"{old.url}/get/big.bin?fresh=1")
    assert len(old.requests) == before + 1  # the first byte only: no comparison needed
    manager.resume(download_id)
    assert sha256_of(completed(manager, download_id)) == sha256_bytes(DATA)


def test_an_etag_from_another_file_of_the_same_site_is_no_proof(
    manager: DownloadManager, old: HostileServer, tmp_path: Path
) -> None:
    """nginx tags by modification time and size: two files beside each other can share a
    tag. Another path, or a redirect to another site, has the bytes compared."""
    download_id = stopped_download(manager, old, tmp_path)
    old.handler = lambda r, o: serve_file(r, o, OTHER)  # the same '"v1"' tag
    with pytest.raises(RefreshRefusedError, match="differ from the ones kept"):
        manager.refresh(download_id, f"{old.url}/other/file.bin")

    with hostile_server(lambda r, o: serve_file(r, o, OTHER)) as elsewhere:

        def redirects(request: Request, out: Out) -> None:
            out.head(302, {"Location": f"{elsewhere.url}/f.bin", "Content-Length": "0"})

        old.handler = redirects
        with pytest.raises(RefreshRefusedError, match="differ from the ones kept"):
            manager.refresh(download_id, f"{old.url}/get/big.bin?fresh=2")


def test_an_etag_from_another_origin_is_no_proof(
    manager: DownloadManager, old: HostileServer, tmp_path: Path
) -> None:
    """Mirrors tag by modification time and size (nginx): the same tag can name two files."""
    download_id = stopped_download(manager, old, tmp_path)
    refused = pytest.raises(RefreshRefusedError, match="differ from the ones kept")
    with hostile_server(lambda r, o: serve_file(r, o, OTHER)) as new, refused:
        manager.refresh(download_id, f"{new.url}/get/big.bin")


def paused_with_stretches(
    data_dir: Path, out: Path, url: str, stretches: list[ByteRange]
) -> DownloadId:
    """A paused download of DATA whose part file holds ``stretches`` (as four connections
    leave it), stored before a manager starts."""
    part = out / "big.bin.part"
    with part.open("wb") as file:
        for stretch in stretches:
            file.seek(stretch.first)
            file.write(DATA[stretch.first : stretch.last + 1])
    info = part.stat()
    store = Store(data_dir / "state.sqlite3")
    try:
        record = store.add(DownloadRequest(url, out, connections=4), DownloadState.PAUSED)
        remote = Remote(size=len(DATA), resumable=True, filename="big.bin")
        progress = Progress(tuple(stretches), f"{info.st_dev}:{info.st_ino}")
        store.save_remote(record.id, remote, progress)
        return record.id
    finally:
        store.close()


QUARTER = len(DATA) // 4
FOUR = [ByteRange(i * QUARTER, i * QUARTER + QUARTER - 40_000) for i in range(4)]


@pytest.mark.parametrize("at", [FOUR[1].first + 5_000, FOUR[2].last - 10, FOUR[3].first + 100_000])
def test_a_difference_in_any_kept_stretch_is_found(
    managers: Managers, data_dir: Path, tmp_path: Path, at: int
) -> None:
    edited = bytearray(DATA)
    edited[at : at + 100] = bytes(100)  # the same file edited in place: same size, no tag
    download_id = paused_with_stretches(data_dir, tmp_path, "http://old.invalid/big.bin", FOUR)
    manager = managers()
    serve = hostile_server(
        lambda r, o: serve_file(r, o, bytes(edited), etag=None, last_modified=None)
    )
    with serve as new, pytest.raises(RefreshRefusedError, match="differ from the ones kept"):
        manager.refresh(download_id, f"{new.url}/big.bin")


def test_every_kept_stretch_that_matches_is_kept(
    managers: Managers, data_dir: Path, tmp_path: Path
) -> None:
    download_id = paused_with_stretches(data_dir, tmp_path, "http://old.invalid/big.bin", FOUR)
    manager = managers()
    same = hostile_server(lambda r, o: serve_file(r, o, DATA, etag=None, last_modified=None))
    with same as new:
        manager.refresh(download_id, f"{new.url}/big.bin")
        manager.resume(download_id)
        assert sha256_of(completed(manager, download_id)) == sha256_bytes(DATA)


@given(st.lists(st.tuples(st.integers(0, 1 << 24), st.integers(1, 1 << 22)), max_size=60))
def test_the_proof_compares_only_kept_bytes_and_every_stretchs_ends(
    spans: list[tuple[int, int]],
) -> None:
    done = merge(ByteRange(first, first + length - 1) for first, length in spans)
    proof = proof_stretches(done)
    for stretch in proof:  # inclusive at both ends, inside what is kept
        assert any(k.first <= stretch.first and stretch.last <= k.last for k in done)
        assert stretch.length <= PROOF_BYTES or stretch in done
    compared = done if len(done) <= MAX_STRETCHES else (done[0], done[-1])
    for kept in compared:
        assert any(p.first == kept.first for p in proof)
        assert any(p.last == kept.last for p in proof)


def test_the_part_file_changed_on_disk_is_not_proof(
    manager: DownloadManager, tmp_path: Path
) -> None:
    """The comparison reads the bytes the record claims, from the part file it names."""
    with hostile_server(Expired(etag=None, last_modified=None)) as old:
        download_id = stopped_download(manager, old, tmp_path)
    snapshot = manager.get(download_id)
    assert snapshot is not None
    assert snapshot.record.part_path is not None
    snapshot.record.part_path.unlink()
    same = hostile_server(lambda r, o: serve_file(r, o, DATA, etag=None))
    with (
        same as new,
        pytest.raises(RefreshRefusedError, match=r"same file \(the partial file is gone"),
    ):
        manager.refresh(download_id, f"{new.url}/get/big.bin")


def test_cookies_carried_by_a_refresh_go_only_where_they_match(
    manager: DownloadManager, old: HostileServer, tmp_path: Path
) -> None:
    """Cookies kept as cookies (a cookies.txt's) are matched for every URL: a refresh to
    another host, secrets carried on purpose even, sends that host only its own."""
    jar = (Cookie("sid", "old-cookie", "127.0.0.1"), Cookie("cdn", "new-host", "localhost"))
    download_id = stopped_download(manager, old, tmp_path, cookies=jar)
    assert old.requests[0].headers.get("cookie") == "sid=old-cookie"
    with hostile_server(lambda r, o: serve_file(r, o, DATA), host="localhost") as new:
        manager.refresh(download_id, f"{new.url}/get/big.bin", carry_secrets=True)
        manager.resume(download_id)
        path = completed(manager, download_id)
        assert {r.headers.get("cookie") for r in new.requests} == {"cdn=new-host"}
    assert sha256_of(path) == sha256_bytes(DATA)
