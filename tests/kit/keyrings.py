"""A real Secret Service for tests: gnome-keyring in a private D-Bus session, its keyrings
in a temporary home, unlocked with a throwaway password. Never the desktop's own."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection

from tests.kit.processes import stop_group
from tests.kit.waiting import wait_until

__all__ = ["GNOME_KEYRING", "secret_service"]

GNOME_KEYRING = shutil.which("gnome-keyring-daemon")
DBUS_DAEMON = shutil.which("dbus-daemon")


SECRETS = "org.freedesktop.secrets"


def _owned(address: str, name: str) -> bool:
    with open_dbus_connection(bus=address) as connection:
        reply = connection.send_and_get_reply(message_bus.NameHasOwner(name))
        return bool(reply.body[0])


@contextlib.contextmanager
def secret_service(home: Path) -> Iterator[dict[str, str]]:
    """The environment of a process that sees only this keyring (and no other bus)."""
    assert GNOME_KEYRING is not None
    assert DBUS_DAEMON is not None
    home.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "PYTHON_KEYRING_BACKEND"}
    env |= {
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_RUNTIME_DIR": str(home / "run"),
        "XDG_CONFIG_HOME": str(home / "config"),
    }
    (home / "run").mkdir(mode=0o700, exist_ok=True)
    bus = subprocess.Popen(
        [DBUS_DAEMON, "--session", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )
    try:
        assert bus.stdout is not None
        env["DBUS_SESSION_BUS_ADDRESS"] = bus.stdout.readline().strip()
        keyring = subprocess.run(
            [GNOME_KEYRING, "--unlock", "--components=secrets"],
            input="throwaway",
            capture_output=True,
            text=True,
            env=env,
            timeout=20,
            check=True,
        )
        for line in keyring.stdout.splitlines():
            name, _, value = line.partition("=")
            if name and value:
                env[name] = value
        # The daemon claims its bus name just after it answers.
        address = env["DBUS_SESSION_BUS_ADDRESS"]
        wait_until(lambda: _owned(address, SECRETS), 10, what=f"{SECRETS} on the private bus")
        yield env
    finally:
        stop_group(bus)  # the keyring daemon ends with its bus
        if bus.stdout is not None:
            bus.stdout.close()
