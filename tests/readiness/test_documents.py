"""The report to the Election Committee as an official document (Decree
30/2020/NĐ-CP): drafts, the figures placed in their text, numbering,
issued documents frozen with their files, corrections, who may do what,
and the register's cost.

The figures are those of test_selectors_report's moment M, counted by hand
there: district A met D2, district B did not; the postal firm's P1 not
started; the telecom's T1 awaiting review; two incidents (one unresolved),
two difficulties (one answered). The tests run an hour after M.
"""

import datetime
import hashlib
import re
import zipfile
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contacts.models import Election
from readiness import nd30
from readiness.documents_report import document_build, figure_values
from readiness.models import DocumentStatus, OfficialDocument
from readiness.selectors.documents import document_report
from readiness.services import documents as services
from readiness.services.documents import (
    ALREADY_REPLACED,
    ISSUED_FROZEN,
    document_correct,
    document_create,
    document_discard,
    document_issue,
    document_save,
)
from tests.readiness.test_selectors_report import clock_after, grow, make_evidence_at_m
from tests.readiness.test_views_report import pdf_text

HOUR = datetime.timedelta(hours=1)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
LATE = "UBND huyện Đông Sơn (D2); Bưu điện Thử (P1); Viễn thông Thử (T1)"


@pytest.fixture
def moment(world):
    """M, with what had happened by then; the clock stopped an hour later."""
    m = make_evidence_at_m(world, clock_after(world))
    with time_machine.travel(m + HOUR, tick=False):
        yield m


def a_draft(world, **changes) -> OfficialDocument:
    """A new draft, saved with `changes` to its text."""
    document = document_create(election=Election.objects.get(), by=world.staff)
    if not changes:
        return document
    fields = {
        "summary": document.summary,
        "recipient": document.recipient,
        "sections": document.sections,
        "appendices": document.appendices,
        "signer_capacity": document.signer_capacity,
        "signer_name": "Đỗ Hữu Quyết",
        "copies_to": document.copies_to,
        "figures_at": document.figures_at,
    }
    return document_save(document=document, by=world.staff, **(fields | changes))


def issued(world, **kwargs) -> OfficialDocument:
    draft = a_draft(world, signer_name="Đỗ Hữu Quyết")
    return document_issue(document=draft, by=world.staff, **kwargs)


def words(text: str) -> str:
    """Text without its spacing, which layouts change."""
    return re.sub(r"\s+", "", text)


def docx_text(content: bytes) -> str:
    import io

    with zipfile.ZipFile(io.BytesIO(content)) as z:
        xml = z.read("word/document.xml").decode()
    return re.sub(r"<[^>]+>", "", xml)


def section(text: str, heading: str = "Kết quả") -> list[dict]:
    return [{"heading": heading, "text": text}]


# --- A draft and its figures (no file is made) -------------------------------------


def test_a_new_draft_is_a_report_to_the_provinces_election_committee(world):
    document = a_draft(world)

    assert document.status == DocumentStatus.DRAFT
    assert document.number is None
    assert (document.type_symbol, document.issuer_symbol) == ("BC", "STTTT")
    assert document.recipient == "Ủy ban bầu cử tỉnh Thanh Hóa"
    assert document.summary == (
        "Tình hình bảo đảm thông tin liên lạc phục vụ bầu cử thử"
    )
    assert [s["heading"] for s in document.sections] == [
        "Tình hình triển khai",
        "Kết quả",
        "Khó khăn, vướng mắc",
        "Đề xuất, kiến nghị",
    ]


def test_the_next_draft_keeps_the_signer_and_copies_of_the_last(world):
    a_draft(world, signer_capacity="deputy", copies_to="Như trên;\nLưu: QLVT")

    document = a_draft(world)

    assert (document.signer_capacity, document.signer_name) == (
        "deputy",
        "Đỗ Hữu Quyết",
    )
    assert document.copies_to == "Như trên;\nLưu: QLVT"


