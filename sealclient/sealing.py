"""Everything a bidder's or an official's browser does with keys, in Python (PyNaCl = libsodium).

Used by suppliers' systems to seal bids for the API, by the portal's tests and demo data, and by
the verifier. The byte formats are those of libsodium-wrappers in the browser (docs/sealing.md):

- sealed box: `crypto_box_seal` (X25519 + XSalsa20-Poly1305, 48 bytes longer than the message);
- custodian key blob: Argon2id (`crypto_pwhash`, ALG_ARGON2ID13) derives a 32-byte key that
  encrypts the custodian's X25519 private key with `crypto_secretbox_easy` (MAC first);
- base64: the standard alphabet with padding (libsodium's ORIGINAL variant).
"""

import base64
import binascii
import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

import nacl.exceptions
import nacl.pwhash
import nacl.utils
from nacl.public import PrivateKey, PublicKey, SealedBox
from nacl.secret import SecretBox

from . import reserve, shamir
from .reserve import RESERVE_SCHEMA

CONTENT_SCHEMA = "koneps-bid-content-v1"
COMMITMENT_DOMAIN = "koneps-bid-commitment-v1"
# Two-envelope tenders: the technical envelope (declarations and documents) and the price envelope
# are separate documents with separate commitments (docs/sealing.md, "Two envelopes").
TECHNICAL_SCHEMA = "koneps-bid-technical-v1"
PRICE_SCHEMA = "koneps-bid-price-v1"
PRICE_COMMITMENT_DOMAIN = "koneps-bid-price-commitment-v1"
SALT_BYTES = 16
KEY_BYTES = 32
# libsodium's crypto_pwhash_OPSLIMIT_MODERATE / MEMLIMIT_MODERATE (3 passes, 256 MiB): a custodian
# unlocks a key a few times a year, so a second's wait buys a costlier guess for an attacker.
CUSTODIAN_OPSLIMIT = nacl.pwhash.argon2id.OPSLIMIT_MODERATE
CUSTODIAN_MEMLIMIT = nacl.pwhash.argon2id.MEMLIMIT_MODERATE


class SealingError(ValueError):
    """A ciphertext, key or blob cannot be used (altered, wrong key, wrong passphrase, malformed)."""


# --- encodings -------------------------------------------------------------------------------------


def b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64decode(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError, TypeError) as exc:
        raise SealingError("not standard base64") from exc


def canonical_json(value) -> bytes:
    """One byte string per value: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


# --- sealed boxes ----------------------------------------------------------------------------------


def keypair() -> tuple[bytes, bytes]:
    """A fresh X25519 key pair (public key, private key), as `crypto_box_keypair`."""
    private = PrivateKey.generate()
    return bytes(private.public_key), bytes(private)


def public_key_of(private_key: bytes) -> bytes:
    try:
        return bytes(PrivateKey(private_key).public_key)
    except (nacl.exceptions.CryptoError, TypeError, ValueError) as exc:
        raise SealingError("not a 32-byte X25519 private key") from exc


def seal(public_key: bytes, plaintext: bytes) -> bytes:
    """`crypto_box_seal`: only the holder of the matching private key can open it."""
    try:
        return SealedBox(PublicKey(public_key)).encrypt(plaintext)
    except (nacl.exceptions.CryptoError, TypeError, ValueError) as exc:
        raise SealingError("not a 32-byte X25519 public key") from exc


@lru_cache(maxsize=16)
def _opening_box(private_key: bytes) -> SealedBox:
    # Deriving the public key costs a scalar multiplication; an opening reuses one key for every bid.
    return SealedBox(PrivateKey(private_key))


def unseal(private_key: bytes | PrivateKey, ciphertext: bytes) -> bytes:
    """`crypto_box_seal_open`; SealingError when the ciphertext was altered or sealed to another key."""
    try:
        return _opening_box(bytes(private_key)).decrypt(bytes(ciphertext))
    except (nacl.exceptions.CryptoError, TypeError, ValueError) as exc:
        raise SealingError("the ciphertext does not open with this key") from exc


def commitment(
    *,
    ciphertexts: Sequence[bytes] = (),
    tender_ref: str,
    supplier_id: int,
    version: int,
    domain: str = COMMITMENT_DOMAIN,
    digests: Sequence[str] = (),
) -> str:
    """SHA-256 over the ciphertexts of a bid version plus tender, supplier and version.

    Each ciphertext is hashed on its own, then the sorted list of those hashes is bound with the
    context, so the order documents were attached in does not matter. `digests` stand in for
    ciphertexts that are not published (a price envelope never opened): the commitment needs only
    their SHA-256. The price envelope of a two-envelope bid uses PRICE_COMMITMENT_DOMAIN.
    """
    parts = sorted([*(hashlib.sha256(c).hexdigest() for c in ciphertexts), *digests])
    canonical = "\n".join([domain, tender_ref, str(supplier_id), str(version), *parts])
    return hashlib.sha256(canonical.encode()).hexdigest()


def price_commitment(
    *, ciphertext: bytes = b"", tender_ref: str, supplier_id: int, version: int, digest: str = ""
) -> str:
    """The price envelope's commitment (from its ciphertext, or from its SHA-256 when unpublished)."""
    return commitment(
        ciphertexts=[ciphertext] if ciphertext else [],
        digests=[digest] if digest else [],
        tender_ref=tender_ref,
        supplier_id=supplier_id,
        version=version,
        domain=PRICE_COMMITMENT_DOMAIN,
    )


