"""RFC 9162 Merkle tree against the transparency-dev/merkle (RFC 6962) vectors and properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.audit.merkle import (
    EMPTY_ROOT,
    CompactRange,
    MemoryTree,
    ProofError,
    leaf_hash,
    node_hash,
    root_from_inclusion,
    verify_consistency,
    verify_inclusion,
)

# github.com/transparency-dev/merkle proof/verify_test.go (the RFC 6962 reference vectors).
LEAVES = [bytes.fromhex(h) for h in (
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f")]
ROOTS = [bytes.fromhex(h) for h in (
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")]
H = bytes.fromhex
# (leaf index 0-based, tree size, path)
INCLUSION = [
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    (0, 1, []),
]
CONSISTENCY = [
    (1, 1, []),
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    (6, 7, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
]
SOME = H("abacaba000000000000000000000000000000000000000000060061e00123456")


def test_empty_tree_root_is_sha256_of_nothing():
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert MemoryTree().root() == EMPTY_ROOT
    assert CompactRange().root() == EMPTY_ROOT


@pytest.mark.parametrize("size", range(1, 9))
def test_roots_match_the_reference(size):
    tree = MemoryTree(LEAVES)
    assert tree.root(size) == ROOTS[size - 1]
    assert MemoryTree(LEAVES[:size]).root() == ROOTS[size - 1]


@pytest.mark.parametrize(("index", "size", "path"), INCLUSION)
def test_inclusion_proofs_match_the_reference(index, size, path):
    tree = MemoryTree(LEAVES)
    assert [p.hex() for p in tree.inclusion(index, size)] == path
    verify_inclusion(index, size, leaf_hash(LEAVES[index]), [H(p) for p in path], ROOTS[size - 1])


@pytest.mark.parametrize(("first", "second", "path"), CONSISTENCY)
def test_consistency_proofs_match_the_reference(first, second, path):
    tree = MemoryTree(LEAVES)
    assert [p.hex() for p in tree.consistency(first, second)] == path
    verify_consistency(first, second, ROOTS[first - 1], ROOTS[second - 1], [H(p) for p in path])


def _inclusion_probes(index, size, path, root, leaf):
    """Corruptions of a good inclusion proof, as transparency-dev's corruptInclusionProof builds them."""
    probes = [(index - 1, size, root, leaf, path), (index + 1, size, root, leaf, path),
              (index ^ 2, size, root, leaf, path), (index, size * 2, root, leaf, path),
              (index, size // 2, root, leaf, path), (index, size, root, b"WrongLeaf", path),
              (index, size, EMPTY_ROOT, leaf, path), (index, size, SOME, leaf, path),
              (index, size, root, leaf, [*path, b""]), (index, size, root, leaf, [*path, root]),
              (index, size, root, leaf, [b"", *path]), (index, size, root, leaf, [root, *path])]
    for i in range(len(path)):
        wrong = list(path)
        wrong[i] = bytes([wrong[i][0] ^ 8]) + wrong[i][1:]
        probes.append((index, size, root, leaf, wrong))
    if path:
        probes.append((index, size, root, leaf, path[:-1]))
    if len(path) > 1:
        probes.append((index, size, root, leaf, [path[0], SOME, *path[1:]]))
    return probes


@pytest.mark.parametrize(("index", "size", "path"), INCLUSION[:4])
def test_corrupted_inclusion_proofs_are_refused(index, size, path):
    path = [H(p) for p in path]
    for probe in _inclusion_probes(index, size, path, ROOTS[size - 1], leaf_hash(LEAVES[index])):
        with pytest.raises(ProofError):
            verify_inclusion(*probe[:2], probe[3], probe[4], probe[2])


@pytest.mark.parametrize(("first", "second", "path"), CONSISTENCY[1:])
def test_corrupted_consistency_proofs_are_refused(first, second, path):
    path = [H(p) for p in path]
    r1, r2 = ROOTS[first - 1], ROOTS[second - 1]
    probes = [(first - 1, second, r1, r2, path), (first + 1, second, r1, r2, path),
              (first ^ 2, second, r1, r2, path), (first, second * 2, r1, r2, path),
              (first, second // 2, r1, r2, path), (first, second, b"WrongRoot", r2, path),
              (first, second, r1, b"WrongRoot", path), (first, second, r2, r1, path),
              (first, second, r1, r2, []), (first, second, r1, r2, [*path, b""]),
              (first, second, r1, r2, [*path, r1]), (first, second, r1, r2, [*path, r2]),
              (first, second, r1, r2, [b"", *path]), (first, second, r1, r2, [r1, *path]),
              (first, second, r1, r2, [r2, *path]), (first, second, r1, r2, [path[0], *path]),
              (first, second, r1, r2, path[:-1])]
    for i in range(len(path)):
        wrong = list(path)
        wrong[i] = bytes([wrong[i][0] ^ 16]) + wrong[i][1:]
        probes.append((first, second, r1, r2, wrong))
    for probe in probes:
        with pytest.raises(ProofError):
            verify_consistency(*probe)


@pytest.mark.parametrize(("first", "second", "r1", "r2", "path", "ok"), [
    (0, 0, b"1" * 32, b"1" * 32, [], True), (0, 1, b"1" * 32, b"2" * 32, [], True),
    (1, 1, b"2" * 32, b"2" * 32, [], True), (1, 0, b"1" * 32, b"2" * 32, [], False),
    (2, 1, b"1" * 32, b"2" * 32, [], False), (1, 2, b"1" * 32, b"2" * 32, [], False),
    (1, 1, EMPTY_ROOT, b"2" * 32, [], False), (0, 0, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT], False),
    (0, 1, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT], False), (1, 1, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT], False),
])
def test_consistency_edge_cases(first, second, r1, r2, path, ok):
    if ok:
        verify_consistency(first, second, r1, r2, path)
    else:
        with pytest.raises(ProofError):
            verify_consistency(first, second, r1, r2, path)


