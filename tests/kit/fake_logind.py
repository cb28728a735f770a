"""A stand-in for systemd-logind on a private bus, for tests: it owns the name
``org.freedesktop.login1``, answers every Manager call, and writes each as a line
(``Suspend False``) to a file. Run: ``python -m tests.kit.fake_logind BUS_ADDRESS FILE``."""

from __future__ import annotations

import sys
from pathlib import Path

from jeepney import HeaderFields, MessageType, new_method_return
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection


def main(address: str, record: Path) -> None:
    with open_dbus_connection(bus=address) as connection:
        reply = connection.send_and_get_reply(message_bus.RequestName("org.freedesktop.login1"))
        assert reply.body == (1,), reply.body  # the primary owner
        record.write_text("ready\n")
        while True:
            message = connection.receive()
            fields = message.header.fields
            if message.header.message_type is not MessageType.method_call:
                continue
            if fields.get(HeaderFields.interface) == "org.freedesktop.login1.Manager":
                with record.open("a") as out:
                    args = " ".join(str(a) for a in message.body)
                    out.write(f"{fields[HeaderFields.member]} {args}\n")
            connection.send(new_method_return(message))


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
