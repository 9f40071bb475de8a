"""The demo's key custodians and its key ceremonies, done with the reference client (`sealclient`)
exactly as the custodians' and officials' browsers do them. Demo only: the passphrases are public
(README), so the demo loader can also release a custodian's share for tenders it opens itself.
"""

from procurement.demo import demo_user
from sealclient import sealing as client

from . import selectors
from .models import Custodian, ProcuringEntity, Tender
from .services import (
    TenderSealing,
    custodian_enrol,
    custodian_platform_ensure,
    tender_approve,
    tender_publish,
    tender_reference_assign,
)
from .services.custodians import SealedReserve

# (account, passphrase): published on purpose, like the demo password.
DEMO_CUSTODIANS = {
    "official2@example.com": "demo-custodian-official2",  # 이승인, 조달청's opening official (개찰관)
    "auditor@example.com": "demo-custodian-auditor",  # 최감사, the auditor
}


def custodians_load(entities: dict[str, ProcuringEntity], stdout) -> None:
    """Enrol the demo custodians (once) and make them, with the platform, the entities' defaults."""
    if custodian_platform_ensure() is None:
        stdout.write("Demo custodians: no platform key (set SEALING_DEMO_KEY=1 for the demo).")
    custodians = {}
    for email, passphrase in DEMO_CUSTODIANS.items():
        user = demo_user(email)
        custodian = selectors.custodian_of(user)
        if custodian is None:
            public, blob = client.custodian_enrol(passphrase)
            custodian = custodian_enrol(user=user, public_key=public, sealed_private_key=blob.as_json())
        custodians[email] = custodian
    for code, entity in entities.items():
        people = [custodians["auditor@example.com"]]
        if code == "1230000":  # 조달청: its opening official too
            people.append(custodians["official2@example.com"])
        entity.default_custodians.add(*people)
    stdout.write(f"Demo custodians: {', '.join(DEMO_CUSTODIANS)} (passphrases in the README)")


def ceremony(tender: Tender) -> TenderSealing:
    """What the publication page's script posts, made with the reference client."""
    material = selectors.tender_ceremony_material(tender)
    keys = [client.b64decode(c["public_key"]) for c in material["custodians"]]
    made = client.tender_ceremony(keys, material["threshold"])
    reserve = None
    if material["reserve"]:
        r = material["reserve"]
        sealed = client.reserve_prices_seal(
            tender_public_key=made.public_key,
            tender_reference=r["tender"],
            amendment=r["amendment"],
            base_price=r["base_price"],
            range_pct=r["range_pct"],
            count=r["count"],
        )
        reserve = SealedReserve(ciphertext=sealed.ciphertext, commitment=sealed.commitment)
    return TenderSealing(
        public_key=made.public_key,
        shares={c["id"]: share for c, share in zip(material["custodians"], made.sealed_shares, strict=True)},
        reserve=reserve,
    )


def publish(*, tender: Tender, actor, approve: bool = False) -> Tender:
    tender = tender_reference_assign(tender=tender)
    service = tender_approve if approve else tender_publish
    return service(tender=tender, actor=actor, sealing=ceremony(tender))


def demo_share(tender: Tender, email: str) -> bytes:
    """A demo custodian's share of the tender key, as its share page decrypts it in the browser."""
    named = tender.custodians.select_related("custodian").get(custodian__user__email=email)
    private = client.custodian_key_unwrap(named.custodian.sealed_private_key, DEMO_CUSTODIANS[email])
    return client.share_unseal(private, bytes(named.sealed_share))


def demo_custodian_emails(tender: Tender) -> list[str]:
    return [
        tc.custodian.user.email
        for tc in tender.custodians.select_related("custodian__user")
        if tc.custodian.kind != Custodian.Kind.PLATFORM and tc.custodian.user.email in DEMO_CUSTODIANS
    ]
