"""What `hub policy lint` checks beyond loading: every rule fits the schemas it applies to.

A mask or unmask by path must name a field of every stream the grant covers, and every
grant must compile against each of those schemas; otherwise a typo would silently mask
nothing (or everything).
"""

from __future__ import annotations

from hub.catalog.files import SchemaCatalog
from hub.errors import HubError
from hub.policy.model import Policy
from hub.policy.plan import compile_plan
from hub.policy_tools.views import TOOL_HASH_KEY, fields_of


def lint(policy: Policy, catalog: SchemaCatalog) -> list[str]:
    problems: list[str] = []
    for grant in policy.grants:
        where = f"{grant.where}: " if grant.where else ""
        for stream in policy.streams_matching(grant.stream):
            try:
                schema = catalog.resolve(stream.schema_name)
            except HubError as exc:
                problems.append(f"{where}grant {grant.id}: {stream.id}: {exc.message}")
                continue
            paths = {f.path for f in fields_of(schema)}
            named = [m.path for m in grant.masks] + [u.path for u in grant.unmask]
            for path in named:
                if path is not None and path not in paths:
                    problems.append(
                        f"{where}grant {grant.id}: {path!r} is not a field of "
                        f"{stream.schema_name} ({stream.id})"
                    )
            try:
                compile_plan(schema, grant, policy=policy, hash_key=TOOL_HASH_KEY)
            except (ValueError, KeyError, TypeError) as exc:
                problems.append(f"{where}grant {grant.id}: cannot apply to {stream.id}: {exc}")
    return problems
