"""One Strimzi ``KafkaUser`` per principal, with the ACLs ``hub policy export-acls`` gives.

Who may read what directly from Kafka is ``hub.policy_tools.acls``' rule alone (owners on
their own topics, the hub's user on every stream topic, every agency on the audit
checkpoints' topic, and a reader only where its grant shows everything, always); it is
not restated here.

Each user authenticates with SCRAM-SHA-512; the user operator makes its password into
a Secret of the user's name (key ``password``), which is what the hub's pods reference.
"""

from __future__ import annotations

from hub.catalog.files import SchemaCatalog
from hub.deploy.cluster import cluster_label
from hub.deploy.names import is_dns_label
from hub.deploy.render import Manifest
from hub.deploy.site import Site
from hub.errors import ConfigError
from hub.policy.model import Policy
from hub.policy_tools.acls import acls, strimzi_users


def kafka_users(policy: Policy, catalog: SchemaCatalog, site: Site) -> list[Manifest]:
    users = strimzi_users(
        acls(policy, catalog), cluster=site.cluster, authentication="scram-sha-512"
    )
    for user in users:
        name = user["metadata"]["name"]
        if not is_dns_label(name):
            raise ConfigError(f"Kafka principal {name!r} cannot be a KafkaUser's name")
        user["metadata"] = {
            "name": name,
            "namespace": site.namespace,
            "labels": cluster_label(site),
        }
    return users
