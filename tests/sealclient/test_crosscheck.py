"""sealclient against the vendored browser libraries (libsodium-wrappers-sumo, shamir-secret-sharing).

Committed vectors (made by crosscheck.mjs with Node) always run; the live test runs Node both ways
when it is installed.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from sealclient import sealing, shamir

HERE = Path(__file__).parent
VECTORS = json.loads((HERE / "vectors.json").read_text())


def _python_opens(made_in_js: dict) -> None:
    secret = bytes.fromhex(made_in_js["shamir"]["secret"])
    shares = [bytes.fromhex(s) for s in made_in_js["shamir"]["shares_5_of_3"]]
    assert shamir.combine(shares[1:4]) == secret
    box = made_in_js["sealed_box"]
    private = sealing.b64decode(box["private_key"])
    assert sealing.public_key_of(private) == sealing.b64decode(box["public_key"])
    assert sealing.unseal(private, sealing.b64decode(box["ciphertext"])).decode() == box["message"]
    custodian = made_in_js["custodian_blob"]
    unwrapped = sealing.custodian_key_unwrap(custodian["blob"], custodian["passphrase"])
    assert unwrapped == sealing.b64decode(custodian["private_key"])
    with pytest.raises(sealing.SealingError, match="wrong passphrase"):
        sealing.custodian_key_unwrap(custodian["blob"], custodian["passphrase"] + " ")


def test_what_the_browser_libraries_made_opens_in_python():
    _python_opens(VECTORS)


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed, so the live cross-check cannot run")
def test_python_and_the_browser_libraries_open_each_other_live():
    secret = sealing.keypair()[1]
    public, private = sealing.keypair()
    message = '{"price":"12345000","note":"한글 내용"}'
    custodian_private = sealing.keypair()[1]
    blob = sealing.custodian_key_wrap(custodian_private, "비밀 문구", opslimit=2, memlimit=64 * 1024 * 1024)
    made_in_python = {
        "shamir": {"shares": [s.hex() for s in shamir.split(secret, 4, 2)[1:3]]},
        "sealed_box": {
            "public_key": sealing.b64encode(public),
            "private_key": sealing.b64encode(private),
            "ciphertext": sealing.b64encode(sealing.seal(public, message.encode())),
        },
        "custodian_blob": {"passphrase": "비밀 문구", "blob": blob.as_json()},
    }
    result = subprocess.run(
        [shutil.which("node"), str(HERE / "crosscheck.mjs")],
        input=json.dumps(made_in_python),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    made_in_js = json.loads(result.stdout)
    assert made_in_js["opened_shamir"] == secret.hex()
    assert made_in_js["opened_sealed_box"] == message
    assert sealing.b64decode(made_in_js["opened_custodian_key"]) == custodian_private
    _python_opens(made_in_js)
