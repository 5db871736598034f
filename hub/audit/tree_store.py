"""Hashes of leaf ranges, from the kept tree nodes and the rows' leaf hashes.

A proof names a few dozen ranges; they are resolved in two queries, one for the kept
nodes (level 4 and up) and one for the leaf hashes under the lower subtrees.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from sqlalchemy import Connection, Table, and_, or_, select

from hub.store.models import AuditRow, AuditTreeNode
from hub.tlog.merkle import complete_ranges, fold, node_hash
from hub.tlog.sealing import STORED_LEVEL

_NODES = cast(Table, AuditTreeNode.__table__)
_LOG = cast(Table, AuditRow.__table__)


class TreeIncomplete(LookupError):
    """A node or a leaf the tree should hold is missing: the log was cut or altered."""


def _perfect(hashes: list[bytes]) -> bytes:
    level = hashes
    while len(level) > 1:
        level = [node_hash(level[i], level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


def range_hashes(
    connection: Connection, wanted: Iterable[tuple[int, int]]
) -> dict[tuple[int, int], bytes]:
    """The hash of each leaf range ``[start, end)`` in ``wanted``."""
    wanted = list(dict.fromkeys(wanted))
    parts = {r: complete_ranges(*r) for r in wanted}
    nodes: set[tuple[int, int]] = set()
    leaves: list[tuple[int, int]] = []
    for start, end in {p for ps in parts.values() for p in ps}:
        level = (end - start).bit_length() - 1
        if level >= STORED_LEVEL and start % (end - start) == 0:
            nodes.add((level, start >> level))
        else:
            leaves.append((start, end))
    found_nodes = _nodes(connection, nodes)
    found_leaves = _leaves(connection, leaves)
    result = {}
    for requested, pieces in parts.items():
        hashes = []
        for start, end in pieces:
            level = (end - start).bit_length() - 1
            key = (level, start >> level)
            if key in nodes:
                if key not in found_nodes:
                    raise TreeIncomplete(f"tree node {key} is missing")
                hashes.append(found_nodes[key])
            else:
                try:
                    hashes.append(_perfect([found_leaves[seq] for seq in range(start, end)]))
                except KeyError as exc:
                    raise TreeIncomplete(f"row seq {exc.args[0]} is missing") from None
        result[requested] = fold(hashes)
    return result


def _nodes(connection: Connection, keys: set[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    if not keys:
        return {}
    by_level: dict[int, list[int]] = {}
    for level, index in keys:
        by_level.setdefault(level, []).append(index)
    condition = or_(
        *(
            and_(_NODES.c.level == level, _NODES.c.idx.in_(indexes))
            for level, indexes in by_level.items()
        )
    )
    rows = connection.execute(select(_NODES.c.level, _NODES.c.idx, _NODES.c.hash).where(condition))
    return {(level, index): bytes.fromhex(digest) for level, index, digest in rows}


def _leaves(connection: Connection, ranges: list[tuple[int, int]]) -> dict[int, bytes]:
    if not ranges:
        return {}
    condition = or_(*(and_(_LOG.c.seq >= a, _LOG.c.seq < b) for a, b in ranges))
    rows = connection.execute(select(_LOG.c.seq, _LOG.c.leaf_hash).where(condition))
    return {seq: bytes.fromhex(digest) for seq, digest in rows}
