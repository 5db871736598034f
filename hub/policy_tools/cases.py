"""`hub policy test`: cases kept beside the policies, run against the decision engine.

A case file (``policies/cases/*.yaml``) holds ``cases:``, each::

    - name: Health sees where and how bad, not who called
      agency: health
      stream: emergency.incident-report
      purpose: response                # optional
      emergencies:                     # optional: declared and in force for this case
        - {category: ACCIDENT_DISASTER, level: II, districts: ["440311"]}
      record: {envelope: {...}, reporter_name: Li Ming, ...}   # as much as matters;
                                       # envelope.published_at defaults to now
      expect:
        decision: allow                # or deny
        reason: grant health-reads      # optional: a part of the reason
        hidden: false                   # optional: true if the row filter keeps it out
        fields:                         # optional: path -> value after masking
          reporter_name: null
          reporter_phone: "*******8000"
          envelope.area.point: {lat: 22.75, lon: 113.92}
          address: <absent>             # dropped from the record

Paths are dotted; a number picks an array item (``info.0.headline``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hub.catalog.files import SchemaCatalog
from hub.errors import ConfigError
from hub.policy.decision import decide
from hub.policy.emergency import DeclaredEmergency
from hub.policy.model import Policy
from hub.policy.plan_cache import emergency_rows
from hub.policy.vocabulary import Category, Level
from hub.policy_tools.views import plan_for

ABSENT = "<absent>"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CaseEmergency(_Strict):
    category: Category
    level: Level
    districts: list[str] = Field(default_factory=list)


class Expectation(_Strict):
    decision: Literal["allow", "deny"]
    reason: str | None = None
    hidden: bool = False
    fields: dict[str, Any] = Field(default_factory=dict)


class Case(_Strict):
    name: str
    agency: str
    stream: str
    purpose: str | None = None
    emergencies: list[CaseEmergency] = Field(default_factory=list)
    record: dict[str, Any] = Field(default_factory=dict)
    expect: Expectation


class CaseFile(_Strict):
    cases: list[Case]


@dataclass
class CaseResult:
    file: str
    name: str
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


def load_cases(folder: Path) -> list[tuple[str, Case]]:
    found: list[tuple[str, Case]] = []
    for path in sorted(folder.glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {"cases": []}
            parsed = CaseFile.model_validate(data)
        except (OSError, yaml.YAMLError) as exc:
            raise ConfigError(f"{path}: cannot read the cases: {exc}") from exc
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ConfigError(f"{path}: {where}: {first['msg']}") from exc
        found += [(path.name, case) for case in parsed.cases]
    return found


def run_cases(
    policy: Policy, catalog: SchemaCatalog, cases: list[tuple[str, Case]]
) -> list[CaseResult]:
    now = datetime.now(UTC)
    return [_run(policy, catalog, file, case, now) for file, case in cases]


def _run(
    policy: Policy, catalog: SchemaCatalog, file: str, case: Case, now: datetime
) -> CaseResult:
    result = CaseResult(file, case.name)
    stream = policy.stream(case.stream)
    if stream is None:
        result.failures.append(f"stream {case.stream} is not in the catalogue")
        return result
    declared = tuple(
        DeclaredEmergency(
            id=f"case-{i}",
            category=e.category,
            level=e.level,
            districts=tuple(e.districts),
            declared_at=now - timedelta(minutes=1),
            expires_at=now + timedelta(hours=1),
        )
        for i, e in enumerate(case.emergencies, start=1)
    )
    decision = decide(
        policy,
        agency=case.agency,
        stream=stream,
        action="read",
        purpose=case.purpose,
        emergencies=declared,
        now=now,
    )
    expect = case.expect
    got = "allow" if decision.allowed else "deny"
    if got != expect.decision:
        result.failures.append(f"expected {expect.decision}, got {got}: {decision.reason}")
        return result
    if expect.reason and expect.reason not in decision.reason:
        result.failures.append(f"reason {decision.reason!r} does not say {expect.reason!r}")
    if not decision.allowed:
        return result
    plan = plan_for(decision, stream, policy=policy, catalog=catalog)
    shown = plan.apply(_happening(case.record, now), emergency_rows(decision))
    if shown is None:
        if not expect.hidden:
            result.failures.append("the record was filtered out")
        return result
    if expect.hidden:
        result.failures.append("the record was served; expected it filtered out")
    for path, wanted in expect.fields.items():
        actual = _at(shown, path)
        if actual != wanted:
            result.failures.append(f"{path}: expected {wanted!r}, got {actual!r}")
    return result


def _happening(record: dict[str, Any], now: datetime) -> dict[str, Any]:
    """A case's record reaches the hub as the case runs, unless it says when (ISO 8601)."""
    envelope = dict(record.get("envelope") or {})
    published = envelope.get("published_at")
    if published is None:
        envelope["published_at"] = now
    elif isinstance(published, str):
        envelope["published_at"] = datetime.fromisoformat(published)
    return {**record, "envelope": envelope}


def _at(value: Any, path: str) -> Any:
    for step in path.split("."):
        if isinstance(value, Mapping):
            if step not in value:
                return ABSENT
            value = value[step]
        elif isinstance(value, list) and step.isdigit() and int(step) < len(value):
            value = value[int(step)]
        else:
            return ABSENT
    if isinstance(value, datetime):
        return value.isoformat()
    return value
