// Cross-check of sealclient against the vendored browser libraries (run by test_crosscheck.py).
// Reads a JSON object on stdin: what Python made for JavaScript to open. Writes a JSON object:
// what JavaScript opened, plus fresh artefacts made here for Python to open. With `{}` on stdin
// it only makes artefacts (that is how vectors.json was produced).
import sodium from '../../static/vendor/crypto/libsodium-wrappers.mjs';
import { split, combine } from '../../static/vendor/crypto/shamir.mjs';

await sodium.ready;
const B64 = sodium.base64_variants.ORIGINAL;
const enc = (bytes) => sodium.to_base64(bytes, B64);
const dec = (text) => sodium.from_base64(text, B64);
const hex = (bytes) => sodium.to_hex(bytes);

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const input = JSON.parse(Buffer.concat(chunks).toString() || '{}');
const out = {};

// Made in JavaScript, for Python to open.
const secret = sodium.randombytes_buf(32);
out.shamir = {
  secret: hex(secret),
  shares_3_of_2: (await split(secret, 3, 2)).map(hex),
  shares_5_of_3: (await split(secret, 5, 3)).map(hex),
};
const tender = sodium.crypto_box_keypair();
const message = '{"price":"98765000","note":"입찰 금액"}';
out.sealed_box = {
  public_key: enc(tender.publicKey),
  private_key: enc(tender.privateKey),
  message,
  ciphertext: enc(sodium.crypto_box_seal(sodium.from_string(message), tender.publicKey)),
};
const custodian = sodium.crypto_box_keypair();
const passphrase = '관리자 passphrase 2026';
const salt = sodium.randombytes_buf(sodium.crypto_pwhash_SALTBYTES);
const opslimit = sodium.crypto_pwhash_OPSLIMIT_INTERACTIVE;
const memlimit = sodium.crypto_pwhash_MEMLIMIT_INTERACTIVE;
const key = sodium.crypto_pwhash(32, passphrase, salt, opslimit, memlimit, sodium.crypto_pwhash_ALG_ARGON2ID13);
const nonce = sodium.randombytes_buf(sodium.crypto_secretbox_NONCEBYTES);
out.custodian_blob = {
  passphrase,
  public_key: enc(custodian.publicKey),
  private_key: enc(custodian.privateKey),
  blob: {
    salt: enc(salt), opslimit, memlimit, nonce: enc(nonce),
    ciphertext: enc(sodium.crypto_secretbox_easy(custodian.privateKey, nonce, key)),
  },
};

// Made in Python, opened here.
if (input.shamir) {
  out.opened_shamir = hex(await combine(input.shamir.shares.map((s) => sodium.from_hex(s))));
}
if (input.sealed_box) {
  const sk = dec(input.sealed_box.private_key);
  const pk = dec(input.sealed_box.public_key);
  out.opened_sealed_box = sodium.to_string(sodium.crypto_box_seal_open(dec(input.sealed_box.ciphertext), pk, sk));
}
if (input.custodian_blob) {
  const b = input.custodian_blob.blob;
  const k = sodium.crypto_pwhash(32, input.custodian_blob.passphrase, dec(b.salt), b.opslimit, b.memlimit,
    sodium.crypto_pwhash_ALG_ARGON2ID13);
  out.opened_custodian_key = enc(sodium.crypto_secretbox_open_easy(dec(b.ciphertext), dec(b.nonce), k));
}
process.stdout.write(JSON.stringify(out, null, 1) + '\n');
