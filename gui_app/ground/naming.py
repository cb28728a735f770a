"""File names: learned from Content-Disposition (RFC 6266/8187) or the URL, made safe, and
made unique in the destination folder. Nothing here ever yields a path outside it."""

from __future__ import annotations

import mimetypes
import re
import unicodedata
from collections.abc import Container
from pathlib import Path
from urllib.parse import unquote, urlsplit

from gui_app.ground.urls import redact_url

__all__ = [
    "choose_filename",
    "display_name_for_url",
    "filename_from_content_disposition",
    "filename_from_url",
    "page_expected",
    "sanitize_filename",
    "unique_path",
]

MAX_NAME_BYTES = 255
PART_SUFFIX = ".part"
_RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
}
_BIDI_AND_INVISIBLE = {"Cf", "Cc", "Cs", "Co", "Cn", "Zl", "Zp"}
_FORBIDDEN = set('/\\:*?"<>|')
_PARAM = re.compile(r';\s*([!#$%&\'*+.^_`|~0-9A-Za-z-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)', re.ASCII)


def filename_from_content_disposition(value: str | None) -> str | None:
    """The file name a Content-Disposition header offers: ``filename*`` first."""
    if not value:
        return None
    params: dict[str, str] = {}
    for name, raw in _PARAM.findall(";" + value.split(";", 1)[1] if ";" in value else ""):
        raw = raw.strip()
        if raw.startswith('"'):
            raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
        params.setdefault(name.lower(), raw)
    extended = params.get("filename*")
    if extended:
        charset, _, rest = extended.partition("'")
        _, _, encoded = rest.partition("'")
        if charset.lower() in ("utf-8", "iso-8859-1") and encoded:
            try:
                return unquote(encoded, encoding=charset.lower(), errors="strict")
            except (UnicodeDecodeError, LookupError):
                pass
    plain = params.get("filename")
    return plain or None


def filename_from_url(url: str) -> str | None:
    """The last path segment, percent-decoded, or None if there is none."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    segment = path.rstrip("/").rsplit("/", 1)[-1]
    return unquote(segment, errors="replace") or None


def _truncate(name: str, limit: int) -> str:
    if len(name.encode()) <= limit:
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or len(ext.encode()) > 16:
        stem, ext, dot = name, "", ""
    room = limit - len((dot + ext).encode())
    cut = stem.encode()[:room].decode("utf-8", errors="ignore")
    return cut + dot + ext


def sanitize_filename(name: str, *, fallback: str = "download") -> str:
    """A name that is safe as one path component on Linux, macOS and Windows."""
    name = unicodedata.normalize("NFC", name)
    cleaned = "".join(
        "_" if c in _FORBIDDEN else c
        for c in name
        if unicodedata.category(c) not in _BIDI_AND_INVISIBLE
    )
    cleaned = cleaned.strip(" ").lstrip(".").rstrip(". ")
    cleaned = re.sub(r"\s+", " ", cleaned)
    if not cleaned or set(cleaned) <= {".", "_", " "}:
        cleaned = fallback
    if cleaned.split(".")[0].strip().upper() in _RESERVED:
        cleaned = "_" + cleaned
    # Room for " (999)" and ".part", so the unique and partial names stay valid too.
    cleaned = _truncate(cleaned, MAX_NAME_BYTES - len(" (999)") - len(PART_SUFFIX))
    return cleaned.strip() or fallback


def choose_filename(
    content_disposition: str | None, final_url: str | None, url: str, content_type: str | None
) -> str:
    """The sanitized name for a download, with an extension from the type if it has none."""
    raw = (
        filename_from_content_disposition(content_disposition)
        or (filename_from_url(final_url) if final_url else None)
        or filename_from_url(url)
        or "download"
    )
    name = sanitize_filename(raw)
    if "." not in name.strip(".") and content_type:
        mime = content_type.split(";")[0].strip().lower()
        ext = mimetypes.guess_extension(mime) if mime != "application/octet-stream" else None
        if ext:
            name = sanitize_filename(name + ext)
    return name


def _split_ext(name: str) -> tuple[str, str]:
    for compound in (".tar.gz", ".tar.bz2", ".tar.xz", ".tar.zst"):
        if name.lower().endswith(compound) and len(name) > len(compound):
            return name[: -len(compound)], name[-len(compound) :]
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        return name, ""
    return stem, "." + ext


def unique_path(directory: Path, name: str, reserved: Container[str] = ()) -> Path:
    """``directory / name``, or ``name (1).ext``, ``name (2).ext``... whichever is free of an
    existing file, its ``.part``, and the ``reserved`` names."""
    stem, ext = _split_ext(name)
    candidate = name
    n = 0
    while (
        candidate in reserved
        or (directory / candidate).exists()
        or (directory / (candidate + PART_SUFFIX)).exists()
    ):
        n += 1
        candidate = f"{stem} ({n}){ext}"
    return directory / candidate


def display_name_for_url(url: str) -> str:
    """What to call a download the server has not named yet: its URL's last segment, made
    safe, else the URL without credentials (as IDM does)."""
    from_url = filename_from_url(url)
    return sanitize_filename(from_url) if from_url else redact_url(url)


_PAGE_EXTENSIONS = frozenset(
    {
        "",
        "htm",
        "html",
        "xhtml",
        "shtml",
        "php",
        "asp",
        "aspx",
        "jsp",
        "cgi",
        "pl",
        "xml",
        "txt",
        "json",
    }
)


def page_expected(filename: str | None, url: str, content_type: str | None) -> bool:
    """Could this download rightly be a web page? If not, a body that looks like one is an
    expired link's error page (its type, else its name, tells)."""
    if content_type:
        mime = content_type.split(";")[0].strip().lower()
        if mime in ("text/html", "application/xhtml+xml") or mime.endswith("xml"):
            return True
        if mime and mime != "application/octet-stream":
            return False
    name = filename or filename_from_url(url) or ""
    ext = name.rpartition(".")[2].lower() if "." in name else ""
    return ext in _PAGE_EXTENSIONS
