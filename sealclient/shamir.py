"""Shamir's secret sharing over GF(2^8), byte-compatible with npm `shamir-secret-sharing` 0.0.4.

The browser splits a tender's private key with that library (HashiCorp Vault's scheme: field
polynomial x^8 + x^4 + x^3 + x + 1, generator 0xe5); this module is a line-by-line port so that Python
and JavaScript shares are interchangeable. A share is the secret's length plus one byte: byte i is
the value of the i-th secret byte's random polynomial at x, and the last byte is x (1..255).

Like the library, `combine` cannot tell a wrong reconstruction from a right one (any k shares of
anything give *some* bytes): callers check the result, e.g. against the tender's public key.
"""

import secrets
from collections.abc import Sequence

# Vault's tables (shamir/tables.go), copied from the vendored library.
_LOG = bytes.fromhex(
    "00ffc8089110d0365a3ed8439977fe1823200770a16c0c7f628b4046c74be00e"
    "eb16e8adcfcd39536a273593d44e48c32b79542809780f219087142aa99cd674"
    "b47cdeedb18676a498e2968f02321cc133eeef81fd305c139d2917c411448c80"
    "f373421e1db5f012d15b41a2d72ce9d559cb50a8dcfcf25672a6652f9f9b3dba"
    "7dc24582a757b6a37a754fae3f376d4761beabd35fb058afca5efa85e44d8a05"
    "fb60b77bb8264a67c61af86925b3dbbd66ddf1d2df038d34d9920d6355aa49ec"
    "bc953c840bf5e6e7e5ac7e6eb9f9da8e9ac924e10a156b3aa051f4eab2979e5d"
    "228894ce1901714ca5e3c531bbcc1f2d3b526ff62e89f7c0681b640406bf8338"
)
_EXP = bytes.fromhex(
    "01e54cb5fb9ffc120334d4c416ba1f36055c67573ad5215a0fe4a9f94e6463ee"
    "1137e010d2aca52933593b306deff47b55eb4d50b72a078dff26d7f0c27e098c"
    "1a6a620b5d821b8f2ebea61de79d2d8a72d9f12732bc77859670086956df9994"
    "a19018bbfa7ab0a7f8ab28d6158ecbf213e678613f89460d353188a34180ca17"
    "5f5383fec39b4539e1f59e195eb6cf4b3804b92be2c14add480cd07d3d58de7c"
    "d8146b8747e87984733cbd92c9238b979544dcad406586a2a4cc7fecc0af91fd"
    "f74f812f5beaa81c02d19871ed25e3240668b3932c6f3e6c0ab8ceae74b142b4"
    "1ed349e99cc8c6c7226edb20bf43515266b27660dac5f3f6aacd9aa075540e01"
)


class ShareError(ValueError):
    """The shares cannot be combined (too few, duplicated, malformed)."""


def _mult(a: int, b: int) -> int:
    if a == 0 or b == 0:
        return 0
    return _EXP[(_LOG[a] + _LOG[b]) % 255]


def _div(a: int, b: int) -> int:
    if b == 0:
        raise ZeroDivisionError("cannot divide by zero in GF(2^8)")
    if a == 0:
        return 0
    return _EXP[(_LOG[a] - _LOG[b] + 255) % 255]


def _interpolate_at_zero(xs: Sequence[int], ys: Sequence[int]) -> int:
    result = 0
    for i, (x_i, y_i) in enumerate(zip(xs, ys, strict=True)):
        basis = 1
        for j, x_j in enumerate(xs):
            if i != j:
                # Addition and subtraction are both XOR in GF(2^8); x is 0 here.
                basis = _mult(basis, _div(x_j, x_i ^ x_j))
        result ^= _mult(y_i, basis)
    return result


def _evaluate(coefficients: Sequence[int], x: int) -> int:
    result = coefficients[-1]
    for coefficient in reversed(coefficients[:-1]):
        result = _mult(result, x) ^ coefficient
    return result


def split(secret: bytes, n: int, k: int) -> list[bytes]:
    """`n` shares of `secret`, any `k` of which give it back (2 <= k <= n <= 255)."""
    if not isinstance(secret, bytes | bytearray) or not secret:
        raise ValueError("secret must be non-empty bytes")
    if not 2 <= n <= 255 or not 2 <= k <= 255:
        raise ValueError("shares and threshold must be between 2 and 255")
    if n < k:
        raise ValueError("shares cannot be less than threshold")
    # Distinct non-zero x coordinates, drawn at random as the library does (the order is not secret).
    xs = list(range(1, 256))
    secrets.SystemRandom().shuffle(xs)
    xs = xs[:n]
    shares = [bytearray(len(secret) + 1) for _ in range(n)]
    for share, x in zip(shares, xs, strict=True):
        share[-1] = x
    for index, byte in enumerate(secret):
        coefficients = [byte, *secrets.token_bytes(k - 1)]
        for share, x in zip(shares, xs, strict=True):
            share[index] = _evaluate(coefficients, x)
    return [bytes(share) for share in shares]


def combine(shares: Sequence[bytes]) -> bytes:
    """The secret interpolated from `shares` (at least the threshold number of them)."""
    shares = list(shares)
    if not 2 <= len(shares) <= 255:
        raise ShareError("combine needs between 2 and 255 shares")
    if any(not isinstance(share, bytes | bytearray) for share in shares):
        raise ShareError("each share must be bytes")
    length = len(shares[0])
    if length < 2 or any(len(share) != length for share in shares):
        raise ShareError("all shares must have the same length of at least 2 bytes")
    xs = [share[-1] for share in shares]
    if 0 in xs:
        raise ShareError("a share has the x coordinate 0, which no valid share has")
    if len(set(xs)) != len(xs):
        raise ShareError("two shares have the same x coordinate (a share was given twice)")
    return bytes(_interpolate_at_zero(xs, [share[i] for share in shares]) for i in range(length - 1))
