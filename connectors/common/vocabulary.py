"""The national classifications the hub's schemas use, as their symbols: what every
connector checks a department's own words against once it has translated them."""

from __future__ import annotations

#: GB/T 35561 categories of emergency (突发事件分类).
CATEGORIES = frozenset(
    {"NATURAL_DISASTER", "ACCIDENT_DISASTER", "PUBLIC_HEALTH", "SOCIAL_SECURITY"}
)