def test_the_figures_placed_in_the_text_are_the_reports(world, moment):
    document = a_draft(
        world,
        sections=section(
            "Tính đến {thoi_diem}, {da_hoan_thanh}/{so_don_vi} đơn vị đã hoàn "
            "thành ({ti_le_hoan_thanh}); {qua_han} đơn vị quá hạn: "
            "{danh_sach_qua_han}.\n"
            "{xa_co_lien_lac}/{so_xa} xã ({ti_le_xa}); {su_co} sự cố, "
            "{su_co_chua_khac_phuc} chưa khắc phục; {kho_khan} khó khăn, "
            "{kho_khan_chua_tra_loi} chưa trả lời."
        ),
        figures_at=moment,
    )
    report = document_report(document=document, now=timezone.now())
    assert report is not None

    built = document_build(document, report)

    at = timezone.localtime(moment)
    assert built.body == [
        nd30.SectionHeading("I. KẾT QUẢ"),
        nd30.Paragraph(
            f"Tính đến {at:%H} giờ {at:%M} ngày {at:%d/%m/%Y}, 1/4 đơn vị đã "
            f"hoàn thành (25%); 3 đơn vị quá hạn: {LATE}."
        ),
        nd30.Paragraph(
            "1/4 xã (25%); 2 sự cố, 1 chưa khắc phục; 2 khó khăn, 1 chưa trả lời."
        ),
    ]
    assert figure_values(report)["so_huyen"] == "2"
    assert figure_values(report)["huyen_hoan_thanh"] == "1"


def test_the_draft_is_laid_out_with_the_province_and_the_department(world, moment):
    document = a_draft(world, signer_capacity="deputy")
    report = document_report(document=document, now=timezone.now())
    assert report is not None

    built = document_build(document, report)

    assert built.governing_body == "UBND TỈNH THANH HÓA"
    assert built.issuing_body == "SỞ THÔNG TIN VÀ TRUYỀN THÔNG"
    assert built.place == "Thanh Hóa"
    assert (built.number, built.date, built.draft) == ("   /BC-STTTT", None, True)
    assert built.doc_type == "BÁO CÁO"
    assert built.recipients == ["Ủy ban bầu cử tỉnh Thanh Hóa"]
    assert built.signature == nd30.Signature(
        capacity=["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"], name="Đỗ Hữu Quyết"
    )
    assert built.copies_to == ["Như trên", "UBND tỉnh (để b/c)"]
    # The four default sections; the last has no text and is left out.
    headings = [b.text for b in built.body if isinstance(b, nd30.SectionHeading)]
    assert headings == [
        "I. TÌNH HÌNH TRIỂN KHAI",
        "II. KẾT QUẢ",
        "III. KHÓ KHĂN, VƯỚNG MẮC",
    ]
    assert [(a.label, a.title[:20]) for a in built.appendices] == [
        ("Phụ lục I", "DANH SÁCH ĐƠN VỊ CHƯ"),
        ("Phụ lục II", "DANH SÁCH LIÊN LẠC C"),
        ("Phụ lục III", "TÌNH HÌNH SỰ CỐ, KHÓ"),
    ]
    overdue = built.appendices[0].blocks[1]
    assert isinstance(overdue, nd30.Table)
    assert [row[1] for row in overdue.rows] == [
        "UBND huyện Đông Sơn",
        "Bưu điện Thử",
        "Viễn thông Thử",
    ]
    assert built.appendices[0].note == "(Kèm theo Báo cáo số …/BC-STTTT)"


def test_appendices_not_chosen_are_left_out(world, moment):
    document = a_draft(world, appendices=["coverage"])
    report = document_report(document=document, now=timezone.now())
    assert report is not None

    built = document_build(document, report)

    assert [a.label for a in built.appendices] == ["Phụ lục I"]
    assert built.appendices[0].title.startswith("DANH SÁCH LIÊN LẠC")


def test_an_unknown_figure_is_refused_naming_it(world):
    document = a_draft(world)

    with pytest.raises(ValidationError) as refused:
        a_draft_again(
            world, document, sections=section("Có {so_don_vi} và {so_xa_}, {ti le}.")
        )

    assert refused.value.messages == [
        "Không có số liệu {so_xa_}, {ti le}: hãy chèn số liệu từ danh sách trên "
        "trang này."
    ]
    document.refresh_from_db()
    assert "{so_xa_}" not in str(document.sections)


def a_draft_again(world, document: OfficialDocument, **changes) -> None:
    """Save the document again, with `changes`."""
    fields = {
        "summary": document.summary,
        "recipient": document.recipient,
        "sections": document.sections,
        "appendices": document.appendices,
        "signer_capacity": document.signer_capacity,
        "signer_name": document.signer_name,
        "copies_to": document.copies_to,
        "figures_at": None,
    }
    document_save(document=document, by=world.staff, **(fields | changes))


