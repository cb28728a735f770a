"""A folder rule, as data the engine is given: categories by file type (a name, the
extensions it takes, optionally URL patterns, and its folder), and where a download goes once
its name is known. Which categories a user has is the app's policy (``app/categories.py``);
the engine only applies the rule it is handed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

__all__ = ["OTHER", "Categorizer", "Category", "CategoryFolders"]

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
        object.__setattr__(
            self,
            "extensions",
            tuple(e.strip().lstrip(".").lower() for e in self.extensions if e.strip()),
        )

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


@dataclass(frozen=True, slots=True)
class CategoryFolders:
    """Where a download goes once its name is known: its category's folder (a subfolder
    of ``base`` named after it, unless the category names its own), or ``base`` itself
    for what matches no category."""

    base: Path
    categories: tuple[Category, ...] = ()

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
