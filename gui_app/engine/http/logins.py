"""HTTP authentication with a download's login, the way the server's challenge asks.

A login is never sent before a server asks for it: the first request to a site goes
without, and its 401's ``WWW-Authenticate`` picks Digest (preferred: the password never
crosses the wire) or Basic, through httpx's own ``DigestAuth`` and ``BasicAuth``. What a
site asked for is remembered for the client's life, so later range requests send Basic
at once (another login for the same site too) and answer Digest from the last challenge,
without a round trip each.
"""

from __future__ import annotations

import threading
from collections.abc import Generator

import httpx

from gui_app.engine.models import Login

__all__ = ["Logins", "challenge_schemes"]

_Origin = tuple[str, str, int | None]  # scheme, host, port
_Key = tuple[_Origin, Login]


def challenge_schemes(response: httpx.Response) -> list[str]:
    """The auth schemes a 401 offers, lower case, in the order sent (RFC 9110 11.6.1)."""
    schemes = []
    for value in response.headers.get_list("www-authenticate"):
        # Each challenge starts with a token; parameters follow as name=value pairs, and
        # a comma may also start the next challenge: a token not followed by '='.
        for part in value.split(","):
            token = part.strip().split(" ", 1)[0]
            if token and "=" not in token:
                schemes.append(token.lower())
    return schemes


class Logins:
    """Which scheme each (site, user) answered with; shared by every request of a client."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._known: dict[_Key, httpx.Auth] = {}
        self._basic: set[_Origin] = set()  # sites that asked for Basic: sent at once

    def auth(self, login: Login) -> httpx.Auth:
        return _ChallengedAuth(self, login)

    def known(self, key: _Key) -> httpx.Auth | None:
        with self._lock:
            auth = self._known.get(key)
            if auth is None and key[0] in self._basic:  # another login for a Basic site
                auth = self._known[key] = httpx.BasicAuth(key[1].user, key[1].password)
            return auth

    def note(self, response: httpx.Response) -> None:
        """A 401 no login answered: a Basic site gets the next login at once."""
        schemes = challenge_schemes(response)
        if "basic" in schemes and "digest" not in schemes:
            url = response.request.url
            with self._lock:
                self._basic.add((url.scheme, url.host, url.port))

    def remember(self, key: _Key, auth: httpx.Auth) -> None:
        with self._lock:
            self._known[key] = auth
            if isinstance(auth, httpx.BasicAuth):
                self._basic.add(key[0])


class _ChallengedAuth(httpx.Auth):
    def __init__(self, logins: Logins, login: Login) -> None:
        self._logins = logins
        self._login = login

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response]:
        url = request.url
        key: _Key = ((url.scheme, url.host, url.port), self._login)
        known = self._logins.known(key)
        if known is not None:
            yield from known.sync_auth_flow(request)
            return
        response = yield request
        answered = response.request.url
        if response.status_code != 401 or (answered.scheme, answered.host, answered.port) != (
            url.scheme,
            url.host,
            url.port,
        ):
            return  # no challenge, or another site's after a redirect: never answered
        schemes = challenge_schemes(response)
        user, password = self._login.user, self._login.password
        if "digest" in schemes:
            digest = httpx.DigestAuth(user, password)
            flow = digest.sync_auth_flow(request)
            next(flow)  # the request as it was: DigestAuth has no challenge yet
            retried = flow.send(response)
            self._logins.remember(key, digest)
            yield retried
        elif "basic" in schemes:
            basic = httpx.BasicAuth(user, password)
            self._logins.remember(key, basic)
            yield from basic.sync_auth_flow(request)
        # Any other scheme (Bearer, NTLM, Negotiate): the 401 stands, and says which.
