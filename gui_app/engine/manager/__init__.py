"""The download manager: the queue, the worker pool, the limits, the user's edits and the
refreshed address of a stopped download."""
