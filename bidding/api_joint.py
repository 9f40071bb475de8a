"""API for joint bidding, bid securities and the technical stage: the same services and visibility
rules as the pages (docs/architecture.md §6, §10), the error body of procurement.api.

- `POST tenders/<id>/consortia/`: the lead forms a consortium and invites its partners.
- `GET|PUT consortia/<id>/`: read it (its members' people; the entity and auditors after the
  deadline; everyone once its bid is opened); the lead changes its terms (partners confirm again).
- `POST consortia/<id>/confirm/`, `.../decline/`: a partner answers for its company.
- `GET|POST tenders/<id>/bid-security/`: the company's own bid security; attach one (verified with
  the issuer before the answer).
- `GET tenders/<id>/technical-results/`: a two-envelope tender's technical stage, public once
  published (the entity's officials and auditors see the decisions while they are being made).

Someone else's consortium or security does not exist, as far as the API says (404).
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from procurement.api import RulePermission
from procurement.errors import Forbidden, Invalid, NotFound
from suppliers.models import Supplier
from suppliers.selectors import membership_for_user
from suppliers.validators import normalise_registration_number
from tenders.selectors import tender_get_visible, tenders_public

from . import selectors
from .models import BidSecurity, Consortium, ConsortiumMember, OpenedBid, OpeningRecord, SecurityIssuer
from .services.consortium import (
    MemberTerms,
    consortium_change,
    consortium_create,
    consortium_dissolve,
    consortium_respond,
)
from .services.securities import bid_security_attach

# --- consortia ------------------------------------------------------------------------------------


class PartnerSerializer(serializers.Serializer):
    registration_number = serializers.CharField(max_length=32)
    share = serializers.DecimalField(max_digits=5, decimal_places=2, help_text='percent, e.g. "30" or "33.34"')
    scope = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ConsortiumTermsSerializer(serializers.Serializer):
    """The terms of a consortium: the lead is the caller's company, the partners by registration number."""

    name = serializers.CharField(max_length=200)
    performance = serializers.ChoiceField(choices=Consortium.Performance.choices)
    lead_share = serializers.DecimalField(max_digits=5, decimal_places=2)
    lead_scope = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    partners = PartnerSerializer(many=True, allow_empty=False, max_length=10)


class MemberSerializer(serializers.ModelSerializer):
    supplier = serializers.SerializerMethodField()
    share = serializers.DecimalField(max_digits=5, decimal_places=2, coerce_to_string=True)

    class Meta:
        model = ConsortiumMember
        fields = ["supplier", "is_lead", "share", "scope", "status", "responded_at"]

    def get_supplier(self, obj) -> dict:
        s = obj.supplier
        return {"id": s.pk, "name_ko": s.name_ko, "name_en": s.name_en, "registration_number": s.registration_number}


class ConsortiumSerializer(serializers.ModelSerializer):
    tender = serializers.SerializerMethodField()
    members = serializers.SerializerMethodField()

    class Meta:
        model = Consortium
        fields = ["id", "tender", "name", "performance", "status", "status_reason", "confirmed_at", "members"]

    def get_tender(self, obj) -> dict:
        return {"id": obj.tender_id, "reference": obj.tender.reference}

    @extend_schema_field(MemberSerializer(many=True))
    def get_members(self, obj) -> list[dict]:
        # Released members (removed, or the consortium ended) stay on record, with their status.
        return MemberSerializer(selectors.consortium_members(obj), many=True).data


def _partners(rows: list[dict]) -> list[MemberTerms]:
    partners = []
    for i, row in enumerate(rows):
        number = normalise_registration_number(row["registration_number"])
        supplier = Supplier.objects.filter(registration_number=number).first()
        if supplier is None:
            raise Invalid(_("No registered company has this number."), field=f"partners.{i}.registration_number")
        partners.append(MemberTerms(supplier, row["share"], row.get("scope", "")))
    return partners


def _visible_consortium(request, pk: int) -> Consortium:
    consortium = get_object_or_404(Consortium.objects.select_related("tender", "lead"), pk=pk)
    if not selectors.consortium_visible_to(user=request.user, consortium=consortium):
        raise Http404
    return consortium


