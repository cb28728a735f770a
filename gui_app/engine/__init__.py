"""The download engine: segments, probe, tasks, scheduler, store. Never imports Qt."""

import sys

# httpx imports its command-line client (and with it rich, click and pygments) whenever
# they are installed, as ours are: 40 ms of every ``rangeload get``'s start, for a tool
# Rangeload never runs. A None entry makes that import fail at once, which httpx expects
# (it then defines a stub ``httpx.main``). Only if nothing imported httpx before us.
if "httpx" not in sys.modules:
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]  # None: "not importable"
