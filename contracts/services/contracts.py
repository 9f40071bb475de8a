"""Contracts: created from a final award, signed by both parties, amended, delivered, completed.

Each version of the terms is rendered once to a PDF (ReportFile) and that exact file is what both
parties sign: a Signature stores the SHA-256 of the bytes the signer was shown, and signing refuses
if the hash the signer saw is not the stored document's.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from procurement.audit import audit_record
from procurement.errors import Conflict, Forbidden, Invalid, InvalidTransition
from procurement.money import decimal_parse
from procurement.notifications import notify
from procurement.states import check_transition
from suppliers.models import SupplierMember
from suppliers.selectors import membership_for_user
from tenders.models import Tender
from tenders.selectors import is_official_of, tender_for_update
from tenders.services import tender_set_status
from tenders.services.common import require_entity_official

from ..models import Award, Contract, ContractVersion, Milestone, ReportFile, Signature
from ..pdf import font_urls, html_to_pdf, render_pdf
from ..selectors import contract_signatories
from .common import clean_reason, db_now, entity_officials, members_of_supplier


@dataclass(frozen=True)
class Terms:
    """What a contract version says: value, dates, deliverables and milestones."""

    value: Decimal
    start_date: date
    end_date: date
    deliverables: str = ""
    milestones: tuple = ()  # ({"title", "due_date" (date|None), "amount" (Decimal|None)}, …)


def _clean_terms(terms: Terms) -> list[dict]:
    value = decimal_parse(terms.value, field="value", places=2, message=_("Enter the contract value."))
    if value <= 0:
        raise Invalid(_("The contract value must be more than zero."), field="value")
    if terms.end_date < terms.start_date:
        raise Invalid(_("The end date cannot be before the start date."), field="end_date")
    milestones = []
    total = Decimal(0)
    for number, raw in enumerate(terms.milestones, start=1):
        title = " ".join(str(raw.get("title", "")).split())[:300]
        if not title:
            raise Invalid(_("Milestone %(n)s needs a title.") % {"n": number}, field="milestones")
        due = raw.get("due_date")
        if due and not (terms.start_date <= due <= terms.end_date):
            raise Invalid(_("Milestone %(n)s is due outside the contract period.") % {"n": number}, field="milestones")
        amount = raw.get("amount")
        if amount is not None:
            amount = decimal_parse(amount, field="milestones", places=2)
            if amount < 0:
                raise Invalid(_("Milestone %(n)s has a negative amount.") % {"n": number}, field="milestones")
            total += amount
        milestones.append(
            {
                "number": number,
                "title": title,
                "due_date": due.isoformat() if due else None,
                "amount": str(amount) if amount is not None else None,
            }
        )
    if total > value:
        raise Invalid(_("The milestones add up to more than the contract value."), field="milestones")
    return milestones


def _version_fields(terms: Terms, milestones: list[dict]) -> dict:
    return {
        "value": decimal_parse(terms.value, field="value", places=2),
        "start_date": terms.start_date,
        "end_date": terms.end_date,
        "deliverables": (terms.deliverables or "").strip(),
        "milestones": milestones,
    }


def _link(contract: Contract) -> str:
    return reverse("contracts:contract", args=[contract.pk])


def _parties(contract: Contract) -> list:
    admins = []
    for supplier_id in contract_signatories(contract):
        admins.extend(
            members_of_supplier(supplier_id).filter(supplier_membership__role=SupplierMember.Role.ADMINISTRATOR)
        )
    return [*entity_officials(contract.tender), *admins]


def contract_create(*, award: Award, actor, terms: Terms, title: str = "") -> Contract:
    """Draft the contract of a final award; both parties are asked to sign version 1."""
    milestones = _clean_terms(terms)
    with transaction.atomic():
        tender = tender_for_update(award.tender_id)
        require_entity_official(tender, actor)
        award = Award.objects.select_for_update().get(pk=award.pk)
        if award.status != Award.Status.FINAL or tender.status != Tender.Status.AWARDED:
            raise InvalidTransition(
                _("A contract can only be drawn up once the award is final (after the standstill period).")
            )
        if Contract.objects.filter(award=award).exists():
            raise Conflict(_("This award already has a contract."), code="contract_exists")
        fields = _version_fields(terms, milestones)
        contract = Contract.objects.create(
            award=award,
            tender=tender,
            entity=tender.entity,
            supplier=award.supplier,
            reference=f"{tender.reference}-C",
            title=(title or tender.title).strip()[:300],
            currency=award.currency,
            created_by=actor,
            value=fields["value"],
            start_date=fields["start_date"],
            end_date=fields["end_date"],
            deliverables=fields["deliverables"],
        )
        version = ContractVersion.objects.create(
            contract=contract, number=1, currency=award.currency, created_by=actor, **fields
        )
        audit_record(
            actor=actor,
            action="contract.create",
            obj=contract,
            before=dict.fromkeys(("status", "value", "start_date", "end_date")),
            data={"tender": tender.pk, "award": award.pk, "version": version.number, "terms": _audit_terms(fields)},
        )
        notify(
            event="contract.ready_to_sign",
            recipients=_parties(contract),
            template="contract_ready_to_sign",
            context={"contract": contract, "version": version},
            link=_link(contract),
        )
    return contract


def _audit_terms(fields: dict) -> dict:
    return {
        "value": fields["value"],
        "start_date": fields["start_date"],
        "end_date": fields["end_date"],
        "milestones": fields["milestones"],
    }


def pending_version(contract: Contract) -> ContractVersion | None:
    """The version waiting for signatures (the original, or an amendment), if any."""
    return contract.versions.filter(signed_at__isnull=True).order_by("-number").first()


# --- the document both parties sign ---------------------------------------------------------------


def contract_document_context(version: ContractVersion) -> dict:
    contract = version.contract
    return {
        "contract": contract,
        "version": version,
        "tender": contract.tender,
        "entity": contract.entity,
        "supplier": contract.supplier,
        "award": contract.award,
        "previous": contract.versions.filter(number__lt=version.number).order_by("-number").first(),
        "footer_left": f"계약서 Contract {contract.reference} v{version.number}",
    }


def contract_document_render(version: ContractVersion) -> bytes:
    """The PDF of a version: bilingual, nothing time-dependent in it, so the same terms give the same bytes."""
    return render_pdf("pdf/contract.html", contract_document_context(version), language="ko")


def contract_document_produce(report: ReportFile, progress) -> tuple[bytes, str]:
    """The producer contracts.services.documents calls in the Celery worker (about a second)."""
    version = ContractVersion.objects.select_related("contract").get(pk=int(report.object_id))
    with translation.override("ko"):
        html = render_to_string("pdf/contract.html", {**contract_document_context(version), "fonts": font_urls()})
    progress(30)
    pdf = html_to_pdf(html, progress=lambda: progress(90))
    return pdf, f"contract-{version.contract.reference}-v{version.number}.pdf"


def contract_document_request(*, version: ContractVersion, actor=None, inline: bool = False) -> ReportFile:
    """The version's document: ready, or queued for the Celery worker (the page shows its progress).

    Rendered once per version; both parties sign that file. The version points at it once ready.
    `inline` renders it now (the demo, tests).
    """
    if version.document_id:
        return version.document
    from .documents import document_request

    report = document_request(
        kind=ReportFile.Kind.CONTRACT,
        object_type="contracts.contractversion",
        object_id=version.pk,
        fingerprint=f"v{version.number}",
        language="ko-en",
        actor=actor,
        inline=inline,
    )
    if report.status == ReportFile.Status.READY:
        ContractVersion.objects.filter(pk=version.pk, document__isnull=True).update(document=report)
        version.refresh_from_db(fields=["document"])
        return version.document
    return report


def contract_document_current(*, version: ContractVersion) -> ReportFile | None:
    """The version's document as it stands (any status), or None if never requested."""
    if version.document_id:
        return version.document
    from .documents import document_current

    return document_current(
        kind=ReportFile.Kind.CONTRACT,
        object_type="contracts.contractversion",
        object_id=version.pk,
        fingerprint=f"v{version.number}",
        language="ko-en",
    )


