"""Sample Decree 30 documents for tests: a Department's report to the
provincial Election Committee, as the app would issue it (three parts, a
table in the body, a 60-row appendix, signed by a deputy for the
director), and a công văn to several recipients. Shared by the tests of
the renderers (tests/readiness/test_nd30.py) and of the documents' builders.
"""

from readiness.nd30 import (
    Appendix,
    Nd30Document,
    Paragraph,
    PartialDate,
    SectionHeading,
    Signature,
    Table,
)

SUMMARY = (
    "Tình hình bảo đảm thông tin liên lạc phục vụ cuộc bầu cử đại biểu "
    "Quốc hội khóa XV và đại biểu Hội đồng nhân dân các cấp nhiệm kỳ 2021 - 2026"
)
APPENDIX_TITLE = "DANH SÁCH ĐƠN VỊ CHƯA HOÀN THÀNH NGHĨA VỤ ĐÚNG HẠN"
APPENDIX_NOTE = (
    "(Kèm theo Báo cáo số 45/BC-STTTT ngày 17/5/2021 của Sở Thông tin và Truyền thông)"
)
SIGNER = "Nguyễn Văn Minh"

DISTRICTS = [
    "UBND thành phố Thanh Hóa",
    "UBND thành phố Sầm Sơn",
    "UBND thị xã Bỉm Sơn",
    "UBND thị xã Nghi Sơn",
    "UBND huyện Hà Trung",
    "UBND huyện Nga Sơn",
    "UBND huyện Hậu Lộc",
    "UBND huyện Hoằng Hóa",
    "UBND huyện Quảng Xương",
    "UBND huyện Nông Cống",
    "UBND huyện Đông Sơn",
    "UBND huyện Triệu Sơn",
    "UBND huyện Thiệu Hóa",
    "UBND huyện Yên Định",
    "UBND huyện Vĩnh Lộc",
    "UBND huyện Thạch Thành",
    "UBND huyện Cẩm Thủy",
    "UBND huyện Ngọc Lặc",
    "UBND huyện Lang Chánh",
    "UBND huyện Bá Thước",
    "UBND huyện Quan Hóa",
    "UBND huyện Quan Sơn",
    "UBND huyện Mường Lát",
    "UBND huyện Thọ Xuân",
    "UBND huyện Thường Xuân",
    "UBND huyện Như Thanh",
    "UBND huyện Như Xuân",
]
CARRIERS = [
    "Viễn thông Thanh Hóa (VNPT)",
    "Viettel Thanh Hóa",
    "MobiFone Thanh Hóa",
    "Bưu điện tỉnh Thanh Hóa",
    "Bưu chính Viettel Thanh Hóa",
]
OBLIGATIONS = [
    ("D1", "Báo cáo công tác chuẩn bị"),
    ("D2", "Danh bạ tổ chức phụ trách bầu cử"),
    ("T1", "Phương án bảo đảm thông tin liên lạc"),
    ("P1", "Phương án bảo đảm bưu chính"),
]
STATES = ["Chưa nộp", "Bị trả lại, chưa nộp lại", "Đã nộp, chờ duyệt"]


def appendix_rows(count: int = 60) -> list[list[str]]:
    """`count` late (organisation, obligation) pairs, numbered from 1."""
    rows = []
    for i in range(count):
        if i % 4 == 3:
            organisation = CARRIERS[i % len(CARRIERS)]
            code, title = OBLIGATIONS[2 + i % 2]
        else:
            organisation = DISTRICTS[i % len(DISTRICTS)]
            code, title = OBLIGATIONS[i % 2]
        due = f"{10 + i % 5:02d}/5/2021"
        rows.append([str(i + 1), organisation, f"{code}: {title}", due, STATES[i % 3]])
    return rows


def sample_report(*, draft: bool = False, rows: int = 60) -> Nd30Document:
    """Báo cáo số 45/BC-STTTT of 17 May 2021 to the provincial Election
    Committee; as a draft, unnumbered and undated."""
    return Nd30Document(
        governing_body="UBND TỈNH THANH HÓA",
        issuing_body="SỞ THÔNG TIN VÀ TRUYỀN THÔNG",
        number="   /BC-STTTT" if draft else "45/BC-STTTT",
        place="Thanh Hóa",
        date=PartialDate(2021) if draft else PartialDate(2021, 5, 17),
        doc_type="BÁO CÁO",
        summary=SUMMARY,
        recipients=["Ủy ban bầu cử tỉnh Thanh Hóa"],
        body=_report_body(),
        signature=Signature(capacity=["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"], name=SIGNER),
        copies_to=[
            "Như trên",
            "Bộ Thông tin và Truyền thông (để b/c)",
            "UBND tỉnh (để b/c)",
            "Giám đốc Sở (để b/c)",
            "Các phòng, đơn vị thuộc Sở",
        ],
        archive="Lưu: VT, BCVT.",
        appendices=[
            Appendix(
                label="Phụ lục I",
                title=APPENDIX_TITLE,
                note=APPENDIX_NOTE,
                blocks=[
                    Table(
                        headers=["STT", "Đơn vị", "Nghĩa vụ", "Hạn", "Tình trạng"],
                        rows=appendix_rows(rows),
                    )
                ],
            )
        ],
        draft=draft,
    )


