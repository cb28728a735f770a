"""The folder's index: every servable file, as an HTML page for people and JSON for tools."""

from __future__ import annotations

import html
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote_from_bytes

from gui_app.ground.units import format_bytes
from gui_app.server.files import name_for_display

__all__ = ["MAX_ENTRIES", "FileEntry", "list_files", "render_index"]

MAX_ENTRIES = 10_000


@dataclass(frozen=True, slots=True)
class FileEntry:
    path: str  # relative, with forward slashes
    size: int
    modified: float

    @property
    def url(self) -> str:
        return "/files/" + quote_from_bytes(os.fsencode(self.path))

    def as_json(self) -> dict[str, object]:
        shown = name_for_display(self.path)
        return {
            "name": shown.rsplit("/", 1)[-1],
            "path": shown,
            "size": self.size,
            "modified": datetime.fromtimestamp(self.modified, UTC).isoformat(),
            "url": self.url,
        }


def list_files(root: Path, *, show_hidden: bool = False) -> list[FileEntry]:
    """Regular files under ``root``, sorted by path; symlinks are not followed."""
    entries: list[FileEntry] = []
    for folder, dirs, files in os.walk(root):
        if not show_hidden:
            dirs[:] = [d for d in dirs if not d.startswith(".")]
        dirs.sort()
        for name in sorted(files):
            if not show_hidden and name.startswith("."):
                continue
            path = Path(folder, name)
            try:
                st = path.lstat()
            except OSError:
                continue
            if not path.is_file() or path.is_symlink():
                continue
            entries.append(FileEntry(path.relative_to(root).as_posix(), st.st_size, st.st_mtime))
            if len(entries) >= MAX_ENTRIES:
                return sorted(entries, key=lambda e: e.path)
    return sorted(entries, key=lambda e: e.path)


def render_index(title: str, entries: list[FileEntry]) -> str:
    rows = "\n".join(
        '<tr><td><a href="{url}">{name}</a></td><td class=n>{size}</td><td>{when}</td></tr>'.format(
            url=html.escape(e.url),
            name=html.escape(name_for_display(e.path)),
            size=html.escape(format_bytes(e.size)),
            when=datetime.fromtimestamp(e.modified, UTC).strftime("%Y-%m-%d %H:%M UTC"),
        )
        for e in entries
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font:15px system-ui,sans-serif;margin:2em;color-scheme:light dark}}
table{{border-collapse:collapse}}td,th{{padding:.3em 1em;text-align:left}}
td.n{{text-align:right;font-variant-numeric:tabular-nums}}</style></head>
<body><h1>{html.escape(title)}</h1>
<p>{len(entries)} files. Drag a link into Rangeload to download it.</p>
<table><thead><tr><th>Name</th><th>Size</th><th>Modified</th></tr></thead>
<tbody>
{rows}
</tbody></table></body></html>
"""
