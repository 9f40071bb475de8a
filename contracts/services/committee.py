"""The evaluation committee of a best-value tender: appointment, conflict declarations, scores."""

from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bidding.models import OpeningRecord
from procurement.audit import audit_record
from procurement.errors import Conflict, Forbidden, Invalid, InvalidTransition
from procurement.money import decimal_parse
from procurement.notifications import notify
from procurement.roles import Role
from tenders.models import Tender
from tenders.policies import evaluation_policy
from tenders.selectors import tender_for_update
from tenders.services.common import require_entity_official

from ..models import Assessment, CommitteeMember, ConflictDeclaration, Evaluation, Score
from .common import clean_reason, entity_officials

# A committee can be formed from publication until the evaluation is completed.
APPOINTABLE_STATUSES = frozenset(
    {Tender.Status.PUBLISHED, Tender.Status.CLOSED, Tender.Status.OPENED, Tender.Status.EVALUATED}
)


def _require_committee(tender: Tender) -> None:
    if not evaluation_policy(tender.evaluation_method).needs_committee:
        raise Conflict(_("Only best-value tenders have an evaluation committee."), code="not_best_value")


def _evaluation_open(tender: Tender) -> bool:
    """The committee may change until its scores have been turned into a ranking."""
    evaluation = Evaluation.objects.filter(tender=tender).first()
    if evaluation is None:
        return True
    if evaluation.technical_scored_at is not None and (
        OpeningRecord.objects.filter(tender=tender).exclude(stage=OpeningRecord.Stage.COMPLETE).exists()
    ):
        return False  # two envelopes: compliance was decided on these scores; fixed until the prices open
    return evaluation.status == Evaluation.Status.IN_PROGRESS and evaluation.scored_at is None


def committee_member_add(*, tender: Tender, actor, user) -> CommitteeMember:
    """Name an evaluator, or an official of the tender's entity, to the committee."""
    with transaction.atomic():
        tender = tender_for_update(tender.pk)
        require_entity_official(tender, actor)
        _require_committee(tender)
        if tender.status not in APPOINTABLE_STATUSES or not _evaluation_open(tender):
            raise InvalidTransition(_("The committee can no longer be changed."))
        official = getattr(user, "official", None)
        eligible = user.is_active and (
            user.role == Role.EVALUATOR
            or (user.role == Role.OFFICIAL and official is not None and official.entity_id == tender.entity_id)
        )
        if not eligible:
            raise Invalid(
                _("Committee members are evaluators, or officials of %(entity)s.") % {"entity": tender.entity.name},
                field="email",
            )
        if CommitteeMember.objects.filter(tender=tender, user=user).exists():
            raise Invalid(_("%(email)s is already on the committee.") % {"email": user.email}, field="email")
        member = CommitteeMember.objects.create(tender=tender, user=user, appointed_by=actor)
        audit_record(
            actor=actor,
            action="committee.appoint",
            obj=member,
            data={"tender": tender.pk, "user": user.pk, "email": user.email},
        )
        notify(
            event="committee.appointed",
            recipients=[user],
            template="committee_appointed",
            context={"tender": tender},
            link=reverse("contracts:declare", args=[tender.pk]),
        )
    return member


def committee_member_remove(*, member: CommitteeMember, actor) -> None:
    """Take a member off the committee before they have declared (afterwards their record stays)."""
    with transaction.atomic():
        tender = tender_for_update(member.tender_id)
        require_entity_official(tender, actor)
        member = CommitteeMember.objects.select_for_update().get(pk=member.pk)
        if ConflictDeclaration.objects.filter(member=member).exists() or member.scores.exists():
            raise Conflict(
                _("This member has already declared; their record stays with the evaluation."), code="declared"
            )
        audit_record(
            actor=actor,
            action="committee.remove",
            obj=member,
            data={"tender": tender.pk, "user": member.user_id},
        )
        member.delete()


def conflict_declare(*, member: CommitteeMember, actor, no_conflict: bool, statement: str = "") -> ConflictDeclaration:
    """The member's own declaration, made once, after opening (when the bidders are known).

    Declaring a conflict recuses the member; the entity's officials are told.
    """
    if actor is None or actor.pk != member.user_id:
        raise Forbidden(_("Only the member can make their own declaration."))
    statement = (statement or "").strip()
    if not no_conflict:
        statement = clean_reason(statement, message=_("Describe the conflict of interest."), field="statement")
    with transaction.atomic():
        tender = tender_for_update(member.tender_id)
        member = CommitteeMember.objects.select_for_update().get(pk=member.pk)
        if ConflictDeclaration.objects.filter(member=member).exists():
            raise Conflict(_("You have already made your declaration."), code="already_declared")
        record = OpeningRecord.objects.filter(tender=tender).first()
        # Two envelopes: the technical opening already named the bidders.
        technical_stage = record is not None and record.stage != OpeningRecord.Stage.COMPLETE
        if record is None or (
            tender.status not in (Tender.Status.OPENED, Tender.Status.EVALUATED) and not technical_stage
        ):
            raise Conflict(
                _("Declarations are made once the bids have been opened and the bidders are known."),
                code="not_opened",
            )
        bidders = sorted({str(o.supplier.name) for o in record.opened_bids.select_related("supplier")})
        declaration = ConflictDeclaration.objects.create(
            member=member, no_conflict=no_conflict, statement=statement, bidders=bidders
        )
        audit_record(
            actor=actor,
            action="committee.declare",
            obj=declaration,
            data={"tender": tender.pk, "member": member.pk, "no_conflict": no_conflict, "statement": statement},
        )
        if not no_conflict:
            notify(
                event="committee.recused",
                recipients=entity_officials(tender),
                template="committee_recused",
                context={"tender": tender, "member": member, "statement": statement},
                link=reverse("contracts:evaluation", args=[tender.pk]),
            )
    return declaration


