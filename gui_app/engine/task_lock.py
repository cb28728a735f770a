"""A download's cross-process lock: one ``flock``ed file per download id in the data dir.

A task holds it from before it reads its record until after its last write, so a second
process (two ``rangeload get`` of one URL, or the CLI beside the app) can neither write
the same part file nor overwrite the record of a download that just finished.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

__all__ = ["TaskLock"]


class TaskLock:
    @staticmethod
    @contextlib.contextmanager
    def held(directory: Path, download_id: int) -> Iterator[bool]:
        """Yields True while this process holds the lock, False if another one does."""
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = directory / f"{download_id}.lock"
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            yield True
        finally:
            os.close(fd)

    @staticmethod
    def forget(directory: Path, download_id: int) -> None:
        """Remove a removed download's lock file (a held one keeps working until closed)."""
        with contextlib.suppress(OSError):
            (directory / f"{download_id}.lock").unlink()
