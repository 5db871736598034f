"""The command system's words for kinds and stages of incidents, and the hub's.

Command systems export either the English symbols or the Chinese terms the call takers
pick from (警情类别, 处警状态), so both are accepted; anything else is rejected rather
than guessed, because a wrong stage misleads every agency reading the stream.
"""

from __future__ import annotations

INCIDENT_TYPES = {
    "刑事": "CRIMINAL",
    "治安": "PUBLIC_ORDER",
    "交通": "TRAFFIC",
    "灾害事故": "DISASTER_ACCIDENT",
    "群体性事件": "MASS_INCIDENT",
    "纠纷": "DISPUTE",
    "求助": "ASSISTANCE",
    "其他": "OTHER",
}

STATUSES = {
    "已接警": "RECEIVED",
    "已派警": "DISPATCHED",
    "已到场": "ON_SCENE",
    "已移交": "TRANSFERRED",
    "已结警": "CLOSED",
}

#: GB/T 35561 category of a police incident when the command centre has not linked it to
#: an emergency: traffic and disaster calls are accidents and disasters, the rest are
#: matters of public security (社会安全事件), the police's own domain.
CATEGORY_OF_TYPE = {
    "CRIMINAL": "SOCIAL_SECURITY",
    "PUBLIC_ORDER": "SOCIAL_SECURITY",
    "TRAFFIC": "ACCIDENT_DISASTER",
    "DISASTER_ACCIDENT": "ACCIDENT_DISASTER",
    "MASS_INCIDENT": "SOCIAL_SECURITY",
    "DISPUTE": "SOCIAL_SECURITY",
    "ASSISTANCE": "SOCIAL_SECURITY",
    "OTHER": "SOCIAL_SECURITY",
}

#: Emergency levels, as roman or arabic numerals or the level's Chinese name.
SEVERITIES = {
    "I": "I",
    "II": "II",
    "III": "III",
    "IV": "IV",
    "1": "I",
    "2": "II",
    "3": "III",
    "4": "IV",
    "特别重大": "I",
    "重大": "II",
    "较大": "III",
    "一般": "IV",
}


def symbol(text: str, terms: dict[str, str], symbols: frozenset[str] | set[str]) -> str | None:
    """``text`` as one of ``symbols``: the symbol itself in any case, or its Chinese term."""
    if text in terms:
        return terms[text]
    upper = text.upper()
    return upper if upper in symbols else None