def contract_document_ensure(*, version: ContractVersion) -> ReportFile:
    """The stored PDF of a version, rendered now if it is not yet (the demo, tests)."""
    return contract_document_request(version=version, inline=True)


# --- signing ----------------------------------------------------------------------------------------


def signing_party(contract: Contract, user) -> str | None:
    """Signature.Party the user may sign for: an official of the entity, or the supplier's administrator
    (an administrator of any member, for a consortium)."""
    if is_official_of(user, contract.entity_id):
        return Signature.Party.BUYER
    return Signature.Party.SUPPLIER if signing_supplier(contract, user) is not None else None


def signing_supplier(contract: Contract, user) -> int | None:
    """The company an administrator signs for on the supplier's side, or None."""
    membership = membership_for_user(user)
    if (
        membership is not None
        and membership.role == SupplierMember.Role.ADMINISTRATOR
        and membership.supplier_id in contract_signatories(contract)
    ):
        return membership.supplier_id
    return None


def has_signed(version: ContractVersion, contract: Contract, user) -> bool:
    """Whether the user's side (their own company, within a consortium) has signed this version."""
    party = signing_party(contract, user)
    supplier_id = signing_supplier(contract, user) if party == Signature.Party.SUPPLIER else None
    return Signature.objects.filter(version=version, party=party, supplier_id=supplier_id).exists()


