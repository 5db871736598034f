"""Sealing rows into the chain and the tree: the one place both hashes are made.

The writer seals each batch with it, and the migration that introduced the chain
sealed the rows written before it. I/O-free.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hub.tlog.canonical import GENESIS, canonical, chain_hash
from hub.tlog.merkle import Frontier, leaf_hash

#: The lowest tree level kept as nodes; lower ones are hashed from leaves on demand.
STORED_LEVEL = 4


@dataclass
class Head:
    """Where the chain and the tree stand: the next seq, the last hash, the right edge."""

    frontier: Frontier = field(default_factory=Frontier)
    last_hash: bytes = GENESIS

    @property
    def size(self) -> int:
        return self.frontier.size


@dataclass(frozen=True, slots=True)
class Sealed:
    seq: int
    leaf_hash: str
    chain_hash: str


def seal(
    head: Head, rows: Iterable[Mapping[str, Any]]
) -> tuple[list[Sealed], list[tuple[int, int, str]]]:
    """Give ``rows`` (each without its seq) the next seqs and their hashes, advancing
    ``head``; return them with the tree nodes they completed that are kept."""
    sealed = []
    nodes = []
    for row in rows:
        seq = head.size
        leaf = canonical({**row, "seq": seq})
        digest = leaf_hash(leaf)
        head.last_hash = chain_hash(leaf, head.last_hash)
        sealed.append(Sealed(seq, digest.hex(), head.last_hash.hex()))
        for level, index, node in head.frontier.append(digest):
            if level >= STORED_LEVEL:
                nodes.append((level, index, node.hex()))
    return sealed, nodes
