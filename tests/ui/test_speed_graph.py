"""The speed graphs: history kept for the last minutes only, drawn in the palette's
colours on light and dark desktops, and fed while a real download runs (the selected
one's in the details pane, the total in the status bar)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage, QPalette
from pytestqt.qtbot import QtBot

from gui_app.ui.main_window import MainWindow
from gui_app.ui.speed_graph import TOTAL, SpeedGraph, SpeedHistory
from tests.engine.conftest import DataUrl
from tests.ui.rows import assert_row_completes


def test_history_keeps_the_last_minutes_and_forgets_the_gone() -> None:
    history = SpeedHistory(window=10)
    for second in range(30):
        history.add(1, float(second), 100.0 * second)
        history.add(2, float(second), 1.0)
        history.add(TOTAL, float(second), 5.0)
    assert [at for at, _ in history.series(1)] == [float(s) for s in range(19, 30)]
    history.forget({1})
    assert history.series(2) == []
    assert history.series(TOTAL)  # the total is never forgotten


def near(a: QColor, b: QColor, slack: int = 40) -> bool:
    return all(
        abs(x - y) <= slack
        for x, y in ((a.red(), b.red()), (a.green(), b.green()), (a.blue(), b.blue()))
    )


@pytest.mark.parametrize(
    ("base", "line"), [("#ffffff", "#2a6fdb"), ("#1e1e1e", "#f0a030")], ids=["light", "dark"]
)
def test_the_graph_draws_in_the_palettes_colours(qtbot: QtBot, base: str, line: str) -> None:
    samples = [(float(t), float(t % 7) * 1000) for t in range(0, 300, 2)]
    graph = SpeedGraph(lambda: samples, lambda: 300.0)
    palette = graph.palette()
    palette.setColor(QPalette.ColorRole.Base, QColor(base))
    palette.setColor(QPalette.ColorRole.Highlight, QColor(line))
    palette.setColor(QPalette.ColorRole.Text, QColor("#808080"))
    graph.setPalette(palette)
    graph.resize(300, 60)
    qtbot.addWidget(graph)
    image: QImage = graph.grab().toImage()
    colours = [image.pixelColor(x, y) for x in range(0, 300, 3) for y in range(20, 60, 2)]
    assert any(near(c, QColor(line)) for c in colours)  # the line
    assert any(near(c, QColor(base), 2) for c in colours)  # the background
    empty = SpeedGraph(lambda: [], lambda: 0.0)
    empty.setPalette(palette)
    empty.resize(300, 60)
    qtbot.addWidget(empty)
    blank = empty.grab().toImage()
    assert not any(near(blank.pixelColor(x, 45), QColor(line)) for x in range(0, 300, 3))


def test_a_running_download_feeds_its_graph_and_the_total(
    qtbot: QtBot, window: MainWindow, data_url: DataUrl, source: Path
) -> None:
    window.links.add_urls([data_url("&rate=256K")])  # each connection: about 3 s in all
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=5000)
    window.view.selectRow(0)
    download_id = window.model.snapshot_at(0).id
    qtbot.waitUntil(
        lambda: len([s for _, s in window.speeds.series(download_id) if s > 0]) >= 2, timeout=10_000
    )
    assert window.details.graph.isVisible()
    assert any(speed > 0 for _, speed in window.speeds.series(TOTAL))
    assert_row_completes(qtbot, window, source)