def _score_value(raw, *, maximum: int, field: str) -> Decimal:
    return decimal_parse(
        raw,
        field=field,
        low=Decimal(0),
        high=Decimal(maximum),
        places=2,
        range_message=_("Enter a score from 0 to %(max)s.") % {"max": maximum},
    )


def scores_save(*, member: CommitteeMember, actor, scores: dict, submit: bool = False) -> list[Score]:
    """Save a member's scores: `scores` maps (bid_id, criterion index) → value or (value, comment).

    `submit` hands them in: every admissible bid must then have a score for every criterion, and
    the member's scores are locked until the evaluation is reopened.
    """
    if actor is None or actor.pk != member.user_id:
        raise Forbidden(_("Only the member can enter their own scores."))
    with transaction.atomic():
        tender = tender_for_update(member.tender_id)
        member = (
            CommitteeMember.objects.select_for_update(of=("self",))
            .select_related("conflict_declaration")
            .get(pk=member.pk)
        )
        if not member.is_cleared:
            raise Forbidden(_("Declare that you have no conflict of interest before scoring."))
        evaluation = Evaluation.objects.filter(tender=tender).first()
        if not _evaluation_open(tender) or evaluation is None:
            raise InvalidTransition(_("Scores can only be entered while the committee is scoring."))
        if member.scores_submitted_at is not None:
            raise InvalidTransition(_("You have already submitted your scores."))
        criteria = evaluation_policy(tender.evaluation_method).clean(tender.evaluation_params)["technical_criteria"]
        bids = set(Assessment.objects.filter(evaluation=evaluation, admissible=True).values_list("bid_id", flat=True))
        saved = []
        previous = {(s.bid_id, s.criterion): s.value for s in Score.objects.filter(member=member)}
        for (bid_id, index), raw in scores.items():
            if bid_id not in bids or not 0 <= index < len(criteria):
                raise Invalid(_("There is no such bid or criterion to score."), code="invalid")
            value, comment = raw if isinstance(raw, tuple) else (raw, "")
            if value in (None, ""):
                Score.objects.filter(member=member, bid_id=bid_id, criterion=index).delete()
                continue
            criterion = criteria[index]
            value = _score_value(value, maximum=criterion["max_score"], field=f"score-{bid_id}-{index}")
            score, _created = Score.objects.update_or_create(
                member=member,
                bid_id=bid_id,
                criterion=index,
                defaults={
                    "criterion_name": criterion["name"],
                    "max_score": criterion["max_score"],
                    "value": value,
                    "comment": (comment or "").strip(),
                },
            )
            saved.append(score)
        if saved:
            audit_record(
                actor=actor,
                action="committee.save_scores",
                obj=member,
                data={
                    "tender": tender.pk,
                    "round": evaluation.round,
                    "scores": [
                        {
                            "bid": s.bid_id,
                            "criterion": s.criterion,
                            "value": s.value,
                            "from": previous.get((s.bid_id, s.criterion)),
                        }
                        for s in saved
                    ],
                },
            )
        if submit:
            filled = set(Score.objects.filter(member=member, bid_id__in=bids).values_list("bid_id", "criterion"))
            missing = [(b, i) for b in bids for i in range(len(criteria)) if (b, i) not in filled]
            if missing:
                raise Conflict(
                    _("Score every criterion of every bid before submitting (%(count)s missing).")
                    % {"count": len(missing)},
                    code="scores_missing",
                )
            before = {"scores_submitted_at": member.scores_submitted_at}
            member.scores_submitted_at = timezone.now()
            member.save(update_fields=["scores_submitted_at"])
            audit_record(
                actor=actor,
                action="committee.submit_scores",
                obj=member,
                before=before,
                data={
                    "tender": tender.pk,
                    "round": evaluation.round,
                    "scores": [
                        {"bid": s.bid_id, "criterion": s.criterion, "value": s.value}
                        for s in Score.objects.filter(member=member, bid_id__in=bids).order_by("bid_id", "criterion")
                    ],
                },
            )
    return saved
