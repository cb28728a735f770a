"""Child processes in the tests: whether one has ended, and ending the group one leads."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path


def process_ended(pid: int) -> bool:
    """True when ``pid`` is gone, or a zombie left for a reaper that is not us (Linux)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


def stop_group(
    proc: subprocess.Popen[bytes] | subprocess.Popen[str], timeout: float = 10.0
) -> None:
    """End the process group ``proc`` leads (started with ``start_new_session``): SIGTERM,
    then SIGKILL if it is still there after ``timeout``."""
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
