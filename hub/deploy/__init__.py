"""Kubernetes manifests for a production hub, rendered from what the hub already knows.

The topics come from the stream catalogue and the Kafka users' ACLs from the access
policy, by the same rules the hub applies itself (``hub.provision``'s topics,
``hub.policy_tools.acls``), so the manifests cannot drift from the policy they were
rendered from: render again after changing either. Every module but ``render`` is pure
functions from (policy, catalogue, ``site.Site``) to plain dicts; ``strimzi`` puts them
together and ``render`` writes them as YAML. Secrets are only ever referenced by name
(``secrets``), never written into a manifest.

Nothing is re-exported here: `hub` imports this package's parent for every command,
and the manifests' modules are loaded only by `hub deploy`.
"""
