"""Compatibility modes: the one vocabulary of schema evolution for registry, policy and catalogue.

==================== ===================================================================
NONE                 no check
BACKWARD             the new schema can read data written with the latest version
BACKWARD_TRANSITIVE  the new schema can read data written with every earlier version
FORWARD              the latest version can read data written with the new schema
FORWARD_TRANSITIVE   every earlier version can read data written with the new schema
FULL                 BACKWARD and FORWARD against the latest version
FULL_TRANSITIVE      BACKWARD and FORWARD against every earlier version
==================== ===================================================================
"""

from __future__ import annotations

from enum import StrEnum


class CompatibilityMode(StrEnum):
    NONE = "NONE"
    BACKWARD = "BACKWARD"
    BACKWARD_TRANSITIVE = "BACKWARD_TRANSITIVE"
    FORWARD = "FORWARD"
    FORWARD_TRANSITIVE = "FORWARD_TRANSITIVE"
    FULL = "FULL"
    FULL_TRANSITIVE = "FULL_TRANSITIVE"

    @property
    def transitive(self) -> bool:
        return self.value.endswith("_TRANSITIVE")

    @property
    def backward(self) -> bool:
        return self.value.startswith(("BACKWARD", "FULL"))

    @property
    def forward(self) -> bool:
        return self.value.startswith(("FORWARD", "FULL"))

    @classmethod
    def parse(cls, text: str) -> CompatibilityMode | None:
        """Case-insensitive, as Confluent's /config accepts it; None if it is no mode."""
        try:
            return cls(text.upper())
        except ValueError:
            return None


#: A subject with no mode of its own and no global one: Confluent's default.
REGISTRY_DEFAULT = CompatibilityMode.BACKWARD

#: A stream that names no mode: new consumers must read all history, so breaking changes
#: need a new major version (a new topic and subject).
STREAM_DEFAULT = CompatibilityMode.BACKWARD_TRANSITIVE
