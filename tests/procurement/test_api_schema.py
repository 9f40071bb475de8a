"""schemathesis against /api/schema/ with the demo data: no server error and no response that
violates the schema, for anonymous clients and for demo users of each kind.

The demo data is loaded once into the test database inside a transaction that is rolled back
when the module ends, so the rest of the suite never sees it. Examples per operation are capped
(`EXAMPLES`) to keep the run to a few minutes.
"""

import io

import pytest
import schemathesis
from django.core import signals
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from procurement.models import User
from tests.conftest import enrol_totp

EXAMPLES = 12
IDENTITIES = [None, "supplier1@example.com", "official@example.com", "auditor@example.com"]

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


@pytest.fixture(scope="module")
def demo_tokens(django_db_setup, django_db_blocker):
    """The demo data, and an API token per demo identity (MFA enrolled where the role needs it)."""
    # Called as a WSGI app (not through Django's test client), each request would close the
    # connection at its end, and with it the transaction that holds the demo data.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("load_demo", stdout=io.StringIO())
            tokens = {}
            for email in IDENTITIES[1:]:
                user = User.objects.get(email=email)
                enrol_totp(user)
                tokens[email] = Token.objects.get_or_create(user=user)[0].key
            yield tokens
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)


@pytest.fixture(params=IDENTITIES, ids=lambda email: email or "anonymous")
def auth_headers(request, demo_tokens, db):
    email = request.param
    return {"Authorization": f"Token {demo_tokens[email]}"} if email else {}


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_to_its_schema(case, auth_headers):
    case.call_and_validate(headers=auth_headers, checks=[not_a_server_error, response_schema_conformance])
