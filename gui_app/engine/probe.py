"""What the first response of a download teaches: size, resumability, validators, name.

The probe is the first real GET (``Range: bytes=0-``, or the first missing range when
resuming), never a HEAD alone; its body is then used as the first connection's data.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from gui_app.engine.connection import check_range_response
from gui_app.engine.models import Validators
from gui_app.engine.naming import choose_filename

__all__ = ["ProbeResult", "read_probe"]


@dataclass(frozen=True, slots=True)
class ProbeResult:
    status: int
    size: int | None
    resumable: bool
    validators: Validators
    final_url: str
    content_type: str | None
    filename: str
    body_first: int  # the offset of the body's first byte


def read_probe(
    response: httpx.Response, url: str, first: int, last: int | None, known_size: int | None
) -> ProbeResult:
    """Interpret a 2xx answer to ``Range: bytes=first-last`` (``last`` None: open-ended).
    Error statuses were raised before."""
    headers = response.headers
    validators = Validators(headers.get("etag"), headers.get("last-modified"))
    content_type = headers.get("content-type")
    final_url = str(response.url)
    filename = choose_filename(headers.get("content-disposition"), final_url, url, content_type)
    if response.status_code == 206:
        parsed = check_range_response(response, first, last, known_size)
        return ProbeResult(
            206, parsed.total, parsed.total is not None, validators, final_url, content_type,
            filename, first,
        )  # fmt: skip
    length = headers.get("content-length")
    size = int(length) if length is not None and length.isdigit() else None
    if headers.get("content-encoding", "identity").lower() != "identity":
        size = None  # the length is of the encoded body, not of the file
    return ProbeResult(
        response.status_code, size, False, validators, final_url, content_type, filename, 0
    )
