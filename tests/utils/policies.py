"""A policy folder for a test: the shipped catalogue (agencies, streams, districts) and
the test's own rules."""

from __future__ import annotations

import shutil
from pathlib import Path

SHIPPED = Path(__file__).resolve().parents[2] / "policies"
CATALOGUE = ("agencies.yaml", "streams.yaml", "districts.yaml")


def policy_folder(folder: Path, rules: str, *, name: str = "rules.yaml") -> Path:
    """``folder`` (made if missing) holding the shipped catalogue and ``rules`` as ``name``."""
    folder.mkdir(parents=True, exist_ok=True)
    for part in CATALOGUE:
        shutil.copy(SHIPPED / part, folder / part)
    (folder / name).write_text(rules, encoding="utf-8")
    return folder