def test_single_leaf_tree_root_is_the_leaf_hash():
    leaf = leaf_hash(b"data")
    verify_inclusion(0, 1, leaf, [], leaf)
    for index, size in ((0, 0), (1, 0), (2, 1)):
        with pytest.raises(ProofError):
            verify_inclusion(index, size, leaf, [], leaf)


def _reference_root(leaves: list[bytes]) -> bytes:
    """MTH straight from RFC 9162 §2.1.1's recursive definition."""
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaf_hash(leaves[0])
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return node_hash(_reference_root(leaves[:k]), _reference_root(leaves[k:]))


leaf_lists = st.lists(st.binary(max_size=8), min_size=1, max_size=70)


@settings(max_examples=60, deadline=None)
@given(leaves=leaf_lists, data=st.data())
def test_every_inclusion_proof_verifies_and_a_changed_leaf_does_not(leaves, data):
    tree = MemoryTree(leaves)
    size = data.draw(st.integers(1, len(leaves)))
    index = data.draw(st.integers(0, size - 1))
    root = _reference_root(leaves[:size])
    assert tree.root(size) == root
    path = tree.inclusion(index, size)
    assert root_from_inclusion(index, size, leaf_hash(leaves[index]), path) == root
    with pytest.raises(ProofError):
        verify_inclusion(index, size, leaf_hash(leaves[index] + b"!"), path, root)


@settings(max_examples=60, deadline=None)
@given(leaves=leaf_lists, data=st.data())
def test_appending_is_consistent_and_rewriting_is_not(leaves, data):
    tree = MemoryTree(leaves)
    first = data.draw(st.integers(1, len(leaves)))
    path = tree.consistency(first)
    verify_consistency(first, len(leaves), tree.root(first), tree.root(), path)
    changed = data.draw(st.integers(0, first - 1))
    forged = MemoryTree([*leaves[:changed], leaves[changed] + b"x", *leaves[changed + 1:]])
    if first < len(leaves):
        with pytest.raises(ProofError):
            verify_consistency(first, len(leaves), tree.root(first), forged.root(), forged.consistency(first))


@settings(max_examples=40, deadline=None)
@given(leaves=leaf_lists)
def test_compact_range_peaks_are_where_the_nodes_say(leaves):
    tree = MemoryTree(leaves)
    peaks = [tree.perfect(*address) for address in CompactRange.peak_addresses(tree.size)]
    assert CompactRange(tree.size, peaks).root() == _reference_root(leaves)
