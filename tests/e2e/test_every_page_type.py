"""Every page type on a phone (375 px) and a desktop (1280 px), in Korean and English, over the demo:
no horizontal scroll of the page at 375 px, and axe-core finds nothing serious or critical.

The pages are visited as the person who uses them (public, supplier, official, evaluator, auditor,
administrator), with the demo data that `make run` loads.
"""

import io

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.test import Client

from bidding.models import Bid, OpeningRecord
from contracts.models import Award, CommitteeMember, Contract
from procurement.models import User
from suppliers.models import Supplier
from tenders.models import Tender

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
BLOCKING = {"serious", "critical"}


def page_types() -> list[tuple[str | None, str]]:
    """(who, address) for one page of every type, picked from the demo data."""
    published = Tender.objects.filter(status=Tender.Status.PUBLISHED).order_by("pk").first()
    amended = Tender.objects.filter(versions__amendment_number__gte=1).distinct().first() or published
    opened = OpeningRecord.objects.order_by("pk").first().tender
    award = Award.objects.filter(status__in=Award.PUBLIC_STATUSES).order_by("pk").first()
    contract = Contract.objects.filter(status__in=Contract.PUBLIC_STATUSES).order_by("pk").first()
    supplier = Supplier.objects.filter(status=Supplier.Status.APPROVED).order_by("pk").first()
    pending = Supplier.objects.filter(status=Supplier.Status.PENDING).order_by("pk").first()
    supplier1 = User.objects.get(email="supplier1@example.com")
    bid = Bid.objects.filter(supplier__members__user=supplier1).order_by("pk").first()
    evaluating = Tender.objects.filter(status=Tender.Status.OPENED).order_by("pk").first() or opened
    seat = CommitteeMember.objects.select_related("user").order_by("pk").first()
    pages = [
        (None, "/"),
        (None, "/tenders/"),
        (None, published.get_absolute_url()),
        (None, f"/tenders/{amended.pk}/versions/"),
        (None, f"/bids/tender/{opened.pk}/opening/"),
        (None, "/awards/"),
        (None, award.get_absolute_url()),
        (None, contract.get_absolute_url()),
        (None, "/suppliers/directory/"),
        (None, supplier.get_absolute_url()),
        (None, "/suppliers/sanctions/"),
        (None, "/tenders/service-status/"),
        (None, "/bids/verify/"),
        (None, "/accounts/login/"),
        (None, "/accounts/signup/"),
        (None, "/no-such-page/"),
        ("supplier1@example.com", "/dashboard/"),
        ("supplier1@example.com", "/bids/"),
        ("supplier1@example.com", f"/bids/{bid.pk}/"),
        ("supplier1@example.com", "/tenders/alerts/"),
        ("supplier1@example.com", "/suppliers/company/"),
        ("supplier1@example.com", "/contracts/"),
        ("supplier1@example.com", "/notifications/"),
        ("official@example.com", "/dashboard/"),
        ("official@example.com", "/tenders/workspace/"),
        ("official@example.com", "/tenders/new/"),
        ("official@example.com", f"/tenders/{published.pk}/amend/"),
        ("official@example.com", "/evaluations/"),
        ("official@example.com", f"/evaluations/{evaluating.pk}/"),
        ("official@example.com", contract.get_absolute_url()),
        ("auditor@example.com", "/dashboard/"),
        ("auditor@example.com", "/reports/"),
        ("auditor@example.com", f"/reports/tenders/{opened.pk}/award-report/"),
        ("admin@example.com", "/dashboard/"),
        ("admin@example.com", "/suppliers/vetting/"),
        ("admin@example.com", f"/suppliers/vetting/{pending.pk}/"),
    ]
    if seat is not None:
        pages.append((seat.user.email, "/dashboard/"))
        pages.append((seat.user.email, "/evaluations/"))
    return pages


def _session_cookie(live_server, email: str) -> dict:
    client = Client()
    client.force_login(User.objects.get(email=email))
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}


def sweep(browser, live_server, language: str, pages) -> dict:
    """Visit every (who, address) at 375 px, then run axe-core at 375 and 1280 px; what failed, by page."""
    axe = Axe()
    overflowing, findings, errors = {}, {}, {}
    for who, url in pages:
        context = browser.new_context(base_url=live_server.url, viewport=PHONE, timezone_id="Asia/Seoul")
        cookies = [{"name": "django_language", "value": language, "url": live_server.url}]
        if who:
            cookies.append(_session_cookie(live_server, who))
        context.add_cookies(cookies)
        try:
            page = context.new_page()
            key = f"{who or 'public'} {url}"
            # Scripts that enable controls (libsodium pages) have run and transitions settled before axe looks.
            response = page.goto(url, wait_until="networkidle")
            page.wait_for_timeout(250)
            if response.status >= 400 and url != "/no-such-page/":
                errors[key] = response.status
                continue
            if not page.evaluate("document.documentElement.scrollWidth <= innerWidth"):
                overflowing[key] = (page.evaluate("document.documentElement.scrollWidth"), page.evaluate(WIDEST))
            for width, viewport in (("375", PHONE), ("1280", DESKTOP)):
                page.set_viewport_size(viewport)
                serious = [
                    (v["id"], [n["target"] for n in v["nodes"]][:3])
                    for v in axe.run(page).response["violations"]
                    if v.get("impact") in BLOCKING
                ]
                if serious:
                    findings[f"{key} @{width}"] = serious
        finally:
            context.close()
    return {"errors": errors, "wider than the phone": overflowing, "axe": findings}


