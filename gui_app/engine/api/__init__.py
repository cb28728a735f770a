"""What a front end sees of the engine, and what every floor of it shares: the values it is
given and hands out, its events, its errors, and the calls of an engine."""
