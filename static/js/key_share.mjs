// The key-share page: unlock the custodian's key with the passphrase, open the sealed share, post
// only the share. The passphrase and the custodian's private key never leave this page.
// As on the enrolment page (custodian.mjs), libsodium is ready before the button is enabled and the
// submit handler is synchronous, so the form's own submission goes ahead without a re-submit.
import { b64, custodianKeyUnwrap, fromB64, ready, unseal, wipe } from "./sealing.mjs";

const form = document.getElementById("key-share-form");
if (form) {
  const material = JSON.parse(document.getElementById("custodian-material").textContent);
  const error = document.getElementById("key-share-error");
  const refuse = (event, message) => {
    event.preventDefault();
    event.stopImmediatePropagation();
    error.textContent = message;
    error.hidden = false;
  };
  await ready();
  form.querySelector('button[type="submit"]').disabled = false;
  form.addEventListener(
    "submit",
    (event) => {
      error.hidden = true;
      const passphrase = document.getElementById("id_passphrase");
      const share = document.getElementById("id_share");
      if (share.value) return; // already opened: this is the form going out
      let privateKey;
      try {
        privateKey = custodianKeyUnwrap(material.sealed_private_key, passphrase.value);
      } catch {
        return refuse(event, form.dataset.wrongPassphrase);
      }
      try {
        const opened = unseal(fromB64(material.sealed_share), fromB64(material.public_key), privateKey);
        share.value = b64(opened);
        wipe(opened);
      } catch {
        return refuse(event, form.dataset.wrongShare);
      } finally {
        wipe(privateKey);
        passphrase.value = "";
      }
    },
    { capture: true },
  );
}