def _fully_signed(contract: Contract, version: ContractVersion) -> bool:
    signed = set(version.signatures.values_list("party", "supplier_id"))
    return (Signature.Party.BUYER, None) in signed and all(
        (Signature.Party.SUPPLIER, supplier_id) in signed for supplier_id in contract_signatories(contract)
    )


def contract_sign(*, contract: Contract, actor, document_sha256: str, reauthenticated_with: str = "") -> Signature:
    """Sign the version awaiting signatures, for the party the actor belongs to.

    `document_sha256` is the hash of the PDF the signer was shown; it must be the stored document's.
    A consortium's members each sign for their own company. When every signatory has signed: version 1
    makes the contract active (tender → contracted) and creates its milestones; an amendment's terms
    take effect.
    """
    party = signing_party(contract, actor)
    if party is None:
        raise Forbidden(
            _("Only an official of %(entity)s or an administrator of %(supplier)s can sign this contract.")
            % {"entity": contract.entity.name, "supplier": contract.supplier.name}
        )
    with transaction.atomic():
        tender = tender_for_update(contract.tender_id)
        contract = Contract.objects.select_for_update().get(pk=contract.pk)
        if contract.status not in (Contract.Status.DRAFT, Contract.Status.ACTIVE):
            raise InvalidTransition(_("This contract can no longer be signed."))
        version = pending_version(contract)
        if version is None:
            raise InvalidTransition(_("There is nothing waiting for signature."))
        version = ContractVersion.objects.select_for_update(of=("self",)).select_related("document").get(pk=version.pk)
        if version.document is None or not version.document.sha256:
            raise Conflict(_("Open the contract document before signing it."), code="no_document")
        if (document_sha256 or "").strip().lower() != version.document.sha256:
            raise Conflict(
                _("The document you were shown is not the current one. Reload it and check it again."),
                code="document_changed",
            )
        supplier_id = signing_supplier(contract, actor) if party == Signature.Party.SUPPLIER else None
        # Each member of a consortium signs for its own company: "supplier:<company id>".
        signed_before = {
            f"{p}:{s}" if s else p
            for p, s in Signature.objects.filter(version=version).values_list("party", "supplier_id")
        }
        mine = f"{party}:{supplier_id}" if supplier_id else party
        if mine in signed_before or (party in signed_before and supplier_id is None):
            raise Conflict(_("Your side has already signed this version."), code="already_signed")
        signature = Signature.objects.create(
            version=version,
            party=party,
            supplier_id=supplier_id,
            signer=actor,
            signer_name=actor.full_name or actor.email,
            document_sha256=version.document.sha256,
            reauthenticated_with=reauthenticated_with,
        )
        signature.refresh_from_db(fields=["signed_at"])
        audit_record(
            actor=actor,
            action="contract.sign",
            obj=contract,
            data={
                "changes": {"signatures": {"from": sorted(signed_before), "to": sorted({*signed_before, mine})}},
                "tender": tender.pk,
                "version": version.number,
                "party": party,
                "supplier": supplier_id,
                "document_sha256": signature.document_sha256,
                "reauthenticated_with": reauthenticated_with,
            },
        )
        if _fully_signed(contract, version):
            _version_signed(contract, version, tender=tender, actor=actor)
        else:
            other = [u for u in _parties(contract) if u.pk != actor.pk and not has_signed(version, contract, u)]
            notify(
                event="contract.signed_by_one",
                recipients=other,
                template="contract_signed_by_one",
                context={"contract": contract, "version": version, "party": signature.get_party_display()},
                link=_link(contract),
            )
    return signature


