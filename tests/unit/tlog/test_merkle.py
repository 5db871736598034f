"""The hub's Merkle code against the tests' own reading of RFC 9162 (rfc9162.py)."""

from __future__ import annotations

import pytest

from hub.tlog import merkle
from tests.unit.tlog import rfc9162

LEAVES = [f"row {i}".encode() for i in range(70)]


def ranges_over(leaves: list[bytes]):
    def ranges(start: int, end: int) -> bytes:
        return rfc9162.mth(leaves[start:end])

    return ranges


def test_the_empty_tree_and_single_leaves() -> None:
    assert merkle.root_hash(0, ranges_over([])) == rfc9162.mth([])
    assert merkle.leaf_hash(b"x") == rfc9162.mth([b"x"])


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 31, 64, 70])
def test_roots_proofs_and_the_frontier_agree_with_the_rfc(size: int) -> None:
    leaves = LEAVES[:size]
    ranges = ranges_over(leaves)
    root = rfc9162.mth(leaves)
    frontier = merkle.Frontier()
    completed = []
    for leaf in leaves:
        completed += frontier.append(merkle.leaf_hash(leaf))
    assert frontier.root() == root == merkle.root_hash(size, ranges)
    # Every node the frontier completes is the hash of the aligned range it names.
    for level, index, digest in completed:
        width = 1 << level
        assert digest == rfc9162.mth(leaves[index * width : (index + 1) * width])
    assert merkle.Frontier.of(size, ranges).root() == root
    for m in range(size):
        audit_path = merkle.inclusion_proof(m, size, ranges)
        assert audit_path == rfc9162.path(m, leaves)
        leaf = merkle.leaf_hash(leaves[m])
        assert rfc9162.verify_inclusion(m, size, leaf, audit_path, root)
        assert merkle.root_from_inclusion(m, size, leaf, audit_path) == root
    for old in range(1, size + 1):
        old_root = rfc9162.mth(leaves[:old])
        consistency = merkle.consistency_proof(old, size, ranges)
        assert consistency == (rfc9162.proof(old, leaves) if old < size else [])
        assert rfc9162.verify_consistency(old, size, old_root, root, consistency)
        assert merkle.check_consistency(old, size, old_root, root, consistency)


def test_every_range_a_proof_names_is_made_of_aligned_subtrees() -> None:
    for size in range(1, 70):
        wanted = [r for m in range(size) for r in merkle.inclusion_ranges(m, size)]
        wanted += [r for m in range(1, size) for r in merkle.consistency_ranges(m, size)]
        for start, end in wanted:
            for a, b in merkle.complete_ranges(start, end):
                assert a % (b - a) == 0, (size, start, end, a, b)


def test_altered_proofs_and_roots_are_refused() -> None:
    leaves = LEAVES[:13]
    ranges = ranges_over(leaves)
    root = rfc9162.mth(leaves)
    old_root = rfc9162.mth(leaves[:6])
    consistency = merkle.consistency_proof(6, 13, ranges)
    assert merkle.check_consistency(6, 13, old_root, root, consistency)
    forged = rfc9162.H(b"another history")
    assert not merkle.check_consistency(6, 13, forged, root, consistency)
    assert not merkle.check_consistency(6, 13, old_root, forged, consistency)
    assert not merkle.check_consistency(6, 13, old_root, root, consistency[:-1])
    assert not merkle.check_consistency(6, 13, old_root, root, [*consistency, forged])
    assert not merkle.check_consistency(6, 13, old_root, root, [forged, *consistency[1:]])
    audit_path = merkle.inclusion_proof(4, 13, ranges)
    leaf = merkle.leaf_hash(leaves[4])
    assert merkle.root_from_inclusion(4, 13, merkle.leaf_hash(b"forged"), audit_path) != root
    with pytest.raises(ValueError, match="too short"):
        merkle.root_from_inclusion(4, 13, leaf, audit_path[:-1])
    with pytest.raises(ValueError, match="too long"):
        merkle.root_from_inclusion(4, 13, leaf, [*audit_path, forged])
    with pytest.raises(ValueError, match="not in a tree of 13"):
        merkle.inclusion_ranges(13, 13)
    with pytest.raises(ValueError, match="no consistency proof from 14 to 13"):
        merkle.consistency_ranges(14, 13)
