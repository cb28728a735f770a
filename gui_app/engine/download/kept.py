"""What a running download keeps of itself: its record as it stored it, the regions of
bytes written, and its part file. Every write of them goes through ``Kept``, in the order
a crash needs: bytes synced before the store says they are there, and a part file's
identity stored with the first progress that names it (a record never names a part file
whose identity it has not got)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Protocol

from gui_app.engine.api.errors import DiskFullError, DownloadError, StoreSaveError
from gui_app.engine.api.models import Validators
from gui_app.engine.api.record import DownloadRecord, Progress, Remote
from gui_app.engine.disk.partfile import Part, PartFile, space_needed
from gui_app.engine.disk.store import StoreError
from gui_app.engine.download.memory_part import MemoryPart
from gui_app.engine.download.regions import Regions, plan
from gui_app.ground.byteranges import ByteRange, total

__all__ = ["INLINE_MAX", "Kept", "TaskStore"]

log = logging.getLogger(__name__)

# A download with this little left is read by its controller thread itself, not handed to
# a pool thread: for many small files that hand-over (and back) cost more than the bytes.
# Progress is saved when it ends (or stops); at 50 KB/s that is within about five seconds.
# A new one this small is also held in memory until whole (``memory_part``).
INLINE_MAX = 256 * 1024


class TaskStore(Protocol):
    """What a task writes of the store: its own parts of the record, and nothing else
    (``Store``; ``durable`` False for a state on the way, which a power cut may undo
    without losing a byte)."""

    def save_remote(
        self, download_id: int, remote: Remote, progress: Progress, *, durable: bool = True
    ) -> None: ...

    def save_progress(
        self, download_id: int, progress: Progress, *, durable: bool = True
    ) -> None: ...


class Kept:
    """One run's record, regions and part file, written only by its task's controller
    thread; ``regions`` may be read from any thread (a snapshot, a stop)."""

    def __init__(
        self,
        record: DownloadRecord,
        store: TaskStore,
        *,
        min_split: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.record = record
        self.part: Part | None = None
        self._store = store
        self._min_split, self._clock = min_split, clock
        self._lock = threading.Lock()
        self._regions = Regions(record.size, record.done, clock=clock)

    @property
    def regions(self) -> Regions:
        with self._lock:
            return self._regions

    def set_regions(
        self, size: int | None, done: Sequence[ByteRange], *, max_claim: int | None = None
    ) -> None:
        regions = Regions(
            size, done, min_split=self._min_split, max_claim=max_claim, clock=self._clock
        )
        with self._lock:
            self._regions = regions

    def save_remote(self, *, durable: bool = True, **changes: object) -> None:
        """Store what the server taught (``changes`` to it) with the progress so far."""
        record = self.record
        remote = replace(record.remote, **changes) if changes else record.remote  # type: ignore[arg-type]  # fields checked by replace at run time
        progress = Progress(self.regions.done, record.part_id)
        try:
            self._store.save_remote(record.id, remote, progress, durable=durable)
        except StoreError as error:
            raise StoreSaveError(f"progress could not be saved ({error}); paused") from error
        self.record = replace(record, remote=remote, progress=progress)

    def save_progress(self, *, writing: bool = False) -> None:
        """Make written bytes durable, then record them: never the other way round.
        ``writing``: connections still write, so bytes held in memory stay there."""
        done = self.regions.done
        part, part_id = self.part, self.record.part_id
        if isinstance(part, MemoryPart) and done:
            if writing:
                return  # kept in memory while connections write to it; spilled at the end
            try:
                part = self.part = part.spill()
            except DownloadError as error:
                name = part.path.name
                log.warning("could not keep the bytes of %s (%s); progress not saved", name, error)
                return
            part_id = part.identity  # recorded with the bytes it holds
        elif part is not None:
            try:
                part.sync()
            except DownloadError:
                log.warning("could not sync %s; progress not saved", part.path)
                return
        progress = Progress(done, part_id)
        try:
            self._store.save_progress(self.record.id, progress)
        except StoreError as error:
            raise StoreSaveError(f"progress could not be saved ({error}); paused") from error
        self.record = replace(self.record, progress=progress)

    def discard(self, *, keep_version: bool) -> None:
        """Start over from byte 0 (the version kept only if ``keep_version``)."""
        if self.part is not None:
            self.part.truncate(0)
        self.set_regions(None, ())
        if keep_version:
            self.save_remote()
        else:
            self.save_remote(size=None, validators=Validators(), resumable=None)

    def open_part(self) -> tuple[bool, str | None]:
        """Open the part file before trusting a byte of stored progress. Returns whether
        that saved the record (a new part file's identity, or progress lost with it), and
        what to say of progress it lost."""
        record = self.record
        if self.part is not None or record.part_path is None:
            return False, None
        done = self.regions.done
        part, kept = PartFile.trusted(record.part_path, record.part_id, done)
        self.part = part
        note = None
        if kept != done:
            self.set_regions(record.size, kept)
            lost = "deleted" if not kept else "cut short"
            note = f"the partial file was {lost}; its missing bytes are fetched again"
        elif record.part_id == part.identity:
            return False, None
        self.record = replace(record, progress=Progress(record.done, part.identity))
        self.save_remote()
        return True, note

    def close_part(self) -> None:
        if self.part is not None:
            self.part.close()
            self.part = None

    # -- how the bytes left are fetched ------------------------------------------------

    def fits_in_memory(self, size: int | None, connections: int) -> bool:
        """Is this a small file to hold in memory until it is all here: new (no part file,
        no byte), of a known size up to ``INLINE_MAX``, on one connection?"""
        if size is None or not 0 < size <= INLINE_MAX:
            return False
        if self.part is not None or self.regions.done or self.record.part_id is not None:
            return False
        count, _ = plan(size, (), connections, self._min_split)
        return count == 1

    def first_lease_last(
        self, start: int, missing: Sequence[ByteRange], connections: int
    ) -> int | None:
        """The last byte the first connection (the probe's answer) reads to."""
        size, done = self.record.size, self.regions.done
        if size is None or not self.record.resumable:
            return None if size is None else size - 1
        _, share = plan(size, done, connections, self._min_split)
        self.set_regions(size, done, max_claim=share)
        last = missing[0].last if missing and done else size - 1
        return min(last, start + share - 1)

    def more_connections(self, connections: int) -> tuple[int, bool]:
        """How many connections to open beside the first, and whether the first is read
        by the controller itself (``INLINE_MAX``)."""
        size, regions = self.record.size, self.regions
        count, _ = plan(size or 0, regions.done, connections, self._min_split)
        extra = count - 1 if self.record.resumable and size else 0
        left = None if size is None else size - regions.done_bytes()
        return extra, extra == 0 and left is not None and left <= INLINE_MAX

    def make_room(self, size: int | None, free_space: Callable[[Path], int]) -> None:
        """Preallocate the part file, or raise DiskFullError saying how much is missing."""
        folder = self.record.dest_dir
        needed = space_needed(self.record.part_path, size, self.regions.done_bytes())
        free = free_space(folder)
        if free < needed:
            raise DiskFullError(
                f"disk full: {needed - free} more bytes are needed in "
                f"{folder} ({free} free, {needed} to download)"
            )
        assert self.part is not None
        self.part.preallocate(size or 0)

    def show_whole(self) -> None:
        """The size and progress as the finish checks them: shown, not stored (after a
        crash the file is verified again anyway)."""
        record, done = self.record, self.regions.done
        size = record.size if record.size is not None else total(done)
        remote = replace(record.remote, size=size)
        self.record = replace(record, remote=remote, progress=replace(record.progress, done=done))
