"""Attachments: the type comes from the content, the name is only for display."""

import io
import struct
import unicodedata
import zipfile
from urllib.parse import unquote

import openpyxl
import pytest
from django.http import HttpResponse
from django.utils import translation

from contacts import attachments
from contacts.attachments import (
    DOCX,
    GIF,
    JPEG,
    MAX_ATTACHMENT_BYTES,
    PDF,
    PNG,
    WEBP,
    XLSX,
    AttachmentType,
    InvalidAttachment,
    content_disposition,
    display_name,
    sniff_attachment,
)
from contacts.spreadsheets import active_sheet

# --- real minimal files, built in memory ------------------------------------

PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n"
    + struct.pack(">I", 13)
    + b"IHDR"
    + struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    + b"\x00\x00\x00\x00"
)
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
GIF_BYTES = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04;"
GIF87_BYTES = b"GIF87a\x01\x00\x01\x00\x00\x00\x00;"
WEBP_BYTES = (
    b"RIFF" + struct.pack("<I", 26) + b"WEBPVP8L" + b"\x0d\x00\x00\x00" + b"/" * 13
)
OLE2_BYTES = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
ENCRYPTED_OOXML = OLE2_BYTES + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 64
HTML_BYTES = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
EXE_BYTES = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 48 + b"PE\x00\x00"
)
SVG_BYTES = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
SVG_WITH_PROLOG = b'<?xml version="1.0"?>\n' + SVG_BYTES

CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
)


def make_zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def make_docx(**extra: bytes) -> bytes:
    return make_zip(
        {
            "[Content_Types].xml": CONTENT_TYPES,
            "_rels/.rels": b"<Relationships/>",
            "word/document.xml": b"<w:document/>",
            **extra,
        }
    )


def make_xlsx_by_hand() -> bytes:
    return make_zip(
        {
            "[Content_Types].xml": CONTENT_TYPES,
            "_rels/.rels": b"<Relationships/>",
            "xl/workbook.xml": b"<workbook/>",
            "xl/worksheets/sheet1.xml": b"<worksheet/>",
        }
    )


