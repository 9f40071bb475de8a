"""Archives that hide executables, bombs and unreadable archives are refused with a clear message."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from procurement.uploads import validate_upload

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 200


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def marked_encrypted(content: bytes) -> bytes:
    """Python cannot write encrypted zips: set the 'encrypted' flag in both headers of every entry."""
    data = bytearray(content)
    for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = data.find(signature)
        while start != -1:
            data[start + flag_offset] |= 0x1
            start = data.find(signature, start + 4)
    return bytes(data)


def refusal(name: str, content: bytes) -> str:
    with pytest.raises(ValidationError) as caught:
        validate_upload(SimpleUploadedFile(name, content))
    return caught.value.messages[0]


def nested(depth: int, innermost: dict[str, bytes]) -> bytes:
    content = zipped(innermost)
    for level in range(depth - 1):
        content = zipped({f"level{level}.zip": content})
    return content


def test_a_zip_inside_a_zip_hiding_an_executable_is_refused():
    assert "executable" in refusal("drawings.zip", nested(2, {"setup.exe": b"MZ"}))


@pytest.mark.parametrize(
    "entry",
    ["evil.exe.", "evil.exe. . ", "EVIL.EXE", "folder\\evil.exe", "report.txt:evil.exe", "evil.exe::$DATA"],
)
def test_entry_names_are_read_the_way_windows_reads_them(entry):
    assert "executable" in refusal("drawings.zip", zipped({entry: b"MZ", "readme.txt": b"hello"}))


def test_an_upload_named_the_way_windows_drops_dots_is_refused():
    assert "Executable" in refusal("spec.exe.", PDF)


def test_an_executable_under_an_innocent_name_inside_a_zip_is_refused():
    assert "executable" in refusal("drawings.zip", zipped({"readme.txt": ELF}))


def test_archives_nested_beyond_the_limit_are_refused(settings):
    settings.UPLOAD_ARCHIVE_MAX_DEPTH = 3
    assert "nested" in refusal("drawings.zip", nested(4, {"readme.txt": b"hello"}))


def test_an_archive_declaring_more_than_the_expansion_limit_is_refused(settings):
    settings.UPLOAD_ARCHIVE_MAX_EXPANDED_BYTES = 100_000
    bomb = nested(2, {"zeros.txt": b"\x00" * 200_000})
    assert "expand" in refusal("drawings.zip", bomb)


def test_an_encrypted_archive_is_refused_because_it_cannot_be_checked():
    assert "encrypted" in refusal("drawings.zip", marked_encrypted(zipped({"secret.txt": b"hello"})))


def test_a_garbled_nested_archive_is_refused():
    inner = bytearray(zipped({"readme.txt": b"hello world " * 50}))
    inner[40:60] = b"\xff" * 20  # inside the compressed data: the CRC no longer matches
    assert "cannot be read" in refusal("drawings.zip", zipped({"inner.zip": bytes(inner)}))


def test_an_archive_of_another_format_inside_a_zip_is_refused():
    assert "cannot be checked" in refusal("drawings.zip", zipped({"more.rar": b"Rar!\x1a\x07\x00"}))


def test_nested_archives_of_documents_within_the_limits_are_accepted():
    assert validate_upload(SimpleUploadedFile("drawings.zip", nested(3, {"spec.pdf": PDF}))) == "application/zip"
