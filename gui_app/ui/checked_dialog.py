"""The pattern of the small edit dialogs: OK and Cancel, and a line under the fields that
says what is wrong while OK stays greyed out. A dialog gives ``check`` the function that
builds its value (raising ValueError with the reason) and calls it as fields change."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel

__all__ = ["ok_cancel", "show_check"]


def ok_cancel(dialog: QDialog) -> QDialogButtonBox:
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


def show_check(
    buttons: QDialogButtonBox, problem: QLabel, build: Callable[[], object], prefix: str = ""
) -> None:
    """Run ``build``: its ValueError is shown on ``problem`` and greys out OK."""
    try:
        build()
        text = ""
    except ValueError as error:
        text = f"{prefix}{error}"
    problem.setText(text)
    buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not text)
