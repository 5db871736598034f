"""The reported case: an 881 kB national warning with a 41,009-point outline made a
1.5 MB event that Kafka refused. A constructed alert of the same size and point count
(made here, not a real alert) now makes an event of its CAP text and a 1,000-point
envelope outline: about 0.90 MB of Avro, under the SDK's 1,000,000-byte limit."""

from __future__ import annotations

import io
import math
import random
from pathlib import Path

import fastavro
import orjson
import pytest

from connectors.meteorology_cap import CapWarningConnector
from connectors.meteorology_cap.areas import MAX_ENVELOPE_POINTS, parse_polygon
from hub.connect import SourceRecord, mapped_events
from hub.connect.assemble import DEFAULT_MAX_MESSAGE_BYTES
from hub.connect.geometry import bounding_box
from hub.connect.offline import offline_target
from hub.connect.testing import run_in_memory
from hub.serde.avro import AvroSerializer

POINTS = 41_009


def national_outline(points: int = POINTS) -> str:
    """A closed, country-sized, wiggly outline: ``points`` pairs of about 21.5 bytes,
    as in the reported alert."""
    rng = random.Random(2026)
    pairs = []
    for k in range(points - 1):
        t = 2 * math.pi * k / (points - 1)
        r = 1 + 0.15 * math.sin(7 * t) + 0.05 * math.sin(31 * t) + 0.004 * rng.random()
        pairs.append(f"{35 + 15 * r * math.sin(t):.7f},{104 + 28 * r * math.cos(t):.6f}")
    return " ".join([*pairs, pairs[0]])


@pytest.fixture(scope="module")
def outline() -> str:
    return national_outline()


@pytest.fixture(scope="module")
def national_alert(outline: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>CONSTRUCTED-national-cold-wave-0001</identifier>
  <sender>constructed@linkage.test</sender>
  <sent>2026-01-20T10:00:00+08:00</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <note>Constructed for Linkage's tests: not a real alert.</note>
  <info>
    <language>zh-CN</language>
    <category>Met</category>
    <event>寒潮蓝色预警</event>
    <urgency>Expected</urgency>
    <severity>Minor</severity>
    <certainty>Likely</certainty>
    <effective>2026-01-20T10:00:00+08:00</effective>
    <expires>2026-01-22T10:00:00+08:00</expires>
    <headline>寒潮蓝色预警（构造的测试数据）</headline>
    <area>
      <areaDesc>全国大部</areaDesc>
      <polygon>{outline}</polygon>
    </area>
  </info>
</alert>
""".encode()


def avro_bytes(event: dict) -> int:
    _, schema = offline_target("meteorology.warning")
    return len(AvroSerializer(schema)(event))


def test_the_constructed_alert_is_the_size_of_the_reported_one(
    national_alert: bytes, outline: str
) -> None:
    assert len(parse_polygon(outline)) == POINTS
    assert 870_000 < len(national_alert) < 900_000, "the reported one was 881 kB"


def test_the_envelope_outline_is_simplified_and_the_cap_text_kept_whole(
    national_alert: bytes, outline: str
) -> None:
    (event,) = mapped_events(CapWarningConnector("."), [SourceRecord("n.xml", national_alert)])
    assert event["info"][0]["areas"][0]["polygons"] == [outline], "the record of what was issued"
    polygon = [(p["lat"], p["lon"]) for p in event["envelope"]["area"]["polygon"]]
    assert 4 <= len(polygon) <= MAX_ENVELOPE_POINTS
    assert polygon[0] == polygon[-1]
    assert bounding_box(polygon) == bounding_box(parse_polygon(outline))


def test_the_event_is_under_the_message_limit_as_avro_and_as_json(
    national_alert: bytes, outline: str
) -> None:
    (event,) = mapped_events(CapWarningConnector("."), [SourceRecord("n.xml", national_alert)])
    avro, json = avro_bytes(event), len(orjson.dumps(event, option=orjson.OPT_UTC_Z))
    assert avro < DEFAULT_MAX_MESSAGE_BYTES
    assert json < DEFAULT_MAX_MESSAGE_BYTES
    # The event is the CAP text it keeps, the envelope's outline (16 bytes a point in
    # Avro) and little else: the outline is no longer stored twice in full.
    assert avro - len(outline) < MAX_ENVELOPE_POINTS * 16 + 4_000
    # What the envelope's copy of the full outline would cost: the event of the report.
    full = [{"lat": lat, "lon": lon} for lat, lon in parse_polygon(outline)]
    unsimplified = {
        **event,
        "envelope": {**event["envelope"], "area": {**event["envelope"]["area"], "polygon": full}},
    }
    assert avro_bytes(unsimplified) > 1.4 * 1024 * 1024 > DEFAULT_MAX_MESSAGE_BYTES


def test_the_alert_goes_through_the_sdk_to_the_bus(national_alert: bytes, tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    (source / "national.xml").write_bytes(national_alert)
    run = run_in_memory(CapWarningConnector(source), tmp_path)
    assert (run.report.published, run.dead_letters) == (1, [])
    (event,) = run.events
    assert len(event["envelope"]["area"]["polygon"]) <= MAX_ENVELOPE_POINTS


def test_the_avro_body_decodes_back_to_the_same_outline(national_alert: bytes) -> None:
    (event,) = mapped_events(CapWarningConnector("."), [SourceRecord("n.xml", national_alert)])
    _, schema = offline_target("meteorology.warning")
    framed = AvroSerializer(schema)(event)
    decoded = fastavro.schemaless_reader(io.BytesIO(framed[5:]), schema.parsed, None)
    assert isinstance(decoded, dict)
    assert decoded["info"][0]["areas"][0]["polygons"] == event["info"][0]["areas"][0]["polygons"]
