"""Logging for every process of Rangeload: one format, and no credentials in any line.

``setup`` installs a filter on the root handler that redacts URLs' passwords and secret
query values and the values of Authorization and Cookie headers, whoever logs them
(our modules, httpx's request lines, tracebacks' messages).
"""

from __future__ import annotations

import logging

from gui_app.ground.urls import redact_text

__all__ = ["RedactingFilter", "setup"]


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact_text(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact_text(logging.Formatter().formatException(record.exc_info))
        return True


def setup(verbose: int) -> None:
    """Log to standard error at WARNING, INFO (``-v``) or DEBUG (``-vv``), redacted."""
    logging.basicConfig(
        level=logging.WARNING - 10 * min(verbose, 2),
        format="%(levelname)s %(name)s: %(message)s",
    )
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactingFilter())
