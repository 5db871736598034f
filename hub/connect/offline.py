"""A connector's events checked as the SDK would check them, with no broker, database or
hub running: the stream from the catalogue file, its schema from the schema files.

For connector authors' tests (``hub connector new`` writes one that uses it)::

    events = mapped_events(MyConnector("tests/data/sample.csv"))
    assert events[0]["envelope"]["severity"] == "III"
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from hub.catalog.files import SchemaCatalog
from hub.config import PROJECT_ROOT
from hub.connect.base import Connector, SourceRecord
from hub.connect.envelope import complete, events_of
from hub.connect.target import StreamTarget
from hub.errors import NotFound
from hub.policy.loader import load_streams
from hub.serde.avro import CompiledSchema

SCHEMAS = PROJECT_ROOT / "schemas"
STREAMS = PROJECT_ROOT / "policies" / "streams.yaml"


@cache
def _catalogue(streams: Path, schemas: Path) -> dict[str, tuple[StreamTarget, str]]:
    files = SchemaCatalog.load(schemas)
    return {
        s.id: (StreamTarget.of(s), files.resolve_text(s.schema_name)) for s in load_streams(streams)
    }


def offline_target(
    stream_id: str, *, streams: Path = STREAMS, schemas: Path = SCHEMAS
) -> tuple[StreamTarget, CompiledSchema]:
    """The stream's catalogue entry and its schema as the files hold them now."""
    found = _catalogue(streams, schemas).get(stream_id)
    if found is None:
        raise NotFound(f"stream {stream_id} is not in {streams}")
    target, text = found
    return target, CompiledSchema.from_text(0, text)


def mapped_events(
    connector: Connector,
    records: Iterable[SourceRecord] | None = None,
    *,
    streams: Path = STREAMS,
    schemas: Path = SCHEMAS,
) -> list[dict[str, Any]]:
    """Map ``records`` (by default all that ``connector.read(None)`` yields), complete
    each event's envelope and validate it against its stream's schema; the first that
    fails raises ``RecordRejected`` (or the ``ValueError`` its mapping raised). Events
    routed to another stream come in the list too, in order."""
    found: list[dict[str, Any]] = []
    for record in connector.read(None) if records is None else records:
        for index, routed in enumerate(events_of(connector.map(record), connector)):
            target, schema = offline_target(routed.stream, streams=streams, schemas=schemas)
            completed = complete(
                target, routed.event, connector=connector.name, record=record, index=index
            )
            schema.validate(completed)
            found.append(completed)
    return found
