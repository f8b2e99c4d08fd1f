"""Files people attach: to readiness-plan sections and incident updates.

No ORM: services and views call these functions.

- ``sniff_attachment`` decides the type from the CONTENT (magic bytes, and for
  .docx/.xlsx the names in the zip's central directory), never from the name.
  It refuses everything else with an ``InvalidAttachment`` whose message tells
  the user what to do. Nothing is decompressed or extracted.
- ``display_name`` turns whatever name the browser sent into the name kept for
  display; the file itself is stored under a generated name with the
  extension of the real type (``AttachmentType.extension``).
- ``content_disposition`` builds the download header for that display name,
  and ``attachment_response`` the whole download.

``AttachmentType.extension`` has no leading dot ("pdf", "docx", "jpg").
"""

import io
import re
import struct
import unicodedata
import zipfile
from dataclasses import dataclass
from urllib.parse import quote

from django.http import Http404, HttpResponse
from django.utils.translation import gettext

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
# A zip (.docx/.xlsx) may declare at most this many times the upload limit as
# its uncompressed total; anything more is treated as a zip bomb.
MAX_ZIP_EXPANSION = 20
# When a name has nothing left after cleaning, it is shown as "tệp" ("file")
# and downloaded as "tep" in the ASCII fallback of Content-Disposition.
FALLBACK_NAME = "tệp"
FALLBACK_ASCII_NAME = "tep"
MAX_NAME_LENGTH = 255
# A suffix longer than this is not treated as an extension when capping a name.
_MAX_EXTENSION_LENGTH = 16


@dataclass(frozen=True)
class AttachmentType:
    content_type: str
    extension: str  # without the leading dot
    label: str


PDF = AttachmentType("application/pdf", "pdf", "PDF")
DOCX = AttachmentType(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "docx",
    "Word (.docx)",
)
XLSX = AttachmentType(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xlsx",
    "Excel (.xlsx)",
)
PNG = AttachmentType("image/png", "png", "PNG")
JPEG = AttachmentType("image/jpeg", "jpg", "JPEG")
WEBP = AttachmentType("image/webp", "webp", "WebP")
GIF = AttachmentType("image/gif", "gif", "GIF")
ACCEPTED_TYPES = (PDF, DOCX, XLSX, PNG, JPEG, WEBP, GIF)


class InvalidAttachment(ValueError):
    """A refused upload. ``message`` is translated and says what to do;
    ``code`` is stable ("empty", "too_large", "legacy_office", "encrypted",
    "macros", "zip_bomb", "damaged", "unsupported") for forms and tests."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# A password-protected .docx/.xlsx is an OLE2 file with this stream name.
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_ZIP_SIGNATURE = b"PK\x03\x04"


def _limit_mb() -> int:
    return MAX_ATTACHMENT_BYTES // (1024 * 1024)


def sniff_attachment(*, content: bytes, filename: str) -> AttachmentType:
    """The type of ``content``, or ``InvalidAttachment``. ``filename`` is used
    only to name the file in the message; its extension is ignored."""
    name = display_name(filename)
    if not content:
        raise InvalidAttachment(
            gettext(
                "“%(name)s” is empty. Check that it opens on your computer, "
                "then choose it again."
            )
            % {"name": name},
            code="empty",
        )
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise InvalidAttachment(
            gettext(
                "“%(name)s” is larger than %(limit)s MB. Compress it or split it "
                "into several files of at most %(limit)s MB each."
            )
            % {"name": name, "limit": _limit_mb()},
            code="too_large",
        )

    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(_PNG_SIGNATURE) and content[12:16] == b"IHDR":
        return PNG
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if content.startswith(b"RIFF") and content[8:12] == b"WEBP":
        return WEBP
    if content.startswith(_OLE2_SIGNATURE):
        _refuse_ole2(content, name)
    if content.startswith(_ZIP_SIGNATURE):
        return _sniff_office_zip(content, name)
    raise _unsupported(name)


def _unsupported(name: str) -> InvalidAttachment:
    return InvalidAttachment(
        gettext(
            "“%(name)s” is not a file type that can be attached. Upload a PDF, "
            "a Word file (.docx), an Excel file (.xlsx) or an image (PNG, JPEG, "
            "WebP or GIF)."
        )
        % {"name": name},
        code="unsupported",
    )


def _refuse_ole2(content: bytes, name: str) -> None:
    if _ENCRYPTED_PACKAGE in content:
        raise InvalidAttachment(
            gettext(
                "“%(name)s” is protected by a password. Open it, remove the "
                "password, save it and upload it again."
            )
            % {"name": name},
            code="encrypted",
        )
    raise InvalidAttachment(
        gettext(
            "“%(name)s” is an old Word or Excel file (.doc or .xls), which is "
            "not accepted. Open it and save it as .docx or .xlsx (File › Save "
            "As), then upload the new file."
        )
        % {"name": name},
        code="legacy_office",
    )


def _sniff_office_zip(content: bytes, name: str) -> AttachmentType:
    """.docx or .xlsx from the zip's central directory alone: the names and
    declared sizes are read, nothing is decompressed."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,
        EOFError,
        OSError,
        ValueError,
        struct.error,
    ):
        raise InvalidAttachment(
            gettext(
                "“%(name)s” is damaged or incomplete. Open it on your computer, "
                "save it again and upload the new file."
            )
            % {"name": name},
            code="damaged",
        ) from None

    declared = sum(entry.file_size for entry in entries)
    if declared > MAX_ZIP_EXPANSION * MAX_ATTACHMENT_BYTES:
        raise InvalidAttachment(
            gettext(
                "“%(name)s” would unpack to more than %(unpacked)s MB, which is "
                "not accepted. Save it again from Word or Excel, or send it as a "
                "PDF."
            )
            % {"name": name, "unpacked": MAX_ZIP_EXPANSION * _limit_mb()},
            code="zip_bomb",
        )

    names = {entry.filename.lower() for entry in entries}
    if "[content_types].xml" not in names:
        raise _unsupported(name)
    is_docx = "word/document.xml" in names
    is_xlsx = "xl/workbook.xml" in names
    if is_docx == is_xlsx:  # neither, or an odd mix of both
        raise _unsupported(name)
    if any(n.endswith("vbaproject.bin") for n in names):
        raise InvalidAttachment(
            gettext(
                "“%(name)s” contains macros, which are not accepted. Save it as "
                "a plain .docx or .xlsx (without macros) and upload it again."
            )
            % {"name": name},
            code="macros",
        )
    return DOCX if is_docx else XLSX


