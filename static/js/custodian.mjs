// Custodian enrolment: the X25519 key pair is made here and its private key encrypted under a key
// derived from the passphrase (Argon2id); only the public key and that encrypted blob are posted.
import { b64, custodianKeyWrap, keypair, ready, wipe } from "./sealing.mjs";

const form = document.getElementById("custodian-form");
const error = document.getElementById("custodian-error");

form.addEventListener(
  "submit",
  async (event) => {
    if (document.getElementById("id_public_key").value) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    const first = document.getElementById("id_passphrase");
    const second = document.getElementById("id_passphrase2");
    error.hidden = true;
    if (first.value.length < 12) {
      error.textContent = form.dataset.short;
      error.hidden = false;
      return;
    }
    if (first.value !== second.value) {
      error.textContent = form.dataset.mismatch;
      error.hidden = false;
      return;
    }
    await ready();
    const pair = keypair();
    try {
      document.getElementById("id_sealed_private_key").value = JSON.stringify(custodianKeyWrap(pair.privateKey, first.value));
      document.getElementById("id_public_key").value = b64(pair.publicKey);
    } finally {
      wipe(pair.privateKey);
      first.value = "";
      second.value = "";
    }
    form.requestSubmit();
  },
  { capture: true },
);
