"""A real Secret Service for tests: gnome-keyring in a private D-Bus session, its keyrings
in a temporary home, unlocked with a throwaway password. Never the desktop's own."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

from tests.kit.processes import stop_group

__all__ = ["GNOME_KEYRING", "secret_service"]

GNOME_KEYRING = shutil.which("gnome-keyring-daemon")
DBUS_DAEMON = shutil.which("dbus-daemon")


@contextlib.contextmanager
def secret_service(home: Path) -> Iterator[dict[str, str]]:
    """The environment of a process that sees only this keyring (and no other bus)."""
    assert GNOME_KEYRING is not None
    assert DBUS_DAEMON is not None
    home.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "PYTHON_KEYRING_BACKEND"}
    env |= {"HOME": str(home), "XDG_DATA_HOME": str(home / "data"),
            "XDG_RUNTIME_DIR": str(home / "run"),
            "XDG_CONFIG_HOME": str(home / "config")}  # fmt: skip
    (home / "run").mkdir(mode=0o700, exist_ok=True)
    bus = subprocess.Popen([DBUS_DAEMON, "--session", "--nofork", "--print-address=1"],
                           stdout=subprocess.PIPE, text=True, env=env,
                           start_new_session=True)  # fmt: skip
    try:
        assert bus.stdout is not None
        env["DBUS_SESSION_BUS_ADDRESS"] = bus.stdout.readline().strip()
        keyring = subprocess.run([GNOME_KEYRING, "--unlock", "--components=secrets"],
                                 input="throwaway", capture_output=True, text=True, env=env,
                                 timeout=20, check=True)  # fmt: skip
        for line in keyring.stdout.splitlines():
            name, _, value = line.partition("=")
            if name and value:
                env[name] = value
        time.sleep(0.2)  # the daemon claims its bus name just after it answers
        yield env
    finally:
        stop_group(bus)  # the keyring daemon ends with its bus
        if bus.stdout is not None:
            bus.stdout.close()
