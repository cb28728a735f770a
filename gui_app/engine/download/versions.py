"""Is this answer the version of the file whose bytes are on disk? ``judge`` compares
each answer's validators and size with the record's (``http.compare``), tells servers that
tag the same bytes differently from a new version, and says what follows: keep going, adopt
other validators, start over (``RestartError``), or fail (the link expired). ``Forms`` is
what a server taught about how it must be asked, shared by a download's connections."""

from __future__ import annotations

import logging
import threading
from collections import deque
from dataclasses import dataclass, field

from gui_app.engine.api.errors import (
    DownloadError,
    FileChangedError,
    RemoteChangedError,
    TransientError,
)
from gui_app.engine.api.models import Validators
from gui_app.engine.api.record import DownloadRecord
from gui_app.engine.api.retry import Backoff
from gui_app.engine.http import Answer, Sameness, compare
from gui_app.ground.units import format_bytes

__all__ = ["EXPIRED", "MAX_RESTARTS", "UNTRUSTED", "Forms", "RestartError", "Restarts", "judge"]

log = logging.getLogger(__name__)

MAX_RESTARTS = 2  # new versions of the file one run follows before it gives up
CHANGED_AFTER = 4  # answers with a new undated ETag, and none with the old, make a change
EXPIRED = (
    "the server answers with something else than the file (a web page or another size): "
    "the link probably expired (partial data kept)"
)


UNTRUSTED = (
    "the server tags the same file differently at each request, so no part of it can be "
    "matched to another: it cannot be resumed, and is read whole on one connection"
)


# At its own address a download goes on without proof, as curl -C and aria2c do: the
# validators it has are sent as If-Range, so an honest server answers a new version whole.
_KEPT = (Sameness.SAME, Sameness.LIKELY, Sameness.UNKNOWN)


class RestartError(Exception):
    """Start over from byte 0: the file changed, or a download that cannot resume broke."""

    def __init__(self, reason: str, *, failure: bool = False, untrusted: bool = False) -> None:
        super().__init__(reason)
        self.failure = failure  # counts as a failed try (backoff), not as a new version
        self.untrusted = untrusted  # no validator can be trusted: one whole read from now


@dataclass
class Forms:
    """How this server must be asked, learnt along the way (shared by the connections)."""

    closed_ranges: bool = True
    if_range: bool = True
    ranges_broken: bool = False  # the server stopped honouring ranges: one stream only
    untrusted: bool = False  # its validators flap: nothing is compared, one whole stream
    strays: int = 0  # whole-file answers to closed range requests, same version
    open_strays: int = 0  # the same, to open-ended ones
    etags_seen: set[str] = field(default_factory=set)
    answered: deque[str | None] = field(default_factory=lambda: deque(maxlen=64))  # ETags
    lock: threading.Lock = field(default_factory=threading.Lock)


def judge(record: DownloadRecord, answer: Answer, forms: Forms) -> Validators | None:
    """Is ``answer`` the version on disk? Returns validators to adopt instead (None: keep),
    raises RestartError for a new version and RemoteChangedError for something else."""
    if forms.untrusted:
        return Validators()  # nothing identifies a version: none kept, none sent again
    with forms.lock:
        forms.answered.append(answer.validators.etag)
        answered = list(forms.answered)
    verdict = compare(record.validators, record.size, answer)
    if verdict in _KEPT:
        return None
    if verdict is Sameness.EXPIRED:
        raise RemoteChangedError(EXPIRED)
    with forms.lock:
        seen = set(forms.etags_seen)
        forms.etags_seen.update(t for t in (record.validators.etag, answer.validators.etag) if t)
    if verdict is Sameness.OTHER_ETAG and answer.validators.etag in seen:
        # An ETag seen before, with the same date and size: servers behind one name that
        # tag the same bytes differently. The date is the validator from now on.
        log.info("download %s: ETags differ between servers; using the date", record.id)
        return Validators(None, record.validators.last_modified)
    if verdict is Sameness.CHANGED and _undated_retag(record, answer):
        # Another ETag, the same size, and no date to say which is newer: a new version,
        # or backends that tag the same bytes differently. Asked again until it shows:
        # the old tag answered after the new one is flapping; the new one CHANGED_AFTER
        # times and the old never again, a change (connections' answers interleave).
        new = answered.index(answer.validators.etag)
        if record.validators.etag in answered[new + 1 :]:
            # No part can be matched to another: the file is read whole, on one
            # connection, as a server without ranges is.
            log.info("download %s: ETags flap between requests; reading it whole", record.id)
            with forms.lock:
                forms.untrusted = forms.ranges_broken = True
            raise RestartError(UNTRUSTED, untrusted=True)
        if answered[new:].count(answer.validators.etag) < CHANGED_AFTER:
            raise TransientError(
                "the server sent another ETag; asking again to tell a new "
                "version from servers that tag it differently"
            )
    raise RestartError("the file on the server changed")


def _undated_retag(record: DownloadRecord, answer: Answer) -> bool:
    stored, got = record.validators, answer.validators
    return (
        stored.etag is not None
        and got.etag is not None
        and not (stored.last_modified and got.last_modified)
        and record.size is not None
        and answer.size == record.size
    )


@dataclass
class Restarts:
    """What follows a ``RestartError`` in one run: start over now, after a pause (a
    download that cannot resume broke: backoff), or end with the error returned (too many
    tries, too many new versions, or kept bytes the user is to decide about)."""

    backoff: Backoff
    ask_first: bool = False  # a new version under kept bytes stops for the user to choose
    failures: int = 0
    restarts: int = 0

    def after(self, restart: RestartError, kept: int) -> DownloadError | float | None:
        """The error to end with, the seconds to wait before starting over, or None:
        start over at once."""
        if restart.untrusted:
            return None  # the same bytes tagged anew at each request: read whole, once
        if restart.failure:
            self.failures += 1
            if self.failures > self.backoff.max_failures:
                return TransientError(
                    f"{restart}; the server cannot resume and {self.failures} tries failed"
                )
            return self.backoff.delay(self.failures)
        if self.ask_first and kept:
            return FileChangedError(
                f"{restart}: starting over would throw away the {format_bytes(kept)} "
                "downloaded; restart it, or give the address of the file as it was"
            )
        self.restarts += 1
        if self.restarts > MAX_RESTARTS:
            return RemoteChangedError(f"{restart}; gave up after {self.restarts} tries")
        return None
