from __future__ import annotations

from pathlib import Path

import pytest

from connectors.meteorology_cap.areas import parse_circle, parse_polygon
from connectors.meteorology_cap.mapping import to_warning
from connectors.meteorology_cap.parser import CapError, parse_cap
from connectors.meteorology_cap.render import to_cap
from connectors.meteorology_cap.vocabulary import NAMESPACE_BY_VERSION
from hub.catalog.files import SchemaCatalog
from hub.config import PROJECT_ROOT
from hub.serde.validate import compile_validator
from tests.unit.connectors.cap_samples import MADE, REAL, made, real

REAL_ALERTS = sorted(REAL.glob("*.xml"))
validate = compile_validator(
    SchemaCatalog.load(PROJECT_ROOT / "schemas").resolve("linkage.meteorology.Warning")
)


def _complete(event: dict) -> dict:
    """What the SDK adds before validation."""
    envelope = {
        **event["envelope"],
        "source_agency": "meteorology",
        "published_at": event["envelope"]["occurred_at"],
    }
    envelope.setdefault("event_id", "00000000-0000-0000-0000-000000000000")
    return {**event, "envelope": envelope}


@pytest.mark.parametrize("path", REAL_ALERTS, ids=lambda p: p.name)
def test_every_real_sample_maps_to_a_valid_warning(path: Path) -> None:
    validate(_complete(to_warning(parse_cap(path.read_bytes()))))


def test_the_oasis_thunderstorm_keeps_every_cap_field() -> None:
    alert = parse_cap(real("oasis-example2-severe-thunderstorm.xml"))
    assert alert["identifier"] == "KSTO1055887203"
    assert alert["sent"] == "2003-06-17T14:57:00-07:00"
    info = alert["info"][0]
    assert info["response_types"] == ["Shelter"]
    assert info["event_codes"] == [{"name": "SAME", "value": "SVR"}]
    assert [g["value"] for g in info["areas"][0]["geocodes"]] == ["006109", "006009", "006003"]
    warning = to_warning(alert)
    assert warning["envelope"]["severity"] == "II"
    assert warning["envelope"]["occurred_at"].isoformat() == "2003-06-17T14:57:00-07:00"
    assert warning["envelope"]["area"]["polygon"][0] == {"lat": 38.47, "lon": -120.14}


def test_iso_8859_1_alerts_decode_and_keep_their_circle() -> None:
    alert = parse_cap(real("googlecaplib-usgs-earthquake-iso8859-1.xml"))
    assert alert["info"][0]["language"] == "en-US"
    assert to_warning(alert)["envelope"]["area"]["circle"] is not None


def test_a_chinese_signal_is_recognised_with_its_code_colour_and_district() -> None:
    warning = to_warning(parse_cap(made("shenzhen-rainstorm-orange-zh-en.xml")))
    assert warning["signal"] == {"kind": "rainstorm", "code": "11B03", "color": "ORANGE"}
    assert warning["envelope"]["severity"] == "II"
    assert warning["envelope"]["area"]["district_code"] == "440311"
    assert warning["envelope"]["classification"] == {
        "category": "NATURAL_DISASTER",
        "code": "11B03",
        "label": "暴雨橙色预警",
    }
    validate(_complete(warning))


def test_a_cancel_keeps_its_references_and_cap11_is_read() -> None:
    cancel = to_warning(parse_cap(made("shenzhen-rainstorm-cancel.xml")))
    assert cancel["msg_type"] == "Cancel"
    assert len(cancel["references"]) == 1
    minimal = to_warning(parse_cap(made("cap11-gale-minimal.xml")))
    assert minimal["status"] == "Exercise"
    assert minimal["signal"] == {"kind": "gale", "code": "11B06", "color": "BLUE"}
    assert minimal["envelope"]["area"] is None
    validate(_complete(minimal))


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        (made("broken.xml"), "not well-formed XML"),
        (b"<html/>", "not a CAP 1.2 or 1.1 <alert>"),
        (
            b'<!DOCTYPE x [<!ENTITY a "aaaa">]><alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">&a;</alert>',
            "a DOCTYPE is not allowed",
        ),
        (
            b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>x</identifier></alert>',
            "sender: required element is missing",
        ),
    ],
    ids=["broken", "not-cap", "entity-expansion", "missing-sender"],
)
def test_bad_documents_are_refused_with_the_reason(xml: bytes, message: str) -> None:
    with pytest.raises(CapError, match=message):
        parse_cap(xml)


def test_bad_values_name_the_element() -> None:
    text = (MADE / "cap11-gale-minimal.xml").read_text()
    with pytest.raises(CapError, match=r"^info\[1\]/severity: 'Huge' is not one of"):
        parse_cap(text.replace("<severity>Minor", "<severity>Huge").encode())
    with pytest.raises(CapError, match="^sent: '2026-01-05T00:00:00Z' is not a CAP date-time"):
        parse_cap(text.replace("2026-01-05T08:00:00+08:00", "2026-01-05T00:00:00Z").encode())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1,2 3,4 1,2", "has 3 points; a polygon needs 4 or more"),
        ("1,2 3,4 5,6 7,8", "not closed: it starts at 1,2 and ends at 7,8"),
        ("91,0 1,1 2,2 91,0", "latitude 91 is out of range"),
    ],
)
def test_bad_polygons_are_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_polygon(text)


def test_circles_are_centre_and_radius_in_km() -> None:
    assert parse_circle("32.9525,-115.5527 0") == ((32.9525, -115.5527), 0.0)
    with pytest.raises(ValueError, match="radius 'far' is not a decimal number"):
        parse_circle("1,2 far")


GOOD = sorted(p for p in [*REAL_ALERTS, *MADE.glob("*.xml")] if p.name != "broken.xml")


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_a_warning_renders_back_to_cap_that_parses_the_same(path: Path) -> None:
    alert = parse_cap(path.read_bytes())
    rendered = to_cap(to_warning(alert))
    assert rendered.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    assert NAMESPACE_BY_VERSION[alert["cap_version"]].encode() in rendered
    assert parse_cap(rendered) == alert
