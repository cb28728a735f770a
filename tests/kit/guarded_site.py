"""A site that guards its file as real ones do: the page sets a session cookie and links
the file, which is served (with ranges) only with that cookie and the page as Referer,
and, when asked, a login (Basic, or Digest as RFC 7616 has it: MD5, qop=auth, every
response checked) and a user agent; anything else gets 403 (401 without the login).
``challenges`` counts the 401s sent. For the real-browser tests, the CLI's request
flags and the app's logins."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

__all__ = ["Site", "guarded_site"]

PAGE = """<!doctype html><html><body>
<a id="link" href="/file/{name}" style="display:block;width:300px;height:40px">the file</a>
<a id="page" href="/other.html">a page</a>
</body></html>"""


@dataclass
class Site:
    url: str
    page: str
    file_url: str
    refused: list[str]  # why requests for the file were refused
    token: str  # the session cookie's value, sid=token
    challenges: list[str]  # the 401s sent, by the scheme asked for
    login: list[tuple[str, str] | None]  # the login required; tests may change it


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()  # RFC 7616's MD5 digest


def _digest_ok(header: str, login: tuple[str, str], nonce: str, method: str) -> bool:
    """Whether an ``Authorization: Digest ...`` header answers ``nonce`` for ``login``."""
    if not header.startswith("Digest "):
        return False
    pairs = re.findall(r'(\w+)=(?:"([^"]*)"|([^\s,]*))', header[7:])
    fields = {name: quoted or bare for name, quoted, bare in pairs}
    if fields.get("username") != login[0] or fields.get("nonce") != nonce:
        return False
    ha1 = _md5(f"{login[0]}:site:{login[1]}")
    ha2 = _md5(f"{method}:{fields.get('uri', '')}")
    expected = _md5(f"{ha1}:{nonce}:{fields.get('nc')}:{fields.get('cnonce')}:auth:{ha2}")
    return fields.get("qop") == "auth" and fields.get("response") == expected


@contextmanager
def guarded_site(
    source: Path,
    *,
    login: tuple[str, str] | None = None,
    digest: bool = False,
    user_agent: str | None = None,
    cookie: bool = True,
) -> Iterator[Site]:
    """``cookie`` False: the file needs no cookie nor Referer (a login alone guards it)."""
    token = secrets.token_hex(8)
    nonce = secrets.token_hex(16)
    data = source.read_bytes()
    refused: list[str] = []
    challenges: list[str] = []
    required = [login]

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def _logged_in(self, wanted: tuple[str, str]) -> bool:
            given = self.headers.get("Authorization", "")
            if digest:
                return _digest_ok(given, wanted, nonce, self.command)
            return given == "Basic " + base64.b64encode(":".join(wanted).encode()).decode()

        def do_GET(self) -> None:  # http.server's name
            if self.path == "/page.html":
                body = PAGE.format(name=source.name).encode()
                self.send_response(200)
                self.send_header("Set-Cookie", f"sid={token}; Path=/; SameSite=Lax")
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            if self.path.split("?", 1)[0] != f"/file/{source.name}":
                self.send_error(404)
                return
            wanted = required[0]
            if wanted and not self._logged_in(wanted):
                refused.append("login")
                challenges.append("digest" if digest else "basic")
                self.send_response(401)
                if digest:
                    self.send_header(
                        "WWW-Authenticate",
                        f'Digest realm="site", qop="auth", nonce="{nonce}", algorithm=MD5',
                    )
                else:
                    self.send_header("WWW-Authenticate", 'Basic realm="site"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            sent = self.headers.get("Cookie", "")
            referer = self.headers.get("Referer", "")
            agent = self.headers.get("User-Agent", "")
            if (cookie and (f"sid={token}" not in sent or not referer.endswith("/page.html"))) or (
                user_agent and agent != user_agent
            ):
                refused.append(f"cookie={bool(sent)} referer={referer!r} agent={agent!r}")
                self.send_error(403)
                return
            first, last = 0, len(data) - 1
            match = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range", ""))
            if match:
                first = int(match.group(1))
                last = min(int(match.group(2) or last), last)
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {first}-{last}/{len(data)}")
            else:
                self.send_response(200)
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Disposition", f'attachment; filename="{source.name}"')
            self.send_header("ETag", '"v1"')
            self.send_header("Content-Length", str(last - first + 1))
            self.end_headers()
            self.wfile.write(data[first : last + 1])

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield Site(
            base,
            f"{base}/page.html",
            f"{base}/file/{source.name}",
            refused,
            token,
            challenges,
            required,
        )
    finally:
        server.shutdown()
        server.server_close()
