"""The webhook receiver on a real socket on 127.0.0.1: a signed delivery is answered 202
only once its events are in the outbox; anything unsigned, stale, oversize or unframed
is refused with a problem and commits nothing; a body the connector cannot split is
dead-lettered whole, not lost.

:class:`WebhookCases` holds the cases whose outcome is on the bus; they run here on the
memory bus and in ``tests/integration/connect/test_webhook_kafka.py`` on the real broker.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from hub.bus.protocols import Bus
from hub.connect import StreamTarget
from hub.connect.encoding import AvroEncoder
from hub.connect.offline import offline_target
from hub.connect.outbox import Outbox
from hub.connect.runtime import ConnectorRuntime
from hub.connect.testing import MemoryBus
from hub.connect.transport import KafkaTransport
from hub.connect.webhook import (
    SECRET_ENV,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WebhookReceiver,
    listen_address,
    secret_from_env,
    sign,
    verify,
)
from hub.errors import AuthenticationFailed, ConfigError
from tests.utils.webhook_cases import (
    SECRET,
    STREAM,
    Reports,
    Serve,
    WebhookCases,
    deliver,
    post,
    problem,
    read,
    reports,
)


class TestWebhookOnMemoryBus(WebhookCases):
    @pytest.fixture
    def bus(self) -> Bus:
        return MemoryBus()

    @pytest.mark.parametrize(
        ("secret", "tamper"),
        [(b"another-secret-0123456789", False), (SECRET, True)],
        ids=["wrong-secret", "tampered-body"],
    )
    def test_a_bad_signature_is_401_and_nothing_is_committed(
        self, serve: Serve, secret: bytes, tamper: bool
    ) -> None:
        receiver, runtime = serve()
        body = reports(1)
        headers = sign(secret, body)
        response = post(receiver, reports(9) if tamper else body, headers=headers)
        assert "does not sign this body" in problem(response, 401)["detail"]
        assert response.headers["www-authenticate"].startswith("HMAC-SHA256")
        assert runtime.outbox.state().counters["read"] == 0
        assert runtime.outbox.depth == 0

    @pytest.mark.parametrize("skew_s", [-301, 301, -86_400])
    def test_a_timestamp_outside_the_tolerance_is_401_as_a_replay(
        self, serve: Serve, skew_s: int
    ) -> None:
        receiver, runtime = serve()
        response = post(receiver, reports(1), timestamp=int(time.time()) + skew_s)
        assert "a replayed request" in problem(response, 401)["detail"]
        assert runtime.outbox.depth == 0

    def test_a_timestamp_within_the_tolerance_is_taken(self, serve: Serve) -> None:
        receiver, _ = serve(tolerance_s=60)
        assert post(receiver, reports(1), timestamp=int(time.time()) - 50).status_code == 202

    @pytest.mark.parametrize(
        "headers",
        [
            {},
            {TIMESTAMP_HEADER: str(int(time.time()))},
            {SIGNATURE_HEADER: "sha256=" + "0" * 64},
            {TIMESTAMP_HEADER: "yesterday", SIGNATURE_HEADER: "sha256=" + "0" * 64},
            {TIMESTAMP_HEADER: "١٧٠٠٠٠٠٠٠٠".encode(), SIGNATURE_HEADER: "sha256=" + "0" * 64},
            {TIMESTAMP_HEADER: str(int(time.time())), SIGNATURE_HEADER: "md5=" + "0" * 32},
            {TIMESTAMP_HEADER: str(int(time.time())), SIGNATURE_HEADER: "sha256=xyz"},
        ],
        ids=["none", "no-signature", "no-timestamp", "words", "arabic-digits", "md5", "not-hex"],
    )
    def test_missing_or_malformed_signature_headers_are_401(
        self, serve: Serve, headers: dict[str, Any]
    ) -> None:
        receiver, runtime = serve()
        problem(post(receiver, reports(1), headers=headers), 401)
        assert runtime.outbox.depth == 0

    def test_a_body_over_the_limit_is_413_and_nothing_is_committed(self, serve: Serve) -> None:
        receiver, runtime = serve(max_body_bytes=1024)
        body = reports(*range(200))
        assert len(body) > 1024
        assert "over this receiver's limit of 1,024" in problem(post(receiver, body), 413)["detail"]
        assert runtime.outbox.depth == 0

    def test_a_declared_length_over_the_limit_is_refused_without_waiting_for_it(
        self, serve: Serve
    ) -> None:
        receiver, _ = serve()
        # A gigabyte declared, none of it sent: the answer comes from the headers alone.
        status, _ = raw_request(
            receiver,
            f"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: {10**9}\r\n"
            f"{TIMESTAMP_HEADER}: {int(time.time())}\r\n{SIGNATURE_HEADER}: sha256={'0' * 64}\r\n\r\n",
        )
        assert status == 413

    def test_an_expected_body_is_refused_before_it_is_sent(self, serve: Serve) -> None:
        receiver, _ = serve()
        started = time.monotonic()
        status, text = raw_request(
            receiver,
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n",
        )
        assert status == 401, "unsigned: no 100 Continue, so the sender keeps its body"
        assert "100 Continue" not in text
        assert time.monotonic() - started < 1.0

    def test_a_body_without_a_content_length_is_411(self, serve: Serve) -> None:
        receiver, runtime = serve()
        status, text = raw_request(receiver, "POST / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert status == 411
        assert '"type":"/problems/length-required"' in text
        chunked = httpx.post(
            receiver.url, content=iter([reports(1)]), headers=sign(SECRET, reports(1)), timeout=10
        )
        assert "not chunks" in problem(chunked, 411)["detail"]
        assert runtime.outbox.depth == 0

    def test_another_method_is_405_and_another_path_404(self, serve: Serve) -> None:
        receiver, _ = serve(path="/deliveries")
        for method in ("GET", "PUT", "DELETE"):
            refused = httpx.request(method, receiver.url, timeout=10)
            problem(refused, 405)
            assert refused.headers["allow"] == "POST"
        assert httpx.head(receiver.url, timeout=10).status_code == 405
        elsewhere = receiver.url.replace("/deliveries", "/")
        problem(httpx.post(elsewhere, content=b"{}", headers=sign(SECRET, b"{}"), timeout=10), 404)
        body = reports(1)
        with_query = httpx.post(
            receiver.url + "?attempt=2", content=body, headers=sign(SECRET, body), timeout=10
        )
        assert with_query.status_code == 202, "a query string is not part of the path"

    def test_a_full_outbox_is_503_with_retry_after_until_the_hub_takes_events(
        self, serve: Serve
    ) -> None:
        receiver, runtime = serve(max_rows=2)
        assert post(receiver, reports(1)).status_code == 202
        overflowing = post(receiver, reports(2, 3))
        assert "outbox is full" in problem(overflowing, 503)["detail"], "two more would not fit"
        assert post(receiver, reports(2)).status_code == 202
        full = post(receiver, reports(3))
        problem(full, 503)
        assert full.headers["retry-after"] == "30"
        assert runtime.outbox.depth == 2, "nothing of the refused deliveries was taken"
        deliver(runtime)
        assert post(receiver, reports(3)).json() == {"accepted": 1, "dead_lettered": 0}

    def test_a_split_that_fails_with_a_bug_still_dead_letters_the_body(
        self, serve: Serve, bus: Bus, target: StreamTarget
    ) -> None:
        receiver, runtime = serve()
        response = post(receiver, b'{"items": []}')
        assert response.json() == {"accepted": 0, "dead_lettered": 1}
        deliver(runtime)
        (letter,) = read(bus, target.dead_letter_topic)
        assert (letter.value, dict(letter.headers)["error"]) == (b'{"items": []}', b"KeyError")

    def test_concurrent_deliveries_each_get_their_own_counts(
        self, serve: Serve, bus: Bus, target: StreamTarget
    ) -> None:
        receiver, runtime = serve()
        answers: dict[int, dict[str, int]] = {}

        def send(k: int) -> None:
            numbers = range(10 * k, 10 * k + 5)
            answers[k] = post(receiver, reports(*numbers, untitled=list(numbers)[:k])).json()

        threads = [threading.Thread(target=send, args=(k,)) for k in range(5)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert answers == {k: {"accepted": 5 - k, "dead_lettered": k} for k in range(5)}
        deliver(runtime)
        assert len(self.events(bus, target)) == 15

    def test_neither_the_secret_nor_a_body_is_logged(
        self, serve: Serve, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.DEBUG)
        receiver, _ = serve()
        marker = "Zhang San 13800000000"
        body = json.dumps({"reports": [{"n": 1, "title": marker}, {"n": 2}]}).encode()
        post(receiver, body)
        post(receiver, body, secret=b"wrong-secret-0123456789")
        post(receiver, marker.encode())
        httpx.post(receiver.url + "?token=" + SECRET.decode(), content=body, timeout=10)
        ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("hub."))
        assert "POST / 202" in ours
        assert SECRET.decode() not in ours
        assert marker not in ours

    def test_the_runtime_must_be_built_on_the_receivers_connector(self, serve: Serve) -> None:
        _, runtime = serve()
        with pytest.raises(ValueError, match="built for reports"):
            WebhookReceiver(runtime, Reports(), host="127.0.0.1", port=0, secret=SECRET)


def raw_request(receiver: WebhookReceiver, head: str) -> tuple[int, str]:
    """Send ``head`` (and nothing more) on a plain socket; the status and the answer."""
    with socket.create_connection(("127.0.0.1", receiver.port), timeout=5) as conn:
        conn.sendall(head.encode())
        answer = b""
        while b"\r\n\r\n" not in answer:
            answer += conn.recv(65536)
        top, _, body = answer.partition(b"\r\n\r\n")
        length = int(top.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
        while len(body) < length:
            body += conn.recv(65536)
    text = (top + b"\r\n\r\n" + body).decode()
    return int(text.split()[1]), text


def test_a_signature_verifies_only_for_its_secret_body_and_time() -> None:
    body = b'{"reports": []}'
    headers = sign(SECRET, body, timestamp=1_781_500_200)
    assert headers[SIGNATURE_HEADER].startswith("sha256=")
    verify(
        SECRET,
        body,
        timestamp=headers[TIMESTAMP_HEADER],
        signature=headers[SIGNATURE_HEADER].upper().replace("SHA256=", "sha256="),
        now=1_781_500_200 + 299,
    )
    for secret, signed, now in [
        (b"x" * 32, body, 1_781_500_200),
        (SECRET, body + b" ", 1_781_500_200),
        (SECRET, body, 1_781_500_200 + 301),
    ]:
        with pytest.raises(AuthenticationFailed):
            verify(
                secret,
                signed,
                timestamp=headers[TIMESTAMP_HEADER],
                signature=headers[SIGNATURE_HEADER],
                now=now,
            )


def test_a_secret_shorter_than_16_bytes_or_missing_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="at least 16 bytes"):
        secret_from_env({})
    with pytest.raises(ConfigError, match=SECRET_ENV):
        secret_from_env({SECRET_ENV: "short"})
    assert secret_from_env({SECRET_ENV: SECRET.decode()}) == SECRET
    connector = Reports()
    target, schema = offline_target(STREAM)
    runtime = ConnectorRuntime(
        connector,
        encoders={STREAM: AvroEncoder(target, schema)},
        outbox=Outbox(tmp_path / "outbox.db"),
        transport=KafkaTransport(MemoryBus().publisher()),
    )
    with pytest.raises(ConfigError, match="at least 16 bytes"):
        WebhookReceiver(runtime, connector, host="127.0.0.1", port=0, secret=b"")
    runtime.outbox.close()


@pytest.mark.parametrize(
    ("text", "address"),
    [("127.0.0.1:8443", ("127.0.0.1", 8443)), ("[::1]:0", ("::1", 0)), (" host:80 ", ("host", 80))],
)
def test_a_listen_address_is_host_and_port(text: str, address: tuple[str, int]) -> None:
    assert listen_address(text) == address
