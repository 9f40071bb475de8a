"""Drill: a worker dies in the middle of delivering a notification (issue 16 item 5).

The first worker claims the outbox row and hangs inside the mail transport (an SMTP server that
accepts the connection and never answers); it is killed there (SIGKILL). The claim is a lease
(procurement.notifications.CLAIM_LEASE): once it runs out the row is due again and the next worker
delivers it — one in-app notification, one mail. A worker killed after the mail server accepted
the message but before the row was marked sent would send that mail again: mail is at least once,
the in-app notification exactly once (its one-to-one link to the row).
"""

import socket
import threading
import time

import pytest
from django.utils import timezone

from procurement.models import Notification, Outbox
from procurement.notifications import notify
from procurement.tasks import outbox_sweep
from tests.conftest import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


class Tarpit:
    """Accepts SMTP connections and never says a word."""

    def __init__(self):
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen()
        self.port = self.server.getsockname()[1]
        self.accepted = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.accepted.append(conn)

    def close(self):
        for conn in self.accepted:
            conn.close()
        self.server.close()


def test_a_worker_killed_mid_delivery_leaves_the_row_to_the_next_worker_which_delivers_it_once(
    outsider, private_redis, use_broker, celery_worker_factory, monkeypatch, tmp_path
):
    private_redis.start()
    use_broker(private_redis.url)
    tarpit = Tarpit()
    try:
        monkeypatch.setenv("EMAIL_URL", f"smtp://127.0.0.1:{tarpit.port}")
        first = celery_worker_factory(private_redis.url, settings_module="tests.bidding.worker_settings")
        [outbox_id] = notify(event="account.welcome", recipients=[outsider], template="welcome", link="/")
        wait_until(lambda: tarpit.accepted and Outbox.objects.get(pk=outbox_id).attempts == 1, timeout=60)
        first.kill()  # inside send_mail, after the claim
    finally:
        tarpit.close()
    row = Outbox.objects.get(pk=outbox_id)
    assert row.status == Outbox.Status.PENDING
    assert row.next_try_at > timezone.now()  # leased to the dead worker
    assert not Notification.objects.filter(outbox=row).exists()

    # The lease runs out (5 minutes in production; moved here in the open).
    Outbox.objects.filter(pk=outbox_id).update(next_try_at=timezone.now())
    mailbox = tmp_path / "mail"
    monkeypatch.setenv("EMAIL_URL", f"filemail:///{mailbox}")  # environ drops one leading slash
    celery_worker_factory(private_redis.url, settings_module="tests.bidding.worker_settings")

    def delivered():
        """the row is sent (the message comes back after the visibility timeout; the sweep as beat would)"""
        delivered.polls += 1
        if delivered.polls % 25 == 1:
            outbox_sweep.apply_async(retry=False)
        return Outbox.objects.get(pk=outbox_id).status == Outbox.Status.SENT

    delivered.polls = 0
    wait_until(delivered, timeout=60)
    outbox_sweep.apply_async(retry=False)
    wait_until(lambda: len(list(mailbox.iterdir())) >= 1, timeout=10)
    time.sleep(3)  # the redelivered message and the extra sweep have run by now
    assert Notification.objects.filter(outbox_id=outbox_id).count() == 1
    assert len(list(mailbox.iterdir())) == 1
    assert Outbox.objects.get(pk=outbox_id).attempts == 2