# --- bids ------------------------------------------------------------------------------------------


class Document(NamedTuple):
    """An attachment to seal with a bid."""

    name: str
    data: bytes
    content_type: str = "application/octet-stream"


def document_manifest(position: int, name: str, content_type: str, data: bytes) -> dict:
    return {
        "position": position,
        "name": name,
        "content_type": content_type,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }


def bid_content(
    *,
    tender_reference: str,
    supplier_id: int,
    currency: str,
    price: Decimal | str | int,
    lines: Sequence[dict] = (),
    declarations: dict | None = None,
    reserve_picks: Sequence[int] = (),
    documents: Sequence[Document] = (),
) -> dict:
    """The content document ("koneps-bid-content-v1") that is sealed for one bid.

    It names its tender and supplier, so a ciphertext copied onto another bid is caught at
    opening. `declarations` defaults to both declarations made; lines are
    {description, quantity, unit_price, amount} with amounts as decimal strings.
    """
    return {
        "schema": CONTENT_SCHEMA,
        "tender": tender_reference,
        "supplier": supplier_id,
        "currency": currency,
        "price": str(price),
        "lines": [{key: str(value) for key, value in line.items()} for line in lines],
        "declarations": declarations
        if declarations is not None
        else {"no_collusion": True, "no_conflict_of_interest": True},
        "reserve_picks": sorted(int(n) for n in reserve_picks),
        "documents": [document_manifest(i, d.name, d.content_type, d.data) for i, d in enumerate(documents)],
    }


def technical_content(
    *, tender_reference: str, supplier_id: int, declarations: dict | None = None, documents: Sequence[Document] = ()
) -> dict:
    """The technical envelope ("koneps-bid-technical-v1"): declarations and the documents' manifest."""
    return {
        "schema": TECHNICAL_SCHEMA,
        "tender": tender_reference,
        "supplier": supplier_id,
        "declarations": declarations
        if declarations is not None
        else {"no_collusion": True, "no_conflict_of_interest": True},
        "documents": [document_manifest(i, d.name, d.content_type, d.data) for i, d in enumerate(documents)],
    }


def price_content(
    *,
    tender_reference: str,
    supplier_id: int,
    currency: str,
    price: Decimal | str | int,
    lines: Sequence[dict] = (),
    reserve_picks: Sequence[int] = (),
) -> dict:
    """The price envelope ("koneps-bid-price-v1"): the price, its lines and the reserve picks."""
    return {
        "schema": PRICE_SCHEMA,
        "tender": tender_reference,
        "supplier": supplier_id,
        "currency": currency,
        "price": str(price),
        "lines": [{key: str(value) for key, value in line.items()} for line in lines],
        "reserve_picks": sorted(int(n) for n in reserve_picks),
    }


def plaintext_hash(salt: bytes, content: bytes) -> str:
    """What the receipt carries: sha256(salt || sealed content bytes), hex. The salt stays with the
    bidder, so the hash reveals nothing about a price that could be guessed."""
    return hashlib.sha256(salt + content).hexdigest()


def plaintext_hash_check(*, salt: bytes, content: bytes, expected: str) -> bool:
    """A bidder's proof: the content opened after the deadline is the content it sealed."""
    return secrets.compare_digest(plaintext_hash(salt, content), expected.lower())


@dataclass(frozen=True)
class SealedBid:
    """A sealed bid as posted, plus what the bidder keeps (the salt)."""

    content_ct: bytes
    document_cts: list[bytes]
    plaintext_hash: str
    salt: bytes = field(repr=False)

    def ciphertexts(self) -> list[bytes]:
        return [self.content_ct, *self.document_cts]

    def commitment(self, *, tender_ref: str, supplier_id: int, version: int) -> str:
        return commitment(
            ciphertexts=self.ciphertexts(), tender_ref=tender_ref, supplier_id=supplier_id, version=version
        )

    def as_json(self) -> dict:
        """The base64 submission body fields (see docs/sealing.md); the salt is not in it."""
        return {
            "content": b64encode(self.content_ct),
            "documents": [b64encode(ct) for ct in self.document_cts],
            "plaintext_hash": self.plaintext_hash,
        }


