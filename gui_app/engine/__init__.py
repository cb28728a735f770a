"""The download engine: segments, probe, tasks, scheduler, store. Never imports Qt."""
