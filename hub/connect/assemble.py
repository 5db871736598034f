"""A connector runtime put together for the gateway transport.

Inside the hub's network a connector gets its streams from the catalogue and its
schemas from the hub's registry, and sends to Kafka (``HubStack.connector_runtime``,
which owns the database). A department that can reach only the gateway gets both
through the gateway's APIs with its own client credentials, and sends there: same
outbox, same retries, same dead letters.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hub.client.api import HubClient
from hub.connect.base import Connector
from hub.connect.encoding import Encoder, JsonEncoder
from hub.connect.outbox import Outbox
from hub.connect.runtime import ConnectorRuntime
from hub.connect.target import StreamTarget
from hub.connect.transport import GatewayTransport
from hub.errors import ConfigError
from hub.serde.avro import CompiledSchema

#: A stream's limit when the gateway does not say (an older gateway): the catalogue's default.
DEFAULT_MAX_MESSAGE_BYTES = 1_000_000


def streams_of(connector: Connector) -> list[str]:
    return [connector.stream, *connector.also]


def gateway_runtime(
    connector: Connector, *, client: HubClient, outbox: Outbox, **options: Any
) -> ConnectorRuntime:
    """The stream's catalogue entry from ``/v1/streams/{id}``, its schema from the
    registry API (``/registry/subjects/{subject}/versions/latest``)."""
    encoders: dict[str, Encoder] = {}
    for stream_id in streams_of(connector):
        entry = client.get(f"/v1/streams/{stream_id}")
        latest = client.get(f"/registry/subjects/{entry['subject']}/versions/latest")
        if latest.get("references"):
            raise ConfigError(
                f"{entry['subject']} uses schema references, which a remote connector"
                " cannot resolve yet; register the catalogue's self-contained schema"
            )
        encoders[stream_id] = JsonEncoder(
            StreamTarget(
                id=entry["id"],
                owner=entry["owner"],
                topic=entry["topic"],
                sensitivity=entry["sensitivity"],
                classification_required=entry.get("classification", "required") == "required",
                max_message_bytes=entry.get("max_message_bytes", DEFAULT_MAX_MESSAGE_BYTES),
            ),
            CompiledSchema.from_text(int(latest["id"]), latest["schema"]),
        )
    return ConnectorRuntime(
        connector,
        encoders=encoders,
        outbox=outbox,
        transport=GatewayTransport(client),
        **options,
    )


def outbox_path(var_dir: Path, connector: Connector) -> Path:
    """Each connector's own file: two connectors never share a checkpoint."""
    return var_dir / "connectors" / connector.name / "outbox.db"
