"""When all downloads are done: nothing, quit Rangeload, suspend or power off, after a
countdown the user can cancel (60 s). Suspend and power off ask systemd-logind over the
system bus (``org.freedesktop.login1``: ``Suspend`` and ``PowerOff``, not interactive),
asynchronously: the GUI thread never waits on D-Bus. The choice lasts the session, as in
FDM; it goes back to "nothing" once carried out or cancelled."""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtDBus import QDBusConnection, QDBusMessage, QDBusPendingCallWatcher
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMessageBox, QWidget

from gui_app.engine import DownloadSnapshot, DownloadState

__all__ = ["AfterAll", "WhenDone"]

log = logging.getLogger(__name__)

COUNTDOWN = 60  # seconds
_WORK = (DownloadState.QUEUED, DownloadState.RUNNING, DownloadState.VERIFYING)


class AfterAll(enum.Enum):
    NOTHING = "Do nothing"
    QUIT = "Quit Rangeload"
    SUSPEND = "Suspend"
    POWER_OFF = "Power off"


LOGIND = "org.freedesktop.login1"
LOGIND_PATH = "/org/freedesktop/login1"
LOGIND_MANAGER = "org.freedesktop.login1.Manager"
_LOGIND_METHOD = {AfterAll.SUSPEND: "Suspend", AfterAll.POWER_OFF: "PowerOff"}


class WhenDone(QObject):
    countdown_started = Signal(object)  # AfterAll
    carried_out = Signal(object)  # AfterAll
    logind_failed = Signal(str)

    def __init__(
        self,
        listed: Callable[[], Sequence[DownloadSnapshot]],
        quit_app: Callable[[], object],
        window: QWidget,
        countdown: int = COUNTDOWN,
    ) -> None:
        super().__init__(window)
        self._listed = listed
        self._quit = quit_app
        self._window = window
        self.countdown = countdown
        self.choice = AfterAll.NOTHING
        self._was_busy = False
        self._left = 0
        self.box: QMessageBox | None = None  # the countdown on screen
        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self._on_ticker_timeout)
        self.group = QActionGroup(self)
        self.actions: list[QAction] = []
        for after in AfterAll:
            action = QAction(after.value, self.group)
            action.setCheckable(True)
            action.setChecked(after is AfterAll.NOTHING)
            action.triggered.connect(lambda _=False, a=after: self.choose(a))
            self.actions.append(action)
        self._watchers: list[QDBusPendingCallWatcher] = []

    def choose(self, after: AfterAll) -> None:
        self.choice = after
        self.actions[list(AfterAll).index(after)].setChecked(True)
        self._was_busy = self._busy()  # counts from now: finished work does not fire it

    def _busy(self) -> bool:
        return any(s.state in _WORK for s in self._listed())

    def check(self, *_: object) -> None:
        """Called as the list changes: the moment the last download ends, count down."""
        busy = self._busy()
        ended = self._was_busy and not busy
        self._was_busy = busy
        if ended and self.choice is not AfterAll.NOTHING and self.box is None:
            self._start_countdown()
        elif busy and self.box is not None:  # new work arrived: not done after all
            self._cancel()

    def _start_countdown(self) -> None:
        self._left = self.countdown
        box = self.box = QMessageBox(
            QMessageBox.Icon.Warning,
            "All downloads are done",
            self._text(),
            QMessageBox.StandardButton.Cancel,
            self._window,
        )
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.rejected.connect(self._cancel)
        box.show()
        self._ticker.start()
        self.countdown_started.emit(self.choice)

    def _text(self) -> str:
        return f"{self.choice.value} in {self._left} s. Cancel to stay."

    def _on_ticker_timeout(self) -> None:
        self._left -= 1
        if self._left > 0:
            if self.box is not None:
                self.box.setText(self._text())
            return
        choice = self.choice
        self._close_box()
        self.choose(AfterAll.NOTHING)
        self.carried_out.emit(choice)
        if choice is AfterAll.QUIT:
            self._quit()
        elif choice in _LOGIND_METHOD:
            self._ask_logind(_LOGIND_METHOD[choice])

    def _cancel(self) -> None:
        self._close_box()
        self.choose(AfterAll.NOTHING)

    def _close_box(self) -> None:
        self._ticker.stop()
        box, self.box = self.box, None
        if box is not None:
            box.blockSignals(True)
            box.close()
            box.deleteLater()

    def _ask_logind(self, method: str) -> None:
        bus = QDBusConnection.systemBus()
        if not bus.isConnected():
            self.logind_failed.emit(f"{method}: no system bus ({bus.lastError().message()})")
            return
        message = QDBusMessage.createMethodCall(LOGIND, LOGIND_PATH, LOGIND_MANAGER, method)
        message.setArguments([False])  # not interactive: no polkit prompt
        watcher = QDBusPendingCallWatcher(bus.asyncCall(message), self)
        watcher.finished.connect(self._on_logind_answered)
        self._watchers.append(watcher)

    def _on_logind_answered(self, watcher: QDBusPendingCallWatcher) -> None:
        self._watchers.remove(watcher)
        if watcher.isError():
            error = watcher.error()
            log.warning("logind refused: %s", error.message())
            self.logind_failed.emit(f"the system refused: {error.message()}")
        watcher.deleteLater()
