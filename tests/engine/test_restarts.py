"""What follows a start-over in one run (``versions.Restarts``): a file that keeps changing
is given up after MAX_RESTARTS, a server that cannot resume is retried with backoff until
``max_failures``, kept bytes under a new version are the user's to decide, and flapping
validators start over at once, without counting."""

from __future__ import annotations

from gui_app.engine.api.errors import FileChangedError, RemoteChangedError, TransientError
from gui_app.engine.api.retry import Backoff
from gui_app.engine.download.versions import MAX_RESTARTS, RestartError, Restarts


def test_a_file_that_keeps_changing_is_given_up() -> None:
    restarts = Restarts(Backoff())
    changed = RestartError("the file on the server changed")
    assert [restarts.after(changed, kept=0) for _ in range(MAX_RESTARTS)] == [None] * MAX_RESTARTS
    verdict = restarts.after(changed, kept=0)
    assert isinstance(verdict, RemoteChangedError)
    assert f"gave up after {MAX_RESTARTS + 1} tries" in str(verdict)


def test_a_server_that_cannot_resume_is_retried_with_backoff_then_given_up() -> None:
    backoff = Backoff(max_failures=3)
    restarts = Restarts(backoff)
    broke = RestartError("the connection broke", failure=True)
    delays = [restarts.after(broke, kept=10) for _ in range(3)]
    assert all(isinstance(d, float) and d >= 0 for d in delays)
    verdict = restarts.after(broke, kept=10)
    assert isinstance(verdict, TransientError)
    assert "4 tries failed" in str(verdict)
    assert restarts.restarts == 0  # failures are not new versions


def test_kept_bytes_under_a_new_version_are_the_users_to_decide() -> None:
    restarts = Restarts(Backoff(), ask_first=True)
    verdict = restarts.after(RestartError("the file on the server changed"), kept=3 << 20)
    assert isinstance(verdict, FileChangedError)
    assert "the 3.0 MiB downloaded" in str(verdict)
    # with nothing kept there is nothing to lose: it starts over
    assert restarts.after(RestartError("changed"), kept=0) is None


def test_flapping_validators_start_over_at_once_and_uncounted() -> None:
    restarts = Restarts(Backoff(max_failures=0), ask_first=True)
    flapping = RestartError("tags flap", untrusted=True)
    assert [restarts.after(flapping, kept=5) for _ in range(10)] == [None] * 10
    assert (restarts.failures, restarts.restarts) == (0, 0)
