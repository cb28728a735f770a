"""The manager's part of a record, as things happen to a download: the status each of a
task's reports makes (stored, or only shown), what a stored download is found as when a
manager starts, and the snapshot of a download a task runs (its record with the task's
newest parts and its live figures)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from gui_app.engine.api.models import DownloadId, DownloadState
from gui_app.engine.api.record import DownloadRecord, DownloadSnapshot, Status
from gui_app.engine.download.lifecycle import ReportKind, TaskReport
from gui_app.engine.download.stats import eta
from gui_app.engine.download.task import DownloadTask

__all__ = ["INTERRUPTED", "found_at_start", "is_stored", "snapshot_of", "status_after"]

# The state each report of a task makes its download's.
_STATES = {
    ReportKind.STARTED: DownloadState.RUNNING,
    ReportKind.UPDATED: DownloadState.RUNNING,
    ReportKind.VERIFYING: DownloadState.VERIFYING,
    ReportKind.PAUSED: DownloadState.PAUSED,
    ReportKind.STOPPED: DownloadState.QUEUED,
    ReportKind.COMPLETED: DownloadState.COMPLETED,
    ReportKind.FAILED: DownloadState.FAILED,
    ReportKind.BUSY: DownloadState.FAILED,
}
# Reports whose status is shown, not stored: checking a file that is all there (after a
# crash it is checked again), and another process's download (its row is that one's).
_UNSTORED = (ReportKind.VERIFYING, ReportKind.BUSY)


INTERRUPTED = "interrupted: no process runs it any more; resume goes on from what was saved"


def found_at_start(
    record: DownloadRecord,
    *,
    ours: bool,
    resume_running: bool,
    run_elsewhere: Callable[[DownloadId], bool],
) -> tuple[Status, bool]:
    """What a stored download is in a manager that starts, and whether to store that.
    ``ours``: this manager runs the queue (not a process sharing the store);
    ``run_elsewhere``: does another process hold the download's lock (asked only of one
    stored as running)?"""
    status, state = record.status, record.state
    unfinished = state.is_active or state is DownloadState.QUEUED
    if unfinished and ours:
        # Ours to run: queued again, or all paused when the user said not to resume on
        # start. (A sharing process changes nothing.)
        wanted = DownloadState.QUEUED if resume_running else DownloadState.PAUSED
        return replace(status, state=wanted), state is not wanted
    if state.is_active and not run_elsewhere(record.id):
        # Stored as running, but no process runs it (killed, or ended by a signal
        # unsaved): interrupted, and as free to resume or edit as a paused one. Only this
        # manager's copy changes; the store is the runner's to write.
        return replace(status, state=DownloadState.PAUSED, error=INTERRUPTED), False
    return status, False


def status_after(status: Status, report: TaskReport, *, now: float) -> Status:
    """The status ``report`` makes of ``status`` (``now``: the wall clock, for the time a
    download completed)."""
    state = _STATES[report.kind]
    after = replace(
        status,
        state=state,
        error=report.note,
        pause_reason=report.pause_reason,
        problem=report.problem,
    )
    if state is DownloadState.COMPLETED and status.completed_at is None:
        after = replace(after, completed_at=now)
    return after


def is_stored(report: TaskReport) -> bool:
    return report.kind not in _UNSTORED


def snapshot_of(record: DownloadRecord, task: DownloadTask | None) -> DownloadSnapshot:
    """``record`` as it is now: idle, or with its task's live figures and parts."""
    if task is None:
        return DownloadSnapshot.idle(record)
    done_bytes, speed, conns, regions = task.live()
    theirs = task.record  # its parts as it last stored them: newer than its last report
    if theirs.remote is not record.remote or theirs.progress is not record.progress:
        record = replace(record, remote=theirs.remote, progress=theirs.progress)
    remaining = None if record.size is None else record.size - done_bytes
    return DownloadSnapshot(record, done_bytes, speed, eta(remaining, speed), conns, regions)
