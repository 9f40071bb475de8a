"""Catalogue API: the published catalogue and agreements (public); orders and invoices for the
parties (same rules as the pages); placing an order, approving it, invoicing accepted units."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from procurement.api import RulePermission
from procurement.pagination import EstimatedCountPagination
from suppliers.models import Supplier

from . import selectors, services
from .models import CatalogueItem, Certification, FrameworkAgreement, Invoice, InvoiceLine, Order, OrderLine, Region


class ItemSerializer(serializers.ModelSerializer):
    supplier = serializers.CharField(source="supplier.name_ko")
    supplier_size = serializers.CharField(source="supplier.size_class")
    agreement = serializers.CharField(source="agreement.reference")
    cpv = serializers.CharField(source="classification.code")

    class Meta:
        model = CatalogueItem
        fields = [
            "id",
            "name_ko",
            "name_en",
            "model_number",
            "cpv",
            "specification",
            "unit",
            "unit_price",
            "price_version",
            "min_order_quantity",
            "stock",
            "lead_time_days",
            "regions",
            "certifications",
            "supplier",
            "supplier_size",
            "agreement",
        ]


class SearchParams(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=200)
    cpv = serializers.RegexField(r"^\d{2,8}$", required=False)
    price_min = serializers.DecimalField(max_digits=18, decimal_places=2, min_value=0, required=False)
    price_max = serializers.DecimalField(max_digits=18, decimal_places=2, min_value=0, required=False)
    region = serializers.ChoiceField(Region.choices, required=False)
    max_lead_days = serializers.IntegerField(min_value=0, max_value=365, required=False)
    size = serializers.ChoiceField(Supplier.SizeClass.choices, required=False)
    certification = serializers.ChoiceField(Certification.choices, required=False)
    in_stock = serializers.BooleanField(required=False)
    sort = serializers.ChoiceField(["", *selectors.SORTS], required=False)
    page = serializers.IntegerField(min_value=1, required=False)


class ItemListView(generics.ListAPIView):
    """Search the published catalogue (same search as the pages); 422 on a parameter it cannot read."""

    permission_classes = [permissions.AllowAny]
    serializer_class = ItemSerializer
    pagination_class = EstimatedCountPagination  # `count_kind` says whether `count` is exact

    def get_queryset(self):
        params = SearchParams(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        return selectors.catalogue_search(
            selectors.Filters(
                q=data.get("q", "").strip(),
                cpv=data.get("cpv", ""),
                price_min=data.get("price_min"),
                price_max=data.get("price_max"),
                region=data.get("region", ""),
                max_lead_days=data.get("max_lead_days"),
                size=data.get("size", ""),
                certification=data.get("certification", ""),
                in_stock=data.get("in_stock", False),
                sort=data.get("sort", ""),
            )
        )


class ItemDetailView(generics.RetrieveAPIView):
    permission_classes = [permissions.AllowAny]
    serializer_class = ItemSerializer

    def get_queryset(self):
        return selectors.items_published()


class AgreementSerializer(serializers.ModelSerializer):
    supplier = serializers.CharField(source="supplier.name_ko")
    entity = serializers.CharField(source="entity.name_ko")
    tender = serializers.CharField(source="tender.reference")
    cpv = serializers.CharField(source="classification.code")

    class Meta:
        model = FrameworkAgreement
        fields = [
            "id",
            "reference",
            "title",
            "tender",
            "entity",
            "supplier",
            "cpv",
            "status",
            "currency",
            "ceiling",
            "ordered_total",
            "start_date",
            "end_date",
            "max_price_increase_pct",
        ]


class AgreementListView(generics.ListAPIView):
    permission_classes = [permissions.AllowAny]
    serializer_class = AgreementSerializer
    queryset = selectors.agreements_public()


class OrderLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderLine
        fields = ["id", "item", "name", "unit", "unit_price", "price_version", "quantity", "accepted_quantity"]


class OrderSerializer(serializers.ModelSerializer):
    lines = OrderLineSerializer(many=True, read_only=True)
    entity = serializers.CharField(source="entity.name_ko")
    supplier = serializers.CharField(source="supplier.name_ko")
    agreement = serializers.CharField(source="agreement.reference")

    class Meta:
        model = Order
        fields = [
            "id",
            "reference",
            "entity",
            "supplier",
            "agreement",
            "status",
            "currency",
            "total",
            "delivery_address",
            "region",
            "created_at",
            "placed_at",
            "completed_at",
            "lines",
        ]


class WantedSerializer(serializers.Serializer):
    item = serializers.IntegerField(min_value=1)
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000)
    unit_price = serializers.DecimalField(
        max_digits=18,
        decimal_places=2,
        min_value=0,
        help_text="The unit price the buyer agreed to; a different current price is refused.",
    )


class PlaceSerializer(serializers.Serializer):
    lines = WantedSerializer(many=True, allow_empty=False, max_length=50)
    delivery_address = serializers.CharField(max_length=300)
    region = serializers.ChoiceField(Region.choices)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class OrderListCreateView(generics.ListAPIView):
    """Orders of the official's entity or the supplier's company; POST places orders (one per agreement)."""

    permission_classes = [permissions.IsAuthenticated, RulePermission]
    required_perm = "catalogue.view_orders"
    serializer_class = OrderSerializer

    def get_queryset(self):
        return selectors.orders_visible_to(self.request.user).prefetch_related("lines")

    @extend_schema(request=PlaceSerializer, responses={201: OrderSerializer(many=True)})
    def post(self, request):
        if not request.user.has_perm("catalogue.order"):
            return Response(
                {
                    "detail": "Only a procuring official can order.",
                    "code": "permission_denied",
                    "field": None,
                    "errors": {},
                },
                status=status.HTTP_403_FORBIDDEN,
            )
        data = PlaceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        orders = services.orders_place(
            actor=request.user,
            lines=[services.Wanted(w["item"], w["quantity"], w["unit_price"]) for w in v["lines"]],
            delivery_address=v["delivery_address"],
            region=v["region"],
            note=v.get("note", ""),
        )
        return Response(OrderSerializer(orders, many=True).data, status=status.HTTP_201_CREATED)


class OrderDetailView(generics.RetrieveAPIView):
    permission_classes = [permissions.IsAuthenticated, RulePermission]
    object_perm = "catalogue.read_order_private"
    serializer_class = OrderSerializer

    def get_queryset(self):
        return selectors.orders_visible_to(self.request.user).prefetch_related("lines")


class OrderApproveView(APIView):
    permission_classes = [permissions.IsAuthenticated, RulePermission]

    @extend_schema(request=None, responses=OrderSerializer)
    def post(self, request, pk: int):
        order = get_object_or_404(selectors.orders_visible_to(request.user), pk=pk)
        return Response(OrderSerializer(services.order_approve(order=order, actor=request.user)).data)


class InvoiceLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = InvoiceLine
        fields = ["id", "order_line", "description", "quantity", "unit_price", "amount", "voided"]


class InvoiceSerializer(serializers.ModelSerializer):
    lines = InvoiceLineSerializer(many=True, read_only=True)
    is_late = serializers.BooleanField(read_only=True)

    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "entity",
            "supplier",
            "order",
            "milestone",
            "status",
            "currency",
            "supply_amount",
            "vat_rate_pct",
            "vat_amount",
            "total",
            "accepted_at",
            "issued_at",
            "due_at",
            "approved_at",
            "paid_at",
            "is_late",
            "lines",
        ]


class InvoiceQuantity(serializers.Serializer):
    order_line = serializers.IntegerField(min_value=1)
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000)


class InvoiceCreateSerializer(serializers.Serializer):
    lines = InvoiceQuantity(many=True, allow_empty=False, max_length=50)


class InvoiceCreateView(APIView):
    permission_classes = [permissions.IsAuthenticated, RulePermission]

    @extend_schema(request=InvoiceCreateSerializer, responses={201: InvoiceSerializer})
    def post(self, request, pk: int):
        order = get_object_or_404(selectors.orders_visible_to(request.user), pk=pk)
        if not request.user.has_perm("catalogue.supply_order", order):
            raise Http404
        data = InvoiceCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        quantities = {}
        for row in data.validated_data["lines"]:
            if row["order_line"] in quantities:
                raise ValidationError({"lines": ["Each order line may appear once."]})
            quantities[row["order_line"]] = row["quantity"]
        invoice = services.invoice_issue(order=order, actor=request.user, quantities=quantities)
        return Response(InvoiceSerializer(invoice).data, status=status.HTTP_201_CREATED)


class InvoiceListView(generics.ListAPIView):
    permission_classes = [permissions.IsAuthenticated, RulePermission]
    required_perm = "catalogue.view_orders"
    serializer_class = InvoiceSerializer

    def get_queryset(self):
        return selectors.invoices_visible_to(self.request.user).prefetch_related("lines")


class InvoiceDetailView(generics.RetrieveAPIView):
    permission_classes = [permissions.IsAuthenticated, RulePermission]
    object_perm = "catalogue.read_invoice"
    serializer_class = InvoiceSerializer

    def get_queryset(self):
        return selectors.invoices_visible_to(self.request.user).prefetch_related("lines")