# What sticks out past the right edge (the innermost elements first): named in the failure message.
WIDEST = """(() => {
  const out = [];
  for (const el of document.querySelectorAll("body *")) {
    const r = el.getBoundingClientRect();
    if (r.right > innerWidth + 1 && ![...el.children].some((c) => c.getBoundingClientRect().right > innerWidth + 1)) {
      out.push(`${el.tagName.toLowerCase()}.${[...el.classList].join(".")} ${Math.round(r.right)}`);
    }
  }
  return out.slice(0, 4);
})()"""

CLEAN = {"errors": {}, "wider than the phone": {}, "axe": {}}


@pytest.mark.parametrize("language", ["ko", "en"])
def test_every_page_type_fits_a_phone_and_has_no_serious_accessibility_findings(
    browser, live_server, settings, language
):
    settings.MFA_DEMO_RELAX = True  # the demo's officials, auditor and admin without an authenticator
    call_command("load_demo", stdout=io.StringIO())
    assert sweep(browser, live_server, language, page_types()) == CLEAN


def recent_page_types() -> list[tuple[str | None, str]]:
    """The catalogue shop (second-stage competitions and the budget included), joint bidding and securities,
    the two-envelope technical stage, document corrections and observers, over the demo plus what the demo
    does not hold (made through the services)."""
    from bidding.models import CureRequest
    from bidding.services.cures import cure_request
    from catalogue.models import CatalogueItem, FrameworkAgreement, Invoice, MiniCompetition, Order
    from tenders.services.custodians import observer_invite
    from tests.bidding.helpers import bidder, close_and_open, pdf_with, published_tender, submit_two
    from tests.bidding.joint import attach_security, form_consortium

    kim = User.objects.get(email="official@example.com")
    entity = kim.official.entity
    items = list(CatalogueItem.objects.filter(status="published").order_by("pk")[:3])
    buyer = Client()
    buyer.force_login(kim)
    buyer.post(f"/catalogue/items/{items[0].pk}/cart/", {"quantity": "2"})
    order = Order.objects.filter(deliveries__isnull=False).order_by("pk").first()
    invoice = Invoice.objects.order_by("pk").first()
    agreement = FrameworkAgreement.objects.order_by("pk").first()
    competition = MiniCompetition.objects.order_by("pk").first()  # the demo's second-stage competition

    # Two envelopes, opened: the technical stage, and a correction asked of one bidder.
    technical = published_tender(entity=entity, created_by=kim, envelopes=2, title="2027년 기술제안 평가 용역")
    alpha = bidder(supplier__name_en="Alpha Tech", user__email="alpha@sweep.example")
    beta = bidder(supplier__name_en="Beta Tech", user__email="beta@sweep.example")
    submit_two(technical, alpha, price="81000000", documents=[("plan.pdf", pdf_with("PLAN-A"))])
    submit_two(technical, beta, price="90000000")
    close_and_open(technical)
    alpha_bid = Bid.objects.get(tender=technical, supplier=alpha.supplier_membership.supplier)
    cure = cure_request(bid=alpha_bid, actor=kim, kind=CureRequest.Kind.CERTIFICATE, defect="품질인증서 사본 누락")

    # Joint bidding with a bid security.
    joint = published_tender(
        entity=entity,
        created_by=kim,
        title="2027년 청사 별관 증축공사",
        category="works",
        estimated_value=1_000_000_000,
        consortium_allowed=True,
        bid_security_kind="percent",
        bid_security_value=5,
    )
    lead = bidder(supplier__name_en="Hanbit Construction", user__email="lena@sweep.example")
    partners = [bidder(user__email=f"partner{n}@sweep.example") for n in (1, 2)]
    consortium = form_consortium(joint, lead, partners)
    attach_security(joint, lead, amount=50_000_000)
    observer_invite(actor=kim, email="watchdog@sweep.example")

    return [
        (None, "/catalogue/"),
        (None, items[0].get_absolute_url()),
        (None, "/catalogue/compare/?ids=" + ",".join(str(i.pk) for i in items)),
        (None, "/catalogue/agreements/"),
        (None, agreement.get_absolute_url()),
        (None, "/catalogue/orders/public/"),
        (kim.email, "/catalogue/cart/"),
        (kim.email, "/catalogue/orders/"),
        (kim.email, order.get_absolute_url()),
        (kim.email, "/catalogue/invoices/"),
        (kim.email, invoice.get_absolute_url()),
        (kim.email, "/catalogue/payments/"),
        ("supplier1@example.com", "/catalogue/my-items/"),
        ("supplier1@example.com", order.get_absolute_url()),
        (kim.email, "/catalogue/review/"),
        (kim.email, competition.get_absolute_url()),
        (None, competition.tender.get_absolute_url()),
        ("official2@example.com", "/catalogue/budget/"),
        (None, joint.get_absolute_url()),
        (lead.email, f"/bids/consortia/{consortium.pk}/"),
        (lead.email, f"/bids/consortia/{consortium.pk}/edit/"),
        ("supplier1@example.com", f"/bids/tender/{joint.pk}/consortium/"),
        (lead.email, f"/bids/tender/{joint.pk}/securities/"),
        (None, f"/bids/tender/{technical.pk}/opening/"),
        (kim.email, f"/bids/tender/{technical.pk}/technical/"),
        (alpha.email, f"/bids/{alpha_bid.pk}/"),
        (alpha.email, f"/bids/cure/{cure.pk}/"),
        (kim.email, "/tenders/custodian/observers/"),
        ("auditor@example.com", "/tenders/custodian/"),
        ("admin@example.com", "/tenders/service-status/"),
    ]


@pytest.mark.parametrize("language", ["ko", "en"])
def test_recent_page_types_fit_a_phone_and_have_no_serious_accessibility_findings(
    browser, live_server, settings, language
):
    settings.MFA_DEMO_RELAX = True
    call_command("load_demo", stdout=io.StringIO())
    assert sweep(browser, live_server, language, recent_page_types()) == CLEAN
