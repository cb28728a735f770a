"""The PySide6 desktop app: the only room that imports Qt."""
