"""Background work for the window, with one path back to the GUI thread.

Engine calls write to the store or wait on the engine process, so the GUI thread never
makes them: ``CommandRunner.run(task, on_done, on_failed)`` runs ``task`` on one worker
thread (so commands keep their order) and calls ``on_done(result)`` or ``on_failed(error)``
on the GUI thread, as Anki's ``run_in_background`` does. A failure nobody handles is
logged and announced by ``command_failed``, never lost.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

__all__ = ["CommandRunner", "describe"]

log = logging.getLogger(__name__)

T = TypeVar("T")


def describe(task: Callable[..., object]) -> str:
    """A task's name in words: ``partial(engine.pause_all)`` -> "pause all"."""
    name = getattr(getattr(task, "func", task), "__name__", "command")
    return str(name).strip("_").replace("_", " ")


class CommandRunner(QObject):
    command_failed = Signal(str)  # "pause all failed: the engine process ended"
    _finished = Signal(object)  # a callable to run on the GUI thread

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rangeload-ui-cmd")
        self._finished.connect(self._on_finished)

    def run(
        self,
        task: Callable[[], T],
        on_done: Callable[[T], object] | None = None,
        on_failed: Callable[[Exception], object] | None = None,
    ) -> None:
        """Run ``task`` in the background; its outcome comes back on the GUI thread."""
        self._pool.submit(self._call, task, on_done, on_failed)

    def shutdown(self) -> None:
        """Finish the commands already asked for, then end the worker thread."""
        self._pool.shutdown(wait=True)

    def _call(
        self,
        task: Callable[[], Any],
        on_done: Callable[[Any], object] | None,
        on_failed: Callable[[Exception], object] | None,
    ) -> None:
        """On the worker thread."""
        try:
            result = task()
        except Exception as error:
            log.warning("%s failed: %s", describe(task), error)
            if on_failed is not None:
                self._finished.emit(partial(on_failed, error))
            else:
                self.command_failed.emit(f"{describe(task)} failed: {error}")
            return
        if on_done is not None:
            self._finished.emit(partial(on_done, result))

    def _on_finished(self, callback: Callable[[], object]) -> None:
        callback()
