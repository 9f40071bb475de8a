"""Bids API: a supplier's own bids (list, submit sealed with Idempotency-Key, withdraw), the public
opening record and, after opening, the opening bundle. Same rules and services as the pages."""

import uuid

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from integrity.services import bid_origin_writer
from procurement.api import RulePermission
from procurement.errors import Conflict, Forbidden, Invalid
from procurement.parsers import BoundedJSONParser
from procurement.permissions import is_supplier_user
from procurement.sealing import b64decode
from suppliers.selectors import supplier_for_user
from tenders.selectors import tenders_public

from . import receipts, selectors, services
from .bundle import opening_bundle
from .content import MAX_DOCUMENTS
from .models import Bid

# What a bid's plaintext would be called: the API refuses it rather than seal it for the client.
PLAINTEXT_FIELDS = frozenset({"price", "lines", "declarations", "reserve_picks", "content_base64"})


class BidSubmitSerializer(serializers.Serializer):
    """A bid sealed by the client (the reference client `sealclient`, or the bid page in a browser)."""

    tender = serializers.IntegerField()
    content = serializers.CharField(help_text="crypto_box_seal(content JSON, tender public key), base64")
    documents = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="each document sealed the same way, base64"
    )
    plaintext_hash = serializers.RegexField(r"^[0-9a-f]{64}$", help_text="sha256(salt || content JSON), hex")
    price_content = serializers.CharField(
        required=False, help_text="two-envelope tenders: crypto_box_seal(price JSON, tender public key), base64"
    )
    price_plaintext_hash = serializers.RegexField(
        r"^[0-9a-f]{64}$", required=False, help_text="two-envelope tenders: sha256(salt || price JSON), hex"
    )

    def validate(self, attrs):
        plaintext = sorted(PLAINTEXT_FIELDS & set(self.initial_data))
        if plaintext:
            raise serializers.ValidationError(
                {plaintext[0]: _("Send the bid sealed to the tender's public key: plaintext fields are refused.")}
            )
        return attrs


class BidSerializer(serializers.ModelSerializer):
    tender = serializers.SerializerMethodField()
    version = serializers.SerializerMethodField()
    commitment = serializers.SerializerMethodField()
    price_commitment = serializers.SerializerMethodField()
    receipt = serializers.SerializerMethodField()

    class Meta:
        model = Bid
        fields = [
            "id",
            "tender",
            "status",
            "version",
            "commitment",
            "price_commitment",
            "created_at",
            "withdrawn_at",
            "receipt",
        ]

    def get_tender(self, obj) -> dict:
        return {"id": obj.tender_id, "reference": obj.tender.reference, "title": obj.tender.title}

    def get_version(self, obj) -> int | None:
        return obj.current_version.number if obj.current_version_id else None

    def get_commitment(self, obj) -> str | None:
        return obj.current_version.commitment if obj.current_version_id else None

    def get_price_commitment(self, obj) -> str | None:
        """Two-envelope tenders: the price envelope's own commitment."""
        return (obj.current_version.price_commitment or None) if obj.current_version_id else None

    def get_receipt(self, obj) -> dict | None:
        if obj.withdrawn_at:
            return receipts.receipt_for_withdrawal(obj).as_json()
        if obj.current_version_id:
            return receipts.receipt_for_version(obj.current_version).as_json()
        return None


def _decimal(value) -> str | None:
    """Money and rates as strings (never floats), as in the rest of the API."""
    return None if value is None else str(value)


def _sealed(data: dict) -> services.SealedSubmission:
    try:
        content = b64decode(data["content"])
        documents = tuple(b64decode(d) for d in data.get("documents", []))
        price = b64decode(data["price_content"]) if data.get("price_content") else b""
    except ValueError:
        raise Invalid(_("Ciphertexts must be standard base64."), field="content") from None
    if len(documents) > MAX_DOCUMENTS:
        raise Invalid(_("Attach at most %(n)s documents.") % {"n": MAX_DOCUMENTS}, field="documents")
    return services.SealedSubmission(
        content=content,
        documents=documents,
        plaintext_hash=data["plaintext_hash"],
        price=price,
        price_plaintext_hash=data.get("price_plaintext_hash", ""),
    )


