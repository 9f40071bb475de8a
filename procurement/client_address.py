"""The client's network address, the one answer for everything that keys on it.

Behind the TLS proxy the README requires, every request arrives from the proxy's address; the
client's is the entry the proxy appended to X-Forwarded-For. `TRUSTED_PROXY_COUNT` says how many
proxies append (entries further left were written by the client and are not believed). allauth's
login rate limits (through `AccountAdapter`) and the API throttles (`procurement.throttling`)
both ask `client_address`.
"""

import ipaddress

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from rest_framework import throttling


def client_address(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    entries = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
    if len(entries) < count:
        return remote  # not through every trusted proxy: only the connection's address is known
    try:
        return str(ipaddress.ip_address(entries[-count]))
    except ValueError:
        return remote


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request) -> str:
        return client_address(request)


class AnonRateThrottle(throttling.AnonRateThrottle):
    def get_ident(self, request):
        return client_address(request)


class UserRateThrottle(throttling.UserRateThrottle):
    def get_ident(self, request):
        return client_address(request)
