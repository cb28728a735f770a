"""Records as a test states them: the fields it cares about by name, each put in the part
of the record (``gui_app.engine.api.record``) that owns it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from gui_app.engine.api.models import DownloadId, DownloadState, Request
from gui_app.engine.api.record import DownloadRecord, Progress, Remote, Status
from gui_app.ground.byteranges import ByteRange


def a_record(
    download_id: int,
    url: str,
    folder: Path,
    state: DownloadState = DownloadState.QUEUED,
    *,
    filename: str | None = None,
    size: int | None = None,
    done: tuple[ByteRange, ...] = (),
    error: str | None = None,
    resumable: bool | None = None,
    request: Request | None = None,
) -> DownloadRecord:
    """A record as the engine would hold it: ``filename`` is the name chosen."""
    asked = Request(url, folder) if request is None else replace(request, url=url, dest_dir=folder)
    remote = Remote(size=size, resumable=resumable, filename=filename)
    return DownloadRecord(
        DownloadId(download_id), asked, remote, Progress(done), Status(state, error)
    )


def moved_on(
    record: DownloadRecord,
    state: DownloadState,
    *,
    filename: str | None = None,
    size: int | None = None,
    done: tuple[ByteRange, ...] | None = None,
) -> DownloadRecord:
    """``record`` in ``state``, with what a run taught it when given."""
    remote = record.remote
    if filename is not None or size is not None:
        remote = replace(remote, filename=filename or remote.filename, size=size or remote.size)
    progress = record.progress if done is None else Progress(done, record.part_id)
    return replace(
        record, remote=remote, progress=progress, status=replace(record.status, state=state)
    )
