"""Read-only public API: the directory of approved companies and the sanctions register."""

from rest_framework import generics, serializers

from procurement.api import RulePermission, filtered

from .filters import DirectoryFilter
from .models import Classification, Sanction, Supplier
from .selectors import sanctions_public, suppliers_public


class ClassificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Classification
        fields = ["scheme", "code", "title_ko", "title_en"]


class SupplierSerializer(serializers.ModelSerializer):
    classifications = ClassificationSerializer(many=True, read_only=True)

    class Meta:
        model = Supplier
        # Only what the public register shows: no contact details, documents or vetting notes.
        fields = [
            "id",
            "name_ko",
            "name_en",
            "country",
            "registration_number",
            "representative",
            "address",
            "size_class",
            "classifications",
            "approved_at",
        ]


class SupplierListView(generics.ListAPIView):
    """Approved companies; `q` (name or number), `classification` (code prefix), `country`, `size_class`."""

    permission_classes = [RulePermission]
    serializer_class = SupplierSerializer

    def get_queryset(self):
        return filtered(
            DirectoryFilter(self.request.query_params, queryset=suppliers_public().order_by("name_ko", "id"))
        )


class SupplierDetailView(generics.RetrieveAPIView):
    permission_classes = [RulePermission]
    serializer_class = SupplierSerializer

    def get_queryset(self):
        return suppliers_public()


class SanctionSerializer(serializers.ModelSerializer):
    supplier = serializers.SerializerMethodField()
    is_running = serializers.SerializerMethodField()

    class Meta:
        model = Sanction
        fields = [
            "id",
            "supplier",
            "starts_on",
            "ends_on",
            "legal_ground",
            "reason",
            "deciding_body",
            "lifted_at",
            "lifted_reason",
            "is_running",
        ]

    def get_supplier(self, obj) -> dict:
        s = obj.supplier
        return {
            "id": s.pk,
            "name_ko": s.name_ko,
            "name_en": s.name_en,
            "country": s.country,
            "registration_number": s.registration_number,
        }

    def get_is_running(self, obj) -> bool:
        return obj.is_running()


class SanctionListView(generics.ListAPIView):
    """The debarment register (부정당업자 제재); `running=1` for the sanctions in force today."""

    permission_classes = [RulePermission]
    serializer_class = SanctionSerializer

    def get_queryset(self):
        return sanctions_public(running_only=self.request.query_params.get("running") == "1")
