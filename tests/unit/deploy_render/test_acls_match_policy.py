"""The Kafka users' ACLs are what the policy allows, judged here by a route of our own.

For every agency and stream the gateway's decision is taken again (``decide``, then the
read plan of the grant it picks, as a read through the gateway would), and a direct
Kafka READ must exist exactly where that read shows everything, always: an ordinary
grant, no row filter, no validity window, nothing masked. Beyond those only a stream's
owner reads its own topics and the hub's user reads everything. The policy is then
changed in a copy, to show a READ goes when its grant stops showing everything.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from hub.audit.publication import CHECKPOINT_TOPIC
from hub.catalog.files import SchemaCatalog
from hub.config import PROJECT_ROOT
from hub.deploy.render import Manifest
from hub.deploy.site import Site
from hub.deploy.users import kafka_users
from hub.policy.decision import decide
from hub.policy.loader import load_policy
from hub.policy.model import Policy
from hub.policy.plan import compile_plan
from hub.serde.wire import dead_letter_topic
from tests.unit.deploy_render.pods import of_kind

HUB = "linkage-hub"
TRAFFIC = "public-security.traffic-control"


def granted(users: list[Manifest], operation: str) -> set[tuple[str, str]]:
    """(user, topic) for each literal topic ACL with ``operation``."""
    found = set()
    for user in users:
        for acl in user["spec"]["authorization"]["acls"]:
            resource = acl["resource"]
            if resource["type"] == "topic" and operation in acl["operations"]:
                assert resource["patternType"] == "literal", f"{user['metadata']['name']}: {acl}"
                found.add((user["metadata"]["name"], resource["name"]))
    return found


def plain_reads(policy: Policy, catalog: SchemaCatalog) -> set[tuple[str, str]]:
    """(agency, topic) where the gateway would show the agency every field of every event."""
    found = set()
    for agency in policy.agencies:
        for stream in policy.streams:
            decision = decide(policy, agency=agency.id, stream=stream, action="read")
            grant = decision.grant
            if not decision.allowed or grant is None or stream.owner == agency.id:
                continue
            always = grant.valid_from is None and grant.valid_until is None
            if grant.emergency is not None or not grant.filter.empty or not always:
                continue
            schema = catalog.resolve(stream.schema_name)
            plan = compile_plan(schema, grant, policy=policy, hash_key=b"\x01" * 32)
            if not plan.masked:
                found.add((agency.id, stream.topic))
    return found


def test_reads_are_exactly_the_plain_grants_the_owners_and_the_hub(
    policy: Policy, catalog: SchemaCatalog, manifests: list[Manifest]
) -> None:
    users = of_kind(manifests, "KafkaUser")
    reads = granted(users, "Read")
    expected = plain_reads(policy, catalog)
    assert expected, "the shipped policy has a plain read (transportation, traffic control)"
    assert expected <= reads
    for stream in policy.streams:
        for topic in (stream.topic, dead_letter_topic(stream.topic)):
            readers = {user for user, read in reads if read == topic}
            allowed = {stream.owner, HUB} | {a for a, t in expected if t == topic}
            assert readers == allowed, topic
    # Nothing else but the audit checkpoints, which every agency may read.
    stream_topics = {t for s in policy.streams for t in (s.topic, dead_letter_topic(s.topic))}
    assert {t for _, t in reads} == stream_topics | {CHECKPOINT_TOPIC}
    assert {u for u, t in reads if t == CHECKPOINT_TOPIC} == {a.id for a in policy.agencies} | {HUB}


def test_only_the_owner_and_the_hub_write_a_stream_and_only_the_hub_the_checkpoints(
    policy: Policy, manifests: list[Manifest]
) -> None:
    writes = granted(of_kind(manifests, "KafkaUser"), "Write")
    for stream in policy.streams:
        for topic in (stream.topic, dead_letter_topic(stream.topic)):
            assert {u for u, t in writes if t == topic} == {stream.owner, HUB}
    assert {u for u, t in writes if t == CHECKPOINT_TOPIC} == {HUB}


def _grant(policy_dir: Path, grant_id: str) -> tuple[Path, list[Any], dict[str, Any]]:
    for path in sorted(policy_dir.glob("grants*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for grant in document.get("grants", []):
            if grant["id"] == grant_id:
                return path, document, grant
    raise AssertionError(f"no grant {grant_id}")


def _masks_a_field(grant: dict[str, Any]) -> None:
    grant["masks"] = [{"path": "issuing_unit", "method": "redact"}]


def _expires(grant: dict[str, Any]) -> None:
    grant["valid_until"] = "2099-12-31T00:00:00+08:00"


def _filters_rows(grant: dict[str, Any]) -> None:
    grant["filter"] = {"districts": ["440311"]}


@pytest.mark.parametrize("change", [_masks_a_field, _expires, _filters_rows])
def test_a_grant_that_stops_showing_everything_loses_its_acl(
    tmp_path: Path, catalog: SchemaCatalog, change: Callable[[dict[str, Any]], None]
) -> None:
    folder = tmp_path / "policies"
    shutil.copytree(PROJECT_ROOT / "policies", folder)
    reader = ("transportation", f"{TRAFFIC}.v1")
    before = granted(kafka_users(load_policy(folder), catalog, Site()), "Read")
    assert reader in before
    path, document, grant = _grant(folder, "transportation-reads-traffic-control")
    change(grant)
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    changed = load_policy(folder)
    after = granted(kafka_users(changed, catalog, Site()), "Read")
    assert reader not in after
    assert after == before - {reader}
    assert plain_reads(changed, catalog) == set()


def test_a_new_grant_that_shows_everything_gains_its_acl(
    tmp_path: Path, catalog: SchemaCatalog
) -> None:
    folder = tmp_path / "policies"
    shutil.copytree(PROJECT_ROOT / "policies", folder)
    reader = ("health", "transportation.transit-disruption.v1")
    assert reader not in granted(kafka_users(load_policy(folder), catalog, Site()), "Read")
    (folder / "grants-extra.yaml").write_text(
        "grants:\n"
        "  - id: health-reads-transit-disruptions\n"
        "    reader: health\n"
        "    stream: transportation.transit-disruption\n"
        "    actions: [read]\n"
        "    unmask:\n"
        "      - tag: precise-location\n"
        "        why: ambulances are routed around the exact place a line is cut\n"
        "    why: ambulance dispatch plans around cut metro and bus lines\n",
        encoding="utf-8",
    )
    changed = load_policy(folder)
    after = granted(kafka_users(changed, catalog, Site()), "Read")
    assert reader in after
    assert plain_reads(changed, catalog) == {reader, ("transportation", f"{TRAFFIC}.v1")}
