"""Two web nodes share everything a person's session needs (issue 16 item 8): signed in on one,
signed in on the other; signed out on one, signed out on both. No sticky sessions needed."""

import pytest
from django.conf import settings
from django.db import connection

from tests.support.webnode import Browser, WebNode

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-Passphrase-77"


def test_a_session_made_on_one_node_is_honoured_and_ended_on_the_other(supplier_user):
    supplier_user.set_password(PASSWORD)
    supplier_user.save()
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    nodes = [
        WebNode(
            database_url=database_url, redis_url=settings.CELERY_BROKER_URL, settings_module="tests.ops.web_settings"
        )
        for _ in range(2)
    ]
    for node in nodes:
        node.start()
    try:
        a, b = (node.url for node in nodes)
        sam = Browser()
        assert sam.post(f"{a}/accounts/login/", {"login": supplier_user.email, "password": PASSWORD}).status == 200
        dashboard = sam.get(f"{b}/dashboard/")
        assert dashboard.status == 200
        assert supplier_user.email in dashboard.body.decode()
        assert sam.post(f"{b}/accounts/logout/", {}).status == 200
        after = sam.get(f"{a}/dashboard/")
        assert supplier_user.email not in after.body.decode()
        assert "/accounts/login/" in after.body.decode()
    finally:
        for node in nodes:
            node.stop()
