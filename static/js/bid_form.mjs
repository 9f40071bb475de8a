// The bid page: check the bid with the portal's rules, show it for confirmation (with the amount
// in Korean words), then seal it to the tender's public key and post only ciphertexts, the salted
// hash of the plaintext and the idempotency key. The plaintext never leaves this page.
import { koreanAmount } from "./korean_amount.mjs";
import { ready, seal, sha256Hex, utf8 } from "./sealing.mjs";

const form = document.getElementById("bid-form");
const config = JSON.parse(document.getElementById("bid-sealing").textContent);
const messages = config.messages;
const errors = document.getElementById("bid-errors");
const confirmPanel = document.getElementById("bid-confirm");
let prepared = null;

// --- decimal arithmetic on strings (BigInt, no floating point) ----------------------------------

function parseDecimal(raw) {
  const text = String(raw ?? "").trim().replaceAll(",", "");
  const match = /^(-?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!text || !match || (match[2] === "" && !match[3])) return null;
  const fraction = match[3] || "";
  return { units: BigInt(match[1] + (match[2] || "0") + fraction), scale: fraction.length };
}

function rescale(value, scale) {
  return value.units * 10n ** BigInt(scale - value.scale);
}

function formatUnits(units, scale) {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, "0");
  const text = scale ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
  return negative ? `-${text}` : text;
}

// value × 10^exponent rounded half up to whole units (the currency's smallest unit).
function roundToCurrency(units, scale, exponent) {
  if (scale <= exponent) return units * 10n ** BigInt(exponent - scale);
  const divisor = 10n ** BigInt(scale - exponent);
  const quotient = units / divisor;
  const remainder = units % divisor;
  return remainder * 2n >= divisor ? quotient + 1n : quotient;
}

function plainQuantity(value) {
  let text = formatUnits(value.units, value.scale);
  if (text.includes(".")) text = text.replace(/0+$/, "").replace(/\.$/, "");
  return text;
}

function grouped(text) {
  const [whole, fraction] = text.split(".");
  const withCommas = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return fraction ? `${withCommas}.${fraction}` : withCommas;
}

function fill(message, values) {
  return message.replace(/%\((\w+)\)s/g, (_, key) => values[key]);
}

// --- the rules of bidding.content -----------------------------------------------------------------

class Problem extends Error {
  constructor(message, field) {
    super(message);
    this.field = field;
  }
}

function money(raw, field) {
  const value = parseDecimal(raw);
  if (!value) throw new Problem(messages.amount, field);
  if (value.units <= 0n) throw new Problem(messages.positive, field);
  const exponent = config.exponent;
  const exact = rescale(value, Math.max(value.scale, exponent));
  const rounded = roundToCurrency(value.units, value.scale, exponent);
  if (rounded * 10n ** BigInt(Math.max(value.scale, exponent) - exponent) !== exact) {
    throw new Problem(exponent === 0 ? messages.whole : messages.decimals, field);
  }
  if (rounded > BigInt(config.max_price) * 10n ** BigInt(exponent)) throw new Problem(messages.too_large, field);
  return rounded; // in the currency's smallest unit
}

function priceLines(text) {
  const lines = [];
  text.split(/\r?\n/).forEach((raw) => {
    if (!raw.trim()) return;
    const parts = raw.split("|").map((p) => p.trim());
    while (parts.length < 3) parts.push("");
    const n = lines.length + 1;
    const description = (parts.length > 3 ? parts.slice(0, -2).join(" | ") : parts[0]).split(/\s+/).join(" ").trim();
    if (!description) throw new Problem(fill(messages.line_description, { n }), "lines");
    const quantity = parseDecimal(parts.at(-2));
    const unitPrice = parseDecimal(parts.at(-1));
    if (!quantity || !unitPrice || quantity.units <= 0n || unitPrice.units < 0n) {
      throw new Problem(fill(messages.line_numbers, { n }), "lines");
    }
    const amount = roundToCurrency(quantity.units * unitPrice.units, quantity.scale + unitPrice.scale, config.exponent);
    lines.push({
      description: description.slice(0, 300),
      quantity: plainQuantity(quantity),
      unit_price: formatUnits(unitPrice.units, unitPrice.scale),
      amount,
    });
  });
  if (lines.length > config.max_lines) throw new Problem(messages.too_many_lines, "lines");
  return lines;
}

function checkedPicks() {
  if (!config.reserve_count) return [];
  const picks = Array.from(form.querySelectorAll('input[name="reserve_picks"]:checked'), (box) => Number(box.value));
  if (picks.length !== config.picks_required) throw new Problem(messages.picks, "reserve_picks");
  return picks.sort((a, b) => a - b);
}

