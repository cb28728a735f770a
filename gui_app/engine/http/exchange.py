"""Sending range requests and reading their bodies: the one place httpx is called.

``HttpClient.open`` sends a GET for a byte range and returns the response with its head
read (within a deadline); ``HttpClient.chunks`` yields its raw body. Every httpx
exception is mapped here, once, to an engine error with the cause kept (as httpx's own
``map_httpcore_exceptions`` does), and a body that HTTP framing says is incomplete
raises ``TruncatedBodyError``, never a quiet end. Headers given for one origin
(Authorization, Cookie) never go to another, as curl does without ``--location-trusted``.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import socket
import ssl
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import httpx

from gui_app import __version__
from gui_app.engine.api.cookies import (
    Cookie,
    cookie_header,
    from_set_cookie,
    with_cookie,
    with_cookies,
)
from gui_app.engine.api.errors import (
    InvalidURLError,
    LoginRequiredError,
    PermanentError,
    TransientError,
    TruncatedBodyError,
    UnreachableError,
    validate_url,
)
from gui_app.engine.api.models import DIRECT, Login, PasswordSource
from gui_app.engine.api.origins import host_of, same_origin
from gui_app.engine.api.proxies import ProxySettings, proxy_label
from gui_app.engine.http.backend import Guard, GuardedBackend
from gui_app.engine.http.logins import Logins, challenge_schemes
from gui_app.engine.http.tls import TlsSettings, certificate_problem, ssl_context
from gui_app.ground.byteranges import ByteRange, format_range_header
from gui_app.ground.urls import is_secret_header, redact_url

__all__ = ["HEAD_TIMEOUT", "MAX_REDIRECTS", "HttpClient", "host_of", "same_origin"]

log = logging.getLogger(__name__)

HEAD_TIMEOUT = 30.0  # the whole response head, however slowly it trickles
MAX_REDIRECTS = 20  # as wget; curl's default is 50
LEARNED_MAX = 1000  # downloads whose hops' cookies are remembered
REDIRECTS = frozenset({301, 302, 303, 307, 308})


class HttpClient:
    """Pooled httpx clients for every download of a manager: one for the manager's proxy
    settings (``set_proxies`` changes them for later requests), and one for each proxy
    a download chose for itself."""

    def __init__(
        self,
        *,
        stall_timeout: float,
        head_timeout: float = HEAD_TIMEOUT,
        connect_timeout: float = 15.0,
        proxies: ProxySettings = ProxySettings(),  # noqa: B008  # a frozen value
        tls: TlsSettings = TlsSettings(),  # noqa: B008  # a frozen value
        clock: Callable[[], float] = time.monotonic,
        passwords: PasswordSource | None = None,
    ) -> None:
        self._backend = GuardedBackend()
        self._head_timeout = head_timeout
        self._stall_timeout = stall_timeout
        self._clock = clock
        self._timeout = httpx.Timeout(connect_timeout, read=stall_timeout)
        self._lock = threading.Lock()
        self._clients: dict[str | None, httpx.Client] = {}  # by proxy URL (None: direct)
        self._proxies = proxies
        self._tls = tls
        self._context: ssl.SSLContext | None = None  # made when a first client is
        self._retired: list[httpx.Client] = []  # clients of an earlier TLS setting
        self._logins = Logins(passwords)
        # Cookies redirect hops set, by the download URL they were followed for, so that
        # range requests straight to the final URL send them too (in memory only).
        self._learned: OrderedDict[str, tuple[Cookie, ...]] = OrderedDict()

    def set_tls(self, tls: TlsSettings) -> None:
        """The certificates later requests trust (the manager's setting)."""
        with self._lock:
            if tls == self._tls:
                return  # the pooled connections trust what they should already
            self._tls, self._context = tls, None
            self._retired += self._clients.values()
            self._clients.clear()

    def set_proxies(self, proxies: ProxySettings) -> None:
        """The proxies of later requests that follow the manager's setting."""
        with self._lock:
            self._proxies = proxies

    def _settings_for(self, choice: str | None) -> ProxySettings:
        if choice is None:
            with self._lock:
                return self._proxies
        return ProxySettings() if choice == DIRECT else ProxySettings.manual(choice)

    def _client_for(self, proxy: str | None) -> httpx.Client:
        """The pooled client whose every request goes through ``proxy`` (None: direct)."""
        with self._lock:
            client = self._clients.get(proxy)
            if client is None:
                if self._context is None:
                    self._context = self._ssl_context()
                client = httpx.Client(
                    follow_redirects=False,  # followed in open: headers by origin
                    timeout=self._timeout,
                    headers={
                        "User-Agent": f"Rangeload/{__version__}",
                        "Accept-Encoding": "identity",
                    },
                    transport=self._transport(proxy),
                    trust_env=False,  # the proxy is chosen here, per request
                )
                self._clients[proxy] = client
            return client

    def _ssl_context(self) -> ssl.SSLContext:
        try:
            return ssl_context(self._tls)
        except (OSError, ssl.SSLError) as error:
            ssl_error = isinstance(error, ssl.SSLError)  # its strerror is OpenSSL's jargon
            reason = "not a PEM file of certificates" if ssl_error else error.strerror
            raise PermanentError(
                f"cannot read the CA certificates in {self._tls.ca_file}: {reason}"
            ) from error

    def _transport(self, proxy: str | None) -> httpx.HTTPTransport:
        """A pooled transport (through ``proxy``) whose sockets the guard watches."""
        transport = httpx.HTTPTransport(
            proxy=proxy,
            verify=self._context or True,
            limits=httpx.Limits(max_connections=None, max_keepalive_connections=64),
        )
        # httpx takes no network backend; its pool does (httpcore's public parameter).
        pool = transport._pool  # the pool httpx built from the options above
        if not hasattr(pool, "_network_backend"):
            raise RuntimeError("this httpcore has no network backend to guard")
        pool._network_backend = self._backend
        return transport

    def guard(self) -> Guard:
        return Guard(self._clock)

    def close(self) -> None:
        with self._lock:
            clients = [*self._clients.values(), *self._retired]
            self._clients.clear()
            self._retired.clear()
        for client in clients:
            client.close()

    def open(
        self,
        guard: Guard,
        url: str,
        *,
        given_for: str,
        headers: tuple[tuple[str, str], ...],
        first: int,
        last: int | None,
        if_range: str | None = None,
        ranged: bool = True,
        login: Login | None = None,
        proxy: str | None = None,
        cookies: tuple[Cookie, ...] = (),
    ) -> httpx.Response:
        """GET ``url`` for bytes ``first..last`` (``last`` None: open-ended; ``ranged``
        False: no Range at all), following up to ``MAX_REDIRECTS`` redirects itself.
        ``headers`` and ``login`` were given for ``given_for``'s origin and go again to
        that origin only; ``cookies`` are matched for each hop's URL, with those the
        hops set (Set-Cookie); ``proxy`` is the download's choice (None: the manager's
        settings), applied to each hop's URL."""
        jar = with_cookies(cookies, self.learned(given_for))  # newer than a stored copy
        hop = url
        for hops in range(MAX_REDIRECTS + 1):
            trusted = same_origin(hop, given_for)
            sent = _hop_headers(headers, trusted, jar, hop)
            if ranged:
                byte_range = ByteRange(first, last) if last is not None else None
                sent["Range"] = format_range_header(byte_range, first=first)
                if if_range:
                    sent["If-Range"] = if_range
            response = self._send(guard, hop, sent, proxy, login if trusted else None)
            if response.status_code not in REDIRECTS:
                return self._answered(response, given_for, login, trusted)
            location = response.headers.get("location")
            response.close()
            jar = _kept(jar, response)
            self._learn(given_for, tuple(c for c in jar if c not in cookies))
            if not location:
                raise PermanentError(
                    f"{host_of(hop)} answered {response.status_code} (a redirect) without "
                    "saying where to (no Location)"
                )
            try:
                hop = str(response.url.join(location.strip()))
                validate_url(hop)
            except (httpx.InvalidURL, InvalidURLError, UnicodeError) as error:
                raise InvalidURLError(
                    f"{host_of(str(response.url))} redirected to an unusable address"
                ) from error
            log.debug("redirect %d to %s", hops + 1, redact_url(hop))
        raise PermanentError(
            f"more than {MAX_REDIRECTS} redirects from {host_of(url)}: a redirect loop"
        )

    def learned(self, given_for: str) -> tuple[Cookie, ...]:
        """The cookies redirects set while following ``given_for`` in this process: the
        task keeps them with the download (stored), so a resume sends them too."""
        with self._lock:
            return self._learned.get(given_for, ())

    def _learn(self, given_for: str, learned: tuple[Cookie, ...]) -> None:
        if not learned:
            return
        with self._lock:
            self._learned[given_for] = learned
            self._learned.move_to_end(given_for)
            while len(self._learned) > LEARNED_MAX:
                self._learned.popitem(last=False)

    def _send(
        self,
        guard: Guard,
        url: str,
        sent: dict[str, str],
        proxy: str | None,
        login: Login | None,
    ) -> httpx.Response:
        """One request to ``url`` (no redirect followed), through the proxy for it."""
        via = self._settings_for(proxy).proxy_for(url)
        client = self._client_for(via)
        auth = self._logins.auth(login) if login is not None else None
        guard.deadline = self._clock() + self._head_timeout
        try:
            with self._backend.guarding(guard), _mapped(url, self._stall_timeout, via):
                # As bytes: a value beyond ASCII goes as UTF-8, as curl and browsers send it.
                raw = [(name.encode(), value.encode()) for name, value in sent.items()]
                request = client.build_request("GET", url, headers=raw)
                response = client.send(request, stream=True, auth=auth)
            if response.status_code == 407 and via:
                response.close()
                raise PermanentError(
                    f"the proxy {proxy_label(via)} asks for a login (407); give it as "
                    "http://USER:PASSWORD@HOST:PORT"
                )
            return response
        except TransientError as error:
            if guard.interrupted:
                raise TransientError("stopped") from error
            if self._clock() >= guard.deadline:
                raise TransientError(
                    f"{host_of(url)} did not complete its answer's head within "
                    f"{self._head_timeout:g} s"
                ) from error
            raise
        finally:
            guard.deadline = None

    def _answered(
        self, response: httpx.Response, given_for: str, login: Login | None, trusted: bool
    ) -> httpx.Response:
        if response.status_code == 401:
            self._logins.note(response)
            response.close()
            raise _login_error(response, login, given_for, sent=trusted)
        return response

    def chunks(self, guard: Guard, response: httpx.Response) -> Iterator[bytes]:
        """The body as the network hands it over; the last chunk ends a complete body."""
        url = str(response.request.url)
        with self._backend.guarding(guard), _mapped(url, self._stall_timeout):
            yield from response.iter_raw()


def _hop_headers(
    headers: tuple[tuple[str, str], ...], trusted: bool, jar: tuple[Cookie, ...], url: str
) -> dict[str, str]:
    """A hop's headers: the origin-bound ones only to their origin (``trusted``), the
    jar's cookies for this URL after a Cookie header typed for it."""
    sent = {name: value for name, value in headers if trusted or not is_secret_header(name)}
    matched = cookie_header(jar, url)
    if matched:
        typed = next((name for name in sent if name.lower() == "cookie"), None)
        if typed is None:
            sent["Cookie"] = matched
        else:
            sent[typed] = f"{sent[typed]}; {matched}"
    return sent


def _kept(jar: tuple[Cookie, ...], response: httpx.Response) -> tuple[Cookie, ...]:
    """``jar`` with the cookies a redirect's Set-Cookie set, for the next hops."""
    now = time.time()
    for value in response.headers.get_list("set-cookie"):
        cookie = from_set_cookie(value, str(response.url), now)
        if cookie is not None:
            jar = with_cookie(jar, cookie)
    return jar


def _login_error(
    response: httpx.Response, login: Login | None, given_for: str, *, sent: bool
) -> LoginRequiredError:
    host = host_of(str(response.url))
    schemes = challenge_schemes(response)
    if login is not None and not sent:  # a redirect to another origin asked
        return LoginRequiredError(
            f"{host} (redirected to from {host_of(given_for)}) asks for a login (401 "
            f"Unauthorized); the login for {login.user} was not sent there: it was given "
            f"for {host_of(given_for)} only"
        )
    if login is not None and ("basic" in schemes or "digest" in schemes):
        return LoginRequiredError(f"{host} refused the login for {login.user} (401 Unauthorized)")
    if schemes and "basic" not in schemes and "digest" not in schemes:
        return LoginRequiredError(
            f"{host} asks for a {schemes[0].capitalize()} login (401 Unauthorized), which "
            "Rangeload cannot give: only Basic and Digest"
        )
    return LoginRequiredError(f"{host} asks for a login (401 Unauthorized)")


def _unreachable(error: BaseException, url: str, host: str) -> UnreachableError | None:
    """The plain words for a connection never made, from the OS error under ``error``
    (None: something else)."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, socket.gaierror):
            name = urlsplit(url).hostname or host
            return UnreachableError(f"no such host: {name}", resolved=False)
        if isinstance(cause, ConnectionRefusedError):
            return UnreachableError(f"the server refused the connection: nothing listens at {host}")
        if isinstance(cause, OSError) and cause.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
            return UnreachableError(f"cannot reach {host}: no network route leads there")
        cause = cause.__cause__ or cause.__context__
    return None


@contextlib.contextmanager
def _mapped(url: str, stall_timeout: float, proxy: str | None = None) -> Iterator[None]:
    host = host_of(url)
    try:
        yield
    except httpx.ProxyError as error:  # the proxy refused: its own words, and its name
        label = proxy_label(proxy) if proxy else "the proxy"
        raise PermanentError(f"the proxy {label} refused: {error}") from error
    except (httpx.ConnectError, httpx.ConnectTimeout) as error:
        problem = certificate_problem(error)
        if problem is not None:  # permanent: curl exits 60 at once
            raise PermanentError(f"the certificate of {host} is {problem}") from error
        if proxy is not None:
            raise TransientError(f"cannot reach the proxy {proxy_label(proxy)}: {error}") from error
        if isinstance(error, httpx.ConnectTimeout):
            raise TransientError(f"no answer from {host} (timed out connecting)") from error
        raise _unreachable(error, url, host) or TransientError(
            f"connection to {host} lost: {error}"
        ) from error
    except httpx.InvalidURL as error:
        raise InvalidURLError(f"invalid URL: {error}") from error
    except httpx.UnsupportedProtocol as error:
        raise InvalidURLError(f"unsupported URL: {error}") from error
    except httpx.TooManyRedirects as error:
        raise PermanentError("too many redirects") from error
    except httpx.ReadTimeout as error:
        raise TransientError(f"{host} sent nothing for {stall_timeout:g} s") from error
    except httpx.TimeoutException as error:
        raise TransientError(f"{host} timed out") from error
    except httpx.RemoteProtocolError as error:
        text = str(error)
        if "incomplete" in text or "complete message body" in text:
            raise TruncatedBodyError(
                f"{host} closed the connection before the end of the body"
            ) from error
        raise TransientError(f"{host} broke the HTTP protocol: {text[:120]}") from error
    except httpx.TransportError as error:
        raise TransientError(f"connection to {host} lost: {error}") from error
    except UnicodeError as error:  # an IDNA host name httpx cannot encode
        raise InvalidURLError(f"invalid host name in {redact_url(url)}") from error
