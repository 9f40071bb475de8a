/*
 * The public opening verifier: download the opening bundle (koneps-opening-bundle-v1), decrypt every
 * bid and the reserve prices with libsodium in this browser, recompute commitments, the planned
 * price, the floor, each bid's result and the ranking, and compare with the published record.
 *
 * The rules are those of sealclient/rules.py and sealclient/reserve.py (the portal's own), ported
 * line by line; amounts are exact fractions (BigInt), never floating point. Messages come
 * translated from the page (#verify-messages).
 */
import sodium from "../vendor/crypto/libsodium-wrappers.mjs";

const CONTENT_SCHEMA = "koneps-bid-content-v1";
const RESERVE_SCHEMA = "koneps-reserve-prices-v1";
const COMMITMENT_DOMAIN = "koneps-bid-commitment-v1";
// Two-envelope tenders (docs/sealing.md, "Two envelopes").
const TECHNICAL_SCHEMA = "koneps-bid-technical-v1";
const PRICE_SCHEMA = "koneps-bid-price-v1";
const PRICE_COMMITMENT_DOMAIN = "koneps-bid-price-commitment-v1";
const DECLARATIONS = ["no_conflict_of_interest", "no_collusion"];
const WHOLE_UNIT_CURRENCIES = new Set(["KRW", "JPY", "VND", "IDR", "CLP", "ISK", "UGX", "PYG"]);
const MAX_PRICE = "9999999999999999";
const PRICE_ONLY = new Set(["lowest_price", "floor_rate_reserve"]);

// --- exact decimal arithmetic (fractions of BigInts) -------------------------------------------------

function gcd(a, b) {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b) [a, b] = [b, a % b];
  return a;
}

function frac(n, d = 1n) {
  if (d < 0n) [n, d] = [-n, -d];
  const g = gcd(n, d) || 1n;
  return { n: n / g, d: d / g };
}

/** A decimal string (as Python's Decimal accepts it, without the exotic forms) or null. */
function dec(value) {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return null;
    value = String(value);
  }
  if (typeof value !== "string") return null;
  const m = value.trim().replaceAll("_", "").match(/^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/);
  if (!m || (m[2] === "" && (m[3] || "") === "")) return null;
  const digits = BigInt((m[2] || "0") + (m[3] || ""));
  let exp = BigInt(m[4] || 0) - BigInt((m[3] || "").length);
  let n = m[1] === "-" ? -digits : digits;
  if (exp > 400n || exp < -400n) return null;
  return exp >= 0n ? frac(n * 10n ** exp) : frac(n, 10n ** -exp);
}

const add = (a, b) => frac(a.n * b.d + b.n * a.d, a.d * b.d);
const sub = (a, b) => frac(a.n * b.d - b.n * a.d, a.d * b.d);
const mul = (a, b) => frac(a.n * b.n, a.d * b.d);
const div = (a, b) => frac(a.n * b.d, a.d * b.n);
const cmp = (a, b) => {
  const x = a.n * b.d - b.n * a.d;
  return x < 0n ? -1 : x > 0n ? 1 : 0;
};
const floorOf = (a) => (a.n >= 0n ? a.n / a.d : -((-a.n + a.d - 1n) / a.d));
const ceilOf = (a) => -floorOf(frac(-a.n, a.d));
const int = (i) => frac(BigInt(i));
const isIntegral = (a) => a.d === 1n;

function show(a) {
  if (a === null || a === undefined) return null;
  if (isIntegral(a)) return a.n.toString();
  // Amounts have at most a few decimals; show them exactly when the denominator allows.
  for (let places = 1n; places <= 8n; places++) {
    const scaled = mul(a, int(10n ** places));
    if (isIntegral(scaled)) {
      const s = (scaled.n < 0n ? -scaled.n : scaled.n).toString().padStart(Number(places) + 1, "0");
      return (scaled.n < 0n ? "-" : "") + s.slice(0, -Number(places)) + "." + s.slice(-Number(places));
    }
  }
  return `${a.n}/${a.d}`;
}

