"""A private certificate authority made at test time (the ``cryptography`` package), and
the certificates a hostile TLS server shows: a good one for 127.0.0.1 signed by the CA,
an expired one, a self-signed one and one for another name. ``context(kind)`` is a server
``SSLContext`` for ``HostileServer(tls=...)``; ``ca_file`` is the CA's PEM for clients."""

from __future__ import annotations

import datetime
import ipaddress
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

__all__ = ["KINDS", "PrivateCA"]

KINDS = ("good", "expired", "self-signed", "wrong-host")
_DAY = datetime.timedelta(days=1)
_CA_USAGE = x509.KeyUsage(
    digital_signature=True,
    key_cert_sign=True,
    crl_sign=True,
    content_commitment=False,
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=False,
    encipher_only=False,
    decipher_only=False,
)
_CA_USAGE = x509.KeyUsage(
    digital_signature=True,
    key_cert_sign=True,
    crl_sign=True,
    content_commitment=False,
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=False,
    encipher_only=False,
    decipher_only=False,
)


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


@dataclass
class PrivateCA:
    folder: Path

    def __post_init__(self) -> None:
        self._key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.UTC)
        self._cert = (
            x509.CertificateBuilder()
            .subject_name(_name("Rangeload test CA"))
            .issuer_name(_name("Rangeload test CA"))
            .public_key(self._key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - _DAY)
            .not_valid_after(now + 30 * _DAY)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_CA_USAGE, critical=True)
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(self._key.public_key()),
                critical=False,
            )
            .sign(self._key, hashes.SHA256())
        )
        self.ca_file = self.folder / "ca.pem"
        self.ca_file.write_bytes(self._cert.public_bytes(serialization.Encoding.PEM))

    def context(self, kind: str) -> ssl.SSLContext:
        """A server context showing the ``kind`` of certificate (one of ``KINDS``)."""
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.UTC)
        host = "other.example" if kind == "wrong-host" else "127.0.0.1"
        names: list[x509.GeneralName] = [x509.DNSName(host)]
        if kind != "wrong-host":
            names.append(x509.IPAddress(ipaddress.ip_address("127.0.0.1")))
        issuer, signer = (
            (_name(host), key) if kind == "self-signed" else (self._cert.subject, self._key)
        )
        start, end = (
            (now - 30 * _DAY, now - _DAY) if kind == "expired" else (now - _DAY, now + 10 * _DAY)
        )
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(host))
            .issuer_name(issuer)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(end)
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        )
        if kind != "self-signed":
            builder = builder.add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self._key.public_key()),
                critical=False,
            )
        cert = builder.sign(signer, hashes.SHA256())
        cert_file = self.folder / f"{kind}.pem"
        key_file = self.folder / f"{kind}.key"
        cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_file, key_file)
        return context