# --- The pages of a draft ----------------------------------------------------------


def form_data(document: OfficialDocument, **changes) -> dict:
    data = {
        "summary": document.summary,
        "recipient": document.recipient,
        "figures_at": "",
        "appendices": ["overdue", "coverage", "incidents"],
        "signer_capacity": "director",
        "signer_name": "Đỗ Hữu Quyết",
        "copies_to": "- Như trên;\n- UBND tỉnh (để b/c);",
        "sections-TOTAL_FORMS": "2",
        "sections-INITIAL_FORMS": "1",
        "sections-MIN_NUM_FORMS": "0",
        "sections-MAX_NUM_FORMS": "1000",
        "sections-0-heading": "Kết quả",
        "sections-0-text": "Đã có {da_hoan_thanh}/{so_don_vi} đơn vị hoàn thành.",
        "sections-1-heading": "",
        "sections-1-text": "",
    }
    return data | changes


def test_the_edit_page_lists_the_figures_with_their_values(client, world, moment):
    document = a_draft(world)
    client.force_login(world.staff)

    r = client.get(reverse("documents:document_detail", args=[document.pk]))

    assert r.status_code == 200
    body = r.content.decode()
    row = re.search(r'data-figure="danh_sach_qua_han">(.*?)</tr>', body, re.S)
    assert row is not None
    assert 'data-insert-figure="{danh_sach_qua_han}"' in row.group(1)
    assert LATE in row.group(1)
    row = re.search(r'data-figure="ti_le_hoan_thanh">(.*?)</tr>', body, re.S)
    assert row is not None and "25%" in row.group(1)


def test_the_edit_page_saves_the_text_typed(client, world):
    document = a_draft(world)
    client.force_login(world.staff)

    r = client.post(
        reverse("documents:document_detail", args=[document.pk]),
        form_data(document, figures_at="05/06/2021 17:00"),
    )

    assert r.status_code == 302
    document.refresh_from_db()
    assert document.sections == [
        {
            "heading": "Kết quả",
            "text": "Đã có {da_hoan_thanh}/{so_don_vi} đơn vị hoàn thành.",
        }
    ]
    assert document.copies_to == "- Như trên;\n- UBND tỉnh (để b/c);"
    # Day first: 5 June, not 6 May (docs/conventions.md, "Vietnamese dates").
    assert timezone.localtime(document.figures_at).date() == datetime.date(2021, 6, 5)


def test_a_draft_may_be_saved_without_sections_or_appendices(client, world):
    """Found by the fuzzing of the form: every section deleted was a server
    error, no appendix ticked was refused as "required"."""
    document = a_draft(world)
    client.force_login(world.staff)

    r = client.post(
        reverse("documents:document_detail", args=[document.pk]),
        form_data(document, appendices=[], **{"sections-0-DELETE": "on"}),
    )

    assert r.status_code == 302
    document.refresh_from_db()
    assert (document.sections, document.appendices) == ([], [])
    page = client.get(reverse("documents:document_detail", args=[document.pk]))
    assert page.status_code == 200


def test_the_edit_page_shows_an_unknown_figure_on_its_section(client, world):
    document = a_draft(world)
    client.force_login(world.staff)

    r = client.post(
        reverse("documents:document_detail", args=[document.pk]),
        form_data(document, **{"sections-0-text": "Có {so_don_vj} đơn vị."}),
    )

    assert r.status_code == 200
    assert r.context["formset"].forms[0].errors["text"] == [
        "Không có số liệu {so_don_vj}: hãy chèn số liệu từ danh sách trên trang này."
    ]
    document.refresh_from_db()
    assert "so_don_vj" not in str(document.sections)


def test_the_issue_page_says_the_number_the_draft_will_get(client, world):
    document = a_draft(world)
    client.force_login(world.staff)

    r = client.get(reverse("documents:document_issue", args=[document.pk]))

    assert r.status_code == 200
    assert '<strong class="next-number">1/BC-STTTT</strong>' in r.content.decode()


def test_a_draft_may_be_deleted(client, world):
    document = a_draft(world)
    client.force_login(world.staff)

    r = client.post(reverse("documents:document_discard", args=[document.pk]))

    assert r.status_code == 302
    assert not OfficialDocument.objects.filter(pk=document.pk).exists()


