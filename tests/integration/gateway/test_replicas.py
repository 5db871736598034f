"""Two `hub gateway` processes on one PostgreSQL and one broker, as production runs them.

Tokens, paging cursors and live-feed resume tokens made by one replica work on the
other; a mixed load against both leaves one audit chain that verifies, with exactly one
row per request; and when one replica is killed with SIGKILL mid-load, the other keeps
answering and the chain still verifies.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from hub.bus.broker import EmbeddedBroker, free_port
from hub.client import HubClient, Message
from hub.config import DatabaseSettings
from hub.demo.clients import issue_demo_credentials
from hub.gateway.auth.clients import IssuedCredentials
from hub.store.engine import make_engine, make_sessions
from hub.store.models import AuditRow
from tests.utils.databases import fresh_postgres
from tests.utils.events import STREAM, incident_report
from tests.utils.processes import hub_env

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(420)]
HUB = [sys.executable, "-m", "hub"]
EVENTS = f"/v1/streams/{STREAM}/events"
#: What the load may be answered; anything else (a 5xx above all) fails the test.
EXPECTED = {200, 201, 401, 403, 429}


@dataclass
class Replicas:
    urls: list[str]
    processes: list[subprocess.Popen[bytes]]
    env: dict[str, str]
    database_url: str
    credentials: dict[str, IssuedCredentials]
    logs: list[Path]
    tokens: dict[str, str] = field(default_factory=dict)

    def rows(self, prefix: str) -> dict[str, int]:
        """Audit rows per request id that starts with ``prefix``."""
        engine = make_engine(DatabaseSettings(url=self.database_url))
        try:
            with engine.connect() as connection:
                found = connection.execute(
                    select(AuditRow.request_id, func.count())
                    .where(AuditRow.request_id.startswith(prefix))
                    .group_by(AuditRow.request_id)
                ).all()
        finally:
            engine.dispose()
        return {str(request_id): int(count) for request_id, count in found}

    def verify(self) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*HUB, "audit", "verify"],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )


def _run(env: dict[str, str], *args: str) -> None:
    done = subprocess.run([*HUB, *args], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"hub {' '.join(args)}: {done.stderr}"


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120  # a busy machine starts Python slowly
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{url} exited:\n{log.read_text(errors='replace')}")
        try:
            if httpx.get(f"{url}/readyz", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} was not ready in time:\n{log.read_text(errors='replace')}")


@pytest.fixture(scope="module")
def replicas(
    tmp_path_factory: pytest.TempPathFactory, broker: EmbeddedBroker, postgres_database: str
) -> Iterator[Replicas]:
    """Started once for the module: the cross-replica checks first, then the load test,
    which kills the first replica (pytest runs a module's tests in order)."""
    tmp_path = tmp_path_factory.mktemp("replicas")
    database_url = fresh_postgres(postgres_database)
    ports = [free_port(), free_port()]
    env = hub_env(
        tmp_path,
        HUB_DATABASE_URL=database_url,
        HUB_KAFKA_BOOTSTRAP=broker.bootstrap,
        # One issuer for both, as behind their proxy: a token names the service, not a replica.
        HUB_AUTH_ISSUER=f"http://127.0.0.1:{free_port()}",
        HUB_GATEWAY_LIMITS="database",
        # Checkpoints signed often, by both writers, so the load crosses several.
        HUB_AUDIT_CHECKPOINT_ROWS="40",
        # The tests' live feeds end with their client; a replica stops without waiting
        # for the heartbeat to notice.
        HUB_GATEWAY_SHUTDOWN_S="2",
    )
    # As the deploy guide says: migrate and make the keys once, before any replica starts.
    _run(env, "db", "upgrade")
    _run(env, "token", "keygen")
    _run(env, "audit", "keygen")
    engine = make_engine(DatabaseSettings(url=database_url))
    credentials = {
        demo.client_id: issued for demo, issued in issue_demo_credentials(make_sessions(engine))
    }
    engine.dispose()
    commands = [
        [*HUB, "gateway", "--no-archive"],
        [*HUB, "gateway", "--no-archive"],
        [*HUB, "archive", "--no-replay"],
    ]
    processes: list[subprocess.Popen[bytes]] = []
    logs: list[Path] = []
    try:
        for n, command in enumerate(commands):
            log = tmp_path / f"process-{n}.log"
            extra = {"HUB_GATEWAY_PORT": str(ports[n])} if n < 2 else {}
            with log.open("wb") as out:
                processes.append(
                    subprocess.Popen(
                        command, env={**env, **extra}, stdout=out, stderr=subprocess.STDOUT
                    )
                )
            logs.append(log)
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        for url, process, log in zip(urls, processes, logs, strict=False):
            _wait_ready(url, process, log)
        yield Replicas(urls, processes, env, database_url, credentials, logs)
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def _token(url: str, issued: IssuedCredentials) -> str:
    answer = httpx.post(
        f"{url}/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(issued.client_id, issued.client_secret),
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


def _report(incident: str, i: int) -> dict[str, Any]:
    event = incident_report(i, event_id=str(uuid.uuid4()), incident_id=incident)
    event["envelope"]["occurred_at"] = event["envelope"]["occurred_at"].isoformat()
    return event


def _live(hub: HubClient, opened: threading.Event, **options: Any) -> queue.Queue[Message]:
    """A feed read in a daemon thread; its event messages land in the queue."""
    found: queue.Queue[Message] = queue.Queue()

    def read() -> None:
        try:
            for message in hub.live(STREAM, purpose="response", **options):
                if message.event == "ready":
                    opened.set()
                elif message.event == "event":
                    found.put(message)
        except httpx.HTTPError:
            return  # closed under it by the test

    threading.Thread(target=read, daemon=True).start()
    return found


def _take(found: queue.Queue[Message], count: int) -> list[Message]:
    return [found.get(timeout=60) for _ in range(count)]


def _event_ids(messages: list[Message]) -> list[str]:
    return [m.json()["event"]["envelope"]["event_id"] for m in messages]


def test_tokens_cursors_and_resume_tokens_work_on_either_replica(replicas: Replicas) -> None:
    first, second = replicas.urls
    health = replicas.credentials["health-dispatch"]
    emergency = {
        "Authorization": f"Bearer {_token(first, replicas.credentials['emergency-console'])}"
    }
    token = _token(second, health)
    incident = f"INC-R{uuid.uuid4().hex[:8]}"
    published = []
    with HubClient(first, health.client_id, health.client_secret) as on_first:
        opened = threading.Event()
        feed = _live(on_first, opened)
        assert opened.wait(60), "the live feed opened on the first replica"
        for i in range(6):
            event = _report(incident, i)
            answer = httpx.post(
                f"{(first, second)[i % 2]}{EVENTS}", json=event, headers=emergency, timeout=30
            )
            assert answer.status_code == 201, answer.text
            published.append(event["envelope"]["event_id"])
        seen = _take(feed, 6)
        assert _event_ids(seen) == published
    # The first replica's resume token, after the third event, resumes on the second.
    with HubClient(second, health.client_id, health.client_secret) as on_second:
        opened = threading.Event()
        resumed = _live(on_second, opened, last_event_id=seen[2].id)
        assert opened.wait(60), "the second replica took the first one's resume token"
        assert _event_ids(_take(resumed, 3)) == published[3:]
    # History: wait for the archiver, then page on one replica and go on on the other.
    headers = {"Authorization": f"Bearer {token}"}
    params: dict[str, Any] = {"incident": incident, "purpose": "response", "limit": 3}
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        page = httpx.get(f"{first}{EVENTS}", params={**params, "limit": 100}, headers=headers)
        assert page.status_code == 200, page.text
        if len(page.json()["events"]) == len(published):
            break
        time.sleep(0.5)
    ids: list[str] = []
    cursor = None
    for n in range(4):
        answer = httpx.get(
            f"{(first, second)[n % 2]}{EVENTS}",
            params={**params, **({"cursor": cursor} if cursor else {})},
            headers=headers,
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        body = answer.json()
        ids += [e["event"]["envelope"]["event_id"] for e in body["events"]]
        cursor = body["next"]
        if not body["more"]:
            break
    assert sorted(ids) == sorted(published), "pages made on one replica go on on the other"
    assert len(ids) == len(set(ids))


@dataclass
class Load:
    """A bounded mixed load; every answer is kept by replica, request id and status."""

    replicas: Replicas
    tokens: dict[str, str]
    prefix: str = field(default_factory=lambda: f"load-{uuid.uuid4().hex[:8]}-")
    answered: dict[str, tuple[int, int]] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def request(self, client: httpx.Client, replica: int, worker: int, n: int) -> None:
        request_id = f"{self.prefix}{worker}-{n}"
        kind = n % 6
        headers = {"X-Request-ID": request_id}
        params: dict[str, Any] = {"purpose": "response", "limit": 5}
        if kind == 0:  # allowed history read
            headers["Authorization"] = f"Bearer {self.tokens['health-dispatch']}"
            call = client.build_request("GET", EVENTS, params=params, headers=headers)
        elif kind == 1:  # denied: Commerce reads incident reports only in an emergency
            headers["Authorization"] = f"Bearer {self.tokens['commerce-supplies']}"
            call = client.build_request("GET", EVENTS, params=params, headers=headers)
        elif kind == 2:  # the catalogue
            headers["Authorization"] = f"Bearer {self.tokens['health-dispatch']}"
            call = client.build_request("GET", "/v1/streams", headers=headers)
        elif kind == 3:  # a publish
            headers["Authorization"] = f"Bearer {self.tokens['emergency-console']}"
            body = _report(f"INC-L{worker}", n)
            call = client.build_request("POST", EVENTS, json=body, headers=headers)
        elif kind == 4:  # no token at all
            call = client.build_request("GET", EVENTS, headers=headers)
        else:  # a forged token
            headers["Authorization"] = "Bearer not.a.token"
            call = client.build_request("GET", "/v1/streams", headers=headers)
        try:
            status = client.send(call).status_code
        except httpx.HTTPError:
            with self.lock:
                self.failed[request_id] = replica
            return
        with self.lock:
            self.answered[request_id] = (replica, status)

    def run(self, workers: int, per_worker: int, *, kill_after: int | None = None) -> None:
        clients = [
            [httpx.Client(base_url=url, timeout=30) for url in self.replicas.urls]
            for _ in range(workers)
        ]
        count = [0]

        def work(worker: int) -> None:
            for n in range(per_worker):
                replica = (worker + n) % 2
                self.request(clients[worker][replica], replica, worker, n)
                with self.lock:
                    count[0] += 1
                    due = kill_after is not None and count[0] == kill_after
                if due:
                    os.kill(self.replicas.processes[0].pid, signal.SIGKILL)

        threads = [threading.Thread(target=work, args=(w,)) for w in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        for pair in clients:
            for client in pair:
                client.close()


def _tokens(replicas: Replicas) -> dict[str, str]:
    names = ("health-dispatch", "commerce-supplies", "emergency-console")
    # Each from a different replica than the load will mostly use it on.
    return {
        name: _token(replicas.urls[n % 2], replicas.credentials[name])
        for n, name in enumerate(names)
    }


def test_both_replicas_write_one_chain_and_it_survives_a_sigkill(replicas: Replicas) -> None:
    load = Load(replicas, _tokens(replicas))
    load.run(workers=6, per_worker=50)
    assert not load.failed, f"requests without an answer: {sorted(load.failed)[:5]}"
    statuses = {status for _, status in load.answered.values()}
    assert statuses <= EXPECTED, statuses
    assert {200, 201, 401, 403} <= statuses, "the load mixed allowed and denied requests"
    rows = replicas.rows(load.prefix)
    assert rows == dict.fromkeys(load.answered, 1), "one row for each request, no more"
    verified = replicas.verify()
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "audit log ok" in verified.stdout

    # The first replica is killed a third of the way in; the second keeps answering.
    killed = Load(replicas, load.tokens)
    killed.run(workers=6, per_worker=50, kill_after=100)
    assert replicas.processes[0].wait(timeout=30) == -signal.SIGKILL
    on_second = {rid: status for rid, (replica, status) in killed.answered.items() if replica == 1}
    assert len(on_second) == 150, "every request to the survivor was answered"
    assert set(on_second.values()) <= EXPECTED, set(on_second.values())
    assert not [rid for rid, replica in killed.failed.items() if replica == 1]
    assert killed.failed, "requests to the killed replica failed after the kill"
    rows = replicas.rows(killed.prefix)
    assert all(rows.get(rid) == 1 for rid in on_second), "the survivor audited each request"
    answered_first = [rid for rid, (replica, _) in killed.answered.items() if replica == 0]
    assert all(rows.get(rid) == 1 for rid in answered_first), "nothing answered went unaudited"
    assert set(rows) <= set(killed.answered) | set(killed.failed)
    assert all(count == 1 for count in rows.values())
    verified = replicas.verify()
    assert verified.returncode == 0, verified.stdout + verified.stderr