def _version_signed(contract: Contract, version: ContractVersion, *, tender: Tender, actor) -> None:
    before = {f: getattr(contract, f) for f in ("status", "value", "start_date", "end_date", "signed_at")}
    now = db_now()
    version.signed_at = now
    version.save(update_fields=["signed_at"])
    contract.value = version.value
    contract.start_date = version.start_date
    contract.end_date = version.end_date
    contract.deliverables = version.deliverables
    fields = ["value", "start_date", "end_date", "deliverables"]
    if version.number == 1:
        check_transition(contract, Contract.Status.ACTIVE, Contract.TRANSITIONS)
        contract.status = Contract.Status.ACTIVE
        contract.signed_at = now
        fields += ["status", "signed_at"]
    contract.save(update_fields=fields)
    _milestones_sync(contract, version)
    audit_record(
        actor=actor,
        action="contract.activate" if version.number == 1 else "contract.amendment_effective",
        obj=contract,
        before=before,
        data={"tender": tender.pk, "version": version.number},
    )
    if version.number == 1:
        tender_set_status(tender=tender, to=Tender.Status.CONTRACTED, actor=actor, data={"contract": contract.pk})
    notify(
        event="contract.signed",
        recipients=_parties(contract),
        template="contract_signed",
        context={"contract": contract, "version": version},
        link=_link(contract),
    )


def _milestones_sync(contract: Contract, version: ContractVersion) -> None:
    existing = {m.number: m for m in contract.milestones.all()}
    for item in version.milestones:
        values = {
            "title": item["title"],
            "due_date": date.fromisoformat(item["due_date"]) if item.get("due_date") else None,
            "amount": Decimal(item["amount"]) if item.get("amount") is not None else None,
        }
        current = existing.get(item["number"])
        if current is None:
            Milestone.objects.create(contract=contract, number=item["number"], **values)
        elif current.status == Milestone.Status.PENDING:
            Milestone.objects.filter(pk=current.pk).update(**values)


# --- amendments -------------------------------------------------------------------------------------


