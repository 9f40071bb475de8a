"""Settings of the gunicorn the drills start: the test suite's, with DEBUG off (production error
handling: handler500, no technical pages), static files served without a manifest, and documents
in MEDIA_ROOT when the drill gives one."""

import os

from procurement.test_settings import *  # noqa: F403

# Several nodes of a drill share one folder for documents, as production nodes share storage.
if os.environ.get("MEDIA_ROOT"):
    MEDIA_ROOT = Path(os.environ["MEDIA_ROOT"])  # noqa: F405

DEBUG = False
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
