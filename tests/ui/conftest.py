"""UI tests run the real engine against the real bundled server, offscreen."""

from __future__ import annotations

from tests.engine.conftest import manager, server, source

__all__ = ["manager", "server", "source"]
