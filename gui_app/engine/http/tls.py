"""Which certificates a download trusts, and what a refused one is called.

By default the system's certificate store (``truststore``, as pip does: the CA files the
distribution keeps, not only certifi's bundle); ``ca_file`` instead trusts exactly that
file's CAs (curl's ``--cacert``, wget's and aria2c's ``--ca-certificate``); ``verify``
False (``--no-check-certificate``) trusts any certificate. A certificate that fails
verification is permanent, never a network fault to retry: ``certificate_problem`` says
in words why the server's was refused (self-signed, expired, for another name...).
"""

from __future__ import annotations

import ssl

from gui_app.engine.api.tls_settings import TlsSettings

__all__ = ["TlsSettings", "certificate_problem", "ssl_context"]

# OpenSSL's X509_V_ERR_* codes, in words.
_PROBLEMS = {
    9: "not valid yet",
    10: "expired",
    18: "self-signed",
    19: "signed by an unknown, self-signed authority",
    20: "signed by an authority that is not trusted",
    21: "signed by an authority that is not trusted",
    23: "revoked",
    62: "for another name",
    64: "for another address",
}


def ssl_context(settings: TlsSettings) -> ssl.SSLContext:
    """The client context for ``settings``; ``OSError`` or ``ssl.SSLError`` for a CA file
    that cannot be read."""
    if not settings.verify:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    if settings.ca_file is not None:
        return ssl.create_default_context(cafile=str(settings.ca_file))
    import truststore  # only for https; 10 ms

    return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def certificate_problem(error: BaseException) -> str | None:
    """Why the server's certificate was refused, in words, if ``error`` (or one of its
    causes) is a verification failure; None for any other error."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLCertVerificationError):
            return _PROBLEMS.get(current.verify_code, "not trusted")
        if isinstance(current, ssl.SSLError) and "CERTIFICATE_VERIFY_FAILED" in str(current):
            return "not trusted"
        current = current.__cause__ or current.__context__
    return None
