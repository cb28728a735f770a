"""``TlsSettings``, the certificates a manager trusts, as a value with no HTTP import: the
app's Settings make one for its engine process (see ``engine/http/tls.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["TlsSettings"]


@dataclass(frozen=True)
class TlsSettings:
    """A manager's trust: the system's store, or ``ca_file``'s CAs; none if not ``verify``."""

    ca_file: Path | None = None
    verify: bool = True
