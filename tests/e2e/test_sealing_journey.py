"""Browser journey, sealing nobody can break alone: two custodians enrol (key made and encrypted in
their browsers); an official publishes (tender key made and split in hers); a supplier bids (sealed
in his, confirmation in Korean words); the deadline passes; both custodians release their shares
from their browsers; a real Celery worker opens the bids — 3 of 3 with the platform's share."""

import re

import pytest
from playwright.sync_api import expect

from bidding.models import KeyShareRelease, OpeningRecord
from bidding.tasks import tenders_sweep
from procurement.roles import Role
from tenders import services
from tenders.models import Custodian, Tender
from tests.bidding.helpers import set_times
from tests.conftest import enrol_totp, wait_until
from tests.e2e.conftest import log_in, log_in_with_totp
from tests.e2e.test_bidding_journey import submit_bid
from tests.factories import PASSWORD, OfficialFactory, SupplierMemberFactory, UserFactory
from tests.tenders.conftest import tender_data

pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PASSPHRASES = {"opening": "opening-official-passphrase", "auditor": "auditor-custodian-passphrase"}


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


@pytest.mark.xfail(
    reason="unfinished: the custodian enrolment page does not complete in headless Chromium yet", strict=False
)
def test_custodians_enrol_an_official_publishes_a_supplier_bids_and_a_quorum_opens_with_a_real_worker(
    page, browser, live_server, private_redis, use_broker, celery_worker_factory
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

    # The official drafts, then publishes from her browser: the key is made and split there.
    draft = services.tender_create(actor=publisher.user, data=tender_data(title="청사 보안 점검 용역"))
    assert draft.custodians.count() == 3
    page.on("dialog", lambda dialog: dialog.accept())
    log_in_with_totp(page, publisher.user.email, PASSWORD, secrets[publisher.user.pk])
    page.goto(draft.get_absolute_url())
    page.get_by_role("link", name="Publish").click()
    expect(page.locator("#custodians tbody tr")).to_have_count(3)
    page.get_by_role("button", name="Make the key and publish").click()
    expect(page.get_by_text(re.compile(r"Published as \d{4}-\d{5}"))).to_be_visible()
    tender = Tender.objects.get(pk=draft.pk)
    assert len(bytes(tender.public_key)) == 32
    assert all(len(bytes(tc.sealed_share)) == 81 for tc in tender.custodians.all())

    # A supplier bids: checked, confirmed in Korean words, sealed in his browser.
    bidder_page = new_page(browser, live_server)
    log_in(bidder_page, sam.user.email, PASSWORD)
    bidder_page.goto(f"/bids/tender/{tender.pk}/bid/")
    commitment = submit_bid(bidder_page, tender, "87,500,000", "팔천칠백오십만 won")

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

    public = new_page(browser, live_server)
    public.goto(f"/bids/tender/{tender.pk}/opening/")
    row = public.locator(f'tr[data-commitment="{commitment}"]')
    expect(row).to_contain_text("Hanbit ICT")
    expect(row).to_contain_text("87,500,000")
    for other in (opener_page, audrey_page, bidder_page, public):
        other.context.close()
