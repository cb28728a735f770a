"""``rangeload serve``: run the bundled range server (filled in by the server work)."""
