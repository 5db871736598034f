"""The policy language: agencies, streams and grants, validated as they load."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from hub.serde.modes import STREAM_DEFAULT, CompatibilityMode
from hub.serde.wire import topic_name, value_subject

AGENCY_ID = r"^[a-z][a-z0-9-]{1,40}$"
STREAM_ID = r"^[a-z][a-z0-9-]{1,40}\.[a-z][a-z0-9-]{1,60}$"
Action = Literal["read"]
Sensitivity = Literal["public", "internal", "restricted"]
AgencyKind = Literal["department", "district", "partner", "oversight"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Names(_Strict):
    en: str
    zh: str


class Agency(_Strict):
    id: str = Field(pattern=AGENCY_ID)
    name: Names
    kind: AgencyKind = "department"
    contact: str = ""


class Stream(_Strict):
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

    @model_validator(mode="after")
    def _owner_prefix(self) -> Stream:
        if self.id.split(".", 1)[0] != self.owner:
            raise ValueError(f"stream {self.id} must start with its owner's id {self.owner!r}")
        return self

    @property
    def topic(self) -> str:
        return topic_name(self.id, self.version)

    @property
    def subject(self) -> str:
        return value_subject(self.topic)


class Grant(_Strict):
    """Lets one agency read one stream; every grant says why it exists."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,80}$")
    reader: str = Field(pattern=AGENCY_ID)
    stream: str = Field(pattern=STREAM_ID)
    actions: tuple[Action, ...] = ("read",)
    purpose: tuple[str, ...] = ()
    why: str
    valid_from: datetime | None = None
    valid_until: datetime | None = None

    @field_validator("valid_from", "valid_until")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("give a timezone, for example 2026-12-31T00:00:00+08:00")
        return value


class Policy(_Strict):
    _agencies: dict[str, Agency] = PrivateAttr(default_factory=dict)
    _streams: dict[str, Stream] = PrivateAttr(default_factory=dict)
    _grants: dict[tuple[str, str], list[Grant]] = PrivateAttr(default_factory=dict)
    agencies: tuple[Agency, ...]
    streams: tuple[Stream, ...]
    grants: tuple[Grant, ...] = ()

    @model_validator(mode="after")
    def _references_resolve(self) -> Policy:
        agencies = _unique("agency", [a.id for a in self.agencies])
        streams = _unique("stream", [s.id for s in self.streams])
        _unique("grant", [g.id for g in self.grants])
        for stream in self.streams:
            if stream.owner not in agencies:
                raise ValueError(f"stream {stream.id}: owner {stream.owner!r} is not an agency")
        for grant in self.grants:
            if grant.reader not in agencies:
                raise ValueError(f"grant {grant.id}: reader {grant.reader!r} is not an agency")
            if grant.stream not in streams:
                raise ValueError(
                    f"grant {grant.id}: stream {grant.stream!r} is not in the catalogue"
                )
        return self

    def model_post_init(self, context: object, /) -> None:
        # Looked up on every request: index once, when the policy loads.
        self._agencies = {a.id: a for a in self.agencies}
        self._streams = {s.id: s for s in self.streams}
        self._grants: dict[tuple[str, str], list[Grant]] = {}
        for grant in self.grants:
            self._grants.setdefault((grant.reader, grant.stream), []).append(grant)

    def agency(self, agency_id: str) -> Agency | None:
        return self._agencies.get(agency_id)

    def stream(self, stream_id: str) -> Stream | None:
        return self._streams.get(stream_id)

    def grants_for(self, reader: str, stream: str) -> list[Grant]:
        return self._grants.get((reader, stream), [])


def _unique(kind: str, ids: list[str]) -> set[str]:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise ValueError(f"{kind} id {item!r} is defined twice")
        seen.add(item)
    return seen