class BidListView(generics.ListAPIView):
    """GET: your company's bids. POST: submit (or replace) a sealed bid; send an `Idempotency-Key`
    header (a UUID) — a retry with the same key returns the first receipt (200) instead of 201."""

    permission_classes = [permissions.IsAuthenticated, RulePermission]
    serializer_class = BidSerializer
    # JSON only, with a bounded body: sealed content and documents as base64.
    parser_classes = [BoundedJSONParser]

    @property
    def required_perm(self) -> str | None:
        # A submission asks the same question (a supplier user with a company) in `post`, from the
        # one membership read it needs anyway, and the service asks the rest inside its transaction;
        # the rule would read the membership once more on the rush path.
        return None if self.request.method == "POST" else "bidding.view_own_bids"

    def get_queryset(self):
        return selectors.bids_of_supplier(supplier=supplier_for_user(self.request.user)).select_related("supplier")

    @extend_schema(
        request=BidSubmitSerializer,
        responses={201: dict, 200: dict},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=True)],
    )
    def post(self, request):
        # Which company, first (as the rule did); vetting, sanctions, role and invitation are checked
        # once, by the service inside its transaction (a Forbidden "not_eligible" from there).
        if not is_supplier_user(request.user):
            self.permission_denied(request)  # another role: refused as the rule would (permission_denied)
        supplier = supplier_for_user(request.user)
        if supplier is None:
            raise Forbidden(_("Only members of a registered supplier company can bid."), code="not_eligible")
        key = request.headers.get("Idempotency-Key", "")
        try:
            key = uuid.UUID(key)
        except ValueError:
            raise Invalid(_("Send an Idempotency-Key header with a UUID."), field="Idempotency-Key") from None
        incoming = BidSubmitSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        tender = get_object_or_404(tenders_public(), pk=data["tender"])
        result = services.bid_submit(
            tender=tender,
            supplier=supplier,
            actor=request.user,
            sealed=_sealed(data),
            idempotency_key=key,
            also=bid_origin_writer(request),
        )
        return Response(
            receipts.receipt_for_submission(result).as_json(),
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )


class BidDetailView(generics.RetrieveAPIView):
    permission_classes = [permissions.IsAuthenticated, RulePermission]
    object_perm = "bidding.read_bid"
    serializer_class = BidSerializer
    queryset = Bid.objects.select_related("tender", "supplier", "current_version")

    def permission_denied(self, request, message=None, code=None):
        # Someone else's bid does not exist, as far as the API says.
        if request.user.is_authenticated:
            raise Http404
        super().permission_denied(request, message, code)


class BidWithdrawView(APIView):
    permission_classes = [permissions.IsAuthenticated, RulePermission]

    @extend_schema(request=None, responses={200: dict})
    def post(self, request, pk: int):
        bid = get_object_or_404(Bid.objects.select_related("tender", "supplier", "current_version"), pk=pk)
        if not request.user.has_perm("bidding.read_bid", bid):
            raise Http404
        if not request.user.has_perm("bidding.withdraw_bid", bid):
            raise Conflict(_("This bid can no longer be withdrawn."), code="not_withdrawable")
        bid = services.bid_withdraw(bid=bid, actor=request.user, idempotency_key=request.headers.get("Idempotency-Key"))
        return Response(receipts.receipt_for_withdrawal(bid).as_json())


class OpeningView(APIView):
    """The public record: after the deadline the count and commitments; after opening everything."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses={200: dict})
    def get(self, request, pk: int):
        tender = get_object_or_404(tenders_public().select_related("entity"), pk=pk)
        record = selectors.tender_opening(tender)
        closing = selectors.tender_closing(tender)
        if record is None and closing is None:
            raise Http404(_("Nothing about the bids is public before the submission deadline."))
        body = {
            "tender": {"id": tender.pk, "reference": tender.reference, "ocid": tender.ocid, "status": tender.status},
            "closed_at": closing.closed_at if closing else None,
            "bids_received": closing.bid_count if closing else None,
            "commitments": closing.commitments if closing else [],
            "opening": None,
        }
        if record is not None:
            body["opening"] = {
                "opened_at": record.opened_at,
                "outcome": record.outcome,
                "evaluation_method": record.evaluation_method,
                "currency": record.currency,
                "bid_count": record.bid_count,
                "valid_count": record.valid_count,
                "withdrawn_count": record.withdrawn_count,
                "reference_price": _decimal(record.reference_price),
                "planned_price": _decimal(record.planned_price),
                "floor_rate": _decimal(record.floor_rate),
                "floor_price": _decimal(record.floor_price),
                "reserve_prices": record.reserve_prices,
                "bids": [
                    {
                        "supplier": {
                            "id": ob.supplier_id,
                            "name_ko": ob.supplier.name_ko,
                            "name_en": ob.supplier.name_en,
                        },
                        "price": _decimal(ob.price),
                        "price_ratio": _decimal(ob.price_ratio),
                        "rank": ob.rank,
                        "tied": ob.tied,
                        "outcome": ob.outcome,
                        "commitment": ob.commitment,
                        "commitment_ok": ob.commitment_ok,
                        "problem": ob.problem,
                        "reserve_picks": ob.reserve_picks,
                        "submitted_at": ob.submitted_at,
                    }
                    for ob in selectors.opened_bids_ordered(record)
                ],
            }
        return Response(body)


class OpeningBundleView(APIView):
    """After opening: the tender's key pair, every ciphertext and the record, to re-run the opening
    (sealclient.verify, `python -m sealclient verify`, the verifier page). 404 before opening."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses={200: dict})
    def get(self, request, reference: str):
        tender = get_object_or_404(tenders_public(), reference=reference)
        bundle = opening_bundle(tender)
        if bundle is None:
            raise Http404(_("The opening bundle is public once the bids have been opened."))
        return Response(bundle)