def bid_seal(tender_public_key: bytes, content: dict, documents: Sequence[Document | bytes] = ()) -> SealedBid:
    """Seal a content document and its documents to the tender key, as the bid form does.

    When `content` has no "documents" manifest (or an empty one) and documents are given as
    `Document`s, the manifest is filled in from them.
    """
    documents = list(documents)
    if documents and not content.get("documents") and all(isinstance(d, Document) for d in documents):
        content = {
            **content,
            "documents": [document_manifest(i, d.name, d.content_type, d.data) for i, d in enumerate(documents)],
        }
    plaintext = canonical_json(content)
    salt = secrets.token_bytes(SALT_BYTES)
    return SealedBid(
        content_ct=seal(tender_public_key, plaintext),
        document_cts=[seal(tender_public_key, d.data if isinstance(d, Document) else d) for d in documents],
        plaintext_hash=plaintext_hash(salt, plaintext),
        salt=salt,
    )


@dataclass(frozen=True)
class SealedTwoEnvelopes:
    """A two-envelope bid as posted: the technical envelope (content + documents) and the price
    envelope, each with its salted hash (one salt, kept by the bidder)."""

    technical: SealedBid
    price_ct: bytes
    price_plaintext_hash: str

    @property
    def salt(self) -> bytes:
        return self.technical.salt

    def price_commitment(self, *, tender_ref: str, supplier_id: int, version: int) -> str:
        return price_commitment(
            ciphertext=self.price_ct, tender_ref=tender_ref, supplier_id=supplier_id, version=version
        )

    def as_json(self) -> dict:
        return {
            **self.technical.as_json(),
            "price_content": b64encode(self.price_ct),
            "price_plaintext_hash": self.price_plaintext_hash,
        }


def bid_seal_two(
    tender_public_key: bytes, technical: dict, price: dict, documents: Sequence[Document | bytes] = ()
) -> SealedTwoEnvelopes:
    """Seal the technical envelope (with its documents) and the price envelope separately."""
    sealed = bid_seal(tender_public_key, technical, documents)
    price_bytes = canonical_json(price)
    return SealedTwoEnvelopes(
        technical=sealed,
        price_ct=seal(tender_public_key, price_bytes),
        price_plaintext_hash=plaintext_hash(sealed.salt, price_bytes),
    )


# --- custodians and the tender key ----------------------------------------------------------------