def test_a_draft_issued_while_being_deleted_is_not_deleted_and_said_so(
    client, world, moment, monkeypatch
):
    """Another editor issued it between the page's check and the deletion
    (a race, injected inside the deletion's transaction, so undone with
    it): the deletion is refused with the reason, not a server error."""
    document = a_draft(world, signer_name="Đỗ Hữu Quyết")
    real = services._locked

    def issued_meanwhile(draft: OfficialDocument) -> OfficialDocument:
        monkeypatch.setattr(services, "_locked", real)
        document_issue(document=draft, by=world.staff)
        return real(draft)

    monkeypatch.setattr(services, "_locked", issued_meanwhile)
    client.force_login(world.staff)

    r = client.post(
        reverse("documents:document_discard", args=[document.pk]), follow=True
    )

    assert r.redirect_chain[0][0] == reverse(
        "documents:document_detail", args=[document.pk]
    )
    assert [str(m) for m in r.context["messages"]] == [str(ISSUED_FROZEN)]
    assert OfficialDocument.objects.filter(pk=document.pk).exists()


def test_a_draft_without_text_or_signer_is_not_issued(world, moment):
    without_text = a_draft(world, sections=section(""))
    without_signer = a_draft(world, signer_name=" ")

    for draft, message in (
        (without_text, "Hãy viết nội dung ít nhất một mục trước khi ban hành."),
        (without_signer, "Hãy ghi tên người ký trước khi ban hành."),
    ):
        with pytest.raises(ValidationError) as refused:
            document_issue(document=draft, by=world.staff)
        assert refused.value.messages == [message]
        draft.refresh_from_db()
        assert draft.status == DocumentStatus.DRAFT


def test_a_day_after_today_or_figures_still_to_come_are_refused(world, moment):
    draft = a_draft(world, signer_name="Đỗ Hữu Quyết")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    with pytest.raises(ValidationError) as refused:
        document_issue(document=draft, by=world.staff, issued_on=tomorrow)
    assert refused.value.messages == [
        "Ngày ban hành văn bản không được sau ngày hôm nay."
    ]
    with pytest.raises(ValidationError) as refused:
        a_draft_again(world, draft, figures_at=timezone.now() + HOUR)
    assert refused.value.messages == [
        "Chỉ lấy được số liệu tính đến một thời điểm đã qua."
    ]


# --- Issuing (needs readiness.nd30's renderers) ----------------------------------------


def test_issuing_numbers_the_departments_documents_one_after_another(world, moment):
    first = issued(world)
    second = issued(world)

    assert [first.number_text, second.number_text] == ["1/BC-STTTT", "2/BC-STTTT"]
    assert first.status == DocumentStatus.ISSUED
    assert first.issued_on == timezone.localdate()
    assert first.year == timezone.localdate().year
    assert first.figures_at == timezone.now()
    assert first.issued_by == world.staff


def test_a_number_taken_meanwhile_makes_the_next_one_be_tried(
    world, moment, monkeypatch
):
    """Another person's document took the number between reading it and
    writing it (a race, injected): the constraint refuses it, the next one
    is read again and given, and no file of the refused try is kept."""
    first = issued(world)
    stale = iter([first.number])
    real = services.document_next_number
    monkeypatch.setattr(
        services, "document_next_number", lambda **kw: next(stale, None) or real(**kw)
    )

    second = issued(world)

    assert second.number_text == "2/BC-STTTT"
    # Two documents, a .docx and a .pdf each, in the election's folder.
    assert len(list(Path(first.docx.path).parent.iterdir())) == 4


def test_a_number_typed_in_is_kept_and_the_next_follows_it(world, moment):
    typed = issued(world, number=12)
    following = issued(world)

    assert typed.number_text == "12/BC-STTTT"
    assert following.number_text == "13/BC-STTTT"


def test_a_number_already_given_that_year_is_refused(world, moment):
    issued(world, number=7)
    draft = a_draft(world, signer_name="Đỗ Hữu Quyết")

    with pytest.raises(ValidationError) as refused:
        document_issue(document=draft, by=world.staff, number=7)

    assert refused.value.messages == [
        f"Số 7/BC-STTTT đã được cấp cho văn bản khác trong năm "
        f"{timezone.localdate().year}."
    ]
    draft.refresh_from_db()
    assert (draft.status, draft.number, draft.docx.name) == ("draft", None, "")
    # The same number in another year is another number.
    last_year = timezone.localdate().replace(month=1, day=1) - datetime.timedelta(1)
    again = document_issue(
        document=draft, by=world.staff, number=7, issued_on=last_year
    )
    assert (again.number_text, again.year) == ("7/BC-STTTT", last_year.year)


