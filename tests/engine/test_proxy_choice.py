"""A download's own proxy choice over the manager's setting: no proxy, a given proxy (real
tinyproxy and microsocks), or the setting, which ``set_proxies`` changes for the next
run; the proxy's log shows which downloads it carried, and every file ends SHA-256 equal."""

from __future__ import annotations

from pathlib import Path

import pytest

from gui_app.engine.api.errors import InvalidURLError
from gui_app.engine.api.models import DIRECT, DownloadRequest, DownloadState
from gui_app.engine.api.proxies import ProxySettings
from gui_app.engine.api.retry import Backoff
from tests.bench.peers import free_port
from tests.engine.conftest import DataUrl, Managers
from tests.kit.files import sha256_of
from tests.kit.proxies import MICROSOCKS, TINYPROXY, microsocks, tinyproxy


@pytest.mark.skipif(TINYPROXY is None or MICROSOCKS is None, reason="needs Debian's proxies")
def test_each_download_goes_its_own_way(
    managers: Managers, data_url: DataUrl, source: Path, tmp_path: Path
) -> None:
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    manager = managers(
        proxies=ProxySettings.manual(dead), backoff=Backoff(base=0.05, cap=0.1, max_failures=2)
    )
    with tinyproxy(tmp_path) as (port, log), microsocks() as socks:
        ways = {
            "direct": DIRECT,
            "http": f"http://127.0.0.1:{port}",
            "socks": f"socks5h://127.0.0.1:{socks}",
            "setting": None,
            "dead-socks": f"socks5h://127.0.0.1:{free_port()}",
        }
        ids, urls = {}, {way: data_url() for way in ways}  # a key in each query
        for way, proxy in ways.items():
            (tmp_path / way).mkdir()
            ids[way] = manager.add(DownloadRequest(urls[way], tmp_path / way, proxy=proxy))
        assert manager.wait(list(ids.values()), timeout=60)
        failed = manager.get(ids["setting"])
        assert failed is not None
        assert failed.state is DownloadState.FAILED
        assert f"cannot reach the proxy {dead.removeprefix('http://')}" in (
            failed.record.error or ""
        )

        dead_socks = manager.get(ids.pop("dead-socks"))
        assert dead_socks is not None
        assert "cannot reach the proxy 127.0.0.1:" in (dead_socks.record.error or "")

        manager.set_proxies(ProxySettings())  # the setting is now "no proxy"
        manager.resume(ids["setting"])
        assert manager.wait([ids["setting"]], timeout=30)
        carried = log.read_text()
    for way, download_id in ids.items():
        snapshot = manager.get(download_id)
        assert snapshot is not None
        assert snapshot.state is DownloadState.COMPLETED, (way, snapshot.record.error)
        assert sha256_of(tmp_path / way / "data.bin") == sha256_of(source)
    key = {way: url.rpartition("key=")[2] for way, url in urls.items()}
    assert key["http"] in carried
    assert key["direct"] not in carried
    assert key["socks"] not in carried


def test_a_proxy_that_is_not_one_is_refused_when_added(
    managers: Managers, data_url: DataUrl, tmp_path: Path
) -> None:
    with pytest.raises(InvalidURLError, match="proxy: a proxy is http://, https://, socks5://"):
        managers().add(DownloadRequest(data_url(), tmp_path, proxy="ftp://127.0.0.1:21"))
