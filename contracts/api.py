"""Awards and contracts API: read-only and public (awards and concluded contracts are public by law).

Same visibility as the pages: awards once bidders have been told (standstill, final, cancelled),
with the review's reasons and the committee's scores per criterion (members as A, B, C); contracts
once both parties have signed; the award report's data once the award is final.
"""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, permissions, serializers
from rest_framework.views import APIView

from procurement.api import RulePermission
from tenders.models import Tender

from . import selectors
from .models import Award, Contract, Milestone, Signature
from .reports import award_report_data, canonical_json, canonical_sha256


class TenderRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    ocid = serializers.CharField()
    title = serializers.CharField()


class SupplierRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    registration_number = serializers.CharField()


class AwardSerializer(serializers.ModelSerializer):
    tender = TenderRefSerializer()
    supplier = SupplierRefSerializer()

    class Meta:
        model = Award
        fields = [
            "id",
            "tender",
            "supplier",
            "status",
            "value",
            "currency",
            "evaluation_round",
            "proposed_at",
            "standstill_until",
            "finalised_at",
            "cancelled_at",
            "cancellation_reason",
        ]


class CommitteeScoreSerializer(serializers.Serializer):
    member = serializers.CharField()
    criterion = serializers.IntegerField()
    criterion_name = serializers.CharField()
    max_score = serializers.IntegerField()
    value = serializers.DecimalField(max_digits=7, decimal_places=2)


class AssessmentSerializer(serializers.Serializer):
    bid = serializers.IntegerField()
    supplier = serializers.CharField()
    rank = serializers.IntegerField(allow_null=True)
    admissible = serializers.BooleanField()
    set_aside_reason = serializers.CharField()
    decision = serializers.CharField()
    reason = serializers.CharField()
    technical_points = serializers.DecimalField(max_digits=9, decimal_places=4, allow_null=True)
    technical_score = serializers.DecimalField(max_digits=9, decimal_places=4, allow_null=True)
    price_score = serializers.DecimalField(max_digits=9, decimal_places=4, allow_null=True)
    total_score = serializers.DecimalField(max_digits=9, decimal_places=4, allow_null=True)
    scores = CommitteeScoreSerializer(many=True)


class AwardDetailSerializer(AwardSerializer):
    evaluation = serializers.SerializerMethodField()

    class Meta(AwardSerializer.Meta):
        fields = [*AwardSerializer.Meta.fields, "evaluation"]

    @extend_schema_field(AssessmentSerializer(many=True, allow_null=True))
    def get_evaluation(self, obj) -> list[dict] | None:
        rows = selectors.evaluation_public(obj.tender)
        return None if rows is None else AssessmentSerializer(rows, many=True).data


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["number", "title", "due_date", "amount", "status", "delivered_at", "accepted_at"]


class SignatureSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="version.number")
    # The company that signed on the supplier's side (each member of a consortium signs for itself).
    company = serializers.CharField(source="supplier.name_ko", default=None, read_only=True)

    class Meta:
        model = Signature
        fields = ["version", "party", "company", "signer_name", "signed_at", "document_sha256"]


class ContractSerializer(serializers.ModelSerializer):
    tender = TenderRefSerializer()
    supplier = SupplierRefSerializer()
    award = serializers.IntegerField(source="award_id")
    entity = serializers.CharField(source="entity.name")
    milestones = MilestoneSerializer(many=True)
    signatures = serializers.SerializerMethodField()

    class Meta:
        model = Contract
        fields = [
            "id",
            "reference",
            "title",
            "tender",
            "award",
            "entity",
            "supplier",
            "status",
            "value",
            "currency",
            "start_date",
            "end_date",
            "deliverables",
            "signed_at",
            "completed_at",
            "terminated_at",
            "termination_reason",
            "milestones",
            "signatures",
        ]

    def get_signatures(self, obj) -> list[dict]:
        signatures = Signature.objects.filter(version__contract=obj).select_related("version", "supplier")
        return SignatureSerializer(signatures, many=True).data


class PublicReadMixin:
    permission_classes = [permissions.AllowAny, RulePermission]


class AwardListView(PublicReadMixin, generics.ListAPIView):
    serializer_class = AwardSerializer

    def get_queryset(self):
        return selectors.awards_public().order_by("-proposed_at", "-id")


class AwardDetailView(PublicReadMixin, generics.RetrieveAPIView):
    serializer_class = AwardDetailSerializer

    def get_queryset(self):
        return selectors.awards_public()


def _public_contracts():
    return (
        Contract.objects.filter(status__in=Contract.PUBLIC_STATUSES)
        .select_related("tender", "supplier", "entity")
        .prefetch_related("milestones")
    )


class ContractListView(PublicReadMixin, generics.ListAPIView):
    serializer_class = ContractSerializer

    def get_queryset(self):
        return _public_contracts().order_by("-signed_at", "-id")


class ContractDetailView(PublicReadMixin, generics.RetrieveAPIView):
    serializer_class = ContractSerializer

    def get_queryset(self):
        return _public_contracts()


class AwardReportDataView(APIView):
    """The award report's data as canonical JSON: the exact bytes whose SHA-256 the PDF prints."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        operation_id="award_report_data",
        parameters=[OpenApiParameter("language", str, enum=["ko", "en"], description="ko (default) or en")],
        responses={200: OpenApiTypes.OBJECT},
        summary="Award report data (public once the award is final)",
    )
    def get(self, request, tender_id: int):
        tender = get_object_or_404(Tender, pk=tender_id)
        if not request.user.has_perm("contracts.download_award_report", tender):
            raise Http404
        language = "en" if request.query_params.get("language") == "en" else "ko"
        data = award_report_data(tender, language=language)
        response = HttpResponse(canonical_json(data), content_type="application/json")
        response["X-Content-SHA256"] = canonical_sha256(data)
        return response
