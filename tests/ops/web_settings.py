"""Settings of the gunicorn the fault drills start: the test suite's, with DEBUG off (production
error handling: handler500, no technical pages) and static files served without a manifest."""

from procurement.test_settings import *  # noqa: F403

DEBUG = False
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
