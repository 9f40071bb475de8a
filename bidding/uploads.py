"""Bid attachments are read into memory only: their plaintext must never touch the disk (docs/architecture.md §4).

Django's default handlers spool uploads above FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file.
The bid view installs `SealedUploadHandler` as the only handler before the request body is parsed;
it keeps every file in memory up to a cap and skips (and reports) anything larger, never falling
back to disk.
"""

from io import BytesIO

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile, StopFutureHandlers

# Per file: the shared upload limit. Per request: room for a handful of documents.
MAX_FILE_BYTES = settings.UPLOAD_MAX_BYTES
MAX_REQUEST_BYTES = getattr(settings, "BID_UPLOAD_MAX_REQUEST_BYTES", 5 * settings.UPLOAD_MAX_BYTES)


class SealedUploadHandler(FileUploadHandler):
    """In memory only, with caps; `refused` lists what was skipped for size."""

    def __init__(self, request=None):
        super().__init__(request)
        self.refused: list[str] = []
        self.request_too_large = False
        self.file = None
        self._size = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length is not None and content_length > MAX_REQUEST_BYTES:
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
        if self._size > MAX_FILE_BYTES:
            self.refused.append(self.file_name or "")
            self.file = BytesIO()  # drop what was read; the parser skips the rest of this file
            raise SkipFile
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
