"""Rangeload: a download manager that never loses progress and never writes a corrupt file.

The package splits into three rooms: ``engine`` (downloads, no Qt), ``server`` (the
bundled range-serving peer, no Qt) and ``ui`` (PySide6). ``cli`` is the one entry point.
"""

__version__ = "0.1.0"

APP_NAME = "Rangeload"
APP_ID = "io.github.rangeload.Rangeload"

__all__ = ["APP_ID", "APP_NAME", "__version__"]
