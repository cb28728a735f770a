"""The test kit: every stand-in the tests share, in one place.

- ``files``: deterministic files of any size and their digests.
- ``servers``: the bundled server on a loopback port, and a byte-counting wrapper.
- ``hostile``: an HTTP/1.1 server that lies on purpose, a handler per test.
- ``guarded_site``: a site that serves its file only with its cookie, referrer and login.
- ``tls``: a private CA and the certificates (good and bad) a TLS server shows.
- ``proxies``: real tinyproxy (HTTP) and microsocks (SOCKS5) on loopback ports.
- ``keyrings``: a real Secret Service (gnome-keyring) on a private D-Bus.
- ``fake_logind``: a stand-in systemd-logind on a private bus that records its calls.
- ``processes``: whether a child has ended, and ending the group one leads.
- ``waiting``: ``wait_until``, the one way a test waits for something to happen.
- ``clock``: ``FakeClock``, for code that takes ``clock=`` and ``sleep=``.
- ``fake_engine``: ``FakeEngine``, an in-memory ``Engine`` for UI logic with no bytes.
"""
