"""Per-site defaults, as ABDM and XDM keep them: for an origin (``scheme://host[:port]``),
the connections, speed limit, user agent and saved login that a new download from it gets
unless the user chose otherwise; a login saved for ``https://host`` is never offered to
``http://host`` or another port. The list is kept in the store's settings; a saved password
goes to the desktop's keyring through the keyring library (Secret Service on Linux) when
one answers, else into the store, which only its owner can read. ``where_passwords_go``
says which. A download gets a reference to the login (``Login(user, site=origin)``), never
the password: the engine asks ``password_for`` when a 401 asks for it.

A site list from before origins (keyed by a bare host) is read as ``https://host``: its
login was offered to plain http too, and keeping that would send it in the clear.

Keyring calls may wait on D-Bus: the app makes them on its command runner, never on the
GUI thread.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, replace
from typing import Any, Protocol
from urllib.parse import urlsplit

from gui_app.engine import DownloadRequest, Login, Store, check_connections
from gui_app.ground.headers import merge_headers

__all__ = ["KEYRING_SERVICE", "Site", "SiteBook", "origin_of_url"]

log = logging.getLogger(__name__)

SITES_KEY = "app.sites"
PASSWORDS_KEY = "app.site-passwords"  # the fallback: {host: {user: password}}
KEYRING_SERVICE = "Rangeload"


_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of_url(url: str) -> str:
    """The origin a site's settings are kept under: ``scheme://host``, with the port when
    it is not the scheme's own; a bare ``host`` or ``host:port`` is taken as https.
    ``ValueError`` for anything else."""
    text = url.strip()
    if "://" not in text:
        text = f"https://{text}"
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"a site is an origin such as https://example.org, got {url!r}") from None
    host = (parts.hostname or "").lower()
    if scheme not in _DEFAULT_PORTS or not host or any(c in host for c in "/@ "):
        raise ValueError(f"a site is an origin such as https://example.org, got {url!r}")
    shown = f"[{host}]" if ":" in host else host
    if port is None or port == _DEFAULT_PORTS[scheme]:
        return f"{scheme}://{shown}"
    return f"{scheme}://{shown}:{port}"


@dataclass(frozen=True, slots=True)
class Site:
    origin: str  # as origin_of_url writes it
    connections: int | None = None  # None: the app's setting
    speed_limit: int | None = None  # bytes per second; None: unlimited
    user_agent: str | None = None
    user: str | None = None  # a saved login's user name; its password is kept apart

    def __post_init__(self) -> None:
        if origin_of_url(self.origin) != self.origin:
            raise ValueError(
                f"a site is an origin such as https://example.org, got {self.origin!r}"
            )
        if self.connections is not None:
            check_connections(self.connections)
        if self.speed_limit is not None and self.speed_limit < 1:
            raise ValueError("the speed limit must be at least 1 byte/s")


class Keyring(Protocol):
    def get_password(self, service: str, username: str) -> str | None: ...
    def set_password(self, service: str, username: str, password: str) -> None: ...
    def delete_password(self, service: str, username: str) -> None: ...


def desktop_keyring() -> Keyring | None:
    """The desktop's keyring, or None when none answers (no Secret Service running)."""
    import keyring  # imported only when a password is wanted: it looks for backends
    from keyring.backends import fail

    try:
        backend = keyring.get_keyring()
    except Exception as error:  # a broken keyring configuration: say so, keep working
        log.warning("the desktop's keyring cannot be used: %s", error)
        return None
    if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 1) <= 0:
        return None
    return backend


