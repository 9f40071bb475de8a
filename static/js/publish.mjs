// The publication's key ceremony, in the publishing official's browser: a fresh X25519 key pair for
// the tender, its private key split k-of-n (Shamir, shamir-secret-sharing), each share sealed to one
// custodian, the reserve prices drawn and sealed to the tender key; only public material is posted,
// and the private key is wiped from memory.
import { split } from "../vendor/crypto/shamir.mjs";
import { reserveSealedDraw } from "./reserve_draw.mjs";
import { b64, fromB64, keypair, ready, seal, wipe } from "./sealing.mjs";

const form = document.getElementById("publish-form");
const ceremony = JSON.parse(document.getElementById("tender-ceremony").textContent);
const field = document.getElementById("id_sealing");
const error = document.getElementById("publish-error");

async function material() {
  await ready();
  const pair = keypair();
  try {
    const shares = await split(pair.privateKey, ceremony.custodians.length, ceremony.threshold);
    const sealedShares = ceremony.custodians.map((custodian, i) => {
      const sealed = seal(shares[i], fromB64(custodian.public_key));
      wipe(shares[i]);
      return { custodian: custodian.id, sealed_share: b64(sealed) };
    });
    const reservePrices = ceremony.reserve ? reserveSealedDraw(ceremony.reserve, pair.publicKey) : null;
    return { public_key: b64(pair.publicKey), shares: sealedShares, reserve_prices: reservePrices };
  } finally {
    wipe(pair.privateKey);
  }
}

// The material is made as soon as the page has loaded, before any submit: the portal's confirmation
// dialog and its submit-once guard (portal.js, capturing on the document) then see an ordinary form.
// Nothing secret stays behind: the private key is wiped inside material(), the field holds only the
// public key and sealed shares, and a reload simply makes a new key pair.
try {
  field.value = JSON.stringify(await material());
  form.querySelector('button[type="submit"]').disabled = false;
} catch {
  error.hidden = false;
}
