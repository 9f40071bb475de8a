"""`python -m sealclient`: seal a bid, submit it, verify an opening, prove what you sealed.

    python -m sealclient seal --bid bid.json --url https://portal.example --out sealed.json
    python -m sealclient submit --url https://portal.example --token TOKEN sealed.json
    python -m sealclient verify --url https://portal.example --tender T-2026-0001
    python -m sealclient verify --file bundle.json
    python -m sealclient prove --file bundle.json --supplier 12 --keep sealed.keep.json

Standard library HTTP (urllib); docs/sealing.md describes every file.
"""

import argparse
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from . import sealing
from .verify import BundleError, bid_prove, verify_bundle

TIMEOUT = 60


class ClientError(Exception):
    """Something the user must fix; printed without a traceback."""


def _request(url: str, *, data: dict | None = None, headers: dict | None = None) -> dict:
    body = None if data is None else json.dumps(data).encode()
    request = urllib.request.Request(  # noqa: S310 - the user gives the portal's URL
        url,
        data=body,
        headers={
            "Accept": "application/json",
            # The portal answers in Korean or English; follow the user's locale (ko_KR.UTF-8 → ko).
            "Accept-Language": (os.environ.get("LANG") or "en")[:2],
            **({"Content-Type": "application/json"} if body else {}),
            **(headers or {}),
        },
        method="POST" if body is not None else "GET",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace")[:2000]
        raise ClientError(f"{exc.code} from {url}: {detail}") from None
    except urllib.error.URLError as exc:
        raise ClientError(f"cannot reach {url}: {exc.reason}") from None


def _api(base: str, path: str) -> str:
    return urllib.parse.urljoin(base.rstrip("/") + "/", path.lstrip("/"))


def _tender_key(value: str) -> bytes:
    """The portal's API gives the public key in hex; base64 is accepted too."""
    try:
        key = bytes.fromhex(value)
    except ValueError:
        key = sealing.b64decode(value)
    if len(key) != sealing.KEY_BYTES:
        raise ClientError("the tender's public key must be 32 bytes (hex or base64)")
    return key


def _load_json(path: str) -> dict:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ClientError(f"cannot read {path}: {exc}") from None


def _write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def cmd_seal(args) -> int:
    bid = _load_json(args.bid)
    tender_id = bid.get("tender_id")
    if args.url:
        if tender_id is None:
            raise ClientError("with --url the bid file needs tender_id (the number in /api/v1/tenders/<id>/)")
        tender = _request(_api(args.url, f"/api/v1/tenders/{tender_id}/"))
        public_key = _tender_key(tender["public_key"] or "")
        bid.setdefault("tender", tender["reference"])
        bid.setdefault("currency", tender["currency"])
        bid.setdefault("envelopes", tender.get("envelopes", 1))
    elif args.public_key:
        public_key = _tender_key(args.public_key)
    else:
        raise ClientError("give --url (to fetch the tender's public key) or --public-key")
    missing = [name for name in ("tender", "supplier_id", "currency", "price") if bid.get(name) in (None, "")]
    if missing:
        raise ClientError("the bid file lacks " + ", ".join(missing))
    base = Path(args.bid).parent
    documents = []
    for entry in bid.get("documents", []):
        entry = {"path": entry} if isinstance(entry, str) else entry
        path = base / entry["path"]
        documents.append(
            sealing.Document(
                entry.get("name", path.name), path.read_bytes(), entry.get("content_type", "application/octet-stream")
            )
        )
    if int(bid.get("envelopes", 1)) == 2:
        # Two envelopes: declarations and documents in the technical one, the price in its own.
        sealed = sealing.bid_seal_two(
            public_key,
            sealing.technical_content(
                tender_reference=bid["tender"], supplier_id=int(bid["supplier_id"]), documents=documents
            ),
            sealing.price_content(
                tender_reference=bid["tender"],
                supplier_id=int(bid["supplier_id"]),
                currency=bid["currency"],
                price=bid["price"],
                lines=bid.get("lines", []),
                reserve_picks=bid.get("reserve_picks", []),
            ),
            documents,
        )
    else:
        content = sealing.bid_content(
            tender_reference=bid["tender"],
            supplier_id=int(bid["supplier_id"]),
            currency=bid["currency"],
            price=bid["price"],
            lines=bid.get("lines", []),
            reserve_picks=bid.get("reserve_picks", []),
            documents=documents,
        )
        sealed = sealing.bid_seal(public_key, content, documents)
    hashes = sealed.as_json()
    out = Path(args.out)
    # The idempotency key is fixed when sealing, so every retry of `submit` is the same submission.
    _write_json(out, {"tender": tender_id, "idempotency_key": str(uuid.uuid4()), **sealed.as_json()})
    keep = out.with_suffix(".keep.json")
    _write_json(
        keep,
        {
            "tender": bid["tender"],
            "salt": sealing.b64encode(sealed.salt),
            "plaintext_hash": hashes["plaintext_hash"],
            **({"price_plaintext_hash": hashes["price_plaintext_hash"]} if "price_plaintext_hash" in hashes else {}),
        },
    )
    print(f"Sealed bid written to {out}.")
    print(f"Keep {keep} (the salt): with it you can prove after the opening what you sealed.")
    print(f"Plaintext hash (on your receipt): {hashes['plaintext_hash']}")
    return 0


def cmd_submit(args) -> int:
    sealed = _load_json(args.sealed)
    key = args.idempotency_key or sealed.get("idempotency_key") or str(uuid.uuid4())
    fields = ("tender", "content", "documents", "plaintext_hash", "price_content", "price_plaintext_hash")
    body = {name: sealed[name] for name in fields if name in sealed}
    receipt = _request(
        _api(args.url, "/api/v1/bids/"),
        data=body,
        headers={"Authorization": f"Token {args.token}", "Idempotency-Key": key},
    )
    print(json.dumps(receipt, indent=2, ensure_ascii=False))
    return 0


def _bundle(args) -> dict:
    if args.file:
        return _load_json(args.file)
    if not (args.url and args.tender):
        raise ClientError("give --file bundle.json, or --url and --tender")
    path = f"/api/v1/tenders/{urllib.parse.quote(args.tender, safe='')}/opening-bundle/"
    return _request(_api(args.url, path))


def cmd_verify(args) -> int:
    report = verify_bundle(_bundle(args))
    print(report.summary())
    return 0 if report.ok else 1


def cmd_prove(args) -> int:
    if args.keep:
        salt = sealing.b64decode(_load_json(args.keep)["salt"])
    elif args.salt:
        salt = sealing.b64decode(args.salt)
    else:
        raise ClientError("give --keep sealed.keep.json or --salt")
    if args.content:
        digest = sealing.plaintext_hash(salt, Path(args.content).read_bytes())
        print(f"Salted hash of {args.content}: {digest}")
        if args.hash:
            matches = sealing.plaintext_hash_check(
                salt=salt, content=Path(args.content).read_bytes(), expected=args.hash
            )
            print("It matches the receipt." if matches else "It does NOT match the receipt.")
            return 0 if matches else 1
        return 0
    if args.supplier is None:
        raise ClientError("give --content (the opened content) or --supplier with a bundle")
    matches = bid_prove(bundle=_bundle(args), supplier_id=args.supplier, salt=salt)
    print(
        "The opened bid is exactly what this salt's owner sealed."
        if matches
        else "The opened bid does NOT match the plaintext hash for this salt."
    )
    return 0 if matches else 1


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python -m sealclient", description=__doc__.split("\n")[0])
    commands = main.add_subparsers(dest="command", required=True)

    seal = commands.add_parser("seal", help="seal a bid file into a submission")
    seal.add_argument("--bid", required=True, help="bid JSON: tender_id, supplier_id, price, lines, documents …")
    seal.add_argument("--url", help="the portal's base URL, to fetch the tender's public key")
    seal.add_argument("--public-key", help="the tender's public key (hex or base64), instead of --url")
    seal.add_argument("--out", default="sealed.json")
    seal.set_defaults(run=cmd_seal)

    submit = commands.add_parser("submit", help="post a sealed submission to the bids API")
    submit.add_argument("sealed")
    submit.add_argument("--url", required=True)
    submit.add_argument("--token", required=True, help="your API token")
    submit.add_argument("--idempotency-key", help="defaults to the one written by `seal`")
    submit.set_defaults(run=cmd_submit)

    for name, run, text in (
        ("verify", cmd_verify, "re-run an opening from its public bundle"),
        ("prove", cmd_prove, "prove with your salt what you sealed"),
    ):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("--url", help="the portal's base URL")
        sub.add_argument("--tender", help="the tender's reference")
        sub.add_argument("--file", help="a downloaded bundle instead of --url/--tender")
        sub.set_defaults(run=run)
        if name == "prove":
            sub.add_argument("--supplier", type=int, help="your supplier id in the bundle")
            sub.add_argument("--keep", help="the .keep.json file written by `seal`")
            sub.add_argument("--salt", help="the salt, base64")
            sub.add_argument("--content", help="the opened content bytes, instead of a bundle")
            sub.add_argument("--hash", help="the plaintext hash on your receipt (with --content)")
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except (ClientError, BundleError, sealing.SealingError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