def sample_letter(*, draft: bool = False) -> Nd30Document:
    """A công văn (no document type) to three recipients."""
    return Nd30Document(
        governing_body="UBND TỈNH THANH HÓA",
        issuing_body="SỞ THÔNG TIN VÀ TRUYỀN THÔNG",
        number="   /STTTT-BCVT" if draft else "812/STTTT-BCVT",
        place="Thanh Hóa",
        date=PartialDate(2021, 2, 5),
        doc_type="",
        summary="Đôn đốc nộp phương án bảo đảm thông tin liên lạc phục vụ bầu cử",
        recipients=[
            "Viễn thông Thanh Hóa",
            "Viettel Thanh Hóa",
            "Bưu điện tỉnh Thanh Hóa",
        ],
        body=[
            Paragraph(
                "Thực hiện Chỉ thị số 02/CT-UBND ngày 15/01/2021 của Chủ tịch "
                "UBND tỉnh, Sở Thông tin và Truyền thông đề nghị các đơn vị "
                "nộp phương án bảo đảm thông tin liên lạc phục vụ bầu cử trước "
                "ngày 20/02/2021."
            ),
            Paragraph("Trân trọng./."),
        ],
        signature=Signature(capacity=["GIÁM ĐỐC"], name="Lê Văn Hùng"),
        copies_to=["Như trên", "Giám đốc Sở (để b/c)"],
        archive="Lưu: VT, BCVT.",
        draft=draft,
    )


def _report_body() -> list:
    return [
        SectionHeading("I. CÔNG TÁC CHỈ ĐẠO, TRIỂN KHAI"),
        Paragraph(
            "Thực hiện Chỉ thị số 02/CT-UBND ngày 15/01/2021 của Chủ tịch UBND "
            "tỉnh về việc bảo đảm thông tin liên lạc phục vụ cuộc bầu cử đại "
            "biểu Quốc hội khóa XV và đại biểu Hội đồng nhân dân các cấp nhiệm "
            "kỳ 2021 - 2026, Sở Thông tin và Truyền thông đã ban hành kế hoạch, "
            "hướng dẫn và đôn đốc UBND các huyện, thị xã, thành phố và các "
            "doanh nghiệp bưu chính, viễn thông trên địa bàn tỉnh triển khai "
            "các nhiệm vụ được giao."
        ),
        Paragraph(
            "Sở đã tổ chức tiếp nhận danh bạ các tổ chức phụ trách bầu cử, "
            "phương án bảo đảm thông tin liên lạc, lịch trực của các doanh "
            "nghiệp và theo dõi việc thực hiện qua hệ thống theo dõi sự sẵn "
            "sàng; các đơn vị chậm thực hiện đều được nhắc nhở bằng thư điện "
            "tử và tin nhắn."
        ),
        SectionHeading("II. KẾT QUẢ THỰC HIỆN"),
        SectionHeading("1. Các đơn vị cấp huyện"),
        Paragraph(
            "Đến ngày 17/5/2021, 24/27 huyện, thị xã, thành phố đã gửi danh bạ "
            "các tổ chức phụ trách bầu cử và được Sở chấp nhận; 3 đơn vị đang "
            "hoàn thiện theo ý kiến của Sở. Danh bạ đã bao phủ 548/559 xã, "
            "phường, thị trấn (98,0%)."
        ),
        SectionHeading("2. Các doanh nghiệp bưu chính, viễn thông"),
        Paragraph(
            "Các doanh nghiệp viễn thông đã nộp phương án bảo đảm thông tin liên "
            "lạc, bố trí lực lượng ứng trực 24/24 giờ từ ngày 20/5/2021 đến hết "
            "ngày 24/5/2021; các doanh nghiệp bưu chính đã nộp phương án vận "
            "chuyển tài liệu, phiếu bầu cử."
        ),
        Table(
            title="Bảng 1. Kết quả thực hiện các nghĩa vụ",
            headers=[
                "Nghĩa vụ",
                "Số đơn vị phải thực hiện",
                "Đã hoàn thành",
                "Quá hạn",
            ],
            rows=[
                ["D1: Báo cáo công tác chuẩn bị", "27", "25", "2"],
                ["D2: Danh bạ tổ chức phụ trách bầu cử", "27", "24", "3"],
                ["T1: Phương án bảo đảm thông tin liên lạc", "3", "3", "0"],
                ["P1: Phương án bảo đảm bưu chính", "2", "1", "1"],
            ],
        ),
        SectionHeading("III. KHÓ KHĂN, VƯỚNG MẮC VÀ ĐỀ XUẤT"),
        Paragraph(
            "Một số xã vùng cao của các huyện Mường Lát, Quan Sơn, Quan Hóa "
            "chưa có sóng di động ổn định tại điểm bỏ phiếu. Sở đề nghị Ủy ban "
            "bầu cử tỉnh chỉ đạo UBND các huyện phối hợp với các doanh nghiệp "
            "bố trí trạm phát sóng lưu động và phương án liên lạc dự phòng bằng "
            "điện thoại vệ tinh."
        ),
        Paragraph(
            "Danh sách các đơn vị chưa hoàn thành nghĩa vụ đúng hạn tại Phụ lục "
            "I kèm theo. Sở Thông tin và Truyền thông kính báo cáo Ủy ban bầu cử "
            "tỉnh./."
        ),
    ]
