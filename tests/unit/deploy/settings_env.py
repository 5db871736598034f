"""Which ``HUB_*`` names the hub reads, and building its settings from a given environment.

Needed because pydantic-settings ignores an environment variable that matches no field
at all (``HUB_GATEWAYS_PORT`` passes silently), so a misspelt name in a deployment file
would be a setting that is quietly not set.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pytest
from pydantic import BaseModel

from hub.config import Settings


def setting_names() -> set[str]:
    """Every variable the settings model reads: ``HUB_<FIELD>`` for top-level fields,
    ``HUB_<SECTION>_<FIELD>`` for a section's."""
    names = set()
    for name, info in Settings.model_fields.items():
        section = info.annotation
        if isinstance(section, type) and issubclass(section, BaseModel):
            names |= {f"HUB_{name}_{field}".upper() for field in section.model_fields}
        else:
            names.add(f"HUB_{name}".upper())
    return names


def unknown_names(environment: Mapping[str, str]) -> list[str]:
    """The ``HUB_*`` names in ``environment`` that are not settings."""
    known = setting_names()
    return sorted(n for n in environment if n.startswith("HUB_") and n.upper() not in known)


def settings_from(
    environment: Mapping[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Settings:
    """The settings a process would build with exactly ``environment``'s ``HUB_*``
    variables (none from this machine, and no hub.toml)."""
    for name in list(os.environ):
        if name.startswith("HUB_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HUB_CONFIG", str(tmp_path / "absent.toml"))
    for name, value in environment.items():
        if name.startswith("HUB_"):
            monkeypatch.setenv(name, value)
    return Settings()
