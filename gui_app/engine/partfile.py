"""The one ``.part`` file of a download: positioned writes, durability, and the final rename.

Bytes go straight to their offsets with ``os.pwrite``. ``sync`` (fdatasync) must come
before the store records any region as done. An exclusive ``flock`` keeps a second process
from running the same download. ``finish`` renames to the final name without ever
replacing an existing file.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
from pathlib import Path

from gui_app.engine.errors import DiskError, DiskFullError, DownloadError

__all__ = ["PartFile", "check_free_space"]

log = logging.getLogger(__name__)


def _disk_error(error: OSError, path: Path) -> DownloadError:
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return DiskFullError(f"disk full: no space left for {path.name}")
    return DiskError(f"cannot write {path.name}: {error.strerror or error}")


def check_free_space(directory: Path, needed: int) -> None:
    """Raise DiskFullError if ``directory``'s file system has less than ``needed`` free."""
    stats = os.statvfs(directory)
    free = stats.f_bavail * stats.f_frsize
    if free < needed:
        raise DiskFullError(
            f"disk full: {needed - free} more bytes are needed in {directory} "
            f"({free} free, {needed} to download)"
        )


class PartFile:
    """Open with ``PartFile.open(path, size)``; close with ``close`` or ``finish``."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    @classmethod
    def open(cls, path: Path, size: int | None) -> PartFile:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as error:
            raise _disk_error(error, path) from error
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise DownloadError(
                f"{path.name} is being downloaded by another Rangeload process"
            ) from None
        part = cls(path, fd)
        if size:
            part._preallocate(size)
        return part

    def _preallocate(self, size: int) -> None:
        fd = self._require()
        try:
            if os.fstat(fd).st_size < size:
                os.posix_fallocate(fd, 0, size)
        except OSError as error:
            if error.errno in (errno.EOPNOTSUPP, errno.EINVAL, errno.ENOSYS):
                log.debug("no preallocation on this file system: %s", error)
                return
            raise _disk_error(error, self.path) from error

    def _require(self) -> int:
        if self._fd is None:
            raise DiskError(f"{self.path.name} is closed")
        return self._fd

    def write(self, offset: int, data: bytes | memoryview) -> None:
        """Write all of ``data`` at ``offset``."""
        fd = self._require()
        view = memoryview(data)
        try:
            while view:
                written = os.pwrite(fd, view, offset)
                view = view[written:]
                offset += written
        except OSError as error:
            raise _disk_error(error, self.path) from error

    def sync(self) -> None:
        try:
            os.fdatasync(self._require())
        except OSError as error:
            raise _disk_error(error, self.path) from error

    def truncate(self, size: int) -> None:
        try:
            os.ftruncate(self._require(), size)
        except OSError as error:
            raise _disk_error(error, self.path) from error

    def size_on_disk(self) -> int:
        return os.fstat(self._require()).st_size

    def close(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None

    def finish(self, target: Path, size: int | None) -> None:
        """Trim to ``size``, sync, and move to ``target`` (which must not exist)."""
        if size is not None:
            self.truncate(size)
        self.sync()
        try:
            os.link(self.path, target)  # fails if target exists: never replace a file
        except FileExistsError:
            raise DiskError(f"{target.name} appeared while downloading; not replaced") from None
        except OSError:
            if target.exists():
                raise DiskError(f"{target.name} already exists; not replaced") from None
            self.path.rename(target)  # a file system without hard links
        else:
            self.path.unlink()
        self.close()
        with contextlib.suppress(OSError):
            dir_fd = os.open(target.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
