"""Sealing rows into the chain and the tree: the one place both hashes are made.

The writer seals each batch with it, and the migration that introduced the chain
sealed the rows written before it. I/O-free.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from hub.tlog.canonical import GENESIS
from hub.tlog.merkle import Frontier

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
    head: Head, parts: Iterable[tuple[bytes, bytes]]
) -> tuple[list[Sealed], list[tuple[int, int, str]]]:
    """Give the rows whose :func:`canonical_parts` are ``parts`` the next seqs and their
    hashes, advancing ``head``; return them with the tree nodes completed that are kept."""
    sealed = []
    nodes = []
    frontier, last = head.frontier, head.last_hash
    sha256 = hashlib.sha256
    for before, after in parts:
        seq = frontier.size
        leaf = before + str(seq).encode() + after
        digest = sha256(b"\x00" + leaf).digest()
        last = sha256(leaf + last).digest()
        sealed.append(Sealed(seq, digest.hex(), last.hex()))
        for level, index, node in frontier.append(digest):
            if level >= STORED_LEVEL:
                nodes.append((level, index, node.hex()))
    head.last_hash = last
    return sealed, nodes
