"""The report to the provincial Election Committee as an official document
(readiness.models.OfficialDocument): the figures the staff place in its
text, its appendices, and the readiness.nd30.Nd30Document made from a
document and the CommitteeReport of its moment (document_build), which the
Word and PDF renderers lay out.

Figures. A section's text may hold placeholders such as {so_don_vi}, which
the edit page lists with their current values (FIGURES); they are filled
from the CommitteeReport when the document is previewed or issued. Anything
else in braces is refused with the names it holds (figures_check): braces
have no other use in an administrative text, and a mistyped figure must not
go out as "{so_don_vi_}".

Language. The document is in Vietnamese whatever the page's language: its
fixed wording (headings of the appendices, "Kính gửi") is written here in
Vietnamese, as the decree's forms are, and the labels it borrows from the
app (states, categories) are read in Vietnamese.

Names. Organisations are named by their display name and the province by
its registry name, through the _name helpers below: they are the places to
call contacts.names once it gives official names ("UBND huyện Đông Sơn",
"Ủy ban bầu cử tỉnh Thanh Hóa").
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from contacts import names
from contacts.models import Election, Organisation
from readiness import nd30
from readiness.models import (
    CAPACITY_LINES,
    DOC_TYPE_NAMES,
    DOC_TYPES,
    DocumentAppendix,
    OfficialDocument,
    RecipientGroup,
)
from readiness.selectors.report import CommitteeReport, OverdueItem

# A placeholder: anything in braces on one line.
PLACEHOLDER = re.compile(r"\{([^{}\n]*)\}")
UNKNOWN_FIGURE = _(
    "Unknown figure %(names)s: insert figures from the list on this page."
)
# Printed for an empty list.
NONE = "không có"
_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


# --- Names (contacts.names will give the official ones) --------------------------


def organisation_name(organisation: Organisation) -> str:
    """An organisation as the document names it."""
    with translation.override("vi"):
        return organisation.display_name


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


# --- A new draft's text ------------------------------------------------------------


def default_summary(election: Election) -> str:
    """ "Tình hình bảo đảm thông tin liên lạc phục vụ bầu cử đại biểu …",
    without the province the election's name may end with in brackets (the
    header names it)."""
    name = re.sub(r"\s*\([^()]*\)$", "", election.name)
    return f"Tình hình bảo đảm thông tin liên lạc phục vụ {_lower_first(name)}"


def default_sections() -> list[dict[str, str]]:
    """The four parts of a report, with figures where they usually go."""
    return [
        {
            "heading": "Tình hình triển khai",
            "text": (
                "Thực hiện văn bản số {van_ban_chi_dao} ngày "
                "{ngay_van_ban_chi_dao}, các đơn vị cấp huyện, doanh nghiệp "
                "bưu chính, viễn thông trên địa bàn tỉnh đã triển khai các "
                "nhiệm vụ bảo đảm thông tin liên lạc phục vụ bầu cử."
            ),
        },
        {
            "heading": "Kết quả",
            "text": (
                "Tính đến {thoi_diem}, {da_hoan_thanh}/{so_don_vi} đơn vị đã "
                "hoàn thành các nhiệm vụ được giao (đạt {ti_le_hoan_thanh}); "
                "{qua_han} đơn vị còn nhiệm vụ quá hạn: {danh_sach_qua_han}.\n"
                "{xa_co_lien_lac}/{so_xa} xã có Tổ bầu cử có số điện thoại "
                "liên lạc ({ti_le_xa}).\n"
                "Đã ghi nhận {su_co} sự cố thông tin liên lạc, trong đó "
                "{su_co_chua_khac_phuc} sự cố chưa khắc phục."
            ),
        },
        {
            "heading": "Khó khăn, vướng mắc",
            "text": (
                "Có {kho_khan} khó khăn, vướng mắc được phản ánh, "
                "{kho_khan_chua_tra_loi} chưa được trả lời."
            ),
        },
        {"heading": "Đề xuất, kiến nghị", "text": ""},
    ]


def copy_lines(text: str) -> list[str]:
    """Lines as typed for "Kính gửi" or "Nơi nhận", without the dash before
    and the semicolon after that the layout adds."""
    lines = (line.strip().lstrip("-–•+ ").rstrip(";,. ") for line in text.split("\n"))
    return [line for line in lines if line]


# --- Figures -------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    key: str
    label: Promise  # what it is, on the edit page
    value: Callable[[CommitteeReport], str]

    @property
    def placeholder(self) -> str:
        return "{" + self.key + "}"


def _count(n: int) -> str:
    """1.234: Vietnamese grouping."""
    return f"{n:,}".replace(",", ".")


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole) if whole else 0}%"


def _day(day: datetime.date) -> str:
    return f"{day:%d/%m/%Y}"


def _moment(moment: datetime.datetime) -> str:
    """ "17 giờ 00 ngày 20/05/2021", Vietnam time."""
    local = timezone.localtime(moment)
    return f"{local:%H} giờ {local:%M} ngày {_day(local.date())}"


def _organisations(r: CommitteeReport) -> int:
    return sum(g.organisations for g in r.groups)


def _ready(r: CommitteeReport) -> int:
    return sum(g.ready for g in r.groups)


def _group(r: CommitteeReport, group: str, attribute: str) -> str:
    found = [getattr(g, attribute) for g in r.groups if g.group == group]
    return _count(sum(found))


def _late(r: CommitteeReport) -> dict[Organisation, list[str]]:
    """Each organisation still overdue, with its obligations' codes, in the
    report's order."""
    late: dict[Organisation, list[str]] = {}
    for item in r.overdue:
        late.setdefault(item.organisation, []).append(item.obligation.code)
    return late


