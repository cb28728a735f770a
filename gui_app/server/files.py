"""What the server may serve: safe path resolution under the root, and each file's metadata.

A request path is refused (None) when it holds a NUL byte, a backslash, an absolute or a
``..`` component, a hidden component (unless hidden files are shown), or when it resolves,
symlinks followed, to anything but a regular file inside the root.
"""

from __future__ import annotations

import mimetypes
import os
from dataclasses import dataclass
from email.utils import formatdate
from pathlib import Path
from urllib.parse import quote

__all__ = ["FileInfo", "content_disposition", "file_info", "resolve"]


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


def file_info(path: Path) -> FileInfo:
    """Metadata of a resolved file (raises OSError if it vanished)."""
    st = path.stat()
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
    fallback = "".join(c if 0x20 <= ord(c) < 0x7F and c not in '"\\%' else "_" for c in name)
    value = f'attachment; filename="{fallback}"'
    if fallback != name:
        value += f"; filename*=UTF-8''{quote(name, safe='')}"
    return value


def open_for_reading(path: Path) -> int:
    """An O_RDONLY descriptor, with sequential read-ahead advised where supported."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    if hasattr(os, "posix_fadvise"):
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_SEQUENTIAL)
    return fd