function sameAmount(published, recomputed) {
  if (published === null || published === undefined || published === "") return recomputed === null;
  const p = dec(published);
  return p !== null && recomputed !== null && cmp(p, recomputed) === 0;
}

// --- sealed data ---------------------------------------------------------------------------------------

const B64 = () => sodium.base64_variants.ORIGINAL;
const fromB64 = (text) => sodium.from_base64(text, B64());
const sha256hex = (bytes) => sodium.to_hex(sodium.crypto_hash_sha256(bytes));

function commitment(ciphertexts, tenderRef, supplierId, version, domain = COMMITMENT_DOMAIN, digests = []) {
  const parts = [...ciphertexts.map(sha256hex), ...digests].sort();
  const canonical = [domain, tenderRef, String(supplierId), String(version), ...parts].join("\n");
  return sha256hex(sodium.from_string(canonical));
}

function unseal(ciphertext, publicKey, privateKey) {
  try {
    return sodium.crypto_box_seal_open(ciphertext, publicKey, privateKey);
  } catch {
    return null;
  }
}

// --- the opening rules (sealclient/rules.py) --------------------------------------------------------------

function pickNumbers(raw) {
  if (!Array.isArray(raw)) {
    const empty = !raw || (typeof raw === "object" && Object.keys(raw).length === 0);
    return empty ? [] : null;
  }
  const numbers = [];
  for (const n of raw) {
    const text = String(n).trim();
    if (!/^[+-]?\d+(?:_\d+)*$/.test(text)) return null;
    numbers.push(Number.parseInt(text.replaceAll("_", ""), 10));
  }
  return numbers;
}

function picksProblem(raw, count, required) {
  const numbers = pickNumbers(raw);
  if (numbers === null) return "picks_not_numbers";
  if (numbers.some((n) => n < 1 || n > count)) return "picks_out_of_range";
  if (new Set(numbers).size !== numbers.length) return "picks_duplicate";
  if (numbers.length !== required) return "picks_count";
  return null;
}

function contentProblem(content, tenderRef, supplierId, currency, reserveRules, schema = CONTENT_SCHEMA) {
  if (!content || typeof content !== "object" || Array.isArray(content) || content.schema !== schema) {
    return "unknown_format";
  }
  if (content.tender !== tenderRef || content.supplier !== supplierId) return "other_tender_or_supplier";
  if (schema === TECHNICAL_SCHEMA) return declarationsProblem(content);
  if (content.currency !== currency) return "other_currency";
  const price = typeof content.price === "boolean" ? int(content.price ? 1 : 0) : dec(content.price);
  if (price === null) return "price_unreadable";
  const exponent = WHOLE_UNIT_CURRENCIES.has(currency.toUpperCase()) ? 0n : 2n;
  const scaled = mul(price, int(10n ** exponent));
  if (cmp(price, int(0)) <= 0 || cmp(price, dec(MAX_PRICE)) > 0 || !isIntegral(scaled)) return "price_invalid";
  if (schema === CONTENT_SCHEMA) {
    const problem = declarationsProblem(content);
    if (problem) return problem;
  }
  if (reserveRules) return picksProblem(content.reserve_picks, reserveRules[0], reserveRules[1]);
  return null;
}

function declarationsProblem(content) {
  const declarations = content.declarations;
  if (!declarations || typeof declarations !== "object" || DECLARATIONS.some((name) => declarations[name] !== true)) {
    return "declarations_missing";
  }
  return null;
}

