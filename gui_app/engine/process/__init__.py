"""The engine in a process of its own: the typed messages, the channel that carries them, the
host that runs a manager, and the app's handle on it."""
