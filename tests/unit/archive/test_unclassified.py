"""A routine event names no kind of emergency: the archive indexes it with no category,
and a filter by category or code (history pages, the live feed) does not keep it."""

from __future__ import annotations

from typing import Any

import pytest

from hub.archive.history import HistoryFilter
from hub.archive.index import index_event

ENVELOPE: dict[str, Any] = {
    "event_id": "b9ad3a15-f426-5d5b-a8bd-407ab538cf13",
    "source_agency": "meteorology",
    "occurred_at": 1781488800000,
    "published_at": 1781488890000,
    "area": {"district_code": "440311"},
    "sensitivity": "PUBLIC",
}
FLOOD = {"category": "NATURAL_DISASTER", "code": "11B03", "label": "暴雨"}


@pytest.mark.parametrize("envelope", [ENVELOPE, {**ENVELOPE, "classification": None}])
def test_an_event_without_classification_is_indexed_with_no_category(
    envelope: dict[str, Any],
) -> None:
    index = index_event({"envelope": envelope})
    assert (index.category, index.classification_code) == (None, None)
    assert index.district == "440311", "the rest of the envelope is indexed as ever"


@pytest.mark.parametrize(
    ("where", "classified", "unclassified"),
    [
        (HistoryFilter(), True, True),
        (HistoryFilter(categories=("NATURAL_DISASTER",)), True, False),
        (HistoryFilter(codes=("11B03",)), True, False),
        (HistoryFilter(districts=("440311",)), True, True),
    ],
)
def test_a_category_filter_keeps_out_what_names_no_category(
    where: HistoryFilter, classified: bool, unclassified: bool
) -> None:
    assert where.matches(index_event({"envelope": {**ENVELOPE, "classification": FLOOD}})) is (
        classified
    )
    assert where.matches(index_event({"envelope": ENVELOPE})) is unclassified