def _late_list(r: CommitteeReport) -> str:
    late = _late(r)
    if not late:
        return NONE
    return "; ".join(
        f"{organisation_name(org)} ({', '.join(codes)})" for org, codes in late.items()
    )


FIGURES: tuple[Figure, ...] = (
    Figure(
        "thoi_diem", _("moment the figures are read at"), lambda r: _moment(r.moment)
    ),
    Figure(
        "van_ban_chi_dao", _("number of the directive"), lambda r: r.directive.number
    ),
    Figure(
        "ngay_van_ban_chi_dao",
        _("date of the directive"),
        lambda r: r.directive.issued_text,
    ),
    Figure(
        "so_don_vi",
        _("organisations given obligations"),
        lambda r: _count(_organisations(r)),
    ),
    Figure(
        "da_hoan_thanh",
        _("organisations that met every obligation"),
        lambda r: _count(_ready(r)),
    ),
    Figure(
        "chua_hoan_thanh",
        _("organisations that have not met every obligation"),
        lambda r: _count(_organisations(r) - _ready(r)),
    ),
    Figure(
        "ti_le_hoan_thanh",
        _("share of organisations that met every obligation"),
        lambda r: _percent(_ready(r), _organisations(r)),
    ),
    Figure(
        "so_huyen",
        _("districts given obligations"),
        lambda r: _group(r, RecipientGroup.DISTRICT, "organisations"),
    ),
    Figure(
        "huyen_hoan_thanh",
        _("districts that met every obligation"),
        lambda r: _group(r, RecipientGroup.DISTRICT, "ready"),
    ),
    Figure(
        "so_dn_buu_chinh",
        _("postal firms given obligations"),
        lambda r: _group(r, RecipientGroup.POSTAL, "organisations"),
    ),
    Figure(
        "buu_chinh_hoan_thanh",
        _("postal firms that met every obligation"),
        lambda r: _group(r, RecipientGroup.POSTAL, "ready"),
    ),
    Figure(
        "so_dn_vien_thong",
        _("telecom firms given obligations"),
        lambda r: _group(r, RecipientGroup.TELECOM, "organisations"),
    ),
    Figure(
        "vien_thong_hoan_thanh",
        _("telecom firms that met every obligation"),
        lambda r: _group(r, RecipientGroup.TELECOM, "ready"),
    ),
    Figure(
        "qua_han",
        _("organisations with an obligation overdue"),
        lambda r: _count(len(_late(r))),
    ),
    Figure(
        "danh_sach_qua_han",
        _("list of organisations with an obligation overdue, with the obligations"),
        _late_list,
    ),
    Figure("so_xa", _("communes"), lambda r: _count(r.coverage_total)),
    Figure(
        "xa_co_lien_lac",
        _("communes with an Election Team with a phone in the contact list"),
        lambda r: _count(r.coverage_covered),
    ),
    Figure(
        "ti_le_xa",
        _("share of communes covered by the contact lists"),
        lambda r: f"{r.coverage_percent}%",
    ),
    Figure(
        "su_co",
        _("incidents reported (difficulties apart)"),
        lambda r: _count(r.incidents.total),
    ),
    Figure(
        "su_co_chua_khac_phuc",
        _("incidents not resolved"),
        lambda r: _count(len(r.incidents.unresolved)),
    ),
    Figure(
        "kho_khan", _("difficulties reported"), lambda r: _count(len(r.difficulties))
    ),
    Figure(
        "kho_khan_chua_tra_loi",
        _("difficulties not answered"),
        lambda r: _count(r.difficulties_unanswered),
    ),
)
FIGURE_KEYS: dict[str, Figure] = {f.key: f for f in FIGURES}


