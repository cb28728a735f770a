"""Per-site defaults and saved logins: a new download from a site gets its connections,
speed limit, user agent and login unless the user chose otherwise; passwords go to a real
Secret Service (gnome-keyring on a private bus) when one answers, else to the owner-only
store, and the book says which; a site removed takes its password with it."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from gui_app.app.sites import PASSWORDS_KEY, Site, SiteBook
from gui_app.engine.api.models import DownloadRequest, Login
from gui_app.engine.disk.store import STORE_NAME, Store
from tests.kit.keyrings import DBUS_DAEMON, GNOME_KEYRING, secret_service


def request(url: str, **kw: object) -> DownloadRequest:
    return DownloadRequest(url, Path("/tmp"), **kw)  # type: ignore[arg-type]


def test_a_site_fills_in_what_the_user_left(tmp_path: Path) -> None:
    store = Store(tmp_path / STORE_NAME)
    book = SiteBook(store)
    site = "https://files.example.org"
    book.put(Site(site, connections=2, speed_limit=1 << 20, user_agent="UA/1"))
    assert book.save_login(site, Login("ann", "pw-1")) == Login("ann", site=site)
    plain = book.apply(request("https://FILES.example.org/a.iso"), default_connections=8)
    assert (plain.connections, plain.rate_limit) == (2, 1 << 20)
    assert plain.headers == (("User-Agent", "UA/1"),)
    assert plain.login == Login("ann", site=site)  # a reference: the password stays put
    chosen = book.apply(
        request(
            "https://files.example.org/a.iso",
            connections=5,
            rate_limit=10,
            headers=(("user-agent", "Mine"),),
            login=Login("bob", "x"),
        ),
        default_connections=8,
    )
    assert (chosen.connections, chosen.rate_limit, chosen.login) == (5, 10, Login("bob", "x"))
    assert chosen.headers == (("user-agent", "Mine"),)
    other = request("https://example.org/a.iso")
    assert book.apply(other, default_connections=8) == other
    store.close()


def test_without_a_keyring_passwords_stay_in_the_owners_store(tmp_path: Path) -> None:
    store = Store(tmp_path / STORE_NAME)
    book = SiteBook(store)  # the tests' keyring backend is keyring's "fail": none answers
    assert book.where_passwords_go().startswith("Rangeload's list, readable by you only")
    book.save_login("https://h.example", Login("ann", "pw-2"))
    stored = json.loads(store.get_setting(PASSWORDS_KEY) or "{}")
    assert stored == {"https://h.example": {"ann": "pw-2"}}
    assert (tmp_path / STORE_NAME).stat().st_mode & 0o077 == 0
    book.save_all([])  # the site removed: its password goes too
    assert json.loads(store.get_setting(PASSWORDS_KEY) or "{}") == {"https://h.example": {}}
    assert book.login_for("https://h.example") is None
    store.close()


@pytest.mark.parametrize(
    "origin", ["", "https://a/b", "https://user@h", "h.example", "ftp://h", "https://h:443"]
)
def test_a_site_is_an_origin_as_origin_of_url_writes_it(origin: str) -> None:
    with pytest.raises(ValueError, match="a site is an origin"):
        Site(origin)


SNIPPET = """
import sys
from pathlib import Path
from gui_app.engine.api.models import Login
from gui_app.engine.disk.store import Store
from gui_app.app.sites import SiteBook
store = Store(Path(sys.argv[1]))
book = SiteBook(store)
print(book.where_passwords_go())
if sys.argv[2] == "save":
    book.save_login("https://h.example", Login("ann", "k3yring-pw"))
elif sys.argv[2] == "forget":
    book.save_all([])
login = book.login_for("https://h.example")
print(login.password if login else "none")
"""


@pytest.mark.skipif(
    GNOME_KEYRING is None or DBUS_DAEMON is None,
    reason="needs Debian's gnome-keyring and dbus-daemon",
)
def test_with_a_secret_service_passwords_go_to_the_keyring(tmp_path: Path) -> None:
    path = tmp_path / STORE_NAME
    with secret_service(tmp_path / "home") as env:

        def run(step: str) -> list[str]:
            ran = subprocess.run(
                [sys.executable, "-c", textwrap.dedent(SNIPPET), str(path), step],
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
                check=True,
            )
            return ran.stdout.splitlines()

        assert run("save") == ["the desktop's keyring", "k3yring-pw"]
        assert b"k3yring-pw" not in path.read_bytes()  # not in the store: in the keyring
        assert run("read") == ["the desktop's keyring", "k3yring-pw"]  # another process
        assert run("forget") == ["the desktop's keyring", "none"]
