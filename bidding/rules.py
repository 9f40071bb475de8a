"""Who may do what with bids — one place for pages, the API and the admin site.

Before opening a bid is readable by nobody but its own company: not by officials, auditors,
platform admins or the admin site. Deny by default.
"""

import rules

from procurement.permissions import is_auditor, is_platform_admin, is_supplier_user
from suppliers.rules import has_company
from suppliers.selectors import membership_for_user
from tenders.models import Tender
from tenders.rules import official_of_tender_entity

from .models import Bid, OpeningRecord


@rules.predicate
def may_bid_for_company(user) -> bool:
    membership = membership_for_user(user)
    return membership is not None and membership.may_bid


@rules.predicate
def is_own_bid(user, bid) -> bool:
    membership = membership_for_user(user)
    return bid is not None and membership is not None and membership.supplier_id == bid.supplier_id


@rules.predicate
def bid_is_opened(user, bid) -> bool:
    """The bid's tender has been opened (its OpeningRecord exists)."""
    return bid is not None and OpeningRecord.objects.filter(tender_id=bid.tender_id).exists()


@rules.predicate
def bid_is_submitted(user, bid) -> bool:
    return bid is not None and bid.status == Bid.Status.SUBMITTED


@rules.predicate
def bid_tender_open_for_bids(user, bid) -> bool:
    return bid is not None and bid.tender.is_open_for_bids


@rules.predicate
def official_of_bid_entity(user, bid) -> bool:
    return bid is not None and official_of_tender_entity(user, bid.tender)


@rules.predicate
def tender_is_public(user, tender) -> bool:
    return tender is not None and tender.is_public


@rules.predicate
def tender_may_be_opened(user, tender) -> bool:
    """Closed, or published with its deadline passed (opening closes it first); time is checked by the service."""
    return tender is not None and tender.status in (Tender.Status.CLOSED, Tender.Status.PUBLISHED)


@rules.predicate
def no_object(user, obj=None) -> bool:
    return obj is None


@rules.predicate
def opened_bid_of_own_company(user, opened_bid) -> bool:
    membership = membership_for_user(user)
    return opened_bid is not None and membership is not None and membership.supplier_id == opened_bid.supplier_id


@rules.predicate
def official_of_opened_bid_entity(user, opened_bid) -> bool:
    return opened_bid is not None and official_of_tender_entity(user, opened_bid.opening.tender)


is_bidder = is_supplier_user & has_company

rules.add_perm("bidding.view_own_bids", is_bidder)
rules.add_perm("bidding.submit_bid", is_supplier_user & may_bid_for_company)
# A bid page (its versions, receipts, status): its own company always; after opening also the
# entity's officials and auditors. Before opening nobody else, whatever their role.
rules.add_perm(
    "bidding.read_bid",
    (is_supplier_user & is_own_bid) | (bid_is_opened & (official_of_bid_entity | is_auditor)),
)
rules.add_perm(
    "bidding.withdraw_bid",
    is_supplier_user & may_bid_for_company & is_own_bid & bid_is_submitted & bid_tender_open_for_bids,
)
rules.add_perm("bidding.view_opening", tender_is_public)
rules.add_perm("bidding.open_tender", official_of_tender_entity & tender_may_be_opened)
# Opened documents (technical proposals) are not public: the entity, auditors, the bidder itself.
# Evaluators get them through contracts' committee rules.
rules.add_perm(
    "bidding.view_opened_documents",
    official_of_opened_bid_entity | is_auditor | (is_supplier_user & opened_bid_of_own_company),
)

# Admin site: read-only, and only bids whose tender has been opened (the admin classes also filter
# their lists). Nothing sealed is ever shown there, opened or not.
staff_reader = is_platform_admin | is_auditor
rules.add_perm("bidding", staff_reader)
for model in ("bid", "bidversion"):
    rules.add_perm(f"bidding.view_{model}", staff_reader & (no_object | bid_is_opened))
for model in ("openingrecord", "openedbid", "tenderclosing"):
    rules.add_perm(f"bidding.view_{model}", staff_reader)
# The register of security issuers (and the simulated issuer's book) is kept by platform admins.
# Bid securities and consortia are not on the admin site: before opening they would say who bids.
for model in ("securityissuer", "issuedguarantee"):
    rules.add_perm(f"bidding.view_{model}", staff_reader)
    rules.add_perm(f"bidding.add_{model}", is_platform_admin)
    rules.add_perm(f"bidding.change_{model}", is_platform_admin)

# Two envelopes: the entity's officials decide compliance; the results are public once published
# (the opening page), the entity and auditors see them while they are being assessed.
rules.add_perm("bidding.assess_technical", official_of_tender_entity)
rules.add_perm("bidding.view_technical", official_of_tender_entity | is_auditor)


@rules.predicate
def official_of_cure_entity(user, cure) -> bool:
    return cure is not None and official_of_tender_entity(user, cure.tender)


@rules.predicate
def cure_of_own_company(user, cure) -> bool:
    membership = membership_for_user(user)
    return cure is not None and membership is not None and membership.supplier_id == cure.bid.supplier_id


# Document corrections: the entity asks, the bidder's company answers; auditors read.
rules.add_perm("bidding.request_cure", official_of_bid_entity & bid_is_opened)
rules.add_perm("bidding.view_cure", official_of_cure_entity | is_auditor | (is_supplier_user & cure_of_own_company))
rules.add_perm("bidding.submit_cure", is_supplier_user & may_bid_for_company & cure_of_own_company)
