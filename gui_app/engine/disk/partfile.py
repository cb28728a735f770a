"""The one ``.part`` file of a download: opening safely, positioned writes, durability,
and the final rename.

A new part file is created with ``O_EXCL``, an existing one reopened only if it is the
same file (device and inode, kept in the record as ``identity``); neither follows a
symbolic link, and anything but a regular file is refused, so no write can land outside
the folder. Bytes go to their offsets with ``os.pwrite``; ``sync`` (fdatasync) comes
before the store records any region as done. An exclusive ``flock`` keeps a second
process from writing the same file. ``finish`` renames without ever replacing a file.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from gui_app.engine.api.errors import DiskError, DiskFullError, DownloadError
from gui_app.ground.byteranges import ByteRange

__all__ = [
    "Part",
    "PartFile",
    "delete_files",
    "disk_error",
    "free_bytes",
    "identity_of",
    "space_needed",
    "sync_folder",
    "sync_folders",
    "write_all",
]

_OPEN = os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC

log = logging.getLogger(__name__)


def disk_error(error: OSError, path: Path) -> DownloadError:
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return DiskFullError(f"disk full: no space left for {path.name}")
    return DiskError(f"cannot write {path.name}: {error.strerror or error}")


def write_all(fd: int, offset: int, data: bytes | memoryview) -> None:
    """``pwrite`` all of ``data`` at ``offset`` (a write may take only part of it)."""
    view = memoryview(data)
    while view:
        written = os.pwrite(fd, view, offset)
        view = view[written:]
        offset += written


def identity_of(info: os.stat_result) -> str:
    """A file's identity as a record keeps it (device and inode): the one definition of
    "is this still the part file the progress was written to"."""
    return f"{info.st_dev}:{info.st_ino}"


def sync_folder(folder: Path) -> None:
    """Make the names in ``folder`` durable (after a rename into it); best effort."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | os.O_CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def sync_folders(folders: Sequence[Path]) -> None:
    """``sync_folder`` each folder once: a group of finished downloads (``group_commit``)."""
    for folder in dict.fromkeys(folders):
        sync_folder(folder)


class Part(Protocol):
    """Where a download's bytes go until it finishes: a ``PartFile``, or a small one's
    ``MemoryPart``."""

    @property
    def path(self) -> Path: ...
    @property
    def identity(self) -> str | None: ...

    def write(self, offset: int, data: bytes | memoryview) -> None: ...
    def read(self, offset: int, length: int) -> bytes: ...
    def sync(self) -> None: ...
    def truncate(self, size: int) -> None: ...
    def size_on_disk(self) -> int: ...
    def preallocate(self, size: int) -> None: ...
    def close(self) -> None: ...
    def finish(self, target: Path, size: int | None) -> None:
        """Give the bytes the name ``target`` (which must not exist), synced; the caller
        syncs the folder (``sync_folder``) before it records the download complete."""


def space_needed(part_path: Path | None, size: int | None, done_bytes: int) -> int:
    """Bytes the rest of a download of ``size`` needs on disk: its part file's
    preallocated blocks are its own already, not counted again."""
    if size is None:
        return 0
    allocated = 0
    if part_path is not None:
        with contextlib.suppress(OSError):
            allocated = os.lstat(part_path).st_blocks * 512
    return max(0, size - max(allocated, done_bytes))


def delete_files(*paths: Path | None) -> None:
    """A removed download's files (its part file, its finished file if asked), each if
    it is there; one that cannot be deleted is left (the download is gone either way)."""
    for path in paths:
        if path is not None:
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)


def free_bytes(directory: Path) -> int:
    """Bytes an unprivileged writer may still use on ``directory``'s file system."""
    stats = os.statvfs(directory)
    return stats.f_bavail * stats.f_frsize


