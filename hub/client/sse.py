"""Server-Sent Events read from lines, as the WHATWG event-stream format says: fields
``event``, ``data`` (several join with newlines), ``id`` and ``retry``; a line starting
with ``:`` is a comment (the hub's heartbeats); a blank line ends a message."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson


@dataclass(frozen=True, slots=True)
class Message:
    event: str
    data: str
    #: The resume token: send it back as ``Last-Event-ID`` to go on after this message.
    id: str | None

    def json(self) -> Any:
        return orjson.loads(self.data)


def messages(lines: Iterable[str]) -> Iterator[Message]:
    event, last_id = "message", None
    data: list[str] = []
    for raw in lines:
        line = raw.rstrip("\r\n")
        if not line:
            if data:
                yield Message(event, "\n".join(data), last_id)
            event = "message"
            data = []
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "event":
            event = value
        elif name == "data":
            data.append(value)
        elif name == "id" and "\x00" not in value:
            last_id = value
