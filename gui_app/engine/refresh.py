"""A new address for a stopped download, keeping every byte already written: the file at
the new address must be this download's (the same size, and the same strong ETag, or the
same date, when both sides have one) before a byte of progress is trusted to it. What
differs is said, and nothing changes."""

from __future__ import annotations

from gui_app.engine.errors import RefreshRefusedError
from gui_app.engine.http import HttpClient, read_answer
from gui_app.engine.models import DownloadRecord
from gui_app.units import format_bytes

__all__ = ["check_new_address"]


def check_new_address(
    http: HttpClient, record: DownloadRecord, url: str, headers: tuple[tuple[str, str], ...]
) -> None:
    """Ask ``url`` for its first byte; RefreshRefusedError unless it is the same file (the
    stored validators stay the download's: they are what its bytes on disk are)."""
    guard = http.guard()
    response = http.open(guard, url, given_for=url, headers=headers, login=record.login,
                         proxy=record.proxy, first=0, last=0)  # fmt: skip
    try:
        answer = read_answer(response, 0, 0, known_size=None)
    finally:
        response.close()
    old, new = record.validators, answer.validators
    differs = []
    if record.size is not None and answer.size != record.size:
        if answer.size is None:
            differs.append(f"an unknown size instead of {format_bytes(record.size)}")
        elif format_bytes(answer.size) != format_bytes(record.size):
            differs.append(f"{format_bytes(answer.size)} instead of {format_bytes(record.size)}")
        else:  # too close to tell apart rounded
            differs.append(f"{answer.size:,} bytes instead of {record.size:,}")
    tagged = old.strong_etag and new.strong_etag
    dated = old.last_modified and new.last_modified
    if tagged and old.strong_etag != new.strong_etag:
        differs.append(f"ETag {new.strong_etag} instead of {old.strong_etag}")
    elif not tagged and dated and old.last_modified != new.last_modified:
        differs.append(f"dated {new.last_modified} instead of {old.last_modified}")
    if differs:
        raise RefreshRefusedError(
            "the new address serves another file (" + "; ".join(differs) + "): nothing was changed"
        )
