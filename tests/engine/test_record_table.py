"""The record table's name index agrees with asking every record, whatever sequence of
adds, renames, state changes and removals came before (hypothesis)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from gui_app.engine.api.models import DownloadId, DownloadState, Request
from gui_app.engine.api.record import DownloadRecord, Remote, Status
from gui_app.engine.manager.record_table import RecordTable

FOLDERS = (Path("/a"), Path("/b"))
NAMES = ("x.bin", "y.bin")


@dataclass(frozen=True)
class Step:
    action: str  # "set", "pop" or "del"
    download_id: DownloadId
    record: DownloadRecord


records = st.builds(
    DownloadRecord,
    id=st.integers(1, 4),
    request=st.builds(
        Request,
        url=st.just("http://h/f"),
        dest_dir=st.sampled_from(FOLDERS),
        filename=st.sampled_from((None, *NAMES)),
    ),
    # The name chosen, and a category's folder, outrank the request's.
    remote=st.builds(
        Remote,
        filename=st.sampled_from((None, *NAMES)),
        folder=st.sampled_from((None, *FOLDERS)),
    ),
    status=st.builds(Status, state=st.sampled_from(list(DownloadState))),
)
steps = st.lists(
    st.builds(Step, st.sampled_from(("set", "set", "pop", "del")), st.integers(1, 4), records),
    max_size=40,
)


@given(steps)
def test_the_name_index_agrees_with_every_record(script: list[Step]) -> None:
    table = RecordTable()
    plain: dict[DownloadId, DownloadRecord] = {}
    for step in script:
        if step.action == "set":
            table[step.download_id] = plain[step.download_id] = step.record
        elif step.action == "pop":
            assert table.pop(step.download_id, None) == plain.pop(step.download_id, None)
        elif step.download_id in plain:
            del table[step.download_id], plain[step.download_id]
        assert dict(table) == plain
        for folder in FOLDERS:
            for name in NAMES:
                held = any(
                    r.filename == name
                    and r.dest_dir == folder
                    and r.state is not DownloadState.COMPLETED
                    for r in plain.values()
                )
                assert table.holds_name(folder, name) is held
