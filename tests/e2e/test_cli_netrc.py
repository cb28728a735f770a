"""``rangeload get --netrc`` with a ``~/.netrc`` others may read (used, as curl uses it,
with one warning that shows no password) and with a malformed one (named by line and by
what is wrong, never by its words); HOME is a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_cli_request_flags import PASSWORD, rangeload
from tests.kit.files import make_file, sha256_of
from tests.kit.guarded_site import guarded_site


@pytest.fixture
def home(tmp_path: Path) -> Path:
    made = tmp_path / "home"
    made.mkdir()
    return made


def test_a_netrc_others_may_read_is_used_with_one_warning(tmp_path: Path, home: Path) -> None:
    source = make_file(tmp_path / "site" / "guarded.bin", (1 << 20) + 7, seed=43)
    netrc = home / ".netrc"
    netrc.write_text(f"machine 127.0.0.1 login bob password {PASSWORD}\n")
    netrc.chmod(0o644)
    with guarded_site(source, login=("bob", PASSWORD)) as site:
        out = tmp_path / "out"
        result = rangeload(
            "get",
            "-d",
            str(out),
            "-b",
            f"sid={site.token}",
            "-e",
            site.page,
            "--netrc",
            site.file_url,
            home=home,
        )
    assert result.returncode == 0, result.stderr
    assert sha256_of(out / source.name) == sha256_of(source)
    warnings = [line for line in result.stderr.splitlines() if "netrc" in line]
    assert warnings == ["warning: ~/.netrc is readable by other users; chmod 600 it"]
    assert PASSWORD not in result.stdout + result.stderr
    assert "None" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("text", "line", "what"),
    [
        (f"\n\nhost a login u password {PASSWORD}\n", 3, "expected machine, default or macdef"),
        (
            f"machine a\n  login u\n  {PASSWORD} x\n",
            3,
            "expected login, account or password after the machine's name",
        ),
        ("\nmachine", 2, "a machine without a name"),
    ],
)
def test_a_malformed_netrc_is_named_by_line(home: Path, text: str, line: int, what: str) -> None:
    netrc = home / ".netrc"
    netrc.write_text(text)
    netrc.chmod(0o600)
    result = rangeload("get", "-d", str(home / "out"), "--netrc", "http://127.0.0.1:9/f", home=home)
    assert result.returncode == 2
    assert result.stderr.strip() == f"rangeload: --netrc: ~/.netrc, line {line}: {what}"
    assert PASSWORD not in result.stdout + result.stderr
