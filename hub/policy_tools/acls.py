"""`hub policy export-acls`: Kafka ACLs for what plain Kafka clients may read directly.

Only a grant the gateway would apply as a no-op can be handed to Kafka: one that masks
nothing of the stream's current schema, filters no rows, is not an emergency grant,
has no validity window (an ACL does not expire) and is not overridden by a deny.
Everyone else reads through the gateway. Owners may write and read their own topics
and dead-letter topics; the hub's own user may do everything on the catalogue's topics.
Reads made with plain clients are outside the hub's audit log (Kafka's authorizer log
records them), which is why the set is kept this small.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from hub.audit.publication import CHECKPOINT_TOPIC
from hub.catalog.files import SchemaCatalog
from hub.policy.decision import decide
from hub.policy.model import Policy, Stream
from hub.policy.plan import compile_plan
from hub.policy.rules import Grant
from hub.policy_tools.views import TOOL_HASH_KEY
from hub.serde.wire import dead_letter_topic

HUB_USER = "linkage-hub"
Operation = Literal["READ", "WRITE", "DESCRIBE", "CREATE"]


@dataclass(frozen=True, slots=True)
class Acl:
    principal: str
    resource_type: Literal["TOPIC", "GROUP"]
    resource_name: str
    pattern_type: Literal["LITERAL", "PREFIXED"]
    operation: Operation

    def as_json(self) -> dict[str, str]:
        return {
            "principal": f"User:{self.principal}",
            "host": "*",
            "permission": "ALLOW",
            "operation": self.operation,
            "resource_type": self.resource_type,
            "resource_name": self.resource_name,
            "pattern_type": self.pattern_type,
        }


@dataclass(frozen=True, slots=True)
class DirectRead:
    agency: str
    stream: Stream
    grant: Grant


def direct_reads(policy: Policy, catalog: SchemaCatalog) -> list[DirectRead]:
    """The (agency, stream) pairs whose grant shows everything, always."""
    found = []
    for agency in policy.agencies:
        for stream in policy.streams:
            if stream.owner == agency.id:
                continue
            decision = decide(policy, agency=agency.id, stream=stream, action="read")
            grant = decision.grant
            if not decision.allowed or grant is None or not _plain(grant):
                continue
            schema = catalog.resolve(stream.schema_name)
            plan = compile_plan(schema, grant, policy=policy, hash_key=TOOL_HASH_KEY)
            if not plan.masked:
                found.append(DirectRead(agency.id, stream, grant))
    return found


def _plain(grant: Grant) -> bool:
    return (
        grant.emergency is None
        and grant.filter.empty
        and grant.valid_from is None
        and grant.valid_until is None
    )


def acls(policy: Policy, catalog: SchemaCatalog) -> list[Acl]:
    rules: list[Acl] = []
    for stream in policy.streams:
        for topic in (stream.topic, dead_letter_topic(stream.topic)):
            rules += [
                Acl(stream.owner, "TOPIC", topic, "LITERAL", op)
                for op in ("WRITE", "READ", "DESCRIBE")
            ]
            rules += [
                Acl(HUB_USER, "TOPIC", topic, "LITERAL", op)
                for op in ("READ", "WRITE", "DESCRIBE", "CREATE")
            ]
    for read in direct_reads(policy, catalog):
        rules += [
            Acl(read.agency, "TOPIC", read.stream.topic, "LITERAL", op)
            for op in ("READ", "DESCRIBE")
        ]
    rules += checkpoint_acls(policy)
    for agency in sorted({r.principal for r in rules}):
        # Consumer groups named after the agency: <agency>.anything.
        rules.append(Acl(agency, "GROUP", f"{agency}.", "PREFIXED", "READ"))
    return sorted(
        set(rules), key=lambda a: (a.principal, a.resource_type, a.resource_name, a.operation)
    )


def checkpoint_acls(policy: Policy) -> list[Acl]:
    """The audit checkpoints' topic is not a stream: the hub writes it, and every agency
    may read it (``hub.audit.publication``), so any of them can hand the signed notes to
    a witness without going through the gateway. Without these the hub could not even
    create the topic at start on a cluster that enforces ACLs."""
    rules = [
        Acl(HUB_USER, "TOPIC", CHECKPOINT_TOPIC, "LITERAL", op)
        for op in ("READ", "WRITE", "DESCRIBE", "CREATE")
    ]
    for agency in policy.agencies:
        rules += [
            Acl(agency.id, "TOPIC", CHECKPOINT_TOPIC, "LITERAL", op) for op in ("READ", "DESCRIBE")
        ]
    return rules


def strimzi_users(
    rules: list[Acl], *, cluster: str, authentication: Literal["tls", "scram-sha-512"] = "tls"
) -> list[dict[str, Any]]:
    """One Strimzi ``KafkaUser`` per principal, ACLs grouped by resource."""
    users: list[dict[str, Any]] = []
    for principal in sorted({r.principal for r in rules}):
        mine = [r for r in rules if r.principal == principal]
        resources: dict[tuple[str, str, str], list[str]] = {}
        for rule in mine:
            key = (rule.resource_type, rule.resource_name, rule.pattern_type)
            resources.setdefault(key, []).append(rule.operation.capitalize())
        users.append(
            {
                "apiVersion": "kafka.strimzi.io/v1",
                "kind": "KafkaUser",
                "metadata": {"name": principal, "labels": {"strimzi.io/cluster": cluster}},
                "spec": {
                    "authentication": {"type": authentication},
                    "authorization": {
                        "type": "simple",
                        "acls": [
                            {
                                "resource": {
                                    "type": kind.lower(),
                                    "name": name,
                                    "patternType": "prefix" if pattern == "PREFIXED" else "literal",
                                },
                                "operations": sorted(operations),
                                "host": "*",
                            }
                            for (kind, name, pattern), operations in sorted(resources.items())
                        ],
                    },
                },
            }
        )
    return users
