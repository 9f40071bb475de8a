// The amendment page of a tender with reserve prices (복수예비가격): when the amendment changes what
// they are drawn from (estimated value, range, count), the browser draws them again and seals them to
// the tender's public key with their commitment, exactly as at publication (reserve_draw.mjs). The
// server requires the new draw then and refuses it otherwise (tenders.services.amendments).
import { reserveSealedDraw } from "./reserve_draw.mjs";
import { fromB64, ready } from "./sealing.mjs";

const form = document.getElementById("amend-form");
const material = JSON.parse(document.getElementById("reserve-redraw").textContent);
const field = document.getElementById("id_reserve_prices");
const DECIMAL = /^\d+(\.\d+)?$/;

// "150000000.00" and "150000000" are the same base: compare digits without trailing fraction zeros.
function canonical(text) {
  const [whole, fraction = ""] = String(text).trim().split(".");
  const trimmed = fraction.replace(/0+$/, "");
  return `${whole.replace(/^0+(?=\d)/, "")}${trimmed ? `.${trimmed}` : ""}`;
}

function value(name, fallback) {
  const input = form.elements[name];
  return input ? input.value.trim() : String(fallback);
}

await ready();
const publicKey = fromB64(material.public_key);
const before = material.reserve;

form.addEventListener(
  "submit",
  (event) => {
    // portal.js may ask first (and cancel this event): the draw is made on the submit that goes out.
    if (event.defaultPrevented) return;
    field.value = "";
    const terms = {
      ...before,
      base_price: value("estimated_value", before.base_price),
      range_pct: value("reserve_range_pct", before.range_pct),
      count: Number(value("reserve_count", before.count)),
    };
    // Malformed terms are left to the form's own checks on the server.
    if (!DECIMAL.test(terms.base_price) || !DECIMAL.test(terms.range_pct) || !Number.isInteger(terms.count) || terms.count < 1) return;
    const changed =
      canonical(terms.base_price) !== canonical(before.base_price) ||
      canonical(terms.range_pct) !== canonical(before.range_pct) ||
      terms.count !== before.count;
    if (changed) field.value = JSON.stringify(reserveSealedDraw(terms, publicKey));
  },
  { capture: true },
);