class PartFile:
    """``PartFile.create`` or ``PartFile.reopen``; close with ``close`` or ``finish``."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd
        self.identity = identity_of(os.fstat(fd))

    @classmethod
    def create(cls, path: Path) -> PartFile:
        """A new, empty part file; fails if anything at all is at ``path``."""
        try:
            fd = os.open(path, _OPEN | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            raise DiskError(
                f"{path.name} appeared in the folder and is not Rangeload's; it was not touched"
            ) from None
        except OSError as error:
            raise disk_error(error, path) from error
        return cls._locked(path, fd)

    @classmethod
    def reopen(cls, path: Path) -> PartFile | None:
        """The existing part file, or None if there is none. Refuses a link or anything
        but a regular file; the caller compares ``identity`` with the one it recorded."""
        try:
            fd = os.open(path, _OPEN)
        except FileNotFoundError:
            return None
        except OSError as error:
            if error.errno == errno.ELOOP:
                raise DiskError(
                    f"{path.name} is a symbolic link, not Rangeload's file; it was not touched"
                ) from None
            raise disk_error(error, path) from error
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1:
            os.close(fd)
            what = "not a regular file" if info.st_nlink == 1 else "linked to another name"
            raise DiskError(f"{path.name} is {what}; it was not touched")
        return cls._locked(path, fd)

    @classmethod
    def trusted(
        cls, path: Path, part_id: str | None, done: tuple[ByteRange, ...]
    ) -> tuple[PartFile, tuple[ByteRange, ...]]:
        """The part file a download with ``done`` bytes in the file ``part_id`` may write,
        and the progress still trustworthy in it: a new file (and no progress) if it is
        gone; what lies within its size if it was cut short. One that is not the file
        this download wrote (replaced, or there before it) is refused, untouched."""
        part = cls.reopen(path)
        if part is None:
            if done:
                log.warning("%s is gone; its bytes are fetched again", path.name)
            return cls.create(path), ()
        if part.identity != part_id and (part_id is not None or not done):
            part.close()  # not the file this download wrote: never write into it
            raise DiskError(
                f"{path.name} is not the file this download wrote "
                "(replaced, or there before it); it was not touched"
            )
        on_disk = part.size_on_disk()
        kept = tuple(r for r in done if r.last < on_disk)
        if kept != done:
            log.warning("%s is shorter than recorded; its tail is fetched again", path.name)
        return part, kept

    @classmethod
    def _locked(cls, path: Path, fd: int) -> PartFile:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise DownloadError(
                f"{path.name} is being downloaded by another Rangeload process"
            ) from None
        return cls(path, fd)

    def preallocate(self, size: int) -> None:
        if size:
            self._preallocate(size)

    def _preallocate(self, size: int) -> None:
        fd = self._require()
        try:
            if os.fstat(fd).st_size < size:
                os.posix_fallocate(fd, 0, size)
        except OSError as error:
            if error.errno in (errno.EOPNOTSUPP, errno.EINVAL, errno.ENOSYS):
                log.debug("no preallocation on this file system: %s", error)
                return
            raise disk_error(error, self.path) from error

    def _require(self) -> int:
        if self._fd is None:
            raise DiskError(f"{self.path.name} is closed")
        return self._fd

    def write(self, offset: int, data: bytes | memoryview) -> None:
        """Write all of ``data`` at ``offset``."""
        try:
            write_all(self._require(), offset, data)
        except OSError as error:
            raise disk_error(error, self.path) from error

    def read(self, offset: int, length: int) -> bytes:
        try:
            return os.pread(self._require(), length, offset)
        except OSError as error:
            raise disk_error(error, self.path) from error

    def sync(self) -> None:
        try:
            os.fdatasync(self._require())
        except OSError as error:
            raise disk_error(error, self.path) from error

    def truncate(self, size: int) -> None:
        try:
            os.ftruncate(self._require(), size)
        except OSError as error:
            raise disk_error(error, self.path) from error

    def size_on_disk(self) -> int:
        return os.fstat(self._require()).st_size

    def close(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None

    def finish(self, target: Path, size: int | None) -> None:
        """Trim to ``size``, sync, and move to ``target`` (which must not exist); the
        caller syncs the folder."""
        if size is not None and self.size_on_disk() != size:
            self.truncate(size)
        self.sync()  # a no-op if the caller synced and nothing changed since
        try:
            now = os.lstat(self.path)
        except OSError:
            now = None
        if now is None or identity_of(now) != self.identity:
            raise DiskError(f"{self.path.name} was moved or replaced while downloading")
        try:
            # Fails if target exists: never replace a file. Never through a link either.
            os.link(self.path, target, follow_symlinks=False)
        except FileExistsError:
            raise DiskError(f"{target.name} appeared while downloading; not replaced") from None
        except OSError:
            if target.exists():
                raise DiskError(f"{target.name} already exists; not replaced") from None
            self.path.rename(target)  # a file system without hard links
        else:
            self.path.unlink()
        self.close()
