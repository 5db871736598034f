"""Coordination targets: how soon the agencies that receive a stream's events should
first read them and acknowledge them. The Emergency Management Bureau sets them in
``policies/``; the coordination report measures every agency pair against them.

A target names a stream or a pattern of streams; the first entry that names a stream
exactly wins, else the first pattern in file order, so a file can say "warnings within
five minutes, everything else within an hour".
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field, field_validator, model_validator

from hub.policy.rules import STREAM_PATTERN, Rule

#: Nothing an emergency waits on is measured in weeks; a longer target is a typo.
LONGEST = timedelta(days=7)


class Target(Rule):
    stream: str = Field(pattern=STREAM_PATTERN)
    #: Publish to the first time the event is served to a receiving agency.
    first_read: timedelta
    #: Publish to the receiving agency's first acknowledgement (any status).
    acknowledged: timedelta
    why: str = Field(min_length=10)

    @field_validator("first_read", "acknowledged")
    @classmethod
    def _bounded(cls, value: timedelta) -> timedelta:
        if not timedelta(0) < value <= LONGEST:
            raise ValueError("a target must be more than zero and at most 7 days (P7D)")
        return value

    @model_validator(mode="after")
    def _read_before_ack(self) -> Target:
        if self.acknowledged < self.first_read:
            raise ValueError("acknowledged must not be sooner than first_read")
        return self

    @property
    def is_pattern(self) -> bool:
        return "*" in self.stream