_DRIVE = re.compile(r"^[A-Za-z]:")
_DROPPED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn"}


def display_name(filename: str) -> str:
    """The name to keep and show: the base name only (any directories, "..",
    drive letters removed, for both / and \\), without control or format
    characters (e.g. right-to-left overrides) or leading dots, whitespace
    collapsed, NFC-normalised, at most 255 characters with the extension kept.
    Never empty: ``FALLBACK_NAME`` ("tệp") when nothing is left."""
    name = unicodedata.normalize("NFC", filename or "")
    parts = [part for part in re.split(r"[/\\]", name) if part]
    name = parts[-1] if parts else ""
    name = _DRIVE.sub("", name)
    name = "".join(
        " " if ch.isspace() else ch
        for ch in name
        if ch.isspace() or unicodedata.category(ch) not in _DROPPED_CATEGORIES
    )
    name = " ".join(name.split()).lstrip(". ").rstrip(". ")
    if not name:
        return FALLBACK_NAME
    return _cap(name)


def _cap(name: str) -> str:
    if len(name) <= MAX_NAME_LENGTH:
        return name
    stem, dot, suffix = name.rpartition(".")
    extension = dot + suffix
    if stem and len(extension) <= _MAX_EXTENSION_LENGTH and " " not in extension:
        return stem[: MAX_NAME_LENGTH - len(extension)].rstrip(". ") + extension
    return name[:MAX_NAME_LENGTH].rstrip(". ")


# RFC 5987 attr-char, besides letters and digits.
_ATTR_CHAR_PUNCTUATION = "!#$&+-.^_`|~"


def content_disposition(name: str) -> str:
    """``attachment; filename="<ASCII>"; filename*=UTF-8''<percent-encoded>``
    for a (Vietnamese) display name. The name goes through ``display_name``
    first, so no path, quote-breaking or header-splitting character gets in."""
    safe = display_name(name)
    return (
        f'attachment; filename="{_ascii_fallback(safe)}"; '
        f"filename*=UTF-8''{quote(safe, safe=_ATTR_CHAR_PUNCTUATION)}"
    )


def _ascii_fallback(name: str) -> str:
    """Diacritics stripped (đ → d), anything else non-ASCII, quotes and
    backslashes dropped."""
    name = name.replace("đ", "d").replace("Đ", "D")
    name = "".join(
        ch
        for ch in unicodedata.normalize("NFKD", name)
        if " " <= ch <= "~" and ch not in '"\\'
    )
    name = " ".join(name.split()).rstrip(". ")
    if name.startswith("."):  # the whole stem was non-ASCII: "计划.pdf"
        name = FALLBACK_ASCII_NAME + name
    name = name.lstrip(" ")
    return name or FALLBACK_ASCII_NAME


def attachment_response(*, file, content_type: str, name: str) -> HttpResponse:
    """A stored file as a download that browsers never render in place.
    Read whole (at most MAX_ATTACHMENT_BYTES) rather than streamed, so that
    the request's database transaction is over when the response leaves."""
    try:
        with file.open("rb") as f:
            content = f.read()
    except FileNotFoundError:  # lost from storage: say so rather than fail
        raise Http404 from None
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition(name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
