"""The main window's toolbar, menus and context menu, and which of their actions a selection enables
(``action_rules`` decides; this applies it). Built once from the window's actions; no
state of its own."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu

from gui_app.ui.action_rules import ActionRules
from gui_app.ui.category_menu import CategoryMenu

if TYPE_CHECKING:
    from gui_app.ui.main_window import MainWindow

__all__ = ["build_menus", "context_menu", "enable_actions"]


def build_menus(window: MainWindow) -> None:
    """The toolbar, and the File, Tools and Downloads menus, of ``window``'s actions."""
    toolbar = window.addToolBar("Downloads")
    toolbar.setObjectName("downloads-toolbar")
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    toolbar.addActions(
        [
            window.add_action,
            window.resume_action,
            window.pause_action,
            window.pause_all_action,
            window.resume_all_action,
            window.remove_action,
        ]
    )
    toolbar.addAction(window.slow_mode_action)
    toolbar.addSeparator()
    toolbar.addWidget(window.panel.search)
    file_menu = window.menuBar().addMenu("&File")
    file_menu.addActions([window.add_action, window.paste_action])
    file_menu.addSeparator()
    file_menu.addAction(window.settings_action)
    file_menu.addSeparator()
    file_menu.addAction(window.quit_action)
    tools_menu = window.menuBar().addMenu("&Tools")
    tools_menu.addActions([window.share_action, window.stop_sharing_action])
    after = tools_menu.addMenu("&When all downloads are done")
    after.addActions(window.when_done.actions)
    window.downloads_menu = menu = window.menuBar().addMenu("&Downloads")
    menu.addActions(
        [
            window.resume_action,
            window.pause_action,
            window.pause_all_action,
            window.resume_all_action,
            window.remove_action,
            window.remove_completed_action,
            window.open_file_action,
            window.open_folder_action,
            window.change_address_action,
            window.properties_action,
            window.limits_action,
            window.slow_mode_action,
            window.search_action,
        ]
    )
    menu.addSeparator()
    menu.addActions(window.queue.actions)
    window.category_menu = CategoryMenu(
        window.manager,
        window.commands,
        lambda: window.settings,
        window.selected_snapshots,
        window,
    )
    menu.addMenu(window.category_menu)


def context_menu(window: MainWindow) -> QMenu:
    """The menu of a right click on the list: what can be done to the selected rows."""
    menu = QMenu(window)
    menu.addActions(
        [
            window.resume_action,
            window.pause_action,
            window.remove_action,
            window.open_file_action,
            window.open_folder_action,
            window.change_address_action,
            window.properties_action,
            window.limits_action,
        ]
    )
    menu.addSeparator()
    menu.addActions(window.queue.actions)
    menu.addMenu(window.category_menu)
    return menu


def enable_actions(window: MainWindow, rules: ActionRules) -> None:
    """What ``rules`` allow, on ``window``'s actions."""
    for action in (
        window.add_action,
        window.paste_action,
        window.pause_all_action,
        window.resume_all_action,
        window.settings_action,
    ):
        action.setEnabled(rules.engine)
    window.resume_action.setEnabled(rules.resume)
    window.pause_action.setEnabled(rules.pause)
    window.pause_action.setText(rules.pause_text)
    window.pause_action.setToolTip(rules.pause_tip)
    window.remove_action.setEnabled(rules.remove)
    window.open_file_action.setEnabled(rules.open_file)
    window.open_folder_action.setEnabled(rules.open_folder)
    window.change_address_action.setEnabled(rules.change_address)
    window.properties_action.setEnabled(rules.properties)
    window.queue.set_enabled(rules.remove)  # any selection the engine can act on
    window.limits_action.setEnabled(rules.remove)
    window.slow_mode_action.setEnabled(rules.engine)
