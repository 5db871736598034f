"""Slow clients get bounded waits: a body that trickles in is answered 408 (audited)
over a real socket to a real uvicorn; an answer nobody reads is abandoned."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from starlette.types import Message, Receive, Scope, Send

from hub.gateway.slow_clients import SlowClients
from tests.utils.server import serving
from tests.utils.stack import Stack, gateway_stack

pytestmark = pytest.mark.kafka


def _answer(sock: socket.socket, timeout_s: float) -> bytes:
    sock.settimeout(timeout_s)
    data = b""
    while b"\r\n\r\n" not in data or not data.endswith(b"}"):
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def test_a_body_that_does_not_arrive_in_time_is_a_408_and_audited(tmp_path: Path) -> None:
    with gateway_stack(tmp_path, body_timeout_s=1.0) as stack:
        token = stack.token("emergency-console")
        with serving(stack.http.app) as url:
            port = int(url.rsplit(":", 1)[1])
            with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                started = time.monotonic()
                sock.sendall(
                    b"POST /v1/streams/emergency.incident-report/events HTTP/1.1\r\n"
                    b"Host: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    b"Authorization: Bearer " + token.encode() + b"\r\n"
                    b'X-Request-ID: slow-body-1\r\nContent-Length: 1000\r\n\r\n{"envelope"'
                )
                answer = _answer(sock, timeout_s=30)
                waited = time.monotonic() - started
            # A healthy client is served meanwhile and after.
            assert stack.http.get("/v1/streams", headers=stack.bearer("health-dispatch")).is_success
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 408"), answer[:200]
        assert b"application/problem+json" in head
        assert orjson.loads(body)["type"] == "/problems/request-timeout"
        assert 0.9 <= waited < 20, "answered at the deadline, not at the socket's"
        (row,) = [r for r in stack.audit_rows() if r["request_id"] == "slow-body-1"]
        assert (row["status"], row["decision"]) == (408, "deny")
        assert "no whole body in 1 s" in row["reason"]


def test_an_answer_nobody_reads_is_abandoned_after_the_send_timeout() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        for _ in range(100):
            await send({"type": "http.response.body", "body": b"x" * 1024, "more_body": True})

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    sent: list[str] = []

    async def stalled(message: Message) -> None:
        sent.append(message["type"])
        if len(sent) > 3:
            await asyncio.Event().wait()  # the client's window never opens again

    guard = SlowClients(app, body_timeout_s=5, send_timeout_s=0.3)
    scope = {"type": "http", "method": "GET", "path": "/v1/streams/x/events", "state": {}}
    started = time.monotonic()
    asyncio.run(asyncio.wait_for(guard(scope, receive, stalled), timeout=30))
    assert time.monotonic() - started < 10
    assert len(sent) == 4, "nothing more was sent after the stall"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, str]]:
    with (
        gateway_stack(tmp_path_factory.mktemp("cut")) as stack,
        serving(stack.http.app) as url,
    ):
        yield stack, url


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/v1/streams/emergency.incident-report/events", "application/json"),
        ("/oauth/token", "application/x-www-form-urlencoded"),
        ("/registry/subjects/cut-value", "application/json"),
    ],
    ids=["publish", "token", "registry"],
)
def test_a_body_cut_short_by_the_client_has_its_row_and_no_traceback(
    served: tuple[Stack, str], caplog: pytest.LogCaptureFixture, path: str, content_type: str
) -> None:
    """The client sends part of its body and leaves: no route runs on the part, nothing
    is logged as a failure, and the row says the client closed the connection."""
    request_id = f"cut-{path.rsplit('/', 1)[1]}"
    stack, url = served
    token = stack.token("emergency-console")
    with caplog.at_level("WARNING"):
        port = int(url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(
                f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Content-Type: {content_type}\r\nAuthorization: Bearer {token}\r\n"
                f"X-Request-ID: {request_id}\r\nContent-Length: 1000\r\n\r\n".encode()
                + b'{"envelope": {"event_id":'
            )
        deadline = time.monotonic() + 30
        rows: list[dict[str, object]] = []
        while not rows and time.monotonic() < deadline:
            rows = [r for r in stack.audit_rows() if r["request_id"] == request_id]
            time.sleep(0.05)
    (row,) = rows
    assert (row["status"], row["decision"]) == (499, "deny")
    assert "closed the connection before its body arrived whole" in str(row["reason"])
    assert not [r for r in caplog.records if r.exc_info], "no traceback in the log"
