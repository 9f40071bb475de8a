import re

from django.core import mail
from django.urls import reverse

from procurement.models import AuditEntry
from tests.factories import PASSWORD


def test_a_forgotten_password_is_reset_through_the_emailed_link(client, supplier_user):
    client.post(reverse("account_reset_password"), {"email": supplier_user.email})
    [message] = mail.outbox
    path = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", message.body).group(1)
    form = client.get(path, follow=True)
    client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else path,
        {
            "password1": "a-brand-new-Passphrase-42",
            "password2": "a-brand-new-Passphrase-42",
        },
    )
    assert not client.login(email=supplier_user.email, password=PASSWORD)
    assert client.login(email=supplier_user.email, password="a-brand-new-Passphrase-42")
    assert AuditEntry.objects.filter(action="account.password_change", actor=supplier_user).exists()


def test_login_refuses_an_unverified_email(client, db):
    client.post(
        reverse("account_signup"),
        {"email": "fresh@example.org", "password1": "a-long-Passphrase-77", "password2": "a-long-Passphrase-77"},
    )
    client.logout()
    response = client.post(reverse("account_login"), {"login": "fresh@example.org", "password": "a-long-Passphrase-77"})
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")


def test_logging_out_needs_a_post(client, supplier_user):
    client.force_login(supplier_user)
    client.get(reverse("account_logout"))
    assert client.get(reverse("api-me")).status_code == 200, "a GET must not log anyone out (CSRF)"
    client.post(reverse("account_logout"))
    assert client.get(reverse("api-me")).status_code == 403