def contract_amend(*, contract: Contract, actor, reason: str, terms: Terms) -> ContractVersion:
    """Propose amended terms as a new version; they take effect when both parties have signed it.

    Milestones already delivered or accepted cannot change or disappear.
    """
    reason = clean_reason(reason, message=_("Give the reason for the amendment."))
    milestones = _clean_terms(terms)
    with transaction.atomic():
        tender = tender_for_update(contract.tender_id)
        require_entity_official(tender, actor)
        contract = Contract.objects.select_for_update().get(pk=contract.pk)
        if contract.status != Contract.Status.ACTIVE:
            raise InvalidTransition(_("Only an active contract can be amended."))
        if pending_version(contract) is not None:
            raise Conflict(_("An amendment is already waiting for signatures."), code="amendment_pending")
        by_number = {m["number"]: m for m in milestones}
        for done in contract.milestones.exclude(status=Milestone.Status.PENDING):
            proposed = by_number.get(done.number)
            if proposed is None or proposed["title"] != done.title:
                raise Invalid(
                    _("Milestone %(n)s has been delivered; it must stay as it is.") % {"n": done.number},
                    field="milestones",
                )
        number = contract.versions.count() + 1
        fields = _version_fields(terms, milestones)
        version = ContractVersion.objects.create(
            contract=contract, number=number, reason=reason, currency=contract.currency, created_by=actor, **fields
        )
        audit_record(
            actor=actor,
            action="contract.amend",
            obj=contract,
            data={
                "tender": tender.pk,
                "version": number,
                "reason": reason,
                # The terms in force and the terms proposed; they take effect once both have signed.
                "changes": {
                    field: {"from": getattr(contract, field), "to": fields[field]}
                    for field in ("value", "start_date", "end_date", "deliverables")
                    if getattr(contract, field) != fields[field]
                },
                "terms": _audit_terms(fields),
            },
        )
        notify(
            event="contract.amendment",
            recipients=_parties(contract),
            template="contract_ready_to_sign",
            context={"contract": contract, "version": version},
            link=_link(contract),
        )
    return version


# --- delivery, completion, termination ---------------------------------------------------------------


def _milestone_for_update(milestone: Milestone) -> tuple[Contract, Milestone]:
    contract = (
        Contract.objects.select_for_update(of=("self",))
        .select_related("tender", "entity", "supplier")
        .get(pk=milestone.contract_id)
    )
    return contract, Milestone.objects.select_for_update().get(pk=milestone.pk)


def milestone_deliver(*, milestone: Milestone, actor, note: str = "") -> Milestone:
    """The supplier reports a milestone delivered."""
    membership = membership_for_user(actor)
    with transaction.atomic():
        tender_for_update(milestone.contract.tender_id)
        contract, milestone = _milestone_for_update(milestone)
        if membership is None or membership.supplier_id != contract.supplier_id or not membership.may_bid:
            raise Forbidden(_("Only the supplier of this contract can report a delivery."))
        if contract.status != Contract.Status.ACTIVE:
            raise InvalidTransition(_("Deliveries are reported on active contracts only."))
        check_transition(milestone, Milestone.Status.DELIVERED, Milestone.TRANSITIONS)
        before = {"status": milestone.status}
        milestone.status = Milestone.Status.DELIVERED
        milestone.delivered_at = timezone.now()
        milestone.delivered_by = actor
        milestone.delivery_note = (note or "").strip()
        milestone.save(update_fields=["status", "delivered_at", "delivered_by", "delivery_note"])
        audit_record(
            actor=actor,
            action="milestone.deliver",
            obj=milestone,
            before=before,
            data={"tender": contract.tender_id, "contract": contract.pk, "note": milestone.delivery_note},
        )
        notify(
            event="milestone.delivered",
            recipients=entity_officials(contract.tender),
            template="milestone_delivered",
            context={"contract": contract, "milestone": milestone},
            link=_link(contract),
        )
    return milestone


