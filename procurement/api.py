"""Shared API pieces: the permission class every API view uses, and the domain-error handler."""

from django.core.exceptions import PermissionDenied
from rest_framework import generics, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError, InvalidTransition
from .filters import AuditEntryFilter
from .models import AuditEntry, Notification
from .roles import mfa_missing


class RulePermission(permissions.BasePermission):
    """Asks the same rules as the pages: `required_perm` on the view (and on each object)."""

    def has_permission(self, request, view):
        if mfa_missing(request.user):
            return False
        perm = getattr(view, "required_perm", None)
        return perm is None or request.user.has_perm(perm)

    def has_object_permission(self, request, view, obj):
        perm = getattr(view, "object_perm", None)
        return perm is None or request.user.has_perm(perm, obj)


def exception_handler(exc, context):
    if isinstance(exc, InvalidTransition):
        return Response({"detail": str(exc), "code": "invalid_transition"}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DomainError):
        body = {"detail": str(exc), "code": exc.code}
        if exc.field:
            body["field"] = exc.field
        return Response(body, status=status.HTTP_422_UNPROCESSABLE_ENTITY)
    if isinstance(exc, PermissionDenied):
        return Response({"detail": "Permission denied."}, status=status.HTTP_403_FORBIDDEN)
    return drf_exception_handler(exc, context)


class MeSerializer(serializers.Serializer):
    email = serializers.EmailField()
    full_name = serializers.CharField()
    role = serializers.CharField()
    language = serializers.CharField()


class MeView(generics.GenericAPIView):
    permission_classes = [permissions.IsAuthenticated, RulePermission]
    serializer_class = MeSerializer

    def get(self, request):
        return Response(MeSerializer(request.user).data)


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "text", "link", "created_at", "read_at"]


class NotificationListView(generics.ListAPIView):
    permission_classes = [permissions.IsAuthenticated, RulePermission]
    serializer_class = NotificationSerializer

    def get_queryset(self):
        return Notification.objects.filter(user=self.request.user)


class AuditEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEntry
        fields = ["seq", "at", "actor", "actor_label", "action", "object_type", "object_id", "data", "hash"]


class AuditEntryListView(generics.ListAPIView):
    permission_classes = [permissions.IsAuthenticated, RulePermission]
    required_perm = "procurement.view_audit_log"
    serializer_class = AuditEntrySerializer
    filterset_class = AuditEntryFilter
    queryset = AuditEntry.objects.all()

    def filter_queryset(self, queryset):
        return AuditEntryFilter(self.request.query_params, queryset=queryset).qs
