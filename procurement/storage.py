"""Uploaded files and the transactions that record them: one way to store, one way to clean up.

Storage (a folder, S3) is not transactional. Services write files before or inside the transaction
that saves their rows — slow I/O is kept out of row locks — so a refused or failed transaction
would leave its files behind, without a row pointing at them, and a caller could repeat that
without limit. Every upload path therefore stores through `stored_files()`:

    with stored_files() as files:
        files.save(document.file, name, upload)
        with transaction.atomic():
            ...  # checks under the lock, then document.save()

If anything raises inside the block (a refusal, a database error, a lost connection), every file
it stored is deleted before the exception goes on. Services are the outermost transaction (the
project does not use ATOMIC_REQUESTS), so a block that exits normally has committed.
"""

import logging
from contextlib import contextmanager

from django.core.files.storage import Storage

logger = logging.getLogger(__name__)


class StoredFiles:
    """The files one service call wrote to storage."""

    def __init__(self):
        self._saved: list[tuple[Storage, str]] = []

    def save(self, field_file, name: str, content) -> str:
        """`field_file.save(name, content)` without saving the model; returns the stored name."""
        field_file.save(name, content, save=False)
        self._saved.append((field_file.storage, field_file.name))
        return field_file.name

    def delete_all(self) -> None:
        for storage, name in self._saved:
            try:
                storage.delete(name)
            except Exception:  # the original error matters more; an orphan is logged for the operator
                logger.exception("could not delete %s after a rolled-back upload", name)
        self._saved.clear()


@contextmanager
def stored_files():
    files = StoredFiles()
    try:
        yield files
    except BaseException:
        files.delete_all()
        raise