function openBid(item, tender, keys, reserveRules, schema = CONTENT_SCHEMA) {
  let ciphertexts;
  try {
    ciphertexts = [fromB64(item.content), ...(item.documents || []).map(fromB64)];
  } catch {
    return { commitmentOk: false, problem: "undecryptable" };
  }
  if (commitment(ciphertexts, tender.reference, item.supplier_id, item.version) !== String(item.commitment || "")) {
    return { commitmentOk: false, problem: "commitment_mismatch" };
  }
  if (!keys) return { commitmentOk: false, problem: "undecryptable" };
  const plaintexts = ciphertexts.map((ct) => unseal(ct, keys.publicKey, keys.privateKey));
  if (plaintexts.some((p) => p === null)) return { commitmentOk: false, problem: "undecryptable" };
  let content;
  try {
    content = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(plaintexts[0]));
  } catch {
    return { commitmentOk: false, problem: "undecryptable" };
  }
  const problem = contentProblem(content, tender.reference, item.supplier_id, tender.currency, reserveRules, schema);
  if (problem) return { commitmentOk: true, problem };
  const manifest = content.documents || [];
  const documents = plaintexts.slice(1);
  if (!Array.isArray(manifest) || manifest.length !== documents.length) {
    return { commitmentOk: true, problem: "documents_mismatch" };
  }
  const hashesOk = manifest.every((entry, i) => entry && sha256hex(documents[i]) === entry.sha256);
  if (!hashesOk) return { commitmentOk: true, problem: "document_hash" };
  if (schema === TECHNICAL_SCHEMA) return { commitmentOk: true, problem: null };
  return { commitmentOk: true, problem: null, price: dec(content.price), picks: pickNumbers(content.reserve_picks) };
}

/** sealclient.verify._open_two_envelope_bids: the technical envelope, then the price envelope if it
 * was opened (a non-compliant bid's must not have been), else its commitment from its published hash. */
function openTwoEnvelopeBid(item, tender, keys, reserveRules, compliant) {
  const technical = openBid(item, tender, keys, null, TECHNICAL_SCHEMA);
  const technicalOk = technical.commitmentOk && !technical.problem;
  if (!item.price_content) {
    const fromHash = commitment([], tender.reference, item.supplier_id, item.version, PRICE_COMMITMENT_DOMAIN, [
      String(item.price_sha256 || ""),
    ]);
    if (fromHash !== String(item.price_commitment || "")) return { commitmentOk: false, problem: "commitment_mismatch" };
    if (!technicalOk) return { ...technical, outcome: technical.commitmentOk ? "invalid" : "commitment_failed" };
    // A compliant bid whose price was not opened: the record cannot be right.
    return { commitmentOk: true, problem: null, outcome: compliant ? "awaiting_price" : "price_not_opened" };
  }
  if (!technicalOk || !compliant) return { commitmentOk: technical.commitmentOk, problem: null, outcome: "price_not_opened" };
  let ciphertext;
  try {
    ciphertext = fromB64(item.price_content);
  } catch {
    return { commitmentOk: false, problem: "undecryptable" };
  }
  const stored = String(item.price_commitment || "");
  if (commitment([ciphertext], tender.reference, item.supplier_id, item.version, PRICE_COMMITMENT_DOMAIN) !== stored) {
    return { commitmentOk: false, problem: "commitment_mismatch" };
  }
  const plaintext = keys ? unseal(ciphertext, keys.publicKey, keys.privateKey) : null;
  let content;
  try {
    content = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(plaintext));
  } catch {
    return { commitmentOk: false, problem: "undecryptable" };
  }
  const problem = contentProblem(content, tender.reference, item.supplier_id, tender.currency, reserveRules, PRICE_SCHEMA);
  if (problem) return { commitmentOk: true, problem };
  return { commitmentOk: true, problem: null, price: dec(content.price), picks: pickNumbers(content.reserve_picks) };
}

/** sealclient.reserve.reserve_values_outside_slices */
function outsideSlices(values, base, rangePct) {
  const hundred = int(100);
  const low = mul(base, sub(int(1), div(rangePct, hundred)));
  const high = mul(base, add(int(1), div(rangePct, hundred)));
  const count = values.length;
  const width = div(sub(high, low), int(count));
  const outside = [];
  values.forEach((value, i) => {
    const lo = add(low, mul(width, int(i)));
    const last = i === count - 1;
    const hi = last ? high : add(low, mul(width, int(i + 1)));
    const first = ceilOf(lo);
    const lastUnit = last ? floorOf(hi) : ceilOf(hi) - 1n;
    let allowed;
    if (first <= lastUnit) {
      allowed = isIntegral(value) && value.n >= first && value.n <= lastUnit;
    } else {
      const middle = div(add(lo, hi), int(2));
      allowed = isIntegral(value) && value.n === roundHalfEven(middle);
    }
    if (!allowed) outside.push(i + 1);
  });
  return outside;
}

