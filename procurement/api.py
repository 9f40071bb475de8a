"""Shared API pieces: the permission class every API view uses, and the domain-error handler."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, generics, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError
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


def _first_error(detail, path: tuple[str, ...] = ()) -> tuple[tuple[str, ...], str] | None:
    """The first message in DRF's nested error detail, with the path of the field it belongs to."""
    if isinstance(detail, dict):
        items = detail.items()
    elif isinstance(detail, list):
        items = ((str(i), v) if isinstance(v, dict | list) else (None, v) for i, v in enumerate(detail))
    else:
        return path, str(detail)
    for key, value in items:
        found = _first_error(value, path if key is None else (*path, str(key)))
        if found:
            return found
    return None


def error_body(*, detail: str, code: str, field: str | None = None, errors=None) -> dict:
    """The one error shape of every endpoint: a message, a machine-readable code, the field at fault
    (or null) and, for input errors, every field's messages."""
    return {"detail": detail, "code": code, "field": field, "errors": errors or {}}


def exception_handler(exc, context):
    """Domain errors answer with the status their class carries; DRF's own errors keep their status
    (except input validation, which is 422 like a domain `Invalid`); all in `error_body`'s shape."""
    if isinstance(exc, DomainError):
        body = error_body(detail=str(exc.message), code=exc.code, field=exc.field)
        return Response(body, status=exc.status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args[:1])
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args[:1])
    response = drf_exception_handler(exc, context)
    if response is None:
        return response
    if isinstance(exc, exceptions.ValidationError):
        path, message = _first_error(exc.detail) or ((), str(exc))
        field = ".".join(path) or None
        response.status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
        errors = exc.detail if isinstance(exc.detail, dict) else {api_settings.NON_FIELD_ERRORS_KEY: exc.detail}
        response.data = error_body(
            detail=message,
            code="invalid",
            field=None if field == api_settings.NON_FIELD_ERRORS_KEY else field,
            errors=errors,
        )
        return response
    code = getattr(exc.detail, "code", None) or exc.default_code
    response.data = error_body(detail=str(exc.detail), code=str(code))
    return response


def filtered(filterset):
    """The filtered queryset; a parameter the filter cannot read is a 422 naming it, never ignored."""
    if not filterset.is_valid():
        raise exceptions.ValidationError(filterset.errors)
    return filterset.qs


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
        return filtered(AuditEntryFilter(self.request.query_params, queryset=queryset))