class TenderConsortiaView(APIView):
    """POST: your company (as lead) forms a consortium on the tender; each partner's people are asked to confirm."""

    permission_classes = [permissions.IsAuthenticated, RulePermission]

    @extend_schema(request=ConsortiumTermsSerializer, responses={201: ConsortiumSerializer})
    def post(self, request, pk: int):
        tender = tender_get_visible(user=request.user, tender_id=pk)
        incoming = ConsortiumTermsSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        consortium = consortium_create(
            tender=tender,
            actor=request.user,
            name=data["name"],
            performance=data["performance"],
            lead_share=data["lead_share"],
            lead_scope=data["lead_scope"],
            partners=_partners(data["partners"]),
        )
        return Response(ConsortiumSerializer(consortium).data, status=status.HTTP_201_CREATED)


class ConsortiumView(APIView):
    """GET: the consortium, its members, shares and confirmations. PUT: the lead changes the terms
    before the deadline (and before its bid); every partner must confirm again."""

    permission_classes = [permissions.IsAuthenticated, RulePermission]

    @extend_schema(responses={200: ConsortiumSerializer})
    def get(self, request, pk: int):
        return Response(ConsortiumSerializer(_visible_consortium(request, pk)).data)

    @extend_schema(request=ConsortiumTermsSerializer, responses={200: ConsortiumSerializer})
    def put(self, request, pk: int):
        consortium = _visible_consortium(request, pk)
        incoming = ConsortiumTermsSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        consortium = consortium_change(
            consortium=consortium,
            actor=request.user,
            name=data["name"],
            performance=data["performance"],
            lead_share=data["lead_share"],
            lead_scope=data["lead_scope"],
            partners=_partners(data["partners"]),
        )
        return Response(ConsortiumSerializer(consortium).data)


class ConsortiumAnswerView(APIView):
    """POST: your company confirms (`confirm/`) or declines (`decline/`) its membership and share."""

    permission_classes = [permissions.IsAuthenticated, RulePermission]
    accept = True

    @extend_schema(request=None, responses={200: ConsortiumSerializer})
    def post(self, request, pk: int):
        consortium = _visible_consortium(request, pk)
        membership = membership_for_user(request.user)
        member = (
            consortium.members.filter(supplier_id=membership.supplier_id, is_lead=False)
            .exclude(status=ConsortiumMember.Status.RELEASED)
            .first()
            if membership is not None
            else None
        )
        if member is None:
            raise Forbidden(_("Only the invited company can answer this invitation."))
        consortium_respond(member=member, actor=request.user, accept=self.accept)
        consortium.refresh_from_db()
        return Response(ConsortiumSerializer(consortium).data)


class ConsortiumDissolveView(APIView):
    """POST: the lead dissolves the consortium before it has bid; its partners are free again."""

    permission_classes = [permissions.IsAuthenticated, RulePermission]

    @extend_schema(request=None, responses={200: ConsortiumSerializer})
    def post(self, request, pk: int):
        consortium = consortium_dissolve(consortium=_visible_consortium(request, pk), actor=request.user)
        return Response(ConsortiumSerializer(consortium).data)


# --- bid securities -------------------------------------------------------------------------------


class BidSecurityAttachSerializer(serializers.Serializer):
    issuer = serializers.SlugRelatedField(
        slug_field="code", queryset=SecurityIssuer.objects.all(), help_text="the issuer's code in the register"
    )
    number = serializers.CharField(max_length=60)
    amount = serializers.DecimalField(max_digits=18, decimal_places=2, min_value=0)
    valid_until = serializers.DateField()


class BidSecuritySerializer(serializers.ModelSerializer):
    issuer = serializers.SerializerMethodField()
    amount = serializers.DecimalField(max_digits=18, decimal_places=2, coerce_to_string=True)
    verified = serializers.BooleanField(source="is_verified")

    class Meta:
        model = BidSecurity
        fields = [
            "id",
            "issuer",
            "number",
            "amount",
            "currency",
            "valid_until",
            "verified",
            "verification",
            "verification_message",
            "verification_reference",
            "verified_at",
            "status",
            "status_reason",
        ]

    def get_issuer(self, obj) -> dict:
        return {"code": obj.issuer.code, "name_ko": obj.issuer.name_ko, "name_en": obj.issuer.name_en}


