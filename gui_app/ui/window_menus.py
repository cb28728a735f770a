"""The main window's toolbar, menus and context menu, and which of their actions a selection enables
(``action_rules`` decides; this applies it). Built once from the window's actions; no
state of its own."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QMenu, QWidget

from gui_app.ui.action_rules import ActionRules
from gui_app.ui.category_menu import CategoryMenu
from gui_app.ui.download_panel import DownloadPanel
from gui_app.ui.queue_actions import QueueActions
from gui_app.ui.when_done import WhenDone

__all__ = ["MenuParts", "build_menus", "context_menu", "enable_actions"]


class MenuParts(Protocol):
    """What the menus are made of: the main window's actions and the rooms that bring
    their own (the queue's moves, the category menu, the after-downloads choice)."""

    add_action: QAction
    paste_action: QAction
    resume_action: QAction
    pause_action: QAction
    pause_all_action: QAction
    resume_all_action: QAction
    remove_action: QAction
    remove_completed_action: QAction
    open_file_action: QAction
    open_folder_action: QAction
    copy_address_action: QAction
    change_address_action: QAction
    properties_action: QAction
    limits_action: QAction
    slow_mode_action: QAction
    search_action: QAction
    settings_action: QAction
    quit_action: QAction
    share_action: QAction
    stop_sharing_action: QAction
    panel: DownloadPanel
    queue: QueueActions
    when_done: WhenDone
    category_menu: CategoryMenu


def build_menus(main: QMainWindow, window: MenuParts) -> QMenu:
    """The toolbar, and the File, Tools and Downloads menus, of ``window``'s parts, on
    ``main``; returns the Downloads menu."""
    toolbar = main.addToolBar("Downloads")
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
    file_menu = main.menuBar().addMenu("&File")
    file_menu.addActions([window.add_action, window.paste_action])
    file_menu.addSeparator()
    file_menu.addAction(window.settings_action)
    file_menu.addSeparator()
    file_menu.addAction(window.quit_action)
    tools_menu = main.menuBar().addMenu("&Tools")
    tools_menu.addActions([window.share_action, window.stop_sharing_action])
    after = tools_menu.addMenu("&When all downloads are done")
    after.addActions(window.when_done.actions)
    menu = main.menuBar().addMenu("&Downloads")
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
            window.copy_address_action,
            window.change_address_action,
            window.properties_action,
            window.limits_action,
            window.slow_mode_action,
            window.search_action,
        ]
    )
    menu.addSeparator()
    menu.addActions(window.queue.actions)
    menu.addMenu(window.category_menu)
    return menu


def context_menu(parent: QWidget, window: MenuParts) -> QMenu:
    """The menu of a right click on the list: what can be done to the selected rows."""
    menu = QMenu(parent)
    menu.addActions(
        [
            window.resume_action,
            window.pause_action,
            window.remove_action,
            window.open_file_action,
            window.open_folder_action,
            window.copy_address_action,
            window.change_address_action,
            window.properties_action,
            window.limits_action,
        ]
    )
    menu.addSeparator()
    menu.addActions(window.queue.actions)
    menu.addMenu(window.category_menu)
    return menu


def enable_actions(window: MenuParts, rules: ActionRules) -> None:
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
    window.copy_address_action.setEnabled(rules.copy_address)
    window.change_address_action.setEnabled(rules.change_address)
    window.properties_action.setEnabled(rules.properties)
    window.queue.set_enabled(rules.remove)  # any selection the engine can act on
    window.limits_action.setEnabled(rules.remove)
    window.slow_mode_action.setEnabled(rules.engine)
