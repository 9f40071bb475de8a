"""Reference numbers: one per publication, never twice, even when officials publish at the same moment."""

import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from tenders.services.publication import _allocate_reference


@pytest.mark.django_db(transaction=True)
def test_concurrent_publications_never_share_a_reference():
    references, errors = [], []
    start = threading.Barrier(8)

    def publish():
        try:
            start.wait()
            with transaction.atomic():
                references.append(_allocate_reference(timezone.now()))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=publish) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(set(references)) == 8
    numbers = sorted(int(r.split("-")[1]) for r in references)
    assert numbers == list(range(numbers[0], numbers[0] + 8))


@pytest.mark.django_db
def test_the_sequence_restarts_each_year(time_machine):
    time_machine.move_to("2031-12-31 14:59:00+00:00")  # 23:59 in Seoul
    first = _allocate_reference(timezone.now())
    time_machine.move_to("2031-12-31 15:01:00+00:00")  # 00:01 on 1 January in Seoul
    second = _allocate_reference(timezone.now())
    assert first == "2031-00001"
    assert second == "2032-00001"
