"""Upload validation shared by every app: decide by content (libmagic), not by the name or the browser.

`validate_upload(file)` returns the detected content type or raises ValidationError. It refuses
executables and scripts (by content, and by name as Windows reads names), anything over
`settings.UPLOAD_MAX_BYTES`, and ZIP containers (the Office and HWPX formats are ZIPs) that carry
executables inside, at any depth of nested archives up to `UPLOAD_ARCHIVE_MAX_DEPTH`, that would
expand beyond `UPLOAD_ARCHIVE_MAX_EXPANDED_BYTES` (zip bombs), or that are encrypted or unreadable.
"""

import io
import zipfile
import zlib
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
# Archives inside an upload that cannot be opened here, so whatever they hide cannot be checked.
OPAQUE_ARCHIVE_SUFFIXES = frozenset(
    {".rar", ".7z", ".cab", ".iso", ".img", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".arj", ".lzh", ".ace", ".zst"}
)
# Content libmagic reports for programs, whatever their name.
EXECUTABLE_CONTENT_TYPES = frozenset(
    {
        "application/x-dosexec",
        "application/x-msdownload",
        "application/x-executable",
        "application/x-pie-executable",
        "application/x-sharedlib",
        "application/x-mach-binary",
        "application/x-elf",
        "text/x-shellscript",
        "text/x-msdos-batch",
    }
)
# First bytes of programs (PE, ELF, Mach-O, fat Mach-O, scripts), for what libmagic calls octet-stream.
_EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"\xfe\xed\xfa", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"#!")
_ZIP_MAGIC = b"PK\x03\x04"
_SNIFF_BYTES = 8192


def _refuse(message: str):
    raise ValidationError(message, code="invalid_upload")


def windows_name_parts(name: str) -> list[str]:
    """The names Windows would act on for `name`: its last path component (either separator), and
    each alternate data stream (`report.txt:evil.exe`), lower-cased, with the trailing dots and
    spaces Windows drops (`evil.exe. ` is `evil.exe`)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return [part.rstrip(". ").lower() for part in base.split(":")]


def is_executable_name(name: str) -> bool:
    return any(PurePosixPath(part).suffix in EXECUTABLE_SUFFIXES for part in windows_name_parts(name))


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
    if is_executable_name(getattr(file, "name", "") or ""):
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
        try:
            _check_archive(file, depth=1, budget=_ArchiveBudget())
        finally:
            file.seek(0)
    return content_type


class _ArchiveBudget:
    """What one upload may expand to, across all its nested archives (a zip bomb declares far more)."""

    def __init__(self):
        self.bytes_left = settings.UPLOAD_ARCHIVE_MAX_EXPANDED_BYTES
        self.entries_left = settings.UPLOAD_ARCHIVE_MAX_ENTRIES

    def spend(self, entries: list[zipfile.ZipInfo]) -> None:
        self.entries_left -= len(entries)
        self.bytes_left -= sum(info.file_size for info in entries)
        if self.entries_left < 0:
            _refuse(_("The archive holds too many files to be checked."))
        if self.bytes_left < 0:
            _refuse(
                _("The archive would expand to more than %(limit)s; it cannot be accepted.")
                % {"limit": filesizeformat(settings.UPLOAD_ARCHIVE_MAX_EXPANDED_BYTES)}
            )


def _check_archive(file, *, depth: int, budget: _ArchiveBudget) -> None:
    """Every entry of a ZIP container, and of the archives inside it down to the depth limit.

    Declared sizes are trusted only as upper bounds: zipfile never returns more bytes than an
    entry declares, and checks the CRC of what it reads in full.
    """
    unreadable = _("The file looks like a ZIP archive but cannot be read.")
    try:
        with zipfile.ZipFile(file) as archive:
            entries = archive.infolist()
            budget.spend(entries)
            for info in entries:
                if info.flag_bits & 0x1:
                    _refuse(_("The archive is encrypted, so its content cannot be checked. Upload it unencrypted."))
                if is_executable_name(info.filename):
                    _refuse(_("The archive contains executable files or scripts."))
                if info.is_dir():
                    continue
                if any(
                    PurePosixPath(part).suffix in OPAQUE_ARCHIVE_SUFFIXES for part in windows_name_parts(info.filename)
                ):
                    _refuse(_("The archive contains another kind of archive, which cannot be checked."))
                with archive.open(info) as entry:
                    head = entry.read(_SNIFF_BYTES)
                if head.startswith(_EXECUTABLE_MAGIC) or magic.from_buffer(head, mime=True) in EXECUTABLE_CONTENT_TYPES:
                    _refuse(_("The archive contains executable files or scripts."))
                if head.startswith(_ZIP_MAGIC):
                    if depth >= settings.UPLOAD_ARCHIVE_MAX_DEPTH:
                        _refuse(
                            _("Archives nested more than %(n)s deep cannot be checked.")
                            % {"n": settings.UPLOAD_ARCHIVE_MAX_DEPTH}
                        )
                    _check_archive(io.BytesIO(archive.read(info)), depth=depth + 1, budget=budget)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError, zlib.error):
        _refuse(unreadable)
    except RuntimeError:  # zipfile's answer to an entry that needs a password
        _refuse(_("The archive is encrypted, so its content cannot be checked. Upload it unencrypted."))
