"""The end of a download: every byte accounted for, synced, checked, and renamed without
replacing anything. ``finish`` takes an open ``Part``, so it cannot run on a download
whose part file was never opened (or was opened by a path that could have moved)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path

from gui_app.engine.api.errors import ChecksumMismatchError, ProtocolError
from gui_app.engine.api.record import DownloadRecord
from gui_app.engine.disk import partfile
from gui_app.engine.disk.partfile import Part
from gui_app.ground.byteranges import ByteRange, total

__all__ = ["digest_of", "finish"]

READ_SIZE = 1 << 20


def finish(
    part: Part,
    record: DownloadRecord,
    done: Sequence[ByteRange],
    *,
    claim_filename: Callable[[Path, str], str],
    sync_folder: Callable[[Path], None] = partfile.sync_folder,
) -> Path:
    """Check coverage, size and checksum of ``part``, then give it its final name (or a
    free one beside it); returns the final path. ``part`` is closed on success."""
    size = record.size if record.size is not None else total(done)
    if tuple(done) != ((ByteRange(0, size - 1),) if size else ()):
        raise ProtocolError(f"internal check failed: {total(done)} of {size} bytes accounted for")
    part.sync()
    if part.size_on_disk() < size:
        raise ProtocolError("the partial file is shorter than the bytes recorded")
    if record.checksum is not None:
        digest = digest_of(part, record.checksum.algorithm, size)
        if digest != record.checksum.hexdigest:
            raise ChecksumMismatchError(
                f"{record.checksum.algorithm} mismatch: expected {record.checksum.hexdigest}, "
                f"got {digest}; the data was discarded"
            )
    filename = record.filename
    if filename is None:
        raise ProtocolError("internal check failed: a download without a file name")
    target = record.dest_dir / filename
    if target.exists():
        target = record.dest_dir / claim_filename(record.dest_dir, filename)
    part.finish(target, size)
    sync_folder(target.parent)  # the new name is durable before the record says so
    return target


def digest_of(part: Part, algorithm: str, size: int) -> str:
    """The digest of the first ``size`` bytes, read through the open descriptor."""
    digest = hashlib.new(algorithm)
    offset = 0
    while offset < size:
        chunk = part.read(offset, min(READ_SIZE, size - offset))
        if not chunk:
            break
        digest.update(chunk)
        offset += len(chunk)
    return digest.hexdigest()