class SiteBook:
    """The sites' settings and saved logins, read and written through one store."""

    def __init__(
        self, store: Store, keyring: Callable[[], Keyring | None] = desktop_keyring
    ) -> None:
        self._store = store
        self._find_keyring = keyring
        self._keyring: Keyring | None = None
        self._looked = False
        self._asking = threading.Lock()  # the engine's connections ask from many threads

    # -- the list --------------------------------------------------------------------

    def all(self) -> list[Site]:
        text = self._store.get_setting(SITES_KEY)
        if not text:
            return []
        try:
            return [Site(**_migrated(item)) for item in json.loads(text)]
        except (ValueError, TypeError) as error:
            log.warning("saved site settings could not be read (%s); ignored", error)
            return []

    def get(self, origin: str) -> Site | None:
        return next((s for s in self.all() if s.origin == origin), None)

    def save_all(self, sites: Iterable[Site]) -> None:
        """Replace the list; the saved passwords of sites no longer in it are deleted."""
        kept = {s.origin: s for s in sites}
        for old in self.all():
            new = kept.get(old.origin)
            if old.user and (new is None or new.user != old.user):
                self._forget_password(old.origin, old.user)
        data = [asdict(s) for s in sorted(kept.values(), key=lambda s: s.origin)]
        self._store.set_setting(SITES_KEY, json.dumps(data, sort_keys=True))

    def put(self, site: Site) -> None:
        self.save_all([*(s for s in self.all() if s.origin != site.origin), site])

    # -- logins ----------------------------------------------------------------------

    def where_passwords_go(self) -> str:
        if self._desktop() is not None:
            return "the desktop's keyring"
        return "Rangeload's list, readable by you only (no desktop keyring answered)"

    def save_login(self, origin: str, login: Login) -> Login:
        """Keep ``login`` for ``origin``: offered again for its next downloads. Returns the
        reference a download keeps instead of the password."""
        site = self.get(origin) or Site(origin)
        desktop = self._desktop()
        if desktop is not None:
            desktop.set_password(KEYRING_SERVICE, f"{login.user}@{site.origin}", login.password)
        else:
            stored = self._stored_passwords()
            stored.setdefault(site.origin, {})[login.user] = login.password
            self._store.set_setting(PASSWORDS_KEY, json.dumps(stored))
        self.put(replace(site, user=login.user))
        return Login(login.user, site=site.origin)

    def login_for(self, origin: str) -> Login | None:
        """The saved login for ``origin``, password included; None if there is none."""
        site = self.get(origin)
        if site is None or not site.user:
            return None
        password = self._password(site.origin, site.user)
        return None if password is None else Login(site.user, password)

    def password_for(self, login: Login, origin: str) -> str | None:
        """The saved password a reference names, asked for by ``origin``'s 401: only that
        origin's own (a reference carried to another origin gets nothing)."""
        if login.site is None or login.site != origin_of_url(origin):
            return None
        with self._asking:
            return self._password(login.site, login.user)

    def _password(self, origin: str, user: str) -> str | None:
        desktop = self._desktop()
        legacy = origin.removeprefix("https://") if origin.startswith("https://") else None
        if desktop is not None:
            password = desktop.get_password(KEYRING_SERVICE, f"{user}@{origin}")
            if password is None and legacy:  # saved before sites were origins
                password = desktop.get_password(KEYRING_SERVICE, f"{user}@{legacy}")
            return password
        stored = self._stored_passwords()
        password = stored.get(origin, {}).get(user)
        if password is None and legacy:
            password = stored.get(legacy, {}).get(user)
        return password

    def _forget_password(self, host: str, user: str) -> None:
        desktop = self._desktop()
        if desktop is not None:
            try:
                desktop.delete_password(KEYRING_SERVICE, f"{user}@{host}")
            except Exception as error:  # keyring's PasswordDeleteError: already gone
                log.info("no saved password for %s@%s to delete: %s", user, host, error)
            return
        stored = self._stored_passwords()
        if stored.get(host, {}).pop(user, None) is not None:
            self._store.set_setting(PASSWORDS_KEY, json.dumps(stored))

    def _stored_passwords(self) -> dict[str, dict[str, str]]:
        text = self._store.get_setting(PASSWORDS_KEY)
        loaded: Any = json.loads(text) if text else {}
        return loaded if isinstance(loaded, dict) else {}

    def _desktop(self) -> Keyring | None:
        if not self._looked:
            self._keyring = self._find_keyring()
            self._looked = True
        return self._keyring

    # -- new downloads ---------------------------------------------------------------

    def apply(self, request: DownloadRequest, default_connections: int) -> DownloadRequest:
        """``request`` with its site's defaults where the user left the app's own."""
        try:
            site = self.get(origin_of_url(request.url))
        except ValueError:
            return request
        if site is None:
            return request
        changes: dict[str, Any] = {}
        if site.connections is not None and request.connections == default_connections:
            changes["connections"] = site.connections
        if site.speed_limit is not None and request.rate_limit is None:
            changes["rate_limit"] = site.speed_limit
        named = {name.lower() for name, _ in request.headers}
        if site.user_agent and "user-agent" not in named:
            changes["headers"] = merge_headers(request.headers, [("User-Agent", site.user_agent)])
        if request.login is None and site.user:
            changes["login"] = Login(site.user, site=site.origin)  # the password stays put
        return replace(request, **changes)


def _migrated(item: dict[str, Any]) -> dict[str, Any]:
    """A saved site from before origins: its bare host becomes ``https://host``."""
    if "host" in item and "origin" not in item:
        item = dict(item)
        item["origin"] = origin_of_url(f"https://{item.pop('host')}")
    return item
