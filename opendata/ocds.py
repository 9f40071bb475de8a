"""OCDS 1.1 open data: a release for every public change of a tender, and records compiled from them.

`tender_releases` derives, deterministically, one release per event from what the portal stores —
the notice and each amendment (TenderVersion snapshots), each answered question, the closing, the
opening record, each award step (standstill, final, cancelled), each contract signature and
amendment, each milestone delivered or accepted, and the tender's or contract's end. The same data
always gives the same releases with the same ids (`<ocid>-<event>`), so consumers can store them and
fetch only what is new. Each release carries the whole of every object it touches as it stood right
after the event; merging them in order (the standard's merge rules, `opendata.merge`) gives the
current state.

Dates: a release is dated by its event; where stored times disagree with the order of events (a
record written after the fact), a release is dated no earlier than the one before it, so that the
order the standard's merge uses is the order things happened in.

Nothing sealed gets here: bids appear at the closing only as a count and their commitment hashes,
and everything else about them (tenderers, prices, picks) only from the opening record. The review's
reasons and the committee's scores (members as A, B, C) appear with the award. Fields beyond the core
schema are in the local `koneps` extension (opendata/extensions/koneps/).
"""

import hashlib
import html
import json
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils.html import strip_tags

from bidding.models import Bid, Consortium, ConsortiumMember, OpenedBid, OpeningRecord, TenderClosing
from catalogue.models import FrameworkAgreement, Invoice
from contracts.models import Award, Contract, ContractVersion, Milestone, Signature
from contracts.selectors import evaluation_public
from integrity.ocds import extension_url as integrity_extension_url
from integrity.ocds import ocds_red_flags_fragment
from suppliers.models import Classification, Supplier
from tenders.models import ProcuringEntity, Tender, TenderDocument, TenderVersion
from tenders.policies import evaluation_policy, method_policy
from tenders.selectors import clarifications_public
from tenders.services.common import tender_snapshot

from . import frameworks

OCDS_VERSION = "1.1"
EXTENSIONS = ("koneps",)  # served by this app; integrity's red-flags extension is served by integrity

# Company-register identifier schemes (org-id.guide) by the supplier's country; other countries get
# `<country>-REG`, their national register.
IDENTIFIER_SCHEMES = {
    "KR": "KR-BRN",  # 사업자등록번호, business registration number
    "US": "US-EIN",
    "GB": "GB-COH",
    "JP": "JP-JCN",
    "CN": "CN-USCC",
    "DE": "DE-CR",
    "VN": "VN-TAX",
}
COUNTRY_NAMES = {"KR": "대한민국", "US": "United States", "GB": "United Kingdom", "JP": "日本", "CN": "中国"}
ENTITY_SCHEME = "KR-ENTITY"

DOCUMENT_TYPE = {
    TenderDocument.Kind.SPECIFICATION: "technicalSpecifications",
    TenderDocument.Kind.DRAWING: "technicalSpecifications",
    TenderDocument.Kind.BILL_OF_QUANTITIES: "billOfQuantity",
    TenderDocument.Kind.CONTRACT_TERMS: "contractDraft",
    TenderDocument.Kind.OTHER: "biddingDocuments",
}
OPENING_OUTCOME = {
    OpenedBid.Outcome.RANKED: "ranked",
    OpenedBid.Outcome.BELOW_FLOOR: "belowFloor",
    OpenedBid.Outcome.ABOVE_PLANNED: "abovePlanned",
    OpenedBid.Outcome.COMMITMENT_FAILED: "commitmentFailed",
    OpenedBid.Outcome.INVALID: "invalid",
    OpenedBid.Outcome.SECURITY_REJECTED: "securityRejected",
    OpenedBid.Outcome.CONSORTIUM_INVALID: "consortiumInvalid",
    OpenedBid.Outcome.AWAITING_PRICE: "awaitingPrice",
    OpenedBid.Outcome.PRICE_NOT_OPENED: "priceNotOpened",
}
TWO_ENVELOPES_DETAILS = (
    "Two envelopes: the technical envelopes open first; only the price envelopes of bids found technically "
    "compliant are opened, after the technical results and a complaint window; the others are never opened."
)
BID_STATUS = {"qualified": "valid", "opened": "valid", "disqualified": "disqualified", "awarded": "awarded"}


# --- small helpers ---------------------------------------------------------------------------------


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _amount(value) -> int | float:
    # JSON numbers: KRW amounts are whole; keep them exact integers.
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def _value(amount, currency: str) -> dict:
    return {"amount": _amount(amount), "currency": currency}


def _number(value) -> int | float | None:
    return None if value is None else _amount(value)


