"""The bundled server's FastAPI app: an index, a JSON listing, and range-serving file routes.

``create_app`` is the only public function. Per request, ``/files/{path}`` resolves the
path safely, applies faults (when enabled), evaluates preconditions (RFC 9110 13.2.2),
then answers 200, 206 (single or multipart/byteranges), 304, 412 or 416.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import unquote_to_bytes

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Match, Route
from starlette.types import Scope

from gui_app import APP_NAME, __version__
from gui_app.ground.byteranges import (
    ByteRange,
    format_content_range,
    format_unsatisfied_content_range,
)
from gui_app.server.conditional import Precondition, evaluate_preconditions, if_range_matches
from gui_app.server.faults import ChangedReader, FaultCounters, FaultPlan, changed_info
from gui_app.server.files import FileInfo, content_disposition, open_file
from gui_app.server.listing import list_files, render_index
from gui_app.server.range_request import RangeVerdict, parse_range_header
from gui_app.server.streaming import ClosingStreamingResponse, FileBody, Pacing

__all__ = ["DEFAULT_CHUNK_SIZE", "create_app"]

# Chosen with tests/bench/bench_server.py: against nginx on 32 clients fetching random
# 1 MiB ranges, 64 KiB chunks gave 0.63 x, 256 KiB 0.70 x, 1 MiB 0.68 x; 64 streams of a
# 1 GiB file peaked at 54, 63 and 95 MiB of RSS.
DEFAULT_CHUNK_SIZE = 256 * 1024

LOGIN_PAGE = (
    b"<!doctype html><html><head><title>Sign in</title></head>"
    b"<body><form><p>Your session has expired. Please sign in.</p></form></body></html>"
)


def create_app(
    root: Path,
    *,
    faults: bool = False,
    show_hidden: bool = False,
    limit_rate: int | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> FastAPI:
    """An app serving the files under ``root`` (which must be a directory)."""
    root = root.resolve(strict=True)
    if not root.is_dir():
        raise NotADirectoryError(f"not a folder: {root}")
    if chunk_size < 1:
        raise ValueError("chunk_size must be positive")
    app = FastAPI(
        title=f"{APP_NAME} server",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    counters = FaultCounters()

    @app.get("/", response_class=HTMLResponse)
    def index() -> HTMLResponse:
        entries = list_files(root, show_hidden=show_hidden)
        return HTMLResponse(render_index(f"{APP_NAME}: {root.name or root}", entries))

    @app.get("/api/files")
    def api_files() -> JSONResponse:
        return JSONResponse([e.as_json() for e in list_files(root, show_hidden=show_hidden)])

    async def serve_file(request: Request) -> Response:
        file_path = _file_path(request)
        opened = None if file_path is None else open_file(root, file_path, show_hidden=show_hidden)
        if file_path is None or opened is None:
            return _not_found()
        fd, info = opened
        try:
            response = _answer(request, file_path, fd, info)
        except BaseException:
            os.close(fd)
            raise
        if not isinstance(response, ClosingStreamingResponse):
            os.close(fd)  # answered without a body: the descriptor is not needed
        return response

    def _answer(request: Request, file_path: str, fd: int, info: FileInfo) -> Response:
        plan = FaultPlan()
        number = 0
        if faults:
            try:
                plan = FaultPlan.from_query(request.query_params)
            except ValueError as error:
                return PlainTextResponse(str(error), status_code=400)
            number = counters.next(file_path, request.url.query)
            early = _early_fault(plan, number)
            if early is not None:
                return early
        changed = None
        if plan.changed(number):
            changed = ChangedReader(info.size)
            info = changed_info(info, plan.change_size)
        pacing = Pacing(
            rate=_min_rate(limit_rate, plan.rate_for(number)),
            drop_after=plan.drop_for(number),
            stall=plan.stall_for(number),
            stall_after=plan.stall_after,
        )
        return _respond(request, fd, info, plan, pacing, changed, chunk_size)

    # A plain Starlette route: the hot path needs no FastAPI parameter validation, which
    # cost 7% of throughput on 1 MiB range requests (tests/bench/bench_server.py: 0.70 x
    # nginx through FastAPI's route, 0.75 x through Starlette's). It matches by prefix:
    # the path parameter's pattern stops at a newline, which a file name may hold.
    app.router.routes.append(_FilesRoute(FILES_PREFIX, serve_file, methods=["GET", "HEAD"]))
    return app


FILES_PREFIX = "/files/"


class _FilesRoute(Route):
    """Every path under ``/files/``, whatever characters its name holds."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http" or not scope["path"].startswith(FILES_PREFIX):
            return Match.NONE, {}
        child: Scope = {"endpoint": self.endpoint, "path_params": {}}
        if self.methods and scope["method"] not in self.methods:
            return Match.PARTIAL, child
        return Match.FULL, child


