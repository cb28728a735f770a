"""``rangeload get`` with wget/curl/aria2c habits, against a site that wants its cookie
(from a cookies.txt that real curl wrote), its page as Referer, a user agent and a login
(Basic or Digest): ``--load-cookies``, ``-b``, ``-e``, ``-A``, ``-u``, ``--netrc``, ``-i -``
from a pipe and ``-j``; every file ends SHA-256 equal, and no secret shows in ``-v`` logs or in
``rangeload list``."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from gui_app.engine.disk.store import STORE_NAME
from tests.kit.files import make_file, sha256_of
from tests.kit.guarded_site import guarded_site

RANGELOAD = str(Path(sys.executable).with_name("rangeload"))
CURL = shutil.which("curl")
UA = "Mozilla/5.0 (X11; Linux x86_64) Test/1.0"
PASSWORD = "pa55-w0rd"


def rangeload(*args: str, home: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, HOME=str(home), RANGELOAD_DATA_DIR=str(home / "data"))
    return subprocess.run(
        [RANGELOAD, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.fixture
def source(tmp_path: Path) -> Path:
    return make_file(tmp_path / "site" / "guarded.bin", (2 << 20) + 123, seed=41)


@pytest.mark.skipif(CURL is None, reason="needs curl")
def test_curls_cookies_a_referer_a_user_agent_and_a_login(tmp_path: Path, source: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    jar = tmp_path / "cookies.txt"
    with guarded_site(source, login=("alice", PASSWORD), user_agent=UA) as site:
        assert CURL is not None
        subprocess.run([CURL, "-s", "-o", os.devnull, "-c", str(jar), site.page], check=True)
        out = tmp_path / "out" / "new"  # made as wget makes it
        result = rangeload(
            "-v",
            "get",
            "-d",
            str(out),
            "--load-cookies",
            str(jar),
            "-e",
            site.page,
            "-A",
            UA,
            "-u",
            f"alice:{PASSWORD}",
            site.file_url,
            home=home,
        )
        assert result.returncode == 0, result.stderr
        assert site.refused == ["login"]  # the login waits for the server's one challenge
    assert sha256_of(out / source.name) == sha256_of(source)
    cookie = jar.read_text().split()[-1]
    for text in (result.stdout + result.stderr, rangeload("list", home=home).stdout):
        assert PASSWORD not in text
        assert cookie not in text


def test_cookies_on_the_command_line_and_netrc_logins(tmp_path: Path, source: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    with guarded_site(source, login=("bob", PASSWORD)) as site:
        netrc = home / ".netrc"
        netrc.write_text(f"machine 127.0.0.1 login bob password {PASSWORD}\n")
        netrc.chmod(0o600)
        page = rangeload("get", "-d", str(tmp_path / "page"), site.page, home=home)
        assert page.returncode == 0, page.stderr
        without = rangeload(
            "get", "-d", str(tmp_path / "a"), "-e", site.page, site.file_url, home=home
        )
        assert without.returncode == 1  # no cookie, no login: refused, said plainly
        token = site.token
        result = rangeload(
            "get",
            "-d",
            str(tmp_path / "b"),
            "-b",
            f"lang=en; sid={token}",
            "-e",
            site.page,
            "--netrc",
            site.file_url,
            home=home,
        )
        assert result.returncode == 0, result.stderr
    assert sha256_of(tmp_path / "b" / source.name) == sha256_of(source)


def test_urls_from_a_pipe_two_at_a_time(tmp_path: Path, source: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    with guarded_site(source) as site:
        urls = "\n".join(
            ["# from a pipe", "", f"{site.file_url}?copy=1", f"{site.file_url}?copy=2"]
        )
        out = str(tmp_path / "out")
        result = rangeload(
            "get",
            "-j",
            "2",
            "-i",
            "-",
            "-d",
            out,
            "-b",
            f"sid={site.token}",
            "-e",
            site.page,
            home=home,
            stdin=urls,
        )
        assert result.returncode == 0, result.stderr
    files = list((tmp_path / "out").iterdir())
    assert {f.name for f in files} == {source.name, f"{source.stem} (1){source.suffix}"}
    assert all(sha256_of(f) == sha256_of(source) for f in files)


def test_a_digest_login_from_u_and_a_clear_refusal(tmp_path: Path, source: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    with guarded_site(source, login=("carol", PASSWORD), digest=True) as site:
        cookie = f"sid={site.token}"
        wrong = rangeload(
            "get",
            "-d",
            str(tmp_path / "a"),
            "-b",
            cookie,
            "-e",
            site.page,
            "-u",
            "carol:nope",
            site.file_url,
            home=home,
        )
        assert wrong.returncode == 1
        assert "refused the login for carol (401 Unauthorized)" in wrong.stdout + wrong.stderr
        result = rangeload(
            "-v",
            "get",
            "-d",
            str(tmp_path / "b"),
            "-b",
            cookie,
            "-e",
            site.page,
            "-u",
            f"carol:{PASSWORD}",
            "-c",
            "4",
            site.file_url,
            home=home,
        )
        assert result.returncode == 0, result.stderr
        # The wrong login: asked, then refused; the right one: asked once, for the probe only.
        assert site.challenges == ["digest"] * 3
    assert sha256_of(tmp_path / "b" / source.name) == sha256_of(source)
    for text in (
        result.stdout + result.stderr,
        wrong.stdout + wrong.stderr,
        rangeload("list", home=home).stdout,
        non_secret_columns(home),
    ):
        assert PASSWORD not in text
        assert "nope" not in text
        assert site.token not in text


def non_secret_columns(home: Path) -> str:
    """Every stored column but those that hold secrets (headers, login, proxy), as text."""
    path = home / "data" / STORE_NAME
    with contextlib.closing(sqlite3.connect(path)) as db:
        names = [row[1] for row in db.execute("PRAGMA table_info(downloads)")]
        shown = [n for n in names if n not in ("headers", "login", "proxy")]
        rows = db.execute(f"SELECT {', '.join(shown)} FROM downloads").fetchall()
    assert len(rows) == 2
    assert {"url", "error", "final_url"} <= set(shown)
    return repr(rows)


def test_a_cookies_txt_read_as_curl_reads_it(tmp_path: Path, source: Path) -> None:
    """Lines curl accepts and MozillaCookieJar refuses (TRUE without a leading dot),
    ``#HttpOnly_``, comments, blank lines, a session cookie (expiry 0) and an expired one
    (dropped); a malformed line is named by file and number, never by its value."""
    home = tmp_path / "home"
    home.mkdir()
    with guarded_site(source) as site:
        jar = tmp_path / "cookies.txt"
        jar.write_text(
            "# Netscape HTTP Cookie File\n\n"
            "127.0.0.1\tTRUE\t/\tFALSE\t0\tlang\ten\n"
            f"#HttpOnly_127.0.0.1\tFALSE\t/file\tFALSE\t0\tsid\t{site.token}\n"
            "127.0.0.1\tFALSE\t/\tFALSE\t1000\tsid\tstale-one\n"
            "other.example\tTRUE\t/\tFALSE\t0\tsid\tsomeone-elses\n"
        )
        out = tmp_path / "out"
        result = rangeload(
            "get",
            "-d",
            str(out),
            "--load-cookies",
            str(jar),
            "-e",
            site.page,
            site.file_url,
            home=home,
        )
        assert result.returncode == 0, result.stderr
        bad = tmp_path / "bad.txt"
        bad.write_text(f"# a comment\n127.0.0.1\tMAYBE\t/\tFALSE\t0\tsid\t{site.token}\n")
        broken = rangeload(
            "get", "-d", str(out), "--load-cookies", str(bad), site.file_url, home=home
        )
    assert sha256_of(out / source.name) == sha256_of(source)
    assert broken.returncode == 2
    said = broken.stdout + broken.stderr
    assert f"{bad}, line 2" in said
    assert site.token not in said
    assert "Traceback" not in said
    assert "Error" not in said
