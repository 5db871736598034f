"""The policy as a whole: agencies, groups, the stream catalogue, districts and rules.

Loaded from ``policies/*.yaml`` by :mod:`hub.policy.loader`; every cross-reference is
checked here, and the per-request lookups are indexed once when the policy loads.
"""

from __future__ import annotations

import fnmatch
from functools import cached_property
from typing import Literal

from pydantic import Field, model_validator

from hub.policy.rules import Deny, Grant, Rule
from hub.policy.targets import Target
from hub.serde.modes import STREAM_DEFAULT, CompatibilityMode
from hub.serde.wire import topic_name, value_subject

AGENCY_ID = r"^[a-z][a-z0-9-]{1,40}$"
STREAM_ID = r"^[a-z][a-z0-9-]{1,40}\.[a-z][a-z0-9-]{1,60}$"
Sensitivity = Literal["public", "internal", "restricted"]
AgencyKind = Literal["department", "district", "partner", "oversight"]
#: Whether a stream's events must say what kind of emergency they are about.
ClassificationRule = Literal["required", "optional"]


class Names(Rule):
    en: str
    zh: str


class Agency(Rule):
    id: str = Field(pattern=AGENCY_ID)
    name: Names
    kind: AgencyKind = "department"
    contact: str = ""
    #: The Emergency Management Bureau declares emergencies; nobody else does.
    declares_emergencies: bool = False


class Group(Rule):
    """A named set of agencies a grant can name as its reader (``first-responders``)."""

    id: str = Field(pattern=AGENCY_ID)
    name: Names
    members: tuple[str, ...] = Field(min_length=1)


class District(Rule):
    """A district (GB/T 2260 code) and its centroid: where a coarsened point goes."""

    code: str = Field(pattern=r"^\d{6}$")
    name: Names
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class Stream(Rule):
    """A catalogue entry: who owns the data, what it holds, how to reach its steward."""

    id: str = Field(pattern=STREAM_ID)
    owner: str = Field(pattern=AGENCY_ID)
    schema_name: str = Field(alias="schema", pattern=r"^[A-Za-z_][A-Za-z0-9_.]*$")
    version: int = Field(default=1, ge=1)
    description: str
    steward: str
    sensitivity: Sensitivity = "internal"
    update_frequency: str = ""
    retention: str = ""
    partitions: int = Field(default=1, ge=1, le=64)
    compatibility: CompatibilityMode = STREAM_DEFAULT
    #: ``optional`` for routine streams (observations, capacity, stock), whose events
    #: describe no emergency; required unless declared, so a stream never loses its
    #: categories by omission. Any event naming an incident carries one regardless.
    classification: ClassificationRule = "required"
    #: The largest event the stream takes, in bytes as encoded (Avro). The SDK refuses
    #: a larger one to the dead-letter topic; the topic is created with it as its
    #: ``max.message.bytes``. Kafka's own default is about 1 MB; raise it for streams
    #: whose events carry large documents (a national CAP warning's full text).
    max_message_bytes: int = Field(default=1_000_000, ge=1_024, le=16 * 1024 * 1024)

    @model_validator(mode="after")
    def _owner_prefix(self) -> Stream:
        if self.id.split(".", 1)[0] != self.owner:
            raise ValueError(f"stream {self.id} must start with its owner's id {self.owner!r}")
        return self

    @property
    def topic(self) -> str:
        return topic_name(self.id, self.version)

    @property
    def classification_required(self) -> bool:
        return self.classification == "required"

    @property
    def subject(self) -> str:
        return value_subject(self.topic)


