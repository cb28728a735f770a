"""The engine against servers that lie (tests/kit/hostile.py): each case ends byte-exact or
failed with a reason and the partial data kept; never a wrong file with success."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from gui_app.engine.api.models import DownloadRequest, DownloadState, Problem
from gui_app.engine.api.record import DownloadSnapshot
from gui_app.engine.api.retry import Backoff
from gui_app.engine.manager.scheduler import DownloadManager
from tests.engine.conftest import Managers
from tests.kit.files import sha256_bytes, sha256_of
from tests.kit.hostile import Out, Request, hostile_server, serve_file

DATA = random.Random(7).randbytes((3 << 20) + 17)
NEW = random.Random(8).randbytes(len(DATA))  # the "changed" file: same size, other bytes
HTML = b"<!DOCTYPE html><html><body>Your link has expired. Please log in.</body></html>"


@pytest.fixture
def manager(managers: Managers) -> DownloadManager:
    return managers(backoff=Backoff(base=0.02, cap=0.1, max_failures=3))


@pytest.fixture
def out(tmp_path: Path) -> Path:
    path = tmp_path / "out"
    path.mkdir()
    return path


def fetch(manager: DownloadManager, url: str, out: Path, **request: object) -> DownloadSnapshot:
    download_id = manager.add(DownloadRequest(url, out, **request))  # type: ignore[arg-type]
    assert manager.wait([download_id], timeout=40), "download did not settle"
    snapshot = manager.get(download_id)
    assert snapshot is not None
    return snapshot


def assert_exact(snapshot: DownloadSnapshot, data: bytes) -> None:
    record = snapshot.record
    assert record.state is DownloadState.COMPLETED, record.error
    assert record.path is not None
    assert sha256_of(record.path) == sha256_bytes(data)


def assert_failed_and_kept(snapshot: DownloadSnapshot, words: str) -> None:
    record = snapshot.record
    assert record.state is DownloadState.FAILED, record.state
    assert words in (record.error or ""), record.error
    assert record.path is not None
    assert not record.path.exists(), "a failed download must not take its final name"


def assert_progress_kept(snapshot: DownloadSnapshot) -> None:
    """The bytes written before the server turned are still there, and are the file's."""
    done = snapshot.record.done
    part = snapshot.record.part_path
    assert done, "progress was thrown away"
    assert part is not None
    content = part.read_bytes()
    for region in done:
        assert content[region.first : region.last + 1] == DATA[region.first : region.last + 1]


