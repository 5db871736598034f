"""The receiver of one push connector: admits a delivery from its headers, checks its
signature, splits it into records and commits them to the connector's outbox before
answering 202."""

from __future__ import annotations

import hashlib
import logging
import threading
from email.message import Message
from types import TracebackType
from urllib.parse import urlsplit

from hub.connect.base import PushConnector, SourceRecord
from hub.connect.runtime import ConnectorRuntime
from hub.connect.webhook.answers import Answer, Refused, problem, unauthenticated
from hub.connect.webhook.handler import WebhookServer
from hub.connect.webhook.signing import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    TOLERANCE_S,
    check_headers,
    check_secret,
    verify,
)
from hub.errors import AuthenticationFailed

log = logging.getLogger("hub.connect.webhook")

MAX_BODY_BYTES = 1024 * 1024
RETRY_AFTER_S = 30


def listen_address(text: str) -> tuple[str, int]:
    """``host:port`` (``[::1]:8443`` for IPv6) as the receiver binds it; ``ValueError``
    otherwise. A push connector's ``--source`` is this."""
    host, colon, port = text.strip().rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not (colon and host and port.isascii() and port.isdigit() and int(port) <= 65535):
        raise ValueError(f"{text!r} is not a listen address host:port, for example 0.0.0.0:8443")
    return host, int(port)


class WebhookReceiver:
    """Serves one push connector on ``host:port`` (port 0: a free one, see
    :attr:`port`), answering POSTs to ``path``; use as a context manager or call
    :meth:`start` and :meth:`stop`.

    The runtime must have been built on ``connector``. Requests are served on threads,
    so ``split`` may run on several at once; the runtime commits one delivery at a
    time.
    """

    def __init__(
        self,
        runtime: ConnectorRuntime,
        connector: PushConnector,
        *,
        host: str,
        port: int,
        secret: bytes,
        path: str = "/",
        max_body_bytes: int = MAX_BODY_BYTES,
        tolerance_s: int = TOLERANCE_S,
        read_timeout_s: float = 10.0,
    ) -> None:
        check_secret(secret)
        if runtime.connector is not connector:
            raise ValueError(f"the runtime was built for {runtime.connector.name}, not this one")
        self.connector = connector
        self.runtime = runtime
        self.host = host
        self.path = path
        self.max_body_bytes = max_body_bytes
        self.tolerance_s = tolerance_s
        self.read_timeout_s = read_timeout_s
        self._port = port
        self._secret = secret
        self._server: WebhookServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The port it listens on: the one chosen for port 0 once started."""
        return self._server.server_address[1] if self._server else self._port

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{self.path}"

    def start(self) -> WebhookReceiver:
        self._server = WebhookServer((self.host, self._port), self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},  # how soon stop() is noticed
            name=f"webhook {self.connector.name}",
        )
        self._thread.start()
        log.info("%s: receiving deliveries at %s", self.connector.name, self.url)
        return self

    def stop(self) -> None:
        """Stop listening, letting answers being written finish first."""
        if self._server is None or self._thread is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
        self._server = self._thread = None

    def __enter__(self) -> WebhookReceiver:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    # For the request handler: what can be refused before the body is read, then the rest.

    def _admit(self, path: str, headers: Message) -> int:
        """The body's declared length, unless the request is refused from its headers."""
        if urlsplit(path).path != self.path:
            raise Refused(problem(404, "not-found", f"deliveries go to {self.path}"))
        if headers.get("Transfer-Encoding") is not None:
            raise Refused(problem(411, "length-required", "send a Content-Length, not chunks"))
        lengths = set(headers.get_all("Content-Length") or [])
        if not lengths:
            raise Refused(problem(411, "length-required", "a delivery needs a Content-Length"))
        declared = lengths.pop() if len(lengths) == 1 else ""
        if not (declared.isascii() and declared.isdigit()):
            raise Refused(problem(400, "bad-request", "Content-Length is not one whole number"))
        if int(declared) > self.max_body_bytes:
            raise Refused(
                problem(
                    413,
                    "payload-too-large",
                    f"the body is {int(declared):,} bytes, over this receiver's limit of"
                    f" {self.max_body_bytes:,}; send fewer records per request",
                )
            )
        try:
            check_headers(
                headers.get(TIMESTAMP_HEADER),
                headers.get(SIGNATURE_HEADER),
                tolerance_s=self.tolerance_s,
            )
        except AuthenticationFailed as exc:
            raise Refused(unauthenticated(exc)) from None
        return int(declared)

    def _receive(self, body: bytes, headers: Message) -> Answer:
        try:
            verify(
                self._secret,
                body,
                timestamp=headers.get(TIMESTAMP_HEADER),
                signature=headers.get(SIGNATURE_HEADER),
                tolerance_s=self.tolerance_s,
            )
        except AuthenticationFailed as exc:
            return unauthenticated(exc)
        try:
            records = list(self.connector.split(body, headers.get("Content-Type", "")))
        except Exception as exc:  # whatever split raises, the body must not be lost
            return self._unreadable(body, exc)
        outbox = self.runtime.outbox
        if outbox.full or outbox.depth + len(records) > outbox.max_rows:
            # Taking them now would hold this request (and the sender's connection) until
            # the hub takes some; the sender keeps them and tries again instead.
            return problem(
                503,
                "outbox-full",
                "the connector's outbox is full while the hub is not taking events;"
                " send again later",
                ("Retry-After", str(RETRY_AFTER_S)),
            )
        submitted = self.runtime.submit(records)
        accepted = submitted.records - submitted.dead_lettered
        return Answer(202, {"accepted": accepted, "dead_lettered": submitted.dead_lettered})

    def _unreadable(self, body: bytes, error: Exception) -> Answer:
        """A body ``split`` cannot take apart is dead-lettered whole, not refused:
        sending it again would not make it readable."""
        if not isinstance(error, ValueError):
            log.error(
                "%s: split raised %s, not ValueError (a bug?); the body is dead-lettered",
                self.connector.name,
                type(error).__name__,
            )
        digest = hashlib.sha256(body).hexdigest()[:16]
        self.runtime.refuse(SourceRecord(f"webhook-body:sha256:{digest}", body), error)
        return Answer(202, {"accepted": 0, "dead_lettered": 1})
