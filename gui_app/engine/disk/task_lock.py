"""A download's cross-process lock: byte ``id`` of one lock file in the data dir, locked
with an open-file-description lock (``F_OFD_SETLK``).

A task holds it from before it reads its record until after its last write, so a second
process (two ``rangeload get`` of one URL, or the CLI beside the app) can neither write
the same part file nor overwrite the record of a download that just finished. One file
for every download (each manager opens it once) costs a ``fcntl`` per download; a file
per download cost creating it, a quarter of a small file's time. Without OFD locks
(not Linux, or a file system that refuses them), a ``flock``ed file per download.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import struct
import threading
from collections.abc import Iterator
from pathlib import Path

__all__ = ["LOCK_FILE", "TaskLocks", "held_by_a_process"]

log = logging.getLogger(__name__)

LOCK_FILE = "downloads.lock"
_OFD_SETLK: int | None = getattr(fcntl, "F_OFD_SETLK", None)
_OFD_GETLK: int | None = getattr(fcntl, "F_OFD_GETLK", None)
_FLOCK = struct.Struct("hhqqi4x")  # struct flock on 64-bit Linux: type, whence, start, len, pid


class TaskLocks:
    """The locks of one manager's downloads (each manager, its own open file: two
    managers in one process exclude each other as two processes do)."""

    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self._fd: int | None = None
        self._open_lock = threading.Lock()

    @contextlib.contextmanager
    def held(self, download_id: int) -> Iterator[bool]:
        """Yields True while this manager holds the lock, False if another one does."""
        command = _OFD_SETLK
        if command is not None:
            fd = self._file()
            try:
                fcntl.fcntl(fd, command, _FLOCK.pack(fcntl.F_WRLCK, os.SEEK_SET, download_id, 1, 0))
            except (BlockingIOError, PermissionError):  # EAGAIN or EACCES: another holds it
                yield False
                return
            except OSError as error:  # a file system without them (EINVAL, ENOLCK)
                log.info(
                    "no byte-range locks in %s (%s): a lock file per download",
                    self._directory,
                    error,
                )
            else:
                try:
                    yield True
                finally:
                    self._unlock(fd, command, download_id)
                return
        with _flocked(self._directory, download_id) as held:
            yield held

    def held_elsewhere(self, download_id: int) -> bool:
        """Does another manager (this process's or another's) run ``download_id`` now?
        What a stored state says is not proof: a process killed with -9 leaves
        "running" behind, and only a live holder keeps the lock."""
        if _OFD_GETLK is not None:
            query = _FLOCK.pack(fcntl.F_WRLCK, os.SEEK_SET, download_id, 1, 0)
            try:
                answer = fcntl.fcntl(self._file(), _OFD_GETLK, query)
            except OSError:
                pass  # no byte-range locks here: ask the lock file instead
            else:
                return bool(_FLOCK.unpack(answer)[0] != fcntl.F_UNLCK)
        with _flocked(self._directory, download_id) as held:
            return not held

    def _unlock(self, fd: int, command: int, download_id: int) -> None:
        with self._open_lock:  # closed meanwhile: released then (and fd may be another's)
            if self._fd == fd:
                fcntl.fcntl(fd, command, _FLOCK.pack(fcntl.F_UNLCK, os.SEEK_SET, download_id, 1, 0))

    def _file(self) -> int:
        with self._open_lock:
            if self._fd is None:
                self._directory.mkdir(mode=0o700, parents=True, exist_ok=True)
                path = self._directory / LOCK_FILE
                self._fd = os.open(
                    path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600
                )
            return self._fd

    def close(self) -> None:
        """Release every lock (once the manager's tasks have ended)."""
        with self._open_lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None


@contextlib.contextmanager
def _flocked(directory: Path, download_id: int) -> Iterator[bool]:
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(
        directory / f"{download_id}.lock",
        os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC,
        0o600,
    )
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)


def held_by_a_process(directory: Path, download_ids: list[int]) -> set[int]:
    """Which of ``download_ids`` a live manager runs now (for a list that runs none)."""
    locks = TaskLocks(directory)
    try:
        return {i for i in download_ids if locks.held_elsewhere(i)}
    finally:
        locks.close()
