"""Compatibility mode per subject, with a global default (Confluent's /config)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from hub.registry import errors
from hub.serde.modes import REGISTRY_DEFAULT, CompatibilityMode
from hub.store.models import RegistryConfig

GLOBAL = ""


def effective_mode(session: Session, *, subject: str) -> CompatibilityMode:
    """The subject's own mode, else the global one, else BACKWARD."""
    for key in (subject, GLOBAL):
        row = session.get(RegistryConfig, key)
        if row is not None:
            return CompatibilityMode(row.compatibility)
    return REGISTRY_DEFAULT


def get_mode(
    session: Session, *, subject: str | None, default_to_global: bool = False
) -> CompatibilityMode:
    if subject is None:
        return effective_mode(session, subject=GLOBAL)
    row = session.get(RegistryConfig, subject)
    if row is not None:
        return CompatibilityMode(row.compatibility)
    if default_to_global:
        return effective_mode(session, subject=subject)
    raise errors.subject_config_not_found(subject)


def set_mode(session: Session, *, subject: str | None, mode: CompatibilityMode) -> None:
    key = GLOBAL if subject is None else subject
    row = session.get(RegistryConfig, key)
    if row is None:
        session.add(RegistryConfig(subject=key, compatibility=mode.value))
    else:
        row.compatibility = mode.value


def delete_mode(session: Session, *, subject: str | None) -> CompatibilityMode:
    """Remove a subject's (or the global) setting; returns what it was."""
    key = GLOBAL if subject is None else subject
    row = session.get(RegistryConfig, key)
    if row is None:
        if subject is None:
            return REGISTRY_DEFAULT
        raise errors.subject_not_found(subject)
    previous = CompatibilityMode(row.compatibility)
    session.delete(row)
    return previous
