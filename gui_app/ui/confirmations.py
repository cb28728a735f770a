"""The window's questions and warnings: pausing a download that cannot resume, removing
downloads (and perhaps their files), and the engine's process ending unasked."""

from __future__ import annotations

import enum
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox, QWidget

from gui_app.engine import (
    DownloadRecord,
    DownloadSnapshot,
    host_of,
    same_origin,
    secrets_in_words,
    secrets_of,
)
from gui_app.ground.units import format_bytes

__all__ = [
    "Removal",
    "ask_carry_secrets",
    "ask_new_address",
    "ask_pause_losing",
    "ask_removal",
    "ask_start_over",
    "ask_update_existing",
    "show_engine_lost",
]


class Removal(enum.Enum):
    KEEP_FILES = "keep"
    DELETE_FILES = "delete"


def ask_pause_losing(parent: QWidget, lossy: Sequence[DownloadSnapshot]) -> bool:
    """Ask before pausing downloads whose server cannot resume them; True to go on."""
    lost = format_bytes(sum(s.done_bytes for s in lossy))
    answer = QMessageBox.question(
        parent,
        "Pause downloads that cannot resume?",
        f"The server cannot resume {lossy[0].record.display_name}"
        + (f" and {len(lossy) - 1} more" if len(lossy) > 1 else "")
        + f". Pausing discards the {lost} downloaded so far; resuming starts again "
        "from the beginning.",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


def ask_removal(parent: QWidget, count: int) -> Removal | None:
    """Remove ``count`` downloads: keep their files, delete them, or (None) cancel."""
    box = QMessageBox(parent)
    box.setWindowTitle("Remove downloads")
    box.setText(f"Remove {count} download{'s' if count > 1 else ''} from the list?")
    keep = box.addButton("Remove", QMessageBox.ButtonRole.AcceptRole)
    delete = box.addButton("Remove and delete files", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    clicked = box.clickedButton()
    if clicked is keep:
        return Removal.KEEP_FILES
    if clicked is delete:
        return Removal.DELETE_FILES
    return None


def show_engine_lost(parent: QWidget, reason: str) -> None:
    """Say that downloads stopped. Not modal: when the session ends, app and engine stop
    together, and a question waiting for a click must not hold the app's exit."""
    box = QMessageBox(
        QMessageBox.Icon.Critical,
        "Downloads stopped",
        f"{reason[0].upper()}{reason[1:]}. Progress up to the last few seconds is saved; "
        "start Rangeload again to continue.",
        QMessageBox.StandardButton.Ok,
        parent,
    )
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setWindowModality(Qt.WindowModality.NonModal)
    box.show()


def ask_new_address(parent: QWidget, snapshot: DownloadSnapshot) -> str | None:
    """The new link for a stopped download (an expired one renewed), or None."""
    text, ok = QInputDialog.getText(
        parent,
        "Change address",
        f"A new address for {snapshot.record.display_name}. What is downloaded "
        f"({format_bytes(snapshot.done_bytes)}) is kept if the file there is the same.",
        QLineEdit.EchoMode.Normal,
        snapshot.record.url,  # the current address, ready to edit (an expired token)
    )
    return text.strip() or None if ok else None


def ask_update_existing(parent: QWidget, snapshot: DownloadSnapshot) -> bool | None:
    """A new link named like a stopped download: True to give that download the link
    (keeping its bytes if the file is the same), False to add it anew, None to drop it."""
    record = snapshot.record
    box = QMessageBox(parent)
    box.setWindowTitle("Update the existing download?")
    box.setText(
        f"{record.display_name} is already in the list, {record.state.value} with "
        f"{format_bytes(snapshot.done_bytes)} downloaded. Give it this link and go on? "
        "What is downloaded is kept if the link serves the same file."
    )
    update = box.addButton("Update the existing download", QMessageBox.ButtonRole.AcceptRole)
    new = box.addButton("Add as a new download", QMessageBox.ButtonRole.ActionRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(update)
    box.exec()
    clicked = box.clickedButton()
    return True if clicked is update else False if clicked is new else None


def ask_start_over(parent: QWidget, name: str, refusal: Exception) -> bool:
    """The new address serves another file: start over from it (True), or leave it."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "Another file at that address",
        f"{name}: {refusal}. Start over from the new address? What was downloaded is thrown away.",
        QMessageBox.StandardButton.NoButton,
        parent,
    )
    start = box.addButton("Start over from it", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton("Leave it as it is", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    return box.clickedButton() is start


def ask_carry_secrets(parent: QWidget, record: DownloadRecord, url: str) -> bool | None:
    """A new address at another site for a download with cookies, an Authorization header
    or a login: send them there too (True), leave them behind (False, the default), or
    None to leave the download as it is. Nothing to ask (same site, no secrets): False."""
    secrets = secrets_of(record.request)
    if not secrets or same_origin(url, record.url):
        return False
    old, new = host_of(record.url), host_of(url)
    one = len(secrets) == 1
    what = secrets_in_words(secrets)
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        f"Send {old}'s secrets to {new}?",
        f"The new address of {record.display_name} is on another site, {new}. "
        f"{what[:1].upper()}{what[1:]} {'was' if one else 'were'} given for "
        f"{old}. Send {'it' if one else 'them'} to {new} too? Only if you "
        f"trust {new} with your account at {old}.",
        QMessageBox.StandardButton.NoButton,
        parent,
    )
    box.setObjectName("carry-secrets")
    keep = box.addButton(f"Don't send them to {new}", QMessageBox.ButtonRole.RejectRole)
    send = box.addButton(f"Send them to {new}", QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(keep)
    box.setEscapeButton(cancel)
    box.exec()
    clicked = box.clickedButton()
    return True if clicked is send else False if clicked is keep else None
