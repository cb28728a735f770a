"""``--netrc``: the user's ``~/.netrc`` read as curl reads it. A file that others may read
is used anyway, with one warning line (curl checks nothing; Python's ``netrc`` refuses it
with "(None, line None)"); a malformed one is named by line and by what is wrong there,
never by the words on it, which may be a password."""

from __future__ import annotations

import netrc
import stat
from pathlib import Path

__all__ = ["NetrcError", "read_netrc"]

SHOWN_NAME = "~/.netrc"
TOO_OPEN = f"warning: {SHOWN_NAME} is readable by other users; chmod 600 it"


class NetrcError(ValueError):
    """A ``~/.netrc`` that cannot be read; the message names the line, never its words."""


def read_netrc(home: Path | None = None) -> tuple[netrc.netrc, str | None]:
    """The parsed file, and a warning to print when others may read it (else None)."""
    path = (home if home is not None else Path.home()) / ".netrc"
    try:
        mode = path.stat().st_mode
        # Given a file name, Python's netrc skips its own permission check.
        parsed = netrc.netrc(str(path))
    except netrc.NetrcParseError as error:
        what = _what_is_wrong(error.msg)
        raise NetrcError(f"{SHOWN_NAME}, line {error.lineno}: {what}") from None
    except OSError as error:
        raise NetrcError(f"{SHOWN_NAME}: {error.strerror or 'cannot be read'}") from None
    except UnicodeDecodeError:
        raise NetrcError(f"{SHOWN_NAME}: not a text file") from None
    warning = TOO_OPEN if mode & (stat.S_IRWXG | stat.S_IRWXO) else None
    return parsed, warning


def _what_is_wrong(message: str) -> str:
    """Python's message in words, without the token it quotes (it may be a password)."""
    if message.startswith("bad toplevel token"):
        return "expected machine, default or macdef"
    if message.startswith("missing"):
        return "a machine without a name"
    if message.startswith("bad follower token"):
        return "expected login, account or password after the machine's name"
    if message.startswith("Macro"):
        return "a macdef that is not ended by a blank line"
    return "not understood"
