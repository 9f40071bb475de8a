"""The amendment page of a tender with reserve prices (복수예비가격): a change of their base needs a
new draw sealed in the official's browser (static/js/amend.mjs posts it as `reserve_prices`); the
server stores it as the amendment's set, refuses an amendment without it, and refuses a draw made on
other terms than the tender's (a stale page). The new draw is what the opening reads."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from nacl.public import PrivateKey

from bidding.services.reserve_prices import reserve_values_unseal
from procurement.models import AuditEntry
from procurement.sealing import b64encode
from sealclient import sealing as client
from sealclient.reserve import reserve_slices
from tenders import services
from tenders.forms import AmendmentForm
from tenders.models import ReservePriceSet, Tender
from tests.sealing import custodians_name, tender_seal_material
from tests.tenders.conftest import login, tender_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def reserve_tender(official):
    """A published floor-rate tender (base 150,000,000 ± 2 %, 15 prices) and its private key."""
    draft = services.tender_create(actor=official, data=tender_data(evaluation_method="floor_rate_reserve"))
    custodians_name(draft)
    draft = services.tender_reference_assign(tender=draft)
    material, private_key = tender_seal_material(draft)
    return services.tender_publish(tender=draft, actor=official, sealing=material), private_key


def page_post(tender, **changes) -> dict:
    """The amendment form as the page sends it, with `changes`."""
    form = AmendmentForm(tender=tender)
    post = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if hasattr(value, "isoformat") and hasattr(value, "hour"):
            value = timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")
        if value is not None and name not in ("classifications", "new_document"):
            post[name] = value
    post.update(reason="예산 증액", **changes)
    return post


def browser_draw(tender, *, amendment: int, base_price: str, range_pct: str = "2", count: int = 15) -> str:
    """What amend.mjs puts in `reserve_prices`: the sealed draw, its commitment and the terms drawn on."""
    sealed = client.reserve_prices_seal(
        tender_public_key=bytes(tender.public_key),
        tender_reference=tender.reference,
        amendment=amendment,
        base_price=base_price,
        range_pct=range_pct,
        count=count,
    )
    terms = {"amendment": amendment, "base_price": base_price, "range_pct": range_pct, "count": count}
    return json.dumps({"ciphertext": b64encode(sealed.ciphertext), "commitment": sealed.commitment, "terms": terms})


def test_the_amend_page_gives_the_browser_the_tender_key_and_the_next_terms(client, official, reserve_tender):
    tender, _private_key = reserve_tender
    login(client, official)
    html = client.get(reverse("tenders:amend", args=[tender.pk])).content.decode()
    assert 'id="reserve-redraw"' in html
    assert "js/amend.mjs" in html
    assert 'form="amend-form"' in html
    assert 'id="amend-form"' in html
    start = html.index('id="reserve-redraw"')
    material = json.loads(html[html.index(">", start) + 1 : html.index("</script>", start)])
    assert material["public_key"] == b64encode(bytes(tender.public_key))
    assert material["reserve"]["amendment"] == 1
    assert Decimal(material["reserve"]["base_price"]) == Decimal(150_000_000)
    assert material["reserve"]["count"] == 15


def test_a_new_base_published_with_the_browsers_draw_is_what_the_opening_reads(client, official, reserve_tender):
    tender, private_key = reserve_tender
    first = ReservePriceSet.objects.get(tender=tender)
    login(client, official)
    post = page_post(tender, estimated_value="200000000")
    post["reserve_prices"] = browser_draw(tender, amendment=1, base_price="200000000")
    response = client.post(reverse("tenders:amend", args=[tender.pk]), post)
    assert response.status_code == 302, response.content.decode()[:2000]

    tender.refresh_from_db()
    assert tender.version == 1
    assert tender.estimated_value == Decimal(200_000_000)
    latest = ReservePriceSet.objects.filter(tender=tender).order_by("amendment_number").last()
    assert latest.amendment_number == 1
    assert latest.commitment != first.commitment
    assert AuditEntry.objects.filter(action="tender.reserve_prices_sealed", data__commitment=latest.commitment).exists()
    # The opening reads the new draw with the tender key: every value in its slice of 200,000,000 ± 2 %.
    values = reserve_values_unseal(tender=tender, private_key=PrivateKey(private_key))
    slices = reserve_slices(base_price=Decimal(200_000_000), range_pct=Decimal(2), count=15)
    assert all(s.low <= v <= s.high for s, v in zip(slices, values, strict=True))


def test_a_new_base_without_a_new_draw_is_refused_on_the_page(client, official, reserve_tender):
    tender, _private_key = reserve_tender
    login(client, official)
    response = client.post(reverse("tenders:amend", args=[tender.pk]), page_post(tender, estimated_value="200000000"))
    assert response.status_code == 200
    assert "the reserve prices must be drawn again" in response.content.decode()
    assert Tender.objects.get(pk=tender.pk).version == 0
    assert ReservePriceSet.objects.filter(tender=tender).count() == 1


@pytest.mark.parametrize(
    ("amendment", "base_price"),
    [(0, "200000000"), (1, "150000000"), (2, "200000000")],
    ids=["the-published-version", "the-old-base", "a-later-amendment"],
)
def test_a_draw_made_on_other_terms_is_refused(client, official, reserve_tender, amendment, base_price):
    """A page left open while a colleague amended the tender drew on stale terms: the opening would
    find the draw does not fit, so it is refused now."""
    tender, _private_key = reserve_tender
    login(client, official)
    post = page_post(tender, estimated_value="200000000")
    post["reserve_prices"] = browser_draw(tender, amendment=amendment, base_price=base_price)
    response = client.post(reverse("tenders:amend", args=[tender.pk]), post)
    assert response.status_code == 200
    assert "drawn on other terms" in response.content.decode()
    assert Tender.objects.get(pk=tender.pk).version == 0


def test_a_draw_is_refused_when_the_base_does_not_change(client, official, reserve_tender):
    tender, _private_key = reserve_tender
    login(client, official)
    post = page_post(tender, delivery_place="정부대전청사")
    post["reserve_prices"] = browser_draw(tender, amendment=1, base_price="150000000")
    response = client.post(reverse("tenders:amend", args=[tender.pk]), post)
    assert response.status_code == 200
    assert "redrawn only when their base changes" in response.content.decode()
    assert Tender.objects.get(pk=tender.pk).version == 0