def test_an_issued_document_is_frozen_with_its_files_and_their_hashes(world, moment):
    document = issued(world)

    document.refresh_from_db()
    docx = document.docx.read()
    pdf = document.pdf.read()
    assert document.docx_sha256 == hashlib.sha256(docx).hexdigest()
    assert document.pdf_sha256 == hashlib.sha256(pdf).hexdigest()
    assert "1/BC-STTTT" in docx_text(docx)
    assert pdf.startswith(b"%PDF")
    assert "1/BC-STTTT" in words(pdf_text(pdf))
    for change in (
        lambda: a_draft_again(world, document, summary="Đổi trích yếu"),
        lambda: document_issue(document=document, by=world.staff),
        lambda: document_discard(document=document, by=world.staff),
    ):
        with pytest.raises(ValidationError) as refused:
            change()
        assert refused.value.messages == [str(ISSUED_FROZEN)]
    document.refresh_from_db()
    assert document.docx_sha256 == hashlib.sha256(docx).hexdigest()


def test_a_correction_says_which_document_it_replaces(client, world, moment):
    original = issued(world)

    correction = document_correct(document=original, by=world.staff)
    report = document_report(document=correction, now=timezone.now())
    assert report is not None
    built = document_build(correction, report)
    replacing = document_issue(document=correction, by=world.staff)

    day = f"{original.issued_on:%d/%m/%Y}"
    assert built.body[0] == nd30.Paragraph(
        f"Báo cáo này thay thế Báo cáo số 1/BC-STTTT ngày {day}.", italic=True
    )
    assert correction.replaces == original
    assert replacing.number_text == "2/BC-STTTT"
    assert f"Báo cáo này thay thế Báo cáo số 1/BC-STTTT ngày {day}" in docx_text(
        replacing.docx.read()
    )
    with pytest.raises(ValidationError) as refused:
        document_correct(document=original, by=world.staff)
    assert refused.value.messages == [str(ALREADY_REPLACED) % {"number": "2/BC-STTTT"}]
    client.force_login(world.observer)
    body = client.get(reverse("documents:document_register")).content.decode()
    row = re.search(rf'id="document-{original.pk}">(.*?)</tr>', body, re.S)
    assert row is not None and "2/BC-STTTT" in row.group(1)


def test_the_issue_date_is_typed_day_first(client, world, moment):
    document = a_draft(world, signer_name="Đỗ Hữu Quyết")
    client.force_login(world.staff)

    r = client.post(
        reverse("documents:document_issue", args=[document.pk]),
        {"issued_on": "05/06/2021", "number": ""},
    )

    assert r.status_code == 302
    document.refresh_from_db()
    assert (document.issued_on, document.number_text) == (
        datetime.date(2021, 6, 5),
        "1/BC-STTTT",
    )


def test_observers_download_what_was_issued_as_it_was_issued(client, world, moment):
    document = issued(world)
    client.force_login(world.observer)

    docx = client.get(reverse("documents:document_docx", args=[document.pk]))
    pdf = client.get(reverse("documents:document_pdf", args=[document.pk]))

    assert docx["Content-Type"] == DOCX
    assert "bao-cao-1-BC-STTTT-" in docx["Content-Disposition"]
    assert hashlib.sha256(docx.content).hexdigest() == document.docx_sha256
    assert hashlib.sha256(pdf.content).hexdigest() == document.pdf_sha256


def test_the_preview_is_a_pdf_marked_as_a_draft(client, world, moment):
    document = a_draft(world)
    client.force_login(world.staff)

    r = client.get(reverse("documents:document_preview", args=[document.pk]))

    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    assert r["Content-Disposition"].startswith("inline;")
    assert "DỰTHẢO" in words(pdf_text(r.content)).upper()


# --- Who may do what ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("staff", 200),
        ("staff_viewer", 200),
        ("observer", 200),
        ("district_a_officer", 404),
        ("telecom_officer", 404),
        ("postal_officer", 404),
    ],
)
def test_the_register_is_for_the_department_and_observers(client, world, who, status):
    client.force_login(getattr(world, who))

    assert client.get(reverse("documents:document_register")).status_code == status


