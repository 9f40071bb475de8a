"""Settings for the test suite: the real stack, isolated from a developer's running portal."""

import os
import tempfile

# A Redis database of its own, so a `make run` worker never picks up test tasks; under pytest-xdist
# each test process takes the next lower database, so one process's broker and throttles never see
# another's. A URL given in the environment (a Celery worker a test starts) is kept as it is.
if "REDIS_URL" not in os.environ:
    _xdist_worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
    os.environ["REDIS_URL"] = f"redis://127.0.0.1:6379/{15 - _xdist_worker % 8}"
os.environ.setdefault("CACHE_KEY_PREFIX", f"test-{os.getpid()}")
# The platform custodian's key of the test suite (the web and worker processes of a test share it).
os.environ.setdefault("PLATFORM_CUSTODIAN_KEY", "dGVzdC1zdWl0ZS1wbGF0Zm9ybS1jdXN0b2RpYW4tayE=")
# A fixed key for the suite only (base64 of 32 bytes); production refuses to start without its own.
os.environ.setdefault("TRANSPARENCY_SIGNING_KEY", "dGVzdC1vbmx5LXRyYW5zcGFyZW5jeS1zaWduaW5nLWs=")

from .settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; never in real settings
# A Celery worker a test starts stores its files where the test process reads them (TEST_MEDIA_ROOT).
MEDIA_ROOT = Path(os.environ.get("TEST_MEDIA_ROOT") or tempfile.mkdtemp(prefix="procurement-test-media-"))  # noqa: F405
ACCOUNT_RATE_LIMITS = False
