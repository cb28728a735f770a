"""``rangeload get``, ``list``, ``resume``, ``remove``: headless downloads on the engine."""
