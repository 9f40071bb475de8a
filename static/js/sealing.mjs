// Sealing in the browser: libsodium sealed boxes (byte-compatible with PyNaCl's SealedBox),
// custodian keys under an Argon2id passphrase key, Shamir shares of tender keys.
import sodium from "../vendor/crypto/libsodium-wrappers.mjs";

export async function ready() {
  await sodium.ready;
  return sodium;
}

export function b64(bytes) {
  return sodium.to_base64(bytes, sodium.base64_variants.ORIGINAL);
}

export function fromB64(text) {
  return sodium.from_base64(text, sodium.base64_variants.ORIGINAL);
}

export function seal(message, publicKey) {
  return sodium.crypto_box_seal(message, publicKey);
}

export function utf8(text) {
  return new TextEncoder().encode(text);
}

export async function sha256Hex(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

// The same, synchronously (libsodium must be ready): for submit handlers that must not await.
export function sha256HexNow(bytes) {
  return sodium.to_hex(sodium.crypto_hash_sha256(bytes));
}

// The custodian's private key encrypted under a key derived from the passphrase (Argon2id).
export function custodianKeyWrap(privateKey, passphrase) {
  const salt = sodium.randombytes_buf(sodium.crypto_pwhash_SALTBYTES);
  // INTERACTIVE (2 passes, 64 MiB): MODERATE's 256 MiB does not fit every browser tab.
  const opslimit = sodium.crypto_pwhash_OPSLIMIT_INTERACTIVE;
  const memlimit = sodium.crypto_pwhash_MEMLIMIT_INTERACTIVE;
  const key = sodium.crypto_pwhash(
    sodium.crypto_secretbox_KEYBYTES, passphrase, salt, opslimit, memlimit, sodium.crypto_pwhash_ALG_ARGON2ID13,
  );
  const nonce = sodium.randombytes_buf(sodium.crypto_secretbox_NONCEBYTES);
  const ciphertext = sodium.crypto_secretbox_easy(privateKey, nonce, key);
  sodium.memzero(key);
  return { salt: b64(salt), opslimit, memlimit, nonce: b64(nonce), ciphertext: b64(ciphertext) };
}

// Throws when the passphrase is wrong (the MAC does not verify).
export function custodianKeyUnwrap(blob, passphrase) {
  const key = sodium.crypto_pwhash(
    sodium.crypto_secretbox_KEYBYTES, passphrase, fromB64(blob.salt), blob.opslimit, blob.memlimit,
    sodium.crypto_pwhash_ALG_ARGON2ID13,
  );
  try {
    return sodium.crypto_secretbox_open_easy(fromB64(blob.ciphertext), fromB64(blob.nonce), key);
  } finally {
    sodium.memzero(key);
  }
}

export function unseal(ciphertext, publicKey, privateKey) {
  return sodium.crypto_box_seal_open(ciphertext, publicKey, privateKey);
}

export function keypair() {
  return sodium.crypto_box_keypair();
}

export function wipe(bytes) {
  if (bytes) sodium.memzero(bytes);
}
