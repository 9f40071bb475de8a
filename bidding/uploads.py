"""Bid attachments are read into memory only: their plaintext must never touch the disk (docs/architecture.md §4).

Django's default handlers spool uploads above FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file.
The bid view installs `SealedUploadHandler` as the only handler before the request body is parsed;
it keeps every file in memory up to a cap and skips (and reports) anything larger, never falling
back to disk.

Memory is bounded twice: per request (`BID_UPLOAD_MAX_REQUEST_BYTES`, counted as the bytes arrive,
so a missing or false Content-Length does not help) and per process (`UPLOAD_MEMORY_BUDGET_BYTES`,
shared by every request the process serves at once). When the process budget is spent the upload
stops and the view answers 503 with Retry-After instead of letting a deadline rush exhaust the
worker's memory.
"""

import threading
from io import BytesIO

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile, StopFutureHandlers, StopUpload

# Per file: the shared upload limit.
MAX_FILE_BYTES = settings.UPLOAD_MAX_BYTES
# Seconds a client is asked to wait when the process's upload memory is spent.
RETRY_AFTER_SECONDS = 30


class MemoryBudget:
    """Bytes of upload plaintext this process may hold at once, across its threads."""

    def __init__(self, limit: int):
        self.limit = limit
        self.used = 0
        self._lock = threading.Lock()

    def take(self, size: int) -> bool:
        with self._lock:
            if self.used + size > self.limit:
                return False
            self.used += size
            return True

    def give_back(self, size: int) -> None:
        with self._lock:
            self.used = max(0, self.used - size)


budget = MemoryBudget(settings.UPLOAD_MEMORY_BUDGET_BYTES)


class SealedUploadHandler(FileUploadHandler):
    """In memory only, with caps; `refused` lists what was skipped for size, `over_budget` says the
    process had no memory left for this upload. Call `release()` once the request is answered."""

    def __init__(self, request=None):
        super().__init__(request)
        self.refused: list[str] = []
        self.request_too_large = False
        self.over_budget = False
        self.file = None
        self._size = 0
        self._held = 0  # bytes taken from the process budget by this request

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length is not None and content_length > settings.BID_UPLOAD_MAX_REQUEST_BYTES:
            self.request_too_large = True

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self._size = 0
        # A fresh buffer even when skipping: the parser closes `self.file` on SkipFile, and it must not
        # be the previous (completed, handed-out) file.
        self.file = BytesIO()
        if self.request_too_large:
            self.refused.append(self.file_name or "")
            raise SkipFile
        raise StopFutureHandlers()

    def receive_data_chunk(self, raw_data, start):
        self._size += len(raw_data)
        if self._size > MAX_FILE_BYTES or self._held + len(raw_data) > settings.BID_UPLOAD_MAX_REQUEST_BYTES:
            self.refused.append(self.file_name or "")
            self.file = BytesIO()  # drop what was read; the parser skips the rest of this file
            raise SkipFile
        if not budget.take(len(raw_data)):
            self.over_budget = True
            self.file = BytesIO()
            raise StopUpload(connection_reset=False)
        self._held += len(raw_data)
        self.file.write(raw_data)
        return None

    def file_complete(self, file_size):
        self.file.seek(0)
        return InMemoryUploadedFile(
            file=self.file,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )

    def release(self) -> None:
        budget.give_back(self._held)
        self._held = 0
