"""Read-only public API over published tenders, through the same selectors and filters as the pages."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, serializers

from procurement.api import RulePermission, filtered
from procurement.pagination import EstimatedCountPagination

from .filters import TenderFilter
from .models import Clarification, Tender, TenderDocument, TenderVersion
from .selectors import clarifications_public, classification_codes, tenders_public, with_classifications


class TenderDocumentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = TenderDocument
        fields = ["id", "kind", "title", "original_name", "content_type", "size", "sha256", "amendment_number", "url"]

    def get_url(self, obj) -> str:
        from django.urls import reverse

        return reverse("tenders:document", args=[obj.tender_id, obj.pk])


class ClarificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Clarification
        fields = ["id", "question", "answer", "asked_at", "answered_at"]


class TenderVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = TenderVersion
        fields = ["amendment_number", "reason", "created_at"]


class TenderSerializer(serializers.ModelSerializer):
    entity = serializers.SerializerMethodField()
    classifications = serializers.SerializerMethodField()

    class Meta:
        model = Tender
        fields = [
            "id",
            "reference",
            "ocid",
            "title",
            "entity",
            "status",
            "method",
            "category",
            "classifications",
            "estimated_value",
            "currency",
            "evaluation_method",
            "clarification_deadline",
            "submission_deadline",
            "opening_at",
            "published_at",
            "version",
        ]

    def get_classifications(self, obj) -> list[str]:
        return classification_codes(obj)

    def get_entity(self, obj) -> dict:
        return {"code": obj.entity.code, "name_ko": obj.entity.name_ko, "name_en": obj.entity.name_en}


class TenderDetailSerializer(TenderSerializer):
    documents = TenderDocumentSerializer(many=True, read_only=True)
    clarifications = serializers.SerializerMethodField()
    versions = TenderVersionSerializer(many=True, read_only=True)
    public_key = serializers.SerializerMethodField()

    class Meta(TenderSerializer.Meta):
        fields = [
            *TenderSerializer.Meta.fields,
            "description",
            "method_justification",
            "delivery_place",
            "delivery_period",
            "eligibility",
            "evaluation_params",
            "consortium_allowed",
            "bid_security_kind",
            "bid_security_value",
            "envelopes",
            "cancellation_reason",
            "unsuccessful_reason",
            "public_key",
            "documents",
            "clarifications",
            "versions",
        ]

    def get_clarifications(self, obj) -> list:
        return ClarificationSerializer(clarifications_public(obj), many=True).data

    def get_public_key(self, obj) -> str | None:
        return bytes(obj.public_key).hex() if obj.public_key else None


class PublicReadMixin:
    permission_classes = [permissions.AllowAny, RulePermission]

    def get_queryset(self):
        return with_classifications(tenders_public())


@extend_schema(tags=["tenders"])
class TenderListView(PublicReadMixin, generics.ListAPIView):
    """Published tenders (never drafts), with the public list's search (`q`), filters and `sort`."""

    serializer_class = TenderSerializer
    pagination_class = EstimatedCountPagination

    def filter_queryset(self, queryset):
        return filtered(TenderFilter(self.request.query_params, queryset=queryset))


@extend_schema(tags=["tenders"])
class TenderDetailView(PublicReadMixin, generics.RetrieveAPIView):
    serializer_class = TenderDetailSerializer
    object_perm = "tenders.view_tender"
