"""The PyInstaller bundle runs on its own: --version, serve, get, and the GUI offscreen."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from gui_app import __version__
from tests.kit.files import make_file, sha256_of

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_bundle_builds_and_runs(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DIST": str(tmp_path / "dist"),
        "WORK": str(tmp_path / "work"),
        "PYTHON": sys.executable,
    }
    subprocess.run(
        ["bash", str(ROOT / "packaging" / "build_bundle.sh")],
        env=env,
        check=True,
        capture_output=True,
    )
    binary = tmp_path / "dist" / "rangeload" / "rangeload"
    # Where gui_app.resources looks in a frozen app: sys._MEIPASS (PyInstaller 6: _internal/).
    frozen_resources = binary.parent / "_internal" / "resources" / "icons"
    assert (frozen_resources / "rangeload.svg").is_file()
    assert (frozen_resources / "actions" / "pause.svg").is_file()
    run_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    run_env.update(QT_QPA_PLATFORM="offscreen", RANGELOAD_DATA_DIR=str(tmp_path / "data"))
    version = subprocess.run(
        [str(binary), "--version"],
        env=run_env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert version.stdout.strip() == f"rangeload {__version__}"

    source = make_file(tmp_path / "served" / "file.bin", (3 << 20) + 5, seed=41)
    server = subprocess.Popen(
        [str(binary), "serve", str(source.parent), "--port", "0"],
        env=run_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        match = re.search(r"on (http://\S+?)/", server.stdout.readline())
        assert match, "serve printed no URL"
        url = match.group(1) + "/files/file.bin"
        ranged = httpx.get(url, headers={"Range": "bytes=10-19"})
        assert ranged.status_code == 206
        assert ranged.content == source.read_bytes()[10:20]
        out = tmp_path / "out"
        out.mkdir()
        subprocess.run(
            [str(binary), "get", "-q", "-d", str(out), url], env=run_env, check=True, timeout=60
        )
        assert sha256_of(out / "file.bin") == sha256_of(source)
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=10)

    gui = subprocess.Popen(
        [str(binary)], env=run_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        with pytest.raises(subprocess.TimeoutExpired):
            gui.wait(timeout=5)  # still running: the window is up, nothing crashed
    finally:
        gui.kill()
        _, err = gui.communicate()
    assert "Traceback" not in err
