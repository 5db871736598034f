"""Fixtures of the manifest tests: the shipped policy and catalogue, rendered once with
the defaults (what deploy/kubernetes holds) and once with a connector as well."""

from __future__ import annotations

import pytest

from hub.catalog.files import SchemaCatalog
from hub.config import PROJECT_ROOT
from hub.deploy.render import Bundle, Manifest
from hub.deploy.site import ConnectorRun, Site
from hub.deploy.strimzi import render_strimzi
from hub.policy.loader import load_policy
from hub.policy.model import Policy

WITH_CONNECTOR = Site(
    connectors=(
        ConnectorRun(
            name="meteorology-cap-feed",
            stream="meteorology.warning",
            source="https://alerts.example.org/cap/index.atom",
        ),
    )
)


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy(PROJECT_ROOT / "policies")


@pytest.fixture(scope="session")
def catalog() -> SchemaCatalog:
    return SchemaCatalog.load(PROJECT_ROOT / "schemas")


@pytest.fixture(scope="session")
def bundle(policy: Policy, catalog: SchemaCatalog) -> Bundle:
    return render_strimzi(policy, catalog, Site())


@pytest.fixture(scope="session")
def manifests(bundle: Bundle) -> list[Manifest]:
    return [m for group in bundle.values() for m in group]


@pytest.fixture(scope="session")
def every_manifest(policy: Policy, catalog: SchemaCatalog) -> list[Manifest]:
    """The defaults' manifests and a connector's: every kind the renderer makes."""
    rendered = render_strimzi(policy, catalog, WITH_CONNECTOR)
    return [m for group in rendered.values() for m in group]
