"""The Settings dialog's sites: per origin (scheme, host and port), the connections, speed
limit, user agent and login its new downloads get. The panel edits a copy of the list; the
window saves it (and any password typed) on the command runner when Settings is accepted."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from gui_app.app.sites import Site, origin_of_url
from gui_app.engine import MAX_CONNECTIONS, Login
from gui_app.ground.units import format_rate, parse_rate
from gui_app.ui.checked_dialog import ok_cancel, show_check
from gui_app.ui.list_editor import ListEditor

__all__ = ["SiteDialog", "SitesPanel"]


class SiteDialog(QDialog):
    """One site's defaults; a password typed here is saved where the panel says."""

    def __init__(self, site: Site | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Site" if site is None else f"Site {site.origin}")
        self.host = QLineEdit(site.origin if site else "")
        self.host.setAccessibleName("Site")
        self.host.setPlaceholderText("https://example.org (or http://host:port)")
        self.connections = QSpinBox()
        self.connections.setRange(0, MAX_CONNECTIONS)
        self.connections.setSpecialValueText("as in Settings")
        self.connections.setValue(site.connections or 0 if site else 0)
        self.connections.setAccessibleName("Connections")
        limit = site.speed_limit if site else None
        self.speed_limit = QLineEdit("" if limit is None else format_rate(limit).split("/")[0])
        self.speed_limit.setPlaceholderText("unlimited (or e.g. 500K)")
        self.speed_limit.setAccessibleName("Speed limit")
        self.user_agent = QLineEdit(site.user_agent or "" if site else "")
        self.user_agent.setAccessibleName("User agent")
        self.user = QLineEdit(site.user or "" if site else "")
        self.user.setAccessibleName("Login user name")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Login password")
        self.password.setPlaceholderText("unchanged" if site and site.user else "")
        self.problem = QLabel()
        self.buttons = ok_cancel(self)
        form = QFormLayout(self)
        for label, widget in (
            ("Site", self.host),
            ("Connections", self.connections),
            ("Speed limit", self.speed_limit),
            ("User agent", self.user_agent),
            ("Login", self.user),
            ("Password", self.password),
        ):
            form.addRow(label, widget)
        form.addRow(self.problem)
        form.addRow(self.buttons)
        for edit in (self.host, self.speed_limit, self.user):
            edit.textChanged.connect(self._on_field_text_changed)
        self._on_field_text_changed()

    def _on_field_text_changed(self) -> None:
        show_check(self.buttons, self.problem, lambda: (self.site(), self.login()))

    def site(self) -> Site:
        limit = self.speed_limit.text().strip()
        return Site(
            origin_of_url(self.host.text()),
            connections=self.connections.value() or None,
            speed_limit=parse_rate(limit) if limit else None,
            user_agent=self.user_agent.text().strip() or None,
            user=self.user.text().strip() or None,
        )

    def login(self) -> Login | None:
        """A login to save: only when a password was typed."""
        user = self.user.text().strip()
        return Login(user, self.password.text()) if user and self.password.text() else None


def _cells(site: Site) -> list[str]:
    return [
        site.origin,
        str(site.connections) if site.connections else "as in Settings",
        format_rate(site.speed_limit) if site.speed_limit else "unlimited",
        site.user_agent or "Rangeload's",
        site.user or "none",
    ]


class SitesPanel(ListEditor[Site, SiteDialog]):
    def __init__(self, sites: list[Site], passwords_go: str, parent: QWidget | None = None) -> None:
        headers = ["Site", "Connections", "Speed limit", "User agent", "Login"]
        ordered = sorted(sites, key=lambda s: s.origin)
        super().__init__("Sites", headers, ordered, _cells, "Add site…", parent)
        self.logins: dict[str, Login] = {}  # passwords typed, to save by origin
        self.where = QLabel(f"Saved passwords go to {passwords_go}.")
        self.where.setWordWrap(True)
        self.layout_.addWidget(self.where)

    @property
    def sites(self) -> list[Site]:
        return self.items

    def make_dialog(self, row: int | None) -> SiteDialog:
        return SiteDialog(None if row is None else self.items[row], self)

    def take(self, row: int | None, dialog: SiteDialog) -> None:
        new = dialog.site()
        old = None if row is None else self.items[row].origin
        kept = [s for s in self.items if s.origin not in (new.origin, old)]
        self.items[:] = sorted([*kept, new], key=lambda s: s.origin)
        login = dialog.login()
        if login is not None:
            self.logins[new.origin] = login

    def forget(self, item: Site) -> None:
        self.logins.pop(item.origin, None)