def _file_path(request: Request) -> str | None:
    """The requested path under /files/, from the raw request path: percent-escapes of
    bytes that are not UTF-8 stay those bytes (as ``str`` with surrogate escapes)."""
    raw = request.scope.get("raw_path")
    if not isinstance(raw, bytes):
        return request.scope["path"][len(FILES_PREFIX) :]  # type: ignore[no-any-return]
    raw = raw.split(b"?", 1)[0]
    if not raw.startswith(FILES_PREFIX.encode()):
        return None
    return os.fsdecode(unquote_to_bytes(raw[len(FILES_PREFIX) :]))


def _not_found() -> Response:
    return PlainTextResponse("Not Found", status_code=404)


def _min_rate(a: int | None, b: int | None) -> int | None:
    rates = [r for r in (a, b) if r is not None]
    return min(rates) if rates else None


def _early_fault(plan: FaultPlan, number: int) -> Response | None:
    """Faults that replace the whole answer: a forced status, 503 bursts, a login page."""
    if plan.status is not None:
        return PlainTextResponse(f"fault: status {plan.status}", status_code=plan.status)
    if number <= plan.fail:
        return PlainTextResponse(
            "Service Unavailable",
            status_code=503,
            headers={"Retry-After": str(plan.retry_after)},
        )
    if plan.html(number):
        return HTMLResponse(LOGIN_PAGE)
    return None


def _respond(
    request: Request,
    fd: int,
    info: FileInfo,
    plan: FaultPlan,
    pacing: Pacing,
    changed: ChangedReader | None,
    chunk_size: int,
) -> Response:
    method = request.method
    headers = {
        "ETag": info.etag,
        "Last-Modified": info.last_modified,
        "Accept-Ranges": "bytes",
    }
    request_headers = {k.lower(): v for k, v in request.headers.items()}
    verdict = evaluate_preconditions(request_headers, method, info.etag, info.mtime)
    if verdict is Precondition.NOT_MODIFIED:
        return Response(status_code=304, headers=headers)
    if verdict is Precondition.FAILED:
        return PlainTextResponse("Precondition Failed", status_code=412, headers=headers)

    headers["Content-Disposition"] = content_disposition(info.path.name)
    ranges: tuple[ByteRange, ...] | RangeVerdict = RangeVerdict.IGNORE
    range_header = request_headers.get("range")
    if method == "GET" and range_header is not None and not plan.ignore_range:
        if_range = request_headers.get("if-range")
        if if_range is None or if_range_matches(if_range, info.etag, info.last_modified):
            ranges = parse_range_header(range_header, info.size)

    if ranges is RangeVerdict.UNSATISFIABLE:
        headers["Content-Range"] = format_unsatisfied_content_range(info.size)
        return PlainTextResponse("Range Not Satisfiable", status_code=416, headers=headers)

    status = 200
    pieces: list[bytes | ByteRange]
    if isinstance(ranges, tuple) and len(ranges) == 1:
        status = 206
        headers["Content-Range"] = format_content_range(ranges[0], info.size)
        headers["Content-Type"] = info.content_type
        pieces = [ranges[0]]
    elif isinstance(ranges, tuple):
        status = 206
        boundary = secrets.token_hex(16)
        headers["Content-Type"] = f"multipart/byteranges; boundary={boundary}"
        pieces = _multipart_pieces(ranges, boundary, info)
    else:
        headers["Content-Type"] = info.content_type
        pieces = [ByteRange(0, info.size - 1)] if info.size else []

    if method == "HEAD":
        headers["Content-Length"] = str(
            sum(len(p) if isinstance(p, bytes) else p.length for p in pieces)
        )
        return Response(status_code=status, headers=headers)
    body = FileBody(
        fd, info.path.name, pieces, chunk_size=chunk_size, pacing=pacing, changed=changed
    )
    headers["Content-Length"] = str(body.length)
    return ClosingStreamingResponse(body, status, headers)


def _multipart_pieces(
    ranges: tuple[ByteRange, ...], boundary: str, info: FileInfo
) -> list[bytes | ByteRange]:
    pieces: list[bytes | ByteRange] = []
    for index, byte_range in enumerate(ranges):
        head = (
            ("\r\n" if index else "")
            + f"--{boundary}\r\n"
            + f"Content-Type: {info.content_type}\r\n"
            + f"Content-Range: {format_content_range(byte_range, info.size)}\r\n\r\n"
        )
        pieces += [head.encode("ascii"), byte_range]
    pieces.append(f"\r\n--{boundary}--\r\n".encode("ascii"))
    return pieces
