import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from procurement.models import Notification, Outbox
from procurement.notifications import notify, outbox_deliver, outbox_due_ids
from procurement.tasks import outbox_sweep
from tests.conftest import wait_until


def _welcome(user):
    return notify(event="account.welcome", recipients=[user], template="welcome", link="/")


def test_the_row_is_written_in_the_events_transaction_and_vanishes_with_its_rollback(outsider):
    with pytest.raises(RuntimeError), transaction.atomic():
        _welcome(outsider)
        raise RuntimeError("the event failed")
    assert not Outbox.objects.exists()


def test_delivery_sends_the_email_and_an_in_app_notification(outsider):
    [outbox_id] = _welcome(outsider)
    assert outbox_deliver(outbox_id=outbox_id)
    assert [m.to for m in mail.outbox] == [[outsider.email]]
    notification = Notification.objects.get(user=outsider)
    assert notification.text == mail.outbox[0].subject
    assert Outbox.objects.get(pk=outbox_id).status == Outbox.Status.SENT


def test_delivering_twice_sends_once(outsider):
    [outbox_id] = _welcome(outsider)
    assert outbox_deliver(outbox_id=outbox_id)
    assert not outbox_deliver(outbox_id=outbox_id)
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(user=outsider).count() == 1


def test_it_renders_in_the_recipients_language(outsider, supplier_user):
    outsider.language = "ko"
    outsider.save()
    _welcome(outsider)
    _welcome(supplier_user)
    subjects = dict(Outbox.objects.values_list("recipient__email", "subject"))
    assert subjects[supplier_user.email] == "Welcome to the national e-procurement portal"
    assert subjects[outsider.email] != subjects[supplier_user.email]


def test_a_mail_failure_is_retried_later_with_back_off(outsider, settings):
    settings.EMAIL_BACKEND = "tests.support.mail.RefusingEmailBackend"
    [outbox_id] = _welcome(outsider)
    assert not outbox_deliver(outbox_id=outbox_id)
    row = Outbox.objects.get(pk=outbox_id)
    assert (row.status, row.attempts) == (Outbox.Status.PENDING, 1)
    assert "refused" in row.last_error
    assert outbox_id not in outbox_due_ids(), "a failed row waits for its back-off before the next try"
    assert not Notification.objects.exists()


def test_it_gives_up_after_the_maximum_attempts(outsider, settings):
    settings.EMAIL_BACKEND = "tests.support.mail.RefusingEmailBackend"
    settings.OUTBOX_MAX_ATTEMPTS = 2
    [outbox_id] = _welcome(outsider)
    for _ in range(2):
        Outbox.objects.filter(pk=outbox_id).update(next_try_at="2000-01-01T00:00Z")
        outbox_deliver(outbox_id=outbox_id)
    assert Outbox.objects.get(pk=outbox_id).status == Outbox.Status.FAILED


def test_the_sweep_delivers_what_was_never_queued(outsider):
    _welcome(outsider)
    _welcome(outsider)
    assert outbox_sweep() == 2
    assert Notification.objects.filter(user=outsider).count() == 2


def test_users_see_their_unread_count_and_can_mark_everything_read(client, outsider, supplier_user):
    for user in (outsider, outsider, supplier_user):
        _welcome(user)
    outbox_sweep()
    client.force_login(outsider)
    page = client.get(reverse("notifications"))
    assert page.context["unread_notifications"] == 2
    assert len(page.context["page_obj"]) == 2, "only their own notifications"
    client.post(reverse("notifications_mark_read"))
    assert client.get(reverse("notifications")).context["unread_notifications"] == 0
    assert Notification.objects.filter(user=supplier_user, read_at__isnull=True).count() == 1


@pytest.mark.integration
def test_with_redis_down_signup_succeeds_and_mail_arrives_once_redis_returns(
    client, private_redis, use_broker, celery_worker_factory, settings
):
    """Invariant 6: a broker outage delays a notification, never loses it, never fails the action."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    use_broker(private_redis.url)  # nothing listens there yet: Redis is "down"
    response = client.post(
        reverse("account_signup"),
        {"email": "new@supplier.example", "password1": "a-long-Passphrase-77", "password2": "a-long-Passphrase-77"},
    )
    assert response.status_code == 302
    row = Outbox.objects.get(recipient__email="new@supplier.example", event="account.welcome")
    assert row.status == Outbox.Status.PENDING

    private_redis.start()
    celery_worker_factory(private_redis.url)
    from procurement.tasks import outbox_sweep as sweep_task

    def swept():
        """the outbox row is sent (the sweep is re-sent every few polls, as beat would)"""
        swept.polls += 1
        if swept.polls % 25 == 1:
            sweep_task.apply_async(retry=False)
        return Outbox.objects.get(pk=row.pk).status == Outbox.Status.SENT

    swept.polls = 0
    wait_until(swept, timeout=60)
    assert Notification.objects.filter(user__email="new@supplier.example").count() == 1