@pytest.mark.parametrize(
    ("who", "status", "template"),
    [
        ("staff", 200, "readiness/document_form.html"),
        ("staff_viewer", 200, "readiness/document_read.html"),
        ("observer", 404, None),  # a draft is the Department's own work
        ("district_a_officer", 404, None),
        ("telecom_officer", 404, None),
    ],
)
def test_a_draft_is_the_departments(client, world, who, status, template):
    document = a_draft(world)
    client.force_login(getattr(world, who))

    r = client.get(reverse("documents:document_detail", args=[document.pk]))

    assert r.status_code == status
    if template:
        assert template in [t.name for t in r.templates]


def test_the_observers_see_issued_documents_only(client, world, moment):
    document = issued(world)
    a_draft(world, summary="Bản nháp riêng của Sở")
    client.force_login(world.observer)

    body = client.get(reverse("documents:document_register")).content.decode()
    page = client.get(reverse("documents:document_detail", args=[document.pk]))

    assert "1/BC-STTTT" in body
    assert "Bản nháp riêng của Sở" not in body
    assert "readiness/document_read.html" in [t.name for t in page.templates]
    correct = reverse("documents:document_correct", args=[document.pk])
    assert correct not in page.content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [("staff_viewer", 403), ("observer", 403), ("district_a_officer", 404)],
)
def test_read_only_members_and_outsiders_write_nothing(client, world, who, status):
    document = a_draft(world)
    client.force_login(getattr(world, who))
    urls = [
        reverse("documents:document_create"),
        reverse("documents:document_detail", args=[document.pk]),
        reverse("documents:document_issue", args=[document.pk]),
        reverse("documents:document_discard", args=[document.pk]),
    ]

    answers = [client.post(url, form_data(document)).status_code for url in urls]

    expected = [status] + [404 if who == "observer" else status] * 3
    assert answers == expected
    assert OfficialDocument.objects.count() == 1
    document.refresh_from_db()
    assert document.status == DocumentStatus.DRAFT


def test_anonymous_is_sent_to_login_and_a_missing_document_is_404(client, world):
    r = client.get(reverse("documents:document_register"))
    assert r.status_code == 302
    assert r["Location"].startswith(reverse("login"))

    client.force_login(world.staff)
    for name in ("document_detail", "document_preview", "document_docx"):
        assert (
            client.get(reverse(f"documents:{name}", args=[999999])).status_code == 404
        )
    assert client.get("/documents/abc/").status_code == 404


def test_a_draft_has_no_files_to_download(client, world):
    document = a_draft(world)
    client.force_login(world.staff)

    for name in ("document_docx", "document_pdf"):
        r = client.get(reverse(f"documents:{name}", args=[document.pk]))
        assert r.status_code == 404


# --- Cost --------------------------------------------------------------------------


def register_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("documents:document_register")).status_code == 200
    return len(queries.captured_queries)


def test_the_register_costs_the_same_whatever_the_number_of_documents(
    client, world, moment
):
    client.force_login(world.staff_viewer)
    original = issued(world)
    document_issue(
        document=document_correct(document=original, by=world.staff), by=world.staff
    )
    a_draft(world)
    client.get(reverse("documents:document_register"))  # session warmed
    few = register_queries(client)

    for _ in range(2):
        document_issue(
            document=document_correct(document=issued(world), by=world.staff),
            by=world.staff,
        )
        a_draft(world)

    assert register_queries(client) == few


def test_the_edit_page_costs_the_same_whatever_the_size(client, world, moment):
    document = a_draft(world)
    client.force_login(world.staff)
    url = reverse("documents:document_detail", args=[document.pk])
    client.get(url)

    with CaptureQueriesContext(connection) as small:
        client.get(url)
    grow(world, lambda hours: moment - 2 * HOUR + hours * HOUR, 5)
    with CaptureQueriesContext(connection) as big:
        client.get(url)

    assert len(big.captured_queries) == len(small.captured_queries)


# --- Where it is found ---------------------------------------------------------------


@pytest.mark.parametrize(("who", "may_write"), [("staff", True), ("observer", False)])
def test_the_report_page_leads_to_the_register(client, world, who, may_write):
    client.force_login(getattr(world, who))

    body = client.get(reverse("readiness:report")).content.decode()

    assert reverse("documents:document_register") in body
    assert (reverse("documents:document_create") in body) == may_write
    assert ("Lập báo cáo gửi Ủy ban bầu cử" in body) == may_write
