// Checks of the transparency log that run in the visitor's browser (RFC 9162 §2.1.3.2 and
// §2.1.4.2, Ed25519 head signatures), the same rules as procurement/transparency.py. WebCrypto
// does the hashing and the signature check; nothing here trusts the server's word.

const HEAD_DOMAIN = "koneps-transparency-tree-head-v1";
const encoder = new TextEncoder();

const toHex = (bytes) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
function fromHex(text) {
  if (typeof text !== "string" || !/^([0-9a-f]{2})*$/i.test(text)) throw new Error("bad hex");
  return Uint8Array.from(text.match(/../g) || [], (h) => parseInt(h, 16));
}
const fromBase64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

async function sha256(...parts) {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return new Uint8Array(await crypto.subtle.digest("SHA-256", joined));
}
export const leafHash = (entryBytes) => sha256(Uint8Array.of(0), entryBytes);
const nodeHash = (left, right) => sha256(Uint8Array.of(1), left, right);
const same = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);
const odd = (n) => n % 2 === 1;
const half = (n) => Math.floor(n / 2);

export async function verifyInclusion({ leaf, index, treeSize, proof, root }) {
  if (!(index >= 0 && index < treeSize)) return false;
  let fn = index;
  let sn = treeSize - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      r = await nodeHash(p, r);
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && same(r, root);
}

export async function verifyConsistency({ first, second, firstRoot, secondRoot, proof }) {
  if (first === 0) return proof.length === 0;
  if (first > second) return false;
  if (first === second) return proof.length === 0 && same(firstRoot, secondRoot);
  const path = [...proof];
  if ((first & (first - 1)) === 0) path.unshift(firstRoot);
  if (path.length === 0) return false;
  let fn = first - 1;
  let sn = second - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = await nodeHash(c, fr);
      sr = await nodeHash(c, sr);
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = await nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return same(fr, firstRoot) && same(sr, secondRoot) && sn === 0;
}

export async function headSignatureOk(head, publicKeyHex) {
  const message = encoder.encode(`${HEAD_DOMAIN}\n${head.tree_size}\n${head.timestamp_ms}\n${head.root_hash}\n`);
  const key = await crypto.subtle.importKey("raw", fromHex(publicKeyHex), { name: "Ed25519" }, false, ["verify"]);
  return crypto.subtle.verify({ name: "Ed25519" }, key, fromBase64(head.signature), message);
}

function format(template, values) {
  return template.replace(/%\((\w+)\)s/g, (_, name) => String(values[name]));
}

async function getJSON(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
  if (!response.ok) throw new Error(`${response.status} ${url}`);
  return response.json();
}

class Failure extends Error {}

function parseHead(value) {
  const head = value && value.head ? value.head : value;
  if (!head || !Number.isInteger(head.tree_size) || !Number.isInteger(head.timestamp_ms)) throw new Failure("bad-json");
  fromHex(head.root_hash);
  return head;
}

// The latest head, checked, and proof that it extends `older` (a checked head).
async function latestExtending(older, config, publicKey) {
  const latest = await getJSON(config.apiLatest);
  if (!(await headSignatureOk(latest, publicKey))) throw new Failure("latest-bad-signature");
  if (latest.tree_size < older.tree_size) throw new Failure("shrunk");
  let proof = [];
  if (latest.tree_size > older.tree_size && older.tree_size > 0) {
    const url = `${config.apiConsistency}?first=${older.tree_size}&second=${latest.tree_size}`;
    proof = (await getJSON(url)).proof.map(fromHex);
  }
  const ok = await verifyConsistency({
    first: older.tree_size,
    second: latest.tree_size,
    firstRoot: fromHex(older.root_hash),
    secondRoot: fromHex(latest.root_hash),
    proof,
  });
  if (!ok) throw new Failure("forked");
  return latest;
}

async function checkSavedHead(text, config, publicKey) {
  let saved;
  try {
    saved = parseHead(JSON.parse(text));
  } catch {
    throw new Failure("bad-json");
  }
  if (saved.public_key && saved.public_key !== publicKey) throw new Failure("other-key");
  if (!(await headSignatureOk(saved, publicKey))) throw new Failure("bad-signature");
  const latest = await latestExtending(saved, config, publicKey);
  return format(config.msgConsistent, { first: saved.tree_size, second: latest.tree_size });
}

async function checkReceipt(text, config, publicKey) {
  let document;
  try {
    document = JSON.parse(text);
  } catch {
    throw new Failure("bad-json");
  }
  const proof = document.transparency || document;
  if (proof.status === "pending") return config.msgPending;
  const head = parseHead(proof.head);
  if (!(await headSignatureOk(head, publicKey))) throw new Failure("bad-signature");
  const leaf = fromHex(proof.leaf_hash);
  if (!same(await leafHash(encoder.encode(proof.entry)), leaf)) throw new Failure("leaf-mismatch");
  if (document.commitment && JSON.parse(proof.entry).data.commitment !== document.commitment) {
    throw new Failure("commitment-mismatch");
  }
  const included = await verifyInclusion({
    leaf,
    index: proof.leaf_index,
    treeSize: head.tree_size,
    proof: proof.audit_path.map(fromHex),
    root: fromHex(head.root_hash),
  });
  if (!included || proof.tree_size !== head.tree_size) throw new Failure("not-included");
  await latestExtending(head, config, publicKey);
  return format(config.msgIncluded, { seq: proof.seq, index: proof.leaf_index, size: head.tree_size });
}

function wire(formId, fieldId, resultId, check, config) {
  const form = document.getElementById(formId);
  if (!form) return;
  const result = document.getElementById(resultId);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    result.dataset.outcome = "";
    result.textContent = "…";
    const keyElement = document.getElementById("tl-public-key");
    try {
      if (!keyElement) throw new Failure("no-key");
      result.textContent = await check(document.getElementById(fieldId).value, config, keyElement.dataset.publicKey);
      result.dataset.outcome = "ok";
    } catch (error) {
      const key = `msg${(error instanceof Failure ? error.message : "failed").replace(/(^|-)(\w)/g, (_, __, c) => c.toUpperCase())}`;
      result.textContent = error instanceof Failure ? config[key] : `${config.msgFailed} ${error.message}`;
      result.dataset.outcome = "bad";
    }
  });
}

const configElement = document.getElementById("tl-config");
if (configElement) {
  const config = configElement.dataset;
  wire("tl-consistency-form", "tl-saved-head", "tl-consistency-result", checkSavedHead, config);
  wire("tl-inclusion-form", "tl-receipt", "tl-inclusion-result", checkReceipt, config);
}
