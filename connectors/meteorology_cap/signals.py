"""CMA warning signals (气象灾害预警信号): recognise kind and colour in a CAP event name.

The kinds and their national early-warning feed codes (11Bxx) are those published by
the national early-warning release centre (12379); provinces add kinds of their own,
so an unknown kind is kept as text rather than refused.
"""

from __future__ import annotations

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


def find_signal(event: str) -> dict[str, Any] | None:
    """``暴雨橙色预警`` or ``Orange Rainstorm Warning`` -> kind, code and colour."""
    lowered = event.lower()
    color = next((symbol for zh, en, symbol in COLORS if zh in event or en in lowered), None)
    for zh, kind, code in KINDS:
        if zh in event or kind.replace("-", " ") in lowered:
            return {"kind": kind, "code": code, "color": color}
    return None
