"""CMA warning signals (气象灾害预警信号): recognised only in alerts from Chinese senders.

The kinds and their national early-warning feed codes (11Bxx) are those published by
the national early-warning release centre (12379); provinces add kinds of their own,
so an unknown kind is kept as text rather than refused.

A signal is a Chinese institution: a Canadian frost advisory is not the CMA frost
signal, however its event is worded. So an alert gets a signal only when it shows it
comes from the Chinese warning system, in one of two ways:

- an ``<eventCode>`` whose value is a 12379 feed code (``11B03``): the code names the
  kind, whatever the list's ``valueName``;
- an ``<info>`` in mainland Chinese (language ``zh``, ``zh-CN`` or ``zh-Hans``, or an
  event written with the simplified 预警, as feeds that leave out ``<language>`` do)
  whose event names a signal kind in Chinese (``暴雨橙色预警``).

English words never assign a kind or code. Once an alert is recognised, its colour is
read from the Chinese colour names in its events, else from English colour words in
them (its en-US info, "Orange Rainstorm Warning").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

# (Chinese name, English kind, feed code)
KINDS: tuple[tuple[str, str, str], ...] = (
    ("道路结冰", "road-icing", "11B21"),
    ("沙尘暴", "sandstorm", "11B07"),
    ("台风", "typhoon", "11B01"),
    ("暴雨", "rainstorm", "11B03"),
    ("暴雪", "snowstorm", "11B04"),
    ("寒潮", "cold-wave", "11B05"),
    ("大风", "gale", "11B06"),
    ("高温", "high-temperature", "11B09"),
    ("干旱", "drought", "11B22"),
    ("雷电", "lightning", "11B14"),
    ("冰雹", "hail", "11B15"),
    ("霜冻", "frost", "11B16"),
    ("大雾", "heavy-fog", "11B17"),
    ("霾", "haze", "11B19"),
)
COLORS: tuple[tuple[str, str, str], ...] = (
    ("红色", "red", "RED"),
    ("橙色", "orange", "ORANGE"),
    ("黄色", "yellow", "YELLOW"),
    ("蓝色", "blue", "BLUE"),
)
# Warning level by colour, red the highest (I) as in the national master plan.
LEVEL_BY_COLOR = {"RED": "I", "ORANGE": "II", "YELLOW": "III", "BLUE": "IV"}
LEVEL_BY_CAP_SEVERITY = {"Extreme": "I", "Severe": "II", "Moderate": "III", "Minor": "IV"}

KIND_BY_CODE = {code: kind for _, kind, code in KINDS}
MAINLAND_LANGUAGE = re.compile(r"zh(-CN|-Hans(-CN)?)?", re.IGNORECASE)
# Simplified characters: Hong Kong, Macao and Taiwan write 預警 (or 警告).
SIMPLIFIED_WARNING = "预警"


def find_signal(infos: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """The alert's signal (kind, code, colour) by the rule above, or ``None``."""
    found = _by_code(infos) or _by_chinese_name(infos)
    if found is None:
        return None
    kind, code = found
    return {"kind": kind, "code": code, "color": _color([i["event"] for i in infos])}


def _by_code(infos: Sequence[dict[str, Any]]) -> tuple[str, str] | None:
    for info in infos:
        for pair in info["event_codes"]:
            code = pair["value"].strip().upper()
            if code in KIND_BY_CODE:
                return KIND_BY_CODE[code], code
    return None


def _by_chinese_name(infos: Sequence[dict[str, Any]]) -> tuple[str, str] | None:
    for info in infos:
        if not _mainland(info):
            continue
        for zh, kind, code in KINDS:
            if zh in info["event"]:
                return kind, code
    return None


def _mainland(info: dict[str, Any]) -> bool:
    return bool(MAINLAND_LANGUAGE.fullmatch(info["language"])) or (
        SIMPLIFIED_WARNING in info["event"]
    )


def _color(events: list[str]) -> str | None:
    for zh, _, symbol in COLORS:
        if any(zh in event for event in events):
            return symbol
    for _, en, symbol in COLORS:
        if any(re.search(rf"\b{en}\b", event, re.IGNORECASE) for event in events):
            return symbol
    return None
