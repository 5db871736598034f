"""The five demo clients of `hub dev`, one per role the README's tour shows."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from hub.demo.people import DemoPerson
from hub.gateway.auth.clients import ClientStore, IssuedCredentials
from hub.identity import (
    AUDIT_READ,
    AUDIT_REVIEW,
    EMERGENCY_DECLARE,
    REGISTRY_WRITE,
    STREAMS_PUBLISH,
    STREAMS_READ,
)


@dataclass(frozen=True, slots=True)
class DemoClient:
    variable: str
    client_id: str
    agency: str
    scopes: frozenset[str]
    role: str


DEMO_CLIENTS = (
    DemoClient(
        "EMERGENCY",
        "emergency-console",
        "emergency",
        frozenset({STREAMS_READ, STREAMS_PUBLISH, EMERGENCY_DECLARE}),
        "Emergency Management Bureau: reads warnings, declares emergencies",
    ),
    DemoClient(
        "HEALTH",
        "health-dispatch",
        "health",
        frozenset({STREAMS_READ, STREAMS_PUBLISH}),
        "Health Commission: reads warnings and incident reports",
    ),
    DemoClient(
        "METEOROLOGY",
        "meteorology-feed",
        "meteorology",
        frozenset({STREAMS_READ, STREAMS_PUBLISH, REGISTRY_WRITE}),
        "Meteorological Bureau: owns the warnings",
    ),
    DemoClient(
        "COMMERCE",
        "commerce-supplies",
        "commerce",
        frozenset({STREAMS_READ, STREAMS_PUBLISH}),
        "Commerce Bureau: reads incident reports only during an emergency",
    ),
    DemoClient(
        "AUDITOR",
        "audit-office",
        "audit",
        frozenset({AUDIT_READ, AUDIT_REVIEW}),
        "Audit Bureau: reads the audit log, reviews emergency reads",
    ),
)


def issue_demo_credentials(
    sessions: sessionmaker[Session],
) -> list[tuple[DemoClient, IssuedCredentials]]:
    """Create each demo client, or give it a fresh secret: every run prints new ones."""
    store = ClientStore(sessions)
    return [
        (demo, store.ensure(client_id=demo.client_id, agency=demo.agency, scopes=demo.scopes))
        for demo in DEMO_CLIENTS
    ]


def write_credentials(
    path: Path,
    base_url: str,
    credentials: list[tuple[DemoClient, IssuedCredentials]],
    people: Sequence[tuple[DemoPerson, str]] = (),
) -> Path:
    """A file the README's curl tour can ``source``; mode 0600 from the start."""
    lines = [f"HUB_URL={base_url}"]
    for demo, issued in credentials:
        lines += [
            f"{demo.variable}_ID={issued.client_id}",
            f"{demo.variable}_SECRET={issued.client_secret}",
        ]
    for person, password in people:
        lines += [
            f"{person.variable}_USER={person.username}",
            f"{person.variable}_PASSWORD={password}",
        ]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return path
