"""The Emergency Management Bureau's connector for its duty-office system, which pushes
incident reports and task assignments to a webhook as they are entered, instead of
leaving an export to be polled.

``hub connector run emergency-webhook --source 0.0.0.0:8443`` listens there; the
shared secret comes from ``HUB_CONNECT_WEBHOOK_SECRET`` (see :mod:`hub.connect.webhook`
for how a delivery is signed). Each message becomes one event: reports on
``emergency.incident-report``, tasks on ``emergency.task-assignment``.
"""

from __future__ import annotations

from collections.abc import Sequence

from connectors.emergency_webhook.mapping import TASK_STREAM, to_event
from connectors.emergency_webhook.messages import parse, split_body
from hub.connect import ConnectorRuntime, Mapped, PushConnector, SourceRecord
from hub.connect.webhook import WebhookReceiver, listen_address, secret_from_env


class EmergencyWebhookConnector(PushConnector):
    """Incident reports and task assignments pushed by the duty-office system.

    Args:
        source: The address to listen on, ``host:port``.
    """

    name = "emergency-webhook"
    stream = "emergency.incident-report"
    also = (TASK_STREAM,)

    def __init__(self, source: str) -> None:
        self.source = source
        self.host, self.port = listen_address(source)

    def split(self, body: bytes, content_type: str) -> Sequence[SourceRecord]:
        return split_body(body, content_type)

    def map(self, record: SourceRecord) -> Mapped:
        return to_event(parse(record.raw))

    def receiver(
        self, runtime: ConnectorRuntime, *, secret: bytes | None = None
    ) -> WebhookReceiver:
        """A receiver on :attr:`source` feeding ``runtime`` (built on this connector),
        with the secret from ``HUB_CONNECT_WEBHOOK_SECRET`` unless given."""
        return WebhookReceiver(
            runtime,
            self,
            host=self.host,
            port=self.port,
            secret=secret_from_env() if secret is None else secret,
        )
