"""OCDS 1.1 open data (DESIGN.md §7): one release per public tender, and the packages around it.

Pure builders: they read a tender and what hangs off it (documents, opening record, public awards,
public contracts) and return plain dicts ready for JSON. Nothing sealed ever gets here: tenderers and
their number appear only once an OpeningRecord exists, and bid prices are never published (the core
schema has no place for them; the opening results page shows them). Awards appear once bidders have
been told (Award.PUBLIC_STATUSES), contracts once both parties have signed (Contract.PUBLIC_STATUSES).

Names are the legal (Korean) ones, so every release says `language: "ko"`.
"""

import hashlib
import html
import json
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from bidding.models import OpenedBid, OpeningRecord
from contracts.models import Award, Contract
from suppliers.models import Supplier
from tenders.models import ProcuringEntity, Tender, TenderDocument

OCDS_VERSION = "1.1"
PUBLISHER = {"name": "KONEPS-style e-procurement portal"}
# Korea Open Government License, type 1 (attribution): what the law asks for public procurement data.
LICENSE = "https://www.kogl.or.kr/info/licenseType1.do"

TENDER_STATUS = {
    Tender.Status.PUBLISHED: "active",
    Tender.Status.CLOSED: "active",
    Tender.Status.OPENED: "active",
    Tender.Status.EVALUATED: "active",
    Tender.Status.AWARDED: "complete",
    Tender.Status.CONTRACTED: "complete",
    Tender.Status.CANCELLED: "cancelled",
    Tender.Status.UNSUCCESSFUL: "unsuccessful",
}
METHOD = {
    Tender.Method.OPEN: "open",
    Tender.Method.RESTRICTED: "selective",
    Tender.Method.LIMITED: "limited",
}
METHOD_DETAILS = {
    Tender.Method.OPEN: "Open competitive tender (일반경쟁)",
    Tender.Method.RESTRICTED: "Restricted tender, invited suppliers (제한경쟁/지명경쟁)",
    Tender.Method.LIMITED: "Limited tender, direct (수의계약)",
}
AWARD_CRITERIA = {
    Tender.EvaluationMethod.LOWEST_PRICE: "priceOnly",
    Tender.EvaluationMethod.FLOOR_RATE_RESERVE: "priceOnly",
    Tender.EvaluationMethod.BEST_VALUE: "ratedCriteria",
}
AWARD_CRITERIA_DETAILS = {
    Tender.EvaluationMethod.LOWEST_PRICE: "Lowest price",
    Tender.EvaluationMethod.FLOOR_RATE_RESERVE: "Lowest price above a floor rate (multiple reserve prices)",
    Tender.EvaluationMethod.BEST_VALUE: "Best value (technical and price)",
}
DOCUMENT_TYPE = {
    TenderDocument.Kind.SPECIFICATION: "technicalSpecifications",
    TenderDocument.Kind.DRAWING: "technicalSpecifications",
    TenderDocument.Kind.BILL_OF_QUANTITIES: "billOfQuantity",
    TenderDocument.Kind.CONTRACT_TERMS: "contractDraft",
    TenderDocument.Kind.OTHER: "biddingDocuments",
}
AWARD_STATUS = {
    Award.Status.STANDSTILL: "pending",
    Award.Status.FINAL: "active",
    Award.Status.CANCELLED: "cancelled",
}
# OCDS 1.1 "terminated": signed and in force, now come to a close — by completion or by termination.
CONTRACT_STATUS = {
    Contract.Status.ACTIVE: "active",
    Contract.Status.COMPLETED: "terminated",
    Contract.Status.TERMINATED: "terminated",
}


