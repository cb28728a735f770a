"""What the server may serve: safe path resolution under the root, and each file's metadata.

A request path is refused (None) when it holds a NUL byte, a backslash, an absolute or a
``..`` component, a hidden component (unless hidden files are shown), or when it resolves,
symlinks followed, to anything but a regular file inside the root. ``open_file`` opens
the file once and checks what was opened (its real path, through ``/proc/self/fd``), so a
link swapped in between the check and the open can never serve a file outside the root;
the metadata comes from that descriptor. Names are ``str`` with surrogate escapes, so a
name that is not UTF-8 is served byte for byte (``name_for_display`` shows it escaped).
"""

from __future__ import annotations

import contextlib
import mimetypes
import os
import stat
from dataclasses import dataclass
from email.utils import formatdate
from pathlib import Path
from urllib.parse import quote

__all__ = [
    "FileInfo",
    "content_disposition",
    "file_info",
    "info_of",
    "name_for_display",
    "open_file",
    "resolve",
]


@dataclass(frozen=True, slots=True)
class FileInfo:
    """One representation as served: the bytes' identity and how to describe them."""

    path: Path
    size: int
    mtime: int  # whole seconds, as Last-Modified carries them
    etag: str  # strong
    last_modified: str
    content_type: str


def _is_hidden(part: str) -> bool:
    return part.startswith(".")


def resolve(root: Path, request_path: str, *, show_hidden: bool = False) -> Path | None:
    """The file under ``root`` (already resolved) that ``request_path`` names, or None."""
    if not request_path or "\x00" in request_path or "\\" in request_path:
        return None
    if request_path.startswith("/"):
        return None
    parts = request_path.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return None
    if not show_hidden and any(_is_hidden(part) for part in parts):
        return None
    try:
        target = root.joinpath(*parts).resolve(strict=True)
    except (OSError, RuntimeError, ValueError):
        return None
    if not target.is_relative_to(root) or not target.is_file():
        return None
    if not show_hidden and any(_is_hidden(p) for p in target.relative_to(root).parts):
        return None
    return target


def open_file(
    root: Path, request_path: str, *, show_hidden: bool = False
) -> tuple[int, FileInfo] | None:
    """An open descriptor of the regular file ``request_path`` names under ``root`` and its
    metadata, or None. The caller owns (and must close) the descriptor."""
    target = resolve(root, request_path, show_hidden=show_hidden)
    if target is None:
        return None
    try:
        fd = os.open(target, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or not _opened_inside(fd, st, target, root, show_hidden):
            os.close(fd)
            return None
    except OSError:
        os.close(fd)
        return None
    if hasattr(os, "posix_fadvise"):
        with contextlib.suppress(OSError):
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_SEQUENTIAL)
    return fd, info_of(target, st)


def _opened_inside(
    fd: int, st: os.stat_result, target: Path, root: Path, show_hidden: bool
) -> bool:
    """Is the file open on ``fd`` the one under ``root`` (not one a swapped link led to)?"""
    try:
        real = Path(f"/proc/self/fd/{fd}").readlink()
    except OSError:  # no /proc: the file at the checked path must be the one opened
        try:
            now = target.stat()
        except OSError:
            return False
        return (now.st_dev, now.st_ino) == (st.st_dev, st.st_ino)
    if not real.is_relative_to(root):
        return False
    return show_hidden or not any(_is_hidden(p) for p in real.relative_to(root).parts)


def name_for_display(name: str) -> str:
    """A file name as text anyone can read: bytes that are not UTF-8 as ``\\xNN``, and
    control characters (a newline in a name) escaped."""
    text = os.fsencode(name).decode("utf-8", "backslashreplace")
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def file_info(path: Path) -> FileInfo:
    """Metadata of a resolved file (raises OSError if it vanished)."""
    return info_of(path, path.stat())


def info_of(path: Path, st: os.stat_result) -> FileInfo:
    """Metadata of ``path`` from its ``stat`` result."""
    etag = f'"{st.st_ino:x}-{st.st_size:x}-{st.st_mtime_ns:x}"'
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if content_type.startswith("text/"):
        content_type += "; charset=utf-8"
    mtime = int(st.st_mtime)
    return FileInfo(
        path=path,
        size=st.st_size,
        mtime=mtime,
        etag=etag,
        last_modified=formatdate(mtime, usegmt=True),
        content_type=content_type,
    )


def content_disposition(name: str) -> str:
    """RFC 6266: an ASCII ``filename`` fallback, plus ``filename*`` when the name needs it."""
    name = name_for_display(name)  # a name that is not UTF-8 goes out escaped
    fallback = "".join(c if 0x20 <= ord(c) < 0x7F and c not in '"\\%' else "_" for c in name)
    value = f'attachment; filename="{fallback}"'
    if fallback != name:
        value += f"; filename*=UTF-8''{quote(name, safe='')}"
    return value