async function readDocuments() {
  const input = form.querySelector('input[name="documents"]');
  const files = input ? Array.from(input.files) : [];
  if (files.length > config.max_documents) throw new Problem(messages.too_many_documents, "documents");
  if (config.needs_documents && !files.length) throw new Problem(messages.needs_documents, "documents");
  const documents = [];
  for (const [position, file] of files.entries()) {
    if (file.size > config.max_bytes) throw new Problem(messages.document_too_large, "documents");
    const data = new Uint8Array(await file.arrayBuffer());
    documents.push({
      data,
      entry: {
        position,
        name: file.name.slice(0, 255),
        content_type: file.type || "application/octet-stream",
        size: data.length,
        sha256: await sha256Hex(data),
      },
    });
  }
  return documents;
}

async function prepare() {
  const total = money(form.elements.price.value, "price");
  const lines = priceLines(form.elements.lines ? form.elements.lines.value : "");
  if (lines.length) {
    const sum = lines.reduce((acc, line) => acc + line.amount, 0n);
    if (sum !== total) {
      throw new Problem(
        fill(messages.lines_sum, {
          sum: formatUnits(sum, config.exponent),
          total: formatUnits(total, config.exponent),
        }),
        "lines",
      );
    }
  }
  if (!form.elements.no_conflict_of_interest.checked || !form.elements.no_collusion.checked) {
    throw new Problem(messages.declarations, "no_conflict_of_interest");
  }
  const picks = checkedPicks();
  const documents = await readDocuments();
  const price = formatUnits(total, config.exponent);
  const sealedLines = lines.map((l) => ({
    amount: formatUnits(l.amount, config.exponent),
    description: l.description,
    quantity: l.quantity,
    unit_price: l.unit_price,
  }));
  if (config.envelopes === 2) {
    // Two envelopes (docs/sealing.md): declarations and documents in the technical one, the price
    // in its own; each sealed separately, each with its own commitment.
    const technical = {
      declarations: { no_collusion: true, no_conflict_of_interest: true },
      documents: documents.map((d) => d.entry),
      schema: "koneps-bid-technical-v1",
      supplier: config.supplier,
      tender: config.tender,
    };
    const priceEnvelope = {
      currency: config.currency,
      lines: sealedLines,
      price,
      reserve_picks: picks,
      schema: "koneps-bid-price-v1",
      supplier: config.supplier,
      tender: config.tender,
    };
    return { content: technical, priceContent: priceEnvelope, documents, price, total, picks, lines: sealedLines };
  }
  // Keys in sorted order and no spaces, as bidding.content.canonical_json writes it.
  const content = {
    currency: config.currency,
    declarations: { no_collusion: true, no_conflict_of_interest: true },
    documents: documents.map((d) => d.entry),
    lines: sealedLines,
    price,
    reserve_picks: picks,
    schema: "koneps-bid-content-v1",
    supplier: config.supplier,
    tender: config.tender,
  };
  return { content, priceContent: null, documents, price, total, picks, lines: sealedLines };
}

// --- the browser's fingerprint (integrity monitoring) ---------------------------------------------

// A SHA-256 of properties that stay the same across visits of one browser on one machine (no cookie,
// nothing stored). The portal keys it again and keeps only that keyed hash (integrity.BidOrigin), so
// its auditors can see that two companies' bids on one tender came from the same browser
// (docs/integrity.md, `same_browser`). Nothing here says anything about the bid.
async function browserFingerprint() {
  const nav = window.navigator;
  const properties = {
    agent: nav.userAgent,
    languages: Array.from(nav.languages || [nav.language]),
    platform: nav.platform,
    cores: nav.hardwareConcurrency || 0,
    memory: nav.deviceMemory || 0,
    touch: nav.maxTouchPoints || 0,
    screen: [screen.width, screen.height, screen.colorDepth, window.devicePixelRatio],
    zone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    canvas: "",
  };
  try {
    // How this machine's fonts and graphics stack draw a fixed text: stable here, varied elsewhere.
    const canvas = document.createElement("canvas");
    canvas.width = 240;
    canvas.height = 40;
    const context = canvas.getContext("2d");
    context.textBaseline = "top";
    context.font = "16px sans-serif";
    context.fillStyle = "#1d56bc";
    context.fillText("나라장터 fingerprint 0123456789", 4, 10);
    properties.canvas = await sha256Hex(utf8(canvas.toDataURL()));
  } catch {
    // A browser that refuses canvas reads still gives the rest.
  }
  return `fp1:${await sha256Hex(utf8(JSON.stringify(properties)))}`;
}

// --- confirmation, sealing, posting ---------------------------------------------------------------

