"""Suppliers' questions and the entity's public answers."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.audit import audit_record
from procurement.errors import Conflict, Forbidden
from procurement.notifications import notify
from suppliers.selectors import supplier_for_user

from .. import selectors
from ..models import Clarification, Tender
from .common import (
    TenderValidationError,
    require_entity_official,
    tender_link,
)


def clarification_ask(*, tender: Tender, actor, question: str) -> Clarification:
    """A supplier's member asks, until the clarification deadline; officials are told (not who asked)."""
    question = question.strip()
    if not question:
        raise TenderValidationError({"question": _("Write your question.")})
    supplier = supplier_for_user(actor)
    if supplier is None:
        raise Forbidden(_("Only members of a registered company can ask questions."))
    with transaction.atomic():
        # No lock: a question changes nothing on the tender.
        tender = Tender.objects.select_related("entity").get(pk=tender.pk)
        if not tender.clarifications_open:
            raise Conflict(_("Questions are closed for this tender."), code="clarifications_closed")
        clarification = Clarification.objects.create(
            tender=tender, question=question[:5000], asked_by=actor, supplier=supplier
        )
        audit_record(actor=actor, action="tender.clarification_ask", obj=clarification, data={"tender": tender.pk})
        notify(
            event="tender.question",
            recipients=selectors.tender_entity_officials(tender),
            template="tender_question",
            context={"tender": tender, "clarification": clarification},
            link=tender_link(tender),
        )
    return clarification


def clarification_answer(*, clarification: Clarification, actor, answer: str) -> Clarification:
    """The entity answers publicly; the asker and the tender's followers are told."""
    answer = answer.strip()
    if not answer:
        raise TenderValidationError({"answer": _("Write the answer.")})
    with transaction.atomic():
        clarification = (
            Clarification.objects.select_for_update().select_related("tender", "asked_by").get(pk=clarification.pk)
        )
        tender = clarification.tender
        require_entity_official(tender, actor)
        if tender.status in Tender.TERMINAL_STATUSES:
            raise Conflict(_("This tender has ended; its questions can no longer be answered."))
        first_answer = clarification.answered_at is None
        before = {"answer": clarification.answer or None}
        clarification.answer = answer[:10000]
        clarification.answered_by = actor
        clarification.answered_at = timezone.now()
        clarification.save()
        audit_record(
            actor=actor,
            action="tender.clarification_answer",
            obj=clarification,
            before=before,
            data={"tender": tender.pk, "revised": not first_answer},
        )
        recipients = {u.pk: u for u in selectors.tender_interested_users(tender)}
        recipients[clarification.asked_by_id] = clarification.asked_by
        notify(
            event="tender.answered",
            recipients=recipients.values(),
            template="tender_answered",
            context={"tender": tender, "clarification": clarification},
            link=tender_link(tender) + f"#q{clarification.pk}",
        )
    return clarification
