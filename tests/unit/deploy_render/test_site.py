"""The installation's parameters are checked before anything is rendered, and names
that Kubernetes would refuse are made to fit."""

from __future__ import annotations

import pytest

from hub.deploy.names import dns_label, is_dns_label
from hub.deploy.site import ConnectorRun, Site


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"namespace": "Linkage"}, "namespace 'Linkage' must be a DNS-1123 label"),
        ({"cluster": "a" * 41}, "at most 40 characters"),
        ({"public_url": "http://linkage.example.org"}, "must be https://<host>"),
        ({"public_url": "https://linkage.example.org/hub"}, "must be the host only"),
        ({"image": "linkage hub"}, "without spaces"),
        ({"gateway_replicas": 1}, "at least 2 replicas"),
        (
            {"connectors": (ConnectorRun("x", "a.b", "s"), ConnectorRun("x", "a.b", "t"))},
            "each connector may be given once",
        ),
    ],
    ids=["namespace", "cluster", "http", "path", "image", "replicas", "connector-twice"],
)
def test_a_bad_parameter_is_refused_with_what_it_must_be(
    given: dict[str, object], expected: str
) -> None:
    with pytest.raises(ValueError, match=expected):
        Site(**given)  # type: ignore[arg-type]


def test_the_issuer_is_the_public_host_without_a_trailing_slash() -> None:
    site = Site(public_url="https://Hub.City.example/")
    assert (site.host, site.issuer) == ("hub.city.example", "https://hub.city.example")


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("meteorology.warning.v1", "meteorology-warning-v1"),
        ("hub.audit-checkpoints", "hub-audit-checkpoints"),
        ("Weird__Topic..name-", "weird-topic-name"),
    ],
)
def test_a_topic_name_becomes_a_dns_label(name: str, label: str) -> None:
    assert dns_label(name) == label


def test_a_long_name_is_cut_and_keeps_a_digest_of_the_whole() -> None:
    first, second = dns_label("a." * 40 + "one"), dns_label("a." * 40 + "two")
    assert first != second
    assert is_dns_label(first) and is_dns_label(second)
