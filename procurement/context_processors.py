from django.conf import settings

from .models import Notification
from .navigation import nav_for


def portal(request):
    user = request.user
    unread = Notification.objects.filter(user=user, read_at__isnull=True).count() if user.is_authenticated else 0
    return {
        "nav_items": nav_for(request),
        "unread_notifications": unread,
        "TIME_ZONE_NAME": settings.TIME_ZONE,
        "user_role_label": user.get_role_display() if user.is_authenticated else "",
    }