function roundHalfEven(a) {
  const f = floorOf(a);
  const rest = sub(a, int(f));
  const c = cmp(rest, frac(1n, 2n));
  if (c < 0) return f;
  if (c > 0) return f + 1n;
  return f % 2n === 0n ? f : f + 1n;
}

function plannedPrice(values, picks, averaged) {
  const counts = new Map(values.map((_, i) => [i + 1, 0]));
  for (const bidPicks of picks) for (const n of bidPicks) if (counts.has(n)) counts.set(n, counts.get(n) + 1);
  const ranked = [...counts.keys()].sort((a, b) => counts.get(b) - counts.get(a) || a - b);
  const chosen = ranked.slice(0, averaged);
  const total = chosen.reduce((sum, n) => add(sum, values[n - 1]), int(0));
  return { counts, chosen: new Set(chosen), planned: int(floorOf(div(total, int(chosen.length)))) };
}

// --- the page ------------------------------------------------------------------------------------------------

function messages() {
  const out = {};
  for (const li of document.querySelectorAll("#verify-messages [data-key]")) out[li.dataset.key] = li.textContent;
  return out;
}

function say(text, params = {}) {
  return text.replace(/\{(\w+)\}/g, (_, name) => (params[name] === null || params[name] === undefined ? "—" : String(params[name])));
}

