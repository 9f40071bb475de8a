"""Awards and contracts API: read-only and public (awards and concluded contracts are public by law).

Same visibility as the pages: awards once bidders have been told (standstill, final, cancelled),
contracts once both parties have signed. Evaluation internals (scores, reasons) stay on the pages.
"""

from rest_framework import generics, permissions, serializers

from procurement.api import RulePermission

from . import selectors
from .models import Award, Contract, Milestone, Signature


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


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["number", "title", "due_date", "amount", "status", "delivered_at", "accepted_at"]


class SignatureSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="version.number")

    class Meta:
        model = Signature
        fields = ["version", "party", "signer_name", "signed_at", "document_sha256"]


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
        signatures = Signature.objects.filter(version__contract=obj).select_related("version")
        return SignatureSerializer(signatures, many=True).data


class PublicReadMixin:
    permission_classes = [permissions.AllowAny, RulePermission]


class AwardListView(PublicReadMixin, generics.ListAPIView):
    serializer_class = AwardSerializer

    def get_queryset(self):
        return selectors.awards_public().order_by("-proposed_at", "-id")


class AwardDetailView(PublicReadMixin, generics.RetrieveAPIView):
    serializer_class = AwardSerializer

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
