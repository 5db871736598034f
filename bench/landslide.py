"""The one incident every benchmark's events describe (the 2015 Guangming landslide),
so the pipeline and the connector benchmarks encode records of the same shape and size."""

from __future__ import annotations

from typing import Any


def classification() -> dict[str, Any]:
    return {"category": "ACCIDENT_DISASTER", "code": None, "label": "Landslide"}


def area() -> dict[str, Any]:
    return {
        "district_code": "440311",
        "description": "Guangming",
        "point": {"lat": 22.77, "lon": 113.93},
        "polygon": None,
        "circle": None,
    }