class Policy(Rule):
    agencies: tuple[Agency, ...]
    groups: tuple[Group, ...] = ()
    streams: tuple[Stream, ...]
    districts: tuple[District, ...] = ()
    grants: tuple[Grant, ...] = ()
    denies: tuple[Deny, ...] = ()
    targets: tuple[Target, ...] = ()
    #: A content hash of the files it was loaded from; every audit row names it.
    version: str = "unversioned"

    @model_validator(mode="after")
    def _references_resolve(self) -> Policy:
        agencies = _unique("agency", self.agencies)
        groups = _unique("group", self.groups)
        streams = _unique("stream", self.streams)
        _unique("district", self.districts, key="code")
        _unique("grant or deny", (*self.grants, *self.denies))
        for group in self.groups:
            if group.id in agencies:
                raise _error(group, f"group {group.id}: an agency has that id already")
            for member in group.members:
                if member not in agencies:
                    raise _error(group, f"group {group.id}: member {member!r} is not an agency")
        readers = agencies | groups
        for stream in self.streams:
            if stream.owner not in agencies:
                raise _error(stream, f"stream {stream.id}: owner {stream.owner!r} is not an agency")
        rules: tuple[Grant | Deny, ...] = (*self.grants, *self.denies)
        for rule in rules:
            kind = "grant" if isinstance(rule, Grant) else "deny"
            if rule.reader != "*" and rule.reader not in readers:
                raise _error(
                    rule, f"{kind} {rule.id}: reader {rule.reader!r} is not an agency or group"
                )
            if not any(_matches(rule.stream, s) for s in streams):
                raise _error(
                    rule, f"{kind} {rule.id}: stream {rule.stream!r} is not in the catalogue"
                )
        for target in self.targets:
            if not any(_matches(target.stream, s) for s in streams):
                raise _error(target, f"target: stream {target.stream!r} is not in the catalogue")
        return self

    @cached_property
    def _index(self) -> _Index:
        # Looked up on every request: indexed once, and kept in the instance's own
        # dict (pydantic's private attributes cost a __getattr__ call on every read).
        return _Index(self)

    def agency(self, agency_id: str) -> Agency | None:
        return self._index.agencies.get(agency_id)

    def stream(self, stream_id: str) -> Stream | None:
        return self._index.streams.get(stream_id)

    def district(self, code: str | None) -> District | None:
        return self._index.districts.get(code) if code else None

    def streams_matching(self, pattern: str) -> list[Stream]:
        """The catalogue entries a grant's or deny's ``stream`` names."""
        return [s for s in self.streams if _matches(pattern, s.id)]

    def members(self, reader: str) -> tuple[str, ...]:
        """The agencies a reader stands for: itself, a group's members, or all (``*``)."""
        if reader == "*":
            return tuple(a.id for a in self.agencies)
        for group in self.groups:
            if group.id == reader:
                return group.members
        return (reader,)

    def grants_for(self, reader: str, stream: str) -> list[Grant]:
        """The grants naming ``reader`` (or a group it is in) for ``stream``, in file order."""
        return self._index.grants.get((reader, stream), [])

    def denies_for(self, reader: str, stream: str) -> list[Deny]:
        return self._index.denies.get((reader, stream), [])

    def target_for(self, stream: str) -> Target | None:
        """The coordination target for ``stream``: an exact entry, else the first pattern."""
        exact = [t for t in self.targets if t.stream == stream]
        if exact:
            return exact[0]
        return next((t for t in self.targets if t.is_pattern and _matches(t.stream, stream)), None)


class _Index:
    def __init__(self, policy: Policy) -> None:
        self.agencies = {a.id: a for a in policy.agencies}
        self.streams = {s.id: s for s in policy.streams}
        self.districts = {d.code: d for d in policy.districts}
        self.grants: dict[tuple[str, str], list[Grant]] = {}
        self.denies: dict[tuple[str, str], list[Deny]] = {}
        members = {g.id: set(g.members) for g in policy.groups}
        for agency in policy.agencies:
            names = {agency.id, "*"} | {g for g, m in members.items() if agency.id in m}
            for stream in policy.streams:
                key = (agency.id, stream.id)
                self.grants[key] = [
                    g for g in policy.grants if g.reader in names and _matches(g.stream, stream.id)
                ]
                self.denies[key] = [
                    d for d in policy.denies if d.reader in names and _matches(d.stream, stream.id)
                ]


def _matches(pattern: str, stream_id: str) -> bool:
    return pattern == stream_id or ("*" in pattern and fnmatch.fnmatchcase(stream_id, pattern))


def _unique(kind: str, items: tuple[Rule, ...], *, key: str = "id") -> set[str]:
    seen: set[str] = set()
    for item in items:
        value = str(getattr(item, key))
        if value in seen:
            raise _error(item, f"{kind} id {value!r} is defined twice")
        seen.add(value)
    return seen


def _error(rule: Rule, message: str) -> ValueError:
    """A cross-reference error, placed at the entry's file and line when known."""
    return ValueError(f"{rule.where}: {message}" if rule.where else message)
