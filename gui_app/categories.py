"""Categories by file type, as IDM and FDM sort downloads: a name, the extensions it takes
(and optionally URL patterns), and its folder. A download's category comes from its file
name once the server has named it (a link without an extension that turns out to be a
``.zip`` is an archive), else from its URL; what matches nothing is "Other". No Qt: the
window's sidebar and filter, and the folder a download goes to, all ask here."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

__all__ = ["DEFAULT_CATEGORIES", "OTHER", "Category", "CategoryFolders", "category_of"]

OTHER = "Other"


@dataclass(frozen=True, slots=True)
class Category:
    name: str
    extensions: tuple[str, ...] = ()  # lower case, without the dot
    patterns: tuple[str, ...] = ()  # URL patterns, fnmatch style: "*://*.example.org/*"
    folder: str | None = None  # None: a subfolder of the download folder named after it

    def __post_init__(self) -> None:
        if not self.name.strip() or any(c in self.name for c in "/\\\0"):
            raise ValueError(f"a category's name is a word or two, got {self.name!r}")
        object.__setattr__(self, "extensions",
                           tuple(e.strip().lstrip(".").lower() for e in self.extensions
                                 if e.strip()))  # fmt: skip

    def takes(self, filename: str, url: str) -> bool:
        extension = _extension(filename)
        if extension and extension in self.extensions:
            return True
        return any(fnmatchcase(url, pattern) for pattern in self.patterns)


def _extension(filename: str) -> str:
    """``tar.gz`` -> ``gz``, as ``PurePosixPath.suffix`` has it, without its cost."""
    stem, dot, extension = filename.rpartition(".")
    if not dot or not stem.strip(".") or "/" in extension:
        return ""
    return extension.lower()


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


@functools.lru_cache(maxsize=8)
def _by_extension(categories: tuple[Category, ...]) -> dict[str, Category]:
    taken: dict[str, Category] = {}
    for category in categories:
        for extension in category.extensions:
            taken.setdefault(extension, category)
    return taken


def category_of(filename: str, url: str, categories: Sequence[Category]) -> str:
    """The first category that takes the name (or the URL), else ``OTHER``. One lookup
    per name: the sidebar asks it for every row of the list."""
    ranked = tuple(categories)
    by_extension = _by_extension(ranked).get(_extension(filename))
    for category in ranked:  # in order: an earlier category's URL pattern comes first
        if category is by_extension:
            return category.name
        if category.patterns and any(fnmatchcase(url, p) for p in category.patterns):
            return category.name
    return OTHER


@dataclass(frozen=True, slots=True)
class CategoryFolders:
    """Where a download goes once its name is known: its category's folder (a subfolder
    of ``base`` named after it, unless the category names its own), or ``base`` itself
    for what matches no category."""

    base: Path
    categories: tuple[Category, ...] = DEFAULT_CATEGORIES

    def folder_for(self, filename: str, url: str) -> Path:
        for category in self.categories:
            if category.takes(filename, url):
                return Path(category.folder) if category.folder else self.base / category.name
        return self.base
