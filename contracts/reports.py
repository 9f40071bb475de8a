"""The award report's data: everything an auditor needs about one tender, as plain values.

`award_report_data` gathers it (a read: no writes); `canonical_sha256` hashes its canonical JSON —
that hash is printed inside the PDF (a file cannot contain the hash of its own bytes; the SHA-256
of the PDF file itself is shown on the download page, sent as X-Content-SHA256 and stored in
ReportFile). `award_report_fingerprint` says when a cached report is out of date.

The data is public once the award is final (served as JSON by the API, byte for byte what is
hashed), so it holds no moment of generation and no result of a chain check (both change without
the tender changing; the PDF prints them beside the data, not in it), names committee members only
as A, B, C, and shows who acted in the audit trail by organisation, never by e-mail address.
"""

import hashlib
import json
from collections.abc import Callable

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import translation
from django.utils.translation import gettext as _

from bidding.models import OpenedBid, OpeningRecord, TenderClosing
from procurement import audit_words
from procurement.audit import transparency_integrate, transparency_log_verify
from tenders.models import Tender
from tenders.policies import evaluation_policy

from . import selectors
from .models import Assessment, Award, CommitteeMember, Complaint, Contract, Evaluation, Score, Signature

REPORT_VERSION = 1


def canonical_json(data) -> bytes:
    return json.dumps(data, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def canonical_sha256(data) -> str:
    return hashlib.sha256(canonical_json(data)).hexdigest()


def award_report_fingerprint(tender: Tender, *, language: str) -> str:
    """Changes whenever anything in the report could: the tender row, or any audit entry about it."""
    tender = Tender.objects.only("pk", "updated_at", "status").get(pk=tender.pk)
    parts = {
        "v": REPORT_VERSION,
        "tender": tender.pk,
        "updated": tender.updated_at,
        "status": tender.status,
        "last_seq": selectors.tender_audit_last_seq(tender),
        "language": language,
    }
    return canonical_sha256(parts)


def bid_count(tender: Tender) -> int:
    return OpenedBid.objects.filter(opening__tender=tender).count()


def _label(choices_cls, value) -> str:
    try:
        return str(choices_cls(value).label)
    except ValueError:
        return str(value)


def _tender_summary(tender: Tender) -> dict:
    return {
        "reference": tender.reference,
        "ocid": tender.ocid,
        "title": tender.title,
        "entity": tender.entity.name,
        "method": tender.get_method_display(),
        "category": tender.get_category_display(),
        "evaluation_method": tender.get_evaluation_method_display(),
        "evaluation_params": tender.evaluation_params,
        "estimated_value": tender.estimated_value,
        "currency": tender.currency,
        "status": tender.get_status_display(),
        "unsuccessful_reason": tender.unsuccessful_reason,
    }


def _timeline(tender: Tender, *, closing, record, evaluation, awards, contract) -> list[dict]:
    events = [
        (_("Published"), tender.published_at),
        (_("Questions deadline"), tender.clarification_deadline),
        (_("Submission deadline"), tender.submission_deadline),
        (_("Scheduled opening"), tender.opening_at),
        (_("Closed (bids counted)"), closing.closed_at if closing else None),
        (_("Bids opened"), record.opened_at if record else None),
        (_("Evaluation started"), evaluation.started_at if evaluation else None),
        (_("Evaluation completed"), evaluation.completed_at if evaluation else None),
    ]
    for award in reversed(awards):
        events.append((_("Award proposed to %(supplier)s") % {"supplier": award.supplier.name}, award.proposed_at))
        if award.standstill_until:
            events.append((_("Standstill ends"), award.standstill_until))
        if award.finalised_at:
            events.append((_("Award final"), award.finalised_at))
        if award.cancelled_at:
            events.append((_("Award cancelled"), award.cancelled_at))
    if contract is not None:
        events.append((_("Contract drawn up"), contract.created_at))
        if contract.signed_at:
            events.append((_("Contract signed by both parties"), contract.signed_at))
    return sorted(({"event": str(label), "at": moment} for label, moment in events if moment), key=lambda e: e["at"])


def _bidders(tender: Tender, evaluation: Evaluation | None) -> list[dict]:
    assessments = {}
    if evaluation is not None:
        assessments = {a.bid_id: a for a in evaluation.assessments.select_related("decided_by")}
    rows = []
    for opened in selectors.opened_bids_for_tender(tender):
        a: Assessment | None = assessments.get(opened.bid_id)
        rows.append(
            {
                "bid": opened.bid_id,
                "supplier": opened.supplier.name,
                "registration_number": opened.supplier.registration_number,
                "price": opened.price,
                "currency": opened.currency,
                "price_ratio": opened.price_ratio,
                "opening_rank": opened.rank,
                "tied": opened.tied,
                "outcome": _label(OpenedBid.Outcome, opened.outcome),
                "submitted_at": opened.submitted_at,
                "commitment": opened.commitment,
                "commitment_ok": opened.commitment_ok,
                "problem": opened.problem,
                "status": opened.bid.get_status_display(),
                "status_reason": opened.bid.status_reason,
                "evaluation_rank": a.rank if a else None,
                "set_aside_reason": a.set_aside_reason if a else "",
                "decision": a.get_decision_display() if a else "",
                "decision_reason": a.reason if a else "",
                "technical_points": a.technical_points if a else None,
                "technical_score": a.technical_score if a else None,
                "price_score": a.price_score if a else None,
                "total_score": a.total_score if a else None,
            }
        )
    return sorted(rows, key=lambda r: (r["evaluation_rank"] is None, r["evaluation_rank"] or 0, r["price"] or 0))


def _committee(tender: Tender) -> dict:
    members = list(
        CommitteeMember.objects.filter(tender=tender)
        .select_related("conflict_declaration")
        .order_by("appointed_at", "id")
    )
    letters = selectors.committee_letters(tender)
    scores: dict[tuple[int, int], list[Score]] = {}
    for score in Score.objects.filter(member__tender=tender).select_related("bid__supplier"):
        scores.setdefault((score.member_id, score.bid_id), []).append(score)
    rows = []
    for member in members:
        declaration = member.declaration
        rows.append(
            {
                "name": letters[member.pk],
                "declared_at": declaration.declared_at if declaration else None,
                "no_conflict": declaration.no_conflict if declaration else None,
                "submitted_at": member.scores_submitted_at,
                "scores": [
                    {
                        "supplier": cells[0].bid.supplier.name,
                        "points": sum(c.value for c in cells),
                        "criteria": [
                            {"name": c.criterion_name, "value": c.value, "max": c.max_score}
                            for c in sorted(cells, key=lambda c: c.criterion)
                        ],
                    }
                    for (member_id, _bid_id), cells in sorted(scores.items())
                    if member_id == member.pk
                ],
            }
        )
    return {"members": rows}


def _awards(awards: list[Award]) -> list[dict]:
    result = []
    for award in awards:
        complaints = []
        for complaint in award.complaints.select_related("supplier").prefetch_related("documents"):
            complaints.append(
                {
                    "supplier": complaint.supplier.name,
                    "lodged_at": complaint.lodged_at,
                    "grounds": complaint.grounds,
                    "status": complaint.get_status_display(),
                    "decision": complaint.decision,
                    "decided_at": complaint.decided_at,
                    "documents": [{"name": d.original_name, "sha256": d.sha256} for d in complaint.documents.all()],
                }
            )
        result.append(
            {
                "id": award.pk,
                "supplier": award.supplier.name,
                "value": award.value,
                "currency": award.currency,
                "status": award.get_status_display(),
                "round": award.evaluation_round,
                "proposed_at": award.proposed_at,
                "standstill_until": award.standstill_until,
                "finalised_at": award.finalised_at,
                "cancelled_at": award.cancelled_at,
                "cancellation_reason": award.cancellation_reason,
                "complaints": complaints,
            }
        )
    return result


def _contract(contract: Contract | None) -> dict | None:
    if contract is None:
        return None
    return {
        "reference": contract.reference,
        "status": contract.get_status_display(),
        "value": contract.value,
        "currency": contract.currency,
        "start_date": contract.start_date,
        "end_date": contract.end_date,
        "signatures": [
            {
                "version": signature.version.number,
                "party": signature.get_party_display()
                + (f" ({signature.supplier.name_ko})" if signature.supplier_id else ""),
                "signer": signature.signer_name,
                "signed_at": signature.signed_at,
                "document_sha256": signature.document_sha256,
            }
            for signature in Signature.objects.filter(version__contract=contract)
            .select_related("version", "supplier")
            .order_by("version__number", "signed_at")
        ],
    }


def _audit_trail(tender: Tender) -> list[dict]:
    entries = list(selectors.tender_audit_trail(tender).iterator(chunk_size=2000))
    organisations = selectors.actor_organisations({e.actor_id for e in entries if e.actor_id})
    names = {actor_id: organisations.get(actor_id, _("Platform")) for actor_id in {e.actor_id for e in entries}}
    return [
        {
            "seq": line.entry.seq,
            "at": line.entry.at,
            "actor": organisations.get(line.entry.actor_id, _("Platform")) if line.entry.actor_id else _("System"),
            "what": audit_words.sentence_text(line),
            "action": line.entry.action,
            "object": f"{line.entry.object_type} {line.entry.object_id}",
            "hash": line.entry.hash,
        }
        for line in audit_words.describe(entries, actor_names=names)
    ]


def award_report_chain() -> dict:
    """The audit chain's verification, printed on the PDF beside (not inside) the hashed data.

    The log is integrated first, so "N entries checked" covers every entry committed before the
    report was generated, not only those an earlier integrator run had taken; `pending` counts
    entries still held back (their writers' transactions were running at that moment).
    """
    transparency_integrate()
    verification = transparency_log_verify()
    check = verification.check
    return {
        "pending": verification.pending,
        "ok": check.ok,
        "entries": check.tree_size,
        "first_broken_seq": check.first_bad_seq,
        "problem": check.problem,
        "last_hash": check.root_hash.hex(),
    }


def award_report_data(tender: Tender, *, language: str, progress: Callable[[int], None] | None = None) -> dict:
    """Everything the award report shows, in `language`, as JSON-serialisable values (deterministic)."""
    progress = progress or (lambda pct: None)
    with translation.override(language):
        tender = Tender.objects.select_related("entity").get(pk=tender.pk)
        closing = TenderClosing.objects.filter(tender=tender).first()
        record = OpeningRecord.objects.filter(tender=tender).first()
        evaluation = selectors.evaluation_of(tender)
        awards = list(Award.objects.filter(tender=tender).select_related("supplier").order_by("-proposed_at", "-id"))
        contract = Contract.objects.filter(tender=tender).first()
        progress(10)
        policy = evaluation_policy(tender.evaluation_method)
        data = {
            "language": language,
            "tender": _tender_summary(tender),
            "timeline": _timeline(
                tender, closing=closing, record=record, evaluation=evaluation, awards=awards, contract=contract
            ),
            "amendments": [
                {"number": v.amendment_number, "at": v.created_at, "reason": v.reason}
                for v in tender.versions.order_by("amendment_number")
                if v.amendment_number > 0
            ],
            "clarifications": {
                "asked": tender.clarifications.count(),
                "answered": tender.clarifications.filter(answered_at__isnull=False).count(),
            },
            "opening": {
                "opened_at": record.opened_at,
                "bid_count": record.bid_count,
                "valid_count": record.valid_count,
                "withdrawn_count": record.withdrawn_count,
                "reference_price": record.reference_price,
                "planned_price": record.planned_price,
                "floor_rate": record.floor_rate,
                "floor_price": record.floor_price,
                "reserve_prices": record.reserve_prices,
                "commitments_published": closing.commitments if closing else [],
            }
            if record
            else None,
            "bidders": _bidders(tender, evaluation),
            "evaluation": {
                "status": evaluation.get_status_display(),
                "round": evaluation.round,
                "needs_committee": policy.needs_committee,
                "winner": evaluation.winner.supplier.name if evaluation.winner_id else None,
                "reopened_reason": evaluation.reopened_reason,
            }
            if evaluation
            else None,
            "committee": _committee(tender) if policy.needs_committee else None,
            "awards": _awards(awards),
            "contract": _contract(contract),
        }
        progress(25)
        data["audit_trail"] = _audit_trail(tender)
        progress(60)
        data["winner"] = next((a.supplier.name for a in awards if a.status == Award.Status.FINAL), None)
    data["open_complaints"] = Complaint.objects.filter(award__tender=tender, status=Complaint.Status.OPEN).count()
    return data
