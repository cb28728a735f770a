"""What a download's first answer teaches: the file's name (and its category's folder,
once the name is known), whether its bytes can be asked for in ranges, and the rest of
the record's ``Remote`` part, with the words its status then shows. The task stores it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import httpx

from gui_app.engine.api.cookies import Cookie, with_cookies
from gui_app.engine.api.errors import DiskError
from gui_app.engine.api.folder_rule import CategoryFolders
from gui_app.engine.api.record import DownloadRecord, Remote
from gui_app.engine.download.versions import UNTRUSTED, Forms
from gui_app.engine.http import Answer
from gui_app.ground.naming import choose_filename

__all__ = ["NOT_RESUMABLE", "taught"]

log = logging.getLogger(__name__)

NOT_RESUMABLE = (
    "the server does not support resuming: pausing will restart this download from the beginning"
)


def taught(
    record: DownloadRecord,
    answer: Answer,
    response: httpx.Response,
    forms: Forms,
    *,
    kept: bool,
    learned: tuple[Cookie, ...],
    claim_filename: Callable[[Path, str], str],
    folder_rule: Callable[[int], CategoryFolders | None] = lambda _number: None,
) -> tuple[Remote, str | None]:
    """``record``'s ``Remote`` after ``answer`` (``kept``: bytes are kept from before;
    ``learned``: the cookies its redirects set now; ``folder_rule``: the rule a number
    names), and the note its status shows.
    Claims the file's name; may set ``forms`` to ask open-ended ranges."""
    final_url, headers = str(response.url), response.headers
    filename, folder = record.filename, record.remote.folder
    if filename is None:
        wanted = choose_filename(
            headers.get("content-disposition"), final_url, record.url, answer.content_type
        )
        rule = None if record.sort_into is None else folder_rule(record.sort_into)
        if rule is not None:  # its category's folder, now the name is known
            folder = _category_folder(rule, wanted, final_url)
        filename = claim_filename(folder or record.dest_dir, wanted)
    # A whole-file answer to a closed first range from a server that says it takes
    # ranges: some honour only open-ended ones (``bytes=N-``); try those.
    offered = (
        not kept
        and not forms.ranges_broken
        and answer.size is not None
        and answer.coding == "identity"
        and headers.get("accept-ranges", "").strip().lower() == "bytes"
    )
    if offered and not answer.partial and forms.closed_ranges:
        log.info("download %s: a closed range got the whole file; asking open-ended", record.id)
        forms.closed_ranges = False
    resumable = answer.partial or offered or (kept and record.resumable is True)
    known = record.validators.etag or record.validators.last_modified
    remote = Remote(
        final_url=final_url if final_url != record.url else None,
        size=answer.size,
        validators=record.validators if known and kept else answer.validators,
        content_type=answer.content_type,
        resumable=resumable,
        filename=filename,
        folder=folder,
        # Saved, so a resume after a restart sends them to the final URL too.
        cookies=with_cookies(record.remote.cookies, learned),
    )
    note = None if resumable else UNTRUSTED if forms.untrusted else NOT_RESUMABLE
    return remote, note


def _category_folder(rule: CategoryFolders, filename: str, url: str) -> Path:
    folder = rule.folder_for(filename, url)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DiskError(f"cannot make the folder {folder}: {error.strerror}") from error
    return folder
