"""A witness: keeps every checkpoint the log signs, and checks each new one extends the last.

Any agency can run one (`hub audit witness`). Someone holding both the hub's database
and its signing key could rebuild the log and sign new checkpoints that agree with
it; they cannot make those agree with checkpoints already kept elsewhere. So each new
checkpoint must come with a consistency proof from the last one kept, and a log that
shrinks or shows two roots for one size is reported, loudly, with the evidence kept.

The witness's folder holds ``log.vkey`` (the log's verifier keys, one per line, pinned
on the first run), ``checkpoints/<size>.note`` and, when something is wrong,
``ALERT-<time>.txt``. `hub audit verify --witness DIR` reads the same folder.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from hub.errors import ConfigError
from hub.tlog.merkle import check_consistency
from hub.tlog.notes import ED25519, NoteError, key_id, open_note, parse_checkpoint, public_bytes

KEYS_FILE = "log.vkey"


class LogSource(Protocol):
    """Where a witness reads the log: the gateway over HTTP, in practice."""

    def verifier_keys(self) -> list[str]: ...

    def checkpoints(self, *, after: int) -> list[str]:
        """Signed notes of checkpoints larger than ``after``, smallest first."""
        ...

    def latest(self) -> str | None: ...

    def consistency(self, first: int, second: int) -> list[bytes]: ...


@dataclass(frozen=True, slots=True)
class Kept:
    size: int
    root: bytes
    note: str


@dataclass
class WitnessRun:
    kept: list[int] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)
    pinned: bool = False

    @property
    def ok(self) -> bool:
        return not self.alerts


def parse_vkey(vkey: str) -> tuple[str, Ed25519PublicKey]:
    """A C2SP verifier key, ``name+hex(id)+base64(0x01 || key)``, checked against its id."""
    name, sep, rest = vkey.strip().partition("+")
    hint, sep2, encoded = rest.partition("+")
    if not (sep and sep2 and name):
        raise ConfigError(f"not a verifier key (name+id+key): {vkey!r}")
    try:
        raw = base64.b64decode(encoded, validate=True)
    except ValueError:
        raise ConfigError(f"a verifier key's key is base64: {vkey!r}") from None
    if len(raw) != 33 or raw[0] != ED25519:
        raise ConfigError(f"not an Ed25519 verifier key: {vkey!r}")
    key = Ed25519PublicKey.from_public_bytes(raw[1:])
    if f"{key_id(name, public_bytes(key)):08x}" != hint.lower():
        raise ConfigError(f"a verifier key's id does not match its key: {vkey!r}")
    return name, key


class Witness:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._notes = folder / "checkpoints"

    def keys(self) -> list[tuple[str, Ed25519PublicKey]]:
        path = self.folder / KEYS_FILE
        if not path.exists():
            return []
        return [parse_vkey(line) for line in path.read_text().splitlines() if line.strip()]

    def pin(self, vkeys: Sequence[str]) -> None:
        for vkey in vkeys:
            parse_vkey(vkey)
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / KEYS_FILE).write_text("".join(f"{v.strip()}\n" for v in vkeys))

    def notes(self) -> list[str]:
        """Every checkpoint kept, smallest first."""
        if not self._notes.is_dir():
            return []
        paths = sorted(self._notes.glob("*.note"), key=lambda p: int(p.stem))
        return [p.read_text(encoding="utf-8") for p in paths]

    def last(self) -> Kept | None:
        notes = self.notes()
        return self._open(notes[-1]) if notes else None

    def run(self, source: LogSource) -> WitnessRun:
        """Fetch the checkpoints signed since the last one kept; check and keep each."""
        run = WitnessRun()
        if not self.keys():
            self.pin(source.verifier_keys())
            run.pinned = True
        last = self.last()
        for note in source.checkpoints(after=last.size if last else 0):
            try:
                fresh = self._open(note)
            except NoteError as exc:
                self._alert(run, f"a checkpoint does not check: {exc}", note)
                return run
            if last is not None:
                proof = source.consistency(last.size, fresh.size)
                if not check_consistency(last.size, fresh.size, last.root, fresh.root, proof):
                    self._alert(
                        run,
                        f"checkpoint {fresh.size} does not extend the kept checkpoint "
                        f"{last.size}: the log was rewritten",
                        last.note + "\n" + note,
                    )
                    return run
            self._keep(fresh)
            run.kept.append(fresh.size)
            last = fresh
        latest = source.latest()
        if latest is not None and last is not None:
            try:
                current = self._open(latest)
            except NoteError as exc:
                self._alert(run, f"the latest checkpoint does not check: {exc}", latest)
                return run
            if current.size < last.size:
                self._alert(
                    run,
                    f"the log now signs {current.size} rows; it signed {last.size} before: "
                    "rows were removed",
                    last.note + "\n" + latest,
                )
            elif current.size == last.size and current.root != last.root:
                self._alert(run, f"two roots for size {last.size}", last.note + "\n" + latest)
        return run

    def _open(self, note: str) -> Kept:
        errors = []
        for name, key in self.keys():
            try:
                checkpoint = parse_checkpoint(open_note(note, name=name, key=key))
            except NoteError as exc:
                errors.append(str(exc))
                continue
            if checkpoint.origin != name:
                raise NoteError(f"a checkpoint of {checkpoint.origin!r}, not {name!r}")
            return Kept(checkpoint.size, checkpoint.root, note)
        raise NoteError("; ".join(errors) or "no pinned key")

    def _keep(self, kept: Kept) -> None:
        self._notes.mkdir(parents=True, exist_ok=True)
        path = self._notes / f"{kept.size}.note"
        temporary = path.with_suffix(".tmp")
        temporary.write_text(kept.note, encoding="utf-8")
        temporary.replace(path)

    def _alert(self, run: WitnessRun, what: str, evidence: str) -> None:
        run.alerts.append(what)
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        (self.folder / f"ALERT-{stamp}.txt").write_text(
            f"{what}\n\nevidence (signed notes):\n\n{evidence}", encoding="utf-8"
        )