def milestone_accept(*, milestone: Milestone, actor) -> Milestone:
    with transaction.atomic():
        tender = tender_for_update(milestone.contract.tender_id)
        require_entity_official(tender, actor)
        contract, milestone = _milestone_for_update(milestone)
        check_transition(milestone, Milestone.Status.ACCEPTED, Milestone.TRANSITIONS)
        before = {"status": milestone.status}
        milestone.status = Milestone.Status.ACCEPTED
        milestone.accepted_at = timezone.now()
        milestone.accepted_by = actor
        milestone.save(update_fields=["status", "accepted_at", "accepted_by"])
        audit_record(
            actor=actor,
            action="milestone.accept",
            obj=milestone,
            before=before,
            data={"tender": tender.pk, "contract": contract.pk},
        )
        notify(
            event="milestone.accepted",
            recipients=members_of_supplier(contract.supplier_id),
            template="milestone_decided",
            context={"contract": contract, "milestone": milestone, "accepted": True},
            link=_link(contract),
        )
    return milestone


def milestone_return(*, milestone: Milestone, actor, reason: str) -> Milestone:
    """The entity sends a delivery back with a reason (delivered → pending)."""
    reason = clean_reason(reason, message=_("Say why the delivery is not accepted."))
    with transaction.atomic():
        tender = tender_for_update(milestone.contract.tender_id)
        require_entity_official(tender, actor)
        contract, milestone = _milestone_for_update(milestone)
        check_transition(milestone, Milestone.Status.PENDING, Milestone.TRANSITIONS)
        before = {"status": milestone.status, "return_reason": milestone.return_reason}
        milestone.status = Milestone.Status.PENDING
        milestone.return_reason = reason
        milestone.save(update_fields=["status", "return_reason"])
        audit_record(
            actor=actor,
            action="milestone.return",
            obj=milestone,
            before=before,
            data={"tender": tender.pk, "contract": contract.pk, "reason": reason},
        )
        notify(
            event="milestone.returned",
            recipients=members_of_supplier(contract.supplier_id),
            template="milestone_decided",
            context={"contract": contract, "milestone": milestone, "accepted": False, "reason": reason},
            link=_link(contract),
        )
    return milestone


def contract_complete(*, contract: Contract, actor) -> Contract:
    with transaction.atomic():
        tender = tender_for_update(contract.tender_id)
        require_entity_official(tender, actor)
        contract = Contract.objects.select_for_update().get(pk=contract.pk)
        check_transition(contract, Contract.Status.COMPLETED, Contract.TRANSITIONS)
        before = {"status": contract.status}
        if contract.milestones.exclude(status=Milestone.Status.ACCEPTED).exists():
            raise Conflict(_("Accept every milestone before completing the contract."), code="milestones_open")
        if pending_version(contract) is not None:
            raise Conflict(_("An amendment is still waiting for signatures."), code="amendment_pending")
        contract.status = Contract.Status.COMPLETED
        contract.completed_at = timezone.now()
        contract.save(update_fields=["status", "completed_at"])
        audit_record(actor=actor, action="contract.complete", obj=contract, before=before, data={"tender": tender.pk})
        notify(
            event="contract.completed",
            recipients=_parties(contract),
            template="contract_closed",
            context={"contract": contract, "completed": True},
            link=_link(contract),
        )
    return contract


def contract_terminate(*, contract: Contract, actor, reason: str) -> Contract:
    reason = clean_reason(reason, message=_("Give the reason for terminating the contract."))
    with transaction.atomic():
        tender = tender_for_update(contract.tender_id)
        require_entity_official(tender, actor)
        contract = Contract.objects.select_for_update().get(pk=contract.pk)
        check_transition(contract, Contract.Status.TERMINATED, Contract.TRANSITIONS)
        before = {"status": contract.status}
        contract.status = Contract.Status.TERMINATED
        contract.terminated_at = timezone.now()
        contract.termination_reason = reason
        contract.save(update_fields=["status", "terminated_at", "termination_reason"])
        audit_record(
            actor=actor,
            action="contract.terminate",
            obj=contract,
            before=before,
            data={"tender": tender.pk, "reason": reason},
        )
        notify(
            event="contract.terminated",
            recipients=_parties(contract),
            template="contract_closed",
            context={"contract": contract, "completed": False, "reason": reason},
            link=_link(contract),
        )
    return contract
