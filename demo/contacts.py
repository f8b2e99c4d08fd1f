"""Demo contact lists for `load_demo`, made through the real import path."""

import random

from django.core.files.base import ContentFile
from django.db import transaction

from contacts.importers import parse_contact_file
from contacts.models import (
    AdministrativeUnit,
    ContactImport,
    Election,
    Organisation,
    User,
)
from contacts.names import peoples_committee, unit_name
from contacts.selectors.units import district_unit
from contacts.services.contact_lists import (
    contact_list_accept,
    contact_list_get_or_create,
    contact_list_import,
    contact_list_submit,
    import_plan,
)

HEADER = (
    "Loại tổ chức;Mã đơn vị hành chính;Tên tổ chức;Khu vực bỏ phiếu;"
    "Địa điểm làm việc;Họ và tên;Chức vụ;Số điện thoại"
)
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đỗ", "Bùi", "Đặng", "Lê"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đình", "Minh", "Thu", "Ngọc", "Quang"]
GIVEN = [
    "An",
    "Bình",
    "Cường",
    "Dung",
    "Hà",
    "Hùng",
    "Lan",
    "Long",
    "Mai",
    "Nam",
    "Sơn",
]
MOBILE_PREFIXES = ["091", "094", "098", "097", "086", "088", "083", "085", "070"]


def person_name(rng: random.Random) -> str:
    """A plausible Vietnamese full name. Also used by demo.scale_data."""
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def mobile_phone(rng: random.Random) -> str:
    """A valid Vietnamese mobile number, written the national way
    ("0912 345 678"). Also used by demo.scale_data."""
    digits = f"{rng.randrange(10**7):07d}"
    return f"{rng.choice(MOBILE_PREFIXES)}{digits[0]} {digits[1:4]} {digits[4:]}"


def demo_list_file(
    *, district: AdministrativeUnit, teams_per_commune: int = 2
) -> bytes:
    """A plausible contact list: the district's Committee and Board, and
    Election Teams in every commune, each with a chair and a vice-chair."""
    rng = random.Random(district.code)  # noqa: S311 (demo names, not secrets)
    lines = [HEADER]
    for kind, name in (
        ("Ủy ban bầu cử", "Ủy ban bầu cử"),
        ("Ban bầu cử", "Ban bầu cử HĐND"),
    ):
        lines.append(
            f"{kind};{district.code};{name} {unit_name(district)};;"
            f"{peoples_committee(district)};"
            f"{person_name(rng)};Chủ tịch;{mobile_phone(rng)}"
        )
    n = 0
    for commune in district.children.order_by("code"):
        for _ in range(teams_per_commune):
            n += 1
            place = f"Nhà văn hóa khu {n}, {unit_name(commune)}"
            for position in ("Tổ trưởng", "Tổ phó"):
                lines.append(
                    f"Tổ bầu cử;{commune.code};Tổ bầu cử số {n};KVBP số {n};{place};"
                    f"{person_name(rng)};{position};{mobile_phone(rng)}"
                )
    return ("\n".join(lines) + "\n").encode("utf-8")


@transaction.atomic
def demo_contact_list_ensure(
    *,
    election: Election,
    district: Organisation,
    officer: User,
    reviewer: User | None,
    teams_per_commune: int = 2,
    submit: bool = True,
) -> None:
    """Import, submit (unless not `submit`: a draft) and (with a reviewer)
    accept a demo list, once."""
    contact_list = contact_list_get_or_create(election=election, organisation=district)
    if contact_list.imports.exists() or contact_list.versions.exists():
        return
    content = demo_list_file(
        district=district_unit(district), teams_per_commune=teams_per_commune
    )
    contact_import = ContactImport(
        contact_list=contact_list, original_name="demo.csv", uploaded_by=officer
    )
    contact_import.file.save("demo", ContentFile(content), save=False)
    contact_import.save()
    parsed = parse_contact_file(content=content, filename="demo.csv")
    plan = import_plan(contact_list=contact_list, rows=parsed.rows, unit_column="")
    contact_list_import(contact_import=contact_import, plan=plan)
    if not submit:
        return
    version = contact_list_submit(contact_list=contact_list, by=officer)
    if reviewer is not None:
        contact_list_accept(version=version, by=reviewer)
