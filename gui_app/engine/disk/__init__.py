"""What lies on disk: part files and their moves, the SQLite store, the cross-process
lock of a download, and group commit."""
