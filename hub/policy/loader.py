"""Read ``policies/*.yaml`` into a :class:`Policy`, with errors that name file and line.

Each file may hold any of the sections below; a folder's files are read in name
order and their sections joined. The policy's version is a hash of the files' names
and bytes, so two gateways with the same files report the same version.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from hub.errors import ConfigError
from hub.policy.model import Agency, District, Group, Policy, Stream
from hub.policy.rules import Deny, Grant, Rule
from hub.policy.targets import Target

SECTIONS: dict[str, type[Rule]] = {
    "agencies": Agency,
    "groups": Group,
    "streams": Stream,
    "districts": District,
    "grants": Grant,
    "denies": Deny,
    "targets": Target,
}
_LINE = "__line__"


#: libyaml's parser when PyYAML has it (its wheels do): the same safe constructors, the
#: parsing in C, about five times faster on the policy (every start, every reload).
_SafeBase: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_SafeBase):  # type: ignore[valid-type,misc]
    """Remembers the line each mapping starts on, so errors can point at it."""


def _mapping_with_line(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = {str(key): value for key, value in loader.construct_mapping(node, deep=True).items()}
    mapping[_LINE] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)


def policy_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.yaml"))


def load_policy(folder: Path) -> Policy:
    if not folder.is_dir():
        raise ConfigError(f"policy folder {folder} does not exist")
    sections: dict[str, list[Any]] = {name: [] for name in SECTIONS}
    files = policy_files(folder)
    if not files:
        raise ConfigError(f"policy folder {folder} holds no .yaml files")
    # Each file is read once, and the version hashes exactly the bytes parsed: a file
    # edited during the load cannot leave a version that names other rules.
    digest = hashlib.sha256()
    for path in files:
        data = _bytes(path)
        digest.update(path.name.encode() + b"\0" + data + b"\0")
        for name, items in _parse(path, data).items():
            sections[name].extend(_validate_item(path, name, item) for item in items)
    try:
        return Policy.model_validate({**sections, "version": digest.hexdigest()[:16]})
    except ValidationError as exc:
        problems = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())
        raise ConfigError(problems if ".yaml:" in problems else f"{folder}: {problems}") from exc


def load_streams(path: Path) -> list[Stream]:
    """The stream catalogue of one ``streams.yaml``, without the rest of the policy.

    The schema tooling reads it at older git revisions too, where the agencies and
    grants it would be checked against may differ.
    """
    items = _parse(path, _bytes(path)).get("streams", [])
    streams = [_validate_item(path, "streams", item) for item in items]
    return [stream for stream in streams if isinstance(stream, Stream)]


def _bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from exc


def _parse(path: Path, raw: bytes) -> dict[str, Any]:
    try:
        data = yaml.load(raw.decode("utf-8"), Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read YAML: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}:1: expected a mapping with {', '.join(SECTIONS)}")
    data.pop(_LINE, None)
    sections: dict[str, Any] = {str(name): items for name, items in data.items()}
    for name, items in sections.items():
        if name not in SECTIONS:
            raise ConfigError(f"{path}: unknown section {name!r}; expected {', '.join(SECTIONS)}")
        if not isinstance(items, list):
            raise ConfigError(f"{path}: section {name!r} must be a list")
    return sections


def _validate_item(path: Path, section: str, item: Any) -> Rule:
    line = item.pop(_LINE, "?") if isinstance(item, dict) else "?"
    if isinstance(item, dict):
        item = _strip_lines(item)
    try:
        rule = SECTIONS[section].model_validate(item)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        what = str(first["msg"]).removeprefix("Value error, ")
        raise ConfigError(
            f"{path}:{line}: {section} entry: {where}: {what}".replace(": : ", ": ")
        ) from exc
    rule.placed(f"{path}:{line}")
    return rule


def _strip_lines(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_lines(v) for k, v in value.items() if k != _LINE}
    if isinstance(value, list):
        return [_strip_lines(v) for v in value]
    return value
