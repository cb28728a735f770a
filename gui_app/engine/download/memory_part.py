"""A small download's bytes, held in memory until they are all here: the stand-in for its
``.part`` file while nothing needs to be on disk.

A file of at most ``kept.INLINE_MAX`` bytes read in one response costs more in file system
work than in bytes: a part file to create, lock, record (a synced store write), sync,
rename and unlink. ``MemoryPart`` has the ``Part`` methods the transfer and the finish
use. At the end, ``finish`` writes the bytes to an unnamed file in the destination folder
(``O_TMPFILE``), syncs it and links it to its final name, which must not exist: a crash
before that leaves nothing behind, and nothing was recorded. A download stopped before its
end (pause, error, quit) ``spill``s what it has to a real part file, synced before the
store records it, so a pause keeps every byte, as before.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import threading
from pathlib import Path

from gui_app.engine.api.errors import DiskError
from gui_app.engine.disk.partfile import PartFile, disk_error, write_all

__all__ = ["MemoryPart"]

log = logging.getLogger(__name__)

# O_TMPFILE is missing here, or refused by this file system: use a named part file.
_NO_TMPFILE = (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOENT)
# An unnamed file gets its name through its descriptor's entry in /proc.
_PROC_FD = Path("/proc/self/fd").is_dir()


class MemoryPart:
    """The bytes of a download of ``size`` bytes, to go to ``path`` (its part file's name)
    if it stops before its end."""

    identity: str | None = None  # nothing on disk to be identified by

    def __init__(self, path: Path, size: int) -> None:
        self.path = path
        self._buffer: bytearray | None = bytearray(size)
        self._length = 0  # bytes up to the highest written
        self._lock = threading.Lock()  # a connection added while it runs writes too

    def _require(self) -> bytearray:
        if self._buffer is None:
            raise DiskError(f"{self.path.name} is closed")
        return self._buffer

    def write(self, offset: int, data: bytes | memoryview) -> None:
        end = offset + len(data)
        with self._lock:
            buffer = self._require()
            if end > len(buffer):  # never past the size the server gave
                raise DiskError(f"internal check failed: a write past the end of {self.path.name}")
            buffer[offset:end] = data
            self._length = max(self._length, end)

    def read(self, offset: int, length: int) -> bytes:
        with self._lock:
            buffer = self._require()
            return bytes(buffer[offset : min(offset + length, self._length)])

    def sync(self) -> None:
        """Nothing to sync: no byte of it is recorded as written until it is on disk."""

    def truncate(self, size: int) -> None:
        with self._lock:
            buffer = self._require()
            if size < self._length:
                buffer[size : self._length] = bytes(self._length - size)
                self._length = size

    def size_on_disk(self) -> int:
        with self._lock:
            return self._length

    def preallocate(self, size: int) -> None:
        """The buffer has its size already."""

    def close(self) -> None:
        with self._lock:
            self._buffer = None

    def spill(self) -> PartFile:
        """Write what is here to a new part file at ``path``, synced; this one closes."""
        part = self._copy_to_part_file()
        self.close()
        return part

    def _copy_to_part_file(self) -> PartFile:
        """A new part file at ``path`` with what is here, synced; this one stays open."""
        with self._lock:
            data = bytes(self._require()[: self._length])
        part = PartFile.create(self.path)
        try:
            part.write(0, data)
            part.sync()
        except BaseException:
            self._discard(part)
            raise
        return part

    @staticmethod
    def _discard(part: PartFile) -> None:
        """Close and delete a part file this one created and no record names."""
        part.close()
        with contextlib.suppress(OSError):
            part.path.unlink()

    def finish(self, target: Path, size: int | None) -> None:
        """Put the first ``size`` bytes at ``target`` (which must not exist), synced; the
        caller syncs the folder. This one closes; if that fails, it keeps its bytes (a
        ``spill`` keeps them for a resume)."""
        with self._lock:
            data = memoryview(self._require())[: self._length if size is None else size]
        try:
            folder = os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError as error:
            raise disk_error(error, target) from error
        try:
            fd = self._unnamed(folder)
            if fd is None:
                log.debug("no unnamed files in %s; a part file is used", target.parent)
                part = self._copy_to_part_file()
                try:
                    part.finish(target, size)
                except BaseException:
                    self._discard(part)
                    raise
            else:
                try:
                    write_all(fd, 0, data)
                    os.fdatasync(fd)
                    # linkat(..., AT_SYMLINK_FOLLOW) of the descriptor's /proc entry (a
                    # dst_dir_fd makes os.link use linkat): fails if the name exists.
                    os.link(f"/proc/self/fd/{fd}", target.name, dst_dir_fd=folder)
                except FileExistsError:
                    raise DiskError(
                        f"{target.name} appeared while downloading; not replaced"
                    ) from None
                except OSError as error:
                    raise disk_error(error, target) from error
                finally:
                    os.close(fd)
        finally:
            os.close(folder)
        self.close()

    def _unnamed(self, folder: int) -> int | None:
        """A new file in ``folder`` with no name yet, or None where there are none."""
        if not _PROC_FD:
            return None
        try:
            return os.open(".", os.O_TMPFILE | os.O_RDWR | os.O_CLOEXEC, 0o644, dir_fd=folder)
        except OSError as error:
            if error.errno in _NO_TMPFILE:
                return None
            raise disk_error(error, self.path) from error
