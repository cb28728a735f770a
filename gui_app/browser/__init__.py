"""The browser integration: the native messaging host and its installation (no Qt)."""
