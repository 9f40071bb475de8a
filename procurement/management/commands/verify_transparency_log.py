import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from procurement import transparency
from procurement.audit import signed_head_of, transparency_leaves, transparency_log_verify, transparency_public_key
from procurement.models import TreeHead


def _load(path: str) -> dict:
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise CommandError(f"{path}: {exc}") from None


class Command(BaseCommand):
    help = (
        "Verify the transparency log: every leaf against its entry and every signed head (default), "
        "optionally against a head saved earlier (--against); or check one proof offline (--proof). "
        "Exits non-zero naming the first bad entry."
    )

    def add_arguments(self, parser):
        parser.add_argument("--against", metavar="FILE", help="a head saved earlier (with --save, or from the API)")
        parser.add_argument("--save", metavar="FILE", help="after a clean check, save the latest head and leaf hashes")
        parser.add_argument(
            "--proof", metavar="FILE", help="check an inclusion proof (a receipt's JSON or the API's) offline"
        )
        parser.add_argument("--public-key", help="hex Ed25519 key to trust instead of this server's configuration")

    def _public_key(self, options) -> bytes:
        if options["public_key"]:
            return bytes.fromhex(options["public_key"])
        key = transparency_public_key()
        if key is None:
            raise CommandError("No public key: pass --public-key or set TRANSPARENCY_SIGNING_KEY.")
        return key

    def handle(self, *args, **options):
        if options["proof"]:
            return self._check_proof(_load(options["proof"]), self._public_key(options))
        saved = saved_leaves = None
        if options["against"]:
            document = _load(options["against"])
            try:
                saved = transparency.SignedHead.from_json(document.get("head", document))
                if "leaf_hashes" in document:
                    saved_leaves = [bytes.fromhex(h) for h in document["leaf_hashes"]]
            except (AttributeError, ValueError) as exc:
                raise CommandError(f"{options['against']}: {exc}") from None
            if options["public_key"] and not transparency.head_signature_ok(
                public_key=self._public_key(options), head=saved
            ):
                raise CommandError("The saved head's signature is not valid for the given key.")
        result = transparency_log_verify(saved=saved, saved_leaves=saved_leaves)
        check = result.check
        if not check.ok:
            where = f" (entry {check.first_bad_seq})" if check.first_bad_seq is not None else ""
            raise CommandError(f"Transparency log BROKEN at leaf #{check.first_bad_index}{where}: {check.problem}.")
        self.stdout.write(
            f"Transparency log intact: {check.tree_size} leaves, root {check.root_hash.hex()}"
            + (f", consistent with the saved head of size {saved.tree_size}" if saved else "")
            + (f"; {result.pending} entries await integration" if result.pending else "")
            + "."
        )
        if options["save"]:
            head = TreeHead.objects.filter(public_key=self._public_key(options).hex()).order_by("-tree_size").first()
            if head is None:
                raise CommandError("No signed head to save yet.")
            document = {
                "head": signed_head_of(head).as_json(),
                "public_key": head.public_key,
                "leaf_hashes": [
                    leaf.stored_hash.hex() for leaf in transparency_leaves(with_entries=False)[: head.tree_size]
                ],
            }
            Path(options["save"]).write_text(json.dumps(document, indent=1) + "\n")
            self.stdout.write(f"Saved the head of size {head.tree_size} to {options['save']}.")

    def _check_proof(self, document: dict, public_key: bytes) -> None:
        proof = document.get("transparency", document)
        try:
            head = transparency.SignedHead.from_json(proof["head"])
            leaf = bytes.fromhex(proof["leaf_hash"])
            if "entry" in proof and transparency.leaf_hash(proof["entry"].encode()) != leaf:
                raise CommandError("The entry does not hash to the proof's leaf hash.")
            path = [bytes.fromhex(p) for p in proof["audit_path"]]
            index, size = int(proof["leaf_index"]), int(proof["tree_size"])
        except (KeyError, TypeError, ValueError) as exc:
            raise CommandError(f"Not an inclusion proof: {exc}") from None
        if not transparency.head_signature_ok(public_key=public_key, head=head):
            raise CommandError("The head's signature is not valid for this key.")
        if size != head.tree_size or not transparency.verify_inclusion(
            leaf=leaf, index=index, tree_size=size, proof=path, root=head.root_hash
        ):
            raise CommandError(f"The proof does NOT show leaf #{index} in the signed tree of size {size}.")
        self.stdout.write(f"Leaf #{index} is in the signed tree of size {size} (root {head.root_hash.hex()}).")
