"""The app's settings: one frozen value, saved as JSON in the engine's store and applied
at once to the manager, the window and the tray."""

from __future__ import annotations

import enum
import json
import logging
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime, time
from pathlib import Path
from typing import Any

from gui_app.app.categories import DEFAULT_CATEGORIES
from gui_app.app.schedule import Schedule
from gui_app.engine import (
    Category,
    CategoryFolders,
    InvalidURLError,
    ProxySettings,
    Store,
    TlsSettings,
    check_connections,
)

__all__ = ["SETTINGS_KEY", "ProxyMode", "Settings"]

log = logging.getLogger(__name__)
SETTINGS_KEY = "app.settings"


class ProxyMode(enum.Enum):
    NONE = "none"
    SYSTEM = "system"  # the environment's http_proxy, https_proxy, all_proxy, no_proxy
    MANUAL = "manual"


@dataclass(frozen=True, slots=True)
class Settings:
    download_dir: Path
    max_concurrent: int = 3
    connections: int = 8
    speed_limit: int | None = None  # bytes per second; None = unlimited
    notifications: bool = True
    close_to_tray: bool = False
    resume_on_start: bool = True
    ask_before_adding: bool = False  # links from other programs open the Add dialog first
    watch_clipboard: bool = False  # offer links copied anywhere on the desktop
    proxy_mode: ProxyMode = ProxyMode.SYSTEM
    proxy_url: str = ""  # MANUAL's proxy, credentials included (the store is the owner's)
    slow_mode: bool = False  # the toolbar's snail: the global limit is slow_limit
    slow_limit: int = 100 * 1024  # bytes per second while slow_mode is on
    schedule: Schedule | None = None  # None: the queue runs whenever there is work
    categories: tuple[Category, ...] = DEFAULT_CATEGORIES
    sort_into_folders: bool = True  # each category's downloads in its own folder
    ca_file: Path | None = None  # trust only this file's CAs; None: the system's store

    def __post_init__(self) -> None:
        if self.proxy_mode is ProxyMode.MANUAL:
            try:
                ProxySettings.manual(self.proxy_url, "proxy")
            except InvalidURLError as error:
                raise ValueError(str(error)) from None
        if not 1 <= self.max_concurrent <= 50:
            raise ValueError("maximum concurrent downloads must be 1 to 50")
        check_connections(self.connections)
        if self.speed_limit is not None and self.speed_limit < 1:
            raise ValueError("the speed limit must be at least 1 byte/s")
        if self.slow_limit < 1:
            raise ValueError("the slow mode's limit must be at least 1 byte/s")

    @classmethod
    def load(cls, store: Store, default_dir: Path) -> Settings:
        """The saved settings, or the defaults; a damaged value is logged and ignored."""
        text = store.get_setting(SETTINGS_KEY)
        settings = cls(download_dir=default_dir)
        if not text:
            return settings
        try:
            data: dict[str, Any] = json.loads(text)
            known = {f.name for f in fields(cls)}
            values = {k: v for k, v in data.items() if k in known}
            if "download_dir" in values:
                values["download_dir"] = Path(values["download_dir"])
            if values.get("ca_file"):
                values["ca_file"] = Path(values["ca_file"])
            if "proxy_mode" in values:
                values["proxy_mode"] = ProxyMode(values["proxy_mode"])
            if values.get("schedule"):
                values["schedule"] = _load_schedule(values["schedule"])
            if "categories" in values:
                values["categories"] = _load_categories(values["categories"])
            return replace(settings, **values)
        except (ValueError, TypeError, KeyError) as error:
            log.warning("saved settings could not be read (%s); using the defaults", error)
            return settings

    @property
    def category_folders(self) -> CategoryFolders | None:
        """Where new downloads go by category, when sorting into folders is on."""
        if not self.sort_into_folders:
            return None
        return CategoryFolders(self.download_dir, self.categories)

    @property
    def global_limit(self) -> int | None:
        """The limit in force for all downloads together: slow mode's, else the limit."""
        return self.slow_limit if self.slow_mode else self.speed_limit

    def global_limit_at(self, now: datetime) -> int | None:
        """The limit at ``now``: slow mode's, else the schedule's inside its hours, else
        the limit."""
        schedule = self.schedule
        if not self.slow_mode and schedule and schedule.speed_limit and schedule.is_open(now):
            return schedule.speed_limit
        return self.global_limit

    def proxies(self, environ: Mapping[str, str]) -> ProxySettings:
        """The proxies of downloads that follow the setting; ``environ`` for SYSTEM."""
        match self.proxy_mode:
            case ProxyMode.MANUAL:
                return ProxySettings.manual(self.proxy_url, "proxy")
            case ProxyMode.SYSTEM:
                try:
                    return ProxySettings.from_environment(environ)
                except InvalidURLError as error:
                    log.warning("the environment's proxy is ignored: %s", error)
                    return ProxySettings()
        return ProxySettings()

    @property
    def tls(self) -> TlsSettings:
        """The certificates downloads trust: the CA file's, else the system's store."""
        return TlsSettings(ca_file=self.ca_file)

    def save(self, store: Store) -> None:
        data = asdict(self)
        data["download_dir"] = str(self.download_dir)
        data["proxy_mode"] = self.proxy_mode.value
        data["ca_file"] = None if self.ca_file is None else str(self.ca_file)
        data["schedule"] = None if self.schedule is None else _dump_schedule(self.schedule)
        store.set_setting(SETTINGS_KEY, json.dumps(data, sort_keys=True))


def _dump_schedule(schedule: Schedule) -> dict[str, Any]:
    return {
        "start": schedule.start.strftime("%H:%M"),
        "stop": schedule.stop.strftime("%H:%M"),
        "days": sorted(schedule.days),
        "speed_limit": schedule.speed_limit,
    }


def _load_schedule(data: dict[str, Any]) -> Schedule:
    return Schedule(
        time.fromisoformat(data["start"]),
        time.fromisoformat(data["stop"]),
        frozenset(int(d) for d in data["days"]),
        data.get("speed_limit"),
    )


def _load_categories(saved: list[dict[str, Any]]) -> tuple[Category, ...]:
    """The saved categories; one that is no longer accepted (a name such as '..', a
    relative folder, saved by an older version) is left out and said in the log."""
    categories = []
    for c in saved:
        try:
            categories.append(
                Category(c["name"], tuple(c["extensions"]), tuple(c["patterns"]), c["folder"])
            )
        except ValueError as error:
            log.warning("a saved category was left out: %s", error)
    return tuple(categories)
