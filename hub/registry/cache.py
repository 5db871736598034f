"""Compiled schemas by id, fetched once: ids never change meaning, so entries never expire."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable

from hub.registry.entities import StoredSchema
from hub.registry.serde import CompiledSchema


class SchemaCache:
    def __init__(self, fetch: Callable[[int], StoredSchema]) -> None:
        self._fetch = fetch
        self._compiled: dict[int, CompiledSchema] = {}
        self._lock = threading.Lock()

    def __call__(self, schema_id: int) -> CompiledSchema:
        found = self._compiled.get(schema_id)
        if found is not None:
            return found
        with self._lock:
            found = self._compiled.get(schema_id)
            if found is None:
                stored = self._fetch(schema_id)
                found = CompiledSchema.build(schema_id, json.loads(stored.text), stored.text)
                self._compiled[schema_id] = found
            return found
