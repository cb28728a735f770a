"""File names: RFC 6266/8187 parsing, hostile names made safe, unique names."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gui_app.ground.naming import (
    choose_filename,
    filename_from_content_disposition,
    filename_from_url,
    sanitize_filename,
    unique_path,
)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ('attachment; filename="report.pdf"', "report.pdf"),
        ("attachment; filename=report.pdf", "report.pdf"),
        ("attachment; filename*=UTF-8''%e2%82%ac%20rates.pdf", "€ rates.pdf"),
        ("attachment; filename*=utf-8'en'%E2%82%AC.txt", "€.txt"),
        ("attachment; filename=\"fallback.pdf\"; filename*=UTF-8''real.pdf", "real.pdf"),
        ("attachment; filename*=UTF-8''real.pdf; filename=\"fallback.pdf\"", "real.pdf"),
        ('attachment; filename="with \\"quotes\\".txt"', 'with "quotes".txt'),
        ("attachment; filename*=iso-8859-1''caf%E9.txt", "café.txt"),
        ("attachment; filename*=UTF-8''%ff%fe; filename=ok.bin", "ok.bin"),  # bad UTF-8
        ("attachment", None),
        ("", None),
        (None, None),
    ],
)
def test_content_disposition(header: str | None, expected: str | None) -> None:
    assert filename_from_content_disposition(header) == expected


def test_url_names() -> None:
    assert filename_from_url("http://h/a/b/file%20name.iso?x=1#f") == "file name.iso"
    assert filename_from_url("http://h/a/dir/") == "dir"
    assert filename_from_url("http://h/") is None


@pytest.mark.parametrize(
    ("hostile", "expected"),
    [
        ("../../etc/passwd", "_.._etc_passwd"),
        ("..", "download"),
        (".", "download"),
        ("a/b", "a_b"),
        ("a\\b", "a_b"),
        ("evil\x00name.txt", "evilname.txt"),
        ("bell\x07.txt", "bell.txt"),
        ("invoice\u202egpj.exe", "invoicegpj.exe"),  # right-to-left override removed
        ("name. . .", "name"),
        ("CON", "_CON"),
        ("nul.txt", "_nul.txt"),
        ("com1.tar.gz", "_com1.tar.gz"),
        ("LPT9", "_LPT9"),
        ("  spaced  ", "spaced"),
        ("", "download"),
        ('a:b*c?d"e<f>g|h', "a_b_c_d_e_f_g_h"),
    ],
)
def test_hostile_names(hostile: str, expected: str) -> None:
    assert sanitize_filename(hostile) == expected


def test_long_names_are_cut_on_a_character_keeping_the_extension() -> None:
    name = sanitize_filename("é" * 500 + ".tar")
    assert name.endswith(".tar")
    assert len(name.encode()) <= 255 - len(" (999)") - len(".part")
    name.encode().decode("utf-8")  # whole characters only


@given(st.text(max_size=400))
def test_sanitized_names_are_always_safe(raw: str) -> None:
    name = sanitize_filename(raw)
    assert name
    assert name not in (".", "..")
    assert "/" not in name
    assert "\\" not in name
    assert "\x00" not in name
    assert len((name + " (999).part").encode()) <= 255
    assert sanitize_filename(name) == name


def test_choose_filename_prefers_disposition_then_urls_then_type() -> None:
    assert (
        choose_filename('attachment; filename="a.zip"', "http://h/b.bin", "http://h/c", None)
        == "a.zip"
    )
    assert choose_filename(None, "http://h/final.iso", "http://h/start", None) == "final.iso"
    assert choose_filename(None, None, "http://h/get", "application/pdf") == "get.pdf"
    assert choose_filename(None, None, "http://h/", None) == "download"


def test_unique_path(tmp_path: Path) -> None:
    assert unique_path(tmp_path, "a.txt") == tmp_path / "a.txt"
    (tmp_path / "a.txt").write_text("x")
    assert unique_path(tmp_path, "a.txt") == tmp_path / "a (1).txt"
    (tmp_path / "a (1).txt.part").write_text("x")
    assert unique_path(tmp_path, "a.txt") == tmp_path / "a (2).txt"
    assert unique_path(tmp_path, "a.txt", reserved={"a (2).txt"}) == tmp_path / "a (3).txt"
    (tmp_path / "archive.tar.gz").write_text("x")
    assert unique_path(tmp_path, "archive.tar.gz") == tmp_path / "archive (1).tar.gz"
