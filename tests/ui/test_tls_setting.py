"""The app's "CA certificates file" setting reaches its engine process: a server whose
certificate only a private CA signs is refused in plain words without it, and its file
arrives SHA-256 equal once the setting names the CA, at start and when changed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from gui_app.app.settings import Settings
from gui_app.engine.api.models import DownloadRequest, DownloadState
from gui_app.engine.api.record import DownloadSnapshot
from gui_app.engine.process.remote import RemoteEngine
from gui_app.ui.app import create_manager
from gui_app.ui.settings_dialog import SettingsDialog
from tests.kit.files import make_file, sha256_bytes, sha256_of
from tests.kit.hostile import Out, Request, hostile_server, serve_file
from tests.kit.tls import PrivateCA
from tests.kit.waiting import wait_until
from tests.ui.conftest import shown_window

REFUSED = "is signed by an authority that is not trusted"


@pytest.fixture
def data(tmp_path: Path) -> bytes:
    (tmp_path / "out").mkdir()
    return make_file(tmp_path / "t.bin", (1 << 20) + 77, seed=9).read_bytes()


@pytest.fixture
def ca(tmp_path: Path) -> PrivateCA:
    (tmp_path / "ca").mkdir()
    return PrivateCA(tmp_path / "ca")


@pytest.fixture
def served(ca: PrivateCA, data: bytes) -> Iterator[str]:
    def honest(asked: Request, out: Out) -> None:
        serve_file(asked, out, data)

    with hostile_server(honest, tls=ca.context("good")) as server:
        yield f"{server.url}/t.bin"


def ended(engine: RemoteEngine, download_id: int) -> DownloadSnapshot:
    def end() -> DownloadSnapshot | None:
        snapshot = engine.get(download_id)
        assert snapshot is not None, "removed"
        return (
            snapshot if snapshot.state in (DownloadState.COMPLETED, DownloadState.FAILED) else None
        )

    return wait_until(end, 30, what=lambda: f"ended: {engine.get(download_id)}")


def test_the_setting_given_at_start_trusts_the_private_ca(
    data_dir: Path, tmp_path: Path, ca: PrivateCA, data: bytes, served: str
) -> None:
    engine = create_manager(Settings(download_dir=tmp_path, ca_file=ca.ca_file))
    try:
        engine.start()
        got = ended(engine, engine.add(DownloadRequest(served, tmp_path / "out")))
    finally:
        engine.shutdown()
    assert got.state is DownloadState.COMPLETED, got.record.error
    assert sha256_of(tmp_path / "out" / "t.bin") == sha256_bytes(data)


def test_without_it_a_plain_refusal_and_with_it_changed_the_file(
    qtbot: QtBot, data_dir: Path, tmp_path: Path, ca: PrivateCA, data: bytes, served: str
) -> None:
    engine = create_manager(Settings(download_dir=tmp_path))
    try:
        engine.start()
        with shown_window(qtbot, engine, tmp_path / "out") as window:
            download_id = engine.add(DownloadRequest(served, tmp_path / "out"))
            refused = ended(engine, download_id)
            assert refused.state is DownloadState.FAILED
            host = served.split("/")[2]
            assert refused.record.error is not None
            assert f"the certificate of {host} {REFUSED}" in refused.record.error
            for word in ("SSL", "Error", "internal error", "Traceback"):
                assert word not in refused.record.error
            dialog = SettingsDialog(window.settings)
            qtbot.addWidget(dialog)
            dialog.ca_file.setText(str(tmp_path / "missing.pem"))
            assert dialog.problem.text() == "CA certificates file: no such file"
            dialog.ca_file.setText(str(ca.ca_file))
            assert dialog.problem.isHidden()
            window.apply_settings(dialog.settings(), save=False)
            engine.retry(download_id)
            got = ended(engine, download_id)
    finally:
        engine.shutdown()
    assert got.state is DownloadState.COMPLETED, got.record.error
    assert sha256_of(tmp_path / "out" / "t.bin") == sha256_bytes(data)
