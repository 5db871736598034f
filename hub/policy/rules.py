"""The rules of the policy language: grants with their masks and row filters, and denies.

A grant lets a reader (an agency or a group of agencies) act on a stream, or on the
streams a pattern names. What it serves is masked by tag, safely by default (see
:mod:`hub.policy.masking`), and filtered by rows. An emergency grant is a grant that
is in force only while a matching emergency is declared. A deny beats every grant.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from hub.policy.vocabulary import Category, Level, SensitivityLevel

Action = Literal["read", "subscribe", "publish"]
MaskMethod = Literal["redact", "hash", "coarsen", "partial", "generalize", "drop"]
Tag = Literal["pii", "medical", "precise-location"]

GRANT_ID = r"^[a-z0-9][a-z0-9-]{1,80}$"
READER = r"^[a-z][a-z0-9-]{1,40}$"
#: A stream id, or a pattern of them: ``health.*``, ``*.road-closure``.
STREAM_PATTERN = r"^[a-z*][a-z0-9*-]{0,40}\.[a-z*][a-z0-9*-]{0,60}$"
#: A field path: ``reporter_phone``, ``casualties.trapped``, ``info[].contact``.
FIELD_PATH = r"^[a-z][a-z0-9_]*(\[\]|\{\})?(\.[a-z][a-z0-9_]*(\[\]|\{\})?)*$"


class Rule(BaseModel):
    """A policy entry; remembers the file and line it came from, for error messages."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    _where: str = PrivateAttr(default="")

    @property
    def where(self) -> str:
        return self._where

    def placed(self, where: str) -> None:
        self._where = where


class Mask(Rule):
    """How to mask the fields with a tag, or the field at a path.

    ``keep``/``chars`` are for ``partial``; ``to`` is ``hour``/``day`` for times,
    ``district``/``grid`` for ``coarsen``; ``grid`` is the cell in degrees; ``band`` the
    width of a number's band for ``generalize``.
    """

    tag: Tag | None = None
    path: str | None = Field(default=None, pattern=FIELD_PATH)
    method: MaskMethod
    keep: Literal["first", "last"] = "last"
    chars: int = Field(default=4, ge=1, le=64)
    to: Literal["hour", "day", "district", "grid"] | None = None
    grid: float = Field(default=0.01, gt=0, le=10)
    band: int = Field(default=10, ge=1, le=1000)

    @model_validator(mode="after")
    def _one_target(self) -> Mask:
        if (self.tag is None) == (self.path is None):
            raise ValueError("a mask names either a tag or a path")
        if self.to in ("hour", "day") and self.method != "generalize":
            raise ValueError(f"to: {self.to} is for method generalize")
        if self.to in ("district", "grid") and self.method != "coarsen":
            raise ValueError(f"to: {self.to} is for method coarsen")
        return self

    @property
    def target(self) -> str:
        return f"tag {self.tag}" if self.tag else f"field {self.path}"


class Unmask(Rule):
    """Serve a tag's fields, or one field, in clear; each needs its own reason."""

    tag: Tag | None = None
    path: str | None = Field(default=None, pattern=FIELD_PATH)
    why: str = Field(min_length=10)

    @model_validator(mode="after")
    def _one_target(self) -> Unmask:
        if (self.tag is None) == (self.path is None):
            raise ValueError("an unmask names either a tag or a path")
        return self


class RowFilter(Rule):
    """Which records a grant serves, by their envelope; every condition must hold."""

    districts: tuple[str, ...] = ()
    severity_at_least: Level | None = None
    categories: tuple[Category, ...] = ()
    sensitivity_at_most: SensitivityLevel | None = None

    @field_validator("districts")
    @classmethod
    def _codes(cls, codes: tuple[str, ...]) -> tuple[str, ...]:
        for code in codes:
            if not re.fullmatch(r"\d{6}", code):
                raise ValueError(f"district {code!r} is not a six-digit GB/T 2260 code")
        return codes

    @property
    def empty(self) -> bool:
        return not (
            self.districts or self.severity_at_least or self.categories or self.sensitivity_at_most
        )


class EmergencyCondition(Rule):
    """When an emergency grant is in force: while an emergency of one of ``categories``,
    at ``level_at_least`` or graver, is declared over one of ``districts`` (any, if
    none are named), and for no longer than ``max_duration`` after its declaration.

    What it serves is the emergency's own: records of the emergency's category, in its
    districts (and the condition's, if it names some), published to the hub no earlier
    than ``lookback`` before the declaration.
    """

    categories: tuple[Category, ...] = Field(min_length=1)
    level_at_least: Level
    districts: tuple[str, ...] = ()
    max_duration: timedelta = Field(default=timedelta(days=3))
    lookback: timedelta = Field(default=timedelta(days=1))

    @field_validator("max_duration")
    @classmethod
    def _bounded(cls, value: timedelta) -> timedelta:
        if not timedelta(minutes=1) <= value <= timedelta(days=90):
            raise ValueError("max_duration must be between a minute and 90 days")
        return value

    @field_validator("lookback")
    @classmethod
    def _recent(cls, value: timedelta) -> timedelta:
        if not timedelta(0) <= value <= timedelta(days=30):
            raise ValueError("lookback must be between 0 and 30 days")
        return value


class Grant(Rule):
    """Lets a reader act on a stream; every grant says why it exists."""

    id: str = Field(pattern=GRANT_ID)
    reader: str = Field(pattern=READER)
    stream: str = Field(pattern=STREAM_PATTERN)
    actions: tuple[Action, ...] = ("read",)
    purposes: tuple[str, ...] = Field(default=(), alias="purpose")
    masks: tuple[Mask, ...] = ()
    unmask: tuple[Unmask, ...] = ()
    filter: RowFilter = RowFilter()
    emergency: EmergencyCondition | None = None
    why: str = Field(min_length=10)
    valid_from: datetime | None = None
    valid_until: datetime | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("valid_from", "valid_until")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("give a timezone, for example 2026-12-31T00:00:00+08:00")
        return value

    @field_validator("purposes")
    @classmethod
    def _purpose_names(cls, purposes: tuple[str, ...]) -> tuple[str, ...]:
        for purpose in purposes:
            if not re.fullmatch(r"[a-z][a-z0-9-]{1,40}", purpose):
                raise ValueError(f"purpose {purpose!r} must be a short lower-case word")
        return purposes

    @model_validator(mode="after")
    def _consistent(self) -> Grant:
        if "publish" in self.actions:
            raise ValueError("publish cannot be granted: an agency publishes to its own streams")
        if not self.actions:
            raise ValueError("a grant needs at least one action")
        if self.valid_from and self.valid_until and self.valid_from >= self.valid_until:
            raise ValueError("valid_from must come before valid_until")
        return self

    @property
    def is_pattern(self) -> bool:
        return "*" in self.stream

    def in_force(self, now: datetime) -> bool:
        if self.valid_from is not None and now < self.valid_from:
            return False
        return self.valid_until is None or now < self.valid_until


class Deny(Rule):
    """Refuses a reader a stream whatever any grant says; ``*`` is every reader."""

    id: str = Field(pattern=GRANT_ID)
    reader: str = Field(pattern=r"^(\*|[a-z][a-z0-9-]{1,40})$")
    stream: str = Field(pattern=STREAM_PATTERN)
    actions: tuple[Action, ...] = ("read", "subscribe")
    why: str = Field(min_length=10)
