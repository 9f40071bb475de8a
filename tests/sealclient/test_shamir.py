"""Shamir shares: any k give the key back, k-1 do not, and bad input is refused in plain words."""

import itertools
import json
import os
from pathlib import Path

import pytest

from sealclient.shamir import ShareError, combine, split

VECTORS = json.loads((Path(__file__).parent / "vectors.json").read_text())["shamir"]


def test_every_k_subset_of_the_shares_gives_the_secret_back():
    secret = os.urandom(32)
    shares = split(secret, 5, 3)
    assert all(len(share) == 33 for share in shares)
    assert len({share[-1] for share in shares}) == 5  # distinct x coordinates
    for subset in itertools.combinations(shares, 3):
        assert combine(list(subset)) == secret
    assert combine(shares) == secret  # more than k is fine too


def test_k_minus_one_shares_give_a_different_value():
    secret = os.urandom(32)
    shares = split(secret, 5, 3)
    for subset in itertools.combinations(shares, 2):
        assert combine(list(subset)) != secret


def test_shares_the_javascript_library_made_combine_in_python():
    secret = bytes.fromhex(VECTORS["secret"])
    two_of_three = [bytes.fromhex(s) for s in VECTORS["shares_3_of_2"]]
    for subset in itertools.combinations(two_of_three, 2):
        assert combine(list(subset)) == secret
    three_of_five = [bytes.fromhex(s) for s in VECTORS["shares_5_of_3"]]
    for subset in itertools.combinations(three_of_five, 3):
        assert combine(list(subset)) == secret
    assert combine(three_of_five[:2]) != secret


def test_a_share_given_twice_is_refused():
    shares = split(os.urandom(32), 3, 2)
    with pytest.raises(ShareError, match="same x coordinate"):
        combine([shares[0], shares[0]])


@pytest.mark.parametrize(
    ("shares", "message"),
    [
        ([b"\x01" * 33], "between 2 and 255"),
        ([b"\x01" * 33, b"\x02" * 32], "same length"),
        ([b"\x01", b"\x02"], "at least 2 bytes"),
        ([b"\x01" * 32 + b"\x00", b"\x02" * 33], "x coordinate 0"),
        (["not bytes", b"\x02" * 33], "must be bytes"),
    ],
)
def test_malformed_shares_are_refused_with_a_clear_error(shares, message):
    with pytest.raises(ShareError, match=message):
        combine(shares)


@pytest.mark.parametrize(("n", "k"), [(1, 1), (3, 1), (2, 3), (256, 2)])
def test_impossible_splits_are_refused(n, k):
    with pytest.raises(ValueError, match=r"threshold|between"):
        split(os.urandom(32), n, k)
