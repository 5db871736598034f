"""The words a duty-office system may use for the schemas' enums: the symbol itself
(any case), or the Chinese term the office writes (the schemas' docs give them).

The duty office's software speaks Chinese in its own forms; taking its words here saves
each sender a translation table of its own that could drift from the schema.
"""

from __future__ import annotations

from collections.abc import Mapping

from connectors.common.vocabulary import CATEGORIES as CATEGORY_SYMBOLS


def spellings(
    names: Mapping[str, tuple[str, ...]], *, symbols: frozenset[str] | None = None
) -> dict[str, str]:
    """Each symbol and each of its other names, to the symbol."""
    if symbols is not None and set(names) != symbols:
        raise ValueError(f"the names are for {sorted(names)}, not {sorted(symbols)}")
    table = {symbol: symbol for symbol in names}
    for symbol, others in names.items():
        table.update(dict.fromkeys(others, symbol))
    return table


#: GB/T 35561-2017 top-level categories (linkage.common.EventCategory).
CATEGORIES = spellings(
    {
        "NATURAL_DISASTER": ("自然灾害",),
        "ACCIDENT_DISASTER": ("事故灾难",),
        "PUBLIC_HEALTH": ("公共卫生事件", "公共卫生"),
        "SOCIAL_SECURITY": ("社会安全事件", "社会安全"),
    },
    symbols=CATEGORY_SYMBOLS,
)

#: Severity levels (linkage.common.SeverityLevel); Ⅰ-Ⅳ are the Unicode numerals that
#: Chinese documents use for 级.
SEVERITIES = spellings(
    {
        "I": ("Ⅰ", "Ⅰ级", "特别重大"),
        "II": ("Ⅱ", "Ⅱ级", "重大"),
        "III": ("Ⅲ", "Ⅲ级", "较大"),
        "IV": ("Ⅳ", "Ⅳ级", "一般"),
    }
)

#: Stages of an incident (linkage.emergency.IncidentStatus).
STATUSES = spellings(
    {
        "REPORTED": ("已接报",),
        "VERIFIED": ("已核实",),
        "RESPONDING": ("处置中",),
        "CONTAINED": ("已控制",),
        "CLOSED": ("已结束",),
    }
)

#: How urgent a task is (linkage.emergency.TaskPriority).
PRIORITIES = spellings(
    {"URGENT": ("特急",), "HIGH": ("紧急",), "NORMAL": ("一般",), "LOW": ("较低",)}
)