def tenders_for_ocds(queryset: QuerySet[Tender]) -> QuerySet[Tender]:
    """Everything `tender_release` reads, fetched in a fixed number of queries (pass tenders_public())."""
    return queryset.select_related("entity", "opening_record").prefetch_related(
        "classifications",
        "documents",
        Prefetch(
            "opening_record__opened_bids",
            queryset=OpenedBid.objects.select_related("supplier").order_by("submitted_at", "id"),
        ),
        Prefetch(
            "awards",
            queryset=Award.objects.filter(status__in=Award.PUBLIC_STATUSES).select_related("supplier").order_by("id"),
        ),
        Prefetch(
            "contracts",
            queryset=Contract.objects.filter(status__in=Contract.PUBLIC_STATUSES).order_by("id"),
        ),
    )


def _amount(value: Decimal) -> int | float:
    # JSON numbers: KRW amounts are whole; keep them exact integers.
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def _value(amount: Decimal, currency: str) -> dict:
    return {"amount": _amount(amount), "currency": currency}


def _dt(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _day(value: date, at: time) -> str:
    """A calendar date (Korean time) as the date-time OCDS wants."""
    return datetime.combine(value, at, tzinfo=ZoneInfo(settings.TIME_ZONE)).isoformat()


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _plain(text: str) -> str:
    """The stored description is sanitised HTML; OCDS wants plain text."""
    return html.unescape(strip_tags(text or "")).strip()


def entity_party_id(entity: ProcuringEntity) -> str:
    return f"KR-ENTITY-{entity.code}"


def supplier_party_id(supplier: Supplier) -> str:
    return f"KR-BRN-{supplier.registration_number}"


def _opening(tender: Tender) -> OpeningRecord | None:
    try:
        return tender.opening_record
    except OpeningRecord.DoesNotExist:
        return None


def _compact(data: dict) -> dict:
    return {key: value for key, value in data.items() if value not in (None, "", [], {})}


def tender_release(tender: Tender) -> dict:
    """The current state of one public tender as an OCDS 1.1 release (tender, awards, contracts)."""
    if not tender.is_public or not tender.ocid:
        raise ValueError("only published tenders have OCDS releases")

    entity = tender.entity
    buyer = {"id": entity_party_id(entity), "name": entity.name_ko}
    parties: dict[str, dict] = {
        buyer["id"]: {**buyer, "roles": ["buyer", "procuringEntity"]},
    }

    def add_party(supplier: Supplier, role: str) -> dict:
        ref = {"id": supplier_party_id(supplier), "name": supplier.name_ko}
        party = parties.setdefault(ref["id"], {**ref, "roles": []})
        if role not in party["roles"]:
            party["roles"].append(role)
        return ref

    dates = [tender.published_at, tender.status_changed_at]

    # Tenderers only after opening: until then who bid is sealed too.
    opening = _opening(tender)
    tenderers = []
    if opening is not None:
        dates.append(opening.opened_at)
        seen = set()
        for opened in opening.opened_bids.all():
            ref = add_party(opened.supplier, "tenderer")
            if ref["id"] not in seen:
                seen.add(ref["id"])
                tenderers.append(ref)

    items = [
        {
            "id": str(number),
            "description": classification.title_ko,
            "classification": {
                "scheme": classification.scheme,
                "id": classification.code,
                "description": classification.title_ko,
            },
        }
        for number, classification in enumerate(tender.classifications.all(), start=1)
    ]
    documents = [
        _compact(
            {
                "id": str(document.pk),
                "documentType": DOCUMENT_TYPE.get(document.kind),
                "title": document.title,
                "url": _absolute(reverse("tenders:document", args=[tender.pk, document.pk])),
                "datePublished": _dt(max(d for d in (document.uploaded_at, tender.published_at) if d)),
                "format": document.content_type,
                "language": "ko",
            }
        )
        for document in tender.documents.all()
    ]
    tender_section = _compact(
        {
            "id": tender.reference,
            "title": tender.title,
            "description": _plain(tender.description),
            "status": TENDER_STATUS.get(tender.status, "active"),
            "procuringEntity": buyer,
            "items": items,
            "value": _value(tender.estimated_value, tender.currency),
            "procurementMethod": METHOD[tender.method],
            "procurementMethodDetails": METHOD_DETAILS[tender.method],
            "procurementMethodRationale": _plain(tender.method_justification),
            "mainProcurementCategory": tender.category,
            "awardCriteria": AWARD_CRITERIA[tender.evaluation_method],
            "awardCriteriaDetails": AWARD_CRITERIA_DETAILS[tender.evaluation_method],
            "submissionMethod": ["electronicSubmission"],
            "eligibilityCriteria": _plain(tender.eligibility),
            "tenderPeriod": _compact(
                {"startDate": _dt(tender.published_at), "endDate": _dt(tender.submission_deadline)}
            ),
            "enquiryPeriod": _compact(
                {"startDate": _dt(tender.published_at), "endDate": _dt(tender.clarification_deadline)}
            ),
            "tenderers": tenderers,
            "documents": documents,
        }
    )
    if opening is not None:
        tender_section["numberOfTenderers"] = opening.bid_count

    awards = []
    for award in tender.awards.all():
        if award.status not in AWARD_STATUS:
            continue
        award_date = award.cancelled_at or award.finalised_at or award.standstill_started_at or award.proposed_at
        dates.append(award_date)
        awards.append(
            _compact(
                {
                    "id": str(award.pk),
                    "status": AWARD_STATUS[award.status],
                    "date": _dt(award_date),
                    "value": _value(award.value, award.currency),
                    "suppliers": [add_party(award.supplier, "supplier")],
                }
            )
        )

    contracts = []
    for contract in tender.contracts.all():
        if contract.status not in CONTRACT_STATUS:
            continue
        dates.extend([contract.signed_at, contract.completed_at, contract.terminated_at])
        contracts.append(
            _compact(
                {
                    "id": contract.reference,
                    "awardID": str(contract.award_id),
                    "title": contract.title,
                    "description": contract.deliverables,
                    "status": CONTRACT_STATUS[contract.status],
                    "period": {
                        "startDate": _day(contract.start_date, time.min),
                        "endDate": _day(contract.end_date, time(23, 59, 59)),
                    },
                    "value": _value(contract.value, contract.currency),
                    "dateSigned": _dt(contract.signed_at),
                }
            )
        )

    tag = ["tenderAmendment" if tender.version else "tender"]
    if tender.status == Tender.Status.CANCELLED:
        tag = ["tenderCancellation"]
    if awards:
        tag.append("award")
    if contracts:
        tag.append("contract")

    release = {
        "ocid": tender.ocid,
        "date": _dt(max(d for d in dates if d)),
        "tag": tag,
        "initiationType": "tender",
        "language": "ko",
        "parties": list(parties.values()),
        "buyer": buyer,
        "tender": tender_section,
    }
    if awards:
        release["awards"] = awards
    if contracts:
        release["contracts"] = contracts
    # The id names this exact content: a new state is a new release, the same state the same id.
    digest = hashlib.sha256(json.dumps(release, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]
    return {"ocid": release["ocid"], "id": f"{tender.ocid}-{tender.version}-{digest}", **release}


def release_package(releases: list[dict], *, uri: str) -> dict:
    return {
        "uri": uri,
        "version": OCDS_VERSION,
        "publishedDate": timezone.now().isoformat(),
        "publisher": PUBLISHER,
        "license": LICENSE,
        "publicationPolicy": _absolute("/api/v1/ocds/releases/"),
        "releases": releases,
    }


def record_package(releases: list[dict], *, uri: str) -> dict:
    """One record per ocid; each embeds its (single, current) release, which is also the compiled one."""
    records = [
        {
            "ocid": release["ocid"],
            "releases": [release],
            "compiledRelease": {**release, "tag": ["compiled"]},
        }
        for release in releases
    ]
    package = release_package([], uri=uri)
    del package["releases"]
    return {**package, "records": records}
