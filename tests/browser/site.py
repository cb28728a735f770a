"""A site that guards its file as real ones do: the page sets a session cookie and links
the file, which is served (with ranges) only with that cookie and the page as Referer;
anything else gets 403. For the real-browser tests."""

from __future__ import annotations

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


@contextmanager
def guarded_site(source: Path) -> Iterator[Site]:
    token = secrets.token_hex(8)
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
            if self.path != f"/file/{source.name}":
                self.send_error(404)
                return
            cookie = self.headers.get("Cookie", "")
            referer = self.headers.get("Referer", "")
            if f"sid={token}" not in cookie or not referer.endswith("/page.html"):
                refused.append(f"cookie={bool(cookie)} referer={referer!r}")
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
        yield Site(base, f"{base}/page.html", f"{base}/file/{source.name}", refused)
    finally:
        server.shutdown()
        server.server_close()