def figures_unknown(text: str) -> list[str]:
    """The placeholders of `text` that are not figures, as typed, once each."""
    found = []
    for match in PLACEHOLDER.finditer(text):
        if match.group(1) not in FIGURE_KEYS and match.group(0) not in found:
            found.append(match.group(0))
    return found


def figures_check(text: str) -> None:
    """Refuse a text with a placeholder that is not a figure, naming it."""
    unknown = figures_unknown(text)
    if unknown:
        raise ValidationError(
            UNKNOWN_FIGURE, code="unknown_figure", params={"names": ", ".join(unknown)}
        )


def figure_values(report: CommitteeReport) -> dict[str, str]:
    """Every figure's value, as the document prints it."""
    with translation.override("vi"):
        return {f.key: f.value(report) for f in FIGURES}


def figures_fill(text: str, values: dict[str, str]) -> str:
    """The text with each figure in place (known ones only: figures_check
    refuses the others before a document is saved or issued)."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


# --- The document ------------------------------------------------------------------


def document_build(
    document: OfficialDocument, report: CommitteeReport
) -> nd30.Nd30Document:
    """The document as Decree 30 lays it out: a draft without its number
    and date, marked as a draft; an issued one as issued."""
    province = document.election.province
    with translation.override("vi"):
        return nd30.Nd30Document(
            governing_body=names.governing_body(province),
            issuing_body=settings.DOCUMENT_ISSUING_BODY,
            number=_number(document),
            place=names.place_name(province),
            date=nd30.PartialDate.of(document.issued_on)
            if document.issued_on and document.is_issued
            else None,
            doc_type=DOC_TYPES[document.kind],
            summary=document.summary,
            recipients=copy_lines(document.recipient),
            body=_body(document, figure_values(report)),
            signature=nd30.Signature(
                capacity=CAPACITY_LINES[document.signer_capacity],
                name=document.signer_name,
            ),
            copies_to=copy_lines(document.copies_to),
            appendices=_appendices(document, report),
            draft=not document.is_issued,
        )


def _number(document: OfficialDocument) -> str:
    """ "12/BC-STTTT"; a draft: "   /BC-STTTT" (nd30.Nd30Document.number)."""
    if document.is_issued and document.number_text:
        return document.number_text
    return f"   /{document.symbol}"


def _body(document: OfficialDocument, values: dict[str, str]) -> list[nd30.Block]:
    """The sections with text, numbered I, II…; a correction first says
    which document it replaces."""
    body: list[nd30.Block] = []
    if document.replaces is not None:
        body.append(nd30.Paragraph(replaces_sentence(document.replaces), italic=True))
    written = [s for s in document.sections if s.get("text", "").strip()]
    for i, section in enumerate(written):
        label = _ROMAN[i] if i < len(_ROMAN) else str(i + 1)
        heading = section.get("heading", "").strip().upper()
        body.append(nd30.SectionHeading(f"{label}. {heading}" if heading else label))
        text = figures_fill(section["text"], values)
        body += [nd30.Paragraph(p.strip()) for p in text.split("\n") if p.strip()]
    return body


def replaces_sentence(replaced: OfficialDocument) -> str:
    """ "Báo cáo này thay thế Báo cáo số 12/BC-STTTT ngày 07/12/2026." """
    name = DOC_TYPE_NAMES[replaced.kind]
    day = _day(replaced.issued_on) if replaced.issued_on else "…"
    return f"{name} này thay thế {name} số {replaced.number_text} ngày {day}."


# --- Appendices ----------------------------------------------------------------


def _appendices(
    document: OfficialDocument, report: CommitteeReport
) -> list[nd30.Appendix]:
    """The chosen tables that have rows, labelled Phụ lục I, II… in the
    order of DocumentAppendix."""
    makers = {
        DocumentAppendix.OVERDUE: _overdue_appendix,
        DocumentAppendix.COVERAGE: _coverage_appendix,
        DocumentAppendix.INCIDENTS: _incidents_appendix,
    }
    made = []
    for key in DocumentAppendix.values:
        if key in document.appendices:
            made += makers[DocumentAppendix(key)](report)
    note = _appendix_note(document)
    return [
        nd30.Appendix(
            label=f"Phụ lục {_ROMAN[i]}", title=title, blocks=blocks, note=note
        )
        for i, (title, blocks) in enumerate(made)
    ]


def _appendix_note(document: OfficialDocument) -> str:
    name = DOC_TYPE_NAMES[document.kind]
    if document.is_issued and document.issued_on:
        day = _day(document.issued_on)
        return f"(Kèm theo {name} số {document.number_text} ngày {day})"
    return f"(Kèm theo {name} số …/{document.symbol})"


def _as_of(report: CommitteeReport) -> nd30.Paragraph:
    return nd30.Paragraph(f"Số liệu tính đến {_moment(report.moment)}.", italic=True)


def _capital(text: object) -> str:
    text = str(text)
    return text[:1].upper() + text[1:]


def _days_overdue(item: OverdueItem) -> str:
    if item.not_done_by:
        return f"Chưa thực hiện đến hạn {_day(timezone.localdate(item.due_at))}"
    return _count(item.days_overdue)


_Made = list[tuple[str, list[nd30.Block]]]


def _overdue_appendix(report: CommitteeReport) -> _Made:
    if not report.overdue:
        return []
    rows = [
        [
            str(i),
            organisation_name(item.organisation),
            f"{item.obligation.code}: {item.obligation.title}",
            f"{timezone.localtime(item.due_at):%H:%M %d/%m/%Y}"
            + (" (gia hạn)" if item.is_extension else ""),
            _capital(item.state_label),
            _days_overdue(item),
        ]
        for i, item in enumerate(report.overdue, start=1)
    ]
    headers = ["TT", "Đơn vị", "Nhiệm vụ", "Thời hạn", "Tình trạng", "Số ngày quá hạn"]
    table = nd30.Table(headers=headers, rows=rows)
    return [
        ("DANH SÁCH ĐƠN VỊ CHƯA HOÀN THÀNH NHIỆM VỤ ĐÚNG HẠN", [_as_of(report), table])
    ]


def _coverage_appendix(report: CommitteeReport) -> _Made:
    if not report.coverage:
        return []
    rows = [
        [
            str(i),
            organisation_name(c.organisation),
            _count(c.communes_total),
            _count(c.communes_covered),
            f"{c.percent}%",
            _capital(c.state_label),
        ]
        for i, c in enumerate(report.coverage, start=1)
    ]
    rows.append(
        [
            "",
            "Tổng cộng",
            _count(report.coverage_total),
            _count(report.coverage_covered),
            f"{report.coverage_percent}%",
            "",
        ]
    )
    headers = ["TT", "Đơn vị cấp huyện", "Số xã", "Số xã có Tổ bầu cử có số điện thoại"]
    table = nd30.Table(headers=[*headers, "Tỷ lệ", "Danh sách liên lạc"], rows=rows)
    title = "DANH SÁCH LIÊN LẠC CÁC TỔ CHỨC PHỤ TRÁCH BẦU CỬ THEO ĐƠN VỊ CẤP HUYỆN"
    return [(title, [_as_of(report), table])]


def _incidents_appendix(report: CommitteeReport) -> _Made:
    figures = report.incidents
    if not figures.total and not report.difficulties:
        return []
    blocks: list[nd30.Block] = [_as_of(report)]
    if figures.total:
        severities = [_capital(s) for s in figures.severity_labels]
        rows = [
            [_capital(r.label), *map(_count, r.counts), _count(r.total)]
            for r in figures.rows
        ]
        rows.append(
            ["Tổng cộng", *map(_count, figures.severity_totals), _count(figures.total)]
        )
        blocks.append(
            nd30.Table(
                title="Sự cố theo loại và mức độ",
                headers=["Loại sự cố", *severities, "Tổng"],
                rows=rows,
            )
        )
    if figures.unresolved:
        blocks.append(
            nd30.Table(
                title="Sự cố chưa khắc phục",
                headers=[
                    "Số",
                    "Thời điểm báo",
                    "Đơn vị báo",
                    "Sự cố",
                    "Mức độ",
                    "Địa bàn",
                ],
                rows=[
                    [
                        f"#{i.pk}",
                        f"{timezone.localtime(i.reported_at):%H:%M %d/%m/%Y}",
                        organisation_name(i.organisation),
                        i.title,
                        _capital(i.severity_label),
                        ", ".join(i.districts) or "—",
                    ]
                    for i in figures.unresolved
                ],
            )
        )
    if report.difficulties:
        blocks.append(
            nd30.Table(
                title="Khó khăn, vướng mắc và trả lời của Sở",
                headers=["Số", "Đơn vị", "Khó khăn, vướng mắc", "Trả lời"],
                rows=[
                    [
                        f"#{d.pk}",
                        organisation_name(d.organisation),
                        d.title,
                        d.answer or "Chưa trả lời",
                    ]
                    for d in report.difficulties
                ],
            )
        )
    return [("TÌNH HÌNH SỰ CỐ, KHÓ KHĂN, VƯỚNG MẮC", blocks)]
