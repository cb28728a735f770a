"""Registering the native messaging host with the browsers: ``rangeload browser install``.

Each browser reads host manifests from folders of its own (checked on Debian: Chromium
reads ``~/.config/chromium/NativeMessagingHosts/``; Firefox ESR reads
``~/.mozilla/native-messaging-hosts/``, not ``~/.config/mozilla``). A manifest names the
host, an absolute path to run, and which extension may start it: ``allowed_origins`` (a
fixed Chromium extension ID) or ``allowed_extensions`` (a fixed Gecko ID), so no web page
and no other extension can reach the host. Browsers pass their own arguments to that
path, so it is a small launcher that runs ``rangeload native-host`` as this install does.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import json
import shlex
import zipfile
from dataclasses import dataclass
from pathlib import Path

from gui_app.ground import paths
from gui_app.ground.program import rangeload_command

__all__ = [
    "BROWSERS",
    "CHROMIUM_EXTENSION_ID",
    "CHROMIUM_PUBLIC_KEY",
    "GECKO_EXTENSION_ID",
    "HOST_NAME",
    "Browser",
    "Family",
    "Status",
    "chromium_id",
    "extension_folder",
    "install",
    "launcher_path",
    "pack",
    "status",
    "uninstall",
]

HOST_NAME = "io.github.rangeload.rangeload"
# The extension's fixed IDs. Chromium derives an unpacked extension's ID from the public
# key in its manifest's "key" (the first 128 bits of its SHA-256, as letters a to p); the
# private key is not needed to load it, and the stores sign with their own.
CHROMIUM_PUBLIC_KEY = (
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAjQLX/XHzdlOCKCsvf17N027D7Xorm1G4rP4GK0pN9VEn"
    "VHue3iVIQ2UhZfvnbCSTfrBh/BmDYzP2/JS2p+xqrv23rsnO+9YvyfKEblFTsyheh3IjBITVaJZvQe1W+LeNJru5"
    "xe6EcFaXKQwMMPj+kNOyfaNotkW9JONmoa7K6O8lCSE9HZqQ7ld9991G05X42xY7sspo6nsfCL2IvT5Jm7dD+pCs"
    "rDCcm2ugyb2j/lJ1RZGqglRxBS+jo4EZdsFpKPPjKfsMrg0SNZE3TE+YEb2MWog9iT1iSlTFPWE/VJlIlQDYVfPo"
    "vsY5o8e8KQT+h5PqhL+MqHvCxOjfWwVOaQIDAQAB"
)
CHROMIUM_EXTENSION_ID = "mfhegmamhjlgabpjlnkbfbcbidmcdaim"
GECKO_EXTENSION_ID = "browser@rangeload.github.io"


class Family(enum.Enum):
    CHROMIUM = "chromium"
    FIREFOX = "firefox"


@dataclass(frozen=True)
class Browser:
    key: str  # what --browser takes
    name: str
    family: Family
    config: str  # the browser's per-user folder, relative to $HOME
    hosts: str  # where it reads host manifests, relative to $HOME
    always: bool = False  # written even when the browser's folder does not exist yet


BROWSERS = (
    Browser(
        "chromium",
        "Chromium",
        Family.CHROMIUM,
        ".config/chromium",
        ".config/chromium/NativeMessagingHosts",
        always=True,
    ),
    Browser(
        "firefox",
        "Firefox",
        Family.FIREFOX,
        ".mozilla",
        ".mozilla/native-messaging-hosts",
        always=True,
    ),
    Browser(
        "chrome",
        "Google Chrome",
        Family.CHROMIUM,
        ".config/google-chrome",
        ".config/google-chrome/NativeMessagingHosts",
    ),
    Browser(
        "brave",
        "Brave",
        Family.CHROMIUM,
        ".config/BraveSoftware/Brave-Browser",
        ".config/BraveSoftware/Brave-Browser/NativeMessagingHosts",
    ),
    Browser(
        "vivaldi",
        "Vivaldi",
        Family.CHROMIUM,
        ".config/vivaldi",
        ".config/vivaldi/NativeMessagingHosts",
    ),
    Browser(
        "edge",
        "Microsoft Edge",
        Family.CHROMIUM,
        ".config/microsoft-edge",
        ".config/microsoft-edge/NativeMessagingHosts",
    ),
    Browser(
        "opera", "Opera", Family.CHROMIUM, ".config/opera", ".config/opera/NativeMessagingHosts"
    ),
)


class Status(enum.Enum):
    INSTALLED = "installed"
    NOT_INSTALLED = "not installed"
    STALE = "installed, but for another Rangeload"  # its launcher is missing or elsewhere
    NO_BROWSER = "browser not found"


def chromium_id(public_key: str) -> str:
    """The extension ID Chromium gives a manifest ``key``."""
    digest = hashlib.sha256(base64.b64decode(public_key)).hexdigest()[:32]
    return "".join(chr(ord("a") + int(c, 16)) for c in digest)


def extension_folder() -> Path:
    """The extension's source, as it loads unpacked (in a checkout, a wheel or a bundle)."""
    from gui_app.resources import resource_path

    return resource_path("browser-extension", "manifest.json").parent