def _dt(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _day(value: date | str, at: time) -> str:
    """A calendar date (the deployment's zone) as the date-time OCDS wants."""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return datetime.combine(value, at, tzinfo=ZoneInfo(settings.TIME_ZONE)).isoformat()


def _plain(text: str) -> str:
    """Stored descriptions are sanitised HTML; OCDS wants plain text."""
    return html.unescape(strip_tags(text or "")).strip()


def compact(data: dict) -> dict:
    return {key: value for key, value in data.items() if value not in (None, "", [], {})}


def entity_party_id(entity: ProcuringEntity) -> str:
    return f"{ENTITY_SCHEME}-{entity.code}"


def supplier_scheme(supplier: Supplier) -> str:
    return IDENTIFIER_SCHEMES.get(supplier.country, f"{supplier.country}-REG")


def consortium_party_id(tender: Tender, consortium: Consortium) -> str:
    return f"{tender.ocid}-consortium-{consortium.pk}"


def supplier_party_id(supplier: Supplier) -> str:
    return f"{supplier_scheme(supplier)}-{supplier.registration_number}"


def supplier_organization(supplier: Supplier, roles: list[str]) -> dict:
    """A company as an OCDS party, with the roles it has gained so far."""
    return compact(
        {
            "id": supplier_party_id(supplier),
            "name": supplier.name_ko,
            "identifier": compact(
                {
                    "scheme": supplier_scheme(supplier),
                    "id": supplier.registration_number,
                    "legalName": supplier.name_ko,
                }
            ),
            "address": compact({"streetAddress": supplier.address, "countryName": COUNTRY_NAMES.get(supplier.country)}),
            "roles": list(roles),
        }
    )


def extension_url(name: str) -> str:
    return absolute(reverse("api-ocds-extension", args=[name, "extension.json"]))


def extension_urls() -> list[str]:
    return [*(extension_url(name) for name in EXTENSIONS), integrity_extension_url()]


# --- the query -------------------------------------------------------------------------------------


def tenders_for_ocds(queryset: QuerySet[Tender]) -> QuerySet[Tender]:
    """Everything `tender_releases` reads, prefetched (pass tenders_public())."""
    return queryset.select_related(
        "entity", "opening_record", "bid_closing", "framework_call", "mini_competition__framework__tender"
    ).prefetch_related(
        "classifications",
        Prefetch(
            "framework_agreements",
            queryset=FrameworkAgreement.objects.select_related("supplier").order_by("concluded_at", "id"),
        ),
        "documents",
        Prefetch("versions", queryset=TenderVersion.objects.order_by("amendment_number")),
        Prefetch(
            "opening_record__opened_bids",
            queryset=OpenedBid.objects.select_related("supplier", "bid", "bid__consortium")
            .prefetch_related(
                Prefetch(
                    "bid__consortium__members",
                    queryset=ConsortiumMember.objects.select_related("supplier").order_by("-is_lead", "id"),
                )
            )
            .order_by("submitted_at", "id"),
        ),
        Prefetch(
            "awards",
            queryset=Award.objects.filter(status__in=Award.PUBLIC_STATUSES)
            .select_related("supplier", "bid__consortium")
            .prefetch_related(
                Prefetch(
                    "bid__consortium__members",
                    queryset=ConsortiumMember.objects.select_related("supplier").order_by("-is_lead", "id"),
                )
            )
            .order_by("proposed_at", "id"),
        ),
        Prefetch(
            "contracts",
            queryset=Contract.objects.filter(status__in=Contract.PUBLIC_STATUSES)
            .select_related("supplier", "award__bid")
            .prefetch_related(
                Prefetch("versions", queryset=ContractVersion.objects.select_related("document").order_by("number")),
                Prefetch(
                    "versions__signatures",
                    queryset=Signature.objects.select_related("supplier").order_by("signed_at", "id"),
                ),
                Prefetch(
                    "milestones",
                    queryset=Milestone.objects.order_by("number").prefetch_related(
                        Prefetch("invoices", queryset=Invoice.objects.order_by("issued_at", "id"))
                    ),
                ),
            )
            .order_by("id"),
        ),
    )


# --- the releases ----------------------------------------------------------------------------------


@dataclass
class _Event:
    phase: int  # the order of the lifecycle, which wins over a stored time that disagrees with it
    at: datetime
    key: str
    tag: list[str]
    sections: dict = field(default_factory=dict)


class _TenderHistory:
    """Builds the events of one tender; parties keep the roles they have gained so far."""

    def __init__(self, tender: Tender):
        self.tender = tender
        self.entity = tender.entity
        self.buyer = {"id": entity_party_id(self.entity), "name": self.entity.name_ko}
        self.roles: dict[str, list[str]] = {}
        self.suppliers: dict[str, Supplier] = {}
        self.events: list[_Event] = []

    # parties

    def buyer_party(self) -> dict:
        return {
            **self.buyer,
            "identifier": {"scheme": ENTITY_SCHEME, "id": self.entity.code, "legalName": self.entity.name_ko},
            "roles": ["buyer", "procuringEntity"],
        }

    def supplier_party(self, supplier: Supplier, role: str) -> dict:
        party_id = supplier_party_id(supplier)
        roles = self.roles.setdefault(party_id, [])
        if role not in roles:
            roles.append(role)
        return supplier_organization(supplier, roles)

    @staticmethod
    def supplier_ref(supplier: Supplier) -> dict:
        return {"id": supplier_party_id(supplier), "name": supplier.name_ko}

    # A consortium's bid (공동수급) is one tenderer: the consortium is a party of its own, whose
    # `consortium` field lists its members (parties too) with their shares (koneps extension).

    def consortium_ref(self, consortium: Consortium) -> dict:
        return {"id": consortium_party_id(self.tender, consortium), "name": consortium.name}

    def bidder_parties(self, bid, supplier: Supplier, role: str) -> tuple[dict, list[dict]]:
        """(reference, parties) of whoever made `bid`: the company, or the consortium and its members."""
        consortium = bid.consortium if bid is not None else None
        if consortium is None:
            return self.supplier_ref(supplier), [self.supplier_party(supplier, role)]
        members = list(consortium.members.all())
        party_id = consortium_party_id(self.tender, consortium)
        roles = self.roles.setdefault(party_id, [])
        if role not in roles:
            roles.append(role)
        party = {
            "id": party_id,
            "name": consortium.name,
            "roles": list(roles),
            "consortium": {
                "performance": consortium.performance,
                "members": [
                    compact(
                        {
                            "id": supplier_party_id(m.supplier),
                            "name": m.supplier.name_ko,
                            "share": _number(m.share),
                            "lead": m.is_lead,
                            "scope": m.scope,
                        }
                    )
                    for m in members
                ],
            },
        }
        return self.consortium_ref(consortium), [party, *(self.supplier_party(m.supplier, role) for m in members)]

    # the notice and its amendments

    def notice(self, version: TenderVersion, previous_key: str | None, classifications: dict) -> None:
        tender, snap = self.tender, version.snapshot
        number = version.amendment_number
        documents = [
            compact(
                {
                    "id": str(document.pk),
                    "documentType": DOCUMENT_TYPE.get(document.kind),
                    "title": document.title,
                    "url": absolute(reverse("tenders:document", args=[tender.pk, document.pk])),
                    "datePublished": _dt(max(d for d in (document.uploaded_at, tender.published_at) if d)),
                    "format": document.content_type,
                    "language": "ko",
                    "sha256": document.sha256,
                }
            )
            for document in tender.documents.all()
            if document.amendment_number <= number
        ]
        items = []
        for index, code in enumerate(snap.get("classifications", []), start=1):
            classification = classifications.get(code)
            title = classification.title_ko if classification else code
            scheme = classification.scheme if classification else "CPV"
            items.append(
                {
                    "id": str(index),
                    "description": title,
                    "classification": {"scheme": scheme, "id": code, "description": title},
                }
            )
        method = snap["evaluation_method"]
        section = compact(
            {
                "id": snap["reference"],
                "title": snap["title"],
                "description": _plain(snap["description"]),
                "status": "active",
                "procuringEntity": self.buyer,
                "items": items,
                "value": _value(snap["estimated_value"], snap["currency"]),
                "procurementMethod": method_policy(snap["method"]).ocds_method,
                "procurementMethodDetails": method_policy(snap["method"]).ocds_method_details,
                "procurementMethodRationale": _plain(snap["method_justification"]),
                "mainProcurementCategory": snap["category"],
                "awardCriteria": evaluation_policy(method).ocds_award_criteria,
                "awardCriteriaDetails": evaluation_policy(method).ocds_award_criteria_details,
                "submissionMethod": ["electronicSubmission"],
                "submissionMethodDetails": TWO_ENVELOPES_DETAILS if snap.get("envelopes") == 2 else None,
                "envelopes": snap.get("envelopes", 1),
                "eligibilityCriteria": _plain(snap["eligibility"]),
                "tenderPeriod": compact(
                    {"startDate": _dt(tender.published_at), "endDate": snap["submission_deadline"]}
                ),
                "enquiryPeriod": compact(
                    {"startDate": _dt(tender.published_at), "endDate": snap["clarification_deadline"]}
                ),
                "awardPeriod": compact({"startDate": snap["opening_at"]}),
                "documents": documents,
                "evaluationRules": evaluation_rules(method, snap.get("evaluation_params") or {}),
                "jointBiddingAllowed": snap.get("consortium_allowed"),
                "bidSecurity": bid_security(snap),
            }
        )
        call = frameworks.framework_call_of(tender)
        if call is not None:
            section.update(frameworks.framework_techniques(call))
        related = frameworks.competition_related(tender)
        if related is not None:
            section["competitive"] = True
        key = f"tender-{number}" if number == 0 else f"amendment-{number}"
        if number:
            section["amendments"] = [
                compact(
                    {
                        "id": str(number),
                        "date": _dt(version.created_at),
                        "rationale": version.reason,
                        "amendsReleaseID": f"{tender.ocid}-{previous_key}" if previous_key else None,
                        "releaseID": f"{tender.ocid}-{key}",
                    }
                )
            ]
        at = tender.published_at if number == 0 else version.created_at
        self.events.append(
            _Event(
                phase=0,
                at=at,
                key=key,
                tag=["tender"] if number == 0 else ["tenderAmendment"],
                sections=compact(
                    {
                        "parties": [self.buyer_party()],
                        "buyer": self.buyer,
                        "relatedProcesses": [related] if related else None,
                        "tender": section,
                    }
                ),
            )
        )

    def enquiry(self, clarification) -> None:
        self.events.append(
            _Event(
                phase=0,
                at=clarification.answered_at,
                key=f"enquiry-{clarification.pk}",
                tag=["tenderUpdate"],
                sections={
                    "tender": {
                        "hasEnquiries": True,
                        "enquiries": [
                            {
                                "id": str(clarification.pk),
                                "date": _dt(clarification.asked_at),
                                "description": clarification.question,
                                "answer": clarification.answer,
                                "dateAnswered": _dt(clarification.answered_at),
                            }
                        ],
                    }
                },
            )
        )

    def closing(self, closing: TenderClosing) -> None:
        self.events.append(
            _Event(
                phase=1,
                at=closing.closed_at,
                key="closing",
                tag=["tenderUpdate"],
                sections={
                    # Once closed, the deadlines can no longer change: the stored ones are those that applied.
                    "tender": compact(
                        {
                            "tenderPeriod": compact({"endDate": _dt(self.tender.submission_deadline)}),
                            "enquiryPeriod": compact({"endDate": _dt(self.tender.clarification_deadline)}),
                            "awardPeriod": compact({"startDate": _dt(self.tender.opening_at)}),
                        }
                    ),
                    "bids": {
                        "statistics": [
                            {
                                "id": "received",
                                "measure": "received",
                                "date": _dt(closing.closed_at),
                                "value": closing.bid_count,
                            }
                        ],
                        "commitments": sorted(closing.commitments),
                    },
                },
            )
        )

    def opening(self, record: OpeningRecord) -> None:
        if record.is_two_stage:
            self.technical_stage(record)
            if not record.is_complete:
                return
        opened = list(record.opened_bids.all())
        parties, tenderers, details = [], [], []
        for bid in opened:
            ref, bidder_parties = self.bidder_parties(bid.bid, bid.supplier, "tenderer")
            if ref not in tenderers:
                tenderers.append(ref)
                parties.extend(bidder_parties)
            details.append(
                compact(
                    {
                        "id": str(bid.bid_id),
                        "date": _dt(bid.submitted_at),
                        "status": "valid" if bid.outcome == OpenedBid.Outcome.RANKED else "disqualified",
                        "tenderers": [ref],
                        "value": _value(bid.price, bid.currency) if bid.price is not None else None,
                        "commitment": bid.commitment,
                        "commitmentVerified": bid.commitment_ok,
                        "openingOutcome": OPENING_OUTCOME[bid.outcome],
                        "problem": bid.problem,
                        "priceRatio": _number(bid.price_ratio),
                        "openingRank": bid.rank,
                        "tied": bid.tied if bid.rank is not None else None,
                        "reservePicks": list(bid.reserve_picks or []),
                        **(self.technical_result(bid) if record.is_two_stage else {}),
                    }
                )
            )
        valid = [b.price for b in opened if b.outcome == OpenedBid.Outcome.RANKED and b.price is not None]
        at = _dt(record.opened_at)
        statistics = [
            {"id": "opened", "measure": "opened", "date": at, "value": record.bid_count},
            {"id": "valid", "measure": "valid", "date": at, "value": record.valid_count},
            {"id": "withdrawn", "measure": "withdrawn", "date": at, "value": record.withdrawn_count},
        ]
        if valid:
            statistics += [
                {
                    "id": "lowestValidBid",
                    "measure": "lowestValidBid",
                    "date": at,
                    "value": _amount(min(valid)),
                    "currency": record.currency,
                },
                {
                    "id": "highestValidBid",
                    "measure": "highestValidBid",
                    "date": at,
                    "value": _amount(max(valid)),
                    "currency": record.currency,
                },
            ]
        tender = compact({"numberOfTenderers": record.bid_count, "tenderers": tenderers})
        reserve = reserve_prices(record)
        if reserve:
            tender["reservePrices"] = reserve
        if record.outcome == OpeningRecord.Outcome.UNSUCCESSFUL:
            tender["status"] = "unsuccessful"
            tender["statusReason"] = self.tender.unsuccessful_reason or None
        sections = {"tender": compact(tender), "bids": {"statistics": statistics, "details": details}}
        if parties:
            sections["parties"] = parties
        at = record.price_opened_at if record.is_two_stage else record.opened_at
        key = "price-opening" if record.is_two_stage else "opening"
        self.events.append(_Event(phase=2, at=at, key=key, tag=["tenderUpdate"], sections=sections))

    @staticmethod
    def technical_result(bid: OpenedBid, *, price_opened: bool | None = None) -> dict:
        return {
            "priceCommitment": bid.price_commitment or None,
            "priceOpened": bid.price_opened if price_opened is None else price_opened,
            "technicalResult": compact(
                {
                    "compliant": bid.technical_compliant,
                    "reason": bid.technical_reason,
                    "date": _dt(bid.technical_decided_at),
                }
            ),
        }

    def technical_stage(self, record: OpeningRecord) -> None:
        """Two envelopes: the technical opening (no prices), then the published technical results."""
        opened = list(record.opened_bids.all())
        parties, tenderers, refs = [], [], {}
        for bid in opened:
            # A consortium's bid is the consortium's from the first opening on, as at the price opening.
            ref, bidder_parties = self.bidder_parties(bid.bid, bid.supplier, "tenderer")
            refs[bid.pk] = ref
            if ref not in tenderers:
                tenderers.append(ref)
                parties.extend(bidder_parties)

        def detail(bid: OpenedBid, *, results: bool) -> dict:
            # Published results are not final until the complaint window has passed: the status
            # (disqualified) comes with the price opening; here the decision is technicalResult.
            status = "valid" if results and bid.technical_compliant else None
            return compact(
                {
                    "id": str(bid.bid_id),
                    "date": _dt(bid.submitted_at),
                    "status": status,
                    "tenderers": [refs[bid.pk]],
                    "commitment": bid.commitment,
                    "commitmentVerified": bid.commitment_ok,
                    "openingOutcome": "awaitingPrice"
                    if bid.outcome in (OpenedBid.Outcome.AWAITING_PRICE, OpenedBid.Outcome.PRICE_NOT_OPENED)
                    or (bid.price_opened and bid.commitment_ok)
                    else OPENING_OUTCOME[bid.outcome],
                    "problem": bid.problem if not bid.price_opened else None,
                    # The published decision, before any price opened (the price stage's release adds prices).
                    **(
                        self.technical_result(bid, price_opened=False)
                        if results
                        else {"priceCommitment": bid.price_commitment or None, "priceOpened": False}
                    ),
                }
            )

        at = _dt(record.opened_at)
        sections = {
            "tender": compact({"numberOfTenderers": record.bid_count, "tenderers": tenderers}),
            "bids": {
                "statistics": [
                    {"id": "technicalOpened", "measure": "technicalOpened", "date": at, "value": record.bid_count}
                ],
                "details": [detail(b, results=False) for b in opened],
            },
        }
        if parties:
            sections["parties"] = parties
        self.events.append(
            _Event(phase=2, at=record.opened_at, key="technical-opening", tag=["tenderUpdate"], sections=sections)
        )
        if record.technical_published_at is None:
            return
        results = {
            "bids": {
                "statistics": [
                    {
                        "id": "technicallyCompliant",
                        "measure": "technicallyCompliant",
                        "date": _dt(record.technical_published_at),
                        "value": sum(1 for b in opened if b.technical_compliant),
                    }
                ],
                "details": [detail(b, results=True) for b in opened],
            },
            "tender": {
                "technicalComplaintPeriod": compact(
                    {"startDate": _dt(record.technical_published_at), "endDate": _dt(record.complaint_until)}
                )
            },
        }
        self.events.append(
            _Event(
                phase=2,
                at=record.technical_published_at,
                key="technical-results",
                tag=["tenderUpdate"],
                sections=results,
            )
        )

    # awards

    def award(self, award: Award, evaluation: list[dict] | None) -> None:
        supplier_ref, supplier_parties = self.bidder_parties(award.bid, award.supplier, "supplier")
        base = {
            "id": str(award.pk),
            "value": _value(award.value, award.currency),
            "suppliers": [supplier_ref],
        }
        if award.standstill_started_at:
            sections = {
                "parties": supplier_parties,
                "awards": [{**base, "status": "pending", "date": _dt(award.standstill_started_at)}],
            }
            if evaluation is not None:
                sections["bids"] = {"details": [evaluation_detail(row) for row in evaluation]}
            self.events.append(
                _Event(
                    phase=3, at=award.standstill_started_at, key=f"award-{award.pk}", tag=["award"], sections=sections
                )
            )
        if award.finalised_at:
            report = {
                "id": f"award-report-{award.pk}",
                "documentType": "evaluationReports",
                "title": "Award report (data)",
                "url": absolute(reverse("api-award-report-data", args=[award.tender_id])),
                "format": "application/json",
                "datePublished": _dt(award.finalised_at),
            }
            self.events.append(
                _Event(
                    phase=3,
                    at=award.finalised_at,
                    key=f"award-{award.pk}-final",
                    tag=["awardUpdate"],
                    sections={
                        "tender": {"status": "complete", "awardPeriod": {"endDate": _dt(award.finalised_at)}},
                        "awards": [
                            {**base, "status": "active", "date": _dt(award.finalised_at), "documents": [report]}
                        ],
                        "bids": {"details": self.award_outcomes(award)},
                    },
                )
            )
        if award.cancelled_at:
            self.events.append(
                _Event(
                    phase=3,
                    at=award.cancelled_at,
                    key=f"award-{award.pk}-cancelled",
                    tag=["awardCancellation"],
                    sections={
                        "awards": [
                            compact(
                                {
                                    **base,
                                    "status": "cancelled",
                                    "date": _dt(award.cancelled_at),
                                    "description": award.cancellation_reason,
                                }
                            )
                        ]
                    },
                )
            )

    def award_outcomes(self, award: Award) -> list[dict]:
        """At the final award: the winner is awarded, the other bids still in the running are not."""
        record = getattr(self.tender, "opening_record", None)
        outcomes = [{"id": str(award.bid_id), "status": "awarded"}]
        if record is not None:
            outcomes += [
                {"id": str(opened.bid_id), "status": "notAwarded"}
                for opened in record.opened_bids.all()
                if opened.bid_id != award.bid_id and opened.bid.status == Bid.Status.NOT_AWARDED
            ]
        return outcomes

    # contracts

    def contract(self, contract: Contract) -> None:
        # Each member of a consortium signs for its company: their signatures are told apart by it.
        per_company = contract.award.bid.consortium_id is not None
        for version in contract.versions.all():
            signatures = list(version.signatures.all())
            for count, signature in enumerate(signatures, start=1):
                # Complete with the last signature: the buyer's and every supplier-side company's.
                both = count == len(signatures) and version.signed_at is not None
                signature_id = f"v{version.number}-{signature.party}" + (
                    f"-{supplier_party_id(signature.supplier)}" if per_company and signature.supplier_id else ""
                )
                ocds_contract = {
                    "id": contract.reference,
                    "awardID": str(contract.award_id),
                    "signatures": [
                        {
                            "id": signature_id,
                            "contractVersion": version.number,
                            "party": signature.party,
                            **(
                                {"signatory": self.supplier_ref(signature.supplier)}
                                if per_company and signature.supplier_id
                                else {}
                            ),
                            "date": _dt(signature.signed_at),
                            "documentSha256": signature.document_sha256,
                        }
                    ],
                }
                if version.number == 1 or both:
                    ocds_contract.update(self.contract_terms(contract, version))
                if version.number == 1:
                    ocds_contract["status"] = "active" if both else "pending"
                if both:
                    ocds_contract["dateSigned"] = _dt(version.signed_at)
                    milestones = milestones_scheduled(version)
                    if milestones:
                        ocds_contract["implementation"] = {"milestones": milestones}
                if both and version.number > 1:
                    ocds_contract["amendments"] = [
                        compact(
                            {"id": str(version.number), "date": _dt(version.signed_at), "rationale": version.reason}
                        )
                    ]
                    tag = ["contractAmendment"]
                else:
                    tag = ["contract"] if version.number == 1 and count == 1 else ["contractUpdate"]
                self.events.append(
                    _Event(
                        phase=4,
                        at=signature.signed_at,
                        key=f"contract-{contract.reference}-{signature_id}",
                        tag=tag,
                        sections={"contracts": [compact(ocds_contract)]},
                    )
                )
        milestones = list(contract.milestones.all())
        frameworks.milestone_invoice_events(self, contract, milestones)
        for milestone in milestones:
            if milestone.delivered_at:
                self.milestone_event(
                    contract,
                    milestone,
                    "delivered",
                    milestone.delivered_at,
                    {"dateDelivered": _dt(milestone.delivered_at)},
                )
            if milestone.accepted_at:
                self.milestone_event(
                    contract,
                    milestone,
                    "accepted",
                    milestone.accepted_at,
                    {"status": "met", "dateMet": _dt(milestone.accepted_at)},
                )
        end = contract.completed_at or contract.terminated_at
        if end:
            self.events.append(
                _Event(
                    phase=5,
                    at=end,
                    key=f"contract-{contract.reference}-{contract.status}",
                    tag=["contractTermination"],
                    sections={
                        "contracts": [
                            compact(
                                {
                                    "id": contract.reference,
                                    "awardID": str(contract.award_id),
                                    "status": "terminated",
                                    "statusReason": contract.termination_reason,
                                }
                            )
                        ]
                    },
                )
            )

    def contract_terms(self, contract: Contract, version: ContractVersion) -> dict:
        document = version.document
        documents = []
        if document is not None and document.sha256:
            documents.append(
                {
                    "id": f"v{version.number}",
                    "documentType": "contractSigned",
                    "title": document.filename or f"{contract.reference} v{version.number}",
                    "url": absolute(reverse("contracts:contract_document", args=[contract.pk, version.number])),
                    "format": "application/pdf",
                    "sha256": document.sha256,
                }
            )
        return compact(
            {
                "title": contract.title,
                "description": version.deliverables,
                "period": {
                    "startDate": _day(version.start_date, time.min),
                    "endDate": _day(version.end_date, time(23, 59, 59)),
                },
                "value": _value(version.value, version.currency),
                "documents": documents,
            }
        )

    def milestone_event(self, contract: Contract, milestone: Milestone, what: str, at: datetime, fields: dict) -> None:
        self.events.append(
            _Event(
                phase=4,
                at=at,
                key=f"contract-{contract.reference}-milestone-{milestone.number}-{what}",
                tag=["implementationUpdate"],
                sections={
                    "contracts": [
                        {
                            "id": contract.reference,
                            "awardID": str(contract.award_id),
                            "implementation": {"milestones": [{"id": str(milestone.number), **fields}]},
                        }
                    ]
                },
            )
        )

    # integrity red flags (integrity.ocds): public from the award on

    def red_flags(self, fragment: dict, award_at: datetime | None) -> None:
        """One release per state of the public flags: a new id when a flag is raised, cleared or reviewed."""
        flags = fragment["redFlags"]
        dates = [datetime.fromisoformat(flag["date"]) for flag in flags if flag.get("date")]
        at = max([*dates, *([award_at] if award_at else [])])
        digest = hashlib.sha256(json.dumps(flags, sort_keys=True).encode()).hexdigest()[:12]
        self.events.append(_Event(phase=3, at=at, key=f"red-flags-{digest}", tag=["tenderUpdate"], sections=fragment))

    # the end of a tender without an award

    def ended(self) -> None:
        tender = self.tender
        if tender.status == Tender.Status.CANCELLED:
            section = compact({"status": "cancelled", "statusReason": tender.cancellation_reason})
            self.events.append(
                _Event(
                    phase=5,
                    at=tender.status_changed_at,
                    key="cancelled",
                    tag=["tenderCancellation"],
                    sections={"tender": section},
                )
            )
        elif tender.status == Tender.Status.UNSUCCESSFUL:
            record = getattr(tender, "opening_record", None)
            if record is not None and record.outcome == OpeningRecord.Outcome.UNSUCCESSFUL:
                return  # the opening release already says so
            section = compact({"status": "unsuccessful", "statusReason": tender.unsuccessful_reason})
            self.events.append(
                _Event(
                    phase=5,
                    at=tender.status_changed_at,
                    key="unsuccessful",
                    tag=["tenderUpdate"],
                    sections={"tender": section},
                )
            )

    def releases(self) -> list[dict]:
        # Stable sort: the lifecycle's phase first, the stored time within it; never earlier than before.
        ordered = sorted(self.events, key=lambda e: (e.phase, e.at))
        releases, last = [], None
        for event in ordered:
            at = event.at if last is None or event.at >= last else last
            last = at
            if "tender" in event.sections:
                # The schema wants the tender's id wherever the tender object appears.
                event.sections["tender"] = {"id": self.tender.reference, **event.sections["tender"]}
            releases.append(
                {
                    "ocid": self.tender.ocid,
                    "id": f"{self.tender.ocid}-{event.key}",
                    "date": _dt(at),
                    "tag": event.tag,
                    "initiationType": "tender",
                    "language": "ko",
                    **event.sections,
                }
            )
        return releases


def bid_security(snap: dict) -> dict | None:
    """The bid security the notice requires (koneps extension), or None."""
    kind, value = snap.get("bid_security_kind"), snap.get("bid_security_value")
    if kind in (None, "none") or value is None:
        return None
    if kind == "percent":
        return {"type": "percentOfBid", "rate": _number(Decimal(value))}
    return {"type": "fixed", "value": _value(Decimal(value), snap["currency"])}


def evaluation_rules(method: str, params: dict) -> dict:
    """The method's parameters and its tie and rounding rules (contracts.policies, bidding.reserve) as data."""
    policy = evaluation_policy(method)
    rules: dict = {"method": policy.ocds_rules_method}
    if policy.needs_committee:
        rules.update(
            {
                "tieBreak": ["lowerPrice", "earlierSubmission", "lowerBidId"],
                "rounding": [
                    {"id": "technicalPoints", "mode": "halfUp", "decimals": 4},
                    {"id": "technicalScore", "mode": "halfUp", "decimals": 4},
                    {"id": "priceScore", "mode": "halfUp", "decimals": 4},
                ],
                "technicalWeight": _number(params.get("technical_weight")),
                "priceWeight": _number(params.get("price_weight")),
                "technicalThresholdPercent": _number(params.get("technical_threshold_pct")),
                "technicalCriteria": [
                    {"id": str(index), "name": criterion["name"], "maxScore": _number(criterion["max_score"])}
                    for index, criterion in enumerate(params.get("technical_criteria") or [])
                ],
                "formula": (
                    "technicalPoints = average over members of each member's summed scores; technicalScore = "
                    "technicalWeight × technicalPoints / sum(maxScore); bids below technicalThresholdPercent of "
                    "sum(maxScore) are set aside; priceScore = priceWeight × lowest qualified price / price; "
                    "total = technicalScore + priceScore; higher total first."
                ),
            }
        )
    else:
        rules["tieBreak"] = ["earlierSubmission", "lowerBidId"]
        rules["formula"] = "Lowest price first."
    if policy.uses_reserve_prices:
        rules.update(
            {
                "rounding": [
                    {"id": "reservePrice", "mode": "floor", "decimals": 0},
                    {"id": "plannedPrice", "mode": "floor", "decimals": 0},
                    {"id": "floorPrice", "mode": "ceiling", "decimals": 0},
                ],
                "floorRate": _number(params.get("floor_rate")),
                "reserveRangePercent": _number(params.get("reserve_range_pct")),
                "reserveCount": params.get("reserve_count"),
                "picksPerBidder": params.get("picks_per_bidder"),
                "picksAveraged": params.get("picks_averaged"),
                "reservePickTieBreak": "lowerNumberFirst",
                "formula": (
                    "plannedPrice = the picksAveraged most-picked reserve prices averaged (ties: lower number first), "
                    "rounded down; floorPrice = floorRate % × plannedPrice, rounded up; bids below floorPrice or "
                    "above plannedPrice are set aside; lowest price first from the floor."
                ),
            }
        )
    return compact(rules)


def reserve_prices(record: OpeningRecord) -> dict:
    currency = record.currency
    return compact(
        {
            "referencePrice": _value(record.reference_price, currency) if record.reference_price is not None else None,
            "plannedPrice": _value(record.planned_price, currency) if record.planned_price is not None else None,
            "floorPrice": _value(record.floor_price, currency) if record.floor_price is not None else None,
            "floorRate": _number(record.floor_rate),
            "values": [
                {
                    "id": str(price["number"]),
                    "value": _value(price["value"], currency),
                    "picks": price.get("picks", 0),
                    "chosen": bool(price.get("chosen")),
                }
                for price in record.reserve_prices or []
            ],
        }
    )


def evaluation_detail(row: dict) -> dict:
    """One bid's review, as contracts.selectors.evaluation_public gives it."""
    evaluation = compact(
        {
            "rank": row["rank"],
            "admissible": row["admissible"],
            "setAsideReason": row["set_aside_reason"],
            "decision": row["decision"],
            "reason": row["reason"],
            "technicalPoints": _number(row["technical_points"]),
            "technicalScore": _number(row["technical_score"]),
            "priceScore": _number(row["price_score"]),
            "totalScore": _number(row["total_score"]),
            "committeeScores": [
                {
                    "id": f"{score['member']}-{score['criterion']}",
                    "member": score["member"],
                    "criterion": str(score["criterion"]),
                    "value": _amount(score["value"]),
                }
                for score in row["scores"]
            ],
        }
    )
    detail = {"id": str(row["bid"]), "evaluation": evaluation}
    if row["decision"] == "failed" or not row["admissible"]:
        detail["status"] = "disqualified"
    return detail


def milestones_scheduled(version: ContractVersion) -> list[dict]:
    return [
        compact(
            {
                "id": str(milestone["number"]),
                "title": milestone.get("title"),
                "type": "delivery",
                "dueDate": _day(milestone["due_date"], time(23, 59, 59)) if milestone.get("due_date") else None,
                "status": "scheduled",
                "value": _value(milestone["amount"], version.currency) if milestone.get("amount") else None,
            }
        )
        for milestone in version.milestones or []
    ]


def _current_as_version(tender: Tender) -> TenderVersion:
    """A tender published without a stored version (made before versions were kept): its notice as it is."""
    return TenderVersion(
        tender=tender, amendment_number=0, snapshot=tender_snapshot(tender), created_at=tender.published_at
    )


def tender_releases(tender: Tender) -> list[dict]:
    """Every release of one public tender, oldest first (pass a tender from tenders_for_ocds)."""
    if not tender.is_public or not tender.ocid:
        raise ValueError("only published tenders have OCDS releases")
    history = _TenderHistory(tender)
    versions = list(tender.versions.all()) or [_current_as_version(tender)]
    codes = {code for version in versions for code in version.snapshot.get("classifications", [])}
    classifications = {c.code: c for c in tender.classifications.all()}
    missing = codes - set(classifications)
    if missing:
        classifications.update({c.code: c for c in Classification.objects.filter(code__in=missing)})
    previous = None
    for version in versions:
        history.notice(version, previous, classifications)
        previous = "tender-0" if version.amendment_number == 0 else f"amendment-{version.amendment_number}"
    for clarification in clarifications_public(tender):
        history.enquiry(clarification)
    closing = getattr(tender, "bid_closing", None)
    if closing is not None:
        history.closing(closing)
    record = getattr(tender, "opening_record", None)
    if record is not None:
        history.opening(record)
    awards = list(tender.awards.all())
    if awards:
        evaluation = evaluation_public(tender)
        for award in awards:
            # The review as it stands belongs to the live award; an earlier, cancelled one was reviewed
            # in a round whose decisions the reopening cleared.
            live = award.status != Award.Status.CANCELLED
            history.award(award, evaluation if live else None)
        fragment = ocds_red_flags_fragment(tender)
        if fragment:
            history.red_flags(fragment, awards[0].standstill_started_at)
    for contract in tender.contracts.all():
        history.contract(contract)
    competition = frameworks.competition_of(tender)
    if competition is not None and competition.order_id:
        frameworks.competition_order_events(history, competition)
    agreements = list(tender.framework_agreements.all())
    if agreements:
        frameworks.agreement_events(history, agreements, frameworks.agreement_status_entries(agreements))
    history.ended()
    return history.releases()
