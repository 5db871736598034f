"""Compiled schemas by id, fetched once: ids never change meaning, so entries never expire.

An id that is not registered is remembered as missing for a minute, so a topic full of
records with a bogus id costs one database query a minute, not one per record.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError

from hub.errors import StoreUnavailable
from hub.registry.entities import StoredSchema
from hub.registry.errors import RegistryError
from hub.serde.avro import CompiledSchema

_MISSING_TTL_S = 60.0


class SchemaCache:
    def __init__(self, fetch: Callable[[int], StoredSchema]) -> None:
        self._fetch = fetch
        self._compiled: dict[int, CompiledSchema] = {}
        self._missing: dict[int, tuple[float, RegistryError]] = {}
        self._lock = threading.Lock()

    def __call__(self, schema_id: int) -> CompiledSchema:
        found = self._compiled.get(schema_id)
        if found is not None:
            return found
        missing = self._missing.get(schema_id)
        if missing is not None and missing[0] > time.monotonic():
            raise missing[1]
        # Fetched outside the lock: a slow database must not hold up decoders of known ids.
        try:
            stored = self._fetch(schema_id)
        except RegistryError as exc:
            with self._lock:
                self._missing[schema_id] = (time.monotonic() + _MISSING_TTL_S, exc)
            raise
        except SQLAlchemyError as exc:
            raise StoreUnavailable(f"schema {schema_id} cannot be read from the store") from exc
        compiled = CompiledSchema.from_text(schema_id, stored.text)
        with self._lock:
            return self._compiled.setdefault(schema_id, compiled)
