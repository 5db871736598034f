"""A connector's durable outbox: a local SQLite file its events are committed to,
together with the source's checkpoint, before anything is sent.

Because a record's events and the position after it commit in one transaction, a
connector killed at any point restarts from a checkpoint that matches exactly what it
had taken: no record is lost and none is taken twice. Rows leave the outbox only when
the broker (or the gateway) has acknowledged them; a row sent but not yet marked is
sent again after a crash, with the same event id, which the archive and consumers
deduplicate. Counters live in the same file, so ``hub connector status`` can read
them from another process.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from hub.bus.records import Headers

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,            -- 'event' or 'dead-letter'
    stream TEXT NOT NULL,
    topic TEXT NOT NULL,
    event_id TEXT,
    key BLOB,
    value BLOB NOT NULL,
    headers BLOB NOT NULL,         -- JSON [[name, hex of the value] ...]
    ref TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE TABLE IF NOT EXISTS quarantine (
    seq INTEGER PRIMARY KEY,       -- its seq in the outbox
    kind TEXT NOT NULL,
    stream TEXT NOT NULL,
    topic TEXT NOT NULL,
    value BLOB NOT NULL,
    headers BLOB NOT NULL,
    ref TEXT NOT NULL,
    reason TEXT NOT NULL,
    at_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS checkpoint (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    position BLOB,                 -- JSON
    updated_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS notes (
    name TEXT PRIMARY KEY,         -- last_error, last_error_at, connector, stream ...
    value TEXT NOT NULL
);
"""

#: The counters ``hub connector status`` shows, in its order.
COUNTERS = ("read", "published", "dead_lettered", "quarantined", "failed_sends", "retried")


@dataclass(frozen=True, slots=True)
class Entry:
    """One row to commit: an event, or a dead letter, ready to send as it is."""

    kind: str
    stream: str
    topic: str
    event_id: str | None
    key: bytes | None
    value: bytes
    headers: Headers
    ref: str


@dataclass(frozen=True, slots=True)
class Queued:
    """A row waiting in the outbox."""

    seq: int
    entry: Entry
    created_ms: int
    attempts: int


@dataclass(frozen=True, slots=True)
class OutboxState:
    depth: int
    oldest_ms: int | None
    position: Any
    counters: dict[str, int]
    notes: dict[str, str]