@dataclass(frozen=True)
class CustodianKeyBlob:
    """A custodian's private key encrypted under its passphrase; all the server stores of it."""

    salt: bytes
    opslimit: int
    memlimit: int
    nonce: bytes
    ciphertext: bytes

    def as_json(self) -> dict:
        return {
            "salt": b64encode(self.salt),
            "opslimit": self.opslimit,
            "memlimit": self.memlimit,
            "nonce": b64encode(self.nonce),
            "ciphertext": b64encode(self.ciphertext),
        }

    @classmethod
    def from_json(cls, data: dict) -> "CustodianKeyBlob":
        try:
            blob = cls(
                salt=b64decode(data["salt"]),
                opslimit=int(data["opslimit"]),
                memlimit=int(data["memlimit"]),
                nonce=b64decode(data["nonce"]),
                ciphertext=b64decode(data["ciphertext"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise SealingError("a custodian key blob needs salt, opslimit, memlimit, nonce and ciphertext") from exc
        if len(blob.salt) != nacl.pwhash.argon2id.SALTBYTES or len(blob.nonce) != SecretBox.NONCE_SIZE:
            raise SealingError("the blob's salt must be 16 bytes and its nonce 24 bytes")
        return blob


def _passphrase_key(passphrase: str, salt: bytes, opslimit: int, memlimit: int) -> bytes:
    return nacl.pwhash.argon2id.kdf(KEY_BYTES, passphrase.encode("utf-8"), salt, opslimit=opslimit, memlimit=memlimit)


def custodian_key_wrap(
    private_key: bytes, passphrase: str, *, opslimit: int = CUSTODIAN_OPSLIMIT, memlimit: int = CUSTODIAN_MEMLIMIT
) -> CustodianKeyBlob:
    salt = nacl.utils.random(nacl.pwhash.argon2id.SALTBYTES)
    nonce = nacl.utils.random(SecretBox.NONCE_SIZE)
    box = SecretBox(_passphrase_key(passphrase, salt, opslimit, memlimit))
    return CustodianKeyBlob(salt, opslimit, memlimit, nonce, box.encrypt(private_key, nonce).ciphertext)


def custodian_key_unwrap(blob: CustodianKeyBlob | dict, passphrase: str) -> bytes:
    """The custodian's private key; SealingError for a wrong passphrase or an altered blob."""
    if isinstance(blob, dict):
        blob = CustodianKeyBlob.from_json(blob)
    key = _passphrase_key(passphrase, blob.salt, blob.opslimit, blob.memlimit)
    try:
        return SecretBox(key).decrypt(blob.ciphertext, blob.nonce)
    except nacl.exceptions.CryptoError as exc:
        raise SealingError("wrong passphrase, or the key blob was altered") from exc


def custodian_enrol(
    passphrase: str, *, opslimit: int = CUSTODIAN_OPSLIMIT, memlimit: int = CUSTODIAN_MEMLIMIT
) -> tuple[bytes, CustodianKeyBlob]:
    """What a custodian's browser does at enrolment: (public key, encrypted private key)."""
    public, private = keypair()
    return public, custodian_key_wrap(private, passphrase, opslimit=opslimit, memlimit=memlimit)


class TenderCeremony(NamedTuple):
    public_key: bytes
    private_key: bytes  # the publishing official's browser discards this after sealing the shares
    sealed_shares: list[bytes]  # share i sealed to custodian i's public key


def tender_ceremony(custodian_public_keys: Sequence[bytes], k: int) -> TenderCeremony:
    """A tender key pair whose private key is split k-of-n, one sealed share per custodian."""
    public, private = keypair()
    shares = shamir.split(private, len(custodian_public_keys), k)
    return TenderCeremony(
        public, private, [seal(pk, share) for pk, share in zip(custodian_public_keys, shares, strict=True)]
    )


def share_unseal(custodian_private_key: bytes, sealed_share: bytes) -> bytes:
    """A custodian's share in clear (33 bytes for a 32-byte key)."""
    share = unseal(custodian_private_key, sealed_share)
    if len(share) != KEY_BYTES + 1:
        raise SealingError("a share of a tender key is 33 bytes")
    return share


def tender_key_recombine(shares: Sequence[bytes], public_key: bytes) -> bytes:
    """The tender private key from k shares, checked against the public key.

    Shamir's scheme gives *some* 32 bytes from any shares (too few, or one from another tender);
    only the public key tells whether they are the right ones.
    """
    try:
        private = shamir.combine(shares)
    except shamir.ShareError as exc:
        raise SealingError(str(exc)) from exc
    if len(private) != KEY_BYTES or public_key_of(private) != bytes(public_key):
        raise SealingError("the shares do not give the tender's private key (too few, or from another key)")
    return private


# --- reserve prices --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SealedReservePrices:
    ciphertext: bytes
    commitment: str
    values: list[Decimal] = field(repr=False)


def reserve_commitment(ciphertext: bytes) -> str:
    return hashlib.sha256(ciphertext).hexdigest()


def reserve_prices_document(
    *, tender_reference: str, amendment: int, base_price, range_pct, values: Sequence[Decimal]
) -> dict:
    return {
        "schema": RESERVE_SCHEMA,
        "tender": tender_reference,
        "amendment": amendment,
        "base_price": str(base_price),
        "range_pct": str(range_pct),
        "values": [str(v) for v in values],
    }


def reserve_prices_seal(
    *,
    tender_public_key: bytes,
    tender_reference: str,
    amendment: int,
    base_price,
    range_pct,
    count: int,
    values: Sequence[Decimal] | None = None,
) -> SealedReservePrices:
    """Draw `count` reserve prices (one per slice) unless given, and seal them to the tender key."""
    if values is None:
        values = reserve.reserve_prices_draw(base_price=Decimal(base_price), range_pct=Decimal(range_pct), count=count)
    document = reserve_prices_document(
        tender_reference=tender_reference,
        amendment=amendment,
        base_price=base_price,
        range_pct=range_pct,
        values=values,
    )
    ciphertext = seal(tender_public_key, canonical_json(document))
    return SealedReservePrices(ciphertext, reserve_commitment(ciphertext), [Decimal(v) for v in values])


def reserve_prices_open(private_key: bytes, ciphertext: bytes) -> dict:
    """The sealed reserve-price document, with `values` as Decimals; SealingError when unreadable."""
    plaintext = unseal(private_key, ciphertext)
    try:
        document = json.loads(plaintext)
        values = [Decimal(str(v)) for v in document["values"]]
    except (ValueError, KeyError, TypeError, ArithmeticError) as exc:
        raise SealingError("the reserve-price document cannot be read") from exc
    if not isinstance(document, dict) or document.get("schema") != RESERVE_SCHEMA:
        raise SealingError("not a koneps-reserve-prices-v1 document")
    return {**document, "values": values}
