#!/usr/bin/env bash
# Vendor the browser cryptography into static/vendor/crypto/ (the result is committed):
#
#   libsodium-wrappers.mjs, libsodium-sumo.mjs   npm "libsodium-wrappers-sumo" (sealed boxes, Argon2id,
#                                                secretbox; byte-compatible with PyNaCl)
#   shamir.mjs, csprng.js                        npm "shamir-secret-sharing" (HashiCorp Vault's scheme)
#
# The packages are ES modules that import each other by bare name ("libsodium-sumo",
# "shamir-secret-sharing/csprng"). A browser resolves bare names only through an inline import map,
# which our Content-Security-Policy refuses, so the imports are rewritten to relative paths.
#
# Usage: scripts/vendor_crypto.sh          (needs npm; re-run after changing a version)
set -euo pipefail

SODIUM_VERSION="0.8.4"
SHAMIR_VERSION="0.0.4"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/static/vendor/crypto"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

(cd "$TMP" && npm pack --silent "libsodium-wrappers-sumo@$SODIUM_VERSION" "libsodium-sumo@$SODIUM_VERSION" \
    "shamir-secret-sharing@$SHAMIR_VERSION" >/dev/null)
for name in libsodium-wrappers-sumo libsodium-sumo; do
    mkdir -p "$TMP/$name"
    tar -xzf "$TMP/$name-$SODIUM_VERSION.tgz" -C "$TMP/$name"
done
mkdir -p "$TMP/shamir"
tar -xzf "$TMP/shamir-secret-sharing-$SHAMIR_VERSION.tgz" -C "$TMP/shamir"

rm -rf "$OUT"
mkdir -p "$OUT"
sed 's#from"libsodium-sumo"#from"./libsodium-sumo.mjs"#' \
    "$TMP/libsodium-wrappers-sumo/package/dist/modules-sumo-esm/libsodium-wrappers.mjs" >"$OUT/libsodium-wrappers.mjs"
cp "$TMP/libsodium-sumo/package/dist/modules-sumo-esm/libsodium-sumo.mjs" "$OUT/libsodium-sumo.mjs"
sed "s#from 'shamir-secret-sharing/csprng'#from './csprng.js'#" "$TMP/shamir/package/esm/index.js" \
    | sed '/sourceMappingURL/d' >"$OUT/shamir.mjs"
sed '/sourceMappingURL/d' "$TMP/shamir/package/esm/csprng.js" >"$OUT/csprng.js"
grep -q 'from"./libsodium-sumo.mjs"' "$OUT/libsodium-wrappers.mjs" || { echo "libsodium import not rewritten" >&2; exit 1; }
grep -q "from './csprng.js'" "$OUT/shamir.mjs" || { echo "shamir import not rewritten" >&2; exit 1; }
{
    echo "libsodium-wrappers-sumo $SODIUM_VERSION and libsodium-sumo $SODIUM_VERSION (ISC licence):"
    cat "$TMP/libsodium-wrappers-sumo/package/LICENSE"
    echo
    echo "shamir-secret-sharing $SHAMIR_VERSION (Apache License 2.0):"
    cat "$TMP/shamir/package/LICENSE"
} >"$OUT/LICENSES.txt"
echo "Vendored into $OUT:"
ls -la "$OUT"
