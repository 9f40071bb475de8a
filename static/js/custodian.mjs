// Custodian enrolment: the X25519 key pair is made here and its private key encrypted under a key
// derived from the passphrase (Argon2id); only the public key and that encrypted blob are posted.
import { b64, custodianKeyWrap, keypair, ready, wipe } from "./sealing.mjs";

const form = document.getElementById("custodian-form");
const error = document.getElementById("custodian-error");
const button = form.querySelector('button[type="submit"]');

function refuse(event, message) {
  event.preventDefault();
  event.stopImmediatePropagation();
  error.textContent = message;
  error.hidden = false;
}

// libsodium is loaded and the key pair made before the button is enabled, so that the submit
// handler below is synchronous and lets the form's own submission go ahead. An asynchronous handler
// that re-submits is silently ignored by Chromium: its awaits settle while the first submit event is
// still being dispatched, and requestSubmit() is a no-op then (docs/sealing.md, "Browser pages").
let pair = null;
try {
  await ready();
  pair = keypair();
  button.disabled = false;
} catch {
  error.textContent = form.dataset.unsupported;
  error.hidden = false;
}

form.addEventListener(
  "submit",
  (event) => {
    const first = document.getElementById("id_passphrase");
    const second = document.getElementById("id_passphrase2");
    error.hidden = true;
    if (!pair) {
      // Already posted (a second click while the page loads): the key is wiped, post nothing more.
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    if (first.value.length < 12) return refuse(event, form.dataset.short);
    if (first.value !== second.value) return refuse(event, form.dataset.mismatch);
    try {
      document.getElementById("id_sealed_private_key").value = JSON.stringify(custodianKeyWrap(pair.privateKey, first.value));
      document.getElementById("id_public_key").value = b64(pair.publicKey);
    } catch {
      return refuse(event, form.dataset.unsupported);
    } finally {
      wipe(pair.privateKey);
      pair = null;
      first.value = "";
      second.value = "";
    }
  },
  { capture: true },
);
