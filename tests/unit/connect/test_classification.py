"""Where events enter through the connector SDK: an incident-linked stream's events and
every event naming an incident must say what kind of emergency they are about; a
routine stream's events need not."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hub.connect import Connector, RecordRejected, SourceRecord, StreamTarget, mapped_events
from hub.connect.envelope import require_classification
from hub.policy.loader import load_streams

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "tests" / "data" / "events"
CATALOGUE = {s.id: s for s in load_streams(ROOT / "policies" / "streams.yaml")}


def example(stream: str, **envelope: Any) -> dict[str, Any]:
    """The stream's first example event as a mapping would return it: the SDK's own
    envelope fields left out, ``envelope`` applied over the rest."""
    event: dict[str, Any] = copy.deepcopy(json.loads((EXAMPLES / f"{stream}.json").read_text())[0])
    for field in ("event_id", "source_agency", "published_at", "sensitivity"):
        event["envelope"].pop(field, None)
    event["envelope"].update(envelope)
    return event


def connector_for(stream_id: str, *events: dict[str, Any]) -> Connector:
    class Given(Connector):
        name = "given"
        stream = stream_id

        def read(self, position: object) -> Iterator[SourceRecord]:
            for i, event in enumerate(events):
                yield SourceRecord(f"given:{i}", event)

        def map(self, record: SourceRecord) -> dict[str, Any]:
            return dict(record.raw)

    return Given()


def test_an_incident_linked_stream_refuses_an_event_without_classification() -> None:
    for leave_out in (lambda e: e.pop("classification"), lambda e: e.update(classification=None)):
        event = example("emergency.incident-report")
        leave_out(event["envelope"])
        with pytest.raises(RecordRejected) as refused:
            mapped_events(connector_for("emergency.incident-report", event))
        assert refused.value.path == "envelope.classification"
        assert (
            "required for stream emergency.incident-report, which is incident-linked"
            in refused.value.reason
        )


def test_a_routine_stream_takes_an_event_without_classification() -> None:
    bare = example("meteorology.observation", classification=None)
    left_out = example("meteorology.observation")
    del left_out["envelope"]["classification"]
    classified = example("meteorology.observation", classification={"category": "NATURAL_DISASTER"})
    events = mapped_events(connector_for("meteorology.observation", bare, left_out, classified))
    assert [e["envelope"].get("classification") for e in events] == [
        None,
        None,
        {"category": "NATURAL_DISASTER"},
    ], "optional is not forbidden"


def test_an_event_naming_an_incident_needs_a_classification_on_a_routine_stream() -> None:
    event = example("health.hospital-capacity", classification=None)
    assert event["envelope"]["incident_id"] == "INC-2026-GM-0615-01"
    with pytest.raises(RecordRejected) as refused:
        mapped_events(connector_for("health.hospital-capacity", event))
    assert refused.value.path == "envelope.classification"
    assert "names incident 'INC-2026-GM-0615-01'" in refused.value.reason
    assert "says what kind of emergency it is" in refused.value.reason


def test_a_target_takes_the_rule_from_the_catalogue_and_requires_by_default() -> None:
    assert StreamTarget.of(CATALOGUE["meteorology.observation"]).classification_required is False
    assert StreamTarget.of(CATALOGUE["meteorology.warning"]).classification_required is True
    made = StreamTarget(id="x.y", owner="x", topic="x.y.v1")
    assert made.classification_required is True, "a target made by hand requires one"
    with pytest.raises(RecordRejected):
        require_classification(made, {"classification": None})
    require_classification(made, {"classification": {"category": "PUBLIC_HEALTH"}})


@pytest.mark.parametrize("stream", sorted(CATALOGUE), ids=str)
def test_every_example_event_obeys_its_stream_rule(stream: str) -> None:
    target = StreamTarget.of(CATALOGUE[stream])
    for event in json.loads((EXAMPLES / f"{stream}.json").read_text()):
        require_classification(target, event["envelope"])
