"""File names claimed by downloads whose probes are naming them: a free name in a folder,
taken atomically, so two downloads answered at the same moment never pick the same one.
A claim lasts until the download's task returns; from then its record (or its finished
file) holds the name."""

from __future__ import annotations

import threading
from pathlib import Path

from gui_app.engine.manager.record_table import RecordTable
from gui_app.ground.naming import unique_path

__all__ = ["NameClaims"]


class NameClaims:
    """The names claimed in each folder, guarded by the manager's lock (``lock``)."""

    def __init__(self, records: RecordTable, lock: threading.RLock) -> None:
        self._records, self._lock = records, lock
        self._claimed: set[tuple[Path, str]] = set()

    def claim(self, directory: Path, wanted: str) -> str:
        """A free name in ``directory``. The folder is looked at outside the lock (a stat
        or two per candidate would hold up every other download's report meanwhile); the
        claim is checked again under it."""
        taken = _TakenNames(directory, self._claimed, self._records)
        while True:
            name = unique_path(directory, wanted, taken).name
            with self._lock:
                if name not in taken:
                    self._claimed.add((directory, name))
                    return name

    def release(self, directory: Path, name: str | None) -> None:
        """The claim's end (lock held): the record or the file holds the name now."""
        self._claimed.discard((directory, name or ""))


class _TakenNames:
    """The names in one folder that running or unfinished downloads hold, as
    ``unique_path`` asks (a candidate or two). Read without the lock, the answer may be a
    moment old: ``NameClaims.claim`` asks again under it."""

    def __init__(self, directory: Path, claimed: set[tuple[Path, str]], records: RecordTable):
        self._directory, self._claimed, self._records = directory, claimed, records

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        if (self._directory, name) in self._claimed:
            return True
        return self._records.holds_name(self._directory, name)
