"""Sealing primitives (docs/architecture.md §4): X25519 sealed boxes, key wrapping, commitments.

Each tender gets a key pair at publication. Its private key exists in the database only wrapped
under the key-encryption key from the environment (`BID_SEALING_KEY`). Unwrapping is a plain
function here; the one caller that may use it (bid opening) checks the opening time first.
"""

import base64
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from nacl.public import PrivateKey, PublicKey, SealedBox
from nacl.secret import SecretBox

# One implementation of the bid commitment, shared with the reference client and the verifier.
from sealclient.sealing import commitment

__all__ = ["commitment", "keypair_generate", "seal", "unseal", "unwrap_private_key"]


@cache
def _kek(encoded: str) -> SecretBox:
    try:
        key = base64.b64decode(encoded, validate=True)
    except ValueError as exc:
        raise ImproperlyConfigured("BID_SEALING_KEY must be base64.") from exc
    if len(key) != SecretBox.KEY_SIZE:
        raise ImproperlyConfigured(f"BID_SEALING_KEY must decode to {SecretBox.KEY_SIZE} bytes.")
    return SecretBox(key)


def keypair_generate() -> tuple[bytes, bytes]:
    """A fresh tender key pair: (public key, private key wrapped under the platform KEK)."""
    private = PrivateKey.generate()
    return bytes(private.public_key), _kek(settings.BID_SEALING_KEY).encrypt(bytes(private))


def seal(public_key: bytes, plaintext: bytes) -> bytes:
    """Encrypt to a tender's public key. Only the holder of its private key can read it."""
    return SealedBox(PublicKey(public_key)).encrypt(plaintext)


def unwrap_private_key(wrapped: bytes) -> PrivateKey:
    return PrivateKey(_kek(settings.BID_SEALING_KEY).decrypt(wrapped))


def unseal(private_key: PrivateKey, ciphertext: bytes) -> bytes:
    """Decrypt; raises nacl.exceptions.CryptoError when the ciphertext was altered."""
    return SealedBox(private_key).decrypt(ciphertext)
