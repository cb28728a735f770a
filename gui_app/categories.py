"""Categories by file type, as IDM and FDM sort downloads: a name, the extensions it takes
(and optionally URL patterns), and its folder. A download's category comes from its file
name once the server has named it (a link without an extension that turns out to be a
``.zip`` is an archive), else from its URL; what matches nothing is "Other". No Qt: the
window's sidebar and filter, and the folder a download goes to, all ask here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

__all__ = [
    "DEFAULT_CATEGORIES",
    "OTHER",
    "Categorizer",
    "Category",
    "CategoryFolders",
    "category_of",
]

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
        if self.name.strip() in (".", ".."):  # its folder would be the download folder's parent
            raise ValueError(f"a category cannot be called {self.name.strip()!r}")
        if self.folder is not None:
            folder = Path(self.folder).expanduser()
            if not folder.is_absolute():  # it would land wherever Rangeload was started
                raise ValueError(f"a category's folder is a full path, not {self.folder!r}")
            object.__setattr__(self, "folder", str(folder))
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


class Categorizer:
    """``category_of`` for many names against one list: the extensions looked up in a
    table built once (the sidebar asks for every row of a 10,000-row list)."""

    def __init__(self, categories: Sequence[Category]) -> None:
        self.categories = tuple(categories)
        self._by_extension: dict[str, tuple[int, str]] = {}  # the first category to take it
        for rank, category in enumerate(self.categories):
            for extension in category.extensions:
                self._by_extension.setdefault(extension, (rank, category.name))
        self._patterned = [(r, c) for r, c in enumerate(self.categories) if c.patterns]

    def of(self, filename: str, url: str) -> str:
        by_extension = self._by_extension.get(_extension(filename))
        for rank, category in self._patterned:  # whichever category comes first wins
            if by_extension is not None and by_extension[0] <= rank:
                return by_extension[1]
            if any(fnmatchcase(url, pattern) for pattern in category.patterns):
                return category.name
        return OTHER if by_extension is None else by_extension[1]


def category_of(filename: str, url: str, categories: Sequence[Category]) -> str:
    """The first category that takes the name (or the URL), else ``OTHER``."""
    return Categorizer(categories).of(filename, url)


@dataclass(frozen=True, slots=True)
class CategoryFolders:
    """Where a download goes once its name is known: its category's folder (a subfolder
    of ``base`` named after it, unless the category names its own), or ``base`` itself
    for what matches no category."""

    base: Path
    categories: tuple[Category, ...] = DEFAULT_CATEGORIES

    def folder_for(self, filename: str, url: str) -> Path:
        return self.folder_of(Categorizer(self.categories).of(filename, url))

    def folder_of(self, name: str) -> Path:
        """The folder of the category called ``name`` (``OTHER``: the base)."""
        category = next((c for c in self.categories if c.name == name), None)
        if category is None:
            return self.base
        if category.folder:
            return Path(category.folder)
        folder = self.base / category.name
        if folder.parent != self.base or category.name in (".", ".."):  # checked again here
            return self.base  # never outside the download folder, whatever was saved
        return folder
