"""``rangeload get`` on a real terminal (tmux, 100 columns): one line per running
download, fitted to the width, redrawn in place. Before, one 200-character line wrapped
and left copies of itself on the screen."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.kit.files import make_file, sha256_of
from tests.kit.servers import serving
from tests.kit.waiting import wait_until

RANGELOAD = str(Path(sys.executable).with_name("rangeload"))
TMUX = shutil.which("tmux")
WIDTH = 100
LONG = "a-rather-long-file-name-that-says-what-the-archive-holds-in-many-words.bin"


@pytest.mark.skipif(TMUX is None, reason="needs tmux")
def test_progress_fits_the_terminal_one_line_a_download(tmp_path: Path) -> None:
    assert TMUX is not None
    served = tmp_path / "served"
    sources = [
        make_file(served / LONG, 3 << 20, seed=71),
        make_file(served / "small.bin", 3 << 20, seed=72),
    ]
    session = f"rl-{os.getpid()}"
    with serving(served, faults=True) as server:
        urls = " ".join(f"'{server.url}/files/{s.name}?rate=1M'" for s in sources)
        command = (
            f"RANGELOAD_DATA_DIR={tmp_path / 'data'} {RANGELOAD} get -c 1 "
            f"-d {tmp_path / 'out'} {urls}; sleep 30"
        )
        subprocess.run(
            [TMUX, "new-session", "-d", "-s", session, "-x", str(WIDTH), "-y", "20", command],
            check=True,
        )
        try:

            def capture() -> str:
                argv = [TMUX, "capture-pane", "-p", "-t", session]
                return subprocess.run(argv, capture_output=True, text=True, check=True).stdout

            # Sampled from the first progress line on: start-up is not what this measures,
            # and a fresh checkout's first start also compiles the package (CI showed an
            # empty screen 0.75 s after the command began, twice).
            wait_until(
                lambda: "small.bin" in capture(), 20, what=lambda: f"progress shown: {capture()!r}"
            )
            screens = []
            for _ in range(8):  # while both run, several redraws
                time.sleep(0.25)  # on purpose: the screen sampled as it redraws
                screens.append(capture())
            wait_until(
                lambda: all((tmp_path / "out" / s.name).exists() for s in sources),
                30,
                what="the downloads finished",
                interval=0.2,
            )
        finally:
            subprocess.run([TMUX, "kill-session", "-t", session], check=False)
    for screen in screens[2:]:
        lines = [line for line in screen.splitlines() if line.strip()]
        assert sum(LONG[:8] in line for line in lines) == 1, screen  # no copies, no wrap
        assert sum("small.bin" in line for line in lines) == 1, screen
        assert all(len(line) <= WIDTH for line in lines)
    for source in sources:
        assert sha256_of(tmp_path / "out" / source.name) == sha256_of(source)
