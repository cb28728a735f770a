"""How one download asks for its file, as fields: cookies, user agent, referrer, other
headers, a login (Basic or Digest, as the server asks) and a proxy. The Add dialog's
"Advanced" section and the Properties dialog both show it; ``problems()`` says what
cannot be sent, field by field."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from gui_app.engine import DIRECT, InvalidURLError, Login, ProxySettings
from gui_app.ground.headers import merge_headers, parse_header, parse_header_lines

__all__ = ["RequestFields"]

Headers = tuple[tuple[str, str], ...]

_SETTING, _NONE, _THIS = "setting", "none", "this"


class RequestFields(QWidget):
    changed = Signal()  # any field was edited

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cookies = self._line("Cookies", "name=value; other=value")
        self.user_agent = self._line("User agent", "Rangeload's own")
        self.referrer = self._line("Referrer", "the page that links the file")
        self.headers_edit = QPlainTextEdit()
        self.headers_edit.setAccessibleName("Other headers")
        self.headers_edit.setPlaceholderText("Name: value, one a line")
        self.headers_edit.setMaximumHeight(70)
        self.headers_edit.setTabChangesFocus(True)
        self.headers_edit.textChanged.connect(self.changed)
        self.user = self._line("Login user name", "only if the site asks for a login")
        self.password = self._line("Login password", "")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.proxy_choice = QComboBox()
        self.proxy_choice.setAccessibleName("Proxy for this download")
        self.proxy_choice.addItem("As in Settings", _SETTING)
        self.proxy_choice.addItem("No proxy", _NONE)
        self.proxy_choice.addItem("This proxy:", _THIS)
        self.proxy_choice.currentIndexChanged.connect(self._on_proxy_choice_changed)
        self.proxy_url = self._line(
            "Proxy address for this download", "http://, https:// or socks5://host:port"
        )
        login = QHBoxLayout()
        login.addWidget(self.user)
        login.addWidget(self.password)
        proxy = QHBoxLayout()
        proxy.addWidget(self.proxy_choice)
        proxy.addWidget(self.proxy_url, 1)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Cookies", self.cookies)
        form.addRow("User agent", self.user_agent)
        form.addRow("Referrer", self.referrer)
        form.addRow("Headers", self.headers_edit)
        form.addRow("Login", login)
        form.addRow("Proxy", proxy)
        self._on_proxy_choice_changed()

    def _line(self, name: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setAccessibleName(name)
        edit.setPlaceholderText(placeholder)
        edit.textChanged.connect(self.changed)
        return edit

    def _on_proxy_choice_changed(self) -> None:
        self.proxy_url.setEnabled(self.proxy_choice.currentData() == _THIS)
        self.changed.emit()

    # -- in ----------------------------------------------------------------------------

    def show_request(self, headers: Headers, login: Login | None, proxy: str | None) -> None:
        """Fill the fields from a download's request (the Properties dialog)."""
        named = {edit: "" for edit, _ in self._named()}
        other = []
        for name, value in headers:
            edit = self._edit_for(name)
            if edit is None:
                other.append(f"{name}: {value}")
            else:
                named[edit] = value
        for edit, value in named.items():
            edit.setText(value)
        self.headers_edit.setPlainText("\n".join(other))
        self.user.setText(login.user if login else "")
        self.password.setText(login.password if login else "")
        choice = _SETTING if proxy is None else _NONE if proxy == DIRECT else _THIS
        self.proxy_choice.setCurrentIndex(self.proxy_choice.findData(choice))
        self.proxy_url.setText(proxy if choice == _THIS and proxy else "")

    def _named(self) -> tuple[tuple[QLineEdit, str], ...]:
        return (
            (self.cookies, "Cookie"),
            (self.user_agent, "User-Agent"),
            (self.referrer, "Referer"),
        )

    def _edit_for(self, name: str) -> QLineEdit | None:
        return next((edit for edit, n in self._named() if n.lower() == name.lower()), None)

    # -- out ---------------------------------------------------------------------------

    def problems(self) -> list[str]:
        """One line per field that cannot be sent as it stands."""
        _, problems = parse_header_lines(self.headers_edit.toPlainText())
        for edit, name in self._named():
            if edit.text().strip():
                try:
                    parse_header(f"{name}: {edit.text()}")
                except ValueError as error:
                    problems.append(f"{edit.accessibleName()}: {error}")
        try:
            self.login()
        except ValueError as error:
            problems.append(f"Login: {error}")
        if self.proxy_choice.currentData() == _THIS:
            try:
                ProxySettings.manual(self.proxy_url.text(), "Proxy")
            except InvalidURLError as error:
                problems.append(str(error))
        return problems

    def headers(self) -> Headers:
        """The headers the fields give; call only when ``problems()`` is empty."""
        other, _ = parse_header_lines(self.headers_edit.toPlainText())
        named = [(name, edit.text().strip()) for edit, name in self._named() if edit.text().strip()]
        return merge_headers(other, named)

    def login(self) -> Login | None:
        user = self.user.text().strip()
        if not user and not self.password.text():
            return None
        return Login(user, self.password.text())

    def proxy(self) -> str | None:
        match self.proxy_choice.currentData():
            case "none":
                return DIRECT
            case "this":
                return self.proxy_url.text().strip()
        return None

    def is_empty(self) -> bool:
        """Nothing asked beyond the defaults (an untouched Advanced section)."""
        return not self.headers() and self.login() is None and self.proxy() is None
