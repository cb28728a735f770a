"""Files for the tests: deterministic pseudo-random contents of any size, and their
SHA-256 digests, so a test can prove a download is byte-for-byte its source."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path


def make_file(path: Path, size: int, seed: int = 0) -> Path:
    """Write ``size`` deterministic pseudo-random bytes to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    with path.open("wb") as out:
        remaining = size
        while remaining:
            n = min(remaining, 1 << 20)
            out.write(rng.randbytes(n))
            remaining -= n
    return path


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
