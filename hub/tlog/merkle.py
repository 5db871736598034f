"""The RFC 9162 Merkle tree over the audit rows: hashes, proofs, and their checks.

I/O-free. The audit rows are the tree's leaves in seq order (row ``seq`` is leaf
``seq``). Proofs are built from a function that gives the hash of a leaf range,
so the store decides how ranges are found (kept nodes, or leaf hashes).

Proof construction follows RFC 9162 section 2.1.3.1 (PATH) and 2.1.4.1 (SUBPROOF);
the checks walk the same recursion from the top, consuming the proof from its end.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

#: The hash of leaves ``[start, end)``.
RangeHash = Callable[[int, int], bytes]


def leaf_hash(leaf: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(size: int) -> int:
    """The largest power of two smaller than ``size`` (``size`` > 1): where RFC 9162
    splits a tree into its left and right subtrees."""
    return 1 << ((size - 1).bit_length() - 1)


def complete_ranges(start: int, end: int) -> list[tuple[int, int]]:
    """``[start, end)`` as the perfect subtrees RFC 9162 hashes it from, largest first.

    The hash of the range is their hashes folded from the right. In every range a proof
    names, each of them is also aligned (its start a multiple of its width), so it is a
    node of the whole tree.
    """
    ranges = []
    while start < end:
        width = 1 << ((end - start).bit_length() - 1)
        ranges.append((start, start + width))
        start += width
    return ranges


def fold(hashes: Sequence[bytes]) -> bytes:
    """The hash of a range from the hashes of :func:`complete_ranges`' subtrees."""
    root = hashes[-1]
    for left in reversed(hashes[:-1]):
        root = node_hash(left, root)
    return root


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The leaf ranges whose hashes make the audit path of leaf ``index`` in a tree of
    ``size`` leaves, bottom first (RFC 9162 PATH)."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size}")
    path: list[tuple[int, int]] = []
    start, end = 0, size
    while end - start > 1:
        k = split_point(end - start)
        if index - start < k:
            path.append((start + k, end))
            end = start + k
        else:
            path.append((start, start + k))
            start += k
    path.reverse()
    return path


def consistency_ranges(old: int, new: int) -> list[tuple[int, int]]:
    """The leaf ranges whose hashes prove the tree of ``old`` leaves is a prefix of the tree
    of ``new`` leaves, bottom first (RFC 9162 SUBPROOF); empty when ``old`` is 0 or
    ``old == new``."""
    if not 0 <= old <= new:
        raise ValueError(f"no consistency proof from {old} to {new}")
    if old in (0, new):
        return []
    proof: list[tuple[int, int]] = []
    start, end, whole = 0, new, True
    m = old
    while True:
        size = end - start
        if m == size:
            if not whole:
                proof.append((start, end))
            break
        k = split_point(size)
        if m <= k:
            proof.append((start + k, end))
            end = start + k
        else:
            proof.append((start, start + k))
            m -= k
            start += k
            whole = False
    proof.reverse()
    return proof


def root_hash(size: int, ranges: RangeHash) -> bytes:
    return EMPTY_ROOT if size == 0 else ranges(0, size)


def inclusion_proof(index: int, size: int, ranges: RangeHash) -> list[bytes]:
    return [ranges(a, b) for a, b in inclusion_ranges(index, size)]


def consistency_proof(old: int, new: int, ranges: RangeHash) -> list[bytes]:
    return [ranges(a, b) for a, b in consistency_ranges(old, new)]


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """The root that ``proof`` and the leaf hash ``leaf`` imply; compare it with a signed
    root. Raises ValueError if the proof has the wrong length."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size}")
    pending = list(proof)

    def walk(m: int, n: int) -> bytes:
        if n == 1:
            return leaf
        k = split_point(n)
        if not pending:
            raise ValueError("the inclusion proof is too short")
        sibling = pending.pop()
        if m < k:
            return node_hash(walk(m, k), sibling)
        return node_hash(sibling, walk(m - k, n - k))

    root = walk(index, size)
    if pending:
        raise ValueError("the inclusion proof is too long")
    return root


def check_consistency(
    old: int, new: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """True when ``proof`` shows the tree of ``old`` leaves with ``old_root`` is a prefix
    of the tree of ``new`` leaves with ``new_root``."""
    if not 0 <= old <= new:
        return False
    if old == 0:
        return not proof
    if old == new:
        return not proof and old_root == new_root
    pending = list(proof)

    def walk(m: int, n: int, whole: bool) -> tuple[bytes, bytes]:
        if m == n:
            if whole:
                return old_root, old_root
            if not pending:
                raise ValueError("short")
            known = pending.pop()
            return known, known
        k = split_point(n)
        if not pending:
            raise ValueError("short")
        sibling = pending.pop()
        if m <= k:
            before, after = walk(m, k, whole)
            return before, node_hash(after, sibling)
        before, after = walk(m - k, n - k, False)
        return node_hash(sibling, before), node_hash(sibling, after)

    try:
        before, after = walk(old, new, True)
    except ValueError:
        return False
    return not pending and before == old_root and after == new_root


@dataclass
class Frontier:
    """The right edge of a growing tree: one hash per complete subtree, largest first.

    Appending a leaf merges equal subtrees; each merge completes a node the store may
    keep. The root of the current tree folds the edge from the right.
    """

    size: int = 0
    #: (level, hash) of each complete subtree along the right edge, left to right.
    edge: list[tuple[int, bytes]] = field(default_factory=list)

    def append(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        """Add leaf hash ``leaf``; return the nodes it completed as (level, index, hash)."""
        edge = self.edge
        self.size = size = self.size + 1
        level, node = 0, leaf
        completed = []
        while edge and edge[-1][0] == level:
            node = hashlib.sha256(b"\x01" + edge.pop()[1] + node).digest()
            level += 1
            completed.append((level, (size >> level) - 1, node))
        edge.append((level, node))
        return completed

    def root(self) -> bytes:
        return fold([h for _, h in self.edge]) if self.edge else EMPTY_ROOT

    @classmethod
    def of(cls, size: int, ranges: RangeHash) -> Frontier:
        """The edge of a tree of ``size`` leaves, from the hashes of its complete subtrees."""
        edge = []
        for start, end in complete_ranges(0, size):
            edge.append(((end - start).bit_length() - 1, ranges(start, end)))
        return cls(size, edge)
