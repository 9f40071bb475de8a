"""The transparency log's mathematics, as pure functions anyone can run on public data.

Audit entries are the leaves of a Merkle tree shaped as in RFC 6962 / RFC 9162 (Certificate
Transparency):

- an entry's bytes are the canonical JSON of the fields below (keys sorted, no spaces, UTF-8);
- leaf hash = SHA-256(0x00 || entry bytes); node hash = SHA-256(0x01 || left || right);
- MTH of n > 1 leaves splits at k, the largest power of two smaller than n;
- a signed tree head is an Ed25519 signature over `head_message` (size, time, root).

Nothing here touches the database or Django: the management command, the API and the tests call
these functions, and `static/js/transparency.mjs` implements the same checks in the browser.
"""

import base64
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

HEAD_DOMAIN = "koneps-transparency-tree-head-v1"
SIGNATURE_ALGORITHM = "Ed25519"


def entry_bytes(
    *, seq: int, at: datetime, actor_id: int | None, actor_label: str, action: str, object_type: str,
    object_id: str, data,
) -> bytes:  # fmt: skip
    """The exact bytes a leaf hash covers. `data` must already be plain JSON values."""
    return json.dumps(
        {
            "seq": seq,
            "at": at.astimezone(UTC).isoformat(),
            "actor": actor_id,
            "actor_label": actor_label,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "data": data,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode()


def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def tree_root(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) over leaf hashes, without recursion over the leaves themselves."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    # Fold complete subtrees left to right; the stack holds (height, hash) of full subtrees.
    stack: list[tuple[int, bytes]] = []
    for leaf in leaves:
        height, value = 0, leaf
        while stack and stack[-1][0] == height:
            value = node_hash(stack.pop()[1], value)
            height += 1
        stack.append((height, value))
    # Merge the right edge: smaller subtrees are right children of the ones before them.
    value = stack.pop()[1]
    while stack:
        value = node_hash(stack.pop()[1], value)
    return value


def inclusion_proof(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]) from RFC 9162 §2.1.3.1."""
    n = len(leaves)
    if not 0 <= index < n:
        raise ValueError("leaf index outside the tree")
    if n == 1:
        return []
    k = _split(n)
    if index < k:
        return [*inclusion_proof(index, leaves[:k]), tree_root(leaves[k:])]
    return [*inclusion_proof(index - k, leaves[k:]), tree_root(leaves[:k])]


def consistency_proof(first: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) from RFC 9162 §2.1.4.1, for 0 < m <= n."""
    if not 0 < first <= len(leaves):
        raise ValueError("the first tree size must be between 1 and the second")
    return _subproof(first, leaves, True)


def _subproof(m: int, leaves: Sequence[bytes], complete: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if complete else [tree_root(leaves)]
    k = _split(n)
    if m <= k:
        return [*_subproof(m, leaves[:k], complete), tree_root(leaves[k:])]
    return [*_subproof(m - k, leaves[k:], False), tree_root(leaves[:k])]


# --- proofs from stored subtree hashes ----------------------------------------------------------------
#
# The log stores the hash of every perfect subtree once it is complete: node (level, index) covers
# leaves [index * 2**level, (index + 1) * 2**level); level 0 are the leaf hashes. Every range the
# RFC's recursion visits starts at a multiple of a power of two at least as long as the range, so its
# root folds at most log2(n) stored nodes; a proof needs O(log² n) of them instead of all n leaves.
# The functions below take a `node(level, index)` lookup and never see the leaves; `*_nodes` say
# which nodes a proof will ask for, so that the caller fetches them in one query.

NodeLookup = Callable[[int, int], bytes]


def _range_root(start: int, end: int, node: NodeLookup) -> bytes:
    """MTH(D[start:end]) for a range whose start is aligned as the RFC's recursion leaves it."""
    if start == end:
        return hashlib.sha256(b"").digest()
    parts = []
    while start < end:
        level = (end - start).bit_length() - 1  # the largest perfect subtree that fits
        parts.append(node(level, start >> level))
        start += 1 << level
    value = parts.pop()
    while parts:
        value = node_hash(parts.pop(), value)
    return value


def tree_root_from(size: int, node: NodeLookup) -> bytes:
    return _range_root(0, size, node)


def inclusion_proof_from(index: int, size: int, node: NodeLookup) -> list[bytes]:
    """PATH(index, D[size]) as inclusion_proof computes it, from stored subtree hashes."""
    if not 0 <= index < size:
        raise ValueError("leaf index outside the tree")
    path: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            path.append(_range_root(start + k, end, node))
            end = start + k
        else:
            path.append(_range_root(start, start + k, node))
            start += k
    return path[::-1]


def consistency_proof_from(first: int, size: int, node: NodeLookup) -> list[bytes]:
    """PROOF(first, D[size]) as consistency_proof computes it, from stored subtree hashes."""
    if not 0 < first <= size:
        raise ValueError("the first tree size must be between 1 and the second")
    path: list[bytes] = []
    start, end, m, complete = 0, size, first, True
    while m != end - start:
        k = _split(end - start)
        if m <= k:
            path.append(_range_root(start + k, end, node))
            end = start + k
        else:
            path.append(_range_root(start, start + k, node))
            start, m, complete = start + k, m - k, False
    if not complete:
        path.append(_range_root(start, end, node))
    return path[::-1]


def _asked(compute) -> set[tuple[int, int]]:
    asked: set[tuple[int, int]] = set()

    def record(level: int, index: int) -> bytes:
        asked.add((level, index))
        return b"\x00" * 32

    compute(record)
    return asked


def tree_root_nodes(size: int) -> set[tuple[int, int]]:
    return _asked(lambda node: tree_root_from(size, node))


def inclusion_proof_nodes(index: int, size: int) -> set[tuple[int, int]]:
    return _asked(lambda node: inclusion_proof_from(index, size, node))


def consistency_proof_nodes(first: int, size: int) -> set[tuple[int, int]]:
    return _asked(lambda node: consistency_proof_from(first, size, node))


def frontier_nodes(size: int) -> list[tuple[int, int]]:
    """The perfect subtrees on the right edge of a tree of `size` leaves, largest first."""
    return [(level, (size >> level) - 1) for level in range(size.bit_length() - 1, -1, -1) if size >> level & 1]


def subtree_hashes(size: int, frontier: Sequence[bytes], leaves: Sequence[bytes]) -> list[tuple[int, int, bytes]]:
    """The subtrees (level >= 1) completed by appending `leaves` to a tree of `size` leaves whose
    right edge is `frontier` (the hashes of `frontier_nodes(size)`, in that order)."""
    levels = [level for level, _index in frontier_nodes(size)]
    if len(levels) != len(frontier):
        raise ValueError("the frontier does not match the tree size")
    stack = list(zip(levels, frontier, strict=True))
    made: list[tuple[int, int, bytes]] = []
    for position, leaf in enumerate(leaves, start=size):
        level, value = 0, leaf
        while stack and stack[-1][0] == level:
            value = node_hash(stack.pop()[1], value)
            level += 1
            made.append((level, position >> level, value))
        stack.append((level, value))
    return made


def verify_inclusion(*, leaf: bytes, index: int, tree_size: int, proof: Sequence[bytes], root: bytes) -> bool:
    """RFC 9162 §2.1.3.2."""
    if not 0 <= index < tree_size:
        return False
    fn, sn, r = index, tree_size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    *, first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2; a size-0 tree is consistent with every tree."""
    if first == 0:
        return not proof
    if first > second:
        return False
    if first == second:
        return not proof and first_root == second_root
    path = list(proof)
    if first & (first - 1) == 0:  # a power of two: the old root is itself a node of the new tree
        path.insert(0, first_root)
    if not path:
        return False
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0


@dataclass(frozen=True)
class SignedHead:
    tree_size: int
    timestamp_ms: int
    root_hash: bytes
    signature: bytes

    def message(self) -> bytes:
        return head_message(tree_size=self.tree_size, timestamp_ms=self.timestamp_ms, root_hash=self.root_hash)

    def as_json(self) -> dict:
        return {
            "tree_size": self.tree_size,
            "timestamp_ms": self.timestamp_ms,
            "root_hash": self.root_hash.hex(),
            "signature": base64.b64encode(self.signature).decode(),
        }

    @classmethod
    def from_json(cls, value: dict) -> "SignedHead":
        """Parse a head as the API serves it; raises ValueError on anything malformed."""
        try:
            head = cls(
                tree_size=int(value["tree_size"]),
                timestamp_ms=int(value["timestamp_ms"]),
                root_hash=bytes.fromhex(value["root_hash"]),
                signature=base64.b64decode(value["signature"], validate=True),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"not a signed tree head: {exc}") from None
        if head.tree_size < 0 or len(head.root_hash) != 32 or len(head.signature) != 64:
            raise ValueError("not a signed tree head: wrong sizes")
        return head


def head_message(*, tree_size: int, timestamp_ms: int, root_hash: bytes) -> bytes:
    """What the log signs: four text lines, so that any language can rebuild them."""
    return f"{HEAD_DOMAIN}\n{tree_size}\n{timestamp_ms}\n{root_hash.hex()}\n".encode()


def head_sign(*, seed: bytes, tree_size: int, timestamp_ms: int, root_hash: bytes) -> SignedHead:
    signature = SigningKey(seed).sign(head_message(tree_size=tree_size, timestamp_ms=timestamp_ms, root_hash=root_hash))
    return SignedHead(tree_size, timestamp_ms, root_hash, signature.signature)


def head_signature_ok(*, public_key: bytes, head: SignedHead) -> bool:
    try:
        VerifyKey(public_key).verify(head.message(), head.signature)
    except (BadSignatureError, ValueError):
        return False
    return True


def public_key_of(seed: bytes) -> bytes:
    return bytes(SigningKey(seed).verify_key)


@dataclass(frozen=True)
class Leaf:
    """One integrated entry as the log holds it: its index, its entry, and the stored hashes."""

    index: int
    seq: int | None  # None: the leaf points at an entry that no longer exists
    stored_hash: bytes
    entry: bytes | None  # the canonical entry bytes, when the verifier can see the entry


@dataclass(frozen=True)
class LogCheck:
    ok: bool
    tree_size: int
    first_bad_index: int | None = None
    first_bad_seq: int | None = None
    problem: str = ""
    root_hash: bytes = b""


def log_check(
    *,
    leaves: Sequence[Leaf],
    public_key: bytes,
    heads: Sequence[SignedHead] = (),
    saved: SignedHead | None = None,
    saved_leaves: Sequence[bytes] | None = None,
) -> LogCheck:
    """Check the whole log; report the first bad entry.

    In order: leaf indexes run 0..n-1 without gaps, each entry exists and hashes to its leaf; every
    signed head the log serves (and the one saved earlier, if given) has a valid signature and the
    root of the current leaves at its size. A saved head larger than the log means truncation. With
    the leaf hashes saved next to that head (`--save`), a rewritten entry is named exactly;
    without them, the first head that no longer matches bounds where the rewrite is.
    """
    hashes: list[bytes] = []
    for position, leaf in enumerate(leaves):
        if leaf.index != position:
            return LogCheck(False, position, position, None, f"leaf #{position} is missing")
        if leaf.seq is None:
            return LogCheck(False, position, position, None, f"leaf #{position}: its entry was deleted")
        if leaf.entry is not None and leaf_hash(leaf.entry) != leaf.stored_hash:
            return LogCheck(False, position, position, leaf.seq, f"leaf #{position}: entry {leaf.seq} was altered")
        hashes.append(leaf.stored_hash)
    size = len(hashes)
    ordered = sorted(heads, key=lambda h: h.tree_size)
    if saved is not None:
        if not head_signature_ok(public_key=public_key, head=saved):
            return LogCheck(False, size, None, None, "the saved head's signature is not valid for this key")
        if saved.tree_size > size:
            return LogCheck(
                False, size, size, None,
                f"the log was truncated: it holds {size} leaves, the saved head covered {saved.tree_size}; "
                f"leaf #{size} onwards is missing",
            )  # fmt: skip
        if saved_leaves is not None:
            for position, (then, now) in enumerate(zip(saved_leaves[: saved.tree_size], hashes, strict=False)):
                if then != now:
                    seq = leaves[position].seq
                    return LogCheck(False, size, position, seq, f"leaf #{position} (entry {seq}) was rewritten")
        ordered.append(saved)
    good_size = 0
    for head in sorted(ordered, key=lambda h: h.tree_size):
        if not head_signature_ok(public_key=public_key, head=head):
            return LogCheck(False, size, None, None, f"the head of size {head.tree_size} has an invalid signature")
        if head.tree_size > size:
            return LogCheck(
                False, size, size, None, f"a signed head covers {head.tree_size} leaves, the log holds {size}"
            )
        if tree_root(hashes[: head.tree_size]) != head.root_hash:
            return LogCheck(
                False, size, good_size, leaves[good_size].seq if good_size < size else None,
                f"the leaves no longer match the signed head of size {head.tree_size}: "
                f"a leaf between #{good_size} and #{head.tree_size - 1} was rewritten",
            )  # fmt: skip
        good_size = head.tree_size
    return LogCheck(True, size, root_hash=tree_root(hashes))


def seed_from_setting(value: str) -> bytes:
    """The signing key's 32-byte seed from its base64 form; raises ValueError when it is not one."""
    seed = base64.b64decode(value, validate=True)
    if len(seed) != 32:
        raise ValueError("the transparency signing key must be 32 bytes, base64-encoded")
    return seed
