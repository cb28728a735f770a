"""Whether a stopped download's new address may keep its bytes (what it may keep of its
request is ``origins.options_at``). ``check_new_address`` keeps them only when the new
address is proven to serve the same file: a strong ETag that matches from the same
resource (origin and path), or else the same bytes at the ends (and middle) of every
kept stretch. Missing evidence is not agreement: a file of the same size with nothing to
tell it apart is refused. What differs is said, and nothing changes."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from gui_app.engine.api.errors import RefreshRefusedError
from gui_app.engine.api.models import RequestOptions, Validators
from gui_app.engine.api.origins import host_of, same_origin
from gui_app.engine.api.record import DownloadRecord
from gui_app.engine.disk.partfile import PartFile
from gui_app.engine.http import HttpClient, Sameness, compare, read_answer
from gui_app.ground.byteranges import ByteRange
from gui_app.ground.units import format_bytes

__all__ = ["PROOF_BYTES", "check_new_address", "proof_stretches"]

log = logging.getLogger(__name__)

PROOF_BYTES = 64 * 1024  # compared at each end of the kept stretch
MAX_STRETCHES = 16  # kept stretches compared at most (a request for each end and middle)
SKIP_AT_MOST = 1 << 20  # a server that answers a range with the whole file: read this far


def check_new_address(
    http: HttpClient, record: DownloadRecord, url: str, options: RequestOptions
) -> Validators:
    """Ask ``url`` for its first byte (and, without a strong ETag that matches, the kept
    stretch's ends); RefreshRefusedError unless it is this download's file. Returns the
    validators the download goes on with."""
    guard = http.guard()
    response = http.open(
        guard,
        url,
        given_for=url,
        headers=options.headers,
        cookies=options.cookies,
        login=options.login,
        proxy=options.proxy,
        first=0,
        last=0,
    )
    try:
        answer = read_answer(response, 0, 0, known_size=None)
        answered_by = str(response.url)  # after any redirect
    finally:
        response.close()
    verdict = compare(record.validators, record.size, answer)
    if record.size is not None and answer.size is None:
        _refuse(f"an unknown size instead of {format_bytes(record.size)}")
    if verdict in (Sameness.CHANGED, Sameness.EXPIRED):
        _refuse(*_differences(record, answer.size, answer.validators))
    if verdict is Sameness.SAME and _same_resource(answered_by, record):
        return record.validators  # an ETag names a version of one resource
    if record.done:
        unproven = _unproven(http, record, url, options)
        if isinstance(unproven, ByteRange):  # evidence of another file
            _refuse(
                f"bytes {unproven} differ from the ones kept",
                *_differences(record, answer.size, answer.validators, quiet=True),
            )
        if unproven is not None:
            raise RefreshRefusedError(
                f"cannot confirm that this is the same file ({unproven}): nothing was changed"
            )
    log.info("download %s: the new address serves the same bytes", record.id)
    return answer.validators


def _same_resource(answered_by: str, record: DownloadRecord) -> bool:
    """Is ``answered_by`` the resource that served the kept bytes (same origin and path;
    a renewed link's query may differ)? Only there does an equal ETag prove anything:
    two files of one size and date share nginx's, on a mirror or beside each other."""
    served = record.final_url or record.url
    return same_origin(answered_by, served) and urlsplit(answered_by).path == urlsplit(served).path


def _refuse(*differs: str) -> None:
    raise RefreshRefusedError(
        "the new address serves another file (" + "; ".join(differs) + "): nothing was changed"
    )


def _differences(
    record: DownloadRecord, size: int | None, new: Validators, *, quiet: bool = False
) -> list[str]:
    old = record.validators
    differs = []
    if record.size is not None and size is not None and size != record.size:
        if format_bytes(size) != format_bytes(record.size):
            differs.append(f"{format_bytes(size)} instead of {format_bytes(record.size)}")
        else:  # too close to tell apart rounded
            differs.append(f"{size:,} bytes instead of {record.size:,}")
    if old.etag and new.etag and old.etag != new.etag:
        differs.append(f"ETag {new.etag} instead of {old.etag}")
    if old.last_modified and new.last_modified and old.last_modified != new.last_modified:
        differs.append(f"dated {new.last_modified} instead of {old.last_modified}")
    return differs or ([] if quiet else ["nothing identifies it as the same"])


def proof_stretches(done: tuple[ByteRange, ...]) -> list[ByteRange]:
    """Where the kept bytes are compared: the first and last ``PROOF_BYTES`` of every
    kept stretch, and its middle when it is long (a file edited in place differs there);
    at most ``MAX_STRETCHES`` stretches, spread over the file, first and last included."""
    chosen = list(done)
    if len(chosen) > MAX_STRETCHES:
        step = (len(chosen) - 1) / (MAX_STRETCHES - 1)
        chosen = [chosen[round(i * step)] for i in range(MAX_STRETCHES)]
    ranges = []
    for stretch in chosen:
        if stretch.length <= 2 * PROOF_BYTES:
            ranges.append(stretch)
            continue
        middle = stretch.first + (stretch.length - PROOF_BYTES) // 2
        starts = [stretch.first, stretch.last - PROOF_BYTES + 1]
        if stretch.length > 3 * PROOF_BYTES:
            starts.insert(1, middle)
        ranges += [ByteRange(start, start + PROOF_BYTES - 1) for start in starts]
    return ranges


def _unproven(
    http: HttpClient, record: DownloadRecord, url: str, options: RequestOptions
) -> str | ByteRange | None:
    """None if the kept bytes are ``url``'s; else the stretch that differs, or why they
    cannot be compared."""
    path = record.part_path
    part = None if path is None else PartFile.reopen(path)
    if part is None:
        return "the partial file is gone"
    try:
        if part.identity != record.part_id:
            return "the partial file was replaced"
        for stretch in proof_stretches(record.done):
            kept = part.read(stretch.first, stretch.length)
            if len(kept) != stretch.length:
                return "the partial file is shorter than recorded"
            there = _fetch(http, url, options, stretch, record.size)
            if there is None:
                return f"{host_of(url)} would not send bytes {stretch} to compare"
            if there != kept:
                return stretch
    finally:
        part.close()
    return None


def _fetch(
    http: HttpClient, url: str, options: RequestOptions, stretch: ByteRange, size: int | None
) -> bytes | None:
    """``stretch`` of ``url``'s file, or None if the server sends something else."""
    guard = http.guard()
    response = http.open(
        guard,
        url,
        given_for=url,
        headers=options.headers,
        cookies=options.cookies,
        login=options.login,
        proxy=options.proxy,
        first=stretch.first,
        last=stretch.last,
    )
    try:
        answer = read_answer(response, stretch.first, stretch.last, known_size=size)
        skip = 0 if answer.partial else stretch.first
        if answer.coding != "identity" or skip > SKIP_AT_MOST:
            return None
        body = bytearray()
        for chunk in http.chunks(guard, response):
            body += chunk
            if len(body) >= skip + stretch.length:
                break
        got = bytes(body[skip : skip + stretch.length])
        return got if len(got) == stretch.length else None
    finally:
        response.close()