export function verify(bundle, t, supplierName) {
  const differences = [];
  const differ = (key, params) => differences.push(say(t[key], params));
  const tender = bundle.tender;
  const params = tender.parameters || {};
  const record = bundle.record || {};
  const method = tender.evaluation_method;
  const usesReserve = method === "floor_rate_reserve";
  const reserveRules = usesReserve ? [Number(params.reserve_count), Number(params.picks_per_bidder)] : null;

  let keys = null;
  try {
    const publicKey = fromB64(tender.public_key);
    const privateKey = fromB64(tender.private_key);
    if (sodium.to_hex(sodium.crypto_scalarmult_base(privateKey)) === sodium.to_hex(publicKey)) {
      keys = { publicKey, privateKey };
    } else {
      differ("key_mismatch");
    }
  } catch {
    differ("key_mismatch");
  }

  let values = null;
  if (usesReserve && bundle.reserve_prices) {
    const sealed = bundle.reserve_prices;
    let ciphertext = null;
    try {
      ciphertext = fromB64(sealed.ciphertext);
    } catch {
      differ("reserve_unreadable");
    }
    if (ciphertext && sha256hex(ciphertext) !== sealed.commitment) differ("reserve_commitment");
    const plain = ciphertext && keys ? unseal(ciphertext, keys.publicKey, keys.privateKey) : null;
    let document_ = null;
    try {
      document_ = plain ? JSON.parse(sodium.to_string(plain)) : null;
    } catch {
      document_ = null;
    }
    if (!document_ || document_.schema !== RESERVE_SCHEMA || !Array.isArray(document_.values)) {
      if (ciphertext) differ("reserve_unreadable");
    } else {
      values = document_.values.map(dec);
      if (values.some((v) => v === null)) {
        differ("reserve_unreadable");
        values = null;
      } else {
        if (document_.tender !== tender.reference) differ("reserve_other_tender");
        if (params.reserve_count !== undefined && values.length !== Number(params.reserve_count)) {
          differ("reserve_count", { published: params.reserve_count, recomputed: values.length });
        }
        const base = dec(document_.base_price);
        const rangePct = dec(document_.range_pct);
        if (base && rangePct) {
          for (const number of outsideSlices(values, base, rangePct)) {
            differ("reserve_slice", { number, value: show(values[number - 1]) });
          }
        }
      }
    }
  }

  const twoEnvelopes = tender.envelopes === 2;
  const compliance = new Map((record.bids || []).map((b) => [b.supplier_id, Boolean(b.technical_compliant)]));
  const bids = (bundle.bids || []).map((item) => ({
    item,
    ...(twoEnvelopes
      ? openTwoEnvelopeBid(item, tender, keys, reserveRules, compliance.get(item.supplier_id))
      : openBid(item, tender, keys, reserveRules)),
  }));
  // The commitments published at the deadline (bundle.closing; sealclient.verify._not_published): a
  // bid not among them was replaced after bidding closed. Named once, and set aside as the portal did.
  const closing = bundle.closing && Array.isArray(bundle.closing.commitments) ? new Set(bundle.closing.commitments.map(String)) : null;
  if (closing) {
    const own = (item) => [item.commitment, item.price_commitment].filter(Boolean).map(String);
    let replaced = 0;
    for (const bid of bids) {
      const unpublished = own(bid.item).filter((c) => !closing.has(c)).length;
      replaced += unpublished;
      if (unpublished && bid.commitmentOk) {
        differ("bid_not_published", { supplier: supplierName(bid.item.supplier_id) });
        bid.commitmentOk = false;
        bid.problem = "commitment_not_published";
        bid.outcome = null;
      }
    }
    const carried = new Set(bids.flatMap((b) => own(b.item)));
    const missing = [...closing].filter((c) => !carried.has(c)).length - replaced;
    if (missing > 0) differ("closing_missing", { count: missing });
  }
  for (const bid of bids) {
    bid.usable = bid.commitmentOk && !bid.problem && !bid.outcome;
    bid.outcome = bid.outcome || (bid.usable ? "ranked" : bid.commitmentOk ? "invalid" : "commitment_failed");
    bid.rank = null;
    bid.tied = false;
  }

  let planned = null;
  let floor = null;
  let reserveRows = [];
  if (usesReserve) {
    if (values) {
      const result = plannedPrice(values, bids.filter((b) => b.usable).map((b) => b.picks), Number(params.picks_averaged));
      planned = result.planned;
      reserveRows = values.map((value, i) => ({
        number: i + 1,
        value,
        picks: result.counts.get(i + 1),
        chosen: result.chosen.has(i + 1),
      }));
    } else if (!bundle.reserve_prices) {
      planned = dec(tender.estimated_value);
    }
    const rate = dec(params.floor_rate);
    if (planned && rate) floor = int(ceilOf(div(mul(planned, rate), int(100))));
    if (!sameAmount(record.planned_price, planned)) differ("planned", { published: record.planned_price, recomputed: show(planned) });
    if (!sameAmount(record.floor_price, floor)) differ("floor", { published: record.floor_price, recomputed: show(floor) });
    if (values) {
      const published = new Map((record.reserve_prices || []).map((r) => [r.number, r]));
      for (const row of reserveRows) {
        const pub = published.get(row.number);
        const mine = `${show(row.value)} (${row.picks}${row.chosen ? ", ✓" : ""})`;
        const theirs = pub ? `${pub.value} (${pub.picks}${pub.chosen ? ", ✓" : ""})` : null;
        if (!pub || !sameAmount(pub.value, row.value) || pub.picks !== row.picks || Boolean(pub.chosen) !== row.chosen) {
          differ("reserve_row", { number: row.number, published: theirs, recomputed: mine });
        }
      }
    }
  }

  // sealclient.rules.RankingPolicy.rank
  for (const bid of bids.filter((b) => b.usable)) {
    if (usesReserve && floor && cmp(bid.price, floor) < 0) bid.outcome = "below_floor";
    else if (usesReserve && planned && cmp(bid.price, planned) > 0) bid.outcome = "above_planned";
    else bid.outcome = "ranked";
  }
  const ranked = bids.filter((b) => b.usable && b.outcome === "ranked");
  for (const bid of ranked) {
    bid.rank = ranked.filter((o) => cmp(o.price, bid.price) < 0).length + 1;
    bid.tied = ranked.filter((o) => cmp(o.price, bid.price) === 0).length > 1;
  }

  const publishedBids = new Map((record.bids || []).map((b) => [b.supplier_id, b]));
  const yesNo = (v) => (v ? t.yes : t.no);
  const outcomeLabel = (o) => t[`outcome_${o}`] || o;
  for (const bid of bids) {
    const supplier = supplierName(bid.item.supplier_id);
    const pub = publishedBids.get(bid.item.supplier_id);
    publishedBids.delete(bid.item.supplier_id);
    if (!pub) {
      differ("bid_missing", { supplier });
      continue;
    }
    if (Boolean(pub.commitment_ok) !== bid.commitmentOk) {
      differ("bid_commitment", { supplier, published: yesNo(pub.commitment_ok), recomputed: yesNo(bid.commitmentOk) });
    }
    if (pub.outcome !== bid.outcome) {
      differ("bid_outcome", { supplier, published: outcomeLabel(pub.outcome), recomputed: outcomeLabel(bid.outcome) });
    }
    const price = bid.usable ? bid.price : null;
    if (!sameAmount(pub.price, price)) differ("bid_price", { supplier, published: pub.price, recomputed: show(price) });
    if ((pub.rank ?? null) !== bid.rank) differ("bid_rank", { supplier, published: pub.rank, recomputed: bid.rank });
    if (Boolean(pub.tied) !== bid.tied) differ("bid_tied", { supplier, published: yesNo(pub.tied), recomputed: yesNo(bid.tied) });
  }
  for (const supplierId of publishedBids.keys()) differ("bid_extra", { supplier: supplierName(supplierId) });

  const winners = PRICE_ONLY.has(method) ? bids.filter((b) => b.rank === 1).map((b) => b.item.supplier_id) : [];
  return { differences, bids, planned, floor, winners, method };
}

