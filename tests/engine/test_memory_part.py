"""MemoryPart: a small download's bytes reach the disk only whole, synced and linked to a
name that was free, or, when it stops early, as a real part file; nothing is replaced."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gui_app.engine.api.errors import DiskError
from gui_app.engine.disk.partfile import PartFile
from gui_app.engine.download import memory_part
from gui_app.engine.download.memory_part import MemoryPart
from tests.kit.files import sha256_bytes, sha256_of

DATA = bytes(range(256)) * 40 + b"tail"


def filled(tmp_path: Path, data: bytes = DATA) -> MemoryPart:
    part = MemoryPart(tmp_path / "file.bin.part", len(data))
    half = len(data) // 2
    part.write(half, data[half:])  # out of order, as connections would
    part.write(0, data[:half])
    return part


@pytest.fixture(params=[True, False], ids=["unnamed file", "no O_TMPFILE"])
def tmpfile(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    if not request.param:
        monkeypatch.setattr(memory_part, "_PROC_FD", False)
    return bool(request.param)


def test_finish_puts_exactly_the_bytes_at_the_free_name(tmp_path: Path, tmpfile: bool) -> None:
    part = filled(tmp_path)
    target = tmp_path / "file.bin"
    part.finish(target, len(DATA))
    assert sha256_of(target) == sha256_bytes(DATA)
    assert not (tmp_path / "file.bin.part").exists()  # none made, or none left
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o644 & ~umask
    with pytest.raises(DiskError, match="closed"):
        part.write(0, b"x")


def test_finish_never_replaces_a_file(tmp_path: Path, tmpfile: bool) -> None:
    """Refused, it leaves nothing of its own behind and still has its bytes to keep."""
    target = tmp_path / "file.bin"
    target.write_bytes(b"the user's own file")
    part = filled(tmp_path)
    with pytest.raises(DiskError, match=r"not replaced|already exists|appeared"):
        part.finish(target, len(DATA))
    assert target.read_bytes() == b"the user's own file"
    assert not part.path.exists()  # no part file left that no record names
    spilled = part.spill()
    try:
        assert part.path.read_bytes() == DATA
    finally:
        spilled.close()


def test_finish_takes_only_the_size_given(tmp_path: Path, tmpfile: bool) -> None:
    target = tmp_path / "file.bin"
    filled(tmp_path).finish(target, 100)
    assert target.read_bytes() == DATA[:100]


def test_spill_writes_what_is_here_to_a_new_part_file(tmp_path: Path) -> None:
    part = MemoryPart(tmp_path / "file.bin.part", len(DATA))
    part.write(0, DATA[:1000])
    spilled = part.spill()
    try:
        assert isinstance(spilled, PartFile)
        assert (tmp_path / "file.bin.part").read_bytes() == DATA[:1000]
        info = (tmp_path / "file.bin.part").stat()
        assert spilled.identity == f"{info.st_dev}:{info.st_ino}"
    finally:
        spilled.close()
    with pytest.raises(DiskError, match="closed"):
        part.read(0, 10)


def test_spill_refuses_a_file_already_at_the_part_name(tmp_path: Path) -> None:
    stranger = tmp_path / "file.bin.part"
    stranger.write_bytes(b"not ours")
    part = MemoryPart(stranger, len(DATA))
    part.write(0, DATA[:10])
    with pytest.raises(DiskError, match="not Rangeload's"):
        part.spill()
    assert stranger.read_bytes() == b"not ours"


def test_no_write_past_the_size_or_read_past_the_bytes(tmp_path: Path) -> None:
    part = MemoryPart(tmp_path / "file.bin.part", 10)
    with pytest.raises(DiskError, match="past the end"):
        part.write(5, b"123456")
    part.write(0, b"12345")
    assert part.read(3, 100) == b"45"
    assert part.size_on_disk() == 5
    part.truncate(2)
    assert part.size_on_disk() == 2
    assert part.read(0, 10) == b"12"
