"""Upload validation shared by every app: decide by content (libmagic), not by the name or the browser.

`validate_upload(file)` returns the detected content type or raises ValidationError. It refuses
executables and scripts, anything over `settings.UPLOAD_MAX_BYTES`, and ZIP containers (the Office and
HWPX formats are ZIPs) that carry executables inside.
"""

import zipfile
from pathlib import PurePosixPath

import magic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# What a procurement document may be: PDF, images, drawings, plain text and the Office formats.
ALLOWED_CONTENT_TYPES = frozenset(
    {
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/tiff",
        "image/webp",
        "image/vnd.dwg",
        "image/vnd.dxf",
        "text/plain",
        "text/csv",
        "application/zip",
        "application/x-hwp",
        "application/vnd.hancom.hwpx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
    }
)
ZIP_CONTENT_TYPES = frozenset(t for t in ALLOWED_CONTENT_TYPES if t.startswith("application/vnd.") or t.endswith("zip"))
# Refused by name too, whatever libmagic says: these run when opened.
EXECUTABLE_SUFFIXES = frozenset(
    {
        ".exe", ".dll", ".com", ".bat", ".cmd", ".msi", ".scr", ".pif", ".cpl", ".jar", ".js", ".jse",
        ".vbs", ".vbe", ".wsf", ".wsh", ".ps1", ".sh", ".app", ".apk", ".lnk", ".hta", ".reg", ".elf",
    }
)  # fmt: skip
_SNIFF_BYTES = 8192


def _refuse(message: str):
    raise ValidationError(message, code="invalid_upload")


def validate_upload(file) -> str:
    """The file's real content type if it is an acceptable document; ValidationError otherwise."""
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, 2)
        size = file.tell()
    if size == 0:
        _refuse(_("The file is empty."))
    if size > settings.UPLOAD_MAX_BYTES:
        _refuse(
            _("The file is too large (%(size)s); the limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(settings.UPLOAD_MAX_BYTES)}
        )
    name = getattr(file, "name", "") or ""
    if PurePosixPath(name.lower()).suffix in EXECUTABLE_SUFFIXES:
        _refuse(_("Executable files and scripts cannot be uploaded."))
    file.seek(0)
    head = file.read(_SNIFF_BYTES)
    file.seek(0)
    content_type = magic.from_buffer(head, mime=True)
    if content_type not in ALLOWED_CONTENT_TYPES:
        _refuse(
            _("This kind of file (%(type)s) is not accepted. Upload a PDF, an image, a drawing or an office document.")
            % {"type": content_type}
        )
    if content_type in ZIP_CONTENT_TYPES:
        _check_zip(file)
    return content_type


def _check_zip(file) -> None:
    try:
        with zipfile.ZipFile(file) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError):
        _refuse(_("The file looks like a ZIP archive but cannot be read."))
    finally:
        file.seek(0)
    if any(PurePosixPath(n.lower()).suffix in EXECUTABLE_SUFFIXES for n in names):
        _refuse(_("The archive contains executable files or scripts."))
