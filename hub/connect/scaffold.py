"""`hub connector new`: a connector package to start from, with a sample input made
from the stream's schema and a test that passes on the first run.

The sample holds one record in the stream's own shape (every field the schema
requires, with a placeholder), so the first test proves the plumbing; the department
then replaces the sample with its system's export and ``map`` with the real mapping.
"""

from __future__ import annotations

import json
import keyword
import re
from pathlib import Path
from typing import Any

from hub.catalog.files import SchemaCatalog
from hub.connect.offline import SCHEMAS, STREAMS
from hub.errors import ConfigError
from hub.policy.loader import load_streams

NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
#: 2026-06-15T06:00:00Z, a placeholder time for the sample.
SAMPLE_MS = 1_781_503_200_000


def scaffold(
    name: str,
    stream_id: str,
    *,
    package_root: Path,
    tests: Path,
    streams: Path = STREAMS,
    schemas: Path = SCHEMAS,
) -> list[Path]:
    """Write ``<package_root>/<module>/{__init__,connector}.py``, a sample and a test;
    refuses to overwrite anything."""
    if not NAME.match(name):
        raise ConfigError(f"{name!r}: use lower-case words joined by hyphens, e.g. water-levels")
    module = name.replace("-", "_")
    if keyword.iskeyword(module):
        raise ConfigError(f"{name!r} is a Python keyword")
    stream = next((s for s in load_streams(streams) if s.id == stream_id), None)
    if stream is None:
        raise ConfigError(f"stream {stream_id} is not in {streams}")
    schema = SchemaCatalog.load(schemas).resolve(stream.schema_name)
    sample = example(schema)
    for filled_by_the_sdk in ("event_id", "source_agency", "published_at", "sensitivity"):
        sample.get("envelope", {}).pop(filled_by_the_sdk, None)
    package = package_root / module
    files = {
        package / "__init__.py": f'"""{name}: publishes to {stream_id}."""\n',
        package / "connector.py": _CONNECTOR.format(
            name=name, stream=stream_id, cls=_class_name(module), owner=stream.owner
        ),
        package / "sample.jsonl": json.dumps(sample, ensure_ascii=False) + "\n",
        tests / f"test_{module}.py": _TEST.format(
            package=".".join((*_importable(package_root), module)),
            cls=_class_name(module),
        ),
    }
    taken = [str(p) for p in files if p.exists()]
    if taken:
        raise ConfigError(f"will not overwrite {', '.join(taken)}")
    if not (package_root / "__init__.py").exists():
        # The folder the package goes in must be a package too, for the test to import it.
        files = {package_root / "__init__.py": '"""Connectors."""\n', **files}
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return list(files)


def _importable(root: Path) -> tuple[str, ...]:
    """The folder as a package path from where the tests run (the current folder)."""
    try:
        return root.resolve().relative_to(Path.cwd().resolve()).parts
    except ValueError:
        return (root.name,)


def _class_name(module: str) -> str:
    return "".join(part.title() for part in module.split("_")) + "Connector"


_PRIMITIVES: dict[str, Any] = {
    "string": "TODO",
    "boolean": False,
    "int": 0,
    "long": 0,
    "float": 0.0,
    "double": 0.0,
    "bytes": "",
    "null": None,
}


def example(schema: Any, named: dict[str, Any] | None = None, space: str = "") -> Any:
    """The smallest value the schema accepts: required fields only, placeholders.
    ``named``: every named type the schema defines, which fields may use by name."""
    if named is None:
        named = {}
        _collect(schema, named, space)
    if isinstance(schema, list):
        return None if "null" in schema else example(schema[0], named, space)
    if isinstance(schema, str):
        if schema in _PRIMITIVES:
            return _PRIMITIVES[schema]
        found = named.get(schema) or named.get(f"{space}.{schema}")
        if found is None:
            raise ConfigError(f"the schema uses {schema}, which it never defines")
        return example(found, named, space)
    kind = schema["type"]
    if kind in ("record", "enum", "fixed"):
        space = schema.get("namespace", space)
    if kind == "record":
        return {
            f["name"]: example(f["type"], named, space)
            for f in schema["fields"]
            if "default" not in f
        }
    if kind == "enum":
        return schema["symbols"][0]
    if kind == "array":
        return []
    if kind == "map":
        return {}
    if schema.get("logicalType") == "uuid":
        return "00000000-0000-4000-8000-000000000000"
    if str(schema.get("logicalType", "")).startswith("timestamp"):
        return SAMPLE_MS
    return example(kind, named, space)


def _collect(schema: Any, named: dict[str, Any], space: str) -> None:
    if isinstance(schema, list):
        for branch in schema:
            _collect(branch, named, space)
        return
    if not isinstance(schema, dict):
        return
    if schema.get("type") in ("record", "enum", "fixed"):
        space = schema.get("namespace", space)
        full = schema["name"] if "." in schema["name"] else f"{space}.{schema['name']}"
        named[full] = schema
    for field in schema.get("fields", ()):
        _collect(field["type"], named, space)
    for key in ("items", "values"):
        if key in schema:
            _collect(schema[key], named, space)
    if isinstance(schema.get("type"), (dict, list)):
        _collect(schema["type"], named, space)


_CONNECTOR = '''"""{name}: reads its system's export and publishes {stream}.

Written by `hub connector new` as a start: the sample (sample.jsonl) holds one record
already in the stream's shape. Replace ``read`` with how your system's records come
(a file, a folder, a table, an HTTP API) and ``map`` with how one becomes an event;
raise ``RecordRejected(field, reason)`` for a record that cannot be mapped, and the SDK
dead-letters it and goes on.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hub.connect import Connector, RecordRejected, SourceRecord


class {cls}(Connector):
    name = "{name}"
    stream = "{stream}"

    def __init__(self, source: str | Path) -> None:
        self.path = Path(source)

    def read(self, position: Any) -> Iterator[SourceRecord]:
        """One record per line; the checkpoint is the number of lines taken."""
        lines = self.path.read_bytes().splitlines()
        for number, line in enumerate(lines[position or 0 :], start=(position or 0) + 1):
            if line.strip():
                yield SourceRecord(f"{{self.path.name}}:{{number}}", line, position=number)

    def map(self, record: SourceRecord) -> dict[str, Any]:
        try:
            event: dict[str, Any] = json.loads(record.raw)
        except ValueError as exc:
            raise RecordRejected("", f"not JSON: {{exc}}") from None
        # TODO: build the event from your system's fields; the SDK fills event_id,
        # source_agency ({owner}), published_at and sensitivity.
        return event
'''

_TEST = '''"""Written by `hub connector new`: the sample goes through the whole SDK (outbox,
sender, a memory bus) as one valid event and no dead letter."""

from pathlib import Path

import {package}
from hub.connect.testing import run_in_memory
from {package}.connector import {cls}

SAMPLE = Path({package}.__file__).parent / "sample.jsonl"


def test_the_sample_is_published(tmp_path: Path) -> None:
    run = run_in_memory({cls}(SAMPLE), tmp_path)
    assert run.dead_letters == []
    assert len(run.events) == 1
'''
