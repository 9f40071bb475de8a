"""Integrity API: the rules (public), a tender's public flags (after the award), every flag and
reviews (auditors). Same permissions as the pages."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from procurement.api import RulePermission
from procurement.errors import Invalid
from tenders.selectors import tenders_public

from . import selectors, services
from .forms import FlagFilterForm
from .indicators import all_rules
from .models import Flag


class RuleSerializer(serializers.Serializer):
    id = serializers.CharField()
    stage = serializers.CharField()
    title = serializers.DictField(child=serializers.CharField())
    rationale = serializers.DictField(child=serializers.CharField())
    explanation = serializers.DictField(child=serializers.CharField())
    inputs = serializers.ListField(child=serializers.CharField())
    thresholds = serializers.DictField()


class PublicFlagSerializer(serializers.ModelSerializer):
    """What the public sees: the rule, the numbers, the review outcome; never the evidence or notes."""

    title = serializers.SerializerMethodField()
    explanation = serializers.SerializerMethodField()

    class Meta:
        model = Flag
        fields = ["id", "rule", "stage", "title", "explanation", "value", "threshold", "occurred_at", "review"]

    def get_title(self, flag) -> dict:
        rule = flag.indicator
        return {"ko": rule.title_ko, "en": rule.title_en}

    def get_explanation(self, flag) -> dict:
        rule = flag.indicator
        return {"ko": rule.explanation_ko, "en": rule.explanation_en}


class FlagSerializer(PublicFlagSerializer):
    tender = serializers.IntegerField(source="tender_id", allow_null=True)
    entity = serializers.IntegerField(source="entity_id", allow_null=True)
    tenders = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    suppliers = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    reviewed_by = serializers.EmailField(source="reviewed_by.email", allow_null=True, default=None)

    class Meta(PublicFlagSerializer.Meta):
        fields = [
            *PublicFlagSerializer.Meta.fields,
            "key",
            "tender",
            "entity",
            "tenders",
            "suppliers",
            "evidence",
            "detected_at",
            "updated_at",
            "cleared_at",
            "review_note",
            "reviewed_by",
            "reviewed_at",
        ]


class ReviewSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=[c for c in Flag.Review.values if c != Flag.Review.OPEN])
    note = serializers.CharField(max_length=4000)


class RuleListView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=RuleSerializer(many=True))
    def get(self, request):
        return Response([rule.describe() for rule in all_rules()])


class TenderFlagListView(generics.ListAPIView):
    """A tender's public flags: an empty list until its award is public."""

    permission_classes = [permissions.AllowAny]
    serializer_class = PublicFlagSerializer
    pagination_class = None

    def get_queryset(self):
        tender = get_object_or_404(tenders_public(), pk=self.kwargs["pk"])
        return selectors.flags_public_for_tender(tender)


@extend_schema_view(
    get=extend_schema(
        parameters=[
            OpenApiParameter("rule", str, description="rule id (GET /api/v1/integrity/rules/)"),
            OpenApiParameter("entity", int, description="procuring entity id"),
            OpenApiParameter("supplier", int, description="supplier id"),
            OpenApiParameter("tender", int, description="tender id"),
            OpenApiParameter("since", str, description="occurred on or after (YYYY-MM-DD)"),
            OpenApiParameter("until", str, description="occurred on or before (YYYY-MM-DD)"),
            OpenApiParameter("review", str, enum=Flag.Review.values),
            OpenApiParameter("include_cleared", bool),
        ]
    )
)
class FlagListView(generics.ListAPIView):
    """Every flag, for auditors; the dashboard's filters as query parameters."""

    permission_classes = [permissions.IsAuthenticated, RulePermission]
    required_perm = "integrity.view_flags"
    serializer_class = FlagSerializer

    def get_queryset(self):
        form = FlagFilterForm(self.request.query_params)
        if not form.is_valid():
            field, errors = next(iter(form.errors.items()))
            raise Invalid(errors[0], field=field)
        return selectors.flags_for_auditor(**form.filters()).prefetch_related("tenders", "suppliers")


class FlagReviewView(APIView):
    permission_classes = [permissions.IsAuthenticated, RulePermission]
    required_perm = "integrity.review_flag"

    @extend_schema(request=ReviewSerializer, responses=FlagSerializer)
    def post(self, request, pk: int):
        flag = get_object_or_404(Flag, pk=pk)
        incoming = ReviewSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        flag = services.flag_review(flag=flag, actor=request.user, **incoming.validated_data)
        return Response(FlagSerializer(flag).data, status=status.HTTP_200_OK)
