"""The custodian enrolment page: what the browser posts is accepted, and only that."""

import json

import pytest
from django.urls import reverse

from procurement.sealing import b64encode
from sealclient import sealing as reference_client
from tenders.models import Custodian

pytestmark = pytest.mark.django_db


def test_the_page_stores_the_public_key_and_the_encrypted_blob_it_posts(client, auditor):
    public, blob = reference_client.custodian_enrol("correct horse battery", opslimit=2, memlimit=64 * 1024 * 1024)
    client.force_login(auditor)
    response = client.post(
        reverse("tenders:custodian"),
        {"public_key": b64encode(public), "sealed_private_key": json.dumps(blob.as_json())},
        follow=True,
    )
    assert "You are enrolled as a key custodian" in response.content.decode()
    assert bytes(Custodian.objects.get(user=auditor).public_key) == public