def make_xlsx_with_openpyxl() -> bytes:
    workbook = openpyxl.Workbook()
    active_sheet(workbook).append(["Xã", "Điểm bỏ phiếu", "Sẵn sàng"])
    active_sheet(workbook).append(["Đông Sơn", 3, "có"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def make_zip_bomb(declared: int) -> bytes:
    """A .docx-shaped zip holding a long run of zeros: tiny on the wire,
    ``declared`` bytes once unpacked."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("word/document.xml", b"<w:document/>")
        chunk = b"\x00" * (1024 * 1024)
        with archive.open("word/media/zeros.bin", "w") as member:
            written = 0
            while written < declared:
                part = chunk[: declared - written]
                member.write(part)
                written += len(part)
    return buffer.getvalue()


def refusal(content: bytes, filename: str = "tệp.pdf") -> InvalidAttachment:
    with translation.override("en"), pytest.raises(InvalidAttachment) as caught:
        sniff_attachment(content=content, filename=filename)
    return caught.value


# --- accepted types -----------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "filename", "expected"),
    [
        (PDF_BYTES, "Kế hoạch bảo đảm thông tin.pdf", PDF),
        (PNG_BYTES, "sơ đồ.png", PNG),
        (JPEG_BYTES, "ảnh trạm BTS.jpg", JPEG),
        (GIF_BYTES, "bieu-do.gif", GIF),
        (GIF87_BYTES, "old.gif", GIF),
        (WEBP_BYTES, "anh.webp", WEBP),
        (make_docx(), "Báo cáo.docx", DOCX),
        (make_xlsx_by_hand(), "Danh sách.xlsx", XLSX),
        (make_xlsx_with_openpyxl(), "Danh sách điểm bỏ phiếu.xlsx", XLSX),
    ],
    ids=["pdf", "png", "jpeg", "gif89a", "gif87a", "webp", "docx", "xlsx", "openpyxl"],
)
def test_each_accepted_type_is_recognised_by_its_content(content, filename, expected):
    assert sniff_attachment(content=content, filename=filename) == expected


@pytest.mark.parametrize(
    ("content", "filename", "expected"),
    [
        (PNG_BYTES, "scan.pdf", PNG),
        (PDF_BYTES, "ke-hoach.docx", PDF),
        (make_docx(), "bang.xlsx", DOCX),
        (make_xlsx_with_openpyxl(), "van-ban.docx", XLSX),
        (JPEG_BYTES, "no-extension", JPEG),
        (PDF_BYTES, "", PDF),
    ],
)
def test_content_wins_over_the_name_and_the_real_extension_is_returned(
    content, filename, expected
):
    found = sniff_attachment(content=content, filename=filename)
    assert found == expected
    assert found.extension == expected.extension


def test_the_types_carry_content_type_extension_and_label():
    assert AttachmentType("application/pdf", "pdf", "PDF") == PDF
    assert JPEG.extension == "jpg"
    assert DOCX.content_type == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert XLSX.content_type == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert {t.extension for t in attachments.ACCEPTED_TYPES} == {
        "pdf",
        "docx",
        "xlsx",
        "png",
        "jpg",
        "webp",
        "gif",
    }
    with pytest.raises(AttributeError):
        PDF.extension = "exe"  # type: ignore[misc]  # frozen: what this checks


def test_a_file_exactly_at_the_limit_is_accepted():
    content = PDF_BYTES + b"\x00" * (MAX_ATTACHMENT_BYTES - len(PDF_BYTES))
    assert len(content) == MAX_ATTACHMENT_BYTES
    assert sniff_attachment(content=content, filename="big.pdf") == PDF


def test_nothing_is_extracted_from_a_zip(monkeypatch):
    def no_reading(*args, **kwargs):
        raise AssertionError("a member was decompressed")

    docx, xlsx = make_docx(), make_xlsx_with_openpyxl()
    monkeypatch.setattr(zipfile.ZipFile, "open", no_reading)
    monkeypatch.setattr(zipfile.ZipFile, "read", no_reading)
    assert sniff_attachment(content=docx, filename="a.docx") == DOCX
    assert sniff_attachment(content=xlsx, filename="a.xlsx") == XLSX


# --- refused files ------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "filename"),
    [
        (EXE_BYTES, "ke-hoach.pdf"),
        (HTML_BYTES, "ke-hoach.pdf"),
        (b"  \n<html><body>hi</body></html>", "trang.html"),
        (SVG_BYTES, "logo.svg"),
        (SVG_WITH_PROLOG, "logo.png"),
        (b"Just some text, no magic.", "ghi-chu.txt"),
        (b"{\\rtf1\\ansi hello}", "van-ban.docx"),
        (b"PK\x05\x06" + b"\x00" * 18, "empty-zip.docx"),
        (make_zip({"readme.txt": b"hi"}), "archive.docx"),
        (make_zip({"word/document.xml": b"<w:document/>"}), "no-content-types.docx"),
        (
            make_zip(
                {
                    "[Content_Types].xml": CONTENT_TYPES,
                    "content.xml": b"<office:document/>",
                    "mimetype": b"application/vnd.oasis.opendocument.text",
                }
            ),
            "odt-renamed.docx",
        ),
        (
            make_zip(
                {
                    "[Content_Types].xml": CONTENT_TYPES,
                    "word/document.xml": b"<w:document/>",
                    "xl/workbook.xml": b"<workbook/>",
                }
            ),
            "both.docx",
        ),
        (b"%PD", "short.pdf"),
        (b"\x89PNG\r\n\x1a\n", "truncated.png"),
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", "sound.webp"),
        (HTML_BYTES + make_docx(), "polyglot.docx"),
    ],
    ids=[
        "exe-named-pdf",
        "html-named-pdf",
        "html",
        "svg",
        "svg-named-png",
        "text",
        "rtf-named-docx",
        "empty-zip",
        "plain-zip",
        "zip-without-content-types",
        "odt",
        "docx-and-xlsx-at-once",
        "truncated-pdf-magic",
        "png-signature-only",
        "riff-wave",
        "html-with-zip-appended",
    ],
)
def test_anything_else_is_refused_with_the_list_of_accepted_types(content, filename):
    error = refusal(content, filename)
    assert error.code == "unsupported"
    assert str(error) == (
        f"“{filename}” is not a file type that can be attached. Upload a PDF, a "
        "Word file (.docx), an Excel file (.xlsx) or an image (PNG, JPEG, WebP "
        "or GIF)."
    )


def test_an_old_word_or_excel_file_is_refused_with_how_to_convert_it():
    for filename in ("Ke hoach.doc", "Danh sach.xls", "renamed.docx"):
        error = refusal(OLE2_BYTES, filename)
        assert error.code == "legacy_office"
        assert str(error) == (
            f"“{filename}” is an old Word or Excel file (.doc or .xls), which is "
            "not accepted. Open it and save it as .docx or .xlsx (File › Save "
            "As), then upload the new file."
        )


def test_a_password_protected_office_file_is_refused_with_what_to_do():
    error = refusal(ENCRYPTED_OOXML, "bao-mat.docx")
    assert error.code == "encrypted"
    assert "remove the password" in str(error)


def test_a_macro_enabled_file_is_refused():
    error = refusal(make_docx(**{"word/vbaProject.bin": b"\x00" * 16}), "m.docm")
    assert error.code == "macros"
    assert "Save it as a plain .docx or .xlsx" in str(error)


def test_a_damaged_zip_is_refused_as_damaged():
    docx = make_docx()
    error = refusal(docx[: len(docx) // 2], "hong.docx")
    assert error.code == "damaged"
    assert str(error) == (
        "“hong.docx” is damaged or incomplete. Open it on your computer, save it "
        "again and upload the new file."
    )


def test_an_empty_file_is_refused():
    error = refusal(b"", "trong.pdf")
    assert error.code == "empty"
    assert str(error) == (
        "“trong.pdf” is empty. Check that it opens on your computer, then choose "
        "it again."
    )


def test_a_file_over_the_limit_is_refused_and_the_message_names_the_limit():
    content = PDF_BYTES + b"\x00" * (MAX_ATTACHMENT_BYTES + 1 - len(PDF_BYTES))
    error = refusal(content, "lon.pdf")
    assert error.code == "too_large"
    assert str(error) == (
        "“lon.pdf” is larger than 10 MB. Compress it or split it into several "
        "files of at most 10 MB each."
    )


def test_a_zip_bomb_is_refused_from_its_declared_size():
    declared = 20 * MAX_ATTACHMENT_BYTES + 1
    bomb = make_zip_bomb(declared)
    assert len(bomb) < MAX_ATTACHMENT_BYTES  # small on the wire
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        assert sum(i.file_size for i in archive.infolist()) > declared
    error = refusal(bomb, "bom.docx")
    assert error.code == "zip_bomb"
    assert str(error) == (
        "“bom.docx” would unpack to more than 200 MB, which is not accepted. Save "
        "it again from Word or Excel, or send it as a PDF."
    )


def test_a_zip_just_under_the_expansion_limit_is_accepted(monkeypatch):
    monkeypatch.setattr(attachments, "MAX_ATTACHMENT_BYTES", 1024 * 1024)
    monkeypatch.setattr(attachments, "MAX_ZIP_EXPANSION", 2)
    fits = make_zip_bomb(2 * 1024 * 1024 - 4096)
    assert sniff_attachment(content=fits, filename="ok.docx") == DOCX
    error = refusal(make_zip_bomb(2 * 1024 * 1024 + 1), "bom.docx")
    assert error.code == "zip_bomb"
    assert "more than 2 MB" in str(error)


def test_the_refusal_is_a_value_error_and_names_the_file_safely():
    error = refusal(EXE_BYTES, "../../etc/\x00virus.pdf")
    assert isinstance(error, ValueError)
    assert error.message == str(error)
    assert str(error).startswith("“virus.pdf” is not a file type")


def test_the_message_is_translated_when_the_language_is_active(monkeypatch):
    monkeypatch.setattr(
        attachments, "gettext", lambda s: "Tệp “%(name)s” trống." if "empty" in s else s
    )
    with pytest.raises(InvalidAttachment) as caught:
        sniff_attachment(content=b"", filename="a.pdf")
    assert str(caught.value) == "Tệp “a.pdf” trống."


# --- display_name -------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\plan.pdf", "plan.pdf"),
        ("/tmp/x.pdf", "x.pdf"),  # noqa: S108 - a name, not a file we open
        ("C:plan.pdf", "plan.pdf"),
        ("..\\..\\windows\\system32\\drivers\\etc\\hosts", "hosts"),
        ("\\\\server\\share\\Kế hoạch.docx", "Kế hoạch.docx"),
        ("dir/sub/", "sub"),
        (".htaccess", "htaccess"),
        ("...bashrc", "bashrc"),
        (". .hidden.pdf", "hidden.pdf"),
        ("a\tb\n  c.pdf", "a b c.pdf"),
        ("  Báo   cáo  .pdf  ", "Báo cáo .pdf"),
        ("ke\x00hoach\x1b.pdf", "kehoach.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),
        ("zero\u200bwidth.pdf", "zerowidth.pdf"),
        ("Kế hoạch bảo đảm thông tin.docx", "Kế hoạch bảo đảm thông tin.docx"),
        (unicodedata.normalize("NFD", "Đông Sơn.pdf"), "Đông Sơn.pdf"),
        ("report.pdf.", "report.pdf"),
    ],
)
def test_display_name_keeps_only_a_clean_base_name(filename, expected):
    assert display_name(filename) == expected


@pytest.mark.parametrize(
    "filename", ["", "   ", "..", "../..", "/", "C:\\", "\x00\x01", "..."]
)
def test_display_name_is_never_empty(filename):
    assert display_name(filename) == "tệp"


def test_display_name_is_capped_at_255_keeping_the_extension():
    long = "Kế hoạch " * 60 + ".docx"
    capped = display_name(long)
    assert len(capped) <= 255
    assert capped.endswith(".docx")
    assert capped.startswith("Kế hoạch Kế hoạch")
    assert not capped.removesuffix(".docx").endswith(" ")


def test_display_name_caps_a_name_without_extension_too():
    assert display_name("x" * 300) == "x" * 255
    assert display_name("x" * 255) == "x" * 255
    assert display_name("a." + "y" * 300) == ("a." + "y" * 300)[:255]


def test_display_name_is_idempotent():
    for name in ("../../etc/passwd", "  a  b.pdf", "Kế hoạch " * 60 + ".docx", ""):
        once = display_name(name)
        assert display_name(once) == once


# --- content_disposition ------------------------------------------------------


def parse(header: str) -> tuple[str, str]:
    kind, ascii_part, utf8_part = header.split("; ")
    assert kind == "attachment"
    assert ascii_part.startswith('filename="') and ascii_part.endswith('"')
    assert utf8_part.startswith("filename*=UTF-8''")
    return ascii_part[len('filename="') : -1], unquote(
        utf8_part[len("filename*=UTF-8''") :], encoding="utf-8", errors="strict"
    )


def test_a_vietnamese_name_gets_an_ascii_fallback_and_an_rfc5987_form():
    header = content_disposition("Kế hoạch bảo đảm thông tin liên lạc.docx")
    assert header == (
        'attachment; filename="Ke hoach bao dam thong tin lien lac.docx"; '
        "filename*=UTF-8''K%E1%BA%BF%20ho%E1%BA%A1ch%20b%E1%BA%A3o%20%C4%91%E1%BA%A3m"
        "%20th%C3%B4ng%20tin%20li%C3%AAn%20l%E1%BA%A1c.docx"
    )
    assert parse(header) == (
        "Ke hoach bao dam thong tin lien lac.docx",
        "Kế hoạch bảo đảm thông tin liên lạc.docx",
    )


def test_d_with_stroke_becomes_d():
    ascii_name, utf8_name = parse(content_disposition("ĐƯỜNG DÂY NÓNG đồng.pdf"))
    assert ascii_name == "DUONG DAY NONG dong.pdf"
    assert utf8_name == "ĐƯỜNG DÂY NÓNG đồng.pdf"


def test_quotes_backslashes_and_line_breaks_cannot_escape_the_header():
    header = content_disposition('a"b\\c".pdf\r\nSet-Cookie: x=1')
    assert "\r" not in header and "\n" not in header
    ascii_name, utf8_name = parse(header)
    assert '"' not in ascii_name and "\\" not in ascii_name
    # the backslash is a path separator, so only what follows it is kept
    assert ascii_name == "c.pdf Set-Cookie: x=1"
    assert utf8_name == 'c".pdf Set-Cookie: x=1'
    assert "%22" in header  # the quote is percent-encoded in the UTF-8 form
    response = HttpResponse()
    response["Content-Disposition"] = header  # Django accepts it


def test_a_quote_in_a_plain_name_is_dropped_from_the_fallback():
    ascii_name, utf8_name = parse(content_disposition('Báo cáo "mật".pdf'))
    assert ascii_name == "Bao cao mat.pdf"
    assert utf8_name == 'Báo cáo "mật".pdf'


def test_a_path_is_reduced_to_its_base_name():
    assert parse(content_disposition("../../etc/passwd")) == ("passwd", "passwd")
    assert parse(content_disposition("C:\\Users\\x\\plan.pdf")) == (
        "plan.pdf",
        "plan.pdf",
    )


def test_a_name_with_no_ascii_letters_falls_back_to_tep():
    assert parse(content_disposition("计划.pdf")) == ("tep.pdf", "计划.pdf")
    assert parse(content_disposition("")) == ("tep", "tệp")


def test_the_header_is_pure_ascii_for_any_name():
    for name in ("Kế hoạch.pdf", "计划.pdf", "emoji 📎.png", "tab\there.pdf", ""):
        header = content_disposition(name)
        header.encode("ascii")
        HttpResponse()["Content-Disposition"] = header
