"""Where Rangeload keeps its data: platformdirs' user data dir, or ``RANGELOAD_DATA_DIR``.

The environment variable exists for tests and portable use; every caller that needs the
data dir receives it from here (or as an injected argument), never computes its own.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import platformdirs

from gui_app import APP_NAME

DATA_DIR_ENV = "RANGELOAD_DATA_DIR"


def data_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Return (and create) the directory for Rangeload's state."""
    env = os.environ if environ is None else environ
    override = env.get(DATA_DIR_ENV)
    path = Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def downloads_dir() -> Path:
    """The user's Downloads folder (the default destination)."""
    return Path(platformdirs.user_downloads_dir())
