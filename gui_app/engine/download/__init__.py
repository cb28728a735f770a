"""One download at a time: its task, its first answer, its connections and their regions,
speed limits, and its end."""