class BidSecurityView(APIView):
    """Your company's bid security on the tender. GET: it and the issuer's answer (404 when none).
    POST: attach or replace it; the portal asks the issuer first and records the answer, whatever it is
    (`verified` false with the issuer's message when it did not confirm)."""

    permission_classes = [permissions.IsAuthenticated, RulePermission]

    def _company(self, request):
        membership = membership_for_user(request.user)
        if membership is None:
            raise Forbidden(_("Only members of a registered supplier company have bid securities."))
        return membership

    @extend_schema(responses={200: BidSecuritySerializer})
    def get(self, request, pk: int):
        tender = tender_get_visible(user=request.user, tender_id=pk)
        membership = self._company(request)
        security = (
            BidSecurity.objects.filter(tender=tender, supplier_id=membership.supplier_id)
            .select_related("issuer")
            .first()
        )
        if security is None:
            raise NotFound(_("Your company has no bid security on this tender."))
        return Response(BidSecuritySerializer(security).data)

    @extend_schema(request=BidSecurityAttachSerializer, responses={201: BidSecuritySerializer})
    def post(self, request, pk: int):
        tender = tender_get_visible(user=request.user, tender_id=pk)
        self._company(request)
        incoming = BidSecurityAttachSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        security = bid_security_attach(tender=tender, actor=request.user, **incoming.validated_data)
        return Response(BidSecuritySerializer(security).data, status=status.HTTP_201_CREATED)


# --- the technical stage --------------------------------------------------------------------------


def _price_envelope(row: OpenedBid, record: OpeningRecord) -> str:
    if row.price_opened:
        return "opened"
    if row.technical_compliant:
        return "sealed"
    return "never_opened" if record.is_complete else "sealed_not_to_be_opened"


class TechnicalResultsView(APIView):
    """A two-envelope tender's technical results: each bid's decision and public reason, and what
    happened to its price envelope (`opened`, `sealed`, `sealed_not_to_be_opened` unless a complaint
    is upheld, `never_opened`). Public once published; before that only the entity's officials and
    auditors see the decisions (404 for everyone else, and for one-envelope tenders)."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        responses={
            200: inline_serializer(
                "TechnicalResults",
                {
                    "tender": serializers.DictField(),
                    "stage": serializers.CharField(),
                    "published_at": serializers.DateTimeField(allow_null=True),
                    "complaints_until": serializers.DateTimeField(allow_null=True),
                    "price_opened_at": serializers.DateTimeField(allow_null=True),
                    "bids": serializers.ListField(child=serializers.DictField()),
                    "complaints": serializers.ListField(child=serializers.DictField()),
                },
            )
        }
    )
    def get(self, request, pk: int):
        tender = get_object_or_404(tenders_public(), pk=pk)
        record = OpeningRecord.objects.filter(tender=tender).first()
        if record is None or not record.is_two_stage:
            raise Http404(_("This tender has no technical stage, or it has not opened yet."))
        published = record.technical_published_at is not None
        if not published and not request.user.has_perm("bidding.view_technical", tender):
            raise Http404(_("The technical results are public once the officials publish them."))
        rows = OpenedBid.objects.filter(opening=record).select_related("supplier", "bid__consortium")
        complaints = record.technical_complaints.select_related("bid__supplier") if published else []
        return Response(
            {
                "tender": {"id": tender.pk, "reference": tender.reference, "ocid": tender.ocid},
                "stage": record.stage,
                "published_at": record.technical_published_at,
                "complaints_until": record.complaint_until,
                "price_opened_at": record.price_opened_at,
                "bids": [
                    {
                        "supplier": {"id": r.supplier_id, "name_ko": r.supplier.name_ko, "name_en": r.supplier.name_en},
                        "consortium": r.bid.consortium.name if r.bid.consortium_id else None,
                        "commitment": r.commitment,
                        "price_commitment": r.price_commitment,
                        "compliant": r.technical_compliant,
                        "reason": r.technical_reason,
                        "decided_at": r.technical_decided_at,
                        "price_envelope": _price_envelope(r, record),
                        "price": str(r.price) if r.price_opened and r.price is not None else None,
                    }
                    for r in sorted(rows, key=lambda r: (r.supplier.name_ko, r.pk))
                ],
                "complaints": [
                    {
                        "supplier": {"id": c.bid.supplier_id, "name_ko": c.bid.supplier.name_ko},
                        "status": c.status,
                        "grounds": c.grounds,
                        "answer": c.answer,
                    }
                    for c in complaints
                ],
            }
        )
