"""A small HTTP/1.1 server that lies on purpose: the engine's hostile peer in tests.

A test gives ``HostileServer`` one handler, ``handler(request, out)``, run on a thread per
connection; the server parses each request head (keeping connections alive between
requests unless the handler hangs up) and the handler answers through ``out`` with
whatever bytes it likes: cut bodies, broken chunking, wrong headers, trickled heads.
``serve_file`` answers like an honest server with range support, and its keyword
arguments are the lies a real server tells (ignoring If-Range, answering 200 to closed
ranges, a coding nobody asked for...).

Every request is logged (``server.requests``) with its headers and the connection it came
on, and every body byte counted (``server.body_bytes``), so a test can assert what a
client sent and how much it fetched. To add a lie: add a keyword to ``serve_file`` or
write a handler of your own. ``stop`` closes every socket it accepted.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import re
import secrets
import socket
import ssl
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

__all__ = [
    "DigestGuard",
    "HostileServer",
    "Out",
    "Request",
    "digest_response",
    "hostile_server",
    "serve_file",
]

HEAD_LIMIT = 64 * 1024


@dataclass(frozen=True)
class Request:
    method: str
    target: str
    headers: Mapping[str, str]  # lower-case names
    connection: int  # serial number of the TCP connection it came on
    index: int  # serial number of the request, from 0

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def query(self) -> dict[str, str]:
        return dict(parse_qsl(urlsplit(self.target).query))

    @property
    def range(self) -> tuple[int, int | None] | None:
        """``(first, last)`` of a single ``bytes=`` range (``last`` None: open-ended)."""
        value = self.headers.get("range", "")
        if not value.startswith("bytes=") or "," in value:
            return None
        first, _, last = value[len("bytes=") :].partition("-")
        if not first.isdigit():
            return None
        return int(first), int(last) if last.isdigit() else None


class Out:
    """Where a handler writes its answer; ``close`` hangs up the connection."""

    def __init__(self, sock: socket.socket, server: HostileServer) -> None:
        self._sock = sock
        self._server = server
        self.closed = False

    def head(self, status: int, headers: Mapping[str, str] | list[tuple[str, str]]) -> None:
        items = list(headers.items()) if isinstance(headers, Mapping) else headers
        lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Whatever')}"]
        lines += [f"{name}: {value}" for name, value in items]
        self.raw(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))

    def body(self, data: bytes) -> None:
        self.raw(data, counted=True)

    def raw(self, data: bytes, *, counted: bool = False) -> None:
        if self.closed:
            return
        view = memoryview(data)
        try:
            while view:
                sent = self._sock.send(view)
                if counted:
                    self._server.count(sent)
                view = view[sent:]
        except OSError:
            self.closed = True

    def trickle(self, data: bytes, every: float, step: int = 1) -> None:
        """Send ``data`` ``step`` bytes at a time, ``every`` seconds apart."""
        for i in range(0, len(data), step):
            self.raw(data[i : i + step])
            if self.closed or self._server.stopping.wait(every):
                return

    def close(self) -> None:
        self.closed = True
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)


Handler = Callable[[Request, Out], None]


@dataclass
class HostileServer:
    """Serves ``handler`` on ``host`` (a loopback address), a thread per connection."""

    handler: Handler
    host: str = "127.0.0.1"
    tls: ssl.SSLContext | None = None  # https, showing this context's certificate
    handshakes_failed: int = 0
    requests: list[Request] = field(default_factory=list)
    body_bytes: int = 0
    port: int = 0
    stopping: threading.Event = field(default_factory=threading.Event)
    _listener: socket.socket | None = None
    _threads: list[threading.Thread] = field(default_factory=list)
    _sockets: set[socket.socket] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _connections: int = 0

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}"

    def count(self, n: int) -> None:
        with self._lock:
            self.body_bytes += n

    def start(self) -> HostileServer:
        listener = socket.create_server((self.host, 0))
        listener.settimeout(0.05)
        self._listener = listener
        self.port = listener.getsockname()[1]
        accepter = threading.Thread(target=self._accept, name="hostile-accept", daemon=True)
        self._threads.append(accepter)
        accepter.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        for thread in list(self._threads):
            thread.join(10)
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    def paths(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def _accept(self) -> None:
        assert self._listener is not None
        while not self.stopping.is_set():
            try:
                sock, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                if self.stopping.is_set():
                    sock.close()
                    return
                self._connections += 1
                self._sockets.add(sock)
                thread = threading.Thread(
                    target=self._serve, args=(sock, self._connections), daemon=True
                )
                self._threads.append(thread)
            thread.start()

    def _serve(self, sock: socket.socket, connection: int) -> None:
        raw = sock
        if self.tls is not None:
            try:
                sock = self.tls.wrap_socket(sock, server_side=True)
            except OSError:  # the client refused the certificate, as it should
                with self._lock:
                    self.handshakes_failed += 1
                    self._sockets.discard(raw)
                sock.close()
                return
        out = Out(sock, self)
        buffer = b""
        try:
            while not out.closed and not self.stopping.is_set():
                while b"\r\n\r\n" not in buffer:
                    data = sock.recv(65536)
                    if not data or len(buffer) > HEAD_LIMIT:
                        return
                    buffer += data
                head, _, buffer = buffer.partition(b"\r\n\r\n")
                request_line, *lines = head.decode("latin-1").split("\r\n")
                method, target, _ = [*request_line.split(" "), "", ""][:3]
                headers: dict[str, str] = {}
                for line in lines:
                    name, sep, value = line.partition(":")
                    if sep:
                        headers[name.strip().lower()] = value.strip()
                with self._lock:
                    request = Request(method, target, headers, connection, len(self.requests))
                    self.requests.append(request)
                self.handler(request, out)
        except OSError:
            pass
        finally:
            with self._lock:
                self._sockets.discard(raw)
            sock.close()


@contextlib.contextmanager
def hostile_server(
    handler: Handler, host: str = "127.0.0.1", tls: ssl.SSLContext | None = None
) -> Iterator[HostileServer]:
    server = HostileServer(handler, host, tls).start()
    try:
        yield server
    finally:
        server.stop()


def serve_file(
    request: Request,
    out: Out,
    data: bytes,
    *,
    etag: str | None = '"v1"',
    last_modified: str | None = "Tue, 01 Sep 2026 10:00:00 GMT",
    content_type: str = "application/octet-stream",
    ignore_if_range: bool = False,
    ignore_range: bool = False,
    closed_ranges_as_200: bool = False,
    coding: str | None = None,
    cut_after: int | None = None,
    chunked: bool = False,
    extra: Mapping[str, str] | None = None,
) -> None:
    """Answer ``request`` for ``data`` as an honest HTTP/1.1 server would, but for the lies
    asked for:

    - ``ignore_if_range``: a Range is honoured even when If-Range does not match;
    - ``ignore_range``: every answer is a 200 with the whole body;
    - ``closed_ranges_as_200``: ``bytes=N-`` is honoured, ``bytes=N-M`` gets a 200;
    - ``coding``: a Content-Encoding (``gzip`` compresses the bytes sent, whatever asked);
    - ``cut_after``: hang up after that many body bytes (the head still promises all);
    - ``chunked``: chunked framing instead of Content-Length.
    """
    headers: dict[str, str] = {"Content-Type": content_type}
    if etag is not None:
        headers["ETag"] = etag
    if last_modified is not None:
        headers["Last-Modified"] = last_modified
    headers["Accept-Ranges"] = "bytes"
    headers.update(extra or {})
    status, body = 200, data
    wanted = None if ignore_range else request.range
    condition = request.headers.get("if-range")
    honest = condition is not None and not ignore_if_range
    if wanted is not None and honest and condition not in (etag, last_modified):
        wanted = None
    if wanted is not None and closed_ranges_as_200 and wanted[1] is not None:
        wanted = None
    if wanted is not None:
        first, last = wanted
        last = len(data) - 1 if last is None else min(last, len(data) - 1)
        if first >= len(data):
            out.head(416, {"Content-Range": f"bytes */{len(data)}", "Content-Length": "0"})
            return
        status, body = 206, data[first : last + 1]
        headers["Content-Range"] = f"bytes {first}-{last}/{len(data)}"
    if coding is not None:
        headers["Content-Encoding"] = coding
        if coding == "gzip":
            body = gzip.compress(body)
    if chunked:
        headers["Transfer-Encoding"] = "chunked"
    else:
        headers["Content-Length"] = str(len(body))
    out.head(status, headers)
    if request.method == "HEAD":
        return
    sent = body if cut_after is None else body[:cut_after]
    if chunked:
        step = 64 * 1024
        for i in range(0, len(sent), step):
            piece = sent[i : i + step]
            out.raw(f"{len(piece):x}\r\n".encode())
            out.body(piece)
            out.raw(b"\r\n")
        if cut_after is None:
            out.raw(b"0\r\n\r\n")
    else:
        out.body(sent)
    if cut_after is not None:
        out.close()


_DIGESTS = {"MD5": "md5", "SHA-256": "sha256", "SHA-512-256": "sha512_256"}


def digest_response(
    fields: Mapping[str, str], password: str, method: str, body: bytes = b""
) -> str:
    """RFC 7616 3.4.1's ``response`` for the parameters of an Authorization header,
    computed here, apart from the engine's code: the test kit's own reading of the RFC."""
    algorithm = fields.get("algorithm", "MD5")
    session = algorithm.upper().endswith("-SESS")
    name = _DIGESTS[algorithm.upper().removesuffix("-SESS")]

    def h(text: str | bytes) -> str:
        return hashlib.new(name, text.encode() if isinstance(text, str) else text).hexdigest()

    a1 = f"{fields['username']}:{fields['realm']}:{password}"
    if session:
        a1 = f"{h(a1)}:{fields['nonce']}:{fields['cnonce']}"
    qop = fields.get("qop")
    a2 = f"{method}:{fields['uri']}" + (f":{h(body)}" if qop == "auth-int" else "")
    if qop is None:
        return h(f"{h(a1)}:{fields['nonce']}:{h(a2)}")
    return h(f"{h(a1)}:{fields['nonce']}:{fields['nc']}:{fields['cnonce']}:{qop}:{h(a2)}")


@dataclass
class DigestGuard:
    """A handler that asks for Digest with ``algorithm`` and ``qop`` (as written in the
    challenge; None: RFC 2069's, no qop) and, for a request whose Authorization answers
    per RFC 7616, hands over to ``inner``. Every answer is checked: username, realm,
    nonce, uri, algorithm, qop among those offered, a nonce count never seen twice."""

    inner: Handler
    user: str
    password: str
    algorithm: str = "MD5"
    qop: str | None = "auth"
    realm: str = "hostile"
    nonce: str = field(default_factory=lambda: secrets.token_hex(16))
    opaque: str = field(default_factory=lambda: secrets.token_hex(8))
    challenges: int = 0
    refused: list[str] = field(default_factory=list)
    _counts: set[tuple[str, str]] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, request: Request, out: Out) -> None:
        why = self._wrong(request)
        if why is None:
            self.inner(request, out)
            return
        with self._lock:
            self.challenges += 1
            if why:
                self.refused.append(why)
        qop = f', qop="{self.qop}"' if self.qop is not None else ""
        challenge = (
            f'Digest realm="{self.realm}", nonce="{self.nonce}", '
            f'opaque="{self.opaque}", algorithm={self.algorithm}{qop}'
        )
        out.head(401, [("WWW-Authenticate", challenge), ("Content-Length", "0")])

    def _wrong(self, request: Request) -> str | None:
        """None for a right answer, "" for none given, else what is wrong."""
        header = request.headers.get("authorization", "")
        if not header.startswith("Digest "):
            return ""
        pairs = re.findall(r'([\w-]+)=(?:"([^"]*)"|([^\s,]*))', header[7:])
        fields = {name.lower(): quoted or bare for name, quoted, bare in pairs}
        expected = {
            "username": self.user,
            "realm": self.realm,
            "nonce": self.nonce,
            "uri": request.target,
            "opaque": self.opaque,
        }
        for name, value in expected.items():
            if fields.get(name) != value:
                return f"{name}={fields.get(name)!r}"
        if fields.get("algorithm", "MD5").upper() != self.algorithm.upper():
            return f"algorithm={fields.get('algorithm')!r}"
        offered: list[str | None] = [q.strip() for q in (self.qop or "").split(",")]
        offered = [q for q in offered if q] or [None]
        if (fields.get("qop") or None) not in offered:
            return f"qop={fields.get('qop')!r}"
        if offered != [None]:
            with self._lock:
                seen = (fields.get("cnonce", ""), fields.get("nc", ""))
                if seen in self._counts or not re.fullmatch(r"[0-9a-f]{8}", seen[1]):
                    return f"nc={seen[1]!r} again"
                self._counts.add(seen)
        try:
            right = digest_response(fields, self.password, request.method)
        except KeyError as missing:
            return f"no {missing}"
        return None if fields.get("response") == right else "response"


_REASONS = {
    200: "OK",
    206: "Partial Content",
    302: "Found",
    401: "Unauthorized",
    404: "Not Found",
    416: "Range Not Satisfiable",
    503: "Service Unavailable",
}
