"""Settings for the Celery workers the bidding scheduling tests start.

Redis gives an unacknowledged message back after 5 s instead of an hour, and the worker looks for
such messages every second — so a test can kill a worker mid-task and watch the next worker
redeliver it (acks_late) within seconds. Opening works in batches of 4 bids, so a test can stop it
between batches.
"""

from procurement.test_settings import *  # noqa: F403

CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
    "visibility_timeout": 5,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}

OPENING_BATCH_BIDS = 4
