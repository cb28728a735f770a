"""HTTP Digest as RFC 7616 defines it, and nothing else: MD5, SHA-256, SHA-512-256 and
their ``-sess`` forms; qop ``auth``, ``auth-int`` (answerable for a request without a body:
H(entity-body) of b"", and a download's every request is a GET), or none (RFC 2069).

``parse_challenges`` reads every ``WWW-Authenticate`` value (quoted strings may hold
commas: ``qop="auth,auth-int"``). ``DigestAnswer`` answers one challenge, request after
request, with its nonce count (shared by every connection of a client, under a lock).
A challenge that cannot be answered raises ``UnanswerableError``, naming the scheme and
the parameter, at once: asking again would get the same challenge.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from dataclasses import dataclass

from gui_app.engine.api.errors import PermanentError
from gui_app.engine.api.models import Login

__all__ = ["Challenge", "DigestAnswer", "UnanswerableError", "parse_challenges"]

_HASHES = {"MD5": "md5", "SHA-256": "sha256", "SHA-512-256": "sha512_256"}
_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_PARAM = re.compile(rf'\s*({_TOKEN})\s*=\s*(?:"((?:[^"\\]|\\.)*)"|({_TOKEN}))\s*(?:,|$)')
_SCHEME = re.compile(rf"[\s,]*({_TOKEN})")
_TOKEN68 = re.compile(r"[ \t]+[A-Za-z0-9._~+/-]+=*[ \t]*(?:,|$)")


class UnanswerableError(PermanentError):
    """A challenge this client cannot answer; retrying gets the same one."""


@dataclass(frozen=True, slots=True)
class Challenge:
    """One challenge: its scheme (lower case) and its parameters (names lower case)."""

    scheme: str
    params: tuple[tuple[str, str], ...] = ()

    def get(self, name: str, default: str | None = None) -> str | None:
        for key, value in self.params:
            if key == name:
                return value
        return default


def parse_challenges(values: list[str]) -> list[Challenge]:
    """The challenges of ``WWW-Authenticate`` values, in the order sent (RFC 9110
    11.6.1): a scheme token, then auth-params or a token68 (skipped), or nothing."""
    challenges: list[Challenge] = []
    for value in values:
        at = 0
        while (scheme := _SCHEME.match(value, at)) is not None:
            at = scheme.end()
            params: list[tuple[str, str]] = []
            if value[at : at + 1] in (" ", "\t"):
                while (param := _PARAM.match(value, at)) is not None:
                    name, quoted, bare = param.groups()
                    text = re.sub(r"\\(.)", r"\1", quoted) if quoted is not None else bare
                    params.append((name.lower(), text))
                    at = param.end()
                if not params and (token68 := _TOKEN68.match(value, at)) is not None:
                    at = token68.end()
            challenges.append(Challenge(scheme.group(1).lower(), tuple(params)))
    return challenges


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class DigestAnswer:
    """Answers one Digest challenge for ``login``; ``authorization`` per request."""

    def __init__(self, challenge: Challenge, login: Login) -> None:
        algorithm = challenge.get("algorithm") or "MD5"
        base = algorithm.upper().removesuffix("-SESS")
        if base not in _HASHES:
            raise UnanswerableError(
                f"the server asks for Digest algorithm={algorithm}, which Rangeload cannot "
                "answer: only MD5, SHA-256 and SHA-512-256 (and their -sess forms)"
            )
        offered = [q.strip().lower() for q in (challenge.get("qop") or "").split(",")]
        offered = [q for q in offered if q]
        if offered and "auth" not in offered and "auth-int" not in offered:
            raise UnanswerableError(
                f"the server asks for Digest qop={','.join(offered)}, which Rangeload "
                "cannot answer: only auth and auth-int"
            )
        realm, nonce = challenge.get("realm"), challenge.get("nonce")
        if realm is None or not nonce:
            missing = "realm" if realm is None else "nonce"
            raise UnanswerableError(f"the server's Digest challenge has no {missing}")
        if (challenge.get("userhash") or "").lower() == "true":
            raise UnanswerableError(
                "the server asks for Digest userhash=true, which Rangeload cannot answer"
            )
        self._name = _HASHES[base]
        self._algorithm = algorithm
        self._session = algorithm.upper().endswith("-SESS")
        self._qop = ("auth" if "auth" in offered else "auth-int") if offered else None
        self._realm, self._nonce = realm, nonce
        self._opaque = challenge.get("opaque")
        self._login = login
        self._lock = threading.Lock()
        self._count = 0
        self._session_key: tuple[str, str] | None = None  # (cnonce, H(A1)) for -sess

    @property
    def strength(self) -> int:
        """Which of several offered challenges to answer: the stronger hash."""
        return list(_HASHES.values()).index(self._name)

    def _h(self, data: bytes) -> str:
        return hashlib.new(self._name, data).hexdigest()

    def authorization(self, method: str, uri: str) -> str:
        """The ``Authorization`` value for a request without a body."""
        with self._lock:
            self._count += 1
            count = self._count
            if self._session_key is None or not self._session:
                cnonce = os.urandom(8).hex()
                a1 = f"{self._login.user}:{self._realm}:{self._login.password}"
                ha1 = self._h(a1.encode())
                if self._session:
                    ha1 = self._h(f"{ha1}:{self._nonce}:{cnonce}".encode())
                self._session_key = (cnonce, ha1)
            cnonce, ha1 = self._session_key
        a2 = f"{method}:{uri}" + (f":{self._h(b'')}" if self._qop == "auth-int" else "")
        nc = f"{count:08x}"
        if self._qop is None:
            response = self._h(f"{ha1}:{self._nonce}:{self._h(a2.encode())}".encode())
        else:
            response = self._h(
                f"{ha1}:{self._nonce}:{nc}:{cnonce}:{self._qop}:{self._h(a2.encode())}".encode()
            )
        parts = [
            f"username={_quoted(self._login.user)}",
            f"realm={_quoted(self._realm)}",
            f"nonce={_quoted(self._nonce)}",
            f"uri={_quoted(uri)}",
            f"algorithm={self._algorithm}",
            f"response={_quoted(response)}",
        ]
        if self._opaque is not None:
            parts.append(f"opaque={_quoted(self._opaque)}")
        if self._qop is not None:
            parts += [f"qop={self._qop}", f"nc={nc}", f"cnonce={_quoted(cnonce)}"]
        elif self._session:
            parts.append(f"cnonce={_quoted(cnonce)}")
        return "Digest " + ", ".join(parts)
