"""`hub policy explain`: which grant applies to a reader and a stream, and what it shows.

The same decision and the same compiled plan the gateway uses, against the catalogue's
schema, printed as sentences a data steward can check.
"""

from __future__ import annotations

from datetime import timedelta

from hub.catalog.files import SchemaCatalog
from hub.policy.decision import decide
from hub.policy.masking import FieldInfo, mask_for
from hub.policy.model import Policy, Stream
from hub.policy.rules import Grant
from hub.policy_tools.views import fields_of, plan_for


def explain(
    policy: Policy, catalog: SchemaCatalog, *, agency: str, stream: Stream, purpose: str | None
) -> list[str]:
    lines = [f"{agency} reading {stream.id} (owned by {stream.owner}), policy {policy.version}"]
    decision = decide(policy, agency=agency, stream=stream, action="read", purpose=purpose)
    if decision.owner:
        return [*lines, f"allowed: {decision.reason}; the owner sees every field in clear"]
    if not decision.allowed:
        lines.append(f"denied: {decision.reason}")
    else:
        grant = decision.grant
        assert grant is not None
        lines += [f"allowed by grant {grant.id} for purpose {decision.purpose or '(any)'}"]
        lines += _grant_lines(grant)
        lines += _field_lines(policy, catalog, grant, stream)
        plan = plan_for(decision, stream, policy=policy, catalog=catalog)
        lines.append(f"masked fields: {', '.join(plan.masked) or 'none'}")
    for grant in policy.grants_for(agency, stream.id):
        if grant.emergency is not None and grant is not decision.grant:
            condition = grant.emergency
            where = ", ".join(condition.districts) or "any district"
            lines.append(
                f"emergency grant {grant.id} opens it while an emergency of category "
                f"{' or '.join(condition.categories)}, level {condition.level_at_least} or graver, "
                f"is declared over {where}, for at most {_duration(condition.max_duration)} "
                "after the declaration; it serves only the emergency's own records (its "
                "category, its districts, published from "
                f"{_duration(condition.lookback)} before the declaration on), and every read "
                "that serves records is reviewed"
            )
    return lines


def _grant_lines(grant: Grant) -> list[str]:
    lines = [f"  why: {grant.why}"]
    if grant.purposes:
        lines.append(f"  purposes: {', '.join(grant.purposes)}")
    rows = grant.filter.model_dump(exclude_defaults=True)
    lines.append(f"  rows: {rows}" if rows else "  rows: every record")
    if grant.valid_from or grant.valid_until:
        lines.append(f"  in force: {grant.valid_from or 'always'} to {grant.valid_until or 'ever'}")
    return lines


def _field_lines(policy: Policy, catalog: SchemaCatalog, grant: Grant, stream: Stream) -> list[str]:
    lines: list[str] = []
    for field in fields_of(catalog.resolve(stream.schema_name)):
        mask = mask_for(grant, FieldInfo(field.path, field.tags, True, "string"))
        if mask is not None:
            source = "this grant" if mask in grant.masks else f"the default for {mask.tag}"
            lines.append(f"  {field.path}: {_method(mask.method, mask)} ({source})")
        elif field.tags:
            reason = next(
                (u.why for u in grant.unmask if u.path == field.path or u.tag in field.tags), ""
            )
            lines.append(f"  {field.path}: in clear ({', '.join(field.tags)}): {reason}")
    return lines


def _method(method: str, mask: object) -> str:
    if method == "partial":
        return f"partial (keep {getattr(mask, 'keep', '')} {getattr(mask, 'chars', '')})"
    if method == "coarsen":
        return f"coarsen (to {getattr(mask, 'to', None) or 'district'})"
    if method == "generalize":
        to = getattr(mask, "to", None)
        return f"generalize (times to the {to or 'hour'}, numbers in bands of {getattr(mask, 'band', 10)})"
    return method


def _duration(value: timedelta) -> str:
    hours = int(value.total_seconds() // 3600)
    if hours and hours % 24 == 0:
        return f"{hours // 24} day{'s' if hours != 24 else ''}"
    return f"{hours} hours" if hours else f"{int(value.total_seconds() // 60)} minutes"
