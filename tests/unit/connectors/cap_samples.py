"""The CAP alerts the meteorology connector's tests read, in one place: real alerts kept
byte for byte (``tests/data/cap/``) and alerts constructed for Linkage
(``tests/data/cap-made/``, see its README)."""

from __future__ import annotations

from hub.config import PROJECT_ROOT

REAL = PROJECT_ROOT / "tests" / "data" / "cap"
MADE = PROJECT_ROOT / "tests" / "data" / "cap-made"


def real(name: str) -> bytes:
    """A real alert's bytes, as published."""
    return (REAL / name).read_bytes()


def made(name: str) -> bytes:
    """A constructed alert's bytes."""
    return (MADE / name).read_bytes()
