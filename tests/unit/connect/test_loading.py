"""Finding the connector a command names, and passing it options as text."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.catalog import CONNECTORS
from connectors.police_incidents import PoliceIncidentConnector
from hub.connect.loading import connector_classes, construct, load_connector
from hub.errors import ConfigError


def test_a_shipped_connector_is_found_by_name_and_options_take_their_defaults_type() -> None:
    connector = load_connector(
        "police-incidents", "sqlite:///x.db", CONNECTORS, {"batch": "50", "table": "cad"}
    )
    assert isinstance(connector, PoliceIncidentConnector)
    assert (connector.batch, connector.table) == (50, "cad")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"colour": "red"}, "takes no option colour; it takes batch, column, table"),
        ({"batch": "many"}, "option batch='many': expected a whole number"),
    ],
)
def test_a_wrong_option_is_refused_by_name(options: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        construct(PoliceIncidentConnector, "sqlite:///x.db", options)


def test_a_module_file_must_hold_one_connector(tmp_path: Path) -> None:
    module = tmp_path / "mine.py"
    module.write_text(
        "from hub.connect import Connector\n"
        "class Mine(Connector):\n"
        "    name = 'mine'\n    stream = 'health.hospital-capacity'\n"
        "    def __init__(self, source): self.source = source\n"
        "    def read(self, position): return ()\n"
        "    def map(self, record): return {}\n"
    )
    (found,) = connector_classes(module)
    assert found.name == "mine"
    assert load_connector(str(module), "here", CONNECTORS).source == "here"  # type: ignore[attr-defined]
    with pytest.raises(ConfigError, match="neither a known connector"):
        load_connector("nosuch", "x", CONNECTORS)
    with pytest.raises(ConfigError, match="--source"):
        load_connector("police-incidents", None, CONNECTORS)