class Outbox:
    """The outbox file of one connector; safe to use from the taking and the sending
    thread at once (one connection, one lock: each use is a short transaction)."""

    def __init__(self, path: Path, *, max_rows: int = 1_000_000, fsync: bool = False) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.max_rows = max_rows
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        # NORMAL survives the process being killed; FULL also a power cut, at the cost
        # of an fsync per commit.
        self._db.execute(f"PRAGMA synchronous={'FULL' if fsync else 'NORMAL'}")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(_SCHEMA)
        self._depth = self._count()

    @property
    def depth(self) -> int:
        """Rows waiting to be sent (kept in memory: asked for every record taken)."""
        return self._depth

    @property
    def full(self) -> bool:
        return self._depth >= self.max_rows

    def commit(
        self,
        entries: Sequence[Entry],
        *,
        position: Any = None,
        moved: bool = False,
        counts: dict[str, int] | None = None,
    ) -> None:
        """Add ``entries`` and, when ``moved``, set the checkpoint to ``position``, in
        one transaction."""
        now = _now_ms()
        rows = [
            (
                e.kind,
                e.stream,
                e.topic,
                e.event_id,
                e.key,
                e.value,
                _dump_headers(e.headers),
                e.ref,
                now,
            )
            for e in entries
        ]
        with self._transaction() as db:
            db.executemany(
                "INSERT INTO outbox (kind, stream, topic, event_id, key, value, headers, ref,"
                " created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            if moved:
                db.execute(
                    "INSERT INTO checkpoint (id, position, updated_ms) VALUES (1, ?, ?)"
                    " ON CONFLICT (id) DO UPDATE SET position = excluded.position,"
                    " updated_ms = excluded.updated_ms",
                    (orjson.dumps(position, default=str), now),
                )
            _bump(db, counts or {})
        self._depth += len(rows)

    def position(self) -> Any:
        """The checkpoint last committed; ``None`` before the first."""
        with self._lock:
            row = self._db.execute("SELECT position FROM checkpoint WHERE id = 1").fetchone()
        return None if row is None or row[0] is None else orjson.loads(row[0])

    def waiting(self, limit: int) -> list[Queued]:
        """The oldest rows, in the order they were committed."""
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, kind, stream, topic, event_id, key, value, headers, ref,"
                " created_ms, attempts FROM outbox ORDER BY seq LIMIT ?",
                (limit,),
            ).fetchall()
        return [
            Queued(
                seq=r[0],
                entry=Entry(
                    kind=r[1],
                    stream=r[2],
                    topic=r[3],
                    event_id=r[4],
                    key=r[5],
                    value=r[6],
                    headers=_load_headers(r[7]),
                    ref=r[8],
                ),
                created_ms=r[9],
                attempts=r[10],
            )
            for r in rows
        ]

    def sent(self, done: Sequence[Queued]) -> None:
        """Acknowledged rows leave the outbox; their count goes to ``published`` or
        ``dead_lettered``."""
        if not done:
            return
        events = sum(1 for q in done if q.entry.kind == "event")
        with self._transaction() as db:
            db.executemany("DELETE FROM outbox WHERE seq = ?", [(q.seq,) for q in done])
            _bump(db, {"published": events, "dead_lettered": len(done) - events})
        self._depth -= len(done)

    def replace(self, queued: Queued, entry: Entry) -> None:
        """A row the broker refused becomes its dead letter, in the same place."""
        with self._transaction() as db:
            db.execute(
                "UPDATE outbox SET kind = ?, topic = ?, key = ?, value = ?, headers = ?,"
                " attempts = 0, last_error = NULL WHERE seq = ?",
                (
                    entry.kind,
                    entry.topic,
                    entry.key,
                    entry.value,
                    _dump_headers(entry.headers),
                    queued.seq,
                ),
            )

    def quarantine(self, queued: Queued, reason: str) -> None:
        """A dead letter that cannot be sent either (the topic refuses it, or the
        transport has no dead-letter route) is kept here, never dropped."""
        entry = queued.entry
        with self._transaction() as db:
            db.execute(
                "INSERT INTO quarantine (seq, kind, stream, topic, value, headers, ref, reason,"
                " at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    queued.seq,
                    entry.kind,
                    entry.stream,
                    entry.topic,
                    entry.value,
                    _dump_headers(entry.headers),
                    entry.ref,
                    reason,
                    _now_ms(),
                ),
            )
            db.execute("DELETE FROM outbox WHERE seq = ?", (queued.seq,))
            _bump(db, {"quarantined": 1})
            _note(db, "last_error", f"kept in quarantine: {reason}")
            _note(db, "last_error_at", str(_now_ms()))
        self._depth -= 1

    def failed(self, queued: Sequence[Queued], error: str) -> None:
        """A send that did not go through: the rows stay, with the error, for a retry."""
        with self._transaction() as db:
            db.executemany(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE seq = ?",
                [(error, q.seq) for q in queued],
            )
            _bump(db, {"failed_sends": 1, "retried": len(queued)})
            _note(db, "last_error", error)
            _note(db, "last_error_at", str(_now_ms()))

    def note(self, **notes: str) -> None:
        with self._transaction() as db:
            for name, value in notes.items():
                _note(db, name, value)

    def state(self) -> OutboxState:
        with self._lock:
            depth, oldest = self._db.execute(
                "SELECT count(*), min(created_ms) FROM outbox"
            ).fetchone()
            counters = dict(self._db.execute("SELECT name, value FROM counters").fetchall())
            notes = dict(self._db.execute("SELECT name, value FROM notes").fetchall())
        return OutboxState(
            depth=depth,
            oldest_ms=oldest,
            position=self.position(),
            counters={name: counters.get(name, 0) for name in COUNTERS},
            notes=notes,
        )

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _count(self) -> int:
        (count,) = self._db.execute("SELECT count(*) FROM outbox").fetchone()
        return int(count)

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")


def _bump(db: sqlite3.Connection, counts: dict[str, int]) -> None:
    db.executemany(
        "INSERT INTO counters (name, value) VALUES (?, ?)"
        " ON CONFLICT (name) DO UPDATE SET value = value + excluded.value",
        [(name, n) for name, n in counts.items() if n],
    )


def _note(db: sqlite3.Connection, name: str, value: str) -> None:
    db.execute(
        "INSERT INTO notes (name, value) VALUES (?, ?)"
        " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        (name, value),
    )


def _dump_headers(headers: Headers) -> bytes:
    return orjson.dumps([[name, value.hex()] for name, value in headers])


def _load_headers(raw: bytes) -> Headers:
    return [(name, bytes.fromhex(value)) for name, value in orjson.loads(raw)]


def _now_ms() -> int:
    return time.time_ns() // 1_000_000
