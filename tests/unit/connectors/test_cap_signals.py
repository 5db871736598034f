"""CMA warning signals go to Chinese senders' alerts only, never by an English word."""

from __future__ import annotations

import pytest

from connectors.meteorology_cap.mapping import to_warning
from connectors.meteorology_cap.parser import parse_cap
from tests.unit.connectors.cap_samples import made, real

CANADA = real("googlecaplib-ca-ec-update-en-fr.xml").decode()


def canadian(event_en: str, event_fr: str = "gel") -> dict:
    """The real Environment Canada alert, its events renamed."""
    text = CANADA.replace("<event>thunderstorm</event>", f"<event>{event_en}</event>")
    return to_warning(
        parse_cap(text.replace("<event>orages</event>", f"<event>{event_fr}</event>").encode())
    )


def one_info(language: str, event: str, event_code: str = "") -> dict:
    code = (
        f"<eventCode><valueName>CMA</valueName><value>{event_code}</value></eventCode>"
        if event_code
        else ""
    )
    return to_warning(
        parse_cap(
            (
                '<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>x-1</identifier>'
                "<sender>x</sender><sent>2026-01-05T08:00:00+08:00</sent><status>Actual</status>"
                "<msgType>Alert</msgType><scope>Public</scope>"
                f"<info><language>{language}</language><category>Met</category>"
                f"<event>{event}</event><urgency>Future</urgency><severity>Moderate</severity>"
                f"<certainty>Likely</certainty>{code}</info></alert>"
            ).encode()
        )
    )


def test_the_canadian_sample_has_no_cma_signal() -> None:
    warning = to_warning(parse_cap(CANADA.encode()))
    assert warning["signal"] is None
    assert warning["envelope"]["classification"]["code"] is None


@pytest.mark.parametrize(
    "event", ["frost", "Frost Advisory", "Yellow Frost Warning", "gale", "heavy fog", "haze"]
)
def test_a_canadian_alert_named_like_a_cma_kind_gets_no_cma_code(event: str) -> None:
    warning = canadian(event)
    assert warning["signal"] is None
    assert warning["envelope"]["classification"]["code"] is None
    assert warning["envelope"]["severity"] == "IV", "from CAP severity Minor, not a colour"


def test_an_english_alert_from_elsewhere_named_like_a_signal_gets_none() -> None:
    assert one_info("en-US", "Orange Rainstorm Warning")["signal"] is None


@pytest.mark.parametrize(
    ("language", "event"),
    [("zh-HK", "紅色暴雨警告信號"), ("zh-TW", "暴雨特報"), ("ja-JP", "大雨警報")],
    ids=["hong-kong", "taiwan", "japan"],
)
def test_chinese_script_from_outside_the_mainland_system_gets_none(
    language: str, event: str
) -> None:
    assert one_info(language, event)["signal"] is None


def test_a_mainland_info_naming_a_signal_in_chinese_gets_it() -> None:
    warning = one_info("zh-CN", "暴雨橙色预警")
    assert warning["signal"] == {"kind": "rainstorm", "code": "11B03", "color": "ORANGE"}
    assert warning["envelope"]["severity"] == "II"


def test_an_alert_without_a_language_is_recognised_by_its_simplified_chinese_event() -> None:
    minimal = to_warning(parse_cap(made("cap11-gale-minimal.xml")))
    assert minimal["info"][0]["language"] == "en-US", "CAP's default when none is given"
    assert minimal["signal"] == {"kind": "gale", "code": "11B06", "color": "BLUE"}


def test_a_12379_event_code_names_the_kind_and_then_english_gives_the_colour() -> None:
    warning = one_info("en-US", "Blue Frost Warning", event_code="11B16")
    assert warning["signal"] == {"kind": "frost", "code": "11B16", "color": "BLUE"}
    assert warning["envelope"]["classification"]["code"] == "11B16"


def test_the_bilingual_shenzhen_alert_keeps_its_signal() -> None:
    warning = to_warning(parse_cap(made("shenzhen-rainstorm-orange-zh-en.xml")))
    assert warning["signal"] == {"kind": "rainstorm", "code": "11B03", "color": "ORANGE"}
