import { b64, seal, sha256HexNow, utf8 } from "./sealing.mjs";

// 복수예비가격: the draw of sealclient/reserve.py, in exact integer arithmetic (BigInt).
// The range base × (1 − r%) … base × (1 + r%) is cut into `count` equal slices; price i is drawn
// uniformly (crypto.getRandomValues) among the whole units of slice i. A slice narrower than one
// unit gets the unit nearest its middle (ties to even, as Python's Decimal.to_integral_value).

function decimal(text) {
  const [whole, fraction = ""] = String(text).split(".");
  return { units: BigInt(whole + fraction), scale: fraction.length };
}

function ceilDiv(a, b) {
  return a >= 0n ? (a + b - 1n) / b : -((-a) / b);
}

function floorDiv(a, b) {
  return a >= 0n ? a / b : -((-a + b - 1n) / b);
}

function uniform(low, high) {
  const span = high - low + 1n;
  const bits = span.toString(2).length;
  const bytes = Math.ceil(bits / 8);
  const mask = (1n << BigInt(bits)) - 1n;
  for (;;) {
    const buffer = crypto.getRandomValues(new Uint8Array(bytes));
    let value = 0n;
    for (const byte of buffer) value = (value << 8n) | BigInt(byte);
    value &= mask;
    if (value < span) return low + value; // rejection sampling: no modulo bias
  }
}

function halfEven(numerator, denominator) {
  const quotient = floorDiv(numerator, denominator);
  const twice = 2n * (numerator - quotient * denominator);
  if (twice > denominator || (twice === denominator && quotient % 2n !== 0n)) return quotient + 1n;
  return quotient;
}

export function reserveDraw(basePrice, rangePct, count) {
  const base = decimal(basePrice);
  const range = decimal(rangePct);
  // All bounds as numerator / D with D = 10^s × 100 × 10^t × count.
  const hundred = 100n * 10n ** BigInt(range.scale);
  const D = 10n ** BigInt(base.scale) * hundred * BigInt(count);
  const lowNumerator = base.units * (hundred - range.units) * BigInt(count);
  const width = base.units * 2n * range.units;
  const values = [];
  for (let i = 0; i < count; i += 1) {
    const low = lowNumerator + BigInt(i) * width;
    const high = lowNumerator + BigInt(i + 1) * width;
    const last = i === count - 1;
    const first = ceilDiv(low, D);
    const lastUnit = last ? floorDiv(high, D) : ceilDiv(high, D) - 1n;
    values.push((first <= lastUnit ? uniform(first, lastUnit) : halfEven(low + high, 2n * D)).toString());
  }
  return values;
}

// A fresh draw on `terms` ({schema, tender, amendment, base_price, range_pct, count}), sealed to the
// tender's public key as sealclient.sealing.reserve_prices_seal seals it (keys in sorted order), with
// its commitment (SHA-256 of the ciphertext) and the terms it was drawn on, which the server checks
// against the tender. Used at publication (publish.mjs) and by an amendment that changes the base
// (amend.mjs). Synchronous; libsodium must be ready.
export function reserveSealedDraw(terms, publicKey) {
  const document_ = {
    amendment: terms.amendment,
    base_price: terms.base_price,
    range_pct: terms.range_pct,
    schema: terms.schema,
    tender: terms.tender,
    values: reserveDraw(terms.base_price, terms.range_pct, terms.count),
  };
  const ciphertext = seal(utf8(JSON.stringify(document_)), publicKey);
  return {
    ciphertext: b64(ciphertext),
    commitment: sha256HexNow(ciphertext),
    terms: { amendment: terms.amendment, base_price: terms.base_price, range_pct: terms.range_pct, count: terms.count },
  };
}