function showProblem(problem) {
  errors.textContent = problem.message;
  errors.hidden = false;
  const field = problem.field && form.querySelector(`[name="${problem.field}"]`);
  (field || errors).focus?.();
}

function rows(table, cells) {
  const body = table.querySelector("tbody");
  body.replaceChildren(
    ...cells.map((values) => {
      const row = document.createElement("tr");
      values.forEach((value) => {
        const cell = document.createElement("td");
        cell.textContent = value;
        row.append(cell);
      });
      return row;
    }),
  );
  table.hidden = cells.length === 0;
}

function showConfirmation(bid) {
  const whole = bid.price.split(".")[0];
  document.getElementById("confirm-price").textContent = `${grouped(bid.price)} ${config.currency}`;
  document.getElementById("confirm-words").textContent =
    config.currency === "KRW" ? `${koreanAmount(whole)} ${messages.won}` : `${koreanAmount(whole)} ${config.currency}`;
  document.getElementById("confirm-picks-row").hidden = !bid.picks.length;
  document.getElementById("confirm-picks").textContent = bid.picks.join(", ");
  rows(
    document.getElementById("confirm-lines"),
    bid.lines.map((l) => [l.description, l.quantity, grouped(l.unit_price), grouped(l.amount)]),
  );
  rows(
    document.getElementById("confirm-documents"),
    bid.documents.map((d) => [d.entry.name, String(d.entry.size), d.entry.sha256]),
  );
  form.hidden = true;
  confirmPanel.hidden = false;
  confirmPanel.focus();
}

form.addEventListener(
  "submit",
  async (event) => {
    event.preventDefault();
    event.stopImmediatePropagation();
    errors.hidden = true;
    try {
      prepared = await prepare();
    } catch (problem) {
      if (!(problem instanceof Problem)) throw problem;
      showProblem(problem);
      return;
    }
    showConfirmation(prepared);
  },
  { capture: true },
);

document.getElementById("bid-edit").addEventListener("click", () => {
  prepared = null;
  confirmPanel.hidden = true;
  form.hidden = false;
});

document.getElementById("bid-seal").addEventListener("click", async (event) => {
  if (!prepared) return;
  const button = event.currentTarget;
  button.disabled = true;
  const sodium = await ready();
  const publicKey = sodium.from_base64(config.public_key, sodium.base64_variants.ORIGINAL);
  const contentBytes = utf8(JSON.stringify(prepared.content));
  const salt = sodium.randombytes_buf(16);
  const saltedHash = async (bytes) => {
    const salted = new Uint8Array(salt.length + bytes.length);
    salted.set(salt);
    salted.set(bytes, salt.length);
    return sha256Hex(salted);
  };
  const plaintextHash = await saltedHash(contentBytes);
  const body = new FormData();
  if (prepared.priceContent) {
    const priceBytes = utf8(JSON.stringify(prepared.priceContent));
    body.append("price_plaintext_hash", await saltedHash(priceBytes));
    body.append("price_content", new Blob([seal(priceBytes, publicKey)]), "price.sealed");
  }
  body.append("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
  body.append("idempotency_key", form.elements.idempotency_key.value);
  body.append("plaintext_hash", plaintextHash);
  body.append("content", new Blob([seal(contentBytes, publicKey)]), "content.sealed");
  try {
    body.append("client_fingerprint", await browserFingerprint());
  } catch {
    // Without it the portal falls back to the request headers; the bid goes in regardless.
  }
  prepared.documents.forEach((d, i) => body.append("documents", new Blob([seal(d.data, publicKey)]), `document-${i}.sealed`));
  // The salt stays with the bidder: offered as a file, never sent.
  const saltFile = JSON.stringify({ tender: config.tender, plaintext_hash: plaintextHash, salt: sodium.to_base64(salt, sodium.base64_variants.ORIGINAL) });
  const link = document.getElementById("bid-salt-link");
  link.href = URL.createObjectURL(new Blob([saltFile], { type: "application/json" }));
  link.download = `bid-salt-${config.tender}.json`;
  document.getElementById("bid-salt").hidden = false;
  try {
    sessionStorage.setItem(`bid-salt:${plaintextHash}`, saltFile);
  } catch {
    // Private browsing may refuse storage; the download link above still works.
  }
  prepared = null;
  try {
    const response = await fetch(window.location.href, { method: "POST", body, credentials: "same-origin" });
    if (response.redirected) {
      window.location.assign(response.url);
      return;
    }
    document.open();
    document.write(await response.text());
    document.close();
  } catch {
    button.disabled = false;
    errors.textContent = messages.failed;
    errors.hidden = false;
  }
});
