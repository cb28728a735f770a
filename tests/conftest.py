"""Shared test set-up: every test gets its own data dir, and Qt runs offscreen."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# No test touches the keyring of the desktop it runs on: the ones that need a keyring
# start their own (tests/kit/keyrings.py) and say so.
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh RANGELOAD_DATA_DIR for each test, so no test touches the user's state."""
    path = tmp_path / "data"
    path.mkdir()
    monkeypatch.setenv("RANGELOAD_DATA_DIR", str(path))
    return path
