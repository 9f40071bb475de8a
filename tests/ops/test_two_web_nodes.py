"""Two web nodes share everything a person needs (issue 16 item 8): signed in on one, signed in on
the other; a document uploaded through one is downloaded through the other (shared storage);
signed out on one, signed out on both. No sticky sessions needed."""

import pytest
from django.conf import settings
from django.db import connection

from suppliers.models import SupplierDocument
from tests.bidding.helpers import pdf_with
from tests.support.webnode import Browser, WebNode

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-Passphrase-77"


def test_a_session_and_a_document_made_on_one_node_are_honoured_on_the_other(supplier_user, tmp_path):
    supplier_user.set_password(PASSWORD)
    supplier_user.save()
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    nodes = [
        WebNode(
            database_url=database_url,
            redis_url=settings.CELERY_BROKER_URL,
            settings_module="tests.ops.web_settings",
            MEDIA_ROOT=tmp_path / "shared-media",  # each node's own folder would fail the download
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

        content = pdf_with("SHARED-STORAGE-4471")
        uploaded = sam.post(
            f"{b}/suppliers/company/documents/",
            {"kind": SupplierDocument.Kind.REGISTRATION_CERTIFICATE, "title": ""},
            files={"file": ("certificate.pdf", content, "application/pdf")},
        )
        assert uploaded.status == 200
        document = SupplierDocument.objects.get(supplier=supplier_user.supplier_membership.supplier)
        downloaded = sam.get(f"{a}/suppliers/documents/{document.pk}/")
        assert downloaded.status == 200
        assert downloaded.body == content
        assert sam.post(f"{b}/accounts/logout/", {}).status == 200
        after = sam.get(f"{a}/dashboard/")
        assert supplier_user.email not in after.body.decode()
        assert "/accounts/login/" in after.body.decode()
    finally:
        for node in nodes:
            node.stop()
