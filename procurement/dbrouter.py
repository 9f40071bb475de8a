"""Public read-only pages and search on a PostgreSQL streaming replica, with read-your-writes.

With DATABASE_REPLICA_URL set, `ReplicaMiddleware` marks GET and HEAD requests for the public
read-only paths (REPLICA_READ_PREFIXES: tender lists, notices, search, open data, the transparency
log) and `ReplicaRouter` sends their reads to the replica. Everything else — every write, every
read inside a transaction, sessions and sign-in, bids, officials' work — stays on the primary.

Read-your-writes: any request that may write (POST, PUT, PATCH, DELETE) pins its client to the
primary for REPLICA_PIN_SECONDS with a signed cookie, so whoever just acted sees the result of
their action even while the replica lags; everyone else may see the public record up to the
replica's lag late (README: Production layout). Unset, everything goes to the primary.
"""

import time
from contextvars import ContextVar

from django.conf import settings
from django.db import connections

REPLICA = "replica"
PIN_COOKIE = "primary_pin"
_SAFE_METHODS = ("GET", "HEAD")

_reads_on_replica: ContextVar[bool] = ContextVar("reads_on_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        # Inside a transaction reads belong with the writes they guard (locks, checks): the primary.
        if _reads_on_replica.get() and not connections["default"].in_atomic_block:
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return None

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two copies

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA


def _pinned(request) -> bool:
    try:
        until = float(request.get_signed_cookie(PIN_COOKIE, salt=PIN_COOKIE))
    except (KeyError, ValueError):
        return False
    return until > time.time()


class ReplicaMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_configured():
            return self.get_response(request)
        if request.method not in _SAFE_METHODS:
            response = self.get_response(request)
            until = time.time() + settings.REPLICA_PIN_SECONDS
            response.set_signed_cookie(
                PIN_COOKIE,
                f"{until:.0f}",
                salt=PIN_COOKIE,
                max_age=settings.REPLICA_PIN_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
            return response
        use_replica = request.path.startswith(tuple(settings.REPLICA_READ_PREFIXES)) and not _pinned(request)
        token = _reads_on_replica.set(use_replica)
        try:
            return self.get_response(request)
        finally:
            _reads_on_replica.reset(token)
