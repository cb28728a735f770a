"""Moving a stopped download's part file to another folder (its category changed) so that
a crash or a ``kill -9`` at any step loses nothing and leaves nothing in the way.

On one file system it is one rename. Across two, a journal entry (``moves/ID.json`` in
the data dir) says where the copy goes before a byte is copied; the copy gets a
temporary name (``.NAME.part.moving``) and is synced; only then is the record saved
pointing at it (its identity survives the rename that follows); then the copy takes the
part file's name, the old file goes, and the entry with it. ``recover`` finishes or
undoes what a crash left: a record that points at the copy gets it renamed and the old
file removed; one that does not gets the copy removed. The download's task lock is held
throughout, so a second process never recovers a move under way.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from gui_app.engine.api.record import DownloadRecord
from gui_app.engine.disk.partfile import identity_of, sync_folder

__all__ = ["JOURNAL", "move_part", "recover", "temporary_name"]

log = logging.getLogger(__name__)

JOURNAL = "moves"


def temporary_name(part: Path) -> str:
    return f".{part.name}.moving"


def identity(path: Path) -> str:
    return identity_of(path.stat())


def move_part(
    data_dir: Path,
    download_id: int,
    source: Path,
    target: Path,
    save: Callable[[str], DownloadRecord],
) -> DownloadRecord:
    """Move ``source`` to ``target`` (a part file's path in another folder), calling
    ``save(identity)`` to store the record pointing at the new file at the one moment
    that loses nothing; its record."""
    try:
        source.rename(target)
    except OSError as error:
        if error.errno != errno.EXDEV:
            raise
    else:
        sync_folder(target.parent)  # the new name is durable before the record points at it
        return save(identity(target))
    entry = _entry(data_dir, download_id)
    copy = target.with_name(temporary_name(target))
    _write_entry(entry, {"source": str(source), "copy": str(copy), "target": str(target)})
    copy.unlink(missing_ok=True)  # a copy an earlier, interrupted move left
    try:
        with source.open("rb") as reading, copy.open("xb") as writing:
            shutil.copyfileobj(reading, writing, 1 << 20)
            writing.flush()
            os.fsync(writing.fileno())
        sync_folder(copy.parent)
        record = save(identity(copy))
    except BaseException:
        copy.unlink(missing_ok=True)
        entry.unlink(missing_ok=True)
        raise
    _finish(copy, target, source)
    entry.unlink(missing_ok=True)
    return record


def _finish(copy: Path, target: Path, source: Path) -> None:
    """The record points at ``copy``: give it the part file's name, drop the old file."""
    if copy.exists():
        copy.rename(target)
        sync_folder(target.parent)
    source.unlink(missing_ok=True)
    sync_folder(source.parent)


def recover(
    data_dir: Path,
    record_of: Callable[[int], DownloadRecord | None],
    held: Callable[[int], contextlib.AbstractContextManager[bool]],
) -> None:
    """Finish or undo the moves a crash interrupted (each under its download's lock)."""
    folder = data_dir / JOURNAL
    if not folder.is_dir():
        return
    for entry in folder.glob("*.json"):
        try:
            download_id = int(entry.stem)
            paths = {k: Path(v) for k, v in json.loads(entry.read_text()).items()}
            copy, target, source = paths["copy"], paths["target"], paths["source"]
        except (OSError, ValueError, KeyError, TypeError) as error:
            log.warning(
                "a move's journal entry %s cannot be read (%s); left as it is", entry.name, error
            )
            continue
        with held(download_id) as ours:
            if not ours:
                continue  # another process runs or moves it
            record = record_of(download_id)
            points_at_copy = (
                record is not None
                and record.part_path == target
                and copy.exists()
                and record.part_id == identity(copy)
            )
            if points_at_copy:
                log.info("download %s: finishing its interrupted move", download_id)
                _finish(copy, target, source)
            elif record is not None and record.part_path == target and target.exists():
                source.unlink(missing_ok=True)  # renamed already; only the old file was left
            else:
                log.info("download %s: undoing its interrupted move", download_id)
                copy.unlink(missing_ok=True)
            entry.unlink(missing_ok=True)


def _entry(data_dir: Path, download_id: int) -> Path:
    return data_dir / JOURNAL / f"{download_id}.json"


def _write_entry(entry: Path, paths: dict[str, str]) -> None:
    entry.parent.mkdir(mode=0o700, exist_ok=True)
    with entry.open("w") as file:
        json.dump(paths, file)
        file.flush()
        os.fsync(file.fileno())
    sync_folder(entry.parent)
