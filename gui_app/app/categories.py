"""Categories by file type, as IDM and FDM sort downloads: the ones a new user starts with,
and which one a download belongs to. A download's category comes from its file name once the
server has named it (a link without an extension that turns out to be a ``.zip`` is an
archive), else from its URL; what matches nothing is "Other". No Qt: the window's sidebar and
filter ask here; the engine is given the rule as data (``engine/api/folder_rule.py``)."""

from __future__ import annotations

from collections.abc import Sequence

from gui_app.engine import Categorizer, Category

__all__ = ["DEFAULT_CATEGORIES", "category_of"]


DEFAULT_CATEGORIES: tuple[Category, ...] = tuple(
    Category(name, tuple(extensions.split()))
    for name, extensions in (
        ("Video", "mp4 mkv avi mov webm m4v flv wmv mpg mpeg ts 3gp"),
        ("Music", "mp3 flac ogg opus m4a wav aac wma aiff"),
        ("Archives", "zip 7z rar tar gz tgz bz2 tbz2 xz txz zst lz cab"),
        ("Documents", "pdf doc docx odt xls xlsx ods ppt pptx odp txt rtf epub csv md"),
        ("Programs", "exe msi deb rpm apk appimage dmg pkg iso img run flatpak snap"),
        ("Images", "jpg jpeg png gif webp svg bmp tif tiff heic avif"),
    )
)


def category_of(filename: str, url: str, categories: Sequence[Category]) -> str:
    """The first category that takes the name (or the URL), else ``OTHER``."""
    return Categorizer(categories).of(filename, url)
