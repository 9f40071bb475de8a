"""`/healthz`: database, Redis and Celery worker status for load balancers and operators."""

import redis
from celery import Celery
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


def _database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:  # noqa: BLE001 - any failure means "down"
        return False


def _redis() -> bool:
    try:
        client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=1)
        return bool(client.ping())
    except Exception:  # noqa: BLE001
        return False


def _worker() -> bool:
    # A throwaway app of its own: the main app's cached producer pool retries a lost broker forever,
    # which would hang the probe instead of reporting "down".
    probe = Celery(broker=settings.CELERY_BROKER_URL, set_as_current=False)
    probe.conf.broker_transport_options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    try:
        return bool(probe.control.ping(timeout=1.0))
    except Exception:  # noqa: BLE001
        return False
    finally:
        probe.close()


@never_cache
def healthz(request):
    database = _database()
    broker = _redis()
    # Without a broker no worker can answer; skip the ping rather than wait for it.
    worker = broker and _worker()
    checks = {
        name: "up" if ok else "down" for name, ok in (("database", database), ("redis", broker), ("worker", worker))
    }
    healthy = database and broker and worker
    return JsonResponse({"status": "ok" if healthy else "degraded", "checks": checks}, status=200 if healthy else 503)
