"""RFC 9162 §2.1 Merkle tree: leaf and node hashing, compact range, inclusion and consistency proofs.

No maintained Python library fits: `pymerkle` (7.0) shapes the tree like RFC 9162 but its
proofs carry their own rule/subset bit lists and verify with its own algorithm, and its
stores are its own files — we need the RFC's audit paths, its verification algorithms
(§2.1.3.2, §2.1.4.2) verbatim, and the tree kept in the service's own database in the
same transaction as the append. Tested against the transparency-dev/merkle vectors.

Trees are addressed by *perfect* subtrees: node (level, index) covers the leaves
[index·2^level, (index+1)·2^level). Proof generation needs only those (an oracle
`perfect(level, index) -> bytes`), so a store that keeps them answers proofs in
O(log² n) reads and never recomputes the tree.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

Perfect = Callable[[int, int], bytes]


class ProofError(ValueError):
    """A proof does not verify; the message says why."""


def leaf_hash(data: bytes) -> bytes:
    """MTH({d}) = SHA-256(0x00 ‖ d)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 ‖ left ‖ right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


class CompactRange:
    """The right edge of a tree (its perfect-subtree peaks): append and root in O(log n).

    `peaks` are the roots of the perfect subtrees the size decomposes into, largest
    (leftmost) first — one per set bit of `size`.
    """

    def __init__(self, size: int = 0, peaks: Sequence[bytes] = ()) -> None:
        if len(peaks) != size.bit_count():
            raise ValueError(f"a tree of {size} leaves has {size.bit_count()} peaks, got {len(peaks)}")
        self.size = size
        self.peaks = list(peaks)

    def append(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        """Add one leaf hash; return every perfect node it completes as (level, index, hash)."""
        index, level, current = self.size, 0, leaf
        created = [(0, index, leaf)]
        while (index >> level) & 1:
            current = node_hash(self.peaks.pop(), current)
            level += 1
            created.append((level, index >> level, current))
        self.peaks.append(current)
        self.size += 1
        return created

    def root(self) -> bytes:
        """MTH of the whole range (the empty tree's root when there are no leaves)."""
        if not self.peaks:
            return EMPTY_ROOT
        current = self.peaks[-1]
        for peak in reversed(self.peaks[:-1]):
            current = node_hash(peak, current)
        return current

    @staticmethod
    def peak_addresses(size: int) -> list[tuple[int, int]]:
        """(level, index) of the peaks of a tree of `size` leaves, leftmost first."""
        addresses, start = [], 0
        for level in range(size.bit_length() - 1, -1, -1):
            if size >> level & 1:
                addresses.append((level, start >> level))
                start += 1 << level
        return addresses


def subtree_hash(start: int, end: int, perfect: Perfect) -> bytes:
    """MTH(D[start:end]) for a range the RFC's recursion produces (start aligned)."""
    n = end - start
    if n <= 0:
        return EMPTY_ROOT
    level = n.bit_length() - 1
    if n == 1 << level and start % n == 0:
        return perfect(level, start >> level)
    k = _split(n)
    return node_hash(subtree_hash(start, start + k, perfect), subtree_hash(start + k, end, perfect))


def root_hash(size: int, perfect: Perfect) -> bytes:
    """MTH of the first `size` leaves."""
    return subtree_hash(0, size, perfect)


def inclusion_proof(index: int, size: int, perfect: Perfect) -> list[bytes]:
    """PATH(m, D[n]) of RFC 9162 §2.1.3.1, leaf-side first."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size} leaves")
    path: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            path.append(subtree_hash(start + k, end, perfect))
            end = start + k
        else:
            path.append(subtree_hash(start, start + k, perfect))
            start += k
    return path[::-1]


def consistency_proof(first: int, second: int, perfect: Perfect) -> list[bytes]:
    """PROOF(m, D[n]) of RFC 9162 §2.1.4.1 (empty when m is 0 or m == n)."""
    if not 0 <= first <= second:
        raise ValueError(f"no consistency proof from {first} to {second} leaves")
    if first in (0, second):
        return []
    return _subproof(first, 0, second, True, perfect)


def _subproof(m: int, start: int, end: int, whole: bool, perfect: Perfect) -> list[bytes]:
    n = end - start
    if m == n:
        return [] if whole else [subtree_hash(start, end, perfect)]
    k = _split(n)
    if m <= k:
        return _subproof(m, start, start + k, whole, perfect) + [subtree_hash(start + k, end, perfect)]
    return _subproof(m - k, start + k, end, False, perfect) + [subtree_hash(start, start + k, perfect)]


def _check_hashes(*hashes: bytes) -> None:
    for value in hashes:
        if not isinstance(value, bytes | bytearray) or len(value) != HASH_SIZE:
            raise ProofError(f"not a SHA-256 hash: {value!r:.40}")


def _shift_until_set(fn: int, sn: int) -> tuple[int, int]:
    while fn and not fn & 1:
        fn, sn = fn >> 1, sn >> 1
    return fn, sn


def root_from_inclusion(index: int, size: int, leaf: bytes, path: Sequence[bytes]) -> bytes:
    """The root an inclusion path leads to, per RFC 9162 §2.1.3.2 (ProofError if malformed)."""
    _check_hashes(leaf, *path)
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is not below the tree size {size}")
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            raise ProofError("the inclusion path is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                fn, sn = _shift_until_set(fn, sn)
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("the inclusion path is shorter than the tree is deep")
    return r


def verify_inclusion(index: int, size: int, leaf: bytes, path: Sequence[bytes], root: bytes) -> None:
    """Raise ProofError unless `path` proves leaf `index` in the tree of `size` with `root`."""
    _check_hashes(root)
    if root_from_inclusion(index, size, leaf, path) != root:
        raise ProofError("the inclusion path does not lead to the signed root")


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, path: Sequence[bytes]
) -> None:
    """Raise ProofError unless `path` proves tree `second` extends tree `first` (RFC 9162 §2.1.4.2)."""
    _check_hashes(first_root, second_root, *path)
    if not 0 <= first <= second:
        raise ProofError(f"tree size went back from {first} to {second}")
    if first == second:
        if path or first_root != second_root:
            raise ProofError("equal sizes need equal roots and an empty proof")
        return
    if first == 0:
        if path:
            raise ProofError("a proof from the empty tree must be empty")
        return
    if not path:
        raise ProofError("the consistency proof is empty")
    path = list(path)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    fn, sn = _shift_while_set(first - 1, second - 1)
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("the consistency proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                fn, sn = _shift_until_set(fn, sn)
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("the consistency proof is shorter than the tree is deep")
    if fr != first_root:
        raise ProofError(f"the proof does not rebuild the earlier root of {first} leaves")
    if sr != second_root:
        raise ProofError(f"the proof does not rebuild the later root of {second} leaves")


def _shift_while_set(fn: int, sn: int) -> tuple[int, int]:
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    return fn, sn


class MemoryTree:
    """A whole tree in memory (for auditors' offline checks and tests): leaves and their nodes."""

    def __init__(self, leaves: Iterable[bytes] = ()) -> None:
        self.range = CompactRange()
        self.nodes: dict[tuple[int, int], bytes] = {}
        for leaf in leaves:
            self.append_leaf_hash(leaf_hash(leaf))

    @property
    def size(self) -> int:
        """How many leaves the tree holds."""
        return self.range.size

    def append_leaf_hash(self, leaf: bytes) -> None:
        """Add a leaf by its hash."""
        for level, index, value in self.range.append(leaf):
            self.nodes[(level, index)] = value

    def perfect(self, level: int, index: int) -> bytes:
        """The hash of the perfect subtree (level, index)."""
        return self.nodes[(level, index)]

    def root(self, size: int | None = None) -> bytes:
        """The root of the first `size` leaves (all by default)."""
        return self.range.root() if size is None else root_hash(size, self.perfect)

    def inclusion(self, index: int, size: int | None = None) -> list[bytes]:
        """The inclusion path of leaf `index` in the tree of `size` leaves."""
        return inclusion_proof(index, self.size if size is None else size, self.perfect)

    def consistency(self, first: int, second: int | None = None) -> list[bytes]:
        """The consistency proof from `first` leaves to `second` (all by default)."""
        return consistency_proof(first, self.size if second is None else second, self.perfect)
