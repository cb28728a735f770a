"""The manager's downloads by id, with an index of the names they hold.

A download that is not completed holds its file's name in its folder: no other download
may take it (``DownloadManager._claim_filename``). Asking every record costs O(n) per
name, which a list of 10,000 links asks 10,000 times; the index answers at once and is
kept by the only two ways a record enters or leaves the table.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import ItemsView, Iterator, MutableMapping, ValuesView
from pathlib import Path
from typing import TypeVar, overload

from gui_app.engine.api.models import DownloadId, DownloadState, PauseReason
from gui_app.engine.api.record import DownloadRecord

_T = TypeVar("_T")


def _held_name(record: DownloadRecord) -> tuple[Path, str] | None:
    if record.filename is None or record.state is DownloadState.COMPLETED:
        return None
    return record.dest_dir, record.filename


class RecordTable(MutableMapping[DownloadId, DownloadRecord]):
    """A dict of records that knows which names its unfinished downloads hold. The
    manager's lock guards every change; a read without it may be a moment old."""

    def __init__(self) -> None:
        self._records: dict[DownloadId, DownloadRecord] = {}
        self._names: Counter[tuple[Path, str]] = Counter()

    def holds_name(self, directory: Path, name: str) -> bool:
        """Whether a download not yet completed is named ``name`` in ``directory``."""
        return self._names[directory, name] > 0

    def __setitem__(self, download_id: DownloadId, record: DownloadRecord) -> None:
        old = self._records.get(download_id)
        if old is not None:
            self._release(old)
        self._records[download_id] = record
        held = _held_name(record)
        if held is not None:
            self._names[held] += 1

    def __delitem__(self, download_id: DownloadId) -> None:
        self._release(self._records.pop(download_id))

    def _release(self, record: DownloadRecord) -> None:
        held = _held_name(record)
        if held is not None:
            self._names[held] -= 1
            if self._names[held] == 0:
                del self._names[held]

    # Reads go straight to the dict: the manager reads far more often than it writes.
    def __getitem__(self, download_id: DownloadId) -> DownloadRecord:
        return self._records[download_id]

    @overload
    def get(self, download_id: DownloadId, /) -> DownloadRecord | None: ...
    @overload
    def get(self, download_id: DownloadId, default: _T, /) -> DownloadRecord | _T: ...
    def get(self, download_id: DownloadId, default: object = None, /) -> object:
        return self._records.get(download_id, default)

    def __contains__(self, download_id: object) -> bool:
        return download_id in self._records

    def __iter__(self) -> Iterator[DownloadId]:
        return iter(self._records)

    def __len__(self) -> int:
        return len(self._records)

    def items(self) -> ItemsView[DownloadId, DownloadRecord]:
        return self._records.items()

    def paused_for_room(self) -> list[DownloadRecord]:
        """The downloads a full disk paused (``DiskWatch`` looks at their folders)."""
        full = PauseReason.DISK_FULL
        paused = DownloadState.PAUSED
        return [r for r in self._records.values() if r.state is paused and r.pause_reason is full]

    def values(self) -> ValuesView[DownloadRecord]:
        return self._records.values()
