// The key-share page: unlock the custodian's key with the passphrase, open the sealed share, post
// only the share. The passphrase and the custodian's private key never leave this page.
import { b64, custodianKeyUnwrap, fromB64, ready, unseal, wipe } from "./sealing.mjs";

const form = document.getElementById("key-share-form");
if (form) {
  const material = JSON.parse(document.getElementById("custodian-material").textContent);
  const error = document.getElementById("key-share-error");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    const passphrase = document.getElementById("id_passphrase");
    await ready();
    let privateKey;
    try {
      privateKey = custodianKeyUnwrap(material.sealed_private_key, passphrase.value);
    } catch {
      error.textContent = form.dataset.wrongPassphrase;
      error.hidden = false;
      return;
    }
    try {
      const share = unseal(fromB64(material.sealed_share), fromB64(material.public_key), privateKey);
      document.getElementById("id_share").value = b64(share);
      wipe(share);
    } catch {
      error.textContent = form.dataset.wrongShare;
      error.hidden = false;
      return;
    } finally {
      wipe(privateKey);
      passphrase.value = "";
    }
    form.submit();
  });
}
