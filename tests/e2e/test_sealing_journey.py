"""Browser journey, sealing nobody can break alone: two custodians enrol (key made and encrypted in
their browsers); an official publishes (tender key made and split, reserve prices drawn and sealed in
hers) and amends the base price (the reserve prices drawn again in her browser); a supplier bids
(sealed in his, confirmation in Korean words); a rival's bid is swapped in the database; the deadline
passes; both custodians release their shares from their browsers; a real Celery worker opens the
bids — 3 of 3 with the platform's share; the portal and the public verifier page both flag the
swapped bid, and the verifier agrees with everything else."""

import base64
import logging
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from bidding.content import bid_input_clean
from bidding.models import BidVersion, KeyShareRelease, OpeningRecord
from bidding.tasks import tenders_sweep
from integrity.models import BidOrigin
from procurement.roles import Role
from tenders import services
from tenders.models import Custodian, ReservePriceSet, Tender
from tests.bidding.helpers import bidder, set_times, submit
from tests.conftest import enrol_totp, wait_until
from tests.e2e.conftest import log_in, log_in_with_totp
from tests.e2e.test_bidding_journey import submit_bid
from tests.factories import PASSWORD, OfficialFactory, SupplierMemberFactory, UserFactory
from tests.sealing import bid_seal
from tests.tenders.conftest import tender_data

pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PASSPHRASES = {"opening": "opening-official-passphrase", "auditor": "auditor-custodian-passphrase"}


# Keeps the exact bytes of every form the page posts with fetch (the bid page does), in the tab's
# sessionStorage so that they survive the navigation to the receipt.
RECORD_POSTS = """
const original = window.fetch;
window.fetch = async (url, init) => {
  if (init && init.body instanceof FormData) {
    const bytes = new Uint8Array(await new Response(init.body).arrayBuffer());
    let text = "";
    for (const byte of bytes) text += String.fromCharCode(byte);
    sessionStorage.setItem("posted", `${sessionStorage.getItem("posted") || ""} ${btoa(text)}`.trim());
  }
  return original(url, init);
};
"""


def new_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-US", timezone_id="Asia/Seoul")
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    return page


def enrol(page, passphrase: str) -> None:
    page.goto("/tenders/custodian/")
    page.get_by_label("Passphrase", exact=True).fill(passphrase)
    page.get_by_label("Passphrase again").fill(passphrase)
    page.get_by_role("button", name="Make my key and enrol").click()
    expect(page.get_by_text("You are enrolled as a key custodian")).to_be_visible(timeout=60_000)  # Argon2id


def release_share(page, tender, passphrase: str) -> None:
    page.goto(f"/bids/tender/{tender.pk}/key-share/")
    page.get_by_label("Your custodian passphrase").fill(passphrase)
    page.get_by_role("button", name="Decrypt and release my share").click()
    expect(page.get_by_text("Your key share was released")).to_be_visible(timeout=60_000)  # Argon2id


def forge(tender, version: BidVersion, *, price: str) -> None:
    """What an operator with database access would try after submission: replace a bid's ciphertext
    with another bid for the same supplier, well sealed to the tender key, at a lower price."""
    supplier = version.bid.supplier
    bid = bid_input_clean(
        price=price,
        currency=tender.currency,
        lines=[],
        declarations={"no_conflict_of_interest": True, "no_collusion": True},
        reserve_picks=(1, 2),
        reserve_count=15,
        picks_required=2,
    )
    forged, _salt = bid_seal(tender, supplier, bid)
    BidVersion.objects.filter(pk=version.pk).update(sealed_content=forged.content)


