"""The HTTP side of the receiver, on the standard library's threaded server: what is
refused from the headers is refused before the body is read; every answer closes the
connection; the server's own refusals come as problems too."""

from __future__ import annotations

import logging
import socket
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import orjson

from hub.connect.webhook.answers import PROBLEM_JSON, Answer, Refused, problem

if TYPE_CHECKING:
    from hub.connect.webhook.receiver import WebhookReceiver

log = logging.getLogger("hub.connect.webhook")

#: Of a body refused unread, at most this much is read and dropped after the answer, so
#: the sender's socket sees the answer rather than a reset from unread data.
DRAIN_BYTES = 256 * 1024


class WebhookServer(ThreadingHTTPServer):
    # Request threads are joined on stop, so an answer being written is not cut off;
    # the handler's read timeout bounds how long a slow sender can hold that up.
    daemon_threads = False

    def __init__(self, address: tuple[str, int], receiver: WebhookReceiver) -> None:
        self.receiver = receiver
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: WebhookServer
    # HTTP/1.1 for Expect: 100-continue (refused before the body is sent); every answer
    # still closes the connection, so no idle keep-alive holds a thread at stop.
    protocol_version = "HTTP/1.1"
    server_version = "linkage-webhook"

    def version_string(self) -> str:
        return self.server_version  # not the Python version: nothing for a prober

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.receiver.read_timeout_s)
        self._body_pending = True

    def do_POST(self) -> None:
        receiver = self.server.receiver
        try:
            length = receiver._admit(self.path, self.headers)
            body = self.rfile.read(length)
            self._body_pending = False
            if len(body) < length:
                raise Refused(problem(400, "bad-request", "the body ended before its length"))
            answer = receiver._receive(body, self.headers)
        except Refused as refused:
            answer = refused.answer
        except Exception:
            log.exception("%s: a delivery failed", receiver.connector.name)
            answer = problem(500, "internal-error", "the delivery was not taken; send it again")
        self._send(answer)

    def handle_expect_100(self) -> bool:
        if self.command == "POST":
            try:
                self.server.receiver._admit(self.path, self.headers)
            except Refused as refused:
                self._body_pending = False  # the sender waits for 100 Continue: none comes
                self._send(refused.answer)
                return False
        return super().handle_expect_100()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The server's own refusals (a malformed request, a method with no handler) as
        problems too."""
        if code == HTTPStatus.NOT_IMPLEMENTED:
            self._send(
                problem(405, "method-not-allowed", "deliveries are POSTed", ("Allow", "POST"))
            )
            return
        slug = HTTPStatus(code).phrase.lower().replace(" ", "-")
        self._send(problem(code, slug, message or HTTPStatus(code).description))

    def _send(self, answer: Answer) -> None:
        payload = orjson.dumps(answer.body)
        self.close_connection = True
        self.send_response(answer.status)
        self.send_header(
            "Content-Type", PROBLEM_JSON if answer.status >= 400 else "application/json"
        )
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        for name, value in answer.headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)
        self.wfile.flush()
        self._drain()

    def _drain(self) -> None:
        headers = getattr(self, "headers", None)
        declared = headers.get("Content-Length", "") if headers is not None else ""
        if not self._body_pending or not (declared.isascii() and declared.isdigit()):
            return
        left = min(int(declared), DRAIN_BYTES)
        try:
            self.connection.settimeout(1.0)
            while left > 0 and (chunk := self.rfile.read1(min(left, 65536))):
                left -= len(chunk)
        except OSError:
            pass  # the sender went away: nothing more to tell it

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        # The path only: a query string might hold what a sender should not have put there.
        log.info("%s %s %s", self.command, urlsplit(self.path).path, code)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("webhook: " + format, *args)
