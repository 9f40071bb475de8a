"""The 503 answer for a database error (procurement.unavailable), with real database errors."""

import json
import time
import uuid

import pytest
from django.db import OperationalError, connection, transaction
from django.test import RequestFactory

from procurement import healthlog
from procurement.unavailable import DatabaseUnavailableMiddleware, lost_connection

pytestmark = pytest.mark.django_db


@pytest.fixture
def web_503s(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": uuid.uuid4().hex}
    }
    from django.core.cache import cache

    def counted() -> int:
        minute = healthlog._minute(time.time())
        return sum(cache.get(healthlog.WEB_KEY.format(minute=m)) or 0 for m in (minute - 1, minute))

    return counted


def middleware():
    return DatabaseUnavailableMiddleware(lambda request: None)


def statement_timeout() -> OperationalError:
    with pytest.raises(OperationalError) as caught, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 10")
        cursor.execute("SELECT pg_sleep(1)")
    return caught.value


def refused_connection() -> OperationalError:
    import psycopg2

    from tests.support.pgcluster import free_port

    try:
        psycopg2.connect(host="127.0.0.1", port=free_port(), user="postgres", connect_timeout=1)
    except psycopg2.OperationalError as exc:
        wrapped = OperationalError(str(exc))
        wrapped.__cause__ = exc
        return wrapped
    raise AssertionError("something listens on a free port")


def test_a_lost_connection_answers_503_with_retry_after_and_counts_for_the_health_history(web_503s, settings):
    exc = refused_connection()
    assert lost_connection(exc)
    response = middleware().process_exception(RequestFactory().get("/tenders/"), exc)
    assert response.status_code == 503
    assert response["Retry-After"] == str(settings.DATABASE_UNAVAILABLE_RETRY_AFTER)
    assert web_503s() == 1


def test_a_statement_that_timed_out_answers_503_but_is_no_outage(web_503s):
    exc = statement_timeout()
    assert not lost_connection(exc)
    response = middleware().process_exception(RequestFactory().post("/api/v1/bids/"), exc)
    assert response.status_code == 503
    assert json.loads(response.content)["code"] == "temporarily_unavailable"
    assert web_503s() == 0


def test_other_errors_are_left_to_the_ordinary_500():
    assert middleware().process_exception(RequestFactory().get("/"), ValueError("a bug")) is None
