"""HTTP authentication with a download's login, the way the server's challenge asks.

A login is never sent before a server asks for it: the first request to a site goes
without, and its 401's ``WWW-Authenticate`` picks Digest (preferred: the password never
crosses the wire; ``digest.py``, RFC 7616) or Basic (httpx's ``BasicAuth``). What a site
asked for is remembered for the client's life, so later range requests send Basic at once
(another login for the same site too) and answer Digest from the last challenge, without
a round trip each. A login is only ever answered to the origin that asked, the one it
was given for. A saved login's reference gets its password from the ``PasswordSource``
only when a 401 asks (the keyring is not asked for downloads that need none). A challenge
that cannot be answered fails at once, in plain words: no exception of an auth flow leaves
this module but an engine error.
"""

from __future__ import annotations

import threading
from collections.abc import Generator

import httpx

from gui_app.engine.api.errors import DownloadError, LoginRequiredError, PermanentError
from gui_app.engine.api.models import Login, PasswordSource
from gui_app.engine.http.digest import Challenge, DigestAnswer, parse_challenges

__all__ = ["Logins", "challenge_schemes", "challenges"]

_Origin = tuple[str, str, int | None]  # scheme, host, port
_Key = tuple[_Origin, Login]


def challenges(response: httpx.Response) -> list[Challenge]:
    return parse_challenges(response.headers.get_list("www-authenticate"))


def challenge_schemes(response: httpx.Response) -> list[str]:
    """The auth schemes a 401 offers, lower case, in the order sent (RFC 9110 11.6.1)."""
    return [challenge.scheme for challenge in challenges(response)]


def _origin(url: httpx.URL) -> _Origin:
    return url.scheme, url.host, url.port


class Logins:
    """Which scheme each (site, user) answered with; shared by every request of a client."""

    def __init__(self, passwords: PasswordSource | None = None) -> None:
        self._passwords = passwords
        self._lock = threading.Lock()
        self._known: dict[_Key, httpx.Auth] = {}
        self._basic: set[_Origin] = set()  # sites that asked for Basic: sent at once

    def auth(self, login: Login) -> httpx.Auth:
        return _ChallengedAuth(self, login)

    def known(self, key: _Key, url: httpx.URL) -> httpx.Auth | None:
        with self._lock:
            auth = self._known.get(key)
            if auth is not None or key[0] not in self._basic:
                return auth
        login = self.resolved(key[1], url)  # another login for a Basic site: sent at once
        with self._lock:
            auth = self._known[key] = httpx.BasicAuth(login.user, login.password)
            return auth

    def resolved(self, login: Login, url: httpx.URL) -> Login:
        """``login`` with its password: a saved login's reference asks the source, for
        ``url``'s origin only; ``LoginRequiredError`` if it has none to give."""
        if login.site is None or login.password:
            return login
        password = self._passwords(login, str(url)) if self._passwords is not None else None
        if password is None:
            raise LoginRequiredError(
                f"{url.host} asks for a login (401 Unauthorized); no password is saved for "
                f"{login.user} at {login.site}"
            )
        return Login(login.user, password)

    def note(self, response: httpx.Response) -> None:
        """A 401 no login answered: a Basic site gets the next login at once."""
        schemes = challenge_schemes(response)
        if "basic" in schemes and "digest" not in schemes:
            with self._lock:
                self._basic.add(_origin(response.request.url))

    def remember(self, key: _Key, auth: httpx.Auth) -> None:
        with self._lock:
            self._known[key] = auth
            if isinstance(auth, httpx.BasicAuth):
                self._basic.add(key[0])


def _digest_for(response: httpx.Response, login: Login) -> DigestAnswer | None:
    """An answer to the strongest Digest challenge this client can answer; None if none
    is offered. Raises ``UnanswerableError`` (the first one's reason) if none can be."""
    offered = [c for c in challenges(response) if c.scheme == "digest"]
    refusal: PermanentError | None = None
    answers: list[DigestAnswer] = []
    for challenge in offered:
        try:
            answers.append(DigestAnswer(challenge, login))
        except PermanentError as error:
            refusal = refusal or error
    if answers:
        return max(answers, key=lambda a: a.strength)
    if refusal is not None:
        raise refusal
    return None


class _DigestAuth(httpx.Auth):
    """Answers Digest at once from the last challenge; a new one (a stale nonce) is
    answered once more."""

    def __init__(self, answer: DigestAnswer, login: Login) -> None:
        self._answer = answer
        self._login = login

    def answered(self, request: httpx.Request) -> httpx.Request:
        uri = request.url.raw_path.decode("ascii")
        request.headers["Authorization"] = self._answer.authorization(request.method, uri)
        return request

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response]:
        response = yield self.answered(request)
        if response.status_code != 401:
            return
        stale = [c for c in challenges(response) if c.scheme == "digest"]
        if not any((c.get("stale") or "").lower() == "true" for c in stale):
            return  # the login was refused: the 401 stands
        answer = _digest_for(response, self._login)
        if answer is not None:
            self._answer = answer
            yield self.answered(request)


class _ChallengedAuth(httpx.Auth):
    def __init__(self, logins: Logins, login: Login) -> None:
        self._logins = logins
        self._login = login

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response]:
        try:
            yield from self._flow(request)
        except DownloadError:
            raise
        except Exception as error:  # an auth flow's bug never leaves unmapped
            raise PermanentError(
                f"cannot answer the login request of {request.url.host}"
            ) from error

    def _flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response]:
        key: _Key = (_origin(request.url), self._login)
        known = self._logins.known(key, request.url)
        if known is not None:
            yield from known.sync_auth_flow(request)
            return
        response = yield request
        if response.status_code != 401 or _origin(response.request.url) != key[0]:
            return  # no challenge, or another site's: never answered
        schemes = challenge_schemes(response)
        if "digest" not in schemes and "basic" not in schemes:
            return  # Bearer, NTLM, Negotiate: the 401 stands, and says which
        login = self._logins.resolved(self._login, request.url)  # asked now, not before
        if "digest" in schemes:
            answer = _digest_for(response, login)
            if answer is not None:
                digest = _DigestAuth(answer, login)
                self._logins.remember(key, digest)
                yield digest.answered(request)
        elif "basic" in schemes:
            basic = httpx.BasicAuth(login.user, login.password)
            self._logins.remember(key, basic)
            yield from basic.sync_auth_flow(request)