# -- 1. bodies that HTTP framing says are incomplete ---------------------------------------


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "gzip-length"])
def test_a_cut_body_of_unknown_size_is_never_complete(
    manager: DownloadManager, out: Path, chunked: bool
) -> None:
    def handler(request: Request, o: Out) -> None:
        if chunked:
            serve_file(request, o, DATA, ignore_range=True, chunked=True, cut_after=len(DATA) // 2)
        else:
            serve_file(request, o, DATA, ignore_range=True, coding="gzip", cut_after=len(DATA) // 3)

    with hostile_server(handler) as server:
        snapshot = fetch(manager, f"{server.url}/f.bin", out)
    record = snapshot.record
    assert record.state is DownloadState.FAILED, "a cut body was taken for the whole file"
    assert "before the end" in (record.error or ""), record.error
    assert record.path is not None
    assert not record.path.exists()


def test_a_cut_chunked_body_is_fetched_again_and_completes(
    manager: DownloadManager, out: Path
) -> None:
    def handler(request: Request, o: Out) -> None:
        cut = len(DATA) // 2 if request.index == 0 else None
        serve_file(request, o, DATA, ignore_range=True, chunked=True, cut_after=cut)

    with hostile_server(handler) as server:
        assert_exact(fetch(manager, f"{server.url}/f.bin", out), DATA)


# -- 4. a server that ignores If-Range while the file changes ------------------------------


@pytest.mark.parametrize("validator", ["etag", "last-modified"])
def test_a_file_changed_under_an_ignored_if_range_is_never_mixed(
    manager: DownloadManager, out: Path, validator: str
) -> None:
    """The first response (the probe) is the old version; every later one the new."""

    def handler(request: Request, o: Out) -> None:
        old = request.index == 0
        if validator == "etag":
            tags = {"etag": '"old"' if old else '"new"'}
        else:
            date = "Tue, 01 Sep 2026 10:00:00 GMT" if old else "Wed, 02 Sep 2026 10:00:00 GMT"
            tags = {"etag": None, "last_modified": date}  # type: ignore[dict-item]
        serve_file(request, o, DATA if old else NEW, ignore_if_range=True, **tags)  # type: ignore[arg-type]

    with hostile_server(handler) as server:
        snapshot = fetch(manager, f"{server.url}/f.bin", out, connections=4)
    assert_exact(snapshot, NEW)  # started over on the new version, never a mixture


def test_the_app_is_asked_before_a_new_version_throws_bytes_away(
    managers: Managers, out: Path
) -> None:
    """With ``ask_before_restart`` (the app), a changed file stops the download with
    Problem.CHANGED and its bytes kept; ``restart`` then fetches the new file whole."""
    manager = managers(ask_before_restart=True)
    served = {"data": DATA}
    tags = {"etag": '"old"'}

    def handler(request: Request, o: Out) -> None:
        serve_file(request, o, served["data"], etag=tags["etag"])

    with hostile_server(handler) as server:
        download_id = manager.add(
            DownloadRequest(f"{server.url}/f.bin", out, connections=2, rate_limit=1 << 20)
        )
        while (snap := manager.get(download_id)) and snap.done_bytes < 600_000:
            assert not manager.wait([download_id], timeout=0.05)
        manager.pause(download_id)
        assert manager.wait([download_id], timeout=10)
        served["data"], tags["etag"] = NEW, '"new"'
        manager.set_rate_limit(download_id, None)
        manager.resume(download_id)
        assert manager.wait([download_id], timeout=20)
        stopped = manager.get(download_id)
        assert stopped is not None
        assert_failed_and_kept(
            stopped, "the file on the server changed: starting over would throw away the"
        )
        assert stopped.record.problem is Problem.CHANGED
        assert_progress_kept(stopped)

        manager.restart(download_id)
        assert manager.wait([download_id], timeout=20)
        done = manager.get(download_id)
    assert done is not None
    assert done.record.problem is None
    assert_exact(done, NEW)


# -- 5. a coding nobody asked for ----------------------------------------------------------


def test_a_gzip_partial_answer_is_refused(manager: DownloadManager, out: Path) -> None:
    def handler(request: Request, o: Out) -> None:
        serve_file(request, o, DATA, coding="gzip" if request.range else None)

    with hostile_server(handler) as server:
        snapshot = fetch(manager, f"{server.url}/f.bin", out)
    record = snapshot.record
    assert record.state is DownloadState.FAILED
    assert "gzip" in (record.error or ""), record.error


def test_a_gzip_answer_on_resume_is_refused(manager: DownloadManager, out: Path) -> None:
    """The probe gets the plain file; later range answers come compressed."""

    def handler(request: Request, o: Out) -> None:
        serve_file(request, o, DATA, coding="gzip" if request.index > 0 else None)

    with hostile_server(handler) as server:
        snapshot = fetch(manager, f"{server.url}/f.bin", out, connections=4)
    assert snapshot.record.state is DownloadState.FAILED
    assert "gzip" in (snapshot.record.error or ""), snapshot.record.error


# -- 6. an expired link that answers with a web page ---------------------------------------


def test_an_html_page_sent_as_octet_stream_on_resume_is_not_the_file(
    manager: DownloadManager, out: Path
) -> None:
    def handler(request: Request, o: Out) -> None:
        if request.index == 0:
            serve_file(request, o, DATA, cut_after=len(DATA) // 2)
        else:  # the link expired: a small page, 200, typed as a binary
            serve_file(request, o, HTML, etag=None, last_modified=None)

    with hostile_server(handler) as server:
        snapshot = fetch(manager, f"{server.url}/f.bin", out, connections=1)
    assert_failed_and_kept(snapshot, "link probably expired")
    assert_progress_kept(snapshot)


def test_a_200_of_another_size_without_validators_is_not_a_new_version(
    manager: DownloadManager, out: Path
) -> None:
    def handler(request: Request, o: Out) -> None:
        if request.index == 0:
            serve_file(request, o, DATA, cut_after=len(DATA) // 2)
        else:
            serve_file(request, o, NEW[:1000], etag=None, last_modified=None, ignore_range=True)

    with hostile_server(handler) as server:
        snapshot = fetch(manager, f"{server.url}/f.bin", out, connections=1)
    assert_failed_and_kept(snapshot, "link probably expired")
    assert_progress_kept(snapshot)


# -- 7. credentials stay with their origin -------------------------------------------------


def test_credentials_never_follow_a_cross_host_redirect(
    manager: DownloadManager, out: Path
) -> None:
    def files(request: Request, o: Out) -> None:
        serve_file(request, o, DATA)

    with hostile_server(files, host="127.0.0.2") as other:

        def redirect(request: Request, o: Out) -> None:
            o.head(302, {"Location": f"{other.url}/f.bin", "Content-Length": "0"})

        with hostile_server(redirect) as first:
            snapshot = fetch(
                manager,
                f"http://user:secret@127.0.0.1:{first.port}/f.bin",
                out,
                headers=(("Authorization", "Bearer t0ken"), ("Cookie", "session=s3cret")),
                connections=4,
            )
        assert_exact(snapshot, DATA)
        assert len(other.requests) > 1
        for request in other.requests:
            assert "authorization" not in request.headers, request
            assert "cookie" not in request.headers, request
        assert all("authorization" in r.headers for r in first.requests)


# -- 14-17. downloads that can succeed -----------------------------------------------------


def test_backends_with_different_etags_for_the_same_bytes(
    manager: DownloadManager, out: Path
) -> None:
    def handler(request: Request, o: Out) -> None:
        serve_file(request, o, DATA, etag=f'"backend-{request.connection % 2}"')

    with hostile_server(handler) as server:
        assert_exact(fetch(manager, f"{server.url}/f.bin", out, connections=4), DATA)


@pytest.mark.parametrize("ask", [False, True], ids=["cli", "app"])
def test_etags_that_flap_without_a_date_are_read_whole_and_exact(
    managers: Managers, out: Path, ask: bool
) -> None:
    """Backends behind a load balancer tag the same bytes differently at each request, and
    send no date: no part can be matched to another, so it is read whole, once."""
    manager = managers(backoff=Backoff(base=0.02, cap=0.1, max_failures=3), ask_before_restart=ask)

    def handler(request: Request, o: Out) -> None:
        serve_file(request, o, DATA, etag=f'"node-{request.index % 2}"', last_modified=None)

    with hostile_server(handler) as server:
        snapshot = fetch(manager, f"{server.url}/f.bin", out, connections=4)
    assert_exact(snapshot, DATA)
    assert "internal error" not in (snapshot.record.error or "")


def test_an_undated_file_that_really_changed_is_not_taken_for_flapping(
    manager: DownloadManager, out: Path
) -> None:
    """After its first range the file is replaced (a new ETag, no date): asked again, it
    stays new, so the download starts over and ends as the new file."""

    def handler(request: Request, o: Out) -> None:
        old = request.index == 0
        serve_file(
            request, o, DATA if old else NEW, etag='"v1"' if old else '"v2"', last_modified=None
        )

    with hostile_server(handler) as server:
        assert_exact(fetch(manager, f"{server.url}/f.bin", out, connections=4), NEW)


def test_closed_ranges_answered_200_use_open_ended_ranges(
    manager: DownloadManager, out: Path
) -> None:
    def handler(request: Request, o: Out) -> None:
        serve_file(request, o, DATA, closed_ranges_as_200=True)

    with hostile_server(handler) as server:
        snapshot = fetch(manager, f"{server.url}/f.bin", out, connections=4)
        assert_exact(snapshot, DATA)
        ranges = [r.headers.get("range", "") for r in server.requests]
        assert ranges[-1].endswith("-"), ranges  # open-ended once closed ones failed
        assert len(ranges) < 20, ranges


def test_an_empty_object_answered_416_is_an_empty_file(manager: DownloadManager, out: Path) -> None:
    def handler(request: Request, o: Out) -> None:
        serve_file(request, o, b"")

    with hostile_server(handler) as server:
        assert_exact(fetch(manager, f"{server.url}/empty.txt", out), b"")


def test_a_stray_200_with_the_same_etag_keeps_the_progress(
    manager: DownloadManager, out: Path
) -> None:
    def handler(request: Request, o: Out) -> None:
        serve_file(request, o, DATA, ignore_range=request.index == 2)

    with hostile_server(handler) as server:
        snapshot = fetch(manager, f"{server.url}/f.bin", out, connections=4)
        assert_exact(snapshot, DATA)
        from_start = [r for r in server.requests if r.headers["range"].startswith("bytes=0-")]
        assert len(from_start) == 1, "the stray 200 threw the progress away"


def test_a_206_of_unknown_total_is_not_the_whole_file(manager: DownloadManager, out: Path) -> None:
    def handler(request: Request, o: Out) -> None:
        body = DATA[: 1 << 20]
        o.head(
            206, {"Content-Range": f"bytes 0-{len(body) - 1}/*", "Content-Length": str(len(body))}
        )
        o.body(body)

    with hostile_server(handler) as server:
        snapshot = fetch(manager, f"{server.url}/f.bin", out)
    assert snapshot.record.state is DownloadState.FAILED
    assert "without its total size" in (snapshot.record.error or "")
    assert not list(out.iterdir())


def test_a_page_where_a_zip_was_asked_for_is_not_saved_as_the_zip(
    manager: DownloadManager, out: Path
) -> None:
    """A fresh download: the name says archive, the body says web page (a login wall)."""

    def handler(request: Request, o: Out) -> None:
        serve_file(request, o, HTML * 20, etag=None, last_modified=None, ignore_range=True)

    with hostile_server(handler) as server:
        snapshot = fetch(manager, f"{server.url}/release.zip", out)
    assert_failed_and_kept(snapshot, "link probably expired")


def test_a_page_that_was_asked_for_is_saved(manager: DownloadManager, out: Path) -> None:
    def handler(request: Request, o: Out) -> None:
        serve_file(request, o, HTML, content_type="text/html", ignore_range=True)

    with hostile_server(handler) as server:
        assert_exact(fetch(manager, f"{server.url}/index.html", out), HTML)


def test_a_small_file_cut_then_expired_keeps_its_bytes_and_resumes_exact(
    manager: DownloadManager, out: Path
) -> None:
    """A small file is held in memory until whole; cut short and then refused (the link
    expired), its bytes go to a part file before the failure is recorded, and a resume
    from a working link completes it byte for byte."""
    small = DATA[:100_000]
    healthy = False

    def handler(request: Request, o: Out) -> None:
        if healthy:
            serve_file(request, o, small)
        elif request.index == 0:
            serve_file(request, o, small, cut_after=40_000)
        else:
            serve_file(request, o, HTML, etag=None, last_modified=None)

    with hostile_server(handler) as server:
        snapshot = fetch(manager, f"{server.url}/small.bin", out, connections=1)
        assert_failed_and_kept(snapshot, "link probably expired")
        record = snapshot.record
        assert record.done_bytes == 40_000
        assert record.part_path is not None
        assert record.part_path.read_bytes()[:40_000] == small[:40_000]
        assert record.part_id is not None  # the spilled file is the one recorded
        healthy = True
        manager.resume(record.id)
        assert manager.wait([record.id], timeout=30)
        final = manager.get(record.id)
    assert final is not None
    assert final.record.state is DownloadState.COMPLETED, final.record.error
    assert final.record.path is not None
    assert sha256_of(final.record.path) == sha256_bytes(small)
    assert not record.part_path.exists()
