"""A site that guards its file as real ones do: the page sets a session cookie and links
the file, which is served (with ranges) only with that cookie and the page as Referer,
and, when asked, a Basic login and a user agent; anything else gets 403 (401 without the
login). For the real-browser tests and the CLI's request flags."""

from __future__ import annotations

import base64
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


@contextmanager
def guarded_site(
    source: Path, *, login: tuple[str, str] | None = None, user_agent: str | None = None
) -> Iterator[Site]:
    token = secrets.token_hex(8)
    basic = "Basic " + base64.b64encode(":".join(login).encode()).decode() if login else None
    data = source.read_bytes()
    refused: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

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
            if basic and self.headers.get("Authorization") != basic:
                refused.append("login")
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="site"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            cookie = self.headers.get("Cookie", "")
            referer = self.headers.get("Referer", "")
            agent = self.headers.get("User-Agent", "")
            if (
                f"sid={token}" not in cookie
                or not referer.endswith("/page.html")
                or (user_agent and agent != user_agent)
            ):
                refused.append(f"cookie={bool(cookie)} referer={referer!r} agent={agent!r}")
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
        yield Site(base, f"{base}/page.html", f"{base}/file/{source.name}", refused, token)
    finally:
        server.shutdown()
        server.server_close()
