"""Human units shared by the CLI, the server and the UI: rates like ``10M`` and byte counts.

Rates use binary multiples (``1K`` = 1024 bytes/s), as curl's ``--limit-rate`` and
aria2c's ``--max-download-limit`` do.
"""

from __future__ import annotations

import re

__all__ = ["format_bytes", "format_duration", "format_rate", "parse_rate"]

_RATE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?(?:/s)?\s*$", re.IGNORECASE)
_MULTIPLIERS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}


MAX_RATE = float(1 << 50)


def parse_rate(text: str) -> int:
    """Parse ``"500K"``, ``"10M"``, ``"1.5G"`` or ``"2048"`` into bytes per second (>= 1).

    Raises ValueError with a message naming the bad text.
    """
    match = _RATE.match(text)
    if match is None:
        raise ValueError(f"not a rate: {text!r} (expected a number with an optional K, M or G)")
    value = float(match.group(1)) * _MULTIPLIERS[match.group(2).lower()]
    if not value < MAX_RATE:  # also infinity, from 400 digits
        raise ValueError(f"rate too large: {text[:20]!r}... (at most 1 PiB/s)")
    if value < 1:
        raise ValueError(f"rate must be at least 1 byte/s: {text!r}")
    return int(value)


def format_bytes(count: float) -> str:
    """``1536`` -> ``"1.5 KiB"``; exact bytes below 1 KiB."""
    if count < 1024:
        return f"{int(count)} B"
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        count /= 1024
        if count < 1024 or unit == "TiB":
            return f"{count:.1f} {unit}"
    raise AssertionError("unreachable")


def format_rate(bytes_per_second: float) -> str:
    return f"{format_bytes(bytes_per_second)}/s"


def format_duration(seconds: float | None) -> str:
    """``3725`` -> ``"1h 02m"``; ``None`` (unknown) -> ``"--"``."""
    if seconds is None:
        return "--"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"
