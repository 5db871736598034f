"""One Strimzi ``KafkaUser`` per principal, with the ACLs ``hub policy export-acls`` gives.

Who may read what directly from Kafka is ``hub.policy_tools.acls``' rule alone (owners on
their own topics, the hub's user on every stream topic, and a reader only where its
grant shows everything, always); it is not restated here. What that rule does not cover
is the audit checkpoints' topic, which is not a stream: the hub writes it, and every
agency may read it (``hub.audit.publication``), so any of them can hand the signed notes
to a witness without going through the gateway.

Each user authenticates with SCRAM-SHA-512; the user operator makes its password into
a Secret of the user's name (key ``password``), which is what the hub's pods reference.
"""

from __future__ import annotations

from hub.audit.publication import CHECKPOINT_TOPIC
from hub.catalog.files import SchemaCatalog
from hub.deploy.cluster import STRIMZI_API, cluster_label
from hub.deploy.names import is_dns_label
from hub.deploy.render import Manifest
from hub.deploy.site import Site
from hub.errors import ConfigError
from hub.policy.model import Policy
from hub.policy_tools.acls import HUB_USER, Acl, acls, strimzi_users


def checkpoint_acls(policy: Policy) -> list[Acl]:
    rules = [
        Acl(HUB_USER, "TOPIC", CHECKPOINT_TOPIC, "LITERAL", op)
        for op in ("READ", "WRITE", "DESCRIBE", "CREATE")
    ]
    for agency in policy.agencies:
        rules += [
            Acl(agency.id, "TOPIC", CHECKPOINT_TOPIC, "LITERAL", op) for op in ("READ", "DESCRIBE")
        ]
        # As acls() does for every principal: consumer groups named <agency>.anything.
        rules.append(Acl(agency.id, "GROUP", f"{agency.id}.", "PREFIXED", "READ"))
    return rules


def kafka_users(policy: Policy, catalog: SchemaCatalog, site: Site) -> list[Manifest]:
    rules = sorted(
        {*acls(policy, catalog), *checkpoint_acls(policy)},
        key=lambda a: (a.principal, a.resource_type, a.resource_name, a.operation),
    )
    users = strimzi_users(rules, cluster=site.cluster, authentication="scram-sha-512")
    for user in users:
        name = user["metadata"]["name"]
        if not is_dns_label(name):
            raise ConfigError(f"Kafka principal {name!r} cannot be a KafkaUser's name")
        # Strimzi 1.x serves only the v1 API; a KafkaUser's spec is the same in both.
        user["apiVersion"] = STRIMZI_API
        user["metadata"] = {
            "name": name,
            "namespace": site.namespace,
            "labels": cluster_label(site),
        }
    return users
