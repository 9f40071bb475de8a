"""The transparency log's public API: signed heads, proofs, leaves; full entries for auditors."""

import base64

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from . import audit, transparency
from .api import RulePermission
from .models import LogLeaf, TreeHead

MAX_RANGE = 1000


def _int_param(request, name: str, *, default: int | None = None, minimum: int = 0) -> int:
    raw = request.query_params.get(name)
    if raw is None and default is not None:
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ValidationError({name: _("A whole number is required.")}) from None
    if value < minimum:
        raise ValidationError({name: _("Must be at least %(n)s.") % {"n": minimum}})
    return value


def _latest_or_404():
    head = audit.transparency_latest_head()
    if head is None:
        raise NotFound(_("No signed tree head has been published yet."))
    return head


class TransparencyInfoView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=OpenApiTypes.OBJECT, summary="The log's public key and latest signed tree head")
    def get(self, request):
        public_key = audit.transparency_public_key()
        head = audit.transparency_latest_head()
        return Response(
            {
                "algorithm": transparency.SIGNATURE_ALGORITHM,
                "public_key": public_key.hex() if public_key else None,
                "public_key_base64": base64.b64encode(public_key).decode() if public_key else None,
                "signed_message": f"{transparency.HEAD_DOMAIN}\\n<tree_size>\\n<timestamp_ms>\\n<root_hash hex>\\n",
                "leaf_hash": "SHA-256(0x00 || entry), entry = canonical JSON (sorted keys, no spaces, UTF-8)",
                "node_hash": "SHA-256(0x01 || left || right), RFC 6962 tree shape",
                "latest_head": audit.transparency_head_json(head) if head else None,
            }
        )


class HeadSerializer(serializers.Serializer):
    tree_size = serializers.IntegerField()
    timestamp_ms = serializers.IntegerField()
    root_hash = serializers.CharField()
    signature = serializers.CharField()
    public_key = serializers.CharField()


class LatestHeadView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=HeadSerializer, summary="The latest signed tree head (save it to check later ones)")
    def get(self, request):
        return Response(audit.transparency_head_json(_latest_or_404()))


class HeadListView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        responses=HeadSerializer(many=True),
        parameters=[OpenApiParameter("tree_size", int, description="only heads of this size")],
        summary="Signed tree heads, newest first (at most 100)",
    )
    def get(self, request):
        public_key = audit.transparency_public_key()
        heads = TreeHead.objects.filter(public_key=public_key.hex() if public_key else "")
        if "tree_size" in request.query_params:
            heads = heads.filter(tree_size=_int_param(request, "tree_size"))
        return Response([audit.transparency_head_json(h) for h in heads.order_by("-tree_size", "-timestamp_ms")[:100]])


class InclusionProofView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        parameters=[
            OpenApiParameter("seq", int, required=True, description="the audit entry's number"),
            OpenApiParameter("tree_size", int, description="a signed head's size (default: the latest)"),
        ],
        summary="An entry's inclusion proof in a signed tree head",
    )
    def get(self, request):
        seq = _int_param(request, "seq", minimum=1)
        tree_size = _int_param(request, "tree_size", minimum=1) if "tree_size" in request.query_params else None
        proof = audit.transparency_inclusion(seq=seq, tree_size=tree_size)
        if proof is None:
            raise NotFound(_("This entry is not in a signed tree head of that size yet."))
        return Response(proof)


class ConsistencyProofView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        parameters=[
            OpenApiParameter("first", int, required=True, description="the older tree size"),
            OpenApiParameter("second", int, description="the newer tree size (default: the latest head's)"),
        ],
        summary="A consistency proof between two tree sizes",
    )
    def get(self, request):
        first = _int_param(request, "first", minimum=1)
        second = _int_param(request, "second", default=_latest_or_404().tree_size, minimum=1)
        if first > second:
            raise ValidationError({"first": _("The first size cannot be larger than the second.")})
        try:
            proof = audit.transparency_consistency(first=first, second=second)
        except ValueError as exc:
            raise NotFound(str(exc)) from None
        head = audit.transparency_head_of_size(second)
        return Response(
            {
                "first": first,
                "second": second,
                "proof": proof,
                "second_head": audit.transparency_head_json(head) if head else None,
            }
        )


def _range(request) -> tuple[int, int]:
    start = _int_param(request, "start", default=0)
    end = _int_param(request, "end", default=start + MAX_RANGE)
    return start, min(end, start + MAX_RANGE)


class LeafListView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        parameters=[OpenApiParameter("start", int), OpenApiParameter("end", int, description="exclusive")],
        summary="Leaf hashes by index (at most 1000 per request): enough to recompute every root",
    )
    def get(self, request):
        start, end = _range(request)
        rows = LogLeaf.objects.filter(index__gte=start, index__lt=end).order_by("index")
        return Response(
            {
                "start": start,
                "leaves": [
                    {"index": i, "seq": s, "leaf_hash": h}
                    for i, s, h in rows.values_list("index", "entry_id", "leaf_hash")
                ],
            }
        )


class EntryListView(APIView):
    """Every field a leaf hash covers, actor id included: for auditors, who may see who acted."""

    permission_classes = [permissions.IsAuthenticated, RulePermission]
    required_perm = "procurement.view_audit_log"

    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        parameters=[OpenApiParameter("start", int), OpenApiParameter("end", int, description="exclusive")],
        summary="Integrated entries by leaf index, with the exact bytes each leaf hash covers (auditors)",
    )
    def get(self, request):
        start, end = _range(request)
        rows = LogLeaf.objects.filter(index__gte=start, index__lt=end).order_by("index").select_related("entry")
        entries = []
        for leaf in rows:
            e = leaf.entry
            entries.append(
                {
                    "index": leaf.index,
                    "leaf_hash": leaf.leaf_hash,
                    "entry": audit.audit_entry_bytes(e).decode(),
                    "seq": e.seq,
                    "at": e.at.isoformat(),
                    "actor": e.actor_id,
                    "actor_label": e.actor_label,
                    "action": e.action,
                    "object_type": e.object_type,
                    "object_id": e.object_id,
                    "data": e.data,
                }
            )
        return Response({"start": start, "entries": entries})
