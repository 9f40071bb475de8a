"""Sealing primitives: X25519 sealed boxes, Shamir shares of a tender key, commitments.

The server never seals a bid and never holds a whole tender key before opening: key pairs are made
and bids sealed in browsers (or by the reference client, `sealclient`), and the tender's private key
exists on the server only once k custodians' shares have been released after the deadline. What
is here is what the server needs to open, check and verify.
"""

import base64
import binascii
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, SealedBox

from sealclient.sealing import commitment, price_commitment
from sealclient.shamir import combine

# One implementation of the bid commitments, shared with the reference client.
__all__ = ["commitment", "price_commitment"]

KEY_BYTES = 32
# A Shamir share of a 32-byte key: one byte per key byte plus its x-coordinate (HashiCorp Vault's scheme).
SHARE_BYTES = KEY_BYTES + 1
SEAL_OVERHEAD = 48  # a sealed box adds an ephemeral public key (32) and a MAC (16)


def b64decode(value: str, *, size: int | None = None) -> bytes:
    """Standard base64 with padding (libsodium's ORIGINAL variant); ValueError when malformed."""
    try:
        data = base64.b64decode(value, validate=True)
    except (binascii.Error, TypeError) as exc:
        raise ValueError("not base64") from exc
    if size is not None and len(data) != size:
        raise ValueError(f"expected {size} bytes")
    return data


def b64encode(data: bytes) -> str:
    return base64.b64encode(bytes(data)).decode()


def unseal(private_key: PrivateKey, ciphertext: bytes) -> bytes:
    """Decrypt a sealed box; raises nacl.exceptions.CryptoError when the ciphertext was altered."""
    return SealedBox(private_key).decrypt(ciphertext)


def public_key_of(private_key: bytes) -> bytes:
    return bytes(PrivateKey(private_key).public_key)


def shares_combine(shares: list[bytes]) -> bytes | None:
    """The key the shares recombine to, or None when they are not shares of one key at all.

    Shamir's scheme always yields *some* 32 bytes from k well-formed shares; whether they are the
    tender's key is for the caller to check against its public key.
    """
    try:
        secret = combine([bytes(s) for s in shares])
    except (ValueError, TypeError):
        return None
    return secret if len(secret) == KEY_BYTES else None


@cache
def _platform_key(encoded: str) -> PrivateKey:
    try:
        key = b64decode(encoded, size=KEY_BYTES)
    except ValueError as exc:
        raise ImproperlyConfigured("PLATFORM_CUSTODIAN_KEY must be 32 bytes, base64.") from exc
    return PrivateKey(key)


def platform_public_key() -> bytes | None:
    """The platform custodian's public key, or None when the deployment has none configured."""
    if not settings.PLATFORM_CUSTODIAN_KEY:
        return None
    return bytes(_platform_key(settings.PLATFORM_CUSTODIAN_KEY).public_key)


def platform_unseal_share(sealed_share: bytes) -> bytes:
    """Open the platform's sealed share. bidding.keys is the one caller, after the deadline."""
    if not settings.PLATFORM_CUSTODIAN_KEY:
        raise ImproperlyConfigured("PLATFORM_CUSTODIAN_KEY is not set.")
    try:
        return SealedBox(_platform_key(settings.PLATFORM_CUSTODIAN_KEY)).decrypt(bytes(sealed_share))
    except CryptoError as exc:
        raise ValueError("the platform's share does not open with this deployment's key") from exc
