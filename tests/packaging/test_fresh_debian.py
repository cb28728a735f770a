"""The README's first command on a fresh Debian: a minimal root (``mmdebstrap --variant=
minbase bookworm``) gets only what that command installs, then runs it (the app's demo)
on an Xvfb display of this machine. Qt's xcb plugin must find every library it links,
and the window must appear. Slow (about a minute); needs root, mmdebstrap and Xvfb."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.kit.processes import stop_group
from tests.kit.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
HOST_CERTS = "/etc/host-ca-certificates.crt"
TOOLS = ("mmdebstrap", "Xvfb", "xwininfo", "chroot", "mount")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.geteuid() != 0, reason="a chroot needs root"),
    pytest.mark.skipif(not all(shutil.which(t) for t in TOOLS), reason=f"needs {', '.join(TOOLS)}"),
    pytest.mark.timeout(900),
]


def first_command() -> str:
    """The README's first command, as root types it (without ``sudo``)."""
    text = (ROOT / "README.md").read_text()
    block = re.search(r"```sh\n(.*?)\n", text)
    assert block is not None, "the README opens with a sh block"
    return block.group(1).replace("sudo ", "")


# A newcomer's plain environment, not this machine's (whose settings name its own files).
ENV = {
    "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
    "HOME": "/root",
    "LANG": "C.UTF-8",
    "DEBIAN_FRONTEND": "noninteractive",
    **dict.fromkeys(("PIP_CERT", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"), HOST_CERTS),
}


def run_in(root: Path, script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["chroot", str(root), "bash", "-c", script],
        text=True,
        capture_output=True,
        env=ENV,
        check=False,
    )


@contextlib.contextmanager
def minimal_debian(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "debian"
    subprocess.run(
        ["mmdebstrap", "--quiet", "--variant=minbase", "bookworm", str(root)], check=True
    )
    # This machine's name servers and certificates (a registry's proxy may sign with its
    # own), the latter beside Debian's bundle, which installing ca-certificates rewrites.
    shutil.copy("/etc/resolv.conf", root / "etc/resolv.conf")
    shutil.copy(ssl.get_default_verify_paths().cafile or "", root / HOST_CERTS.lstrip("/"))
    mounts = [root / "proc", root / "dev", root / "tmp/.X11-unix"]
    (root / "tmp/.X11-unix").mkdir(parents=True, exist_ok=True)
    sockets = Path("/tmp/.X11-unix")  # absent on a fresh machine until an X server runs
    if not sockets.is_dir():
        sockets.mkdir(exist_ok=True)
        sockets.chmod(0o1777)
    subprocess.run(["mount", "-t", "proc", "proc", str(mounts[0])], check=True)
    subprocess.run(["mount", "--rbind", "/dev", str(mounts[1])], check=True)
    subprocess.run(["mount", "--bind", "/tmp/.X11-unix", str(mounts[2])], check=True)
    try:
        yield root
    finally:
        for mount in reversed(mounts):
            subprocess.run(["umount", "-R", "-l", str(mount)], check=False)


@contextlib.contextmanager
def xvfb() -> Iterator[str]:
    number = next(n for n in range(120, 200) if not Path(f"/tmp/.X11-unix/X{n}").exists())
    server = subprocess.Popen(
        ["Xvfb", f":{number}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(Path(f"/tmp/.X11-unix/X{number}").exists, 10, what="Xvfb's socket")
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(10)


def window_named(display: str, name: str) -> bool:
    tree = subprocess.run(
        ["xwininfo", "-root", "-tree"],
        capture_output=True,
        text=True,
        env=dict(os.environ, DISPLAY=display),
        check=False,
    ).stdout
    return re.search(rf'"{name}": \("rangeload"', tree) is not None


def test_the_readme_first_command_shows_the_window(tmp_path: Path) -> None:
    command = first_command()
    # Everything before the app starts: the packages, the virtualenv, the install.
    install, _, start = command.rpartition(" && ")
    assert start == ".venv/bin/rangeload demo"
    with minimal_debian(tmp_path) as root, xvfb() as display:
        shutil.copytree(ROOT, root / "proj", ignore=shutil.ignore_patterns(".venv", ".git"))
        setup = run_in(root, f"cd /proj && {install}")
        assert setup.returncode == 0, setup.stdout[-3000:] + setup.stderr[-3000:]
        missing = run_in(
            root,
            "ldd /proj/.venv/lib/python3*/site-packages/PySide6/Qt/plugins/platforms/"
            "libqxcb.so | grep 'not found' || true",
        )
        assert missing.stdout == "", f"the xcb plugin lacks:\n{missing.stdout}"
        log = tmp_path / "app.log"
        with log.open("wb") as out:
            app = subprocess.Popen(
                ["chroot", str(root), "bash", "-c", f"cd /proj && exec {start}"],
                env=ENV | {"DISPLAY": display},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:

            def shown() -> bool:
                assert app.poll() is None, f"the app ended: {log.read_text()[-3000:]}"
                return window_named(display, "Rangeload")

            wait_until(shown, 60, what="a Rangeload window", interval=0.2)
        finally:
            stop_group(app, 20)
