"""The app's policy, with no Qt: categories, per-site settings, the queue's schedule and the
app's settings. The window, the CLI and the engine host read it; the engine is given data."""
