"""The demo people of `hub dev`: one per console role, with a fresh password each run."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from hub.config import ConsoleSettings
from hub.gateway.auth.users import UserStore


@dataclass(frozen=True, slots=True)
class DemoPerson:
    variable: str
    username: str
    role: str
    agency: str
    name: str


DEMO_PEOPLE = (
    DemoPerson("CONSOLE_AUDITOR", "wang.fang", "auditor", "audit", "王芳 Wang Fang"),
    DemoPerson("CONSOLE_DUTY", "li.lei", "duty-officer", "emergency", "李雷 Li Lei"),
)


def issue_demo_people(
    sessions: sessionmaker[Session], console: ConsoleSettings
) -> list[tuple[DemoPerson, str]]:
    store = UserStore(
        sessions,
        lockout_failures=console.lockout_failures,
        lockout_minutes=console.lockout_minutes,
    )
    issued = []
    for person in DEMO_PEOPLE:
        password = store.ensure(
            username=person.username,
            role=person.role,
            agency=person.agency,
            display_name=person.name,
        )
        issued.append((person, password or ""))
    return issued