def pack(out: Path) -> list[Path]:
    """The extension's archives: a zip for the Chrome Web Store and an .xpi for Firefox's
    add-ons site (the same files; each store signs its own)."""
    out.mkdir(parents=True, exist_ok=True)
    folder = extension_folder()
    version = json.loads((folder / "manifest.json").read_text())["version"]
    archives = [out / f"rangeload-chromium-{version}.zip", out / f"rangeload-firefox-{version}.xpi"]
    for archive in archives:
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as packed:
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    packed.write(path, path.relative_to(folder).as_posix())
    return archives


def launcher_path() -> Path:
    return paths.data_dir() / "native-host"


def _launcher_text() -> str:
    """A shell script that runs this Rangeload's host, whatever the browser passes."""
    command = rangeload_command("native-host")
    return (
        "#!/bin/sh\n# Written by rangeload browser install.\nexec "
        + " ".join(shlex.quote(part) for part in command)
        + ' "$@"\n'
    )


def manifest(browser: Browser, launcher: Path) -> dict[str, object]:
    body: dict[str, object] = {
        "name": HOST_NAME,
        "description": "Rangeload: hands the browser's downloads to the download manager",
        "path": str(launcher),
        "type": "stdio",
    }
    if browser.family is Family.CHROMIUM:
        body["allowed_origins"] = [f"chrome-extension://{CHROMIUM_EXTENSION_ID}/"]
    else:
        body["allowed_extensions"] = [GECKO_EXTENSION_ID]
    return body


def _manifest_path(browser: Browser, home: Path) -> Path:
    return home / browser.hosts / f"{HOST_NAME}.json"


def _chosen(keys: list[str] | None) -> tuple[Browser, ...]:
    if not keys:
        return BROWSERS
    known = {b.key: b for b in BROWSERS}
    unknown = [k for k in keys if k not in known]
    if unknown:
        raise ValueError(f"unknown browser {unknown[0]!r}; one of: {', '.join(known)}")
    return tuple(known[k] for k in keys)


def install(home: Path, keys: list[str] | None = None) -> dict[Browser, Path | None]:
    """Write the launcher and each chosen browser's manifest; where each went (None: the
    browser is not on this machine, and was not asked for by name)."""
    launcher = launcher_path()
    launcher.write_text(_launcher_text())
    launcher.chmod(0o755)
    written: dict[Browser, Path | None] = {}
    for browser in _chosen(keys):
        if not (browser.always or keys or (home / browser.config).is_dir()):
            written[browser] = None
            continue
        target = _manifest_path(browser, home)
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_suffix(".tmp")
        temporary.write_text(json.dumps(manifest(browser, launcher), indent=2) + "\n")
        temporary.replace(target)
        written[browser] = target
    return written


def uninstall(home: Path, keys: list[str] | None = None) -> list[Path]:
    """Remove the manifests this install wrote for ``keys`` (all browsers when None, and
    then the launcher too)."""
    removed = []
    for browser in _chosen(keys):
        target = _manifest_path(browser, home)
        if target.exists():
            target.unlink()
            removed.append(target)
    if not keys:
        launcher_path().unlink(missing_ok=True)
    return removed


def status(home: Path) -> dict[Browser, Status]:
    launcher = launcher_path()
    found: dict[Browser, Status] = {}
    for browser in BROWSERS:
        target = _manifest_path(browser, home)
        if not target.exists():
            present = (home / browser.config).is_dir()
            found[browser] = (
                Status.NOT_INSTALLED if present or browser.always else Status.NO_BROWSER
            )
            continue
        try:
            points_to = Path(json.loads(target.read_text())["path"])
        except (OSError, ValueError, KeyError, TypeError):
            found[browser] = Status.STALE
            continue
        ours = points_to == launcher and launcher.exists()
        found[browser] = Status.INSTALLED if ours else Status.STALE
    return found