async function run(root) {
  const t = messages();
  const verdict = document.getElementById("verify-verdict");
  const list = document.getElementById("verify-differences");
  const summary = document.getElementById("verify-summary");
  const status = document.getElementById("verify-status");
  const rows = new Map(
    [...root.querySelectorAll("tr[data-supplier-id]")].map((tr) => [Number(tr.dataset.supplierId), tr]),
  );
  const supplierName = (id) => rows.get(id)?.querySelector("th")?.textContent.trim() || `#${id}`;
  try {
    await sodium.ready;
    const response = await fetch(root.dataset.bundleUrl, { headers: { Accept: "application/json" }, credentials: "omit" });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const result = verify(await response.json(), t, supplierName);
    for (const bid of result.bids) {
      const cell = rows.get(bid.item.supplier_id)?.querySelector("[data-recomputed]");
      if (!cell) continue;
      let text = t[`outcome_${bid.outcome}`] || bid.outcome;
      if (bid.rank) text += ` · ${say(t.rank, { rank: bid.rank })}`;
      if (bid.tied) text += ` (${t.tie})`;
      cell.textContent = text;
    }
    const lines = [say(t.summary, { count: result.bids.length })];
    if (result.planned) lines.push(say(t.summary_planned, { planned: show(result.planned), floor: show(result.floor) }));
    if (result.winners.length) lines.push(say(t.summary_winner, { winners: result.winners.map(supplierName).join(", ") }));
    if (!PRICE_ONLY.has(result.method)) lines.push(t.summary_best_value);
    summary.textContent = lines.join(" ");
    list.replaceChildren(
      ...result.differences.map((text) => {
        const li = document.createElement("li");
        li.textContent = text;
        return li;
      }),
    );
    verdict.textContent = result.differences.length ? t.differ : t.agree;
    status.classList.add(result.differences.length ? "is-danger" : "is-success");
    root.dataset.verified = result.differences.length ? "differs" : "agrees";
  } catch (error) {
    verdict.textContent = say(t.error, { error: error.message });
    status.classList.add("is-danger");
    root.dataset.verified = "error";
  }
}

const root = document.getElementById("verify-root");
if (root) run(root);