def test_custodians_enrol_an_official_publishes_and_amends_a_supplier_bids_and_a_quorum_opens_with_a_real_worker(
    page, browser, live_server, private_redis, use_broker, celery_worker_factory, caplog
):
    publisher = OfficialFactory(user__email="olivia@agency.example", user__role=Role.OFFICIAL)
    opener = OfficialFactory(user__email="opal@agency.example", entity=publisher.entity)
    audrey = UserFactory(email="audrey@audit.example", role=Role.AUDITOR)
    secrets = {user.pk: enrol_totp(user) for user in (publisher.user, opener.user, audrey)}
    sam = SupplierMemberFactory(user__email="sam@supplier.example", supplier__name_en="Hanbit ICT")

    # The opening official and the auditor enrol as custodians, each in their own browser.
    opener_page, audrey_page = new_page(browser, live_server), new_page(browser, live_server)
    log_in_with_totp(opener_page, opener.user.email, PASSWORD, secrets[opener.user.pk])
    enrol(opener_page, PASSPHRASES["opening"])
    log_in_with_totp(audrey_page, audrey.email, PASSWORD, secrets[audrey.pk])
    enrol(audrey_page, PASSPHRASES["auditor"])
    people = list(Custodian.objects.filter(user__in=[opener.user, audrey]))
    assert all(c.sealed_private_key and len(bytes(c.public_key)) == 32 for c in people)
    # Their entity's defaults: both of them and the platform, all three needed.
    publisher.entity.default_custodians.add(*people)
    publisher.entity.default_custodian_threshold = 3
    publisher.entity.save()

    # The official drafts a 복수예비가격 tender, then publishes from her browser: the key is made and
    # split there, and the 15 reserve prices drawn and sealed to it.
    draft = services.tender_create(
        actor=publisher.user,
        data=tender_data(title="청사 보안 점검 용역", evaluation_method="floor_rate_reserve"),
    )
    assert draft.custodians.count() == 3
    log_in_with_totp(page, publisher.user.email, PASSWORD, secrets[publisher.user.pk])
    page.goto(draft.get_absolute_url())
    page.get_by_role("link", name="Publish").click()
    expect(page.locator("#custodians tbody tr")).to_have_count(3)
    page.get_by_role("button", name="Make the key and publish").click()
    expect(page.get_by_text(re.compile(r"Published as \d{4}-\d{5}"))).to_be_visible()
    tender = Tender.objects.get(pk=draft.pk)
    assert len(bytes(tender.public_key)) == 32
    assert all(len(bytes(tc.sealed_share)) == 81 for tc in tender.custodians.all())
    published_draw = ReservePriceSet.objects.get(tender=tender)
    assert published_draw.base_price == Decimal(150_000_000)

    # She lowers the budget: her browser draws the reserve prices again around the new base.
    page.goto(f"/tenders/{tender.pk}/amend/")
    page.get_by_label("Estimated value").fill("100000000")
    page.get_by_label("Reason for the amendment").fill("예산 조정")
    page.get_by_role("button", name="Publish the amendment").click()
    expect(page.get_by_text("Amendment 1 published.")).to_be_visible()
    redraw = ReservePriceSet.objects.get(tender=tender, amendment_number=1)
    assert redraw.base_price == Decimal(100_000_000)
    assert redraw.commitment != published_draw.commitment

    # A supplier bids: checked, confirmed in Korean words, sealed in his browser.
    bidder_page = new_page(browser, live_server)
    bidder_page.add_init_script(RECORD_POSTS)
    log_in(bidder_page, sam.user.email, PASSWORD)
    bidder_page.goto(f"/bids/tender/{tender.pk}/bid/")
    with caplog.at_level(logging.DEBUG):
        commitment = submit_bid(bidder_page, tender, "95,000,000", "구천오백만 won", picks=(3, 7))
    # What a request log or a proxy would see of the submission: ciphertext, never the price.
    [body] = [base64.b64decode(b) for b in bidder_page.evaluate("window.sessionStorage.getItem('posted')").split()]
    assert b"content.sealed" in body
    for plaintext in ("95000000", "95,000,000", "구천오백만", '"reserve_picks"', "no_collusion"):
        assert plaintext.encode() not in body, plaintext
        assert plaintext not in caplog.text, plaintext
    # His browser's fingerprint went with the bid, for the integrity rules; only its keyed hash is kept.
    origin = BidOrigin.objects.get(tender=tender, supplier=sam.supplier)
    assert origin.fingerprint_source == "client"
    # A rival bids through the API's sealing; after submission its ciphertext is swapped in the
    # database for a cheaper bid of the same company.
    rival = bidder(supplier__name_en="Daehan Systems")
    rival_version = submit(tender, rival, price="96000000", picks=(4, 9)).version
    forge(tender, rival_version, price="90000000")

    # The deadline passes; a real worker closes the tender and releases the platform's share.
    private_redis.start()
    use_broker(private_redis.url)
    set_times(tender, deadline=3, opening=5)
    celery_worker_factory(private_redis.url)
    tenders_sweep.apply_async()
    wait_until(lambda: Tender.objects.get(pk=tender.pk).status == Tender.Status.CLOSED, timeout=30)
    wait_until(lambda: KeyShareRelease.objects.filter(tender=tender).count() == 1, timeout=10)

    # One custodian's share is not enough with the platform's (3 needed) …
    release_share(opener_page, tender, PASSPHRASES["opening"])
    assert not OpeningRecord.objects.filter(tender=tender).exists()
    # … the second one completes the quorum, and the worker opens the bids.
    release_share(audrey_page, tender, PASSPHRASES["auditor"])
    wait_until(lambda: Tender.objects.get(pk=tender.pk).status == Tender.Status.OPENED, timeout=45)
    record = OpeningRecord.objects.get(tender=tender)
    assert record.valid_count == 1
    assert bytes(record.private_key)  # published with the record

    # The portal shows Sam's bid and flags the swapped one.
    public = new_page(browser, live_server)
    public.goto(f"/bids/tender/{tender.pk}/opening/")
    row = public.locator(f'tr[data-commitment="{commitment}"]')
    expect(row).to_contain_text("Hanbit ICT")
    expect(row).to_contain_text("95,000,000")
    flagged = public.locator("tr.is-flagged")
    expect(flagged).to_have_count(1)
    expect(flagged).to_contain_text("Daehan Systems")
    expect(flagged).to_contain_text("Flagged: commitment check failed")
    expect(flagged).not_to_contain_text("90,000,000")

    # Anyone re-runs the opening in the browser from the published key and ciphertexts: it agrees
    # with the portal, flags the same bid, and ranks Sam first against the amended reserve prices.
    public.get_by_role("link", name="Re-run this opening in your browser").click()
    expect(public.locator("#verify-root")).to_have_attribute("data-verified", "agrees", timeout=30_000)
    expect(public.locator("#verify-verdict")).to_have_text(re.compile("agrees with the sealed data"))
    sam_supplier, rival_supplier = sam.supplier, rival.supplier_membership.supplier
    expect(public.locator(f"tr[data-supplier-id='{rival_supplier.pk}'] [data-recomputed]")).to_have_text(
        "Commitment check failed"
    )
    expect(public.locator(f"tr[data-supplier-id='{sam_supplier.pk}'] [data-recomputed]")).to_have_text(
        re.compile(r"^Valid · rank 1")
    )
    for other in (opener_page, audrey_page, bidder_page, public):
        other.context.close()
