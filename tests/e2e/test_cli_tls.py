"""``rangeload get`` over https against a hostile TLS server with a private CA made at
test time: an expired, a self-signed and a wrong-host certificate each fail at once (no
retries, under 2 s) with a plain message naming the host and what is wrong, as curl exits
60 at once; ``--ca-certificate`` trusts the private CA, ``--no-check-certificate`` any
certificate, and each such download ends SHA-256 equal to the source."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.kit.files import make_file, sha256_bytes, sha256_of
from tests.kit.hostile import Out, Request, hostile_server, serve_file
from tests.kit.tls import PrivateCA

RANGELOAD = str(Path(sys.executable).with_name("rangeload"))
SIZE = (2 << 20) + 99


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> PrivateCA:
    return PrivateCA(tmp_path_factory.mktemp("ca"))


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return make_file(tmp_path_factory.mktemp("tls") / "t.bin", SIZE, seed=3).read_bytes()


def rangeload(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env["RANGELOAD_DATA_DIR"] = str(tmp_path / "data")
    return subprocess.run(
        [RANGELOAD, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def get(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    ran = rangeload(tmp_path, "get", "-d", str(tmp_path / "out"), *args)
    return ran, time.monotonic() - started


@pytest.fixture
def serving(ca: PrivateCA, data: bytes, request: pytest.FixtureRequest) -> Iterator[str]:
    def honest(asked: Request, out: Out) -> None:
        serve_file(asked, out, data)

    with hostile_server(honest, tls=ca.context(request.param)) as server:
        yield f"{server.url}/t.bin"


@pytest.mark.parametrize(
    ("serving", "said"),
    [("expired", "expired"), ("self-signed", "self-signed"), ("wrong-host", "for another")],
    indirect=["serving"],
)
def test_a_bad_certificate_fails_at_once_in_plain_words(
    tmp_path: Path, ca: PrivateCA, serving: str, said: str
) -> None:
    trusted = ["--ca-certificate", str(ca.ca_file)] if said != "self-signed" else []
    ran, took = get(tmp_path, *trusted, serving)
    assert ran.returncode == 1
    host = serving.split("/")[2]
    assert f"the certificate of {host} is {said}" in ran.stdout + ran.stderr
    assert "SSL" not in ran.stdout + ran.stderr
    assert "Traceback" not in ran.stderr
    assert took < 5  # the process's start included; the failure itself under 2 s
    print(f"failed in {took:.2f} s")


@pytest.mark.parametrize("serving", ["good"], indirect=True)
def test_the_private_ca_is_trusted_when_given(
    tmp_path: Path, ca: PrivateCA, data: bytes, serving: str
) -> None:
    refused, _ = get(tmp_path, serving)  # not in the system's store
    assert refused.returncode == 1
    assert "is signed by an authority that is not trusted" in refused.stderr
    ran, _ = get(tmp_path, "--ca-certificate", str(ca.ca_file), serving)
    assert ran.returncode == 0, ran.stderr
    assert sha256_of(tmp_path / "out" / "t.bin") == sha256_bytes(data)


@pytest.mark.parametrize("serving", ["self-signed"], indirect=True)
def test_no_check_certificate_trusts_any(tmp_path: Path, data: bytes, serving: str) -> None:
    ran, _ = get(tmp_path, "--no-check-certificate", serving)
    assert ran.returncode == 0, ran.stderr
    assert sha256_of(tmp_path / "out" / "t.bin") == sha256_bytes(data)


def test_a_ca_file_that_is_not_one(tmp_path: Path) -> None:
    bad = tmp_path / "ca.pem"
    bad.write_text("not a certificate\n")
    ran, _ = get(tmp_path, "--ca-certificate", str(bad), "https://127.0.0.1:9/x")
    assert ran.returncode == 1
    assert f"cannot read the CA certificates in {bad}: not a PEM file" in ran.stderr
    assert "Traceback" not in ran.stderr
    assert "_ssl.c" not in ran.stderr  # OpenSSL's own words never reach the user
    assert "X509" not in ran.stderr


def test_resume_and_refresh_take_the_certificate_flags_too(
    tmp_path: Path, ca: PrivateCA, data: bytes
) -> None:
    """A download that was started with --ca-certificate and stopped goes on the same way:
    without the flag its resume is refused plainly, with it it completes."""
    served = {"count": 0}

    def expires_after_the_probe(asked: Request, out: Out) -> None:
        served["count"] += 1
        if served["count"] == 1:
            serve_file(asked, out, data, cut_after=300_000)
        else:
            out.head(403, {"Content-Length": "0"})

    with hostile_server(expires_after_the_probe, tls=ca.context("good")) as server:
        url = f"{server.url}/t.bin"
        first, _ = get(tmp_path, "-c", "1", "--ca-certificate", str(ca.ca_file), url)
        assert first.returncode == 1, first.stderr
        server.handler = lambda asked, out: serve_file(asked, out, data)
        without = rangeload(tmp_path, "resume", "1")
        assert without.returncode == 1
        assert "certificate" in without.stderr
        assert "Traceback" not in without.stderr
        refreshed = rangeload(
            tmp_path, "refresh", "--ca-certificate", str(ca.ca_file), "1", f"{url}?fresh=1"
        )
        assert refreshed.returncode == 0, refreshed.stderr
    assert sha256_of(tmp_path / "out" / "t.bin") == sha256_bytes(data)
