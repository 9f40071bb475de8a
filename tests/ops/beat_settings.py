"""Settings of the beats the two-beat drill starts: one periodic task, every second."""

from procurement.test_settings import *  # noqa: F403

CELERY_BEAT_SCHEDULE = {"drill-probe": {"task": "procurement.tasks.health_probe", "schedule": 1.0}}
